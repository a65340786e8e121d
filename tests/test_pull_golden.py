"""A pull gives the same bytes however it is made faster: a workbook that
breaks every rule of the sheet contract once (and a sheet whose structure
is wrong) is pulled, and each snapshot file, each report and the cells
quoted back to the editor are held to digests taken from an earlier,
plainer implementation. Digests, not files: the public repository tracks no
snapshot or report (test_privacy_boundary.py).

When the contract or a message changes on purpose, print the new digests
with `python tests/test_pull_golden.py` and paste them below.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys
from pathlib import Path

from openpyxl import load_workbook

sys.path.insert(0, str(Path(__file__).resolve().parent))

from conftest import KODE, KODE_2, Project  # noqa: E402

YEAR = dict(mulai=dt.date(2026, 1, 1), berlaku_sampai=dt.date(2026, 12, 31))
NIK_AS_NUMBER = "9971029912310099"

GOLDEN = {
    'snapshots/33.71.02/donatur.csv': 'd3c9f47c4caf3c85f53429abcf1030dff135348bbcfcc461018414723379a5d3',
    'snapshots/33.71.02/meta.json': '880150c40305d53586818f2a5a4d513ad23421b026834a7e73cbef3fa80b0bfd',
    'snapshots/33.71.02/peserta.csv': '1ac8a1d44a47975f660d0dcd182d1999c563e705c1fd44754ebb2ad604d0685d',
    'snapshots/33.71.02/santunan.csv': '1da88bf0e969645ee253d1118f8bd7c0b8c0d1c11e0f534b0f442397429ef264',
    'snapshots/33.71.02/wilayah.csv': '6379e0dcfa008590a6313413551ca21a207b077e50d25f9302e2cd7788f32927',
    'laporan/33.71.02.json': '368a98ad3b5c34aec5d7f4b7eef233db6a411bdc1bebb0d2a13a7eaf595338ad',
    'laporan/33.71.03.json': 'e83385265048e829ee38f8dad0b1718b8ec72af8202ead212f5e3dab5ed96f1b',
    'quoted/33.71.02': 'aaad4f0799d38df8bb513553cac9a7422f80f09f7a5dcfc35796e581cf4a07bb',
    'quoted/33.71.03': '5e253af543acda876922e6ea0e60324eefe1c66fc349eebb57251ebff525cc1e',
}


def every_rule(rows) -> dict[str, list[list]]:
    """One row per rule of validate.py and cells.py, in a real workbook."""
    p = rows.peserta
    peserta = [
        p(**YEAR),
        p(kelurahan="33.71.02.1003", **YEAR),  # a kelurahan by code
        p(kelurahan="  POTROBANGSAN ", segmen="PEKERJA_RENTAN", **YEAR),  # spellings folded
        p(sumber_dana="donatur", id_donatur="d001", **YEAR),  # a donor ID in another case
        p(sumber_dana="CSR", id_donatur=None, **YEAR),  # donatur-kosong
        p(sumber_dana="donatur", id_donatur="D099", **YEAR),  # donatur-tidak-ada
        p(sumber_dana="mandiri", id_donatur="D001", **YEAR),  # a leftover ID is not kept
        p(mulai="03/24/2025", berlaku_sampai="31/12/2026"),  # hari-bulan-tertukar
        p(mulai="24 Agt 2025", berlaku_sampai="2026-08-23"),
        p(mulai="24/3/25", berlaku_sampai="24 Maret 2026"),
        p(mulai="31/02/2025", berlaku_sampai="24.03.2026"),  # not in the calendar
        p(mulai="24 Foo 2025", berlaku_sampai="kemarin"),  # unknown month, unknown form
        p(mulai=45000, berlaku_sampai=45400.5),  # sheet serials
        p(mulai=0, berlaku_sampai=dt.datetime(2026, 12, 31, 8, 30)),
        p(mulai=dt.date(2026, 6, 1), berlaku_sampai=dt.date(2026, 1, 1)),  # tanggal-terbalik
        p(iuran_bulanan="16,800", **YEAR),  # ribuan-koma
        p(iuran_bulanan="Rp 16.800,-", **YEAR),
        p(iuran_bulanan="Rp.11.156", **YEAR),
        p(iuran_bulanan="40,69", **YEAR),
        p(iuran_bulanan=16800.0, **YEAR),
        p(iuran_bulanan=16800.5, **YEAR),
        p(iuran_bulanan="abc", **YEAR),  # angka
        p(iuran_bulanan=-5, **YEAR),  # minimum
        p(iuran_bulanan="-5", **YEAR),
        p(iuran_bulanan="3374101234567890", **YEAR),  # a NIK in a number column
        p(iuran_bulanan=3374101234567890, **YEAR),
        p(iuran_bulanan="081234567891", **YEAR),  # a phone number there
        p(iuran_bulanan="123456789012345678", **YEAR),  # angka-terlalu-besar
        p(iuran_bulanan=10**15, **YEAR),
        p(iuran_bulanan=True, **YEAR),
        p(nik=NIK_AS_NUMBER, **YEAR),  # nik-angka (made a number cell below)
        p(nik="12345", **YEAR),  # nik-format
        p(nik="9971 0299 1231 0098", **YEAR),  # spaces taken out
        p(nik="9900000000000001", **YEAR),  # ganda (the first row's NIK)
        p(nik=None, **YEAR),  # wajib
        p(nama=None, **YEAR),
        p(kelurahan="Potrobangsn", **YEAR),  # kelurahan-tidak-dikenal, with a suggestion
        p(kelurahan="Atlantis", **YEAR),
        p(kelurahan=None, **YEAR),
        p(segmen="petugas", **YEAR),  # pilihan
        p(pekerjaan="astronot", **YEAR),  # pilihan-lain
        p(pekerjaan="Pekerja Rumah Tangga", **YEAR),
        p(pekerjaan=None, **YEAR),
        p(program="JKK", **YEAR),
        p(program="jkk+jkm+jht", **YEAR),
        p(sumber_dana="sendiri", **YEAR),
        p(sumber_dana="donatur", id_donatur="budi@contoh.co.id", **YEAR),  # data-pribadi
        p(sumber_dana="donatur", id_donatur="D 001!", **YEAR),  # format
        p(sumber_dana="donatur", id_donatur="0812-3456-7891", **YEAR),
        p(nama="x" * 1200, **YEAR),  # terlalu-panjang
        [None] * 11,  # a blank row
        p(mulai=None, berlaku_sampai=None),
        p(mulai=dt.date(2026, 1, 1), berlaku_sampai=dt.date(2026, 12, 10)),  # to renew soon
        p(**YEAR),
        [None, None, "JUMLAH", None, None, None, None, None, None, None, 33600],  # baris-jumlah
        ["=SUM(A1)", "Total", "Wates", "pekerja rentan", "ojek", "JKK+JKM", None, None, "mandiri", None, "x"],
    ]
    d = rows.donatur
    donatur = [
        d(id="D001"),
        d(id="D002", tampilkan_nama="tidak"),
        d(id="D003", tampilkan_nama="mungkin"),  # persetujuan-tidak-jelas
        d(id="D004", nama="Hubungi 0812-3456-7891"),  # data-pribadi-dibuang
        d(id="D005", instansi="Jl. Merdeka 5"),
        d(id="D006", periode_bayar="3 bulan"),
        d(id="D007", periode_bayar="1 tahun"),
        d(id="D008", periode_bayar=5),  # pilihan
        d(id="D009", periode_bayar="1,5"),
        d(id="D010", periode_bayar=6.5),  # bilangan-bulat
        d(id="D011", jenis="pejabat"),
        d(id="D001", nama="Kembar"),  # ganda
        d(id="siti@contoh.co.id"),
        d(id=None),
        d(id="D012", tampilkan_nama="YA", nama="RT 03/RW 05"),
    ]
    w = rows.wilayah
    wilayah = [
        w(kelurahan="Potrobangsan"),
        w(kelurahan="33.71.02.1004"),  # kelurahan-ganda
        w(kelurahan="Wates", jumlah_rt=-1, jumlah_rw="abc"),
        w(kelurahan="Kedungsari", pengurus_rt_rw="1.234", target_pekerja_rentan="40,5"),
        w(kelurahan="Kramat Utara", target_pekerja_rentan=None),
        w(kelurahan="Cacaban"),  # another kecamatan's
        ["TOTAL", 10, 2, 24, 100],
    ]
    s = rows.santunan
    santunan = [
        s(),
        s(program="beasiswa", jumlah="Rp 1.500.000"),
        s(program="JKN"),
        s(jumlah=None),
        s(tanggal="1/6/2026", kelurahan="Wates", jumlah=-1),
    ]
    return dict(peserta=peserta, donatur=donatur, wilayah=wilayah, santunan=santunan)


def pull_every_rule(project: Project) -> dict[str, str]:
    """Pull the every-rule workbook (kecamatan KODE) and one whose
    structure is wrong (KODE_2); the digest of each file written and of the
    cells quoted back to each editor."""
    path = project.add(KODE, **every_rule(project.rows))
    book = load_workbook(path)
    book["peserta"]["H1"] = " BERLAKU  sampai "  # a header typed another way
    for (cell,) in book["peserta"].iter_rows(max_col=1):
        if cell.value == NIK_AS_NUMBER:
            cell.value, cell.number_format = int(NIK_AS_NUMBER), "0"
    book["peserta"]["L1"], book["peserta"]["L2"] = "No HP", "0812-3456-7891"  # a column of the editor's own
    book["santunan"].insert_rows(1)
    book["santunan"]["A1"] = "DATA SANTUNAN 2026"  # a title above the headers
    book.save(path)
    broken = project.add(KODE_2, peserta=[project.rows.peserta(kelurahan="Cacaban", **YEAR)])
    book = load_workbook(broken)
    book["peserta"]["C1"] = "Desa"  # kolom-hilang
    del book["wilayah"]  # tab-hilang
    book.save(broken)

    result = project.pull()
    found = {}
    for folder in (project.registry / "snapshots", project.registry / "laporan"):
        for file in sorted(folder.rglob("*")):
            if file.is_file():
                found[file.relative_to(project.registry).as_posix()] = _digest(file.read_bytes())
    for kode, report in sorted(result.reports.items()):
        found[f"quoted/{kode}"] = _digest(json.dumps([e.quoted for e in report.errors]).encode())
    return found


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_a_pull_of_every_rule_gives_the_same_snapshots_reports_and_quotes(project):
    assert pull_every_rule(project) == GOLDEN


if __name__ == "__main__":
    import tempfile

    from conftest import SCHEMA_DIR, Rows, copy_project
    from lindung.contract import load

    with tempfile.TemporaryDirectory() as tmp:
        made = Project(copy_project(Path(tmp) / "proyek"), Rows(load(SCHEMA_DIR).descriptors()))
        made.write_sources()
        for name, digest in pull_every_rule(made).items():
            print(f"    {name!r}: {digest!r},")
