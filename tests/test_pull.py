"""Pull: every source read, validated, minimised and kept as the last good
snapshot, with a report per kecamatan. A sheet that cannot be read, or whose
structure is wrong, keeps its previous snapshot byte for byte."""
import datetime as dt
import json
import re

from openpyxl import load_workbook

from conftest import KELURAHAN, KODE, KODE_2, NOW, SECRET
from lindung.store import report as report_module
from lindung.pull.minimise import pseudonym
from lindung.pull.sources import local

NIK = "9971029912310001"
NAMA = "Siti Aminah Uji"


def files(directory):
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def read_report(project, kode=KODE):
    return json.loads((project.registry / "laporan" / f"{kode}.json").read_text(encoding="utf-8"))


# --- the local source ------------------------------------------------------------

def test_a_local_workbook_reads_back_with_its_cell_types(project, rows):
    path = project.workbook("x.xlsx", peserta=[rows.peserta(nik=NIK, mulai=dt.date(2025, 3, 24)),
                                               [None] * 11, rows.peserta(mulai="24/03/2025")])
    tabs = local.read(path).tabs
    assert list(tabs)[:4] == ["peserta", "donatur", "wilayah", "santunan"]
    header, first, blank, third = tabs["peserta"][:4]
    assert header[:2] == ["NIK", "Nama"]
    assert first[0] == NIK  # text stays text: never a rounded number
    assert first[6] in (dt.date(2025, 3, 24), dt.datetime(2025, 3, 24))
    assert all(cell is None for cell in blank)
    assert third[6] == "24/03/2025"


def test_a_missing_file_is_a_source_error_naming_the_file(tmp_path):
    from lindung.pull.sources import SourceError

    try:
        local.read(tmp_path / "33.71.02.xlsx")
    except SourceError as error:
        assert error.kind == "tidak_ada" and "33.71.02.xlsx" in error.reason
    else:
        raise AssertionError("no SourceError")


def test_a_relative_sumber_is_read_from_the_project_root(tmp_path):
    assert local.resolve("registry/demo/x.xlsx", tmp_path) == tmp_path / "registry/demo/x.xlsx"
    assert local.resolve(str(tmp_path / "abs.xlsx"), tmp_path / "lain") == tmp_path / "abs.xlsx"


# --- a good pull ---------------------------------------------------------------------

def test_a_pull_writes_a_minimised_snapshot_and_a_report(project, rows):
    project.add(peserta=[rows.peserta(nik=NIK, nama=NAMA), rows.peserta(nama="")],
                donatur=[rows.donatur()], wilayah=[rows.wilayah()])
    result = project.pull()

    assert result.reports[KODE].ok and result.found_errors
    snap = project.snapshot_dir()
    assert sorted(files(snap)) == ["donatur.csv", "meta.json", "peserta.csv", "santunan.csv", "wilayah.csv"]
    meta = json.loads((snap / "meta.json").read_text(encoding="utf-8"))
    assert meta["kode"] == KODE and meta["diambil"] == NOW.isoformat(timespec="seconds")
    assert meta["menunggu_perbaikan"] == 1
    peserta = (snap / "peserta.csv").read_text(encoding="utf-8").splitlines()
    assert peserta[0].startswith("nik_hash,kelurahan,")
    assert len(peserta) == 2 and peserta[1].startswith(pseudonym(NIK, SECRET) + "," + KELURAHAN["Potrobangsan"])

    saved = read_report(project)
    assert saved["hasil"] == "ok"
    assert [(e["tab"], e["baris"], e["kolom"]) for e in saved["kesalahan"]] == [("peserta", 3, "Nama")]


def test_no_name_nik_phone_or_address_crosses_into_snapshots_or_reports(project, rows):
    path = project.add(peserta=[rows.peserta(nik=NIK, nama=NAMA), rows.peserta(nik=NIK, nama="Budi Uji"),
                                rows.peserta(nik="9971029912310002", nama="Citra Uji", kelurahan="Entah")],
                       donatur=[rows.donatur(nama="Donatur Tersembunyi", tampilkan_nama="tidak")])
    book = load_workbook(path)  # an editor added columns of their own
    for row, values in enumerate([("Alamat", "No HP"), ("Jl. Contoh Raya 1", "0812-3456-7890")], start=1):
        book["peserta"].cell(row, 12, values[0])
        book["peserta"].cell(row, 13, values[1])
    book.save(path)

    project.pull()
    written = b"".join(files(project.registry / "snapshots").values()) + \
        b"".join(files(project.registry / "laporan").values())
    text = written.decode("utf-8")
    for private in (NIK, "9971029912310002", NAMA, "Budi Uji", "Citra Uji", "Donatur Tersembunyi",
                    "Jl. Contoh", "0812-3456-7890"):
        assert private not in text
    assert not re.search(r"\d{16}", text)


def test_one_bad_sheet_never_stops_the_others(project, rows):
    project.add(KODE, peserta=[rows.peserta()])
    project.add(KODE_2, sumber="sheets/tidak-ada.xlsx")
    result = project.pull()
    assert result.reports[KODE].ok
    assert result.reports[KODE_2].outcome == report_module.UNREADABLE
    assert project.snapshot_dir(KODE).exists() and not project.snapshot_dir(KODE_2).exists()


def test_only_pulls_the_kecamatan_asked_for(project, rows):
    project.add(KODE, peserta=[rows.peserta()])
    project.add(KODE_2, peserta=[rows.peserta(kelurahan="Cacaban")])
    result = project.pull(only={KODE_2})
    assert list(result.reports) == [KODE_2]
    assert not project.snapshot_dir(KODE).exists() and project.snapshot_dir(KODE_2).exists()


# --- keeping the last good data ------------------------------------------------------------

def first_good_pull(project, rows):
    path = project.add(peserta=[rows.peserta(nik=NIK)], donatur=[rows.donatur()], wilayah=[rows.wilayah()])
    project.pull(now=NOW - dt.timedelta(days=3))
    return path, files(project.snapshot_dir())


def test_a_missing_tab_keeps_the_previous_snapshot_byte_for_byte_and_the_report_says_so(project, rows):
    path, before = first_good_pull(project, rows)
    project.workbook(path.name, peserta=[rows.peserta(nik=NIK)])  # rewrite it...
    book = load_workbook(path)
    del book["wilayah"]  # ...without its wilayah tab
    book.save(path)

    result = project.pull()

    assert files(project.snapshot_dir()) == before
    outcome = result.reports[KODE]
    assert outcome.outcome == report_module.STRUCTURE and not outcome.ok
    assert "data lama tetap dipakai" in outcome.reason
    assert [(e.tab, e.row) for e in outcome.errors] == [("wilayah", None)]
    assert read_report(project)["hasil"] == "struktur"
    assert "struktur sheet salah; data lama tetap dipakai" in report_module.format_text(outcome, "Magelang Utara")


def test_a_missing_required_column_keeps_the_previous_snapshot_byte_for_byte(project, rows):
    path, before = first_good_pull(project, rows)
    book = load_workbook(path)
    book["peserta"].delete_cols(9)  # Sumber Dana
    book.save(path)

    result = project.pull()

    assert files(project.snapshot_dir()) == before
    outcome = result.reports[KODE]
    assert outcome.outcome == report_module.STRUCTURE
    assert [(e.tab, e.column) for e in outcome.errors if e.row is None] == [("peserta", "Sumber Dana")]


def test_a_missing_file_keeps_the_previous_snapshot_and_the_report_says_why(project, rows):
    path, before = first_good_pull(project, rows)
    path.unlink()

    result = project.pull()

    assert files(project.snapshot_dir()) == before
    outcome = result.reports[KODE]
    assert outcome.outcome == report_module.UNREADABLE
    assert path.name in outcome.reason and "tidak ditemukan" in outcome.reason
    assert read_report(project)["hasil"] == "gagal_baca"
    assert "tidak terbaca" in report_module.format_text(outcome, "Magelang Utara")


def test_a_damaged_file_keeps_the_previous_snapshot(project, rows):
    path, before = first_good_pull(project, rows)
    path.write_bytes(b"PK\x03\x04 ini bukan workbook")

    result = project.pull()

    assert files(project.snapshot_dir()) == before
    assert result.reports[KODE].outcome == report_module.UNREADABLE
    assert result.reports[KODE].reason_kind == "rusak"


def test_a_failing_sheet_counts_its_days_from_the_first_failure(project, rows):
    path, _ = first_good_pull(project, rows)
    path.unlink()
    project.pull(now=NOW - dt.timedelta(days=2))
    result = project.pull(now=NOW)
    assert result.reports[KODE].failing_since == (NOW - dt.timedelta(days=2)).date().isoformat()
    assert [r.kode for r in result.stale(NOW.date(), days=1)] == [KODE]
    assert result.stale(NOW.date(), days=7) == []


def test_a_fixed_sheet_is_no_longer_failing(project, rows):
    path, _ = first_good_pull(project, rows)
    path.rename(path.with_suffix(".bak"))
    project.pull(now=NOW - dt.timedelta(days=1))
    path.with_suffix(".bak").rename(path)
    result = project.pull()
    assert result.reports[KODE].ok and result.reports[KODE].failing_since is None


def test_a_structural_error_on_the_first_pull_writes_no_snapshot(project, rows):
    project.add(peserta=[rows.peserta()])
    path = project.root / "sheets" / f"{KODE}.xlsx"
    book = load_workbook(path)
    del book["donatur"]
    book.save(path)
    result = project.pull()
    assert result.reports[KODE].outcome == report_module.STRUCTURE
    assert not project.snapshot_dir().exists()


def test_the_report_names_tab_row_and_column_and_prints_for_an_operator(project, rows):
    project.add(peserta=[rows.peserta(), rows.peserta(segmen="pekerja tetap")])
    outcome = project.pull().reports[KODE]
    text = report_module.format_text(outcome, "Magelang Utara")
    assert text.splitlines()[0].startswith(f"! {KODE} Magelang Utara: 1 kesalahan")
    assert "Tab peserta, baris 3, kolom Segmen" in text and "Cara memperbaiki" in text
