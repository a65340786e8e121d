"""Jobs: the two things Lindung does, each written out once.

`pull` reads every source and writes the private data store; `build` turns
the data store, content and templates into the public site. The CLI,
`lindung serve`, build.py, the benchmark and the tests all call these, so
this is where a job first repairs what a killed run left in the folders it
writes. The pull side is imported only inside `pull`, so a build never
loads the code (or the libraries) that read sheets and see personal data.
"""
from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import Config

if TYPE_CHECKING:
    from .build.site import Page
    from .pull.run import PullResult


def pull(config: Config, *, now: dt.datetime, environ: Mapping[str, str] = os.environ,
         **options: Any) -> "PullResult":
    """Pull every source (or `only` some): see lindung.pull.run.pull for the
    options. Raises lindung.pull.minimise.SecretError before reading
    anything when real data would be hashed without a strong secret."""
    from .pull.run import pull as run_pull
    from .store import report, snapshot

    snapshot.recover(config.snapshot_dir)
    report.recover(config.laporan_dir)
    return run_pull(config, now=now, environ=environ, **options)


@dataclass(frozen=True)
class Built:
    pages: list["Page"]
    out: Path
    as_of: dt.date


def build(config: Config, *, as_of: dt.date, out: Path | None = None) -> Built:
    """Build the site from the data store into `out` (default site/), whole
    or not at all. Raises lindung.build.site.BuildError."""
    from .build import aggregate, site
    from .store import report, snapshot

    shown = out or config.root / "site"
    target = shown.resolve()
    site.recover(target)
    snapshots = snapshot.read_all(config.snapshot_dir, config.contract)
    reports = report.read_all(config.laporan_dir)
    figures = aggregate.figures(config, snapshots, reports, as_of)
    return Built(site.build(config, figures, target), shown, as_of)
