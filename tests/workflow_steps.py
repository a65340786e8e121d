"""The daily workflow's own shell steps (.github/workflows/harian.yml), run on
this machine the way a GitHub runner runs them: an operator's public fork
pushed to a bare repository standing in for GitHub, each job in its own
checkout, `${{ name }}` expressions filled from a dict (secrets, variables,
inputs, the matrix entry, earlier steps' and jobs' outputs), each `run` under
`bash -eo pipefail`. `uses` steps are not run (the caller may look at them);
the `pip install` step is skipped (this Python already has Lindung, from
PYTHONPATH). Used by test_deployment.py and test_matriks.py."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
DAILY = ROOT / ".github" / "workflows" / "harian.yml"
_EXPRESSION = re.compile(r"\$\{\{\s*([\w.]+)\s*\}\}")


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout


def workflow() -> dict:
    return yaml.safe_load(DAILY.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Fork:
    remote: Path  # the public repository on "GitHub" (bare)
    first: str  # its first commit: the operator's own


def make_fork(tmp: Path, sources_csv: str, change: Callable[[Path], None] | None = None) -> Fork:
    """This repository's tracked files with the operator's registry/sources.csv
    (and whatever `change` does to the folder), committed and pushed."""
    source = tmp / "fork"
    for name in git("ls-files", "-z", cwd=ROOT).split("\0"):
        if name and (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    (source / "registry" / "sources.csv").write_text(sources_csv, encoding="utf-8")
    if change:
        change(source)
    who = ("-c", "user.name=operator", "-c", "user.email=operator@example.org")
    git("init", "-q", "-b", "main", cwd=source)
    git(*who, "add", "-A", cwd=source)
    git(*who, "commit", "-qm", "Fork", cwd=source)
    remote = tmp / "publik.git"
    git("clone", "-q", "--bare", str(source), str(remote), cwd=tmp)
    return Fork(remote, git("rev-parse", "HEAD", cwd=source).strip())


def checkout(fork: Fork, where: Path) -> Path:
    """actions/checkout: a fresh clone for one job."""
    git("clone", "-q", str(fork.remote), str(where), cwd=where.parent)
    return where


def base_environment(home: Path, **more: str) -> dict[str, str]:
    """What every step sees: this Python and the code under test."""
    return {"PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}", "HOME": str(home),
            "GIT_CONFIG_NOSYSTEM": "1", "LANG": "C.UTF-8", "PYTHONPATH": str(ROOT), **more}


def expand(value: str, values: Mapping[str, str]) -> str:
    """`${{ name }}` filled in; an expression with operators is left as it is
    (GitHub would evaluate it; these tests never need it to be true)."""
    return _EXPRESSION.sub(lambda m: str(values[m.group(1)]), value)


@dataclass
class Ran:
    name: str
    step: dict
    log: str = ""  # what the step printed, stdout and stderr ("" for a `uses` step)


@dataclass
class Job:
    """One job (or one matrix entry of it) running its steps in order in
    `cwd`; `outputs` holds the job's outputs once every step ran."""

    job_id: str
    cwd: Path
    env: dict[str, str]
    values: dict[str, str]
    matrix: Mapping[str, object] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)

    def steps(self) -> Iterator[Ran]:
        job = workflow()["jobs"][self.job_id]
        values = {**self.values, **{f"matrix.{k}": str(v) for k, v in self.matrix.items()}}
        for index, step in enumerate(job["steps"]):
            name = step.get("name", step.get("uses") or step["run"][:40])
            if "uses" in step:
                yield Ran(name, step)
                continue
            if re.search(r"\bpip install\b", step["run"]):
                continue
            output = self.cwd.parent / f".{self.cwd.name}-output-{index}"
            env = {k: expand(str(v), values) for k, v in (step.get("env") or {}).items()}
            result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                                    cwd=self.cwd, env={**self.env, **env, "GITHUB_OUTPUT": str(output)},
                                    capture_output=True, text=True, timeout=600)
            assert result.returncode == 0, (self.job_id, name, result.stdout[-3000:], result.stderr[-3000:])
            if "id" in step and output.exists():
                for line in output.read_text(encoding="utf-8").splitlines():
                    key, _, value = line.partition("=")
                    values[f"steps.{step['id']}.outputs.{key}"] = value
            yield Ran(name, step, result.stdout + result.stderr)
        self.outputs = {k: expand(str(v), values) for k, v in (job.get("outputs") or {}).items()}

    def run(self) -> list[Ran]:
        return list(self.steps())


def side_by_side(jobs: list[Job]) -> dict[str, list[Ran]]:
    """Matrix jobs running at once: each job's first step, then each one's
    second, and so on, so every job clones the data store before any of them
    pushes (the race the real runners have)."""
    running = {str(job.matrix.get("grup", index)): job.steps() for index, job in enumerate(jobs)}
    ran: dict[str, list[Ran]] = {name: [] for name in running}
    while running:
        for name, steps in list(running.items()):
            step = next(steps, None)
            if step is None:
                del running[name]
            else:
                ran[name].append(step)
    return ran
