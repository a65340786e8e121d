"""Settings checked up front, through the `lindung` command: registry files
saved by Excel (a byte-order mark is fine, Windows-1252 is a config error
naming the file), every key of lindung.toml (unknown section or key, wrong
type, out of range) and every environment variable Lindung reads. Anything
wrong is exit 2 with `Konfigurasi salah: …` naming the setting, before any
sheet is read or any page written; never a traceback."""
import re
from pathlib import Path

import pytest

from conftest import KODE, ROOT
from lindung import config as config_module

BOM = "\ufeff"


@pytest.fixture
def listed(project):
    """One kecamatan listed; its workbook is never written: a run stopped by
    its config must not get as far as reading it."""
    project.add(KODE, sumber="sheets/33.71.02.xlsx")
    return project


@pytest.fixture
def runnable(project, rows):
    project.add(KODE, peserta=[rows.peserta()], wilayah=[rows.wilayah()])
    return project


def refused(result, assert_indonesian) -> list[str]:
    """The problems of a run stopped by its config: exit 2, nothing else."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert lines and all(line.startswith("Konfigurasi salah: ") for line in lines), lines
    for line in lines:
        assert_indonesian(line)
    return lines


# --- registry CSVs saved by Excel ---------------------------------------------------------------

def test_registry_files_with_a_byte_order_mark_are_read_as_without_it(runnable):
    listed = runnable
    plain = listed.config()
    for name in ("sources.csv", "daerah.csv", "iuran.csv"):  # Excel's "CSV UTF-8" starts with a BOM
        path = listed.registry / name
        path.write_text(BOM + path.read_text(encoding="utf-8"), encoding="utf-8")
    listed._config = None
    with_bom = listed.config()
    assert (with_bom.sources, with_bom.daerah, with_bom.iuran) == (plain.sources, plain.daerah, plain.iuran)
    assert with_bom.daerah["33.71"].program_lokal == "Perlindungan Pengurus RT/RW"
    result = listed.cli("pull")
    assert result.exit_code == 0 and "Konfigurasi salah" not in result.output, result.output
    assert listed.cli("build").exit_code == 0
    assert "Perlindungan Pengurus RT/RW" in (listed.site / "wilayah" / "kota-magelang" / "index.html").read_text()


@pytest.mark.parametrize("name, before, after", [
    ("sources.csv", "sheets/33.71.02.xlsx", "sheets/33.71.02 – Magelang Utara.xlsx"),
    ("daerah.csv", "Kamar Lindung", "Kamar Lindung – Kabupaten Semarang"),
    ("iuran.csv", "Iuran tetap per bulan", "Iuran tetap – per bulan"),
])
def test_a_registry_file_saved_as_windows_1252_is_a_config_error_naming_it(listed, assert_indonesian,
                                                                            name, before, after):
    path = listed.registry / name
    text = path.read_text(encoding="utf-8")
    assert before in text
    path.write_bytes(text.replace(before, after).encode("cp1252"))  # Excel's plain "CSV (Comma delimited)"
    line = text.split(before)[0].count("\n") + 1
    [problem] = refused(listed.cli("pull"), assert_indonesian)
    assert f"registry/{name} bukan teks UTF-8 (baris {line})" in problem
    assert "CSV UTF-8" in problem  # how to save it again


# --- lindung.toml ------------------------------------------------------------------------------

@pytest.mark.parametrize("settings, named", [
    ("[pul]\nworkers = 4\n", "bagian [pul] tidak dikenal"),
    ("workers = 4\n", "bagian [workers] tidak dikenal"),
    ("[pull]\npekerja = 4\n", "[pull] pekerja tidak dikenal"),
    ('[pull]\nworkers = "empat"\n', '[pull] workers = "empat": harus bilangan bulat'),
    ("[pull]\nworkers = 4.5\n", "[pull] workers = 4.5: harus bilangan bulat"),
    ("[pull]\nworkers = true\n", "[pull] workers = true: harus bilangan bulat"),
    ("[pull]\nworkers = 0\n", "[pull] workers = 0: tidak boleh kurang dari 1"),
    ("[pull]\nstale_days = -1\n", "[pull] stale_days = -1: tidak boleh kurang dari 0"),
    ("[site]\ntitle = 3\n", "[site] title = 3: harus teks"),
    ('[site]\ntitle = ""\n', '[site] title = "": harus teks'),
    ('[site]\ntimezone = "Asia/Jakart"\n', '[site] timezone = "Asia/Jakart": bukan nama zona waktu'),
    ('[site]\nbase_url = "lindung.example.org"\n', '[site] base_url = "lindung.example.org": harus alamat'),
    ("[store]\npath = 1\n", "[store] path = 1: harus teks"),
    ('[jobs]\nlock_timeout = "lama"\n', '[jobs] lock_timeout = "lama": harus angka'),
    ("[jobs]\nlock_timeout = -5\n", "[jobs] lock_timeout = -5: tidak boleh kurang dari 0"),
    ("[jobs]\nlock_timeout = nan\n", "[jobs] lock_timeout = NaN: harus angka"),
    ("[site]\ntitle = \"Lindung\"\n[site.lain]\nx = 1\n", "[site] lain tidak dikenal"),
])
def test_a_wrong_setting_in_lindung_toml_is_exit_2_naming_it(listed, assert_indonesian, settings, named):
    (listed.root / "lindung.toml").write_text(settings, encoding="utf-8")
    [problem] = refused(listed.cli("pull"), assert_indonesian)
    assert problem.startswith("Konfigurasi salah: lindung.toml: ") and named in problem
    assert not (listed.registry / "snapshots").exists()  # checked before anything ran


def test_every_wrong_setting_is_reported_at_once_with_the_registry_problems(listed, assert_indonesian):
    (listed.root / "lindung.toml").write_text('[pull]\nworkers = "empat"\nstale_days = -1\n[jobs]\nx = 1\n',
                                              encoding="utf-8")
    listed.write_sources("kode,kecamatan,kabupaten_kota,sumber\n33.71.99,Tidak Ada,Kota Magelang,x.xlsx\n")
    problems = refused(listed.cli("build"), assert_indonesian)
    assert len(problems) == 4
    assert [p for p in problems if "33.71.99" in p]


def test_good_settings_are_taken_and_the_lock_timeout_comes_from_toml_or_the_environment(listed):
    (listed.root / "lindung.toml").write_text(
        '[site]\ntitle = "Uji"\n[pull]\nworkers = 2\nstale_days = 0\n[jobs]\nlock_timeout = 5\n', encoding="utf-8")
    config = listed.config()
    assert (config.site.title, config.pull.workers, config.pull.stale_days, config.jobs.lock_timeout) == (
        "Uji", 2, 0, 5)
    assert config_module.load(listed.root, {"LINDUNG_LOCK_TIMEOUT": "0.5"}).jobs.lock_timeout == 0.5
    assert config_module.load(listed.root, {}).jobs.lock_timeout == 5
    (listed.root / "lindung.toml").write_text("", encoding="utf-8")
    assert config_module.load(listed.root, {}).jobs.lock_timeout == 60


def test_the_shipped_lindung_toml_is_valid_and_names_every_section():
    config = config_module.load(ROOT, {})
    assert config.pull.workers >= 1
    text = (ROOT / "lindung.toml").read_text(encoding="utf-8")
    assert set(re.findall(r"^\[(\w+)\]", text, re.M)) <= set(config_module.SECTIONS)


def test_lindung_toml_with_a_byte_order_mark_is_read(listed):
    path = listed.root / "lindung.toml"
    path.write_text(BOM + '[site]\ntitle = "Dengan BOM"\n', encoding="utf-8")
    assert listed.config().site.title == "Dengan BOM"


def test_lindung_toml_not_in_utf8_or_not_toml_is_exit_2_naming_it(listed, assert_indonesian):
    path = listed.root / "lindung.toml"
    path.write_bytes('[site]\ntitle = "Lindung – Jawa Tengah"\n'.encode("cp1252"))
    [problem] = refused(listed.cli("build"), assert_indonesian)
    assert "lindung.toml bukan teks UTF-8 (baris 2)" in problem
    path.write_text('[site]\ntitle = "Lindung\n', encoding="utf-8")
    [problem] = refused(listed.cli("build"), assert_indonesian)
    assert "lindung.toml: penulisan TOML salah di baris 2" in problem


# --- environment variables ---------------------------------------------------------------------

@pytest.mark.parametrize("name, value", [
    ("LINDUNG_GOOGLE_TIMEOUT", "abc"),
    ("LINDUNG_GOOGLE_TIMEOUT", "0"),
    ("LINDUNG_GOOGLE_TIMEOUT", "-3"),
    ("LINDUNG_GOOGLE_PER_MINUTE", "enam puluh"),
    ("LINDUNG_GOOGLE_PER_MINUTE", "-1"),
    ("LINDUNG_GOOGLE_MAX_WAIT", "nan"),
    ("LINDUNG_GOOGLE_BACKOFF", "inf"),
    ("LINDUNG_LOCK_TIMEOUT", "semenit"),
    ("LINDUNG_LOCK_TIMEOUT", "-1"),
    ("LINDUNG_GOOGLE_API_ROOT", "localhost:8765"),
])
def test_a_wrong_environment_variable_is_exit_2_naming_it(listed, assert_indonesian, name, value):
    result = listed.cli("pull", env={"LINDUNG_SECRET": "rahasia-uji-yang-panjangnya-lebih-dari-32-byte",
                                     name: value})
    [problem] = refused(result, assert_indonesian)
    assert f"Variabel lingkungan {name} harus" in problem and f"bukan “{value}”" in problem
    assert not (listed.registry / "snapshots").exists()


def test_good_environment_variables_pass(runnable):
    listed = runnable
    env = {"LINDUNG_SECRET": "rahasia-uji-yang-panjangnya-lebih-dari-32-byte", "LINDUNG_GOOGLE_TIMEOUT": "0.5",
           "LINDUNG_GOOGLE_PER_MINUTE": "0", "LINDUNG_GOOGLE_MAX_WAIT": "0", "LINDUNG_GOOGLE_BACKOFF": " 2 ",
           "LINDUNG_LOCK_TIMEOUT": "0", "LINDUNG_GOOGLE_API_ROOT": "http://127.0.0.1:9",
           "LINDUNG_GOOGLE_FOLDER_ID": "abc", "LINDUNG_STORE": "registry"}
    result = listed.cli("pull", env=env)
    assert result.exit_code == 0, result.output


def test_every_environment_variable_lindung_reads_is_checked_up_front():
    """A new LINDUNG_* variable read anywhere in lindung/ must be in
    config.ENVIRONMENT, or be one of those checked where they are used."""
    checked_where_used = {"LINDUNG_SECRET",  # lindung.pull.minimise, before any sheet is read
                          "LINDUNG_GOOGLE_CREDENTIALS",  # lindung.pull.sources.google_transport.load_key
                          "LINDUNG_ROOT"}  # click: --root
    read = set()
    for path in (ROOT / "lindung").rglob("*.py"):
        read |= set(re.findall(r"\"(LINDUNG_[A-Z_]+)\"", path.read_text(encoding="utf-8")))
    assert read - checked_where_used <= set(config_module.ENVIRONMENT), read - set(config_module.ENVIRONMENT)
    from lindung.pull.sources import google

    for variable in (google.ENV_TIMEOUT, google.ENV_PER_MINUTE, google.ENV_MAX_WAIT, google.ENV_BACKOFF,
                     google.ENV_API_ROOT, google.ENV_FOLDER_ID):
        assert variable in config_module.ENVIRONMENT
