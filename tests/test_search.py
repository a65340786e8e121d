"""The search index (lindung/search.py, Pagefind): built into the site before
the swap, holding only what the pages show, the same bytes on every build."""
import datetime as dt
import html
import re
from html.parser import HTMLParser
from pathlib import Path

from browser_fixtures import AS_OF, build_demo, demo_site  # noqa: F401  (fixture)

from lindung import jobs, privacy
from lindung.build import search, site
from lindung.config import load


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


def test_the_privacy_guard_reads_the_search_records_before_they_are_indexed():
    findings = site._scan_records([search.Record("/wilayah/a/b/", "Kecamatan B", "Warga 3374151203850001 di sini")], ())
    assert findings == [f"wilayah/a/b/index.html (indeks pencarian):2: {privacy.LABELS[privacy.NIK]}"]
    assert site._scan_records([search.Record("/wilayah/a/b/", "Kecamatan B", "Ngaliyan 8,65%")], ()) == []


def test_the_index_holds_exactly_the_records_and_no_figure(demo_site):
    """The index is made from the build's records: names, not numbers, so new
    figures leave it as it was."""
    held = {r.url: r for r in search.records(demo_site.site)}
    built = jobs.build(load(demo_site.root), as_of=dt.date.fromisoformat(AS_OF), out=demo_site.site.parent / "lagi")
    made = {r.url: r for r in site.search_records(built.pages)}
    assert sorted(held) == sorted(made)
    for url, record in made.items():  # Pagefind stores the heading, then the text, spacing punctuation its way
        assert held[url].title == record.title
        assert words(held[url].content) == words(f"{record.title} {record.content}"), url
    assert not [url for url, r in held.items() if url.startswith("/wilayah/") and any(c.isdigit() for c in r.content)]
