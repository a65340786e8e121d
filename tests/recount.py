"""An independent recount of the demo workbooks, for the tests to hold the
published figures against.

It reads registry/demo/*.xlsx with python-calamine and the official area list
(registry/wilayah/*.csv) as plain CSV, and applies the rules of DESIGN.md
and the sheet contract written out again here, in a few lines each, without
importing anything from Lindung: a row with an error counts nowhere; a
worker is active when mulai <= date <= berlaku_sampai; coverage is active ÷
the targets that are filled in; a donor named with consent is the same donor
wherever the same name, instansi and jenis appear, any other donor is one
per sheet id. If Lindung and this file disagree, one of them is wrong.
"""
from __future__ import annotations

import csv
import datetime as dt
import functools
import re
import tomllib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from python_calamine import CalamineWorkbook

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "registry" / "demo"
WILAYAH = ROOT / "registry" / "wilayah"
DEMO_DATE = dt.date(2026, 11, 23)
# The provinces the demo covers: lindung.toml chooses them from the national list.
PROVINCES = tuple(tomllib.loads((ROOT / "lindung.toml").read_text(encoding="utf-8"))["wilayah"]["provinsi"])

SEGMEN = ("pekerja rentan", "pengurus RT/RW")
SUMBER = ("mandiri", "APBD", "donatur", "CSR")
PEKERJAAN = ("ojek", "pedagang", "petani", "nelayan", "buruh", "UMKM", "batik", "pekerja rumah tangga",
             "pemulung", "tukang", "lainnya")
PROGRAM = ("JKK+JKM", "JKK+JKM+JHT")
BULAN = {b: i for i, b in enumerate("januari februari maret april mei juni juli agustus september oktober "
                                     "november desember".split(), start=1)}


def fold(text) -> str:
    return re.sub(r"[^0-9a-z]+", "", str(text).lower())


def spaces(text: str) -> str:
    return " ".join(str(text).split()).casefold()


def as_date(value):
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)):
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(value))
    text = str(value).strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    m = re.fullmatch(r"(\d{1,2}) (\w+) (\d{4})", text)
    if m and m[2].lower() in BULAN:
        try:
            return dt.date(int(m[3]), BULAN[m[2].lower()], int(m[1]))
        except ValueError:
            return None
    return None


def blank(value) -> bool:
    return value is None or str(value).strip() == ""


@functools.cache
def areas():
    """(kecamatan kode -> (nama, kabupaten kode, kabupaten nama, [(kelurahan kode, nama)]), kabupaten names),
    of the demo's provinces."""
    def rows(name):
        with open(WILAYAH / name, newline="", encoding="utf-8") as f:
            return [r for r in csv.DictReader(f) if r["code"].split(".")[0] in PROVINCES]

    kabupaten = {r["code"]: r["name"] for r in rows("regencies.csv")}
    villages = defaultdict(list)
    for r in rows("villages.csv"):
        villages[r["district_code"]].append((r["code"], r["name"]))
    kecamatan = {r["code"]: (r["name"], r["regency_code"], kabupaten[r["regency_code"]], sorted(villages[r["code"]]))
                 for r in rows("districts.csv")}
    return kecamatan, kabupaten


def match_kelurahan(kode: str, typed):
    if blank(typed):
        return None
    text = str(int(typed)) if isinstance(typed, float) and typed.is_integer() else str(typed)
    bare = re.sub(r"^(kelurahan|kel|desa|ds)\b\.?\s*", "", text.strip(), flags=re.I)  # `Kel. Wates`
    for code, name in areas()[0][kode][3]:
        if re.sub(r"\D", "", text) == code.replace(".", "") or fold(name) in (fold(text), fold(bare)):
            return code
    return None


@dataclass
class Worker:
    kelurahan: str
    segmen: str
    pekerjaan: str
    mulai: dt.date
    sampai: dt.date
    sumber: str
    donor: tuple | None  # donor key when a donor or CSR pays
    jenis: str | None
    periode: int | None

    def active(self, day: dt.date) -> bool:
        return self.mulai <= day <= self.sampai


@dataclass
class Sheet:
    kode: str
    workers: list[Worker] = field(default_factory=list)
    errors: int = 0
    targets: dict = field(default_factory=dict)  # kelurahan -> (target pekerja rentan, pengurus RT/RW)
    santunan: list = field(default_factory=list)  # (tanggal, program, jumlah)
    donors: dict = field(default_factory=dict)  # id -> (key, nama, instansi, jenis, periode, shown)


def rows(path: Path, tab: str) -> list[list]:
    book = CalamineWorkbook.from_path(str(path))
    if tab not in book.sheet_names:
        return []
    data = book.get_sheet_by_name(tab).to_python()
    return [r for r in data[1:] if any(not blank(c) for c in r)]


@functools.cache
def sheet(kode: str) -> Sheet:
    path = DEMO / f"{kode}.xlsx"
    result = Sheet(kode)
    for r in rows(path, "donatur"):
        r = list(r) + [None] * 6
        donor_id, nama, instansi, jenis, tampil, periode = r[:6]
        shown = fold(tampil) == "ya" and not blank(nama)
        key = ("nama", spaces(nama), spaces(instansi or ""), jenis) if shown else ("sheet", kode, str(donor_id))
        result.donors[str(donor_id)] = (key, nama if shown else None, instansi if shown else None, jenis,
                                        int(periode) if not blank(periode) else None, shown)
    for r in rows(path, "wilayah"):
        code = match_kelurahan(kode, r[0])
        if code and code not in result.targets:  # the first row of a kelurahan counts
            target = int(r[4]) if len(r) > 4 and not blank(r[4]) else None
            pengurus = int(r[3]) if len(r) > 3 and not blank(r[3]) else None
            result.targets[code] = (target or None, pengurus or None)
    niks = set()
    for r in rows(path, "peserta"):
        r = list(r) + [None] * 11
        nik, nama, kel, segmen, pekerjaan, program, mulai, sampai, sumber, donor_id = r[:10]
        nik_text = str(nik).replace(" ", "") if isinstance(nik, str) else None
        segmen = next((s for s in SEGMEN if fold(s) == fold(segmen)), None)
        sumber = next((s for s in SUMBER if fold(s) == fold(sumber)), None)
        program = next((p for p in PROGRAM if fold(p) == fold(program)), None)
        code = match_kelurahan(kode, kel)
        mulai, sampai = as_date(mulai), as_date(sampai)
        donor = result.donors.get(str(donor_id)) if not blank(donor_id) else None
        ok = (nik_text is not None and re.fullmatch(r"\d{16}", nik_text) and nik_text not in niks
              and not blank(nama) and code and segmen and program and sumber and mulai and sampai
              and sampai >= mulai and (sumber not in ("donatur", "CSR") or donor is not None))
        if nik_text:
            niks.add(nik_text)
        if not ok:
            result.errors += 1
            continue
        job = next((p for p in PEKERJAAN if fold(p) == fold(pekerjaan)), "lainnya" if not blank(pekerjaan)
                   else "belum diisi")
        pays = donor if sumber in ("donatur", "CSR") else None  # a leftover ID on a mandiri row pays for nobody
        result.workers.append(Worker(code, segmen, job, mulai, sampai, sumber, pays[0] if pays else None,
                                     pays[3] if pays else None, pays[4] if pays else None))
    for r in rows(path, "santunan"):
        result.santunan.append((as_date(r[0]), r[2], float(r[3])))
    return result


def demo_kodes() -> list[str]:
    return sorted(p.stem for p in DEMO.glob("*.xlsx"))


@dataclass
class Count:
    """The figures of one place: a kecamatan, a kabupaten/kota or the province."""

    rentan: int = 0
    rentan_target: int | None = None
    rt_rw: int = 0
    rt_rw_target: int | None = None
    pembiayaan: Counter = field(default_factory=Counter)  # (segmen, sumber) -> active
    pekerjaan: Counter = field(default_factory=Counter)  # (segmen, pekerjaan) -> active
    berakhir: Counter = field(default_factory=Counter)  # segmen -> active, paid up to within 30 days
    santunan: dict = field(default_factory=dict)  # program -> (times, Rp)
    donors: set = field(default_factory=set)  # keys of donors funding someone active
    funded: int = 0
    per_jenis: dict = field(default_factory=dict)  # jenis -> (donors, workers)
    per_periode: dict = field(default_factory=dict)  # months -> (donors, workers)
    errors: int = 0

    @property
    def cakupan(self) -> float | None:
        return round(100 * self.rentan / self.rentan_target, 2) if self.rentan_target else None


def count(kodes: list[str], day: dt.date = DEMO_DATE) -> Count:
    result = Count()
    targets = [t for k in kodes for t in sheet(k).targets.values()]
    filled = [t for t, _ in targets if t]
    result.rentan_target = sum(filled) if filled else None
    filled = [p for _, p in targets if p]
    result.rt_rw_target = sum(filled) if filled else None
    jenis_keys, jenis_workers = defaultdict(set), Counter()
    periode_keys, periode_workers = defaultdict(set), Counter()
    santunan = defaultdict(lambda: [0, 0.0])
    for k in kodes:
        s = sheet(k)
        result.errors += s.errors
        for w in s.workers:
            if not w.active(day):
                continue
            if w.segmen == "pekerja rentan":
                result.rentan += 1
            else:
                result.rt_rw += 1
            result.pembiayaan[(w.segmen, w.sumber)] += 1
            result.pekerjaan[(w.segmen, w.pekerjaan)] += 1
            if w.sampai <= day + dt.timedelta(days=30):
                result.berakhir[w.segmen] += 1
            if w.donor:
                result.donors.add(w.donor)
                result.funded += 1
                jenis_keys[w.jenis].add(w.donor)
                jenis_workers[w.jenis] += 1
                periode_keys[w.periode].add(w.donor)
                periode_workers[w.periode] += 1
        for tanggal, program, jumlah in s.santunan:
            if tanggal <= day:
                santunan[program][0] += 1
                santunan[program][1] += jumlah
    result.per_jenis = {j: (len(jenis_keys[j]), jenis_workers[j]) for j in jenis_keys}
    result.per_periode = {p: (len(periode_keys[p]), periode_workers[p]) for p in (3, 6, 12)}
    result.santunan = {p: tuple(v) for p, v in santunan.items()}
    return result


def kelurahan_count(kode: str, kelurahan: str, day: dt.date = DEMO_DATE) -> tuple[int, int, dict]:
    """(active pekerja rentan, active pengurus RT/RW, sumber -> active RT/RW) of one kelurahan."""
    workers = [w for w in sheet(kode).workers if w.kelurahan == kelurahan and w.active(day)]
    return (sum(w.segmen == "pekerja rentan" for w in workers), sum(w.segmen == "pengurus RT/RW" for w in workers),
            Counter(w.sumber for w in workers if w.segmen == "pengurus RT/RW"))


def kabupaten_of(kode: str) -> str:
    return areas()[0][kode][1]


def by_kabupaten() -> dict[str, list[str]]:
    groups = defaultdict(list)
    for kode in demo_kodes():
        groups[kabupaten_of(kode)].append(kode)
    return dict(groups)


def province_scope() -> tuple[int, int, int, int]:
    """(kecamatan with data, kecamatan in the province, kabupaten/kota with data, kabupaten/kota)."""
    kecamatan, kabupaten = areas()
    return len(demo_kodes()), len(kecamatan), len(by_kabupaten()), len(kabupaten)
