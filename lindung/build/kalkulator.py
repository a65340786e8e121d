"""Kalkulator: what protecting one worker costs, for 1, 3, 6 and 12 months.

The program pages of JKK, JKM and JHT show it as a table that needs no
JavaScript, and a small form uses the same numbers. Rates are data
(registry/iuran.csv for the national rates with the period each holds for,
registry/daerah.csv for each kabupaten/kota's own program), never constants
here, so a payment that runs past the end of a discount is priced month by
month: three months from November 2026 are two discounted months and one at
the full rate.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..config import Config, Daerah, Iuran

PERIODE = (1, 3, 6, 12)
MONTHS = PERIODE[-1]
PAKET = (("JKK+JKM", ("jkk", "jkm")), ("JKK+JKM+JHT", ("jkk", "jkm", "jht")))
BPU, BPU_MANDIRI = "bpu", "bpu_mandiri"


@dataclass(frozen=True)
class Tarif:
    """One way of paying (national, or a kabupaten/kota's program): the
    monthly amounts and the totals of each package."""

    kode: str  # stable id for the form: "nasional", "nasional-mandiri", or the daerah's code
    nama: str
    keterangan: str
    bulanan: tuple[tuple[int, ...], ...]  # per package, Rp for each of the MONTHS months from the first
    total: tuple[tuple[int, tuple[int, ...]], ...]  # (months, Rp per package) for each PERIODE

    @property
    def per_bulan(self) -> tuple[tuple[str, int], ...]:
        """(package, Rp) for the first month."""
        return tuple((name, amounts[0]) for (name, _), amounts in zip(PAKET, self.bulanan))


@dataclass(frozen=True)
class Kalkulator:
    mulai: dt.date  # first day of the first month priced
    periode: tuple[int, ...]
    paket: tuple[str, ...]  # package names, in the order of Tarif.bulanan
    tarif: tuple[Tarif, ...]

    @property
    def kolom(self) -> int:
        """Columns of the table: the period, then one per package."""
        return 1 + len(self.paket)


def months_from(as_of: dt.date, count: int = MONTHS) -> tuple[dt.date, ...]:
    """The first day of the as-of month and of the months after it."""
    result, year, month = [], as_of.year, as_of.month
    for _ in range(count):
        result.append(dt.date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tuple(result)


def national_rate(iuran: tuple[Iuran, ...], program: str, month: dt.date, mandiri: bool) -> int:
    """The monthly rate of one program for a month. A self-paying member
    (not paid from APBN/APBD) gets a `bpu_mandiri` rate where one holds,
    else the `bpu` rate; where several hold, the latest to start wins."""
    groups = (BPU_MANDIRI, BPU) if mandiri else (BPU,)
    for group in groups:
        holding = [r for r in iuran if r.program == program and r.berlaku_untuk == group
                   and (r.berlaku_mulai is None or r.berlaku_mulai <= month)
                   and (r.berlaku_sampai is None or month <= r.berlaku_sampai)]
        if holding:
            return max(holding, key=lambda r: r.berlaku_mulai or dt.date.min).iuran_bulanan
    raise LookupError(f"registry/iuran.csv has no {program} rate for {month:%Y-%m}")


def _national(iuran, programs, months, mandiri) -> tuple[int, ...]:
    return tuple(sum(national_rate(iuran, p, m, mandiri) for p in programs) for m in months)


def _daerah(iuran, daerah: Daerah, programs, months) -> tuple[int, ...]:
    """A local program's own JKK+JKM rate (from its start, if it has one);
    other programs, and months before its start, at the national rate."""
    amounts = []
    for month in months:
        local = daerah.iuran_bulanan is not None and (daerah.berlaku_mulai is None or daerah.berlaku_mulai <= month)
        if local:
            rest = [p for p in programs if p not in ("jkk", "jkm")]
            amounts.append(daerah.iuran_bulanan + sum(national_rate(iuran, p, month, False) for p in rest))
        else:
            amounts.append(sum(national_rate(iuran, p, month, False) for p in programs))
    return tuple(amounts)


def _tarif(kode, nama, keterangan, bulanan) -> Tarif:
    return Tarif(kode, nama, keterangan, bulanan,
                 tuple((n, tuple(sum(amounts[:n]) for amounts in bulanan)) for n in PERIODE))


def build(config: Config, as_of: dt.date) -> Kalkulator:
    months = months_from(as_of)
    base = tuple(_national(config.iuran, programs, months, mandiri=False) for _, programs in PAKET)
    own = tuple(_national(config.iuran, programs, months, mandiri=True) for _, programs in PAKET)
    rows = []
    if own == base:
        rows.append(_tarif("nasional", "Tarif nasional", "penghasilan dilaporkan Rp1 juta", base))
    else:
        rows.append(_tarif("nasional-mandiri", "Tarif nasional, bayar sendiri atau dibayari donatur",
                           "penghasilan dilaporkan Rp1 juta; dengan potongan PP 50/2025 selama berlaku", own))
        rows.append(_tarif("nasional", "Tarif nasional, dibayar APBD/APBN",
                           "penghasilan dilaporkan Rp1 juta; tanpa potongan", base))
    for kode, daerah in sorted(config.daerah.items()):
        if daerah.iuran_bulanan is None:
            continue
        rows.append(_tarif(kode, daerah.kabupaten_kota, daerah.program_lokal or "program daerah",
                           tuple(_daerah(config.iuran, daerah, programs, months) for _, programs in PAKET)))
    return Kalkulator(months[0], PERIODE, tuple(name for name, _ in PAKET), tuple(rows))
