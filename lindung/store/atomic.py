"""Atomic: a folder or a file replaced whole, so no reader and no crash ever
finds it missing or half-written.

The new version is written into a staging name beside the live one
(`.<name>.tmp-XXXX`) and then swapped in. For a folder (site/, a snapshot)
the swap is one exchange on Linux, renameat2(RENAME_EXCHANGE): the live name
holds the new version and the staging name the old one, which is then
deleted. Where exchange is unavailable (another OS, an old libc, a file
system that refuses it) the live folder is renamed to `.<name>.old` and the
staging folder into its place; between those two renames the live name is
missing, so readers fall back to `.<name>.old` (`readable`) and the next run
puts a lone one back (`recover`). `recover` also removes staging folders and
files of killed runs. A file (a report) is written the same way, with one
os.replace. Used by the snapshot write, the report write and the site swap.
"""
from __future__ import annotations

import ctypes
import errno
import os
import re
import secrets
import shutil
import sys
import tempfile
from pathlib import Path

RENAME_EXCHANGE = 2  # linux/fs.h
AT_FDCWD = -100
# renameat2 says so when the kernel, the libc or the file system cannot exchange
UNSUPPORTED = {errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP}
# What a killed run leaves: `.<name>.tmp-XXXX` (staging, or an old version
# being deleted) and `.<name>.old` (the fallback's retired folder).
LEFTOVER = re.compile(r"\.(?P<name>.+?)\.(?P<kind>old|tmp-\w+)")


def _load_renameat2():
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2  # glibc 2.28+, musl 1.2.2+
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


_renameat2 = _load_renameat2()


def staging(target: Path, *, mode: int = 0o700) -> Path:
    """A new, empty staging folder beside `target` (same file system, so the
    swap is a rename)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    folder.chmod(mode)
    return folder


def retired(target: Path) -> Path:
    return target.with_name(f".{target.name}.old")


def exchange(a: Path, b: Path) -> None:
    """Swap two paths in one step; OSError(ENOSYS) where that cannot be done."""
    if _renameat2 is None:
        raise OSError(errno.ENOSYS, "renameat2 tidak tersedia", str(a))
    if _renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), str(a), None, str(b))


def replace(staged: Path, target: Path) -> None:
    """Put the folder `staged` in the place of `target`, whole."""
    for _ in range(10):  # only a concurrent writer makes a round repeat
        if not os.path.lexists(target):
            try:
                os.rename(staged, target)  # nothing to replace: one rename is atomic
                return
            except OSError as error:
                if error.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                    raise
                continue  # another writer created it meanwhile: exchange with theirs
        try:
            exchange(staged, target)
        except OSError as error:
            if error.errno in UNSUPPORTED:
                _rename_twice(staged, target)
                return
            if error.errno == errno.ENOENT and os.path.isdir(staged):
                continue  # the target went away meanwhile (another writer's fallback)
            raise
        remove(staged)  # it holds the old version now
        return
    raise OSError(errno.EBUSY, "folder terus diganti proses lain", str(target))


def _rename_twice(staged: Path, target: Path) -> None:
    old = retired(target)
    if os.path.lexists(old):
        remove(old)
    if os.path.lexists(old):  # could not be deleted: move it aside so the rename below works
        os.rename(old, target.with_name(f".{target.name}.tmp-{secrets.token_hex(4)}"))
    os.rename(target, old)
    os.rename(staged, target)
    remove(old)


def write_text(path: Path, text: str) -> None:
    """Write a file whole: into a staging file beside it, then one os.replace."""
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.tmp-", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(name, path)
    except BaseException:
        remove(Path(name))
        raise


def readable(target: Path) -> Path:
    """The path a reader should read for `target`: itself, or its retired
    copy while a fallback swap is in flight or was killed in the middle."""
    if not os.path.lexists(target) and os.path.isdir(retired(target)):
        return retired(target)
    return target


def folders(parent: Path) -> list[Path]:
    """The live folders in `parent`, by name, as a reader should see them:
    a retired folder whose live one is missing counts as that one."""
    if not parent.is_dir():
        return []
    names = set()
    for entry in parent.iterdir():
        match = LEFTOVER.fullmatch(entry.name)
        if match and match["kind"] == "old" and entry.is_dir():
            names.add(match["name"])
        elif not entry.name.startswith(".") and entry.is_dir():
            names.add(entry.name)
    return [parent / name for name in sorted(names)]


def recover(parent: Path, name: str | None = None, extra: re.Pattern | None = None) -> None:
    """Undo what killed runs left in `parent` (only entries of `name`, when
    given): a retired folder without its live one is put back, as the last
    good version; staging folders and files (and what `extra` matches) are
    removed. Run it under the lock of the job that writes `parent`."""
    if not parent.is_dir():
        return
    for entry in sorted(parent.iterdir()):
        match = LEFTOVER.fullmatch(entry.name)
        if match and name is not None and match["name"] != name:
            continue
        if match and match["kind"] == "old" and not os.path.lexists(parent / match["name"]):
            os.rename(entry, parent / match["name"])
        elif match or (extra and extra.fullmatch(entry.name)):
            remove(entry)


def remove(path: Path) -> None:
    """Delete a file or folder as far as possible; never raises. Folders made
    read-only (e.g. copied from a read-only static/) are made writable first.
    What still cannot be deleted stays under its staging name, which no later
    swap depends on, and `recover` tries again next run."""
    try:
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        else:
            os.unlink(path)
        return
    except FileNotFoundError:
        return
    except OSError:
        pass
    for folder, _, _ in os.walk(path):
        try:
            os.chmod(folder, 0o700)
        except OSError:
            pass
    shutil.rmtree(path, ignore_errors=True)
