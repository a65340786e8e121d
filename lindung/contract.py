"""Contract: the sheet contract, read once from registry/schema/.

The four tabs a kecamatan editor fills in, their columns (title, type,
enumeration, help text) and, per column, what crosses the privacy boundary:
`simpan` in the schema says whether a column is kept in the snapshot as a
checked value (`ya`), as the Kemendagri code it names (`kode`), as a keyed
hash (`hash`), only for a donor who agreed to be named (`bila_tampil`), or
never (`tidak`, the default). `pribadi`
marks personal data that no message ever quotes. Every stage asks this one
object; no stage lists columns of its own. Pure JSON reading, so both sides
of the boundary may import it.
"""
from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TABS = ("peserta", "donatur", "wilayah", "santunan")
OPTIONAL_TABS = frozenset({"santunan"})
KEEP = ("ya", "kode", "hash", "bila_tampil", "tidak")

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def normalise(text: object) -> str:
    """The header rule: `Pengurus RT/RW` -> `pengurus_rt_rw`; ` Berlaku Sampai ` -> `berlaku_sampai`."""
    return _NON_ALNUM.sub("_", str(text).strip().lower()).strip("_")


@dataclass(frozen=True)
class Column:
    tab: str
    name: str
    title: str
    type: str  # string, date, number or integer (Frictionless types)
    description: str
    example: str  # what a correct cell looks like, for fix texts
    keep: str  # one of KEEP
    private: bool  # personal data: never quoted in any message
    header_required: bool  # without this column the whole tab is unusable
    enum: tuple[Any, ...] | None
    descriptor: dict[str, Any]

    @property
    def stored_name(self) -> str:
        return f"{self.name}_hash" if self.keep == "hash" else self.name

    @property
    def scanned(self) -> bool:
        """Text kept as typed (no enumeration): scanned for personal data."""
        return self.keep in ("ya", "bila_tampil") and self.type == "string" and not self.enum


@dataclass(frozen=True)
class Tab:
    name: str
    title: str
    description: str
    optional: bool
    columns: tuple[Column, ...]
    descriptor: dict[str, Any]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def kept(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.keep != "tidak")


@dataclass(frozen=True)
class Contract:
    tabs: dict[str, Tab]

    def __getitem__(self, tab: str) -> Tab:
        return self.tabs[tab]

    def stored_columns(self, tab: str) -> list[str]:
        """A snapshot CSV's header, in schema order."""
        return [c.stored_name for c in self.tabs[tab].kept]

    def stored_types(self) -> dict[str, str]:
        """Stored column name -> type, over every tab (names mean one thing everywhere)."""
        return {c.stored_name: ("string" if c.keep == "hash" else c.type)
                for tab in self.tabs.values() for c in tab.kept}

    def descriptors(self) -> dict[str, dict[str, Any]]:
        return {name: tab.descriptor for name, tab in self.tabs.items()}


@functools.cache
def load(schema_dir: Path) -> Contract:
    tabs = {}
    for name in TABS:
        descriptor = json.loads((Path(schema_dir) / f"{name}.json").read_text(encoding="utf-8"))
        columns = tuple(_column(name, spec) for spec in descriptor["fields"])
        tabs[name] = Tab(name, descriptor.get("title", name), descriptor.get("description", ""),
                         name in OPTIONAL_TABS, columns, descriptor)
    return Contract(tabs)


def _column(tab: str, spec: dict[str, Any]) -> Column:
    keep = spec.get("simpan", "tidak")
    if keep not in KEEP:
        raise ValueError(f"registry/schema/{tab}.json: {spec['name']}: simpan harus salah satu dari {KEEP}")
    enum = spec.get("constraints", {}).get("enum")
    return Column(tab, spec["name"], spec.get("title", spec["name"]), spec["type"], spec.get("description", ""),
                  str(spec.get("contoh", "")), keep, bool(spec.get("pribadi")), bool(spec.get("kolomWajib")),
                  tuple(enum) if enum else None, spec)
