"""Report: what the last pull of one kecamatan found, kept as data.

One JSON file per kecamatan in registry/laporan/, rewritten on every pull:
when it was checked, whether the sheet could be used, why not, since when it
has been failing, and every row error. The CLI prints it, the status page
shows it, write-back puts it in the editor's own sheet. It names tab, row and
column, never a NIK or a name, so it is safe to commit and to share.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from .validate import RowError

OK, STRUCTURE, UNREADABLE = "ok", "struktur", "gagal_baca"
SHEET_HEADER = ["Tab", "Baris", "Kolom", "Masalah", "Cara memperbaiki"]


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
            "kesalahan": [e.to_dict() for e in self.errors],
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Report":
        return cls(data["kode"], data["diperiksa"], data["hasil"], data.get("alasan", ""),
                   data.get("jenis_alasan", ""), [RowError.from_dict(e) for e in data.get("kesalahan", [])],
                   data.get("gagal_sejak"), data.get("dilewati", False), data.get("gagal_tulis_balik", ""))

    def sheet_rows(self) -> list[list[str]]:
        """Rows for the `Laporan Validasi` tab of the editor's own sheet."""
        rows = [[e.tab, "" if e.row is None else str(e.row), e.column or "", e.problem, e.fix]
                for e in self.errors]
        if self.outcome == UNREADABLE:
            rows.insert(0, ["", "", "", self.reason, ""])
        return rows


def write(directory: Path, report: Report) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{report.kode}.json"
    staging = path.with_suffix(".json.tmp")
    staging.write_text(json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    staging.replace(path)


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
    elif report.errors:
        head = f"! {report.kode} {name}: {len(report.errors)} kesalahan; baris bermasalah menunggu perbaikan"
    else:
        head = f"✓ {report.kode} {name}: bersih"
    if report.skipped:
        head += " (tidak berubah sejak pengambilan terakhir)"
    lines = [head] + [f"    {e.message()}" for e in report.errors]
    if report.write_back_error:
        lines.append(f"    Laporan tidak bisa ditulis ke sheet: {report.write_back_error}")
    return "\n".join(lines)
