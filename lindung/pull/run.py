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
from typing import Any

from ..config import Config, Source
from ..store import report as report_module
from ..store import snapshot as snapshot_module
from ..store.report import Report, RowError
from .minimise import leaks, minimise, secret_for
from .sources import RawWorkbook, SourceError, is_google
from .sources import local
from .validate import Validated, validate_workbook


@dataclass
class PullResult:
    reports: dict[str, Report]
    demo_key: bool = False  # the shipped demo registry, hashed with the published demo key

    @property
    def found_errors(self) -> bool:
        return any(not r.ok or r.problems for r in self.reports.values())

    def stale(self, today: dt.date, days: int) -> list[Report]:
        return [r for r in self.reports.values() if r.failing_days(today) > days]


Progress = Callable[[Source, Report], None]
Reading = Callable[[int, int], None]  # (sheets read so far, sheets to read) while Google is read


def pull(config: Config, *, now: dt.datetime, environ: Mapping[str, str] = os.environ,
         only: set[str] | None = None, force: bool = False, write_back: bool = False,
         progress: Progress | None = None, reading: Reading | None = None) -> PullResult:
    secret, demo_key = secret_for(config, environ)  # fails closed before any sheet is read
    sources = [s for s in config.sources if not only or s.kode in only]
    contract = config.contract
    previous = {s.kode: snapshot_module.read(config.snapshot_dir / s.kode, contract) for s in sources}
    google = _Google.open([s for s in sources if is_google(s.sumber)], environ)
    workbooks = _read_local(config, [s for s in sources if not is_google(s.sumber)])
    workbooks.update(google.read(previous, force, config.pull.workers, reading))
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
            validated = validate_workbook(outcome, source.kode, config.wilayah, contract)
            result = _keep(config, source, outcome, validated, secret, now)
        if not result.ok:
            result.failing_since = (earlier.failing_since if earlier and not earlier.ok and earlier.failing_since
                                    else now.date().isoformat())
        if write_back:
            google.write_back(source, result)
        report_module.write(config.laporan_dir, result)
        reports[source.kode] = result
        if progress:
            progress(source, result)
    return PullResult(reports, demo_key)


def _read_local(config: Config, sources: list[Source]) -> dict[str, RawWorkbook | SourceError]:
    results: dict[str, RawWorkbook | SourceError] = {}
    for source in sources:
        try:
            results[source.kode] = local.read(local.resolve(source.sumber, config.root))
        except SourceError as error:
            results[source.kode] = error
    return results


# A sheet that could not be reached cannot be written to either.
_UNREACHABLE = {"tidak_ada", "tidak_dibagikan", "kredensial", "jaringan", "kuota", "server", "bukan_sheet",
                "api_nonaktif", "konfigurasi"}


@dataclass
class _Google:
    """The Google side of one pull: a client (or why there is none) and the
    sheets it is responsible for."""

    sources: list[Source]
    client: Any = None
    failure: SourceError | None = None

    @classmethod
    def open(cls, sources: list[Source], environ: Mapping[str, str]) -> "_Google":
        if not sources:
            return cls(sources)
        from .sources import google  # only operators with Google sources need its set-up

        try:
            return cls(sources, client=google.connect(environ))
        except SourceError as error:  # e.g. no credentials: local sources still go ahead
            return cls(sources, failure=error)

    @staticmethod
    def key(source: Source) -> str | SourceError:
        """The sheet's key, or why `sumber` holds none (a failure of this
        kecamatan alone, like any other unreadable sheet)."""
        from .sources import google

        try:
            return google.spreadsheet_key(source.sumber)
        except SourceError as error:
            return error

    def read(self, previous, force: bool, workers: int,
             reading: Reading | None) -> dict[str, RawWorkbook | SourceError | None]:
        """Each sheet's workbook, or why it could not be read, or None when
        Drive says it has not changed since its snapshot."""
        if not self.sources:
            return {}
        if self.failure:
            return {s.kode: self.failure for s in self.sources}
        try:
            modified = self.client.modified_times()  # one listing for all sheets
        except SourceError as error:
            return {s.kode: error for s in self.sources}
        results: dict[str, RawWorkbook | SourceError | None] = {}
        to_read: dict[str, str] = {}  # kode -> key
        for source in self.sources:
            key = self.key(source)
            snapshot = previous.get(source.kode)
            if isinstance(key, SourceError):
                results[source.kode] = key
            elif (not force and snapshot is not None and modified.get(key)
                  and snapshot.meta.get("sumber_diubah") == modified[key]):
                results[source.kode] = None
            else:
                to_read[source.kode] = key
        done = iter(range(1, len(to_read) + 1))
        read = self.client.read_many(list(to_read.values()), workers=workers,
                                     progress=(lambda key: reading(next(done), len(to_read))) if reading else None)
        for kode, key in to_read.items():
            results[kode] = read[key]
        return results

    def write_back(self, source: Source, result: Report) -> None:
        """The report into the sheet's own `Laporan Validasi` tab, where the
        editor types. A sheet not read this time, or unreachable, is left alone."""
        if self.client is None or source not in self.sources or result.skipped \
                or result.reason_kind in _UNREACHABLE:
            return
        try:
            self.client.write_report(self.key(source), result.sheet_rows())
        except SourceError as error:
            result.write_back_error = error.reason


def _keep(config: Config, source: Source, raw: RawWorkbook, validated: Validated,
          secret: str, now: dt.datetime) -> Report:
    stamp = now.isoformat(timespec="seconds")
    if validated.structural:
        return Report(source.kode, stamp, report_module.STRUCTURE,
                      "Tab atau kolom wajib tidak ditemukan; data lama tetap dipakai.", "struktur",
                      validated.errors)
    snapshot = minimise(source.kode, validated, secret, config.contract)
    leaked = leaks(snapshot)
    if leaked:  # the guard at the pull's end: nothing unchecked enters the data store
        return Report(source.kode, stamp, report_module.UNREADABLE,
                      f"Pemeriksa privasi menemukan {leaked} di data yang akan disimpan; "
                      "data lama tetap dipakai. Laporkan ke pengelola Lindung.", "privasi", validated.errors)
    snapshot.meta = {
        "kode": source.kode,
        "diambil": stamp,
        "sumber_diubah": raw.modified if is_google(source.sumber) else None,
        "isi": snapshot_module.content_hash(snapshot, config.contract),
        "baris": {tab: len(rows) for tab, rows in snapshot.tables.items()},
        "menunggu_perbaikan": validated.rows_in_error.get("peserta", 0),
        "baris_bermasalah": validated.rows_in_error,
        # The errors belong to this content: an unchanged sheet reports them again.
        "kesalahan": [e.to_dict() for e in validated.errors],
    }
    snapshot_module.write(config.snapshot_dir / source.kode, snapshot, config.contract)
    return Report(source.kode, stamp, report_module.OK, errors=validated.errors)


def _confirm(config: Config, source: Source, snapshot, earlier: Report | None, now: dt.datetime) -> Report:
    stamp = now.isoformat(timespec="seconds")
    snapshot.meta["diambil"] = stamp
    snapshot_module.write(config.snapshot_dir / source.kode, snapshot, config.contract)
    errors = [RowError.from_dict(e) for e in snapshot.meta.get("kesalahan", [])]
    return Report(source.kode, stamp, report_module.OK, errors=errors, skipped=True)
