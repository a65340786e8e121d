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
    return pseudonyms([nik], secret)[0]


def pseudonyms(niks: list[str | None], secret: str) -> list[str | None]:
    """The keyed hash of each NIK (None stays None): the first 32 characters
    of the base32 of its HMAC-SHA256, which are the base32 of its first 20
    bytes. Base32 never looks like a 16-digit NIK. Done for a whole column
    at once: the keyed state is made once and copied, and the base32 of all
    the hashes is one call (each 20 bytes make 32 characters of their own)."""
    keyed = hmac.new(secret.encode(), digestmod=hashlib.sha256)
    digests = []
    for nik in niks:
        if nik is not None:
            one = keyed.copy()
            one.update(nik.encode())
            digests.append(one.digest()[:20])
    text = base64.b32encode(b"".join(digests)).decode().lower()
    hashed = iter(range(0, len(text), 32))
    return [None if nik is None else text[(at := next(hashed)):at + 32] for nik in niks]


def minimise(kode: str, validated: Validated, secret: str, contract: Contract) -> Snapshot:
    tables: dict[str, list[dict[str, Any]]] = {}
    for tab in TABS:
        tables[tab] = _table(tab, validated.tables.get(tab, []), contract[tab].kept, secret)
    return Snapshot(kode, tables)


def _table(tab: str, rows: list[dict[str, Any]], kept, secret: str) -> list[dict[str, Any]]:
    """The kept columns of `rows`, column by column."""
    columns = []
    for column in kept:
        values = [row.get(column.name) for row in rows]
        if column.keep == "hash":
            values = pseudonyms(values, secret)
        elif column.keep == "bila_tampil":
            values = [value if row.get("tampilkan_nama") == "ya" else None for value, row in zip(values, rows)]
        columns.append(values)
    names = [column.stored_name for column in kept]
    table = [dict(zip(names, cells)) for cells in zip(*columns)] if columns else [{} for _ in rows]
    if tab == "peserta":
        for out, row in zip(table, rows):
            if row.get("sumber_dana") not in PAID_BY_OTHERS:
                out["id_donatur"] = None  # a leftover ID names nobody who pays
    return table


def leaks(snapshot: Snapshot) -> str:
    """What kind of personal data a minimised snapshot still holds, or "".
    Validate already scanned every kept text; this is the guard behind it,
    over every value that would be written: each distinct value once, and
    the first one found in row order when there is one."""
    distinct: set[Any] = set()  # 1, 1.0 and True are one here, and none of them can leak
    for rows in snapshot.tables.values():
        for row in rows:
            distinct.update(row.values())
    if any(_leak(value) for value in distinct):
        for rows in snapshot.tables.values():
            for row in rows:
                for value in row.values():
                    if _leak(value):
                        return _leak(value)
    return ""


def _leak(value: Any) -> str:
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        found = privacy.kinds(value if isinstance(value, str) else f"{value:.0f}")
        if found:
            return privacy.LABELS[found[0]]
    return ""
