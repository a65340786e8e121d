"""Wilayah: the official Kemendagri list of kabupaten/kota, kecamatan and
kelurahan/desa (registry/wilayah/, ODbL), and matching what editors type to it.

A kelurahan is matched by code first (`33.74.15.1001` or `3374151001`), then by
its name with case, spacing and punctuation folded away (so `Gajah Mungkur`
finds `Gajahmungkur`), then through registry/wilayah/alias.csv for spellings
that folding cannot reach. Only kelurahan of the sheet's own kecamatan match.
"""
from __future__ import annotations

import csv
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

from .contract import normalise

_PREFIX = re.compile(r"^(kelurahan|kel|desa|ds)\b\.?\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Kelurahan:
    kode: str
    nama: str
    jenis: str  # kelurahan | desa


@dataclass(frozen=True)
class Kecamatan:
    kode: str
    nama: str
    kabupaten_kode: str
    kabupaten_nama: str
    kelurahan: tuple[Kelurahan, ...]


@dataclass(frozen=True)
class Wilayah:
    kabupaten: dict[str, str]  # kode -> official name
    kecamatan: dict[str, Kecamatan]
    aliases: dict[tuple[str, str], str]  # (parent kode, folded typed name) -> kode
    _indexes: dict[str, dict[str, Kelurahan]] = field(default_factory=dict, repr=False, compare=False)
    _everywhere: dict[str, set[str]] | None = field(default=None, repr=False, compare=False)

    def match_kelurahan(self, kecamatan_kode: str, typed: object) -> Kelurahan | None:
        if typed is None or kecamatan_kode not in self.kecamatan:
            return None
        text = str(int(typed)) if isinstance(typed, float) and typed.is_integer() else str(typed)
        index = self._index(kecamatan_kode)
        digits = re.sub(r"\D", "", text)
        if len(digits) == 10 and digits in index:
            return index[digits]
        return index.get(_fold(text))

    def _index(self, kecamatan_kode: str) -> dict[str, Kelurahan]:
        """Code digits, folded names and aliases of one kecamatan's kelurahan."""
        if kecamatan_kode not in self._indexes:
            index: dict[str, Kelurahan] = {}
            by_kode = {}
            for kelurahan in self.kecamatan[kecamatan_kode].kelurahan:
                by_kode[kelurahan.kode] = kelurahan
                index[kelurahan.kode.replace(".", "")] = kelurahan
                index.setdefault(_fold(kelurahan.nama), kelurahan)
            for (parent, folded), kode in self.aliases.items():
                if parent == kecamatan_kode and kode in by_kode:
                    index.setdefault(folded, by_kode[kode])
            self._indexes[kecamatan_kode] = index
        return self._indexes[kecamatan_kode]

    def suggest(self, kecamatan_kode: str, typed: object, n: int = 3) -> list[str]:
        """Official names of this kecamatan's kelurahan nearest to a name that
        matched none, for the editor's fix text (official names are public)."""
        if typed is None or kecamatan_kode not in self.kecamatan:
            return []
        names = {_fold(k.nama): k.nama for k in self.kecamatan[kecamatan_kode].kelurahan}
        close = difflib.get_close_matches(_fold(str(typed)), list(names), n=n, cutoff=0.6)
        return [names[c] for c in close]

    def home_of(self, typed: object) -> set[str]:
        """Kecamatan (codes) that have a kelurahan of this name or code."""
        if typed is None:
            return set()
        if self._everywhere is None:
            everywhere: dict[str, set[str]] = {}
            for kecamatan in self.kecamatan.values():
                for kelurahan in kecamatan.kelurahan:
                    everywhere.setdefault(_fold(kelurahan.nama), set()).add(kecamatan.kode)
                    everywhere.setdefault(kelurahan.kode.replace(".", ""), set()).add(kecamatan.kode)
            object.__setattr__(self, "_everywhere", everywhere)
        text = str(int(typed)) if isinstance(typed, float) and typed.is_integer() else str(typed)
        digits = re.sub(r"\D", "", text)
        return self._everywhere.get(digits if len(digits) == 10 else _fold(text), set())

    def names_kecamatan(self, kode: str, typed: str) -> bool:
        """Whether `typed` (from sources.csv) names the official kecamatan `kode`."""
        kecamatan = self.kecamatan[kode]
        folded = _fold(typed)
        return folded == _fold(kecamatan.nama) or self.aliases.get(
            (kecamatan.kabupaten_kode, folded)
        ) == kode


def _fold(name: str) -> str:
    return normalise(_PREFIX.sub("", name.strip())).replace("_", "")


def load(directory: Path) -> Wilayah:
    def rows(name: str) -> list[dict[str, str]]:
        with open(directory / name, newline="", encoding="utf-8-sig") as handle:  # alias.csv may come from Excel
            return list(csv.DictReader(handle))

    kabupaten = {row["code"]: row["name"] for row in rows("regencies.csv")}
    villages: dict[str, list[Kelurahan]] = {}
    for row in rows("villages.csv"):
        villages.setdefault(row["district_code"], []).append(
            Kelurahan(row["code"], row["name"], row["type"])
        )
    kecamatan = {
        row["code"]: Kecamatan(
            kode=row["code"],
            nama=row["name"],
            kabupaten_kode=row["regency_code"],
            kabupaten_nama=row["regency_name"],
            kelurahan=tuple(sorted(villages.get(row["code"], []), key=lambda k: k.kode)),
        )
        for row in rows("districts.csv")
    }
    aliases: dict[tuple[str, str], str] = {}
    for row in rows("alias.csv") if (directory / "alias.csv").exists() else []:
        kode = row["kode"]  # a kecamatan or a kelurahan; its parent scopes the alias
        aliases[(kode.rsplit(".", 1)[0], _fold(row["alias"]))] = kode
    return Wilayah(kabupaten, kecamatan, aliases)
