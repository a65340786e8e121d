"""Snapshot: the last good, minimised data of each kecamatan.

This is the privacy boundary. What crosses it holds no worker name and no raw
NIK: the NIK becomes a keyed hash (HMAC-SHA256 with `LINDUNG_SECRET`), still
good for counting a worker once, useless for finding one. Donor names stay
only where the donor agreed to be shown. A snapshot folder is replaced whole
(written beside it, then renamed), so a crash never leaves half of one.
"""
from __future__ import annotations

import base64
import csv
import datetime as dt
import hashlib
import hmac
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .validate import Validated

DEMO_SECRET = "lindung-demo-bukan-rahasia"

# Columns kept, per tab, in this order. Anything else an editor added
# (alamat, no_hp, ...) never leaves pull.
COLUMNS = {
    "peserta": ["nik_hash", "kelurahan", "segmen", "pekerjaan", "program", "mulai",
                "berlaku_sampai", "sumber_dana", "id_donatur", "iuran_bulanan"],
    "donatur": ["id", "nama", "instansi", "jenis", "tampilkan_nama", "periode_bayar"],
    "wilayah": ["kelurahan", "jumlah_rt", "jumlah_rw", "pengurus_rt_rw", "target_pekerja_rentan"],
    "santunan": ["tanggal", "kelurahan", "program", "jumlah"],
}
_DATES = {"mulai", "berlaku_sampai", "tanggal"}
_INTS = {"jumlah_rt", "jumlah_rw", "pengurus_rt_rw", "target_pekerja_rentan", "periode_bayar"}
_NUMBERS = {"iuran_bulanan", "jumlah"}


@dataclass
class Snapshot:
    kode: str
    tables: dict[str, list[dict[str, Any]]]
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def taken(self) -> dt.date | None:
        stamp = self.meta.get("diambil")
        return dt.datetime.fromisoformat(stamp).date() if stamp else None


def secret_from_env(environ=os.environ) -> tuple[str, bool]:
    """The HMAC key, and whether it is the demo key (the CLI warns then)."""
    secret = environ.get("LINDUNG_SECRET", "")
    return (secret, False) if secret else (DEMO_SECRET, True)


def pseudonym(nik: str, secret: str) -> str:
    digest = hmac.new(secret.encode(), nik.encode(), hashlib.sha256).digest()
    # base32 keeps the hash from ever looking like a 16-digit NIK
    return base64.b32encode(digest).decode().rstrip("=").lower()[:32]


def minimise(kode: str, validated: Validated, secret: str) -> Snapshot:
    tables: dict[str, list[dict[str, Any]]] = {}
    for tab, columns in COLUMNS.items():
        rows = []
        for row in validated.tables.get(tab, []):
            kept = {c: row.get(c) for c in columns}
            if tab == "peserta":
                kept["nik_hash"] = pseudonym(row["nik"], secret)
            if tab == "donatur" and row.get("tampilkan_nama") != "ya":
                kept["nama"] = None
            rows.append(kept)
        tables[tab] = rows
    return Snapshot(kode, tables)


def write(directory: Path, snapshot: Snapshot) -> None:
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    try:
        for tab, columns in COLUMNS.items():
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


def content_hash(snapshot: Snapshot) -> str:
    digest = hashlib.sha256()
    for tab, columns in COLUMNS.items():
        for row in snapshot.tables.get(tab, []):
            digest.update(repr([_to_text(row.get(c)) for c in columns]).encode())
        digest.update(b"\x00")
    return digest.hexdigest()


def read(directory: Path) -> Snapshot | None:
    if not (directory / "meta.json").exists():
        return None
    tables = {}
    for tab in COLUMNS:
        path = directory / f"{tab}.csv"
        if not path.exists():
            tables[tab] = []
            continue
        with open(path, newline="", encoding="utf-8") as handle:
            tables[tab] = [{k: _from_text(k, v) for k, v in row.items()} for row in csv.DictReader(handle)]
    meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
    return Snapshot(directory.name, tables, meta)


def read_all(root: Path) -> dict[str, Snapshot]:
    if not root.exists():
        return {}
    found = (read(path) for path in sorted(root.iterdir()) if path.is_dir() and not path.name.startswith("."))
    return {snapshot.kode: snapshot for snapshot in found if snapshot}


def _to_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _from_text(column: str, text: str) -> Any:
    if text == "":
        return None
    if column in _DATES:
        return dt.date.fromisoformat(text)
    if column in _INTS:
        return int(text)
    if column in _NUMBERS:
        number = float(text)
        return int(number) if number.is_integer() else number
    return text
