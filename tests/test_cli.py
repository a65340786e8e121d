"""The `lindung` command through click's CliRunner: what it prints and which
exit code it gives. 0 done (row errors are reported, not fatal); 1 a problem
found (--strict, a build the guard stopped); 2 a usage or config error;
3 pull ran but a source has failed for longer than stale_days."""
import datetime as dt
import json
import os

import pytest

from conftest import KODE, KODE_2, SECRET


def tree(root):
    """Every path under root with its bytes and modification time."""
    return {p.relative_to(root).as_posix(): (p.read_bytes() if p.is_file() else None, p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*"))}


@pytest.fixture
def with_row_error(project, rows):
    project.add(KODE, peserta=[rows.peserta(), rows.peserta(nama="")], wilayah=[rows.wilayah()])
    return project


@pytest.fixture
def clean(project, rows):
    project.add(KODE, peserta=[rows.peserta()], wilayah=[rows.wilayah()])
    return project


# --- pull -----------------------------------------------------------------------

def test_pull_exits_0_and_reports_row_errors(with_row_error):
    result = with_row_error.cli("pull")
    assert result.exit_code == 0, result.output
    assert f"! {KODE} Magelang Utara: 1 kesalahan" in result.stdout
    assert "Tab peserta, baris 3, kolom Nama" in result.stdout
    assert (with_row_error.snapshot_dir() / "meta.json").exists()


def test_pull_strict_exits_1_when_a_row_has_an_error(with_row_error):
    result = with_row_error.cli("pull", "--strict")
    assert result.exit_code == 1
    assert (with_row_error.snapshot_dir() / "meta.json").exists()  # still written: strict only sets the code


def test_pull_strict_exits_0_when_every_sheet_is_clean(clean):
    result = clean.cli("pull", "--strict")
    assert result.exit_code == 0, result.output
    assert f"✓ {KODE} Magelang Utara: bersih" in result.stdout


def test_pull_strict_exits_1_when_a_sheet_cannot_be_read(clean):
    clean.add(KODE_2, sumber="sheets/tidak-ada.xlsx")
    assert clean.cli("pull").exit_code == 0
    assert clean.cli("pull", "--strict").exit_code == 1


def test_pull_exits_3_when_a_sheet_has_failed_for_longer_than_stale_days(clean):
    clean.add(KODE_2, sumber="sheets/tidak-ada.xlsx")
    laporan = clean.registry / "laporan"
    laporan.mkdir()
    long_ago = (dt.date.today() - dt.timedelta(days=30)).isoformat()
    (laporan / f"{KODE_2}.json").write_text(json.dumps({
        "kode": KODE_2, "diperiksa": long_ago + "T06:00:00+07:00", "hasil": "gagal_baca",
        "alasan": "Berkas tidak-ada.xlsx tidak ditemukan.", "jenis_alasan": "tidak_ada",
        "gagal_sejak": long_ago, "dilewati": False, "kesalahan": []}), encoding="utf-8")

    result = clean.cli("pull")

    assert result.exit_code == 3  # pull did its work (fresh data can be deployed), but the job turns red
    assert clean.snapshot_dir(KODE).exists()
    assert f"Gagal lebih dari 7 hari: {KODE_2} Magelang Tengah (sejak {long_ago})" in result.stderr


def test_pull_only_reads_the_kecamatan_named(clean, rows):
    clean.add(KODE_2, peserta=[rows.peserta(kelurahan="Cacaban")])
    result = clean.cli("pull", "--only", KODE_2)
    assert result.exit_code == 0, result.output
    assert KODE_2 in result.stdout and KODE not in result.stdout
    assert clean.snapshot_dir(KODE_2).exists() and not clean.snapshot_dir(KODE).exists()


def test_pull_only_may_be_repeated(clean, rows):
    clean.add(KODE_2, peserta=[rows.peserta(kelurahan="Cacaban")])
    result = clean.cli("pull", "--only", KODE_2, "--only", KODE)
    assert result.exit_code == 0
    assert clean.snapshot_dir(KODE_2).exists() and clean.snapshot_dir(KODE).exists()


def test_pull_only_an_unlisted_kode_is_a_usage_error(clean):
    result = clean.cli("pull", "--only", "33.74.15")
    assert result.exit_code == 2
    assert "Kode tidak ada di registry/sources.csv: 33.74.15" in result.stderr
    assert not (clean.registry / "snapshots").exists()


@pytest.mark.parametrize("secret, said", [
    (None, "LINDUNG_SECRET belum diisi"),
    ("", "LINDUNG_SECRET belum diisi"),
    ("pendek-sekali", "LINDUNG_SECRET terlalu pendek (13 byte; paling sedikit 32)"),
    ("x" * 31, "terlalu pendek (31 byte"),
])
def test_a_pull_of_real_data_without_a_strong_secret_stops_before_reading_anything(clean, secret, said):
    result = clean.cli("pull", env={"LINDUNG_SECRET": secret})
    assert result.exit_code == 2
    assert said in result.stderr and "secrets.token_urlsafe" in result.stderr
    assert not (clean.registry / "snapshots").exists() and not (clean.registry / "laporan").exists()
    assert secret is None or secret == "" or secret not in result.output


def test_pull_never_prints_the_secret(clean):
    secret = "kunci-sangat-rahasia-" + "z" * 32
    result = clean.cli("pull", env={"LINDUNG_SECRET": secret})
    assert result.exit_code == 0
    assert secret not in result.output and "kunci demo" not in result.stderr


# --- config errors: exit 2 ------------------------------------------------------------

def test_a_missing_column_in_sources_csv_exits_2_with_an_indonesian_message(project, assert_indonesian):
    project.write_sources("kode,kecamatan,kabupaten_kota\n33.71.02,Magelang Utara,Kota Magelang\n")
    result = project.cli("pull")
    assert result.exit_code == 2
    assert "Konfigurasi salah" in result.stderr and "kode,kecamatan,kabupaten_kota,sumber" in result.stderr
    assert_indonesian(result.stderr)


def test_an_unknown_kode_in_sources_csv_exits_2_with_an_indonesian_message(project, assert_indonesian):
    project.write_sources("kode,kecamatan,kabupaten_kota,sumber\n33.71.99,Magelang Utara,Kota Magelang,x.xlsx\n")
    result = project.cli("pull")
    assert result.exit_code == 2
    assert "33.71.99" in result.stderr
    assert_indonesian(result.stderr)


def test_a_malformed_kode_in_sources_csv_exits_2_with_an_indonesian_message(project, assert_indonesian):
    project.write_sources("kode,kecamatan,kabupaten_kota,sumber\n3371.02,Magelang Utara,Kota Magelang,x.xlsx\n")
    result = project.cli("pull")
    assert result.exit_code == 2
    assert "3371.02" in result.stderr or "kode" in result.stderr
    assert_indonesian(result.stderr)


@pytest.mark.parametrize("command", [["build", "--as-of", "2026-11-23"], ["check", "{x}", "--kecamatan", KODE]])
def test_every_command_checks_the_config_first(project, command):
    project.write_sources("kode,kecamatan\n")
    (project.root / "x.xlsx").write_bytes(b"")
    result = project.cli(*(arg.format(x=project.root / "x.xlsx") for arg in command))
    assert result.exit_code == 2 and "Konfigurasi salah" in result.stderr



def test_a_folder_that_is_not_a_lindung_project_is_a_config_error(tmp_path):
    from click.testing import CliRunner

    from lindung.cli import main

    result = CliRunner().invoke(main, ["--root", str(tmp_path), "pull"])
    assert result.exit_code == 2
    assert "bukan folder proyek Lindung" in result.stderr and "--root" in result.stderr


# --- check -------------------------------------------------------------------------------

def test_check_prints_the_report_of_one_workbook_and_writes_nothing(project, rows):
    path = project.workbook("kiriman-editor.xlsx", peserta=[rows.peserta(), rows.peserta(segmen="pekerja tetap")])
    before = tree(project.root)

    result = project.cli("check", str(path), "--kecamatan", KODE)

    assert result.exit_code == 1
    assert f"! {KODE} Magelang Utara: 1 kesalahan" in result.stdout
    assert "Tab peserta, baris 3, kolom Segmen" in result.stdout and "Cara memperbaiki" in result.stdout
    assert tree(project.root) == before


def test_check_of_a_clean_workbook_exits_0(project, rows):
    path = project.workbook("bersih.xlsx", peserta=[rows.peserta()])
    result = project.cli("check", str(path), "--kecamatan", KODE)
    assert result.exit_code == 0
    assert f"✓ {KODE} Magelang Utara: bersih" in result.stdout


def test_check_needs_no_sources_csv_entry_for_the_kecamatan(project, rows):
    path = project.workbook("ngaliyan.xlsx", peserta=[rows.peserta(kelurahan="Wates")])
    result = project.cli("check", str(path), "--kecamatan", "33.74.15")
    assert result.exit_code == 0, result.output
    assert "Ngaliyan" in result.stdout


def test_check_says_when_the_structure_is_wrong(project, rows):
    from openpyxl import load_workbook

    path = project.workbook("tanpa-donatur.xlsx", peserta=[rows.peserta()])
    book = load_workbook(path)
    del book["donatur"]
    book.save(path)
    result = project.cli("check", str(path), "--kecamatan", KODE)
    assert result.exit_code == 1
    assert "struktur sheet salah" in result.stdout and "Tab donatur" in result.stdout


def test_check_of_a_damaged_file_exits_1_with_the_reason(project):
    path = project.root / "rusak.xlsx"
    path.write_bytes(b"bukan workbook")
    result = project.cli("check", str(path), "--kecamatan", KODE)
    assert result.exit_code == 1 and "tidak bisa dibaca" in result.stdout


def test_check_of_a_missing_file_or_an_unknown_kecamatan_is_a_usage_error(project, rows):
    path = project.workbook("ada.xlsx", peserta=[rows.peserta()])
    assert project.cli("check", str(project.root / "tidak-ada.xlsx"), "--kecamatan", KODE).exit_code == 2
    result = project.cli("check", str(path), "--kecamatan", "99.99.99")
    assert result.exit_code == 2 and "99.99.99" in result.stderr


# --- build -------------------------------------------------------------------------------

def test_build_as_of_renders_the_site_for_that_date(clean):
    assert clean.cli("pull").exit_code == 0
    result = clean.cli("build", "--as-of", "2026-11-23")
    assert result.exit_code == 0, result.output
    assert "halaman ditulis" in result.stdout and "2026-11-23" in result.stdout
    assert "23 November 2026" in (clean.site / "index.html").read_text(encoding="utf-8")


def test_build_before_any_pull_lists_every_listed_kecamatan_and_out_writes_elsewhere(clean, tmp_path):
    result = clean.cli("build", "--as-of", "2026-11-23", "--out", str(tmp_path / "keluaran"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "keluaran" / "wilayah" / "kota-magelang" / "magelang-utara" / "index.html").is_file()
    assert not clean.site.exists()


def test_build_without_as_of_on_a_real_registry_is_for_today_in_jakarta(clean):
    from zoneinfo import ZoneInfo

    assert clean.cli("pull").exit_code == 0
    before = dt.datetime.now(ZoneInfo("Asia/Jakarta")).date()
    result = clean.cli("build")
    after = dt.datetime.now(ZoneInfo("Asia/Jakarta")).date()
    assert result.exit_code == 0, result.output
    assert any(day.isoformat() in result.stdout for day in (before, after))


@pytest.mark.parametrize("as_of", ["23/11/2026", "2026-13-01", "kemarin"])
def test_build_with_a_malformed_as_of_is_a_usage_error(clean, as_of):
    result = clean.cli("build", "--as-of", as_of)
    assert result.exit_code == 2
    assert not clean.site.exists()


def test_the_root_may_come_from_lindung_root(clean, monkeypatch):
    from click.testing import CliRunner

    from lindung.cli import main

    result = CliRunner().invoke(main, ["pull"], env={"LINDUNG_ROOT": str(clean.root), "LINDUNG_SECRET": SECRET})
    assert result.exit_code == 0, result.output
    assert clean.snapshot_dir().exists()
    assert os.getcwd() != str(clean.root)
