"""Real SIGKILL: `lindung pull` (of local workbooks that change every run)
and `lindung build` (with an as-of date that changes every run) are killed,
first at random moments (ten rounds, seeded), then right before each step
of their swaps. After every kill each snapshot is one whole version and
site/ is the old or the new build, byte for byte; the next runs clean up and
succeed and leave nothing behind."""
import datetime as dt
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import AS_OF, KODE, KODE_2, NOW, ROOT, SECRET
from lindung import jobs
from lindung.store import report, snapshot

# A process that has imported Lindung once and forks one real `lindung` run
# per request: a run starts in milliseconds, so a kill lands in the work
# rather than in Python starting up. A request is the run's arguments and,
# optionally, the swap step (a rename, exchange or remove in
# lindung.store.atomic) before which the run SIGKILLs itself. It prints the
# run's pid, then its exit code (-9 when killed).
FORKER = """
import json, os, signal, sys, types
from lindung.cli import main
import lindung.build.aggregate, lindung.build.site, lindung.pull.run
from lindung.store import atomic

def die_before(step):
    count = [0]
    def counted(function):
        def run(*args, **kwargs):
            count[0] += 1
            if count[0] == step:
                os.kill(os.getpid(), signal.SIGKILL)
            return function(*args, **kwargs)
        return run
    real = atomic.os
    atomic.os = types.SimpleNamespace(**{n: getattr(real, n) for n in dir(real) if not n.startswith("__")})
    atomic.os.rename, atomic.os.replace = counted(real.rename), counted(real.replace)
    atomic.exchange, atomic.remove = counted(atomic.exchange), counted(atomic.remove)

for line in sys.stdin:
    request = json.loads(line)
    pid = os.fork()
    if pid == 0:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.dup2(null, 2)
        if request["die_before"]:
            die_before(request["die_before"])
        try:
            main(request["args"])
        except SystemExit as stop:
            os._exit(stop.code or 0)
        os._exit(0)
    print(pid, flush=True)
    print(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]), flush=True)
"""


def files(directory):
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


class Forker:
    def __init__(self, root: Path):
        self.root = root
        self.process = subprocess.Popen([sys.executable, "-c", FORKER], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True,
                                        env={**os.environ, "LINDUNG_SECRET": SECRET, "PYTHONPATH": str(ROOT)})

    def run(self, *args: str, kill_after: float | None = None, die_before: int | None = None) -> int:
        """`lindung ARGS`, SIGKILLed after `kill_after` seconds or right
        before swap step `die_before`; its exit code."""
        request = {"args": ["--root", str(self.root), *args], "die_before": die_before}
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        pid = int(self.process.stdout.readline())
        if kill_after is not None:
            time.sleep(kill_after)
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:  # it had finished
                pass
        return int(self.process.stdout.readline())

    def close(self):
        self.process.stdin.close()
        self.process.wait(timeout=10)


@dataclass
class Scene:
    """Two kecamatan with two versions of their sheets (a, b), pulled and
    built once; what a whole snapshot of each version hashes to."""

    project: object
    forker: Forker
    hashes: dict
    took: dict
    site: dict

    @property
    def config(self):
        return self.project.config()

    def use(self, name: str) -> None:
        for kode in (KODE, KODE_2):
            shutil.copy(self.project.root / "sheets" / f"{name}-{kode}.xlsx",
                        self.project.root / "sheets" / f"{kode}.xlsx")

    def pull(self, name: str, **kill) -> int:
        self.use(name)
        code = self.forker.run("pull", **kill)
        self.assert_whole_snapshots()
        return code

    def build(self, day: dt.date, **kill) -> int:
        # what this build would write, built in-process from the same snapshots
        expected = files(jobs.build(self.config, as_of=day, out=self.project.root / "rujukan" / str(day)).out)
        code = self.forker.run("build", "--as-of", day.isoformat(), **kill)
        now = files(self.project.site)
        assert now in (self.site, expected), f"{day}: site/ is neither the old nor the new build"
        self.site = now
        return code

    def assert_whole_snapshots(self) -> None:
        store, contract = self.config.snapshot_dir, self.config.contract
        assert sorted(p for p in os.listdir(store) if not p.startswith(".")) == [KODE, KODE_2]
        for kode in (KODE, KODE_2):
            read = snapshot.read(store / kode, contract)
            assert sorted(os.listdir(store / kode)) == ["donatur.csv", "meta.json", "peserta.csv", "santunan.csv",
                                                        "wilayah.csv"]
            assert snapshot.content_hash(read, contract) == read.meta["isi"]  # one version, whole
            assert read.meta["isi"] in (self.hashes["a"][kode], self.hashes["b"][kode])
        assert set(report.read_all(self.config.laporan_dir)) == {KODE, KODE_2}  # every report parses

    def assert_next_runs_clean_up(self) -> None:
        project = self.project
        assert project.cli("pull").exit_code == 0
        assert project.cli("build", "--as-of", AS_OF.isoformat()).exit_code == 0
        self.assert_whole_snapshots()
        assert sorted(os.listdir(self.config.snapshot_dir)) == [KODE, KODE_2]
        assert sorted(os.listdir(self.config.laporan_dir)) == [f"{KODE}.json", f"{KODE_2}.json"]
        assert sorted(p for p in os.listdir(project.root) if "site" in p) == [".site.lock", "site"]


def timed(function) -> float:
    started = time.monotonic()
    function()
    return time.monotonic() - started


@pytest.fixture
def scene(project, rows):
    sheets = project.root / "sheets"
    for name, count in (("a", 2), ("b", 3)):
        for kode, kelurahan in ((KODE, "Potrobangsan"), (KODE_2, "Cacaban")):
            project.add(kode, peserta=[rows.peserta(kelurahan=kelurahan) for _ in range(count)],
                        wilayah=[rows.wilayah(kelurahan=kelurahan)])
            shutil.copy(sheets / f"{kode}.xlsx", sheets / f"{name}-{kode}.xlsx")
    made = Scene(project, Forker(project.root), {}, {}, {})
    config = made.config
    for name in ("a", "b"):  # the two versions of the data, and how long a pull and a build take
        made.use(name)
        made.took["pull"] = timed(lambda: jobs.pull(config, now=NOW, environ={"LINDUNG_SECRET": SECRET}))
        made.hashes[name] = {kode: snapshot.read(config.snapshot_dir / kode, config.contract).meta["isi"]
                             for kode in (KODE, KODE_2)}
    assert made.hashes["a"] != made.hashes["b"]
    made.took["build"] = timed(lambda: jobs.build(config, as_of=AS_OF))
    made.site = files(project.site)
    yield made
    made.forker.close()


def test_runs_killed_at_random_moments_leave_whole_snapshots_and_a_whole_site(scene):
    chance = random.Random(20261123)
    killed = 0
    for round_ in range(10):
        if round_ % 2 == 0:
            code = scene.pull("ab"[round_ % 4 // 2], kill_after=chance.uniform(0, scene.took["pull"]))
        else:
            code = scene.build(AS_OF + dt.timedelta(days=round_), kill_after=chance.uniform(0, scene.took["build"]))
        assert code in (0, -signal.SIGKILL), code
        killed += code == -signal.SIGKILL
    assert killed >= 6, "too few runs were killed mid-way to prove anything"
    scene.assert_next_runs_clean_up()


def test_runs_killed_right_before_each_step_of_their_swaps_leave_whole_snapshots_and_a_whole_site(scene):
    for step in (1, 2, 3):
        assert scene.pull("ab"[step % 2], die_before=step) == -signal.SIGKILL
        assert scene.build(AS_OF + dt.timedelta(days=step), die_before=step) in (0, -signal.SIGKILL)
    scene.assert_next_runs_clean_up()
