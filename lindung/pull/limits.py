"""Limits: how much of any one source a pull will take in, in one place.

Every source is input from outside: a kecamatan workbook, a Google answer.
These bounds keep one hostile or broken source from using the whole
machine's memory or time, so the other kecamatan are still pulled. Each is
far above what a real kecamatan needs (the largest seed sheets hold a few
thousand rows; 100,000 rows is the benchmark). Crossing a file or tab limit
fails that source alone, with a reason naming the limit, and keeps its last
good snapshot; crossing a cell limit is an error of that row. The figures
and what was measured with them are in docs/batas.md; change them there too.
"""
from __future__ import annotations

MIB = 1024 * 1024

# -- a tab ------------------------------------------------------------------
MAX_DATA_ROWS = 100_000  # rows below the header row in one tab
MAX_COLUMNS = 64  # columns A..BL; a tab with a value further right fails its source
MAX_CELL_CHARS = 1_000  # characters in one cell of a contract column; longer is a row error
MAX_NUMBER_DIGITS = 15  # digits of a number typed as text (what a spreadsheet keeps exactly)
MAX_NUMBER = 10**15  # largest amount or count read (Rp 1 kuadriliun); larger is a row error
MAX_LISTED = 5_000  # errors and warnings listed per source; more errors fail the source

# -- an .xlsx file (a zip of XML parts), checked before it is parsed ----------
MAX_FILE_BYTES = 50 * MIB  # the file on disk
MAX_TOTAL_BYTES = 256 * MIB  # sum of every part's declared uncompressed size
MAX_SHEET_BYTES = 128 * MIB  # one contract tab's sheet XML, uncompressed (100,000 rows: ~56 MiB)
MAX_SHARED_STRINGS_BYTES = 64 * MIB  # xl/sharedStrings.xml, uncompressed
MAX_PART_BYTES = 16 * MIB  # every other part the reader parses (workbook, styles, relationships)
MAX_RATIO = 200  # uncompressed/compressed size of one part; real sheets are ~5-20, zip bombs ~1,000
RATIO_FROM_BYTES = 1 * MIB  # the ratio is checked for parts at least this large

# -- the reader process of one .xlsx ----------------------------------------
MAX_READER_MEMORY = 1024 * MIB  # address space the reader may add to what it starts with
MAX_READ_SECONDS = 120.0  # wall-clock time to read one file

# -- Google -----------------------------------------------------------------
MAX_RESPONSE_BYTES = 32 * MIB  # one answer from Google (100,000 rows: ~15 MiB of JSON)
MAX_DRIVE_PAGES = 100  # Drive listing pages of 1,000 sheets (100,000 sheets)


def shown(n: int) -> str:
    """A limit as a message writes it, the Indonesian way: 100.000."""
    return f"{n:,}".replace(",", ".")
