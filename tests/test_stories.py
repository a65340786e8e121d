"""Issue 11: the seed stories told as data, and every count and label held
against tests/recount.py, which recounts the demo workbooks without any of
Lindung's code. The published CSVs are read as a stranger would read them;
the pages as a citizen reads them (text and table rows)."""
from __future__ import annotations

import csv
import datetime as dt
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import frictionless
import pytest

import recount
from conftest import AS_OF

KOTA_SEMARANG, KOTA_PEKALONGAN, KAB_SEMARANG, KOTA_MAGELANG = "33.74", "33.75", "33.22", "33.71"
NGALIYAN, GAJAHMUNGKUR, KEL_GAJAHMUNGKUR = "33.74.15", "33.74.09", "33.74.09.1005"
SEGMEN = recount.SEGMEN
BULAN = ("Januari Februari Maret April Mei Juni Juli Agustus September Oktober November Desember").split()


def id_number(n) -> str:
    """1234567 -> 1.234.567, written independently of Babel."""
    return f"{int(n):,}".replace(",", ".")


def id_rupiah(n) -> str:
    return "Rp" + id_number(n)


def id_date(day: dt.date) -> str:
    return f"{day.day} {BULAN[day.month - 1]} {day.year}"


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.text, self.rows, self._row, self._skip = [], [], None, 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        if tag == "tr":
            self._row = [""]
        elif tag in ("td", "th") and self._row is not None:
            self._row.append("")
        elif tag == "br" and self._row is not None:
            self._row[-1] += " "

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1
        if tag == "tr" and self._row is not None:
            self.rows.append([re.sub(r"\s+", " ", c).strip() for c in self._row[1:]])
            self._row = None

    def handle_data(self, data):
        if self._skip:
            return
        self.text.append(data)
        if self._row is not None:
            self._row[-1] += data


def page(site: Path, path: str) -> _Page:
    parsed = _Page()
    parsed.feed((site / path / "index.html").read_text(encoding="utf-8"))
    parsed.text = re.sub(r"\s+", " ", "".join(parsed.text))
    return parsed


def table(site: Path, name: str) -> list[dict]:
    with open(site / "data" / f"{name}.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def row_of(rows: list[list[str]], label: str) -> list[str]:
    found = [r for r in rows if r and r[0] == label]
    assert len(found) >= 1, (label, rows[:5])
    return found[0]


@pytest.fixture(scope="module")
def site(demo_site) -> Path:
    return demo_site


@pytest.fixture(scope="module")
def levels() -> dict[tuple[str, str], recount.Count]:
    """(tingkat, kode) -> the recount of that place."""
    result = {("provinsi", "33"): recount.count(recount.demo_kodes())}
    for kode, kodes in recount.by_kabupaten().items():
        result[("kabupaten_kota", kode)] = recount.count(kodes)
    for kode in recount.demo_kodes():
        result[("kecamatan", kode)] = recount.count([kode])
    return result


def kabupaten_slug(kode: str) -> str:
    return {KOTA_SEMARANG: "kota-semarang", KOTA_PEKALONGAN: "kota-pekalongan", KAB_SEMARANG: "kabupaten-semarang",
            KOTA_MAGELANG: "kota-magelang"}[kode]


# --- the published data -------------------------------------------------------------------

def test_every_published_file_is_in_the_datapackage_and_it_validates(site):
    package = json.loads((site / "data" / "datapackage.json").read_text(encoding="utf-8"))
    listed = {r["path"] for r in package["resources"]}
    on_disk = {p.name for p in (site / "data").glob("*.csv")}
    assert listed == on_disk
    assert {"provinsi.csv", "pembiayaan.csv", "pekerjaan.csv", "santunan.csv", "donatur_per_jenis.csv",
            "donatur_per_periode.csv", "seri_provinsi.csv", "seri_kabupaten_kota.csv", "seri_kecamatan.csv"} <= listed
    report = frictionless.validate(str(site / "data" / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_who_pays_per_segmen_at_every_level(site, levels):
    published = {(r["tingkat"], r["kode"], r["segmen"], r["sumber_dana"]): int(r["pekerja_aktif"])
                 for r in table(site, "pembiayaan")}
    expected = {(t, k, s, d): c.pembiayaan.get((s, d), 0)
                for (t, k), c in levels.items() for s in SEGMEN for d in recount.SUMBER}
    assert published == expected


def test_the_pekerjaan_breakdown_at_every_level(site, levels):
    published = {(r["tingkat"], r["kode"], r["segmen"], r["pekerjaan"]): int(r["pekerja_aktif"])
                 for r in table(site, "pekerjaan")}
    expected = {(t, k, s, p): n for (t, k), c in levels.items() for (s, p), n in c.pekerjaan.items()}
    assert published == expected


def test_benefits_paid_per_program_at_every_level(site, levels):
    published = {(r["tingkat"], r["kode"], r["program"]): (int(r["jumlah_kali"]), float(r["jumlah_rupiah"]))
                 for r in table(site, "santunan")}
    expected = {(t, k, p): v for (t, k), c in levels.items() for p, v in c.santunan.items()}
    assert published == expected and expected


def test_donors_per_kind_and_per_payment_period_at_every_level(site, levels):
    jenis = {(r["tingkat"], r["kode"], r["jenis"]): (int(r["donatur"]), int(r["pekerja_dibiayai"]))
             for r in table(site, "donatur_per_jenis")}
    assert jenis == {(t, k, j): v for (t, k), c in levels.items() for j, v in c.per_jenis.items()}
    periode = {(r["tingkat"], r["kode"], int(r["periode_bayar_bulan"])): (int(r["donatur"]), int(r["pekerja_dibiayai"]))
               for r in table(site, "donatur_per_periode")}
    assert periode == {(t, k, p): c.per_periode[p] for (t, k), c in levels.items() for p in (3, 6, 12)}


@pytest.mark.parametrize("name, tingkat", [("provinsi", "provinsi"), ("kabupaten_kota", "kabupaten_kota"),
                                           ("kecamatan", "kecamatan")])
def test_the_level_files_hold_the_same_counts(site, levels, name, tingkat):
    rows = table(site, name)
    assert len(rows) == len([key for key in levels if key[0] == tingkat])
    for r in rows:
        c = levels[(tingkat, r["kode"])]
        santunan = sum(n for n, _ in c.santunan.values())
        assert (int(r["pekerja_rentan_aktif"]), int(r["pengurus_rt_rw_aktif"]), int(r["menunggu_perbaikan"]),
                int(r["donatur"]), int(r["pekerja_dibiayai_donatur"]),
                int(r["pekerja_rentan_berakhir_30_hari"]), int(r["pengurus_rt_rw_berakhir_30_hari"]),
                int(r["santunan_kali"])) == (
            c.rentan, c.rt_rw, c.errors, len(c.donors), c.funded, c.berakhir["pekerja rentan"],
            c.berakhir["pengurus RT/RW"], santunan), r["kode"]
        assert r["target_pekerja_rentan"] == (str(c.rentan_target) if c.rentan_target else "")
        assert r["cakupan_persen"] == (f"{c.cakupan:.2f}" if c.cakupan is not None else "")
        assert r["angka_per"] == AS_OF.isoformat()


def test_the_province_file_says_how_much_of_the_province_is_covered(site):
    [prov] = table(site, "provinsi")
    with_data, kecamatan, kab_with_data, kabupaten = recount.province_scope()
    assert (int(prov["kecamatan_berdata"]), int(prov["kecamatan_resmi"]), int(prov["kabupaten_kota_berdata"]),
            int(prov["kabupaten_kota_resmi"])) == (with_data, kecamatan, kab_with_data, kabupaten) == (42, 576, 4, 35)


def test_a_kabupaten_counts_a_donor_in_several_kecamatan_once(site, levels):
    by_kode = {r["kode"]: r for r in table(site, "kabupaten_kota")}
    kecamatan = table(site, "kecamatan")
    kab = levels[("kabupaten_kota", KAB_SEMARANG)]
    summed = sum(int(r["donatur"]) for r in kecamatan if r["kode"].startswith(KAB_SEMARANG))
    assert int(by_kode[KAB_SEMARANG]["donatur"]) == len(kab.donors) < summed  # companies fund in several kecamatan


@pytest.mark.parametrize("name, tingkat", [("seri_provinsi", "provinsi"), ("seri_kabupaten_kota", "kabupaten_kota"),
                                           ("seri_kecamatan", "kecamatan")])
def test_the_monthly_series_per_level(site, name, tingkat):
    rows = table(site, name)
    kodes = {"provinsi": {"33": recount.demo_kodes()}, "kabupaten_kota": recount.by_kabupaten(),
             "kecamatan": {k: [k] for k in recount.demo_kodes()}}[tingkat]
    assert len(rows) == 12 * len(kodes)
    for r in rows:
        day = dt.date.fromisoformat(r["tanggal"])
        c = recount.count(kodes[r["kode"]], day)
        assert (int(r["pekerja_rentan_aktif"]), int(r["pengurus_rt_rw_aktif"])) == (c.rentan, c.rt_rw), (r["kode"], day)
    assert max(dt.date.fromisoformat(r["tanggal"]) for r in rows) == AS_OF


def test_the_apbd_quota_with_its_year(site):
    by_kode = {r["kode"]: r for r in table(site, "kabupaten_kota")}
    pekalongan = by_kode[KOTA_PEKALONGAN]
    apbd = recount.count(recount.by_kabupaten()[KOTA_PEKALONGAN]).pembiayaan
    assert (pekalongan["kuota_apbd"], pekalongan["tahun_kuota"]) == ("1000", "2022")
    assert int(pekalongan["pekerja_apbd_aktif"]) == sum(n for (s, d), n in apbd.items() if d == "APBD") == 1000
    assert pekalongan["kuota_persen"] == "100.00"
    assert by_kode[KOTA_SEMARANG]["kuota_apbd"] == "" and by_kode[KOTA_SEMARANG]["kuota_persen"] == ""


def test_the_official_measure_is_published_apart_from_cakupan(site):
    by_kode = {r["kode"]: r for r in table(site, "kabupaten_kota")}
    semarang = by_kode[KAB_SEMARANG]
    assert semarang["keikutsertaan_resmi_persen"] == "40.69" and semarang["keikutsertaan_resmi_per"] == "2022-12-31"
    assert "ASN" in semarang["keikutsertaan_resmi_penyebut"] and "Ungaran" in semarang["keikutsertaan_resmi_sumber"]
    assert semarang["cakupan_persen"] != semarang["keikutsertaan_resmi_persen"]


# --- the seed stories on the pages ---------------------------------------------------------

def test_ngaliyan_60_cards_paid_by_pns_donors(site, levels):
    c = levels[("kecamatan", NGALIYAN)]
    assert c.pembiayaan[("pekerja rentan", "donatur")] == c.funded == 60
    assert c.per_jenis == {"PNS": (len(c.donors), 60)}
    p = page(site, "wilayah/kota-semarang/ngaliyan")
    assert row_of(p.rows, "Donatur")[1:] == ["60", "0"]
    assert row_of(p.rows, "PNS")[1:] == [id_number(len(c.donors)), "60"]
    for months in (3, 6, 12):
        donors, workers = c.per_periode[months]
        assert row_of(p.rows, f"{months} bulan")[1:] == [id_number(donors), id_number(workers)]


def test_gajahmungkur_8_rt_officials_paying_for_themselves(site, levels):
    rentan, rt_rw, sumber = recount.kelurahan_count(GAJAHMUNGKUR, KEL_GAJAHMUNGKUR)
    assert (rt_rw, sumber) == (8, {"mandiri": 8})
    [kel] = [r for r in table(site, "kelurahan") if r["kode"] == KEL_GAJAHMUNGKUR]
    assert kel["pengurus_rt_rw_aktif"] == "8"
    p = page(site, "wilayah/kota-semarang/gajahmungkur")
    [leaderboard] = [r for r in p.rows if len(r) > 2 and r[1] == "Gajahmungkur"]
    assert re.search(r"RT/RW 8 dari \d", leaderboard[2]) and leaderboard[-1].startswith("8 dari")
    c = levels[("kecamatan", GAJAHMUNGKUR)]
    assert row_of(p.rows, "Bayar sendiri (mandiri)")[1:] == [
        id_number(c.pembiayaan[("pekerja rentan", "mandiri")]), id_number(c.pembiayaan[("pengurus RT/RW", "mandiri")])]
    assert c.pembiayaan[("pengurus RT/RW", "mandiri")] >= 8


def test_pekalongan_1000_apbd_workers_in_batik_fisheries_and_farming(site, levels):
    c = levels[("kabupaten_kota", KOTA_PEKALONGAN)]
    p = page(site, "wilayah/kota-pekalongan")
    assert row_of(p.rows, "APBD (anggaran daerah)")[1:] == ["1.000", "0"]
    for pekerjaan in ("batik", "nelayan", "petani"):
        assert row_of(p.rows, pekerjaan)[1:] == [id_number(c.pekerjaan[("pekerja rentan", pekerjaan)]), "0"]
    assert re.search(r"Kuota APBD 2022: 1\.000 pekerja\. Pada 23 November 2026, 1\.000 pekerja terlindungi dengan "
                     r"iuran dari APBD: 100,00% dari kuota tahun 2022", p.text)


def test_the_home_page_shows_the_province_totals_of_benefits_paid(site, levels):
    c = levels[("provinsi", "33")]
    p = page(site, "")
    times = sum(n for n, _ in c.santunan.values())
    rupiah = sum(v for _, v in c.santunan.values())
    assert row_of(p.rows, "Semua")[1:] == [f"{id_number(times)} kali", id_rupiah(rupiah)]
    assert row_of(p.rows, "JKM (kematian)")[1:] == [f"{id_number(c.santunan['JKM'][0])} kali",
                                                    id_rupiah(c.santunan["JKM"][1])]


def test_protections_ending_in_the_next_30_days_are_shown(site, levels):
    for path, key in (("", ("provinsi", "33")), ("wilayah/kabupaten-semarang", ("kabupaten_kota", KAB_SEMARANG)),
                      ("wilayah/kota-semarang/ngaliyan", ("kecamatan", NGALIYAN))):
        c = levels[key]
        text = page(site, path).text
        assert (f"{id_number(c.berakhir['pekerja rentan'])} pekerja rentan dan "
                f"{id_number(c.berakhir['pengurus RT/RW'])} pengurus RT/RW iurannya lunas hanya sampai "
                f"{id_date(AS_OF + dt.timedelta(days=30))}") in text, path


def test_every_kecamatan_page_shows_who_pays_and_its_donors(site, levels):
    for kode in recount.demo_kodes():
        c = levels[("kecamatan", kode)]
        name, kab_kode = recount.areas()[0][kode][0], recount.kabupaten_of(kode)
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        p = page(site, f"wilayah/{kabupaten_slug(kab_kode)}/{slug}")
        for sumber, label in (("mandiri", "Bayar sendiri (mandiri)"), ("APBD", "APBD (anggaran daerah)"),
                              ("donatur", "Donatur"), ("CSR", "CSR perusahaan")):
            assert row_of(p.rows, label)[1:] == [id_number(c.pembiayaan[("pekerja rentan", sumber)]),
                                                 id_number(c.pembiayaan[("pengurus RT/RW", sumber)])], (kode, sumber)
        if c.funded:
            assert (f"{id_number(c.funded)} pekerja yang terlindungi pada {id_date(AS_OF)} iurannya dibiayai donatur "
                    f"atau CSR perusahaan. Mereka dibayari oleh {id_number(len(c.donors))} donatur.") in p.text, kode


# --- donors ------------------------------------------------------------------------------------

def test_the_donor_pages_count_donors_and_the_workers_they_fund_by_the_same_rule(site, levels):
    prov = levels[("provinsi", "33")]
    text = page(site, "donatur").text
    assert (f"{id_number(prov.funded)} pekerja yang terlindungi pada {id_date(AS_OF)} iurannya dibiayai donatur "
            f"atau CSR perusahaan. Mereka dibayari oleh {id_number(len(prov.donors))} donatur.") in text
    rows = page(site, "donatur").rows
    for kode in recount.by_kabupaten():
        c = levels[("kabupaten_kota", kode)]
        name = recount.areas()[1][kode]
        assert row_of(rows, name)[1:] == [id_number(len(c.donors)), id_number(c.funded)]
        kab = page(site, f"donatur/{kabupaten_slug(kode)}")
        assert f"Mereka dibayari oleh {id_number(len(c.donors))} donatur." in kab.text or not c.funded
        for kec in recount.by_kabupaten()[kode]:
            k = levels[("kecamatan", kec)]
            assert (f"{recount.areas()[0][kec][0]}: {id_number(len(k.donors))} donatur membiayai "
                    f"{id_number(k.funded)} pekerja") in kab.text


def test_a_donor_who_agreed_is_thanked_by_name_on_their_kabupaten_page_and_others_are_not_named(site):
    shown = {}
    for kode in recount.demo_kodes():
        for key, nama, instansi, jenis, periode, ok in recount.sheet(kode).donors.values():
            if ok:
                shown.setdefault(recount.kabupaten_of(kode), set()).add(nama.strip())
    for kode, names in shown.items():
        text = page(site, f"donatur/{kabupaten_slug(kode)}").text
        assert [n for n in names if n not in text] == []
