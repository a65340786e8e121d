"""Published data: the site's figures as CSV, described by a datapackage.json
that `frictionless validate` passes. Aggregates only, never a row per worker.

One file per level for the headline figures (provinsi, kabupaten_kota,
kecamatan, kelurahan); the stories told on the pages as long tables with a
`tingkat` column, so one file holds every level (pembiayaan, pekerjaan,
santunan, donatur_per_jenis, donatur_per_periode); a monthly series per
level (seri_provinsi, seri_kabupaten_kota, seri_kecamatan); and the donors
who agreed to be named (donatur). Every count comes from the same figures
the pages show, and every file is in the datapackage. provinsi.csv has a row
per chosen province; with more than one, kabupaten_kota, kecamatan and
kelurahan also get a `provinsi` column (with one, they stay as they were).

Every text cell is neutralised against spreadsheet formula injection: a cell
that would start with =, +, -, @, tab or carriage return gets a leading
apostrophe, so opening the CSV in a spreadsheet never runs anything.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path

from .aggregate import SEGMEN, Figures, Place, Rincian

STRING, INTEGER, NUMBER, DATE = "string", "integer", "number", "date"
ANGKA_PER = ("angka_per", DATE, "Tanggal angka: pekerja dihitung terlindungi bila iurannya lunas pada tanggal ini")
DATA_DIAMBIL = ("data_diambil", DATE, "Tanggal data kecamatan: kapan lembar kerjanya terakhir berhasil dibaca")
_FIGURES = [
    ("pekerja_rentan_aktif", INTEGER, "Pekerja rentan yang terlindungi pada tanggal angka"),
    ("target_pekerja_rentan", INTEGER, "Jumlah target pekerja rentan yang ditetapkan kantor kecamatan, dari "
                                       "kelurahan/desa yang sudah mengisi target"),
    ("cakupan_persen", NUMBER, "pekerja_rentan_aktif ÷ target_pekerja_rentan × 100; kosong bila target belum diisi"),
    ("pengurus_rt_rw_aktif", INTEGER, "Pengurus RT/RW yang terlindungi"),
    ("pengurus_rt_rw", INTEGER, "Jumlah pengurus RT/RW yang akan dilindungi"),
]
_STORIES = [
    ("menunggu_perbaikan", INTEGER, "Baris peserta yang belum dihitung karena ada kesalahan"),
    ("donatur", INTEGER, "Donatur yang membiayai sedikitnya satu pekerja yang terlindungi; donatur yang sama di "
                         "beberapa kecamatan dihitung sekali (nama, instansi dan jenis sama; tanpa nama: satu per "
                         "kecamatan)"),
    ("pekerja_dibiayai_donatur", INTEGER, "Pekerja terlindungi yang iurannya dibayar donatur atau CSR perusahaan"),
    ("pekerja_rentan_berakhir_30_hari", INTEGER, "Pekerja rentan terlindungi yang iurannya lunas hanya sampai "
                                                 "30 hari sesudah tanggal angka atau lebih awal"),
    ("pengurus_rt_rw_berakhir_30_hari", INTEGER, "Pengurus RT/RW terlindungi yang iurannya lunas hanya sampai "
                                                 "30 hari sesudah tanggal angka atau lebih awal"),
    ("santunan_kali", INTEGER, "Santunan yang sudah dibayarkan sampai tanggal angka, semua program"),
    ("santunan_rupiah", NUMBER, "Jumlah santunan itu, rupiah"),
]
_SCOPE = [
    ("kecamatan_resmi", INTEGER, "Kecamatan dalam daftar resmi Kemendagri"),
    ("kecamatan_berdata", INTEGER, "Kecamatan yang sudah mengirim data (angka hanya mencakup mereka)"),
]
_LEVEL = [("tingkat", STRING, "provinsi, kabupaten_kota atau kecamatan"), ("kode", STRING, "Kode Kemendagri"),
          ("nama", STRING, "Nama resmi")]
_SERIES = [("kode", STRING, "Kode Kemendagri"), ("nama", STRING, "Nama resmi"),
           ("tanggal", DATE, "Tanggal yang sama di tiap bulan, 12 bulan sampai tanggal angka"),
           ("pekerja_rentan_aktif", INTEGER, "Pekerja rentan yang terlindungi pada tanggal itu"),
           ("pengurus_rt_rw_aktif", INTEGER, "Pengurus RT/RW yang terlindungi pada tanggal itu")]
FILES = {
    "provinsi": [("kode", STRING, "Kode Kemendagri"), ("provinsi", STRING, "Nama resmi"), *_FIGURES, *_STORIES,
                 *_SCOPE, ("kabupaten_kota_resmi", INTEGER, "Kabupaten/kota dalam daftar resmi Kemendagri"),
                 ("kabupaten_kota_berdata", INTEGER, "Kabupaten/kota dengan sedikitnya satu kecamatan yang sudah "
                                                     "mengirim data"), ANGKA_PER],
    "kabupaten_kota": [("kode", STRING, "Kode Kemendagri"), ("kabupaten_kota", STRING, "Nama resmi"), *_FIGURES,
                       *_STORIES, *_SCOPE,
                       ("kuota_apbd", INTEGER, "Kuota pekerja yang dibiayai APBD (registry/daerah.csv)"),
                       ("tahun_kuota", INTEGER, "Tahun kuota APBD itu"),
                       ("pekerja_apbd_aktif", INTEGER, "Pekerja terlindungi (semua segmen) yang iurannya dari APBD"),
                       ("kuota_persen", NUMBER, "pekerja_apbd_aktif ÷ kuota_apbd × 100; kosong tanpa kuota"),
                       ("keikutsertaan_resmi_persen", NUMBER, "Keikutsertaan menurut sumber resmi: ukuran lain "
                                                              "daripada cakupan_persen, dengan penyebutnya sendiri"),
                       ("keikutsertaan_resmi_penyebut", STRING, "Persen dari apa"),
                       ("keikutsertaan_resmi_per", DATE, "Tanggal angka keikutsertaan itu"),
                       ("keikutsertaan_resmi_sumber", STRING, "Sumber angka keikutsertaan itu"), ANGKA_PER],
    "kecamatan": [("kode", STRING, "Kode Kemendagri"), ("kecamatan", STRING, "Nama resmi"),
                  ("kabupaten_kota", STRING, "Kabupaten/kota"), *_FIGURES, *_STORIES, DATA_DIAMBIL, ANGKA_PER],
    "kelurahan": [("kode", STRING, "Kode Kemendagri"), ("kelurahan", STRING, "Nama resmi kelurahan/desa"),
                  ("kecamatan", STRING, "Kecamatan"), ("kabupaten_kota", STRING, "Kabupaten/kota"), *_FIGURES,
                  DATA_DIAMBIL],
    "pembiayaan": [*_LEVEL, ("segmen", STRING, "pekerja rentan atau pengurus RT/RW"),
                   ("sumber_dana", STRING, "mandiri, APBD, donatur atau CSR"),
                   ("pekerja_aktif", INTEGER, "Pekerja terlindungi yang iurannya dibayar dari sumber ini")],
    "pekerjaan": [*_LEVEL, ("segmen", STRING, "pekerja rentan atau pengurus RT/RW"),
                  ("pekerjaan", STRING, "Pekerjaan dari daftar di lembar kerja; 'belum diisi' bila kosong"),
                  ("pekerja_aktif", INTEGER, "Pekerja terlindungi dengan pekerjaan ini")],
    "santunan": [*_LEVEL, ("program", STRING, "JKK, JKM, JHT, JP atau beasiswa"),
                 ("jumlah_kali", INTEGER, "Santunan yang dibayarkan sampai tanggal angka"),
                 ("jumlah_rupiah", NUMBER, "Jumlahnya, rupiah")],
    "donatur_per_jenis": [*_LEVEL, ("jenis", STRING, "PNS, OPD, perusahaan, perorangan atau komunitas"),
                          ("donatur", INTEGER, "Donatur jenis ini yang membiayai sedikitnya satu pekerja terlindungi"),
                          ("pekerja_dibiayai", INTEGER, "Pekerja terlindungi yang mereka biayai")],
    "donatur_per_periode": [*_LEVEL, ("periode_bayar_bulan", INTEGER, "Dibayar tiap 3, 6 atau 12 bulan"),
                            ("donatur", INTEGER, "Donatur yang membayar dengan periode ini (donatur dengan dua "
                                                 "periode dihitung di keduanya)"),
                            ("pekerja_dibiayai", INTEGER, "Pekerja terlindungi yang dibiayai dengan periode ini")],
    "seri_provinsi": _SERIES,
    "seri_kabupaten_kota": _SERIES,
    "seri_kecamatan": _SERIES,
    "donatur": [("nama", STRING, "Nama donatur yang bersedia ditampilkan"), ("instansi", STRING, "Instansi"),
                ("jenis", STRING, "PNS, OPD, perusahaan, perorangan atau komunitas"),
                ("kecamatan", STRING, "Kecamatan tempat pekerja yang dibiayai"),
                ("pekerja_aktif", INTEGER, "Pekerja yang dibiayai dan terlindungi pada tanggal angka"),
                ("bulan_dibayar", INTEGER, "Jumlah bulan-pekerja yang sudah dibayar")],
}


# With several provinces: the provinsi column, and where it goes in each file.
PROVINSI = ("provinsi", STRING, "Provinsi (nama resmi)")
WITH_PROVINSI = {"kabupaten_kota": 2, "kecamatan": 3, "kelurahan": 4}


def files(figures: Figures) -> dict[str, list[tuple[str, str, str]]]:
    """FILES as this site publishes them: with the provinsi column when it
    covers more than one province."""
    if not figures.banyak_provinsi:
        return FILES
    return {name: [*columns[:WITH_PROVINSI[name]], PROVINSI, *columns[WITH_PROVINSI[name]:]]
            if name in WITH_PROVINSI else columns for name, columns in FILES.items()}


def _numbers(place: Place) -> list:
    return [place.rentan.aktif, place.rentan.target, place.rentan.persen, place.rt_rw.aktif, place.rt_rw.target]


def _stories(r: Rincian, waiting: int) -> list:
    return [waiting, r.donatur.donatur, r.donatur.pekerja, r.berakhir_untuk(SEGMEN[0]), r.berakhir_untuk(SEGMEN[1]),
            r.santunan_kali, r.santunan_rupiah]


def rows(figures: Figures) -> dict[str, list[list]]:
    as_of = figures.as_of
    tables: dict[str, list[list]] = {name: [] for name in FILES}
    levels = []
    for prov in figures.daftar_provinsi:
        scope = prov.jangkauan
        tables["provinsi"].append([prov.place.kode, prov.place.nama, *_numbers(prov.place),
                                   *_stories(prov.rincian, prov.menunggu_perbaikan),
                                   scope.kecamatan_resmi, scope.kecamatan_berdata, scope.kabupaten_resmi,
                                   scope.kabupaten_berdata, as_of])
        levels.append(("provinsi", prov.place, prov.rincian, prov.seri, prov.seri_rt_rw))
    for kab in figures.kabupaten:
        d = kab.daerah
        provinsi = [kab.place.induk] if figures.banyak_provinsi else []  # at WITH_PROVINSI's places
        tables["kabupaten_kota"].append([
            kab.place.kode, kab.place.nama, *provinsi, *_numbers(kab.place),
            *_stories(kab.rincian, sum(k.menunggu_perbaikan for k in kab.kecamatan)),
            kab.kecamatan_resmi, kab.kecamatan_berdata,
            d.kuota_apbd if d else None, d.tahun_kuota if d else None, kab.apbd_aktif, kab.kuota_persen,
            d.keikutsertaan_persen if d else None, d.keikutsertaan_penyebut if d else None,
            d.keikutsertaan_per if d else None, d.keikutsertaan_sumber if d else None, as_of])
        levels.append(("kabupaten_kota", kab.place, kab.rincian, kab.seri, kab.seri_rt_rw))
    for kab in figures.kabupaten:
        provinsi = [kab.place.induk] if figures.banyak_provinsi else []
        for kec in kab.kecamatan:
            data_diambil = kec.status.data_per
            tables["kecamatan"].append([kec.place.kode, kec.place.nama, kab.place.nama, *provinsi,
                                        *_numbers(kec.place), *_stories(kec.rincian, kec.menunggu_perbaikan),
                                        data_diambil, as_of])
            for kel in kec.kelurahan:
                tables["kelurahan"].append([kel.kode, kel.nama, kec.place.nama, kab.place.nama, *provinsi,
                                            *_numbers(kel), data_diambil])
            levels.append(("kecamatan", kec.place, kec.rincian, kec.seri, kec.seri_rt_rw))
    for tingkat, place, r, seri, seri_rt_rw in levels:
        head = [tingkat, place.kode, place.nama]
        tables["pembiayaan"] += [[*head, segmen, sumber, n] for segmen, sumber, n in r.pembiayaan]
        tables["pekerjaan"] += [[*head, segmen, pekerjaan, n] for segmen, pekerjaan, n in r.pekerjaan]
        tables["santunan"] += [[*head, program, kali, rupiah] for program, kali, rupiah in r.santunan]
        tables["donatur_per_jenis"] += [[*head, *row] for row in r.donatur.per_jenis]
        tables["donatur_per_periode"] += [[*head, *row] for row in r.donatur.per_periode]
        rt_rw = dict(seri_rt_rw)
        tables[f"seri_{tingkat}"] += [[place.kode, place.nama, day, n, rt_rw.get(day, 0)] for day, n in seri]
    tables["donatur"] = [[d.nama, d.instansi, d.jenis, d.kecamatan, d.pekerja_aktif, d.bulan_dibayar]
                         for d in figures.donors.shown]
    return tables


def write(directory: Path, config, figures: Figures) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    resources = []
    published = files(figures)
    for name, table in rows(figures).items():
        columns = published[name]
        with open(directory / f"{name}.csv", "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow([c for c, _, _ in columns])
            writer.writerows([_cell(value, kind) for value, (_, kind, _) in zip(row, columns)] for row in table)
        resources.append({
            "name": name.replace("_", "-"), "path": f"{name}.csv", "format": "csv", "encoding": "utf-8",
            "mediatype": "text/csv",
            "schema": {"fields": [{"name": c, "type": t, "description": d} for c, t, d in columns],
                       "missingValues": [""]},
        })
    package = {
        "name": "lindung",
        "title": config.site.title + ": cakupan perlindungan pekerja rentan",
        "description": (f"Angka agregat per {figures.as_of.isoformat()} (angka_per): tidak ada data per orang. "
                        "Hanya kecamatan yang sudah mengirim data; lihat provinsi.csv untuk berapa dari semua "
                        "kecamatan."),
        "homepage": config.site.base_url,
        "version": figures.as_of.isoformat(),
        "licenses": [{"name": "ODbL-1.0", "path": "https://opendatacommons.org/licenses/odbl/1-0/",
                      "title": "Open Data Commons Open Database License 1.0"}],
        "sources": [{"title": "Daftar wilayah Kemendagri (Kepmendagri 300.2.2-2138/2025) via idn-area-data",
                     "path": "https://www.npmjs.com/package/idn-area-data"},
                    {"title": "Lembar kerja data peserta tiap kantor kecamatan"}],
        "resources": resources,
    }
    (directory / "datapackage.json").write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n",
                                               encoding="utf-8")


def _cell(value, kind: str) -> str:
    if value is None:
        return ""
    if kind == NUMBER:
        return f"{value:.2f}"
    if kind == DATE:
        return value.isoformat()
    text = str(value)
    if kind == STRING and text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text
