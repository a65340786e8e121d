"""Wilayah: the official Kemendagri list of provinces, kabupaten/kota,
kecamatan and kelurahan/desa (registry/wilayah/, ODbL), and matching what
editors type to it.

registry/wilayah/ holds all of Indonesia, one CSV per level as published
(code, the parent's code, name); `load` keeps only the provinces chosen in
lindung.toml, picking their lines by code prefix before any CSV parsing, so
one province out of 83,762 villages loads in a few tens of milliseconds.

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

    @property
    def provinsi_kode(self) -> str:
        return self.kode.split(".", 1)[0]


@dataclass(frozen=True)
class Wilayah:
    kabupaten: dict[str, str]  # kode -> official name
    kecamatan: dict[str, Kecamatan]
    aliases: dict[tuple[str, str], str]  # (parent kode, folded typed name) -> kode
    provinsi: dict[str, str] = field(default_factory=dict)  # the chosen provinces: kode -> official name
    provinsi_resmi: dict[str, str] = field(default_factory=dict)  # every province in the list
    _indexes: dict[str, dict[str, Kelurahan]] = field(default_factory=dict, repr=False, compare=False)
    _everywhere: dict[str, set[str]] | None = field(default=None, repr=False, compare=False)

    @property
    def nama(self) -> str:
        """What the site calls the whole it covers: the province's name; with
        several, "Indonesia" when all are chosen, their names when up to
        three, else "N provinsi"."""
        return name_of(list(self.provinsi.values()), len(self.provinsi_resmi))

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


def name_of(names: list[str], official: int) -> str:
    if len(names) == 1:
        return names[0]
    if len(names) == official:
        return "Indonesia"
    if len(names) <= 3:
        return ", ".join(names[:-1]) + " dan " + names[-1]
    return f"{len(names)} provinsi"


def provinces(directory: Path) -> dict[str, str]:
    """Every province in the list: kode -> official name."""
    return {row[0]: row[1] for row in _rows(directory / "provinces.csv")}


def _rows(path: Path, prefixes: tuple[str, ...] = ()) -> list[list[str]]:
    """A list file's rows without its header; with `prefixes`, only the lines
    whose code (the first column) starts with one. The lists are sorted by
    code, so each prefix's lines lie between its first and last occurrence:
    only that span is split and checked, not the whole country."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        text = handle.read()
    if not prefixes:
        return list(csv.reader(text.splitlines()[1:]))
    lines: list[str] = []
    for prefix in prefixes:
        first = text.find("\n" + prefix)
        if first < 0:
            continue
        end = text.find("\n", text.rfind("\n" + prefix) + 1)
        span = text[first + 1:end if end >= 0 else len(text)]
        lines += [line for line in span.splitlines() if line.startswith(prefix)]
    return list(csv.reader(lines))


def load(directory: Path, provinsi: tuple[str, ...] | list[str] = ()) -> Wilayah:
    """The chosen provinces of the list (all when none are given)."""
    every = provinces(directory)
    chosen = {kode: every[kode] for kode in sorted(provinsi or every) if kode in every}
    prefixes = tuple(f"{kode}." for kode in chosen)
    kabupaten = {code: name for code, _, name in _rows(directory / "regencies.csv", prefixes)}
    villages: dict[str, list[Kelurahan]] = {}
    for code, district, name in _rows(directory / "villages.csv", prefixes):
        # The last part of a village code starts with 1 for a kelurahan (wilayah README).
        villages.setdefault(district, []).append(
            Kelurahan(code, name, "kelurahan" if code.rsplit(".", 1)[1].startswith("1") else "desa"))
    kecamatan = {
        code: Kecamatan(
            kode=code,
            nama=name,
            kabupaten_kode=regency,
            kabupaten_nama=kabupaten[regency],
            kelurahan=tuple(sorted(villages.get(code, []), key=lambda k: k.kode)),
        )
        for code, regency, name in _rows(directory / "districts.csv", prefixes)
    }
    aliases: dict[tuple[str, str], str] = {}
    if (directory / "alias.csv").exists():
        with open(directory / "alias.csv", newline="", encoding="utf-8-sig") as handle:  # may come from Excel
            for row in csv.DictReader(handle):
                kode = row["kode"]  # a kecamatan or a kelurahan; its parent scopes the alias
                aliases[(kode.rsplit(".", 1)[0], _fold(row["alias"]))] = kode
    return Wilayah(kabupaten, kecamatan, aliases, chosen, every)
