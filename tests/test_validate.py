"""Holding a kecamatan workbook to the sheet contract (issue 2, "Reading a
sheet"): what is accepted, what makes a row wait for a fix, and what makes the
whole sheet unusable. Every error names tab, sheet row and column in
Indonesian, and never the NIK or the name."""
import datetime as dt

import pytest

from conftest import KELURAHAN

NAMA = "Siti Aminah Uji"
NIK = "9971029912310001"
MARCH_24 = dt.date(2025, 3, 24)


def assert_private(error, *secrets):
    text = " ".join(str(v) for v in error.to_dict().values()) + error.message()
    for secret in secrets:
        assert str(secret) not in text, f"{secret!r} echoed in: {error.message()}"


# --- what is accepted --------------------------------------------------------

def test_a_clean_sheet_has_no_errors_and_every_row_counts(check, rows):
    result = check(peserta=[rows.peserta(), rows.peserta()], wilayah=[rows.wilayah()])
    assert result.errors == []
    assert [r["baris"] for r in result.tables["peserta"]] == [2, 3]
    assert result.rows_in_error["peserta"] == 0


def test_headers_match_in_any_case_and_spacing(check, rows):
    messy = {
        "peserta": ["  nik", "NAMA", "Kelurahan ", "SEGMEN", "pekerjaan", "Program", "MULAI",
                    " Berlaku Sampai ", "Sumber-Dana", "id donatur", "Iuran  Bulanan"],
        "wilayah": ["KELURAHAN", "Jumlah RT", "jumlah_rw", "Pengurus RT/RW", "target pekerja rentan"],
    }
    result = check(headers=messy, peserta=[rows.peserta(iuran_bulanan="Rp16.800")],
                   wilayah=[rows.wilayah(pengurus_rt_rw=7)])
    assert result.errors == []
    assert result.tables["peserta"][0]["iuran_bulanan"] == 16800
    assert result.tables["peserta"][0]["berlaku_sampai"] == dt.date(2026, 12, 31)
    assert result.tables["wilayah"][0]["pengurus_rt_rw"] == 7


def test_columns_are_found_by_their_header_in_any_order_and_extra_columns_are_ignored(check, rows):
    header = rows.titles("peserta")
    row = rows.peserta(nama=NAMA)
    order = list(reversed(range(len(header))))
    result = check(headers={"peserta": ["Alamat", "No HP"] + [header[i] for i in order]},
                   peserta=[["Jl. Contoh 1", "081234567890"] + [row[i] for i in order]])
    assert result.errors == []
    kept = result.tables["peserta"][0]
    assert kept["nama"] == NAMA and kept["kelurahan"] == KELURAHAN["Potrobangsan"]
    assert "alamat" not in kept and "no_hp" not in kept


@pytest.mark.parametrize("segmen", ["PEKERJA RENTAN", "pekerja_rentan", " Pekerja Rentan "])
def test_segmen_values_match_case_and_punctuation_insensitively(check, rows, segmen):
    result = check(peserta=[rows.peserta(segmen=segmen)])
    assert result.errors == []
    assert result.tables["peserta"][0]["segmen"] == "pekerja rentan"


@pytest.mark.parametrize("column, typed, canonical", [
    ("segmen", "PENGURUS RT RW", "pengurus RT/RW"),
    ("segmen", "pengurus_rt/rw", "pengurus RT/RW"),
    ("program", "jkk + jkm + jht", "JKK+JKM+JHT"),
    ("sumber_dana", "Mandiri", "mandiri"),
    ("sumber_dana", "apbd", "APBD"),
])
def test_enum_values_are_stored_in_their_canonical_spelling(check, rows, column, typed, canonical):
    result = check(peserta=[rows.peserta(**{column: typed})])
    assert result.errors == []
    assert result.tables["peserta"][0][column] == canonical


@pytest.mark.parametrize("typed", ["16.800", "Rp16.800", "Rp 16.800", 16800, 16800.0, "16800"])
def test_iuran_is_read_from_a_number_or_indonesian_text(check, rows, typed):
    result = check(peserta=[rows.peserta(iuran_bulanan=typed)])
    assert result.errors == []
    assert result.tables["peserta"][0]["iuran_bulanan"] == 16800


def test_large_and_decimal_numbers_use_indonesian_marks(check, rows):
    result = check(wilayah=[rows.wilayah(target_pekerja_rentan="1.234.567", pengurus_rt_rw="1.234")],
                   santunan=[rows.santunan(jumlah="Rp 42.000.000,50")])
    assert result.errors == []
    assert result.tables["wilayah"][0]["target_pekerja_rentan"] == 1234567
    assert result.tables["wilayah"][0]["pengurus_rt_rw"] == 1234
    assert result.tables["santunan"][0]["jumlah"] == 42_000_000.5


@pytest.mark.parametrize("typed", [MARCH_24, dt.datetime(2025, 3, 24), 45740, 45740.0,
                                   "24/03/2025", "2025-03-24", "24 Maret 2025"])
def test_dates_are_read_in_every_allowed_form(check, rows, typed):
    result = check(peserta=[rows.peserta(mulai=typed, berlaku_sampai="23/03/2026")],
                   santunan=[rows.santunan(tanggal=typed)])
    assert result.errors == []
    assert result.tables["peserta"][0]["mulai"] == MARCH_24
    assert result.tables["santunan"][0]["tanggal"] == MARCH_24


@pytest.mark.parametrize("typed", ["Potrobangsan", "POTROBANGSAN", "  potrobangsan ", "33.71.02.1004",
                                   "3371021004"])
def test_kelurahan_by_name_or_code_is_stored_as_its_kemendagri_code(check, rows, typed):
    result = check(peserta=[rows.peserta(kelurahan=typed)], wilayah=[rows.wilayah(kelurahan=typed)],
                   santunan=[rows.santunan(kelurahan=typed)])
    assert result.errors == []
    for tab in ("peserta", "wilayah", "santunan"):
        assert result.tables[tab][0]["kelurahan"] == "33.71.02.1004"


@pytest.mark.parametrize("typed, shown, warned", [
    ("ya", True, False), ("YA", True, False), (" Ya ", True, False), ("tidak", False, False),
    ("iya", False, True), (None, False, False), ("boleh", False, True)])
def test_a_donor_is_shown_only_when_tampilkan_nama_is_ya(check, rows, typed, shown, warned):
    result = check(donatur=[rows.donatur(tampilkan_nama=typed)])
    assert [e for e in result.errors if e.is_error] == []
    # anything but a clear ya or tidak is read as tidak, and the editor is told so
    assert [e.code for e in result.errors] == (["persetujuan-tidak-jelas"] if warned else [])
    assert (result.tables["donatur"][0]["tampilkan_nama"] == "ya") is shown


def test_optional_cells_may_be_empty_and_trailing_empty_cells_may_be_missing(check, rows):
    short = rows.peserta(pekerjaan=None, iuran_bulanan=None, id_donatur=None)[:9]  # ends at Sumber Dana
    result = check(peserta=[short])
    assert result.errors == []
    assert result.tables["peserta"][0]["iuran_bulanan"] is None


def test_the_santunan_tab_is_optional(check, rows):
    result = check(omit=("santunan",), peserta=[rows.peserta()])
    assert result.errors == [] and not result.structural
    assert result.tables["santunan"] == []


def test_an_optional_column_may_be_left_out(check, rows):
    header = rows.titles("peserta")
    keep = [i for i, title in enumerate(header) if title not in ("Pekerjaan", "Iuran Bulanan")]
    row = rows.peserta()
    result = check(headers={"peserta": [header[i] for i in keep]}, peserta=[[row[i] for i in keep]])
    assert result.errors == []
    assert result.tables["peserta"][0]["pekerjaan"] is None


# --- blank rows and row numbers ----------------------------------------------

def test_blank_rows_are_skipped_and_rows_keep_their_sheet_numbers(check, rows):
    blank, spaces = [None] * 11, ["  ", "", None, " "]
    result = check(peserta=[rows.peserta(), blank, spaces, [], rows.peserta(nama="")])
    assert [r["baris"] for r in result.tables["peserta"]] == [2]
    assert [(e.row, e.column) for e in result.errors] == [(6, "Nama")]
    assert result.rows_in_error["peserta"] == 1


def test_rows_above_the_header_shift_the_numbers_as_in_the_sheet(check, rows):
    header = rows.titles("peserta")
    result = check(headers={"peserta": [None] * 3}, peserta=[header, rows.peserta(), rows.peserta(nama="")])
    # row 1 blank, header on row 2, data on rows 3 and 4
    assert [r["baris"] for r in result.tables["peserta"]] == [3]
    assert [(e.row, e.column) for e in result.errors] == [(4, "Nama")]


# --- row errors: each rule --------------------------------------------------

ROW_ERRORS = {
    # case: (overrides of the peserta row on sheet row 3, column named in the error)
    "nik of 15 digits": (dict(nik="997102991231000"), "NIK"),
    "nik of 17 digits": (dict(nik="99710299123100011"), "NIK"),
    "nik with letters": (dict(nik="99710299123100AB"), "NIK"),
    "nik as a number cell": (dict(nik=9971029912310001), "NIK"),
    "nik as a float number cell": (dict(nik=9971029912310001.0), "NIK"),
    "nik empty": (dict(nik=None), "NIK"),
    "empty nama": (dict(nama=None), "Nama"),
    "nama of spaces": (dict(nama="   "), "Nama"),
    "unknown kelurahan": (dict(kelurahan="Kampung Entah"), "Kelurahan"),
    "kelurahan of another kecamatan": (dict(kelurahan="Cacaban"), "Kelurahan"),
    "kelurahan of another kabupaten": (dict(kelurahan="Gondoriyo"), "Kelurahan"),
    "code of another kecamatan's kelurahan": (dict(kelurahan="33.71.03.1002"), "Kelurahan"),
    "empty kelurahan": (dict(kelurahan=None), "Kelurahan"),
    "segmen not in the list": (dict(segmen="pekerja tetap"), "Segmen"),
    "program not in the list": (dict(program="JKK"), "Program"),
    "sumber_dana not in the list": (dict(sumber_dana="hibah"), "Sumber Dana"),
    "impossible mulai": (dict(mulai="31/02/2025"), "Mulai"),
    "unreadable mulai": (dict(mulai="awal tahun"), "Mulai"),
    "unreadable berlaku_sampai": (dict(berlaku_sampai="Desember"), "Berlaku Sampai"),
    "empty mulai": (dict(mulai=None), "Mulai"),
    "berlaku_sampai before mulai": (dict(mulai=dt.date(2026, 3, 1), berlaku_sampai=dt.date(2026, 2, 28)),
                                    "Berlaku Sampai"),
    "donatur with empty id_donatur": (dict(sumber_dana="donatur", id_donatur=None), "ID Donatur"),
    "CSR with empty id_donatur": (dict(sumber_dana="CSR", id_donatur=None), "ID Donatur"),
    "donatur with unknown id_donatur": (dict(sumber_dana="donatur", id_donatur="D046"), "ID Donatur"),
    "CSR with unknown id_donatur": (dict(sumber_dana="CSR", id_donatur="D999"), "ID Donatur"),
    "unreadable iuran": (dict(iuran_bulanan="enam belas ribu"), "Iuran Bulanan"),
    "negative iuran": (dict(iuran_bulanan="-16.800"), "Iuran Bulanan"),
}


@pytest.mark.parametrize("overrides, column", ROW_ERRORS.values(), ids=ROW_ERRORS.keys())
def test_a_row_breaking_a_rule_is_reported_by_tab_row_and_column_and_left_out(
        check, rows, assert_indonesian, overrides, column):
    bad = rows.peserta(**{"nik": NIK, "nama": NAMA, **overrides})
    result = check(peserta=[rows.peserta(), bad, rows.peserta()], donatur=[rows.donatur(id="D001")])

    assert len(result.errors) == 1, [e.message() for e in result.errors]
    error = result.errors[0]
    assert (error.tab, error.row, error.column) == ("peserta", 3, column)
    assert error.problem and error.fix
    assert_indonesian(error.message())
    assert_private(error, NIK, NAMA, int(NIK))
    assert [r["baris"] for r in result.tables["peserta"]] == [2, 4]
    assert result.rows_in_error["peserta"] == 1


def test_a_duplicate_nik_is_an_error_on_the_later_row_and_the_first_one_counts(check, rows, assert_indonesian):
    result = check(peserta=[rows.peserta(nik=NIK, kelurahan="Wates"), rows.peserta(),
                            rows.peserta(nik=NIK, nama=NAMA, kelurahan="Kedungsari")])
    [error] = result.errors
    assert (error.tab, error.row, error.column) == ("peserta", 4, "NIK")
    assert "baris 2" in error.problem  # where the editor finds the first one
    assert_indonesian(error.message())
    assert_private(error, NIK, NAMA)
    assert [(r["baris"], r["kelurahan"]) for r in result.tables["peserta"]] == [
        (2, KELURAHAN["Wates"]), (3, KELURAHAN["Potrobangsan"])]


def test_a_nik_with_spaces_typed_as_text_counts_as_its_16_digits(check, rows):
    result = check(peserta=[rows.peserta(nik="9971 0299 1231 0001")])
    assert result.errors == []


def test_one_row_with_several_errors_is_one_row_waiting_for_a_fix(check, rows):
    result = check(peserta=[rows.peserta(nama="", segmen="x", program="y", mulai="z")])
    assert {e.column for e in result.errors} == {"Nama", "Segmen", "Program", "Mulai"}
    assert {e.row for e in result.errors} == {2}
    assert result.rows_in_error["peserta"] == 1
    assert result.tables["peserta"] == []


def test_each_cell_is_reported_once(check, rows):
    result = check(peserta=[rows.peserta(mulai="31/02/2025")])
    assert [(e.row, e.column) for e in result.errors] == [(2, "Mulai")]


def test_errors_are_listed_in_tab_row_and_column_order(check, rows):
    result = check(peserta=[rows.peserta(program="x"), rows.peserta(nama="", kelurahan="Entah")],
                   donatur=[rows.donatur(jenis="x")], wilayah=[rows.wilayah(kelurahan="Entah")])
    assert [(e.tab, e.row, e.column) for e in result.errors] == [
        ("peserta", 2, "Program"), ("peserta", 3, "Nama"), ("peserta", 3, "Kelurahan"),
        ("donatur", 2, "Jenis"), ("wilayah", 2, "Kelurahan")]


def test_the_column_is_named_as_the_editor_typed_its_header(check, rows):
    header = rows.titles("peserta")
    header[1] = " NAMA "
    result = check(headers={"peserta": header}, peserta=[rows.peserta(nama="")])
    assert [e.column for e in result.errors] == ["NAMA"]


# --- errors in the other tabs -------------------------------------------------

def test_a_typo_in_a_donor_row_that_does_not_identify_the_donor_keeps_their_workers(check, rows):
    # The donor row waits for its fix; the worker it pays for still counts.
    result = check(peserta=[rows.peserta(sumber_dana="donatur", id_donatur="D001")],
                   donatur=[rows.donatur(id="D001", jenis="dermawan")])
    assert {(e.tab, e.row, e.column) for e in result.errors} == {("donatur", 2, "Jenis")}
    assert [r["id_donatur"] for r in result.tables["peserta"]] == ["D001"]


def test_a_worker_whose_donor_id_is_itself_wrong_waits(check, rows):
    result = check(peserta=[rows.peserta(sumber_dana="donatur", id_donatur="D 001")],
                   donatur=[rows.donatur(id="D 001")])
    assert {(e.tab, e.row, e.column) for e in result.errors} == {("donatur", 2, "ID"), ("peserta", 2, "ID Donatur")}
    assert result.tables["peserta"] == []


@pytest.mark.parametrize("tab, overrides, column", [
    ("donatur", dict(id=None), "ID"),
    ("donatur", dict(jenis="dermawan"), "Jenis"),
    ("donatur", dict(periode_bayar=5), "Periode Bayar"),
    ("wilayah", dict(kelurahan="Cacaban"), "Kelurahan"),
    ("wilayah", dict(target_pekerja_rentan="banyak"), "Target Pekerja Rentan"),
    ("wilayah", dict(pengurus_rt_rw=-3), "Pengurus RT/RW"),
    ("wilayah", dict(jumlah_rt=2.5), "Jumlah RT"),
    ("santunan", dict(program="bantuan"), "Program"),
    ("santunan", dict(tanggal="kemarin"), "Tanggal"),
    ("santunan", dict(jumlah=None), "Jumlah"),
])
def test_rows_of_the_other_tabs_are_checked_too(check, rows, assert_indonesian, tab, overrides, column):
    make = getattr(rows, tab)
    distinct = {"wilayah": {"kelurahan": "Wates"}, "donatur": {"id": "D002"}}.get(tab, {})
    result = check(**{tab: [make(), make(**{**distinct, **overrides})]})
    [error] = result.errors
    assert (error.tab, error.row, error.column) == (tab, 3, column)
    assert_indonesian(error.message())
    assert result.rows_in_error[tab] == 1
    assert [r["baris"] for r in result.tables[tab]] == [2]


def test_a_donor_id_used_twice_is_an_error_on_the_later_row(check, rows):
    result = check(donatur=[rows.donatur(id="D001"), rows.donatur(id="D001", nama="Donatur Lain")])
    [error] = result.errors
    assert (error.tab, error.row, error.column) == ("donatur", 3, "ID")
    assert "Donatur Lain" not in error.message()


def test_a_kelurahan_listed_twice_in_the_wilayah_tab_is_an_error(check, rows):
    result = check(wilayah=[rows.wilayah(kelurahan="Wates"), rows.wilayah(kelurahan="Wates")])
    assert [(e.tab, e.row, e.column) for e in result.errors] == [("wilayah", 3, "Kelurahan")]


ISSUE_11 = "issue 11: "


@pytest.mark.parametrize("again", [KELURAHAN["Wates"], KELURAHAN["Wates"].replace(".", ""), "WATES", "Kel. Wates"])
def test_a_kelurahan_typed_again_by_code_or_spelling_is_an_error_and_the_first_row_counts(
        check, rows, assert_indonesian, again):
    result = check(wilayah=[rows.wilayah(kelurahan="Wates", target_pekerja_rentan=7),
                            rows.wilayah(kelurahan="Potrobangsan", target_pekerja_rentan=5),
                            rows.wilayah(kelurahan=again, target_pekerja_rentan=70)])
    [error] = result.errors
    assert (error.tab, error.row, error.column) == ("wilayah", 4, "Kelurahan")
    assert "baris 2" in error.problem and "pertama" in error.fix
    assert_indonesian(error.message())
    assert [(r["kelurahan"], r["target_pekerja_rentan"]) for r in result.tables["wilayah"]] == [
        (KELURAHAN["Wates"], 7), (KELURAHAN["Potrobangsan"], 5)]


# --- never echo a NIK or a name ------------------------------------------------

def test_a_nik_typed_into_another_column_is_not_echoed(check, rows):
    result = check(peserta=[rows.peserta(nik=NIK, mulai=NIK)])
    [error] = result.errors
    assert error.column == "Mulai"
    assert_private(error, NIK)


def test_a_name_typed_into_another_column_is_not_echoed(check, rows):
    result = check(peserta=[rows.peserta(nama=NAMA, kelurahan=NAMA)])
    [error] = result.errors
    assert error.column == "Kelurahan"
    assert_private(error, NAMA)


def test_a_hidden_donors_name_is_never_echoed(check, rows):
    result = check(donatur=[rows.donatur(nama="Haji Donatur Rahasia", tampilkan_nama="tidak", jenis="x")])
    [error] = result.errors
    assert_private(error, "Haji Donatur Rahasia")


# --- structural errors -----------------------------------------------------

@pytest.mark.parametrize("tab", ["peserta", "donatur", "wilayah"])
def test_a_missing_required_tab_is_a_structural_error(check, rows, assert_indonesian, tab):
    result = check(omit=(tab,), peserta=[rows.peserta()])
    assert result.structural
    [error] = result.errors
    assert (error.tab, error.row, error.column) == (tab, None, None)
    assert tab in error.problem and "data lama" in error.fix
    assert_indonesian(error.message())
    assert result.tables == {}  # nothing of a broken sheet is used


def test_tab_names_match_in_any_case(check, rows, wilayah, contract):
    from lindung.pull.sources import RawWorkbook
    from lindung.pull.validate import validate_workbook

    raw = RawWorkbook({" Peserta ": [rows.titles("peserta"), rows.peserta()],
                       "DONATUR": [rows.titles("donatur")], "Wilayah": [rows.titles("wilayah")]})
    result = validate_workbook(raw, "33.71.02", wilayah, contract)
    assert result.errors == []
    assert len(result.tables["peserta"]) == 1


@pytest.mark.parametrize("tab, title", [
    ("peserta", "NIK"), ("peserta", "Nama"), ("peserta", "Kelurahan"), ("peserta", "Segmen"),
    ("peserta", "Program"), ("peserta", "Mulai"), ("peserta", "Berlaku Sampai"), ("peserta", "Sumber Dana"),
    ("donatur", "ID"), ("donatur", "Tampilkan Nama"),
    ("wilayah", "Kelurahan"), ("wilayah", "Pengurus RT/RW"), ("wilayah", "Target Pekerja Rentan"),
    ("santunan", "Jumlah"),
])
def test_a_missing_required_column_is_a_structural_error(check, rows, assert_indonesian, tab, title):
    header = rows.titles(tab)
    index = header.index(title)
    row = getattr(rows, tab)()
    result = check(headers={tab: header[:index] + header[index + 1:]},
                   **{tab: [row[:index] + row[index + 1:]]})
    assert result.structural
    [error] = [e for e in result.errors if e.row is None]
    assert (error.tab, error.column) == (tab, title)
    assert title in error.problem and "data lama" in error.fix
    assert_indonesian(error.message())


def test_an_empty_tab_with_no_header_is_a_structural_error(check, rows):
    result = check(headers={"wilayah": []})
    assert result.structural
    assert {e.column for e in result.errors} == {"Kelurahan", "Pengurus RT/RW", "Target Pekerja Rentan"}
