"""Minimise: what of a validated workbook may cross into the data store.

Only the columns the sheet contract keeps (`simpan` in registry/schema/),
and only as checked values: the NIK becomes a keyed hash (HMAC-SHA256 with
`LINDUNG_SECRET`), still good for counting a worker once, useless for
finding one; a donor's name and instansi stay only where the donor agreed
to be shown; an ID Donatur only where a donor or CSR pays. Free text that
is kept was scanned for personal data by validate before it gets here.

No secret, no pull of real data: the fixed demo key serves the shipped demo
registry only, because a NIK (region, birth date, serial) hashed with a
published key can be found again by trying every candidate.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .. import privacy
from ..config import Config
from ..contract import TABS, Contract
from ..store.snapshot import Snapshot
from .sources import is_google
from .validate import Validated

DEMO_SECRET = "lindung-demo-bukan-rahasia"
SECRET_ENV = "LINDUNG_SECRET"
MIN_SECRET_BYTES = 32
PAID_BY_OTHERS = ("donatur", "CSR")


class SecretError(Exception):
    """No usable secret for a registry with real data (a config error, exit 2)."""


def is_demo(config: Config) -> bool:
    """Every source is a shipped demo workbook under registry/demo/."""
    demo = (config.registry / "demo").resolve()
    return bool(config.sources) and all(
        not is_google(s.sumber) and _inside((config.root / s.sumber.strip()).resolve(), demo)
        for s in config.sources)


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def secret_for(config: Config, environ: Mapping[str, str]) -> tuple[str, bool]:
    """The HMAC key, and whether it is the demo key. Raises SecretError
    before anything is read when real data would be hashed with a weak key."""
    secret = environ.get(SECRET_ENV, "")
    if secret and len(secret.encode()) >= MIN_SECRET_BYTES:
        return secret, False
    if is_demo(config) and not secret:
        return DEMO_SECRET, True
    problem = (f"{SECRET_ENV} belum diisi" if not secret else
               f"{SECRET_ENV} terlalu pendek ({len(secret.encode())} byte; paling sedikit {MIN_SECRET_BYTES})")
    raise SecretError(
        f"{problem}. Tanpa kunci rahasia yang kuat, NIK yang di-hash bisa ditebak ulang, "
        f"jadi tidak ada sheet yang dibaca. Buat kunci dengan "
        f"`python -c \"import secrets; print(secrets.token_urlsafe(48))\"`, simpan sebagai secret "
        f"{SECRET_ENV} di GitHub (Settings → Secrets and variables → Actions) atau sebagai variabel "
        f"lingkungan, dan jangan pernah menggantinya tanpa membaca docs/operator.md (bagian kunci rahasia).")


def pseudonym(nik: str, secret: str) -> str:
    digest = hmac.new(secret.encode(), nik.encode(), hashlib.sha256).digest()
    # base32 keeps the hash from ever looking like a 16-digit NIK
    return base64.b32encode(digest).decode().rstrip("=").lower()[:32]


def minimise(kode: str, validated: Validated, secret: str, contract: Contract) -> Snapshot:
    tables: dict[str, list[dict[str, Any]]] = {}
    for tab in TABS:
        kept = contract[tab].kept
        tables[tab] = [_row(tab, row, kept, secret) for row in validated.tables.get(tab, [])]
    return Snapshot(kode, tables)


def _row(tab: str, row: dict[str, Any], kept, secret: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    shown = row.get("tampilkan_nama") == "ya"
    for column in kept:
        value = row.get(column.name)
        if column.keep == "hash":
            value = pseudonym(value, secret) if value is not None else None
        elif column.keep == "bila_tampil" and not shown:
            value = None
        out[column.stored_name] = value
    if tab == "peserta" and row.get("sumber_dana") not in PAID_BY_OTHERS:
        out["id_donatur"] = None  # a leftover ID names nobody who pays
    return out


def leaks(snapshot: Snapshot) -> str:
    """What kind of personal data a minimised snapshot still holds, or "".
    Validate already scanned every kept text; this is the guard behind it,
    over every value that would be written."""
    for rows in snapshot.tables.values():
        for row in rows:
            for value in row.values():
                if isinstance(value, (str, int, float)) and not isinstance(value, bool):
                    found = privacy.kinds(value if isinstance(value, str) else f"{value:.0f}")
                    if found:
                        return privacy.LABELS[found[0]]
    return ""
