"""Reading what an editor typed: headers, enum values, numbers and dates in
every form the sheet contract allows (DESIGN.md, "The sheet contract")."""
import datetime as dt

import pytest

from lindung.pull.cells import CellError, as_text, is_blank, normalise, parse_date, parse_number

MARCH_24 = dt.date(2025, 3, 24)


@pytest.mark.parametrize("typed, name", [
    ("Pengurus RT/RW", "pengurus_rt_rw"),
    (" Berlaku Sampai ", "berlaku_sampai"),
    ("BERLAKU   SAMPAI", "berlaku_sampai"),
    ("berlaku-sampai", "berlaku_sampai"),
    ("ID Donatur", "id_donatur"),
    ("Target Pekerja Rentan (orang)", "target_pekerja_rentan_orang"),
])
def test_a_header_matches_after_lower_casing_and_folding_punctuation_to_one_underscore(typed, name):
    assert normalise(typed) == name


@pytest.mark.parametrize("typed", ["PEKERJA RENTAN", "pekerja_rentan", " Pekerja  Rentan ", "pekerja-rentan"])
def test_enum_values_fold_the_same_way_as_headers(typed):
    assert normalise(typed) == normalise("pekerja rentan")


def test_program_values_fold_with_their_plus_signs():
    assert normalise("jkk + jkm") == normalise("JKK+JKM")
    assert normalise("JKK+JKM+JHT") != normalise("JKK+JKM")


@pytest.mark.parametrize("typed, number", [
    ("16.800", 16800),
    ("Rp16.800", 16800),
    ("Rp 16.800", 16800),
    ("Rp. 16.800", 16800),
    ("Rp 16.800,-", 16800),
    ("rp16.800", 16800),
    ("1.234.567", 1234567),
    ("40,69", 40.69),
    ("16800", 16800),
    (" 11.156 ", 11156),
    (16800, 16800),
    (16800.0, 16800),
    (40.69, 40.69),
])
def test_numbers_are_read_from_number_cells_and_indonesian_text(typed, number):
    value = parse_number(typed)
    assert value == number
    assert type(value) is type(number)  # whole numbers come back as int, not 16800.0


@pytest.mark.parametrize("typed", ["enam belas ribu", "16.80", "1.2345", "16,8.00", "Rp", True])
def test_text_that_is_not_a_number_is_refused_with_an_indonesian_reason(typed):
    with pytest.raises(CellError, match="bukan angka"):
        parse_number(typed)


@pytest.mark.parametrize("typed", [
    MARCH_24,
    dt.datetime(2025, 3, 24, 0, 0),
    45740,  # sheet serial number
    45740.0,
    45740.75,  # a serial with a time of day is still that day
    "24/03/2025",
    "24/3/2025",
    "2025-03-24",
    "24 Maret 2025",
    "24 maret 2025",
    "24 Mar 2025",
    " 24 Maret 2025 ",
])
def test_dates_are_read_from_date_cells_serial_numbers_and_indonesian_text(typed):
    assert parse_date(typed) == MARCH_24


def test_day_first_text_dates_are_not_read_month_first():
    assert parse_date("03/04/2025") == dt.date(2025, 4, 3)


@pytest.mark.parametrize("typed, reason", [
    ("31/02/2025", "tidak ada di kalender"),
    ("kemarin", "format tanggal tidak dikenal"),
    ("24 Maretz 2025", "nama bulan"),
    (0, "bukan tanggal"),
    (True, "bukan tanggal"),
])
def test_an_unreadable_date_is_refused_with_an_indonesian_reason(typed, reason):
    with pytest.raises(CellError, match=reason):
        parse_date(typed)


def test_blank_means_empty_or_only_spaces():
    assert is_blank(None) and is_blank("") and is_blank("   ")
    assert not is_blank(0) and not is_blank("0")


def test_a_whole_number_cell_is_shown_without_a_trailing_point_zero():
    assert as_text(12.0) == "12"
    assert as_text("  D001 ") == "D001"
