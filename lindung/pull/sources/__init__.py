"""Sources: where a kecamatan's workbook comes from.

Every source, a local .xlsx or a Google Sheet, returns the same thing: a
`RawWorkbook`, the tabs as the editor sees them, row 1 first, cells as the
reader gives them (str, int, float, bool, date, datetime or None). Nothing here
interprets a cell; that is validate's job, so every source is held to the same
rules. A source that cannot be read raises `SourceError` with a reason an
operator can act on, in Indonesian.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Cell = Any  # str | int | float | bool | date | datetime | None


@dataclass(frozen=True)
class RawWorkbook:
    tabs: dict[str, list[list[Cell]]]  # tab title as in the sheet -> rows
    modified: str | None = None  # source's own modified time (ISO), when known


@dataclass
class SourceError(Exception):
    """A whole source could not be read. `kind` is a short machine tag
    (tidak_ada, tidak_dibagikan, kuota, jaringan, rusak, ...); `reason` is
    the sentence shown to the operator and on the status page."""

    kind: str
    reason: str
    details: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.reason


def is_google(sumber: str) -> bool:
    """A `sumber` names a Google Sheet unless it is a path to a local file."""
    s = sumber.strip()
    if s.startswith(("http://", "https://")):
        return "docs.google.com/spreadsheets" in s or "/spreadsheets/d/" in s
    return not s.lower().endswith((".xlsx", ".xlsm", ".ods", ".csv")) and "/" not in s and "\\" not in s
