"""Render: the Jinja2 environment, its filters, and the Markdown content.

Templates get figures already computed and only format them here: numbers,
money, percentages and dates the Indonesian way with Babel's id_ID locale
(Rp16.800; 40,69%; 24 Maret 2025). Autoescaping is on for every template, so
any text that came from a sheet is shown as text, never run as HTML.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from pathlib import Path
from posixpath import relpath

import markdown
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from . import charts

LOCALE = "id_ID"
NO_TARGET = "target belum diisi"

# One vocabulary for dates: the figures are computed for one day (the as-of
# date, "Angka per"); each kecamatan's data has the day its sheet was last
# read with success ("Data diambil"). Nothing else on the site is a date of
# the data.
ANGKA_PER = "Angka per"
DATA_DIAMBIL = "Data diambil"

# What the sheet contract's codes mean to a reader. Schema codes never reach a
# page: every coded value shown goes through one of these.
SUMBER_DANA = {"mandiri": "Bayar sendiri (mandiri)", "APBD": "APBD (anggaran daerah)",
               "donatur": "Donatur", "CSR": "CSR perusahaan"}
SEGMEN = {"pekerja rentan": "Pekerja rentan", "pengurus RT/RW": "Pengurus RT/RW"}
JENIS_DONATUR = {"PNS": "PNS", "OPD": "Kantor pemerintah (OPD)", "perusahaan": "Perusahaan",
                 "perorangan": "Perorangan", "komunitas": "Komunitas"}
SANTUNAN = {"JKK": "JKK (kecelakaan kerja)", "JKM": "JKM (kematian)", "JHT": "JHT (hari tua)",
            "JP": "JP (pensiun)", "beasiswa": "Beasiswa anak (JKM/JKK)"}
BERLAKU_UNTUK = {"bpu": "Bukan penerima upah",
                 "bpu_mandiri": "Bukan penerima upah, bayar sendiri (bukan APBN/APBD)",
                 "penerima_upah": "Penerima upah"}
_PENGHASILAN = re.compile(r"penghasilan_(\d+)")


def komponen(code: str | None) -> str:
    """A rate's basis in words: `penghasilan_1000000` is 'dihitung dari
    penghasilan Rp1.000.000'; `iuran_tetap` 'iuran tetap'."""
    if not code:
        return ""
    found = _PENGHASILAN.fullmatch(code)
    if found:
        return f"dihitung dari penghasilan {rupiah(int(found[1]))} sebulan"
    return code.replace("_", " ")


def label(table: dict[str, str], code) -> str:
    """A coded value in words; an unknown code with its underscores spaced out."""
    return table.get(code, str(code).replace("_", " ")) if code is not None else ""


# Babel's formatting is exact but slow (~50 µs a call), and a site formats the
# same few thousand numbers and dates tens of thousands of times: remembered.
@functools.lru_cache(maxsize=65536)
def rupiah(value: float | None) -> str:
    if value is None:
        return "–"
    return format_currency(value, "IDR", format="¤#,##0", locale=LOCALE, currency_digits=False)


@functools.lru_cache(maxsize=65536)
def angka(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "–"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=LOCALE)


def persen(value: float | None) -> str:
    return NO_TARGET if value is None else f"{angka(value, 2)}%"


@functools.lru_cache(maxsize=65536)
def tanggal(value: dt.date | str | None, pattern: str = "d MMMM y") -> str:
    if value is None:
        return "–"
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return format_date(value, format=pattern, locale=LOCALE)


def perubahan(value: int) -> Markup:
    """A 30-day change as an arrow and a number, readable without colour."""
    if value > 0:
        return Markup('<span class="naik" title="naik">▲&#8239;{}</span>').format(angka(value))
    if value < 0:
        return Markup('<span class="turun" title="turun">▼&#8239;{}</span>').format(angka(-value))
    return Markup('<span class="tetap" title="tetap">=&#8239;0</span>')


_URL = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:)]")


def tautkan(text: str | None) -> Markup:
    """Plain text from the registry, escaped, with its web addresses as links."""
    if not text:
        return Markup("")
    parts, last = [], 0
    for found in _URL.finditer(text):
        parts.append(escape(text[last:found.start()]))
        parts.append(Markup('<a href="{0}">{0}</a>').format(found.group()))
        last = found.end()
    parts.append(escape(text[last:]))
    return Markup("").join(parts)


def sort_key(value: float | int | None) -> str:
    """A cell's value for the sortable tables' script: plain digits with a
    dot, empty where there is nothing to compare (sorted last)."""
    if value is None:
        return ""
    return charts.number(value) if isinstance(value, float) else str(value)


@dataclass(frozen=True)
class Content:
    """One Markdown page from content/: its metadata and its HTML body."""

    slug: str
    meta: dict[str, str]
    html: Markup


def read_content(path: Path) -> Content:
    converter = markdown.Markdown(extensions=["meta", "tables", "sane_lists", "attr_list"],
                                  output_format="html")
    html = converter.convert(path.read_text(encoding="utf-8"))
    meta = {key: " ".join(values).strip() for key, values in converter.Meta.items()}
    return Content(path.stem, meta, Markup(html))


_SITE_LINK = re.compile(r'href="/([^"/][^"]*|)"')


def rebase(html: Markup, url) -> Markup:
    """Content links written from the site root (`/program/jkk/`) made
    relative to the page they appear on, like every other link."""
    return Markup(_SITE_LINK.sub(lambda m: f'href="{url(m[1])}"', str(html)))


def environment(templates: Path) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(templates)),
        autoescape=select_autoescape(["html", "xml"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(rebase=rebase, rupiah=rupiah, angka=angka, persen=persen, tanggal=tanggal, perubahan=perubahan,
                       bar=charts.bar, sort_key=sort_key, komponen=komponen, tautkan=tautkan)
    env.globals.update(kata=dict(angka_per=ANGKA_PER, data_diambil=DATA_DIAMBIL, sumber_dana=SUMBER_DANA,
                                 segmen=SEGMEN, jenis_donatur=JENIS_DONATUR, santunan=SANTUNAN,
                                 berlaku_untuk=BERLAKU_UNTUK), label=label)
    return env


def relative(page: str, target: str) -> str:
    """A link from the page at `page` (a site path such as `wilayah/x/` or
    `404.html`) to `target`, relative so the site works from any folder."""
    base = page if page.endswith("/") or page == "" else page.rsplit("/", 1)[0] + "/" if "/" in page else ""
    link = relpath("/" + target, "/" + base)
    if target.endswith("/") or target == "":
        return "./" if link == "." else link + "/"
    return link
