"""Incremental builds (lindung/build/output.py, partials.py): a build after a
change gives the bytes a full build gives, and rewrites only the files whose
bytes change; every other file keeps its inode and modification time, so a
deploy or an rsync moves only what changed."""
from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

import pytest

from conftest import AS_OF, copy_project
from lindung import config as config_module, jobs
from lindung.build import aggregate, partials, site
from lindung.cli import main
from lindung.store import report, snapshot
from click.testing import CliRunner

KECAMATAN = "33.74.10"  # Tembalang, Kota Semarang: in the demo


def tree(folder: Path) -> dict[str, tuple[int, int, bytes]]:
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            stat = path.stat()
            found[path.relative_to(folder).as_posix()] = (stat.st_ino, stat.st_mtime_ns, path.read_bytes())
    return found


def full_build(root: Path, out: Path) -> Path:
    """Everything from the snapshots, no cache, no earlier site."""
    config = config_module.load(root)
    figures = aggregate.figures(config, snapshot.read_all(config.snapshot_dir, config.contract),
                                report.read_all(config.laporan_dir), AS_OF)
    site.build(config, figures, out)
    return out


def build(root: Path) -> Path:
    return jobs.build(config_module.load(root), as_of=AS_OF).out


@pytest.fixture(scope="module")
def pulled(tmp_path_factory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("tarik") / "proyek", demo=True)
    assert CliRunner().invoke(main, ["--root", str(root), "pull"], catch_exceptions=False).exit_code in (0, 3)
    return root


@pytest.fixture
def demo_project(pulled, tmp_path, wilayah_loaded_once) -> Path:
    """The pulled demo, a copy of its own for each test."""
    return Path(shutil.copytree(pulled, tmp_path / "proyek"))


def add_worker(root: Path, kode: str = KECAMATAN) -> None:
    """One more active worker in a kecamatan's snapshot, as a pull would write
    it: the folder replaced whole (a new folder, new files)."""
    folder = root / "registry" / "snapshots" / kode
    copy = folder.with_name(f"{kode}.baru")
    shutil.copytree(folder, copy)
    path = copy / "peserta.csv"
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    fields = list(rows[0])
    extra = dict(next(r for r in rows if r["segmen"] == "pekerja rentan"), nik_hash="x" * 32,
                 mulai="2026-01-01", berlaku_sampai="2027-12-31", sumber_dana="mandiri", id_donatur="")
    with open(path, "a", newline="", encoding="utf-8") as handle:
        csv.DictWriter(handle, fields, lineterminator="\n").writerow(extra)
    shutil.rmtree(folder)
    copy.rename(folder)


def test_a_changed_kecamatan_rewrites_only_the_files_whose_bytes_change(demo_project, tmp_path):
    before = tree(build(demo_project))
    add_worker(demo_project)
    after = tree(build(demo_project))
    full = tree(full_build(demo_project, tmp_path / "penuh"))
    assert {n: b for n, (_, _, b) in after.items()} == {n: b for n, (_, _, b) in full.items()}
    changed = {n for n in after if n not in before or after[n][2] != before[n][2]}
    rewritten = {n for n in after if n not in before or after[n][:2] != before[n][:2]}
    assert rewritten == changed
    assert "wilayah/kota-semarang/tembalang/index.html" in changed and "data/kecamatan.csv" in changed
    assert len(changed) < len(after) / 10  # the others kept their inode and modification time
    assert not any(n.startswith("pagefind/") for n in changed)  # names, not figures: the same index


def test_a_build_with_nothing_changed_rewrites_nothing(demo_project):
    before = tree(build(demo_project))
    assert tree(build(demo_project)) == before


def test_a_template_edit_reaches_every_page_it_makes(demo_project, tmp_path):
    build(demo_project)
    template = demo_project / "templates" / "kecamatan.html"
    template.write_text(template.read_text(encoding="utf-8").replace("</h1>", " </h1>", 1), encoding="utf-8")
    after = tree(build(demo_project))
    full = tree(full_build(demo_project, tmp_path / "penuh"))
    assert {n: b for n, (_, _, b) in after.items()} == {n: b for n, (_, _, b) in full.items()}


def test_a_page_changed_by_hand_in_the_site_is_made_again(demo_project):
    site_dir = build(demo_project)
    page = site_dir / "wilayah" / "kota-semarang" / "ngaliyan" / "index.html"
    original = page.read_bytes()
    page.write_bytes(original.replace(b"Ngaliyan", b"Diubah", 1))
    build(demo_project)
    assert page.read_bytes() == original


def test_a_damaged_cache_is_only_slower(demo_project, tmp_path):
    build(demo_project)
    cache = demo_project / "registry" / partials.CACHE
    for path in cache.glob("*.pickle"):
        path.write_bytes(b"rusak")
    (demo_project / ".cache" / "situs").joinpath("x").write_text("{", encoding="utf-8")
    for manifest in (demo_project / ".cache" / "situs").glob("*.json"):
        manifest.write_text("{rusak", encoding="utf-8")
    add_worker(demo_project)
    after = tree(build(demo_project))
    full = tree(full_build(demo_project, tmp_path / "penuh"))
    assert {n: b for n, (_, _, b) in after.items()} == {n: b for n, (_, _, b) in full.items()}


def test_partials_are_kept_private_to_the_data_store(demo_project):
    build(demo_project)
    cache = demo_project / "registry" / partials.CACHE
    files = list(cache.glob("*.pickle"))
    assert files and all(os.stat(p).st_mode & 0o077 == 0 for p in files)
    ignored = (Path(__file__).resolve().parents[1] / ".gitignore").read_text(encoding="utf-8")
    assert ".cache/" in ignored.splitlines()


def test_a_content_edit_and_a_base_template_edit_match_a_full_build(demo_project, tmp_path):
    before = tree(build(demo_project))
    program = demo_project / "content" / "program" / "jkk.md"
    program.write_text(program.read_text(encoding="utf-8") + "\nKalimat baru di akhir.\n", encoding="utf-8")
    after = tree(build(demo_project))
    full = tree(full_build(demo_project, tmp_path / "penuh"))
    assert {n: b for n, (_, _, b) in after.items()} == {n: b for n, (_, _, b) in full.items()}
    changed = {n for n in after if after[n][2] != before.get(n, (0, 0, b""))[2]}
    assert "program/jkk/index.html" in changed and "wilayah/kota-semarang/tembalang/index.html" not in changed
    base = demo_project / "templates" / "base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("</footer>", "<!-- x --></footer>", 1), encoding="utf-8")
    after = tree(build(demo_project))
    full = tree(full_build(demo_project, tmp_path / "penuh-2"))
    assert {n: b for n, (_, _, b) in after.items()} == {n: b for n, (_, _, b) in full.items()}
    assert after["wilayah/kota-semarang/tembalang/index.html"][2] != before[
        "wilayah/kota-semarang/tembalang/index.html"][2]
