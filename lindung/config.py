"""Config: the operator's settings, read and checked before anything runs.

`lindung.toml` holds the site settings; `registry/sources.csv` lists the
kecamatan and where their sheets are; `registry/daerah.csv` what belongs to a
kabupaten/kota (its local program, rate and APBD quota); `registry/iuran.csv`
the national contribution rates with the period each holds for. The CSVs are
validated with their Frictionless schemas in registry/schema/. Every setting
of lindung.toml (its sections, keys, types and ranges) and every environment
variable Lindung reads (`ENVIRONMENT`) is checked here too, before anything
runs. Anything wrong raises `ConfigError` with every problem found, so the
operator fixes them in one go.
"""
from __future__ import annotations

import csv
import datetime as dt
import errno
import io
import json
import math
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import contract as contract_module
from . import wilayah as wilayah_module
from .contract import Contract


class ConfigError(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def _timezone(value: str) -> str | None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return "bukan nama zona waktu yang dikenal (contoh: Asia/Jakarta)."
    return None


def _url(value: str) -> str | None:
    if not re.fullmatch(r"https?://[^\s/]+(/\S*)?", value):
        return "harus alamat lengkap yang diawali http:// atau https:// (contoh: https://lindung.example.org/)."
    return None


# Each setting's type is its annotation; metadata adds a lower bound ("min")
# or a check of its own ("check": value -> problem or None).
@dataclass(frozen=True)
class Site:
    title: str = "Lindung"
    description: str = "Perlindungan BPJS Ketenagakerjaan bagi pekerja rentan"
    base_url: str = field(default="http://localhost:8000/", metadata={"check": _url})
    timezone: str = field(default="Asia/Jakarta", metadata={"check": _timezone})
    # Who runs the site and how to reach them: in the footer and on /tentang/.
    # The contact is published on purpose, so the privacy guard lets it through.
    owner: str = ""
    owner_url: str = ""
    contact_email: str = ""
    contact_phone: str = ""  # a WhatsApp number, e.g. 0812-3456-7890


@dataclass(frozen=True)
class PullSettings:
    workers: int = field(default=4, metadata={"min": 1})  # sheets read at once
    # a source failing longer than this makes `pull` exit non-zero
    stale_days: int = field(default=7, metadata={"min": 0})


@dataclass(frozen=True)
class StoreSettings:
    # The private data store: snapshots/ and laporan/ (row level, pseudonymised).
    # Relative to the project folder. In a public repository it must be a
    # checkout of a private repository, git-ignored here (docs/operator.md).
    path: str = "registry"


@dataclass(frozen=True)
class JobSettings:
    # Seconds a pull or build waits for another run on the same data store or
    # site to finish, before it gives up (exit 2).
    lock_timeout: float = field(default=60.0, metadata={"min": 0})


@dataclass(frozen=True)
class WilayahSettings:
    # Kemendagri codes of the provinces the site covers (registry/wilayah/
    # provinces.csv); empty: all of Indonesia.
    provinsi: list[str] = field(default_factory=list)


SECTIONS = {"site": Site, "pull": PullSettings, "store": StoreSettings, "jobs": JobSettings,
            "wilayah": WilayahSettings}

STORE_ENV = "LINDUNG_STORE"  # overrides [store] path, e.g. in the daily workflow
LOCK_TIMEOUT_ENV = "LINDUNG_LOCK_TIMEOUT"  # overrides [jobs] lock_timeout


@dataclass(frozen=True)
class Variable:
    """An environment variable Lindung reads, and what it may hold."""
    kind: str  # "number", "url" or "text" (anything)
    minimum: float | None = None
    above_minimum: bool = False  # the minimum itself is not allowed
    unit: str = ""


# Every environment variable read anywhere in lindung/, checked before anything
# runs; an empty one counts as unset. The LINDUNG_GOOGLE_* ones are read (and
# parsed again) by lindung/pull/sources/google.py; checking them here means a
# typo stops the run with the variable's name instead of failing every sheet.
# LINDUNG_SECRET and the Google credentials are checked where they are used,
# before any sheet is read.
ENVIRONMENT = {
    STORE_ENV: Variable("text"),
    LOCK_TIMEOUT_ENV: Variable("number", minimum=0, unit="detik"),
    "LINDUNG_GOOGLE_TIMEOUT": Variable("number", minimum=0, above_minimum=True, unit="detik"),
    "LINDUNG_GOOGLE_PER_MINUTE": Variable("number", minimum=0, unit="permintaan per menit; 0 = tanpa jeda"),
    "LINDUNG_GOOGLE_MAX_WAIT": Variable("number", minimum=0, unit="detik"),
    "LINDUNG_GOOGLE_BACKOFF": Variable("number", minimum=0, unit="detik"),
    "LINDUNG_GOOGLE_API_ROOT": Variable("url"),
    "LINDUNG_GOOGLE_FOLDER_ID": Variable("text"),
    "LINDUNG_DATA_REPO": Variable("text"),  # lindung doctor: the private data repository
    "LINDUNG_GITHUB_API": Variable("url"),  # lindung doctor, in tests: a stand-in for GitHub's API
}

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
    jobs: JobSettings
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


def load(root: Path, environ: Mapping[str, str] = os.environ, *, remember: bool = True) -> Config:
    """The project's settings and registry. `remember`: keep the registry
    files' checked rows in .cache/ (off for a command that writes nothing)."""
    root = root.resolve()
    problems: list[str] = []
    settings = _settings(_read_toml(root / "lindung.toml", problems), problems)
    environment = _environment(environ, problems)
    site, pull, store, jobs, chosen = (settings[name] for name in ("site", "pull", "store", "jobs", "wilayah"))
    if STORE_ENV in environment:
        store = StoreSettings(environment[STORE_ENV])
    if LOCK_TIMEOUT_ENV in environment:
        jobs = JobSettings(environment[LOCK_TIMEOUT_ENV])
    if not site.base_url.endswith("/"):
        site = replace(site, base_url=site.base_url + "/")
    registry = root / "registry"
    if not (registry / "wilayah" / "districts.csv").exists():
        raise ConfigError([f"{root} bukan folder proyek Lindung: registry/wilayah/ tidak ditemukan. "
                           "Jalankan dari akar repo, atau sebutkan foldernya dengan --root."])
    every = wilayah_module.provinces(registry / "wilayah")
    unknown = [kode for kode in chosen.provinsi if kode not in every]
    if unknown:
        problems.append(f"lindung.toml: [wilayah] provinsi: {', '.join(unknown)} bukan kode provinsi dalam "
                        "registry/wilayah/provinces.csv; tulis kode dua angka dari berkas itu, "
                        "contoh: provinsi = [\"33\"].")
    areas = wilayah_module.load(registry / "wilayah", [k for k in chosen.provinsi if k in every])
    sources = tuple(Source(**row) for row in _read_table(registry / "sources.csv", registry / "schema" / "sources.json", problems,
                                                          remember=remember))
    for row, source in enumerate(sources, start=2):  # row 1 is the header
        where = f"registry/sources.csv baris {row}: kode {source.kode}"
        province = source.kode.split(".", 1)[0]
        if source.kode not in areas.kecamatan and province in every and province not in areas.provinsi:
            problems.append(f"{where} ada di Provinsi {every[province]}, yang tidak dipilih di lindung.toml. "
                            f"Tambahkan \"{province}\" ke [wilayah] provinsi (sekarang: "
                            f"{', '.join(areas.provinsi)}), atau hapus baris ini.")
        elif source.kode not in areas.kecamatan:
            problems.append(f"{where} bukan kecamatan dalam daftar resmi registry/wilayah/.")
        elif not areas.names_kecamatan(source.kode, source.kecamatan):
            official = areas.kecamatan[source.kode].nama
            problems.append(f"{where} adalah Kecamatan {official}, bukan “{source.kecamatan}”.")
    daerah = {row["kode"]: Daerah(**row) for row in
              _read_table(registry / "daerah.csv", registry / "schema" / "daerah.json", problems, optional=True,
                          remember=remember)}
    iuran = tuple(Iuran(**row) for row in
                  _read_table(registry / "iuran.csv", registry / "schema" / "iuran.json", problems, optional=True,
                              remember=remember))
    demo_as_of = _demo_date(root, sources, problems)
    if problems:
        raise ConfigError(problems)
    return Config(root, site, pull, store, jobs, sources, daerah, iuran, areas, demo_as_of)


def _show(value: object) -> str:
    """A setting's value as it is written in lindung.toml."""
    return json.dumps(value, ensure_ascii=False, default=str)[:60]


_KINDS = {"str": "teks dalam tanda kutip", "int": "bilangan bulat tanpa tanda kutip",
          "float": "angka tanpa tanda kutip", "list[str]": "daftar teks dalam tanda kutip"}


def _problem(setting, value: object) -> str | None:
    """What is wrong with `value` for this dataclass field, or None."""
    kind = setting.type
    if kind == "list[str]":
        fits = isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)
        if not fits:
            return f"harus {_KINDS[kind]} (contoh: {setting.name} = [\"33\"])."
        return None
    if kind == "str":
        fits = isinstance(value, str) and (value.strip() != "" or setting.default == "")  # "" = optional
    elif kind == "int":
        fits = isinstance(value, int) and not isinstance(value, bool)
    else:
        fits = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if not fits:
        return f"harus {_KINDS[kind]} (contoh: {setting.name} = {_show(setting.default)})."
    minimum = setting.metadata.get("min")
    if minimum is not None and value < minimum:
        return f"tidak boleh kurang dari {minimum}."
    check: Callable[[str], str | None] | None = setting.metadata.get("check")
    return check(value) if check else None


def _settings(table: dict, problems: list[str]) -> dict[str, object]:
    """Each section of lindung.toml as its dataclass; an unknown section or
    key, a wrong type or a value out of range is a problem naming it."""
    for section, value in table.items():
        if section not in SECTIONS:
            problems.append(f"lindung.toml: bagian [{section}] tidak dikenal; yang ada: "
                            f"{', '.join(f'[{name}]' for name in SECTIONS)}.")
        elif not isinstance(value, dict):
            problems.append(f"lindung.toml: {section} harus berupa bagian [{section}], bukan satu nilai.")
    made = {}
    for section, kind in SECTIONS.items():
        given = table.get(section)
        known = {setting.name: setting for setting in fields(kind)}
        values = {}
        for key, value in (given.items() if isinstance(given, dict) else ()):
            if key not in known:
                problems.append(f"lindung.toml: [{section}] {key} tidak dikenal; yang ada di [{section}]: "
                                f"{', '.join(known)}.")
            elif problem := _problem(known[key], value):
                problems.append(f"lindung.toml: [{section}] {key} = {_show(value)}: {problem}")
            else:
                values[key] = value
        made[section] = kind(**values)
    return made


def _environment(environ: Mapping[str, str], problems: list[str]) -> dict[str, object]:
    """The environment variables in ENVIRONMENT that are set, parsed; a
    value that does not fit is a problem naming the variable."""
    found: dict[str, object] = {}
    for name, variable in ENVIRONMENT.items():
        raw = (environ.get(name) or "").strip()
        if not raw:
            continue
        shown = raw if len(raw) <= 40 else raw[:40] + "…"
        if variable.kind == "number":
            value = _number(raw, variable)
            if value is None:
                problems.append(f"Variabel lingkungan {name} harus angka{_bound(variable)} ({variable.unit}), "
                                f"bukan “{shown}”.")
                continue
            found[name] = value
        elif variable.kind == "url" and (problem := _url(raw)):
            problems.append(f"Variabel lingkungan {name} {problem[:-1]}, bukan “{shown}”.")
        else:
            found[name] = raw
    return found


def _number(raw: str, variable: Variable) -> float | None:
    """`raw` as a number within the variable's range, or None."""
    try:
        value = float(raw)
    except ValueError:
        return None
    low = variable.minimum
    if not math.isfinite(value) or (low is not None and value < low) or (variable.above_minimum and value == low):
        return None
    return value


def _bound(variable: Variable) -> str:
    if variable.minimum is None:
        return ""
    return f" {'lebih dari' if variable.above_minimum else 'paling sedikit'} {variable.minimum:g}"


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


def _read_text(path: Path, shown: str, problems: list[str], resave: str) -> str | None:
    """A settings file as text, or None with the problem said. A UTF-8
    byte-order mark (Excel's "CSV UTF-8", Notepad) is dropped; any other
    encoding (Excel's plain "CSV" is Windows-1252) is refused by name."""
    try:
        data = path.read_bytes()
    except OSError as error:
        problems.append(f"{shown} tidak bisa dibaca ({errno.errorcode.get(error.errno, error.errno)}); "
                        "periksa izin berkasnya.")
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        problems.append(f"{shown} bukan teks UTF-8 (baris {line}). {resave}")
        return None


def _read_toml(path: Path, problems: list[str]) -> dict:
    if not path.exists():
        return {}
    text = _read_text(path, path.name, problems, "Simpan ulang berkas ini dengan pengodean UTF-8.")
    if text is None:
        return {}
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        where = re.search(r"\(at line (\d+), column (\d+)\)", str(error))
        at = f" di baris {where[1]}, kolom {where[2]}" if where else ""
        problems.append(f"{path.name}: penulisan TOML salah{at}; periksa tanda kutip, tanda = dan "
                        "nama bagian dalam [kurung siku].")
        return {}


def _read_table(path: Path, schema_path: Path, problems: list[str], optional: bool = False,
                remember: bool = True) -> list[dict]:
    """Rows of a registry CSV, typed by its schema; problems appended, not raised."""
    shown = path.relative_to(path.parents[1]).as_posix()
    if not path.exists():
        if not optional:
            problems.append(f"{shown} tidak ditemukan.")
        return []
    text = _read_text(path, shown, problems, "Berkas ini mungkin disimpan Excel sebagai “CSV (Comma "
                      "delimited)”; simpan ulang sebagai “CSV UTF-8 (Comma delimited)”, lalu coba lagi.")
    if text is None:
        return []
    checked = _checked_before(path, text, schema_path)
    if checked is not None:
        return checked
    rows = _validate_table(path, schema_path, text, problems)
    if rows and remember:
        _remember_checked(path, text, schema_path, rows)
    return rows


# Frictionless (and pydantic under it) takes ~0.3 s to import and more to
# validate: a registry file is validated when its bytes (or its schema, or
# Frictionless) changed since it last passed, and its typed rows are
# otherwise read back from the project's .cache/.
CHECKED = Path(".cache") / "registri"


def _checked_key(text: str, schema_path: Path) -> str | None:
    import hashlib
    import importlib.util

    try:
        spec = importlib.util.find_spec("frictionless")
        version = os.stat(spec.origin).st_mtime_ns if spec and spec.origin else 0
        schema = schema_path.read_bytes()
    except OSError:
        return None
    return hashlib.sha256(repr((version, schema, text)).encode()).hexdigest()


def _checked_before(path: Path, text: str, schema_path: Path) -> list[dict] | None:
    import pickle

    key = _checked_key(text, schema_path)
    try:
        with open(path.parents[1] / CHECKED / f"{path.stem}.pickle", "rb") as handle:
            stored_key, rows = pickle.load(handle)
    except Exception:  # noqa: BLE001 - none yet, or damaged: validate again
        return None
    return rows if key is not None and stored_key == key else None


def _remember_checked(path: Path, text: str, schema_path: Path, rows: list[dict]) -> None:
    import pickle

    key = _checked_key(text, schema_path)
    folder = path.parents[1] / CHECKED
    try:
        folder.mkdir(parents=True, exist_ok=True)
        temporary = folder / f".{path.stem}.{os.getpid()}"
        temporary.write_bytes(pickle.dumps((key, rows)))
        os.replace(temporary, folder / f"{path.stem}.pickle")
    except OSError:  # a read-only project: validated again next time
        pass


def _validate_table(path: Path, schema_path: Path, text: str, problems: list[str]) -> list[dict]:
    from frictionless import Resource, Schema

    schema = Schema.from_descriptor(json.loads(schema_path.read_text(encoding="utf-8")))
    header = next(csv.reader(io.StringIO(text, newline="")), [])
    expected = [f.name for f in schema.fields]
    if header != expected:
        problems.append(f"{path.name}: kolomnya harus persis {','.join(expected)} (sekarang {','.join(header)}).")
        return []
    resource = Resource(path=path.name, basepath=str(path.parent), schema=schema, encoding="utf-8-sig")
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
    with Resource(path=path.name, basepath=str(path.parent), schema=schema, encoding="utf-8-sig") as table:
        return [{k: row[k] for k in expected} for row in table.row_stream]
