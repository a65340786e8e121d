"""Search: the Pagefind index of the built pages, written into the staging
folder before it is swapped in.

Pagefind (the `pagefind[bin]` wheel ships its binary, so nothing is
downloaded at build time) reads only the region each page marks with
`data-pagefind-body` and skips what is marked `data-pagefind-ignore`, so the
index holds a subset of what the pages show: never the menu or the footer.
The browser loads it only on the search page, when someone searches.

Pagefind writes a few UIs that Lindung does not use (its own search page
has a small script); they are removed so the site stays small. Its output
is a function of the pages, so two builds of the same input give the same
bytes; tests/test_search.py holds it to that.
"""
from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
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


def index(site: Path) -> None:
    """Write the search bundle into `site`/pagefind/."""
    command = [str(executable()), "--site", str(site), "--output-subdir", BUNDLE,
               "--force-language", LANGUAGE, "--silent"]
    # A clean environment and working folder: no PAGEFIND_* variable or stray
    # pagefind.yml can change what is indexed.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAGEFIND_")}
    result = subprocess.run(command, cwd=site, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SearchError("Pagefind gagal membuat indeks pencarian:\n" + (result.stderr or result.stdout).strip())
    bundle = site / BUNDLE
    for name in _UNUSED:
        (bundle / name).unlink(missing_ok=True)


@dataclass(frozen=True)
class Record:
    """One indexed page as Pagefind stored it."""

    url: str
    title: str
    content: str


def records(site: Path) -> list[Record]:
    """Every page in the index, decoded: for the privacy guard and tests."""
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
    guard, which skips compressed files, reads what the index holds."""
    target.mkdir(parents=True, exist_ok=True)
    for number, record in enumerate(records(site)):
        (target / f"{number:05d}.txt").write_text(
            "\n".join([record.url, record.title, record.content]) + "\n", encoding="utf-8")
