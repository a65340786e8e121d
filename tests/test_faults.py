"""Fault injection: one source goes wrong in every way we could think of,
and the others never notice.

Sources are pulled the way an operator pulls them, `lindung pull` (click's
CliRunner, in process), usually many hostile ones in one pull next to healthy
ones, each with a last good snapshot from an earlier pull of good sheets.
Every case asserts the same things:

1. a source that fails keeps its last good snapshot byte for byte (a hostile
   cell is instead an error of its row: that row alone is left out);
2. its report says why, in Indonesian, and quotes no value;
3. the healthy sources are pulled and written as usual;
4. `lindung pull` exits as README documents (0: a failing sheet keeps its
   data and is reported; 1 with --strict);
5. no traceback: an exception escaping the command fails the test (the
   runner does not catch them), and none is printed.

What is hostile: cells (sections 1), files (2), Google's answers and the
network (3), an exception of any kind in any stage (4); 5 checks that
results are written as they arrive, 6 measures memory in a subprocess.
Limits are lowered where reaching the real one would only take time (a
deadline, Drive pages); the real limits run in section 6.
"""
from __future__ import annotations

import datetime as dt
import functools
import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pytest

from conftest import KODE, NOW, SECRET, Project, Rows, copy_project, official_wilayah
from fake_google import FakeGoogle, fake_google  # noqa: F401  (fixture)
from hostile import MIB, Repeated, SHEET_HEAD, SHEET_TAIL, patched, sheet, write_zip, xlsx
from lindung.contract import TABS
from lindung.pull import run
from lindung.pull import sources
from lindung.pull.sources import local

ROOT = Path(__file__).resolve().parents[1]
# Enough kecamatan of Jawa Tengah for one source per case, in a stable order.
KODES = sorted(official_wilayah().kecamatan)
HEALTHY = 2  # healthy sources in every many-source pull


def kelurahan(kode: str) -> list[str]:
    return [k.nama for k in official_wilayah().kecamatan[kode].kelurahan]


def good(rows: Rows, kode: str, workers: int = 2) -> dict[str, list[list[Any]]]:
    """A clean workbook's data rows for `kode`."""
    first = kelurahan(kode)[0]
    return {"peserta": [rows.peserta(kelurahan=first) for _ in range(workers)], "donatur": [rows.donatur()],
            "wilayah": [rows.wilayah(kelurahan=first)], "santunan": []}


TIMEOUT = 1  # LINDUNG_GOOGLE_TIMEOUT in these tests: the fake drips one byte each 0.5 s


def key_of(kode: str) -> str:
    return f"1Lindung{kode.replace('.', '')}".ljust(44, "Q")


def google_tabs(rows: Rows, data: dict[str, list[list[Any]]]) -> dict[str, list[list[Any]]]:
    return {tab: [rows.titles(tab), *data.get(tab, [])] for tab in TABS}


def snapshot(project: Project, kode: str) -> dict[str, bytes]:
    folder = project.snapshot_dir(kode)
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.exists() else {}


def report_text(project: Project, kode: str) -> str:
    return (project.registry / "laporan" / f"{kode}.json").read_text(encoding="utf-8")


def report(project: Project, kode: str) -> dict[str, Any]:
    return json.loads(report_text(project, kode))


def pull(project: Project, *args: str, env: dict[str, str] | None = None, code: int = 0):
    """`lindung pull ARGS`: exits with `code`, and prints no traceback (one
    that escapes fails the test on its own: the runner does not catch it)."""
    result = project.cli("pull", *args, env={"LINDUNG_SECRET": SECRET, **(env or {})})
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output and "Error" not in result.output, result.output
    return result


@dataclass
class Pulled:
    """Many sources pulled once from good sheets, then again after some
    turned hostile."""

    project: Project
    cases: dict[str, str]  # case -> kode
    before: dict[str, dict[str, bytes]]  # kode -> snapshot files after the good pull
    output: str
    seconds: float

    def healthy(self) -> list[str]:
        return [k for k in self.before if k not in self.cases.values()]


def many(tmp_path_factory, schemas, name: str, cases: dict[str, Callable[[Path, Rows, str], Any]],
         env: dict[str, str] | None = None) -> Pulled:
    """A project with one kecamatan per case and HEALTHY more, pulled once
    from good workbooks; then each case's `make(path, rows, kode)` turns its
    workbook hostile and `lindung pull` runs once over all of them."""
    rows = Rows(schemas)
    project = Project(copy_project(tmp_path_factory.mktemp(name)), rows)
    kodes = dict(zip(cases, KODES))
    (project.root / "sheets").mkdir()
    for kode in KODES[:len(cases) + HEALTHY]:  # written by hand: a tenth of openpyxl's time
        xlsx(project.root / "sheets" / f"{kode}.xlsx", contract_tabs(rows, kode))
        project.add(kode, sumber=f"sheets/{kode}.xlsx")
    assert all(r.ok and not r.errors for r in project.pull(now=NOW - dt.timedelta(days=1)).reports.values())
    before = {kode: snapshot(project, kode) for kode in KODES[:len(cases) + HEALTHY]}
    for case, make in cases.items():
        make(project.root / "sheets" / f"{kodes[case]}.xlsx", rows, kodes[case])
    started = time.monotonic()
    result = pull(project, env=env)
    return Pulled(project, kodes, before, result.output, time.monotonic() - started)


def assert_kept(pulled: Pulled, case: str, kind: str, words: tuple[str, ...], assert_indonesian) -> None:
    """The source of `case` failed alone, kept its snapshot, and says why."""
    project, kode = pulled.project, pulled.cases[case]
    said = report(project, kode)
    assert (said["hasil"], said["jenis_alasan"]) != ("ok", ""), said
    assert said["jenis_alasan"] == kind, said
    assert snapshot(project, kode) == pulled.before[kode], "the last good snapshot changed"
    for word in words:
        assert word in said["alasan"], (word, said["alasan"])
    assert_indonesian(said["alasan"])
    assert said["alasan"] in pulled.output  # the operator reads the same sentence
    assert_healthy(pulled)


def assert_healthy(pulled: Pulled) -> None:
    for kode in pulled.healthy():
        said = report(pulled.project, kode)
        assert said["hasil"] == "ok" and not said["kesalahan"], said
        now = snapshot(pulled.project, kode)
        assert now != pulled.before[kode], "a healthy source was not written again"
        assert json.loads(now["meta.json"])["baris"]["peserta"] == 2


# --- 1. hostile cells: an error of their row, never of the kecamatan ---------

NAN, INF, NEG_INF = 1717.25, 2727.25, 3737.25  # placeholders openpyxl can write, patched afterwards
AS_XML = {NAN: "NaN", INF: "inf", NEG_INF: "-inf"}
AS_JSON = {NAN: float("nan"), INF: float("inf"), NEG_INF: float("-inf")}

# case -> (tab, column, the hostile value, the error code its row gets)
CELLS: dict[str, tuple[str, str, Any, str]] = {
    "iuran-5000-angka": ("peserta", "iuran_bulanan", "7" * 5000, "terlalu-panjang"),
    "iuran-1000-angka": ("peserta", "iuran_bulanan", "7" * 1000, "angka-terlalu-besar"),
    "iuran-17-angka": ("peserta", "iuran_bulanan", "12345678901234567", "angka-terlalu-besar"),
    "iuran-19-angka-bertitik": ("peserta", "iuran_bulanan", "1.000.000.000.000.000.000", "angka-terlalu-besar"),
    "iuran-21-angka-desimal": ("peserta", "iuran_bulanan", "1,00000000000000000001", "angka-terlalu-besar"),
    "iuran-nan": ("peserta", "iuran_bulanan", NAN, "angka"),
    "iuran-inf": ("peserta", "iuran_bulanan", INF, "angka"),
    "iuran-minus-inf": ("peserta", "iuran_bulanan", NEG_INF, "angka"),
    "iuran-1e300": ("peserta", "iuran_bulanan", 1e300, "angka-terlalu-besar"),
    "iuran-1e16": ("peserta", "iuran_bulanan", 1e16, "angka-terlalu-besar"),
    "iuran-1e15-16-angka-seperti-nik": ("peserta", "iuran_bulanan", 1e15, "data-pribadi"),
    "iuran-true": ("peserta", "iuran_bulanan", True, "angka"),
    "mulai-nan": ("peserta", "mulai", NAN, "tanggal"),
    "mulai-inf": ("peserta", "mulai", INF, None),  # a number, or a cell the reader cannot convert
    "mulai-minus-inf": ("peserta", "mulai", NEG_INF, None),
    "mulai-1e300": ("peserta", "mulai", 1e300, None),
    "mulai-serial-1e12": ("peserta", "mulai", 1e12, None),
    "mulai-5000-karakter": ("peserta", "mulai", "1" * 5000, "terlalu-panjang"),
    "nama-100000-karakter": ("peserta", "nama", "Rahasia " * 12_500, "terlalu-panjang"),
    "kelurahan-2000-karakter": ("peserta", "kelurahan", "Kelurahan " * 200, "terlalu-panjang"),
    "nik-nan": ("peserta", "nik", NAN, "nik-angka"),
    "nik-5000-angka": ("peserta", "nik", "3" * 5000, "terlalu-panjang"),
    "segmen-1001-karakter": ("peserta", "segmen", "x" * 1001, "terlalu-panjang"),
    "donatur-nama-50000-karakter": ("donatur", "nama", "Donatur " * 6_250, "terlalu-panjang"),
    "periode-bayar-nan": ("donatur", "periode_bayar", NAN, "angka"),
    "jumlah-rt-20-angka": ("wilayah", "jumlah_rt", "12345678901234567890", "angka-terlalu-besar"),
    "target-inf": ("wilayah", "target_pekerja_rentan", INF, "angka"),
    "jumlah-santunan-1e16": ("santunan", "jumlah", 1e16, "angka-terlalu-besar"),
    "tanggal-santunan-nan": ("santunan", "tanggal", NAN, "tanggal"),
}


def hostile_rows(rows: Rows, kode: str, placeholders: dict[float, Any]) -> tuple[dict[str, list], dict[str, int]]:
    """A workbook's rows with one row per case holding its hostile value
    (placeholders replaced by `placeholders`), and each case's sheet row."""
    tabs = good(rows, kode)
    spare = iter(kelurahan(kode)[1:])  # the wilayah tab names each kelurahan once
    where: dict[str, int] = {}
    for case, (tab, name, value, _) in CELLS.items():
        value = placeholders.get(value, value) if isinstance(value, float) else value
        if tab == "donatur":
            fixed = {"id": f"D{len(tabs['donatur']) + 100}"}
        elif tab == "wilayah":
            fixed = {"kelurahan": next(spare)}
        else:
            fixed = {"kelurahan": kelurahan(kode)[0]}
        tabs[tab].append(getattr(rows, tab)(**(fixed | {name: value})))
        where[case] = len(tabs[tab]) + 1  # the header is row 1
    return tabs, where


@dataclass
class CellPull:
    pulled: Pulled
    where: dict[str, int]  # case -> sheet row


@pytest.fixture(scope="module")
def cells_local(tmp_path_factory, schemas, wilayah_loaded_once) -> CellPull:
    where: dict[str, int] = {}

    def make(path: Path, rows: Rows, kode: str) -> None:
        tabs, found = hostile_rows(rows, kode, {})
        where.update(found)
        from lindung.pull.workbook import write_workbook

        write_workbook(path, tabs, schema_dir=ROOT / "registry" / "schema")
        patched(path, {repr(k): v for k, v in AS_XML.items()})

    pulled = many(tmp_path_factory, schemas, "sel-lokal", {"sel": make})
    return CellPull(pulled, where)


@pytest.fixture(scope="module")
def cells_google(tmp_path_factory, schemas, wilayah_loaded_once) -> CellPull:
    """The same hostile rows in a Google Sheet (NaN and infinity arrive as
    JSON's NaN and Infinity, which Python's parser accepts)."""
    rows = Rows(schemas)
    project = Project(copy_project(tmp_path_factory.mktemp("sel-google")), rows)
    kode, neighbours = KODES[0], KODES[1:1 + HEALTHY]
    with FakeGoogle() as fake:
        key = key_of(kode)
        fake.add_spreadsheet(key, google_tabs(rows, good(rows, kode)))
        project.add(kode, sumber=key)
        for neighbour in neighbours:
            project.add(neighbour, **good(rows, neighbour))
        env = fake.environ()
        first = run.pull(project.config(), now=NOW - dt.timedelta(days=1), environ={**env, "LINDUNG_SECRET": SECRET})
        assert all(r.ok and not r.errors for r in first.reports.values())
        before = {k: snapshot(project, k) for k in (kode, *neighbours)}
        tabs, where = hostile_rows(rows, kode, AS_JSON)
        fake.add_spreadsheet(key, google_tabs(rows, tabs))
        started = time.monotonic()
        result = pull(project, env=env)
    return CellPull(Pulled(project, {"sel": kode}, before, result.output, time.monotonic() - started), where)


@pytest.mark.parametrize("source", ["lokal", "google"])
@pytest.mark.parametrize("case", CELLS)
def test_a_hostile_cell_is_an_error_of_its_row_alone(request, source, case, schemas, assert_indonesian):
    found: CellPull = request.getfixturevalue(f"cells_{'local' if source == 'lokal' else 'google'}")
    pulled, kode = found.pulled, found.pulled.cases["sel"]
    tab, name, value, code = CELLS[case]
    said = report(pulled.project, kode)
    assert said["hasil"] == "ok", said["alasan"]
    title = next(f["title"] for f in schemas[tab]["fields"] if f["name"] == name)
    mine = [e for e in said["kesalahan"] if e["tab"] == tab and e["baris"] == found.where[case]]
    assert len(mine) == 1, mine
    error = mine[0]
    assert error["jenis"] == "kesalahan"
    if code is None:  # the reader may hand the cell over, or not be able to convert its row
        assert (error["kode"], error["kolom"]) in (("tanggal", title), ("sel-rusak", None)), error
    else:
        assert (error["kode"], error["kolom"]) == (code, title), error
    assert_indonesian(error["masalah"] + " " + error["perbaikan"])
    # no value is quoted: not in the report, not in what the operator saw
    for text in (report_text(pulled.project, kode), pulled.output):
        assert not isinstance(value, str) or value[:12] not in text
        assert not re.search(r"(?i)\b(nan|inf|infinity|1e\+?\d+)\b", text)
    # the row is left out of the figures, the good rows are kept
    meta = json.loads(snapshot(pulled.project, kode)["meta.json"])
    assert meta["baris"]["peserta"] == 2
    assert meta["baris_bermasalah"][tab] >= 1
    assert_healthy(pulled)


def test_hostile_cells_take_seconds(cells_local, cells_google):
    assert cells_local.pulled.seconds < 15 and cells_google.pulled.seconds < 15


@pytest.mark.parametrize("bad", ["nik", "kelurahan"])  # a Frictionless error, and one of Lindung's checks
def test_past_the_listed_errors_checking_stops_and_nothing_is_kept(check, rows, monkeypatch, bad):
    from lindung.pull import validate

    monkeypatch.setattr(validate, "MAX_LISTED", 20)
    wrong = {"nik": "123", "kelurahan": "Entah"}[bad]
    result = check(peserta=[rows.peserta(**{bad: wrong}) for _ in range(200)], wilayah=[rows.wilayah()])
    assert result.too_many and result.tables == {}
    assert len(result.errors) == 20


def test_warnings_past_the_listed_ones_are_counted_in_one_line(check, rows, monkeypatch):
    from lindung.pull import validate

    monkeypatch.setattr(validate, "MAX_LISTED", 20)
    result = check(peserta=[rows.peserta(pekerjaan="tukang becak") for _ in range(50)], wilayah=[rows.wilayah()])
    assert not result.too_many and not result.structural and len(result.tables["peserta"]) == 50
    assert len(result.errors) == 21
    (summary,) = [e for e in result.errors if e.code == "peringatan-lain"]
    assert (summary.tab, summary.row, summary.code, summary.is_error) == ("peserta", None, "peringatan-lain", False)
    assert summary.problem.startswith("30 peringatan lain")


# --- 2. hostile files: the kecamatan fails alone, quickly, keeping its data --

def contract_tabs(rows: Rows, kode: str, **override: bytes | Repeated) -> dict[str, bytes | Repeated]:
    """Sheet XML of a good workbook's four tabs, any of them overridden."""
    data = good(rows, kode)
    return {tab: override.get(tab) or sheet([rows.titles(tab), *data[tab]]) for tab in TABS}


def with_tabs(**override: bytes | Repeated) -> Callable[[Path, Rows, str], Path]:
    return lambda path, rows, kode: xlsx(path, contract_tabs(rows, kode, **override))


def with_extra(title: str, part: bytes | Repeated, **more: Any) -> Callable[[Path, Rows, str], Path]:
    return lambda path, rows, kode: xlsx(path, {**contract_tabs(rows, kode), title: part}, **more)


def rows_xml(count: int, *, start: int = 2, cell: str = "A") -> bytes:
    return "".join(f'<row r="{r}"><c r="{cell}{r}"><v>1</v></c></row>' for r in range(start, start + count)).encode()


def lying(path: Path, rows: Rows, kode: str) -> None:
    """A zip whose directory says the peserta part is 300 bytes; it inflates to 3 MB."""
    xlsx(path, contract_tabs(rows, kode, peserta=SHEET_HEAD + rows_xml(100_000) + SHEET_TAIL))
    data = bytearray(path.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    for at in (m.start() for m in re.finditer(re.escape(name), bytes(data))):
        header = at - (30 if data[at - 30:at - 26] == b"PK\x03\x04" else 46)
        size_at = header + (22 if data[header:header + 4] == b"PK\x03\x04" else 24)
        data[size_at:size_at + 4] = (300).to_bytes(4, "little")
    path.write_bytes(bytes(data))


def truncated(path: Path, rows: Rows, kode: str) -> None:
    xlsx(path, contract_tabs(rows, kode))
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def sparse(path: Path, rows: Rows, kode: str) -> None:
    """A file of 60 MB on paper, none of it on disk."""
    with open(path, "r+b") as handle:
        handle.truncate(60 * MIB)


def shared_strings(unit: bytes, count: int) -> Repeated:
    return Repeated(b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                    b"<si><t>", unit, count, b"</t></si></sst>")


def less_compressible(size: int = MIB, every: int = 60) -> bytes:
    """Text that deflates about 100 to 1: a letter picked at random every `every`."""
    import random

    picked = random.Random(1).choices(b"BCDEFGHIJKLMNOPQRSTUVWXYZ", k=size // every)
    return b"".join(b"A" * (every - 1) + bytes([c]) for c in picked)


BILLION_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">'
                  b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]><workbook xmlns="http://schemas.openxmlformats.org/'
                  b'spreadsheetml/2006/main"><sheets><sheet name="&lol3;" sheetId="1"/></sheets></workbook>')

# case -> (make the workbook, kind, words of the reason)
FILES: dict[str, tuple[Callable[[Path, Rows, str], Any], str, tuple[str, ...]]] = {
    "bukan-zip": (lambda p, r, k: p.write_bytes(b"kode,nama\n1,2\n"), "rusak", ("tidak bisa dibaca",)),
    "berkas-kosong": (lambda p, r, k: p.write_bytes(b""), "rusak", ("tidak bisa dibaca",)),
    "zip-terpotong": (truncated, "rusak", ("tidak bisa dibaca",)),
    "terenkripsi": (lambda p, r, k: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096)), "rusak",
                    ("terenkripsi",)),
    "tanpa-workbook-xml": (lambda p, r, k: write_zip(p, {"xl/worksheets/sheet1.xml": sheet([["NIK"]])}), "rusak",
                           ("tidak bisa dibaca",)),
    "entitas-berlipat": (lambda p, r, k: xlsx(p, contract_tabs(r, k), workbook=BILLION_LAUGHS), "rusak",
                         ("tidak bisa dibaca",)),
    "xml-tab-rusak": (with_tabs(peserta=SHEET_HEAD + b'<row r="2"><c r="A2"><v>1</v></c>'), "rusak",
                      ("tidak bisa dibaca",)),
    "bagian-tab-hilang": (lambda p, r, k: xlsx(p, contract_tabs(r, k), extra={}) and _drop(p, "sheet2.xml"), "rusak",
                          ("tidak bisa dibaca",)),
    "ukuran-dibohongi": (lying, "rusak", ("tidak bisa dibaca",)),
    "teks-400-mb-dalam-0.5-mb": (lambda p, r, k: xlsx(p, contract_tabs(r, k), shared=shared_strings(b"A" * MIB, 400)),
                                 "terlalu_besar", ("mengembang lebih dari 200 kali",)),
    "daftar-teks-di-atas-batas": (lambda p, r, k: xlsx(p, contract_tabs(r, k),
                                                       shared=shared_strings(less_compressible(), 70)),
                                  "terlalu_besar", ("daftar teksnya", "64 MB")),
    "tab-peserta-di-atas-batas": (with_tabs(peserta=Repeated(SHEET_HEAD, less_compressible(), 130, SHEET_TAIL)),
                                  "terlalu_besar", ("tab peserta", "128 MB")),
    "tab-tambahan-30-juta-baris": (with_extra("Arsip 2024", Repeated(
        SHEET_HEAD, b"".join(f'<row><c><v>{n % 97}</v></c></row>'.encode() for n in range(40_000)), 750, SHEET_TAIL)),
        "terlalu_besar", ("256 MB",)),
    "bom-zip-di-bagian-lain": (lambda p, r, k: xlsx(p, contract_tabs(r, k),
                                                    extra={"xl/media/gambar.bin": Repeated(b"", bytes(MIB), 200, b"")}),
                               "terlalu_besar", ("mengembang",)),
    "berkas-60-mb": (sparse, "terlalu_besar", ("50 MB",)),
    "sel-di-XFD1048576": (with_tabs(peserta=sheet([["NIK"]]).replace(
        SHEET_TAIL, b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>' + SHEET_TAIL)),
        "terlalu_besar", ("1024 MB",)),
    "baris-ke-4-miliar": (with_tabs(peserta=sheet([["NIK"]]).replace(
        SHEET_TAIL, b'<row r="4000000000"><c r="A4000000000"><v>1</v></c></row>' + SHEET_TAIL)),
        "terlalu_besar", ("1024 MB",)),
    "lebih-dari-100.000-baris": (with_tabs(peserta=SHEET_HEAD + rows_xml(100_001) + SHEET_TAIL), "terlalu_besar",
                                 ("100.000 baris",)),
    "kolom-ke-65": (with_tabs(peserta=sheet([["NIK"], [None] * 64 + ["catatan"]])), "terlalu_besar",
                    ("64 kolom",)),
    "lebih-dari-5.000-kesalahan": (lambda p, r, k: xlsx(p, contract_tabs(r, k, peserta=sheet(
        [r.titles("peserta"), *(r.peserta(iuran_bulanan="x", kelurahan=kelurahan(k)[0]) for _ in range(5_100))]))),
        "kesalahan_banyak", ("5.000 kesalahan",)),
}


def _drop(path: Path, part: str) -> None:
    """The workbook without one of its parts (its relationships still name it)."""
    import zipfile

    with zipfile.ZipFile(path) as source:
        parts = {i.filename: source.read(i) for i in source.infolist() if not i.filename.endswith(part)}
    write_zip(path, parts)


def test_a_workbook_part_with_a_dtd_is_refused_before_any_entity_is_expanded(tmp_path, rows):
    from lindung.pull.sources import SourceError, zipcheck

    entity = (b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY p "peserta">]><workbook xmlns="http://schemas.'
              b'openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
              b'officeDocument/2006/relationships"><sheets><sheet name="&p;" sheetId="1" r:id="rId1"/></sheets>'
              b'</workbook>')
    path = xlsx(tmp_path / "dtd.xlsx", contract_tabs(rows, KODE), workbook=entity)
    with pytest.raises(SourceError) as refused:
        zipcheck.contract_sheets(path, TABS)
    assert refused.value.kind == "rusak"


# Hostile only on the surface: the kecamatan is pulled as usual.
HARMLESS: dict[str, Callable[[Path, Rows, str], Any]] = {
    # only the contract's tabs are read: broken or huge other tabs are never opened
    "tab-lain-rusak": with_extra("Catatan", SHEET_HEAD + b"<row><c"),
    "laporan-dan-petunjuk-rusak": lambda p, r, k: xlsx(p, {**contract_tabs(r, k), "Laporan Validasi": b"<x",
                                                         "Petunjuk": SHEET_HEAD + b'<row r="9999999999">'}),
    "tab-lain-100-mb": with_extra("Arsip", Repeated(SHEET_HEAD, less_compressible(), 100, SHEET_TAIL)),
    # tab names matched like headers: the first "peserta" wins
    "nama-tab-seperti-judul": lambda p, r, k: xlsx(p, {(" PESERTA " if t == "peserta" else t): x
                                                       for t, x in contract_tabs(r, k).items()}
                                                   | {"peserta": b"<bukan xml"}),
    # a value in the last column read (100,000 rows: section 6, where it is measured)
    "tepat-64-kolom": lambda p, r, k: xlsx(p, contract_tabs(r, k, peserta=sheet(
        [r.titles("peserta"), *([*row, *[None] * (63 - len(row)), "catatan"] for row in good(r, k)["peserta"])]))),
    "isi-mulai-di-C3": lambda p, r, k: xlsx(p, contract_tabs(r, k, peserta=sheet(
        [[None, None, *r.titles("peserta")], *([None, None, *row] for row in good(r, k)["peserta"])], start=3))),
}


@pytest.fixture(scope="module")
def files(tmp_path_factory, schemas, wilayah_loaded_once) -> Pulled:
    cases = {case: make for case, (make, *_) in FILES.items()} | HARMLESS
    return many(tmp_path_factory, schemas, "berkas", cases)


@pytest.mark.parametrize("case", FILES)
def test_a_hostile_file_fails_its_kecamatan_alone_and_keeps_its_data(files, case, assert_indonesian):
    _, kind, words = FILES[case]
    assert_kept(files, case, kind, words, assert_indonesian)


@pytest.mark.parametrize("case", HARMLESS)
def test_a_file_hostile_only_where_lindung_does_not_read_is_pulled_as_usual(files, case):
    said = report(files.project, files.cases[case])
    assert said["hasil"] == "ok", said["alasan"]
    meta = json.loads(snapshot(files.project, files.cases[case])["meta.json"])
    assert meta["baris"]["peserta"] == 2
    if case == "isi-mulai-di-C3":  # sheet rows as the editor sees them
        assert not said["kesalahan"]
    assert_healthy(files)


def test_every_hostile_file_is_refused_within_seconds(files):
    # one pull over all of them, the largest claiming 750 MB and 512 GiB of cells
    # (on a busy 2-core machine; alone it takes a quarter of this)
    assert files.seconds < 30, files.seconds


def test_with_strict_a_failed_source_makes_the_pull_exit_1_and_the_others_are_still_written(project, rows):
    bad, fine = KODES[:2]
    for kode in (bad, fine):
        project.add(kode, **good(rows, kode))
    project.pull(now=NOW - dt.timedelta(days=1))
    before = snapshot(project, bad)
    (project.root / "sheets" / f"{bad}.xlsx").write_bytes(b"bukan workbook")
    pull(project, "--strict", code=1)
    assert snapshot(project, bad) == before and report(project, bad)["jenis_alasan"] == "rusak"
    assert report(project, fine)["hasil"] == "ok"


def test_a_file_that_cannot_be_opened_fails_alone(project, rows, assert_indonesian):
    bad, fine = KODES[:2]
    for kode in (bad, fine):
        project.add(kode, **good(rows, kode))
    project.pull(now=NOW - dt.timedelta(days=1))
    before = snapshot(project, bad)
    path = project.root / "sheets" / f"{bad}.xlsx"
    path.unlink()
    path.mkdir()  # a folder where the workbook was: open() fails
    pull(project)
    said = report(project, bad)
    assert said["jenis_alasan"] == "akses" and snapshot(project, bad) == before, said
    assert_indonesian(said["alasan"])
    assert report(project, fine)["hasil"] == "ok"


def test_the_reader_is_held_to_its_memory_limit(project, rows, monkeypatch, assert_indonesian):
    """A cell at XFD2000 makes the reader allocate its whole rectangle,
    about 1 GB: past a reader limit lowered to 256 MB, it fails at once
    (without the limit it would use that gigabyte)."""
    bad, fine = KODES[:2]
    for kode in (bad, fine):
        project.add(kode, **good(rows, kode))
    project.pull(now=NOW - dt.timedelta(days=1))
    before = snapshot(project, bad)
    monkeypatch.setattr(local, "MAX_READER_MEMORY", 256 * MIB)
    with_tabs(peserta=sheet([["NIK"]]).replace(SHEET_TAIL, b'<row r="2000"><c r="XFD2000"><v>1</v></c></row>'
                                                + SHEET_TAIL))(project.root / "sheets" / f"{bad}.xlsx", rows, bad)
    started = time.monotonic()
    pull(project)
    assert time.monotonic() - started < 10
    said = report(project, bad)
    assert said["jenis_alasan"] == "terlalu_besar" and snapshot(project, bad) == before, said
    assert "256 MB" in said["alasan"]
    assert_indonesian(said["alasan"])
    assert report(project, fine)["hasil"] == "ok"


def reader_that(behaves: str) -> Callable:
    def read_tabs(path, titles, tabs):
        if behaves == "hangs":
            time.sleep(60)
        os.abort()  # what calamine does when it cannot allocate
    return read_tabs


@pytest.mark.parametrize("behaves, words", [("hangs", ("1 detik",)), ("aborts", ("1024 MB",))])
def test_a_reader_that_hangs_or_aborts_fails_its_file_alone(project, rows, monkeypatch, behaves, words,
                                                            assert_indonesian):
    bad, fine = KODES[:2]
    for kode in (bad, fine):
        project.add(kode, **good(rows, kode))
    project.pull(now=NOW - dt.timedelta(days=1))
    before = snapshot(project, bad)
    original = local._read_tabs
    monkeypatch.setattr(local, "MAX_READ_SECONDS", 1)
    monkeypatch.setattr(local, "_read_tabs", lambda path, *a: (reader_that(behaves) if bad in path else original)(
        path, *a))
    started = time.monotonic()
    result = pull(project)
    assert time.monotonic() - started < 10
    said = report(project, bad)
    assert said["jenis_alasan"] == "terlalu_besar" and snapshot(project, bad) == before
    assert all(word in said["alasan"] for word in words), said["alasan"]
    assert_indonesian(said["alasan"])
    assert report(project, fine)["hasil"] == "ok" and "Fatal" not in result.output


# --- 3. Google: its answers and the network between ---------------------------

# case -> (fault, kind, words of the reason); a fault is one of fake_google.FAULTS or
# a function that changes the sheet's content
SHEET_FAULTS: dict[str, tuple[Any, str, tuple[str, ...]]] = {
    "badan-menetes": ("drip", "jaringan", (f"{TIMEOUT} detik",)),
    "judul-menetes": ("drip_headers", "jaringan", (f"{TIMEOUT} detik",)),
    "diam-saja": ("hang", "jaringan", (f"{TIMEOUT} detik",)),
    "koneksi-diputus-di-tengah": ("reset", "jaringan", ("Tidak bisa terhubung",)),
    "jawaban-tanpa-akhir": ("endless", "terlalu_besar", ("32 MB",)),
    "bom-gzip": ("gzip_bomb", "terlalu_besar", ("32 MB",)),
    "json-rusak": ("malformed", "rusak", ("JSON rusak",)),
    "json-bersarang-100000": ("nested", "rusak", ("tidak berbentuk",)),
    "json-bentuk-lain": ("shape", "rusak", ("tidak berbentuk",)),
    "status-tak-dikenal": ("teapot", "ditolak", ("kode 418",)),
    # the row limit lowered to 1,000 here: the fake takes longer than the deadline to send 100,000 rows
    "lebih-dari-1.000-baris": (lambda tabs: tabs["peserta"].extend([["1"]] * 1_001), "terlalu_besar",
                               ("1.000 baris",)),
    "lebih-dari-64-kolom": (lambda tabs: tabs["peserta"].append([None] * 64 + ["catatan"]), "terlalu_besar",
                            ("64 kolom",)),
}


@pytest.fixture(scope="module")
def google_faults(tmp_path_factory, schemas, wilayah_loaded_once):
    rows = Rows(schemas)
    project = Project(copy_project(tmp_path_factory.mktemp("google")), rows)
    kodes = dict(zip(SHEET_FAULTS, KODES))
    google = KODES[len(kodes)]  # a healthy Google sheet
    local_ = KODES[len(kodes) + 1:len(kodes) + 1 + HEALTHY]
    with FakeGoogle() as fake, pytest.MonkeyPatch.context() as patch:
        patch.setattr(sources, "MAX_DATA_ROWS", 1_000)
        env = fake.environ(LINDUNG_GOOGLE_TIMEOUT=str(TIMEOUT))
        for kode in (*kodes.values(), google):
            fake.add_spreadsheet(key_of(kode), google_tabs(rows, good(rows, kode)))
            project.add(kode, sumber=key_of(kode))
        for kode in local_:
            project.add(kode, **good(rows, kode))
        first = run.pull(project.config(), now=NOW - dt.timedelta(days=1), environ={**env, "LINDUNG_SECRET": SECRET})
        assert all(r.ok and not r.errors for r in first.reports.values())
        before = {kode: snapshot(project, kode) for kode in (*kodes.values(), google, *local_)}
        for case, (fault, *_) in SHEET_FAULTS.items():
            tabs = google_tabs(rows, good(rows, kodes[case], workers=3))
            if callable(fault):
                fault(tabs)
            fake.add_spreadsheet(key_of(kodes[case]), tabs)  # edited since: it will be read
            if not callable(fault):
                fake.fail(key_of(kodes[case]), fault)
        fake.add_spreadsheet(key_of(google), google_tabs(rows, good(rows, google)))
        started = time.monotonic()
        result = pull(project, env=env)
        seconds = time.monotonic() - started
    return Pulled(project, kodes, before, result.output, seconds)


@pytest.mark.parametrize("case", SHEET_FAULTS)
def test_a_google_fault_fails_that_sheet_alone_and_keeps_its_data(google_faults, case, assert_indonesian):
    _, kind, words = SHEET_FAULTS[case]
    assert_kept(google_faults, case, kind, words, assert_indonesian)
    said = report_text(google_faults.project, google_faults.cases[case])
    assert "Dr. Lindung" not in said and "teapot" not in said  # Google's own words are never passed on


def test_every_google_fault_ends_within_the_deadline(google_faults):
    # four readers, three faults that each take the whole deadline, the rest at once
    # (a hang would be 500 s: the drip has 1,000 bytes to send; the margin is for a busy machine)
    assert google_faults.seconds < 3 * TIMEOUT + 12, google_faults.seconds


def drive_pull(tmp_path, schemas, fault: str, env: dict[str, str] | None = None, target: str = "drive"):
    """Two Google sheets and a local workbook, pulled once; then Drive's
    listing (or the token endpoint) goes wrong."""
    rows = Rows(schemas)
    project = Project(copy_project(tmp_path / "proyek"), rows)
    sheets, local_ = KODES[:2], KODES[2]
    with FakeGoogle() as fake:
        environ = fake.environ(LINDUNG_GOOGLE_TIMEOUT=str(TIMEOUT), **(env or {}))
        for kode in sheets:
            fake.add_spreadsheet(key_of(kode), google_tabs(rows, good(rows, kode)))
            project.add(kode, sumber=key_of(kode))
        project.add(local_, **good(rows, local_))
        run.pull(project.config(), now=NOW - dt.timedelta(days=1), environ={**environ, "LINDUNG_SECRET": SECRET})
        before = {kode: snapshot(project, kode) for kode in (*sheets, local_)}
        fake.fail(target, fault)
        started = time.monotonic()
        result = pull(project, env=environ)
        seconds = time.monotonic() - started
    return Pulled(project, {kode: kode for kode in sheets}, before, result.output, seconds)


@pytest.mark.parametrize("fault, target, kind, words", [
    ("endless_pages", "drive", "terlalu_besar", ("lebih dari 5 halaman",)),
    ("same_page", "drive", "rusak", ("berulang",)),
    ("drip", "drive", "jaringan", (f"{TIMEOUT} detik",)),
    ("drip", "token", "jaringan", (f"{TIMEOUT} detik",)),
    ("drip_headers", "token", "jaringan", (f"{TIMEOUT} detik",)),
    ("reset", "token", "jaringan", ("Tidak bisa terhubung",)),
    ("gzip_bomb", "token", "terlalu_besar", ("32 MB",)),
], ids=lambda v: v if isinstance(v, str) else "")
def test_a_drive_listing_or_login_that_goes_wrong_fails_every_google_sheet_and_no_local_one(
        tmp_path, schemas, wilayah_loaded_once, monkeypatch, fault, target, kind, words, assert_indonesian):
    from lindung.pull.sources import google as google_module

    monkeypatch.setattr(google_module, "MAX_DRIVE_PAGES", 5)  # 100 pages would only take longer
    pulled = drive_pull(tmp_path, schemas, fault, target=target)
    for kode in pulled.cases:
        assert_kept(pulled, kode, kind, words, assert_indonesian)
    assert pulled.seconds < 2 * TIMEOUT + 8, pulled.seconds  # the deadline, and room for a busy machine


# --- 4. any exception, in any stage, is that source's failure alone -------------

class PanicException(BaseException):
    """What pyo3 raises when Rust code panics: not an Exception."""


LEAKY = "Nama Rahasia 3374012345678901"  # what an exception's text may carry: a cell value
EXCEPTIONS: dict[str, tuple[Callable[[], BaseException], str]] = {
    "ValueError": (lambda: ValueError(f"invalid literal: {LEAKY!r}"), "galat"),
    "KeyError": (lambda: KeyError(LEAKY), "galat"),
    "RecursionError": (lambda: RecursionError("maximum recursion depth exceeded"), "galat"),
    "UnicodeDecodeError": (lambda: UnicodeDecodeError("utf-8", LEAKY.encode(), 0, 1, "invalid start byte"), "galat"),
    "OSError": (lambda: OSError(5, f"Input/output error: {LEAKY}"), "galat"),
    "PanicException": (lambda: PanicException(f"called `Result::unwrap()` on an `Err` value: {LEAKY}"), "galat"),
    "MemoryError": (lambda: MemoryError(), "terlalu_besar"),
}
STAGES = ("baca-berkas", "baca-google", "periksa", "minimalkan", "pemeriksa-privasi")


@pytest.fixture(scope="module")
def stages(tmp_path_factory, schemas, wilayah_loaded_once):
    """One pull where, for one kecamatan per (stage, exception), that stage
    raises that exception; two more kecamatan (a file and a sheet) are fine."""
    from lindung.pull.sources import google as google_module

    rows = Rows(schemas)
    project = Project(copy_project(tmp_path_factory.mktemp("tahap")), rows)
    combos = [(stage, name) for stage in STAGES for name in EXCEPTIONS]
    kodes = {combo: kode for combo, kode in zip(combos, KODES)}
    healthy = KODES[len(kodes):len(kodes) + 2]
    (project.root / "sheets").mkdir()
    with FakeGoogle() as fake, pytest.MonkeyPatch.context() as patch:
        env = fake.environ(LINDUNG_GOOGLE_TIMEOUT=str(TIMEOUT))
        for (stage, _), kode in [*kodes.items(), (("baca-google", None), healthy[1])]:
            if stage == "baca-google":
                fake.add_spreadsheet(key_of(kode), google_tabs(rows, good(rows, kode)))
                project.add(kode, sumber=key_of(kode))
        for (stage, _), kode in [*kodes.items(), (("baca-berkas", None), healthy[0])]:
            if stage != "baca-google":
                xlsx(project.root / "sheets" / f"{kode}.xlsx", contract_tabs(rows, kode))
                project.add(kode, sumber=f"sheets/{kode}.xlsx")
        run.pull(project.config(), now=NOW - dt.timedelta(days=1), environ={**env, "LINDUNG_SECRET": SECRET})
        before = {kode: snapshot(project, kode) for kode in (*kodes.values(), *healthy)}
        failing = {stage: {} for stage in STAGES}  # stage -> {kode or key: exception name}
        for (stage, name), kode in kodes.items():
            failing[stage][key_of(kode) if stage == "baca-google" else kode] = name

        def raising(stage: str, original: Callable, which: Callable[..., str]) -> Callable:
            @functools.wraps(original)
            def wrapper(*args, **kwargs):
                name = failing[stage].get(which(*args, **kwargs))
                if name:
                    raise EXCEPTIONS[name][0]()
                return original(*args, **kwargs)
            return wrapper

        patch.setattr(local, "read", raising("baca-berkas", local.read, lambda path, *a, **k: path.stem))
        patch.setattr(google_module.GoogleClient, "read", raising(
            "baca-google", google_module.GoogleClient.read, lambda self, key: key))
        patch.setattr(run, "validate_workbook", raising("periksa", run.validate_workbook, lambda raw, kode, *a: kode))
        patch.setattr(run, "minimise", raising("minimalkan", run.minimise, lambda kode, *a: kode))
        patch.setattr(run, "leaks", raising("pemeriksa-privasi", run.leaks, lambda snapshot: snapshot.kode))
        for kode in kodes.values():  # edited since: every sheet is read again
            if kode in [k for (s, _), k in kodes.items() if s == "baca-google"]:
                fake.add_spreadsheet(key_of(kode), google_tabs(rows, good(rows, kode, workers=3)))
        fake.add_spreadsheet(key_of(healthy[1]), google_tabs(rows, good(rows, healthy[1])))
        result = pull(project, env=env)
    return Pulled(project, {f"{s}/{n}": k for (s, n), k in kodes.items()}, before, result.output, 0.0)


@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize("name", EXCEPTIONS)
def test_an_exception_of_any_kind_in_any_stage_fails_that_source_alone(stages, stage, name, assert_indonesian):
    kind = EXCEPTIONS[name][1]
    assert_kept(stages, f"{stage}/{name}", kind, (), assert_indonesian)
    text = report_text(stages.project, stages.cases[f"{stage}/{name}"])
    for leaked in ("Rahasia", "3374012345678901", name, "Traceback", "unwrap", "literal"):
        assert leaked not in text and leaked not in stages.output


@pytest.mark.parametrize("stop", [KeyboardInterrupt, SystemExit])
def test_ctrl_c_and_exit_still_stop_the_pull(project, rows, monkeypatch, stop):
    project.add(KODE, **good(rows, KODE))
    monkeypatch.setattr(run, "validate_workbook", lambda *a, **k: (_ for _ in ()).throw(stop()))
    with pytest.raises(stop):
        project.pull()


def test_a_sheet_read_in_a_worker_thread_that_raises_anything_is_that_sheets_failure(fake_google, monkeypatch):
    from lindung.pull.sources import google as google_module

    keys = [key_of(k) for k in KODES[:3]]
    for key in keys:
        fake_google.add_spreadsheet(key, {"peserta": [["NIK"]]})
    original = google_module.GoogleClient.read

    def read(self, key):
        if key == keys[1]:
            raise PanicException(LEAKY)
        return original(self, key)

    monkeypatch.setattr(google_module.GoogleClient, "read", read)
    with google_module.connect(fake_google.environ()) as client:
        results = client.read_many(keys)
    assert [type(results[k]).__name__ for k in keys] == ["RawWorkbook", "SourceError", "RawWorkbook"]
    assert results[keys[1]].kind == "galat" and LEAKY not in results[keys[1]].reason


# --- 5. each result is written as soon as it is known -----------------------------

def test_a_fast_sheets_report_is_written_while_a_slow_one_is_still_being_read(project, rows, fake_google):
    slow, fast, berkas = KODES[:3]
    for kode in (slow, fast):
        fake_google.add_spreadsheet(key_of(kode), google_tabs(rows, good(rows, kode)))
        project.add(kode, sumber=key_of(kode))
    project.add(berkas, **good(rows, berkas))
    fake_google.hang_seconds = 2.0
    fake_google.fail(key_of(slow), "hang", times=1)  # answers, but only after 2 s
    seen: list[tuple[str, float, bool, bool]] = []
    started = time.monotonic()

    def progress(source, result):
        written = (project.registry / "laporan" / f"{source.kode}.json").exists()
        slow_done = (project.registry / "laporan" / f"{slow}.json").exists()
        seen.append((source.kode, time.monotonic() - started, written, slow_done))

    result = run.pull(project.config(), now=NOW, environ={**fake_google.environ(LINDUNG_GOOGLE_TIMEOUT="10"),
                                                          "LINDUNG_SECRET": SECRET}, progress=progress)

    assert all(r.ok for r in result.reports.values())
    assert [kode for kode, *_ in seen] == [berkas, fast, slow]
    (_, _, berkas_written, _), (_, fast_at, fast_written, slow_then), (_, slow_at, _, _) = seen
    assert berkas_written and fast_written and not slow_then  # on disk before the slow sheet is known
    assert slow_at - fast_at > 1.0  # not held back until the slowest read ended


def test_read_each_yields_each_sheet_as_its_read_ends(fake_google):
    from lindung.pull.sources.google import connect

    keys = [key_of(k) for k in KODES[:3]]
    for key in keys:
        fake_google.add_spreadsheet(key, {"peserta": [["NIK"]]})
    fake_google.hang_seconds = 1.5
    fake_google.fail(keys[0], "hang", times=1)
    with connect(fake_google.environ()) as client:
        client.modified_times()
        started = time.monotonic()
        order = [(key, time.monotonic() - started) for key, _ in client.read_each(keys, workers=3)]
    assert [key for key, _ in order][-1] == keys[0]
    assert order[-1][1] - order[0][1] > 1.0


# --- 6. memory and time, measured in a process of its own -------------------------

def test_a_pull_of_the_worst_workbooks_stays_under_its_memory_and_time_budget():
    """tests/measure_pull.py in a fresh process: a 400 MB shared string, a
    30-million-row extra tab, a cell at XFD1048576, one row past the limit,
    too many errors, and the widest, longest tab the limits let through
    (100,000 rows x 64 numbers), next to a healthy kecamatan. The figures
    are those of docs/batas.md, with room for a busy machine."""
    from measure_pull import HOSTILE

    done = subprocess.run([sys.executable, str(Path(__file__).with_name("measure_pull.py")), *HOSTILE],
                          capture_output=True, text=True, timeout=180, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])})
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stderr == ""  # no traceback, no Rust panic or allocation message from a reader child
    measured = json.loads(done.stdout)
    assert measured["rss_mb"] < 1024, measured  # the pull itself: goal 1 GiB (measured: about 450 MB)
    assert measured["child_rss_mb"] < 1024, measured  # the largest reader child (about 550 MB)
    kinds = {case: source["kind"] for case, source in measured["sources"].items()}
    assert kinds == {"teks-400-mb-dalam-0.5-mb": "terlalu_besar", "tab-tambahan-30-juta-baris": "terlalu_besar",
                     "sel-di-XFD1048576": "terlalu_besar", "lebih-dari-100.000-baris": "terlalu_besar",
                     "lebih-dari-5.000-kesalahan": "kesalahan_banyak", "terluas-dalam-batas": "kesalahan_banyak",
                     "sehat": ""}, measured
    for case, source in measured["sources"].items():
        limit = 60 if case == "terluas-dalam-batas" else 15  # about 10 s and under 2 s on an idle machine
        assert source["seconds"] < limit, (case, measured)
