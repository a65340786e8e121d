"""Shared fixtures: sheets and small registries built in code, and the demo
built once per session.

Nothing here writes into the repository: every project is a copy under
tmp_path (registry/schema, registry/wilayah, daerah.csv, iuran.csv, content/,
templates/, lindung.toml) with its own small sources.csv, snapshots and site.

Fixtures, from small to large:
- `rows`     rows in schema order with sensible defaults: rows.peserta(nama="")
- `check`    validate an in-memory workbook: check(peserta=[...]) -> Validated
- `project`  a tmp project: project.add("33.71.02", peserta=[...]); project.pull();
             project.build(); project.cli("pull", "--strict")
- `demo`     the whole demo registry, pulled and built once (`python build.py`);
             `demo_site` is its site/ folder
- `assert_indonesian`  fails on a message that is English library jargon
- `wilayah_loaded_once`  reuses the parsed wilayah list across tmp projects

Test modules import the constants (AS_OF, KODE, ...) with `from conftest
import ...`: tests/ is on sys.path because it is not a package.
"""
from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import importlib.util
import itertools
import re
import shutil
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from lindung import config as config_module, jobs
from lindung.build import aggregate, site
from lindung.pull import run as pull_module
from lindung.store import report, snapshot
from lindung import wilayah as wilayah_module
from lindung.cli import main
from lindung.pull.sources import RawWorkbook
from lindung.contract import TABS
from lindung.contract import load as load_contract
from lindung.pull.validate import validate_workbook
from lindung.pull.workbook import write_workbook

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_DIR = ROOT / "registry" / "schema"
AS_OF = dt.date(2026, 11, 23)
# The moment every in-process pull in the tests happens: no test reads the clock.
NOW = dt.datetime(2026, 11, 23, 6, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
SECRET = "rahasia-uji-yang-panjangnya-lebih-dari-32-byte"

# Kota Magelang, Magelang Utara: five kelurahan, small enough to count by hand.
KODE = "33.71.02"
KELURAHAN = {  # official name -> Kemendagri code
    "Wates": "33.71.02.1003",
    "Potrobangsan": "33.71.02.1004",
    "Kedungsari": "33.71.02.1005",
    "Kramat Utara": "33.71.02.1008",
    "Kramat Selatan": "33.71.02.1009",
}
# Its neighbour, for leaderboards and for kelurahan of another kecamatan.
KODE_2 = "33.71.03"  # Magelang Tengah


# --- rows and in-memory workbooks -----------------------------------------

@pytest.fixture(scope="session")
def schemas() -> dict[str, dict[str, Any]]:
    return load_contract(SCHEMA_DIR).descriptors()


@pytest.fixture(scope="session")
def contract():
    return load_contract(SCHEMA_DIR)


@functools.cache
def official_wilayah(provinsi: tuple[str, ...] = ("33",)) -> wilayah_module.Wilayah:
    """The shipped list, of Jawa Tengah (the demo's province) unless asked."""
    return wilayah_module.load(ROOT / "registry" / "wilayah", provinsi)


@pytest.fixture(scope="session")
def wilayah() -> wilayah_module.Wilayah:
    return official_wilayah()


class Rows:
    """Sheet rows in schema column order, valid unless told otherwise.

    Keyword arguments override one column (`rows.peserta(nama="")`); every
    peserta row gets a fresh obviously-fake NIK (99...) unless one is given."""

    DEFAULTS = {
        "peserta": dict(nama="Pekerja Contoh Uji", kelurahan="Potrobangsan", segmen="pekerja rentan",
                        pekerjaan="ojek", program="JKK+JKM", mulai=dt.date(2026, 1, 1),
                        berlaku_sampai=dt.date(2026, 12, 31), sumber_dana="mandiri", id_donatur=None,
                        iuran_bulanan=16800),
        "donatur": dict(id="D001", nama="Donatur Contoh Uji", instansi="Dinas Contoh", jenis="PNS",
                        tampilkan_nama="ya", periode_bayar=12),
        "wilayah": dict(kelurahan="Potrobangsan", jumlah_rt=10, jumlah_rw=2, pengurus_rt_rw=24,
                        target_pekerja_rentan=100),
        "santunan": dict(tanggal=dt.date(2026, 6, 1), kelurahan="Potrobangsan", program="JKM",
                         jumlah=42_000_000),
    }

    def __init__(self, schemas: dict[str, dict[str, Any]]):
        self.names = {tab: [f["name"] for f in schemas[tab]["fields"]] for tab in TABS}
        self.titles_by_tab = {tab: [f["title"] for f in schemas[tab]["fields"]] for tab in TABS}
        self._nik = itertools.count(1)

    def nik(self) -> str:
        return f"99{next(self._nik):014d}"

    def _row(self, tab: str, values: dict[str, Any]) -> list[Any]:
        unknown = set(values) - set(self.names[tab])
        assert not unknown, f"no such column in {tab}: {unknown}"
        merged = {**self.DEFAULTS[tab], **values}
        return [merged.get(name) for name in self.names[tab]]

    def peserta(self, **values) -> list[Any]:
        values.setdefault("nik", self.nik())
        return self._row("peserta", values)

    def donatur(self, **values) -> list[Any]:
        return self._row("donatur", values)

    def wilayah(self, **values) -> list[Any]:
        return self._row("wilayah", values)

    def santunan(self, **values) -> list[Any]:
        return self._row("santunan", values)

    def titles(self, tab: str) -> list[str]:
        return list(self.titles_by_tab[tab])


@pytest.fixture
def rows(schemas) -> Rows:
    return Rows(schemas)


def raw_workbook(rows: Rows, tabs: dict[str, list[list[Any]]], headers: dict[str, list[str]] | None = None,
                 omit: tuple[str, ...] = ()) -> RawWorkbook:
    """A RawWorkbook as a source returns it: header row 1 (schema titles
    unless `headers` overrides a tab), then the given rows."""
    headers = headers or {}
    return RawWorkbook({
        tab: [headers.get(tab, rows.titles(tab)), *tabs.get(tab, [])]
        for tab in TABS if tab not in omit
    })


@pytest.fixture
def check(rows, wilayah, contract):
    """Validate a workbook built in memory for Magelang Utara (or `kode=`)."""

    def run(*, kode: str = KODE, headers=None, omit=(), **tabs):
        return validate_workbook(raw_workbook(rows, tabs, headers, omit), kode, wilayah, contract)

    return run


# --- a project in tmp_path --------------------------------------------------

def copy_project(dest: Path, *, demo: bool = False) -> Path:
    """The repo's settings, schemas, wilayah list, content and templates,
    without its snapshots, reports or site; the demo workbooks only if asked."""
    registry = dest / "registry"
    registry.mkdir(parents=True)
    for part in ("schema", "wilayah") + (("demo",) if demo else ()):
        shutil.copytree(ROOT / "registry" / part, registry / part)
    for name in ("daerah.csv", "iuran.csv") + (("sources.csv",) if demo else ()):
        shutil.copy(ROOT / "registry" / name, registry / name)
    shutil.copytree(ROOT / "content", dest / "content")
    shutil.copytree(ROOT / "templates", dest / "templates")
    shutil.copy(ROOT / "lindung.toml", dest / "lindung.toml")
    return dest


@dataclass
class Project:
    root: Path
    rows: Rows
    sources: list[list[str]] = field(default_factory=list)
    _config: config_module.Config | None = field(default=None, repr=False)

    # where things are
    @property
    def registry(self) -> Path:
        return self.root / "registry"

    @property
    def site(self) -> Path:
        return self.root / "site"

    def snapshot_dir(self, kode: str = KODE) -> Path:
        return self.registry / "snapshots" / kode

    # setting it up
    def workbook(self, name: str, **tabs) -> Path:
        """Write a real .xlsx under sheets/ (with the openpyxl writer the
        demo uses) and return its path."""
        path = self.root / "sheets" / name
        path.parent.mkdir(exist_ok=True)
        write_workbook(path, tabs, schema_dir=SCHEMA_DIR)
        return path

    def add(self, kode: str = KODE, kecamatan: str | None = None, kabupaten: str | None = None,
            sumber: str | None = None, **tabs) -> Path:
        """List a kecamatan in sources.csv, with its own workbook written
        from `tabs` unless `sumber` points elsewhere."""
        path = self.root / "sheets" / f"{kode}.xlsx"
        if sumber is None:
            self.workbook(path.name, **tabs)
            sumber = f"sheets/{kode}.xlsx"
        official = official_wilayah((kode.split(".")[0],)).kecamatan.get(kode)
        self.sources = [s for s in self.sources if s[0] != kode]
        self.sources.append([kode, kecamatan or official.nama, kabupaten or official.kabupaten_nama, sumber])
        self.write_sources()
        return path

    def write_sources(self, text: str | None = None) -> None:
        self._config = None
        path = self.registry / "sources.csv"
        if text is not None:
            path.write_text(text, encoding="utf-8")
            return
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(["kode", "kecamatan", "kabupaten_kota", "sumber"])
            writer.writerows(sorted(self.sources))

    # running the stages in-process, with a fixed clock and secret
    def config(self) -> config_module.Config:
        """Loaded once per sources.csv written (loading takes ~0.2 s)."""
        if self._config is None:
            self._config = config_module.load(self.root)
        return self._config

    def pull(self, *, now: dt.datetime = NOW, secret: str = SECRET, only=None) -> pull_module.PullResult:
        return pull_module.pull(self.config(), now=now, only=only, environ={"LINDUNG_SECRET": secret})

    def figures(self, as_of: dt.date = AS_OF) -> aggregate.Figures:
        config = self.config()
        return aggregate.figures(config, snapshot.read_all(config.snapshot_dir, config.contract),
                                 report.read_all(config.laporan_dir), as_of)

    def build(self, as_of: dt.date = AS_OF, out: Path | None = None) -> Path:
        out = out or self.site
        site.build(self.config(), self.figures(as_of), out)
        return out

    def cli(self, *args: str, env: dict[str, str] | None = None):
        """`lindung --root <project> ARGS` through click's CliRunner."""
        runner = CliRunner()
        return runner.invoke(main, ["--root", str(self.root), *args], env=env or {"LINDUNG_SECRET": SECRET},
                             catch_exceptions=False)


@pytest.fixture(scope="session")
def wilayah_loaded_once():
    """Every tmp project holds a byte-identical copy of registry/wilayah/;
    reading one province of it takes ~0.06 s per config load, and the CLI
    tests load the config dozens of times. Same bytes, same Wilayah: the
    result is reused, keyed by the files' content, so a test that edits
    alias.csv still gets a fresh one."""
    original = wilayah_module.load
    cache: dict[tuple, wilayah_module.Wilayah] = {}

    def load(directory: Path, provinsi=()) -> wilayah_module.Wilayah:
        key = tuple((p.name, hashlib.sha256(p.read_bytes()).digest()) for p in sorted(Path(directory).glob("*.csv")))
        key += (tuple(provinsi),)
        if key not in cache:
            cache[key] = original(directory, provinsi)
        return cache[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(wilayah_module, "load", load)
        yield


@pytest.fixture
def project(tmp_path, rows, wilayah_loaded_once) -> Project:
    """An empty project in tmp_path (no kecamatan yet: call project.add)."""
    made = Project(copy_project(tmp_path / "proyek"), rows)
    made.write_sources()
    return made


# --- the demo, built once ---------------------------------------------------

@dataclass(frozen=True)
class Demo:
    root: Path
    site: Path
    exit_code: int


def _load_build_py():
    """The repo's build.py (`lindung pull` then `lindung build`), imported by
    path: the repo root need not be on sys.path."""
    spec = importlib.util.spec_from_file_location("lindung_build_py", ROOT / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def demo(tmp_path_factory, wilayah_loaded_once) -> Demo:
    """`python build.py --as-of 2026-11-23` on a copy of the full demo
    registry: no LINDUNG_SECRET (the demo key), no Google credentials, and
    every attempt to open a network connection fails."""
    build = _load_build_py()
    root = copy_project(tmp_path_factory.mktemp("demo"), demo=True)

    def no_network(*args, **kwargs):
        raise OSError("the demo build must not use the network")

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LINDUNG_ROOT", str(root))
        for name in ("LINDUNG_SECRET", "GOOGLE_APPLICATION_CREDENTIALS", "LINDUNG_GOOGLE_CREDENTIALS"):
            patch.delenv(name, raising=False)
        patch.setattr(socket.socket, "connect", no_network)
        patch.setattr(socket, "create_connection", no_network)
        code = build.run(["--as-of", AS_OF.isoformat()])
    return Demo(root, root / "site", code)


@pytest.fixture(scope="session")
def demo_site(demo) -> Path:
    assert demo.exit_code == 0, "python build.py failed on the demo"
    return demo.site


# --- Google Sheets fakes ------------------------------------------------------
# Fixtures for lindung/sources/google.py go here, e.g.
#     from fake_google import FakeGoogle, fake_google  # noqa: F401  (fixtures)
# tests/ is not a package: pytest puts tests/ itself on sys.path (rootdir
# conftest, prepend import mode), so sibling modules import by their name.


# --- assertions ---------------------------------------------------------------

# Words that give away a message passed through from a library in English.
_ENGLISH = re.compile(r"\b(constraint|the same as|row at position|is not|must|should|invalid|error|"
                      r"None|True|False|expected|missing|cannot|field)\b")


@pytest.fixture
def assert_indonesian():
    def check(message: str) -> None:
        assert message.strip(), "empty message"
        found = _ENGLISH.search(message)
        assert not found, f"English in an Indonesian message ({found[0]!r}): {message}"

    return check
