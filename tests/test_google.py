"""lindung.sources.google against a fake Google over real HTTP: the real
google-auth token flow and gspread's HTTP client talk to tests/fake_google.py."""
from __future__ import annotations

import json
import logging
import re
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from fake_google import FakeGoogle, _private_key_pem, fake_google, google_env  # noqa: F401  (fixtures)
from lindung.pull.sources import RawWorkbook, SourceError
from lindung.contract import load as load_contract
from lindung.store.report import WARNING, Report, RowError
from lindung.pull.sources.google import (
    ERROR_COLOUR,
    WARNING_COLOUR,
    REPORT_CLEAN,
    REPORT_HEADER,
    REPORT_TAB,
    connect,
    spreadsheet_key,
)

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "registry" / "schema"
EMAIL = "lindung-pull@lindung-test.iam.gserviceaccount.com"
KEY = "1NgaliyanAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
OTHER = "1GajahmungkurBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"

PESERTA = [
    ["NIK", "Nama", "Kelurahan", "Segmen", "Pekerjaan", "Program", "Mulai", "Berlaku Sampai", "Sumber Dana",
     "ID Donatur", "Iuran Bulanan"],
    ["3374010101900001", "Siti", "Wonosari", "pekerja rentan", "pedagang", "JKK+JKM", date(2025, 3, 24),
     date(2026, 3, 23), "donatur", "D001", 16800],
    ["3374010101900002", "Budi", "Tambakaji", "pengurus RT/RW", None, "JKK+JKM", 45740, 46104, "mandiri"],  # ragged
    [],  # an empty row inside the data keeps later row numbers right
    ["3374010101900003", "Wati", "Wonosari", "pekerja rentan", "batik", "JKK+JKM+JHT", date(2025, 1, 2),
     date(2025, 12, 31), "APBD", None, 36800.5],
]
WORKBOOK = {
    "peserta": PESERTA,
    "donatur": [["ID", "Nama", "Instansi", "Jenis", "Tampilkan Nama", "Periode Bayar"],
                ["D001", "Pak Agus", "Dinas Kominfo", "PNS", "ya", 12]],
    "wilayah": [["Kelurahan", "Jumlah RT", "Jumlah RW", "Pengurus RT/RW", "Target Pekerja Rentan"],
                ["Wonosari", 80, 12, 276, 300]],
    "santunan": [["Tanggal", "Kelurahan", "Program", "Jumlah"], [date(2025, 6, 2), "Wonosari", "JKM", 42000000]],
}


@pytest.fixture
def client(google_env):
    with connect(google_env, timeout=5) as c:
        yield c


def batch_gets(fake: FakeGoogle, key: str = KEY) -> list:
    return fake.calls("GET", rf"^/v4/spreadsheets/{re.escape(key)}/values:batchGet$")


def metadata_gets(fake: FakeGoogle, key: str = KEY) -> int:
    return fake.count("GET", rf"^/v4/spreadsheets/{re.escape(key)}$")


def api_calls(fake: FakeGoogle) -> list:
    # google-auth also asks IAM for the account's allowed regions in the background.
    return [c for c in fake.log if not c.path.startswith("/v1/")]


# -- keys ------------------------------------------------------------------

@pytest.mark.parametrize("sumber", [
    KEY,
    f"  {KEY}  ",
    f"https://docs.google.com/spreadsheets/d/{KEY}/edit#gid=0",
    f"https://docs.google.com/spreadsheets/d/{KEY}",
    f"https://docs.google.com/spreadsheets/u/1/d/{KEY}/edit?usp=sharing",
    f"docs.google.com/spreadsheets/d/{KEY}/edit",
    f"https://drive.google.com/open?id={KEY}",
])
def test_spreadsheet_key_accepts_bare_keys_and_sheet_urls(sumber):
    assert spreadsheet_key(sumber) == KEY


@pytest.mark.parametrize("sumber", [
    "https://docs.google.com/spreadsheets/d/e/2PACX-1vQxyzxyzxyzxyzxyz/pubhtml",
    "https://example.org/laporan",
    "ngaliyan",
])
def test_spreadsheet_key_rejects_what_is_not_a_sheet_with_a_hint(sumber):
    with pytest.raises(SourceError) as err:
        spreadsheet_key(sumber)
    assert err.value.kind == "tidak_ada"
    assert "registry/sources.csv" in err.value.reason


# -- reading -----------------------------------------------------------------

def test_read_returns_every_tab_with_typed_cells_and_padded_rows(fake_google, client):
    fake_google.add_spreadsheet(KEY, WORKBOOK)

    wb = client.read(KEY)

    assert isinstance(wb, RawWorkbook)
    assert list(wb.tabs) == ["peserta", "donatur", "wilayah", "santunan"]
    peserta = wb.tabs["peserta"]
    assert peserta[0] == PESERTA[0]
    # numbers stay numbers, dates arrive as sheet serial numbers, the NIK stays text
    assert peserta[1] == ["3374010101900001", "Siti", "Wonosari", "pekerja rentan", "pedagang", "JKK+JKM",
                          45740, 46104, "donatur", "D001", 16800]
    # ragged row and empty cells padded with None to the header's width
    assert peserta[2] == ["3374010101900002", "Budi", "Tambakaji", "pengurus RT/RW", None, "JKK+JKM", 45740, 46104,
                          "mandiri", None, None]
    assert peserta[3] == [None] * 11
    assert peserta[4][-2:] == [None, 36800.5]
    assert wb.tabs["santunan"][1] == [45810, "Wonosari", "JKM", 42000000]
    assert wb.tabs["donatur"][1][-1] == 12


def test_read_is_one_batch_request_rendered_locale_independently(fake_google, client):
    fake_google.add_spreadsheet(KEY, WORKBOOK)

    client.read(KEY)

    (call,) = batch_gets(fake_google)
    assert call.query["ranges"] == ["peserta", "donatur", "wilayah", "santunan"]
    assert call.query["valueRenderOption"] == ["UNFORMATTED_VALUE"]
    assert call.query["dateTimeRenderOption"] == ["SERIAL_NUMBER"]
    assert call.query["majorDimension"] == ["ROWS"]
    assert metadata_gets(fake_google) == 0
    assert [c.path for c in api_calls(fake_google)] == [f"/v4/spreadsheets/{KEY}/values:batchGet"]
    assert all(c.authorized for c in fake_google.log)


def test_the_token_comes_from_the_keys_token_uri_once_with_the_sheets_and_drive_scopes(fake_google, client):
    fake_google.add_spreadsheet(KEY, WORKBOOK)
    fake_google.add_spreadsheet(OTHER, WORKBOOK)

    client.read_many([KEY, OTHER], workers=2)
    client.modified_times()

    (claims,) = fake_google.token_claims  # posted to the fake: the key's token_uri
    assert claims["iss"] == EMAIL
    assert set(claims["scope"].split()) == {"https://www.googleapis.com/auth/spreadsheets",
                                            "https://www.googleapis.com/auth/drive"}


def test_read_accepts_a_url(fake_google, client):
    fake_google.add_spreadsheet(KEY, WORKBOOK)
    assert "peserta" in client.read(f"https://docs.google.com/spreadsheets/d/{KEY}/edit#gid=0").tabs


def test_a_renamed_tab_is_found_with_one_metadata_call(fake_google, client):
    fake_google.add_spreadsheet(KEY, {"Peserta ": PESERTA, "Data-Donatur": WORKBOOK["donatur"],
                                      "wilayah": WORKBOOK["wilayah"], "Santunan": WORKBOOK["santunan"]})
    fake_google.rename_tab(KEY, "Data-Donatur", " DONATUR")

    wb = client.read(KEY)

    assert set(wb.tabs) == {"Peserta ", " DONATUR", "wilayah", "Santunan"}
    assert wb.tabs["Peserta "][1][0] == "3374010101900001"
    assert wb.tabs[" DONATUR"][1][-1] == 12
    assert metadata_gets(fake_google) == 1
    first, second = batch_gets(fake_google)
    assert second.query["ranges"] == ["'Peserta '", "' DONATUR'", "'wilayah'", "'Santunan'"]


def test_a_missing_tab_is_simply_absent(fake_google, client):
    fake_google.add_spreadsheet(KEY, {k: v for k, v in WORKBOOK.items() if k != "santunan"})

    wb = client.read(KEY)

    assert list(wb.tabs) == ["peserta", "donatur", "wilayah"]
    assert metadata_gets(fake_google) == 1


def test_a_sheet_without_any_of_the_tabs_reads_as_empty(fake_google, client):
    fake_google.add_spreadsheet(KEY, {"Sheet1": [["a", "b"]]})

    assert client.read(KEY).tabs == {}
    assert len(batch_gets(fake_google)) == 1


def test_an_empty_tab_reads_as_no_rows(fake_google, client):
    fake_google.add_spreadsheet(KEY, {**WORKBOOK, "santunan": []})
    assert client.read(KEY).tabs["santunan"] == []


# -- modified times ---------------------------------------------------------

def test_modified_times_is_one_drive_listing(fake_google, client):
    fake_google.add_spreadsheet(KEY, WORKBOOK, modified="2025-03-24T08:00:00.000Z")
    fake_google.add_spreadsheet(OTHER, WORKBOOK, modified="2025-03-25T09:30:00.000Z")

    times = client.modified_times()

    assert times == {KEY: "2025-03-24T08:00:00.000Z", OTHER: "2025-03-25T09:30:00.000Z"}
    (call,) = [c for c in api_calls(fake_google)]
    assert call.path == "/drive/v3/files"
    assert call.query["q"] == ["mimeType='application/vnd.google-apps.spreadsheet'"]
    assert call.query["fields"] == ["nextPageToken,files(id,modifiedTime)"]
    # and a later read knows when its sheet changed
    assert client.read(KEY).modified == "2025-03-24T08:00:00.000Z"


def test_modified_times_follows_next_page_tokens(fake_google, client):
    keys = [f"1Sheet{i:02d}CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC" for i in range(5)]
    for k in keys:
        fake_google.add_spreadsheet(k, {})
    fake_google.page_size = 2

    times = client.modified_times()

    assert sorted(times) == sorted(keys)
    calls = fake_google.calls("GET", r"^/drive/v3/files$")
    assert len(calls) == 3
    assert [c.query.get("pageToken") for c in calls] == [None, ["2"], ["4"]]


def test_read_without_a_listing_has_no_modified_time(fake_google, client):
    fake_google.add_spreadsheet(KEY, WORKBOOK)
    assert client.read(KEY).modified is None


# -- faults --------------------------------------------------------------------

@pytest.mark.parametrize("fault, kind, words", [
    ("403", "tidak_dibagikan", [EMAIL, "Bagikan", "Viewer/Editor"]),
    ("404", "tidak_ada", [KEY, "registry/sources.csv"]),
    ("429", "kuota", ["Kuota", "LINDUNG_GOOGLE_PER_MINUTE"]),
    ("500", "server", ["Coba tarik lagi"]),
    ("malformed", "rusak", ["JSON"]),
    ("xlsx", "bukan_sheet", ["Simpan sebagai Google Spreadsheet"]),
    ("disabled", "api_nonaktif", ["Google Sheets API", EMAIL]),
])
def test_each_failure_has_its_kind_and_an_actionable_reason_and_spares_the_other_sheets(
        fake_google, client, fault, kind, words):
    fake_google.add_spreadsheet(KEY, WORKBOOK)
    fake_google.add_spreadsheet(OTHER, WORKBOOK)
    fake_google.fail(KEY, fault)

    results = client.read_many([KEY, OTHER], workers=2)

    err = results[KEY]
    assert isinstance(err, SourceError)
    assert err.kind == kind
    for word in words:
        assert word in err.reason
    assert isinstance(results[OTHER], RawWorkbook)
    assert results[OTHER].tabs["peserta"][1][0] == "3374010101900001"


def test_a_server_error_is_retried_before_it_is_reported(fake_google, client):
    fake_google.add_spreadsheet(KEY, WORKBOOK)
    fake_google.fail(KEY, "500")

    with pytest.raises(SourceError):
        client.read(KEY)

    assert len(batch_gets(fake_google)) > 2


def test_a_rate_limit_that_passes_is_waited_out(fake_google, client):
    fake_google.add_spreadsheet(KEY, WORKBOOK)
    fake_google.fail(KEY, "429", times=2)

    wb = client.read(KEY)

    assert wb.tabs["peserta"][1][0] == "3374010101900001"
    assert len(batch_gets(fake_google)) == 3


def test_the_back_off_gives_up_within_its_budget(fake_google, google_env):
    fake_google.add_spreadsheet(KEY, WORKBOOK)
    fake_google.fail(KEY, "429")

    started = time.monotonic()
    with connect(google_env, max_wait=0.3, backoff=0.05) as c, pytest.raises(SourceError) as err:
        c.read(KEY)

    assert err.value.kind == "kuota"
    assert time.monotonic() - started < 2
    assert 2 <= len(batch_gets(fake_google)) <= 6


def test_a_hanging_request_is_a_network_error_within_the_timeout(fake_google, google_env):
    fake_google.add_spreadsheet(KEY, WORKBOOK)
    fake_google.add_spreadsheet(OTHER, WORKBOOK)
    with connect(google_env, timeout=0.5) as c:
        c.modified_times()  # token fetched: the clock below only measures the hang
        fake_google.fail(KEY, "hang")
        started = time.monotonic()
        results = c.read_many([KEY, OTHER])

    assert time.monotonic() - started < 2.5
    assert results[KEY].kind == "jaringan"
    assert "0.5 detik" in results[KEY].reason
    assert isinstance(results[OTHER], RawWorkbook)


def test_read_many_reports_progress_and_keeps_the_order_of_keys(fake_google, client):
    keys = [f"1Kec{i:02d}DDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDD" for i in range(6)]
    for k in keys:
        fake_google.add_spreadsheet(k, WORKBOOK)
    seen = []

    results = client.read_many(keys + keys[:1], workers=3, progress=seen.append)

    assert list(results) == keys
    assert sorted(seen) == sorted(keys)
    assert all(isinstance(r, RawWorkbook) for r in results.values())
    assert fake_google.count("GET", r"/values:batchGet$") == 6


def test_pacing_spaces_sheets_requests_under_the_per_minute_quota(fake_google, google_env):
    keys = [f"1Pace{i}EEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEE" for i in range(4)]
    for k in keys:
        fake_google.add_spreadsheet(k, WORKBOOK)

    started = time.monotonic()
    with connect(google_env, per_minute=600) as c:  # one request every 0.1 s
        c.read_many(keys, workers=4)

    assert time.monotonic() - started >= 0.3


def test_an_unreachable_google_is_a_network_error(google_env):
    env = {**google_env, "LINDUNG_GOOGLE_API_ROOT": "http://127.0.0.1:9"}  # discard port: nothing listens
    with connect(env, timeout=1) as c, pytest.raises(SourceError) as err:
        c.read(KEY)
    assert err.value.kind == "jaringan"


def test_a_revoked_key_is_a_credentials_error(fake_google, client):
    fake_google.add_spreadsheet(KEY, WORKBOOK)
    fake_google.token_fault = "invalid_grant"

    with pytest.raises(SourceError) as err:
        client.read(KEY)

    assert err.value.kind == "kredensial"
    assert EMAIL in err.value.reason


# -- credentials ---------------------------------------------------------------

def test_missing_credentials_name_both_variables():
    with pytest.raises(SourceError) as err:
        connect({})
    assert err.value.kind == "kredensial"
    assert "GOOGLE_APPLICATION_CREDENTIALS" in err.value.reason
    assert "LINDUNG_GOOGLE_CREDENTIALS" in err.value.reason


def test_credentials_may_come_from_a_file(fake_google, google_env, tmp_path):
    key_file = tmp_path / "kunci.json"
    key_file.write_text(google_env["LINDUNG_GOOGLE_CREDENTIALS"])
    env = {k: v for k, v in google_env.items() if k != "LINDUNG_GOOGLE_CREDENTIALS"}
    env["GOOGLE_APPLICATION_CREDENTIALS"] = str(key_file)
    fake_google.add_spreadsheet(KEY, WORKBOOK)

    with connect(env) as c:
        assert c.service_account_email == EMAIL
        assert "peserta" in c.read(KEY).tabs


@pytest.mark.parametrize("env, words", [
    ({"GOOGLE_APPLICATION_CREDENTIALS": "/tidak/ada/kunci.json"}, ["GOOGLE_APPLICATION_CREDENTIALS", "/tidak/ada"]),
    ({"LINDUNG_GOOGLE_CREDENTIALS": "{bukan json"}, ["LINDUNG_GOOGLE_CREDENTIALS", "JSON"]),
    ({"LINDUNG_GOOGLE_CREDENTIALS": json.dumps({"type": "authorized_user", "refresh_token": "x"})},
     ["'authorized_user'", "service_account"]),
    ({"LINDUNG_GOOGLE_CREDENTIALS": json.dumps({"type": "service_account", "client_email": EMAIL,
                                                "token_uri": "http://x/token", "private_key": "-----BEGIN junk"})},
     ["LINDUNG_GOOGLE_CREDENTIALS", "rusak"]),
])
def test_unusable_credentials_say_which_variable_to_fix(env, words):
    with pytest.raises(SourceError) as err:
        connect(env)
    assert err.value.kind == "kredensial"
    for word in words:
        assert word in err.value.reason


def test_the_private_key_never_appears_in_errors_or_output(fake_google, google_env, capsys, caplog):
    caplog.set_level(logging.DEBUG)
    secret_lines = [line for line in _private_key_pem().splitlines() if "PRIVATE KEY" not in line]
    fake_google.add_spreadsheet(KEY, WORKBOOK)
    fake_google.add_spreadsheet(OTHER, WORKBOOK)
    fake_google.fail(KEY, "403")
    texts = []

    with connect(google_env) as c:
        texts.append(repr(c))
        results = c.read_many([KEY, OTHER])
        texts += [str(results[KEY]), repr(results[KEY])]
        fake_google.token_fault = "invalid_grant"
        c._credentials.token = None  # force a new token request
        with pytest.raises(SourceError) as err:
            c.read(OTHER)
        texts += [str(err.value), repr(err.value)]
    broken = json.loads(google_env["LINDUNG_GOOGLE_CREDENTIALS"])
    broken["private_key"] = broken["private_key"][:-200]
    for env in ({"LINDUNG_GOOGLE_CREDENTIALS": json.dumps(broken)},
                {"LINDUNG_GOOGLE_CREDENTIALS": google_env["LINDUNG_GOOGLE_CREDENTIALS"][:-5]}):
        with pytest.raises(SourceError) as err:
            connect(env)
        texts += [str(err.value), repr(err.value)]
        assert err.value.__cause__ is None and err.value.__context__ is None  # no chained copy of the key

    out, errput = capsys.readouterr()
    everything = "\n".join(texts + [out, errput, caplog.text])
    assert results[KEY].kind == "tidak_dibagikan"
    for line in secret_lines:
        assert line not in everything


# -- writing the report --------------------------------------------------------

CHECKED = "2025-03-24T15:10:00+07:00"  # a Monday, in office hours
FIELDS = {tab: [c.name for c in spec.columns] for tab, spec in load_contract(SCHEMA_DIR).tabs.items()}
NIK_ERROR = RowError("peserta", 2, "NIK", "nik", "NIK harus tepat 16 angka.", "Ketik NIK lengkap sebagai teks.")
IURAN_WARNING = RowError("peserta", 5, "Iuran Bulanan", "angka-koma", "Dibaca sebagai 36.800 rupiah.",
                         "Tulis 36800 atau 36.800.", WARNING, quoted="36800,5")
JENIS_ERROR = RowError("donatur", 2, "Jenis", "pilihan", "Isinya bukan pilihan yang ada.",
                       "=pilih dari daftar", quoted="=pns ")


def report(*errors: RowError, checked: str = CHECKED, renewals=()) -> Report:
    return Report("33.74.15", checked, "ok", errors=list(errors), renewals=list(renewals))


def write(client, rep: Report, key: str = KEY) -> bool:
    return client.write_report(key, rep, client.read(key), FIELDS)


def marks(ss, tab: str) -> dict[tuple[int, int], tuple[str, dict | None]]:
    """Every cell of a data tab with a note or a background colour."""
    t = ss.tab(tab)
    cells = set(t.notes) | {k for k, f in t.formats.items() if "backgroundColor" in f}
    return {k: (t.notes.get(k, ""), t.background(*k)) for k in sorted(cells)}


def section(rows: list[list], title: str) -> list[list]:
    """The rows of one section of the report tab, after its heading, up to the blank line."""
    at = next(i for i, r in enumerate(rows) if r and str(r[0]).startswith(title))
    out = []
    for row in rows[at + 1:]:
        if not row:
            break
        out.append(row)
    return out


def sheet_writes(fake: FakeGoogle, key: str = KEY) -> list:
    return [c for c in fake.calls() if c.method in ("POST", "PUT") and key in c.path]


def test_write_report_lays_out_times_errors_warnings_and_renewals_in_one_batch(fake_google, client):
    ss = fake_google.add_spreadsheet(KEY, WORKBOOK)
    fake_google.log.clear()

    assert write(client, report(IURAN_WARNING, NIK_ERROR, JENIS_ERROR, renewals=[(2, "2026-03-23"), (5, "2025-12-31")]))

    rows = ss.values(REPORT_TAB)
    assert rows[0] == ["Laporan Validasi Lindung"]
    assert rows[1] == ["Diperiksa: Senin, 24 Maret 2025 pukul 15.10 WIB"]
    assert rows[2] == ["Pemeriksaan terjadwal berikutnya: Senin, 24 Maret 2025 pukul 15.30 WIB"]
    headings = [r[0] for r in rows if len(r) == 1]
    errors_at = next(i for i, h in enumerate(headings) if h.startswith("Kesalahan (2)"))
    warnings_at = next(i for i, h in enumerate(headings) if h.startswith("Peringatan (1)"))
    renewals_at = next(i for i, h in enumerate(headings) if h.startswith("Perlu diperpanjang (2)"))
    assert errors_at < warnings_at < renewals_at  # errors first, each kind under its own heading
    assert section(rows, "Kesalahan") == [
        REPORT_HEADER,
        ["peserta", "2", "NIK", "A2", None, "NIK harus tepat 16 angka.", "Ketik NIK lengkap sebagai teks."],
        ["donatur", "2", "Jenis", "D2", "=pns ", "Isinya bukan pilihan yang ada.", "=pilih dari daftar"],
    ]
    assert section(rows, "Peringatan") == [
        REPORT_HEADER, ["peserta", "5", "Iuran Bulanan", "K5", "36800,5", "Dibaca sebagai 36.800 rupiah.",
                        "Tulis 36800 atau 36.800."]]
    assert section(rows, "Perlu diperpanjang") == [
        ["Baris di tab peserta", "Berlaku sampai"], ["2", "23 Maret 2026"], ["5", "31 Desember 2025"]]
    assert REPORT_CLEAN not in headings

    # one read (sheet ids and the current report; a second when the tab is new) and one batchUpdate, nothing else
    (post,) = sheet_writes(fake_google)
    assert post.path == f"/v4/spreadsheets/{KEY}:batchUpdate"
    assert metadata_gets(fake_google) == 2
    # "=…" typed by the editor stays text, never a formula
    cells = [c for r in post.body["requests"] if "updateCells" in r and r["updateCells"]["range"]["sheetId"] ==
             ss.tab(REPORT_TAB).sheet_id for row in r["updateCells"].get("rows", []) for c in row["values"]]
    assert {"userEnteredValue": {"stringValue": "=pilih dari daftar"}} in cells
    assert not any("formulaValue" in c.get("userEnteredValue", {}) for c in cells)
    # readable: column widths, wrapped text, bold headings, the times frozen on top
    tab = ss.tab(REPORT_TAB)
    assert [tab.widths[i] for i in range(7)] == [110, 60, 150, 60, 160, 380, 380]
    problem = rows.index(section(rows, "Kesalahan")[1])
    assert tab.formats[(problem, 5)]["wrapStrategy"] == "WRAP"
    header = rows.index(REPORT_HEADER)
    assert tab.formats[(header, 0)]["textFormat"]["bold"] is True
    assert tab.formats[(0, 0)]["textFormat"]["bold"] is True
    assert tab.frozen_rows == 3
    assert "bold" not in tab.formats[(problem, 5)].get("textFormat", {})


def test_each_bad_cell_is_marked_with_a_note_and_a_colour_by_kind(fake_google, client):
    ss = fake_google.add_spreadsheet(KEY, WORKBOOK)

    write(client, report(NIK_ERROR, IURAN_WARNING, JENIS_ERROR))

    peserta = marks(ss, "peserta")
    assert list(peserta) == [(1, 0), (4, 10)]  # A2 (NIK, row 2) and K5 (Iuran Bulanan, row 5)
    note, colour = peserta[(1, 0)]
    assert "Kesalahan" in note and "NIK harus tepat 16 angka." in note and "Ketik NIK lengkap sebagai teks." in note
    assert colour == ERROR_COLOUR
    note, colour = peserta[(4, 10)]
    assert "Peringatan" in note and "Dibaca sebagai 36.800 rupiah." in note and "Tulis 36800 atau 36.800." in note
    assert colour == WARNING_COLOUR != ERROR_COLOUR
    assert "36800,5" not in note  # what was typed is quoted in the report tab only
    assert list(marks(ss, "donatur")) == [(1, 3)]
    assert marks(ss, "wilayah") == marks(ss, "santunan") == {}


def test_a_fixed_cell_is_unmarked_on_the_next_write_back_and_the_editors_own_formats_stay(fake_google, client):
    ss = fake_google.add_spreadsheet(KEY, WORKBOOK)
    header_colour = {"red": 0.8, "green": 0.9, "blue": 1.0}
    ss.tab("peserta").formats[(0, 0)] = {"backgroundColor": header_colour}  # the editor's header colour
    write(client, report(NIK_ERROR, IURAN_WARNING))
    assert list(marks(ss, "peserta")) == [(0, 0), (1, 0), (4, 10)]
    fake_google.log.clear()

    # the NIK was fixed; the warning stays
    assert write(client, report(IURAN_WARNING, checked="2025-03-24T15:40:00+07:00"))

    assert marks(ss, "peserta") == {(0, 0): ("", header_colour), (4, 10): marks(ss, "peserta")[(4, 10)]}
    assert marks(ss, "peserta")[(4, 10)][1] == WARNING_COLOUR
    assert len(sheet_writes(fake_google)) == 1  # one batchUpdate, no values call
    assert metadata_gets(fake_google) == 1

    # everything fixed: the thank-you line, no marks, no old rows
    write(client, report(checked="2025-03-24T16:10:00+07:00"))
    assert marks(ss, "peserta") == {(0, 0): ("", header_colour)}
    rows = ss.values(REPORT_TAB)
    assert [REPORT_CLEAN] in rows and REPORT_HEADER not in rows
    assert len([r for r in ss.batch_requests if "addSheet" in r]) == 1


def test_marks_follow_the_header_row_below_a_title_row(fake_google, client):
    titled = {**WORKBOOK, "peserta": [["DATA PESERTA KECAMATAN NGALIYAN 2026"], *PESERTA]}
    ss = fake_google.add_spreadsheet(KEY, titled)
    ss.tab("peserta").notes[(0, 0)] = "catatan editor di baris judul dokumen"

    write(client, report(replace(NIK_ERROR, row=3), replace(IURAN_WARNING, row=6)))

    assert list(marks(ss, "peserta")) == [(0, 0), (2, 0), (5, 10)]
    assert ss.tab("peserta").notes[(0, 0)] == "catatan editor di baris judul dokumen"  # above the data: not Lindung's
    assert section(ss.values(REPORT_TAB), "Kesalahan")[1][3] == "A3"


def test_write_report_leaves_an_unchanged_report_alone_whatever_the_time(fake_google, client):
    ss = fake_google.add_spreadsheet(KEY, WORKBOOK)
    assert write(client, report(NIK_ERROR))
    modified = ss.modified
    fake_google.log.clear()

    # checked again half an hour later, same findings: the times on top alone would differ
    assert not write(client, report(NIK_ERROR, checked="2025-03-24T15:40:00+07:00"))

    assert sheet_writes(fake_google) == []
    assert metadata_gets(fake_google) == 1
    assert ss.modified == modified  # so the next incremental pull can skip this sheet
    assert ss.values(REPORT_TAB)[1] == ["Diperiksa: Senin, 24 Maret 2025 pukul 15.10 WIB"]


def test_a_report_tab_renamed_in_lower_case_is_rewritten_not_added_twice(fake_google, client):
    ss = fake_google.add_spreadsheet(KEY, {**WORKBOOK, "laporan validasi": [["laporan lama"]]})

    assert write(client, report(NIK_ERROR))

    assert [t.title for t in ss.tabs].count("laporan validasi") == 1 and ss.tab(REPORT_TAB).title == "laporan validasi"
    assert ss.values("laporan validasi")[0] == ["Laporan Validasi Lindung"]
    assert not [r for r in ss.batch_requests if "addSheet" in r]


def test_a_report_without_the_workbook_leaves_the_data_tabs_alone(fake_google, client):
    ss = fake_google.add_spreadsheet(KEY, WORKBOOK)
    write(client, report(NIK_ERROR))

    client.write_report(KEY, Report("33.74.15", CHECKED, "gagal_baca", "Jawaban Google rusak.", "rusak"))

    assert list(marks(ss, "peserta")) == [(1, 0)]
    assert section(ss.values(REPORT_TAB), "Sheet tidak bisa diperiksa") == [["Jawaban Google rusak."]]


def test_write_report_without_edit_rights_asks_for_editor(fake_google, client):
    fake_google.add_spreadsheet(KEY, WORKBOOK)
    fake_google.fail(KEY, "403")

    with pytest.raises(SourceError) as err:
        client.write_report(KEY, report(NIK_ERROR))

    assert err.value.kind == "tidak_dibagikan"
    assert "Editor" in err.value.reason and EMAIL in err.value.reason


# -- creating a workbook -------------------------------------------------------

def created(fake: FakeGoogle):
    (ss,) = [s for s in fake.spreadsheets.values() if s.title == "Lindung - Ngaliyan"]
    return ss


def test_create_workbook_builds_a_ready_to_fill_sheet_and_shares_it(fake_google, client):
    url = client.create_workbook(
        "Lindung - Ngaliyan",
        {"wilayah": [["Wonosari", None, None, None, None], ["Tambakaji", 40, 8, 120, 150]]},
        schema_dir=SCHEMA_DIR,
        share_with="kecamatan.ngaliyan@example.go.id",
    )

    ss = created(fake_google)
    assert url == f"https://docs.google.com/spreadsheets/d/{ss.key}/edit"
    assert [t.title for t in ss.tabs] == ["Petunjuk", "peserta", "donatur", "wilayah", "santunan"]
    assert ss.locale == "id_ID"
    # one create, one formatting batch, one values batch, one share
    assert fake_google.count("POST", r"^/v4/spreadsheets$") == 1
    assert fake_google.count("POST", rf"^/v4/spreadsheets/{ss.key}:batchUpdate$") == 1
    assert fake_google.count("POST", r"/values:batchUpdate$") == 1
    (share,) = ss.permissions
    assert share["role"] == "writer" and share["type"] == "user"
    assert share["emailAddress"] == "kecamatan.ngaliyan@example.go.id"

    # headers are the schema titles; given rows follow
    titles = {tab: [f["title"] for f in json.loads((SCHEMA_DIR / f"{tab}.json").read_text())["fields"]]
              for tab in ("peserta", "donatur", "wilayah", "santunan")}
    for tab, header in titles.items():
        assert ss.values(tab)[0] == header
    assert ss.values("wilayah")[1:] == [["Wonosari"], ["Tambakaji", 40, 8, 120, 150]]
    assert all(t.frozen_rows == 1 for t in ss.tabs if t.title != "Petunjuk")

    ids = {t.title: t.sheet_id for t in ss.tabs}
    lists = {}
    ranges = {}
    formats = {}
    for request in ss.batch_requests:
        if "setDataValidation" in request:
            spec = request["setDataValidation"]
            rng = spec["range"]
            values = [v["userEnteredValue"] for v in spec["rule"]["condition"]["values"]]
            kind = spec["rule"]["condition"]["type"]
            (lists if kind == "ONE_OF_LIST" else ranges)[(rng["sheetId"], rng["startColumnIndex"])] = values
            assert kind in ("ONE_OF_LIST", "ONE_OF_RANGE")
            assert rng["startRowIndex"] == 1  # never on the header
        if "repeatCell" in request and "numberFormat" in request["repeatCell"]["cell"]["userEnteredFormat"]:
            rng = request["repeatCell"]["range"]
            formats[(rng["sheetId"], rng["startColumnIndex"])] = request["repeatCell"]["cell"]["userEnteredFormat"]["numberFormat"]

    def col(tab, title):
        return ids[tab], titles[tab].index(title)

    assert lists[col("peserta", "Segmen")] == ["pekerja rentan", "pengurus RT/RW"]
    assert lists[col("peserta", "Program")] == ["JKK+JKM", "JKK+JKM+JHT"]
    assert lists[col("peserta", "Sumber Dana")] == ["mandiri", "APBD", "donatur", "CSR"]
    assert lists[col("donatur", "Jenis")] == ["PNS", "OPD", "perusahaan", "perorangan", "komunitas"]
    assert lists[col("donatur", "Tampilkan Nama")] == ["ya", "tidak"]
    assert lists[col("donatur", "Periode Bayar")] == ["3", "6", "12"]
    assert lists[col("santunan", "Program")] == ["JKK", "JKM", "JHT", "JP", "beasiswa"]
    assert lists[col("peserta", "Pekerjaan")][-1] == "lainnya"
    assert len(lists) == 8
    # Kelurahan: a dropdown of the kecamatan's own kelurahan, from column A of its wilayah tab
    assert titles["wilayah"][0] == "Kelurahan"
    assert ranges == {col("peserta", "Kelurahan"): ["='wilayah'!$A$2:$A$5000"],
                      col("santunan", "Kelurahan"): ["='wilayah'!$A$2:$A$5000"]}
    assert [v["rule"]["condition"]["type"] for v in ss.tab("peserta").validations
            if v.get("rule") and v["range"]["startColumnIndex"] == titles["peserta"].index("Kelurahan")] == ["ONE_OF_RANGE"]
    date_format = {"type": "DATE", "pattern": "dd/mm/yyyy"}
    assert formats[col("peserta", "Mulai")] == date_format
    assert formats[col("peserta", "Berlaku Sampai")] == date_format
    assert formats[col("santunan", "Tanggal")] == date_format
    assert formats[col("peserta", "NIK")] == {"type": "TEXT", "pattern": "@"}

    guide = ss.values("Petunjuk")
    assert any("docs/panduan-editor.md" in row[0] for row in guide[:3])  # the editor guide, named on top
    assert ["peserta", "NIK", "ya", "NIK 16 angka, diketik sebagai teks (kolom berformat Teks) agar tidak dibulatkan."] in guide
    assert any(row[:2] == ["donatur", "Jenis"] and "PNS" in row[4] for row in guide)


def test_create_workbook_explains_the_shared_drive_when_google_refuses(fake_google, client):
    fake_google.refuse_create = True

    with pytest.raises(SourceError) as err:
        client.create_workbook("Lindung - Ngaliyan", {}, schema_dir=SCHEMA_DIR, share_with=None)

    assert err.value.kind == "penyimpanan"
    assert "Shared Drive" in err.value.reason and "LINDUNG_GOOGLE_FOLDER_ID" in err.value.reason


def test_create_workbook_in_a_shared_drive_folder(fake_google, google_env):
    fake_google.refuse_create = True
    with connect({**google_env, "LINDUNG_GOOGLE_FOLDER_ID": "0AFolderSharedDrive"}) as c:
        url = c.create_workbook("Lindung - Ngaliyan", {}, schema_dir=SCHEMA_DIR, share_with=None)

    ss = created(fake_google)
    assert ss.key in url
    assert ss.parents == ["0AFolderSharedDrive"]
    assert [t.title for t in ss.tabs] == ["Petunjuk", "peserta", "donatur", "wilayah", "santunan"]
    assert ss.values("peserta")[0][0] == "NIK"
    assert any("setDataValidation" in r for r in ss.batch_requests)
    (drive_create,) = fake_google.calls("POST", r"^/drive/v3/files$")
    assert drive_create.query["supportsAllDrives"] == ["true"]
