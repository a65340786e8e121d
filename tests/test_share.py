"""Sharing: a WhatsApp link to any page shows a proper card. Each page has a
title, description, canonical URL and OpenGraph tags whose URLs are absolute
from the configured base_url; the share card is a 1200×630 PNG under 300 KB."""
import struct
from html.parser import HTMLParser

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
        assert head.meta["og:image"] == [base + "static/og.png"]
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
