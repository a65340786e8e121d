"""Aggregate: the figures the site publishes, from snapshots and an as-of date.

A worker is active on the as-of date when mulai <= as-of <= berlaku_sampai.
Coverage is active ÷ target, and a place without a target has no coverage
("target belum diisi"), never 0 % or ∞. Every kelurahan of a listed
kecamatan appears, also with nobody protected yet. Rows in error never reach
a snapshot, so they are in no figure; their count travels as
`menunggu_perbaikan`. Pure: the same snapshots and date give the same figures.

Every level (kecamatan, kabupaten/kota, province, the whole site) is computed
the same way, from the counts of its active workers (`Aktif`), so a kabupaten's breakdown
is exactly the sum of its kecamatan's and nothing is counted twice. Donors
are the exception that needs a rule, because each sheet gives a donor an id
of its own: `donor_key` says who is the same donor across sheets, and every
level counts distinct keys (a company paying in three kecamatan is one donor
of its kabupaten, not three).
"""
from __future__ import annotations

import datetime as dt
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

from ..config import Config, Daerah
from ..store.report import Report, public_reason
from .slug import slugify
from ..store.snapshot import Snapshot

PEKERJA_RENTAN, PENGURUS_RT_RW = "pekerja rentan", "pengurus RT/RW"
SEGMEN = (PEKERJA_RENTAN, PENGURUS_RT_RW)
SUMBER_DANA = ("mandiri", "APBD", "donatur", "CSR")
PAID_BY_DONORS = frozenset({"donatur", "CSR"})  # sumber_dana that names a donor of the donatur tab
PERIODE_BAYAR = (3, 6, 12)
NO_PEKERJAAN = "belum diisi"
CHANGE_DAYS = 30
ENDING_DAYS = 30  # "berakhir dalam 30 hari": active today, paid up to at most 30 days from today
SERIES_MONTHS = 12


@dataclass(frozen=True)
class Coverage:
    aktif: int = 0
    target: int | None = None  # None: target belum diisi
    aktif_lalu: int = 0  # active CHANGE_DAYS before the as-of date

    @property
    def persen(self) -> float | None:
        return round(100 * self.aktif / self.target, 2) if self.target else None

    @property
    def perubahan(self) -> int:
        return self.aktif - self.aktif_lalu

    def __add__(self, other: "Coverage") -> "Coverage":
        targets = [t for t in (self.target, other.target) if t is not None]
        return Coverage(self.aktif + other.aktif, sum(targets) if targets else None,
                        self.aktif_lalu + other.aktif_lalu)


def _sum(items) -> Coverage:
    total = Coverage()
    for item in items:
        total = total + item
    return total


@dataclass(frozen=True)
class Place:
    """A kelurahan, kecamatan, kabupaten/kota, province or the whole site."""

    kode: str
    nama: str
    tingkat: str  # kelurahan | kecamatan | kabupaten_kota | provinsi
    path: str  # page path under the site root, "" when it has no page
    rentan: Coverage
    rt_rw: Coverage
    induk: str = ""  # the parent's name, for tables that mix places
    kelurahan_bertarget: int = 0  # kelurahan/desa with a target for pekerja rentan
    kelurahan_jumlah: int = 0  # kelurahan/desa in the place (of kecamatan with a sheet listed)


@dataclass(frozen=True)
class Status:
    data_per: dt.date | None  # the kecamatan's data date: when its sheet was last read with success
    umur_hari: int | None
    hasil: str  # ok | struktur | gagal_baca | belum_ada
    alasan: str
    gagal_sejak: str | None
    kesalahan: tuple = ()


@dataclass(frozen=True)
class DonorSummary:
    """The donors of one place who fund at least one worker active now,
    counted by `donor_key`, and the workers they fund."""

    donatur: int = 0
    pekerja: int = 0  # active workers whose iuran a donor or a company's CSR pays
    per_jenis: tuple[tuple[str, int, int], ...] = ()  # (jenis, donors, workers), kinds with any
    per_periode: tuple[tuple[int, int, int], ...] = ()  # (months, donors, workers), for 3, 6 and 12


@dataclass(frozen=True)
class Rincian:
    """The stories of one place as data: who pays, what work, what ends soon,
    what was paid out, who the donors are. Active workers only."""

    pembiayaan: tuple[tuple[str, str, int], ...]  # (segmen, sumber_dana, active) for every pair, zeros kept
    pekerjaan: tuple[tuple[str, str, int], ...]  # (segmen, pekerjaan, active), pairs with anyone
    berakhir: tuple[tuple[str, int], ...]  # (segmen, active and paid up to within ENDING_DAYS)
    santunan: tuple[tuple[str, int, float], ...]  # (program, times paid, Rp) up to the as-of date
    donatur: DonorSummary

    def dibayar(self, segmen: str, sumber: str) -> int:
        return next((n for s, d, n in self.pembiayaan if s == segmen and d == sumber), 0)

    def pekerjaan_per_jenis(self) -> tuple[tuple[str, int, int], ...]:
        """(pekerjaan, pekerja rentan, pengurus RT/RW), most first."""
        table: dict[str, list[int]] = {}
        for segmen, pekerjaan, count in self.pekerjaan:
            table.setdefault(pekerjaan, [0, 0])[SEGMEN.index(segmen)] += count
        return tuple(sorted(((p, a, b) for p, (a, b) in table.items()), key=lambda r: (-(r[1] + r[2]), r[0])))

    def pembiayaan_tabel(self) -> tuple[tuple[str, int, int], ...]:
        """(sumber_dana, pekerja rentan, pengurus RT/RW), in SUMBER_DANA order."""
        return tuple((d, self.dibayar(PEKERJA_RENTAN, d), self.dibayar(PENGURUS_RT_RW, d)) for d in SUMBER_DANA)

    def berakhir_untuk(self, segmen: str) -> int:
        return dict(self.berakhir).get(segmen, 0)

    @property
    def santunan_kali(self) -> int:
        return sum(n for _, n, _ in self.santunan)

    @property
    def santunan_rupiah(self) -> float:
        return sum(total for _, _, total in self.santunan)


@dataclass(frozen=True)
class Kecamatan:
    place: Place
    kabupaten: Place
    kelurahan: tuple[Place, ...]
    menunggu_perbaikan: int
    status: Status
    rincian: Rincian
    seri: tuple[tuple[dt.date, int], ...]  # active pekerja rentan at each of the last 12 month ends
    seri_rt_rw: tuple[tuple[dt.date, int], ...] = ()
    nik_di_kecamatan_lain: int = 0  # active workers whose NIK another kecamatan also lists
    berdata: bool = False  # a snapshot exists: the kecamatan has sent its data at least once
    donors: "Donors | None" = None  # this kecamatan's thank-you list

    @property
    def donatur_aktif(self) -> int:
        return self.rincian.donatur.donatur

    @property
    def sumber_dana(self) -> tuple[tuple[str, int], ...]:
        """Active workers (both segmen) per source of funds, sources with anyone."""
        totals = Counter()
        for _, sumber, n in self.rincian.pembiayaan:
            totals[sumber] += n
        return tuple(sorted((s, n) for s, n in totals.items() if n))

    @property
    def santunan(self) -> tuple[tuple[str, int, float], ...]:
        return self.rincian.santunan


@dataclass(frozen=True)
class Donor:
    nama: str
    instansi: str
    jenis: str
    kecamatan: str  # every kecamatan where they sponsor someone, comma-separated
    pekerja_aktif: int
    bulan_dibayar: int  # worker-months paid for, over all the workers they sponsor


@dataclass(frozen=True)
class Instansi:
    instansi: str
    jenis: str
    donatur: int  # donors funding someone active now
    pekerja_aktif: int
    bulan_dibayar: int


@dataclass(frozen=True)
class Donors:
    """The thank-you lists of one place: shown donors (also those whose
    workers' protection has ended), the others summed, and per instansi."""

    shown: tuple[Donor, ...]
    anonymous_donors: int  # donors without consent who fund someone active now
    anonymous_workers: int
    anonymous_months: int
    per_instansi: tuple[Instansi, ...]


@dataclass(frozen=True)
class Kabupaten:
    place: Place
    kecamatan: tuple[Kecamatan, ...]
    daerah: Daerah | None
    apbd_aktif: int  # active workers (both segmen) paid from the APBD
    seri: tuple[tuple[dt.date, int], ...]
    rincian: Rincian | None = None
    donors: Donors | None = None
    seri_rt_rw: tuple[tuple[dt.date, int], ...] = ()
    kecamatan_resmi: int = 0  # kecamatan of this kabupaten/kota in the official list
    belum_terdaftar: tuple[str, ...] = ()  # official kecamatan with no sheet listed in sources.csv

    @property
    def kecamatan_berdata(self) -> int:
        return sum(1 for k in self.kecamatan if k.berdata)

    @property
    def donatur_path(self) -> str:
        """The page thanking this kabupaten/kota's donors: its wilayah/ path
        under donatur/ (donatur/<its slug>/, or with several provinces
        donatur/<province slug>/<its slug>/)."""
        return "donatur/" + self.place.path.removeprefix("wilayah/")

    @property
    def kuota_persen(self) -> float | None:
        kuota = self.daerah.kuota_apbd if self.daerah else None
        return round(100 * self.apbd_aktif / kuota, 2) if kuota else None


@dataclass(frozen=True)
class Jangkauan:
    """How much of a province (or of the chosen provinces) the figures cover."""

    kecamatan_resmi: int  # kecamatan in the official list of the province
    kecamatan_terdaftar: int  # listed in registry/sources.csv
    kecamatan_berdata: int  # with data: their sheet has been read at least once
    kabupaten_resmi: int
    kabupaten_berdata: int
    belum_ada_data: tuple[tuple[str, str, int], ...] = ()  # (kode, nama, kecamatan) of kabupaten/kota without a sheet listed
    provinsi_resmi: int = 1  # provinces chosen in lindung.toml
    provinsi_berdata: int = 1  # of them, with at least one kecamatan with data


@dataclass(frozen=True)
class Provinsi:
    """One chosen province: its kabupaten/kota and their sums. With one
    province it is the whole site and has no page of its own (path "")."""

    place: Place
    kabupaten: tuple[Kabupaten, ...]
    rincian: Rincian
    donors: Donors
    jangkauan: Jangkauan
    menunggu_perbaikan: int
    seri: tuple[tuple[dt.date, int], ...]
    seri_rt_rw: tuple[tuple[dt.date, int], ...]

    @property
    def kecamatan(self) -> tuple[Kecamatan, ...]:
        return tuple(k for kab in self.kabupaten for k in kab.kecamatan)


@dataclass(frozen=True)
class Figures:
    as_of: dt.date
    provinsi: Place
    kabupaten: tuple[Kabupaten, ...]
    donors: Donors
    santunan: tuple[tuple[str, int, float], ...]
    menunggu_perbaikan: int
    seri: tuple[tuple[dt.date, int], ...]
    rincian: Rincian | None = None
    jangkauan: Jangkauan | None = None
    seri_rt_rw: tuple[tuple[dt.date, int], ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)
    daftar_provinsi: tuple[Provinsi, ...] = ()  # the chosen provinces, each with its kabupaten/kota

    @property
    def banyak_provinsi(self) -> bool:
        """More than one province: a province level above kabupaten/kota."""
        return len(self.daftar_provinsi) > 1

    @property
    def kecamatan(self) -> tuple[Kecamatan, ...]:
        return tuple(k for kab in self.kabupaten for k in kab.kecamatan)

    @property
    def tanggal_lalu(self) -> dt.date:
        """The day the 30-day change compares with."""
        return self.as_of - dt.timedelta(days=CHANGE_DAYS)

    @property
    def berakhir_sampai(self) -> dt.date:
        """The last day of "berakhir dalam 30 hari"."""
        return self.as_of + dt.timedelta(days=ENDING_DAYS)

    @property
    def kelurahan(self) -> tuple[Place, ...]:
        return tuple(p for k in self.kecamatan for p in k.kelurahan)


def rank(places) -> list:
    """Leaderboard order: coverage, then active count, then name. Places
    without a target come last, still ordered by active count."""
    def key(item):
        place = getattr(item, "place", item)
        persen = place.rentan.persen
        return (persen is None, -(persen or 0), -place.rentan.aktif, place.nama, place.kode)
    return sorted(places, key=key)


def donor_key(kode: str, row: dict) -> tuple:
    """Who a donor row is, across sheets. A donor who agreed to be named is
    their name, instansi and jenis, with case and spacing folded: the same
    three in two kecamatan (or twice in one sheet) are one donor. A donor who
    did not agree has no name in the snapshot, so they are one donor per
    sheet id: `(kecamatan, id)`. Every level and every published count uses
    this one rule."""
    if row["tampilkan_nama"] == "ya" and row["nama"]:
        return ("nama", _fold(row["nama"]), _fold(row["instansi"] or ""), row["jenis"])
    return ("sheet", kode, row["id"])


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


# One active worker, as the breakdowns need them (no identity), counted:
# (segmen, sumber_dana, pekerjaan, berakhir, donor_key, jenis, periode) ->
# workers. `berakhir`: paid up to within ENDING_DAYS; donor_key, jenis and
# periode are None unless a donor or CSR pays. Counting instead of listing
# lets a kabupaten or province add its kecamatan's counts.
Aktif = Counter


@dataclass(frozen=True)
class _SheetDonor:
    kode: str
    kecamatan: str
    kabupaten: str
    row: dict
    key: tuple
    aktif: int  # workers active now that this sheet row funds
    bulan: int  # worker-months paid, over every worker it funds


@dataclass(frozen=True)
class Partial:
    """What one kecamatan's snapshot gives on one as-of date, apart from what
    needs the other kecamatan (its report's status, NIKs listed twice). A
    function of the snapshot, the date and the registry: a build keeps it
    between runs (lindung.build.partials) and reads again only the snapshots
    that changed."""

    kecamatan: Kecamatan  # status and nik_di_kecamatan_lain filled in by `assemble`
    aktif: Aktif
    santunan: Counter  # program -> [times paid, Rp] up to the as-of date, as (n, total) pairs
    sheet_donors: tuple[_SheetDonor, ...]
    niks: bytes  # every worker row's NIK hash, as `nik_keys` packs them
    niks_aktif: bytes  # the active workers' NIK hashes, one per row, packed alike
    taken: dt.date | None


def figures(config: Config, snapshots: dict[str, Snapshot], reports: dict[str, Report],
            as_of: dt.date) -> Figures:
    return assemble(config, {source.kode: partial(config, source.kode, snapshots.get(source.kode), as_of)
                             for source in config.sources}, reports, as_of)


def partial(config: Config, kode: str, snapshot: Snapshot | None, as_of: dt.date) -> Partial:
    earlier = as_of - dt.timedelta(days=CHANGE_DAYS)
    ending_by = as_of + dt.timedelta(days=ENDING_DAYS)
    official = config.wilayah.kecamatan[kode]
    tables = snapshot.tables if snapshot else {}
    peserta = tables.get("peserta", [])
    kab_slug = slugify(official.kabupaten_nama)
    base = wilayah_path(config, official.provinsi_kode)
    kec_path = f"{base}{kab_slug}/{slugify(official.nama)}/"
    targets = _targets(tables.get("wilayah", []))
    donors = {}
    for row in tables.get("donatur", []):
        donors.setdefault(row["id"], row)
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    sponsored: dict[str, list[dict]] = defaultdict(list)
    for row in peserta:
        groups[(row["kelurahan"], row["segmen"])].append(row)
        donor_id = _paying_donor(row)
        if donor_id in donors:
            sponsored[donor_id].append(row)

    def coverage(kelurahan: str, segmen: str, target_column: str) -> Coverage:
        rows = groups.get((kelurahan, segmen), [])
        target = targets.get(kelurahan, {}).get(target_column) or None
        return Coverage(sum(1 for r in rows if _active(r, as_of)), target,
                        sum(1 for r in rows if _active(r, earlier)))

    kelurahan = tuple(
        Place(k.kode, k.nama, "kelurahan", "", coverage(k.kode, PEKERJA_RENTAN, "target_pekerja_rentan"),
              coverage(k.kode, PENGURUS_RT_RW, "pengurus_rt_rw"), official.nama,
              int(bool(targets.get(k.kode, {}).get("target_pekerja_rentan"))), 1)
        for k in official.kelurahan)
    keys = {donor_id: donor_key(kode, row) for donor_id, row in donors.items()}
    sheet_donors = []
    for donor_id, row in donors.items():
        theirs = sponsored.get(donor_id, [])
        sheet_donors.append(_SheetDonor(
            kode, official.nama, official.kabupaten_kode, row, keys[donor_id],
            sum(1 for r in theirs if _active(r, as_of)),
            sum(_months(r["mulai"], r["berlaku_sampai"]) for r in theirs)))
    active = [r for r in peserta if _active(r, as_of)]
    aktif = Counter(_aktif(r, donors, keys, ending_by) for r in active)
    santunan = _santunan_counts(tables.get("santunan", []), as_of)
    months = _month_ends(as_of)
    kecamatan = Kecamatan(
        place=Place(kode, official.nama, "kecamatan", kec_path,
                    _sum(p.rentan for p in kelurahan), _sum(p.rt_rw for p in kelurahan),
                    official.kabupaten_nama, sum(p.kelurahan_bertarget for p in kelurahan), len(kelurahan)),
        kabupaten=Place(official.kabupaten_kode, official.kabupaten_nama, "kabupaten_kota",
                        f"{base}{kab_slug}/", Coverage(), Coverage()),
        kelurahan=kelurahan,
        menunggu_perbaikan=(snapshot.meta.get("menunggu_perbaikan", 0) if snapshot else 0),
        status=_status(None, None, as_of),
        rincian=_rincian(aktif, santunan, pekerjaan_order(config)),
        seri=_series(peserta, PEKERJA_RENTAN, months),
        seri_rt_rw=_series(peserta, PENGURUS_RT_RW, months),
        berdata=snapshot is not None,
        donors=_donors(sheet_donors),
    )
    return Partial(kecamatan, aktif, santunan, tuple(sheet_donors), _pack(r["nik_hash"] for r in peserta),
                   _pack(r["nik_hash"] for r in active), snapshot.taken if snapshot else None)


def _pack(niks) -> bytes:
    """NIK hashes as 8-byte numbers: the first 12 base-32 characters (60 of
    the hash's bits) of each, a fraction of the strings' size. Two different
    NIKs share one with odds of about one in a million over 1.7 million."""
    return array("q", (int(nik[:12], 36) for nik in niks)).tobytes()


def nik_keys(packed: bytes) -> array:
    found = array("q")
    found.frombytes(packed)
    return found


def assemble(config: Config, partials: dict[str, Partial], reports: dict[str, Report], as_of: dt.date) -> Figures:
    """The figures of every level from each kecamatan's partial: kabupaten/kota
    and province add their kecamatan's counts, and what needs more than one
    kecamatan (NIKs listed twice, donors across sheets) is settled here."""
    order = pekerjaan_order(config)
    shared = _shared_niks(set(nik_keys(p.niks)) for p in partials.values())
    by_kabupaten: dict[str, list[Kecamatan]] = defaultdict(list)
    for source in sorted(config.sources, key=lambda s: s.kode):
        part = partials[source.kode]
        k = part.kecamatan
        by_kabupaten[k.kabupaten.kode].append(replace(
            k, status=_status(part, reports.get(source.kode), as_of),
            nik_di_kecamatan_lain=sum(1 for nik in nik_keys(part.niks_aktif) if nik in shared)))

    def counted(codes):
        aktif, santunan = Counter(), Counter()
        for code in codes:
            aktif.update(partials[code].aktif)
            for program, (n, total) in partials[code].santunan.items():
                before = santunan.get(program, (0, 0))
                santunan[program] = (before[0] + n, before[1] + total)
        return _rincian(aktif, santunan, order)

    sheet_donors = [d for code in sorted(partials) for d in partials[code].sheet_donors]
    listed = {s.kode for s in config.sources}
    official_by_kabupaten: dict[str, list] = defaultdict(list)
    for kec in config.wilayah.kecamatan.values():
        official_by_kabupaten[kec.kabupaten_kode].append(kec)
    kabupaten = []
    for kode, kecamatan in sorted(by_kabupaten.items()):
        first = kecamatan[0].kabupaten
        place = Place(kode, first.nama, first.tingkat, first.path,
                      _sum(k.place.rentan for k in kecamatan), _sum(k.place.rt_rw for k in kecamatan),
                      config.wilayah.provinsi[kode.split(".", 1)[0]],
                      sum(k.place.kelurahan_bertarget for k in kecamatan),
                      sum(k.place.kelurahan_jumlah for k in kecamatan))
        rincian = counted(k.place.kode for k in kecamatan)
        apbd = sum(n for _, sumber, n in rincian.pembiayaan if sumber == "APBD")
        kabupaten.append(Kabupaten(
            place, tuple(kecamatan), config.daerah.get(kode), apbd, _add_series(k.seri for k in kecamatan),
            rincian=rincian, donors=_donors([d for d in sheet_donors if d.kabupaten == kode]),
            seri_rt_rw=_add_series(k.seri_rt_rw for k in kecamatan),
            kecamatan_resmi=len(official_by_kabupaten[kode]),
            belum_terdaftar=tuple(k.nama for k in sorted(official_by_kabupaten[kode], key=lambda k: k.kode)
                                  if k.kode not in listed)))
    all_kecamatan = [k for kab in kabupaten for k in kab.kecamatan]
    rincian = counted(sorted(partials))
    jangkauan = _jangkauan(config, kabupaten, official_by_kabupaten, config.wilayah.provinsi)
    all_donors = _donors(sheet_donors)
    provinces = []
    for kode, nama in config.wilayah.provinsi.items():
        theirs = [kab for kab in kabupaten if kab.place.kode.startswith(kode + ".")]
        if len(config.wilayah.provinsi) == 1:  # the whole site: its sums, not counted again
            own_rincian, own_donors, scope = rincian, all_donors, jangkauan
        else:
            own_rincian = counted(k.place.kode for kab in theirs for k in kab.kecamatan)
            own_donors = _donors([d for d in sheet_donors if d.kabupaten.startswith(kode + ".")])
            scope = _jangkauan(config, theirs, official_by_kabupaten, {kode: nama})
        path = wilayah_path(config, kode) if len(config.wilayah.provinsi) > 1 else ""
        provinces.append(Provinsi(
            _total(kode, nama, path, config.wilayah.nama, [kab.place for kab in theirs]), tuple(theirs),
            own_rincian, own_donors, scope, sum(k.menunggu_perbaikan for kab in theirs for k in kab.kecamatan),
            _add_series(k.seri for k in theirs), _add_series(k.seri_rt_rw for k in theirs)))
    single = next(iter(config.wilayah.provinsi)) if len(config.wilayah.provinsi) == 1 else ""
    provinsi = _total(single, config.wilayah.nama, "", "", [p.place for p in provinces])
    return Figures(
        as_of=as_of, provinsi=provinsi, kabupaten=tuple(kabupaten), donors=all_donors,
        santunan=rincian.santunan,
        menunggu_perbaikan=sum(k.menunggu_perbaikan for k in all_kecamatan),
        seri=_add_series(k.seri for k in kabupaten),
        rincian=rincian, jangkauan=jangkauan,
        seri_rt_rw=_add_series(k.seri_rt_rw for k in kabupaten),
        daftar_provinsi=tuple(provinces),
    )


def wilayah_path(config: Config, provinsi_kode: str) -> str:
    """Where a province's places are under the site: wilayah/ with one
    province (wilayah/<kabupaten>/<kecamatan>/), wilayah/<province slug>/
    with several, so paths stay unique across Indonesia (kecamatan names
    repeat across kabupaten; kabupaten/kota names do not, but need not stay so)."""
    if len(config.wilayah.provinsi) == 1:
        return "wilayah/"
    return f"wilayah/{slugify(config.wilayah.provinsi[provinsi_kode])}/"


def _total(kode: str, nama: str, path: str, induk: str, parts: list[Place]) -> Place:
    """A province, or the whole site, as the sum of its parts."""
    return Place(kode, nama, "provinsi", path, _sum(p.rentan for p in parts), _sum(p.rt_rw for p in parts), induk,
                 sum(p.kelurahan_bertarget for p in parts), sum(p.kelurahan_jumlah for p in parts))


def _jangkauan(config: Config, kabupaten: list[Kabupaten], official_by_kabupaten: dict[str, list],
               provinces: dict[str, str]) -> Jangkauan:
    """How much of `provinces` the listed kabupaten/kota cover."""
    kecamatan = [k for kab in kabupaten for k in kab.kecamatan]
    listed = {kab.place.kode for kab in kabupaten}
    official = {kode: nama for kode, nama in config.wilayah.kabupaten.items() if kode.split(".", 1)[0] in provinces}
    with_data = {kab.place.kode for kab in kabupaten if kab.kecamatan_berdata}
    return Jangkauan(
        kecamatan_resmi=sum(len(official_by_kabupaten[kode]) for kode in official),
        kecamatan_terdaftar=len(kecamatan),
        kecamatan_berdata=sum(1 for k in kecamatan if k.berdata),
        kabupaten_resmi=len(official),
        kabupaten_berdata=len(with_data),
        belum_ada_data=tuple((kode, nama, len(official_by_kabupaten[kode]))
                             for kode, nama in sorted(official.items()) if kode not in listed),
        provinsi_resmi=len(provinces),
        provinsi_berdata=len({kode.split(".", 1)[0] for kode in with_data}),
    )


def _targets(rows: list[dict]) -> dict[str, dict]:
    """Targets per kelurahan code. A kelurahan typed twice (by name, then by
    code) is reported by the pull; should an older snapshot still hold both
    rows, the first one counts, as the report's fix text says."""
    targets: dict[str, dict] = {}
    for row in rows:
        targets.setdefault(row["kelurahan"], row)
    return targets


def _paying_donor(row: dict) -> str | None:
    """The donor id of a worker a donor or a company's CSR pays for. An id
    left in ID Donatur of a worker who pays for themselves (or is paid from
    the APBD) names nobody who pays: it is no donor's worker."""
    return row["id_donatur"] if row["sumber_dana"] in PAID_BY_DONORS and row["id_donatur"] else None


def _aktif(row: dict, donors: dict[str, dict], keys: dict[str, tuple], ending_by: dt.date) -> tuple:
    donor_id = _paying_donor(row)
    donor = donors.get(donor_id) if donor_id else None
    return (row["segmen"], row["sumber_dana"], row.get("pekerjaan") or NO_PEKERJAAN,
            row["berlaku_sampai"] <= ending_by, keys[donor_id] if donor else None,
            donor["jenis"] if donor else None, donor["periode_bayar"] if donor else None)


def _rincian(active: Aktif, santunan: Counter, pekerjaan_order) -> Rincian:
    paid, work, ending = Counter(), Counter(), Counter()
    keys_by_jenis: dict[str, set] = defaultdict(set)
    workers_by_jenis: Counter = Counter()
    keys_by_periode: dict[int, set] = defaultdict(set)
    workers_by_periode: Counter = Counter()
    funders: set = set()
    funded = 0
    for (segmen, sumber, pekerjaan, berakhir, donor, jenis, periode), n in active.items():
        paid[(segmen, sumber)] += n
        work[(segmen, pekerjaan)] += n
        if berakhir:
            ending[segmen] += n
        if donor is None:
            continue
        funders.add(donor)
        funded += n
        keys_by_jenis[jenis].add(donor)
        workers_by_jenis[jenis] += n
        if periode is not None:
            keys_by_periode[periode].add(donor)
            workers_by_periode[periode] += n

    def work_order(item):
        segmen, pekerjaan = item[0]
        return (SEGMEN.index(segmen) if segmen in SEGMEN else 9, pekerjaan_order.get(pekerjaan, 99), pekerjaan)

    donatur = DonorSummary(
        donatur=len(funders),
        pekerja=funded,
        per_jenis=tuple((j, len(keys_by_jenis[j]), workers_by_jenis[j]) for j in sorted(keys_by_jenis)),
        per_periode=tuple((p, len(keys_by_periode[p]), workers_by_periode[p]) for p in PERIODE_BAYAR),
    )
    return Rincian(
        pembiayaan=tuple((s, d, paid[(s, d)]) for s in SEGMEN for d in SUMBER_DANA),
        pekerjaan=tuple((s, p, n) for (s, p), n in sorted(work.items(), key=work_order) if n),
        berakhir=tuple((s, ending[s]) for s in SEGMEN),
        santunan=tuple((p, n, total) for p, (n, total) in sorted(santunan.items())),
        donatur=donatur,
    )


def pekerjaan_order(config: Config) -> dict[str, int]:
    try:
        enum = config.contract["peserta"].column("pekerjaan").enum or ()
    except (KeyError, StopIteration):
        enum = ()
    return {name: i for i, name in enumerate(enum)}


def _shared_niks(per_kecamatan) -> set[int]:
    """NIK hashes listed by more than one kecamatan (each given as the set of
    its own). A NIK is unique across the registry; both offices are told so
    they can check (the worker stays in both figures: which office is right
    is theirs to settle)."""
    seen: set[str] = set()
    shared: set[str] = set()
    for niks in per_kecamatan:
        shared |= seen & niks
        seen |= niks
    return shared


def _active(row: dict, day: dt.date) -> bool:
    return row["mulai"] <= day <= row["berlaku_sampai"]


def _months(start: dt.date, end: dt.date) -> int:
    """Whole months from start to end inclusive: 24/03/2025–23/03/2026 is 12."""
    return max(0, round(((end - start).days + 1) / (365.25 / 12)))


def _month_ends(as_of: dt.date) -> tuple[dt.date, ...]:
    """The as-of date and the same day of each of the 11 months before it."""
    days = []
    year, month = as_of.year, as_of.month
    for _ in range(SERIES_MONTHS):
        last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
        days.append(dt.date(year, month, min(as_of.day, last)))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return tuple(reversed(days))


def _series(peserta: list[dict], segmen: str, months) -> tuple[tuple[dt.date, int], ...]:
    """Active workers of `segmen` at each of `months` (sorted): each row adds
    one over the run of months it covers."""
    steps = [0] * (len(months) + 1)
    for row in peserta:
        if row["segmen"] == segmen:
            first, last = bisect_left(months, row["mulai"]), bisect_right(months, row["berlaku_sampai"])
            if first < last:
                steps[first] += 1
                steps[last] -= 1
    counts, running = [], 0
    for step in steps[:-1]:
        running += step
        counts.append(running)
    return tuple(zip(months, counts))


def _add_series(series) -> tuple[tuple[dt.date, int], ...]:
    totals: Counter = Counter()
    order: list[dt.date] = []
    for one in series:
        for day, count in one:
            if day not in totals:
                order.append(day)
            totals[day] += count
    return tuple((day, totals[day]) for day in sorted(order))


def _santunan_counts(rows, as_of) -> Counter:
    """Benefits paid up to the as-of date: program -> (times, Rp)."""
    counts, totals = Counter(), Counter()
    for row in rows:
        if row["tanggal"] <= as_of:
            counts[row["program"]] += 1
            totals[row["program"]] += row["jumlah"] or 0
    return Counter({p: (counts[p], totals[p]) for p in counts})


def _status(part: Partial | None, report: Report | None, as_of: dt.date) -> Status:
    taken = part.taken if part else None
    berdata = bool(part and part.kecamatan.berdata)
    age = max(0, (as_of - taken).days) if taken else None  # a build may be dated before the pull
    if report is None:
        return Status(taken, age, "ok" if berdata else "belum_ada", "", None)
    outcome = report.outcome if berdata or report.outcome != "ok" else "belum_ada"
    reason = public_reason(report.reason_kind) if outcome != "ok" else ""
    return Status(taken, age, outcome, reason, report.failing_since, tuple(report.errors))


def _donors(sheet_donors: list[_SheetDonor]) -> Donors:
    """The thank-you lists over the given sheet donors, merged by donor_key."""
    by_key: dict[tuple, list[_SheetDonor]] = {}
    for donor in sheet_donors:
        by_key.setdefault(donor.key, []).append(donor)
    shown, anonymous = [], [0, 0, 0]
    instansi: dict[tuple[str, str], list] = {}
    for key, parts in by_key.items():
        row = parts[0].row
        active = sum(p.aktif for p in parts)
        months = sum(p.bulan for p in parts)
        if key[0] == "nama":
            kecamatan = sorted({p.kecamatan for p in parts})
            shown.append(Donor(row["nama"].strip(), (row["instansi"] or "").strip(), row["jenis"],
                               ", ".join(kecamatan), active, months))
        elif active:
            anonymous[0] += 1
            anonymous[1] += active
            anonymous[2] += months
        name = (row["instansi"] or "").strip() if key[0] == "nama" else ""
        totals = instansi.setdefault((name, row["jenis"]), [0, 0, 0, 0])  # "": donors without a name shown
        totals[0] += 1 if active else 0
        totals[1] += active
        totals[2] += months
        totals[3] += 1
    shown.sort(key=lambda d: (-d.pekerja_aktif, -d.bulan_dibayar, d.nama.lower(), d.kecamatan))
    per_instansi = sorted((Instansi(name, jenis, *totals[:3]) for (name, jenis), totals in instansi.items()),
                          key=lambda i: (-i.pekerja_aktif, -i.bulan_dibayar, i.instansi.lower()))
    return Donors(tuple(shown), anonymous[0], anonymous[1], anonymous[2], tuple(per_instansi))
