"""Unwritable or full disks: a pull or build that cannot write ends with one
Indonesian line naming the folder and exit 4, no traceback; the previous
snapshots, reports and site are untouched, no staging is left behind, and the
next run succeeds. ENOSPC and a read-only folder are simulated (the tests
run as root, whom chmod does not stop)."""
import builtins
import errno
import io
import os
from pathlib import Path

import pytest

from conftest import KODE, KODE_2
from lindung.store import snapshot


def tree(root: Path) -> dict[str, bytes | None]:
    return {p.relative_to(root).as_posix(): p.read_bytes() if p.is_file() else None for p in sorted(root.rglob("*"))}


def where(target) -> Path | None:
    """The path a file being opened lives at (a name, or an open descriptor)."""
    if isinstance(target, int):
        return Path(os.readlink(f"/proc/self/fd/{target}"))
    return Path(os.fsdecode(target)).absolute() if isinstance(target, (str, bytes, os.PathLike)) else None


class FullDisk:
    """Every file opened for writing under `folder` is created, and its
    first write fails with ENOSPC, as on a full disk."""

    def __init__(self, monkeypatch, folder: Path):
        self.folder, self.hits = folder.absolute(), 0
        real_open = io.open

        def opening(file, mode="r", *args, **kwargs):
            handle = real_open(file, mode, *args, **kwargs)
            path = where(file)
            if set(mode) & set("wax") and path and (path == self.folder or self.folder in path.parents):
                return self.full(handle)
            return handle

        monkeypatch.setattr(builtins, "open", opening)
        monkeypatch.setattr(io, "open", opening)

    def full(self, handle):
        def write(*args):
            self.hits += 1
            raise OSError(errno.ENOSPC, "No space left on device")

        class Full:
            def __getattr__(self, name):
                return write if name in ("write", "writelines") else getattr(handle, name)

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                handle.close()

            def __iter__(self):
                return iter(handle)

        return Full()


def read_only(monkeypatch, folder: Path):
    """No folder can be made in `folder`: EROFS, as on a read-only mount."""
    real_mkdir = os.mkdir
    folder = folder.absolute()

    def mkdir(path, *args, **kwargs):
        if folder in Path(os.fsdecode(path)).absolute().parents:
            raise OSError(errno.EROFS, "Read-only file system", os.fsdecode(path))
        return real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(os, "mkdir", mkdir)


@pytest.fixture
def pulled(project, rows):
    """Two kecamatan pulled and built once: the last good data and site."""
    project.add(KODE, peserta=[rows.peserta()], wilayah=[rows.wilayah()])
    project.add(KODE_2, peserta=[rows.peserta(kelurahan="Cacaban")], wilayah=[rows.wilayah(kelurahan="Cacaban")])
    assert project.cli("pull").exit_code == 0
    assert project.cli("build").exit_code == 0
    # the sheets change: the next pull has something new to write
    project.add(KODE, peserta=[rows.peserta(), rows.peserta()], wilayah=[rows.wilayah()])
    return project


def one_line(result, assert_indonesian) -> str:
    assert "Traceback" not in result.output
    [line] = result.stderr.splitlines()
    assert_indonesian(line)
    return line


@pytest.mark.parametrize("part", ["snapshots", "laporan"])
def test_a_full_disk_during_a_pull_exits_4_and_keeps_the_last_good_data(pulled, monkeypatch, part,
                                                                        assert_indonesian):
    store = pulled.registry
    before = {name: tree(store / name) for name in ("snapshots", "laporan")}
    with monkeypatch.context() as patch:
        disk = FullDisk(patch, store / part)
        result = pulled.cli("pull")
    assert disk.hits, "nothing was written under the full folder"
    assert result.exit_code == 4, result.output
    line = one_line(result, assert_indonesian)
    assert f"Tidak bisa menulis ke {store}: disk penuh (ENOSPC)" in line
    assert tree(store / part) == before[part]  # the full folder: untouched
    assert sorted(os.listdir(store / "snapshots")) == [KODE, KODE_2]  # written before the disk filled: whole
    for kode in (KODE, KODE_2):
        kept = snapshot.read(store / "snapshots" / kode, pulled.config().contract)
        assert snapshot.content_hash(kept, pulled.config().contract) == kept.meta["isi"]
    assert pulled.cli("pull").exit_code == 0  # nothing left behind that breaks the next run
    assert not [p for p in (store / "snapshots").iterdir() if p.name.startswith(".")]
    assert sorted(p.name for p in (store / "laporan").iterdir()) == [f"{KODE}.json", f"{KODE_2}.json"]


def test_a_full_disk_during_a_build_exits_4_and_keeps_the_last_site(pulled, monkeypatch, assert_indonesian):
    before = tree(pulled.site)
    with monkeypatch.context() as patch:
        disk = FullDisk(patch, pulled.root)
        result = pulled.cli("build", "--as-of", "2026-11-24")
    assert disk.hits
    assert result.exit_code == 4, result.output
    line = one_line(result, assert_indonesian)
    assert f"Tidak bisa menulis ke {pulled.site}: disk penuh (ENOSPC)" in line
    assert tree(pulled.site) == before
    assert sorted(p.name for p in pulled.root.iterdir() if "site" in p.name) == [".site.lock", "site"]
    assert pulled.cli("build").exit_code == 0


def test_a_read_only_folder_stops_a_build_with_exit_4_naming_it(pulled, monkeypatch, assert_indonesian):
    before = tree(pulled.site)
    with monkeypatch.context() as patch:
        read_only(patch, pulled.root)
        result = pulled.cli("build")
    assert result.exit_code == 4, result.output
    line = one_line(result, assert_indonesian)
    assert f"Tidak bisa menulis ke {pulled.site}: sistem berkasnya hanya-baca (EROFS)" in line
    assert tree(pulled.site) == before


def test_a_read_only_data_store_stops_a_pull_with_exit_4_naming_it(pulled, monkeypatch, assert_indonesian):
    before = tree(pulled.registry / "snapshots")
    with monkeypatch.context() as patch:
        read_only(patch, pulled.registry / "snapshots")
        result = pulled.cli("pull")
    assert result.exit_code == 4, result.output
    line = one_line(result, assert_indonesian)
    assert f"Tidak bisa menulis ke {pulled.registry}: sistem berkasnya hanya-baca (EROFS)" in line
    assert tree(pulled.registry / "snapshots") == before


def test_an_output_folder_under_a_file_is_one_line_and_exit_4_not_a_traceback(pulled, tmp_path, assert_indonesian):
    (tmp_path / "berkas").write_text("bukan folder")
    out = tmp_path / "berkas" / "situs"
    result = pulled.cli("build", "--out", str(out))
    assert result.exit_code == 4, result.output
    line = one_line(result, assert_indonesian)
    assert f"Tidak bisa menulis ke {out}:" in line
