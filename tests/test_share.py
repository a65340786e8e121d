"""Sharing: a WhatsApp link to any page shows a proper card. Each page has a
title, description, canonical URL and OpenGraph tags whose URLs are absolute
from the configured base_url; the share card is a 1200×630 PNG under 300 KB."""
import struct
from html.parser import HTMLParser

import pytest

from browser_fixtures import demo_site, html_pages  # noqa: F401  (fixture)

from lindung import config as config_module
from lindung.build.ogimage import HEIGHT, WIDTH, draw

MAX_IMAGE = 300 * 1024


class _Head(HTMLParser):
    def __init__(self):
        super().__init__()
        self.meta, self.canonical, self.title, self._in_title = {}, [], "", False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta":
            key = attrs.get("property") or attrs.get("name")
            if key:
                self.meta.setdefault(key, []).append(attrs.get("content", ""))
        elif tag == "link" and attrs.get("rel") == "canonical":
            self.canonical.append(attrs["href"])
        elif tag == "title":
            self._in_title = True

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_every_page_has_title_description_canonical_and_opengraph(demo_site):
    base = config_module.load(demo_site.root).site.base_url
    assert base.startswith("https://")
    for page in html_pages(demo_site.site):
        head = _Head()
        head.feed(page.read_text(encoding="utf-8"))
        where = page.relative_to(demo_site.site)
        assert head.title.strip(), where
        assert len(head.canonical) == 1 and head.canonical[0].startswith(base), where
        for key in ("description", "og:title", "og:description", "og:url", "og:type", "og:image",
                    "twitter:card"):
            assert len(head.meta.get(key, [])) == 1 and head.meta[key][0].strip(), f"{where}: {key}"
        assert head.meta["og:url"] == head.canonical
        [image] = head.meta["og:image"]
        assert image.startswith(base + "static/") and image.endswith(".png")
        assert (demo_site.site / image[len(base):]).is_file(), where
        assert head.meta["og:image:width"] == ["1200"] and head.meta["og:image:height"] == ["630"]
        assert head.meta["twitter:card"] == ["summary_large_image"]


def test_the_canonical_url_is_the_page_own_address(demo_site):
    page = demo_site.site / "wilayah" / "kota-semarang" / "ngaliyan" / "index.html"
    head = _Head()
    head.feed(page.read_text(encoding="utf-8"))
    assert head.canonical[0].endswith("/wilayah/kota-semarang/ngaliyan/")
    assert "Ngaliyan" in head.meta["og:title"][0] and "Ngaliyan" in head.meta["og:description"][0]


def test_the_share_card_is_1200_by_630_and_small(demo_site):
    data = (demo_site.site / "static" / "og.png").read_bytes()
    assert png_size(data) == (1200, 630) == (WIDTH, HEIGHT)
    assert len(data) < MAX_IMAGE


def test_drawing_the_share_card_is_deterministic():
    first = draw()
    assert first == draw()
    assert png_size(first) == (WIDTH, HEIGHT) and len(first) < MAX_IMAGE


# --- issue 11: each place shares its own figure ----------------------------------------------

MAX_CARD = 100 * 1024


def head_of(path):
    head = _Head()
    head.feed(path.read_text(encoding="utf-8"))
    return head


def place_pages(site):
    return sorted(site.glob("wilayah/*/index.html")) + sorted(site.glob("wilayah/*/*/index.html"))


def id_number(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def test_every_kabupaten_and_kecamatan_page_shares_a_card_and_description_with_its_own_figure(demo_site):
    import recount

    base = config_module.load(demo_site.root).site.base_url
    counts = {k: recount.count([k]).rentan for k in recount.demo_kodes()}
    counts.update({k: recount.count(v).rentan for k, v in recount.by_kabupaten().items()})
    names = {k: v[0] for k, v in recount.areas()[0].items()}
    names.update(recount.areas()[1])
    by_path = {f"wilayah/{_slug(names[k])}/index.html": k for k in recount.by_kabupaten()}
    by_path.update({f"wilayah/{_slug(names[recount.kabupaten_of(k)])}/{_slug(names[k])}/index.html": k
                    for k in recount.demo_kodes()})
    images = {}
    pages = place_pages(demo_site.site)
    assert len(pages) == 4 + 42
    for page in pages:
        head = head_of(page)
        where = page.relative_to(demo_site.site).as_posix()
        [image] = head.meta["og:image"]
        assert image.startswith(base + "static/kartu/") and image not in images.values(), where
        images[where] = image
        data = (demo_site.site / image[len(base):]).read_bytes()
        assert png_size(data) == (1200, 630) and len(data) < MAX_CARD, where
        [description], [alt] = head.meta["og:description"], head.meta["og:image:alt"]
        kode = by_path[where]
        figure = f"{id_number(counts[kode])} pekerja rentan terlindungi"
        assert description.startswith(figure) and figure in alt, (where, description, alt)
        assert "Angka per 23 November 2026" in description and names[kode] in description


def _slug(name: str) -> str:
    import re

    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def test_the_home_page_shares_its_title_with_the_province_figure_and_its_own_card(demo_site):
    import recount

    head = head_of(demo_site.site / "index.html")
    [title], [image] = head.meta["og:title"], head.meta["og:image"]
    rentan = id_number(recount.count(recount.demo_kodes()).rentan)
    assert title == f"{rentan} pekerja rentan terlindungi BPJS Ketenagakerjaan di Jawa Tengah"
    assert image.endswith("static/kartu/jawa-tengah.png")
    assert "42 dari 576 kecamatan" in head.meta["og:description"][0]
    assert head.title.startswith("Lindung: ")


def test_cards_are_deterministic_differ_by_figure_and_are_cached_between_builds(tmp_path, monkeypatch):
    from lindung.build import ogimage

    card = ogimage.Card("Kecamatan Contoh, Kota Contoh", "1.234", "pekerja rentan terlindungi", 0.4,
                        ("Cakupan 40,00% dari target 3.085 pekerja rentan", "Angka per 23 November 2026"))
    first = ogimage.draw_card(card)
    assert first == ogimage.draw_card(card) and png_size(first) == (1200, 630) and len(first) < MAX_CARD
    other = ogimage.Card(card.place, "1.235", card.label, card.bar, card.lines)
    assert ogimage.draw_card(other) != first
    cache = tmp_path / "kartu"
    assert ogimage.card_bytes(card, cache) == first
    assert [p.name for p in cache.iterdir()] == [card.key() + ".png"]

    def no_drawing(_card):
        raise AssertionError("drawn again although cached")
    monkeypatch.setattr(ogimage, "draw_card", no_drawing)
    assert ogimage.card_bytes(card, cache) == first
    with pytest.raises(AssertionError):
        ogimage.card_bytes(other, cache)


def test_a_second_build_draws_no_card_again(demo_site, tmp_path, monkeypatch):
    from lindung import jobs
    from lindung.build import ogimage

    config = config_module.load(demo_site.root)
    assert list((demo_site.root / ".cache" / "kartu").glob("*.png"))  # the fixture's build filled the cache
    monkeypatch.setattr(ogimage, "draw_card", lambda card: pytest.fail(f"drawn again: {card.place}"))
    import datetime as dt

    built = jobs.build(config, as_of=dt.date(2026, 11, 23), out=tmp_path / "lagi")
    assert (built.out / "static" / "kartu" / "jawa-tengah.png").read_bytes() == \
        (demo_site.site / "static" / "kartu" / "jawa-tengah.png").read_bytes()
