"""Zip check: an .xlsx (or .ods) is a zip of XML parts; look at its directory
before any part is parsed.

A zip says how large each part is once decompressed, and the reader
(python-calamine, through the Rust zip crate) refuses a part that turns out
larger than it said, so the directory alone tells what parsing would cost:
a 0.5 MB file can hold a 400 MB shared string or 30 million rows. This
module holds the directory to lindung.pull.limits (file, total, ratio, the
sheet XML of each contract tab, the shared strings, the parts read with
them) and finds which parts are the contract's tabs (names matched like
headers, first match wins), so no other tab is ever read. Only the small
workbook part and its relationships are parsed here, after their own size
check.
"""
from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Collection
from pathlib import Path
from xml.etree import ElementTree

from ...contract import normalise
from ..limits import (MAX_FILE_BYTES, MAX_PART_BYTES, MAX_RATIO, MAX_SHARED_STRINGS_BYTES, MAX_SHEET_BYTES,
                      MAX_TOTAL_BYTES, MIB, RATIO_FROM_BYTES)
from . import SourceError

WORKBOOK = "xl/workbook.xml"
RELATIONSHIPS = "xl/_rels/workbook.xml.rels"
# Parts the reader parses whenever it opens a workbook, whatever tab is asked for.
OPENED = (WORKBOOK, RELATIONSHIPS, "xl/styles.xml", "[content_types].xml", "_rels/.rels")
SHARED_STRINGS = "sharedstrings.xml"
ODS_CONTENT = "content.xml"  # an .ods keeps every tab in this one part


def contract_sheets(path: Path, tabs: Collection[str]) -> list[str] | None:
    """The titles of the workbook's tabs that are `tabs` of the contract, in
    workbook order (None for an .ods, whose tab names live in its one big
    part: the reader matches them), once the file passed every limit.
    Raises SourceError naming the limit, or saying the file is damaged."""
    name = path.name
    if path.stat().st_size > MAX_FILE_BYTES:
        raise _too_big(name, f"berkasnya lebih dari {MAX_FILE_BYTES // MIB} MB")
    try:
        with zipfile.ZipFile(path) as archive:
            parts = {info.filename.lower(): info for info in archive.infolist()}
            _check_directory(name, parts)
            if ODS_CONTENT in parts and WORKBOOK not in parts:
                _check_part(name, parts[ODS_CONTENT], MAX_SHEET_BYTES, "isi tab-tabnya")
                return None
            for part in OPENED:
                if part in parts:
                    _check_part(name, parts[part], MAX_PART_BYTES, "bagian pengaturannya")
            for part, info in parts.items():
                if part.rsplit("/", 1)[-1] == SHARED_STRINGS:
                    _check_part(name, info, MAX_SHARED_STRINGS_BYTES, "daftar teksnya (shared strings)")
            sheets = _sheets(_xml(archive, parts, WORKBOOK, name))
            targets = _targets(_xml(archive, parts, RELATIONSHIPS, name))
            chosen: dict[str, str] = {}  # normalised tab -> title as typed
            for title, rid in sheets:
                tab = normalise(title)
                if tab not in tabs or tab in chosen:
                    continue
                member = parts.get(targets.get(rid, ""))
                if member is None:
                    raise damaged(name)
                _check_part(name, member, MAX_SHEET_BYTES, f"tab {tab}")
                chosen[tab] = title
            return list(chosen.values())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ElementTree.ParseError, ValueError, KeyError):
        raise damaged(name) from None


def _check_directory(name: str, parts: dict[str, zipfile.ZipInfo]) -> None:
    for info in parts.values():
        if info.file_size >= RATIO_FROM_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise _too_big(name, f"salah satu bagiannya mengembang lebih dari {MAX_RATIO} kali saat dibuka "
                                 "(tanda berkas yang dibuat untuk merusak)")
    if sum(info.file_size for info in parts.values()) > MAX_TOTAL_BYTES:
        raise _too_big(name, f"isinya lebih dari {MAX_TOTAL_BYTES // MIB} MB setelah dibuka")


def _check_part(name: str, info: zipfile.ZipInfo, limit: int, what: str) -> None:
    if info.file_size > limit:
        raise _too_big(name, f"{what} lebih dari {limit // MIB} MB setelah dibuka")


def _xml(archive: zipfile.ZipFile, parts: dict[str, zipfile.ZipInfo], part: str, name: str) -> ElementTree.Element:
    if part not in parts:
        raise damaged(name)
    data = archive.read(parts[part])  # size checked above
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:  # never in a real workbook; the start of entity bombs
        raise damaged(name)
    return ElementTree.fromstring(data)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _sheets(workbook: ElementTree.Element) -> list[tuple[str, str]]:
    """(title, relationship id) of each tab, in workbook order. Matched by
    local name: transitional and strict OOXML use different namespaces."""
    found = []
    for element in workbook.iter():
        if _local(element.tag) == "sheet":
            rid = next((v for k, v in element.attrib.items() if _local(k) == "id" and k != "id"), "")
            found.append((element.get("name", ""), rid))
    return found


def _targets(relationships: ElementTree.Element) -> dict[str, str]:
    """Relationship id -> the zip part it points to (lower case, as `parts`)."""
    targets = {}
    for element in relationships.iter():
        if _local(element.tag) == "Relationship":
            target = element.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
            targets[element.get("Id", "")] = posixpath.normpath(path).lower()
    return targets


def _too_big(name: str, why: str) -> SourceError:
    return SourceError("terlalu_besar", f"Berkas {name} tidak dibaca: {why}, melewati batas Lindung. Simpan ulang "
                       "workbook hanya dengan tab peserta, donatur, wilayah dan santunan, atau hapus baris dan tab "
                       "yang tidak perlu.")


def damaged(name: str) -> SourceError:
    return SourceError("rusak", f"Berkas {name} tidak bisa dibaca: bukan workbook .xlsx yang utuh (rusak, terenkripsi, atau "
                       "format lain). Buka di Excel atau LibreOffice lalu simpan ulang sebagai .xlsx.")
