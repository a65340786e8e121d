"""Doctor: is this deployment ready for its first pull and build?

`lindung doctor` checks what an operator sets up once, and says in
Indonesian, one line each, what is right (✓), what needs a look (!) and
what would make the first run fail (✗): the config and registry files,
`base_url`, the secret, the data store, the Google credentials and whether
every sheet is shared with them, a `daerah.csv` row per kabupaten/kota, and
content still written for the demo's region. Only ✗ fails: exit 0 means a
first pull and build would succeed. It reads, never writes; it prints no
secret and no cell of any sheet.
"""
from __future__ import annotations

import os
import re
import subprocess
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from . import config as config_module

EXAMPLE_HOST = "example.org"
# Names only the demo's own texts use; a real region's content replaces them.
DEMO_WORDS = ("Gerakan PNS Peduli Pekerja Rentan", "Kamar Lindung")


class Verdict(Enum):
    OK = "✓"
    WARN = "!"
    FAIL = "✗"


@dataclass(frozen=True)
class Finding:
    verdict: Verdict
    text: str

    def line(self) -> str:
        return f"{self.verdict.value} {self.text}"


def examine(root: Path, environ: Mapping[str, str] = os.environ) -> list[Finding]:
    try:
        config = config_module.load(root, environ)
    except config_module.ConfigError as error:
        return [Finding(Verdict.FAIL, f"Konfigurasi: {p}") for p in error.problems]
    found = [Finding(Verdict.OK, f"Konfigurasi dan registry terbaca: {len(config.sources)} kecamatan di "
                                 "registry/sources.csv.")]
    found += _base_url(config)
    found += _secret(config, environ)
    found += _store(config)
    found += _data_repository(environ)
    found += _google(config, environ)
    found += _daerah(config)
    found += _content(config)
    return found


def _base_url(config) -> list[Finding]:
    if EXAMPLE_HOST in config.site.base_url:
        return [Finding(Verdict.FAIL, f"base_url di lindung.toml masih contoh ({config.site.base_url}); isi "
                                      "dengan alamat situs, misalnya https://<akun>.github.io/<repo>/.")]
    return [Finding(Verdict.OK, f"base_url: {config.site.base_url}")]


def _secret(config, environ) -> list[Finding]:
    from .pull.minimise import SecretError, secret_for

    try:
        _, demo = secret_for(config, environ)
    except SecretError as error:
        return [Finding(Verdict.FAIL, str(error))]
    if demo:
        return [Finding(Verdict.WARN, "Registry demo: NIK di-hash dengan kunci demo. Untuk data sungguhan isi "
                                      "LINDUNG_SECRET (≥ 32 byte).")]
    return [Finding(Verdict.OK, "LINDUNG_SECRET terisi dan cukup panjang.")]


def _store(config) -> list[Finding]:
    store = config.store_dir
    tracked = _git(config.root, "ls-files", "--", str(store / "snapshots"), str(store / "laporan"))
    if tracked:
        return [Finding(Verdict.FAIL, f"Penyimpanan data {store.name}/ dilacak git di repositori ini; data per "
                                      "baris tidak boleh ada di repositori publik (lihat docs/operator.md).")]
    inside = store == config.root or config.root in store.parents
    if inside and _git(config.root, "rev-parse", "--is-inside-work-tree") == "true" \
            and _git(config.root, "check-ignore", str(store / "snapshots" / "x")) == "":
        return [Finding(Verdict.FAIL, f"Penyimpanan data {store.relative_to(config.root)}/ tidak diabaikan "
                                      "git; tambahkan ke .gitignore.")]
    if store.exists() and not os.access(store, os.W_OK):
        return [Finding(Verdict.FAIL, f"Penyimpanan data {store} tidak bisa ditulisi.")]
    return [Finding(Verdict.OK, f"Penyimpanan data: {store} (diabaikan git).")]


DATA_REPO_ENV = "LINDUNG_DATA_REPO"
GITHUB_API_ENV = "LINDUNG_GITHUB_API"  # tests point it at a local stand-in
_GITHUB_NAME = re.compile(r"^(?:git@github\.com:|https://github\.com/|ssh://git@github\.com/)([^/]+/[^/]+?)(?:\.git)?$")


def _data_repository(environ) -> list[Finding]:
    """The private data repository the daily workflow uses, when named here."""
    url = (environ.get(DATA_REPO_ENV) or "").strip()
    if not url:
        return []
    name = _GITHUB_NAME.match(url)
    if name and _visible_to_anyone(environ.get(GITHUB_API_ENV) or "https://api.github.com", name.group(1)):
        return [Finding(Verdict.FAIL, f"Repositori data {name.group(1)} bisa dibaca siapa saja; jadikan privat.")]
    try:
        reached = subprocess.run(["git", "ls-remote", url], capture_output=True, timeout=30,
                                 env={**os.environ, "GIT_TERMINAL_PROMPT": "0"}).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        reached = False
    if not reached:
        return [Finding(Verdict.FAIL, f"Repositori data {DATA_REPO_ENV} tidak bisa dihubungi; periksa alamat "
                                      "dan deploy key-nya.")]
    return [Finding(Verdict.OK, "Repositori data privat bisa dihubungi.")]


def _visible_to_anyone(api: str, name: str) -> bool:
    """GitHub shows a public repository to a request without a token."""
    try:
        with urllib.request.urlopen(f"{api.rstrip('/')}/repos/{name}", timeout=15) as answer:
            return answer.status == 200
    except (OSError, ValueError):  # 404 (private or absent) and no network alike
        return False


def _git(root: Path, *args: str) -> str:
    try:
        result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""


def _google(config, environ) -> list[Finding]:
    from .pull.sources import SourceError, is_google

    google_sources = [s for s in config.sources if is_google(s.sumber)]
    if not google_sources:
        return [Finding(Verdict.OK, "Tidak ada Google Sheet di registry/sources.csv; kredensial Google tidak perlu.")]
    from .pull.sources import google

    try:
        client = google.connect(environ)
    except SourceError as error:
        return [Finding(Verdict.FAIL, f"Kredensial Google: {error.reason}")]
    kind = "federasi tanpa kunci" if client.keyless else "kunci JSON akun layanan"
    found = [Finding(Verdict.OK, f"Kredensial Google ({kind}): akun layanan {client.service_account_email}.")]
    try:
        with client:
            visible = client.modified_times()
    except SourceError as error:
        return found + [Finding(Verdict.FAIL, f"Daftar sheet dari Google Drive gagal: {error.reason}")]
    for source in google_sources:
        try:
            key = google.spreadsheet_key(source.sumber)
        except SourceError as error:
            found.append(Finding(Verdict.FAIL, f"{source.kode} {source.kecamatan}: {error.reason}"))
            continue
        if key not in visible:
            found.append(Finding(Verdict.FAIL, f"{source.kode} {source.kecamatan}: sheet belum dibagikan ke "
                                               f"{client.service_account_email} (atau sudah dihapus)."))
    if len(found) == 1:
        found.append(Finding(Verdict.OK, f"Semua {len(google_sources)} Google Sheet dibagikan ke akun itu."))
    return found


def _daerah(config) -> list[Finding]:
    kabupaten = sorted({config.wilayah.kecamatan[s.kode].kabupaten_kode for s in config.sources})
    missing = [k for k in kabupaten if k not in config.daerah]
    if missing:
        names = ", ".join(config.wilayah.kabupaten[k] for k in missing)
        return [Finding(Verdict.WARN, f"Tanpa baris di registry/daerah.csv (program lokal, iuran, kuota): {names}.")]
    return [Finding(Verdict.OK, f"registry/daerah.csv punya baris untuk {len(kabupaten)} kabupaten/kota.")]


def _content(config) -> list[Finding]:
    demo_places = {"33.74", "33.71", "33.75", "33.22"}
    if not config.sources or all(s.kode[:5] in demo_places for s in config.sources):
        return []
    stale = sorted(p.relative_to(config.root).as_posix() for p in config.content_dir.rglob("*.md")
                   if any(word in p.read_text(encoding="utf-8") for word in DEMO_WORDS))
    if stale:
        return [Finding(Verdict.WARN, f"Teks demo belum diganti untuk daerah Anda: {', '.join(stale)}.")]
    return [Finding(Verdict.OK, "Teks di content/ sudah untuk daerah Anda.")]
