"""Validate: hold a kecamatan workbook to the sheet contract.

The contract is data (registry/schema/*.json, Frictionless Table Schemas).
A workbook is checked in three passes, and every problem becomes a `RowError`
naming tab, sheet row and column in Indonesian, never echoing a NIK or name:

1. structure: each required tab and column is there (headers are matched
   after `cells.normalise`); if not, the whole kecamatan keeps its last
   snapshot, so one renamed tab never wipes a kecamatan off the site;
2. cells: Indonesian numbers and dates are read (`cells`), enum values
   folded to their canonical spelling;
3. Frictionless: types, required, enum, pattern, unique, plus the
   cross-field checks below (as Frictionless `Check`s).

Rows with any error are left out of `Validated.tables` and counted. A
source lists at most `limits.MAX_LISTED` errors and warnings: past that
many errors the sheet is almost always shifted or pasted wrongly, so it is
not checked to the end (Frictionless spends a fraction of a millisecond on
each error) and keeps its last snapshot; warnings past it are counted.
"""
from __future__ import annotations

import functools
import operator
import re
import json
from collections.abc import Callable
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NamedTuple

from frictionless import Check, Checklist, Resource, Schema, errors

from .. import privacy
from ..contract import OPTIONAL_TABS, TABS
from ..contract import Contract
from ..store.report import WARNING, RowError
from . import cells
from .limits import MAX_CELL_CHARS, MAX_LISTED, shown
from .sources import RawWorkbook, UnreadableRow
from ..wilayah import Wilayah



@dataclass
class Validated:
    """Valid rows per tab (values parsed; kelurahan as Kemendagri code), the
    errors found, and how many data rows of each tab were left out."""

    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    rows_in_error: dict[str, int] = field(default_factory=dict)
    too_many: bool = False  # more than MAX_LISTED errors: checking stopped, nothing may be kept

    @property
    def structural(self) -> bool:
        return any(error.row is None and error.is_error for error in self.errors)


def validate_workbook(
    raw: RawWorkbook, kecamatan_kode: str, wilayah: Wilayah,
    contract: Contract,
) -> Validated:
    schemas = contract.descriptors()
    result = Validated()
    tabs = {cells.normalise(title): rows for title, rows in raw.tabs.items()}
    located: dict[str, _Located] = {}
    for tab in TABS:
        if tab not in tabs:
            if tab not in OPTIONAL_TABS:
                result.errors.append(RowError(
                    tab, None, None, "tab-hilang", f"Tab “{tab}” tidak ditemukan.",
                    f"Buat tab bernama {tab} atau kembalikan namanya bila terganti. "
                    "Sampai diperbaiki, data lama kecamatan ini yang ditampilkan."))
            continue
        found = _locate(tab, tabs[tab], schemas[tab])
        result.errors.extend(found.errors)
        located[tab] = found
    if result.structural:
        return result
    elsewhere = _belongs_elsewhere(located, kecamatan_kode, wilayah)
    if elsewhere:
        other = wilayah.kecamatan[elsewhere]
        result.errors.append(RowError(
            "wilayah", None, None, "kecamatan-lain",
            f"Kelurahan/desa di sheet ini kebanyakan milik Kecamatan {other.nama} ({other.kode}, "
            f"{other.kabupaten_nama}), bukan kecamatan ini; sheet tidak dipakai dan data lama tetap ditampilkan.",
            "Periksa kolom sumber di registry/sources.csv: mungkin sheet kecamatan lain yang tercantum di sini."))
        return result

    context = _Context(kecamatan_kode, wilayah, contract)
    try:
        for tab in ("donatur", "wilayah", "peserta", "santunan"):  # peserta needs donatur ids
            if tab in located:
                rows, bad = _check_tab(tab, located[tab], schemas[tab], context)
                result.tables[tab] = rows
                result.rows_in_error[tab] = bad
                if tab == "donatur":
                    # Every donor whose ID cell is right, even if another cell of
                    # the row is not: a typo in Periode Bayar never drops the
                    # workers that donor pays for.
                    context.donatur_ids = {i.casefold(): i for i in context.valid_ids}
            else:
                result.tables[tab] = []
                result.rows_in_error[tab] = 0
    except _TooMany:
        result.tables, result.too_many = {}, True
    result.errors.extend(context.listing.items)
    if context.listing.unlisted:
        tab, count = context.listing.unlisted_tab, context.listing.unlisted
        result.errors.append(RowError(
            tab, None, None, "peringatan-lain",
            f"{shown(count)} peringatan lain tidak dicantumkan (laporan memuat paling banyak {shown(MAX_LISTED)}).",
            "Perbaiki peringatan yang tercantum; sisanya muncul di laporan berikutnya.", WARNING))
    order = {(tab, spec["title"]): i for tab in TABS for i, spec in enumerate(schemas[tab]["fields"])}
    result.errors.sort(key=lambda e: (TABS.index(e.tab), e.row or 0, order.get((e.tab, e.column), 99)))
    return result


def _belongs_elsewhere(located: dict[str, "_Located"], kode: str, wilayah: Wilayah) -> str | None:
    """The one other kecamatan most of this sheet's kelurahan belong to, when
    most of them are not this kecamatan's: a sheet listed under the wrong code."""
    typed = set()
    for tab in ("wilayah", "peserta"):
        found = located.get(tab)
        if found and "kelurahan" in found.columns:
            at = found.columns["kelurahan"]
            typed |= {row[at] for _, row in found.rows[:2000]
                      if not isinstance(row, UnreadableRow) and at < len(row) and not cells.is_blank(row[at])}
    typed = {t for t in typed if isinstance(t, (str, int, float))}
    foreign = [t for t in typed if wilayah.match_kelurahan(kode, t) is None]
    if not typed or len(foreign) * 2 <= len(typed):
        return None
    homes = Counter(home for t in foreign for home in wilayah.home_of(t) if home != kode)
    if not homes:
        return None
    best, count = homes.most_common(1)[0]
    return best if count * 2 > len(typed) else None


class _TooMany(Exception):
    """More errors than a report lists: the rest of the sheet is not checked."""


@dataclass
class _Listing:
    """The errors and warnings of one source, at most MAX_LISTED of them."""

    items: list[RowError] = field(default_factory=list)
    unlisted: int = 0  # warnings past the limit
    unlisted_tab: str = ""

    def add(self, error: RowError) -> None:
        if len(self.items) < MAX_LISTED:
            self.items.append(error)
        elif error.is_error:
            raise _TooMany
        else:
            self.unlisted += 1
            self.unlisted_tab = self.unlisted_tab or error.tab


# --- pass 1: structure -----------------------------------------------------

@dataclass
class _Located:
    columns: dict[str, int]  # field name -> column index
    titles: dict[str, str]  # field name -> header as typed (for messages)
    rows: list[tuple[int, list[Any]]]  # (sheet row number, cells)
    errors: list[RowError]


def _header_at(rows: list[list[Any]], schema: dict[str, Any]) -> int | None:
    """The header row (cells.header_row), or the first non-blank row when no
    row names a column: its missing columns are then reported."""
    found = cells.header_row(rows, {spec["name"] for spec in schema["fields"]})
    if found is not None:
        return found
    return next((i for i, row in enumerate(rows) if any(not cells.is_blank(c) for c in row)), None)


def _locate(tab: str, rows: list[list[Any]], schema: dict[str, Any]) -> _Located:
    header_at = _header_at(rows, schema)
    header = rows[header_at] if header_at is not None else []
    columns: dict[str, int] = {}
    titles: dict[str, str] = {}
    for index, title in enumerate(header):
        name = cells.normalise(title) if not cells.is_blank(title) else ""
        if name and name not in columns:
            columns[name] = index
            titles[name] = str(title).strip()
    found = _Located({}, {}, [], [])
    for spec in schema["fields"]:
        name = spec["name"]
        if name in columns:
            found.columns[name] = columns[name]
            found.titles[name] = titles[name]
        elif spec.get("kolomWajib"):
            found.errors.append(RowError(
                tab, None, spec["title"], "kolom-hilang",
                f"Kolom “{spec['title']}” tidak ada di baris judul tab {tab}.",
                f"Tambahkan kolom berjudul “{spec['title']}” di baris judul. "
                "Sampai diperbaiki, data lama kecamatan ini yang ditampilkan."))
    if header_at is not None:
        found.rows = [(header_at + 2 + i, row) for i, row in enumerate(rows[header_at + 1:])]
        if any(not cells.is_blank(c) for row in rows[:header_at] for c in row):
            found.errors.append(RowError(
                tab, header_at + 1, None, "baris-judul",
                f"Baris judul kolom ada di baris {header_at + 1}; baris di atasnya dilewati.",
                "Tidak perlu diubah; baris di atas judul kolom tidak dibaca.", WARNING))
    return found


# --- pass 2: cells ---------------------------------------------------------

@dataclass
class _Context:
    kecamatan_kode: str
    wilayah: Wilayah
    contract: Contract
    donatur_ids: dict[str, str] = field(default_factory=dict)  # casefolded ID -> as in the donatur tab
    valid_ids: list[str] = field(default_factory=list)
    listing: _Listing = field(default_factory=_Listing)
    _matched: dict[Any, Any] = field(default_factory=dict)

    def kelurahan(self, typed: Any):
        """The official kelurahan an editor meant, remembered: a sheet types
        the same few names thousands of times."""
        if typed not in self._matched:
            self._matched[typed] = self.wilayah.match_kelurahan(self.kecamatan_kode, typed)
        return self._matched[typed]


@dataclass(frozen=True)
class _Assumed:
    """A cell read with an assumption the editor is told about (a warning):
    the row still counts."""

    value: Any
    code: str


def _read_cell(tab: str, spec: dict[str, Any], value: Any, scanned: bool = False) -> Any:
    """A cell as its field's Python value (or `_Assumed`); raises CellError
    with a reason."""
    if cells.is_blank(value):
        return None
    if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
        raise cells.CellError(_TOO_LONG)
    kind = spec["type"]
    if (tab, spec["name"]) == ("peserta", "nik"):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            raise cells.CellError("nik-angka")
        return str(value).strip().replace(" ", "")
    if kind == "date":
        return cells.parse_date(value)
    if kind in ("number", "integer"):
        if spec.get("satuan") == "bulan" and isinstance(value, str):
            value = cells.parse_months(value)
        if spec.get("satuan") == "rupiah" and isinstance(value, str) and _COMMA_THOUSANDS.match(value.strip()):
            # 16,800 rupiah is never 16.8: read as thousands, and say so
            return _Assumed(int(re.sub(r"\D", "", value)), "ribuan-koma")
        try:
            number = cells.parse_number(value)
        except cells.CellError as error:  # a NIK typed here is too long for a number, and still personal data
            found = _personal_data(cells.as_text(value)) if str(error) == cells.TOO_LARGE else ""
            if found:
                raise cells.CellError("data-pribadi:" + found) from None
            raise
        if abs(number) >= 10**8:  # big enough to be a NIK or a phone number typed in the wrong column
            found = _personal_data(cells.as_text(value)) or _personal_data(f"{number:.0f}")
            if found:
                raise cells.CellError("data-pribadi:" + found)
        return number
    text = cells.as_text(value)
    if spec["name"] == "tampilkan_nama":
        consent = cells.normalise(text)
        # Anything but a clear ya keeps the name unpublished, and the editor is told.
        return consent if consent in ("ya", "tidak") else _Assumed("tidak", "persetujuan-tidak-jelas")
    folded = _enum_spellings(spec)
    if folded:  # `PEKERJA RENTAN`, `pekerja_rentan` -> `pekerja rentan`
        canonical = folded.get(cells.normalise(text))
        if canonical is None and spec.get("pilihanLain"):
            return _Assumed(spec["pilihanLain"], "pilihan-lain")  # never stored as typed
        return canonical if canonical is not None else text
    if scanned:
        found = _personal_data(text)
        if found:
            if spec.get("simpan") == "bila_tampil":
                return _Assumed(None, "data-pribadi-dibuang:" + found)
            raise cells.CellError("data-pribadi:" + found)
    return text


class _Cell(NamedTuple):
    """What one cell holds once read: its value, or the assumption made
    (a warning) or the reason it cannot be read (an error); whether it is
    blank, or a word that marks a totals row, or plain (neither warning nor
    error). A tuple: a 100,000-row sheet makes some 200,000 of them."""

    value: Any
    assumed: _Assumed | None
    reason: str | None
    blank: bool
    total: bool
    plain: bool


_VALUE, _BLANK, _TOTAL, _PLAIN = (operator.attrgetter(name) for name in ("value", "blank", "total", "plain"))
_REMEMBERED = 50_000  # distinct values per column; past that a column (a NIK's) is read cell by cell


class _Reader:
    """One column's cells read by `_read_cell`, each distinct value once: a
    sheet types the same few kelurahan, dates and amounts thousands of times."""

    def __init__(self, tab: str, spec: dict[str, Any], scanned: bool):
        self.tab, self.spec, self.scanned = tab, spec, scanned
        self.known: dict[tuple[type, Any], _Cell] = {}

    def read(self, value: Any) -> _Cell:
        """`value` read, and remembered (keyed by type too: 1, 1.0 and True are equal, and read differently)."""
        cell = self._read(value)
        try:
            if len(self.known) < _REMEMBERED:
                self.known[(value.__class__, value)] = cell
        except TypeError:  # unhashable
            pass
        return cell

    def _read(self, value: Any) -> _Cell:
        blank = cells.is_blank(value)
        # normalise() keeps letters in a row, so a total word is in the lowered text as it is
        total = isinstance(value, str) and ("jumlah" in (lowered := value.lower()) or "total" in lowered) \
            and cells.normalise(value) in _TOTAL_WORDS
        try:
            found = _read_cell(self.tab, self.spec, value, self.scanned)
        except cells.CellError as reason:
            return _Cell(None, None, str(reason), blank, total, False)
        if isinstance(found, _Assumed):
            return _Cell(found.value, found, None, blank, total, False)
        return _Cell(found, None, None, blank, total, True)


_TOO_LONG = "terlalu-panjang"
_COMMA_THOUSANDS = re.compile(r"^(rp\.?\s*)?\d{1,3}(,\d{3})+$", re.IGNORECASE)


@functools.lru_cache(maxsize=65536)
def _personal_data(text: str) -> str:
    """The first kind of personal data in a kept text, or "" (the same few
    values recur thousands of times in a sheet)."""
    kinds = privacy.kinds(text)
    return kinds[0] if kinds else ""


_FOLDED: dict[tuple[str, ...], dict[str, str]] = {}


def _enum_spellings(spec: dict[str, Any]) -> dict[str, str] | None:
    enum = spec.get("constraints", {}).get("enum")
    if not enum:
        return None
    key = tuple(str(e) for e in enum)
    if key not in _FOLDED:
        _FOLDED[key] = {cells.normalise(e): e for e in enum}
    return _FOLDED[key]


# --- pass 3: Frictionless --------------------------------------------------

def _check_tab(tab: str, found: _Located, schema: dict[str, Any], context: _Context) -> tuple[list[dict], int]:
    """The tab's valid rows and how many rows were left out; every error
    and warning goes to `context.listing`."""
    specs = {spec["name"]: spec for spec in schema["fields"]}
    names = list(specs)
    scanned = {c.name for c in context.contract[tab].columns if c.scanned}
    data: list[list[Any]] = [names]
    sheet_rows: list[int] = []
    typed: list[list[Any]] = []  # the cells as typed, in schema order, for messages
    flagged: set[tuple[int, str | None]] = set()  # one message per cell: the first reason found
    bad: set[int] = set()

    def add(row_error: RowError, index: int) -> None:
        flagged.add((row_error.row, row_error.column))
        if row_error.is_error:
            bad.add(index)
        context.listing.add(row_error)

    # Each row's cells in schema order, as one C call: a missing column reads
    # the None past the widest column, a short row is padded to reach it (and
    # that None is taken once more and dropped, so one column is a tuple too).
    width = max(found.columns.values(), default=-1) + 2
    cells_of = operator.itemgetter(*(found.columns.get(name, width - 1) for name in names), width - 1)
    readers = [_Reader(tab, specs[name], name in scanned) for name in names]
    known = [reader.known for reader in readers]
    unreadable = 0
    for sheet_row, row in found.rows:
        if isinstance(row, UnreadableRow):  # never reaches Frictionless: it has no cells
            unreadable += 1
            context.listing.add(RowError(
                tab, sheet_row, None, "sel-rusak", "Ada sel di baris ini yang tidak bisa dibaca, misalnya tanggal "
                "di luar kalender.", "Periksa sel tanggal dan angka di baris ini, lalu ketik ulang isinya."))
            continue
        raw = cells_of(row if len(row) >= width else [*row, *[None] * (width - len(row))])[:-1]
        try:
            read = [seen.get((value.__class__, value)) or reader.read(value)
                    for seen, reader, value in zip(known, readers, raw)]
        except TypeError:  # an unhashable value: nothing a source gives, but read it all the same
            read = [reader.read(value) for reader, value in zip(readers, raw)]
        if all(map(_BLANK, read)):
            continue
        if any(map(_TOTAL, read)):
            context.listing.add(RowError(
                tab, sheet_row, None, "baris-jumlah", "Baris jumlah (JUMLAH/TOTAL) dikenali dan tidak dihitung.",
                "Tidak perlu diubah; Lindung menghitung jumlahnya sendiri.", WARNING))
            continue
        index = len(sheet_rows)
        sheet_rows.append(sheet_row)
        typed.append(raw)
        data.append(list(map(_VALUE, read)))
        if all(map(_PLAIN, read)):
            continue
        for name, cell in zip(names, read):
            if cell.reason is not None:
                add(_cell_error(tab, sheet_row, specs[name], found, dict(zip(names, raw)), cell.reason), index)
            elif cell.assumed is not None:
                add(_warning(tab, sheet_row, specs[name], found, dict(zip(names, raw)), cell.assumed), index)

    # A generator, not the list: Frictionless deep-copies inline lists into its report.
    resource = Resource(data=lambda: iter(data), format="inline", schema=_frictionless_schema(schema))
    # A cell gives Frictionless at most a few errors, so past this many there
    # are more than a report lists; stopping there bounds the time it takes.
    limit = 3 * MAX_LISTED
    report = resource.validate(Checklist(checks=_CHECKS[tab](context)), limit_errors=limit)
    for error in report.tasks[0].errors:
        index = error.row_number - 2
        name = getattr(error, "field_name", None)
        raw_row = dict(zip(names, typed[index]))
        row_error = _frictionless_error(tab, sheet_rows[index], specs.get(name), found,
                                        raw_row, error, sheet_rows,
                                        lambda t: context.wilayah.suggest(context.kecamatan_kode, t))
        if (row_error.row, row_error.column) not in flagged:
            add(replace(row_error, quoted=_quoted(tab, specs.get(name), raw_row)), index)
    if len(report.tasks[0].errors) >= limit:  # Frictionless stopped there: the rows after were not checked
        raise _TooMany

    if tab == "donatur":
        at = names.index("id")
        context.valid_ids = [values[at] for index, values in enumerate(data[1:])
                             if values[at] and (sheet_rows[index], found.titles.get("id", "ID")) not in flagged]
    rows = []
    for index, values in enumerate(data[1:]):
        if index not in bad:
            record = dict(zip(names, values))
            record["baris"] = sheet_rows[index]
            if "kelurahan" in record:
                record["kelurahan"] = context.kelurahan(record["kelurahan"]).kode
            if record.get("id_donatur"):  # `d003` is donor `D003`
                record["id_donatur"] = context.donatur_ids.get(str(record["id_donatur"]).casefold(),
                                                               record["id_donatur"])
            rows.append(record)
    return rows, len(bad) + unreadable


# A totals row at the foot of a table has a cell that says only JUMLAH or TOTAL.
_TOTAL_WORDS = {"jumlah", "total", "jumlah_total", "total_jumlah", "grand_total", "jumlah_seluruhnya"}


def _frictionless_schema(schema: dict[str, Any]) -> Schema:
    # tampilkan_nama is folded to ya/tidak before this pass; everything else as written
    return _schema_from(json.dumps({"fields": schema["fields"], "missingValues": [""]}, sort_keys=True))


@functools.lru_cache(maxsize=32)
def _schema_from(descriptor: str) -> Schema:
    """Made once per tab (it takes Frictionless 15 ms, per tab of every sheet)
    and only read afterwards."""
    return Schema.from_descriptor(json.loads(descriptor))


class _Kelurahan(Check):
    type = "lindung-kelurahan"
    Errors = [errors.CellError]

    def __init__(self, context: _Context):
        super().__init__()
        self.context = context

    def validate_row(self, row):
        value = row["kelurahan"]
        if value is not None and self.context.kelurahan(value) is None:
            yield errors.CellError.from_row(row, note="kelurahan-tidak-dikenal", field_name="kelurahan")


class _KelurahanSekali(Check):
    """A wilayah row per kelurahan: the same kelurahan typed again, by code
    after by name or in another spelling, would silently replace its target."""

    type = "lindung-kelurahan-sekali"
    Errors = [errors.CellError]

    def __init__(self, context: _Context):
        super().__init__()
        self.context = context
        self.first: dict[str, int] = {}

    def validate_row(self, row):
        found = self.context.kelurahan(row["kelurahan"]) if row["kelurahan"] is not None else None
        if found is None:
            return
        if found.kode in self.first:
            yield errors.CellError.from_row(row, note=f"kelurahan-ganda {self.first[found.kode]}",
                                            field_name="kelurahan")
        else:
            self.first[found.kode] = row.row_number


class _Periode(Check):
    """berlaku_sampai must not come before mulai."""

    type = "lindung-periode"
    Errors = [errors.CellError]

    def __init__(self, context: _Context):
        super().__init__()

    def validate_row(self, row):
        mulai, sampai = row["mulai"], row["berlaku_sampai"]
        if mulai and sampai and sampai < mulai:
            yield errors.CellError.from_row(row, note="tanggal-terbalik", field_name="berlaku_sampai")


class _Donatur(Check):
    """A worker paid by a donor or CSR names a donor of the donatur tab."""

    type = "lindung-donatur"
    Errors = [errors.CellError]

    def __init__(self, context: _Context):
        super().__init__()
        self.context = context

    def validate_row(self, row):
        if row["sumber_dana"] not in ("donatur", "CSR"):
            return
        if row["id_donatur"] is None:
            yield errors.CellError.from_row(row, note="donatur-kosong", field_name="id_donatur")
        elif str(row["id_donatur"]).casefold() not in self.context.donatur_ids:
            yield errors.CellError.from_row(row, note="donatur-tidak-ada", field_name="id_donatur")


_CHECKS: dict[str, Callable[[_Context], list[Check]]] = {
    "peserta": lambda c: [_Kelurahan(c), _Periode(c), _Donatur(c)],
    "wilayah": lambda c: [_Kelurahan(c), _KelurahanSekali(c)],
    "santunan": lambda c: [_Kelurahan(c)],
    "donatur": lambda c: [],
}


# --- messages --------------------------------------------------------------

def _quoted(tab: str, spec: dict[str, Any] | None, row: dict[str, Any]) -> str:
    """The cell as typed, for the editor's own sheet only; never for a
    private column (a NIK or a name is not repeated even there)."""
    value = row.get(spec["name"]) if spec else None
    if spec is None or spec.get("pribadi") or cells.is_blank(value):
        return ""
    return cells.as_text(value)[:80]


_KINDS = {privacy.NIK: "angka berbentuk NIK", privacy.PHONE: "nomor telepon",
          privacy.EMAIL: "alamat e-mail", privacy.ADDRESS: "alamat rumah/jalan"}


def _warning(tab, sheet_row, spec, found, row, assumed: _Assumed) -> RowError:
    column = found.titles.get(spec["name"], spec["title"])
    code, _, kind = assumed.code.partition(":")
    if code == "persetujuan-tidak-jelas":
        problem = "Isinya bukan ya atau tidak; dibaca sebagai “tidak”, jadi nama donatur ini tidak diterbitkan."
        fix = "Tulis ya bila donatur setuju namanya ditampilkan, atau tidak."
    elif code == "ribuan-koma":
        problem = (f"Koma dibaca sebagai pemisah ribuan: dibaca sebagai {_rupiah(assumed.value)} rupiah, "
                   "bukan angka desimal.")
        fix = f"Tulis ribuan dengan titik, misalnya {spec.get('contoh', '16.800')}."
    elif code == "pilihan-lain":
        allowed = ", ".join(str(e) for e in spec["constraints"]["enum"])
        problem = f"Isinya tidak ada di daftar; dibaca sebagai “{assumed.value}”."
        fix = f"Pilih salah satu: {allowed}."
    else:  # data-pribadi-dibuang
        problem = (f"Isinya memuat {_KINDS[kind]}; isi sel ini tidak disimpan dan tidak diterbitkan, "
                   "tetapi barisnya tetap dihitung.")
        fix = f"Tulis hanya {spec['title'].lower()} di sini, tanpa data pribadi."
    return RowError(tab, sheet_row, column, code, problem, fix, WARNING, _quoted(tab, spec, row))


def _rupiah(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


def _cell_error(tab, sheet_row, spec, found, row, reason) -> RowError:
    return replace(_cell_problem(tab, sheet_row, spec, found, reason), quoted=_quoted(tab, spec, row))


def _cell_problem(tab, sheet_row, spec, found, reason) -> RowError:
    column = found.titles.get(spec["name"], spec["title"])
    if reason.startswith("data-pribadi:"):
        kind = reason.partition(":")[2]
        return RowError(tab, sheet_row, column, "data-pribadi",
                        f"Isinya memuat {_KINDS[kind]}; kolom ini tidak boleh berisi data pribadi.",
                        f"Tulis {spec['title']} saja, misalnya {spec.get('contoh', '')}.")
    if reason == _TOO_LONG:
        return RowError(tab, sheet_row, column, "terlalu-panjang",
                        f"Isinya terlalu panjang (lebih dari {shown(MAX_CELL_CHARS)} karakter).",
                        f"Tulis {spec['title']} saja di sel ini; mungkin beberapa sel tertempel menjadi satu.")
    if reason == cells.TOO_LARGE:
        return RowError(tab, sheet_row, column, "angka-terlalu-besar",
                        "Angkanya terlalu besar atau terlalu panjang untuk kolom ini.",
                        f"Tulis jumlah atau hitungan saja, misalnya {_example(spec)}. Bila yang terketik NIK atau nomor lain, "
                        "pindahkan ke kolomnya.")
    if reason == "nik-angka":
        return RowError(tab, sheet_row, column, "nik-angka",
                        "NIK tersimpan sebagai angka, sehingga spreadsheet bisa membulatkan digit terakhirnya.",
                        "Ubah format kolom NIK menjadi Teks biasa, lalu ketik ulang NIK dari KTP.")
    if reason == cells.SWAPPED:
        return RowError(tab, sheet_row, column, cells.SWAPPED,
                        "Bulannya lebih dari 12: tampaknya bulan ditulis sebelum hari (bulan/hari/tahun), "
                        "jadi tanggal ini tidak dibaca.",
                        "Tulis hari dulu, lalu bulan: misalnya 24/03/2025 untuk 24 Maret 2025.")
    if spec["type"] == "date":
        return RowError(tab, sheet_row, column, "tanggal",
                        f"Isinya tidak terbaca sebagai tanggal: {reason}.",
                        "Tulis tanggal sebagai hari/bulan/tahun, misalnya 24/03/2025 atau 24 Maret 2025.")
    return RowError(tab, sheet_row, column, "angka",
                    "Isinya tidak terbaca sebagai angka.",
                    f"Tulis angka saja, misalnya {_example(spec)}"
                    + (" (titik untuk ribuan)." if spec.get("satuan") == "rupiah" else "."))


def _example(spec: dict[str, Any]) -> str:
    """The column's own example from the schema: a fix fits its column."""
    return str(spec.get("contoh") or "12")


def _frictionless_error(tab, sheet_row, spec, found, row, error, sheet_rows,
                        suggest=lambda typed: []) -> RowError:
    column = found.titles.get(spec["name"], spec["title"]) if spec else None
    note = getattr(error, "note", "")
    code, problem, fix = error.type, "Isinya tidak sesuai aturan kolom ini.", spec["description"] if spec else ""
    if error.type == "constraint-error" and '"required"' in note:
        code, problem, fix = "wajib", f"{column} kosong.", f"Isi kolom ini. {spec['description']}"
    elif error.type == "constraint-error" and '"enum"' in note:
        allowed = ", ".join(str(e) for e in spec["constraints"]["enum"])
        code, problem, fix = "pilihan", "Isinya bukan pilihan yang dikenal.", f"Pilih salah satu: {allowed}."
    elif error.type == "constraint-error" and '"pattern"' in note and spec["name"] == "nik":
        code, problem, fix = "nik-format", "NIK harus tepat 16 angka.", \
            "Periksa NIK di KTP; tulis 16 angka tanpa spasi, titik atau huruf."
    elif error.type == "constraint-error" and '"pattern"' in note:
        code, problem, fix = "format", "Bentuk isinya tidak dikenal.", \
            f"{spec['description']} Contoh: {spec.get('contoh', '')}."
    elif error.type == "constraint-error" and '"minimum"' in note:
        code, problem, fix = "minimum", "Angkanya tidak boleh kurang dari nol.", "Tulis angka nol atau lebih."
    elif error.type == "type-error":
        code, problem, fix = "bilangan-bulat", "Isinya harus bilangan bulat.", \
            f"Tulis angka tanpa koma, misalnya {_example(spec) if spec else '12'}."
    elif error.type in ("unique-error", "primary-key"):
        first = _first_row(note, sheet_rows)
        code, problem = "ganda", f"{column} ini sudah dipakai di baris {first}." if first else \
            f"{column} ini sudah dipakai di baris sebelumnya."
        fix = "Hapus baris ganda atau perbaiki isinya bila salah ketik. Baris yang pertama yang dihitung."
        if (tab, spec["name"]) == ("peserta", "nik"):
            problem = f"NIK ini sudah tercatat di baris {first}." if first else "NIK ini sudah tercatat di baris sebelumnya."
    elif note == "kelurahan-tidak-dikenal":
        near = suggest(row.get("kelurahan"))
        code, problem = note, "Isinya bukan kelurahan/desa di kecamatan ini."
        fix = (f"Mungkin maksudnya: {', '.join(near)}. " if near else "") + \
            "Tulis nama resmi atau kode Kemendagri kelurahan/desa (pilih dari daftar; lihat tab wilayah)."
    elif note.startswith("kelurahan-ganda"):
        first = _first_row(note, sheet_rows)
        code = "kelurahan-ganda"
        problem = (f"Kelurahan/desa ini sudah ada di baris {first}, mungkin ditulis dengan nama atau kode lain."
                   if first else "Kelurahan/desa ini sudah ada di baris sebelumnya.")
        fix = "Satu kelurahan/desa cukup satu baris: hapus salah satunya. Sampai diperbaiki, baris yang pertama yang dihitung."
    elif note == "tanggal-terbalik":
        code, problem, fix = note, "Berlaku Sampai lebih awal daripada Mulai.", \
            "Periksa kedua tanggal: Berlaku Sampai adalah tanggal iuran lunas sampai, sesudah Mulai."
    elif note == "donatur-kosong":
        code, problem, fix = note, "Sumber Dana donatur/CSR tetapi ID Donatur kosong.", \
            "Isi ID Donatur dengan ID dari tab donatur, misalnya D001."
    elif note == "donatur-tidak-ada":
        code, problem, fix = note, "ID Donatur ini tidak ada di tab donatur (atau baris donatur itu bermasalah).", \
            "Tambahkan donatur itu di tab donatur, atau perbaiki ID-nya."
    return RowError(tab, sheet_row, column, code, problem, fix)


def _first_row(note: str, sheet_rows: list[int]) -> int | None:
    # Frictionless says "the same as in the row at position N" (N counts the header as 1)
    digits = "".join(ch for ch in note.rsplit(" ", 1)[-1] if ch.isdigit())
    if digits and 0 <= int(digits) - 2 < len(sheet_rows):
        return sheet_rows[int(digits) - 2]
    return None
