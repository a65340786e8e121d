"""The mistakes kecamatan office staff actually make: what has one clear
meaning is read (and said when an assumption was made, as a warning that
keeps the row); what could mean two things is an error that points at the
fix. In memory, through a real .xlsx (`lindung check`), and each message in
Indonesian without the value typed."""
import datetime as dt

import pytest

from conftest import KODE, RawWorkbook, validate_workbook
from lindung.store.report import ERROR, WARNING

YEAR = dict(mulai=dt.date(2026, 1, 1), berlaku_sampai=dt.date(2026, 12, 31))


def by_code(result):
    return {(e.tab, e.row, e.code): e for e in result.errors}


@pytest.mark.parametrize("typed, day", [
    ("24 Agt 2025", dt.date(2025, 8, 24)), ("24 Ags 2025", dt.date(2025, 8, 24)),
    ("24 Sept 2025", dt.date(2025, 9, 24)), ("24 Nop 2025", dt.date(2025, 11, 24)),
    ("24 Nopember 2025", dt.date(2025, 11, 24)), ("24 Pebruari 2025", dt.date(2025, 2, 24)),
    ("24/3/25", dt.date(2025, 3, 24)), ("2025/03/24", dt.date(2025, 3, 24)), ("2025.3.24", dt.date(2025, 3, 24)),
    ("24-Mar-2025", dt.date(2025, 3, 24)),
])
def test_dates_the_indonesian_way_are_read(check, rows, typed, day):
    result = check(peserta=[rows.peserta(mulai=typed, berlaku_sampai="31/12/2026")])
    assert result.errors == []
    assert result.tables["peserta"][0]["mulai"] == day


def test_a_date_with_day_and_month_swapped_is_an_error_that_says_so(check, rows):
    result = check(peserta=[rows.peserta(mulai="03/24/2025", berlaku_sampai="31/12/2026")])
    [error] = result.errors
    assert (error.code, error.severity, error.column) == ("hari-bulan-tertukar", ERROR, "Mulai")
    assert "tertukar" in error.fix or "hari dulu" in error.fix
    assert "03/24/2025" not in error.message() and error.quoted == "03/24/2025"
    assert result.tables["peserta"] == []


def test_16_comma_800_rupiah_is_read_as_sixteen_thousand_with_a_warning(check, rows):
    result = check(peserta=[rows.peserta(iuran_bulanan="16,800", **YEAR)])
    [warning] = result.errors
    assert (warning.code, warning.severity) == ("ribuan-koma", WARNING)
    assert "16.800" in warning.problem and "dibaca sebagai" in warning.problem
    assert result.tables["peserta"][0]["iuran_bulanan"] == 16800  # the row counts


def test_donor_ids_match_whatever_their_case(check, rows):
    result = check(peserta=[rows.peserta(sumber_dana="donatur", id_donatur="d003", **YEAR)],
                   donatur=[rows.donatur(id="D003")])
    assert result.errors == []
    assert result.tables["peserta"][0]["id_donatur"] == "D003"


@pytest.mark.parametrize("typed, months", [("3 bulan", 3), ("12 bln", 12), ("1 tahun", 12), ("6", 6)])
def test_periode_bayar_in_words(check, rows, typed, months):
    result = check(donatur=[rows.donatur(periode_bayar=typed)])
    assert result.errors == []
    assert result.tables["donatur"][0]["periode_bayar"] == months


def test_title_rows_above_the_headers_are_skipped_with_one_note(rows, wilayah, contract):
    raw = RawWorkbook({
        "peserta": [["DATA PESERTA KECAMATAN MAGELANG UTARA 2026"], [], rows.titles("peserta"),
                    rows.peserta(**YEAR)],
        "donatur": [rows.titles("donatur")], "wilayah": [rows.titles("wilayah"), rows.wilayah()],
    })
    result = validate_workbook(raw, KODE, wilayah, contract)
    assert not result.structural
    assert [(e.tab, e.row, e.code, e.severity) for e in result.errors] == [("peserta", 3, "baris-judul", WARNING)]
    assert [r["baris"] for r in result.tables["peserta"]] == [4]


def test_a_total_row_is_recognised_and_skipped_with_one_note(check, rows):
    total = [None, None, "JUMLAH", None, None, None, None, None, None, None, 33600]
    result = check(peserta=[rows.peserta(**YEAR), rows.peserta(**YEAR), total],
                   wilayah=[rows.wilayah(), ["TOTAL", 10, 2, 24, 100]])
    assert sorted((e.tab, e.row, e.code) for e in result.errors) == [("peserta", 4, "baris-jumlah"),
                                                                     ("wilayah", 3, "baris-jumlah")]
    assert len(result.tables["peserta"]) == 2 and result.rows_in_error["peserta"] == 0


def test_an_unknown_kelurahan_gets_the_nearest_official_names(check, rows):
    result = check(peserta=[rows.peserta(kelurahan="Potrobangsn", **YEAR)])
    [error] = result.errors
    assert error.code == "kelurahan-tidak-dikenal" and "Potrobangsan" in error.fix


def test_a_sheet_of_another_kecamatan_gets_one_message_naming_it(check, rows):
    ngaliyan = ["Tambakaji", "Wonosari", "Purwoyoso", "Kalipancur", "Bringin"]
    result = check(peserta=[rows.peserta(kelurahan=k, **YEAR) for k in ngaliyan],
                   wilayah=[rows.wilayah(kelurahan=k) for k in ngaliyan])
    [error] = result.errors
    assert error.code == "kecamatan-lain" and "Ngaliyan" in error.problem and "33.74.15" in error.problem
    assert result.structural  # the last good data of this kecamatan stays


def test_each_fix_has_an_example_that_fits_its_column(check, rows):
    result = check(donatur=[rows.donatur(periode_bayar="tiga")],
                   wilayah=[rows.wilayah(target_pekerja_rentan="banyak")])
    fixes = {e.column: e.fix for e in result.errors}
    assert "16.800" not in fixes["Periode Bayar"] and "16.800" not in fixes["Target Pekerja Rentan"]
    assert "misalnya 6" in fixes["Periode Bayar"] and "misalnya 1200" in fixes["Target Pekerja Rentan"]


def test_warnings_keep_their_row_and_errors_do_not(check, rows, assert_indonesian):
    result = check(peserta=[rows.peserta(pekerjaan="tukang ojek pangkalan", **YEAR),
                            rows.peserta(mulai="32/13/2025", berlaku_sampai="31/12/2026")],
                   donatur=[rows.donatur(tampilkan_nama="Bersedia")])
    kinds = {(e.row, e.code): e.severity for e in result.errors}
    assert kinds[(2, "pilihan-lain")] == WARNING and kinds[(2, "persetujuan-tidak-jelas")] == WARNING
    assert kinds[(3, "tanggal")] == ERROR
    assert [r["baris"] for r in result.tables["peserta"]] == [2]
    assert result.tables["peserta"][0]["pekerjaan"] == "lainnya"
    assert result.tables["donatur"][0]["tampilkan_nama"] == "tidak"
    for error in result.errors:
        assert_indonesian(error.message())


def test_lindung_check_shows_errors_and_warnings_apart(project, rows):
    path = project.workbook("mistakes.xlsx", peserta=[rows.peserta(iuran_bulanan="16,800", **YEAR),
                                                       rows.peserta(mulai="03/24/2025", **{"berlaku_sampai": "31/12/2026"})],
                            wilayah=[rows.wilayah()])
    result = project.cli("check", str(path), "--kecamatan", KODE)
    assert result.exit_code == 1
    assert "1 kesalahan, 1 peringatan" in result.output
    assert "Peringatan: Koma dibaca sebagai pemisah ribuan" in result.output
    assert "03/24/2025" not in result.output


def test_the_status_page_counts_errors_and_warnings_apart(project, rows):
    project.add(KODE, peserta=[rows.peserta(iuran_bulanan="16,800", **YEAR),
                               rows.peserta(mulai="03/24/2025", berlaku_sampai="31/12/2026")],
                wilayah=[rows.wilayah()])
    project.pull()
    page = (project.build() / "status" / "index.html").read_text(encoding="utf-8")
    assert "1 kesalahan (baris belum dihitung), 1 peringatan (baris tetap dihitung)" in page
    assert "16,800" not in page and "03/24/2025" not in page
