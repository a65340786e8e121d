"""The official list of Jawa Tengah, and matching what editors type to it:
by Kemendagri code or by name, and only kelurahan of the sheet's own kecamatan."""
import pytest

from conftest import KELURAHAN, KODE, KODE_2


def test_the_whole_province_is_listed(wilayah):
    assert len(wilayah.kabupaten) == 35
    assert len(wilayah.kecamatan) == 576
    assert sum(len(k.kelurahan) for k in wilayah.kecamatan.values()) == 8563


def test_a_kecamatan_knows_its_kabupaten_and_every_kelurahan(wilayah):
    kecamatan = wilayah.kecamatan[KODE]
    assert (kecamatan.nama, kecamatan.kabupaten_nama) == ("Magelang Utara", "Kota Magelang")
    assert {k.nama: k.kode for k in kecamatan.kelurahan} == KELURAHAN


@pytest.mark.parametrize("typed", [
    "Potrobangsan", "POTROBANGSAN", "  potrobangsan  ", "Kelurahan Potrobangsan", "Kel. Potrobangsan",
    "33.71.02.1004", "3371021004", 3371021004, 3371021004.0,
])
def test_a_kelurahan_is_found_by_name_or_by_code(wilayah, typed):
    assert wilayah.match_kelurahan(KODE, typed).kode == KELURAHAN["Potrobangsan"]


def test_spacing_inside_a_name_is_folded_away(wilayah):
    assert wilayah.match_kelurahan("33.74.09", "Gajah Mungkur").nama == "Gajahmungkur"


@pytest.mark.parametrize("typed", [
    "Gondoriyo",  # a kelurahan of Ngaliyan, Kota Semarang
    "Cacaban",  # of Magelang Tengah, the neighbouring kecamatan
    "33.71.03.1002",  # Cacaban by code
    "33.74.15.1001",
    "Bandungan",
    "",
    None,
])
def test_only_kelurahan_of_the_sheets_own_kecamatan_match(wilayah, typed):
    assert wilayah.match_kelurahan(KODE, typed) is None


def test_a_name_shared_by_two_kecamatan_matches_the_one_of_this_kecamatan(wilayah):
    # Wates is a kelurahan of both Magelang Utara and Ngaliyan (Kota Semarang)
    assert wilayah.match_kelurahan(KODE, "Wates").kode == "33.71.02.1003"
    assert wilayah.match_kelurahan("33.74.15", "Wates").kode == "33.74.15.1010"


def test_an_unknown_kecamatan_matches_nothing(wilayah):
    assert wilayah.match_kelurahan("99.99.99", "Wates") is None


def test_sources_csv_names_a_kecamatan_by_its_official_name_or_an_alias(wilayah):
    assert wilayah.names_kecamatan(KODE_2, "magelang tengah")
    assert wilayah.names_kecamatan("33.19.02", "Kudus Kota")  # registry/wilayah/alias.csv
    assert not wilayah.names_kecamatan(KODE, "Magelang Tengah")
