"""Snapshot: the last good, minimised data of one kecamatan, on disk.

One folder per kecamatan: a CSV per tab holding only the columns the sheet
contract keeps (`simpan` in registry/schema/), and meta.json (when it was
taken, its content hash, the row errors that belong to this content). The
format is read by the build and written by the pull; what goes into it is
decided on the pull side (lindung.pull.minimise). A folder is replaced whole
(written beside it, then renamed), so a crash never leaves half of one.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..contract import TABS, Contract


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
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
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
        retired = directory.with_name(f".{directory.name}.old")
        if directory.exists():
            os.replace(directory, retired)
        os.replace(staging, directory)
        shutil.rmtree(retired, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def content_hash(snapshot: Snapshot, contract: Contract) -> str:
    digest = hashlib.sha256()
    for tab in TABS:
        columns = contract.stored_columns(tab)
        for row in snapshot.tables.get(tab, []):
            digest.update(repr([_to_text(row.get(c)) for c in columns]).encode())
        digest.update(b"\x00")
    return digest.hexdigest()


def read(directory: Path, contract: Contract) -> Snapshot | None:
    if not (directory / "meta.json").exists():
        return None
    types = contract.stored_types()
    tables = {}
    for tab in TABS:
        path = directory / f"{tab}.csv"
        if not path.exists():
            tables[tab] = []
            continue
        with open(path, newline="", encoding="utf-8") as handle:
            tables[tab] = [{k: _from_text(types.get(k, "string"), v) for k, v in row.items()}
                           for row in csv.DictReader(handle)]
    meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
    return Snapshot(directory.name, tables, meta)


def read_all(root: Path, contract: Contract) -> dict[str, Snapshot]:
    if not root.exists():
        return {}
    found = (read(path, contract) for path in sorted(root.iterdir())
             if path.is_dir() and not path.name.startswith("."))
    return {snapshot.kode: snapshot for snapshot in found if snapshot}


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
