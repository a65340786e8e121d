"""Render: the Jinja2 environment, its filters, and the Markdown content.

Templates get figures already computed and only format them here: numbers,
money, percentages and dates the Indonesian way with Babel's id_ID locale
(Rp16.800; 40,69%; 24 Maret 2025). Autoescaping is on for every template, so
any text that came from a sheet is shown as text, never run as HTML.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from posixpath import relpath

import markdown
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from . import charts

LOCALE = "id_ID"
NO_TARGET = "target belum diisi"


def rupiah(value: float | None) -> str:
    if value is None:
        return "–"
    return format_currency(value, "IDR", format="¤#,##0", locale=LOCALE, currency_digits=False)


def angka(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "–"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=LOCALE)


def persen(value: float | None) -> str:
    return NO_TARGET if value is None else f"{angka(value, 2)}%"


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
                       bar=charts.bar, sort_key=sort_key)
    return env


def relative(page: str, target: str) -> str:
    """A link from the page at `page` (a site path such as `wilayah/x/` or
    `404.html`) to `target`, relative so the site works from any folder."""
    base = page if page.endswith("/") or page == "" else page.rsplit("/", 1)[0] + "/" if "/" in page else ""
    link = relpath("/" + target, "/" + base)
    if target.endswith("/") or target == "":
        return "./" if link == "." else link + "/"
    return link
