"""The site: every page, Indonesian formatting, every sheet value escaped,
links that work from any folder, a sitemap, slugs that stay inside site/, and
a build that is written whole (byte-identical when repeated) or not at all."""
import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import pytest

from conftest import AS_OF, KODE, KODE_2, Project, Rows, copy_project
from lindung.build import render
from lindung.build.render import relative
from lindung.build.site import BuildError
from lindung.build.slug import slugify

YEAR = dict(mulai=dt.date(2026, 1, 1), berlaku_sampai=dt.date(2026, 12, 31))
SCRIPT = "Donatur Contoh <script>alert(1)</script>"
MARKUP = 'Tanda "kutip" & <b>tebal</b>'
PROGRAMS = ("jkk", "jkm", "jht", "jp", "jkp")


def files(directory):
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts, self.links = [], []

    def handle_data(self, data):
        self.parts.append(data)

    def handle_starttag(self, tag, attrs):
        self.links += [value for name, value in attrs if name in ("href", "src") and value]


def page_text(path: Path) -> str:
    """What a reader sees on the page, tags gone, spaces collapsed."""
    parser = _Text()
    parser.feed(path.read_text(encoding="utf-8"))
    return re.sub(r"\s+", " ", "".join(parser.parts))


def links(path: Path) -> list[str]:
    parser = _Text()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.links


def tiny_project(root: Path, rows: Rows) -> Project:
    """Magelang Utara: Wates 4 of 7 (57,14 %), Potrobangsan 0 of 5, Kedungsari
    1 without a target, one row waiting for a fix; kecamatan 5 of 12 (41,67 %).
    Magelang Tengah: Cacaban 1 of 4. Two shown donors with markup in their names."""
    project = Project(copy_project(root), rows)
    project.add(KODE, peserta=[
        rows.peserta(kelurahan="Wates", sumber_dana="donatur", id_donatur="D001", **YEAR),
        rows.peserta(kelurahan="Wates", sumber_dana="donatur", id_donatur="D002", **YEAR),
        rows.peserta(kelurahan="Wates", **YEAR),
        rows.peserta(kelurahan="Wates", **YEAR, iuran_bulanan="Rp 16.800"),
        rows.peserta(kelurahan="Kedungsari", sumber_dana="APBD", **YEAR),
        rows.peserta(kelurahan="Wates", nama="", **YEAR),
    ], donatur=[
        rows.donatur(id="D001", nama=SCRIPT, instansi="Komunitas <i>Contoh</i>", tampilkan_nama="ya"),
        rows.donatur(id="D002", nama=MARKUP, instansi="Dinas Contoh", tampilkan_nama="ya"),
    ], wilayah=[
        rows.wilayah(kelurahan="Wates", target_pekerja_rentan=7, pengurus_rt_rw=10),
        rows.wilayah(kelurahan="Potrobangsan", target_pekerja_rentan=5, pengurus_rt_rw=4),
    ])
    project.add(KODE_2, peserta=[rows.peserta(kelurahan="Cacaban", **YEAR)],
                wilayah=[rows.wilayah(kelurahan="Cacaban", target_pekerja_rentan=4, pengurus_rt_rw=2)])
    project.pull()
    return project


@pytest.fixture(scope="module")
def tiny(tmp_path_factory, schemas) -> Project:
    project = tiny_project(tmp_path_factory.mktemp("situs") / "proyek", Rows(schemas))
    project.build(AS_OF)
    return project


@pytest.fixture(scope="module")
def built(tiny) -> Path:
    return tiny.site


KECAMATAN_PAGE = "wilayah/kota-magelang/magelang-utara/index.html"


# --- pages ---------------------------------------------------------------------

def test_every_page_type_is_written(built):
    expected = ["index.html", "peringkat/index.html", "wilayah/index.html", "wilayah/kota-magelang/index.html",
                KECAMATAN_PAGE, "wilayah/kota-magelang/magelang-tengah/index.html", "donatur/index.html",
                "data/index.html", "data/datapackage.json", "data/kecamatan.csv", "data/kelurahan.csv",
                "data/kabupaten_kota.csv", "data/donatur.csv", "status/index.html", "404.html", "sitemap.xml",
                "robots.txt", *(f"program/{p}/index.html" for p in PROGRAMS)]
    missing = [name for name in expected if not (built / name).is_file()]
    assert missing == []


def scripts(source: str) -> list[str]:
    return re.findall(r"<script\b[^>]*>", source, flags=re.IGNORECASE)


def test_pages_are_in_indonesian_for_phones_and_scripts_are_only_static_files(built):
    for page in sorted(built.rglob("*.html")):
        source = page.read_text(encoding="utf-8")
        assert '<html lang="id"' in source, page
        assert 'name="viewport"' in source, page
        # JavaScript may enhance a page, never carry its content: no inline scripts
        assert all("src=" in tag for tag in scripts(source)), page


def test_a_kecamatan_page_lists_every_kelurahan_also_at_zero_and_without_a_target(built):
    text = page_text(built / KECAMATAN_PAGE)
    for nama in ("Wates", "Potrobangsan", "Kedungsari", "Kramat Utara", "Kramat Selatan"):
        assert nama in text
    assert "57,14%" in text  # Wates
    assert "0,00%" in text  # Potrobangsan: a target and nobody yet
    assert "target belum diisi" in text  # Kedungsari
    assert "41,67%" in text  # the kecamatan
    assert "menunggu perbaikan" in text


def test_figures_and_dates_are_written_the_indonesian_way(built):
    kota = page_text(built / "wilayah/kota-magelang/index.html")
    assert "Rp11.156" in kota  # Kota Magelang's rate, from registry/daerah.csv
    assert "23 November 2026" in page_text(built / "index.html")


def test_the_status_page_shows_what_waits_for_a_fix_by_tab_row_and_column(built):
    text = page_text(built / "status/index.html")
    assert "Magelang Utara" in text and "Magelang Tengah" in text
    assert "baris 7" in text and "kolom Nama" in text


# --- escaping ------------------------------------------------------------------------

DONORS_PAGE = "donatur/kota-magelang/index.html"


def test_a_script_in_a_donor_name_is_shown_as_text_never_run(built):
    source = (built / DONORS_PAGE).read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in source
    assert "<script>alert(1)" not in source
    assert all("src=" in tag for tag in scripts(source))
    assert SCRIPT in page_text(built / DONORS_PAGE)
    for page in sorted(built.rglob("*.html")):  # nor anywhere else, the share cards' alt text included
        assert "<script>alert(1)" not in page.read_text(encoding="utf-8"), page


def test_every_sheet_value_is_escaped_where_it_is_shown(built):
    source = (built / DONORS_PAGE).read_text(encoding="utf-8")
    assert "<b>tebal</b>" not in source and "<i>Contoh</i>" not in source
    text = page_text(built / DONORS_PAGE)
    assert MARKUP in text and "Komunitas <i>Contoh</i>" in text


# --- links and the sitemap ----------------------------------------------------------------

def test_every_internal_link_points_to_a_file_of_the_site(built):
    broken = []
    for page in sorted(built.rglob("*.html")):
        folder = PurePosixPath(page.relative_to(built).as_posix()).parent
        for link in links(page):
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith("#"):
                continue
            target = PurePosixPath(parts.path)
            resolved = PurePosixPath(*target.parts[1:]) if target.is_absolute() else folder / target
            path = built / resolved
            if link.endswith("/") or path.is_dir():
                path = path / "index.html"
            if not path.resolve().is_file() or built.resolve() not in path.resolve().parents:
                broken.append(f"{page.relative_to(built)} -> {link}")
    assert broken == []


def test_links_are_relative_so_the_site_works_from_any_folder():
    assert relative("wilayah/kota-magelang/magelang-utara/", "peringkat/") == "../../../peringkat/"
    assert relative("", "static/style.css") == "static/style.css"
    assert relative("peringkat/", "") == "../"
    assert relative("wilayah/", "wilayah/") == "./"


def test_the_sitemap_lists_every_page_but_404_with_the_as_of_date(built, tiny):
    sitemap = (built / "sitemap.xml").read_text(encoding="utf-8")
    base = tiny.config().site.base_url
    locations = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert f"{base}" in locations and f"{base}wilayah/kota-magelang/magelang-utara/" in locations
    assert all(loc.startswith(base) for loc in locations)
    assert not any("404" in loc for loc in locations)
    assert set(re.findall(r"<lastmod>([^<]+)</lastmod>", sitemap)) == {AS_OF.isoformat()}
    listed = {loc[len(base):] + "index.html" for loc in locations}
    assert all((built / page).is_file() for page in listed)
    assert {"index.html", "peringkat/index.html", "donatur/index.html", "data/index.html", "status/index.html",
            "wilayah/kota-magelang/index.html", KECAMATAN_PAGE,
            *(f"program/{p}/index.html" for p in PROGRAMS)} <= listed


def test_robots_txt_allows_crawling_and_names_the_sitemap(built, tiny):
    robots = (built / "robots.txt").read_text(encoding="utf-8")
    assert "User-agent: *" in robots and f"Sitemap: {tiny.config().site.base_url}sitemap.xml" in robots


# --- slugs -------------------------------------------------------------------------------------

@pytest.mark.parametrize("hostile", ["../../etc/passwd", "..", "/", "\\..\\..\\x", "a/../../b", "%2e%2e%2f",
                                     "Kota\x00Semarang", "~root", "", "   ", "<script>", "C:\\Windows"])
def test_a_slug_is_only_lower_case_letters_digits_and_hyphens(hostile):
    slug = slugify(hostile)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug)
    assert (Path("/situs") / slug).resolve().parent == Path("/situs")


@pytest.mark.parametrize("name, slug", [("Kota Semarang", "kota-semarang"), ("Gajah Mungkur", "gajah-mungkur"),
                                        ("Ungaran Barat", "ungaran-barat"), ("Kec. Ñgaliyan", "kec-ngaliyan")])
def test_a_slug_is_readable(name, slug):
    assert slugify(name) == slug


def test_every_file_of_a_build_is_inside_its_folder(built):
    for path in built.rglob("*"):
        assert built.resolve() in path.resolve().parents


# --- formatting filters --------------------------------------------------------------------------

def test_money_numbers_percentages_and_dates_use_id_id():
    assert render.rupiah(16800) == "Rp16.800"
    assert render.rupiah(42_000_000) == "Rp42.000.000"
    assert render.angka(1000) == "1.000"
    assert render.persen(40.69) == "40,69%"
    assert render.persen(None) == "target belum diisi"
    assert render.tanggal(dt.date(2025, 3, 24)) == "24 Maret 2025"
    assert render.tanggal("2025-03-24T10:00:00+07:00") == "24 Maret 2025"


def test_a_change_is_readable_without_colour():
    assert "▲" in render.perubahan(3) and "3" in render.perubahan(3)
    assert "▼" in render.perubahan(-2) and "2" in render.perubahan(-2)
    assert "=" in render.perubahan(0)


# --- written whole or not at all ------------------------------------------------------------------

def test_two_builds_of_the_same_input_are_byte_identical(tiny, built, tmp_path):
    again = tiny.build(AS_OF, out=tmp_path / "baru" / "situs")  # a folder that did not exist yet
    assert files(again) == files(built)


def test_a_build_with_another_as_of_date_differs(tiny, built, tmp_path):
    assert files(tiny.build(AS_OF + dt.timedelta(days=1), out=tmp_path / "besok")) != files(built)


def test_a_failed_build_leaves_the_last_site_in_place_and_nothing_beside_it(project, rows):
    project.add(KODE, peserta=[rows.peserta(**YEAR)])
    project.pull()
    project.build(AS_OF)
    before = files(project.site)
    (project.root / "templates" / "status.html").write_text(
        '{% extends "base.html" %}{% block main %}{{ tidak_ada.sama_sekali }}{% endblock %}', encoding="utf-8")

    with pytest.raises(Exception):
        project.build(AS_OF + dt.timedelta(days=1))

    assert files(project.site) == before
    assert sorted(p.name for p in project.root.iterdir() if "site" in p.name) == ["site"]


def test_two_places_with_the_same_address_stop_the_build(tiny, tmp_path):
    from lindung.build import site

    figures = tiny.figures(AS_OF)
    twice = type(figures)(**{**figures.__dict__, "kabupaten": figures.kabupaten * 2})
    with pytest.raises(BuildError):
        site.build(tiny.config(), twice, tmp_path / "ganda")


# --- issue 11: actions, owner, scope --------------------------------------------------------

ACTION_PAGES = ("index.html", "wilayah/kota-magelang/index.html", KECAMATAN_PAGE)


class _Links(HTMLParser):
    """Links by where they are: in the menu (<nav aria-label="Menu utama">) or in <main>."""

    def __init__(self):
        super().__init__()
        self.where, self.found, self._stack = [], [], []
        self._href = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "nav" and attrs.get("aria-label") == "Menu utama" or tag in ("main", "footer"):
            self._stack.append("menu" if tag == "nav" else tag)
        elif tag == "nav":
            self._stack.append("nav")
        if tag == "a":
            self._href = attrs.get("href")
            self.found.append([self._stack[-1] if self._stack else "", self._href, ""])

    def handle_endtag(self, tag):
        if tag in ("nav", "main", "footer") and self._stack:
            self._stack.pop()
        if tag == "a":
            self._href = None

    def handle_data(self, data):
        if self._href is not None:
            self.found[-1][2] += data


def links_by_place(path: Path) -> list[tuple[str, str, str]]:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return [(where, href, " ".join(text.split())) for where, href, text in parser.found]


def test_daftar_and_jadi_donatur_are_in_the_menu_of_every_page_and_in_the_main_of_place_pages(built):
    for page in sorted(built.rglob("*.html")):
        menu = [(text, href) for where, href, text in links_by_place(page) if where == "menu"]
        assert [t for t, _ in menu][:2] == ["Daftar", "Jadi donatur"], page
    for name in ACTION_PAGES:
        main = {text: href for where, href, text in links_by_place(built / name) if where == "main"}
        assert main.get("Daftar", "").endswith("daftar/") and main.get("Jadi donatur", "").endswith("jadi-donatur/"), name
    assert (built / "daftar/index.html").is_file() and (built / "jadi-donatur/index.html").is_file()
    channels = page_text(built / "daftar/index.html")
    assert all(word in channels for word in ("JMO", "kantor cabang", "Perisai", "175"))


def test_a_place_page_names_its_local_program_and_contact_from_daerah_csv(tiny, built):
    daerah = tiny.config().daerah["33.74"]
    assert daerah.kontak  # Kota Semarang has a contact in the shipped daerah.csv
    project = tiny
    kota = page_text(built / "wilayah/kota-magelang/index.html")
    magelang = project.config().daerah["33.71"]
    assert magelang.program_lokal in kota and "Rp11.156" in kota


def test_the_owner_and_contact_from_lindung_toml_are_in_every_footer_and_on_tentang(built, tiny):
    site = tiny.config().site
    assert site.owner and site.contact_email
    for page in sorted(built.rglob("*.html")):
        footer = [(href, text) for where, href, text in links_by_place(page) if where == "footer"]
        assert ("mailto:" + site.contact_email, site.contact_email) in footer, page
        assert site.owner in page_text(page), page
    tentang = page_text(built / "tentang/index.html")
    assert "Siapa yang mengelola situs ini" in tentang and site.contact_email in tentang


def test_a_whatsapp_contact_is_published_and_passes_the_guard_while_another_number_stops_the_build(
        tmp_path, schemas):
    import re as regex

    project = Project(copy_project(tmp_path / "proyek"), Rows(schemas))
    toml = project.root / "lindung.toml"
    toml.write_text(regex.sub(r'(?m)^contact_phone = .*$', 'contact_phone = "0812-0000-1111"',
                              toml.read_text(encoding="utf-8")), encoding="utf-8")
    project.add(KODE, peserta=[project.rows.peserta(**YEAR)])
    project.pull()
    out = project.build(AS_OF)
    footer = page_text(out / "index.html")
    assert "WhatsApp 0812-0000-1111" in footer
    assert 'href="https://wa.me/6281200001111"' in (out / "index.html").read_text(encoding="utf-8")
    (project.root / "content" / "tentang.md").write_text(
        "judul: Tentang\n\nHubungi juga 0813-9999-2222.\n", encoding="utf-8")
    with pytest.raises(BuildError) as stopped:
        project.build(AS_OF, out=tmp_path / "lain")
    assert "tentang/index.html" in str(stopped.value) and "0813" not in str(stopped.value)


def test_a_kecamatan_without_data_and_official_kecamatan_without_a_sheet_are_shown_as_such(project, rows):
    project.add(KODE, peserta=[rows.peserta(**YEAR)])
    project.add(KODE_2, sumber="sheets/belum-ada.xlsx")  # listed, never read
    project.pull()
    site = project.build(AS_OF)
    tengah = page_text(site / "wilayah/kota-magelang/magelang-tengah/index.html")
    assert "Kecamatan ini belum mengirim data" in tengah
    kota = page_text(site / "wilayah/kota-magelang/index.html")
    assert "1 dari 3 kecamatan di Kota Magelang sudah mengirim data" in kota
    assert "Belum mengirim data: Magelang Selatan." in kota  # official, not listed in sources.csv
    wilayah = page_text(site / "wilayah/index.html")
    assert "1 dari 576 kecamatan di Jawa Tengah sudah mengirim data, di 1 dari 35 kabupaten/kota" in wilayah
    assert "Belum mengirim data" in wilayah and "Kota Surakarta" in wilayah
    status = page_text(site / "status/index.html")
    assert ("Magelang Tengah Kota Magelang Belum ada data gagal dibaca sejak 23 November 2026: sheet tidak "
            "ditemukan; belum ada data yang masuk") in status
    home = page_text(site / "index.html")
    assert "1 dari 576 kecamatan di Jawa Tengah sudah mengirim data (1 dari 35 kabupaten/kota)" in home


def test_a_failed_first_pull_shows_its_kind_on_status_never_the_operator_message(project, rows):
    (project.root / "sheets").mkdir(exist_ok=True)
    (project.root / "sheets" / "rusak.xlsx").write_text("bukan workbook", encoding="utf-8")
    project.add(KODE, sumber="sheets/rusak.xlsx")
    project.add(KODE_2, sumber="sheets/tidak-ada.xlsx")
    project.pull()
    reports = {r: (project.registry / "laporan" / f"{r}.json").read_text(encoding="utf-8") for r in (KODE, KODE_2)}
    assert "rusak.xlsx" in reports[KODE]  # the operator is told which file, in the private report
    site = project.build(AS_OF)
    for page in sorted(site.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        for word in ("rusak.xlsx", "tidak-ada.xlsx", "sheets/", "ZipError", "CalamineError", str(project.root)):
            assert word not in text, (page, word)
    status = page_text(site / "status/index.html")
    assert "gagal dibaca sejak 23 November 2026: sheet tidak bisa dibaca; belum ada data yang masuk" in status
