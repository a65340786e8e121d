"""Serve: `lindung serve` builds the site, serves it on 127.0.0.1 and builds
it again whenever its inputs change, for an editor or an operator previewing
their work.

The inputs are exactly what `build` reads: lindung.toml, the registry's
config (sources.csv, daerah.csv, iuran.csv, schema/, wilayah/, demo.toml),
content/, templates/ and the data store's snapshots/ and laporan/, wherever
[store] puts them. They are watched with file-system events (watchdog:
inotify on Linux), so an idle server does nothing at all; nothing polls.
The output folder, the staging and retired folders of lindung.store.atomic,
editor swap files and lock files are not inputs, so a build never triggers
the next one. A burst of events (an editor's save, a pull swapping folders)
becomes one build, started once the burst has been quiet for QUIET seconds;
events that arrive during a build make one more build after it. The config
is loaded again only when one of its own files changed. A build that fails
(a broken template, a config error, the privacy guard) is reported and the
last good site stays up, exactly as in the daily job.

Pages served to a browser get a tiny script that listens for the next good
build and reloads the page (server-sent events); it is added while serving,
never written into site/.
"""
from __future__ import annotations

import datetime as dt
import functools
import http.server
import io
import os
import re
import signal
import threading
import time
import traceback
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo

from watchdog import events as fs
from watchdog.observers import Observer

from .. import config as config_module, jobs
from ..store import atomic
from .site import BuildError

QUIET = 0.03  # seconds without an event that end a burst
LONGEST_BURST = 0.5  # a steady stream of events still builds this often
# Not inputs, wherever they appear: editor swap, backup and lock files, the
# file vim writes to test a folder, lock files, version control
# (atomic.LEFTOVER covers staging and retired folders).
NOT_INPUT = re.compile(r"\..+\.sw[a-p]|.+~|\.?#.*|4913|.+\.lock|\.git")
# Kinds of event that mean an input was written; reads (open, close without
# writing) are left out at the kernel, so a build reading its templates is silent.
WRITES = [fs.FileCreatedEvent, fs.FileDeletedEvent, fs.FileModifiedEvent, fs.FileMovedEvent,
          fs.FileClosedEvent, fs.DirCreatedEvent, fs.DirDeletedEvent, fs.DirMovedEvent]
RELOAD_PATH = "/_lindung/muat-ulang"
RELOAD_SCRIPT = '<script>new EventSource("{path}?sejak={seen}").onmessage=function(){{location.reload()}}</script>'
KEEPALIVE = 30.0  # seconds between comments on an open reload stream: finds closed tabs


@dataclass(frozen=True)
class Inputs:
    """What a build reads: single files, folders read whole (`trees`), and
    folders of folders that lindung.store.atomic replaces whole (`swapped`:
    the snapshots); `config` the ones that make the config be loaded again."""
    files: frozenset[Path]
    trees: frozenset[Path]
    swapped: frozenset[Path]
    config: frozenset[Path]

    @classmethod
    def of(cls, root: Path, config: config_module.Config | None) -> "Inputs":
        registry = root / "registry"
        config_files = {root / "lindung.toml", registry / "sources.csv", registry / "daerah.csv",
                        registry / "iuran.csv", root / config_module.DEMO_FILE}
        config_trees = {registry / "schema", registry / "wilayah"}
        trees, swapped = {root / "content", root / "templates"}, set()
        if config is not None:  # a broken config: the data store is found again once it is fixed
            trees.add(config.laporan_dir.resolve())
            swapped.add(config.snapshot_dir.resolve())
        return cls(frozenset(config_files), frozenset(trees | config_trees), frozenset(swapped),
                   frozenset(config_files | config_trees))

    def watches(self) -> set[tuple[Path, bool]]:
        """Folders to watch, each (folder, recursive). A tree recursively,
        with its parent, which sees it replaced; a file's folder. A swapped
        folder and each folder in it one level deep, because a recursive
        watch loses track of two folders exchanged in one step. For a path
        not there yet, its nearest existing ancestor, which sees it appear."""
        folders = {path.parent for path in self.files | self.trees | self.swapped}
        for swapped in self.swapped:
            if swapped.is_dir():
                folders |= {swapped, *atomic.folders(swapped)}
        wanted = {(_existing(folder), False) for folder in folders}
        for tree in self.trees:
            wanted.add((tree, True) if tree.is_dir() else (_existing(tree), False))
        return wanted

    def touched(self, path: Path) -> bool:
        """Whether a change at `path` may change what a build reads."""
        folders = self.trees | self.swapped
        return (path in self.files or any(path == folder or folder in path.parents for folder in folders)
                or any(path in target.parents for target in self.files | folders))

    def touches_config(self, path: Path) -> bool:
        return any(path == c or c in path.parents or path in c.parents for c in self.config)


def without_reload(html: str) -> str:
    """A page as built: the served one without its reload script."""
    pattern = re.escape(RELOAD_SCRIPT.format(path=RELOAD_PATH, seen="@")).replace("@", r"[\w.]*")
    return re.sub(pattern, "", html)


def _existing(path: Path) -> Path:
    while not path.is_dir() and path != path.parent:
        path = path.parent
    return path


def not_input(path: Path, root: Path) -> bool:
    """A swap, lock, staging or retired file, or anything in one."""
    parts = path.relative_to(root).parts if path.is_relative_to(root) else path.parts
    return any(NOT_INPUT.fullmatch(part) or atomic.LEFTOVER.fullmatch(part) for part in parts)


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Static files, never cached (a reload shows the new build), and the
    site's own 404 page for a missing address."""

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def page(self, file: Path) -> bytes:
        """The bytes sent for an HTML page."""
        return file.read_bytes()

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code == 404 and page.is_file():
            body = self.page(page)
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


class PreviewHandler(SiteHandler):
    """SiteHandler for `lindung serve`: HTML pages carry a script that
    reloads them after the next good build, announced on RELOAD_PATH."""

    def __init__(self, *args, server_state: "Server", **kwargs):
        self.state = server_state  # before super().__init__, which handles the request
        super().__init__(*args, **kwargs)

    def page(self, file: Path) -> bytes:
        body = file.read_bytes()
        script = RELOAD_SCRIPT.format(path=RELOAD_PATH, seen=self.state.generation).encode()
        at = body.rfind(b"</body>")
        return body[:at] + script + body[at:] if at >= 0 else body + script

    def send_head(self):
        address = urllib.parse.urlsplit(self.path)
        if address.path == RELOAD_PATH:
            return self.stream(urllib.parse.parse_qs(address.query).get("sejak", [""])[0])
        file = Path(self.translate_path(self.path))
        if file.is_dir() and address.path.endswith("/"):
            file = file / "index.html"
        if file.suffix != ".html" or not file.is_file():
            return super().send_head()  # also a folder's redirect to its address with a slash
        body = self.page(file)
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def stream(self, seen: str) -> None:
        """Server-sent events: `data: muat-ulang` once a good build newer
        than the page's is up; a comment every KEEPALIVE seconds meanwhile."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        if self.command == "HEAD":
            return None
        try:
            while True:
                news = self.state.wait_for_generation(seen, KEEPALIVE)
                if news is None:
                    return None  # the server stops
                self.wfile.write(b"data: muat-ulang\n\n" if news != seen else b": \n\n")
                self.wfile.flush()
                seen = news
        except (BrokenPipeError, ConnectionResetError):  # the tab was closed or reloaded
            return None


class Server:
    """The preview server and its watcher, started and stopped as a unit."""

    def __init__(self, root: Path, port: int = 8000, as_of: dt.date | None = None, out: Path | None = None,
                 host: str = "127.0.0.1", log: Callable[[str], None] = print):
        self.root = root.resolve()
        self.out = (out or self.root / "site").resolve()
        self.as_of, self.log = as_of, log
        self.started = 0  # builds begun
        self.builds = 0  # finished builds, good or not: lets a caller wait for one
        self.good = 0  # good builds: the pages' reload script waits for the next
        self._config: config_module.Config | None = None
        self._inputs = Inputs.of(self.root, None)
        self._lock = threading.Lock()  # for the two below, shared with watchdog's thread
        self._reload = True  # load the config again before the next build
        self._changed: set[Path] = set()  # inputs changed since the last build began
        self._pending = threading.Event()  # an input changed, or the server stops
        self._stopping = threading.Event()
        self._built = threading.Condition()
        self._watches: dict[tuple[Path, bool], tuple[int, object]] = {}  # → (inode, watchdog's watch)
        self._observer = Observer()
        self._handler = fs.FileSystemEventHandler()
        self._handler.on_any_event = self._event
        handler = functools.partial(PreviewHandler, directory=str(self.out), server_state=self)
        self.httpd = http.server.ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
        self._threads = [threading.Thread(target=self.httpd.serve_forever, name="lindung-serve", daemon=True),
                         threading.Thread(target=self._builder, name="lindung-build", daemon=True)]

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/"

    @property
    def generation(self) -> str:
        """Which good build the served pages are from; differs after a restart."""
        return f"{os.getpid()}.{self.good}"

    # watching -------------------------------------------------------------------------

    def _event(self, event: fs.FileSystemEvent) -> None:
        """Called by watchdog's thread for every event under a watched folder."""
        inputs = self._inputs
        for name in (event.src_path, event.dest_path):
            path = Path(os.fsdecode(name)) if name else None
            if path is None or path == self.out or self.out in path.parents or not_input(path, self.root):
                continue
            if inputs.touched(path):
                with self._lock:
                    self._reload = self._reload or inputs.touches_config(path)
                    self._changed.add(path)
                self._pending.set()

    def _watch(self) -> None:
        """Watch what the current inputs need: new folders, folders that
        appeared or were replaced (a new inode); drop the rest."""
        wanted = {}
        for folder, recursive in self._inputs.watches():
            try:
                wanted[folder, recursive] = folder.stat().st_ino
            except FileNotFoundError:  # gone since: its parent's event brings us back here
                continue
        for key, (inode, watch) in list(self._watches.items()):
            if wanted.get(key) != inode:
                self._observer.unschedule(watch)
                del self._watches[key]
        for (folder, recursive), inode in wanted.items():
            if (folder, recursive) in self._watches:
                continue
            try:
                watch = self._observer.schedule(self._handler, str(folder), recursive=recursive,
                                                event_filter=WRITES)
            except OSError as error:  # e.g. the system's limit of watches: say so, keep serving
                self.log(f"Tidak bisa memantau {_shown(folder, self.root)} ({error.strerror}); "
                         "perubahan di sana baru terlihat setelah perubahan lain.")
                continue
            self._watches[folder, recursive] = (inode, watch)

    # building -------------------------------------------------------------------------

    def _load(self) -> config_module.Config:
        """The config, loaded again only when one of its files changed; then
        the watches it needs, before anything is read, so that an edit during
        the build is seen."""
        with self._lock:
            reload, self._reload = self._reload or self._config is None, False
        try:
            if reload:
                self._config = None
                self._config = config_module.load(self.root)
        finally:  # the store may have moved, a folder appeared or been swapped; a broken config still watches
            self._inputs = Inputs.of(self.root, self._config)
            self._watch()
        return self._config

    def rebuild(self) -> bool:
        """One build, as `lindung build` does it; reported, never raised."""
        self.started += 1
        try:
            config = self._load()
            day = self.as_of or config.as_of_default(dt.datetime.now(ZoneInfo(config.site.timezone)).date())
            built = jobs.build(config, as_of=day, out=self.out)
            self.log(f"{len(built.pages)} halaman ditulis ke {self.out} (angka per {day.isoformat()}).")
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
            self.good += ok
            self._built.notify_all()
        return ok

    def wait_for_build(self, after: int, timeout: float) -> bool:
        """Wait until more than `after` builds have finished."""
        with self._built:
            return self._built.wait_for(lambda: self.builds > after, timeout)

    def wait_for_generation(self, seen: str, timeout: float) -> str | None:
        """The generation once it differs from `seen` (or `seen` after
        `timeout`); None when the server stops."""
        with self._built:
            self._built.wait_for(lambda: self.generation != seen or self._stopping.is_set(), timeout)
            return None if self._stopping.is_set() else self.generation

    def _builder(self) -> None:
        while True:
            self._pending.wait()  # blocks without a timeout: an idle server sleeps here
            burst_ends = time.monotonic() + LONGEST_BURST
            while not self._stopping.is_set():
                self._pending.clear()
                if not self._pending.wait(QUIET) or time.monotonic() > burst_ends:
                    break
            if self._stopping.is_set():
                return
            self._pending.clear()  # what changes from here on is seen by this build or makes another
            with self._lock:
                changed, self._changed = self._changed, set()
            names = sorted(_shown(path, self.root) for path in changed)
            more = f" dan {len(names) - 3} lainnya" if len(names) > 3 else ""
            self.log(f"Berubah: {', '.join(names[:3])}{more}; membangun ulang…")
            self.rebuild()

    # running --------------------------------------------------------------------------

    def start(self) -> "Server":
        """Watch, build once, then serve; returns when the site is up."""
        self._observer.start()
        self.rebuild()  # it starts watching before it reads anything
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._pending.set()
        with self._built:
            self._built.notify_all()  # ends the pages' reload streams
        if self._observer.is_alive():  # its stop joins watchdog's threads without a timeout: bounded here
            stopping = threading.Thread(target=self._observer.stop, name="lindung-watch-stop", daemon=True)
            stopping.start()
            stopping.join(timeout=5)
            self._observer.join(timeout=5)
        if self._threads[0].is_alive():
            self.httpd.shutdown()
        self.httpd.server_close()
        for thread in self._threads:
            if thread.is_alive():
                thread.join(timeout=5)

    def __enter__(self) -> "Server":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _shown(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def _interrupted(number, frame) -> None:
    raise KeyboardInterrupt


def run(root: Path, port: int, as_of: dt.date | None, log: Callable[[str], None] = print) -> None:
    """`lindung serve`: until Ctrl-C (or SIGTERM)."""
    # Said outright: a shell starting a command in the background (`&`) hands it
    # SIGINT ignored, and Python then never turns Ctrl-C into KeyboardInterrupt.
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, _interrupted)
    server = Server(root, port=port, as_of=as_of, log=log)
    try:
        server.start()
        log(f"Situs disajikan di {server.url} ; tekan Ctrl-C untuk berhenti.")
        # Ctrl-C may be delivered to any of watchdog's threads, which wakes no
        # untimed wait here: a timed one lets the main thread see it within a second.
        forever = threading.Event()
        while not forever.wait(1.0):
            pass
    except KeyboardInterrupt:
        log("Berhenti.")
    finally:
        server.stop()
