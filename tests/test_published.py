"""Published data under site/data/: aggregates only, exact columns, a
datapackage.json that Frictionless validates, and no cell a spreadsheet
would run as a formula."""
import csv
import datetime as dt
import json
import re

import frictionless
import pytest

from conftest import AS_OF, KODE, NOW, Project, Rows, copy_project
from lindung.build import published

FORMULA_START = ("=", "+", "-", "@")
HYPERLINK = '=HYPERLINK("http://contoh.test/jebakan","klik")'
YEAR = dict(mulai=dt.date(2026, 1, 1), berlaku_sampai=dt.date(2026, 12, 31))


@pytest.fixture(scope="module")
def data(tmp_path_factory, schemas):
    """Magelang Utara: Wates has 4 of its 7 workers protected (57,14 %), each
    by a donor; three donors have names or instansi that look like formulas."""
    rows = Rows(schemas)
    project = Project(copy_project(tmp_path_factory.mktemp("terbit") / "proyek"), rows)
    project.add(
        KODE,
        peserta=[rows.peserta(kelurahan="Wates", sumber_dana="donatur", id_donatur=f"D00{i}", **YEAR)
                 for i in range(1, 5)] + [rows.peserta(nama="", kelurahan="Wates", **YEAR)],
        donatur=[rows.donatur(id="D001", nama=HYPERLINK, instansi="-1", tampilkan_nama="ya"),
                 rows.donatur(id="D002", nama="Donatur Contoh Aman", instansi=HYPERLINK, tampilkan_nama="ya"),
                 rows.donatur(id="D003", nama="@SUM(A1:A9)", instansi="+Contoh", tampilkan_nama="ya"),
                 rows.donatur(id="D004", nama="Donatur Contoh Rahasia", instansi="Dinas Contoh",
                              tampilkan_nama="tidak")],
        wilayah=[rows.wilayah(kelurahan="Wates", target_pekerja_rentan=7, pengurus_rt_rw=10),
                 rows.wilayah(kelurahan="Kedungsari", target_pekerja_rentan=None, pengurus_rt_rw=None)],
    )
    project.pull()
    folder = project.root / "data"
    published.write(folder, project.config(), project.figures(AS_OF))
    return folder


def read(folder, name):
    with open(folder / f"{name}.csv", newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


FIGURES = ["pekerja_rentan_aktif", "target_pekerja_rentan", "cakupan_persen", "pengurus_rt_rw_aktif", "pengurus_rt_rw"]
STORIES = ["menunggu_perbaikan", "donatur", "pekerja_dibiayai_donatur", "pekerja_rentan_berakhir_30_hari",
           "pengurus_rt_rw_berakhir_30_hari", "santunan_kali", "santunan_rupiah"]


def test_kecamatan_csv_has_exactly_the_columns_of_the_issue(data):
    # Issue 11: one date vocabulary (angka_per, data_diambil) and the stories as data.
    assert read(data, "kecamatan")[0] == [
        "kode", "kecamatan", "kabupaten_kota", *FIGURES, *STORIES, "data_diambil", "angka_per"]


def test_kecamatan_csv_holds_the_figures(data):
    # Wates: 4 of 7, each paid by its own donor, all paid up to 31 Dec 2026 (ending within 30 days of 23 Nov: none)
    assert read(data, "kecamatan")[1:] == [
        ["33.71.02", "Magelang Utara", "Kota Magelang", "4", "7", "57.14", "0", "10", "1", "4", "4", "0", "0", "0",
         "0.00", NOW.date().isoformat(), AS_OF.isoformat()]]


def test_kelurahan_csv_lists_every_kelurahan_with_an_empty_coverage_where_there_is_no_target(data):
    table = read(data, "kelurahan")
    assert table[0][:4] == ["kode", "kelurahan", "kecamatan", "kabupaten_kota"]
    by_name = {row[1]: dict(zip(table[0], row)) for row in table[1:]}
    assert sorted(by_name) == ["Kedungsari", "Kramat Selatan", "Kramat Utara", "Potrobangsan", "Wates"]
    assert (by_name["Wates"]["pekerja_rentan_aktif"], by_name["Wates"]["cakupan_persen"]) == ("4", "57.14")
    assert by_name["Kedungsari"]["target_pekerja_rentan"] == "" and by_name["Kedungsari"]["cakupan_persen"] == ""
    assert by_name["Potrobangsan"]["pekerja_rentan_aktif"] == "0"


def test_kabupaten_kota_csv_has_the_same_figures_per_kabupaten(data):
    table = read(data, "kabupaten_kota")
    assert table[0] == ["kode", "kabupaten_kota", *FIGURES, *STORIES, "kecamatan_resmi", "kecamatan_berdata",
                        "kuota_apbd", "tahun_kuota", "pekerja_apbd_aktif", "kuota_persen",
                        "keikutsertaan_resmi_persen", "keikutsertaan_resmi_penyebut", "keikutsertaan_resmi_per",
                        "keikutsertaan_resmi_sumber", "angka_per"]
    assert table[1:] == [["33.71", "Kota Magelang", "4", "7", "57.14", "0", "10", "1", "4", "4", "0", "0", "0",
                          "0.00", "3", "1", "", "", "0", "", "", "", "", "", AS_OF.isoformat()]]


def test_donatur_csv_lists_shown_donors_only(data):
    table = read(data, "donatur")
    assert table[0] == ["nama", "instansi", "jenis", "kecamatan", "pekerja_aktif", "bulan_dibayar"]
    assert len(table) == 4
    assert "Donatur Contoh Rahasia" not in (data / "donatur.csv").read_text(encoding="utf-8")


def test_coverage_is_written_with_a_point_and_two_decimals(data):
    for name in ("kecamatan", "kelurahan", "kabupaten_kota"):
        table = read(data, name)
        column = table[0].index("cakupan_persen")
        assert all(re.fullmatch(r"(\d+\.\d\d)?", row[column]) for row in table[1:])


def test_no_cell_starts_like_a_formula(data):
    for name in published.FILES:
        for row in read(data, name)[1:]:
            for cell in row:
                assert not cell.startswith(FORMULA_START), (name, cell)


def test_formula_looking_text_is_kept_readable_behind_an_apostrophe(data):
    cells = {cell for row in read(data, "donatur")[1:] for cell in row}
    assert {"'" + HYPERLINK, "'-1", "'@SUM(A1:A9)", "'+Contoh"} <= cells


def test_the_datapackage_passes_frictionless_validate(data):
    report = frictionless.validate(str(data / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_the_datapackage_describes_every_file_and_its_columns(data):
    package = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))
    for resource in package["resources"]:
        with open(data / resource["path"], newline="", encoding="utf-8") as handle:
            header = next(csv.reader(handle))
        assert [f["name"] for f in resource["schema"]["fields"]] == header
    assert {r["path"] for r in package["resources"]} == {f"{n}.csv" for n in published.FILES}
    assert package["version"] == AS_OF.isoformat()


def test_no_person_level_data_is_published(data):
    text = "".join(p.read_text(encoding="utf-8") for p in sorted(data.iterdir()))
    assert "Pekerja Contoh" not in text
    assert not re.search(r"\d{16}", text)
