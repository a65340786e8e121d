"""Fixtures for the tests that look at the built demo site as a citizen's
browser does: the demo registry pulled and built once per session into a
temporary folder, served by a local http.server on 127.0.0.1.

Kept out of conftest.py (another engineer's file): modules import what they
use (`from browser_fixtures import demo_site, site_url`). pytest would make
one fixture per importing module, so the expensive work is cached here and
shared by all of them.
"""
from __future__ import annotations

import functools
import http.server
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from lindung.cli import main
from lindung.build.serve import SiteHandler

ROOT = Path(__file__).resolve().parents[1]
AS_OF = "2026-11-23"
_CACHE: dict[str, object] = {}


@dataclass(frozen=True)
class DemoSite:
    root: Path  # a copy of the project: registry (pulled fresh), content, templates, lindung.toml
    site: Path  # the built site


def copy_project(target: Path) -> Path:
    """The project's inputs, without pulled data (snapshots/, laporan/), so
    the test pulls the shipped demo workbooks itself."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ROOT / "registry", target / "registry", ignore=shutil.ignore_patterns("snapshots", "laporan"))
    for name in ("content", "templates"):
        shutil.copytree(ROOT / name, target / name)
    shutil.copy2(ROOT / "lindung.toml", target / "lindung.toml")
    return target


def run_cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def build_demo(root: Path, out: Path | None = None) -> Path:
    out = out or root / "site"
    run_cli("--root", str(root), "build", "--as-of", AS_OF, "--out", str(out))
    return out


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory) -> DemoSite:
    if "demo" not in _CACHE:
        root = copy_project(tmp_path_factory.mktemp("lindung-demo"))
        run_cli("--root", str(root), "pull")
        _CACHE["demo"] = DemoSite(root, build_demo(root))
    return _CACHE["demo"]


@pytest.fixture(scope="session")
def site_url(demo_site, request) -> str:
    """The demo site on 127.0.0.1, at a free port, with the site's 404 page."""
    if "url" not in _CACHE:
        handler = functools.partial(SiteHandler, directory=str(demo_site.site))
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        httpd.daemon_threads = True
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()

        def stop():
            httpd.shutdown()
            httpd.server_close()
        request.addfinalizer(stop)
        _CACHE["url"] = f"http://127.0.0.1:{httpd.server_address[1]}/"
    return _CACHE["url"]


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))
