"""Page writer: which pages a build must render, and rendering them.

A page is rendered only when its fingerprint changed: a digest of everything
it is made from (the templates and content, the settings it shows, the code
that formats it, and its own context). A page of one place (LOCAL_TEMPLATES)
is given only the dates of the figures (`Tanggal`), not all of them, so its
fingerprint holds exactly what it can read; a template that reaches for more
fails the build (StrictUndefined) instead of going stale. Pages of the whole
(home, leaderboards, status) get everything and are rendered on every change.

The pages to render are shared among the machine's cores (forked workers,
which inherit the compiled templates and the figures); each worker runs the
privacy guard over what it rendered while the text is still in memory.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
import re
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, fields
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import babel
import jinja2
import markdown

from .. import privacy
from . import charts, kalkulator, render
from .aggregate import Figures, Kabupaten, Kecamatan, Provinsi

# Pages made from their own context and the dates alone: re-rendered only when those change.
LOCAL_TEMPLATES = frozenset({"kecamatan.html", "kabupaten.html", "donatur_kabupaten.html", "program.html",
                             "teks.html", "program_index.html"})
# Objects many pages share: a list of them, and an object holding them, is the
# digest of their digests, so each is serialised once a build.
SHARED = (Provinsi, Kabupaten, Kecamatan)
COMPOSED = (Figures, Provinsi, Kabupaten)
PARALLEL_FROM = 64  # fewer pages to render than this: one process is quicker than starting workers
# The code a page's bytes depend on besides templates, content and figures: a new version renders every page.
CODE = hashlib.sha256(b"".join(Path(module.__file__).read_bytes() for module in (render, charts, kalkulator))
                      + f"{jinja2.__version__} {babel.__version__} {markdown.__version__}".encode()).hexdigest()


@dataclass(frozen=True)
class Nama:
    kode: str
    nama: str


@dataclass(frozen=True)
class Tanggal:
    """The part of the figures a page of one place may read: its dates, and
    the whole's name (not its figures)."""

    as_of: dt.date
    tanggal_lalu: dt.date
    berakhir_sampai: dt.date
    banyak_provinsi: bool
    provinsi: Nama


@dataclass(frozen=True)
class Ringkas:
    """A content page as every page may see it: its address and metadata, not its text."""

    slug: str
    meta: dict[str, str]


class Digests:
    """Content digests of the objects pages are made from, each computed once
    a build (SHARED and COMPOSED say which are made of others' digests)."""

    def __init__(self) -> None:
        self._seen: dict[int, tuple[Any, str]] = {}

    def of(self, value: Any) -> str:
        found = self._seen.get(id(value))
        if found is None:  # the value is kept with its digest, so its id is not reused meanwhile
            found = self._seen[id(value)] = (value, self._compute(value))
        return found[1]

    def _compute(self, value: Any) -> str:
        if isinstance(value, (list, tuple)) and value and isinstance(value[0], SHARED):
            return self.text(type(value).__name__, [self.of(item) for item in value])
        if isinstance(value, COMPOSED):
            return self.text(type(value).__qualname__, [(f.name, self.of(getattr(value, f.name)))
                                                        for f in fields(value)])
        return hashlib.sha256(pickle.dumps(value, protocol=5)).hexdigest()

    @staticmethod
    def text(*parts: Any) -> str:
        return hashlib.sha256(repr(parts).encode()).hexdigest()


class Templates:
    """The digest of a template with every template it extends, imports or
    includes: an edit to kecamatan.html renders the kecamatan pages again,
    not the home page; an edit to base.html, every page."""

    def __init__(self, env: jinja2.Environment):
        self.env = env
        self._digests: dict[str, str] = {}

    def digest(self, name: str) -> str:
        if name not in self._digests:
            self._digests[name] = hashlib.sha256(repr(sorted(self._sources(name, set()))).encode()).hexdigest()
        return self._digests[name]

    def _sources(self, name: str, seen: set[str]) -> list[tuple[str, str]]:
        if name in seen:
            return []
        seen.add(name)
        source = self.env.loader.get_source(self.env, name)[0]
        found = [(name, source)]
        for used in _USES.finditer(source):
            if used["name"] is None:  # a name computed at render time: any template may be used
                return found + [(n, self.env.loader.get_source(self.env, n)[0])
                                for n in self.env.list_templates(extensions=["html"])]
            found += self._sources(used["name"], seen)
        return found


# The tags that bring in another template; a name not written as a string is computed when rendering.
_USES = re.compile(r"""\{%-?\s*(?:extends|include|import|from)\s+(?:(["'])(?P<name>[^"']+)\1)?""")


Render = Callable[[Any], str]  # a page to its HTML
_job: tuple[Render, list, Path, tuple[str, ...]] | None = None  # what forked workers render


def write(render_page: Render, todo: list, staging: Path, allowed: tuple[str, ...]) -> list[str]:
    """Render each page of `todo` (objects with `.file`) into `staging`;
    return the guard's findings over them."""
    global _job
    _job = (render_page, todo, staging, tuple(allowed))
    cores = os.cpu_count() or 1
    try:
        # Forking is safe only with no other thread running (`lindung serve` has some).
        if len(todo) >= PARALLEL_FROM and cores > 1 and threading.active_count() == 1:
            with ProcessPoolExecutor(cores, mp_context=get_context("fork")) as pool:
                return [f for found in pool.map(_write_some, [range(i, len(todo), cores) for i in range(cores)])
                        for f in found]
        return _write_some(range(len(todo)))
    finally:
        _job = None


def _write_some(indices) -> list[str]:
    assert _job is not None
    render_page, todo, staging, allowed = _job
    findings = []
    for index in indices:
        page = todo[index]
        html = render_page(page)
        target = staging / page.file
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
        findings += privacy.scan_text(page.file, html, allowed=allowed)
    return findings
