"""The operator's guide stays true: every setting and environment variable
the code reads is listed in docs/operator.md (and nothing listed there is
unknown to the code), and every command in its shell blocks runs, on a copy
of the demo project, without a traceback."""
from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
import sys
import time
import urllib.request

import pytest
from click.testing import CliRunner

from conftest import ROOT, copy_project
from fake_google import FakeGoogle, fake_google  # noqa: F401  (fixture)
from lindung import config as config_module
from lindung.cli import main

GUIDE = ROOT / "docs" / "operator.md"
WORKFLOW = ROOT / ".github" / "workflows" / "harian.yml"


def guide() -> str:
    return GUIDE.read_text(encoding="utf-8")


def variables_in_code() -> set[str]:
    read = set()
    for path in (ROOT / "lindung").rglob("*.py"):
        read |= set(re.findall(r"\"((?:LINDUNG|GOOGLE)_[A-Z_]+)\"", path.read_text(encoding="utf-8")))
    return read


def test_every_environment_variable_the_code_reads_is_in_the_guide():
    listed = set(re.findall(r"^\| `((?:LINDUNG|GOOGLE)_[A-Z_]+)` \|", guide(), re.M))
    assert variables_in_code() <= listed, sorted(variables_in_code() - listed)
    workflow = set(re.findall(r"\b(LINDUNG_[A-Z_]+)\b", WORKFLOW.read_text(encoding="utf-8")))
    assert listed <= variables_in_code() | workflow, sorted(listed - variables_in_code() - workflow)


def test_every_lindung_toml_setting_is_in_the_guide():
    listed = set()
    for section, keys in re.findall(r"^\| `\[(\w+)\] ([\w`, ]+)` \|", guide(), re.M):
        listed |= {(section, key.strip("` ")) for key in keys.split(",")}
    settings = {(section, f.name) for section, kind in config_module.SECTIONS.items()
                for f in dataclasses.fields(kind)}
    assert settings == listed, (sorted(settings - listed), sorted(listed - settings))


def commands() -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)```", guide(), re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def test_the_guide_has_the_commands_this_test_runs():
    assert commands() == [
        "python -m pip install -e . && python build.py",
        "lindung serve",
        "lindung template --google --kecamatan 33.74.15 --share editor.ngaliyan@example.go.id",
        "lindung template ngaliyan.xlsx --kecamatan 33.74.15",
        'ssh-keygen -q -t ed25519 -N "" -C lindung-data -f lindung-data',
        'python -c "import secrets; print(secrets.token_urlsafe(48))"',
        "lindung doctor",
        "lindung matriks --grup jawa=31,32,33,34,35,36",
        "lindung pull --force",
        "python -m pytest tests/test_google.py tests/test_pull_google.py tests/test_workflow.py",
    ]


@pytest.fixture
def demo_project(tmp_path):
    return copy_project(tmp_path / "proyek", demo=True)


def run_lindung(root, line: str, env: dict | None = None):
    args = line.split()[1:]
    return CliRunner().invoke(main, ["--root", str(root), *args], env=env or {})


def test_the_build_command_builds_the_demo(demo_project):
    # `pip install -e .` is the test run's own set-up; build.py is run as written
    result = subprocess.run([sys.executable, str(ROOT / "build.py")], cwd=demo_project, capture_output=True,
                            text=True, timeout=300, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT),
                                                         "LINDUNG_ROOT": str(demo_project), "HOME": "/tmp"})
    assert result.returncode == 0, result.stderr[-2000:]
    assert (demo_project / "site" / "index.html").is_file()


def test_lindung_serve_serves_the_site_and_its_404_page_on_127_0_0_1(demo_project):
    subprocess.run([sys.executable, str(ROOT / "build.py")], cwd=demo_project, capture_output=True, timeout=300,
                   env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "LINDUNG_ROOT": str(demo_project)})
    server = subprocess.Popen([sys.executable, "-m", "lindung", "--root", str(demo_project), "serve", "--port", "0"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)})
    try:
        url = None
        deadline = time.monotonic() + 60
        while url is None and time.monotonic() < deadline:
            line = server.stdout.readline()
            found = re.search(r"http://127\.0\.0\.1:\d+/", line)
            url = found.group(0) if found else None
        assert url, "lindung serve did not say where it serves"
        with urllib.request.urlopen(url, timeout=10) as answer:
            assert answer.status == 200
        try:
            urllib.request.urlopen(url + "tidak-ada/", timeout=10)
        except urllib.error.HTTPError as error:
            assert error.code == 404 and "tidak ditemukan" in error.read().decode()
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_template_commands_run(demo_project, fake_google, tmp_path):
    xlsx = run_lindung(demo_project, "lindung template ngaliyan.xlsx --kecamatan 33.74.15".replace(
        "ngaliyan.xlsx", str(tmp_path / "ngaliyan.xlsx")))
    assert xlsx.exit_code == 0 and (tmp_path / "ngaliyan.xlsx").is_file()
    google = run_lindung(demo_project, commands()[2],
                         env=fake_google.environ(LINDUNG_GOOGLE_FOLDER_ID="folder-kecamatan"))
    assert "Traceback" not in google.output
    assert google.exit_code == 0, google.output


def test_the_key_and_secret_commands_run(tmp_path):
    shutil.which("ssh-keygen") or pytest.fail("ssh-keygen is needed (openssh-client)")
    subprocess.run(["bash", "-c", commands()[4]], cwd=tmp_path, check=True, timeout=30)
    assert (tmp_path / "lindung-data").is_file() and (tmp_path / "lindung-data.pub").is_file()
    secret = subprocess.run(["bash", "-c", commands()[5].replace("python", sys.executable, 1)], check=True,
                            capture_output=True, text=True, timeout=30).stdout.strip()
    assert len(secret.encode()) >= 32  # long enough for `lindung pull`


def test_the_matrix_command_plans_the_demo(demo_project):
    result = run_lindung(demo_project, commands()[7])
    assert result.exit_code == 0, result.output
    assert '"grup":"jawa","provinsi":"33","akun":"GCP_SERVICE_ACCOUNT_JAWA"' in result.stdout


def test_doctor_and_a_forced_pull_run_on_the_demo(demo_project):
    doctor = run_lindung(demo_project, "lindung doctor")
    assert "Traceback" not in doctor.output and doctor.output.startswith("✓ Konfigurasi")
    pull = run_lindung(demo_project, "lindung pull --force")
    assert pull.exit_code == 0, pull.output
