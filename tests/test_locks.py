"""One run at a time: a pull locks its data store, a build the folder beside
site/. A second run waits (telling so) up to `lock_timeout` seconds, then
exits 2 with one Indonesian line naming what is locked."""
import datetime as dt
import threading
import time

import filelock
import pytest

from conftest import AS_OF, KODE, KODE_2, NOW, SECRET
from lindung import jobs
from lindung.build import site
from lindung.pull import run as pull_run


@pytest.fixture
def clean(project, rows):
    project.add(KODE, peserta=[rows.peserta()], wilayah=[rows.wilayah()])
    project.add(KODE_2, peserta=[rows.peserta(kelurahan="Cacaban")], wilayah=[rows.wilayah(kelurahan="Cacaban")])
    return project


def held(path):
    """The lock another run would hold (another file handle: flock excludes it as another process)."""
    lock = filelock.FileLock(path, thread_local=False)  # released from a timer thread below
    lock.acquire()
    return lock


def overlapping(monkeypatch, module, name):
    """Wrap module.name to record (start, end) of each call, slowed a little
    so that two unlocked runs would overlap."""
    spans = []
    real = getattr(module, name)

    def timed(*args, **kwargs):
        start = time.monotonic()
        time.sleep(0.2)
        try:
            return real(*args, **kwargs)
        finally:
            spans.append((start, time.monotonic()))

    monkeypatch.setattr(module, name, timed)
    return spans


def both(first, second):
    errors = []

    def run(function):
        try:
            function()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(f,)) for f in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_two_builds_at_once_run_one_after_the_other(clean, monkeypatch):
    clean.pull()
    config = clean.config()
    spans = overlapping(monkeypatch, site, "build")
    told = []
    errors = both(lambda: jobs.build(config, as_of=AS_OF, waiting=told.append),
                  lambda: jobs.build(config, as_of=AS_OF, waiting=told.append))
    assert errors == []
    (a_start, a_end), (b_start, b_end) = sorted(spans)
    assert a_end <= b_start, "the second build ran while the first was still writing"
    assert len(told) == 1 and "sedang dipakai" in told[0] and str(clean.site) in told[0]
    assert (clean.site / "index.html").exists()


def test_two_pulls_at_once_run_one_after_the_other_and_leave_whole_snapshots(clean, monkeypatch):
    config = clean.config()
    spans = overlapping(monkeypatch, pull_run, "pull")
    errors = both(lambda: jobs.pull(config, now=NOW, environ={"LINDUNG_SECRET": SECRET}),
                  lambda: jobs.pull(config, now=NOW, environ={"LINDUNG_SECRET": SECRET}))
    assert errors == []
    (a_start, a_end), (b_start, b_end) = sorted(spans)
    assert a_end <= b_start, "the second pull ran while the first was still writing"
    snapshots = clean.registry / "snapshots"
    assert sorted(p.name for p in snapshots.iterdir()) == [KODE, KODE_2]
    assert all((snapshots / kode / "meta.json").exists() for kode in (KODE, KODE_2))


def test_a_build_that_waits_longer_than_lock_timeout_exits_2_naming_the_site(clean, assert_indonesian):
    clean.pull()
    before = None
    assert clean.cli("build").exit_code == 0
    before = (clean.site / "sitemap.xml").read_bytes()
    lock = held(clean.root / ".site.lock")
    try:
        started = time.monotonic()
        result = clean.cli("build", "--as-of", "2026-11-24", env={"LINDUNG_LOCK_TIMEOUT": "0.3"})
        waited = time.monotonic() - started
    finally:
        lock.release()
    assert result.exit_code == 2, result.output
    assert waited >= 0.3
    [line] = [line for line in result.stderr.splitlines() if "sudah menunggu" in line]
    assert str(clean.site) in line and "0.3 detik" in line and "lock_timeout" in line
    assert "Traceback" not in result.output
    assert_indonesian(line)
    assert (clean.site / "sitemap.xml").read_bytes() == before  # untouched


def test_a_pull_that_waits_longer_than_lock_timeout_exits_2_naming_the_data_store(clean):
    (clean.root / "lindung.toml").write_text("[jobs]\nlock_timeout = 0.2\n", encoding="utf-8")
    lock = held(clean.registry / ".lindung.lock")
    try:
        result = clean.cli("pull")
    finally:
        lock.release()
    assert result.exit_code == 2, result.output
    assert f"Folder data store {clean.registry} sedang dipakai" in result.stderr
    assert "Traceback" not in result.output
    assert not (clean.registry / "snapshots").exists()  # nothing was pulled
    assert clean.cli("pull").exit_code == 0  # released: the next one runs


def test_a_waiting_run_goes_ahead_as_soon_as_the_other_finishes(clean):
    clean.pull()
    lock = held(clean.root / ".site.lock")
    threading.Timer(0.3, lock.release).start()
    result = clean.cli("build", env={"LINDUNG_LOCK_TIMEOUT": "30"})
    assert result.exit_code == 0, result.output
    assert "menunggu paling lama 30 detik" in result.stderr


def test_a_build_into_another_folder_does_not_wait_for_site(clean, tmp_path):
    clean.pull()
    lock = held(clean.root / ".site.lock")
    try:
        result = clean.cli("build", "--out", str(tmp_path / "lain" / "situs"), env={"LINDUNG_LOCK_TIMEOUT": "0"})
    finally:
        lock.release()
    assert result.exit_code == 0, result.output
    assert (tmp_path / "lain" / ".situs.lock").exists()
