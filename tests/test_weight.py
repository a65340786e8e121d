"""Page weight budgets, for citizens on slow data: HTML + the CSS and JS the
page references, gzip-compressed, as a server or CDN would send them.

home ≤ 60 KB, every kecamatan page ≤ 40 KB. The search index is not
counted: it loads only on the search page, when someone searches. Images
are not counted either (the pages have none; charts are inline SVG, inside
the HTML). The figures are printed with the test output and recorded in
docs/site.md.
"""
import gzip
from html.parser import HTMLParser
from pathlib import Path

from browser_fixtures import demo_site  # noqa: F401  (fixture)

KB = 1024
BUDGET_HOME = 60 * KB
BUDGET_KECAMATAN = 40 * KB


class _Assets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.assets = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("rel") == "stylesheet":
            self.assets.append(attrs["href"])
        elif tag == "script" and attrs.get("src"):
            self.assets.append(attrs["src"])


def gzipped(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def weight(page: Path) -> dict[str, int]:
    """Compressed bytes of the page and of each CSS/JS file it references."""
    html = page.read_bytes()
    parser = _Assets()
    parser.feed(html.decode("utf-8"))
    sizes = {"html": gzipped(html)}
    for link in parser.assets:
        asset = (page.parent / link).resolve()
        assert asset.is_file(), f"{page}: {link}"
        assert "pagefind" not in asset.parts, f"{page} loads the search index up front: {link}"
        sizes[asset.name] = gzipped(asset.read_bytes())
    return sizes


def _report(capsys, name: str, sizes: dict[str, int], budget: int) -> int:
    total = sum(sizes.values())
    parts = ", ".join(f"{k} {v / KB:.1f}" for k, v in sizes.items())
    with capsys.disabled():
        print(f"\n[berat halaman] {name}: {total / KB:.1f} KB gzip (batas {budget // KB} KB): {parts}")
    return total


def test_home_page_within_60_kb(demo_site, capsys):
    sizes = weight(demo_site.site / "index.html")
    assert _report(capsys, "beranda /", sizes, BUDGET_HOME) <= BUDGET_HOME


def test_every_kecamatan_page_within_40_kb(demo_site, capsys):
    pages = sorted((demo_site.site / "wilayah").glob("*/*/index.html"))
    assert len(pages) == 42
    measured = {page: weight(page) for page in pages}
    ngaliyan = demo_site.site / "wilayah" / "kota-semarang" / "ngaliyan" / "index.html"
    _report(capsys, "kecamatan /wilayah/kota-semarang/ngaliyan/", measured[ngaliyan], BUDGET_KECAMATAN)
    heaviest = max(pages, key=lambda p: sum(measured[p].values()))
    total = _report(capsys, f"kecamatan terberat /{heaviest.parent.relative_to(demo_site.site)}/",
                    measured[heaviest], BUDGET_KECAMATAN)
    assert total <= BUDGET_KECAMATAN


def test_the_search_page_loads_the_index_only_from_its_script(demo_site):
    html = (demo_site.site / "cari" / "index.html").read_text(encoding="utf-8")
    assert "pagefind.js" not in html and "cari.js" in html
