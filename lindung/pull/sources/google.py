"""Google Sheets as a source: one kecamatan's spreadsheet read through gspread.

With google_transport.py (key, sessions, pacing, back-off) this is the only
place that talks to Google. It turns a service-account key from the
environment into an authorised client, lists when each shared
sheet was last modified (one Drive call, so a pull can skip unchanged sheets),
reads the four tabs of a sheet in one Sheets request, writes the validation
report back into the sheet, and creates a new, ready-to-fill workbook for a
kecamatan. Every failure leaves as a `SourceError` whose Indonesian reason says
what a person has to do; the key itself never appears in any message. Requests
are paced under the per-user Sheets quota and 429/5xx answers are retried with
a bounded exponential back-off, so a 600-sheet pull finishes instead of
hammering the API or hanging.
"""
from __future__ import annotations

from openpyxl.utils import get_column_letter

import functools
import os
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import google.auth.exceptions
import requests
from google.auth.transport.requests import Request
from google.auth import identity_pool
from google.oauth2 import service_account
from gspread.exceptions import APIError
from gspread.urls import DRIVE_FILES_API_V3_URL, SPREADSHEETS_API_V4_BASE_URL

from ..cells import header_row, normalise
from ..workbook import choices_range, field_choices, guide_rows, load_schema
from ...store.report import SHEET_CLEAN, SHEET_HEADER, SHEET_STAMP_ROWS, Report, RowError
from . import NOT_ISOLATED, RawWorkbook, SourceError, check_size, failure
from .google_transport import (  # noqa: F401  (the two ENV_ names are part of this module's interface)
    ENV_CREDENTIALS_FILE, ENV_CREDENTIALS_JSON, RATE_LIMIT_REASONS, AuthorizedRootedSession, Pacer,
    QuotaHTTPClient, ResponseTooLarge, RootedSession, load_key, number_setting,
)
from ..limits import MAX_DRIVE_PAGES, MAX_RESPONSE_BYTES, MIB, shown

ENV_API_ROOT = "LINDUNG_GOOGLE_API_ROOT"  # tests: send every googleapis.com call here
ENV_TIMEOUT = "LINDUNG_GOOGLE_TIMEOUT"  # seconds one request may take before it counts as a network failure
ENV_PER_MINUTE = "LINDUNG_GOOGLE_PER_MINUTE"  # Sheets requests per minute, each of read/write
ENV_MAX_WAIT = "LINDUNG_GOOGLE_MAX_WAIT"  # seconds of back-off one request may spend
ENV_BACKOFF = "LINDUNG_GOOGLE_BACKOFF"  # first back-off wait, seconds
ENV_FOLDER_ID = "LINDUNG_GOOGLE_FOLDER_ID"  # Shared Drive folder for new workbooks

SCOPES = (
    "https://www.googleapis.com/auth/spreadsheets",
    # Full Drive scope: files.list must see every sheet shared with the account
    # and permissions.create must share the workbooks we create.
    "https://www.googleapis.com/auth/drive",
)
SPREADSHEET_MIME = "application/vnd.google-apps.spreadsheet"

TABS = ("peserta", "donatur", "wilayah", "santunan")
REPORT_TAB = "Laporan Validasi"
REPORT_HEADER = SHEET_HEADER
REPORT_CLEAN = SHEET_CLEAN
REPORT_SHEET_ID = 7_000_000  # the first sheetId tried for a new report tab
# Widths of the report tab's columns, pixels: Tab, Baris, Kolom, Sel, Isi sel, Masalah, Cara memperbaiki.
REPORT_WIDTHS = (110, 60, 150, 60, 160, 380, 380)
# The marks Lindung puts on a bad cell's background (Sheets colours, 0–1).
ERROR_COLOUR = {"red": 0.957, "green": 0.8, "blue": 0.8}  # light red, #f4cccc
WARNING_COLOUR = {"red": 1.0, "green": 0.949, "blue": 0.8}  # light yellow, #fff2cc
MAX_MARKS = 1_000  # cells marked per sheet (the rest are listed in the report only): keeps a request well under 2 MB
GUIDE_TAB = "Petunjuk"

# Sheets allows 60 read and 60 write requests per minute per user (here: per
# service account) and 300 per project; see docs/google-sheets.md.
DEFAULT_PER_MINUTE = 60
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_WAIT = 120.0
DEFAULT_BACKOFF = 1.0

_KEY_IN_URL = re.compile(r"/d/([A-Za-z0-9_-]+)")
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]{10,}$")


def spreadsheet_key(sumber: str) -> str:
    """The spreadsheet key in `sumber`: a bare key, or any Google Sheets URL
    (…/spreadsheets/d/<key>/edit#gid=0, …/spreadsheets/u/1/d/<key>, a Drive
    link with ?id=<key>)."""
    s = (sumber or "").strip()
    if s.startswith("docs.google.com/") or s.startswith("drive.google.com/"):
        s = "https://" + s
    if not s.startswith(("http://", "https://")):
        if _BARE_KEY.match(s):
            return s
        raise SourceError("tidak_ada", f"'{s}' bukan kunci atau URL Google Sheets. Periksa kolom sumber di registry/sources.csv.")
    parts = urlsplit(s)
    if "/d/e/" in parts.path:
        # A "Publish to the web" link carries a publication id, not the key.
        raise SourceError(
            "tidak_ada",
            "Tautan ini tautan 'Publikasikan ke web', bukan tautan sheet. Buka sheet-nya lalu salin URL "
            "dari address bar ke kolom sumber di registry/sources.csv.",
        )
    found = _KEY_IN_URL.search(parts.path) or re.search(r"(?:^|&)(?:id|key)=([A-Za-z0-9_-]+)", parts.query)
    if not found:
        raise SourceError("tidak_ada", f"Tidak ada kunci sheet di URL {s}. Periksa kolom sumber di registry/sources.csv.")
    return found.group(1)


def connect(
    environ: Mapping[str, str] = os.environ,
    *,
    timeout: float | None = None,
    per_minute: float | None = None,
    max_wait: float | None = None,
    backoff: float | None = None,
) -> GoogleClient:
    """A client for the service account named in the environment. No network
    traffic happens here; the access token is fetched on the first request.

    The knobs default to the environment (LINDUNG_GOOGLE_TIMEOUT, LINDUNG_GOOGLE_PER_MINUTE,
    LINDUNG_GOOGLE_MAX_WAIT, LINDUNG_GOOGLE_BACKOFF), then to values that fit
    the default Sheets quota."""
    info, variable = load_key(environ)
    try:
        if info["type"] == "external_account":  # keyless: GitHub's OIDC token, exchanged and impersonated
            credentials = identity_pool.Credentials.from_info(info, scopes=list(SCOPES))
            if not credentials.service_account_email:
                credentials = None  # no impersonation: Sheets would not know which account to share with
        else:
            credentials = service_account.Credentials.from_service_account_info(info, scopes=list(SCOPES))
    except (ValueError, KeyError, TypeError, google.auth.exceptions.GoogleAuthError):
        credentials = None
    if credentials is None and info["type"] == "external_account":
        raise SourceError(
            "kredensial",
            f"Kredensial federasi di {variable} tidak lengkap (perlu audience, token_url, credential_source dan "
            "service_account_impersonation_url). Periksa langkah google-github-actions/auth: ia harus memakai "
            "service_account (docs/operator.md bagian 3).",
        )
    if credentials is None:
        # Raised outside the except block so no chained exception keeps the key material.
        raise SourceError(
            "kredensial",
            f"Kunci akun layanan di {variable} tidak lengkap atau rusak (perlu client_email, private_key "
            "dan token_uri). Unduh ulang file JSON kuncinya dari Google Cloud Console.",
        )
    return GoogleClient(
        credentials,
        api_root=(environ.get(ENV_API_ROOT) or "").strip() or None,
        timeout=number_setting(environ, ENV_TIMEOUT, timeout, DEFAULT_TIMEOUT),
        per_minute=number_setting(environ, ENV_PER_MINUTE, per_minute, DEFAULT_PER_MINUTE),
        max_wait=number_setting(environ, ENV_MAX_WAIT, max_wait, DEFAULT_MAX_WAIT),
        backoff=number_setting(environ, ENV_BACKOFF, backoff, DEFAULT_BACKOFF),
        folder_id=(environ.get(ENV_FOLDER_ID) or "").strip() or None,
    )


class GoogleClient:
    """An authorised connection for one service account. Safe to share across
    threads: each thread gets its own HTTP session, the token and the quota
    pacing are shared."""

    def __init__(
        self,
        credentials: service_account.Credentials,
        *,
        api_root: str | None = None,
        timeout: float = 30,
        per_minute: float = DEFAULT_PER_MINUTE,
        max_wait: float = DEFAULT_MAX_WAIT,
        backoff: float = DEFAULT_BACKOFF,
        folder_id: str | None = None,
    ) -> None:
        self.service_account_email: str = credentials.service_account_email
        # Workload Identity Federation (no key) rather than a service-account key
        self.keyless = not isinstance(credentials, service_account.Credentials)
        self.timeout = timeout
        self.folder_id = folder_id
        self._credentials = credentials
        self._api_root = api_root.rstrip("/") if api_root else None
        self._max_wait = max_wait
        self._backoff = backoff
        self._pacers = {"read": Pacer(per_minute), "write": Pacer(per_minute)}
        self._token_lock = threading.Lock()
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._sessions_lock = threading.Lock()
        self._modified: dict[str, str] = {}

    def __repr__(self) -> str:  # never show the credentials object
        return f"GoogleClient({self.service_account_email!r})"

    def __enter__(self) -> GoogleClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with self._sessions_lock:
            for session in self._sessions:
                session.close()
            self._sessions.clear()
            self._local = threading.local()  # a later call opens fresh sessions

    # -- reading ---------------------------------------------------------

    def modified_times(self) -> dict[str, str]:
        """{key: Drive modifiedTime} for every spreadsheet the service account
        can see, from one files.list call (more only past 1,000 sheets)."""
        params: dict[str, Any] = {
            "q": f"mimeType='{SPREADSHEET_MIME}'",
            "fields": "nextPageToken,files(id,modifiedTime)",
            "pageSize": 1000,
            # Sheets kept in a Shared Drive are invisible without these two.
            "supportsAllDrives": "true",
            "includeItemsFromAllDrives": "true",
        }
        times: dict[str, str] = {}
        tokens: set[str] = set()
        with self._translate(None, "baca"):
            for _ in range(MAX_DRIVE_PAGES):
                page = self._http().request("get", DRIVE_FILES_API_V3_URL, params=params).json()
                for f in page["files"]:
                    times[f["id"]] = f["modifiedTime"]
                token = page.get("nextPageToken")
                if not token:
                    break
                if token in tokens:  # a listing that would go round in circles forever
                    raise SourceError("rusak", "Daftar file dari Google Drive berulang tanpa akhir; sheet tidak "
                                      "dibaca kali ini. Biasanya sementara: tarik lagi nanti.")
                tokens.add(token)
                params["pageToken"] = token
            else:
                raise SourceError("terlalu_besar", f"Google Drive mendaftar lebih dari {MAX_DRIVE_PAGES} halaman file "
                                  f"({shown(MAX_DRIVE_PAGES * 1000)} sheet) untuk akun layanan ini, batas Lindung; sheet tidak dibaca kali ini "
                                  "dan Pakai akun layanan tersendiri untuk Lindung.")
        self._modified.update(times)
        return times

    def read(self, key: str) -> RawWorkbook:
        """The four tabs of one sheet, in one values:batchGet when the tabs are
        named as expected (plus one metadata call and one more batchGet when a
        tab is renamed or missing; a missing tab is simply absent)."""
        key = spreadsheet_key(key)
        with self._translate(key, "baca"):
            try:
                tabs = self._batch_get(key, list(TABS), list(TABS))
            except APIError as err:
                if not _is_unknown_range(err):
                    raise
                tabs = self._read_by_metadata(key)
        return RawWorkbook(tabs=tabs, modified=self._modified.get(key))

    def read_each(self, keys: Iterable[str], *, workers: int = 4) -> Iterator[tuple[str, RawWorkbook | SourceError]]:
        """Read several sheets at once and yield (key, workbook or the error of
        that sheet alone) as each read finishes, so a caller can write one
        sheet's result while the slowest is still being read. Leaving the loop
        early cancels the reads not yet started."""
        keys = list(dict.fromkeys(keys))
        pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="lindung-google")
        try:
            futures = {pool.submit(self._read_isolated, key): key for key in keys}
            for future in as_completed(futures):
                yield futures[future], future.result()
        finally:
            pool.shutdown(wait=False, cancel_futures=True)

    def read_many(
        self,
        keys: Iterable[str],
        *,
        workers: int = 4,
        progress: Callable[[str], None] | None = None,
    ) -> dict[str, RawWorkbook | SourceError]:
        """`read_each`, gathered in the order of `keys`; `progress(key)` is
        called as each one finishes."""
        keys = list(dict.fromkeys(keys))
        results: dict[str, RawWorkbook | SourceError] = {}
        for key, result in self.read_each(keys, workers=workers):
            results[key] = result
            if progress is not None:
                progress(key)
        return {key: results[key] for key in keys}

    def _read_isolated(self, key: str) -> RawWorkbook | SourceError:
        try:
            return self.read(key)
        except NOT_ISOLATED:
            raise
        except BaseException as err:  # one sheet's unexpected failure must not sink the pull
            return failure(err)

    # -- writing ---------------------------------------------------------

    def write_report(self, key: str, report: Report, workbook: RawWorkbook | None = None,
                     fields: Mapping[str, Iterable[str]] | None = None) -> bool:
        """Put `report` in the sheet's "Laporan Validasi" tab (created if
        needed) and mark each bad cell in the data tabs with a note and a
        colour, clearing the marks of the last write-back: one read (the
        sheet ids and the current report) and one batchUpdate. Returns whether
        anything was written.

        `workbook` is the sheet as just read and `fields` the field names of
        each contract tab: with both, the header row of each data tab is found
        and the notes and background colours of the rows below it are
        Lindung's (cleared, then set for this report's cells); without them
        the data tabs are left alone.

        The current report is compared first and left alone when it says the
        same (apart from the times on top): every write bumps the sheet's
        Drive modifiedTime, which would make the next incremental pull read
        the sheet again for nothing. The report names each marked cell, so
        the same report means the same marks."""
        key = spreadsheet_key(key)
        marks = _Marks(workbook, fields) if workbook is not None and fields is not None else None
        layout = report.sheet_layout(marks.cell if marks else None)
        wanted = [[_text(c) for c in row] for row in layout.rows]
        with self._translate(key, "tulis"):
            http = self._http()
            titles = marks.titles() if marks else []
            try:
                meta = http.fetch_sheet_metadata(key, params={
                    "includeGridData": "true",
                    "ranges": [_a1(REPORT_TAB)] + [f"{_a1(t)}!A1:A1" for t in titles],
                    "fields": "sheets(properties(sheetId,title),data(rowData(values(formattedValue))))"})
            except APIError as err:
                if not _is_unknown_range(err):
                    raise
                meta = http.fetch_sheet_metadata(key, params={"fields": "sheets.properties(sheetId,title)"})
            ids = {s["properties"]["title"]: s["properties"]["sheetId"] for s in meta.get("sheets", [])}
            requests_: list[dict] = []
            # Sheets matches tab names in a range without regard to case: so does this.
            found = next((t for t in ids if t.lower() == REPORT_TAB.lower()), None)
            report_id = ids.get(found) if found is not None else None
            if report_id is not None:
                current = _grid_values(next(s for s in meta["sheets"] if s["properties"]["title"] == found))
                if _comparable(current) == _comparable(wanted):
                    return False
            else:
                report_id = max([*ids.values(), REPORT_SHEET_ID - 1]) + 1
                requests_.append({"addSheet": {"properties": {"sheetId": report_id, "title": REPORT_TAB}}})
            requests_ += _report_requests(report_id, layout.rows, layout.titles, layout.headers)
            if marks:
                requests_ += marks.requests({t: ids[t] for t in titles if t in ids})
            http.batch_update(key, {"requests": requests_})
        return True

    def create_workbook(
        self,
        title: str,
        rows: dict[str, list[list]],
        *,
        schema_dir: Path,
        share_with: str | None,
        folder_id: str | None = None,
    ) -> str:
        """Create a kecamatan's workbook, ready to fill in: the four tabs with
        their headers, dropdowns, date and text formats, a "Petunjuk" tab, the
        rows given in `rows`; share it with `share_with` as editor. Returns the
        spreadsheet's URL.

        A service account has no Drive storage of its own any more, so Google
        may refuse to create the file in its "My Drive"; with `folder_id` (or
        LINDUNG_GOOGLE_FOLDER_ID), a Shared Drive folder, the file lives there."""
        schemas = {tab: load_schema(schema_dir, tab) for tab in TABS}
        unknown = set(rows) - set(TABS)
        if unknown:
            raise ValueError(f"rows has tabs that are not part of the workbook: {sorted(unknown)}")
        folder_id = folder_id or self.folder_id
        layout = [GUIDE_TAB, *TABS]
        with self._translate(None, "buat"):
            http = self._http()
            if folder_id:
                key, url, sheet_ids, structure = self._create_in_folder(title, folder_id, layout)
            else:
                key, url, sheet_ids, structure = self._create_in_own_drive(title, layout)
        with self._translate(key, "tulis"):
            requests_ = structure + _format_requests(schemas, sheet_ids)
            http.batch_update(key, {"requests": requests_})
            guide = guide_rows(schemas)
            data = [{"range": f"{_a1(GUIDE_TAB)}!A1", "values": guide}]
            for tab in TABS:
                header = [f.get("title") or f["name"] for f in schemas[tab]["fields"]]
                body = [[_cell_value(c) for c in row] for row in rows.get(tab, [])]
                data.append({"range": f"{_a1(tab)}!A1", "values": [header, *body]})
            http.values_batch_update(key, {"valueInputOption": "RAW", "data": data})
            if share_with:
                try:
                    http.insert_permission(
                        key, share_with, perm_type="user", role="writer", notify=True,
                        email_message="Sheet Lindung untuk kecamatan Anda. Baca tab Petunjuk sebelum mengisi.",
                    )
                except APIError as err:
                    # The workbook exists: hand back its URL so nobody creates a second one.
                    failure = self._api_error(err, key, "tulis")
                    raise SourceError(
                        failure.kind,
                        f"Sheet sudah dibuat ({url}) tetapi gagal dibagikan ke {share_with}: {failure.reason} "
                        "Bagikan sheet itu secara manual.",
                        {**failure.details, "url": url},
                    ) from None
        return url

    # -- internals -------------------------------------------------------

    def _batch_get(self, key: str, ranges: list[str], names: list[str]) -> dict[str, list[list]]:
        data = self._http().values_batch_get(key, ranges, params={
            # Unformatted values and serial dates read the same from a sheet in
            # any locale (id_ID writes 16.800 and 24/03/2025 when formatted).
            "valueRenderOption": "UNFORMATTED_VALUE",
            "dateTimeRenderOption": "SERIAL_NUMBER",
            "majorDimension": "ROWS",
        })
        tabs: dict[str, list[list]] = {}
        for name, value_range in zip(names, data["valueRanges"]):
            title = _range_title(value_range.get("range", "")) or name
            values = value_range.get("values", [])
            check_size(normalise(title), len(values), max(map(len, values), default=0))
            tabs[title] = _padded(values)
        return tabs

    def _read_by_metadata(self, key: str) -> dict[str, list[list]]:
        meta = self._http().fetch_sheet_metadata(key, params={
            "includeGridData": "false", "fields": "sheets.properties(sheetId,title,index)"})
        titles = [s["properties"]["title"] for s in sorted(meta.get("sheets", []), key=lambda s: s["properties"].get("index", 0))]
        found: dict[str, str] = {}
        for title in titles:  # the first tab of a normalised name wins, as an editor sees them
            found.setdefault(normalise(title), title)
        present = [found[tab] for tab in TABS if tab in found]
        if not present:
            return {}
        return self._batch_get(key, [_a1(t) for t in present], present)

    def _create_in_own_drive(self, title: str, layout: list[str]) -> tuple[str, str, dict[str, int], list[dict]]:
        body = {
            "properties": {"title": title, "locale": "id_ID", "timeZone": "Asia/Jakarta"},
            "sheets": [{"properties": {"sheetId": i, "title": t, "index": i}} for i, t in enumerate(layout)],
        }
        created = self._http().request("post", SPREADSHEETS_API_V4_BASE_URL, json=body).json()
        ids = {s["properties"]["title"]: s["properties"]["sheetId"] for s in created["sheets"]}
        return created["spreadsheetId"], created["spreadsheetUrl"], ids, []

    def _create_in_folder(self, title: str, folder_id: str, layout: list[str]) -> tuple[str, str, dict[str, int], list[dict]]:
        http = self._http()
        created = http.request("post", DRIVE_FILES_API_V3_URL, params={"supportsAllDrives": "true"},
                               json={"name": title, "mimeType": SPREADSHEET_MIME, "parents": [folder_id]}).json()
        key = created["id"]
        meta = http.fetch_sheet_metadata(key, params={"fields": "sheets.properties(sheetId,title,index)"})
        first = meta["sheets"][0]["properties"]["sheetId"]
        # The new file has one default tab: it becomes the first of ours.
        ids = {layout[0]: first}
        ids.update({t: first + i for i, t in enumerate(layout) if i})
        structure: list[dict] = [
            {"updateSpreadsheetProperties": {"properties": {"locale": "id_ID", "timeZone": "Asia/Jakarta"},
                                             "fields": "locale,timeZone"}},
            {"updateSheetProperties": {"properties": {"sheetId": first, "title": layout[0]}, "fields": "title"}},
        ]
        structure += [{"addSheet": {"properties": {"sheetId": ids[t], "title": t, "index": i}}}
                      for i, t in enumerate(layout) if i]
        return key, f"https://docs.google.com/spreadsheets/d/{key}/edit", ids, structure

    def _http(self) -> QuotaHTTPClient:
        http = getattr(self._local, "http", None)
        if http is None:
            auth_session = RootedSession(self._api_root, self.timeout)
            session = AuthorizedRootedSession(
                self._credentials, self._api_root, self.timeout, refresh_timeout=self.timeout,
                auth_request=Request(session=auth_session),
            )
            with self._sessions_lock:
                self._sessions += [auth_session, session]
            token_request = functools.partial(Request(session=auth_session), timeout=self.timeout)
            http = QuotaHTTPClient(session, owner=self, token_request=token_request)
            http.set_timeout(self.timeout)
            self._local.http = http
        return http

    def _fresh_token(self, token_request: Callable[..., Any]) -> None:
        # One token for all threads: without the lock each worker fetches its own.
        with self._token_lock:
            if not self._credentials.valid:
                self._credentials.refresh(token_request)

    @contextmanager
    def _translate(self, key: str | None, action: str) -> Iterator[None]:
        """Turn whatever the HTTP stack raises into a SourceError. `from None`:
        the original exceptions carry request headers, which hold the token."""
        try:
            yield
        except SourceError:
            raise
        except APIError as err:
            raise self._api_error(err, key, action) from None
        except requests.exceptions.JSONDecodeError:
            raise SourceError("rusak", "Jawaban Google tidak bisa dibaca (JSON rusak). Biasanya sementara: coba tarik lagi nanti.") from None
        except (requests.exceptions.RequestException, google.auth.exceptions.TransportError) as err:
            # google-auth wraps what happened to a token request; the cause says what it was.
            cause = err.__cause__ if isinstance(err, google.auth.exceptions.TransportError) else err
            if isinstance(cause, ResponseTooLarge):
                raise SourceError(
                    "terlalu_besar", f"Jawaban Google lebih dari {MAX_RESPONSE_BYTES // MIB} MB, batas Lindung untuk satu "
                    "sheet. Hapus baris, kolom atau tab yang tidak perlu dari sheet ini."
                ) from None
            if isinstance(cause, requests.exceptions.Timeout):
                raise SourceError(
                    "jaringan", f"Google tidak menjawab dalam {self.timeout:g} detik. Periksa koneksi internet, lalu "
                    "coba lagi."
                ) from None
            raise SourceError("jaringan", "Tidak bisa terhubung ke Google. Periksa koneksi internet, lalu coba lagi.") from None
        except google.auth.exceptions.RefreshError as err:
            if getattr(err, "retryable", False):  # the token endpoint itself failed, not the key
                raise SourceError("server", "Layanan login Google sedang bermasalah. Coba tarik lagi nanti.") from None
            raise SourceError(
                "kredensial",
                f"Google menolak kunci akun layanan {self.service_account_email} (kunci dihapus, dicabut, atau "
                "akunnya dinonaktifkan). Buat kunci JSON baru di Google Cloud Console dan perbarui secret-nya.",
            ) from None
        except (KeyError, TypeError, ValueError, IndexError, RecursionError):
            raise SourceError("rusak", "Jawaban Google tidak berbentuk seperti yang diharapkan. Coba tarik lagi nanti.") from None

    def _api_error(self, err: APIError, key: str | None, action: str) -> SourceError:
        status = err.response.status_code
        error = err.error if isinstance(err.error, Mapping) else {}
        message = str(error.get("message", ""))[:300]
        reasons = {e.get("reason") for e in error.get("errors", []) if isinstance(e, Mapping)}
        reasons |= {d.get("reason") for d in error.get("details", []) if isinstance(d, Mapping)}
        details = {"status": status, "pesan_google": message}
        email = self.service_account_email
        where = f"sheet {key}" if key else "Google Drive"
        api = "Google Drive API" if "drive" in err.response.url.lower() else "Google Sheets API"
        if status == 401:
            return SourceError("kredensial", f"Google tidak menerima login akun layanan {email}. Periksa kunci JSON-nya.", details)
        if status == 403:
            if reasons & {"SERVICE_DISABLED", "accessNotConfigured"} or "has not been used" in message:
                return SourceError("api_nonaktif", f"{api} belum diaktifkan di proyek Google Cloud akun layanan {email}. "
                                   f"Aktifkan di Google Cloud Console (APIs & Services > Library > {api}).", details)
            if "storageQuotaExceeded" in reasons or action == "buat":
                return SourceError("penyimpanan", f"Google tidak mengizinkan akun layanan {email} membuat file di Drive-nya "
                                   "sendiri. Buat folder di Shared Drive, tambahkan akun itu sebagai Content manager, lalu "
                                   f"setel {ENV_FOLDER_ID} ke ID folder tersebut.", details)
            if reasons & RATE_LIMIT_REASONS:
                return self._quota_error(details)
            if action == "tulis":
                return SourceError("tidak_dibagikan", f"Akun layanan {email} tidak boleh mengubah {where}. Bagikan (Share) "
                                   "sheet ke alamat itu sebagai Editor, bukan Viewer.", details)
            return SourceError("tidak_dibagikan", f"Sheet belum dibagikan ke akun layanan {email}. Bagikan (Share) sheet ke "
                               "alamat itu sebagai Viewer/Editor.", details)
        if status == 404 and action == "buat":
            return SourceError("tidak_ada", f"Folder di {ENV_FOLDER_ID} tidak ditemukan, atau akun layanan {email} belum "
                               "menjadi anggota Shared Drive-nya. Periksa ID folder dan keanggotaannya.", details)
        if status == 404:
            return SourceError("tidak_ada", f"Tidak ada {where}: sheet sudah dihapus atau kuncinya salah. Periksa kunci "
                               "di kolom sumber registry/sources.csv.", details)
        if status == 400 and "not supported for this document" in message:
            return SourceError("bukan_sheet", "File ini berkas Excel yang disimpan di Drive, bukan Google Sheet. Buka file itu, "
                               "pilih File > Simpan sebagai Google Spreadsheet, lalu pakai kunci sheet yang baru.", details)
        if status == 429:
            return self._quota_error(details)
        if status == 408:
            return SourceError("jaringan", "Permintaan ke Google kehabisan waktu. Coba lagi nanti.", details)
        if status >= 500:
            return SourceError("server", f"Server Google sedang bermasalah ({status}) dan tetap gagal setelah dicoba ulang. "
                               "Coba tarik lagi nanti.", details)
        if error.get("code") == -1:
            return SourceError("rusak", f"Google menjawab {status} dengan isi yang tidak bisa dibaca.", details)
        # Google's own message is English and may name anything: it stays in `details`, never in the reason.
        return SourceError("ditolak", f"Google menolak permintaan untuk {where} (kode {status}). Periksa kunci sheet "
                           f"di registry/sources.csv dan apakah sheet dibagikan ke {email}, lalu coba lagi.", details)

    def _quota_error(self, details: dict[str, Any]) -> SourceError:
        return SourceError(
            "kuota",
            f"Kuota Google Sheets API habis dan masih habis setelah menunggu {self._max_wait:g} detik. Tarik lagi "
            f"nanti, turunkan {ENV_PER_MINUTE}, atau minta kenaikan kuota di Google Cloud Console.",
            details,
        )


def _is_unknown_range(err: APIError) -> bool:
    message = err.error.get("message", "") if isinstance(err.error, Mapping) else ""
    return err.response.status_code == 400 and "Unable to parse range" in str(message)


def _a1(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def _range_title(a1: str) -> str | None:
    """The tab title of an A1 range as the API returns it: "'Data peserta'!A1:K20",
    "peserta!A1:K20" or "peserta"."""
    if a1.startswith("'"):
        out, i = [], 1
        while i < len(a1):
            if a1[i] == "'":
                if a1[i + 1:i + 2] == "'":
                    out.append("'")
                    i += 2
                    continue
                return "".join(out)
            out.append(a1[i])
            i += 1
        return None
    return a1.split("!", 1)[0] or None


def _padded(values: list[list]) -> list[list]:
    """Rows as the editor sees them: empty cells are None, and every row is as
    wide as the header (the API drops trailing empty cells and keeps an empty
    row as [] so row numbers still match the sheet)."""
    rows = [[None if c == "" else c for c in row] for row in values]
    width = len(rows[0]) if rows else 0
    return [row + [None] * (width - len(row)) for row in rows]


def _trimmed(values: list[list]) -> list[list[str]]:
    rows = []
    for row in values:
        cells = [_text(c) for c in row]
        while cells and cells[-1] == "":
            cells.pop()
        rows.append(cells)
    while rows and not rows[-1]:
        rows.pop()
    return rows


def _a1_range(source: str) -> str:
    """`wilayah!$A$2:$A$5000` with its tab title quoted as Sheets wants it."""
    tab, _, cells = source.partition("!")
    return f"{_a1(tab)}!{cells}"


def _grid_values(sheet: Mapping[str, Any]) -> list[list[str]]:
    """The formatted values of a spreadsheets.get answer's grid data."""
    rows: list[list[str]] = []
    for data in sheet.get("data", []):
        for row in data.get("rowData", []):
            rows.append([_text(v.get("formattedValue")) for v in row.get("values", [])])
    return rows


def _comparable(values: list[list]) -> list[list[str]]:
    """A report without the times on top, which change on every check."""
    rows = _trimmed(values)
    return rows[:1] + rows[SHEET_STAMP_ROWS:]


def _report_requests(sheet_id: int, rows: list[list[str]], titles: list[int], headers: list[int]) -> list[dict]:
    """batchUpdate requests that replace the report tab's content: its size,
    its cells (values as text: a cell starting with "=" stays text, never a
    formula), column widths, wrapping, and bold headings."""
    width = len(REPORT_WIDTHS)
    whole = {"sheetId": sheet_id}
    requests_: list[dict] = [
        {"updateSheetProperties": {"properties": {"sheetId": sheet_id, "gridProperties": {
            "rowCount": max(len(rows) + 20, 100), "columnCount": width, "frozenRowCount": SHEET_STAMP_ROWS}},
            "fields": "gridProperties.rowCount,gridProperties.columnCount,gridProperties.frozenRowCount"}},
        {"unmergeCells": {"range": whole}},
        # The range is the whole tab: every cell not in `rows` is cleared.
        {"updateCells": {"range": whole, "fields": "userEnteredValue,note", "rows": [
            {"values": [{"userEnteredValue": {"stringValue": c}} if c != "" else {} for c in row]} for row in rows]}},
        {"repeatCell": {"range": whole, "cell": {"userEnteredFormat": {"wrapStrategy": "WRAP", "verticalAlignment": "TOP"}},
                        "fields": "userEnteredFormat"}},
    ]
    requests_ += [{"updateDimensionProperties": {
        "range": {"sheetId": sheet_id, "dimension": "COLUMNS", "startIndex": i, "endIndex": i + 1},
        "properties": {"pixelSize": px}, "fields": "pixelSize"}} for i, px in enumerate(REPORT_WIDTHS)]
    for i, row in enumerate(rows):
        line = {"sheetId": sheet_id, "startRowIndex": i, "endRowIndex": i + 1, "startColumnIndex": 0, "endColumnIndex": width}
        if len(row) == 1:  # a line of text: across the whole width
            requests_.append({"mergeCells": {"range": line, "mergeType": "MERGE_ALL"}})
        if i in titles or i in headers:
            text = {"bold": True, **({"fontSize": 12} if i == 0 else {})}
            style: dict[str, Any] = {"textFormat": text, "wrapStrategy": "WRAP", "verticalAlignment": "TOP"}
            if i in headers:
                style["backgroundColor"] = {"red": 0.867, "green": 0.922, "blue": 0.969}  # as the template's headers
            requests_.append({"repeatCell": {"range": line, "cell": {"userEnteredFormat": style},
                                             "fields": "userEnteredFormat"}})
    return requests_


class _Marks:
    """Where each error of a report sits in the sheet just read: its tab's
    header row, and the cell under the column the error names."""

    def __init__(self, workbook: RawWorkbook, fields: Mapping[str, Iterable[str]]) -> None:
        self._tabs: dict[str, str] = {}  # contract tab -> the sheet's title (the last of a name, as validation reads)
        self._header: dict[str, int] = {}  # sheet title -> header row index
        self._columns: dict[str, dict[str, int]] = {}  # sheet title -> normalised header -> column index
        for title, rows in workbook.tabs.items():
            name = normalise(title)
            if name in fields:
                self._tabs[name] = title
        for name, title in self._tabs.items():
            rows = workbook.tabs[title]
            at = header_row(rows, {normalise(f) for f in fields[name]})
            if at is None:
                continue
            self._header[title] = at
            columns: dict[str, int] = {}
            for index, cell in enumerate(rows[at]):
                if isinstance(cell, str) and cell.strip():
                    columns.setdefault(normalise(cell), index)
            self._columns[title] = columns
        self._marked: dict[tuple[str, int, int], list[RowError]] = {}

    def titles(self) -> list[str]:
        """The data tabs whose marks Lindung keeps."""
        return list(self._header)

    def where(self, error: RowError) -> tuple[str, int, int] | None:
        """(sheet title, row index, column index) of an error's cell; a row
        error without a column is marked on the row's first cell."""
        title = self._tabs.get(error.tab)
        if error.row is None or title not in self._header or error.row - 1 <= self._header[title]:
            return None
        column = 0
        if error.column:
            found = self._columns[title].get(normalise(error.column))
            if found is None:
                return None
            column = found
        return title, error.row - 1, column

    def cell(self, error: RowError) -> str:
        """The A1 name of an error's cell ("C5"), or "" when it is not marked;
        the marks follow from the report's rows, so naming the cells in the
        report keeps "same report, same marks" true."""
        place = self.where(error)
        if place is None:
            return ""
        if place not in self._marked and len(self._marked) >= MAX_MARKS:
            return ""
        self._marked.setdefault(place, []).append(error)
        return f"{_column_letter(place[2])}{place[1] + 1}"

    def requests(self, ids: Mapping[str, int]) -> list[dict]:
        """Clear the notes and colours of every data row, then mark this
        report's cells (call after `cell` has seen every error)."""
        fields = "note,userEnteredFormat.backgroundColor"
        out: list[dict] = [{"updateCells": {"range": {"sheetId": ids[t], "startRowIndex": at + 1}, "fields": fields}}
                           for t, at in self._header.items() if t in ids]
        for (title, row, column), errors in self._marked.items():
            if title not in ids:
                continue
            bad = any(e.is_error for e in errors)
            note = "\n\n".join(f"Lindung: {'Kesalahan' if e.is_error else 'Peringatan'}. {e.problem}\n"
                                f"Cara memperbaiki: {e.fix}" for e in errors)
            out.append({"updateCells": {
                "range": {"sheetId": ids[title], "startRowIndex": row, "endRowIndex": row + 1,
                          "startColumnIndex": column, "endColumnIndex": column + 1},
                "rows": [{"values": [{"note": note, "userEnteredFormat": {
                    "backgroundColor": ERROR_COLOUR if bad else WARNING_COLOUR}}]}],
                "fields": fields}})
        return out


def _column_letter(index: int) -> str:
    """The letters of a 0-based column index: 0 -> A, 26 -> AA."""
    return get_column_letter(index + 1)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _cell_value(value: Any) -> Any:
    """A Python value as JSON for a RAW write; dates become sheet serial
    numbers, which the dd/mm/yyyy column format then shows as dates."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return (value - datetime(1899, 12, 30, tzinfo=value.tzinfo)).total_seconds() / 86400
    if isinstance(value, date):
        return (value - date(1899, 12, 30)).days
    if isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _format_requests(schemas: dict[str, dict], sheet_ids: dict[str, int]) -> list[dict]:
    """batchUpdate requests that make each data tab safe to type into."""
    requests_: list[dict] = []
    for tab in TABS:
        sid = sheet_ids[tab]
        fields = schemas[tab]["fields"]
        requests_.append({"updateSheetProperties": {
            "properties": {"sheetId": sid, "gridProperties": {"frozenRowCount": 1}},
            "fields": "gridProperties.frozenRowCount"}})
        requests_.append({"repeatCell": {
            "range": {"sheetId": sid, "startRowIndex": 0, "endRowIndex": 1},
            "cell": {"userEnteredFormat": {"textFormat": {"bold": True}}},
            "fields": "userEnteredFormat.textFormat.bold"}})
        # A warning, not a lock: a renamed header is a missing column for validation.
        requests_.append({"addProtectedRange": {"protectedRange": {
            "range": {"sheetId": sid, "startRowIndex": 0, "endRowIndex": 1},
            "description": "Judul kolom dibaca Lindung; jangan diubah.", "warningOnly": True}}})
        for col, field in enumerate(fields):
            column = {"sheetId": sid, "startRowIndex": 1, "startColumnIndex": col, "endColumnIndex": col + 1}
            source = choices_range(field, schemas)
            if source:  # the kecamatan's own kelurahan, as listed in its wilayah tab
                requests_.append({"setDataValidation": {"range": column, "rule": {
                    "condition": {"type": "ONE_OF_RANGE", "values": [{"userEnteredValue": f"={_a1_range(source)}"}]},
                    "inputMessage": f"Pilih kelurahan/desa dari daftar (tab {field['pilihanDari']}).",
                    "strict": False, "showCustomUi": True}}})
            elif choices := field_choices(field):
                requests_.append({"setDataValidation": {"range": column, "rule": {
                    "condition": {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": str(v)} for v in choices]},
                    "inputMessage": f"Pilih: {', '.join(str(v) for v in choices)}",
                    # Not strict: a pasted "Pekerja Rentan" is accepted by validation
                    # (case and spaces are normalised), so only flag it, never reject the paste.
                    "strict": False, "showCustomUi": True}}})
            number_format = None
            if field.get("type") == "date":
                number_format = {"type": "DATE", "pattern": "dd/mm/yyyy"}
            elif field["name"] == "nik":
                # Plain text, or a 16-digit NIK loses its last digits to floating point.
                number_format = {"type": "TEXT", "pattern": "@"}
            if number_format:
                requests_.append({"repeatCell": {"range": column,
                                                 "cell": {"userEnteredFormat": {"numberFormat": number_format}},
                                                 "fields": "userEnteredFormat.numberFormat"}})
    guide = sheet_ids[GUIDE_TAB]
    requests_.append({"repeatCell": {"range": {"sheetId": guide, "startRowIndex": 0, "endRowIndex": 1},
                                     "cell": {"userEnteredFormat": {"textFormat": {"bold": True}}},
                                     "fields": "userEnteredFormat.textFormat.bold"}})
    return requests_
