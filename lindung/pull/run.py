"""Pull: read every kecamatan's sheet, validate it, keep the last good data.

The only stage that talks to the outside world and the only one that sees
personal data. For each source it reads the workbook (local file or Google
Sheet), validates it, and then either writes a new minimised snapshot or, when
the sheet cannot be read or its structure is wrong, leaves the previous
snapshot untouched. Either way it writes that kecamatan's report, as soon as
that source's result is known: local files one by one, Google Sheets in the
order their reads finish. Whatever goes wrong with one source (an exception
of any kind, a limit of lindung.pull.limits) becomes that source's failure,
and the others are pulled as if nothing happened.
"""
from __future__ import annotations

import datetime as dt
import itertools
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from ..config import Config, Source
from ..store import report as report_module
from ..store import snapshot as snapshot_module
from ..store.report import Report, RowError
from ..store.snapshot import Snapshot
from .limits import MAX_LISTED, shown
from .minimise import leaks, minimise, secret_for
from .sources import NOT_ISOLATED, RawWorkbook, SourceError, failure, is_google
from .sources import local
from .validate import validate_workbook


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


@dataclass(frozen=True)
class _Unchanged:
    """Drive says the sheet has not changed since this snapshot."""

    snapshot: Snapshot


Outcome = RawWorkbook | SourceError | _Unchanged


def pull(config: Config, *, now: dt.datetime, environ: Mapping[str, str] = os.environ,
         only: set[str] | None = None, force: bool = False, write_back: bool = False,
         progress: Progress | None = None, reading: Reading | None = None) -> PullResult:
    secret, demo_key = secret_for(config, environ)  # fails closed before any sheet is read
    sources = [s for s in config.sources if not only or s.kode in only]
    google = _Google.open(config, [s for s in sources if is_google(s.sumber)], environ)
    reports: dict[str, Report] = {}
    try:
        # Local files first, before any reader thread exists: each is read in a child process.
        for source, outcome in itertools.chain(_read_local(config, [s for s in sources if not is_google(s.sumber)]),
                                               google.read(force, config.pull.workers, reading)):
            result, snapshot = _settle(config, source, outcome, secret, now)
            earlier = report_module.read(config.laporan_dir, source.kode)
            if not result.ok:
                result.failing_since = (earlier.failing_since if earlier and not earlier.ok and earlier.failing_since
                                        else now.date().isoformat())
            if snapshot is not None:
                snapshot_module.write(config.snapshot_dir / source.kode, snapshot, config.contract)
            if write_back:
                google.write_back(source, result, outcome)
            report_module.write(config.laporan_dir, result)
            reports[source.kode] = result
            if progress:
                progress(source, result)
    finally:
        google.close()
    return PullResult(reports, demo_key)


T = TypeVar("T")


def _isolated(work: Callable[[], T]) -> T | SourceError:
    try:
        return work()
    except NOT_ISOLATED:
        raise
    except BaseException as error:  # also pyo3's PanicException and MemoryError: this source's failure alone
        return failure(error)


def _read_local(config: Config, sources: list[Source]) -> Iterator[tuple[Source, Outcome]]:
    for source in sources:
        yield source, _isolated(lambda: local.read(local.resolve(source.sumber, config.root)))


def _settle(config: Config, source: Source, outcome: Outcome, secret: str,
            now: dt.datetime) -> tuple[Report, Snapshot | None]:
    decided = _isolated(lambda: _decide(config, source, outcome, secret, now))
    if isinstance(decided, SourceError):
        return _failed(source, now.isoformat(timespec="seconds"), decided), None
    return decided


def _decide(config: Config, source: Source, outcome: Outcome, secret: str,
            now: dt.datetime) -> tuple[Report, Snapshot | None]:
    """This source's report and the snapshot to write (None: keep the last
    one). Writes nothing, so a failure here changes nothing on disk."""
    stamp = now.isoformat(timespec="seconds")
    if isinstance(outcome, _Unchanged):  # confirm the snapshot as of now, read nothing
        snapshot = outcome.snapshot
        snapshot.meta["diambil"] = stamp
        errors = [RowError.from_dict(e) for e in snapshot.meta.get("kesalahan", [])]
        return Report(source.kode, stamp, report_module.OK, errors=errors, skipped=True), snapshot
    if isinstance(outcome, SourceError):
        return _failed(source, stamp, outcome), None
    validated = validate_workbook(outcome, source.kode, config.wilayah, config.contract)
    if validated.too_many:
        return Report(source.kode, stamp, report_module.UNREADABLE,
                      f"Lebih dari {shown(MAX_LISTED)} kesalahan, jadi sheet tidak diperiksa sampai habis dan data "
                      "lama tetap dipakai. Biasanya satu kolom bergeser atau isi tertempel di tab yang salah: perbaiki "
                      "berdasarkan kesalahan yang tercantum, lalu tarik lagi.",
                      "kesalahan_banyak", validated.errors), None
    if validated.structural:
        return Report(source.kode, stamp, report_module.STRUCTURE,
                      "Tab atau kolom wajib tidak ditemukan; data lama tetap dipakai.", "struktur",
                      validated.errors), None
    snapshot = minimise(source.kode, validated, secret, config.contract)
    leaked = leaks(snapshot)
    if leaked:  # the guard at the pull's end: nothing unchecked enters the data store
        return Report(source.kode, stamp, report_module.UNREADABLE,
                      f"Pemeriksa privasi menemukan {leaked} di data yang akan disimpan; "
                      "data lama tetap dipakai. Laporkan ke pengelola Lindung.", "privasi", validated.errors), None
    snapshot.meta = {
        "kode": source.kode,
        "diambil": stamp,
        "sumber_diubah": outcome.modified if is_google(source.sumber) else None,
        "isi": snapshot_module.content_hash(snapshot, config.contract),
        "baris": {tab: len(rows) for tab, rows in snapshot.tables.items()},
        "menunggu_perbaikan": validated.rows_in_error.get("peserta", 0),
        "baris_bermasalah": validated.rows_in_error,
        # The errors belong to this content: an unchanged sheet reports them again.
        "kesalahan": [e.to_dict() for e in validated.errors],
    }
    return Report(source.kode, stamp, report_module.OK, errors=validated.errors,
                  renewals=renewals(validated, now.date())), snapshot


RENEWAL_DAYS = 30


def renewals(validated, today: dt.date) -> list[tuple[int, str]]:
    """(peserta row, Berlaku Sampai) of the protections ending in the next
    RENEWAL_DAYS days or ended in the last RENEWAL_DAYS: for the editor's own
    sheet, so the kecamatan and the donors renew in time."""
    window = dt.timedelta(days=RENEWAL_DAYS)
    return sorted((row["baris"], row["berlaku_sampai"].isoformat()) for row in validated.tables.get("peserta", [])
                  if row.get("berlaku_sampai") and today - window <= row["berlaku_sampai"] <= today + window)


def _failed(source: Source, stamp: str, error: SourceError) -> Report:
    return Report(source.kode, stamp, report_module.UNREADABLE, error.reason, error.kind)


# A sheet that could not be reached cannot be written to either.
_UNREACHABLE = {"tidak_ada", "tidak_dibagikan", "kredensial", "jaringan", "kuota", "server", "bukan_sheet",
                "api_nonaktif", "konfigurasi"}


@dataclass
class _Google:
    """The Google side of one pull: a client (or why there is none) and the
    sheets it is responsible for."""

    config: Config
    sources: list[Source]
    client: Any = None
    failure: SourceError | None = None

    @classmethod
    def open(cls, config: Config, sources: list[Source], environ: Mapping[str, str]) -> "_Google":
        if not sources:
            return cls(config, sources)
        from .sources import google  # only operators with Google sources need its set-up

        try:
            return cls(config, sources, client=google.connect(environ))
        except SourceError as error:  # e.g. no credentials: local sources still go ahead
            return cls(config, sources, failure=error)

    def close(self) -> None:
        if self.client is not None:
            self.client.close()

    @staticmethod
    def key(source: Source) -> str | SourceError:
        """The sheet's key, or why `sumber` holds none (a failure of this
        kecamatan alone, like any other unreadable sheet)."""
        from .sources import google

        try:
            return google.spreadsheet_key(source.sumber)
        except SourceError as error:
            return error

    def read(self, force: bool, workers: int, reading: Reading | None) -> Iterator[tuple[Source, Outcome]]:
        """Each sheet's workbook, or why it could not be read, or that Drive
        says it has not changed since its snapshot, as each becomes known."""
        if not self.sources:
            return
        if self.failure:
            yield from ((s, self.failure) for s in self.sources)
            return
        modified = _isolated(self.client.modified_times)  # one listing for all sheets
        if isinstance(modified, SourceError):
            yield from ((s, modified) for s in self.sources)
            return
        to_read: dict[str, list[Source]] = {}  # key -> the sources that name it
        for source in self.sources:
            key = self.key(source)
            if isinstance(key, SourceError):
                yield source, key
                continue
            unchanged = None if force or not modified.get(key) else \
                _isolated(lambda: self._unchanged(source, modified[key]))
            if isinstance(unchanged, _Unchanged):
                yield source, unchanged
            else:  # changed, never pulled, or its snapshot unreadable: read it
                to_read.setdefault(key, []).append(source)
        done = 0
        for key, outcome in self.client.read_each(list(to_read), workers=workers):
            done += 1
            if reading:
                reading(done, len(to_read))
            yield from ((source, outcome) for source in to_read[key])

    def _unchanged(self, source: Source, modified: str) -> _Unchanged | None:
        snapshot = snapshot_module.read(self.config.snapshot_dir / source.kode, self.config.contract)
        if snapshot is not None and snapshot.meta.get("sumber_diubah") == modified:
            return _Unchanged(snapshot)
        return None

    def write_back(self, source: Source, result: Report, outcome: Outcome | None = None) -> None:
        """The report into the sheet's own `Laporan Validasi` tab, where the
        editor types, and each bad cell of the data tabs marked (with the
        workbook just read, `outcome`, to find the cells). A sheet not read
        this time, or unreachable, is left alone."""
        if self.client is None or source not in self.sources or result.skipped \
                or result.reason_kind in _UNREACHABLE:
            return
        workbook = outcome if isinstance(outcome, RawWorkbook) else None
        fields = {tab: [n for c in spec.columns for n in (c.name, c.title)] for tab, spec in self.config.contract.tabs.items()}
        try:
            self.client.write_report(self.key(source), result, workbook, fields)
        except SourceError as error:
            result.write_back_error = error.reason
