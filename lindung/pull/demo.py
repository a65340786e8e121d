"""Generate the synthetic demo registry in registry/demo/ and registry/sources.csv.

One workbook per kecamatan of Kota Semarang, Kota Magelang, Kota Pekalongan and
Kabupaten Semarang (42 in all), with real kelurahan/desa names from the
Kemendagri list and invented people: every NIK starts with 99 (no province
has that code), every worker is "Pekerja Contoh nnnn". The data tells the seed
programs of DESIGN.md (PNS sponsors in Kota Semarang, self-paying RT officials
in Gajahmungkur, APBD in Magelang and Pekalongan, Kamar Lindung in Kabupaten
Semarang), is as untidy as real sheets are (upper-case names, dates as text,
"16.800"), and carries a few deliberate errors so the report and the
"menunggu perbaikan" counts have something to show. Everything comes from one
seeded random.Random and fixed dates, so `python -m lindung.pull.demo` always
writes the same bytes.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import random
from dataclasses import dataclass, field
from pathlib import Path

from lindung.pull.workbook import write_workbook

SEED = 2026
AS_OF = dt.date(2026, 11, 23)  # the demo must look alive on this date
EARLIEST = dt.date(2024, 1, 1)
DEMO_TOML = """\
# Written by `python -m lindung.pull.demo`. The day this synthetic registry was
# made for: `lindung build` without --as-of builds the demo for this day, so it
# tells the same stories whenever it is built. A real registry uses today.
tanggal = {day}
"""
LATEST_START = dt.date(2026, 11, 20)

REGIONS = ("33.74", "33.71", "33.75", "33.22")  # Kota Semarang, Magelang, Pekalongan, Kab. Semarang
NGALIYAN = "33.74.15"
NGALIYAN_SPONSORED = 60
GAJAHMUNGKUR = "33.74.09"
KEL_GAJAHMUNGKUR = "33.74.09.1005"
GAJAHMUNGKUR_RT = 8
GAJAHMUNGKUR_TYPED = "Gajah Mungkur"  # spacing variant of the official name
PEKALONGAN_ACTIVE = {"33.75.01": 270, "33.75.02": 260, "33.75.03": 290, "33.75.04": 180}
# Ungaran Barat: one named donor who agreed to be shown (the XSS test donor
# that used to stand here lives in the tests now: tests/test_site.py).
NAMED_DONOR_KEC = "33.22.18"
NAMED_DONOR_NAME = "Donatur Contoh Ungaran Barat"
NO_TARGET_KEC = ("33.74.14", "33.22.09")  # one kelurahan each: "target belum diisi"

# Deliberate errors, by kecamatan (see apply_errors for what each one does).
ERRORS = {
    "33.74.10": ("nik_angka", "nik_15"),
    "33.74.02": ("nama_kosong", "nik_ganda"),
    "33.71.02": ("segmen_salah", "tanggal_mustahil"),
    "33.22.10": ("kelurahan_asing", "donatur_tidak_ada"),
    "33.22.01": ("sampai_sebelum_mulai",),
}
ERROR_TEXT = {
    "nik_angka": ("NIK", "NIK stored as a number cell (float), so it is rounded"),
    "nik_15": ("NIK", "NIK of 15 digits"),
    "nama_kosong": ("Nama", "empty Nama"),
    "nik_ganda": ("NIK", "NIK duplicated within the sheet (same NIK as row {other})"),
    "segmen_salah": ("Segmen", 'segmen "pekerja tetap" (not in the list)'),
    "tanggal_mustahil": ("Mulai", 'impossible date "31/02/2025"'),
    "kelurahan_asing": ("Kelurahan", '"{value}" is not a kelurahan/desa of this kecamatan'),
    "donatur_tidak_ada": ("ID Donatur", "sumber_dana donatur with ID {value}, which is not in the donatur tab"),
    "sampai_sebelum_mulai": ("Berlaku Sampai", "Berlaku Sampai is before Mulai"),
}
UNKNOWN_KELURAHAN = "Bandungan"  # a real desa, but of Kecamatan Bandungan, not Ambarawa

BULAN = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli",
         "Agustus", "September", "Oktober", "November", "Desember")

# Rupiah per month; rates are data elsewhere (registry/daerah.csv), these only fill cells.
IURAN = {"JKK+JKM": 16800, "JKK+JKM+JHT": 36800}
IURAN_MAGELANG_RT = 11156

SEMARANG_OPD = (
    "Dinas Kesehatan Kota Semarang", "Dinas Pendidikan Kota Semarang",
    "Dinas Tenaga Kerja Kota Semarang", "Dinas Sosial Kota Semarang",
    "Bappeda Kota Semarang", "Dinas Perhubungan Kota Semarang",
    "Badan Pendapatan Daerah Kota Semarang", "RSUD K.R.M.T. Wongsonegoro",
)
COMPANIES = (
    "PT Contoh Sandang Nusantara", "PT Contoh Agro Lestari", "CV Contoh Makmur Jaya",
    "PT Contoh Garmen Bawen", "PT Contoh Susu Getasan", "PT Contoh Wisata Bandungan",
    "PT Contoh Tekstil Ungaran", "CV Contoh Tani Mandiri",
)
COMMUNITIES = (
    "Paguyuban Contoh Rawa Pening", "Komunitas Contoh Pesepeda Ungaran",
    "Majelis Taklim Contoh", "Karang Taruna Contoh", "Arisan Contoh Ibu-ibu PKK",
)

# Occupations by place: coast, farmland, batik town, industrial estates.
JOBS_KOTA = {"ojek": 20, "pedagang": 30, "buruh": 25, "UMKM": 15, "lainnya": 10}
COASTAL = ("33.74.02", "33.74.05", "33.74.13", "33.74.16")
FARMING = ("33.74.10", "33.74.12", "33.74.14")
JOBS_MAGELANG = {"pedagang": 35, "ojek": 20, "buruh": 20, "UMKM": 15, "lainnya": 10}
JOBS_PEKALONGAN = {
    "33.75.01": {"batik": 65, "petani": 20, "nelayan": 15},
    "33.75.02": {"batik": 60, "petani": 25, "nelayan": 15},
    "33.75.03": {"nelayan": 55, "batik": 30, "petani": 15},
    "33.75.04": {"batik": 55, "petani": 40, "nelayan": 5},
}
JOBS_KAB = {"petani": 40, "pedagang": 20, "buruh": 20, "ojek": 8, "UMKM": 8, "lainnya": 4}
RAWA_PENING = ("33.22.06", "33.22.07", "33.22.10")
INDUSTRIAL = ("33.22.11", "33.22.13", "33.22.15", "33.22.18", "33.22.19")


@dataclass
class Worker:
    kel: str  # Kemendagri code of the kelurahan
    segmen: str
    pekerjaan: str
    program: str
    mulai: dt.date
    sampai: dt.date
    sumber: str
    donor: str | None = None
    iuran: int | None = None
    clean: bool = False  # part of a seed count: no untidy formats, no errors
    nik: str = ""
    nama: str = ""
    cells: dict = field(default_factory=dict)  # overrides of the written values


@dataclass
class Donor:
    id: str
    nama: str
    instansi: str | None
    jenis: str
    tampilkan: str
    periode: int


def add_months(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    for day in (d.day, 30, 29, 28):
        try:
            return dt.date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def period_end(mulai: dt.date, months: int, periods: int) -> dt.date:
    """Paid up to: `periods` payments of `months` months, less one day."""
    return add_months(mulai, months * periods) - dt.timedelta(days=1)


def rand_date(rng: random.Random, lo: dt.date, hi: dt.date) -> dt.date:
    return lo + dt.timedelta(days=rng.randint(0, (hi - lo).days))


def weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class Demo:
    """Holds the one random stream and the counters shared by all kecamatan."""

    def __init__(self, repo_root: Path):
        self.root = repo_root
        self.rng = random.Random(SEED)
        self.next_worker = 1
        self.next_donor = 1
        self.errors: list[tuple] = []  # (kode, kecamatan, tab, row, column, text)
        wilayah = repo_root / "registry" / "wilayah"
        self.regencies = {r["code"]: r["name"] for r in read_csv(wilayah / "regencies.csv")}
        self.districts = [r for r in read_csv(wilayah / "districts.csv")
                          if r["regency_code"] in REGIONS]
        self.districts.sort(key=lambda r: r["code"])
        self.villages: dict[str, list[tuple[str, str]]] = {}
        for r in read_csv(wilayah / "villages.csv"):
            if r["district_code"].rsplit(".", 1)[0] in REGIONS:  # the national list names the kecamatan only
                self.villages.setdefault(r["district_code"], []).append((r["code"], r["name"]))
        for rows in self.villages.values():
            rows.sort()

    # -- dates ------------------------------------------------------------
    def dates(self, periode: int, status: str) -> tuple[dt.date, dt.date]:
        rng = self.rng
        if status == "baru":  # joined in the last 30 days
            mulai = rand_date(rng, AS_OF - dt.timedelta(days=29), LATEST_START)
            return mulai, period_end(mulai, periode, 1)
        if status == "lewat":  # stopped paying before AS_OF
            mulai = rand_date(rng, EARLIEST, add_months(AS_OF, -periode - 1))
            periods = 1
            while period_end(mulai, periode, periods + 1) < AS_OF and rng.random() < 0.6:
                periods += 1
            return mulai, period_end(mulai, periode, periods)
        mulai = rand_date(rng, EARLIEST, AS_OF - dt.timedelta(days=30))
        periods = 1
        while period_end(mulai, periode, periods) < AS_OF:
            periods += 1  # renewed until paid past AS_OF
        return mulai, period_end(mulai, periode, periods)

    def status(self) -> str:
        x = self.rng.random()
        return "lewat" if x < 0.10 else "baru" if x < 0.17 else "aktif"

    # -- people -----------------------------------------------------------
    def donor(self, donors: list[Donor], jenis: str, instansi: str | None,
              periode: int, nama: str | None = None, tampilkan: str | None = None) -> Donor:
        d = Donor(
            id=f"D{len(donors) + 1:03d}",
            nama=nama or f"Donatur Contoh {self.next_donor:03d}",
            instansi=instansi, jenis=jenis,
            tampilkan=tampilkan or ("ya" if self.rng.random() < 0.5 else "tidak"),
            periode=periode,
        )
        self.next_donor += 1
        donors.append(d)
        return d

    def worker(self, pick, segmen: str, jobs: dict[str, int], sumber: str,
               periode: int, *, program: str = "JKK+JKM", iuran: int | None = None,
               donor: Donor | None = None, status: str | None = None,
               kel: str | None = None, clean: bool = False) -> Worker:
        mulai, sampai = self.dates(periode, status or self.status())
        return Worker(
            kel=kel or pick(segmen), segmen=segmen, pekerjaan=weighted(self.rng, jobs),
            program=program, mulai=mulai, sampai=sampai, sumber=sumber,
            donor=donor.id if donor else None,
            iuran=iuran if iuran is not None else IURAN[program], clean=clean,
        )

    def mandiri(self, pick, segmen: str, jobs: dict[str, int], **kw) -> Worker:
        program = "JKK+JKM+JHT" if self.rng.random() < 0.25 else "JKK+JKM"
        periode = self.rng.choice((1, 1, 3, 6))
        return self.worker(pick, segmen, jobs, "mandiri", periode, program=program, **kw)

    # -- one kecamatan ----------------------------------------------------
    def kecamatan(self, district: dict) -> dict[str, list[list]]:
        rng, kode = self.rng, district["code"]
        villages = self.villages[kode]
        wilayah, caps = self.wilayah_tab(kode, villages)
        taken: dict[tuple[str, str], int] = {}

        def pick(segmen: str) -> str:
            # Spread people by the room left under each kelurahan's target.
            key = "pr" if segmen == "pekerja rentan" else "rt"
            room = [max(caps[c][key] - taken.get((c, key), 0), 0) for c, _ in villages]
            if not any(room):
                room = [1] * len(villages)
            code = rng.choices([c for c, _ in villages], weights=room)[0]
            taken[(code, key)] = taken.get((code, key), 0) + 1
            return code

        donors: list[Donor] = []
        region = kode[:5]
        if region == "33.74":
            workers = self.kota_semarang(kode, district["name"], villages, pick, donors)
        elif region == "33.71":
            workers = self.kota_magelang(pick)
        elif region == "33.75":
            workers = self.kota_pekalongan(kode, pick)
        else:
            workers = self.kab_semarang(kode, villages, pick, donors)

        workers.sort(key=lambda w: w.mulai)  # sheets grow as people join
        for w in workers:
            w.nik = f"99{self.next_worker:014d}"
            w.nama = f"Pekerja Contoh {self.next_worker:04d}"
            self.next_worker += 1
        names = dict(villages)
        broken = self.apply_errors(kode, district["name"], workers, donors)
        peserta = [self.peserta_row(w, names, i in broken) for i, w in enumerate(workers)]
        donatur = [[d.id, d.nama, d.instansi, d.jenis, d.tampilkan, d.periode] for d in donors]
        return {"peserta": peserta, "donatur": donatur, "wilayah": wilayah,
                "santunan": self.santunan(villages)}

    def wilayah_tab(self, kode: str, villages: list[tuple[str, str]]):
        rng = self.rng
        no_target = rng.randrange(len(villages)) if kode in NO_TARGET_KEC else None
        rows, caps = [], {}
        for i, (code, name) in enumerate(villages):
            rt, rw = rng.randint(5, 25), rng.randint(2, 12)
            pengurus = 3 * (rt + rw) + rng.randint(-2, 2)
            lo = 60 if kode.startswith("33.75") else 20  # Pekalongan's 1,000 need room
            target = None if i == no_target else rng.randint(lo, 150)
            shown = name
            if code == KEL_GAJAHMUNGKUR:
                shown = GAJAHMUNGKUR_TYPED
            elif rng.random() < 0.08:
                shown = code  # some offices type the code, which also matches
            rows.append([shown, rt, rw, pengurus, target])
            caps[code] = {"pr": target or 40, "rt": pengurus}
        return rows, caps

    def kota_semarang(self, kode, kec_name, villages, pick, donors) -> list[Worker]:
        rng = self.rng
        jobs = dict(JOBS_KOTA)
        if kode in COASTAL:
            jobs["nelayan"] = 15
        if kode in FARMING:
            jobs["petani"] = 15
        workers: list[Worker] = []
        n = rng.randint(20, 120)
        sponsored = NGALIYAN_SPONSORED if kode == NGALIYAN else round(n * 0.5)
        kel_names = [name for _, name in villages]
        instansi = SEMARANG_OPD + (f"Kecamatan {kec_name}",) * 3
        if kode != NGALIYAN and rng.random() < 0.3:
            # An office that pays as a whole, for two or three workers.
            opd = rng.choice(SEMARANG_OPD)
            d = self.donor(donors, "OPD", opd, 12, nama=opd, tampilkan="ya")
            for _ in range(rng.randint(2, 3)):
                workers.append(self.worker(pick, "pekerja rentan", jobs, "donatur", 12, donor=d))
                sponsored -= 1
        while sponsored > 0:
            # Gerakan PNS Peduli Pekerja Rentan: one civil servant, one to three workers.
            k = min(rng.choice((1, 1, 1, 2, 2, 3)), sponsored)
            office = rng.choice(instansi + (f"Kelurahan {rng.choice(kel_names)}",))
            d = self.donor(donors, "PNS", office, rng.choice((3, 6, 12)))
            for _ in range(k):
                workers.append(self.worker(
                    pick, "pekerja rentan", jobs, "donatur", d.periode, donor=d,
                    clean=kode == NGALIYAN,
                    status=("baru" if rng.random() < 0.1 else "aktif") if kode == NGALIYAN else None))
            sponsored -= k
        if kode == GAJAHMUNGKUR:
            for _ in range(GAJAHMUNGKUR_RT):  # 8 RT officials who pay for themselves
                workers.append(self.worker(
                    pick, "pengurus RT/RW", jobs, "mandiri", rng.choice((1, 3)),
                    kel=KEL_GAJAHMUNGKUR, status="aktif", clean=True))
        rest = rng.randint(10, 25) if kode == NGALIYAN else n - len(workers)
        for _ in range(max(rest, 0)):
            segmen = "pengurus RT/RW" if rng.random() < 0.3 else "pekerja rentan"
            w = self.mandiri(pick, segmen, jobs)
            while w.kel == KEL_GAJAHMUNGKUR and segmen == "pengurus RT/RW":
                w.kel = pick(segmen)  # keep Kelurahan Gajahmungkur at exactly 8
            workers.append(w)
        return workers

    def kota_magelang(self, pick) -> list[Worker]:
        rng = self.rng
        workers = []
        for _ in range(rng.randint(60, 120)):
            if rng.random() < 0.75:  # RT/RW officials, paid by the city budget
                workers.append(self.worker(pick, "pengurus RT/RW", JOBS_MAGELANG, "APBD", 12,
                                           iuran=IURAN_MAGELANG_RT))
            else:
                workers.append(self.mandiri(pick, "pekerja rentan", JOBS_MAGELANG))
        return workers

    def kota_pekalongan(self, kode, pick) -> list[Worker]:
        rng = self.rng
        jobs = JOBS_PEKALONGAN[kode]
        active = PEKALONGAN_ACTIVE[kode]
        workers = [self.worker(pick, "pekerja rentan", jobs, "APBD", 12, clean=True,
                               status="baru" if rng.random() < 0.05 else "aktif")
                   for _ in range(active)]
        workers += [self.worker(pick, "pekerja rentan", jobs, "APBD", 12, status="lewat")
                    for _ in range(round(active / 9))]  # ~10 % of the rows have lapsed
        return workers

    def kab_semarang(self, kode, villages, pick, donors) -> list[Worker]:
        rng = self.rng
        jobs = dict(JOBS_KAB)
        if kode in RAWA_PENING:
            jobs["nelayan"] = 10
        if kode in INDUSTRIAL:
            jobs["buruh"] = 45
        n = rng.randint(20, 120)
        workers = []
        if kode == NAMED_DONOR_KEC:
            d = self.donor(donors, "perorangan", None, 12, nama=NAMED_DONOR_NAME, tampilkan="ya")
            workers.append(self.worker(pick, "pekerja rentan", jobs, "donatur", 12, donor=d))
        for _ in range(round(n * 0.45)):
            # Kamar Lindung, "satu melindungi satu": one donor, one worker.
            jenis = weighted(rng, {"perorangan": 60, "komunitas": 25, "perusahaan": 15})
            if jenis == "perusahaan":
                company = rng.choice(COMPANIES)
                d = self.donor(donors, jenis, company, 12, nama=company)
            elif jenis == "komunitas":
                group = rng.choice(COMMUNITIES)
                if group.startswith("Karang Taruna"):
                    group += " " + rng.choice(villages)[1]
                d = self.donor(donors, jenis, group, rng.choice((6, 12)))
            else:
                d = self.donor(donors, jenis, None, rng.choice((3, 6, 12)))
            workers.append(self.worker(pick, "pekerja rentan", jobs, "donatur", d.periode, donor=d))
        csr = round(n * 0.15)
        if csr:
            companies = rng.sample(COMPANIES, 2 if csr > 6 else 1)
            csr_donors = [self.donor(donors, "perusahaan", c, 12, nama=c,
                                     tampilkan="ya" if rng.random() < 0.8 else "tidak")
                          for c in companies]
            for i in range(csr):
                program = "JKK+JKM+JHT" if rng.random() < 0.2 else "JKK+JKM"
                workers.append(self.worker(pick, "pekerja rentan", jobs, "CSR", 12,
                                           program=program, donor=csr_donors[i % len(csr_donors)]))
        for _ in range(n - len(workers)):
            segmen = "pengurus RT/RW" if rng.random() < 0.1 else "pekerja rentan"
            workers.append(self.mandiri(pick, segmen, jobs))
        return workers

    def santunan(self, villages) -> list[list]:
        rng = self.rng
        if rng.random() > 0.3:
            return []
        rows = []
        for _ in range(rng.randint(1, 4)):
            program = weighted(rng, {"JKM": 3, "JKK": 3, "beasiswa": 2})
            jumlah = {"JKM": 42_000_000,
                      "JKK": rng.randint(8, 250) * 100_000,
                      "beasiswa": rng.choice((1_500_000, 2_000_000, 3_000_000, 12_000_000))}[program]
            rows.append([rand_date(rng, dt.date(2025, 1, 1), dt.date(2026, 11, 15)),
                         rng.choice(villages)[1], program, jumlah])
        rows.sort(key=lambda r: r[0])
        return rows

    # -- errors and untidiness ---------------------------------------------
    def apply_errors(self, kode, kec_name, workers: list[Worker], donors) -> set[int]:
        rng = self.rng
        broken: set[int] = set()

        def choose(ok=lambda w: True) -> int:
            i = rng.choice([i for i, w in enumerate(workers)
                            if not w.clean and i not in broken and ok(w)])
            broken.add(i)
            return i

        for kind in ERRORS.get(kode, ()):
            other = value = None
            if kind == "nik_angka":
                i = choose()
                workers[i].cells["nik"] = float(workers[i].nik)
            elif kind == "nik_15":
                i = choose()
                workers[i].cells["nik"] = workers[i].nik[:15]
            elif kind == "nama_kosong":
                i = choose()
                workers[i].cells["nama"] = None
            elif kind == "nik_ganda":
                j = choose()
                i = choose()
                workers[i].cells["nik"] = workers[j].nik
                other = j + 2
            elif kind == "segmen_salah":
                i = choose()
                workers[i].cells["segmen"] = "pekerja tetap"
            elif kind == "tanggal_mustahil":
                i = choose()
                workers[i].cells["mulai"] = "31/02/2025"
                workers[i].cells["sampai"] = dt.date(2026, 2, 27)
            elif kind == "kelurahan_asing":
                i = choose()
                workers[i].cells["kelurahan"] = value = UNKNOWN_KELURAHAN
            elif kind == "donatur_tidak_ada":
                i = choose(lambda w: w.sumber == "donatur")
                workers[i].cells["id_donatur"] = value = f"D{len(donors) + 7:03d}"
            elif kind == "sampai_sebelum_mulai":
                i = choose()  # year typed wrong: paid "until" the day before it started
                workers[i].cells["sampai"] = workers[i].mulai - dt.timedelta(days=1)
            column, text = ERROR_TEXT[kind]
            self.errors.append((kode, kec_name, "peserta", i + 2, column,
                                text.format(other=other, value=value)))
        return broken

    def untidy_date(self, d: dt.date):
        x = self.rng.random()
        if x < 0.008:
            return d.strftime("%d/%m/%Y")
        if x < 0.013:
            return d.isoformat()
        if x < 0.018:
            return f"{d.day} {BULAN[d.month - 1]} {d.year}"
        return d

    def peserta_row(self, w: Worker, names: dict[str, str], broken: bool) -> list:
        rng = self.rng
        kel, mulai, sampai, iuran = names[w.kel], w.mulai, w.sampai, w.iuran
        if not w.clean and not broken:
            # Untidy but valid: what real editors type.
            x = rng.random()
            if x < 0.04:
                kel = kel.upper()
            elif x < 0.07:
                kel = f"  {kel} " if " " not in kel else kel.replace(" ", "  ")
            elif x < 0.10:
                kel = w.kel
            mulai, sampai = self.untidy_date(mulai), self.untidy_date(sampai)
            y = rng.random()
            if y < 0.05:
                iuran = None
            elif y < 0.065:
                iuran = f"{iuran:,}".replace(",", ".")
            elif y < 0.07 and w.sumber != "APBD":
                iuran = f"Rp {iuran:,}".replace(",", ".")
        values = {"nik": w.nik, "nama": w.nama, "kelurahan": kel, "segmen": w.segmen,
                  "mulai": mulai, "sampai": sampai, "id_donatur": w.donor}
        values.update(w.cells)
        return [values["nik"], values["nama"], values["kelurahan"], values["segmen"],
                w.pekerjaan, w.program, values["mulai"], values["sampai"], w.sumber,
                values["id_donatur"], iuran]


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def readme(demo: Demo, counts: dict[str, int]) -> str:
    lines = [
        "# Demo registry (synthetic)",
        "",
        "One workbook per kecamatan of Kota Semarang, Kota Magelang, Kota Pekalongan",
        "and Kabupaten Semarang (42 files, named by Kemendagri code), listed in",
        "`registry/sources.csv`. The default build runs on these, with no network",
        "and no credentials.",
        "",
        "**Everything here is invented.** Kelurahan/desa names and codes are the",
        "official Kemendagri list; people are not: every NIK starts with `99` (no",
        "province has that code), workers are `Pekerja Contoh nnnn`, donors",
        "`Donatur Contoh nnn` or companies and groups with `Contoh` in the name.",
        "There are no phone numbers or addresses. Government offices appear only as",
        "the *instansi* of invented civil servants.",
        "",
        "Regenerate (same seed, same bytes):",
        "",
        "    python -m lindung.pull.demo",
        "",
        f"Dates are fixed so the demo is alive on {AS_OF.isoformat()}: most workers are",
        "active then, about 10 % have lapsed, some joined in the last 30 days.",
        f"`demo.toml` holds that day: `lindung build` without `--as-of` builds the demo",
        "for it (and `lindung pull` dates the demo's data on it), so the stories below",
        "are the same whenever it is built. A real registry is built for today.",
        "",
        "## The seed programs in the data",
        "",
        "- Kota Semarang, Gerakan PNS Peduli Pekerja Rentan: PNS donors (3, 6 or 12",
        "  months at a time, some for two or three workers). Kecamatan Ngaliyan",
        f"  ({NGALIYAN}) has exactly {counts['ngaliyan']} PNS-sponsored workers, all active.",
        f"- Kelurahan Gajahmungkur ({KEL_GAJAHMUNGKUR}): {counts['gajahmungkur']} RT officials paying",
        f"  for themselves (mandiri). Its wilayah row is typed `{GAJAHMUNGKUR_TYPED}`.",
        "- Kota Magelang: RT/RW officials paid from the APBD at Rp11.156 a month.",
        "- Kota Pekalongan: APBD-paid batik workers, fishers and farmers,",
        f"  {counts['pekalongan']} active on {AS_OF.isoformat()} across its four kecamatan.",
        "- Kabupaten Semarang, Kamar Lindung: one donor (perorangan, komunitas,",
        "  perusahaan) for one worker, plus CSR rows. Companies fund workers in",
        "  several kecamatan, each sheet with its own ID: the site counts each once.",
        "",
        "Valid but untidy, on purpose: kelurahan in upper case, with extra spaces or",
        "as a code; dates as text (`24/03/2025`, `2025-03-24`, `24 Maret 2025`);",
        "iuran as text (`16.800`, `Rp 16.800`) or empty; one kelurahan in each of",
        f"{' and '.join(NO_TARGET_KEC)} has no target (\"target belum diisi\").",
        "",
        "## Deliberate errors",
        "",
        "These rows must show up in the report and be counted as",
        "\"menunggu perbaikan\"; nothing else in the demo is wrong.",
        "",
        "| kecamatan | tab | row | column | error |",
        "|---|---|---|---|---|",
    ]
    for kode, name, tab, row, column, text in sorted(demo.errors):
        lines.append(f"| {kode} {name} | {tab} | {row} | {column} | {text} |")
    return "\n".join(lines) + "\n"


def make_demo(repo_root: Path) -> list[Path]:
    """Write registry/demo/<kode>.xlsx, registry/demo/README.md and
    registry/sources.csv under repo_root; return the paths written."""
    repo_root = Path(repo_root)
    demo = Demo(repo_root)
    schema_dir = repo_root / "registry" / "schema"
    out = repo_root / "registry" / "demo"
    out.mkdir(parents=True, exist_ok=True)
    written, sources = [], []
    counts = {"ngaliyan": 0, "gajahmungkur": 0, "pekalongan": 0}
    for district in demo.districts:
        kode = district["code"]
        tabs = demo.kecamatan(district)
        for row in tabs["peserta"]:
            if kode == NGALIYAN and row[8] == "donatur":
                counts["ngaliyan"] += 1
            if kode == GAJAHMUNGKUR and row[2] == "Gajahmungkur" and row[3] == "pengurus RT/RW":
                counts["gajahmungkur"] += 1
            if (kode.startswith("33.75") and isinstance(row[6], dt.date)
                    and isinstance(row[7], dt.date) and row[6] <= AS_OF <= row[7]):
                counts["pekalongan"] += 1  # text dates never lapse here: all rows are clean or lewat
        path = out / f"{kode}.xlsx"
        write_workbook(path, tabs, schema_dir=schema_dir)
        written.append(path)
        sources.append([kode, district["name"], demo.regencies[district["regency_code"]],
                        f"registry/demo/{kode}.xlsx"])
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["kode", "kecamatan", "kabupaten_kota", "sumber"])
    w.writerows(sorted(sources))
    (repo_root / "registry" / "sources.csv").write_text(buf.getvalue(), encoding="utf-8")
    (out / "README.md").write_text(readme(demo, counts), encoding="utf-8")
    (out / "demo.toml").write_text(DEMO_TOML.format(day=AS_OF.isoformat()), encoding="utf-8")
    return written + [repo_root / "registry" / "sources.csv", out / "README.md", out / "demo.toml"]


if __name__ == "__main__":
    root = Path(__file__).resolve().parents[2]
    paths = make_demo(root)
    print(f"{len(paths)} berkas ditulis di {root / 'registry'}")
