"""How Lindung talks to Google: the service-account key from the environment,
sessions that can be pointed at a local fake (LINDUNG_GOOGLE_API_ROOT, for
tests), and gspread's HTTP client with a bounded back-off and quota pacing.
What the requests mean (read, list, write, create) is in google.py.

Every request made through these sessions ends by one deadline for all of
it (connecting, sending, the headers and the whole body), not a timeout per
socket read that a server dripping one byte a second never trips: at the
deadline a timer shuts the connection's socket down, which ends any read
blocked on it. Answers are read in chunks and refused past
MAX_RESPONSE_BYTES. gspread and google-auth still make the requests.
"""
from __future__ import annotations

import base64
import binascii
import json
import random
import re
import socket
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import requests
from google.auth.transport.requests import AuthorizedSession
from gspread.exceptions import APIError
from gspread.http_client import BackOffHTTPClient, HTTPClient
from gspread.urls import SPREADSHEETS_API_V4_BASE_URL
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from ..limits import MAX_RESPONSE_BYTES
from . import SourceError

ENV_CREDENTIALS_FILE = "GOOGLE_APPLICATION_CREDENTIALS"  # path to the key file
ENV_CREDENTIALS_JSON = "LINDUNG_GOOGLE_CREDENTIALS"  # the key file's content (CI secret)
MAX_SINGLE_WAIT = 64.0  # Google's retry guide caps one back-off step at 32-64 s
RATE_LIMIT_REASONS = {"userRateLimitExceeded", "rateLimitExceeded", "RATE_LIMIT_EXCEEDED"}
_GOOGLE_HOST = re.compile(r"^https://[A-Za-z0-9.-]*googleapis\.com(?=/|$)")


class QuotaHTTPClient(BackOffHTTPClient):
    """gspread's back-off client with the retry loop rewritten: gspread 6.2's
    own loop never stops (its cap compares a value already clamped to the cap,
    fixed upstream in burnash/gspread#1599), recurses once per retry, keeps its
    counter on the shared instance, and retries Drive's 403 storageQuotaExceeded
    as if it were a rate limit (burnash/gspread#1592). Here the total wait of one
    request is bounded, retries honour Retry-After, and Sheets requests are
    paced under the per-minute quota before they are sent."""

    def __init__(self, session: AuthorizedRootedSession, *, owner: Any,
                 token_request: Callable[..., Any]) -> None:
        super().__init__(auth=None, session=session)  # type: ignore[arg-type]
        self._owner = owner
        self._token_request = token_request

    def request(self, method: str, endpoint: str, *args: Any, **kwargs: Any) -> requests.Response:
        owner = self._owner
        waited, attempt = 0.0, 0
        while True:
            if endpoint.startswith(SPREADSHEETS_API_V4_BASE_URL):
                owner._pacers["read" if method.lower() == "get" else "write"].wait()
            owner._fresh_token(self._token_request)
            try:
                return HTTPClient.request(self, method, endpoint, *args, **kwargs)
            except APIError as err:
                remaining = owner._max_wait - waited
                if not self._retryable(err) or remaining <= 0:
                    raise
                delay = min(self._delay(err, attempt, owner._backoff), remaining)
                time.sleep(delay)
                waited += delay
                attempt += 1

    def _retryable(self, err: APIError) -> bool:
        status = err.response.status_code
        if status in self._HTTP_ERROR_CODES or status >= 500:
            return True
        errors = err.error.get("errors", []) if isinstance(err.error, Mapping) else []
        return status == 403 and any(isinstance(e, Mapping) and e.get("reason") in RATE_LIMIT_REASONS for e in errors)

    @staticmethod
    def _delay(err: APIError, attempt: int, base: float) -> float:
        retry_after = err.response.headers.get("Retry-After", "")
        if retry_after.isdigit():
            return float(retry_after)
        # Truncated exponential back-off with jitter, as Google's retry guide asks,
        # so parallel workers that failed together do not retry together.
        return min(base * 2**attempt, MAX_SINGLE_WAIT) + random.uniform(0, base)


class Pacer:
    """Spaces request starts evenly so one service account stays under a
    per-minute quota however many workers run; 0 turns pacing off."""

    def __init__(self, per_minute: float) -> None:
        self._interval = 60.0 / per_minute if per_minute > 0 else 0.0
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        if not self._interval:
            return
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next)
            self._next = slot + self._interval
        if slot > now:
            time.sleep(slot - now)


class DeadlineExceeded(requests.exceptions.Timeout):
    """A request did not end by its deadline."""


class ResponseTooLarge(requests.exceptions.RequestException):
    """An answer longer than MAX_RESPONSE_BYTES."""


class _Deadline:
    """The deadline of one request. A timer shuts down the socket of the
    connection the request runs on (`attach`) when it passes."""

    def __init__(self, seconds: float) -> None:
        self.at = time.monotonic() + seconds
        self.expired = False
        self._connection: HTTPConnection | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def remaining(self) -> float:
        return max(0.0, self.at - time.monotonic())

    def attach(self, connection: HTTPConnection) -> None:
        with self._lock:
            self._connection = connection
            if self.expired:
                _shut(connection)

    def cancel(self) -> None:
        self._timer.cancel()

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            if self._connection is not None:
                _shut(self._connection)


def _shut(connection: HTTPConnection) -> None:
    sock = connection.sock
    if sock is not None:
        try:  # the plain socket's shutdown, also under TLS: it wakes a read blocked in another thread
            socket.socket.shutdown(sock, socket.SHUT_RDWR)
        except OSError:
            pass


_current = threading.local()  # .deadline: the request this thread is making


class _WatchedHTTPConnection(HTTPConnection):
    def request(self, *args: Any, **kwargs: Any) -> None:
        deadline = getattr(_current, "deadline", None)
        if deadline is not None:
            deadline.attach(self)
        super().request(*args, **kwargs)


class _WatchedHTTPSConnection(_WatchedHTTPConnection, HTTPSConnection):
    pass


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_WATCHED_POOLS = {"http": _HTTPPool, "https": _HTTPSPool}


class _WatchedAdapter(HTTPAdapter):
    """requests' adapter with connections a deadline can shut."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _WATCHED_POOLS

    def proxy_manager_for(self, proxy: str, **kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **kwargs)
        manager.pool_classes_by_scheme = _WATCHED_POOLS
        return manager


class _Bounded:
    """A requests session whose every request ends by `deadline` seconds
    and whose answer is at most MAX_RESPONSE_BYTES, read into memory before
    it is returned (so `.json()` and `.content` work as usual)."""

    deadline: float

    def _bound(self, deadline: float) -> None:
        self.deadline = deadline
        for prefix in ("https://", "http://"):
            self.mount(prefix, _WatchedAdapter())  # type: ignore[attr-defined]

    def request(self, method: Any, url: Any, *args: Any, **kwargs: Any) -> requests.Response:
        outer = getattr(_current, "deadline", None)
        # A request made inside another (a token fetched first) ends by the outer one's deadline too.
        deadline = _Deadline(self.deadline if outer is None else min(self.deadline, outer.remaining()))
        budget = max(deadline.remaining(), 0.001)
        kwargs.update(stream=True, timeout=(budget, budget))
        _current.deadline = deadline
        try:
            response = super().request(method, url, *args, **kwargs)  # type: ignore[misc]
            if not response._content_consumed:  # an inner request (a retry after a refresh) read it already
                response._content = _body(response, deadline)
                response._content_consumed = True
            return response
        except requests.exceptions.RequestException:
            if deadline.expired:  # shutting the socket down surfaces as a broken connection
                raise DeadlineExceeded(f"no answer within {self.deadline:g} s") from None
            raise
        finally:
            deadline.cancel()
            _current.deadline = outer


def _body(response: requests.Response, deadline: _Deadline) -> bytes:
    chunks, size = [], 0
    for chunk in response.iter_content(64 * 1024):
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            response.close()
            raise ResponseTooLarge(f"answer longer than {MAX_RESPONSE_BYTES} bytes")
        chunks.append(chunk)
    if deadline.expired:  # a socket shut down mid-body can look like its end
        raise DeadlineExceeded("the answer did not end by the deadline")
    return b"".join(chunks)


def _rooted(url: str, root: str | None) -> str:
    return _GOOGLE_HOST.sub(root, url, count=1) if root else url


class RootedSession(_Bounded, requests.Session):
    """Plain session for token requests; with an API root (tests) every
    *.googleapis.com URL goes there instead."""

    def __init__(self, root: str | None, deadline: float) -> None:
        super().__init__()
        self._root = root
        self._bound(deadline)

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        return super().request(method, _rooted(str(url), self._root), *args, **kwargs)


class AuthorizedRootedSession(_Bounded, AuthorizedSession):
    """google-auth's authorised session, redirected like `RootedSession`, so
    tests run the real OAuth and API flow over HTTP against a local fake."""

    def __init__(self, credentials: Any, root: str | None, deadline: float, **kwargs: Any) -> None:
        super().__init__(credentials, **kwargs)
        self._root = root
        self._bound(deadline)

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        return super().request(method, _rooted(url, self._root), *args, **kwargs)


def load_key(environ: Mapping[str, str]) -> tuple[dict[str, Any], str]:
    """The credentials as a dict and the variable they came from: a
    service-account key, or the external-account file of Workload Identity
    Federation (google-github-actions/auth writes one). No message here ever
    contains the variable's content."""
    raw = (environ.get(ENV_CREDENTIALS_JSON) or "").strip()
    path = (environ.get(ENV_CREDENTIALS_FILE) or "").strip()
    if raw:
        variable, text = ENV_CREDENTIALS_JSON, raw
        if not raw.startswith("{"):
            try:  # some CI secret stores only keep one line: accept base64 of the JSON
                text = base64.b64decode(raw, validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                text = raw
    elif path:
        variable = ENV_CREDENTIALS_FILE
        try:
            text = Path(path).expanduser().read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            raise SourceError(
                "kredensial",
                f"File kunci yang disebut {ENV_CREDENTIALS_FILE} tidak ada atau tidak bisa dibaca: {path}. "
                f"Periksa path-nya, atau isi {ENV_CREDENTIALS_JSON} dengan isi file JSON kunci akun layanan.",
            ) from None
    else:
        raise SourceError(
            "kredensial",
            f"Kredensial Google belum disetel. Setel {ENV_CREDENTIALS_FILE} ke path file JSON kunci akun layanan, "
            f"atau {ENV_CREDENTIALS_JSON} ke isi file JSON itu (cara untuk secret CI).",
        )
    try:
        info = json.loads(text)
    except ValueError:
        info = None
    if not isinstance(info, dict):
        raise SourceError(
            "kredensial",
            f"{variable} tidak berisi JSON kunci akun layanan yang sah. Salin ulang seluruh isi file JSON kunci "
            "dari Google Cloud Console (IAM & Admin > Service Accounts > Keys).",
        )
    kind = info.get("type")
    if kind not in ("service_account", "external_account"):
        shown = f" '{kind}'" if isinstance(kind, str) and re.fullmatch(r"[a-z_]{1,40}", kind) else ""
        raise SourceError(
            "kredensial",
            f"{variable} berisi kredensial jenis{shown}, bukan kunci akun layanan (\"service_account\") atau "
            "kredensial Workload Identity Federation (\"external_account\"). Lihat docs/operator.md bagian 3.",
        )
    return info, variable


def number_setting(environ: Mapping[str, str], name: str, given: float | None, default: float) -> float:
    if given is not None:
        return float(given)
    raw = (environ.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SourceError("konfigurasi", f"{name} harus berupa angka, bukan '{raw[:40]}'.") from None
    if value < 0:
        raise SourceError("konfigurasi", f"{name} tidak boleh negatif.")
    return value
