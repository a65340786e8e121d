"""Pulling kecamatan Google Sheets end to end: `lindung.pull` and the
`lindung` command with the real google-auth + gspread stack over real HTTP,
against the fake Google in tests/fake_google.py.

Each test builds its own small project in tmp_path (the repo's settings,
schemas, wilayah list, content and templates; its own registry/sources.csv)
and starts one fake server. In-process pulls get a fixed `now`; `lindung`
commands run on the real clock, which only the stale-source test depends on.
"""
from __future__ import annotations

import base64
import csv
import datetime as dt
import functools
import html
import json
import logging
import re
import shutil
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from fake_google import FakeGoogle, Tab, fake_google, service_account_info  # noqa: F401  (fixture)
from fake_google import _error as fake_error
from lindung import config as config_module
from lindung.pull import run as pull_module
from lindung.store.report import public_reason
from lindung import wilayah as wilayah_module
from lindung.cli import main
from lindung.pull.sources import SourceError
from lindung.pull.sources import google as google_module
from lindung.pull.sources.google import REPORT_CLEAN, REPORT_HEADER, REPORT_TAB
from lindung.pull.workbook import write_workbook

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_DIR = ROOT / "registry" / "schema"
TABS = ("peserta", "donatur", "wilayah", "santunan")
TITLES = {tab: [f["title"] for f in json.loads((SCHEMA_DIR / f"{tab}.json").read_text(encoding="utf-8"))["fields"]]
          for tab in TABS}
WIB = ZoneInfo("Asia/Jakarta")
NOW = dt.datetime(2026, 11, 23, 1, 0, tzinfo=WIB)
SECRET = "rahasia-uji-google-yang-panjangnya-lebih-dari-32-byte"
EMAIL = "lindung-pull@lindung-test.iam.gserviceaccount.com"  # the fake key's service account
ENVIRONMENT = ("GOOGLE_APPLICATION_CREDENTIALS", "LINDUNG_GOOGLE_CREDENTIALS", "LINDUNG_GOOGLE_API_ROOT",
               "LINDUNG_GOOGLE_PER_MINUTE", "LINDUNG_GOOGLE_MAX_WAIT", "LINDUNG_GOOGLE_BACKOFF",
               "LINDUNG_GOOGLE_FOLDER_ID", "LINDUNG_ROOT", "LINDUNG_SECRET")

NGALIYAN = "33.74.15"
MAGELANG_UTARA = "33.71.02"
SEMARANG = ["33.74.01", "33.74.02", "33.74.03", "33.74.04", "33.74.05", "33.74.06", "33.74.07", "33.74.08",
            "33.74.09", "33.74.10", "33.74.11", "33.74.12", "33.74.13", "33.74.14", NGALIYAN, "33.74.16"]


# --- data ------------------------------------------------------------------------

@functools.cache
def official() -> wilayah_module.Wilayah:
    return wilayah_module.load(ROOT / "registry" / "wilayah")


def kelurahan(kode: str) -> list[str]:
    return [k.nama for k in official().kecamatan[kode].kelurahan]


def key_of(kode: str) -> str:
    """A spreadsheet key as Google makes them: 44 URL-safe characters."""
    return f"1Lindung{kode.replace('.', '')}".ljust(44, "Q")


def nik(kode: str, n: int) -> str:
    return f"99{kode.replace('.', '')}{n:08d}"


def nama(kode: str, n: int) -> str:
    return f"Pekerja Rahasia {kode} {n}"


def data(kode: str, workers: int = 3, **extra: list[list[Any]]) -> dict[str, list[list[Any]]]:
    """A clean kecamatan workbook's data rows (schema column order), with
    `extra` rows appended to a tab."""
    kel = kelurahan(kode)
    rows = {
        "peserta": [[nik(kode, i), nama(kode, i), kel[i % len(kel)], "pekerja rentan", "ojek", "JKK+JKM",
                     dt.date(2026, 1, 1), dt.date(2026, 12, 31), "mandiri", None, 16800] for i in range(1, workers + 1)],
        "donatur": [["D001", "Donatur Uji", "Dinas Uji", "PNS", "ya", 12]],
        "wilayah": [[k, 10, 2, 24, 100] for k in kel],
        "santunan": [[dt.date(2026, 6, 1), kel[0], "JKM", 42_000_000]],
    }
    for tab, more in extra.items():
        rows[tab] = rows[tab] + more
    return rows


def sheet(rows: dict[str, list[list[Any]]]) -> dict[str, list[list[Any]]]:
    """The same rows as a Google Sheet's tabs: header row first."""
    return {tab: [TITLES[tab], *rows.get(tab, [])] for tab in TABS}


def with_errors(kode: str) -> dict[str, list[list[Any]]]:
    """Three rows an editor got wrong: a short NIK, a missing name, a segmen
    that does not exist."""
    kel = kelurahan(kode)
    return data(kode, peserta=[
        [nik(kode, 90)[:15], nama(kode, 90), kel[0], "pekerja rentan", "ojek", "JKK+JKM", dt.date(2026, 1, 1),
         dt.date(2026, 12, 31), "mandiri"],
        [nik(kode, 91), None, kel[0], "pekerja rentan", "ojek", "JKK+JKM", dt.date(2026, 1, 1),
         dt.date(2026, 12, 31), "mandiri"],
        [nik(kode, 92), nama(kode, 92), kel[0], "tukang parkir", "ojek", "JKK+JKM", dt.date(2026, 1, 1),
         dt.date(2026, 12, 31), "mandiri"],
    ])


# --- a project in tmp_path -------------------------------------------------------

class Proyek:
    """A copy of the repo's settings, schemas, wilayah, content and
    templates, with its own sources.csv, snapshots and reports."""

    def __init__(self, root: Path) -> None:
        self.root = root
        registry = root / "registry"
        registry.mkdir(parents=True)
        for part in ("schema", "wilayah"):
            shutil.copytree(ROOT / "registry" / part, registry / part)
        for name in ("daerah.csv", "iuran.csv"):
            shutil.copy(ROOT / "registry" / name, registry / name)
        shutil.copytree(ROOT / "content", root / "content")
        shutil.copytree(ROOT / "templates", root / "templates")
        shutil.copy(ROOT / "lindung.toml", root / "lindung.toml")
        self.registry = registry
        self._config: config_module.Config | None = None

    def sources(self, listed: dict[str, str]) -> None:
        """registry/sources.csv: {kode: sumber}, names from the official list."""
        self._config = None
        with open(self.registry / "sources.csv", "w", newline="", encoding="utf-8") as handle:
            out = csv.writer(handle, lineterminator="\n")
            out.writerow(["kode", "kecamatan", "kabupaten_kota", "sumber"])
            for kode, sumber in sorted(listed.items()):
                place = official().kecamatan[kode]
                out.writerow([kode, place.nama, place.kabupaten_nama, sumber])

    def local(self, kode: str, rows: dict[str, list[list[Any]]]) -> str:
        """A local .xlsx written by the template writer; its `sumber`."""
        path = self.root / "sheets" / f"{kode}.xlsx"
        path.parent.mkdir(exist_ok=True)
        write_workbook(path, rows, schema_dir=SCHEMA_DIR)
        return f"sheets/{kode}.xlsx"

    def config(self) -> config_module.Config:
        """Loaded once per sources.csv (loading the wilayah list takes a while)."""
        if self._config is None:
            self._config = config_module.load(self.root)
        return self._config

    def pull(self, fake: FakeGoogle | None, *, now: dt.datetime = NOW, environ: dict[str, str] | None = None,
             **options: Any) -> pull_module.PullResult:
        env = fake.environ() if environ is None else environ
        return pull_module.pull(self.config(), now=now, environ={**env, "LINDUNG_SECRET": SECRET}, **options)

    def cli(self, *args: str, env: dict[str, str | None] | None = None):
        return CliRunner().invoke(main, ["--root", str(self.root), *args], env=cli_env(env), catch_exceptions=False)

    def snapshot(self, kode: str) -> dict[str, bytes]:
        folder = self.registry / "snapshots" / kode
        return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.exists() else {}

    def meta(self, kode: str) -> dict[str, Any]:
        return json.loads(self.snapshot(kode)["meta.json"])

    def report(self, kode: str) -> dict[str, Any]:
        return json.loads((self.registry / "laporan" / f"{kode}.json").read_text(encoding="utf-8"))

    def write_report(self, kode: str, **fields: Any) -> None:
        folder = self.registry / "laporan"
        folder.mkdir(parents=True, exist_ok=True)
        body = {"kode": kode, "diperiksa": "", "hasil": "ok", "alasan": "", "jenis_alasan": "", "gagal_sejak": None,
                "dilewati": False, "gagal_tulis_balik": "", "kesalahan": [], **fields}
        (folder / f"{kode}.json").write_text(json.dumps(body), encoding="utf-8")


def cli_env(extra: dict[str, str | None] | None = None) -> dict[str, str | None]:
    """The CLI's environment: none of the operator's own Google or Lindung
    variables leak in (None unsets), plus `extra`."""
    env: dict[str, str | None] = {name: None for name in ENVIRONMENT}
    env["LINDUNG_SECRET"] = SECRET
    env.update(extra or {})
    return env


@pytest.fixture
def proyek(tmp_path) -> Proyek:
    return Proyek(tmp_path / "proyek")


def google_calls(fake: FakeGoogle) -> list:
    """Sheets and Drive requests (google-auth's background IAM lookups and
    the token endpoint left out)."""
    return [c for c in fake.log if c.path.startswith(("/v4/", "/drive/"))]


def batch_gets(fake: FakeGoogle, key: str | None = None) -> list:
    path = rf"^/v4/spreadsheets/{re.escape(key)}/values:batchGet$" if key else r"/values:batchGet$"
    return fake.calls("GET", path)


def modify(fake: FakeGoogle, key: str, rows: dict[str, list[list[Any]]]) -> None:
    """An editor's change: new rows, a new Drive modifiedTime."""
    fake.add_spreadsheet(key, sheet(rows))


def status_page(proyek: Proyek, as_of: str = "2026-11-23") -> str:
    result = proyek.cli("build", "--as-of", as_of)
    assert result.exit_code == 0, result.output
    return html.unescape((proyek.root / "site" / "status" / "index.html").read_text(encoding="utf-8"))


# --- 1. Google Sheets and local workbooks side by side ---------------------------

def test_three_google_sheets_and_a_local_workbook_are_all_pulled(proyek, fake_google):
    google = SEMARANG[:3]
    listed = {kode: key_of(kode) for kode in google}
    listed[google[1]] = f"https://docs.google.com/spreadsheets/d/{key_of(google[1])}/edit#gid=0"  # a URL works too
    listed[MAGELANG_UTARA] = proyek.local(MAGELANG_UTARA, data(MAGELANG_UTARA))
    proyek.sources(listed)
    for kode in google:
        fake_google.add_spreadsheet(key_of(kode), sheet(data(kode)))

    result = proyek.pull(fake_google)

    assert sorted(result.reports) == sorted(listed)
    for kode in listed:
        assert result.reports[kode].ok and not result.reports[kode].errors, kode
        assert sorted(proyek.snapshot(kode)) == ["donatur.csv", "meta.json", "peserta.csv", "santunan.csv", "wilayah.csv"]
        assert proyek.meta(kode)["baris"]["peserta"] == 3
        assert proyek.report(kode)["hasil"] == "ok"
    for kode in google:  # the sheet's Drive time is kept, for the next incremental pull
        assert proyek.meta(kode)["sumber_diubah"] == fake_google.spreadsheets[key_of(kode)].modified
    assert proyek.meta(MAGELANG_UTARA)["sumber_diubah"] is None
    # one listing, one batch read per sheet, nothing else
    assert [c.path for c in google_calls(fake_google)].count("/drive/v3/files") == 1
    assert sorted(c.path for c in batch_gets(fake_google)) == sorted(
        f"/v4/spreadsheets/{key_of(k)}/values:batchGet" for k in google)
    assert len(google_calls(fake_google)) == 4


def same_rows(kode: str) -> dict[str, list[list[Any]]]:
    """Rows that exercise parsing: dates as dates, as a bare serial number and
    as Indonesian text; numbers as numbers and as Indonesian text; a ragged
    row; a blank row inside the data; NIK as text; and rows with errors."""
    kel = kelurahan(kode)
    return {
        "peserta": [
            [nik(kode, 1), nama(kode, 1), kel[0], "pekerja rentan", "ojek", "JKK+JKM", dt.date(2025, 3, 24),
             dt.date(2026, 3, 23), "donatur", "D001", 16800],
            [nik(kode, 2), nama(kode, 2), kel[1], "Pengurus RT/RW", "pedagang", "JKK+JKM", "24/03/2025",
             "24 Maret 2026", "mandiri", None, "16.800"],
            [nik(kode, 3), nama(kode, 3), kel[2], "pekerja rentan", "batik", "JKK+JKM+JHT", 45740, 46104, "APBD"],
            [None] * 11,
            [nik(kode, 4), nama(kode, 4), kel[0], "pekerja rentan", "petani", "JKK+JKM", dt.date(2025, 1, 2),
             dt.date(2025, 12, 31), "CSR", "D002", 36800.5],
            [nik(kode, 5)[:15], nama(kode, 5), kel[0], "pekerja rentan", "ojek", "JKK+JKM", dt.date(2025, 1, 2),
             dt.date(2025, 12, 31), "mandiri"],
            [nik(kode, 6), None, "Kelurahan Entah", "tukang", "ojek", "JKK", "31/02/2025", None, "donatur", "D999"],
        ],
        "donatur": [["D001", "Pak Agus Uji", "Dinas Kominfo", "PNS", "ya", 12],
                    ["D002", "PT Rahasia Uji", "PT Contoh", "perusahaan", "tidak", "6"]],
        "wilayah": [[kel[0], 80, 12, 276, 300], [kel[1], "1.234", 8, None, 150], [kel[2]]],
        "santunan": [[dt.date(2025, 6, 2), kel[0], "JKM", 42_000_000], ["02/07/2025", kel[1], "beasiswa", "1.500.000"]],
    }


def test_a_google_sheet_gives_the_same_snapshot_and_report_as_a_local_workbook_with_the_same_rows(
        tmp_path, fake_google):
    kode = MAGELANG_UTARA
    rows = same_rows(kode)
    from_file = Proyek(tmp_path / "berkas")
    from_file.sources({kode: from_file.local(kode, rows)})
    from_sheet = Proyek(tmp_path / "sheet")
    from_sheet.sources({kode: key_of(kode)})
    fake_google.add_spreadsheet(key_of(kode), sheet(rows))

    by_file = from_file.pull(None, environ={})
    by_sheet = from_sheet.pull(fake_google)

    # what the API sent is what the equivalence is about: serial dates, text NIK
    (read,) = batch_gets(fake_google)
    assert read.query["valueRenderOption"] == ["UNFORMATTED_VALUE"]
    assert read.query["dateTimeRenderOption"] == ["SERIAL_NUMBER"]
    assert by_file.reports[kode].errors, "the rows are meant to hold errors"
    assert by_sheet.reports[kode].errors == by_file.reports[kode].errors
    file_snapshot, sheet_snapshot = from_file.snapshot(kode), from_sheet.snapshot(kode)
    assert sorted(file_snapshot) == sorted(sheet_snapshot)
    for name in sorted(file_snapshot):
        if name != "meta.json":
            assert sheet_snapshot[name] == file_snapshot[name], name
    file_meta, sheet_meta = json.loads(file_snapshot["meta.json"]), json.loads(sheet_snapshot["meta.json"])
    assert {k: v for k, v in sheet_meta.items() if k != "sumber_diubah"} == \
           {k: v for k, v in file_meta.items() if k != "sumber_diubah"}
    assert (from_sheet.registry / "laporan" / f"{kode}.json").read_bytes() == \
           (from_file.registry / "laporan" / f"{kode}.json").read_bytes()


# --- 2. Incremental pulls ----------------------------------------------------------

def test_an_unchanged_sheet_is_not_read_again_and_force_reads_every_sheet(proyek, fake_google):
    kodes = SEMARANG[:5]
    proyek.sources({kode: key_of(kode) for kode in kodes})
    for kode in kodes:
        fake_google.add_spreadsheet(key_of(kode), sheet(data(kode)))
    proyek.pull(fake_google, now=NOW - dt.timedelta(days=1))
    assert len(batch_gets(fake_google)) == 5
    before = {kode: proyek.snapshot(kode) for kode in kodes}
    changed = kodes[2]
    modify(fake_google, key_of(changed), data(changed, workers=4))
    fake_google.log.clear()

    result = proyek.pull(fake_google)

    calls = google_calls(fake_google)
    assert [(c.method, c.path) for c in calls if c.path.startswith("/drive/")] == [("GET", "/drive/v3/files")]
    assert [c.path for c in calls if c.path.startswith("/v4/")] == [
        f"/v4/spreadsheets/{key_of(changed)}/values:batchGet"]
    assert len(calls) == 2
    assert proyek.meta(changed)["baris"]["peserta"] == 4
    assert not result.reports[changed].skipped and not proyek.report(changed)["dilewati"]
    for kode in kodes:
        if kode == changed:
            continue
        assert result.reports[kode].ok and result.reports[kode].skipped
        assert proyek.report(kode)["dilewati"] is True
        # the same data, confirmed as of this pull
        assert {n: b for n, b in proyek.snapshot(kode).items() if n != "meta.json"} == \
               {n: b for n, b in before[kode].items() if n != "meta.json"}
        assert proyek.meta(kode)["diambil"] == NOW.isoformat(timespec="seconds")

    fake_google.log.clear()
    forced = proyek.cli("pull", "--force", env=fake_google.environ())

    assert forced.exit_code == 0, forced.output
    assert sorted(c.path for c in batch_gets(fake_google)) == sorted(
        f"/v4/spreadsheets/{key_of(k)}/values:batchGet" for k in kodes)
    assert fake_google.count("GET", r"^/drive/v3/files$") == 1
    assert not any(proyek.report(kode)["dilewati"] for kode in kodes)
    assert "dibaca 5/5" in forced.output  # plain progress lines when not on a terminal


def test_a_sheet_that_failed_but_has_not_changed_since_its_good_snapshot_is_confirmed_without_a_read(
        proyek, fake_google):
    kode = NGALIYAN
    proyek.sources({kode: key_of(kode)})
    fake_google.add_spreadsheet(key_of(kode), sheet(data(kode)))
    proyek.pull(fake_google, now=NOW - dt.timedelta(days=2))
    fake_google.fail(key_of(kode), "500")
    assert not proyek.pull(fake_google, now=NOW - dt.timedelta(days=1), force=True).reports[kode].ok
    fake_google.fail(key_of(kode), "500", times=0)
    fake_google.log.clear()

    result = proyek.pull(fake_google)

    assert batch_gets(fake_google) == []
    assert result.reports[kode].ok and result.reports[kode].skipped
    assert proyek.report(kode)["gagal_sejak"] is None


def test_the_reading_progress_reaches_its_total_when_unchanged_sheets_are_skipped(proyek, fake_google):
    kodes = SEMARANG[:3]
    proyek.sources({kode: key_of(kode) for kode in kodes})
    for kode in kodes:
        fake_google.add_spreadsheet(key_of(kode), sheet(data(kode)))
    assert "dibaca 3/3" in proyek.cli("pull", env=fake_google.environ()).output
    modify(fake_google, key_of(kodes[0]), data(kodes[0], workers=4))

    result = proyek.cli("pull", env=fake_google.environ())

    lines = re.findall(r"dibaca (\d+)/(\d+)", result.output)
    assert lines and lines[-1][0] == lines[-1][1], lines


def test_a_skipped_sheet_keeps_its_row_errors_after_a_failed_pull_in_between(proyek, fake_google):
    kode = NGALIYAN
    proyek.sources({kode: key_of(kode)})
    fake_google.add_spreadsheet(key_of(kode), sheet(with_errors(kode)))
    first = proyek.pull(fake_google, now=NOW - dt.timedelta(days=2))
    assert len(first.reports[kode].errors) == 3
    fake_google.fail("drive", "500")
    assert not proyek.pull(fake_google, now=NOW - dt.timedelta(days=1)).reports[kode].ok
    fake_google.fail("drive", "500", times=0)

    result = proyek.pull(fake_google)

    assert result.reports[kode].skipped
    assert proyek.meta(kode)["menunggu_perbaikan"] == 3
    assert result.reports[kode].errors == first.reports[kode].errors
    assert result.found_errors  # so `lindung pull --strict` still goes red


# --- 3. Faults: one sheet fails, the others are pulled, nothing is lost ------------

# kode -> (what goes wrong, outcome, kind, words the report's reason must hold)
FAULTS = {
    "33.74.01": ("403", "gagal_baca", "tidak_dibagikan", [EMAIL, "Bagikan"]),
    "33.74.02": ("404", "gagal_baca", "tidak_ada", ["dihapus", "registry/sources.csv"]),
    "33.74.03": ("429 lalu berhasil", "ok", "", []),
    "33.74.04": ("500", "gagal_baca", "server", ["bermasalah", "Coba tarik lagi"]),
    "33.74.05": ("hang", "gagal_baca", "jaringan", ["tidak menjawab", "detik"]),
    "33.74.06": ("malformed", "gagal_baca", "rusak", ["JSON"]),
    "33.74.07": ("tab diganti nama", "struktur", "struktur", ["Tab atau kolom wajib tidak ditemukan"]),
    "33.74.08": ("tab hilang", "struktur", "struktur", ["Tab atau kolom wajib tidak ditemukan"]),
    "33.74.09": ("xlsx", "gagal_baca", "bukan_sheet", ["Simpan sebagai Google Spreadsheet"]),
    "33.74.10": ("disabled", "gagal_baca", "api_nonaktif", ["Google Sheets API", EMAIL]),
}
HEALTHY = "33.74.11"
TIMEOUT = 1.0  # seconds; the fake hangs for 5


def inject(fake: FakeGoogle, kode: str, fault: str) -> None:
    key = key_of(kode)
    if fault == "429 lalu berhasil":
        fake.fail(key, "429", times=2)
    elif fault == "tab diganti nama":
        fake.rename_tab(key, "peserta", "Data Peserta")
    elif fault == "tab hilang":
        fake.add_spreadsheet(key, {tab: rows for tab, rows in sheet(data(kode, workers=4)).items() if tab != "wilayah"})
    else:
        fake.fail(key, fault)


def test_every_fault_keeps_that_sheets_last_snapshot_and_says_why_in_the_report_and_on_the_status_page(
        proyek, fake_google, monkeypatch):
    # A short network timeout: the client takes it as a connect() option.
    monkeypatch.setattr(google_module, "connect", functools.partial(google_module.connect, timeout=TIMEOUT))
    kodes = [*FAULTS, HEALTHY]
    listed = {kode: key_of(kode) for kode in kodes}
    listed[MAGELANG_UTARA] = proyek.local(MAGELANG_UTARA, data(MAGELANG_UTARA))
    proyek.sources(listed)
    for kode in kodes:
        fake_google.add_spreadsheet(key_of(kode), sheet(data(kode)))
    yesterday = NOW - dt.timedelta(days=1)
    first = proyek.pull(fake_google, now=yesterday)
    assert all(r.ok for r in first.reports.values())
    before = {kode: proyek.snapshot(kode) for kode in listed}
    # every editor adds a worker; then things go wrong
    for kode in kodes:
        modify(fake_google, key_of(kode), data(kode, workers=4))
    for kode, (fault, *_) in FAULTS.items():
        inject(fake_google, kode, fault)

    result = proyek.pull(fake_google)

    for kode, (fault, outcome, kind, words) in FAULTS.items():
        report = proyek.report(kode)
        assert (report["hasil"], report["jenis_alasan"]) == (outcome, kind), (fault, report)
        if outcome == "ok":
            assert proyek.meta(kode)["baris"]["peserta"] == 4, fault
            assert report["gagal_sejak"] is None
            continue
        assert proyek.snapshot(kode) == before[kode], f"{fault}: the last good snapshot changed"
        assert report["gagal_sejak"] == NOW.date().isoformat()
        for word in words:
            assert word in report["alasan"], (fault, report["alasan"])
        assert result.reports[kode].reason == report["alasan"]
    # the renamed and the missing tab are named in the report's errors
    renamed = proyek.report("33.74.07")["kesalahan"]
    assert [(e["tab"], e["baris"]) for e in renamed] == [("peserta", None)]
    assert "peserta" in renamed[0]["masalah"]
    missing = proyek.report("33.74.08")["kesalahan"]
    assert [(e["tab"], e["baris"]) for e in missing] == [("wilayah", None)]
    # the others are pulled
    assert result.reports[HEALTHY].ok and proyek.meta(HEALTHY)["baris"]["peserta"] == 4
    assert proyek.meta(HEALTHY)["diambil"] == NOW.isoformat(timespec="seconds")
    assert result.reports[MAGELANG_UTARA].ok
    assert proyek.meta(MAGELANG_UTARA)["diambil"] == NOW.isoformat(timespec="seconds")
    assert batch_gets(fake_google, key_of("33.74.03"))[-1:]  # read in the end

    page = status_page(proyek)
    for kode, (fault, outcome, kind, words) in FAULTS.items():
        if outcome != "ok":
            # the public page names the kind of failure; the operator's reason stays in the report
            assert public_reason(proyek.report(kode)["jenis_alasan"]) in page, fault
            assert proyek.report(kode)["alasan"] not in page, fault
    assert "Tab “peserta” tidak ditemukan." in page
    assert "Tab “wilayah” tidak ditemukan." in page


def test_when_the_drive_listing_fails_every_google_sheet_keeps_its_snapshot(proyek, fake_google):
    kodes = SEMARANG[:2]
    listed = {kode: key_of(kode) for kode in kodes}
    listed[MAGELANG_UTARA] = proyek.local(MAGELANG_UTARA, data(MAGELANG_UTARA))
    proyek.sources(listed)
    for kode in kodes:
        fake_google.add_spreadsheet(key_of(kode), sheet(data(kode)))
    proyek.pull(fake_google, now=NOW - dt.timedelta(days=1))
    before = {kode: proyek.snapshot(kode) for kode in kodes}
    fake_google.fail("drive", "403")

    result = proyek.pull(fake_google)

    for kode in kodes:
        assert not result.reports[kode].ok
        assert proyek.snapshot(kode) == before[kode]
        assert EMAIL in proyek.report(kode)["alasan"]
    assert result.reports[MAGELANG_UTARA].ok


@pytest.mark.parametrize("sumber", ["https://docs.google.com/spreadsheets/d/e/2PACX-1vQxyzxyzxyzxyzxyz/pubhtml",
                                    "ngaliyan"])
def test_a_sumber_that_is_not_a_sheet_key_fails_alone(proyek, fake_google, sumber):
    proyek.sources({NGALIYAN: sumber, "33.74.09": key_of("33.74.09"),
                    MAGELANG_UTARA: proyek.local(MAGELANG_UTARA, data(MAGELANG_UTARA))})
    fake_google.add_spreadsheet(key_of("33.74.09"), sheet(data("33.74.09")))

    result = proyek.cli("pull", env=fake_google.environ())

    # Either answer keeps the other sheets safe: refused as a config error
    # before anything is read, or reported for that kecamatan alone.
    if result.exit_code == 2:
        assert NGALIYAN in result.stderr and "registry/sources.csv" in result.stderr
        return
    assert result.exit_code == 0, result.output
    assert proyek.report("33.74.09")["hasil"] == "ok" and proyek.report(MAGELANG_UTARA)["hasil"] == "ok"
    report = proyek.report(NGALIYAN)
    assert report["hasil"] == "gagal_baca" and "registry/sources.csv" in report["alasan"]


# --- 4. No credentials -------------------------------------------------------------

def test_without_credentials_the_output_names_both_variables_and_local_sources_are_still_pulled(proyek, fake_google):
    proyek.sources({NGALIYAN: key_of(NGALIYAN), MAGELANG_UTARA: proyek.local(MAGELANG_UTARA, data(MAGELANG_UTARA))})
    fake_google.add_spreadsheet(key_of(NGALIYAN), sheet(data(NGALIYAN)))

    result = proyek.cli("pull", env={"LINDUNG_GOOGLE_API_ROOT": fake_google.url})

    assert result.exit_code == 0, result.output
    assert "GOOGLE_APPLICATION_CREDENTIALS" in result.output
    assert "LINDUNG_GOOGLE_CREDENTIALS" in result.output
    assert proyek.report(MAGELANG_UTARA)["hasil"] == "ok"
    assert proyek.meta(MAGELANG_UTARA)["baris"]["peserta"] == 3
    report = proyek.report(NGALIYAN)
    assert (report["hasil"], report["jenis_alasan"]) == ("gagal_baca", "kredensial")
    assert "LINDUNG_GOOGLE_CREDENTIALS" in report["alasan"]
    assert proyek.snapshot(NGALIYAN) == {}
    assert fake_google.log == []  # nothing was sent without a key


# --- 5. A source failing too long turns the daily job red ----------------------------

@pytest.mark.parametrize("days, code", [(8, 3), (7, 0)])
def test_pull_exits_3_when_a_google_sheet_has_failed_for_more_than_stale_days(proyek, fake_google, days, code):
    proyek.sources({NGALIYAN: key_of(NGALIYAN), "33.74.09": key_of("33.74.09")})
    fake_google.add_spreadsheet(key_of(NGALIYAN), sheet(data(NGALIYAN)))
    fake_google.add_spreadsheet(key_of("33.74.09"), sheet(data("33.74.09")))
    fake_google.fail(key_of(NGALIYAN), "403")
    today = dt.datetime.now(WIB).date()  # the CLI's own clock
    since = (today - dt.timedelta(days=days)).isoformat()
    proyek.write_report(NGALIYAN, hasil="gagal_baca", alasan="x", jenis_alasan="tidak_dibagikan", gagal_sejak=since)

    result = proyek.cli("pull", env=fake_google.environ())

    assert result.exit_code == code, result.output
    assert proyek.report(NGALIYAN)["gagal_sejak"] == since
    stale = [line for line in result.stderr.splitlines() if "lebih dari 7 hari" in line]
    if code:
        (line,) = stale
        assert NGALIYAN in line and "Ngaliyan" in line and since in line and EMAIL in line
    else:
        assert stale == []
    assert proyek.report("33.74.09")["hasil"] == "ok"


def test_failing_since_is_the_first_failure_in_a_row_and_stale_days_comes_from_the_config(proyek, fake_google):
    settings = proyek.root / "lindung.toml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("stale_days = 7", "stale_days = 2"),
                        encoding="utf-8")
    proyek.sources({NGALIYAN: key_of(NGALIYAN)})  # (re)loads the settings too
    fake_google.add_spreadsheet(key_of(NGALIYAN), sheet(data(NGALIYAN)))
    fake_google.fail(key_of(NGALIYAN), "404")
    days = [NOW + dt.timedelta(days=n) for n in range(4)]

    results = [proyek.pull(fake_google, now=day) for day in days]

    assert [r.reports[NGALIYAN].failing_since for r in results] == [days[0].date().isoformat()] * 4
    stale_days = proyek.config().pull.stale_days
    assert stale_days == 2
    assert [bool(r.stale(day.date(), stale_days)) for r, day in zip(results, days)] == [False, False, False, True]

    fake_google.fail(key_of(NGALIYAN), "404", times=0)
    healed = proyek.pull(fake_google, now=days[-1] + dt.timedelta(days=1))
    assert healed.reports[NGALIYAN].ok and healed.reports[NGALIYAN].failing_since is None
    assert not healed.stale(days[-1].date(), stale_days)


# --- 6. --write-back -----------------------------------------------------------------

def report_tab(fake: FakeGoogle, kode: str) -> list[list[Any]] | None:
    ss = fake.spreadsheets[key_of(kode)]
    return ss.values(REPORT_TAB) if ss.tab(REPORT_TAB) else None


def report_section(rows: list[list[Any]], title: str) -> list[list[Any]]:
    """The rows under one heading of the report tab, up to the blank line."""
    at = next(i for i, r in enumerate(rows) if r and str(r[0]).startswith(title))
    out = []
    for row in rows[at + 1:]:
        if not row:
            break
        out.append(row)
    return out


def shared_as_viewer(fake: FakeGoogle, key: str, monkeypatch) -> None:
    """The sheet is shared as Viewer: reads pass, every write is refused."""
    serve = fake.handle

    def viewer_only(method, path, *args):
        if method in ("POST", "PUT") and key in path:
            raise fake_error(403, "The caller does not have permission", "PERMISSION_DENIED")
        return serve(method, path, *args)

    monkeypatch.setattr(fake, "handle", viewer_only)


def test_write_back_puts_each_read_sheets_report_in_its_laporan_validasi_tab(proyek, fake_google):
    wrong, clean, untouched, renamed = SEMARANG[:4]
    kodes = [wrong, clean, untouched, renamed]
    proyek.sources({kode: key_of(kode) for kode in kodes})
    for kode in kodes:
        fake_google.add_spreadsheet(key_of(kode), sheet(data(kode)))
    proyek.pull(fake_google, now=NOW - dt.timedelta(days=1))
    modify(fake_google, key_of(wrong), with_errors(wrong))
    modify(fake_google, key_of(clean), data(clean, workers=4))
    # the clean sheet still shows an old report, from when it had errors
    fake_google.spreadsheets[key_of(clean)].tabs.append(Tab(sheet_id=77, title=REPORT_TAB, rows=[
        REPORT_HEADER, ["Kesalahan", "peserta", "5", "NIK", "", "NIK harus tepat 16 angka.", "Periksa NIK di KTP."]]))
    modify(fake_google, key_of(renamed), data(renamed))
    fake_google.rename_tab(key_of(renamed), "peserta", "Peserta BPU")
    untouched_modified = fake_google.spreadsheets[key_of(untouched)].modified
    fake_google.log.clear()

    result = proyek.cli("pull", "--write-back", env=fake_google.environ())

    assert result.exit_code == 0, result.output
    errors = proyek.report(wrong)["kesalahan"]
    written = report_tab(fake_google, wrong)
    assert written[1][0].startswith("Diperiksa: ") and written[1][0].endswith(" WIB")
    assert written[2][0].startswith("Pemeriksaan terjadwal berikutnya: ")
    table = report_section(written, "Kesalahan (3)")
    assert table[0] == REPORT_HEADER == ["Tab", "Baris", "Kolom", "Sel", "Isi sel", "Masalah", "Cara memperbaiki"]
    assert [[r[0], r[1], r[2], r[5], r[6]] for r in table[1:]] == [
        [e["tab"], str(e["baris"]), e["kolom"], e["masalah"], e["perbaikan"]] for e in errors]
    assert [tuple(row[0:4]) for row in table[1:]] == [
        ("peserta", "5", "NIK", "A5"), ("peserta", "6", "Nama", "B6"), ("peserta", "7", "Segmen", "D7")]
    # each bad cell is marked where the editor types: a note and the error colour
    peserta = fake_google.spreadsheets[key_of(wrong)].tab("peserta")
    assert sorted(peserta.notes) == [(4, 0), (5, 1), (6, 3)]
    assert "16 angka" in peserta.notes[(4, 0)]
    assert all(peserta.background(*cell) == google_module.ERROR_COLOUR for cell in peserta.notes)
    # only in the editor's own sheet is what they typed quoted back, and never a NIK or a name
    assert [row[4] or "" for row in table[1:]] == ["", "", "tukang parkir"]
    assert "tukang parkir" not in json.dumps(proyek.report(wrong), ensure_ascii=False)
    assert "tukang parkir" not in result.output
    assert not any("tukang parkir" in note for note in peserta.notes.values())
    everything = json.dumps([written, [c.body for c in fake_google.log], list(peserta.notes.values())],
                            ensure_ascii=False)
    for n in (1, 2, 3, 90, 91, 92):
        assert nik(wrong, n)[:15] not in everything
        assert nama(wrong, n) not in everything
    # a clean sheet: the thank-you line, the old rows gone
    cleaned = report_tab(fake_google, clean)
    assert [REPORT_CLEAN] in cleaned and REPORT_HEADER not in cleaned
    assert "Periksa NIK di KTP." not in json.dumps(cleaned)
    # a renamed tab is reported where the editor types, naming the tab
    told = report_section(report_tab(fake_google, renamed), "Kesalahan")
    assert told[0] == REPORT_HEADER and told[1][0] == "peserta" and "peserta" in told[1][5]
    # one read of the sheet, one of its report and ids, one batchUpdate: no other write
    assert [c.path for c in google_calls(fake_google) if key_of(wrong) in c.path and c.method != "GET"] == [
        f"/v4/spreadsheets/{key_of(wrong)}:batchUpdate"]
    # the unmodified sheet was skipped: nothing read, nothing written
    assert proyek.report(untouched)["dilewati"] is True
    assert [c for c in google_calls(fake_google) if key_of(untouched) in c.path] == []
    assert report_tab(fake_google, untouched) is None
    assert fake_google.spreadsheets[key_of(untouched)].modified == untouched_modified
    assert all(proyek.report(kode)["gagal_tulis_balik"] == "" for kode in kodes)

    # Writing bumps a sheet's modifiedTime: the next pull reads the written
    # sheets once more, finds their reports unchanged and writes nothing; the
    # pull after that skips the good ones. (The renamed one is read every day
    # until it is fixed: its snapshot is older than the sheet.)
    fake_google.log.clear()
    proyek.pull(fake_google, write_back=True, now=NOW + dt.timedelta(days=1))
    assert len(batch_gets(fake_google, key_of(wrong))) == len(batch_gets(fake_google, key_of(clean))) == 1
    assert [c for c in google_calls(fake_google) if c.method in ("PUT", "POST")] == []
    fake_google.log.clear()
    third = proyek.pull(fake_google, write_back=True, now=NOW + dt.timedelta(days=2))
    assert [c for c in google_calls(fake_google) if not c.path.startswith(f"/v4/spreadsheets/{key_of(renamed)}")] \
        == fake_google.calls("GET", r"^/drive/v3/files$")
    assert [third.reports[k].skipped for k in kodes] == [True, True, True, False]


def test_write_back_without_edit_rights_is_recorded_and_the_data_is_still_pulled(proyek, fake_google, monkeypatch):
    proyek.sources({NGALIYAN: key_of(NGALIYAN)})
    fake_google.add_spreadsheet(key_of(NGALIYAN), sheet(with_errors(NGALIYAN)))
    shared_as_viewer(fake_google, key_of(NGALIYAN), monkeypatch)

    result = proyek.pull(fake_google, write_back=True)

    report = proyek.report(NGALIYAN)
    assert result.reports[NGALIYAN].ok and report["hasil"] == "ok"
    assert proyek.meta(NGALIYAN)["baris"]["peserta"] == 3
    assert EMAIL in report["gagal_tulis_balik"] and "Editor" in report["gagal_tulis_balik"]


def test_pull_write_back_prints_when_a_report_could_not_be_written_into_the_sheet(proyek, fake_google, monkeypatch):
    proyek.sources({NGALIYAN: key_of(NGALIYAN)})
    fake_google.add_spreadsheet(key_of(NGALIYAN), sheet(with_errors(NGALIYAN)))
    shared_as_viewer(fake_google, key_of(NGALIYAN), monkeypatch)

    result = proyek.cli("pull", "--write-back", env=fake_google.environ())

    assert proyek.report(NGALIYAN)["gagal_tulis_balik"]  # it is known...
    assert "Laporan tidak bisa ditulis ke sheet" in result.output  # ...and said


# --- 7. Templates ---------------------------------------------------------------------

ENUM_COLUMNS = {("peserta", "Segmen"), ("peserta", "Pekerjaan"), ("peserta", "Program"), ("peserta", "Sumber Dana"), ("donatur", "Jenis"),
                ("donatur", "Tampilkan Nama"), ("donatur", "Periode Bayar"), ("santunan", "Program")}


@pytest.mark.parametrize("where", ["drive akun layanan", "shared drive"])
def test_template_google_creates_a_ready_sheet_with_ngaliyans_kelurahan_shared_with_the_editor(
        proyek, fake_google, where):
    proyek.sources({})
    env = fake_google.environ()
    if where == "shared drive":
        fake_google.refuse_create = True  # as Google does now for a service account's own Drive
        env["LINDUNG_GOOGLE_FOLDER_ID"] = "0AFolderKecamatanSemarang"

    result = proyek.cli("template", "--google", "--kecamatan", NGALIYAN, "--share", "editor@example.org", env=env)

    assert result.exit_code == 0, result.output
    (ss,) = fake_google.spreadsheets.values()
    assert ss.title.startswith(f"Lindung {NGALIYAN}") and "Ngaliyan" in ss.title
    assert f"https://docs.google.com/spreadsheets/d/{ss.key}/edit" in result.output
    assert f"{NGALIYAN},Ngaliyan,Kota Semarang,https://docs.google.com/spreadsheets/d/{ss.key}" in result.output
    if where == "shared drive":
        assert ss.parents == ["0AFolderKecamatanSemarang"]
    assert [t.title for t in ss.tabs] == ["Petunjuk", "peserta", "donatur", "wilayah", "santunan"]
    for tab in TABS:
        assert ss.values(tab)[0] == TITLES[tab]
    assert ss.values("wilayah")[1:] == [[k] for k in kelurahan(NGALIYAN)]
    assert len(ss.values("wilayah")) == 11 and ["Wonosari"] in ss.values("wilayah")
    assert any(row and row[0] == "peserta" and row[1] == "NIK" for row in ss.values("Petunjuk"))
    ids = {t.sheet_id: t.title for t in ss.tabs}
    dropdowns = {(ids[r["setDataValidation"]["range"]["sheetId"]],
                  TITLES[ids[r["setDataValidation"]["range"]["sheetId"]]][r["setDataValidation"]["range"]["startColumnIndex"]])
                 for r in ss.batch_requests if "setDataValidation" in r}
    assert dropdowns == ENUM_COLUMNS | {("peserta", "Kelurahan"), ("santunan", "Kelurahan")}
    # Kelurahan: the dropdown lists what the wilayah tab lists (its first column, below the header)
    (kelurahan_rule,) = [v["rule"] for v in ss.tab("peserta").validations
                         if TITLES["peserta"][v["range"]["startColumnIndex"]] == "Kelurahan"]
    assert kelurahan_rule["condition"] == {"type": "ONE_OF_RANGE",
                                           "values": [{"userEnteredValue": "='wilayah'!$A$2:$A$5000"}]}
    assert TITLES["wilayah"][0] == "Kelurahan"
    (share,) = ss.permissions
    assert (share["type"], share["role"], share["emailAddress"]) == ("user", "writer", "editor@example.org")


def test_template_google_without_a_shared_drive_says_how_to_set_one(proyek, fake_google):
    proyek.sources({})
    fake_google.refuse_create = True

    result = proyek.cli("template", "--google", "--kecamatan", NGALIYAN, env=fake_google.environ())

    assert result.exit_code == 1
    assert "LINDUNG_GOOGLE_FOLDER_ID" in result.stderr and "Shared Drive" in result.stderr
    assert EMAIL in result.stderr


def test_template_xlsx_writes_the_tabs_with_dropdowns_and_the_kelurahan(proyek):
    proyek.sources({})
    out = proyek.root / "ngaliyan.xlsx"

    result = proyek.cli("template", str(out), "--kecamatan", NGALIYAN)

    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    assert book.sheetnames == ["peserta", "donatur", "wilayah", "santunan", "Petunjuk"]
    for tab in TABS:
        assert [c.value for c in book[tab][1]][:len(TITLES[tab])] == TITLES[tab]
    wilayah = [row[0] for row in book["wilayah"].iter_rows(min_row=2, values_only=True) if row[0]]
    assert wilayah == kelurahan(NGALIYAN)
    lists = set()
    for tab in TABS:
        for validation in book[tab].data_validations.dataValidation:
            for ref in str(validation.sqref).split():
                column = re.match(r"[A-Z]+", ref).group(0)
                lists.add((tab, book[tab][f"{column}1"].value))
    assert lists == ENUM_COLUMNS | {("peserta", "Kelurahan"), ("santunan", "Kelurahan")}
    # and it is a workbook `lindung pull` accepts as it is
    proyek.sources({NGALIYAN: str(out)})
    assert proyek.pull(None, environ={}).reports[NGALIYAN].ok


# --- 8. Credentials never leak --------------------------------------------------------

def secrets_of(info: dict[str, Any], *encoded: str) -> list[str]:
    pem = info["private_key"]
    body = [line for line in pem.splitlines() if line and "PRIVATE KEY" not in line]
    return [*body, "".join(body), json.dumps(pem)[1:-1], *encoded]


def texts_under(folder: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in sorted(folder.rglob("*")) if p.is_file())


def test_the_private_key_appears_in_no_output_report_or_snapshot(proyek, fake_google, caplog, monkeypatch):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setattr(google_module, "connect", functools.partial(google_module.connect, timeout=TIMEOUT))
    ok, refused, broken = SEMARANG[:3]
    proyek.sources({ok: key_of(ok), refused: key_of(refused), broken: key_of(broken),
                    MAGELANG_UTARA: proyek.local(MAGELANG_UTARA, data(MAGELANG_UTARA))})
    for kode in (ok, refused, broken):
        fake_google.add_spreadsheet(key_of(kode), sheet(with_errors(kode)))
    fake_google.fail(key_of(refused), "403")
    fake_google.fail(key_of(broken), "500")
    info = service_account_info(token_uri=f"{fake_google.url}/token")
    as_json = json.dumps(info)
    as_base64 = base64.b64encode(as_json.encode()).decode()
    key_file = proyek.root / "kunci.json"
    key_file.write_text(as_json, encoding="utf-8")
    unreachable = json.dumps(service_account_info(token_uri="http://127.0.0.1:9/token"))
    env = fake_google.environ()
    outputs = []

    def run(*args: str, **overrides: str | None):
        result = proyek.cli(*args, env={**env, **overrides})
        outputs.extend([result.output, result.stderr, repr(result.exception)])
        return result

    def kinds() -> list[str]:
        return [proyek.report(kode)["jenis_alasan"] for kode in (ok, refused, broken)]

    assert run("pull", "--force", "--write-back").exit_code == 0
    assert kinds() == ["", "tidak_dibagikan", "server"]
    assert run("pull", "--force", LINDUNG_GOOGLE_CREDENTIALS=as_base64).exit_code == 0
    assert kinds() == ["", "tidak_dibagikan", "server"]
    assert run("pull", "--force", LINDUNG_GOOGLE_CREDENTIALS=None,
               GOOGLE_APPLICATION_CREDENTIALS=str(key_file)).exit_code == 0
    assert kinds() == ["", "tidak_dibagikan", "server"]
    run("pull", "--force", LINDUNG_GOOGLE_CREDENTIALS=unreachable)  # the token endpoint cannot be reached
    assert kinds() == ["jaringan"] * 3
    run("pull", "--force", LINDUNG_GOOGLE_CREDENTIALS=as_json[:-40])  # a secret pasted incompletely
    assert kinds() == ["kredensial"] * 3
    assert run("template", "--google", "--kecamatan", NGALIYAN, "--share", "editor@example.org").exit_code == 0
    fake_google.token_fault = "invalid_grant"  # the key was revoked
    run("pull", "--force")
    assert kinds() == ["kredensial"] * 3
    assert run("template", "--google", "--kecamatan", NGALIYAN).exit_code == 1

    everything = "\n".join([*outputs, caplog.text, texts_under(proyek.registry / "laporan"),
                            texts_under(proyek.registry / "snapshots")])
    assert EMAIL in everything  # the account's address is meant to be shown
    for secret in secrets_of(info, as_base64):
        assert secret not in everything
