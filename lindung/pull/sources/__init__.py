"""Sources: where a kecamatan's workbook comes from.

Every source, a local .xlsx or a Google Sheet, returns the same thing: a
`RawWorkbook`, the tabs as the editor sees them, row 1 first, cells as the
reader gives them (str, int, float, bool, date, datetime or None; a row the
reader could not convert is an empty `UnreadableRow`). Nothing here
interprets a cell; that is validate's job, so every source is held to the same
rules. A source that cannot be read raises `SourceError` with a reason an
operator can act on, in Indonesian; `failure` turns anything else that goes
wrong with one source into such a reason, and `check_size` holds every
source's tabs to the same size limits (lindung.pull.limits).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..limits import MAX_COLUMNS, MAX_DATA_ROWS, shown

Cell = Any  # str | int | float | bool | date | datetime | None


class UnreadableRow(list):
    """A row the reader could not turn into cells (it has none): validate
    reports it as an error of that row."""


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


# Interpreter-level exits a pull never swallows: the operator pressed Ctrl-C,
# or code asked to exit.
NOT_ISOLATED = (KeyboardInterrupt, SystemExit, GeneratorExit)


def failure(error: BaseException) -> SourceError:
    """Anything raised while one source was read, parsed, validated or
    minimised, as that source's failure. The reason never carries the
    exception's own text: it may quote a cell, and it is English."""
    if isinstance(error, SourceError):
        return error
    if isinstance(error, MemoryError):
        return SourceError("terlalu_besar", "Sheet ini terlalu besar untuk diperiksa dengan memori yang tersedia; "
                           "Periksa apakah ada tab atau baris yang tidak perlu, "
                           "lalu tarik lagi.")
    return SourceError("galat", "Terjadi kesalahan tak terduga saat memeriksa sheet ini. "
                       "Laporkan ke pengelola Lindung beserta kode kecamatannya.",
                       {"jenis": type(error).__name__})


def check_size(title: str, rows: int, columns: int) -> None:
    """Raises SourceError when a tab is longer or wider than any source may
    be (rows counted with the header row)."""
    if rows > MAX_DATA_ROWS + 1:
        raise SourceError("terlalu_besar", f"Tab {title} berisi lebih dari {shown(MAX_DATA_ROWS)} baris data, batas "
                          "Lindung untuk satu tab. Hapus baris kosong atau baris lama di "
                          "bagian bawah tab, atau pecah sheet-nya.")
    if columns > MAX_COLUMNS:
        raise SourceError("terlalu_besar", f"Tab {title} memakai lebih dari {MAX_COLUMNS} kolom, batas Lindung untuk "
                          "satu tab. Hapus isi kolom-kolom di sebelah kanan yang tidak "
                          "dipakai.")
