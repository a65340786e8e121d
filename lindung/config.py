"""Config: the operator's settings, read and checked before anything runs.

`lindung.toml` holds the site settings; `registry/sources.csv` lists the
kecamatan and where their sheets are; `registry/daerah.csv` what belongs to a
kabupaten/kota (its local program, rate and APBD quota); `registry/iuran.csv`
the national contribution rates with the period each holds for. The CSVs are
validated with their Frictionless schemas in registry/schema/. Anything wrong
raises `ConfigError` with every problem found, so the operator fixes them in
one go.
"""
from __future__ import annotations

import csv
import json
import os
import datetime as dt
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from frictionless import Resource, Schema

from . import contract as contract_module
from . import wilayah as wilayah_module
from .contract import Contract


class ConfigError(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Site:
    title: str = "Lindung"
    description: str = "Perlindungan BPJS Ketenagakerjaan bagi pekerja rentan di Jawa Tengah"
    base_url: str = "http://localhost:8000/"
    timezone: str = "Asia/Jakarta"
    # Who runs the site and how to reach them: in the footer and on /tentang/.
    # The contact is published on purpose, so the privacy guard lets it through.
    owner: str = ""
    owner_url: str = ""
    contact_email: str = ""
    contact_phone: str = ""  # a WhatsApp number, e.g. 0812-3456-7890


@dataclass(frozen=True)
class PullSettings:
    workers: int = 4  # sheets read at once
    stale_days: int = 7  # a source failing longer than this makes `pull` exit non-zero


@dataclass(frozen=True)
class StoreSettings:
    # The private data store: snapshots/ and laporan/ (row level, pseudonymised).
    # Relative to the project folder. In a public repository it must be a
    # checkout of a private repository, git-ignored here (docs/operator.md).
    path: str = "registry"


STORE_ENV = "LINDUNG_STORE"  # overrides [store] path, e.g. in the daily workflow
# registry/demo/demo.toml: the day the shipped demo registry was made for.
DEMO_FILE = Path("registry") / "demo" / "demo.toml"


@dataclass(frozen=True)
class Source:
    kode: str
    kecamatan: str
    kabupaten_kota: str
    sumber: str


@dataclass(frozen=True)
class Daerah:
    kode: str
    kabupaten_kota: str
    program_lokal: str | None
    iuran_bulanan: int | None
    berlaku_mulai: dt.date | None
    kuota_apbd: int | None
    tahun_kuota: int | None
    keterangan: str | None
    sumber_info: str | None
    # A second measure from an official source (its own denominator, source
    # and date): shown as "keikutsertaan", never as a rival "cakupan".
    keikutsertaan_persen: float | None = None
    keikutsertaan_penyebut: str | None = None
    keikutsertaan_per: dt.date | None = None
    keikutsertaan_sumber: str | None = None
    kontak: str | None = None  # where citizens ask about the local program
    kontak_url: str | None = None


@dataclass(frozen=True)
class Iuran:
    program: str
    komponen: str
    iuran_bulanan: int
    berlaku_mulai: dt.date | None
    berlaku_sampai: dt.date | None
    berlaku_untuk: str
    keterangan: str | None
    sumber: str | None


@dataclass(frozen=True)
class Config:
    root: Path
    site: Site
    pull: PullSettings
    store: StoreSettings
    sources: tuple[Source, ...]
    daerah: dict[str, Daerah]
    iuran: tuple[Iuran, ...]
    wilayah: wilayah_module.Wilayah = field(repr=False)
    demo_as_of: dt.date | None = None  # the shipped demo registry: the day it was made for

    def as_of_default(self, today: dt.date) -> dt.date:
        """The as-of date of a build given none: today, except on the shipped
        demo registry, which is built for the day it was made for, so it
        tells the same stories whenever it is built."""
        return self.demo_as_of or today

    def clock(self, now: dt.datetime) -> dt.datetime:
        """The moment a pull is dated: now, or on the demo registry the
        morning of its day, so its data date matches its figures."""
        if self.demo_as_of is None:
            return now
        return dt.datetime.combine(self.demo_as_of, dt.time(6), now.tzinfo)

    @property
    def registry(self) -> Path:
        return self.root / "registry"

    @property
    def schema_dir(self) -> Path:
        return self.registry / "schema"

    @property
    def store_dir(self) -> Path:
        return self.root / self.store.path

    @property
    def snapshot_dir(self) -> Path:
        return self.store_dir / "snapshots"

    @property
    def laporan_dir(self) -> Path:
        return self.store_dir / "laporan"

    @property
    def contract(self) -> Contract:
        return contract_module.load(self.schema_dir)

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"


def load(root: Path, environ: Mapping[str, str] = os.environ) -> Config:
    root = root.resolve()
    problems: list[str] = []
    settings = _read_toml(root / "lindung.toml", problems)
    site = Site(**{k: v for k, v in settings.get("site", {}).items() if k in Site.__dataclass_fields__})
    pull = PullSettings(**{k: v for k, v in settings.get("pull", {}).items()
                           if k in PullSettings.__dataclass_fields__})
    store = StoreSettings(**{k: v for k, v in settings.get("store", {}).items()
                             if k in StoreSettings.__dataclass_fields__})
    if environ.get(STORE_ENV):
        store = StoreSettings(environ[STORE_ENV])
    if not site.base_url.endswith("/"):
        site = replace(site, base_url=site.base_url + "/")
    registry = root / "registry"
    if not (registry / "wilayah" / "districts.csv").exists():
        raise ConfigError([f"{root} bukan folder proyek Lindung: registry/wilayah/ tidak ditemukan. "
                           "Jalankan dari akar repo, atau sebutkan foldernya dengan --root."])
    areas = wilayah_module.load(registry / "wilayah")
    sources = tuple(Source(**row) for row in _read_table(registry / "sources.csv", registry / "schema" / "sources.json", problems))
    for source in sources:
        if source.kode not in areas.kecamatan:
            problems.append(f"registry/sources.csv: kode {source.kode} bukan kecamatan dalam daftar resmi registry/wilayah/.")
        elif not areas.names_kecamatan(source.kode, source.kecamatan):
            official = areas.kecamatan[source.kode].nama
            problems.append(f"registry/sources.csv: kode {source.kode} adalah Kecamatan {official}, bukan “{source.kecamatan}”.")
    daerah = {row["kode"]: Daerah(**row) for row in
              _read_table(registry / "daerah.csv", registry / "schema" / "daerah.json", problems, optional=True)}
    iuran = tuple(Iuran(**row) for row in
                  _read_table(registry / "iuran.csv", registry / "schema" / "iuran.json", problems, optional=True))
    demo_as_of = _demo_date(root, sources, problems)
    if problems:
        raise ConfigError(problems)
    return Config(root, site, pull, store, sources, daerah, iuran, areas, demo_as_of)


def _demo_date(root: Path, sources, problems: list[str]) -> dt.date | None:
    """The demo's day, when every source is a workbook under registry/demo/
    and registry/demo/demo.toml names the day; None for any real registry."""
    demo = (root / DEMO_FILE).parent.resolve()
    if not sources or not (root / DEMO_FILE).exists():
        return None
    for source in sources:
        path = (root / source.sumber.strip()).resolve()
        if "://" in source.sumber or demo not in path.parents:
            return None
    day = _read_toml(root / DEMO_FILE, problems).get("tanggal")
    if isinstance(day, dt.date) and not isinstance(day, dt.datetime):
        return day
    problems.append(f"{DEMO_FILE.as_posix()}: tanggal harus berupa tanggal, misalnya tanggal = 2026-11-23.")
    return None


_TYPES = {"integer": "bilangan bulat", "number": "angka", "date": "tanggal (YYYY-MM-DD)"}


def _explain(error, field) -> str:
    """A Frictionless error on a registry CSV, said in Indonesian."""
    cell = getattr(error, "cell", None)
    shown = f"“{cell}” " if cell not in (None, "") else ""
    note = getattr(error, "note", "")
    constraints = field.constraints if field else {}
    if error.type == "constraint-error" and '"required"' in note:
        return "wajib diisi, tetapi kosong."
    if error.type == "constraint-error" and '"pattern"' in note:
        example = "33.74.15" if field and field.name == "kode" and "\\." in str(constraints.get("pattern")) else ""
        return f"{shown}tidak berbentuk yang benar" + (f" (contoh: {example})." if example else ".")
    if error.type == "constraint-error" and '"enum"' in note:
        return f"{shown}harus salah satu dari: {', '.join(str(v) for v in constraints.get('enum', []))}."
    if error.type == "constraint-error" and '"minimum"' in note:
        return f"{shown}tidak boleh kurang dari {constraints.get('minimum')}."
    if error.type in ("unique-error", "primary-key"):
        return f"{shown}sudah dipakai di baris sebelumnya; tiap nilai hanya boleh sekali."
    if error.type == "type-error" and field:
        return f"{shown}bukan {_TYPES.get(field.type, field.type)}."
    if error.type in ("extra-cell", "missing-cell"):
        return "jumlah kolom di baris ini tidak sama dengan baris judul (periksa tanda koma)."
    return f"tidak sesuai skema ({error.type})."


def _read_toml(path: Path, problems: list[str]) -> dict:
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        problems.append(f"{path.name}: {error}")
        return {}


def _read_table(path: Path, schema_path: Path, problems: list[str], optional: bool = False) -> list[dict]:
    """Rows of a registry CSV, typed by its schema; problems appended, not raised."""
    if not path.exists():
        if not optional:
            problems.append(f"{path.relative_to(path.parents[1])} tidak ditemukan.")
        return []
    schema = Schema.from_descriptor(json.loads(schema_path.read_text(encoding="utf-8")))
    with open(path, newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle), [])
    expected = [f.name for f in schema.fields]
    if header != expected:
        problems.append(f"{path.name}: kolomnya harus persis {','.join(expected)} (sekarang {','.join(header)}).")
        return []
    resource = Resource(path=path.name, basepath=str(path.parent), schema=schema, encoding="utf-8")
    report = resource.validate()
    fields = {f.name: f for f in schema.fields}
    for error in report.tasks[0].errors:
        where = [path.name]
        if getattr(error, "row_number", None):
            where.append(f"baris {error.row_number}")
        if getattr(error, "field_name", None):
            where.append(f"kolom {error.field_name}")
        problems.append(f"{', '.join(where)}: {_explain(error, fields.get(getattr(error, 'field_name', None)))}")
    if not report.valid:
        return []
    with Resource(path=path.name, basepath=str(path.parent), schema=schema, encoding="utf-8") as table:
        return [{k: row[k] for k in expected} for row in table.row_stream]
