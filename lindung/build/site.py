"""Site: the page list, written whole or not at all.

`build` renders every page into a staging folder beside the output, writes
the published data, sitemap, robots.txt and the search index, runs the
privacy guard over every file (and over the decoded search index), and only
then swaps the staging folder in, in one step (lindung.store.atomic). A
failed build, a killed one, or one the guard stops, leaves the last site in
place, whole. Nothing here reads a clock or the
network: the same inputs give byte-identical output.
"""
from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .. import privacy
from ..store import atomic
from . import charts, kalkulator, published, search
from .aggregate import Figures, rank
from ..config import Config
from .render import Content, environment, read_content, relative


# The province-wide kelurahan leaderboard shows the top of the list only: all
# 8,563 kelurahan of Jawa Tengah on one page would be megabytes on a phone.
# Every kelurahan is on its kecamatan's page and in data/kelurahan.csv.
KELURAHAN_TOP = 100
OG_IMAGE = "static/og.png"  # the share card, drawn by `python -m lindung.ogimage`


class BuildError(Exception):
    pass


@dataclass(frozen=True)
class Page:
    path: str  # site path: "" for home, "peringkat/" for a folder page, "404.html"
    template: str
    title: str
    description: str
    context: dict[str, Any] = field(default_factory=dict)
    in_sitemap: bool = True
    in_search: bool = True  # its main region goes into the search index

    @property
    def file(self) -> str:
        return self.path + "index.html" if self.path.endswith("/") or self.path == "" else self.path


def pages(config: Config, figures: Figures, programs: list[Content], texts: dict[str, Content]) -> list[Page]:
    site = config.site
    calculator = kalkulator.build(config, figures.as_of)
    result = [
        Page("", "home.html", site.title, site.description,
             {"leaders": rank(figures.kecamatan)[:10], "grafik": _chart(figures.seri)}),
        Page("program/", "program_index.html", "Program perlindungan",
             "Program BPJS Ketenagakerjaan yang bisa diikuti pekerja informal, iurannya, dan cara ikut.",
             {"kalkulator": calculator}),
        Page("cari/", "cari.html", "Cari", "Cari kecamatan, kelurahan/desa, program atau donatur.", {},
             in_sitemap=False, in_search=False),
        Page("peringkat/", "peringkat.html", "Peringkat cakupan",
             "Peringkat cakupan perlindungan pekerja rentan per kabupaten/kota dan kecamatan.",
             {"kabupaten_rank": rank(figures.kabupaten), "kecamatan_rank": rank(figures.kecamatan)}),
        Page("peringkat/kelurahan/", "peringkat_kelurahan.html", "Peringkat cakupan per kelurahan/desa",
             f"{KELURAHAN_TOP} kelurahan/desa dengan cakupan perlindungan pekerja rentan tertinggi.",
             {"kelurahan_rank": rank(figures.kelurahan)[:KELURAHAN_TOP],
              "kelurahan_total": len(figures.kelurahan)}),
        Page("wilayah/", "wilayah.html", "Wilayah", "Cakupan per kabupaten/kota dan kecamatan.", {}),
        Page("donatur/", "donatur.html", "Donatur",
             "Terima kasih kepada yang membayar iuran perlindungan bagi pekerja rentan.", {}),
        Page("data/", "data.html", "Data terbuka",
             "Angka yang diterbitkan situs ini sebagai CSV dengan datapackage.json.",
             {"files": published.FILES}),
        Page("status/", "status.html", "Status data",
             "Seberapa baru data tiap kecamatan dan apa yang menunggu perbaikan.",
             {"kecamatan_list": figures.kecamatan}, in_search=False),
        Page("404.html", "404.html", "Halaman tidak ditemukan", site.description, {}, in_sitemap=False,
             in_search=False),
    ]
    for program in programs:
        informal = program.meta.get("untuk") != "penerima upah"
        result.append(Page(f"program/{program.slug}/", "program.html", program.meta.get("judul", program.slug),
                           program.meta.get("ringkas", ""),
                           {"content": program, "kalkulator": calculator if informal else None}))
    for slug, text in sorted(texts.items()):
        result.append(Page(f"{slug}/", "teks.html", text.meta.get("judul", slug), text.meta.get("ringkas", ""),
                           {"content": text}))
    for kabupaten in figures.kabupaten:
        result.append(Page(kabupaten.place.path, "kabupaten.html", kabupaten.place.nama,
                           f"Cakupan perlindungan pekerja rentan di {kabupaten.place.nama}.",
                           {"kabupaten": kabupaten, "kecamatan_rank": rank(kabupaten.kecamatan),
                            "grafik": _chart(kabupaten.seri)}))
        for kecamatan in kabupaten.kecamatan:
            result.append(Page(kecamatan.place.path, "kecamatan.html",
                               f"Kecamatan {kecamatan.place.nama}, {kabupaten.place.nama}",
                               f"Cakupan perlindungan pekerja rentan di Kecamatan {kecamatan.place.nama}, "
                               f"{kabupaten.place.nama}, per kelurahan/desa.",
                               {"kabupaten": kabupaten, "kecamatan": kecamatan,
                                "kelurahan_rank": rank(kecamatan.kelurahan),
                                "grafik": _chart(kecamatan.seri)}))
    paths = [p.path for p in result]
    duplicated = {p for p in paths if paths.count(p) > 1}
    if duplicated:
        raise BuildError(f"Dua halaman memakai alamat yang sama: {', '.join(sorted(duplicated))}")
    return result


def _chart(series) -> charts.LineChart | None:
    return charts.line_chart(series) if series else None  # no kecamatan listed yet: no line


def load_content(config: Config) -> tuple[list[Content], dict[str, Content]]:
    program_dir = config.content_dir / "program"
    programs = [read_content(p) for p in sorted(program_dir.glob("*.md"))]
    programs.sort(key=lambda c: (int(c.meta.get("urutan", "99")), c.slug))
    texts = {p.stem: read_content(p) for p in sorted(config.content_dir.glob("*.md"))}
    return programs, texts


def build(config: Config, figures: Figures, out: Path) -> list[Page]:
    programs, texts = load_content(config)
    page_list = pages(config, figures, programs, texts)
    out = out.resolve()
    staging = atomic.staging(out, mode=0o755)  # a web server must read it
    try:
        _write_pages(config, figures, page_list, programs, staging)
        published.write(staging / "data", config, figures)
        _write_sitemap(config, figures, page_list, staging)
        search.index(staging)
        findings = privacy.scan(staging) + _scan_index(staging)
        if findings:
            raise BuildError("Pemeriksa privasi menghentikan build; situs lama tetap dipakai:\n"
                             + "\n".join(f"  {f}" for f in findings))
        atomic.replace(staging, out)
    except search.SearchError as error:
        raise BuildError(str(error)) from error
    finally:
        atomic.remove(staging)  # a failed build's half; after the swap, nothing is left there
    return page_list


def recover(out: Path) -> None:
    """What a killed build left beside `out`: staging folders are removed, a
    retired site without its live one is put back. Under the build's lock."""
    atomic.recover(out.resolve().parent, out.resolve().name)


def _scan_index(staging: Path) -> list[str]:
    """The privacy guard over the search index as text: Pagefind stores
    pages compressed, which the guard would otherwise skip."""
    with tempfile.TemporaryDirectory(prefix=".lindung-index-") as plain:
        search.write_plain(staging, Path(plain))
        return [f"{search.BUNDLE}/(indeks) {finding}" for finding in privacy.scan(Path(plain))]


def _write_pages(config, figures, page_list, programs, staging: Path) -> None:
    env = environment(config.templates_dir)
    base_path = urlsplit(config.site.base_url).path or "/"
    nav = [("", "Beranda"), ("program/", "Program"), ("peringkat/", "Peringkat"), ("wilayah/", "Wilayah"),
           ("donatur/", "Donatur"), ("data/", "Data"), ("status/", "Status")]
    for page in page_list:
        if page.path == "404.html":  # served at any address: links from the site root
            def url(target: str) -> str:
                return base_path + target
        else:
            def url(target: str, _from=page.path) -> str:
                return relative(_from, target)
        html = env.get_template(page.template).render(
            page=page, site=config.site, figures=figures, nav=nav, programs=programs, url=url,
            canonical=config.site.base_url + page.path, iuran=config.iuran, daerah=config.daerah,
            og_image=config.site.base_url + OG_IMAGE,
            **page.context)
        target = staging / page.file
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
    static = config.templates_dir / "static"
    if static.exists():
        shutil.copytree(static, staging / "static")


def _write_sitemap(config, figures, page_list, staging: Path) -> None:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for page in sorted(page_list, key=lambda p: p.path):
        if page.in_sitemap:
            lines.append(f"  <url><loc>{config.site.base_url}{page.path}</loc>"
                         f"<lastmod>{figures.as_of.isoformat()}</lastmod></url>")
    lines.append("</urlset>")
    (staging / "sitemap.xml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (staging / "robots.txt").write_text(
        f"User-agent: *\nAllow: /\nSitemap: {config.site.base_url}sitemap.xml\n", encoding="utf-8")

