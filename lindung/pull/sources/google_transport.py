"""How Lindung talks to Google: the service-account key from the environment,
sessions that can be pointed at a local fake (LINDUNG_GOOGLE_API_ROOT, for
tests), and gspread's HTTP client with a bounded back-off and quota pacing.
What the requests mean (read, list, write, create) is in google.py.
"""
from __future__ import annotations

import base64
import binascii
import json
import random
import re
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


def _rooted(url: str, root: str | None) -> str:
    return _GOOGLE_HOST.sub(root, url, count=1) if root else url


class RootedSession(requests.Session):
    """Plain session for token requests; with an API root (tests) every
    *.googleapis.com URL goes there instead."""

    def __init__(self, root: str | None) -> None:
        super().__init__()
        self._root = root

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        return super().request(method, _rooted(str(url), self._root), *args, **kwargs)


class AuthorizedRootedSession(AuthorizedSession):
    """google-auth's authorised session, redirected like `RootedSession`, so
    tests run the real OAuth and API flow over HTTP against a local fake."""

    def __init__(self, credentials: Any, root: str | None, **kwargs: Any) -> None:
        super().__init__(credentials, **kwargs)
        self._root = root

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        return super().request(method, _rooted(url, self._root), *args, **kwargs)


def load_key(environ: Mapping[str, str]) -> tuple[dict[str, Any], str]:
    """The service-account key as a dict and the variable it came from. No
    message here ever contains the variable's content."""
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
    if kind != "service_account":
        shown = f" '{kind}'" if isinstance(kind, str) and re.fullmatch(r"[a-z_]{1,40}", kind) else ""
        raise SourceError(
            "kredensial",
            f"{variable} berisi kredensial jenis{shown} yang bukan kunci akun layanan (\"type\": \"service_account\"). "
            "Buat kunci JSON untuk akun layanan di Google Cloud Console.",
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
