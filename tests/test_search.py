"""The search index (lindung/search.py, Pagefind): built into the site before
the swap, holding only what the pages show, the same bytes on every build."""
import gzip
import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

from browser_fixtures import build_demo, demo_site  # noqa: F401  (fixture)

from lindung.build import search, site


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def page_text(path: Path) -> str:
    parser = _Text()
    parser.feed(path.read_text(encoding="utf-8"))
    return " ".join(parser.parts)


def words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"\w+", html.unescape(text))}


def page_file(site_dir: Path, url: str) -> Path:
    path = site_dir / url.lstrip("/")
    return path / "index.html" if url.endswith("/") else path


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_index_is_in_the_site_without_the_unused_pagefind_uis(demo_site):
    bundle = demo_site.site / "pagefind"
    assert (bundle / "pagefind.js").is_file() and (bundle / "pagefind-entry.json").is_file()
    assert list((bundle / "fragment").glob("*.pf_fragment"))
    assert not list(bundle.glob("pagefind-*ui*")) and not (bundle / "pagefind-highlight.js").exists()


def test_two_builds_of_the_same_input_are_byte_identical_with_the_index(demo_site, tmp_path):
    again = build_demo(demo_site.root, tmp_path / "again")
    first, second = tree(demo_site.site), tree(again)
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []
    assert any(name.startswith("pagefind/fragment/") for name in first)


def test_the_index_holds_only_words_the_page_shows(demo_site):
    records = search.records(demo_site.site)
    assert len(records) > 50
    for record in records:
        shown = words(page_text(page_file(demo_site.site, record.url)))
        extra = words(record.content) - shown
        assert not extra, f"{record.url}: {sorted(extra)[:10]}"


def test_menus_footers_and_pages_without_content_stay_out(demo_site):
    records = search.records(demo_site.site)
    urls = {r.url for r in records}
    assert not {"/cari/", "/status/", "/404.html"} & urls
    for record in records:
        assert "Langsung ke isi" not in record.content  # skip link
        assert "Menu utama" not in record.content and "Tidak ada nama atau NIK pekerja" not in record.content


def test_kecamatan_kelurahan_program_and_donor_pages_are_indexed(demo_site):
    records = {r.url: r for r in search.records(demo_site.site)}
    ngaliyan = records["/wilayah/kota-semarang/ngaliyan/"]
    assert ngaliyan.title == "Kecamatan Ngaliyan"
    assert "Tambakaji" in ngaliyan.content  # a kelurahan of Ngaliyan
    assert "/program/jkk/" in records and "/donatur/" in records


def test_leaderboards_of_many_places_are_not_indexed_so_a_place_finds_its_own_page(demo_site):
    records = {r.url: r for r in search.records(demo_site.site)}
    assert "Ngaliyan" not in records["/peringkat/"].content
    assert "Ngaliyan" not in records["/wilayah/"].content


def _fragment(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {"url": "/x/", "content": content, "meta": {"title": "x"}}
    path.write_bytes(gzip.compress(b"pagefind_dcd" + json.dumps(body).encode()))


def test_the_privacy_guard_reads_the_compressed_index(tmp_path):
    _fragment(tmp_path / "pagefind" / "fragment" / "a.pf_fragment", "Warga 3374151203850001 di sini")
    findings = site._scan_index(tmp_path)
    assert len(findings) == 1 and "3374151203850001" not in findings[0]
    _fragment(tmp_path / "pagefind" / "fragment" / "a.pf_fragment", "Ngaliyan 8,65%")
    assert site._scan_index(tmp_path) == []
