"""Atomic for real: a snapshot folder, a report and site/ are replaced whole.
The process is killed (a BaseException that nothing catches, after which no
file-system step runs: a dead process's finally-blocks do nothing) at every
step of each swap, with exchange and with the two-rename fallback; the live
folder is then fully old or fully new, and the next run cleans or recovers
what was left. Then races: two writers at once, and a reader during writes.
"""
import datetime as dt
import json
import os
import shutil
import threading
import types
from pathlib import Path

import pytest

from conftest import AS_OF, KODE, NOW, SCHEMA_DIR, SECRET
from lindung import jobs
from lindung.build import site
from lindung.contract import load as load_contract
from lindung.store import atomic, report, snapshot
from lindung.store.report import Report
from lindung.store.snapshot import Snapshot

CONTRACT = load_contract(SCHEMA_DIR)


class Killed(BaseException):
    """SIGKILL, as far as the code under test can tell: nothing catches it."""


def files(directory: Path) -> dict[str, bytes]:
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def version(tag: str, rows: int = 3) -> Snapshot:
    """A snapshot whose every table and meta say which version it is."""
    peserta = [{"nik_hash": f"{tag}{n:030d}"[:32], "kelurahan": f"33.71.02.100{n % 5}"} for n in range(rows)]
    made = Snapshot(KODE, {"peserta": peserta, "donatur": [{"id": f"D-{tag}"}], "wilayah": [], "santunan": []})
    made.meta = {"kode": KODE, "versi": tag, "isi": snapshot.content_hash(made, CONTRACT)}
    return made


def whole(read: Snapshot | None) -> str:
    """Which version a read snapshot is; fails on a mix or a half."""
    assert read is not None, "the snapshot is missing"
    tag = read.meta["versi"]
    assert snapshot.content_hash(read, CONTRACT) == read.meta["isi"], "tables and meta of different versions"
    assert read.tables["donatur"] == [{**{c: None for c in CONTRACT.stored_columns("donatur")}, "id": f"D-{tag}"}]
    return tag


class Killer:
    """Counts the file-system steps of a swap (rename, replace, exchange,
    remove) and kills the process at step `at`: before it, after it, or in
    the middle of a remove (half of the folder deleted)."""

    def __init__(self, monkeypatch, at: int, when: str):
        self.at, self.when, self.steps, self.dead = at, when, 0, False
        real_os = atomic.os
        fake_os = types.SimpleNamespace(**{name: getattr(real_os, name) for name in dir(real_os)
                                           if not name.startswith("__")})
        fake_os.rename = self.step(real_os.rename)
        fake_os.replace = self.step(real_os.replace)
        fake_os.path = real_os.path
        monkeypatch.setattr(atomic, "os", fake_os)
        if atomic._renameat2 is not None:  # the fallback never exchanges: no step there
            monkeypatch.setattr(atomic, "exchange", self.step(atomic.exchange))
        monkeypatch.setattr(atomic, "remove", self.step(atomic.remove, removes=True))

    def step(self, function, removes=False):
        def run(*args, **kwargs):
            if self.dead:
                raise Killed
            self.steps += 1
            if self.steps != self.at:
                return function(*args, **kwargs)
            self.dead = True
            if self.when == "after":
                function(*args, **kwargs)
            elif self.when == "during" and removes and Path(args[0]).is_dir():
                doomed = sorted(p for p in Path(args[0]).rglob("*") if p.is_file())
                for path in doomed[: len(doomed) // 2 + 1]:
                    path.unlink()
            raise Killed
        return run


@pytest.fixture(params=["exchange", "two renames"])
def swap_kind(request, monkeypatch):
    """Every test with this fixture runs twice: with renameat2 exchange, and
    with it unavailable (the fallback: two renames and recovery)."""
    if request.param == "two renames":
        monkeypatch.setattr(atomic, "_renameat2", None)
    else:
        assert atomic._renameat2 is not None, "renameat2 should be available on this Linux"
    return request.param


def kill_points():
    return [(at, when) for when in ("before", "after", "during") for at in range(1, 8)]


# --- the swap primitive ---------------------------------------------------------------------

def test_exchange_swaps_two_folders_in_one_step(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "isi").write_text("a")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "isi").write_text("b")
    atomic.exchange(tmp_path / "a", tmp_path / "b")
    assert (tmp_path / "a" / "isi").read_text() == "b" and (tmp_path / "b" / "isi").read_text() == "a"


def test_without_exchange_replace_uses_two_renames_and_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(atomic, "_renameat2", None)
    target = tmp_path / "situs"
    for text in ("lama", "baru"):
        staged = atomic.staging(target)
        (staged / "isi").write_text(text)
        atomic.replace(staged, target)
    assert files(target) == {"isi": b"baru"} and os.listdir(tmp_path) == ["situs"]


# --- a snapshot folder, killed at every step ------------------------------------------------

def test_a_snapshot_write_killed_at_any_step_leaves_the_old_or_the_new_and_the_next_pull_cleans_up(
        tmp_path, monkeypatch, swap_kind):
    root = tmp_path / "snapshots"
    folder = root / KODE
    completed = set()
    for at, when in kill_points():
        shutil.rmtree(root, ignore_errors=True)
        snapshot.write(folder, version("lama"), CONTRACT)
        with monkeypatch.context() as patch:
            killer = Killer(patch, at, when)
            try:
                snapshot.write(folder, version("baru"), CONTRACT)
                completed.add(when)
            except Killed:
                pass
        if killer.steps < at:  # the write needed fewer steps: nothing was killed
            assert whole(snapshot.read(folder, CONTRACT)) == "baru"
            continue
        # what a build reading right now sees: one version, whole
        seen = whole(snapshot.read(folder, CONTRACT))
        if swap_kind == "exchange":  # the live folder itself never went missing
            assert (folder / "meta.json").exists(), (at, when)
        snapshot.recover(root)  # the next pull, under its lock
        assert os.listdir(root) == [KODE], (at, when, os.listdir(root))
        assert whole(snapshot.read(folder, CONTRACT)) == seen, (at, when)
        snapshot.write(folder, version("berikut"), CONTRACT)
        assert whole(snapshot.read(folder, CONTRACT)) == "berikut" and os.listdir(root) == [KODE]
    assert completed == {"before", "after", "during"}, "some kill point was never past the last step"


def test_a_snapshot_only_in_its_retired_folder_is_restored_not_lost(tmp_path):
    root = tmp_path / "snapshots"
    snapshot.write(root / KODE, version("lama"), CONTRACT)
    os.rename(root / KODE, root / f".{KODE}.old")  # killed between the two renames of the fallback
    assert whole(snapshot.read(root / KODE, CONTRACT)) == "lama"  # a reader finds it meanwhile
    assert list(snapshot.read_all(root, CONTRACT)) == [KODE]
    snapshot.recover(root)
    assert os.listdir(root) == [KODE] and whole(snapshot.read(root / KODE, CONTRACT)) == "lama"


def test_leftovers_of_killed_pulls_are_removed_and_a_retired_copy_beside_its_live_one_too(tmp_path):
    root = tmp_path / "snapshots"
    snapshot.write(root / KODE, version("baru"), CONTRACT)
    for leftover in (f".{KODE}.tmp-abc123", f".{KODE}.old", f".{KODE}.k3j_x9qz", ".33.71.03.tmp-zz"):
        (root / leftover).mkdir()
        (root / leftover / "peserta.csv").write_text("setengah")
    (root / ".gitkeep").write_text("")  # not ours: kept
    snapshot.recover(root)
    assert sorted(os.listdir(root)) == [".gitkeep", KODE]
    assert whole(snapshot.read(root / KODE, CONTRACT)) == "baru"


def test_jobs_pull_recovers_the_data_store_before_it_pulls(project):
    project.add(KODE, sumber="sheets/tidak-ada.xlsx")  # unreadable: the last good snapshot must stay
    root = project.registry / "snapshots"
    snapshot.write(root / KODE, version("lama"), CONTRACT)
    os.rename(root / KODE, root / f".{KODE}.old")
    (root / f".{KODE}.tmp-sisa").mkdir()
    (project.registry / "laporan").mkdir()
    (project.registry / "laporan" / f"{KODE}.json.tmp").write_text("{setengah")
    (project.registry / "laporan" / f".{KODE}.json.tmp-sisa").write_text("{setengah")
    result = jobs.pull(project.config(), now=NOW, environ={"LINDUNG_SECRET": SECRET})
    assert not result.reports[KODE].ok
    assert os.listdir(root) == [KODE] and whole(snapshot.read(root / KODE, CONTRACT)) == "lama"
    assert os.listdir(project.registry / "laporan") == [f"{KODE}.json"]


# --- a report file --------------------------------------------------------------------------

def test_a_report_write_killed_before_its_replace_leaves_the_old_report_and_a_harmless_leftover(
        tmp_path, monkeypatch):
    folder = tmp_path / "laporan"
    report.write(folder, Report(KODE, "2026-11-22T06:00:00+07:00", report.OK))
    with monkeypatch.context() as patch:
        Killer(patch, 1, "before")
        with pytest.raises(Killed):
            report.write(folder, Report(KODE, "2026-11-23T06:00:00+07:00", report.OK))
    assert [p.name for p in folder.iterdir() if p.name != f"{KODE}.json"][0].startswith(f".{KODE}.json.tmp-")
    assert report.read_all(folder)[KODE].checked == "2026-11-22T06:00:00+07:00"  # the leftover is never read
    report.recover(folder)
    assert os.listdir(folder) == [f"{KODE}.json"]


# --- site/, killed at every step ------------------------------------------------------------

@pytest.fixture(scope="module")
def small_project(tmp_path_factory, schemas):
    """A small project, pulled once, and its real builds as of two days."""
    from conftest import Project, Rows, copy_project

    project = Project(copy_project(tmp_path_factory.mktemp("kecil") / "proyek"), Rows(schemas))
    rows = project.rows
    project.add(KODE, peserta=[rows.peserta()], wilayah=[rows.wilayah()])
    project.pull()
    days = {day: files(project.build(AS_OF + dt.timedelta(days=day), out=project.root / f"hari-{day}"))
            for day in (0, 1)}
    return project, days


@pytest.fixture
def two_sites(tmp_path_factory):
    """Two small site trees to swap: the swap does not look inside them."""
    made = []
    for tag in ("lama", "baru"):
        root = tmp_path_factory.mktemp(tag)
        for name in ("index.html", "wilayah/kota-magelang/index.html", "data/kecamatan.csv", "static/style.css"):
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(f"{tag} {name}\n")
        made.append(root)
    return made


def test_a_site_swap_killed_at_any_step_leaves_the_old_or_the_new_site_and_the_next_build_cleans_up(
        two_sites, tmp_path, monkeypatch, swap_kind):
    old, new = two_sites
    old_files, new_files = files(old), files(new)
    assert old_files != new_files
    out = tmp_path / "site"
    for at, when in kill_points():
        shutil.rmtree(tmp_path)
        tmp_path.mkdir()
        shutil.copytree(old, out)
        staged = atomic.staging(out, mode=0o755)
        shutil.copytree(new, staged, dirs_exist_ok=True)
        with monkeypatch.context() as patch:
            killer = Killer(patch, at, when)
            try:
                try:
                    atomic.replace(staged, out)
                finally:
                    atomic.remove(staged)  # as site.build does
            except Killed:
                pass
        if killer.steps < at:
            assert files(out) == new_files
            continue
        if swap_kind == "exchange":
            assert files(out) in (old_files, new_files), (at, when)
        seen = files(atomic.readable(out))
        assert seen in (old_files, new_files), (at, when)
        site.recover(out)
        assert os.listdir(tmp_path) == ["site"], (at, when, os.listdir(tmp_path))
        assert files(out) == seen


def test_a_real_build_killed_in_its_swap_keeps_the_old_site_and_the_next_build_succeeds(
        project, rows, monkeypatch, swap_kind):
    project.add(KODE, peserta=[rows.peserta()], wilayah=[rows.wilayah()])
    project.pull()
    config = project.config()
    jobs.build(config, as_of=AS_OF)
    before = files(project.site)
    with monkeypatch.context() as patch:
        Killer(patch, 1, "after")  # the first swap step done, then dead
        with pytest.raises(Killed):
            jobs.build(config, as_of=AS_OF + dt.timedelta(days=1))
    leftovers = sorted(p for p in os.listdir(project.root) if p.startswith(".site.") and p != ".site.lock")
    assert leftovers, "the kill should leave something to recover"
    if swap_kind == "two renames":
        assert not project.site.exists() and files(project.root / ".site.old") == before
    jobs.build(config, as_of=AS_OF + dt.timedelta(days=2))
    assert sorted(p for p in os.listdir(project.root) if "site" in p) == [".site.lock", "site"]
    assert "2026-11-25" in (project.site / "sitemap.xml").read_text()


# --- a site/ the build cannot delete from ---------------------------------------------------

def test_an_old_site_that_cannot_be_deleted_never_makes_a_later_build_fail(small_project, tmp_path, monkeypatch,
                                                                           swap_kind):
    project, _ = small_project
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text("situs lama")
    config = project.config()
    with monkeypatch.context() as patch:
        patch.setattr(atomic, "remove", lambda path: None)  # nothing can be deleted
        for day in range(2):
            jobs.build(config, as_of=AS_OF + dt.timedelta(days=day), out=out)
            assert f"2026-11-{23 + day}" in (out / "sitemap.xml").read_text()
    assert len(os.listdir(tmp_path)) > 2  # the undeletable old sites are still there, under staging names
    jobs.build(config, as_of=AS_OF, out=out)  # deleting works again: the next run cleans up
    assert sorted(os.listdir(tmp_path)) == [".site.lock", "site"]


def test_read_only_folders_in_an_old_site_are_made_writable_and_deleted(tmp_path, monkeypatch):
    real_rmtree = shutil.rmtree

    def rmtree_as_a_normal_user(path, ignore_errors=False, **kwargs):  # root may delete anything; a user not
        if any(not os.stat(d).st_mode & 0o200 for d, _, _ in os.walk(path)):
            if ignore_errors:
                return None
            raise PermissionError(13, "Permission denied", str(path))
        return real_rmtree(path, ignore_errors=ignore_errors, **kwargs)

    monkeypatch.setattr(atomic.shutil, "rmtree", rmtree_as_a_normal_user)
    old = tmp_path / ".site.tmp-lama"
    (old / "static" / "img").mkdir(parents=True)
    (old / "static" / "img" / "logo.png").write_bytes(b"png")
    (old / "static" / "img").chmod(0o555)  # copied from a read-only templates/static
    (old / "static").chmod(0o555)
    atomic.remove(old)
    assert not old.exists()


# --- races ----------------------------------------------------------------------------------

def race(*functions):
    """Run the functions at the same moment in threads; re-raise any failure."""
    barrier = threading.Barrier(len(functions))
    failures = []

    def run(function):
        barrier.wait()
        try:
            function()
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)

    threads = [threading.Thread(target=run, args=(f,)) for f in functions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]


def test_twenty_rounds_of_two_simultaneous_snapshot_writes_and_a_reader_never_fail(tmp_path):
    root = tmp_path / "snapshots"
    folder = root / KODE
    seen = []

    def reader():
        for _ in range(30):
            seen.append(whole(snapshot.read(folder, CONTRACT)))

    for round_ in range(20):
        if round_ == 10:
            shutil.rmtree(root)  # half the rounds start with no folder: both writers create it
        readers = [reader] if folder.exists() else []
        race(lambda: snapshot.write(folder, version("a", 200), CONTRACT),
             lambda: snapshot.write(folder, version("b", 300), CONTRACT), *readers)
        assert whole(snapshot.read(folder, CONTRACT)) in ("a", "b")
        assert os.listdir(root) == [KODE]
    assert set(seen) <= {"a", "b"} and seen


def test_twenty_rounds_of_two_simultaneous_site_swaps_never_fail(two_sites, tmp_path):
    old, new = two_sites
    out = tmp_path / "site"

    def swap(source):
        staged = atomic.staging(out, mode=0o755)
        shutil.copytree(source, staged, dirs_exist_ok=True)
        try:
            atomic.replace(staged, out)
        finally:
            atomic.remove(staged)

    for round_ in range(20):
        if round_ == 10:
            shutil.rmtree(out)
        race(lambda: swap(old), lambda: swap(new))
        assert files(out) in (files(old), files(new))
        assert os.listdir(tmp_path) == ["site"]


def test_two_simultaneous_builds_never_fail_and_leave_one_whole_site(small_project, tmp_path):
    project, days = small_project
    config = project.config()
    out = tmp_path / "site"
    for round_ in range(3):
        race(lambda: jobs.build(config, as_of=AS_OF, out=out),
             lambda: jobs.build(config, as_of=AS_OF + dt.timedelta(days=1), out=out))
        assert files(out) in (days[0], days[1])
        assert sorted(os.listdir(tmp_path)) == [".site.lock", "site"]
