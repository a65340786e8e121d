"""The kecamatan workbook writer: tabs, headers, dropdowns, formats, guide, bytes."""
import datetime as dt
import json
import zipfile
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from lindung.pull.workbook import TABS, write_workbook

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "registry" / "schema"


def fields(tab):
    return json.loads((SCHEMA_DIR / f"{tab}.json").read_text(encoding="utf-8"))["fields"]


ROW = ["9900000000000001", "Pekerja Contoh 0001", "Ngaliyan", "pekerja rentan", "ojek",
       "JKK+JKM", dt.date(2025, 3, 24), dt.date(2026, 3, 23), "donatur", "D001", 16800]


@pytest.fixture
def book(tmp_path):
    path = tmp_path / "kecamatan.xlsx"
    write_workbook(path, {"peserta": [ROW, [9900000000000002, "=1+1"]]}, schema_dir=SCHEMA_DIR)
    return path


def test_tabs_and_headers(book):
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == [*TABS, "Petunjuk"]
    for tab in TABS:
        ws = wb[tab]
        assert [c.value for c in ws[1]] == [f["title"] for f in fields(tab)]
        assert all(c.font.bold for c in ws[1])
        assert ws.freeze_panes == "A2"


def test_dropdowns_for_enum_columns(book):
    wb = openpyxl.load_workbook(book)
    for tab in TABS:
        ws = wb[tab]
        lists = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation
                 if dv.type == "list"}
        for col, f in enumerate(fields(tab), start=1):
            letter = openpyxl.utils.get_column_letter(col)
            enum = f.get("constraints", {}).get("enum")
            if f["name"] == "tampilkan_nama":
                enum = ["ya", "tidak"]
            key = f"{letter}2:{letter}5000"
            if enum:
                assert key in lists, (tab, f["name"])
                assert lists[key] == '"' + ",".join(map(str, enum)) + '"'
            elif f["name"] == "kelurahan" and tab != "wilayah":
                # the kecamatan's own kelurahan, from the first column of its wilayah tab
                assert lists[key] == "=wilayah!$A$2:$A$5000", tab
            else:
                assert key not in lists


def test_formats(book):
    ws = openpyxl.load_workbook(book)["peserta"]
    assert ws.column_dimensions["A"].number_format == "@"  # NIK: new rows are text too
    assert ws["A2"].data_type == "s" and ws["A2"].number_format == "@"
    assert ws["A3"].data_type == "s" and ws["A3"].value == "9900000000000002"  # int -> text
    assert ws["B3"].value == "=1+1" and ws["B3"].data_type == "s"  # never a formula
    assert ws["G2"].number_format == "DD/MM/YYYY"
    assert ws["K2"].number_format == "#,##0"
    assert ws["J2"].number_format == "@"
    rows = CalamineWorkbook.from_path(str(book)).get_sheet_by_name("peserta").to_python()
    assert rows[1][0] == "9900000000000001"
    assert rows[1][6] == dt.date(2025, 3, 24)


def test_petunjuk(book):
    ws = openpyxl.load_workbook(book)["Petunjuk"]
    values = [[c.value for c in row] for row in ws.iter_rows()]
    text = " ".join(str(v) for row in values for v in row if v)
    for phrase in ("satu pekerja", "24/03/2025", "NIK", "laporan"):
        assert phrase in text
    header = values.index(["Tab", "Kolom (judul di baris 1)", "Wajib diisi?", "Keterangan",
                           "Pilihan yang boleh"])
    table = values[header + 1:]
    expected = [(tab, f["title"]) for tab in TABS for f in fields(tab)]
    assert [(r[0], r[1]) for r in table] == expected
    by_key = {(r[0], r[1]): r for r in table}
    assert by_key[("peserta", "NIK")][2] == "ya"
    assert by_key[("peserta", "Pekerjaan")][2] == "tidak"
    assert by_key[("peserta", "Segmen")][4] == "pekerja rentan, pengurus RT/RW"
    assert by_key[("donatur", "Tampilkan Nama")][4] == "ya, tidak"


def test_deterministic_bytes(tmp_path):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_workbook(a, {"peserta": [ROW]}, schema_dir=SCHEMA_DIR)
    write_workbook(b, {"peserta": [ROW]}, schema_dir=SCHEMA_DIR)
    assert a.read_bytes() == b.read_bytes()
    with zipfile.ZipFile(a) as z:
        assert {i.date_time for i in z.infolist()} == {(2026, 1, 1, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
    assert core.count("2026-01-01T00:00:00Z") == 2 and "<dc:creator>Lindung<" in core


def test_empty_template_and_unknown_tab(tmp_path):
    write_workbook(tmp_path / "t.xlsx", schema_dir=SCHEMA_DIR)
    wb = openpyxl.load_workbook(tmp_path / "t.xlsx")
    assert wb["peserta"].max_row == 1
    with pytest.raises(ValueError):
        write_workbook(tmp_path / "x.xlsx", {"pekerja": []}, schema_dir=SCHEMA_DIR)
