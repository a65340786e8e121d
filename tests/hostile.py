"""Hostile workbooks for tests, written by hand so they stay small on disk.

An .xlsx is a zip of XML parts. `xlsx()` writes one from the XML of each
tab's rows, with a raw zip writer where a part is `Repeated` (a body written
`count` times): its deflate stream is one compressed copy repeated, which is
valid because every copy starts after a full flush, so a 400 MB part costs
about a second of CRC and half a megabyte of disk. `patched()` rewrites cells
of a workbook openpyxl wrote (NaN and infinity, which openpyxl refuses).
"""
from __future__ import annotations

from openpyxl.utils import get_column_letter

import struct
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

MIB = 1024 * 1024
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
REL_NS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
CONTENT_TYPES = (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/'
                 b'2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
                 b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl'
                 b'/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+'
                 b'xml"/></Types>')
ROOT_RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
             b'2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
             b'2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
SHEET_HEAD = f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}><sheetData>'.encode()
SHEET_TAIL = b"</sheetData></worksheet>"


@dataclass(frozen=True)
class Repeated:
    """A part written as head + unit * count + tail."""

    head: bytes
    unit: bytes
    count: int
    tail: bytes

    @property
    def size(self) -> int:
        return len(self.head) + len(self.unit) * self.count + len(self.tail)


Part = bytes | Repeated


def deflated(part: Part) -> tuple[bytes, int]:
    """A raw deflate stream of `part` and its CRC-32."""
    if isinstance(part, bytes):
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        return compressor.compress(part) + compressor.flush(), zlib.crc32(part)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = compressor.compress(part.head) + compressor.flush(zlib.Z_FULL_FLUSH)
    # After a full flush nothing refers back, so every copy of the unit compresses to the same bytes.
    unit = compressor.compress(part.unit) + compressor.flush(zlib.Z_FULL_FLUSH)
    tail = compressor.compress(part.tail) + compressor.flush()
    crc = zlib.crc32(part.head)
    for _ in range(part.count):
        crc = zlib.crc32(part.unit, crc)
    return head + unit * part.count + tail, zlib.crc32(part.tail, crc)


def write_zip(path: Path, parts: dict[str, Part]) -> Path:
    """A zip of deflated parts, written field by field (zipfile cannot
    write a stream it did not compress itself)."""
    entries, offset = [], 0
    with open(path, "wb") as out:
        for name, part in parts.items():
            data, crc = deflated(part)
            size = part.size if isinstance(part, Repeated) else len(part)
            encoded = name.encode()
            out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data), size,
                                  len(encoded), 0) + encoded + data)
            entries.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(data),
                                       size, len(encoded), 0, 0, 0, 0, 0, offset) + encoded)
            offset = out.tell()
        directory = b"".join(entries)
        out.write(directory)
        out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(directory), offset, 0))
    return path


def xlsx(path: Path, tabs: dict[str, Part], *, shared: Part | None = None,
         workbook: bytes | None = None, extra: dict[str, Part] | None = None) -> Path:
    """A workbook whose tabs (in order) hold the given sheet XML (`sheet()`
    or a `Repeated` part), with shared strings if given."""
    sheets = "".join(f'<sheet name="{escape(title, {chr(34): "&quot;"})}" sheetId="{i}" r:id="rId{i}"/>'
                     for i, title in enumerate(tabs, start=1))
    rels = "".join(f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                   f'relationships/worksheet" Target="worksheets/sheet{i}.xml"/>' for i in range(1, len(tabs) + 1))
    if shared is not None:
        rels += (f'<Relationship Id="rId{len(tabs) + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                 'relationships/sharedStrings" Target="sharedStrings.xml"/>')
    parts: dict[str, Part] = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": ROOT_RELS,
        "xl/workbook.xml": workbook or f'<?xml version="1.0" encoding="UTF-8"?><workbook {NS} {REL_NS}><sheets>'
                                      f"{sheets}</sheets></workbook>".encode(),
        "xl/_rels/workbook.xml.rels": ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
                                       f'openxmlformats.org/package/2006/relationships">{rels}</Relationships>').encode(),
    }
    for i, body in enumerate(tabs.values(), start=1):
        parts[f"xl/worksheets/sheet{i}.xml"] = body
    if shared is not None:
        parts["xl/sharedStrings.xml"] = shared
    parts.update(extra or {})
    return write_zip(path, parts)


def column(index: int) -> str:
    """The letters of a 0-based column index: 0 -> A, 26 -> AA."""
    return get_column_letter(index + 1)


def cell(ref: str, value: Any) -> str:
    """One cell: text inline, numbers as numbers, or raw XML for `<v>` (a
    `Raw` value such as NaN)."""
    if isinstance(value, Raw):
        return f'<c r="{ref}"><v>{value.text}</v></c>'
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


@dataclass(frozen=True)
class Raw:
    text: str


def sheet(rows: Iterable[Iterable[Any]], *, start: int = 1) -> bytes:
    """Sheet XML of `rows` from row `start`, every cell with its reference."""
    out = []
    for r, row in enumerate(rows, start=start):
        cells = "".join(cell(f"{column(c)}{r}", v) for c, v in enumerate(row) if v is not None)
        out.append(f'<row r="{r}">{cells}</row>')
    return SHEET_HEAD + "".join(out).encode() + SHEET_TAIL


def patched(path: Path, replacements: dict[str, str]) -> Path:
    """Rewrite a workbook's sheet XML, replacing each `<v>old</v>` by
    `<v>new</v>`: how a test gets a NaN number cell into an .xlsx."""
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    for name, data in parts.items():
        if name.startswith("xl/worksheets/"):
            for old, new in replacements.items():
                data = data.replace(f"<v>{old}</v>".encode(), f"<v>{new}</v>".encode())
            parts[name] = data
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return path
