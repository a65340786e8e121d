"""The figures, checked against ones computed by hand on a tiny registry:
two kecamatan of Kota Magelang on 23 November 2026.

Magelang Utara (targets from its wilayah tab; 30 days earlier = 24 Oct 2026)
  kelurahan        target  active now               active 24 Oct   coverage
  Wates              6     A B E F  (4)             B C E (3)       66,67 %
  Potrobangsan       8     P1 P2    (2)  + 1 error  P1    (1)       25,00 %
  Kedungsari         -     K1       (1)             K1    (1)       target belum diisi
  Kramat Utara      10     nobody                                   0,00 %
  Kramat Selatan     0     nobody                                   target belum diisi
  kecamatan         24     7                        5               29,17 %
Magelang Tengah
  Cacaban 4 (1 active), Kemirirejo 4 (1 active), Panjang 3 (nobody): 2/11 = 18,18 %
Kota Magelang: 9 / 35 = 25,71 %
"""
import datetime as dt

import pytest

from conftest import AS_OF, KELURAHAN, KODE, KODE_2, NOW, Project, Rows, copy_project
from lindung.build.aggregate import Coverage, rank

DAY = dt.timedelta(days=1)
YEAR_2026 = dict(mulai=dt.date(2026, 1, 1), berlaku_sampai=dt.date(2026, 12, 31))


def utara(rows: Rows) -> dict:
    p = rows.peserta
    return dict(
        peserta=[
            p(kelurahan="Wates", mulai=AS_OF, berlaku_sampai=dt.date(2027, 11, 22)),  # A: starts today
            p(kelurahan="Wates", mulai=dt.date(2026, 1, 1), berlaku_sampai=AS_OF),  # B: paid up to today
            p(kelurahan="Wates", mulai=dt.date(2026, 5, 24), berlaku_sampai=AS_OF - DAY,  # C: lapsed yesterday
              sumber_dana="donatur", id_donatur="D002"),
            p(kelurahan="Wates", mulai=AS_OF + DAY, berlaku_sampai=dt.date(2027, 11, 23)),  # D: starts tomorrow
            p(kelurahan="Wates", **YEAR_2026, sumber_dana="CSR", id_donatur="D003"),  # E
            p(kelurahan="Wates", mulai=AS_OF - 10 * DAY, berlaku_sampai=dt.date(2027, 11, 12)),  # F: new
            p(kelurahan="Wates", segmen="pengurus RT/RW", **YEAR_2026),  # G: an RT official
            p(kelurahan="Potrobangsan", **YEAR_2026, sumber_dana="donatur", id_donatur="D001"),  # P1
            p(kelurahan="Potrobangsan", mulai=dt.date(2026, 11, 1), berlaku_sampai=dt.date(2027, 10, 31),
              sumber_dana="donatur", id_donatur="D001"),  # P2
            p(kelurahan="Potrobangsan", nama="", **YEAR_2026),  # P3: waits for a fix, counts nowhere
            p(kelurahan="Kedungsari", **YEAR_2026, sumber_dana="APBD"),  # K1
        ],
        donatur=[
            rows.donatur(id="D001", nama="Donatur Contoh Tampil", instansi="Dinas Contoh A", jenis="PNS",
                         tampilkan_nama="ya", periode_bayar=12),
            rows.donatur(id="D002", nama="Donatur Contoh Rahasia", instansi="Dinas Contoh A", jenis="PNS",
                         tampilkan_nama="tidak", periode_bayar=6),
            rows.donatur(id="D003", nama="PT Contoh", instansi="PT Contoh", jenis="perusahaan",
                         tampilkan_nama="ya", periode_bayar=12),
            rows.donatur(id="D004", nama="Donatur Contoh Baru", instansi="Komunitas Contoh", jenis="komunitas",
                         tampilkan_nama="ya", periode_bayar=3),
        ],
        wilayah=[
            rows.wilayah(kelurahan="Wates", target_pekerja_rentan=6, pengurus_rt_rw=10),
            rows.wilayah(kelurahan="Potrobangsan", target_pekerja_rentan=8, pengurus_rt_rw=5),
            rows.wilayah(kelurahan="Kedungsari", target_pekerja_rentan=None, pengurus_rt_rw=None),
            rows.wilayah(kelurahan="Kramat Utara", target_pekerja_rentan=10, pengurus_rt_rw=None),
            rows.wilayah(kelurahan="Kramat Selatan", target_pekerja_rentan=0, pengurus_rt_rw=0),
        ],
        santunan=[
            rows.santunan(tanggal=dt.date(2026, 6, 1), kelurahan="Wates", program="JKM", jumlah=42_000_000),
            rows.santunan(tanggal=dt.date(2026, 12, 1), kelurahan="Wates", program="JKK", jumlah=5_000_000),
        ],
    )


def tengah(rows: Rows) -> dict:
    return dict(
        peserta=[rows.peserta(kelurahan="Cacaban", **YEAR_2026),
                 rows.peserta(kelurahan="Kemirirejo", **YEAR_2026)],
        wilayah=[rows.wilayah(kelurahan="Cacaban", target_pekerja_rentan=4, pengurus_rt_rw=2),
                 rows.wilayah(kelurahan="Kemirirejo", target_pekerja_rentan=4, pengurus_rt_rw=2),
                 rows.wilayah(kelurahan="Panjang", target_pekerja_rentan=3, pengurus_rt_rw=2)],
    )


@pytest.fixture(scope="module")
def tiny(tmp_path_factory, schemas) -> Project:
    rows = Rows(schemas)
    made = Project(copy_project(tmp_path_factory.mktemp("tiny") / "proyek"), rows)
    made.add(KODE, **utara(rows))
    made.add(KODE_2, **tengah(rows))
    made.pull()
    return made


@pytest.fixture(scope="module")
def figures(tiny):
    return tiny.figures(AS_OF)


def kelurahan(figures, nama):
    [place] = [p for p in figures.kelurahan if p.nama == nama]
    return place


def kecamatan(figures, kode):
    [kec] = [k for k in figures.kecamatan if k.place.kode == kode]
    return kec


# --- who is active ------------------------------------------------------------------

def test_a_worker_is_active_from_mulai_through_berlaku_sampai_inclusive(figures):
    wates = kelurahan(figures, "Wates").rentan
    assert wates.aktif == 4  # A (mulai today), B (paid up to today), E, F; not C (lapsed), not D (tomorrow)


def test_the_change_compares_with_30_days_earlier(figures):
    wates = kelurahan(figures, "Wates").rentan
    assert wates.aktif_lalu == 3 and wates.perubahan == 1  # B, C, E were active on 24 Oct
    assert kecamatan(figures, KODE).place.rentan.perubahan == 2


def test_rt_rw_officials_are_counted_apart_from_vulnerable_workers(figures):
    wates = kelurahan(figures, "Wates")
    assert (wates.rt_rw.aktif, wates.rt_rw.target, wates.rt_rw.persen) == (1, 10, 10.0)
    assert kecamatan(figures, KODE).place.rt_rw == Coverage(1, 15, 1)


# --- coverage -------------------------------------------------------------------

@pytest.mark.parametrize("nama, aktif, target, persen", [
    ("Wates", 4, 6, 66.67),
    ("Potrobangsan", 2, 8, 25.0),
    ("Kedungsari", 1, None, None),
    ("Kramat Utara", 0, 10, 0.0),
    ("Kramat Selatan", 0, None, None),  # a target of 0 is no target, never ∞
])
def test_coverage_per_kelurahan(figures, nama, aktif, target, persen):
    place = kelurahan(figures, nama)
    assert (place.rentan.aktif, place.rentan.target, place.rentan.persen) == (aktif, target, persen)


def test_a_row_in_error_is_in_no_figure_and_counted_as_waiting_for_a_fix(figures):
    assert kelurahan(figures, "Potrobangsan").rentan.aktif == 2
    assert kecamatan(figures, KODE).menunggu_perbaikan == 1
    assert kecamatan(figures, KODE_2).menunggu_perbaikan == 0
    assert figures.menunggu_perbaikan == 1


def test_every_kelurahan_is_listed_also_with_nobody_protected(figures):
    assert [p.kode for p in kecamatan(figures, KODE).kelurahan] == sorted(KELURAHAN.values())
    assert len(kecamatan(figures, KODE_2).kelurahan) == 6


def test_a_kecamatan_adds_up_its_kelurahan_and_its_target_only_where_there_is_one(figures):
    place = kecamatan(figures, KODE).place
    assert (place.rentan.aktif, place.rentan.target, place.rentan.persen) == (7, 24, 29.17)
    assert kecamatan(figures, KODE_2).place.rentan.persen == 18.18


def test_the_kabupaten_and_province_add_up_their_kecamatan(figures):
    [kota] = figures.kabupaten
    assert (kota.place.nama, kota.place.rentan.aktif, kota.place.rentan.target) == ("Kota Magelang", 9, 35)
    assert kota.place.rentan.persen == 25.71
    assert figures.provinsi.rentan == kota.place.rentan


def test_coverage_without_any_target_is_none_never_zero_or_infinite():
    assert Coverage(5, None).persen is None
    assert Coverage(5, 0).persen is None
    assert (Coverage(5, None) + Coverage(1, None)).target is None
    assert (Coverage(5, None) + Coverage(1, 4)).target == 4


# --- leaderboards ---------------------------------------------------------------------

def test_leaderboards_rank_by_coverage_then_active_count_then_name(figures):
    order = [p.nama for p in rank(figures.kelurahan)]
    assert order[0] == "Wates"  # 66,67 %
    assert order[1:4] == ["Potrobangsan", "Cacaban", "Kemirirejo"]  # 25 %: 2 active before 1; then by name
    assert order[4:6] == ["Kramat Utara", "Panjang"]  # 0 %, by name
    assert order[6] == "Kedungsari"  # no target: last, the one with someone active first
    assert order[7:] == sorted(order[7:])


def test_the_kecamatan_leaderboard(figures):
    assert [k.place.nama for k in rank(figures.kecamatan)] == ["Magelang Utara", "Magelang Tengah"]


# --- donors ---------------------------------------------------------------------

def test_shown_donors_with_workers_protected_now_and_months_paid(figures):
    shown = [(d.nama, d.instansi, d.kecamatan, d.pekerja_aktif, d.bulan_dibayar) for d in figures.donors.shown]
    assert shown == [
        ("Donatur Contoh Tampil", "Dinas Contoh A", "Magelang Utara", 2, 24),  # P1 + P2: 12 + 12 months
        ("PT Contoh", "PT Contoh", "Magelang Utara", 1, 12),
        ("Donatur Contoh Baru", "Komunitas Contoh", "Magelang Utara", 0, 0),
    ]


def test_a_donor_sponsoring_in_two_kecamatan_is_thanked_once(tmp_path, schemas):
    rows = Rows(schemas)
    made = Project(copy_project(tmp_path / "proyek"), rows)
    donor = dict(nama="PT Contoh Lintas", instansi="PT Contoh Lintas", jenis="perusahaan", tampilkan_nama="ya")
    for kode, kelurahan_name, donor_id in ((KODE, "Wates", "D001"), (KODE_2, "Cacaban", "D007")):
        made.add(kode, peserta=[rows.peserta(kelurahan=kelurahan_name, **YEAR_2026, sumber_dana="CSR",
                                             id_donatur=donor_id)],
                 donatur=[rows.donatur(id=donor_id, **donor)])
    made.pull()
    [line] = made.figures(AS_OF).donors.shown
    assert (line.nama, line.kecamatan, line.pekerja_aktif, line.bulan_dibayar) == \
        ("PT Contoh Lintas", "Magelang Tengah, Magelang Utara", 2, 24)


def test_donors_who_did_not_agree_are_only_summed_as_anonymous(figures):
    donors = figures.donors
    # "donatur" means one thing everywhere: a donor funding someone protected
    # now. D002 did not agree to be named, and its only worker has lapsed.
    assert (donors.anonymous_donors, donors.anonymous_workers, donors.anonymous_months) == (0, 0, 0)
    assert "Donatur Contoh Rahasia" not in repr(figures)


def test_donors_per_instansi(figures):
    table = [(i.instansi, i.jenis, i.donatur, i.pekerja_aktif, i.bulan_dibayar) for i in figures.donors.per_instansi]
    # D002 did not agree to be named: its instansi is not kept either, so it
    # counts under its kind of donor, not under Dinas Contoh A.
    assert table == [
        ("Dinas Contoh A", "PNS", 1, 2, 24),
        ("PT Contoh", "perusahaan", 1, 1, 12),
        ("", "PNS", 0, 0, 6),  # D002 funds nobody protected now
        ("Komunitas Contoh", "komunitas", 0, 0, 0),
    ]


def test_a_kecamatan_counts_the_donors_funding_someone_active_now(figures):
    assert kecamatan(figures, KODE).donatur_aktif == 2  # D001 and D003; D002's worker lapsed, D004 has none


# --- money and sources of funds -------------------------------------------------------

def test_active_workers_per_source_of_funds(figures):
    assert dict(kecamatan(figures, KODE).sumber_dana) == {"APBD": 1, "CSR": 1, "donatur": 2, "mandiri": 4}
    [kota] = figures.kabupaten
    assert kota.apbd_aktif == 1


def test_benefits_paid_up_to_the_as_of_date(figures):
    assert figures.santunan == (("JKM", 1, 42_000_000),)


def test_the_monthly_series_ends_on_the_as_of_date(figures):
    assert len(figures.seri) == 12
    assert figures.seri[-1] == (AS_OF, 9)
    assert figures.seri[0][0] == dt.date(2025, 12, 23)


# --- freshness ------------------------------------------------------------------------

def test_each_kecamatan_says_when_its_data_was_pulled(figures):
    status = kecamatan(figures, KODE).status
    assert (status.data_per, status.umur_hari, status.hasil) == (NOW.date(), 0, "ok")


def test_a_failing_kecamatan_keeps_showing_its_last_good_data_and_its_age(project, rows):
    from lindung.store import report as report_module

    path = project.add(KODE, **utara(rows))
    project.pull(now=NOW)
    path.unlink()
    later = NOW + dt.timedelta(days=5)
    project.pull(now=later)
    kec = kecamatan(project.figures(AS_OF + dt.timedelta(days=5)), KODE)
    assert kec.status.hasil == report_module.UNREADABLE
    assert (kec.status.data_per, kec.status.umur_hari) == (NOW.date(), 5)
    assert kec.status.gagal_sejak == later.date().isoformat()
    assert kec.place.rentan.aktif > 0  # still the last good data


def test_a_listed_kecamatan_with_no_data_yet_shows_every_kelurahan_at_zero(project, rows):
    project.add(KODE, sumber="sheets/belum-ada.xlsx")
    figures = project.figures()
    kec = kecamatan(figures, KODE)
    assert kec.status.hasil == "belum_ada" and kec.status.data_per is None
    assert [(p.rentan.aktif, p.rentan.target) for p in kec.kelurahan] == [(0, None)] * 5


def test_figures_are_a_pure_function_of_snapshots_and_date(tiny, figures):
    assert tiny.figures(AS_OF) == figures
    assert tiny.figures(AS_OF + DAY) != figures


def test_data_built_as_of_a_day_before_its_pull_is_not_given_a_negative_age(tiny):
    earlier = tiny.figures(NOW.date() - 5 * DAY)
    assert all(k.status.umur_hari == 0 for k in earlier.kecamatan)


# --- issue 11: one donor rule at every level -------------------------------------------

ISSUE_11 = "issue 11: "


def two_kecamatan_donors(project, rows):
    """The same named company in both kecamatan (two sheet ids), and one
    anonymous donor in each: three donors of Kota Magelang, not four."""
    company = dict(nama="PT Contoh Lintas", instansi="PT Contoh Lintas", jenis="perusahaan", tampilkan_nama="ya")
    for kode, kelurahan_name, donor_id in ((KODE, "Wates", "D001"), (KODE_2, "Cacaban", "D007")):
        project.add(kode, peserta=[
            rows.peserta(kelurahan=kelurahan_name, **YEAR_2026, sumber_dana="CSR", id_donatur=donor_id),
            rows.peserta(kelurahan=kelurahan_name, **YEAR_2026, sumber_dana="donatur", id_donatur="D100")],
            donatur=[rows.donatur(id=donor_id, **company),
                     rows.donatur(id="D100", nama="Donatur Contoh Diam", instansi="Dinas Contoh", jenis="PNS",
                                  tampilkan_nama="tidak", periode_bayar=6)])
    project.pull()
    return project.figures(AS_OF)


def test_a_donor_funding_in_two_kecamatan_is_one_donor_of_the_kabupaten_and_the_province(project, rows):
    from lindung.build import published

    figures = two_kecamatan_donors(project, rows)
    assert [k.donatur_aktif for k in figures.kecamatan] == [2, 2]
    tables = published.rows(figures)
    header = [c for c, _, _ in published.FILES["kabupaten_kota"]]
    [kota] = tables["kabupaten_kota"]
    assert dict(zip(header, kota))["donatur"] == 3
    assert figures.rincian.donatur.donatur == 3 and figures.rincian.donatur.pekerja == 4


def test_a_leftover_donor_id_on_a_worker_who_pays_for_themselves_funds_nobody(project, rows, contract):
    from lindung.store import snapshot as snapshot_module

    project.add(KODE, peserta=[rows.peserta(kelurahan="Wates", **YEAR_2026, sumber_dana="mandiri", id_donatur="D001"),
                               rows.peserta(kelurahan="Wates", **YEAR_2026, sumber_dana="APBD", id_donatur="D001")],
                donatur=[rows.donatur(id="D001", nama="Donatur Contoh Lama", tampilkan_nama="ya")])
    project.pull()
    # The pull drops the ID; a snapshot written before it did (or by another
    # pull) may still hold it. The figures must not depend on that.
    folder = project.snapshot_dir(KODE)
    old = snapshot_module.read(folder, contract)
    for row in old.tables["peserta"]:
        row["id_donatur"] = "D001"
    snapshot_module.write(folder, old, contract)
    figures = project.figures(AS_OF)
    [kec] = figures.kecamatan
    assert kec.donatur_aktif == 0
    assert [(d.nama, d.pekerja_aktif, d.bulan_dibayar) for d in figures.donors.shown] == [("Donatur Contoh Lama", 0, 0)]
    assert dict(kec.sumber_dana) == {"APBD": 1, "mandiri": 1}


def test_a_kelurahan_twice_in_an_older_snapshot_keeps_its_first_target(project, rows, contract):
    from lindung.store import snapshot as snapshot_module

    project.add(KODE, peserta=[rows.peserta(kelurahan="Wates", **YEAR_2026)],
                wilayah=[rows.wilayah(kelurahan="Wates", target_pekerja_rentan=7, pengurus_rt_rw=10)])
    project.pull()
    folder = project.snapshot_dir(KODE)
    old = snapshot_module.read(folder, contract)  # as a pull before the check was added could have left it
    old.tables["wilayah"].append({**old.tables["wilayah"][0], "target_pekerja_rentan": 70, "pengurus_rt_rw": 90})
    snapshot_module.write(folder, old, contract)
    wates = kelurahan(project.figures(AS_OF), "Wates")
    assert (wates.rentan.target, wates.rt_rw.target) == (7, 10)
