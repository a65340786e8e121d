"""Aggregate: the figures the site publishes, from snapshots and an as-of date.

A worker is active on the as-of date when mulai <= as-of <= berlaku_sampai.
Coverage is active ÷ target, and a place without a target has no coverage
("target belum diisi"), never 0 % or ∞. Every kelurahan of a listed
kecamatan appears, also with nobody protected yet. Rows in error never reach
a snapshot, so they are in no figure; their count travels as
`menunggu_perbaikan`. Pure: the same snapshots and date give the same figures.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from ..config import Config, Daerah
from ..store.report import Report, public_reason
from .slug import slugify
from ..store.snapshot import Snapshot

PEKERJA_RENTAN, PENGURUS_RT_RW = "pekerja rentan", "pengurus RT/RW"
CHANGE_DAYS = 30
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
    """A kelurahan, kecamatan, kabupaten/kota or the whole province."""

    kode: str
    nama: str
    tingkat: str  # kelurahan | kecamatan | kabupaten_kota | provinsi
    path: str  # page path under the site root, "" when it has no page
    rentan: Coverage
    rt_rw: Coverage
    induk: str = ""  # the parent's name, for tables that mix places


@dataclass(frozen=True)
class Status:
    data_per: dt.date | None  # when the data shown was last pulled
    umur_hari: int | None
    hasil: str  # ok | struktur | gagal_baca | belum_ada
    alasan: str
    gagal_sejak: str | None
    kesalahan: tuple = ()


@dataclass(frozen=True)
class Kecamatan:
    place: Place
    kabupaten: Place
    kelurahan: tuple[Place, ...]
    menunggu_perbaikan: int
    donatur_aktif: int
    status: Status
    sumber_dana: tuple[tuple[str, int], ...]  # active workers (both segmen) per source of funds
    santunan: tuple[tuple[str, int, float], ...]  # program, count, total Rp
    seri: tuple[tuple[dt.date, int], ...]  # active pekerja rentan at each of the last 12 month ends
    nik_di_kecamatan_lain: int = 0  # active workers whose NIK another kecamatan also lists


@dataclass(frozen=True)
class Kabupaten:
    place: Place
    kecamatan: tuple[Kecamatan, ...]
    daerah: Daerah | None
    apbd_aktif: int
    seri: tuple[tuple[dt.date, int], ...]


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
    donatur: int
    pekerja_aktif: int
    bulan_dibayar: int


@dataclass(frozen=True)
class Donors:
    shown: tuple[Donor, ...]
    anonymous_donors: int
    anonymous_workers: int
    anonymous_months: int
    per_instansi: tuple[Instansi, ...]


@dataclass(frozen=True)
class Figures:
    as_of: dt.date
    provinsi: Place
    kabupaten: tuple[Kabupaten, ...]
    donors: Donors
    santunan: tuple[tuple[str, int, float], ...]
    menunggu_perbaikan: int
    seri: tuple[tuple[dt.date, int], ...]
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def kecamatan(self) -> tuple[Kecamatan, ...]:
        return tuple(k for kab in self.kabupaten for k in kab.kecamatan)

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


def figures(config: Config, snapshots: dict[str, Snapshot], reports: dict[str, Report],
            as_of: dt.date) -> Figures:
    earlier = as_of - dt.timedelta(days=CHANGE_DAYS)
    months = _month_ends(as_of)
    donor_rows = []
    shared = _shared_niks(snapshots)
    by_kabupaten: dict[str, list[Kecamatan]] = defaultdict(list)
    for source in sorted(config.sources, key=lambda s: s.kode):
        official = config.wilayah.kecamatan[source.kode]
        snapshot = snapshots.get(source.kode)
        tables = snapshot.tables if snapshot else {}
        peserta = tables.get("peserta", [])
        kab_slug = slugify(official.kabupaten_nama)
        kec_path = f"wilayah/{kab_slug}/{slugify(official.nama)}/"
        targets = {row["kelurahan"]: row for row in tables.get("wilayah", [])}
        groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
        sponsored: dict[str, list[dict]] = defaultdict(list)
        for row in peserta:
            groups[(row["kelurahan"], row["segmen"])].append(row)
            if row["id_donatur"]:
                sponsored[row["id_donatur"]].append(row)

        def coverage(kelurahan: str, segmen: str, target_column: str) -> Coverage:
            rows = groups.get((kelurahan, segmen), [])
            target = targets.get(kelurahan, {}).get(target_column) or None
            return Coverage(sum(1 for r in rows if _active(r, as_of)), target,
                            sum(1 for r in rows if _active(r, earlier)))

        kelurahan = tuple(
            Place(k.kode, k.nama, "kelurahan", "", coverage(k.kode, PEKERJA_RENTAN, "target_pekerja_rentan"),
                  coverage(k.kode, PENGURUS_RT_RW, "pengurus_rt_rw"), official.nama)
            for k in official.kelurahan)
        donors = {row["id"]: row for row in tables.get("donatur", [])}
        active = [r for r in peserta if _active(r, as_of)]
        funding = {r["id_donatur"] for r in active if r["id_donatur"]}
        for donor_id, row in donors.items():
            theirs = sponsored.get(donor_id, [])
            donor_rows.append((row, official.nama, sum(1 for r in theirs if _active(r, as_of)),
                               sum(_months(r["mulai"], r["berlaku_sampai"]) for r in theirs)))
        kab_place = Place(official.kabupaten_kode, official.kabupaten_nama, "kabupaten_kota",
                          f"wilayah/{kab_slug}/", Coverage(), Coverage())
        by_kabupaten[official.kabupaten_kode].append(Kecamatan(
            place=Place(source.kode, official.nama, "kecamatan", kec_path,
                        _sum(p.rentan for p in kelurahan), _sum(p.rt_rw for p in kelurahan),
                        official.kabupaten_nama),
            kabupaten=kab_place,
            kelurahan=kelurahan,
            menunggu_perbaikan=(snapshot.meta.get("menunggu_perbaikan", 0) if snapshot else 0),
            donatur_aktif=len(funding & set(donors)),
            status=_status(snapshot, reports.get(source.kode), as_of),
            sumber_dana=tuple(sorted(Counter(r["sumber_dana"] for r in active).items())),
            santunan=_santunan(tables.get("santunan", []), as_of),
            seri=tuple((m, sum(1 for r in peserta if r["segmen"] == PEKERJA_RENTAN and _active(r, m)))
                       for m in months),
            nik_di_kecamatan_lain=sum(1 for r in active if r["nik_hash"] in shared),
        ))
    kabupaten = []
    for kode, kecamatan in sorted(by_kabupaten.items()):
        first = kecamatan[0].kabupaten
        place = Place(kode, first.nama, first.tingkat, first.path,
                      _sum(k.place.rentan for k in kecamatan), _sum(k.place.rt_rw for k in kecamatan))
        apbd = sum(n for k in kecamatan for source, n in k.sumber_dana if source == "APBD")
        kabupaten.append(Kabupaten(place, tuple(kecamatan), config.daerah.get(kode), apbd,
                                   _add_series(k.seri for k in kecamatan)))
    all_kecamatan = [k for kab in kabupaten for k in kab.kecamatan]
    provinsi = Place("33", "Jawa Tengah", "provinsi", "", _sum(k.place.rentan for k in kabupaten),
                     _sum(k.place.rt_rw for k in kabupaten))
    santunan = Counter()
    amounts = Counter()
    for kec in all_kecamatan:
        for program, count, total in kec.santunan:
            santunan[program] += count
            amounts[program] += total
    return Figures(
        as_of=as_of, provinsi=provinsi, kabupaten=tuple(kabupaten), donors=_donors(donor_rows),
        santunan=tuple((p, santunan[p], amounts[p]) for p in sorted(santunan)),
        menunggu_perbaikan=sum(k.menunggu_perbaikan for k in all_kecamatan),
        seri=_add_series(k.seri for k in kabupaten),
    )


def _shared_niks(snapshots: dict[str, Snapshot]) -> set[str]:
    """NIK hashes listed by more than one kecamatan. A NIK is unique across the
    registry; both offices are told so they can check (the worker stays in
    both figures: which office is right is theirs to settle)."""
    owners: dict[str, set[str]] = defaultdict(set)
    for kode, snap in snapshots.items():
        for row in snap.tables.get("peserta", []):
            owners[row["nik_hash"]].add(kode)
    return {nik for nik, kodes in owners.items() if len(kodes) > 1}


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


def _add_series(series) -> tuple[tuple[dt.date, int], ...]:
    totals: Counter = Counter()
    order: list[dt.date] = []
    for one in series:
        for day, count in one:
            if day not in totals:
                order.append(day)
            totals[day] += count
    return tuple((day, totals[day]) for day in sorted(order))


def _santunan(rows, as_of) -> tuple[tuple[str, int, float], ...]:
    counts, totals = Counter(), Counter()
    for row in rows:
        if row["tanggal"] <= as_of:
            counts[row["program"]] += 1
            totals[row["program"]] += row["jumlah"] or 0
    return tuple((p, counts[p], totals[p]) for p in sorted(counts))


def _status(snapshot: Snapshot | None, report: Report | None, as_of: dt.date) -> Status:
    taken = snapshot.taken if snapshot else None
    age = max(0, (as_of - taken).days) if taken else None  # a build may be dated before the pull
    if report is None:
        return Status(taken, age, "ok" if snapshot else "belum_ada", "", None)
    outcome = report.outcome if snapshot or report.outcome != "ok" else "belum_ada"
    reason = public_reason(report.reason_kind) if outcome != "ok" else ""
    return Status(taken, age, outcome, reason, report.failing_since, tuple(report.errors))


def _donors(rows) -> Donors:
    anon = [0, 0, 0]
    # One line per donor, even when they sponsor workers in several kecamatan
    # (each kecamatan's sheet gives them an id of its own).
    named: dict[tuple[str, str, str], list] = {}
    instansi: dict[tuple[str, str], list[int]] = {}
    for row, kecamatan, active, months in rows:
        if row["tampilkan_nama"] == "ya" and row["nama"]:
            key = (" ".join(row["nama"].split()).casefold(), (row["instansi"] or "").strip().casefold(), row["jenis"])
            line = named.setdefault(key, [row["nama"].strip(), (row["instansi"] or "").strip(), row["jenis"], [], 0, 0])
            if kecamatan not in line[3]:
                line[3].append(kecamatan)
            line[4] += active
            line[5] += months
        else:
            anon[0] += 1
            anon[1] += active
            anon[2] += months
        key = ((row["instansi"] or "").strip() or f"({row['jenis']})", row["jenis"])
        totals = instansi.setdefault(key, [0, 0, 0])
        totals[0] += 1
        totals[1] += active
        totals[2] += months
    shown = sorted((Donor(nama, inst, jenis, ", ".join(sorted(kec)), active, months)
                    for nama, inst, jenis, kec, active, months in named.values()),
                   key=lambda d: (-d.pekerja_aktif, -d.bulan_dibayar, d.nama.lower(), d.kecamatan))
    per_instansi = sorted((Instansi(name, jenis, *totals) for (name, jenis), totals in instansi.items()),
                          key=lambda i: (-i.pekerja_aktif, -i.bulan_dibayar, i.instansi.lower()))
    return Donors(tuple(shown), anon[0], anon[1], anon[2], tuple(per_instansi))
