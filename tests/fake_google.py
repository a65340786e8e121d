"""A fake Google for tests: the OAuth token endpoint, Sheets API v4 and Drive
API v3 served over real HTTP on 127.0.0.1, so the real google-auth + gspread
stack runs end to end without the internet.

Responses follow the shapes recorded in gspread's test cassettes
(burnash/gspread tests/cassettes): whole-tab reads come back trimmed to the
data ("Sheet1!A1:D4"), trailing empty cells and rows are left out, an empty row
inside the data is [], errors are {"error": {"code", "message", "status"}}
(Drive adds "errors": [{"domain", "reason"}]). State is in memory; every
request is logged so a test can count calls. Faults can be injected per
spreadsheet key ("drive" for Drive's listing, "token" for the token
endpoint), from Google's own errors to a misbehaving network: a body or
headers dripped a byte at a time, a connection reset mid-body, an endless or
gzip-bombed answer, Drive pages that never end. Use the `fake_google` fixture (a started server) and
`google_env` (the environment `lindung.sources.google.connect` needs to talk to
it: a throwaway service-account key whose token_uri points here).
"""
from __future__ import annotations

from openpyxl.utils import get_column_letter

import base64
import json
import re
import secrets
import socket
import struct
import threading
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from hostile import MIB, Repeated, deflated

SPREADSHEET_MIME = "application/vnd.google-apps.spreadsheet"
FAULTS = {
    "403",  # not shared with the service account
    "404",  # deleted / wrong key
    "429",  # per-minute quota exhausted
    "500",  # server error
    "hang",  # no answer until `hang_seconds` have passed
    "malformed",  # 200 with a body that is not JSON
    "xlsx",  # an Excel file kept in Drive, not a Google Sheet
    "disabled",  # the Sheets API is not enabled in the project
    "teapot",  # an error status Lindung has no words for, with an English message
    # The network misbehaving (written by the handler, byte by byte):
    "drip",  # 200, then the body one byte every `drip_seconds`
    "drip_headers",  # the status line and headers one byte every `drip_seconds`
    "reset",  # 200 and half the body, then the connection is reset
    "endless",  # 200 and a chunked body that never ends
    "gzip_bomb",  # 200, Content-Encoding gzip: 100 KB that inflate to 100 MB
    # Answers that are JSON, but not what was asked for:
    "nested",  # 200 with JSON nested 100,000 deep
    "shape",  # 200 with valid JSON of the wrong shape
    # Drive's listing (key "drive"):
    "endless_pages",  # every page names a new next page
    "same_page",  # every page names the same next page
}
RAW_FAULTS = {"drip", "drip_headers", "reset", "endless", "gzip_bomb"}


@dataclass(frozen=True)
class _Raw:
    """An answer the handler writes itself, misbehaving as `fault` says."""

    fault: str
    body: bytes


@dataclass
class Logged:
    method: str
    path: str  # percent-decoded
    query: dict[str, list[str]]
    body: Any
    authorized: bool


@dataclass
class Tab:
    sheet_id: int
    title: str
    rows: list[list[Any]] = field(default_factory=list)
    row_count: int = 1000
    col_count: int = 26
    frozen_rows: int = 0
    # What batchUpdate set, by (row index, column index): cell notes, and
    # each cell's userEnteredFormat (backgroundColor, textFormat, wrapStrategy…)
    notes: dict[tuple[int, int], str] = field(default_factory=dict)
    formats: dict[tuple[int, int], dict] = field(default_factory=dict)
    widths: dict[int, int] = field(default_factory=dict)  # column index -> pixels
    validations: list[dict] = field(default_factory=list)  # setDataValidation: {"range", "rule"}
    merges: list[dict] = field(default_factory=list)

    def background(self, row: int, col: int) -> dict | None:
        """The background colour of a cell (0-based), None when unset."""
        return self.formats.get((row, col), {}).get("backgroundColor")


@dataclass
class Spreadsheet:
    key: str
    title: str
    tabs: list[Tab]
    modified: str
    locale: str = "en_US"
    time_zone: str = "Etc/GMT"
    parents: list[str] = field(default_factory=list)
    batch_requests: list[dict] = field(default_factory=list)  # every batchUpdate sub-request, in order
    permissions: list[dict] = field(default_factory=list)

    def tab(self, title: str) -> Tab | None:
        # Sheet names in A1 notation are matched without regard to case.
        return next((t for t in self.tabs if t.title.lower() == title.lower()), None)

    def by_id(self, sheet_id: int) -> Tab | None:
        return next((t for t in self.tabs if t.sheet_id == sheet_id), None)

    def values(self, title: str) -> list[list[Any]]:
        """A tab's cells as stored, for assertions."""
        tab = self.tab(title)
        assert tab is not None, f"no tab {title!r} in {[t.title for t in self.tabs]}"
        return _trim(tab.rows)


class _ApiError(Exception):
    def __init__(self, code: int, body: Any) -> None:
        self.code, self.body = code, body


def _error(code: int, message: str, status: str, **extra: Any) -> _ApiError:
    return _ApiError(code, {"error": {"code": code, "message": message, "status": status, **extra}})


def _drive_error(code: int, message: str, reason: str, domain: str = "global") -> _ApiError:
    return _ApiError(code, {"error": {"code": code, "message": message,
                                      "errors": [{"message": message, "domain": domain, "reason": reason}]}})


class FakeGoogle:
    """The fake's state and server. `url` is its root, e.g. http://127.0.0.1:43121."""

    def __init__(self, *, hang_seconds: float = 5.0, drip_seconds: float = 0.5) -> None:
        self.hang_seconds = hang_seconds
        self.drip_seconds = drip_seconds
        self.page_size = 1000  # Drive files.list answers at most this many per page
        self.refuse_create = False  # a service account without Drive storage
        self.token_fault: str | None = None  # "invalid_grant": the key was revoked
        self.log: list[Logged] = []
        self.tokens: set[str] = set()
        self.federation_log: list[str] = []  # Workload Identity Federation steps, in order
        self.oidc_tokens: set[str] = set()
        self.sts_tokens: set[str] = set()
        self.impersonated: list[str] = []  # service accounts an access token was made for
        self.token_claims: list[dict] = []
        self.spreadsheets: dict[str, Spreadsheet] = {}
        self._faults: dict[str, list] = {}
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._clock = datetime(2025, 3, 24, 8, 0, tzinfo=timezone.utc)

    # -- lifecycle -------------------------------------------------------

    def start(self) -> FakeGoogle:
        fake = self

        class Handler(_Handler):
            google = fake

        self._server = _Server(("127.0.0.1", 0), Handler)
        # A short poll interval: shutdown() waits for one poll, and every test stops a server.
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02},
                                        name="fake-google", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers that are simulating a hang
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeGoogle:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def environ(self, **overrides: str) -> dict[str, str]:
        """Environment for `connect()`: a throwaway key, this server as API
        root, no pacing and a back-off of milliseconds."""
        env = {
            "LINDUNG_GOOGLE_CREDENTIALS": json.dumps(service_account_info(token_uri=f"{self.url}/token")),
            "LINDUNG_GOOGLE_API_ROOT": self.url,
            "LINDUNG_GOOGLE_PER_MINUTE": "0",
            "LINDUNG_GOOGLE_MAX_WAIT": "0.25",
            "LINDUNG_GOOGLE_BACKOFF": "0.01",
        }
        env.update(overrides)
        return env

    # -- arranging -------------------------------------------------------

    def add_spreadsheet(self, key: str, tabs: dict[str, list[list[Any]]], *, modified: str | None = None,
                        title: str | None = None) -> Spreadsheet:
        with self._lock:
            ss = Spreadsheet(
                key=key, title=title or key, modified=modified or self._tick(),
                tabs=[Tab(sheet_id=1000 + i, title=t, rows=[list(r) for r in rows]) for i, (t, rows) in enumerate(tabs.items())],
            )
            self.spreadsheets[key] = ss
            return ss

    def rename_tab(self, key: str, old: str, new: str) -> None:
        with self._lock:
            tab = self.spreadsheets[key].tab(old)
            assert tab is not None
            tab.title = new

    def fail(self, key: str, fault: str, times: int | None = None) -> None:
        """Make requests about spreadsheet `key` fail with `fault` (see FAULTS),
        every time or only the next `times` times. Key "drive" targets Drive's
        files.list."""
        assert fault in FAULTS, fault
        with self._lock:
            self._faults[key] = [fault, times]

    # -- inspecting ------------------------------------------------------

    def calls(self, method: str | None = None, path: str | None = None) -> list[Logged]:
        """Logged API requests; `path` matches as a regular expression against
        the decoded path (use re.escape for literal keys)."""
        with self._lock:
            return [c for c in self.log
                    if (method is None or c.method == method) and (path is None or re.search(path, c.path))]

    def count(self, method: str | None = None, path: str | None = None) -> int:
        return len(self.calls(method, path))

    # -- internals -------------------------------------------------------

    def _tick(self) -> str:
        self._clock += timedelta(seconds=1)
        return self._clock.strftime("%Y-%m-%dT%H:%M:%S.000Z")

    def _fault(self, key: str) -> str | None:
        with self._lock:
            entry = self._faults.get(key)
            if entry is None:
                return None
            fault, times = entry
            if times is not None:
                if times <= 0:
                    return None
                entry[1] = times - 1
            return fault

    def _hang(self) -> None:
        self._stopping.wait(self.hang_seconds)

    def _spreadsheet(self, key: str) -> Spreadsheet:
        ss = self.spreadsheets.get(key)
        if ss is None:
            raise _error(404, "Requested entity was not found.", "NOT_FOUND")
        return ss

    def _apply_fault(self, key: str) -> tuple[int, Any] | None:
        return self._answer(self._fault(key), key)

    def _answer(self, fault: str | None, key: str) -> tuple[int, Any] | None:
        if fault is None:
            return None
        if fault == "hang":
            self._hang()
            return None
        if fault == "malformed":
            return 200, '{"spreadsheetId": "' + key + '", "valueRanges": [{"range": '
        if fault in RAW_FAULTS:
            return 200, _Raw(fault, json.dumps({"spreadsheetId": key, "valueRanges": [], "files": []}).encode())
        if fault == "nested":
            return 200, "[" * 100_000 + "]" * 100_000
        if fault == "shape":
            return 200, {"spreadsheetId": key, "valueRanges": 5, "files": [{"modifiedTime": []}]}
        raise {
            "403": _error(403, "The caller does not have permission", "PERMISSION_DENIED"),
            "404": _error(404, "Requested entity was not found.", "NOT_FOUND"),
            "429": _error(429, "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute "
                          "per user' of service 'sheets.googleapis.com' for consumer 'project_number:1234567890'.",
                          "RESOURCE_EXHAUSTED", details=[{"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                                                          "reason": "RATE_LIMIT_EXCEEDED", "domain": "googleapis.com"}]),
            "500": _error(500, "Internal error encountered.", "INTERNAL"),
            "xlsx": _error(400, "This operation is not supported for this document", "FAILED_PRECONDITION"),
            "teapot": _error(418, "I'm a teapot. Please contact Dr. Lindung Rahasia at 0812-3456-7890.", "TEAPOT"),
            "disabled": _error(403, "Google Sheets API has not been used in project 1234567890 before or it is "
                               "disabled. Enable it by visiting https://console.developers.google.com/apis/api/"
                               "sheets.googleapis.com/overview?project=1234567890 then retry.", "PERMISSION_DENIED",
                               details=[{"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                                         "reason": "SERVICE_DISABLED", "domain": "googleapis.com"}]),
        }[fault]

    # -- routes ----------------------------------------------------------

    def handle(self, method: str, path: str, query: dict[str, list[str]], body: Any, auth: str | None,
               raw_path: str) -> tuple[int, Any]:
        if method == "POST" and path == "/token":
            return self._apply_fault("token") or self._token(body)
        if path == "/oidc" or path == "/sts/v1/token" or path.endswith(":generateAccessToken"):
            return self._federation(method, path, query, body, auth)
        authorized = auth is not None and auth.startswith("Bearer ") and auth[7:] in self.tokens
        with self._lock:
            self.log.append(Logged(method, path, query, body, authorized))
        if not authorized:
            raise _error(401, "Request is missing required authentication credential. Expected OAuth 2 access token, "
                         "login cookie or other valid authentication credential.", "UNAUTHENTICATED")
        if path.startswith("/v4/spreadsheets"):
            return self._sheets(method, raw_path, query, body)
        if path.startswith("/drive/v3/files"):
            return self._drive(method, path, query, body)
        raise _error(404, f"Method not found: {path}", "NOT_FOUND")

    # Workload Identity Federation, as google-github-actions/auth sets it up:
    # GitHub's OIDC token (here /oidc) is exchanged at Google's STS for a
    # federated token, which IAM Credentials trades for the service account's
    # access token. Each step checks what the previous one handed over.
    GITHUB_REQUEST_TOKEN = "gh-actions-request-token"

    def _federation(self, method: str, path: str, query: dict, body: Any, auth: str | None) -> tuple[int, Any]:
        with self._lock:
            self.federation_log.append(path)
        if path == "/oidc" and method == "GET":
            if auth != f"Bearer {self.GITHUB_REQUEST_TOKEN}" or not query.get("audience"):
                return 401, {"message": "Bad credentials"}
            claims = {"iss": "https://token.actions.githubusercontent.com", "repository": "pemkot/lindung",
                      "aud": query["audience"][0]}
            encoded = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
            with self._lock:
                self.oidc_tokens.add(f"eyJhbGciOiJSUzI1NiJ9.{encoded}.sig")
            return 200, {"value": f"eyJhbGciOiJSUzI1NiJ9.{encoded}.sig"}
        if path == "/sts/v1/token" and method == "POST":
            form = body if isinstance(body, dict) else {}
            if (form.get("grant_type") != "urn:ietf:params:oauth:grant-type:token-exchange"
                    or form.get("subject_token") not in self.oidc_tokens
                    or not form.get("audience", "").startswith("//iam.googleapis.com/projects/")):
                return 400, {"error": "invalid_grant", "error_description": "The subject token is invalid."}
            token = f"sts-{secrets.token_hex(4)}"
            with self._lock:
                self.sts_tokens.add(token)
            return 200, {"access_token": token, "issued_token_type": "urn:ietf:params:oauth:token-type:access_token",
                         "token_type": "Bearer", "expires_in": 3600}
        if path.endswith(":generateAccessToken") and method == "POST":
            if not (auth or "").startswith("Bearer ") or auth[7:] not in self.sts_tokens:
                return 403, {"error": {"code": 403, "message": "Permission 'iam.serviceAccounts.getAccessToken' "
                                       "denied", "status": "PERMISSION_DENIED"}}
            token = f"ya29.fake-federated-{secrets.token_hex(4)}"
            with self._lock:
                self.tokens.add(token)
                self.impersonated.append(path.rsplit("/", 1)[-1].split(":")[0])
            return 200, {"accessToken": token, "expireTime": "2099-01-01T00:00:00Z"}
        return 404, {"error": "not found"}

    def external_account_info(self, email: str = "lindung-pull@lindung-test.iam.gserviceaccount.com") -> dict:
        """The credentials file google-github-actions/auth writes for Workload
        Identity Federation, with every address pointing at this fake."""
        audience = ("//iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/github/"
                    "providers/lindung")
        return {
            "type": "external_account",
            "audience": audience,
            "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
            "token_url": f"{self.url}/sts/v1/token",
            "service_account_impersonation_url": f"{self.url}/iam/v1/projects/-/serviceAccounts/{email}"
                                                 ":generateAccessToken",
            "credential_source": {
                "url": f"{self.url}/oidc?audience=https://iam.googleapis.com{audience[1:]}",
                "headers": {"Authorization": f"Bearer {self.GITHUB_REQUEST_TOKEN}"},
                "format": {"type": "json", "subject_token_field_name": "value"},
            },
        }

    def _token(self, form: Any) -> tuple[int, Any]:
        form = form if isinstance(form, dict) else {}
        assertion = form.get("assertion", "")
        if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" or assertion.count(".") != 2:
            return 400, {"error": "invalid_request", "error_description": "Invalid grant_type or assertion."}
        if self.token_fault == "invalid_grant":
            return 400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}
        payload = assertion.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        with self._lock:
            token = f"ya29.fake-{len(self.tokens) + 1}-{secrets.token_hex(4)}"
            self.tokens.add(token)
            self.token_claims.append(claims)
        return 200, {"access_token": token, "expires_in": 3599, "token_type": "Bearer"}

    def _sheets(self, method: str, raw_path: str, query: dict[str, list[str]], body: Any) -> tuple[int, Any]:
        rest = raw_path[len("/v4/spreadsheets"):]
        if rest in ("", "/"):
            if method == "POST":
                return 200, self._create(body or {})
            raise _error(404, "Not found", "NOT_FOUND")
        m = re.fullmatch(r"/([^/:]+)(.*)", rest)
        assert m is not None
        key, tail = unquote(m.group(1)), m.group(2)
        injected = self._apply_fault(key)
        if injected is not None:
            return injected
        with self._lock:
            ss = self._spreadsheet(key)
            if tail == "" and method == "GET":
                return 200, self._metadata(ss, query)
            if tail == ":batchUpdate" and method == "POST":
                return 200, self._batch_update(ss, (body or {}).get("requests", []))
            if tail == "/values:batchGet" and method == "GET":
                return 200, self._batch_get(ss, query)
            if tail == "/values:batchUpdate" and method == "POST":
                return 200, self._values_batch_update(ss, body or {})
            vm = re.fullmatch(r"/values/([^:]+)(:clear)?", tail)
            if vm and vm.group(2) and method == "POST":
                return 200, self._clear(ss, unquote(vm.group(1)))
            if vm and not vm.group(2) and method == "GET":
                return 200, self._get(ss, unquote(vm.group(1)), query)
            if vm and not vm.group(2) and method == "PUT":
                option = query.get("valueInputOption", [None])[0]
                if option not in ("RAW", "USER_ENTERED"):
                    raise _error(400, "'valueInputOption' is required but not specified", "INVALID_ARGUMENT")
                return 200, {"spreadsheetId": ss.key, **self._write(ss, unquote(vm.group(1)), (body or {}).get("values", []))}
        raise _error(404, f"Method not found: {method} {tail}", "NOT_FOUND")

    def _drive(self, method: str, path: str, query: dict[str, list[str]], body: Any) -> tuple[int, Any]:
        if path == "/drive/v3/files" and method == "GET":
            fault = self._fault("drive")
            if fault in ("endless_pages", "same_page"):
                token = query.get("pageToken", ["0"])[0]
                following = f"p{int(token.lstrip('p') or 0) + 1}" if fault == "endless_pages" else "sama"
                return 200, {"files": [], "nextPageToken": following}
            injected = self._answer(fault, "drive")
            if injected is not None:
                return injected
            return 200, self._list(query)
        if path == "/drive/v3/files" and method == "POST":
            body = body or {}
            if self.refuse_create and not body.get("parents"):
                raise _drive_error(403, "Service Accounts do not have storage quota. Leverage shared drives "
                                   "(https://developers.google.com/workspace/drive/api/guides/about-shareddrives), "
                                   "or use OAuth delegation (http://support.google.com/a/answer/7281227) instead.",
                                   "storageQuotaExceeded", domain="usageLimits")
            with self._lock:
                ss = self._new(body.get("name", "Untitled spreadsheet"), [])
                ss.parents = list(body.get("parents", []))
            return 200, {"kind": "drive#file", "id": ss.key, "name": ss.title, "mimeType": SPREADSHEET_MIME}
        m = re.fullmatch(r"/drive/v3/files/([^/]+)(/permissions)?", path)
        if m:
            with self._lock:
                ss = self.spreadsheets.get(m.group(1))
                if ss is None:
                    raise _drive_error(404, f"File not found: {m.group(1)}.", "notFound")
                if m.group(2) and method == "POST":
                    permission = {"id": str(len(ss.permissions) + 1), **(body or {}),
                                  "sendNotificationEmail": query.get("sendNotificationEmail", [None])[0],
                                  "emailMessage": query.get("emailMessage", [None])[0]}
                    ss.permissions.append(permission)
                    return 200, {"kind": "drive#permission", "id": permission["id"], "type": permission.get("type"),
                                 "role": permission.get("role")}
                if not m.group(2) and method == "GET":
                    return 200, {"id": ss.key, "name": ss.title, "modifiedTime": ss.modified}
        raise _drive_error(404, "Not Found", "notFound")

    # -- Sheets semantics ------------------------------------------------

    def _new(self, title: str, sheets: list[dict]) -> Spreadsheet:
        key = "1fake" + secrets.token_urlsafe(30).replace("-", "x").replace("_", "y")[:39]
        tabs = [Tab(sheet_id=p.get("sheetId", i), title=p.get("title", f"Sheet{i + 1}"),
                    frozen_rows=p.get("gridProperties", {}).get("frozenRowCount", 0))
                for i, p in enumerate(s.get("properties", {}) for s in sheets)] or [Tab(sheet_id=0, title="Sheet1")]
        ss = Spreadsheet(key=key, title=title, tabs=tabs, modified=self._tick())
        self.spreadsheets[key] = ss
        return ss

    def _create(self, body: dict) -> dict:
        if self.refuse_create:
            raise _error(403, "The caller does not have permission", "PERMISSION_DENIED")
        props = body.get("properties", {})
        with self._lock:
            ss = self._new(props.get("title", "Untitled spreadsheet"), body.get("sheets", []))
            ss.locale = props.get("locale", ss.locale)
            ss.time_zone = props.get("timeZone", ss.time_zone)
            return self._metadata(ss)

    def _metadata(self, ss: Spreadsheet, query: dict[str, list[str]] | None = None) -> dict:
        """spreadsheets.get. With `ranges`, like Google: only the sheets those
        ranges touch (an unknown tab is a 400), and with includeGridData the
        cells of each range as formatted values."""
        query = query or {}
        def props(t: Tab) -> dict:
            return {"properties": {
                "sheetId": t.sheet_id, "title": t.title, "index": ss.tabs.index(t), "sheetType": "GRID",
                "gridProperties": {"rowCount": t.row_count, "columnCount": t.col_count,
                                   **({"frozenRowCount": t.frozen_rows} if t.frozen_rows else {})}}}
        sheets = [props(t) for t in ss.tabs]
        if query.get("ranges"):
            grid = query.get("includeGridData", ["false"])[0] == "true"
            sheets = []
            for a1 in query["ranges"]:
                tab, _ = self._locate(ss, a1)
                entry = props(tab)
                if grid:
                    read = self._read(ss, a1, {"valueRenderOption": ["FORMATTED_VALUE"]})
                    entry["data"] = [{"rowData": [{"values": [{"formattedValue": v} if v != "" else {} for v in row]}
                                                  for row in read.get("values", [])]}]
                sheets.append(entry)
        return {
            "spreadsheetId": ss.key,
            "properties": {"title": ss.title, "locale": ss.locale, "autoRecalc": "ON_CHANGE", "timeZone": ss.time_zone},
            "sheets": sheets,
            "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{ss.key}/edit",
        }

    def _locate(self, ss: Spreadsheet, a1: str) -> tuple[Tab, tuple[int, int, int | None, int | None] | None]:
        title, cells = _split_a1(a1)
        tab = ss.tab(title) if title is not None else None
        if tab is None:
            raise _error(400, f"Unable to parse range: {a1}", "INVALID_ARGUMENT")
        return tab, (_parse_cells(cells) if cells else None)

    def _read(self, ss: Spreadsheet, a1: str, query: dict[str, list[str]]) -> dict:
        tab, bounds = self._locate(ss, a1)
        render = query.get("valueRenderOption", ["FORMATTED_VALUE"])[0]
        dates = query.get("dateTimeRenderOption", ["SERIAL_NUMBER"])[0]
        rows = [list(r) for r in tab.rows]
        if bounds is not None:
            c1, r1, c2, r2 = bounds
            rows = [row[c1:None if c2 is None else c2 + 1] for row in rows[r1:None if r2 is None else r2 + 1]]
        values = [[_render(c, render, dates) for c in row] for row in _trim(rows)]
        if values:
            width = max((len(r) for r in values), default=1) or 1
            start_c, start_r = (bounds[0], bounds[1]) if bounds else (0, 0)
            extent = f"{_col(start_c)}{start_r + 1}:{_col(start_c + width - 1)}{start_r + len(values)}"
        else:
            extent = f"A1:{_col(tab.col_count - 1)}{tab.row_count}"
        out = {"range": f"{_quote(tab.title)}!{extent}", "majorDimension": query.get("majorDimension", ["ROWS"])[0]}
        if values:
            out["values"] = values
        return out

    def _batch_get(self, ss: Spreadsheet, query: dict[str, list[str]]) -> dict:
        return {"spreadsheetId": ss.key, "valueRanges": [self._read(ss, r, query) for r in query.get("ranges", [])]}

    def _get(self, ss: Spreadsheet, a1: str, query: dict[str, list[str]]) -> dict:
        return self._read(ss, a1, query)

    def _write(self, ss: Spreadsheet, a1: str, values: list[list[Any]]) -> dict:
        tab, bounds = self._locate(ss, a1)
        c0, r0 = (bounds[0], bounds[1]) if bounds else (0, 0)
        for i, row in enumerate(values):
            target = r0 + i
            while len(tab.rows) <= target:
                tab.rows.append([])
            line = tab.rows[target]
            for j, value in enumerate(row):
                while len(line) <= c0 + j:
                    line.append(None)
                line[c0 + j] = None if value == "" else value
        ss.modified = self._tick()
        width = max((len(r) for r in values), default=0)
        return {"updatedRange": f"{_quote(tab.title)}!{_col(c0)}{r0 + 1}:{_col(c0 + max(width, 1) - 1)}{r0 + len(values)}",
                "updatedRows": len(values), "updatedColumns": width, "updatedCells": sum(len(r) for r in values)}

    def _values_batch_update(self, ss: Spreadsheet, body: dict) -> dict:
        if body.get("valueInputOption") not in ("RAW", "USER_ENTERED"):
            raise _error(400, "'valueInputOption' is required but not specified", "INVALID_ARGUMENT")
        # All-or-nothing like the real API: check every range before writing.
        for item in body.get("data", []):
            self._locate(ss, item["range"])
        responses = [{"spreadsheetId": ss.key, **self._write(ss, d["range"], d.get("values", []))} for d in body.get("data", [])]
        return {"spreadsheetId": ss.key, "totalUpdatedRows": sum(r["updatedRows"] for r in responses),
                "totalUpdatedCells": sum(r["updatedCells"] for r in responses),
                "totalUpdatedSheets": len({r["updatedRange"].rsplit("!", 1)[0] for r in responses}), "responses": responses}

    def _clear(self, ss: Spreadsheet, a1: str) -> dict:
        tab, bounds = self._locate(ss, a1)
        if bounds is None:
            tab.rows = []
        else:
            c1, r1, c2, r2 = bounds
            for row in tab.rows[r1:None if r2 is None else r2 + 1]:
                for j in range(c1, len(row) if c2 is None else min(c2 + 1, len(row))):
                    row[j] = None
        ss.modified = self._tick()
        return {"spreadsheetId": ss.key, "clearedRange": f"{_quote(tab.title)}!A1:{_col(tab.col_count - 1)}{tab.row_count}"}

    def _batch_update(self, ss: Spreadsheet, requests: list[dict]) -> dict:
        replies = []
        for n, request in enumerate(requests):
            (kind, spec), = request.items()
            if kind == "addSheet":
                props = spec.get("properties", {})
                title = props.get("title", f"Sheet{len(ss.tabs) + 1}")
                if ss.tab(title) is not None:
                    raise _error(400, f'Invalid requests[{n}].addSheet: A sheet with the name "{title}" already exists. '
                                 "Please enter another name.", "INVALID_ARGUMENT")
                sheet_id = props.get("sheetId", max((t.sheet_id for t in ss.tabs), default=0) + 1)
                if ss.by_id(sheet_id) is not None:
                    raise _error(400, f"Invalid requests[{n}].addSheet: Sheet with id {sheet_id} already exists.",
                                 "INVALID_ARGUMENT")
                grid = props.get("gridProperties", {})
                tab = Tab(sheet_id=sheet_id, title=title, frozen_rows=grid.get("frozenRowCount", 0),
                          row_count=grid.get("rowCount", 1000), col_count=grid.get("columnCount", 26))
                ss.tabs.insert(props.get("index", len(ss.tabs)), tab)
                replies.append({"addSheet": {"properties": {"sheetId": sheet_id, "title": title, "index": ss.tabs.index(tab),
                                                            "sheetType": "GRID",
                                                            "gridProperties": {"rowCount": tab.row_count,
                                                                               "columnCount": tab.col_count}}}})
            else:
                sheet_id = _sheet_id_of(spec)
                if sheet_id is not None and ss.by_id(sheet_id) is None:
                    raise _error(400, f"Invalid requests[{n}].{kind}: No grid with id: {sheet_id}", "INVALID_ARGUMENT")
                if kind == "updateSheetProperties":
                    tab = ss.by_id(spec["properties"]["sheetId"])
                    fields = spec.get("fields", "")
                    if "title" in fields.split(","):
                        tab.title = spec["properties"]["title"]
                    grid = spec["properties"].get("gridProperties", {})
                    if "gridProperties.frozenRowCount" in fields:
                        tab.frozen_rows = grid.get("frozenRowCount", 0)
                    if "gridProperties.rowCount" in fields:
                        tab.row_count = grid["rowCount"]
                        tab.rows = tab.rows[:tab.row_count]
                    if "gridProperties.columnCount" in fields:
                        tab.col_count = grid["columnCount"]
                        tab.rows = [r[:tab.col_count] for r in tab.rows]
                elif kind in ("updateCells", "repeatCell"):
                    _cells(ss.by_id(sheet_id), kind, spec, n)
                elif kind == "updateDimensionProperties":
                    tab, span = ss.by_id(sheet_id), spec["range"]
                    if span["dimension"] == "COLUMNS" and "pixelSize" in spec.get("fields", ""):
                        for col in range(span.get("startIndex", 0), span.get("endIndex", tab.col_count)):
                            tab.widths[col] = spec["properties"]["pixelSize"]
                elif kind == "setDataValidation":
                    ss.by_id(sheet_id).validations.append({"range": spec["range"], "rule": spec.get("rule")})
                elif kind == "mergeCells":
                    ss.by_id(sheet_id).merges.append(spec["range"])
                elif kind == "unmergeCells":
                    ss.by_id(sheet_id).merges.clear()
                elif kind == "updateSpreadsheetProperties":
                    ss.locale = spec["properties"].get("locale", ss.locale)
                    ss.time_zone = spec["properties"].get("timeZone", ss.time_zone)
                elif kind == "deleteSheet":
                    ss.tabs.remove(ss.by_id(spec["sheetId"]))
                replies.append({})
            ss.batch_requests.append(request)
        ss.modified = self._tick()
        return {"spreadsheetId": ss.key, "replies": replies}

    # -- Drive semantics -------------------------------------------------

    def _list(self, query: dict[str, list[str]]) -> dict:
        q = query.get("q", [""])[0]
        with self._lock:
            files = list(self.spreadsheets.values()) if SPREADSHEET_MIME in q else []
            size = min(int(query.get("pageSize", ["100"])[0]), self.page_size)
            start = int(query.get("pageToken", ["0"])[0] or 0)
            page = files[start:start + size]
            wanted = re.search(r"files\(([^)]*)\)", query.get("fields", [""])[0])
            keys = set(wanted.group(1).split(",")) if wanted else {"id", "name", "mimeType", "kind"}
            out: dict[str, Any] = {"files": [{k: v for k, v in {
                "kind": "drive#file", "id": f.key, "name": f.title, "mimeType": SPREADSHEET_MIME,
                "modifiedTime": f.modified}.items() if k in keys} for f in page]}
            if start + size < len(files):
                out["nextPageToken"] = str(start + size)
            return out


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a handler still simulating a hang never blocks shutdown

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients that time out close their socket; that is expected here


class _Handler(BaseHTTPRequestHandler):
    google: FakeGoogle
    protocol_version = "HTTP/1.1"
    # Headers and body leave in two writes; with Nagle's algorithm each answer
    # then waited out the client's delayed ACK (about 40 ms a request).
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def _serve(self, method: str) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body: Any = None
        if raw:
            if "application/x-www-form-urlencoded" in (self.headers.get("Content-Type") or ""):
                body = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
            else:
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = raw.decode(errors="replace")
        try:
            status, payload = self.google.handle(method, unquote(parts.path), parse_qs(parts.query), body,
                                                 self.headers.get("Authorization"), parts.path)
        except _ApiError as err:
            status, payload = err.code, err.body
        if isinstance(payload, _Raw):
            self._misbehave(payload)
            return
        data = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            pass  # the client gave up (timeout test)


    def _misbehave(self, raw: _Raw) -> None:
        google, out = self.google, self.wfile
        self.close_connection = True
        try:
            if raw.fault == "drip_headers":
                head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + b"X-Lambat: " + b"a" * 1000
                for i in range(len(head)):
                    out.write(head[i:i + 1])
                    out.flush()
                    if google._stopping.wait(google.drip_seconds):
                        return
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            if raw.fault == "drip":
                body = raw.body + b" " * 1000  # the JSON, then whitespace a JSON parser would skip
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                for i in range(len(body)):
                    out.write(body[i:i + 1])
                    out.flush()
                    if google._stopping.wait(google.drip_seconds):
                        return
            elif raw.fault == "reset":
                body = raw.body + b" " * 100_000
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                out.write(body[:len(body) // 2])
                out.flush()
                # SO_LINGER 0: close() sends a reset, not an orderly end
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()
            elif raw.fault == "endless":
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                chunk = b"[" + b"0," * 32_000 + b"0]"
                framed = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
                while not google._stopping.is_set():
                    out.write(framed)
            elif raw.fault == "gzip_bomb":
                body = _gzip_bomb()
                self.send_header("Content-Encoding", "gzip")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                out.write(body)
        except OSError:
            pass  # the client gave up, which is what these faults are for


@lru_cache(maxsize=1)
def _gzip_bomb() -> bytes:
    """100 MB of spaces, gzipped: about 100 KB."""
    data, crc = deflated(Repeated(b"", b" " * MIB, 100, b""))
    return b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + data + struct.pack("<II", crc, 100 * MIB)


# -- batchUpdate cell requests ---------------------------------------------

def _cells(tab: Tab, kind: str, spec: dict, n: int) -> None:
    """updateCells / repeatCell on the fake's cells: values, notes and
    userEnteredFormat, following the field mask like Google: a field named in
    `fields` but not given for a cell of the range is cleared."""
    span = spec.get("range") or {"sheetId": tab.sheet_id, "startRowIndex": spec.get("start", {}).get("rowIndex", 0),
                                 "startColumnIndex": spec.get("start", {}).get("columnIndex", 0)}
    r0, c0 = span.get("startRowIndex", 0), span.get("startColumnIndex", 0)
    rows = spec.get("rows", [])
    if "range" in spec:
        r1, c1 = span.get("endRowIndex", tab.row_count), span.get("endColumnIndex", tab.col_count)
    else:  # `start`: as far as the rows reach
        r1, c1 = r0 + len(rows), c0 + max((len(r.get("values", [])) for r in rows), default=0)
    if kind == "updateCells" and (r0 + len(rows) > tab.row_count
                                  or c0 + max((len(r.get("values", [])) for r in rows), default=0) > tab.col_count):
        raise _error(400, f"Invalid requests[{n}].updateCells: Range ({tab.title}!{_col(c0)}{r0 + 1}) exceeds grid "
                     f"limits. Max rows: {tab.row_count}, max columns: {tab.col_count}", "INVALID_ARGUMENT")
    fields = [f.strip() for f in spec.get("fields", "").split(",") if f.strip()]
    for r in range(r0, min(r1, tab.row_count)):
        for c in range(c0, min(c1, tab.col_count)):
            if kind == "repeatCell":
                cell = spec.get("cell", {})
            else:
                values = rows[r - r0].get("values", []) if r - r0 < len(rows) else []
                cell = values[c - c0] if c - c0 < len(values) else {}
            for path in fields:
                _apply_field(tab, r, c, path, cell)


def _apply_field(tab: Tab, r: int, c: int, path: str, cell: dict) -> None:
    if path == "note":
        if cell.get("note"):
            tab.notes[(r, c)] = cell["note"]
        else:
            tab.notes.pop((r, c), None)
    elif path == "userEnteredValue":
        value = cell.get("userEnteredValue", {})
        stored = value.get("stringValue", value.get("numberValue", value.get("boolValue")))
        if stored is None and not (r < len(tab.rows) and c < len(tab.rows[r])):
            return
        while len(tab.rows) <= r:
            tab.rows.append([])
        line = tab.rows[r]
        while len(line) <= c:
            line.append(None)
        line[c] = None if stored == "" else stored
    elif path.startswith("userEnteredFormat"):
        given = cell.get("userEnteredFormat", {})
        current = dict(tab.formats.get((r, c), {}))
        if path == "userEnteredFormat":
            current = dict(given)
        else:
            name = path.split(".", 1)[1].split(".", 1)[0]
            if name in given:
                current[name] = given[name]
            else:
                current.pop(name, None)
        if current:
            tab.formats[(r, c)] = current
        else:
            tab.formats.pop((r, c), None)
    else:
        raise _error(400, f"Invalid field mask: {path}", "INVALID_ARGUMENT")


# -- A1 notation and cell rendering --------------------------------------

def _split_a1(a1: str) -> tuple[str | None, str | None]:
    if a1.startswith("'"):
        out, i = [], 1
        while i < len(a1):
            if a1[i] == "'":
                if a1[i + 1:i + 2] == "'":
                    out.append("'")
                    i += 2
                    continue
                rest = a1[i + 1:]
                return "".join(out), (rest[1:] if rest.startswith("!") else None)
            out.append(a1[i])
            i += 1
        return None, None
    title, _, cells = a1.partition("!")
    return title, cells or None


def _parse_cells(cells: str) -> tuple[int, int, int | None, int | None]:
    def one(ref: str) -> tuple[int | None, int | None]:
        m = re.fullmatch(r"([A-Z]*)(\d*)", ref.upper())
        if not m:
            raise _error(400, f"Unable to parse range: {cells}", "INVALID_ARGUMENT")
        col = None
        if m.group(1):
            col = 0
            for ch in m.group(1):
                col = col * 26 + ord(ch) - 64
            col -= 1
        return col, (int(m.group(2)) - 1 if m.group(2) else None)

    start, _, end = cells.partition(":")
    c1, r1 = one(start)
    c2, r2 = one(end) if end else (c1, r1)
    return c1 or 0, r1 or 0, c2, r2


def _col(index: int) -> str:
    """The letters of a 0-based column index: 0 -> A, 26 -> AA."""
    return get_column_letter(index + 1)


def _quote(title: str) -> str:
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", title) and not re.fullmatch(r"[A-Za-z]{1,3}\d+", title):
        return title
    return "'" + title.replace("'", "''") + "'"


def _trim(rows: list[list[Any]]) -> list[list[Any]]:
    out = []
    for row in rows:
        row = list(row)
        while row and row[-1] in (None, ""):
            row.pop()
        out.append(row)
    while out and not out[-1]:
        out.pop()
    return out


def _render(value: Any, render: str, dates: str) -> Any:
    """A stored cell as the API returns it: formatted like an id_ID sheet
    unless UNFORMATTED_VALUE is asked for, dates as serials on request."""
    if value is None:
        return ""
    if isinstance(value, date):
        serial = (value - date(1899, 12, 30)).days
        if render == "UNFORMATTED_VALUE" and dates == "SERIAL_NUMBER":
            return serial
        return value.strftime("%d/%m/%Y")
    if render == "UNFORMATTED_VALUE":
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    if isinstance(value, float):
        return str(value).replace(".", ",")
    return str(value)


def _sheet_id_of(spec: Any) -> int | None:
    """The sheetId a batchUpdate sub-request points at, wherever it sits."""
    if isinstance(spec, dict):
        if "sheetId" in spec and isinstance(spec["sheetId"], int):
            return spec["sheetId"]
        for value in spec.values():
            found = _sheet_id_of(value)
            if found is not None:
                return found
    return None


# -- credentials ----------------------------------------------------------

@lru_cache(maxsize=1)
def _private_key_pem() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def service_account_info(*, token_uri: str, email: str = "lindung-pull@lindung-test.iam.gserviceaccount.com") -> dict:
    """A service-account key file's content with a throwaway RSA key (made
    once per test session) and `token_uri` pointing at the fake."""
    return {
        "type": "service_account",
        "project_id": "lindung-test",
        "private_key_id": "0123456789abcdef0123456789abcdef01234567",
        "private_key": _private_key_pem(),
        "client_email": email,
        "client_id": "100000000000000000001",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": token_uri,
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/" + email.replace("@", "%40"),
        "universe_domain": "googleapis.com",
    }


@pytest.fixture
def fake_google() -> Any:
    """A started fake Google server, stopped after the test."""
    with FakeGoogle() as fake:
        yield fake


@pytest.fixture
def google_env(fake_google: FakeGoogle) -> dict[str, str]:
    """Environment for `connect()` that points at `fake_google`."""
    return fake_google.environ()
