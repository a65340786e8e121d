"""Pull: read every kecamatan's sheet, validate it, keep the last good data.

The only stage that talks to the outside world and the only one that sees
personal data. For each source it reads the workbook (local file or Google
Sheet), validates it, and then either writes a new minimised snapshot or, when
the sheet cannot be read or its structure is wrong, leaves the previous
snapshot untouched. Either way it writes that kecamatan's report. One bad
sheet never stops the others.
"""
from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from . import report as report_module
from . import snapshot as snapshot_module
from .config import Config, Source
from .report import Report
from .sources import RawWorkbook, SourceError, is_google
from .sources import local
from .validate import Validated, load_schemas, validate_workbook


@dataclass
class PullResult:
    reports: dict[str, Report]

    @property
    def found_errors(self) -> bool:
        return any(not r.ok or r.errors for r in self.reports.values())

    def stale(self, today: dt.date, days: int) -> list[Report]:
        return [r for r in self.reports.values() if r.failing_days(today) > days]


Progress = Callable[[Source, Report], None]


def pull(config: Config, *, secret: str, now: dt.datetime, only: set[str] | None = None,
         force: bool = False, environ: Mapping[str, str] = os.environ,
         progress: Progress | None = None) -> PullResult:
    sources = [s for s in config.sources if not only or s.kode in only]
    schemas = load_schemas(config.schema_dir)
    previous = {s.kode: snapshot_module.read(config.snapshot_dir / s.kode) for s in sources}
    workbooks = _read_sources(config, sources, previous, force, environ)
    reports: dict[str, Report] = {}
    for source in sources:
        earlier = report_module.read(config.laporan_dir, source.kode)
        outcome = workbooks[source.kode]
        if outcome is None:  # unchanged since its snapshot: confirm it, read nothing
            result = _confirm(config, source, previous[source.kode], earlier, now)
        elif isinstance(outcome, SourceError):
            result = Report(source.kode, now.isoformat(timespec="seconds"), report_module.UNREADABLE,
                            outcome.reason, outcome.kind)
        else:
            validated = validate_workbook(outcome, source.kode, config.wilayah, schemas)
            result = _keep(config, source, outcome, validated, secret, now)
        if not result.ok:
            result.failing_since = (earlier.failing_since if earlier and not earlier.ok and earlier.failing_since
                                    else now.date().isoformat())
        report_module.write(config.laporan_dir, result)
        reports[source.kode] = result
        if progress:
            progress(source, result)
    return PullResult(reports)


def _read_sources(config: Config, sources: list[Source], previous, force: bool,
                  environ: Mapping[str, str]) -> dict[str, RawWorkbook | SourceError | None]:
    """Each source's workbook, or why it could not be read, or None when it
    has not changed since its snapshot (Google Sheets only: Drive tells)."""
    results: dict[str, RawWorkbook | SourceError | None] = {}
    google_sources = [s for s in sources if is_google(s.sumber)]
    for source in sources:
        if not is_google(source.sumber):
            try:
                results[source.kode] = local.read(local.resolve(source.sumber, config.root))
            except SourceError as error:
                results[source.kode] = error
    if google_sources:
        results.update(_read_google(config, google_sources, previous, force, environ))
    return results


def _read_google(config: Config, sources: list[Source], previous, force: bool,
                 environ: Mapping[str, str]) -> dict[str, RawWorkbook | SourceError | None]:
    from .sources import google  # only operators with Google sources need its set-up

    try:
        client = google.connect(environ)
        modified = client.modified_times()
    except SourceError as error:
        return {s.kode: error for s in sources}
    keys = {s.kode: google.spreadsheet_key(s.sumber) for s in sources}
    results: dict[str, RawWorkbook | SourceError | None] = {}
    to_read = []
    for source in sources:
        snapshot = previous.get(source.kode)
        unchanged = (snapshot is not None and not force and modified.get(keys[source.kode])
                     and snapshot.meta.get("sumber_diubah") == modified[keys[source.kode]])
        if unchanged:
            results[source.kode] = None
        else:
            to_read.append(source)
    read = client.read_many([keys[s.kode] for s in to_read], workers=config.pull.workers)
    for source in to_read:
        results[source.kode] = read[keys[source.kode]]
    return results


def _keep(config: Config, source: Source, raw: RawWorkbook, validated: Validated,
          secret: str, now: dt.datetime) -> Report:
    stamp = now.isoformat(timespec="seconds")
    if validated.structural:
        return Report(source.kode, stamp, report_module.STRUCTURE,
                      "Tab atau kolom wajib tidak ditemukan; data lama tetap dipakai.", "struktur",
                      validated.errors)
    snapshot = snapshot_module.minimise(source.kode, validated, secret)
    snapshot.meta = {
        "kode": source.kode,
        "diambil": stamp,
        "sumber_diubah": raw.modified if is_google(source.sumber) else None,
        "isi": snapshot_module.content_hash(snapshot),
        "baris": {tab: len(rows) for tab, rows in snapshot.tables.items()},
        "menunggu_perbaikan": validated.rows_in_error.get("peserta", 0),
        "baris_bermasalah": validated.rows_in_error,
    }
    snapshot_module.write(config.snapshot_dir / source.kode, snapshot)
    return Report(source.kode, stamp, report_module.OK, errors=validated.errors)


def _confirm(config: Config, source: Source, snapshot, earlier: Report | None, now: dt.datetime) -> Report:
    stamp = now.isoformat(timespec="seconds")
    snapshot.meta["diambil"] = stamp
    snapshot_module.write(config.snapshot_dir / source.kode, snapshot)
    errors = earlier.errors if earlier else []
    return Report(source.kode, stamp, report_module.OK, errors=errors, skipped=True)
