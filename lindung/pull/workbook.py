"""Write a kecamatan workbook (.xlsx) from the sheet schemas in registry/schema/.

The workbook is what a kecamatan editor fills in: the tabs peserta, donatur,
wilayah and santunan, each with the schema's column titles in row 1, dropdowns
for columns with a fixed list of values, date/number/text formats that keep
typed values intact (a 16-digit NIK must stay text), and a last tab Petunjuk
that explains every column in Indonesian. The same function writes the empty
template (`lindung template`) and the synthetic demo registry (lindung.demo),
optionally with data rows. Output is byte-for-byte deterministic, so a
regenerated demo can be compared with the committed one.
"""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.xml.functions import tostring

from ..contract import TABS
from ..contract import load as load_contract

GUIDE_TAB = "Petunjuk"

# Fixed metadata and zip timestamps: openpyxl stamps "now" into
# docProps/core.xml and into every zip entry, which would make each run differ.
FIXED_TIME = dt.datetime(2026, 1, 1, 0, 0, 0)
CREATOR = "Lindung"

LAST_ROW = 5000  # dropdowns and formats reach this far: room for a big kecamatan
YA_TIDAK = ["ya", "tidak"]

# Columns that must be text: a 16-digit NIK typed into a number cell is rounded
# (Excel keeps 15 significant digits), and ids like 001 would lose their zeros.
TEXT_FIELDS = {("peserta", "nik"), ("peserta", "id_donatur"), ("donatur", "id")}

DATE_FORMAT = "DD/MM/YYYY"
NUMBER_FORMAT = "#,##0"
TEXT_FORMAT = "@"

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")

# The editor guide. The site does not publish docs/, so the Petunjuk tab of
# a Google Sheet names the guide's path in the Lindung repository. (Not yet in
# the .xlsx template: its bytes are pinned by the committed demo workbooks.)
GUIDE_PATH = "docs/panduan-editor.md"
GUIDE_LINE = (f"Panduan lengkap untuk editor (cara mengisi tiap tab, arti warna dan catatan di sel, tab Laporan "
              f"Validasi, jadwal pemeriksaan): {GUIDE_PATH} di repositori Lindung; operator Lindung di daerah Anda "
              "bisa memberikan tautannya.")

INTRO = [
    "Petunjuk pengisian lembar kerja Lindung",
    "Isi satu baris untuk satu pekerja di tab peserta; satu baris untuk satu "
    "donatur di tab donatur; satu baris untuk satu kelurahan/desa di tab wilayah.",
    "Jangan mengubah, menghapus atau memindahkan judul kolom di baris 1, dan "
    "jangan mengganti nama tab.",
    "Tulis tanggal sebagai hari/bulan/tahun, misalnya 24/03/2025.",
    "Ketik NIK sebagai teks, 16 angka (kolom NIK sudah berformat Teks). NIK yang "
    "tersimpan sebagai angka akan dibulatkan dan tidak bisa dipakai.",
    "Angka rupiah boleh ditulis 16800 atau 16.800.",
    "Baris yang salah tidak ikut dihitung sampai diperbaiki. Kesalahan muncul "
    "di laporan kecamatan, lengkap dengan nama tab, nomor baris, kolom dan cara "
    "memperbaikinya.",
]
GUIDE_HEADER = ["Tab", "Kolom (judul di baris 1)", "Wajib diisi?", "Keterangan",
                "Pilihan yang boleh"]


def load_schema(schema_dir: Path, tab: str) -> dict[str, Any]:
    return load_contract(Path(schema_dir))[tab].descriptor


def choices_range(field: dict[str, Any], schemas: dict[str, dict[str, Any]]) -> str | None:
    """Where a column's dropdown comes from in the workbook itself
    (`pilihanDari` in the schema), as an A1 range: `wilayah!$A$2:$A$5000`."""
    tab = field.get("pilihanDari")
    if not tab:
        return None
    position = next(i for i, f in enumerate(schemas[tab]["fields"], start=1) if f["name"] == field["name"])
    letter = get_column_letter(position)
    return f"{tab}!${letter}$2:${letter}${LAST_ROW}"


def field_choices(field: dict[str, Any]) -> list[Any] | None:
    """Dropdown values of a column: the schema enum, or ya/tidak."""
    enum = field.get("constraints", {}).get("enum")
    if enum:
        return list(enum)
    if field["name"] == "tampilkan_nama":
        return YA_TIDAK
    return None


def _number_format(tab: str, field: dict[str, Any]) -> str | None:
    if (tab, field["name"]) in TEXT_FIELDS:
        return TEXT_FORMAT
    if field.get("type") == "date":
        return DATE_FORMAT
    if field.get("type") in ("number", "integer"):
        return NUMBER_FORMAT
    return None


def _width(field: dict[str, Any]) -> float:
    if field["name"] == "nik":
        return 20
    longest = max([len(field["title"])] + [len(str(v)) for v in field_choices(field) or []])
    base = 22 if field.get("type") == "string" and not field_choices(field) else 12
    return max(base, longest + 4)


def _write_data_tab(ws, tab: str, schemas: dict[str, dict[str, Any]], rows: list[list]) -> None:
    fields = schemas[tab]["fields"]
    for col, field in enumerate(fields, start=1):
        cell = ws.cell(row=1, column=col, value=field["title"])
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        letter = get_column_letter(col)
        dim = ws.column_dimensions[letter]
        dim.width = _width(field)
        fmt = _number_format(tab, field)
        if fmt:
            # Column style: rows the editor adds later get the format too.
            dim.number_format = fmt
    ws.freeze_panes = "A2"

    formats = [_number_format(tab, f) for f in fields]
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values[: len(fields)], start=1):
            if value is None:
                continue
            if formats[c - 1] == TEXT_FORMAT and isinstance(value, int):
                value = str(value)  # an int NIK is exact; store it as the text it is
            cell = ws.cell(row=r, column=c, value=value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # sheet data is never a formula
            if formats[c - 1]:
                # Set after the value: openpyxl gives date cells its own format.
                cell.number_format = formats[c - 1]

    last = max(LAST_ROW, len(rows) + 1)
    for col, field in enumerate(fields, start=1):
        source = choices_range(field, schemas)
        if source:  # the kecamatan's own kelurahan, as listed in its wilayah tab
            dv = DataValidation(type="list", formula1=f"={source}", allow_blank=True, showDropDown=False,
                                showErrorMessage=True, errorStyle="warning",
                                errorTitle="Kelurahan tidak ada di tab wilayah",
                                error="Pilih kelurahan/desa dari daftar (tab wilayah).")
            letter = get_column_letter(col)
            dv.add(f"{letter}2:{letter}{last}")
            ws.add_data_validation(dv)
            continue
        choices = field_choices(field)
        if not choices:
            continue
        listed = ", ".join(str(v) for v in choices)
        dv = DataValidation(
            type="list",
            formula1='"' + ",".join(str(v) for v in choices) + '"',
            allow_blank=True,
            showDropDown=False,  # (sic) False means: show the in-cell arrow
            showErrorMessage=True,
            # A warning, not a stop: the validator also accepts other spellings
            # (upper case, extra spaces), and the report says what is wrong.
            errorStyle="warning",
            errorTitle="Nilai tidak ada di daftar",
            error=f"Pilih salah satu: {listed}.",
        )
        letter = get_column_letter(col)
        dv.add(f"{letter}2:{letter}{last}")
        ws.add_data_validation(dv)


def guide_rows(schemas: dict[str, dict[str, Any]]) -> list[list[str]]:
    """The Petunjuk tab, as rows: the same text in an .xlsx and a Google Sheet."""
    rows = [[line] for line in INTRO]
    rows.insert(1, [GUIDE_LINE])  # the editor guide, right under the title
    rows += [[f"Tab {tab}: {schemas[tab].get('description', '')}"] for tab in TABS]
    rows += [[], GUIDE_HEADER]
    for tab in TABS:
        for field in schemas[tab]["fields"]:
            required = field.get("constraints", {}).get("required", False)
            choices = field_choices(field)
            rows.append([tab, field["title"], "ya" if required else "tidak", field.get("description", ""),
                         ", ".join(str(v) for v in choices) if choices else ""])
    return rows


def _write_guide(ws, schemas: dict[str, dict[str, Any]]) -> None:
    rows = guide_rows(schemas)
    for row in rows:
        ws.append(row)
    ws["A1"].font = Font(bold=True, size=13)
    header_row = rows.index(GUIDE_HEADER) + 1
    for cell in ws[header_row]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    for row in ws.iter_rows(min_row=header_row + 1):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCDE", (12, 24, 13, 70, 34)):
        ws.column_dimensions[letter].width = width


def _deterministic_zip(data: bytes, core_xml: bytes) -> bytes:
    """Repack the xlsx with fixed entry timestamps and the fixed core.xml."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = core_xml if info.filename == "docProps/core.xml" else src.read(info)
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.create_system = 3  # not the host OS: same bytes everywhere
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, body)
    return out.getvalue()


def write_workbook(path: Path, rows: dict[str, list[list]] | None = None, *,
                   schema_dir: Path) -> None:
    """Write the workbook to `path`.

    `rows` maps a tab name to its data rows, values in schema order (dates as
    datetime.date, None for an empty cell). Values are written as given, so a
    caller can also write wrong ones on purpose (the demo does); only an int
    in a text column (NIK, ID) is turned into its string.
    """
    rows = rows or {}
    unknown = [t for t in rows if t not in TABS]
    if unknown:
        raise ValueError(f"tab tidak dikenal: {', '.join(unknown)}")
    schemas = load_contract(Path(schema_dir)).descriptors()

    wb = Workbook()
    wb.remove(wb.active)
    for tab in TABS:
        _write_data_tab(wb.create_sheet(tab), tab, schemas, rows.get(tab, []))
    _write_guide(wb.create_sheet(GUIDE_TAB), schemas)
    wb.active = 0

    props = wb.properties
    props.creator = CREATOR
    props.lastModifiedBy = CREATOR
    props.title = "Lembar kerja kecamatan Lindung"
    props.created = FIXED_TIME
    buf = io.BytesIO()
    wb.save(buf)
    props.modified = FIXED_TIME  # wb.save() has just overwritten it with now()
    data = _deterministic_zip(buf.getvalue(), tostring(props.to_tree()))
    Path(path).write_bytes(data)
