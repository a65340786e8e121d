"""Jobs: the two things Lindung does, each written out once.

`pull` reads every source and writes the private data store; `build` turns
the data store, content and templates into the public site. The CLI,
`lindung serve`, build.py, the benchmark and the tests all call these, so
this is where a job takes the lock on what it writes (one run at a time per
data store and per site folder, waiting at most `[jobs] lock_timeout`) and
then repairs what a killed run left there. The pull side is imported only
inside `pull`, so a build never loads the code (or the libraries) that read
sheets and see personal data.
"""
from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import filelock

from .config import Config

if TYPE_CHECKING:
    from .build.site import Page
    from .pull.run import PullResult

STORE_LOCK = ".lindung.lock"  # in the data store folder

Waiting = Callable[[str], None]  # told once when a job has to wait for another run


class Busy(Exception):
    """Another run still holds the lock on what this job writes."""

    def __init__(self, what: str, folder: Path, waited: float):
        super().__init__(
            f"{what} {folder} sedang dipakai proses Lindung lain; sudah menunggu {waited:g} detik. "
            "Jalankan lagi setelah proses itu selesai, atau naikkan lock_timeout di [jobs] lindung.toml "
            "(atau LINDUNG_LOCK_TIMEOUT).")
        self.folder = folder


@contextmanager
def _locked(lock_file: Path, what: str, folder: Path, timeout: float,
            waiting: Waiting | None) -> Iterator[None]:
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    lock = filelock.FileLock(lock_file)
    try:
        try:
            lock.acquire(timeout=0)
        except filelock.Timeout:
            if waiting:
                waiting(f"{what} {folder} sedang dipakai proses Lindung lain; "
                        f"menunggu paling lama {timeout:g} detik…")
            lock.acquire(timeout=timeout)
    except filelock.Timeout:  # an OSError subclass: say it before the CLI reads it as a disk problem
        raise Busy(what, folder, timeout) from None
    try:
        yield
    finally:
        lock.release()


def pull(config: Config, *, now: dt.datetime, environ: Mapping[str, str] = os.environ,
         waiting: Waiting | None = None, **options: Any) -> "PullResult":
    """Pull every source (or `only` some): see lindung.pull.run.pull for the
    options. Raises lindung.pull.minimise.SecretError before reading
    anything when real data would be hashed without a strong secret; Busy
    when another pull holds the data store longer than lock_timeout."""
    from .pull.run import pull as run_pull
    from .store import report, snapshot

    store = config.store_dir
    with _locked(store / STORE_LOCK, "Folder data store", store, config.jobs.lock_timeout, waiting):
        snapshot.recover(config.snapshot_dir)
        report.recover(config.laporan_dir)
        return run_pull(config, now=now, environ=environ, **options)


@dataclass(frozen=True)
class Built:
    pages: list["Page"]
    out: Path
    as_of: dt.date


def build(config: Config, *, as_of: dt.date, out: Path | None = None,
          waiting: Waiting | None = None) -> Built:
    """Build the site from the data store into `out` (default site/), whole
    or not at all. Raises lindung.build.site.BuildError; Busy when another
    build into the same folder runs longer than lock_timeout."""
    from .build import aggregate, partials, site
    from .store import report

    shown = out or config.root / "site"
    target = shown.resolve()
    lock_file = target.parent / f".{target.name}.lock"  # beside the site: the swap happens in its parent
    with _locked(lock_file, "Folder situs", target, config.jobs.lock_timeout, waiting):
        site.recover(target)
        reports = report.read_all(config.laporan_dir)
        figures = aggregate.assemble(config, partials.load(config, as_of), reports, as_of)
        return Built(site.build(config, figures, target), shown, as_of)
