"""Snapshot: the last good, minimised data of one kecamatan, on disk.

One folder per kecamatan: a CSV per tab holding only the columns the sheet
contract keeps (`simpan` in registry/schema/), and meta.json (when it was
taken, its content hash, the row errors that belong to this content). The
format is read by the build and written by the pull; what goes into it is
decided on the pull side (lindung.pull.minimise). A folder is replaced whole
(written beside it, then swapped in by lindung.store.atomic), so neither a
crash nor a reader ever finds it missing or half-written.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..contract import TABS, Contract
from . import atomic


@dataclass
class Snapshot:
    kode: str
    tables: dict[str, list[dict[str, Any]]]
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def taken(self) -> dt.date | None:
        stamp = self.meta.get("diambil")
        return dt.datetime.fromisoformat(stamp).date() if stamp else None


def write(directory: Path, snapshot: Snapshot, contract: Contract) -> None:
    staging = atomic.staging(directory)
    try:
        for tab in TABS:
            columns = contract.stored_columns(tab)
            with open(staging / f"{tab}.csv", "w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle, lineterminator="\n")
                writer.writerow(columns)
                for row in snapshot.tables.get(tab, []):
                    writer.writerow([_to_text(row.get(c)) for c in columns])
        (staging / "meta.json").write_text(
            json.dumps(snapshot.meta, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
        atomic.replace(staging, directory)
    finally:
        atomic.remove(staging)  # a failed write's half; after a swap, nothing is left there


# Staging folders of versions before lindung.store.atomic: `.<kode>.` + mkdtemp's 8 characters.
_LEGACY_STAGING = re.compile(r"\.\d\d(\.\d\d)*\.\w{8}")


def recover(root: Path) -> None:
    """What a killed pull left among the snapshots: a snapshot found only in
    its retired folder is put back as the last good one; half-written
    staging folders are removed. Under the pull's lock."""
    atomic.recover(root, extra=_LEGACY_STAGING)


def content_hash(snapshot: Snapshot, contract: Contract) -> str:
    digest = hashlib.sha256()
    for tab in TABS:
        columns = contract.stored_columns(tab)
        for row in snapshot.tables.get(tab, []):
            digest.update(repr([_to_text(row.get(c)) for c in columns]).encode())
        digest.update(b"\x00")
    return digest.hexdigest()


def read(directory: Path, contract: Contract) -> Snapshot | None:
    """The snapshot in `directory`, one version whole: a pull may swap the
    folder while a build reads it, so a read that saw the swap is done again."""
    for _ in range(5):
        before = _identity(directory)
        try:
            found = _read_once(directory, contract)
        except FileNotFoundError:  # its retired copy was deleted as we read it
            continue
        if _identity(directory) == before:
            return found
    return _read_once(directory, contract)


def _identity(directory: Path) -> tuple[int, int, int] | None:
    try:
        stat = os.stat(atomic.readable(directory))
    except FileNotFoundError:
        return None
    return stat.st_dev, stat.st_ino, stat.st_ctime_ns  # ctime too: an inode number is reused


def _read_once(directory: Path, contract: Contract) -> Snapshot | None:
    folder = atomic.readable(directory)
    if not (folder / "meta.json").exists():
        return None
    types = contract.stored_types()
    tables = {}
    for tab in TABS:
        path = folder / f"{tab}.csv"
        if not path.exists():
            tables[tab] = []
            continue
        with open(path, newline="", encoding="utf-8") as handle:
            tables[tab] = _rows(csv.reader(handle), types)
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    return Snapshot(directory.name, tables, meta)


def read_all(root: Path, contract: Contract) -> dict[str, Snapshot]:
    found = (read(path, contract) for path in atomic.folders(root))
    return {snapshot.kode: snapshot for snapshot in found if snapshot}


def _rows(reader, types: dict[str, str]) -> list[dict[str, Any]]:
    """Typed rows of one CSV table, converted a column at a time (dates
    through a memo: a snapshot holds few distinct days in many rows)."""
    header = next(reader, None)
    if not header:
        return []
    width = len(header)
    # Blank lines are skipped and short or long lines cut to the header, as csv.DictReader reads them.
    lines = [values if len(values) == width else (values + [""] * width)[:width] for values in reader if values]
    if not lines:
        return []
    columns = [_column(types.get(name, "string"), values) for name, values in zip(header, zip(*lines))]
    return [dict(zip(header, values)) for values in zip(*columns)]


def _column(kind: str, values: tuple[str, ...]) -> list[Any]:
    if kind == "string":
        return [v if v != "" else None for v in values]
    if kind == "date":
        days = {text: dt.date.fromisoformat(text) for text in set(values) if text}
        days[""] = None
        return [days[v] for v in values]
    return [_from_text(kind, v) for v in values]


def _to_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _from_text(kind: str, text: str) -> Any:
    if text == "":
        return None
    if kind == "date":
        return dt.date.fromisoformat(text)
    if kind == "integer":
        return int(text)
    if kind == "number":
        number = float(text)
        return int(number) if number.is_integer() else number
    return text
