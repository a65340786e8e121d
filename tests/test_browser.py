"""The demo site in a real browser: Debian's headless Chromium driven by
Playwright, against the site served on 127.0.0.1.

Nothing here downloads a browser: Playwright launches /usr/bin/chromium
(`.ci/run` installs it with apt). A missing browser fails the tests rather
than skipping them. axe-core comes from the axe-playwright-python wheel,
which ships axe.min.js; it is injected into each page and run with the
WCAG 2.1 A and AA rules. The browser is launched once for the module.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from browser_fixtures import demo_site, site_url  # noqa: F401  (fixtures)

CHROMIUM = os.environ.get("LINDUNG_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run"]
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Long tables repeat one row template; axe's colour-contrast rule takes
# seconds per hundred rows, so rows past the 20th of a table are left out.
AXE_CONTEXT = {"include": [["html"]], "exclude": [["tbody tr:nth-child(n+21)"]]}

# One page of every kind the site has.
PAGES = {
    "beranda": "",
    "program": "program/",
    "program-jkk": "program/jkk/",
    "program-jp": "program/jp/",
    "peringkat": "peringkat/",
    "peringkat-kelurahan": "peringkat/kelurahan/",
    "wilayah": "wilayah/",
    "kabupaten": "wilayah/kota-semarang/",
    "kecamatan": "wilayah/kota-semarang/ngaliyan/",
    "donatur": "donatur/",
    "data": "data/",
    "status": "status/",
    "tentang": "tentang/",
    "cara-ikut": "cara-ikut/",
    "cari": "cari/?q=Ngaliyan",
    "404": "tidak-ada-halaman-ini/",
}


@pytest.fixture(scope="module")
def browser():
    assert Path(CHROMIUM).is_file(), f"{CHROMIUM} is missing: apt-get install chromium"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    yield context
    context.close()


@pytest.fixture(scope="module")
def axe_source() -> str:
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


def open_page(context, url: str, expect_status: int = 200):
    """Open `url`, collecting console errors, page errors and failed requests."""
    page = context.new_page()
    problems: list[str] = []

    def console(message):
        # Chromium reports the 404 page's own status as a console error; that one is expected.
        expected = expect_status == 404 and message.location.get("url") == url and "404" in message.text
        if message.type == "error" and not expected:
            problems.append(f"console {message.type}: {message.text}")
    page.on("console", console)
    page.on("pageerror", lambda e: problems.append(f"script error: {e}"))
    # ERR_ABORTED is a request the browser dropped because the page navigated
    # away (a search result clicked while the favicon loads), not a broken one.
    page.on("requestfailed", lambda r: None if "ERR_ABORTED" in (r.failure or "") else
            problems.append(f"request failed: {r.url} {r.failure}"))

    def response(r):
        if r.status >= 400 and not (r.request.resource_type == "document" and r.status == expect_status):
            problems.append(f"HTTP {r.status}: {r.url}")
    page.on("response", response)
    first = page.goto(url, wait_until="load")
    assert first.status == expect_status, url
    return page, problems


def wait_for_search(page) -> None:
    page.wait_for_selector("#cari-hasil li a", timeout=15000)


@pytest.mark.parametrize("name", PAGES)
def test_every_page_type_loads_without_errors_and_passes_axe(name, context, site_url, axe_source):
    page, problems = open_page(context, site_url + PAGES[name], 404 if name == "404" else 200)
    if name == "cari":
        wait_for_search(page)
    assert problems == []
    page.evaluate(axe_source)
    result = page.evaluate("([context, options]) => axe.run(context, options)",
                           [AXE_CONTEXT, {"runOnly": {"type": "tag", "values": WCAG}, "resultTypes": ["violations"]}])
    serious = [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
               for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == []


def test_no_page_scrolls_sideways_at_360_px(browser, site_url):
    context = browser.new_context(viewport={"width": 360, "height": 800}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True)
    try:
        page, wide = context.new_page(), []
        for name, path in PAGES.items():
            page.goto(site_url + path, wait_until="load")
            if name == "cari":
                wait_for_search(page)
            width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
            if width[0] > width[1]:
                wide.append(f"{name}: {width}")
        assert wide == []
    finally:
        context.close()


def test_at_1280_px_the_layout_uses_the_width(context, site_url):
    page, _ = open_page(context, site_url + "peringkat/")
    main_width = page.evaluate("document.querySelector('main').getBoundingClientRect().width")
    table_width = page.evaluate("document.querySelector('table.peringkat').getBoundingClientRect().width")
    assert main_width >= 1100 and table_width >= 1000
    # the headline figures sit side by side, not stacked
    page.goto(site_url + "wilayah/kota-semarang/ngaliyan/")
    tops = page.evaluate("[...document.querySelectorAll('.angka-utama > div')].map(d => d.getBoundingClientRect().top)")
    assert len(tops) == 4 and len(set(tops)) == 1


@pytest.mark.parametrize("query, path, heading", [
    ("Ngaliyan", "wilayah/kota-semarang/ngaliyan/", "Kecamatan Ngaliyan"),
    ("Tambakaji", "wilayah/kota-semarang/ngaliyan/", "Kecamatan Ngaliyan"),
    ("Jaminan Kematian", "program/jkm/", "Jaminan Kematian (JKM)"),
])
def test_search_from_the_header_finds_the_page_and_going_there_works(query, path, heading, context, site_url):
    page, problems = open_page(context, site_url + "donatur/")
    page.fill("#cari-kepala", query)
    page.press("#cari-kepala", "Enter")
    page.wait_for_url(re.compile(r"/cari/\?q="))
    wait_for_search(page)
    first = page.locator("#cari-hasil li a").first
    assert query.split()[0].lower() in page.locator("#cari-hasil li").first.inner_text().lower()
    first.click()
    page.wait_for_load_state("load")
    assert page.url == site_url + path
    assert page.locator("h1").inner_text() == heading
    assert problems == []


def test_search_finds_a_donor_by_name(context, site_url):
    page, _ = open_page(context, site_url + "donatur/kota-semarang/")
    # A named donor, inside a kecamatan's closed list: the name without the instansi under it.
    name = page.evaluate("""() => document.querySelector('details table tbody th').firstChild.textContent.trim()""")
    page.goto(site_url + "cari/?q=" + name)
    wait_for_search(page)
    urls = page.eval_on_selector_all("#cari-hasil li a", "links => links.map(a => a.href)")
    assert site_url + "donatur/kota-semarang/" in [u.split("#")[0] for u in urls], name


def column(page, table: str, index: int) -> list[str]:
    return page.eval_on_selector_all(
        f"{table} tbody tr", f"rows => rows.map(r => r.cells[{index}].getAttribute('data-sort'))")


def test_sorting_a_leaderboard_column_works(context, site_url):
    page, problems = open_page(context, site_url + "peringkat/")
    table = "table[aria-labelledby='peringkat-kecamatan-judul']"
    headers = page.locator(f"{table} thead th")
    ranked = column(page, table, 0)
    assert headers.nth(0).get_attribute("aria-sort") == "ascending"

    headers.nth(3).locator("button").click()  # Pekerja rentan terlindungi
    values = [int(v) for v in column(page, table, 3)]
    assert values == sorted(values, reverse=True)
    assert headers.nth(3).get_attribute("aria-sort") == "descending"
    assert headers.nth(0).get_attribute("aria-sort") == "none"

    headers.nth(3).locator("button").click()
    values = [int(v) for v in column(page, table, 3)]
    assert values == sorted(values)
    assert headers.nth(3).get_attribute("aria-sort") == "ascending"

    headers.nth(1).locator("button").click()  # by name
    names = column(page, table, 1)
    assert names == sorted(names, key=str.lower)

    headers.nth(2).locator("button").click()  # coverage: places without a target stay last
    coverage = column(page, table, 2)
    filled = [float(v) for v in coverage if v]
    assert filled == sorted(filled, reverse=True) and coverage[len(filled):] == [""] * (len(coverage) - len(filled))

    headers.nth(0).locator("button").click()  # back to rank order
    assert column(page, table, 0) == ranked
    announced = page.locator(f"div:has(> {table}) > [role=status]").text_content()
    assert announced == "Diurutkan menurut Peringkat, naik."
    assert problems == []


def test_with_javascript_off_the_leaderboard_reads_in_rank_order(browser, site_url):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 800})
    try:
        page, problems = open_page(context, site_url + "peringkat/")
        table = "table[aria-labelledby='peringkat-kecamatan-judul']"
        assert page.locator(f"{table} thead button").count() == 0
        rows = page.locator(f"{table} tbody tr")
        assert rows.count() == 42
        ranks = [int(r) for r in column(page, table, 0)]
        assert ranks == list(range(1, 43))
        coverage = column(page, table, 2)
        filled = [float(v) for v in coverage if v]
        assert filled == sorted(filled, reverse=True)
        first = rows.first.inner_text()
        assert "%" in first and ("▲" in first or "▼" in first or "=" in first)
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")

        page.goto(site_url + "program/jkk/")
        assert page.locator("form[data-kalkulator]").is_hidden()
        assert page.locator("table.tabel-iuran").is_visible()
        assert "Rp16.800" in page.locator("table.tabel-iuran").inner_text()

        page.goto(site_url + "cari/?q=Ngaliyan")
        assert "Pencarian butuh JavaScript" in page.locator("main").inner_text()
        assert problems == []
    finally:
        context.close()


def test_the_calculator_form_computes_with_the_region_rate(context, site_url):
    page, problems = open_page(context, site_url + "program/jkk/")
    form = page.locator("form[data-kalkulator]")
    assert form.is_visible()
    page.select_option("#k-tarif", "33.71")  # Kota Magelang: JKK+JKM Rp11.156
    page.check("input[name=paket][value='1']")  # JKK+JKM+JHT
    page.select_option("#k-bulan", "3")
    page.fill("#k-orang", "2")
    assert "Rp186.936" in form.locator("output").inner_text()  # (11.156 + 20.000) × 3 × 2
    page.select_option("#k-tarif", "nasional")
    page.check("input[name=paket][value='0']")
    page.select_option("#k-bulan", "12")
    page.fill("#k-orang", "1")
    assert "Rp201.600" in form.locator("output").inner_text()  # 16.800 × 12, paid from APBD: no discount
    assert problems == []


def test_charts_are_inline_svg_with_a_text_alternative(context, site_url):
    page, _ = open_page(context, site_url + "wilayah/kota-semarang/ngaliyan/")
    chart = page.locator("figure.grafik svg[role=img]")
    assert chart.count() == 1
    label = page.evaluate("""() => {
        const svg = document.querySelector('figure.grafik svg');
        return svg.getAttribute('aria-labelledby').split(' ')
            .map(id => document.getElementById(id).textContent).join(' ');
    }""")
    assert "12 bulan terakhir" in label and "tertinggi" in label
    assert page.locator("table.peringkat svg.bar").count() > 5
    page.locator("figure.grafik summary").click()
    assert page.locator("figure.grafik table tbody tr").count() == 12


# --- issue 11: a citizen's phone ------------------------------------------------------

ISSUE_11 = "issue 11: "
PHONE = {"viewport": {"width": 360, "height": 800}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
SCREENS = 5  # "no page longer than a few screens"

# Every region that scrolls sideways says so: `.geser` is the visible hint.
OVERFLOWING_WITHOUT_HINT = """() => [...document.querySelectorAll('main *')].filter(el => {
    const style = getComputedStyle(el);
    if (!['auto', 'scroll'].includes(style.overflowX) || el.scrollWidth <= el.clientWidth + 1) return false;
    const hint = el.querySelector('.geser') || (el.previousElementSibling && el.previousElementSibling.matches('.geser')
        ? el.previousElementSibling : null);
    return !(hint && hint.getBoundingClientRect().height > 0);
}).map(el => el.getAttribute('aria-labelledby') || el.getAttribute('aria-label') || el.className)"""

# The name and coverage cells of the first rows of each leaderboard lie inside the screen.
KEY_CELLS_OFF_SCREEN = """() => [...document.querySelectorAll('table.peringkat tbody tr:nth-child(-n+3)')].flatMap(row =>
    [...row.querySelectorAll('th.nama, td.cakupan')].filter(cell => {
        const box = cell.getBoundingClientRect();
        return box.width === 0 || box.left < 0 || box.right > document.documentElement.clientWidth + 1;
    }).map(cell => cell.textContent.trim().slice(0, 30)))"""

# WCAG 2.2 target size (minimum): buttons and form controls at least 24×24;
# a link outside running text at least 24×24 or with a 24 px circle around it
# that touches no other target (the spacing exception). A link in a sentence
# (a paragraph, or a list item with more words than the link) is inline,
# which the rule exempts.
SMALL_TARGETS = """() => {
    const visible = el => { const b = el.getBoundingClientRect(); return b.width > 0 && b.height > 0
        && getComputedStyle(el).visibility !== 'hidden' && b.right > 0 && b.bottom > 0; };
    const all = [...document.querySelectorAll('a[href], button, input:not([type=hidden]), select, summary')]
        .filter(visible).filter(el => {
            if (el.tagName !== 'A') return true;
            if (el.closest('p')) return false;
            const item = el.closest('li');
            return !(item && item.textContent.trim().length > el.textContent.trim().length + 2);
        });
    const boxes = all.map(el => el.getBoundingClientRect());
    const near = (i, b) => { const cx = b.left + b.width / 2, cy = b.top + b.height / 2;
        return boxes.some((o, j) => j !== i && Math.max(o.left - cx, 0, cx - o.right) ** 2
            + Math.max(o.top - cy, 0, cy - o.bottom) ** 2 < 144); };
    return all.map((el, i) => [el, boxes[i], i]).filter(([el, b, i]) => {
        if (b.width >= 24 && b.height >= 24) return false;
        if (el.tagName === 'A') return near(i, b);
        return true;
    }).map(([el, b]) => `${el.tagName} "${el.textContent.trim().slice(0, 20)}" ${Math.round(b.width)}×${Math.round(b.height)}`);
}"""


def test_at_360_px_tables_show_their_key_columns_and_scrolling_regions_say_so(browser, site_url):
    context = browser.new_context(**PHONE)
    try:
        page, found = context.new_page(), []
        for name, path in PAGES.items():
            page.goto(site_url + path, wait_until="load")
            found += [f"{name}: geser tanpa petunjuk: {r}" for r in page.evaluate(OVERFLOWING_WITHOUT_HINT)]
            found += [f"{name}: di luar layar: {c}" for c in page.evaluate(KEY_CELLS_OFF_SCREEN)]
        assert found == []
    finally:
        context.close()


def test_tap_targets_are_at_least_24_px(browser, site_url):
    context = browser.new_context(**PHONE)
    try:
        page, found = context.new_page(), []
        for name, path in PAGES.items():
            page.goto(site_url + path, wait_until="load")
            found += [f"{name}: {t}" for t in page.evaluate(SMALL_TARGETS)]
        assert found == []
    finally:
        context.close()


def donor_pages(site: Path) -> list[str]:
    return ["donatur/"] + sorted(f"donatur/{p.parent.name}/" for p in site.glob("donatur/*/index.html"))


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "tanpa-js"])
def test_donor_pages_lead_with_totals_and_a_call_to_action_and_are_a_few_screens_long(
        browser, site_url, demo_site, javascript, capsys):
    context = browser.new_context(**PHONE, java_script_enabled=javascript)
    try:
        page, heights = context.new_page(), {}
        for path in donor_pages(demo_site.site):
            page.goto(site_url + path, wait_until="load")
            heights[path] = page.evaluate("document.documentElement.scrollHeight")
            first_screen = page.evaluate("""() => [...document.querySelectorAll('main a, main strong')]
                .filter(el => el.getBoundingClientRect().bottom <= 800).map(el => el.textContent.trim())""")
            assert "Jadi donatur" in first_screen, path
            assert page.locator("main .total-donatur").first.bounding_box()["y"] < 800, path
        with capsys.disabled():
            print(f"\n[tinggi halaman donatur, 360 px, {'dengan' if javascript else 'tanpa'} JS] "
                  + ", ".join(f"/{p}: {h} px" for p, h in heights.items()))
        assert len(heights) > 1
        assert {p: h for p, h in heights.items() if h > SCREENS * 800} == {}
    finally:
        context.close()
