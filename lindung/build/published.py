"""Published data: the site's figures as CSV, described by a datapackage.json
that `frictionless validate` passes. Aggregates only, never a row per worker.

Every text cell is neutralised against spreadsheet formula injection: a cell
that would start with =, +, -, @, tab or carriage return gets a leading
apostrophe, so opening the CSV in a spreadsheet never runs anything.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path

from .aggregate import Figures, Place

STRING, INTEGER, NUMBER, DATE = "string", "integer", "number", "date"
_FIGURES = [
    ("pekerja_rentan_aktif", INTEGER, "Pekerja rentan yang terlindungi pada tanggal data"),
    ("target_pekerja_rentan", INTEGER, "Jumlah target pekerja rentan dari kelurahan yang sudah mengisi target"),
    ("cakupan_persen", NUMBER, "pekerja_rentan_aktif ÷ target_pekerja_rentan × 100; kosong bila target belum diisi"),
    ("pengurus_rt_rw_aktif", INTEGER, "Pengurus RT/RW yang terlindungi"),
    ("pengurus_rt_rw", INTEGER, "Jumlah pengurus RT/RW yang akan dilindungi"),
]
FILES = {
    "kabupaten_kota": [("kode", STRING, "Kode Kemendagri"), ("kabupaten_kota", STRING, "Nama resmi"), *_FIGURES,
                       ("menunggu_perbaikan", INTEGER, "Baris peserta yang belum dihitung karena ada kesalahan"),
                       ("donatur", INTEGER, "Donatur yang membiayai sedikitnya satu pekerja yang terlindungi")],
    "kecamatan": [("kode", STRING, "Kode Kemendagri"), ("kecamatan", STRING, "Nama resmi"),
                  ("kabupaten_kota", STRING, "Kabupaten/kota"), *_FIGURES,
                  ("menunggu_perbaikan", INTEGER, "Baris peserta yang belum dihitung karena ada kesalahan"),
                  ("donatur", INTEGER, "Donatur yang membiayai sedikitnya satu pekerja yang terlindungi"),
                  ("data_per", DATE, "Tanggal data kecamatan ini diambil dari sheet-nya")],
    "kelurahan": [("kode", STRING, "Kode Kemendagri"), ("kelurahan", STRING, "Nama resmi kelurahan/desa"),
                  ("kecamatan", STRING, "Kecamatan"), ("kabupaten_kota", STRING, "Kabupaten/kota"), *_FIGURES,
                  ("data_per", DATE, "Tanggal data kecamatan ini diambil dari sheet-nya")],
    "donatur": [("nama", STRING, "Nama donatur yang bersedia ditampilkan"), ("instansi", STRING, "Instansi"),
                ("jenis", STRING, "PNS, OPD, perusahaan, perorangan atau komunitas"),
                ("kecamatan", STRING, "Kecamatan tempat pekerja yang dibiayai"),
                ("pekerja_aktif", INTEGER, "Pekerja yang dibiayai dan terlindungi pada tanggal data"),
                ("bulan_dibayar", INTEGER, "Jumlah bulan-pekerja yang sudah dibayar")],
}


def rows(figures: Figures) -> dict[str, list[list]]:
    def numbers(place: Place) -> list:
        return [place.rentan.aktif, place.rentan.target, place.rentan.persen, place.rt_rw.aktif, place.rt_rw.target]

    kab_rows, kec_rows, kel_rows = [], [], []
    for kab in figures.kabupaten:
        kab_rows.append([kab.place.kode, kab.place.nama, *numbers(kab.place),
                         sum(k.menunggu_perbaikan for k in kab.kecamatan),
                         kab.rincian.donatur.donatur])
        for kec in kab.kecamatan:
            data_per = kec.status.data_per
            kec_rows.append([kec.place.kode, kec.place.nama, kab.place.nama, *numbers(kec.place),
                             kec.menunggu_perbaikan, kec.donatur_aktif, data_per])
            for kel in kec.kelurahan:
                kel_rows.append([kel.kode, kel.nama, kec.place.nama, kab.place.nama, *numbers(kel), data_per])
    donors = [[d.nama, d.instansi, d.jenis, d.kecamatan, d.pekerja_aktif, d.bulan_dibayar]
              for d in figures.donors.shown]
    return {"kabupaten_kota": kab_rows, "kecamatan": kec_rows, "kelurahan": kel_rows, "donatur": donors}


def write(directory: Path, config, figures: Figures) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    resources = []
    for name, table in rows(figures).items():
        columns = FILES[name]
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
        "description": "Angka agregat: tidak ada data per orang.",
        "homepage": config.site.base_url,
        "version": figures.as_of.isoformat(),
        "licenses": [{"name": "ODbL-1.0", "path": "https://opendatacommons.org/licenses/odbl/1-0/",
                      "title": "Open Data Commons Open Database License 1.0"}],
        "sources": [{"title": "Daftar wilayah Kemendagri (Kepmendagri 300.2.2-2138/2025) via idn-area-data",
                     "path": "https://www.npmjs.com/package/idn-area-data"},
                    {"title": "Sheet data peserta tiap kantor kecamatan"}],
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
