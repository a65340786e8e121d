"""Private by construction: personal data typed anywhere in a sheet never
reaches a public place (site/, the published data, the search index, what
`lindung pull` and `lindung check` print, the reports), each cell is reported
to its editor, the build never loads the code that sees personal data, the
guard has no false positives on Lindung's own output, and the public
repository tracks no row-level data."""
import datetime as dt
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from conftest import AS_OF, KODE, ROOT
from lindung import jobs, privacy
from lindung.build import search

YEAR = dict(mulai=dt.date(2026, 1, 1), berlaku_sampai=dt.date(2026, 12, 31))

# Every kind of personal data, in the forms editors and clerks write it.
CANARIES = {
    "nik": ["3374101234567890", "3374-101234567890", "3374 1012 3456 7890", "33.74.10.123456.7890"],
    "telepon": ["081234567891", "(0812) 3456-7891", "+62 812-3456-7891", "0812.3456.7891", "62 812 3456 7891"],
    "email": ["siti.canary@contoh.co.id"],
    "alamat": ["Jl. Kenari Canary No. 5", "Gg. Melati Canary 3", "Perum Griya Canary Blok C"],
    "nama": ["Siti Canary Aminah"],
}
ALL = [value for values in CANARIES.values() for value in values]


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def leaked(text: str) -> list[str]:
    """Canaries found in `text`, as typed or as the bare digits of any run of
    digits and separators (a NIK re-spaced, a phone number reformatted)."""
    runs = {digits(run) for run in re.findall(r"[+(]?\d[\d .\-()/+]*", text)}
    found = [c for c in ALL if c in text
             or (sum(ch.isdigit() for ch in c) >= 10 and any(digits(c) in run for run in runs))]
    return found + (["Canary"] if "canary" in text.casefold() else [])


def public_text(project) -> str:
    """Everything a build made public: every file of site/, and the search
    index decoded (Pagefind stores it compressed)."""
    parts = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(project.site.rglob("*"))
             if p.is_file() and p.suffix not in {".png", ".pf_fragment", ".pf_index", ".pf_meta", ".wasm"}]
    with tempfile.TemporaryDirectory() as plain:
        search.write_plain(project.site, Path(plain))
        parts += [p.read_text(encoding="utf-8", errors="replace") for p in sorted(Path(plain).rglob("*"))
                  if p.is_file()]
    return "\n".join(parts)


@pytest.mark.parametrize("canary", ALL)
def test_personal_data_typed_in_any_column_never_reaches_a_public_place(project, rows, canary):
    # In every text column where it does not belong, and in the places it does
    # belong (Nama, NIK) too: neither may go further than the pull.
    peserta = [rows.peserta(**YEAR)] + [
        rows.peserta(**{**YEAR, column: canary}) for column in
        ("nama", "kelurahan", "segmen", "pekerjaan", "program", "sumber_dana", "iuran_bulanan", "mulai")]
    peserta.append(rows.peserta(**YEAR, sumber_dana="donatur", id_donatur=canary))
    peserta.append(rows.peserta(**YEAR, sumber_dana="mandiri", id_donatur=canary))  # a leftover ID
    peserta.append(rows.peserta(**YEAR, sumber_dana="donatur", id_donatur="D002"))
    peserta.append(rows.peserta(**YEAR, sumber_dana="donatur", id_donatur="D003"))
    # A plain name is not personal data by its shape: where a name may stand
    # (a consenting donor's Nama or Instansi) it is published as the donor asked.
    consenting = "Donatur Contoh Terbuka" if canary in CANARIES["nama"] else canary
    donatur = [
        rows.donatur(id="D002", nama=consenting, instansi="Dinas Contoh", tampilkan_nama="ya"),
        rows.donatur(id="D003", nama="Donatur Contoh Baik", instansi=consenting, tampilkan_nama="ya"),
        rows.donatur(id="D004", nama=canary, instansi=canary, tampilkan_nama="tidak"),
        rows.donatur(id=canary, nama="Donatur Contoh Lain", tampilkan_nama="ya"),
        rows.donatur(id="D005", jenis=canary, tampilkan_nama=canary),
    ]
    wilayah = [rows.wilayah(), rows.wilayah(kelurahan=canary), rows.wilayah(kelurahan="Wates", jumlah_rt=canary)]
    santunan = [rows.santunan(kelurahan=canary), rows.santunan(program=canary), rows.santunan(jumlah=canary)]
    project.add(KODE, peserta=peserta, donatur=donatur, wilayah=wilayah, santunan=santunan)

    pulled = project.cli("pull")
    checked = project.cli("check", str(project.root / "sheets" / f"{KODE}.xlsx"), "--kecamatan", KODE)
    assert pulled.exit_code == 0, pulled.output
    built = project.cli("build", "--as-of", AS_OF.isoformat())
    assert built.exit_code == 0, built.output

    assert leaked(pulled.output) == [] and leaked(checked.output) == []
    for path in sorted((project.registry / "laporan").rglob("*")):
        assert leaked(path.read_text(encoding="utf-8")) == [], path.name
    for path in sorted((project.registry / "snapshots").rglob("*")):
        if path.is_file():
            assert leaked(path.read_text(encoding="utf-8")) == [], path.name  # not even in the private store
    assert leaked(public_text(project)) == []

    # Each planted cell outside Nama and NIK is reported to the editor (by tab,
    # row and column), so nothing is dropped silently.
    config = project.config()
    from lindung.store import report as report_module

    told = {(e.tab, e.row, e.column) for e in report_module.read(config.laporan_dir, KODE).errors}
    expected = {("peserta", 4 + i, title) for i, title in enumerate(
        ["Kelurahan", "Segmen", "Pekerjaan", "Program", "Sumber Dana", "Iuran Bulanan", "Mulai"])}
    expected |= {("peserta", 11, "ID Donatur"), ("donatur", 3, "Instansi"),
                 ("donatur", 5, "ID"), ("donatur", 6, "Jenis"), ("donatur", 6, "Tampilkan Nama"),
                 ("wilayah", 3, "Kelurahan"), ("wilayah", 4, "Jumlah RT"),
                 ("santunan", 2, "Kelurahan"), ("santunan", 3, "Program"), ("santunan", 4, "Jumlah")}
    if canary in CANARIES["nama"]:
        expected -= {("donatur", 3, "Instansi")}
    else:
        expected |= {("donatur", 2, "Nama")}
    assert expected <= told, sorted(expected - told)


def test_a_declining_donor_leaves_nothing_that_identifies_them(project, rows):
    project.add(KODE, peserta=[rows.peserta(**YEAR, sumber_dana="donatur", id_donatur="D001")],
                donatur=[rows.donatur(id="D001", nama="Bapak Canary Rahasia", instansi="Toko Canary Jaya",
                                      jenis="perorangan", tampilkan_nama="tidak")],
                wilayah=[rows.wilayah()])
    project.pull()
    project.build(AS_OF)
    assert leaked(public_text(project)) == []
    stored = (project.snapshot_dir() / "donatur.csv").read_text(encoding="utf-8")
    assert "Canary" not in stored and "perorangan" in stored  # only jenis and the counts remain


def test_a_leftover_donor_id_on_a_mandiri_worker_is_not_kept(project, rows):
    project.add(KODE, peserta=[rows.peserta(**YEAR, sumber_dana="mandiri", id_donatur="D001")],
                donatur=[rows.donatur(id="D001")], wilayah=[rows.wilayah()])
    project.pull()
    assert project.figures().donors.shown[0].pekerja_aktif == 0


# --- the build never loads the pull side ----------------------------------------------

PULL_SIDE = ("lindung.pull", "gspread", "openpyxl", "python_calamine", "google.auth", "google.oauth2")


def test_a_build_never_imports_the_code_or_libraries_that_read_sheets(demo_site, demo, tmp_path):
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "lindung", "--root", str(demo.root), "build",
         "--as-of", AS_OF.isoformat(), "--out", str(tmp_path / "situs")],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if "import time:" in line}
    assert "lindung.build.site" in imported  # the timing really covers the build
    assert sorted(m for m in imported if m.startswith(PULL_SIDE)) == []


# --- the guard: no false positives on Lindung's own output ---------------------------

def months(first: dt.date, last: dt.date):
    day = first
    while day <= last:
        yield day
        day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def test_every_page_of_the_demo_passes_the_guard_for_every_month_from_2025_to_2027(demo_site, demo, tmp_path):
    from lindung import config as config_module

    config = config_module.load(demo.root)
    built = [jobs.build(config, as_of=day, out=tmp_path / "situs").as_of
             for day in months(dt.date(2025, 1, 1), dt.date(2027, 12, 1))]
    assert len(built) == 36  # each build ran its guard over site/, the data and the decoded index


def test_the_calculator_writes_no_run_of_numbers_shaped_like_a_nik(demo_site, demo):
    page = (demo_site / "program" / "jkm" / "index.html").read_text(encoding="utf-8")
    assert 'data-bulanan-0="' in page
    from lindung import config as config_module
    from lindung.build.site import kontak

    allowed = kontak(config_module.load(demo.root).site).allowed
    assert privacy.scan_lines("jkm", page.splitlines(), allowed=allowed) == []


# --- the public repository ---------------------------------------------------------------

def test_the_public_repository_tracks_no_row_level_data():
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.split("\0")
    store = [p for p in tracked if re.match(r"(registry/)?(snapshots|laporan)/|data-privat/", p)]
    assert store == []
    for name in tracked:
        if name.endswith((".csv", ".json")) and (ROOT / name).is_file():
            head = (ROOT / name).read_text(encoding="utf-8", errors="replace")[:400]
            assert "nik_hash" not in head, name
            assert '"diperiksa"' not in head, name  # a pull report


def test_gitignore_keeps_the_data_store_out():
    for path in ("registry/snapshots/33.74.15/peserta.csv", "registry/laporan/33.74.15.json",
                 "data-privat/snapshots/33.74.15/peserta.csv"):
        ignored = subprocess.run(["git", "check-ignore", "-q", path], cwd=ROOT)
        assert ignored.returncode == 0, path
