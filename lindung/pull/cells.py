"""Cells: turn what an editor typed into plain values.

Sheets arrive with headers in any case and spacing, numbers written the
Indonesian way (`16.800`, `Rp 16.800`, `40,69`) or as real numbers, and dates
as date cells, sheet serial numbers or text (`24/03/2025`, `2025-03-24`,
`24 Maret 2025`). Every parser here returns a plain value or raises
`CellError` with a short Indonesian reason; none of them guesses silently.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal, InvalidOperation

from babel.dates import get_month_names

from ..contract import normalise  # noqa: F401  (the header rule, also for cells)
from .limits import MAX_NUMBER, MAX_NUMBER_DIGITS

_SHEET_EPOCH = dt.date(1899, 12, 30)  # day 0 of Excel and Google Sheets serials


class CellError(ValueError):
    """A cell that cannot be read as its column's type."""


# Reasons a number is refused, told apart in the editor's message.
NOT_A_NUMBER = "bukan angka (tulis misalnya 16.800 atau 40,69)"
TOO_LARGE = "angka-terlalu-besar"


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _month_numbers() -> dict[str, int]:
    # Indonesian names from CLDR (Babel), wide and short, plus English short forms
    # because sheets made on an English-locale laptop type `Mar` too.
    names: dict[str, int] = {}
    for width in ("wide", "abbreviated"):
        for number, name in get_month_names(width, locale="id_ID").items():
            names[normalise(name)] = number
    for number, name in enumerate(
        "jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1
    ):
        names.setdefault(name, number)
    # Abbreviations and old spellings Indonesian offices write.
    for name, number in {"agust": 8, "agt": 8, "ags": 8, "agu": 8, "agst": 8, "sept": 9, "sep": 9,
                         "nop": 11, "nopember": 11, "pebruari": 2, "peb": 2, "febr": 2, "okt": 10,
                         "des": 12, "djanuari": 1, "mart": 3, "jun": 6, "jul": 7}.items():
        names.setdefault(name, number)
    for number, name in get_month_names("wide", locale="en").items():
        names.setdefault(normalise(name), number)
    return names


_MONTHS = _month_numbers()
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})$")
_YMD = re.compile(r"^(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})(?:[T ].*)?$")
_D_MONTH_Y = re.compile(r"^(\d{1,2})[\s.-]*([A-Za-z]+)\.?[\s.-]*(\d{4}|\d{2})$")
SWAPPED = "hari-bulan-tertukar"


def _year(text: str) -> int:
    """A year; two digits are this century's (no protection began before 2000)."""
    return 2000 + int(text) if len(text) == 2 else int(text)


def parse_date(value: object) -> dt.date:
    if isinstance(value, (dt.date, dt.datetime)):
        day = value.date() if isinstance(value, dt.datetime) else value
        if day == _SHEET_EPOCH:  # serial 0, which is how python-calamine hands over a NaN date cell
            raise CellError("angka ini bukan tanggal")
        return day
    if isinstance(value, bool):
        raise CellError("bukan tanggal")
    if isinstance(value, (int, float)):
        if not 1 <= value < 2958466:  # 9999-12-31
            raise CellError("angka ini bukan tanggal")
        return _SHEET_EPOCH + dt.timedelta(days=int(value))
    text = str(value).strip()
    try:
        if m := _DMY.match(text):
            day, month, year = int(m[1]), int(m[2]), _year(m[3])
            if month > 12 and day <= 12:  # 03/24/2025: never silently turned round
                raise CellError(SWAPPED)
        elif m := _YMD.match(text):
            year, month, day = (int(g) for g in m.groups())
        elif m := _D_MONTH_Y.match(text):
            day, year = int(m[1]), _year(m[3])
            month = _MONTHS.get(normalise(m[2])) or 0
            if not month:
                raise CellError("nama bulannya tidak dikenal")
        else:
            raise CellError("format tanggal tidak dikenal")
        return dt.date(year, month, day)
    except ValueError as error:
        if isinstance(error, CellError):
            raise
        raise CellError("tanggal ini tidak ada di kalender") from None


_RUPIAH = re.compile(r"^(rp\.?)\s*", re.IGNORECASE)
_GROUPED = re.compile(r"^\d{1,3}(\.\d{3})+(,\d+)?$")
_PLAIN = re.compile(r"^\d+(,\d+)?$")


def parse_number(value: object) -> int | float:
    """A number, from a number cell or Indonesian text; integral values as int.
    NaN, infinity and numbers of more than MAX_NUMBER_DIGITS digits are
    refused: no amount or count is that long, and a 5,000-digit integer is
    more than the libraries downstream can even print."""
    if isinstance(value, bool):
        raise CellError(NOT_A_NUMBER)
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise CellError(NOT_A_NUMBER)
        number = value
    else:
        text = _RUPIAH.sub("", str(value).strip()).replace(" ", "")
        text = text.removesuffix(",-")  # "Rp 16.800,-": the usual way to close an amount
        negative = text.startswith("-")
        text = text.lstrip("-")
        if not (_GROUPED.match(text) or _PLAIN.match(text)):
            raise CellError(NOT_A_NUMBER)
        if sum(ch.isdigit() for ch in text) > MAX_NUMBER_DIGITS:
            raise CellError(TOO_LARGE)
        try:
            number = Decimal(text.replace(".", "").replace(",", "."))
        except InvalidOperation:  # pragma: no cover - the patterns above exclude it
            raise CellError(NOT_A_NUMBER) from None
        number = -number if negative else number
    if abs(number) >= MAX_NUMBER:
        raise CellError(TOO_LARGE)
    if number == int(number):
        return int(number)
    return float(number)


def as_text(value: object) -> str:
    """A cell shown as text: numbers without a spurious `.0`."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value).strip()


_MONTHS_TEXT = re.compile(r"^(\d{1,3})\s*(bulan|bln|bl|b|tahun|thn|th|t)?\.?$", re.IGNORECASE)


def parse_months(text: str) -> object:
    """`3 bulan`, `12 bln`, `1 tahun` as a number of months; anything else as
    it was, for the number parser to judge."""
    m = _MONTHS_TEXT.match(text.strip())
    if not m:
        return text
    count = int(m[1])
    return count * 12 if (m[2] or "").lower().startswith("t") else count


HEADER_SEARCH_ROWS = 20  # title rows an office puts above the headers, at most


def header_row(rows: list[list], names: set[str]) -> int | None:
    """The header row of a tab: among its first HEADER_SEARCH_ROWS, the one
    naming the most of the tab's columns (title rows such as "DATA PESERTA
    KECAMATAN ..." above it name none); None when no row names any."""
    best, at = 0, None
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        hits = len({normalise(c) for c in row if isinstance(c, str) and c.strip()} & names)
        if hits > best:
            best, at = hits, index
    return at
