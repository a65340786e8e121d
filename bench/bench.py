"""Benchmark: how long pull and build take at Jawa Tengah scale.

    python bench/bench.py [--rows 100000] [--per-kelurahan 20]

0. the demo registry: pull its 42 workbooks, build its site;
1. pull, one kecamatan: a synthetic workbook with --rows peserta rows, timed
   per stage (read with python-calamine, validate with Frictionless,
   minimise + write the snapshot);
2. build, all of Jawa Tengah: synthetic snapshots for all 576 kecamatan
   (--per-kelurahan workers in each of 8,563 kelurahan), timed per stage
   (read snapshots, figures, render + write + guard).
Everything runs in a temporary folder; nothing in the repo is touched. The
figures go into docs/benchmark.md by hand, with the machine they came from.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lindung import aggregate, config as config_module, site, snapshot  # noqa: E402
from lindung.sources import local  # noqa: E402
from lindung.validate import load_schemas, validate_workbook  # noqa: E402
from lindung.workbook import write_workbook  # noqa: E402

AS_OF = dt.date(2026, 11, 23)


def timed(label: str, results: list, fn, *args):
    start = time.perf_counter()
    value = fn(*args)
    results.append((label, time.perf_counter() - start))
    return value


def project(tmp: Path, sources: list[tuple[str, str, str, str]]) -> Path:
    for name in ("content", "templates"):
        shutil.copytree(ROOT / name, tmp / name)
    shutil.copytree(ROOT / "registry", tmp / "registry", ignore=shutil.ignore_patterns("snapshots", "laporan", "demo"))
    shutil.copy(ROOT / "lindung.toml", tmp / "lindung.toml")
    with open(tmp / "registry" / "sources.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["kode", "kecamatan", "kabupaten_kota", "sumber"])
        writer.writerows(sources)
    return tmp


def bench_pull(tmp: Path, rows: int, results: list) -> None:
    rng = random.Random(1)
    root = project(tmp, [("33.74.15", "Ngaliyan", "Kota Semarang", "ngaliyan.xlsx")])
    config = config_module.load(root)
    kelurahan = [k.nama for k in config.wilayah.kecamatan["33.74.15"].kelurahan]
    peserta = []
    for i in range(rows):
        start = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(1000))
        peserta.append([f"99{i:014d}", f"Pekerja Contoh {i}", rng.choice(kelurahan), "pekerja rentan", "ojek",
                        "JKK+JKM", start, start + dt.timedelta(days=364), "mandiri", None, 16800])
    wilayah = [[k, 10, 3, 39, 100] for k in kelurahan]
    write_workbook(root / "ngaliyan.xlsx", {"peserta": peserta, "wilayah": wilayah}, schema_dir=config.schema_dir)
    raw = timed(f"pull: read {rows:,} rows (python-calamine)", results, local.read, root / "ngaliyan.xlsx")
    schemas = load_schemas(config.schema_dir)
    validated = timed(f"pull: validate {rows:,} rows (Frictionless + checks)", results,
                      validate_workbook, raw, "33.74.15", config.wilayah, schemas)
    assert not validated.errors, validated.errors[:3]

    def keep():
        snap = snapshot.minimise("33.74.15", validated, "bench")
        snap.meta = {"kode": "33.74.15", "diambil": "2026-11-23T01:00:00+07:00"}
        snapshot.write(config.snapshot_dir / "33.74.15", snap)
    timed("pull: minimise + write snapshot", results, keep)


def bench_build(tmp: Path, per_kelurahan: int, results: list) -> None:
    areas = config_module.wilayah_module.load(ROOT / "registry" / "wilayah")
    sources = [(k.kode, k.nama, k.kabupaten_nama, f"x/{k.kode}.xlsx") for k in areas.kecamatan.values()]
    root = project(tmp, sources)
    config = config_module.load(root)
    rng = random.Random(2)
    workers = 0
    for kode, kecamatan in config.wilayah.kecamatan.items():
        peserta = []
        for kel in kecamatan.kelurahan:
            for _ in range(per_kelurahan):
                start = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(700))
                peserta.append({"nik_hash": f"h{workers}", "kelurahan": kel.kode, "segmen": "pekerja rentan",
                                "pekerjaan": "ojek", "program": "JKK+JKM", "mulai": start,
                                "berlaku_sampai": start + dt.timedelta(days=364), "sumber_dana": "mandiri",
                                "id_donatur": None, "iuran_bulanan": 16800})
                workers += 1
        wilayah = [{"kelurahan": k.kode, "jumlah_rt": 10, "jumlah_rw": 3, "pengurus_rt_rw": 39,
                    "target_pekerja_rentan": 100} for k in kecamatan.kelurahan]
        snap = snapshot.Snapshot(kode, {"peserta": peserta, "donatur": [], "wilayah": wilayah, "santunan": []},
                                 {"kode": kode, "diambil": "2026-11-23T01:00:00+07:00", "menunggu_perbaikan": 0})
        snapshot.write(config.snapshot_dir / kode, snap)
    snaps = timed(f"build: read 576 snapshots ({workers:,} workers)", results, snapshot.read_all, config.snapshot_dir)
    figures = timed("build: figures (aggregate)", results, aggregate.figures, config, snaps, {}, AS_OF)
    pages = timed("build: render + write + guard + swap", results, site.build, config, figures, root / "site")
    files = sum(1 for p in (root / "site").rglob("*") if p.is_file())
    size = sum(p.stat().st_size for p in (root / "site").rglob("*") if p.is_file())
    results.append((f"  ({len(pages)} pages, {files} files, {size / 1e6:.1f} MB)", None))


def bench_demo(tmp: Path, results: list) -> None:
    """The demo registry as shipped: what `python build.py` costs."""
    from lindung import pull, report

    root = project(tmp, [])
    shutil.copytree(ROOT / "registry" / "demo", root / "registry" / "demo")
    shutil.copy(ROOT / "registry" / "sources.csv", root / "registry" / "sources.csv")
    config = config_module.load(root)
    now = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    timed(f"demo: pull {len(config.sources)} workbooks (read + validate + snapshot)", results,
          lambda: pull.pull(config, secret="bench", now=now))
    figures = aggregate.figures(config, snapshot.read_all(config.snapshot_dir),
                                report.read_all(config.laporan_dir), AS_OF)
    pages = timed("demo: build (render, Pagefind index, guard, swap)", results,
                  site.build, config, figures, root / "site")
    results.append((f"  ({len(pages)} pages)", None))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--per-kelurahan", type=int, default=20)
    args = parser.parse_args()
    results: list = []
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b, \
            tempfile.TemporaryDirectory() as c:
        bench_demo(Path(c), results)
        bench_pull(Path(a), args.rows, results)
        bench_build(Path(b), args.per_kelurahan, results)
    for label, seconds in results:
        print(f"{label:<60} {'' if seconds is None else f'{seconds:6.2f} s'}")


if __name__ == "__main__":
    main()
