"""Start-up: `lindung --help` and `lindung build` import nothing they do not
use. Frictionless (and pydantic under it) is loaded only when a registry file
changed since it was last checked; a file that fails is checked every time."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from conftest import AS_OF, copy_project

HEAVY = ("frictionless", "pydantic", "openpyxl", "gspread", "python_calamine", "google.auth", "jinja2", "PIL",
         "babel", "markdown")


def imported(*args: str, cwd: Path | None = None) -> tuple[set[str], subprocess.CompletedProcess]:
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "lindung", *args],
                            capture_output=True, text=True, timeout=120, cwd=cwd)
    modules = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if "import time:" in line}
    return modules, result


def heavy(modules: set[str], names=HEAVY) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in {n.split(".")[0] for n in names})


def test_help_imports_no_library_it_does_not_use():
    modules, result = imported("--help")
    assert result.returncode == 0 and "lindung.cli" in modules
    assert heavy(modules) == []


def test_frictionless_only_when_a_registry_file_changed(tmp_path):
    root = copy_project(tmp_path / "proyek", demo=True)
    build = ("--root", str(root), "build", "--as-of", AS_OF.isoformat(), "--out", str(tmp_path / "situs"))
    first, result = imported(*build)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "frictionless" in first  # never checked before
    again, result = imported(*build)
    assert result.returncode == 0 and "lindung.build.site" in again
    assert heavy(again, ("frictionless", "pydantic")) == []
    sources = root / "registry" / "sources.csv"
    sources.write_text(sources.read_text(encoding="utf-8") + "bukan-kode,Tidak Ada,Kota Contoh,x.xlsx\n",
                       encoding="utf-8")
    changed, result = imported(*build)
    assert result.returncode == 2 and "frictionless" in changed
    assert "sources.csv" in result.stderr or "sources.csv" in result.stdout
    changed_again, result = imported(*build)  # a failing file is checked each time, never remembered
    assert result.returncode == 2 and "frictionless" in changed_again
    shutil.rmtree(root / ".cache")
