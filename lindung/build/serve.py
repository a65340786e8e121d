"""Serve: `lindung serve` builds the site, serves it on 127.0.0.1 and builds
it again whenever its inputs change, for an editor or an operator previewing
their work.

The inputs are what `build` reads: content/, templates/, lindung.toml and
the registry (sources.csv, daerah.csv, iuran.csv, snapshots/, laporan/).
They are polled every half second by size and modification time, which needs
no extra package and works on every file system. A build that fails (a
broken template, a config error, the privacy guard) is reported and the last
good site stays up, exactly as in the daily job.
"""
from __future__ import annotations

import datetime as dt
import functools
import http.server
import threading
import traceback
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo

from .. import config as config_module, jobs
from .site import BuildError

WATCHED = ("content", "templates", "lindung.toml", "registry/sources.csv", "registry/daerah.csv",
           "registry/iuran.csv", "registry/wilayah", "registry/schema")


def data_store(root: Path) -> list[Path]:
    """The data store's folders, wherever lindung.toml puts them."""
    try:
        store = config_module.load(root).store_dir
    except config_module.ConfigError:  # a broken config is itself watched, via lindung.toml
        return []
    return [store / "snapshots", store / "laporan"]


def fingerprint(root: Path, stores: list[Path] = ()) -> tuple:
    """What the watched inputs look like now: path, size and mtime of each file."""
    seen = []
    for path in [root / name for name in WATCHED] + list(stores):
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file())
        else:
            files = [path] if path.is_file() else []
        for file in files:
            try:
                stat = file.stat()
            except FileNotFoundError:  # removed while we looked
                continue
            seen.append((str(file), stat.st_size, stat.st_mtime_ns))
    return tuple(seen)


def build(root: Path, out: Path, as_of: dt.date | None) -> str:
    """One build, as `lindung build` does it; returns a line to print."""
    config = config_module.load(root)
    day = as_of or config.as_of_default(dt.datetime.now(ZoneInfo(config.site.timezone)).date())
    built = jobs.build(config, as_of=day, out=out)
    return f"{len(built.pages)} halaman ditulis ke {out} (angka per {day.isoformat()})."


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Static files, never cached (a reload shows the new build), and the
    site's own 404 page for a missing address."""

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code == 404 and page.is_file():
            body = page.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            return
        super().send_error(code, message, explain)

    def log_message(self, format, *args) -> None:  # noqa: A002 - the standard signature
        pass


class Server:
    """The preview server and its watcher, started and stopped as a unit."""

    def __init__(self, root: Path, port: int = 8000, as_of: dt.date | None = None, out: Path | None = None,
                 host: str = "127.0.0.1", interval: float = 0.5, log: Callable[[str], None] = print):
        self.root = root.resolve()
        self.out = (out or self.root / "site").resolve()
        self.as_of, self.interval, self.log = as_of, interval, log
        self.builds = 0  # finished builds, good or not: lets a caller wait for one
        self._stop = threading.Event()
        self._built = threading.Condition()
        self._stores = data_store(self.root)
        self._seen = fingerprint(self.root, self._stores)
        self.rebuild()
        handler = functools.partial(SiteHandler, directory=str(self.out))
        self.httpd = http.server.ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
        self._threads = [threading.Thread(target=self.httpd.serve_forever, name="lindung-serve", daemon=True),
                         threading.Thread(target=self._watch, name="lindung-watch", daemon=True)]

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/"

    def rebuild(self) -> bool:
        try:
            self.log(build(self.root, self.out, self.as_of))
            ok = True
        except config_module.ConfigError as error:
            self.log("Konfigurasi salah; situs lama tetap disajikan:\n" + "\n".join(f"  {p}" for p in error.problems))
            ok = False
        except (BuildError, jobs.Busy) as error:
            self.log(str(error))
            ok = False
        except OSError as error:  # a full disk or an unwritable folder: said, not a traceback
            self.log(f"Tidak bisa menulis situs ({error.strerror}); situs lama tetap disajikan.")
            ok = False
        except Exception:  # noqa: BLE001 - a template error must not stop the preview
            self.log("Build gagal; situs lama tetap disajikan:\n" + traceback.format_exc(limit=3))
            ok = False
        with self._built:
            self.builds += 1
            self._built.notify_all()
        return ok

    def wait_for_build(self, after: int, timeout: float) -> bool:
        """Wait until more than `after` builds have finished."""
        with self._built:
            return self._built.wait_for(lambda: self.builds > after, timeout)

    def _watch(self) -> None:
        while not self._stop.wait(self.interval):
            now = fingerprint(self.root, self._stores)
            if now != self._seen:
                self._seen = now
                self.log("Ada perubahan; membangun ulang…")
                self.rebuild()

    def start(self) -> "Server":
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        for thread in self._threads:
            if thread.is_alive():
                thread.join(timeout=5)

    def __enter__(self) -> "Server":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def run(root: Path, port: int, as_of: dt.date | None, log: Callable[[str], None] = print) -> None:
    """`lindung serve`: until Ctrl-C."""
    server = Server(root, port=port, as_of=as_of, log=log).start()
    log(f"Situs disajikan di {server.url} ; tekan Ctrl-C untuk berhenti.")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        log("Berhenti.")
    finally:
        server.stop()
