"""The contribution calculator (lindung/kalkulator.py): rates are data with
the period each holds for, and a payment is priced month by month."""
import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import pytest

from lindung import config as config_module
from lindung.config import Daerah, Iuran
from lindung.build.kalkulator import PERIODE, build, months_from, national_rate

ROOT = Path(__file__).resolve().parents[1]


def iuran(program, amount, untuk="bpu", mulai=None, sampai=None):
    return Iuran(program, "", amount, mulai, sampai, untuk, None, None)


def daerah(kode, nama, amount, mulai=None, program="Program lokal"):
    return Daerah(kode, nama, program, amount, mulai, None, None, None, None)


NATIONAL = (
    iuran("jkk", 10000, mulai=dt.date(2015, 7, 1)),
    iuran("jkm", 6800, mulai=dt.date(2015, 7, 1)),
    iuran("jht", 20000, mulai=dt.date(2021, 4, 1)),
    iuran("jkk", 5000, "bpu_mandiri", dt.date(2026, 4, 1), dt.date(2026, 12, 31)),
    iuran("jkm", 3400, "bpu_mandiri", dt.date(2026, 4, 1), dt.date(2026, 12, 31)),
)


def config(rates=NATIONAL, regions=()):
    return SimpleNamespace(iuran=rates, daerah={d.kode: d for d in regions})


def test_months_start_at_the_as_of_month_and_cross_the_year():
    months = months_from(dt.date(2026, 11, 23), 4)
    assert months == (dt.date(2026, 11, 1), dt.date(2026, 12, 1), dt.date(2027, 1, 1), dt.date(2027, 2, 1))


def test_a_discount_applies_only_to_self_payers_and_only_in_its_months():
    nov, jan = dt.date(2026, 11, 1), dt.date(2027, 1, 1)
    assert national_rate(NATIONAL, "jkk", nov, mandiri=True) == 5000
    assert national_rate(NATIONAL, "jkk", nov, mandiri=False) == 10000
    assert national_rate(NATIONAL, "jkk", jan, mandiri=True) == 10000


def test_a_missing_rate_is_an_error_not_a_zero():
    with pytest.raises(LookupError):
        national_rate(NATIONAL, "jp", dt.date(2026, 11, 1), mandiri=False)


def test_the_latest_rate_to_start_wins():
    rates = (iuran("jkm", 6800, mulai=dt.date(2015, 7, 1)), iuran("jkm", 7000, mulai=dt.date(2027, 1, 1)))
    assert national_rate(rates, "jkm", dt.date(2026, 12, 1), False) == 6800
    assert national_rate(rates, "jkm", dt.date(2027, 1, 1), False) == 7000


def test_totals_for_1_3_6_12_months_price_each_month_at_its_own_rate():
    calc = build(config(), dt.date(2026, 11, 23))
    assert calc.periode == PERIODE == (1, 3, 6, 12)
    assert calc.paket == ("JKK+JKM", "JKK+JKM+JHT")
    mandiri, apbd = calc.tarif
    assert mandiri.kode == "nasional-mandiri" and apbd.kode == "nasional"
    # November and December 2026 at half the JKK+JKM rate, then the full Rp16.800
    assert dict(mandiri.total)[1] == (8400, 28400)
    assert dict(mandiri.total)[3] == (8400 + 8400 + 16800, 28400 + 28400 + 36800)
    assert dict(mandiri.total)[12] == (2 * 8400 + 10 * 16800, 2 * 28400 + 10 * 36800)
    assert dict(apbd.total)[12] == (12 * 16800, 12 * 36800)
    assert mandiri.per_bulan == (("JKK+JKM", 8400), ("JKK+JKM+JHT", 28400))


def test_without_a_discount_in_force_there_is_one_national_row():
    calc = build(config(), dt.date(2027, 2, 1))
    assert [t.kode for t in calc.tarif] == ["nasional"]
    assert dict(calc.tarif[0].total)[6] == (6 * 16800, 6 * 36800)


def test_a_region_uses_its_own_jkk_jkm_rate_and_the_national_jht():
    regions = (daerah("33.71", "Kota Magelang", 11156), daerah("33.99", "Tanpa iuran", None))
    calc = build(config(regions=regions), dt.date(2027, 2, 1))
    magelang = calc.tarif[-1]
    assert [t.kode for t in calc.tarif] == ["nasional", "33.71"]
    assert (magelang.nama, magelang.keterangan) == ("Kota Magelang", "Program lokal")
    assert dict(magelang.total)[3] == (3 * 11156, 3 * (11156 + 20000))


def test_a_region_rate_holds_from_its_start():
    regions = (daerah("33.71", "Kota Magelang", 11156, mulai=dt.date(2027, 3, 1)),)
    calc = build(config(regions=regions), dt.date(2027, 2, 1))
    assert calc.tarif[-1].bulanan[0][:2] == (16800, 11156)


def test_the_registry_shipped_with_the_project():
    calc = build(config_module.load(ROOT), dt.date(2026, 11, 23))
    names = [t.nama for t in calc.tarif]
    assert "Kota Magelang" in names and "Kota Semarang" in names
    national = next(t for t in calc.tarif if t.kode == "nasional")
    assert national.per_bulan == (("JKK+JKM", 16800), ("JKK+JKM+JHT", 36800))
    assert calc.kolom == 3
