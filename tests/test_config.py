"""The operator's settings: lindung.toml, registry/sources.csv (validated with
its Frictionless schema), daerah.csv and iuran.csv. Every problem is found in
one go and explained in Indonesian."""
import datetime as dt

import pytest

from lindung.config import ConfigError

HEADER = "kode,kecamatan,kabupaten_kota,sumber\n"
GOOD = "33.71.02,Magelang Utara,Kota Magelang,sheets/33.71.02.xlsx\n"
@pytest.fixture(scope="module")
def repo_config():
    from conftest import ROOT
    from lindung import config as config_module

    return config_module.load(ROOT)


def problems(project, sources_text):
    project.write_sources(sources_text)
    with pytest.raises(ConfigError) as raised:
        project.config()
    return raised.value.problems


def test_a_valid_sources_csv_lists_each_kecamatan(project):
    project.write_sources(HEADER + GOOD + "33.71.03,magelang tengah,Kota Magelang,/abs/33.71.03.xlsx\n")
    config = project.config()
    assert [(s.kode, s.kecamatan, s.kabupaten_kota, s.sumber) for s in config.sources] == [
        ("33.71.02", "Magelang Utara", "Kota Magelang", "sheets/33.71.02.xlsx"),
        ("33.71.03", "magelang tengah", "Kota Magelang", "/abs/33.71.03.xlsx")]


def test_the_repos_own_config_is_valid_and_lists_the_42_demo_kecamatan(repo_config):
    config = repo_config
    assert len(config.sources) == 42
    assert config.site.base_url.endswith("/")
    assert config.site.timezone == "Asia/Jakarta"


def test_daerah_holds_each_kabupatens_program_rate_and_quota(repo_config):
    daerah = repo_config.daerah
    assert daerah["33.71"].iuran_bulanan == 11156
    assert daerah["33.74"].program_lokal == "Gerakan PNS Peduli Pekerja Rentan"
    assert (daerah["33.75"].kuota_apbd, daerah["33.75"].tahun_kuota) == (1000, 2022)
    assert daerah["33.22"].program_lokal == "Kamar Lindung"


def test_rates_are_data_with_the_period_they_hold_for(repo_config):
    iuran = repo_config.iuran
    jkm = [i for i in iuran if i.program == "jkm" and i.berlaku_untuk == "bpu"]
    assert jkm and jkm[0].iuran_bulanan == 6800
    assert all(i.berlaku_mulai is None or isinstance(i.berlaku_mulai, dt.date) for i in iuran)


def test_a_kabupaten_without_a_daerah_row_still_works(project):
    (project.registry / "daerah.csv").unlink()
    project.write_sources(HEADER + GOOD)
    assert project.config().daerah == {}


@pytest.mark.parametrize("header", ["kode,kecamatan,kabupaten_kota\n", "kode,kecamatan,kabupaten,sumber\n",
                                    "kecamatan,kode,kabupaten_kota,sumber\n",
                                    "kode,kecamatan,kabupaten_kota,sumber,catatan\n"])
def test_sources_csv_must_have_exactly_its_four_columns(project, assert_indonesian, header):
    [problem] = problems(project, header + GOOD)
    assert "kode,kecamatan,kabupaten_kota,sumber" in problem
    assert_indonesian(problem)


def test_a_kode_not_in_the_official_list_is_refused(project, assert_indonesian):
    [problem] = problems(project, HEADER + "33.71.99,Magelang Utara,Kota Magelang,x.xlsx\n")
    assert "33.71.99" in problem
    assert_indonesian(problem)


def test_a_kode_with_the_wrong_kecamatan_name_names_the_official_one(project, assert_indonesian):
    [problem] = problems(project, HEADER + "33.71.02,Magelang Tengah,Kota Magelang,x.xlsx\n")
    assert "Magelang Utara" in problem and "Magelang Tengah" in problem
    assert_indonesian(problem)


def test_a_kecamatan_name_cannot_smuggle_a_path(project):
    [problem] = problems(project, HEADER + "33.71.02,../../etc,Kota Magelang,x.xlsx\n")
    assert "33.71.02" in problem


def test_every_problem_is_reported_at_once(project):
    found = problems(project, HEADER + "33.71.99,X,Kota Magelang,x.xlsx\n33.71.02,Y,Kota Magelang,y.xlsx\n")
    assert len(found) == 2


def test_a_missing_sources_csv_is_a_config_error(project, assert_indonesian):
    (project.registry / "sources.csv").unlink()
    with pytest.raises(ConfigError) as raised:
        project.config()
    assert "sources.csv" in str(raised.value) and "tidak ditemukan" in str(raised.value)


@pytest.mark.parametrize("bad_line", [
    pytest.param("3371.02,Magelang Utara,Kota Magelang,x.xlsx\n", id="kode not in 33.71.02 form"),
    pytest.param(GOOD, id="kode listed twice"),
    pytest.param("33.71.03,,Kota Magelang,x.xlsx\n", id="empty kecamatan"),
])
def test_a_row_of_sources_csv_breaking_its_schema_is_explained_in_indonesian(project, assert_indonesian,
                                                                              bad_line):
    found = problems(project, HEADER + GOOD + bad_line)
    assert found
    for problem in found:
        assert "sources.csv" in problem and "baris" in problem
        assert_indonesian(problem)


def test_lindung_toml_sets_the_site_and_the_base_url_always_ends_in_a_slash(project):
    (project.root / "lindung.toml").write_text(
        '[site]\ntitle = "Lindung Uji"\nbase_url = "https://contoh.test/lindung"\n[pull]\nstale_days = 3\n',
        encoding="utf-8")
    project.write_sources(HEADER + GOOD)
    config = project.config()
    assert config.site.title == "Lindung Uji"
    assert config.site.base_url == "https://contoh.test/lindung/"
    assert config.pull.stale_days == 3


def test_a_broken_lindung_toml_is_a_config_error(project):
    (project.root / "lindung.toml").write_text("[site\n", encoding="utf-8")
    project.write_sources(HEADER + GOOD)
    with pytest.raises(ConfigError) as raised:
        project.config()
    assert "lindung.toml" in str(raised.value)


# --- the demo's day and the site's owner ------------------------------------------------

def test_the_shipped_demo_registry_carries_the_day_it_was_made_for(repo_config):
    assert repo_config.demo_as_of == dt.date(2026, 11, 23)
    assert repo_config.as_of_default(dt.date(2030, 1, 1)) == dt.date(2026, 11, 23)
    moment = repo_config.clock(dt.datetime(2030, 1, 1, 9, tzinfo=dt.timezone.utc))
    assert moment.date() == dt.date(2026, 11, 23) and moment.tzinfo == dt.timezone.utc


def test_a_real_registry_is_built_for_today_even_beside_the_demo_file(project):
    from conftest import ROOT

    project.write_sources(HEADER + GOOD)
    (project.registry / "demo").mkdir()
    (project.registry / "demo" / "demo.toml").write_bytes((ROOT / "registry" / "demo" / "demo.toml").read_bytes())
    config = project.config()
    assert config.demo_as_of is None
    assert config.as_of_default(dt.date(2030, 1, 1)) == dt.date(2030, 1, 1)
    now = dt.datetime(2030, 1, 1, 9)
    assert config.clock(now) is now


def test_a_demo_day_that_is_not_a_date_is_a_config_error(project):
    (project.registry / "demo").mkdir()
    (project.registry / "demo" / "demo.toml").write_text('tanggal = "kemarin"\n', encoding="utf-8")
    found = problems(project, HEADER + "33.71.02,Magelang Utara,Kota Magelang,registry/demo/33.71.02.xlsx\n")
    assert any("demo.toml" in p and "tanggal" in p for p in found)


def test_the_site_owner_and_contact_come_from_lindung_toml(project):
    import re

    toml = project.root / "lindung.toml"
    text = re.sub(r'(?m)^(owner|contact_email|contact_phone) = .*\n', "", toml.read_text(encoding="utf-8"))
    toml.write_text(text.replace("[site]\n", '[site]\nowner = "Forum Contoh"\ncontact_email = "halo@contoh.test"\n'
                                 'contact_phone = "0812-0000-1111"\n', 1), encoding="utf-8")
    project.write_sources(HEADER + GOOD)
    site = project.config().site
    assert (site.owner, site.contact_email, site.contact_phone) == ("Forum Contoh", "halo@contoh.test", "0812-0000-1111")


def test_daerah_holds_an_official_measure_apart_from_coverage_and_a_contact(repo_config):
    semarang = repo_config.daerah["33.22"]
    assert float(semarang.keikutsertaan_persen) == 40.69 and semarang.keikutsertaan_per == dt.date(2022, 12, 31)
    assert "ASN" in semarang.keikutsertaan_penyebut and semarang.keikutsertaan_sumber
    assert "Cakupan" not in (semarang.keterangan or "")  # the measure is data, not a rival "Cakupan" in prose
    assert repo_config.daerah["33.74"].kontak and repo_config.daerah["33.71"].kontak is None
