"""End to end on the demo registry: `python build.py --as-of 2026-11-23` on a
fresh copy, with no credentials and no network, gives the whole public site;
the demo's deliberate errors (registry/demo/README.md) wait for a fix; nothing
personal gets out; and the same input builds the same bytes."""
import csv
import gzip
import re
import zlib
from html.parser import HTMLParser
from pathlib import Path

import frictionless
import pytest
from python_calamine import CalamineWorkbook

from conftest import SCHEMA_DIR, AS_OF, ROOT, copy_project
from lindung import config as config_module, privacy as guard
from lindung.build import aggregate
from lindung.contract import load as load_contract
from lindung.store import report, snapshot
from lindung.build.slug import slugify

DEMO = ROOT / "registry" / "demo"
PROGRAMS = ("jkk", "jkm", "jht", "jp", "jkp")
# registry/demo/README.md, "Deliberate errors": kecamatan -> (tab, row, column) of each
DELIBERATE = {
    "33.22.01": [("peserta", 96, "Berlaku Sampai")],
    "33.22.10": [("peserta", 26, "ID Donatur"), ("peserta", 81, "Kelurahan")],
    "33.71.02": [("peserta", 43, "Segmen"), ("peserta", 69, "Mulai")],
    "33.74.02": [("peserta", 3, "Nama"), ("peserta", 101, "NIK")],
    "33.74.10": [("peserta", 3, "NIK"), ("peserta", 23, "NIK")],
}
FAKE_NIK = re.compile(r"99\d{14}")


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.text, self.rows, self._row = [], [], None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self._row = [""]
        elif tag in ("td", "th") and self._row is not None:
            self._row.append("")

    def handle_endtag(self, tag):
        if tag == "tr" and self._row is not None:
            self.rows.append([re.sub(r"\s+", " ", c).strip() for c in self._row[1:]])
            self._row = None

    def handle_data(self, data):
        self.text.append(data)
        if self._row is not None:
            self._row[-1] += data


def read_page(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.text = re.sub(r"\s+", " ", "".join(page.text))
    return page


def every_text(folder: Path):
    """(path, text) of every file under folder, compressed ones decompressed."""
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        for decompress in (gzip.decompress, zlib.decompress):
            try:
                data = decompress(data)
                break
            except (OSError, zlib.error, EOFError):
                pass
        yield path, data.decode("utf-8", errors="replace")


@pytest.fixture(scope="session")
def sources():
    with open(ROOT / "registry" / "sources.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="session")
def demo_config(demo):
    return config_module.load(demo.root)


@pytest.fixture(scope="session")
def demo_figures(demo, demo_config):
    return aggregate.figures(demo_config, snapshot.read_all(demo_config.snapshot_dir, demo_config.contract),
                             report.read_all(demo_config.laporan_dir), AS_OF)


def kecamatan_path(demo_config, kode):
    official = demo_config.wilayah.kecamatan[kode]
    return f"wilayah/{slugify(official.kabupaten_nama)}/{slugify(official.nama)}/index.html"


# --- the site -------------------------------------------------------------------

def test_python_build_py_builds_the_demo_with_no_credentials_and_no_network(demo):
    assert demo.exit_code == 0
    assert (demo.site / "index.html").is_file()


def test_the_demo_site_has_every_page_type(demo_site, demo_config, sources):
    expected = ["index.html", "peringkat/index.html", "donatur/index.html", "data/index.html",
                "status/index.html", "404.html", "sitemap.xml", "robots.txt", "data/datapackage.json",
                *(f"program/{p}/index.html" for p in PROGRAMS),
                *(f"wilayah/{k}/index.html" for k in ("kota-semarang", "kota-magelang", "kota-pekalongan",
                                                       "kabupaten-semarang")),
                *(kecamatan_path(demo_config, s["kode"]) for s in sources)]
    assert len(sources) == 42
    assert [name for name in expected if not (demo_site / name).is_file()] == []


def test_every_kelurahan_of_every_demo_kecamatan_is_on_its_page(demo_site, demo_config, sources):
    missing = []
    for source in sources:
        text = read_page(demo_site / kecamatan_path(demo_config, source["kode"])).text
        missing += [(source["kecamatan"], k.nama) for k in demo_config.wilayah.kecamatan[source["kode"]].kelurahan
                    if k.nama not in text]
    assert missing == []


def test_a_kelurahan_without_a_target_says_so(demo_site, demo_config):
    for kode in ("33.74.14", "33.22.09"):
        assert "target belum diisi" in read_page(demo_site / kecamatan_path(demo_config, kode)).text


def test_the_deliberate_errors_wait_for_a_fix_on_the_status_page(demo_site, demo_config, sources):
    page = read_page(demo_site / "status" / "index.html")
    counts = {}
    for row in page.rows:
        for source in sources:
            if row and row[0].startswith(demo_config.wilayah.kecamatan[source["kode"]].nama + " ") \
                    and source["kabupaten_kota"] in row[0]:
                counts[source["kode"]] = int(row[-1].replace(".", ""))
    assert len(counts) == 42
    assert {k: n for k, n in counts.items() if n} == {k: len(v) for k, v in DELIBERATE.items()}
    for kode, found in DELIBERATE.items():
        for tab, row, column in found:
            assert f"Tab {tab}, baris {row}, kolom {column}" in page.text, (kode, row)


def test_the_reports_hold_the_deliberate_errors_and_nothing_else(demo):
    reports = report.read_all(demo.root / "registry" / "laporan")
    assert len(reports) == 42 and all(r.ok for r in reports.values())
    found = {kode: [(e.tab, e.row, e.column) for e in r.errors] for kode, r in reports.items() if r.errors}
    assert found == DELIBERATE


def test_the_home_page_counts_every_row_waiting_for_a_fix(demo_site, demo_figures):
    assert demo_figures.menunggu_perbaikan == 9
    assert re.search(r"\b9 baris\b[^.]*menunggu perbaikan", read_page(demo_site / "index.html").text)


def test_the_seed_stories_are_in_the_figures(demo_figures):
    by_kode = {k.place.kode: k for k in demo_figures.kecamatan}
    assert dict(by_kode["33.74.15"].sumber_dana)["donatur"] == 60  # Ngaliyan: 60 PNS-sponsored workers
    gajahmungkur = next(p for p in by_kode["33.74.09"].kelurahan if p.nama == "Gajahmungkur")
    assert gajahmungkur.rt_rw.aktif >= 8 and gajahmungkur.rt_rw.target  # typed `Gajah Mungkur` in wilayah
    pekalongan = next(k for k in demo_figures.kabupaten if k.place.nama == "Kota Pekalongan")
    assert pekalongan.apbd_aktif == 1000


def test_rates_and_quotas_are_shown_the_indonesian_way(demo_site):
    assert "Rp11.156" in read_page(demo_site / "wilayah" / "kota-magelang" / "index.html").text
    pekalongan = read_page(demo_site / "wilayah" / "kota-pekalongan" / "index.html").text
    assert "1.000" in pekalongan
    assert "Rp16.800" in read_page(demo_site / "program" / "jkm" / "index.html").text
    assert "23 November 2026" in read_page(demo_site / "index.html").text


# --- published data -----------------------------------------------------------------

def test_the_published_datapackage_passes_frictionless_validate(demo_site):
    result = frictionless.validate(str(demo_site / "data" / "datapackage.json"))
    assert result.valid, result.flatten(["rowNumber", "fieldName", "type", "note"])


def test_the_published_tables_cover_every_place_of_the_demo(demo_site, demo_config, sources):
    def table(name):
        with open(demo_site / "data" / f"{name}.csv", newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))

    kecamatan = table("kecamatan")
    assert [r["kode"] for r in kecamatan] == [s["kode"] for s in sources]
    assert {r["kode"]: int(r["menunggu_perbaikan"]) for r in kecamatan if r["menunggu_perbaikan"] != "0"} == \
        {k: len(v) for k, v in DELIBERATE.items()}
    assert len(table("kabupaten_kota")) == 4
    assert len(table("kelurahan")) == sum(len(demo_config.wilayah.kecamatan[s["kode"]].kelurahan) for s in sources)
    assert table("donatur")


def test_no_published_cell_starts_like_a_formula(demo_site):
    for path in sorted((demo_site / "data").glob("*.csv")):
        with open(path, newline="", encoding="utf-8") as handle:
            for row in list(csv.reader(handle))[1:]:
                assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row), (path.name, row)


# --- privacy ---------------------------------------------------------------------------

def test_no_worker_name_or_nik_anywhere_in_the_site_snapshots_or_reports(demo):
    for folder in (demo.site, demo.root / "registry" / "snapshots", demo.root / "registry" / "laporan"):
        for path, text in every_text(folder):
            assert "Pekerja Contoh" not in text, path
            assert not FAKE_NIK.search(text), path


def hidden_donors():
    """Names of donors who did not agree to be shown, except where the same
    text is public anyway (a company's name is also its instansi)."""
    hidden, public = set(), set()
    for path in sorted(DEMO.glob("*.xlsx")):
        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("donatur").to_python()
        for row in rows[1:]:
            nama, instansi, shown = str(row[1] or ""), str(row[2] or ""), str(row[4]).strip().lower() == "ya"
            (public if shown else hidden).add(nama)
            public.add(instansi)
    return hidden - public - {""}


def test_donors_who_did_not_agree_are_named_nowhere(demo):
    hidden = hidden_donors()
    assert hidden, "the demo should have donors who chose not to be named"
    pattern = re.compile("|".join(re.escape(n) + r"(?!\d)" for n in sorted(hidden, key=len, reverse=True)))
    for folder in (demo.site, demo.root / "registry" / "snapshots"):
        for path, text in every_text(folder):
            found = pattern.search(text)
            assert not found, (path, found and found[0])


def test_the_privacy_guard_finds_nothing_in_the_demo_site(demo_site, demo_config):
    from lindung.build.site import kontak

    # The site's own published contact (lindung.toml) is the one e-mail allowed.
    allowed = kontak(demo_config.site).allowed
    assert allowed and guard.scan(demo_site, allowed=allowed) == []
    assert guard.scan(demo_site) != []


def test_the_hash_of_a_nik_changes_with_lindung_secret(tmp_path, demo):
    project = copy_project(tmp_path / "proyek")
    (project / "registry" / "sources.csv").write_text(
        f"kode,kecamatan,kabupaten_kota,sumber\n33.74.15,Ngaliyan,Kota Semarang,{DEMO / '33.74.15.xlsx'}\n",
        encoding="utf-8")
    from click.testing import CliRunner

    from lindung.cli import main

    contract = load_contract(SCHEMA_DIR)
    folder = project / "registry" / "snapshots" / "33.74.15"

    def hashes(secret):
        result = CliRunner().invoke(main, ["--root", str(project), "pull"], env={"LINDUNG_SECRET": secret})
        assert result.exit_code == 0, result.output
        return [r["nik_hash"] for r in snapshot.read(folder, contract).tables["peserta"]]

    one, two = "kunci-pertama-" + "x" * 32, "kunci-kedua-" + "y" * 32
    first, second = hashes(one), hashes(two)
    assert len(first) == len(second) > 60
    assert not set(first) & set(second)
    assert hashes(one) == first  # same key, same hash: a worker is still counted once
    # Outside the shipped demo registry there is no demo key: no secret, no pull.
    unset = CliRunner().invoke(main, ["--root", str(project), "pull"], env={"LINDUNG_SECRET": None})
    assert unset.exit_code == 2 and "LINDUNG_SECRET belum diisi" in unset.stderr
    assert hashes(one) == first


# --- reproducible ------------------------------------------------------------------------

def test_building_the_demo_again_gives_the_same_bytes(demo, tmp_path):
    from click.testing import CliRunner

    from lindung.cli import main

    again = tmp_path / "lagi"
    result = CliRunner().invoke(main, ["--root", str(demo.root), "build", "--as-of", AS_OF.isoformat(),
                                       "--out", str(again)])
    assert result.exit_code == 0, result.output

    def files(folder):
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}

    first, second = files(demo.site), files(again)
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []


# --- issue 11: what a citizen reads ----------------------------------------------------

ISSUE_11 = "issue 11: "


def page_texts(site: Path):
    for path in sorted(site.rglob("*.html")):
        yield path.relative_to(site).as_posix(), read_page(path).text


def test_the_home_page_says_how_many_kecamatan_of_the_province_sent_data(demo_site):
    import recount

    with_data, kecamatan, kab_with_data, kabupaten = recount.province_scope()
    text = read_page(demo_site / "index.html").text
    assert f"{with_data} dari {kecamatan} kecamatan di Jawa Tengah sudah mengirim data" in text
    assert f"{kab_with_data} dari {kabupaten} kabupaten/kota" in text


def test_workers_paid_by_donors_and_donors_are_two_numbers_with_two_names(demo_site, demo_config):
    import recount

    ngaliyan = recount.count(["33.74.15"])
    text = read_page(demo_site / kecamatan_path(demo_config, "33.74.15")).text
    assert "Donatur: 60 orang" not in text
    assert ngaliyan.funded == 60 and len(ngaliyan.donors) != 60
    assert re.search(rf"\b{len(ngaliyan.donors)} donatur\b", text)
    assert re.search(rf"\b{ngaliyan.funded} pekerja\b[^.]*\bdibiayai donatur", text)


def test_one_date_vocabulary_the_as_of_date_and_each_kecamatan_data_date(demo, demo_site, demo_config):
    pulled = snapshot.read(demo.root / "registry" / "snapshots" / "33.74.15", demo_config.contract).taken
    texts = dict(page_texts(demo_site))
    assert [name for name, text in texts.items() if "Data per" in text] == []
    assert [name for name, text in texts.items() if "Angka per 23 November 2026" not in text] == []
    ngaliyan = texts[kecamatan_path(demo_config, "33.74.15")]
    assert f"Data diambil {render_date(pulled)}" in ngaliyan


def render_date(day) -> str:
    from lindung.build.render import tanggal

    return tanggal(day)


def test_no_developer_words_on_public_pages(demo_site):
    words = ("penghasilan_", "iuran_tetap", "bpu_mandiri", "(data registry)", "iurnya", "registry/", ".xlsx",
             "None", "nik_hash")
    found = [(name, word) for name, text in page_texts(demo_site) for word in words if word in text]
    assert found == []


def test_the_status_page_never_says_good_beside_rows_waiting_for_a_fix(demo_site):
    page = read_page(demo_site / "status" / "index.html")
    waiting = [row for row in page.rows if len(row) == 3 and row[-1] not in ("0", "Menunggu perbaikan")]
    assert len(waiting) == len(DELIBERATE)
    assert [row for row in waiting if row[1] == "baik"] == []
    assert all(row[1] == "baik" for row in page.rows[1:] if row[-1] == "0")


def test_the_official_coverage_measure_is_not_a_second_cakupan(demo_site):
    text = read_page(demo_site / "wilayah" / "kabupaten-semarang" / "index.html").text
    assert "40,69%" in text and "Desember 2022" in text
    assert not re.search(r"[Cc]akupan 40,69", text)


def test_the_home_page_shares_a_real_title_with_its_figure(demo_site, demo_config):
    import recount

    source = (demo_site / "index.html").read_text(encoding="utf-8")
    [title] = re.findall(r'<meta property="og:title" content="([^"]*)"', source)
    assert title != demo_config.site.title
    assert render_number(recount.count(recount.demo_kodes()).rentan) in title


def render_number(n) -> str:
    from lindung.build.render import angka

    return angka(n)


def read_csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_the_demo_built_any_day_shows_the_day_it_was_made_for_and_keeps_its_stories(demo, tmp_path):
    import json

    import recount
    from click.testing import CliRunner
    from lindung.cli import main

    out = tmp_path / "situs"
    result = CliRunner().invoke(main, ["--root", str(demo.root), "build", "--out", str(out)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert json.loads((out / "data" / "datapackage.json").read_text(encoding="utf-8"))["version"] == \
        recount.DEMO_DATE.isoformat()
    [gajahmungkur] = [r for r in read_csv(out / "data" / "kelurahan.csv") if r["kode"] == "33.74.09.1005"]
    assert recount.kelurahan_count("33.74.09", "33.74.09.1005")[2] == {"mandiri": 8}
    assert gajahmungkur["pengurus_rt_rw_aktif"] == "8"
    pekalongan = recount.count(recount.by_kabupaten()["33.75"])
    assert pekalongan.pembiayaan[("pekerja rentan", "APBD")] == 1000
    assert sum(int(r["pekerja_rentan_aktif"]) for r in read_csv(out / "data" / "kecamatan.csv")
               if r["kode"].startswith("33.75")) == 1000


def test_the_demo_pull_is_dated_on_the_demo_day_so_its_data_date_matches_its_figures(demo, demo_config):
    import recount

    taken = {s.taken for s in snapshot.read_all(demo_config.snapshot_dir, demo_config.contract).values()}
    assert taken == {recount.DEMO_DATE}
