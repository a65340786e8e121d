"""Output: what a build writes into its staging folder, against the live site.

A build still writes a whole new site beside the live one and swaps it in
(lindung.store.atomic), but a file whose bytes have not changed is not
written anew: the staging folder gets a hard link to the live file, which
keeps its inode and modification time, so a deploy or an rsync moves only
what changed, and the privacy guard reads only what is new.

Two ways a file is known unchanged:
- before it is made: a page whose fingerprint (a digest of everything it is
  rendered from) is the one recorded for the live file, which is still the
  file that was recorded (same size, inode and modification time), is not
  rendered at all (`reuse`);
- after it is made: `settle` compares every new file with the live one and
  links the live one in where the bytes are equal.

The record of fingerprints (the manifest) is kept in the project's .cache/,
not in the site: it is not for the public.
"""
from __future__ import annotations

import filecmp
import hashlib
import json
import os
import shutil
from pathlib import Path

MANIFEST_DIR = Path(".cache") / "situs"


class Output:
    def __init__(self, live: Path, staging: Path, cache_root: Path, stamp: str):
        self.live, self.staging = live, staging
        self.stamp = stamp  # the privacy guard's version and allowed list: a new one reads every file again
        self._manifest_path = cache_root / MANIFEST_DIR / (hashlib.sha256(str(live).encode()).hexdigest()[:16] + ".json")
        manifest = _read_json(self._manifest_path)
        self._guarded = manifest.get("stamp") == stamp
        self._known: dict[str, list] = manifest.get("files", {}) if self._guarded else {}
        self._fingerprints: dict[str, str] = {}  # this build's, by file
        self._linked: set[str] = set()
        self._scanned: set[str] = set()

    def reuse(self, name: str, fingerprint: str) -> bool:
        """Link the live `name` into staging when it was made from the same
        `fingerprint` and has not been touched since."""
        known = self._known.get(name)
        if not known or not fingerprint or known[0] != fingerprint or _identity(self.live / name) != known[1:]:
            return False
        if not self._link(name):
            return False
        self._fingerprints[name] = fingerprint
        return True

    def made(self, name: str, fingerprint: str, guarded: bool = False) -> None:
        """`name` is written into staging from `fingerprint`; `guarded`: the
        privacy guard read it as it was written."""
        self._fingerprints[name] = fingerprint
        if guarded:
            self._scanned.add(name)

    def reuse_tree(self, folder: str, fingerprint: str) -> bool:
        """Link a whole live folder (the search index) when it was made from the same inputs."""
        key = folder.rstrip("/") + "/"
        known = self._known.get(key)
        source = self.live / folder
        if not known or known[0] != fingerprint or not source.is_dir():
            return False
        names = [p.relative_to(self.live).as_posix() for p in sorted(source.rglob("*")) if p.is_file()]
        if any(_identity(self.live / n) != self._known.get(n, [None])[1:] for n in names):
            return False
        if not all(self._link(n) for n in names):
            return False
        self._fingerprints[key] = fingerprint
        return True

    def made_tree(self, folder: str, fingerprint: str) -> None:
        self._fingerprints[folder.rstrip("/") + "/"] = fingerprint

    def settle(self) -> list[Path]:
        """Link in every live file whose bytes equal the new one's; the files
        that are new or changed, which the guard must read, are returned.
        With a new guard stamp every file is returned."""
        fresh = []
        for name in _files(self.staging):
            path = self.staging / name
            if name in self._scanned:
                if name not in self._linked:
                    self._relink_if_same(name)
                continue
            if name in self._linked:
                if not self._untouched(name):
                    fresh.append(path)
                continue
            if self._relink_if_same(name) and self._untouched(name):
                continue  # the bytes the guard passed in the live site
            fresh.append(path)
        return fresh

    def save(self) -> None:
        """Record what the live site (the staging folder, once swapped in) was made from."""
        files: dict[str, list] = {name: [fingerprint] for name, fingerprint in self._fingerprints.items()
                                  if name.endswith("/")}
        for name in _files(self.live):
            files[name] = [self._fingerprints.get(name, ""), *_identity(self.live / name)]
        try:
            self._manifest_path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self._manifest_path.with_suffix(f".{os.getpid()}")
            temporary.write_text(json.dumps({"stamp": self.stamp, "files": files}, sort_keys=True), encoding="utf-8")
            os.replace(temporary, self._manifest_path)
        except OSError:  # a read-only project folder: the next build renders everything
            pass

    def _relink_if_same(self, name: str) -> bool:
        """Put the live file in place of the new one when their bytes are equal."""
        old, new = self.live / name, self.staging / name
        if not old.is_file() or old.is_symlink() or not filecmp.cmp(old, new, shallow=False):
            return False
        new.unlink()
        if not self._link(name):
            shutil.copy2(old, new)
        return True

    def _untouched(self, name: str) -> bool:
        """The live file is the one the last build wrote and the guard read."""
        known = self._known.get(name)
        return bool(self._guarded and known and known[1:] == _identity(self.live / name))

    def _link(self, name: str) -> bool:
        target = self.staging / name
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(self.live / name, target)
        except OSError:  # a file system without hard links: the caller writes it
            return False
        self._linked.add(name)
        return True


def _files(root: Path) -> list[str]:
    """Every file under `root`, as names relative to it (os.walk: many files, little overhead)."""
    found = []
    for folder, _, names in os.walk(root):
        prefix = os.path.relpath(folder, root)
        found += [name if prefix == "." else f"{prefix}/{name}" for name in names]
    return sorted(found)


def _identity(path: Path) -> list:
    try:
        stat = path.stat()
    except OSError:
        return [None, None, None]
    return [stat.st_size, stat.st_ino, stat.st_mtime_ns]


def _read_json(path: Path) -> dict:
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}
