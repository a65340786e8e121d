"""The committed demo registry is what `python -m lindung.pull.demo` writes, and it
tells the seed stories without any real personal data."""
import csv
import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from lindung.pull.demo import make_demo

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "registry" / "demo"
TABS = ("peserta", "donatur", "wilayah", "santunan")
AS_OF = dt.date(2026, 11, 23)
BULAN = {b: i for i, b in enumerate(
    ("januari februari maret april mei juni juli agustus september oktober "
     "november desember").split(), start=1)}


def workbooks():
    return sorted(DEMO.glob("*.xlsx"))


def sheet(path, tab):
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(tab).to_python()


def as_date(v):
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(v, fmt).date()
        except (TypeError, ValueError):
            pass
    m = re.fullmatch(r"(\d+) (\w+) (\d{4})", str(v))
    return dt.date(int(m[3]), BULAN[m[2].lower()], int(m[1])) if m else None


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    root = tmp_path_factory.mktemp("repo")
    for part in ("schema", "wilayah"):
        shutil.copytree(ROOT / "registry" / part, root / "registry" / part)
    return root, make_demo(root)


def test_regenerating_gives_the_committed_bytes(regenerated):
    root, paths = regenerated
    assert len([p for p in paths if p.suffix == ".xlsx"]) == 42
    for path in paths:
        committed = ROOT / path.relative_to(root)
        assert committed.exists(), committed
        assert path.read_bytes() == committed.read_bytes(), (
            f"{committed.relative_to(ROOT)} differs: run `python -m lindung.pull.demo`")


def test_sources_csv():
    with open(ROOT / "registry" / "sources.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["kode", "kecamatan", "kabupaten_kota", "sumber"]
    body = rows[1:]
    assert len(body) == 42 and body == sorted(body)
    assert ["33.74.15", "Ngaliyan", "Kota Semarang", "registry/demo/33.74.15.xlsx"] in body
    assert {r[2] for r in body} == {"Kota Semarang", "Kota Magelang", "Kota Pekalongan",
                                    "Kabupaten Semarang"}
    assert [Path(r[3]).name for r in body] == [p.name for p in workbooks()]
    assert sum(p.stat().st_size for p in workbooks()) < 2_000_000


def test_tabs_and_headers_match_schema():
    titles = {tab: [f["title"] for f in json.loads(
        (ROOT / "registry" / "schema" / f"{tab}.json").read_text(encoding="utf-8"))["fields"]]
        for tab in TABS}
    for path in workbooks():
        wb = CalamineWorkbook.from_path(str(path))
        assert wb.sheet_names == [*TABS, "Petunjuk"], path.name
        for tab in TABS:
            assert wb.get_sheet_by_name(tab).to_python()[0] == titles[tab], (path.name, tab)


def test_every_nik_is_obviously_fake():
    for path in workbooks():
        for row in sheet(path, "peserta")[1:]:
            nik = row[0]
            text = str(int(nik)) if isinstance(nik, float) else nik
            assert text.startswith("99"), (path.name, nik)


def test_nik_unique_across_demo_except_the_deliberate_duplicate():
    seen = {}
    dups = []
    for path in workbooks():
        for row in sheet(path, "peserta")[1:]:
            if isinstance(row[0], str):
                if row[0] in seen:
                    dups.append((seen[row[0]], path.stem))
                seen[row[0]] = path.stem
    assert dups == [("33.74.02", "33.74.02")]


def test_ngaliyan_has_60_pns_sponsored_workers():
    rows = sheet(DEMO / "33.74.15.xlsx", "peserta")[1:]
    sponsored = [r for r in rows if r[8] == "donatur"]
    assert len(sponsored) == 60
    donors = {r[0]: r for r in sheet(DEMO / "33.74.15.xlsx", "donatur")[1:]}
    assert all(donors[r[9]][3] == "PNS" for r in sponsored)
    assert all(as_date(r[6]) <= AS_OF <= as_date(r[7]) for r in sponsored)


def test_gajahmungkur_and_pekalongan():
    rows = sheet(DEMO / "33.74.09.xlsx", "peserta")[1:]
    rt = [r for r in rows if r[2] == "Gajahmungkur" and r[3] == "pengurus RT/RW"]
    assert len(rt) == 8 and {r[8] for r in rt} == {"mandiri"}
    active = 0
    for kode in ("33.75.01", "33.75.02", "33.75.03", "33.75.04"):
        for r in sheet(DEMO / f"{kode}.xlsx", "peserta")[1:]:
            if r[8] == "APBD" and as_date(r[6]) <= AS_OF <= as_date(r[7]):
                active += 1
    assert active == 1000


def test_no_markup_in_any_demo_cell():
    found = [(path.name, tab) for path in workbooks() for tab in TABS
             for row in sheet(path, tab) for cell in row if isinstance(cell, str) and "<" in cell]
    assert found == []


def test_the_demo_names_the_day_it_was_made_for():
    import tomllib

    assert tomllib.loads((DEMO / "demo.toml").read_text(encoding="utf-8"))["tanggal"] == AS_OF
