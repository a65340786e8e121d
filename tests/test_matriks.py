"""Pulling by province (lindung/matriks.py, `lindung pull --provinsi`,
`lindung matriks`, `lindung basi`) and the daily workflow's matrix of pull
jobs run locally: three provinces' pull jobs against the fake Google, side by
side, pushing to one bare git repository as the private data store, give the
same site, byte for byte, as one pull of everything.

The projects here use a small synthetic wilayah (two kecamatan of two
kelurahan in each of provinces 33, 34 and 35) written in registry/wilayah's
CSV format, so nothing depends on which provinces the shipped list holds."""
from __future__ import annotations

import csv
import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SECRET, Rows
from fake_google import fake_google  # noqa: F401  (fixture)
from lindung import matriks
from lindung.config import Source
from workflow_steps import Job, base_environment, checkout, git, make_fork, side_by_side

# province -> (kabupaten/kota, its two kecamatan); kelurahan are "<kecamatan> Lor" and "<kecamatan> Kidul"
PROVINCES = {"33": ("Kota Kenanga", ("Melati", "Mawar")),
             "34": ("Kota Cempaka", ("Anggrek", "Teratai")),
             "35": ("Kota Kamboja", ("Dahlia", "Seruni"))}
KECAMATAN = {f"{p}.71.0{i}": (kabupaten, name) for p, (kabupaten, names) in PROVINCES.items()
             for i, name in enumerate(names, 1)}
TABS = ("peserta", "donatur", "wilayah", "santunan")


def write_wilayah(directory: Path) -> None:
    """The synthetic official list, in place of registry/wilayah/'s CSVs."""
    def table(name: str, header: list[str], rows: list[list[str]]) -> None:
        with open(directory / name, "w", newline="", encoding="utf-8") as handle:
            csv.writer(handle, lineterminator="\n").writerows([header, *rows])

    table("provinces.csv", ["code", "name"], [[p, f"Provinsi Uji {p}"] for p in PROVINCES])
    table("regencies.csv", ["code", "province_code", "name"],
          [[f"{p}.71", p, kabupaten] for p, (kabupaten, _) in PROVINCES.items()])
    table("districts.csv", ["code", "regency_code", "name"],
          [[kode, kode[:5], name] for kode, (kabupaten, name) in KECAMATAN.items()])
    table("villages.csv", ["code", "district_code", "name"],
          [[f"{kode}.100{i}", kode, kelurahan]
           for kode, (kabupaten, name) in KECAMATAN.items()
           for i, kelurahan in enumerate(kelurahan_of(kode), 1)])
    table("alias.csv", ["kode", "alias", "keterangan"], [])


def kelurahan_of(kode: str) -> list[str]:
    name = KECAMATAN[kode][1]
    return [f"{name} Lor", f"{name} Kidul"]


def three_provinces(root: Path) -> None:
    """A project folder made ready for the synthetic wilayah: no daerah rows
    of the shipped list's kabupaten."""
    write_wilayah(root / "registry" / "wilayah")
    settings = root / "lindung.toml"  # the three provinces chosen
    settings.write_text(re.sub(r"(?m)^provinsi = .*$", 'provinsi = ["33", "34", "35"]',
                               settings.read_text(encoding="utf-8")), encoding="utf-8")
    daerah = root / "registry" / "daerah.csv"
    daerah.write_text(daerah.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")


def tabs(rows: Rows, kode: str, workers: int) -> dict[str, list[list]]:
    """A clean kecamatan workbook: `workers` peserta spread over its kelurahan."""
    kelurahan = kelurahan_of(kode)
    return {"peserta": [rows.peserta(kelurahan=kelurahan[n % 2]) for n in range(workers)],
            "wilayah": [rows.wilayah(kelurahan=k) for k in kelurahan],
            "donatur": [rows.donatur()],
            "santunan": [rows.santunan(kelurahan=kelurahan[0])]}


def sources(sumber) -> list[Source]:
    return [Source(kode, name, kabupaten, sumber(kode)) for kode, (kabupaten, name) in KECAMATAN.items()]


# --- choosing and planning (lindung/matriks.py) ----------------------------------

def test_a_kecamatan_s_province_is_the_first_two_digits_of_its_code():
    assert matriks.provinsi("33.74.15") == "33"
    assert matriks.parse_provinsi(["33,34", " 35 "]) == {"33", "34", "35"}
    for wrong in ("3", "333", "Jawa Tengah", "33.74"):
        with pytest.raises(matriks.PlanError, match="dua angka"):
            matriks.parse_provinsi([wrong])


def test_chosen_kecamatan_are_those_of_the_provinces_and_of_only_among_them():
    listed = sources(lambda kode: f"{kode}.xlsx")
    assert matriks.chosen(listed) is None  # all
    assert matriks.chosen(listed, {"34"}) == {"34.71.01", "34.71.02"}
    assert matriks.chosen(listed, {"33", "35"}) == {"33.71.01", "33.71.02", "35.71.01", "35.71.02"}
    assert matriks.chosen(listed, {"34"}, {"34.71.02"}) == {"34.71.02"}
    assert matriks.chosen(listed, None, {"35.71.01"}) == {"35.71.01"}
    for provinces, only, said in (({"36"}, None, "Tidak ada kecamatan provinsi 36"),
                                  ({"33"}, {"34.71.01"}, "34.71.01 tidak termasuk provinsi 33"),
                                  (None, {"33.74.15"}, "Kode tidak ada di registry/sources.csv: 33.74.15")):
        with pytest.raises(matriks.PlanError, match=said):
            matriks.chosen(listed, provinces, only)


def test_groups_are_named_provinces_and_a_province_is_in_one_group_only():
    assert matriks.parse_grup("") == {}
    assert matriks.parse_grup("jawa=33,34; bali_nusra=51,52 ") == {"33": "jawa", "34": "jawa", "51": "bali_nusra",
                                                                     "52": "bali_nusra"}
    with pytest.raises(matriks.PlanError, match="dua kelompok"):
        matriks.parse_grup("jawa=33,34 tengah=34")
    for wrong in ("jawa", "jawa=", "ja wa=33", "jawa=33.74"):
        with pytest.raises(matriks.PlanError):
            matriks.parse_grup(wrong)


def test_one_job_per_province_each_pacing_at_its_share_of_the_default_account():
    # 33 has 2 kecamatan, 34 has 2, 35 has 2 and 3 more here: 9 on the default account
    listed = sources(lambda kode: kode) + [Source(f"35.72.0{i}", "x", "y", "z") for i in range(1, 4)]
    jobs = matriks.plan(listed, {}, 60)
    assert [(j.grup, j.provinsi, j.akun, j.kecamatan) for j in jobs] == [
        ("33", "33", "", 2), ("34", "34", "", 2), ("35", "35", "", 5)]
    assert [j.per_menit for j in jobs] == [13.33, 13.33, 33.33]  # in proportion: all end together
    assert sum(j.per_menit for j in jobs) <= 60
    assert [j.per_menit for j in matriks.plan(listed, {}, 0)] == [0, 0, 0]  # no pacing stays no pacing


def test_a_named_group_is_one_job_on_its_own_account_at_the_whole_quota():
    jobs = matriks.plan(sources(lambda kode: kode), {"33": "jawa", "35": "jawa"}, 60)
    assert [(j.grup, j.provinsi, j.akun, j.kecamatan, j.per_menit) for j in jobs] == [
        ("jawa", "33,35", "GCP_SERVICE_ACCOUNT_JAWA", 4, 60), ("34", "34", "", 2, 60)]
    assert matriks.matrix(jobs)["include"][0] == {"grup": "jawa", "provinsi": "33,35",
                                                  "akun": "GCP_SERVICE_ACCOUNT_JAWA", "kecamatan": 4, "per_menit": 60}
    # one kecamatan by hand: only its job
    assert [j.grup for j in matriks.plan(sources(lambda kode: kode), {"33": "jawa"}, 60, {"34.71.02"})] == ["34"]


# --- the commands ------------------------------------------------------------------

@pytest.fixture
def tiga(project, rows):
    """A project with the six kecamatan as local workbooks, pulled once."""
    three_provinces(project.root)
    for kode, (kabupaten, name) in KECAMATAN.items():
        project.add(kode, kecamatan=name, kabupaten=kabupaten, **tabs(rows, kode, 3))
    assert project.cli("pull").exit_code == 0
    return project


def state(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file of the data store with its bytes and modification time."""
    return {p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for folder in ("snapshots", "laporan") for p in sorted((root / folder).rglob("*")) if p.is_file()}


def test_pull_provinsi_writes_only_the_kecamatan_of_those_provinces(tiga, rows):
    before = state(tiga.registry)
    for kode in KECAMATAN:  # every sheet changed since
        tiga.add(kode, kecamatan=KECAMATAN[kode][1], kabupaten=KECAMATAN[kode][0], **tabs(rows, kode, 4))
    result = tiga.cli("pull", "--provinsi", "33,35")
    assert result.exit_code == 0, result.output
    after = state(tiga.registry)
    changed = {path.split("/")[1].removesuffix(".json") for path in after if after[path] != before.get(path)}
    assert changed == {"33.71.01", "33.71.02", "35.71.01", "35.71.02"}
    assert "34.71" not in result.stdout
    # with --only: that kecamatan of the province, nothing else
    result = tiga.cli("pull", "--provinsi", "34", "--only", "34.71.02")
    assert result.exit_code == 0, result.output
    assert {path.split("/")[1].removesuffix(".json") for path, v in state(tiga.registry).items()
            if v != after[path]} == {"34.71.02"}


@pytest.mark.parametrize("args, said", [
    (["--provinsi", "36"], "Tidak ada kecamatan provinsi 36 di registry/sources.csv"),
    (["--provinsi", "33", "--only", "34.71.01"], "Kecamatan 34.71.01 tidak termasuk provinsi 33"),
    (["--provinsi", "Jateng"], "Kode provinsi harus dua angka"),
])
def test_a_province_without_kecamatan_or_a_kecamatan_outside_it_is_a_usage_error(tiga, args, said):
    before = state(tiga.registry)
    result = tiga.cli("pull", *args)
    assert result.exit_code == 2 and said in result.stderr
    assert state(tiga.registry) == before


def failing_for_a_month(project, kode: str) -> str:
    """The kecamatan's sheet gone, and its report failing since a month ago."""
    kabupaten, name = KECAMATAN[kode]
    project.add(kode, kecamatan=name, kabupaten=kabupaten, sumber="sheets/tidak-ada.xlsx")
    long_ago = (dt.date.today() - dt.timedelta(days=30)).isoformat()
    (project.registry / "laporan" / f"{kode}.json").write_text(json.dumps({
        "kode": kode, "diperiksa": long_ago + "T06:00:00+07:00", "hasil": "gagal_baca", "alasan": "Berkas hilang.",
        "jenis_alasan": "tidak_ada", "gagal_sejak": long_ago, "dilewati": False, "kesalahan": []}), encoding="utf-8")
    return long_ago


def test_stale_is_exit_3_only_for_the_chosen_provinces(tiga):
    since = failing_for_a_month(tiga, "34.71.01")
    for command in ("pull", "basi"):
        elsewhere = tiga.cli(command, "--provinsi", "33,35")
        assert elsewhere.exit_code == 0, elsewhere.output
        assert "Gagal lebih dari" not in elsewhere.stderr
        there = tiga.cli(command, "--provinsi", "34")
        assert there.exit_code == 3
        assert f"Gagal lebih dari 7 hari: 34.71.01 Anggrek (sejak {since})" in there.stderr
    assert tiga.cli("basi").exit_code == 3
    assert tiga.cli("basi", "--only", "34.71.02").exit_code == 0


def test_basi_reads_reports_and_writes_nothing(tiga):
    failing_for_a_month(tiga, "35.71.02")
    before = state(tiga.registry)
    result = tiga.cli("basi")
    assert result.exit_code == 3
    assert state(tiga.registry) == before
    healthy = tiga.cli("basi", "--provinsi", "33")
    assert healthy.exit_code == 0 and "Tidak ada kecamatan yang gagal lebih dari 7 hari." in healthy.stdout


def test_matriks_prints_the_workflow_s_matrix(tiga):
    result = tiga.cli("matriks")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"include": [
        {"grup": p, "provinsi": p, "akun": "", "kecamatan": 2, "per_menit": 20} for p in ("33", "34", "35")]}
    assert "33: provinsi 33, 2 kecamatan, akun bawaan (GCP_SERVICE_ACCOUNT), 20 permintaan/menit" in result.stderr
    grouped = tiga.cli("matriks", "--grup", "jawa=33,34", env={"LINDUNG_GOOGLE_PER_MINUTE": "120"})
    assert [(j["grup"], j["provinsi"], j["akun"], j["per_menit"]) for j in json.loads(grouped.stdout)["include"]] == [
        ("jawa", "33,34", "GCP_SERVICE_ACCOUNT_JAWA", 120), ("35", "35", "", 120)]
    one = tiga.cli("matriks", "--grup", "jawa=33,34", "--only", "34.71.01")
    assert [j["grup"] for j in json.loads(one.stdout)["include"]] == ["jawa"]
    for args, said in ((["--grup", "jawa=33 jawa2=33"], "dua kelompok"),
                       (["--only", "36.71.01"], "Kode tidak ada di registry/sources.csv")):
        refused = tiga.cli("matriks", *args)
        assert refused.exit_code == 2 and said in refused.stderr and refused.stdout == ""


def test_matriks_on_an_empty_registry_is_a_usage_error(project):
    result = project.cli("matriks")
    assert result.exit_code == 2 and "belum berisi kecamatan" in result.stderr


# --- the workflow's matrix, run locally ------------------------------------------------

def site_files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def test_three_pull_jobs_side_by_side_build_the_same_site_as_one_pull(tmp_path, fake_google, schemas):
    rows = Rows(schemas)
    key = {kode: f"1Matriks{kode.replace('.', '')}".ljust(44, "Q") for kode in KECAMATAN}  # as Google makes them
    for n, kode in enumerate(KECAMATAN):
        sheet = tabs(rows, kode, 2 + n)
        fake_google.add_spreadsheet(key[kode], {tab: [rows.titles(tab), *sheet[tab]] for tab in TABS})
    listed = "".join(f"{kode},{name},{kabupaten},{key[kode]}\n" for kode, (kabupaten, name) in KECAMATAN.items())
    fork = make_fork(tmp_path, "kode,kecamatan,kabupaten_kota,sumber\n" + listed, change=three_provinces)
    data_remote = tmp_path / "data.git"
    git("init", "-q", "--bare", "-b", "main", str(data_remote), cwd=tmp_path)  # the private data repository
    google = fake_google.environ()
    values = {"secrets.LINDUNG_SECRET": SECRET, "secrets.LINDUNG_GOOGLE_CREDENTIALS": google["LINDUNG_GOOGLE_CREDENTIALS"],
              "secrets.LINDUNG_DATA_KEY": "", "vars.LINDUNG_DATA_REPO": f"file://{data_remote}",
              "vars.LINDUNG_GRUP": "", "vars.LINDUNG_GOOGLE_PER_MINUTE": google["LINDUNG_GOOGLE_PER_MINUTE"],
              "inputs.kecamatan": "", "steps.auth.outputs.credentials_file_path": ""}
    env = base_environment(tmp_path, **{k: google[k] for k in ("LINDUNG_GOOGLE_API_ROOT", "LINDUNG_GOOGLE_MAX_WAIT",
                                                                "LINDUNG_GOOGLE_BACKOFF")})

    # one pull of everything, the way it was done before the matrix
    one = checkout(fork, tmp_path / "satu")
    for command in (["pull", "--write-back"], ["build"]):
        done = subprocess.run([sys.executable, "-m", "lindung", *command], cwd=one, capture_output=True, text=True,
                              env={**env, "LINDUNG_STORE": "data-satu", "LINDUNG_SECRET": SECRET,
                                   "LINDUNG_GOOGLE_CREDENTIALS": google["LINDUNG_GOOGLE_CREDENTIALS"],
                                   "LINDUNG_GOOGLE_PER_MINUTE": "0"}, timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]

    # the workflow: plan, three pull jobs at once, one build
    plan = Job("plan", checkout(fork, tmp_path / "plan"), env, values)
    plan.run()
    matrix = json.loads(plan.outputs["matriks"])["include"]
    assert [(entry["grup"], entry["provinsi"], entry["kecamatan"]) for entry in matrix] == [
        ("33", "33", 2), ("34", "34", 2), ("35", "35", 2)]
    read_before = fake_google.count("GET", r"/values:batchGet$")
    pulls = [Job("pull", checkout(fork, tmp_path / f"pull-{e['grup']}"), env, values, matrix=e) for e in matrix]
    ran = side_by_side(pulls)
    assert fake_google.count("GET", r"/values:batchGet$") - read_before == len(KECAMATAN)  # each sheet once
    for entry in matrix:
        (pulled,) = [step.log for step in ran[entry["grup"]] if step.name == "Pull the kecamatan sheets"]
        assert sorted(k for k in KECAMATAN if k in pulled) == sorted(k for k in KECAMATAN
                                                                      if k.startswith(entry["provinsi"] + "."))

    # each pull job's commit holds its own kecamatan's files only, and none was lost in the race
    commits = git("rev-list", "main", cwd=data_remote).split()
    assert len(commits) == 3
    for commit in commits:
        paths = git("show", "--name-only", "--format=", commit, cwd=data_remote).split()
        assert paths and len({path.split("/")[1][:2] for path in paths}) == 1, paths
    files = git("ls-tree", "-r", "--name-only", "main", cwd=data_remote).split()
    assert {f"laporan/{kode}.json" for kode in KECAMATAN} <= set(files)
    assert {f"snapshots/{kode}/meta.json" for kode in KECAMATAN} <= set(files)

    build = Job("build", checkout(fork, tmp_path / "bangun"), env, values)
    build.run()
    assert build.outputs["stale"] == "0"
    assert site_files(build.cwd / "site") == site_files(one / "site")
