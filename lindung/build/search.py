"""Search: the Pagefind index, written into the staging folder before it is
swapped in.

The index is built from records the build makes from its own page list
(`Record`: a page's address, title and the names a citizen searches for:
the place, its kelurahan/desa or kecamatan, donors, a program's text), not
from the rendered pages: so it holds exactly what the build chose to put
there, the privacy guard reads that text before it is indexed, and a new
figure does not change the index (the records hold names, not numbers), so
a build whose names did not change keeps the last index as it was.
Pagefind (the `pagefind[bin]` wheel ships its binary, so nothing is
downloaded at build time) reads each record as a tiny page at the record's
address, which gives its results the page's own URL.

Pagefind writes a few UIs that Lindung does not use (its own search page
has a small script); they are removed so the site stays small. Its output
is a function of the records, so two builds of the same input give the same
bytes; tests/test_search.py holds it to that.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from html import escape
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

BUNDLE = "pagefind"
LANGUAGE = "id"
# What Pagefind writes that no page of Lindung loads.
_UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
           "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js")
_FRAGMENT_SIGNATURE = b"pagefind_dcd"


class SearchError(Exception):
    pass


def executable() -> Path:
    """The Pagefind binary that the `pagefind[bin]` wheel installed, else one on PATH."""
    try:
        from pagefind_bin import get_executable
        return Path(get_executable())
    except (ImportError, FileNotFoundError):
        found = shutil.which("pagefind")
        if found:
            return Path(found)
    raise SearchError("Pagefind tidak ditemukan: pasang dengan `pip install 'pagefind[bin]'`.")


@dataclass(frozen=True)
class Record:
    """One indexed page: its address under the site root (`wilayah/x/y/`), title and text."""

    url: str
    title: str
    content: str


def fingerprint(records: list[Record]) -> str:
    """What the index is made from: the same records give the same index."""
    digest = hashlib.sha256(f"{executable().name} {LANGUAGE}\n".encode())
    for record in records:
        digest.update(json.dumps([record.url, record.title, record.content], ensure_ascii=False).encode() + b"\n")
    return digest.hexdigest()


@contextmanager
def indexing(site: Path, records: list[Record]) -> Iterator[None]:
    """Write the search bundle of `records` into `site`/pagefind/ while the
    body of the `with` runs: Pagefind works in its own process (on another
    core) while the build renders pages; leaving the block waits for it."""
    with tempfile.TemporaryDirectory(prefix="lindung-cari-") as pages:
        for record in records:
            name = record.url.lstrip("/")  # always under the temporary folder, never an absolute path
            path = Path(pages) / (name + "index.html" if name.endswith("/") or not name else name)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f'<!doctype html><html lang="{LANGUAGE}"><head><meta charset="utf-8"><title></title>'
                            f'</head><body><main data-pagefind-body><h1>{escape(record.title)}</h1>'
                            f'<p>{escape(record.content)}</p></main></body></html>', encoding="utf-8")
        command = [str(executable()), "--site", pages, "--output-path", str(site / BUNDLE),
                   "--force-language", LANGUAGE, "--silent"]
        # A clean environment and working folder: no PAGEFIND_* variable or stray
        # pagefind.yml can change what is indexed.
        env = {k: v for k, v in os.environ.items() if not k.startswith("PAGEFIND_")}
        process = subprocess.Popen(command, cwd=pages, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True)
        try:
            yield
        finally:
            out, err = process.communicate()
    if process.returncode != 0:
        raise SearchError("Pagefind gagal membuat indeks pencarian:\n" + (err or out).strip())
    bundle = site / BUNDLE
    for name in _UNUSED:
        (bundle / name).unlink(missing_ok=True)


def index(site: Path, records: list[Record]) -> None:
    """Write the search bundle of `records` into `site`/pagefind/."""
    with indexing(site, records):
        pass


def records(site: Path) -> list[Record]:
    """Every page in the index, decoded: for tests and audits."""
    found = []
    for path in sorted((site / BUNDLE / "fragment").glob("*.pf_fragment")):
        data = gzip.decompress(path.read_bytes())
        if data.startswith(_FRAGMENT_SIGNATURE):
            data = data[len(_FRAGMENT_SIGNATURE):]
        fragment = json.loads(data)
        found.append(Record(fragment["url"], fragment.get("meta", {}).get("title", ""), fragment["content"]))
    return found


def write_plain(site: Path, target: Path) -> None:
    """The decoded fragments as text files under `target`, so the privacy
    guard, which skips compressed files, can audit what the index holds."""
    target.mkdir(parents=True, exist_ok=True)
    for number, record in enumerate(records(site)):
        (target / f"{number:05d}.txt").write_text(
            "\n".join([record.url, record.title, record.content]) + "\n", encoding="utf-8")
