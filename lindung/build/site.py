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

import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from html import unescape
from urllib.parse import urlsplit

from .. import privacy
from ..store import atomic
from . import charts, kalkulator, ogimage, output, pagewriter, published, search
from .aggregate import PEKERJA_RENTAN, Coverage, Figures, Kabupaten, Kecamatan, Place, Provinsi, rank
from ..config import Config, Site
from .render import ANGKA_PER, Content, angka, environment, persen, read_content, relative, tanggal
from .slug import slugify


# The site-wide kelurahan leaderboard shows the top of the list only: the
# 8,563 kelurahan of one province on one page would be megabytes on a phone.
# Every kelurahan is on its kecamatan's page and in data/kelurahan.csv.
KELURAHAN_TOP = 100
OG_IMAGE = "static/og.png"  # the general share card, drawn by `python -m lindung.build.ogimage`
CARDS = "static/kartu"  # each place's own share card, drawn at build time
CARD_CACHE = Path(".cache") / "kartu"  # under the project folder (git-ignored): cards already drawn
TERLINDUNGI = "pekerja rentan terlindungi"

# The menu: the two actions first, shown as buttons, then the site's parts.
NAV = (("daftar/", "Daftar", True), ("jadi-donatur/", "Jadi donatur", True), ("program/", "Program", False),
       ("peringkat/", "Peringkat", False), ("wilayah/", "Wilayah", False), ("donatur/", "Donatur", False),
       ("data/", "Data", False), ("status/", "Status", False))


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
    share_title: str = ""  # og:title, when the shared title says more than the page title
    card: ogimage.Card | None = None  # the page's own share card, with its figure
    card_name: str = ""  # the card's file name where the path gives none (the home page: the whole's name)

    @property
    def file(self) -> str:
        return self.path + "index.html" if self.path.endswith("/") or self.path == "" else self.path

    @property
    def card_path(self) -> str:
        if self.card is None:
            return OG_IMAGE
        return f"{CARDS}/{slugify(self.path) if self.path else slugify(self.card_name)}.png"


@dataclass(frozen=True)
class Induk:
    """A page's province for its breadcrumbs: name and address only."""

    place: Place


@dataclass(frozen=True)
class Kontak:
    """The site's owner and contact from lindung.toml, ready for the footer
    and /tentang/. Published on purpose: the guard is told to let them be."""

    owner: str
    owner_url: str
    email: str
    phone: str
    whatsapp: str  # https://wa.me/62…, from the phone number

    @property
    def allowed(self) -> tuple[str, ...]:
        return tuple(t for t in (self.email, self.phone, self.whatsapp) if t)


def kontak(site: Site) -> Kontak:
    digits = "".join(ch for ch in site.contact_phone if ch.isdigit())
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    return Kontak(site.owner.strip(), site.owner_url.strip(), site.contact_email.strip(), site.contact_phone.strip(),
                  f"https://wa.me/{digits}" if digits else "")


def _summary(place: Place, funded: int, donors: int, where: str, as_of) -> str:
    """A page's description, with its numbers: what a shared link says."""
    c = place.rentan
    text = f"{angka(c.aktif)} {TERLINDUNGI} BPJS Ketenagakerjaan di {where}"
    if c.persen is not None:
        text += f": cakupan {persen(c.persen)} dari target {angka(c.target)} yang ditetapkan kantor kecamatan."
    else:
        text += "; target pekerja rentan belum diisi."
    if funded:
        text += f" {angka(funded)} pekerja dibiayai {angka(donors)} donatur."
    return text + f" {ANGKA_PER} {tanggal(as_of)}."


def _card(place: Place, funded: int, donors: int, where: str, as_of) -> ogimage.Card:
    c = place.rentan
    first = (f"Cakupan {persen(c.persen)} dari target {angka(c.target)} pekerja rentan" if c.persen is not None
             else "Target pekerja rentan belum diisi")
    second = (f"{angka(funded)} pekerja dibiayai donatur · " if funded else "") + f"{ANGKA_PER} {tanggal(as_of)}"
    return ogimage.Card(where, angka(c.aktif), TERLINDUNGI, c.persen / 100 if c.persen is not None else None,
                        (first, second))


def pages(config: Config, figures: Figures, programs: list[Content], texts: dict[str, Content]) -> list[Page]:
    calculator = kalkulator.build(config, figures.as_of)
    as_of, prov, scope = figures.as_of, figures.provinsi, figures.jangkauan
    donors = figures.rincian.donatur
    home_where = (f"{angka(scope.kecamatan_berdata)} dari {angka(scope.kecamatan_resmi)} kecamatan {prov.nama} "
                  "yang sudah mengirim data")
    result = [
        Page("", "home.html", f"Perlindungan pekerja rentan di {prov.nama}",
             _summary(prov, donors.pekerja, donors.donatur, home_where, as_of),
             {"leaders": rank(figures.kecamatan)[:10], "grafik": _chart(figures.seri)},
             share_title=f"{angka(prov.rentan.aktif)} {TERLINDUNGI} BPJS Ketenagakerjaan di {prov.nama}",
             card=_card(prov, donors.pekerja, donors.donatur,
                        f"{prov.nama}: {angka(scope.kecamatan_berdata)} dari {angka(scope.kecamatan_resmi)} "
                        "kecamatan sudah mengirim data", as_of), card_name=prov.nama),
        Page("program/", "program_index.html", "Program perlindungan",
             "Program BPJS Ketenagakerjaan yang bisa diikuti pekerja informal, iurannya, dan cara ikut.",
             {"kalkulator": calculator}),
        Page("cari/", "cari.html", "Cari", "Cari kecamatan, kelurahan/desa, program atau donatur.", {},
             in_sitemap=False, in_search=False),
        Page("peringkat/", "peringkat.html", "Peringkat cakupan",
             "Peringkat cakupan perlindungan pekerja rentan per kabupaten/kota dan kecamatan.",
             {"kabupaten_rank": rank(figures.kabupaten), "kecamatan_rank": rank(figures.kecamatan),
              "provinsi_rank": rank(figures.daftar_provinsi) if figures.banyak_provinsi else []}),
        Page("peringkat/kelurahan/", "peringkat_kelurahan.html", "Peringkat cakupan per kelurahan/desa",
             f"{KELURAHAN_TOP} kelurahan/desa dengan cakupan perlindungan pekerja rentan tertinggi.",
             {"kelurahan_rank": rank(figures.kelurahan)[:KELURAHAN_TOP],
              "kelurahan_total": len(figures.kelurahan)}),
        Page("wilayah/", "wilayah.html", "Wilayah",
             f"Cakupan per kabupaten/kota dan kecamatan; {home_where}.", {}),
        Page("donatur/", "donatur.html", "Donatur",
             f"{angka(donors.donatur)} donatur membayar iuran {angka(donors.pekerja)} pekerja yang terlindungi "
             f"BPJS Ketenagakerjaan di {prov.nama}. {ANGKA_PER} {tanggal(as_of)}.", {}),
        Page("data/", "data.html", "Data terbuka",
             "Angka yang diterbitkan situs ini sebagai CSV dengan datapackage.json.",
             {"files": published.files(figures)}),
        Page("status/", "status.html", "Status data",
             "Kapan data tiap kecamatan diambil dan apa yang menunggu perbaikan.",
             {"kecamatan_list": figures.kecamatan}, in_search=False),
        Page("404.html", "404.html", "Halaman tidak ditemukan", config.site.description, {}, in_sitemap=False,
             in_search=False),
    ]
    for program in programs:
        informal = program.meta.get("untuk") != "penerima upah"
        result.append(Page(f"program/{program.slug}/", "program.html", program.meta.get("judul", program.slug),
                           program.meta.get("ringkas", ""),
                           {"content": program, "kalkulator": calculator if informal else None}))
    for slug, text in sorted(texts.items()):
        result.append(Page(f"{slug}/", "teks.html", text.meta.get("judul", slug), text.meta.get("ringkas", ""),
                           {"content": text, "pengelola": slug == "tentang"}))
    if figures.banyak_provinsi:
        for provinsi in figures.daftar_provinsi:
            result.append(_provinsi_page(provinsi, as_of))
            for kabupaten in provinsi.kabupaten:
                result += _kabupaten_pages(kabupaten, as_of, provinsi)
    else:
        for kabupaten in figures.kabupaten:
            result += _kabupaten_pages(kabupaten, as_of)
    paths = [p.path for p in result]
    duplicated = {p for p in paths if paths.count(p) > 1}
    if duplicated:
        raise BuildError(f"Dua halaman memakai alamat yang sama: {', '.join(sorted(duplicated))}")
    return result


def _provinsi_page(provinsi: Provinsi, as_of) -> Page:
    """A province's page, when the site covers several: its kabupaten/kota."""
    where = f"Provinsi {provinsi.place.nama}"
    d = provinsi.rincian.donatur
    return Page(provinsi.place.path, "provinsi.html", where,
                _summary(provinsi.place, d.pekerja, d.donatur, where, as_of),
                {"provinsi": provinsi, "kabupaten_rank": rank(provinsi.kabupaten), "grafik": _chart(provinsi.seri)},
                card=_card(provinsi.place, d.pekerja, d.donatur, where, as_of))


def _kabupaten_pages(kabupaten: Kabupaten, as_of, provinsi: Provinsi | None = None) -> list[Page]:
    """A kabupaten/kota's pages; `provinsi` when the site covers several, for the breadcrumbs."""
    name = kabupaten.place.nama
    d = kabupaten.rincian.donatur
    # The breadcrumbs need the province's name and address, not its figures: a page of
    # one place is not rendered again because a figure elsewhere in its province changed.
    provinsi = Induk(Place(provinsi.place.kode, provinsi.place.nama, provinsi.place.tingkat, provinsi.place.path,
                           Coverage(), Coverage())) if provinsi else None
    result = [
        Page(kabupaten.place.path, "kabupaten.html", name, _summary(kabupaten.place, d.pekerja, d.donatur, name, as_of),
             {"kabupaten": kabupaten, "kecamatan_rank": rank(kabupaten.kecamatan), "grafik": _chart(kabupaten.seri),
              "donatur_path": kabupaten.donatur_path, "provinsi": provinsi},
             card=_card(kabupaten.place, d.pekerja, d.donatur, name, as_of)),
        Page(kabupaten.donatur_path, "donatur_kabupaten.html", f"Donatur di {name}",
             f"{angka(d.donatur)} donatur membayar iuran {angka(d.pekerja)} pekerja yang terlindungi "
             f"BPJS Ketenagakerjaan di {name}. {ANGKA_PER} {tanggal(as_of)}.",
             {"kabupaten": kabupaten, "provinsi": provinsi}),
    ]
    for kecamatan in kabupaten.kecamatan:
        where = f"Kecamatan {kecamatan.place.nama}, {name}"
        k = kecamatan.rincian.donatur
        result.append(Page(kecamatan.place.path, "kecamatan.html", where,
                           _summary(kecamatan.place, k.pekerja, k.donatur, where, as_of),
                           {"kabupaten": kabupaten, "kecamatan": kecamatan,
                            "kelurahan_rank": rank(kecamatan.kelurahan), "grafik": _chart(kecamatan.seri),
                            "donatur_path": kabupaten.donatur_path, "provinsi": provinsi},
                           card=_card(kecamatan.place, k.pekerja, k.donatur, where, as_of)))
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
    contact = kontak(config.site)
    out = out.resolve()
    staging = atomic.staging(out, mode=0o755)  # a web server must read it
    written = output.Output(out, staging, config.root, privacy.stamp(contact.allowed))
    try:
        entries = search_records(page_list)
        findings = _scan_records(entries, contact.allowed)
        if not findings:
            with _indexing(staging, entries, written):  # Pagefind works on another core meanwhile
                findings = _write_pages(config, figures, page_list, programs, texts, contact, written)
                _write_cards(config, page_list, written)
                published.write(staging / "data", config, figures)
                _write_sitemap(config, figures, page_list, staging)
            findings += privacy.scan_files(staging, written.settle(), allowed=contact.allowed)
        if findings:
            raise BuildError("Pemeriksa privasi menghentikan build; situs lama tetap dipakai:\n"
                             + "\n".join(f"  {f}" for f in findings))
        atomic.replace(staging, out)
        written.save()
    except search.SearchError as error:
        raise BuildError(str(error)) from error
    finally:
        atomic.remove(staging)  # a failed build's half; after the swap, nothing is left there
    return page_list


def recover(out: Path) -> None:
    """What a killed build left beside `out`: staging folders are removed, a
    retired site without its live one is put back. Under the build's lock."""
    atomic.recover(out.resolve().parent, out.resolve().name)


@contextmanager
def _indexing(staging: Path, entries: list[search.Record], written: output.Output) -> Iterator[None]:
    """The search index: the live one when its records are the same, else made anew while the block runs."""
    made_from = search.fingerprint(entries)
    if written.reuse_tree(search.BUNDLE, made_from):
        yield
        return
    with search.indexing(staging, entries):
        yield
    written.made_tree(search.BUNDLE, made_from)


def _scan_records(entries: list[search.Record], allowed: tuple[str, ...]) -> list[str]:
    """The privacy guard over the search records, before anything is indexed."""
    findings = []
    for entry in entries:
        name = entry.url.lstrip("/")
        name = f"{name}index.html" if not name or name.endswith("/") else name
        findings += privacy.scan_lines(f"{name} (indeks pencarian)", [entry.title, entry.content], allowed=allowed)
    return findings


def search_records(page_list: list[Page]) -> list[search.Record]:
    """What each searchable page is found by: its title and the names it
    lists (kelurahan/desa, kecamatan, donors) or its own text, all shown on
    the page; no figure, so new figures leave the index as it was."""
    found = []
    for page in page_list:
        if not page.in_search:
            continue
        context = page.context
        title, names = page.title, []
        if "kecamatan" in context:  # the page's heading names the kecamatan alone; its kabupaten follows
            title = f"Kecamatan {context['kecamatan'].place.nama}"
            names = [context["kabupaten"].place.nama] + [k.nama for k in context["kecamatan"].kelurahan]
        elif page.template == "provinsi.html":
            names = [k.place.nama for k in context["provinsi"].kabupaten]
        elif page.template == "kabupaten.html":
            names = [k.place.nama for k in context["kabupaten"].kecamatan]
        elif "kabupaten" in context:
            donors = context["kabupaten"].donors
            names = [context["kabupaten"].place.nama] + [
                part for d in (donors.shown if donors else ()) for part in (d.nama, d.instansi) if part]
        elif "content" in context:
            names = [_text(context["content"].html)]
        found.append(search.Record("/" + page.path, title, " · ".join(dict.fromkeys(n for n in names if n))))
    return found


_TAG = re.compile(r"<[^>]+>")


def _text(html: str) -> str:
    return " ".join(unescape(_TAG.sub(" ", html)).split())


def _write_cards(config: Config, page_list: list[Page], written: output.Output) -> None:
    """Each place's share card: the live one when its figures are the same,
    else from the cache of cards already drawn, else drawn."""
    cache: Path | None = config.root / CARD_CACHE
    for page in page_list:
        if page.card is None:
            continue
        fingerprint = page.card.key()  # the drawing version, Pillow and the figures it shows
        if written.reuse(page.card_path, fingerprint):
            continue
        target = written.staging / page.card_path
        target.parent.mkdir(parents=True, exist_ok=True)
        if cache is not None:
            try:  # a link to the cached card: nothing copied
                os.link(ogimage.card_file(page.card, cache), target)
                written.made(page.card_path, fingerprint)
                continue
            except OSError:  # a read-only project folder, or no hard links: drawn and written
                cache = None
        target.write_bytes(ogimage.card_bytes(page.card))
        written.made(page.card_path, fingerprint)


def _write_pages(config, figures, page_list, programs, texts, contact: Kontak,
                 written: output.Output) -> list[str]:
    """Render the pages whose fingerprint changed; the guard's findings over them."""
    env = environment(config.templates_dir)
    base_path = urlsplit(config.site.base_url).path or "/"
    aksi = {"daftar": texts.get("daftar"), "donatur": texts.get("jadi-donatur")}
    digests = pagewriter.Digests()
    templates = pagewriter.Templates(env)
    # Pages of one place see the content's titles and metadata only (the
    # menu, the calls to action); the pages that list programs see them whole.
    menu = [pagewriter.Ringkas(p.slug, p.meta) for p in programs]
    calls = {k: pagewriter.Ringkas(v.slug, v.meta) if v else None for k, v in aksi.items()}
    common = digests.text(pagewriter.CODE, config.site, config.iuran, config.daerah, contact, NAV, menu, calls,
                          base_path)
    dates = pagewriter.Tanggal(figures.as_of, figures.tanggal_lalu, figures.berakhir_sampai, figures.banyak_provinsi,
                               pagewriter.Nama(figures.provinsi.kode, figures.provinsi.nama))
    whole = digests.text(digests.of(figures), programs)
    todo = []
    for page in page_list:
        own = page.template in pagewriter.LOCAL_TEMPLATES
        fingerprint = digests.text(common, page.path, templates.digest(page.template), page.title,
                                   page.description, page.in_sitemap,
                                   page.in_search, page.share_title, page.card, dates if own else whole,
                                   sorted((k, digests.of(v)) for k, v in page.context.items()))
        if not written.reuse(page.file, fingerprint):
            todo.append(page)
            written.made(page.file, fingerprint, guarded=True)

    def render_page(page: Page) -> str:
        if page.path == "404.html":  # served at any address: links from the site root
            def url(target: str) -> str:
                return base_path + target
        else:
            def url(target: str, _from=page.path) -> str:
                return relative(_from, target)
        own = page.template in pagewriter.LOCAL_TEMPLATES
        return env.get_template(page.template).render(
            page=page, site=config.site, figures=dates if own else figures, nav=NAV, url=url,
            programs=menu if own else programs,
            canonical=config.site.base_url + page.path, iuran=config.iuran, daerah=config.daerah,
            og_image=config.site.base_url + page.card_path, kontak=contact, aksi=calls,
            **page.context)

    findings = pagewriter.write(render_page, todo, written.staging, contact.allowed)
    static = config.templates_dir / "static"
    if static.exists():
        shutil.copytree(static, written.staging / "static")
    return findings


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

