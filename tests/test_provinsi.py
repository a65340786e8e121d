"""All of Indonesia: lindung.toml chooses the provinces, and with more than
one the site has a province level above kabupaten/kota.

The three-province project uses a small official list cut from
registry/wilayah/ (three kabupaten/kota of Jawa Tengah, DI Yogyakarta and
Jawa Timur, two kecamatan each), lists some of those kecamatan with workers
whose count is known here, and checks the built site against that count:
each province is the sum of its kabupaten/kota, the home page the sum of the
provinces.
"""
from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from conftest import AS_OF, ROOT, SCHEMA_DIR, Project, Rows, copy_project
from lindung import config as config_module
from lindung.contract import load as load_contract
from lindung import wilayah as wilayah_module
from lindung.build.slug import slugify

WILAYAH = ROOT / "registry" / "wilayah"
PROVINCES = {"33": "Jawa Tengah", "34": "Daerah Istimewa Yogyakarta", "35": "Jawa Timur"}
WHOLE = "Jawa Tengah, Daerah Istimewa Yogyakarta dan Jawa Timur"
ACTIVE = dt.date(2026, 1, 1), dt.date(2026, 12, 31)
LAPSED = dt.date(2025, 1, 1), dt.date(2025, 12, 31)


def read(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def write(path: Path, rows: list[dict[str, str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def small_list(folder: Path) -> dict[str, list[dict[str, str]]]:
    """registry/wilayah/ cut down to three kabupaten/kota of each chosen
    province and two kecamatan of each (provinces.csv stays whole, so three
    provinces are not "all of Indonesia"); returns the kecamatan per province."""
    regencies = [r for r in read(WILAYAH / "regencies.csv") if r["province_code"] in PROVINCES]
    regencies = [r for p in PROVINCES for r in [r for r in regencies if r["province_code"] == p][:3]]
    kept = {r["code"] for r in regencies}
    districts = [d for d in read(WILAYAH / "districts.csv") if d["regency_code"] in kept]
    districts = [d for r in sorted(kept) for d in [d for d in districts if d["regency_code"] == r][:2]]
    codes = {d["code"] for d in districts}
    write(folder / "regencies.csv", regencies)
    write(folder / "districts.csv", districts)
    write(folder / "villages.csv", [v for v in read(WILAYAH / "villages.csv") if v["district_code"] in codes])
    return {p: [d for d in districts if d["code"].startswith(p + ".")] for p in PROVINCES}


def choose(project: Project, codes: list[str]) -> None:
    toml = project.root / "lindung.toml"
    text = toml.read_text(encoding="utf-8")
    chosen = "provinsi = [" + ", ".join(f'"{c}"' for c in codes) + "]"
    toml.write_text(re.sub(r"^provinsi = \[.*\]$", chosen, text, flags=re.M), encoding="utf-8")
    project._config = None


@pytest.fixture(scope="module")
def three(tmp_path_factory, wilayah_loaded_once):
    """The built three-province project, and the active pekerja rentan and
    targets written into it, per kecamatan."""
    rows = Rows(load_contract(SCHEMA_DIR).descriptors())
    project = Project(copy_project(tmp_path_factory.mktemp("tiga") / "proyek"), rows)
    kecamatan = small_list(project.registry / "wilayah")
    choose(project, list(PROVINCES))
    villages = {}
    for v in read(project.registry / "wilayah" / "villages.csv"):
        villages.setdefault(v["district_code"], []).append(v["code"])
    expected: dict[str, tuple[int, int]] = {}
    for number, district in enumerate(d for p in PROVINCES for d in kecamatan[p]):
        kode = district["code"]
        if number % 4 == 3:
            continue  # not listed: the kabupaten/kota shows it as without a sheet
        first = villages[kode][0]  # typed by its code
        active, target = number % 5 + 1, 10 + number
        peserta = [rows.peserta(kelurahan=first, mulai=ACTIVE[0], berlaku_sampai=ACTIVE[1]) for _ in range(active)]
        peserta.append(rows.peserta(kelurahan=first, mulai=LAPSED[0], berlaku_sampai=LAPSED[1]))
        project.add(kode, **{"peserta": peserta,
                             "wilayah": [rows.wilayah(kelurahan=first, target_pekerja_rentan=target)]})
        expected[kode] = (active, target)
    project.pull()
    project.build()
    return project, expected


def by_province(expected: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
    sums: dict[str, Counter] = {p: Counter() for p in PROVINCES}
    for kode, (active, target) in expected.items():
        sums[kode[:2]].update(aktif=active, target=target)
    return {p: (c["aktif"], c["target"]) for p, c in sums.items()}


def test_the_figures_have_a_province_level_that_sums_its_kabupaten_and_the_whole_sums_the_provinces(three):
    project, expected = three
    figures = project.figures(AS_OF)
    assert figures.banyak_provinsi
    assert [(p.place.kode, p.place.nama) for p in figures.daftar_provinsi] == list(PROVINCES.items())
    recount = by_province(expected)
    for provinsi in figures.daftar_provinsi:
        assert (provinsi.place.rentan.aktif, provinsi.place.rentan.target) == recount[provinsi.place.kode]
        assert provinsi.place.rentan.aktif == sum(k.place.rentan.aktif for k in provinsi.kabupaten)
        assert all(k.place.kode.startswith(provinsi.place.kode + ".") for k in provinsi.kabupaten)
        assert provinsi.jangkauan.kecamatan_resmi == 6 and provinsi.jangkauan.kabupaten_resmi == 3
    whole = figures.provinsi
    assert whole.nama == WHOLE
    assert (whole.rentan.aktif, whole.rentan.target) == (sum(a for a, _ in recount.values()),
                                                        sum(t for _, t in recount.values()))
    assert figures.jangkauan.kecamatan_resmi == 18 and figures.jangkauan.provinsi_resmi == 3


def test_the_published_data_has_a_row_per_province_and_a_provinsi_column(three):
    project, expected = three
    data = project.site / "data"
    recount = by_province(expected)
    provinces = read(data / "provinsi.csv")
    assert [(r["kode"], r["provinsi"]) for r in provinces] == list(PROVINCES.items())
    for row in provinces:
        assert (int(row["pekerja_rentan_aktif"]), int(row["target_pekerja_rentan"])) == recount[row["kode"]]
    kabupaten = read(data / "kabupaten_kota.csv")
    for name in PROVINCES.values():
        assert sum(int(r["pekerja_rentan_aktif"]) for r in kabupaten if r["provinsi"] == name) == \
            next(int(r["pekerja_rentan_aktif"]) for r in provinces if r["provinsi"] == name)
    kecamatan = read(data / "kecamatan.csv")
    assert {r["kode"]: PROVINCES[r["kode"][:2]] for r in kecamatan} == {r["kode"]: r["provinsi"] for r in kecamatan}
    assert {r["provinsi"] for r in read(data / "kelurahan.csv")} == set(PROVINCES.values())


def test_each_province_has_its_page_card_and_place_in_the_leaderboard_and_breadcrumbs(three):
    project, expected = three
    site = project.site
    figures = project.figures(AS_OF)
    home = (site / "index.html").read_text(encoding="utf-8")
    total = figures.provinsi.rentan.aktif
    assert f"<h1>Perlindungan pekerja rentan di {WHOLE}</h1>" in home
    assert f"{sum(1 for _ in expected)} dari 18 kecamatan</strong> di {WHOLE}" in home
    assert "3 dari 3 provinsi" in home
    assert (site / "static" / "kartu" / f"{slugify(WHOLE)}.png").is_file()
    ranking = (site / "peringkat" / "index.html").read_text(encoding="utf-8")
    assert "Peringkat provinsi" in ranking
    for provinsi in figures.daftar_provinsi:
        slug = slugify(provinsi.place.nama)
        assert provinsi.place.path == f"wilayah/{slug}/"
        page = (site / "wilayah" / slug / "index.html").read_text(encoding="utf-8")
        assert f"<h1>Provinsi {provinsi.place.nama}</h1>" in page
        assert all(k.place.nama in page for k in provinsi.kabupaten)
        assert (site / "static" / "kartu" / f"wilayah-{slug}.png").is_file()
        assert f'href="../wilayah/{slug}/">{provinsi.place.nama}</a>' in ranking
        for kabupaten in provinsi.kabupaten:
            assert kabupaten.place.path.startswith(f"wilayah/{slug}/")
            assert kabupaten.donatur_path == "donatur/" + kabupaten.place.path.removeprefix("wilayah/")
            assert (site / kabupaten.donatur_path / "index.html").is_file()
            for kecamatan in kabupaten.kecamatan:
                text = (site / kecamatan.place.path / "index.html").read_text(encoding="utf-8")
                crumbs = re.search(r'<nav class="remah".*?</nav>', text, re.S).group(0)
                assert re.findall(r">([^<>]+)</a>", crumbs) == ["Wilayah", provinsi.place.nama, kabupaten.place.nama]
    assert total == sum(p.place.rentan.aktif for p in figures.daftar_provinsi)


def test_no_page_names_jawa_tengah_unless_it_is_the_subject(three):
    project, _ = three
    site = project.site
    elsewhere = [site / "wilayah" / "jawa-timur", site / "wilayah" / "daerah-istimewa-yogyakarta",
                 site / "donatur" / "jawa-timur", site / "donatur" / "daerah-istimewa-yogyakarta"]
    pages = [page for folder in elsewhere for page in folder.rglob("*.html")]
    assert len(pages) > 10
    assert [p for p in pages if "Jawa Tengah" in p.read_text(encoding="utf-8")] == []
    assert "Jawa Tengah" in (site / "wilayah" / "jawa-tengah" / "index.html").read_text(encoding="utf-8")


def test_a_site_of_one_other_province_never_names_jawa_tengah(project, rows):
    choose(project, ["35"])
    toml = project.root / "lindung.toml"  # the operator's own words (the site's description) too
    toml.write_text(toml.read_text(encoding="utf-8").replace("Jawa Tengah", "Jawa Timur"), encoding="utf-8")
    kode = "35.78.01"  # a kecamatan of Kota Surabaya
    first = project.config().wilayah.kecamatan[kode].kelurahan[0].kode
    project.add(kode, peserta=[rows.peserta(kelurahan=first)], wilayah=[rows.wilayah(kelurahan=first)])
    project.pull()
    project.build()
    pages = list(project.site.rglob("*.html"))
    assert (project.site / "wilayah" / "kota-surabaya" / slugify(project.config().wilayah.kecamatan[kode].nama)
            / "index.html").is_file()  # one province: the paths of the one-province site
    assert "Perlindungan pekerja rentan di Jawa Timur" in (project.site / "index.html").read_text(encoding="utf-8")
    assert [p.relative_to(project.site) for p in pages if "Jawa Tengah" in p.read_text(encoding="utf-8")] == []
    assert (project.site / "static" / "kartu" / "jawa-timur.png").is_file()
    assert [r["provinsi"] for r in read(project.site / "data" / "provinsi.csv")] == ["Jawa Timur"]


def test_nothing_in_the_code_templates_or_content_names_a_province():
    # Province names come from registry/wilayah/provinces.csv, through lindung.toml.
    found = [path.relative_to(ROOT) for folder in ("lindung", "templates", "content")
             for path in (ROOT / folder).rglob("*") if path.suffix in (".py", ".html", ".md", ".js", ".css")
             and re.search(r"Jawa Tengah|jawa-tengah", path.read_text(encoding="utf-8"))]
    assert found == []


# --- lindung.toml and the list ---------------------------------------------------------------

def test_a_kecamatan_outside_the_chosen_provinces_is_refused_naming_its_row(project, rows, assert_indonesian):
    project.add("33.71.02", peserta=[rows.peserta()])
    project.add("36.71.01", sumber="sheets/x.xlsx")  # Kota Tangerang, Banten
    with pytest.raises(config_module.ConfigError) as refused:
        project.config()
    [problem] = refused.value.problems
    assert problem.startswith("registry/sources.csv baris 3: kode 36.71.01 ada di Provinsi Banten")
    assert '"36"' in problem and "[wilayah] provinsi" in problem
    assert_indonesian(problem)
    choose(project, ["33", "36"])
    assert {s.kode for s in project.config().sources} == {"33.71.02", "36.71.01"}


@pytest.mark.parametrize("setting, named", [
    ('provinsi = ["33", "99"]', "[wilayah] provinsi: 99 bukan kode provinsi"),
    ('provinsi = "33"', '[wilayah] provinsi = "33": harus daftar teks'),
    ("provinsi = [33]", "[wilayah] provinsi = [33]: harus daftar teks"),
])
def test_a_wrong_province_setting_is_named(project, assert_indonesian, setting, named):
    toml = project.root / "lindung.toml"
    toml.write_text(re.sub(r"^provinsi = .*$", setting, toml.read_text(encoding="utf-8"), flags=re.M),
                    encoding="utf-8")
    with pytest.raises(config_module.ConfigError) as refused:
        config_module.load(project.root, {})
    [problem] = refused.value.problems
    assert named in problem
    assert_indonesian(problem)


def test_without_a_choice_the_site_covers_all_of_indonesia(project):
    toml = project.root / "lindung.toml"
    toml.write_text(re.sub(r"^provinsi = .*$", "", toml.read_text(encoding="utf-8"), flags=re.M), encoding="utf-8")
    areas = config_module.load(project.root, {}).wilayah
    assert (len(areas.provinsi), len(areas.kabupaten), len(areas.kecamatan)) == (38, 514, 7285)
    assert sum(len(k.kelurahan) for k in areas.kecamatan.values()) == 83762
    assert areas.nama == "Indonesia"


def test_loading_keeps_the_chosen_provinces_only_also_from_an_unsorted_list(tmp_path):
    folder = tmp_path / "wilayah"
    shutil.copytree(WILAYAH, folder)
    with open(folder / "villages.csv", "a", encoding="utf-8") as handle:  # an operator's line at the end
        handle.write("34.71.01.1099,34.71.01,Desa Contoh Tambahan\n")
    areas = wilayah_module.load(folder, ["34", "33"])
    assert list(areas.provinsi) == ["33", "34"]
    assert {k.split(".")[0] for k in areas.kecamatan} == {"33", "34"}
    assert {k.split(".")[0] for k in areas.kabupaten} == {"33", "34"}
    assert "Desa Contoh Tambahan" in [k.nama for k in areas.kecamatan["34.71.01"].kelurahan]
    assert len([k for k in areas.kecamatan if k.startswith("33.")]) == 576
    kelurahan = areas.kecamatan["33.74.09"].kelurahan  # Gajahmungkur, Kota Semarang: kelurahan, no desa
    assert {k.jenis for k in kelurahan} == {"kelurahan"}
    assert {k.jenis for k in areas.kecamatan["33.22.01"].kelurahan} == {"desa"}  # Getasan, Kabupaten Semarang


@pytest.mark.parametrize("names, official, whole", [
    (["Jawa Tengah"], 38, "Jawa Tengah"),
    (["Jawa Tengah", "Jawa Timur"], 38, "Jawa Tengah dan Jawa Timur"),
    (["Aceh", "Jawa Tengah", "Bali"], 38, "Aceh, Jawa Tengah dan Bali"),
    (["Aceh", "Jawa Tengah", "Bali", "Papua"], 38, "4 provinsi"),
    (["Aceh", "Bali"], 2, "Indonesia"),
])
def test_the_whole_is_named_after_its_provinces(names, official, whole):
    assert wilayah_module.name_of(names, official) == whole
