"""Report: what the last pull of one kecamatan found, kept as data.

One JSON file per kecamatan in registry/laporan/, rewritten on every pull:
when it was checked, whether the sheet could be used, why not, since when it
has been failing, and every row error. The CLI prints it, the status page
shows it, write-back puts it in the editor's own sheet. It names tab, row and
column and the kind of problem, never what was typed, so it can be pasted
into a chat; it still lives in the private data store, beside the
snapshots.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from collections.abc import Callable
from typing import Any

from .. import privacy, schedule
from . import atomic

OK, STRUCTURE, UNREADABLE = "ok", "struktur", "gagal_baca"
ERROR, WARNING = "kesalahan", "peringatan"

# The `Laporan Validasi` tab of the editor's own sheet (see Report.sheet_layout).
SHEET_TITLE = "Laporan Validasi Lindung"
SHEET_HEADER = ["Tab", "Baris", "Kolom", "Sel", "Isi sel", "Masalah", "Cara memperbaiki"]
SHEET_CLEAN = "Tidak ada kesalahan. Terima kasih!"
SHEET_STAMP_ROWS = 3  # title, time of this check, time of the next: not part of "has the report changed"
RENEWAL_HEADER = ["Baris di tab peserta", "Berlaku sampai"]
CHECKED_LABEL = "Diperiksa"
NEXT_LABEL = "Pemeriksaan terjadwal berikutnya"


@dataclass(frozen=True)
class RowError:
    """One problem in one cell, row or tab. An error leaves the row out of
    every figure; a warning keeps it and says what was assumed. The text
    never contains what the editor typed: that is `quoted`, held in memory
    for the editor's own sheet only and never written anywhere else."""

    tab: str
    row: int | None  # as the editor sees it in the sheet; None for a whole tab
    column: str | None  # the column's header title
    code: str
    problem: str
    fix: str
    severity: str = ERROR
    quoted: str = field(default="", compare=False, repr=False)

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def where(self) -> str:
        parts = [f"Tab {self.tab}"]
        if self.row is not None:
            parts.append(f"baris {self.row}")
        if self.column:
            parts.append(f"kolom {self.column}")
        return ", ".join(parts)

    def message(self) -> str:
        label = "" if self.is_error else "Peringatan: "
        return f"{self.where()}: {label}{self.problem} Cara memperbaiki: {self.fix}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "tab": self.tab, "baris": self.row, "kolom": self.column, "jenis": self.severity,
            "kode": self.code, "masalah": self.problem, "perbaikan": self.fix,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "RowError":
        return cls(data["tab"], data["baris"], data["kolom"], data["kode"],
                   data["masalah"], data["perbaikan"], data.get("jenis", ERROR))


# What the public /status/ page says about a failing sheet, by kind. The
# operator's reason (a file path, a service account, what to do) stays in the
# report; the public is told only what kind of failure it is.
PUBLIC_REASONS = {
    "struktur": "susunan tab atau kolom sheet berubah",
    "tidak_dibagikan": "sheet belum dibagikan ke akun Lindung",
    "ditolak": "sheet belum dibagikan ke akun Lindung",
    "tidak_ada": "sheet tidak ditemukan",
    "jaringan": "Google Sheets tidak bisa dihubungi",
    "server": "Google Sheets tidak bisa dihubungi",
    "kuota": "batas pemakaian Google Sheets tercapai",
}
PUBLIC_REASON_DEFAULT = "sheet tidak bisa dibaca"


def public_reason(kind: str) -> str:
    return PUBLIC_REASONS.get(kind, PUBLIC_REASON_DEFAULT)


@dataclass
class Report:
    kode: str
    checked: str  # ISO datetime of this pull
    outcome: str  # OK, STRUCTURE or UNREADABLE
    reason: str = ""  # for STRUCTURE/UNREADABLE: what an operator does next
    reason_kind: str = ""
    errors: list[RowError] = field(default_factory=list)
    failing_since: str | None = None  # ISO date of the first failure in a row
    skipped: bool = False  # not modified since the last pull, not read again
    write_back_error: str = ""  # why the report could not be written into the sheet
    # (peserta row, Berlaku Sampai ISO) ending within 30 days or just ended:
    # "perlu diperpanjang", listed in the editor's own sheet only
    renewals: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.outcome == OK

    def failing_days(self, today: dt.date) -> int:
        if not self.failing_since:
            return 0
        return (today - dt.date.fromisoformat(self.failing_since)).days

    def to_dict(self) -> dict:
        return {
            "kode": self.kode, "diperiksa": self.checked, "hasil": self.outcome,
            "alasan": self.reason, "jenis_alasan": self.reason_kind,
            "gagal_sejak": self.failing_since, "dilewati": self.skipped,
            "gagal_tulis_balik": self.write_back_error,
            "perlu_diperpanjang": [list(r) for r in self.renewals],
            "kesalahan": [e.to_dict() for e in self.errors],
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Report":
        return cls(data["kode"], data["diperiksa"], data["hasil"], data.get("alasan", ""),
                   data.get("jenis_alasan", ""), [RowError.from_dict(e) for e in data.get("kesalahan", [])],
                   data.get("gagal_sejak"), data.get("dilewati", False), data.get("gagal_tulis_balik", ""),
                   [tuple(r) for r in data.get("perlu_diperpanjang", [])])

    @property
    def problems(self) -> list[RowError]:
        return [e for e in self.errors if e.is_error]

    @property
    def warnings(self) -> list[RowError]:
        return [e for e in self.errors if not e.is_error]

    def sheet_layout(self, cell_of: Callable[[RowError], str] | None = None) -> "SheetLayout":
        """The `Laporan Validasi` tab of the editor's own sheet: the one place
        a message may quote what was typed. On top the time of this check and
        of the next scheduled one; then the errors, the warnings and the
        protections to renew, each under its own heading. `cell_of` names the
        marked cell of an error ("C5"), when the sheet's layout is known."""
        checked = dt.datetime.fromisoformat(self.checked)
        rows: list[list[str]] = [
            [SHEET_TITLE],
            [f"{CHECKED_LABEL}: {when(checked)}"],
            [f"{NEXT_LABEL}: {when(schedule.next_check(checked))}"],
            ["Laporan ini ditulis ulang hanya bila hasil pemeriksaan berubah; sheet yang tidak diubah tidak "
             "diperiksa ulang. Sel bermasalah di tab data diberi warna (merah: kesalahan, kuning: peringatan) dan "
             "catatan; tandanya hilang pada pemeriksaan berikutnya setelah diperbaiki."],
        ]
        titles, headers = [0], []

        def section(title: str, header: list[str], body: list[list[str]]) -> None:
            rows.append([])
            titles.append(len(rows))
            rows.append([title])
            if header:
                headers.append(len(rows))
                rows.append(list(header))
            rows.extend(body)

        def listed(errors: list[RowError]) -> list[list[str]]:
            return [[e.tab, "" if e.row is None else str(e.row), e.column or "",
                     cell_of(e) if cell_of else "", e.quoted, e.problem, e.fix] for e in errors]

        if self.outcome == UNREADABLE:
            section("Sheet tidak bisa diperiksa: data lama kecamatan ini tetap dipakai", [], [[self.reason]])
        if self.problems:
            section(f"Kesalahan ({len(self.problems)}): baris ini belum dihitung sampai diperbaiki",
                    SHEET_HEADER, listed(self.problems))
        if self.warnings:
            section(f"Peringatan ({len(self.warnings)}): baris ini tetap dihitung; periksa apakah tafsirannya benar",
                    SHEET_HEADER, listed(self.warnings))
        if not self.errors and self.outcome != UNREADABLE:
            section(SHEET_CLEAN, [], [])
        if self.renewals:
            section(f"Perlu diperpanjang ({len(self.renewals)}): perlindungan yang berakhir dalam 30 hari ke depan "
                    "atau baru saja berakhir", RENEWAL_HEADER,
                    [[str(row), tanggal(dt.date.fromisoformat(until))] for row, until in self.renewals])
        return SheetLayout(rows, titles, headers)

    def sheet_rows(self, cell_of: Callable[[RowError], str] | None = None) -> list[list[str]]:
        return self.sheet_layout(cell_of).rows


@dataclass
class SheetLayout:
    """The rows of the `Laporan Validasi` tab and which of them are headings."""

    rows: list[list[str]]
    titles: list[int]  # indexes of the title and section headings
    headers: list[int]  # indexes of the tables' header rows


BULAN = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
         "November", "Desember")
HARI = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")


def tanggal(day: dt.date) -> str:
    """24 Maret 2026."""
    return f"{day.day} {BULAN[day.month - 1]} {day.year}"


def when(moment: dt.datetime) -> str:
    """Senin, 24 Maret 2025 pukul 15.30 WIB (a naive moment is taken as WIB)."""
    moment = moment.replace(tzinfo=schedule.WIB) if moment.tzinfo is None else moment.astimezone(schedule.WIB)
    return f"{HARI[moment.weekday()]}, {tanggal(moment.date())} pukul {moment:%H.%M} WIB"


class LeakError(Exception):
    """A report about to be written holds something shaped like personal data."""


def write(directory: Path, report: Report) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{report.kode}.json"
    text = json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"
    if privacy.scan_text(path.name, text):  # messages never quote a cell: a bug if this fires
        raise LeakError(f"Laporan {report.kode} memuat data berbentuk data pribadi; tidak ditulis.")
    atomic.write_text(path, text)  # a reader sees the old report or the new one, never half


# The staging file of versions before lindung.store.atomic: `<kode>.json.tmp`.
_LEGACY_STAGING = re.compile(r".+\.json\.tmp")


def recover(directory: Path) -> None:
    """Remove the staging files a killed pull left (they are never read:
    only `*.json` is). Under the pull's lock."""
    atomic.recover(directory, extra=_LEGACY_STAGING)


def read(directory: Path, kode: str) -> Report | None:
    path = directory / f"{kode}.json"
    if not path.exists():
        return None
    return Report.from_dict(json.loads(path.read_text(encoding="utf-8")))


def read_all(directory: Path) -> dict[str, Report]:
    if not directory.exists():
        return {}
    reports = (Report.from_dict(json.loads(p.read_text(encoding="utf-8"))) for p in sorted(directory.glob("*.json")))
    return {r.kode: r for r in reports}


def format_text(report: Report, name: str) -> str:
    """The report as an operator reads it in a terminal."""
    if report.outcome == UNREADABLE:
        head = f"✗ {report.kode} {name}: tidak terbaca — {report.reason}"
    elif report.outcome == STRUCTURE:
        head = f"✗ {report.kode} {name}: struktur sheet salah; data lama tetap dipakai"
    elif report.problems:
        head = f"! {report.kode} {name}: {_counts(report)}; baris bermasalah menunggu perbaikan"
    elif report.warnings:
        head = f"✓ {report.kode} {name}: {_counts(report)}; semua baris dihitung"
    else:
        head = f"✓ {report.kode} {name}: bersih"
    if report.skipped:
        head += " (tidak berubah sejak pengambilan terakhir)"
    lines = [head] + [f"    {e.message()}" for e in report.problems + report.warnings]
    if report.write_back_error:
        lines.append(f"    Laporan tidak bisa ditulis ke sheet: {report.write_back_error}")
    return "\n".join(lines)


def _counts(report: Report) -> str:
    parts = []
    if report.problems:
        parts.append(f"{len(report.problems)} kesalahan")
    if report.warnings:
        parts.append(f"{len(report.warnings)} peringatan")
    return ", ".join(parts)
