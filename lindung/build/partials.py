"""Partials: each kecamatan's figures, kept between builds.

Reading a snapshot and counting its rows (lindung.build.aggregate.partial) is
most of a build's work, and on most days most snapshots have not changed. So
a partial is kept under a key made of everything it is computed from: the
snapshot folder's files (name, size, modification time, inode: a pull
replaces a folder whole, so a new snapshot always has new files), the as-of
date, the kecamatan's official entry, the sheet contract and the code that
computes it. A build reads again only the snapshots whose key changed, and
computes those in worker processes, one per core, when there are many.

Partials hold derived private data (NIK hashes, to find a NIK listed by two
kecamatan), so they live in the private data store, in `.cache/ringkasan/`,
which is neither published nor committed (the workflow commits only
snapshots/ and laporan/; .gitignore covers `.cache/`). A missing, unreadable
or foreign cache is only slower: everything is computed again.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import pickle
import threading
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from ..config import Config
from ..store import atomic, snapshot
from . import aggregate

CACHE = Path(".cache") / "ringkasan"  # under the data store folder
INDEX = "kunci.json"
PARALLEL_FROM = 48  # fewer partials to compute than this: one process is quicker than starting workers
# The code a partial's content depends on: a change to any of them computes every partial again.
_CODE = hashlib.sha256(b"".join(Path(module.__file__).read_bytes()
                                for module in (aggregate, snapshot))).hexdigest()

_job: tuple[Config, dt.date, Path | None] | None = None  # what forked workers compute for


def load(config: Config, as_of: dt.date) -> dict[str, aggregate.Partial]:
    """Every listed kecamatan's partial on `as_of`, from the cache where its
    key still holds."""
    folder = config.store_dir / CACHE
    keys = {source.kode: _key(config, source.kode, as_of) for source in config.sources}
    known = _read_index(folder)
    found: dict[str, aggregate.Partial] = {}
    for kode, key in keys.items():
        if known.get(kode) == key:
            kept = _read(folder / f"{kode}.pickle", key)
            if kept is not None:
                found[kode] = kept
    missing = [kode for kode in keys if kode not in found]
    writable = _writable(folder)
    found.update(_compute(config, as_of, missing, folder if writable else None, keys))
    if writable and missing:
        try:
            _write_index(folder, keys)
        except OSError:  # a full disk: the next build computes them again
            pass
    return found


def _compute(config: Config, as_of: dt.date, codes: list[str], folder: Path | None,
             keys: dict[str, str]) -> dict[str, aggregate.Partial]:
    global _job
    _job = (config, as_of, folder)
    work = [(kode, keys[kode]) for kode in codes]
    cores = os.cpu_count() or 1
    try:
        # Forking is safe only with no other thread running (`lindung serve` has some: it computes in-process).
        if len(work) >= PARALLEL_FROM and cores > 1 and threading.active_count() == 1:
            chunks = [work[i::cores * 4] for i in range(cores * 4)]
            with ProcessPoolExecutor(cores, mp_context=get_context("fork")) as pool:
                return {kode: part for done in pool.map(_compute_some, chunks) for kode, part in done}
        return dict(_compute_some(work))
    finally:
        _job = None


def _compute_some(work: list[tuple[str, str]]) -> list[tuple[str, aggregate.Partial]]:
    assert _job is not None
    config, as_of, folder = _job
    done = []
    for kode, key in work:
        part = aggregate.partial(config, kode, snapshot.read(config.snapshot_dir / kode, config.contract), as_of)
        if folder is not None:
            _write(folder / f"{kode}.pickle", key, part)
        done.append((kode, part))
    return done


def _key(config: Config, kode: str, as_of: dt.date) -> str:
    files = []
    folder = config.snapshot_dir / kode
    try:
        for entry in sorted(os.scandir(atomic.readable(folder)), key=lambda e: e.name):
            stat = entry.stat()
            files.append((entry.name, stat.st_size, stat.st_mtime_ns, stat.st_ino))
    except FileNotFoundError:  # no snapshot yet
        pass
    official = config.wilayah.kecamatan[kode]
    contract = sorted(config.contract.stored_types().items())
    pekerjaan = aggregate.pekerjaan_order(config)
    where = aggregate.wilayah_path(config, official.provinsi_kode)  # pages move when provinces are added
    text = repr((_CODE, as_of.isoformat(), files, official, where, contract, sorted(pekerjaan.items())))
    return hashlib.sha256(text.encode()).hexdigest()


def _read_index(folder: Path) -> dict[str, str]:
    try:
        found = json.loads((folder / INDEX).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def _write_index(folder: Path, keys: dict[str, str]) -> None:
    known = _read_index(folder)
    known.update(keys)
    _replace(folder / INDEX, json.dumps(known, sort_keys=True).encode())


def _read(path: Path, key: str) -> aggregate.Partial | None:
    try:
        with open(path, "rb") as handle:
            stored_key, part = pickle.load(handle)
    except Exception:  # noqa: BLE001 - a damaged or foreign cache file is computed again
        return None
    return part if stored_key == key and isinstance(part, aggregate.Partial) else None


def _write(path: Path, key: str, part: aggregate.Partial) -> None:
    try:
        _replace(path, pickle.dumps((key, part), protocol=pickle.HIGHEST_PROTOCOL))
    except OSError:  # a full disk or a read-only store: the next build computes it again
        pass


def _replace(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    temporary.write_bytes(data)
    os.chmod(temporary, 0o600)  # derived private data: the owner's alone
    os.replace(temporary, path)


def _writable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        return os.access(folder, os.W_OK)
    except OSError:
        return False
