"""A real deployment, simulated end to end: an operator's public fork, a
private data repository (a bare git repository here), and the daily
workflow's own shell steps from .github/workflows/harian.yml run in order
against them. Then every public place is searched for the personal data
planted in a kecamatan's sheet: the public repository's tracked files and
its whole history (what was pushed), what every step printed (the Actions
log of a public repository is public), and site/. The row-level data must
have gone to the private repository instead."""
from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from pathlib import Path

import pytest

from conftest import KODE, ROOT, SCHEMA_DIR, SECRET, Rows
from lindung.pull.workbook import write_workbook
from workflow_steps import Job, base_environment, checkout, git, make_fork, side_by_side

YEAR = dict(mulai=dt.date(2026, 1, 1), berlaku_sampai=dt.date(2026, 12, 31))

NIK = "3371021234567890"
CANARIES = [NIK, "3371-021234567890", "Siti Kanari Aminah", "0812-3456-7891", "081234567891",
            "kanari@contoh.co.id", "Jl. Kenari Kanari No. 5", "Bapak Kanari Rahasia", "Toko Kanari Jaya"]


def leaks(text: str) -> list[str]:
    bare = {re.sub(r"\D", "", run) for run in re.findall(r"\d[\d .\-()/+]*", text)}
    return [c for c in CANARIES if c in text or "kanari" in text.casefold()
            or (c[0].isdigit() and re.sub(r"\D", "", c) in bare)]


def canary_workbook(path: Path, rows: Rows) -> None:
    """A kecamatan sheet with personal data where it belongs (NIK, Nama, the
    extra columns an office keeps) and where it does not."""
    from openpyxl import load_workbook

    write_workbook(path, {
        "peserta": [
            rows.peserta(nik=NIK, nama="Siti Kanari Aminah", **YEAR),
            rows.peserta(kelurahan="3371-021234567890", **YEAR),
            rows.peserta(pekerjaan="081234567891", **YEAR),
            rows.peserta(sumber_dana="donatur", id_donatur="D001", **YEAR),
        ],
        "donatur": [rows.donatur(id="D001", nama="Bapak Kanari Rahasia", instansi="Toko Kanari Jaya",
                                 jenis="perorangan", tampilkan_nama="tidak")],
        "wilayah": [rows.wilayah()],
    }, schema_dir=SCHEMA_DIR)
    book = load_workbook(path)
    sheet = book["peserta"]
    first = sheet.max_column + 1
    extra = {"No HP": "0812-3456-7891", "Alamat": "Jl. Kenari Kanari No. 5", "Email": "kanari@contoh.co.id"}
    for offset, (title, value) in enumerate(extra.items()):
        sheet.cell(row=1, column=first + offset, value=title)
        sheet.cell(row=2, column=first + offset, value=value)
    book.save(path)


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, schemas):
    """Run the workflow's jobs once (plan, the pull matrix, build); return
    what a test needs to look at."""
    tmp = tmp_path_factory.mktemp("penerapan")
    sheets = tmp / "sheets"  # the kecamatan's own sheet: never in the repository
    sheets.mkdir()
    canary_workbook(sheets / f"{KODE}.xlsx", Rows(schemas))
    fork = make_fork(tmp, "kode,kecamatan,kabupaten_kota,sumber\n"
                          f"33.71.01,Magelang Selatan,Kota Magelang,registry/demo/33.71.01.xlsx\n"
                          f"{KODE},Magelang Utara,Kota Magelang,{sheets / f'{KODE}.xlsx'}\n")
    data_remote = tmp / "data.git"
    git("init", "-q", "--bare", "-b", "main", str(data_remote), cwd=tmp)  # the private data repository
    values = {"secrets.LINDUNG_SECRET": SECRET, "secrets.LINDUNG_GOOGLE_CREDENTIALS": "",
              "secrets.LINDUNG_DATA_KEY": "", "vars.LINDUNG_DATA_REPO": str(data_remote), "inputs.kecamatan": "",
              "vars.LINDUNG_GRUP": "", "vars.LINDUNG_GOOGLE_PER_MINUTE": "",
              "steps.auth.outputs.credentials_file_path": ""}  # no federation: local sheets only
    env = base_environment(tmp)
    ran, log = {}, []
    plan = Job("plan", checkout(fork, tmp / "plan"), env, values)
    ran["plan"] = plan.run()
    matrix = json.loads(plan.outputs["matriks"])["include"]
    pulls = [Job("pull", checkout(fork, tmp / f"pull-{entry['grup']}"), env, values, matrix=entry) for entry in matrix]
    ran["pull"] = [step for steps in side_by_side(pulls).values() for step in steps]
    build = Job("build", checkout(fork, tmp / "build"), env, values)
    for step in build.steps():
        if "upload-pages-artifact" in step.step.get("uses", ""):
            assert (build.cwd / step.step["with"]["path"] / "index.html").is_file()
        ran.setdefault("build", []).append(step)
    for steps in ran.values():
        log += [step.log for step in steps]
        steps[:] = [step.name for step in steps if "run" in step.step]
    return dict(fork=fork.first, runner=build.cwd, public=fork.remote, data=data_remote, log="\n".join(log),
                ran=ran, matrix=matrix, tmp=tmp)


def test_every_shell_step_of_the_daily_jobs_ran(deployment):
    assert deployment["ran"] == {
        "plan": ["Plan the pull jobs"],
        "pull": ["Open the private data store", "Pull the kecamatan sheets", "Save the data store"],
        "build": ["Open the private data store", "Build the site", "Look for kecamatan failing too long",
                  "Commit the published figures"]}
    assert [entry["provinsi"] for entry in deployment["matrix"]] == ["33"]


def test_the_row_level_data_went_to_the_private_repository(deployment):
    data = deployment["data"]
    files = git("ls-tree", "-r", "--name-only", "main", cwd=data).split()
    assert f"snapshots/{KODE}/peserta.csv" in files and f"laporan/{KODE}.json" in files
    # pseudonymised even there
    assert leaks(git("log", "-p", "main", cwd=data)) == []


def test_the_public_repository_and_its_history_hold_no_row_level_data(deployment):
    public = deployment["public"]
    # what the job pushed (the fork's own first commit holds this very test file)
    history = git("log", "-p", "--all", "--not", deployment["fork"], cwd=public)
    assert "Angka terbit" in history  # the published figures were committed and pushed
    files = git("ls-tree", "-r", "--name-only", "main", cwd=public).split()
    assert "site/data/kecamatan.csv" in files
    assert not [f for f in files if re.match(r"(registry/)?(snapshots|laporan)/|data-privat/", f)]
    assert leaks(history) == []


def test_nothing_the_job_printed_holds_personal_data(deployment):
    log = deployment["log"]
    assert "Magelang Utara" in log  # the pull's lines are there
    assert leaks(log) == []


def test_the_site_holds_no_personal_data(deployment):
    site = deployment["runner"] / "site"
    text = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in site.rglob("*")
                     if p.is_file() and p.suffix in {".html", ".csv", ".json", ".xml", ".txt"})
    assert leaks(text) == []


def test_a_public_data_repository_is_refused(tmp_path):
    # scripts/data-privat.sh asks GitHub, without a token, whether the
    # repository is visible; here a stand-in curl says it is.
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "curl").write_text("#!/bin/sh\nprintf 200\n")
    (fake / "curl").chmod(0o755)
    result = subprocess.run([str(ROOT / "scripts" / "data-privat.sh"), "ambil"], cwd=tmp_path,
                            env={"PATH": f"{fake}:/usr/bin:/bin", "LINDUNG_DATA_REPO": "git@github.com:kota/data.git"},
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2 and "bisa dibaca siapa saja" in result.stderr
    assert not (tmp_path / "data-privat").exists()


def test_a_missing_data_repository_setting_stops_the_job(tmp_path):
    result = subprocess.run([str(ROOT / "scripts" / "data-privat.sh"), "ambil"], cwd=tmp_path,
                            env={"PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=30)
    assert result.returncode == 2 and "LINDUNG_DATA_REPO belum diisi" in result.stderr
