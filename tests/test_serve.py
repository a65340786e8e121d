"""`lindung serve` (lindung/build/serve.py): builds, serves on 127.0.0.1, and
builds again when an input changes, seen through file-system events; a
broken change keeps the last site up; what is not an input (the output
folder, staging folders, swap and lock files) never starts a build.

Every wait below is for something to happen, with a generous timeout; none
asserts how fast. The few pauses (`quiet`) give a wrongly started build
ample time to show itself before the test counts builds."""
import datetime as dt
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from browser_fixtures import demo_site  # noqa: F401  (fixture)

from lindung import config as config_module
from lindung.build.serve import RELOAD_PATH, Server, without_reload
from lindung.cli import main
from lindung.store import snapshot

AS_OF = dt.date(2026, 11, 23)
ROOT = Path(__file__).resolve().parents[1]
NGALIYAN = "33.74.15"
WAIT = 120  # seconds: a demo build takes a few on a busy machine


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def page(url: str) -> str:
    """A served page as built: without the reload script added while serving."""
    return without_reload(get(url)[1])


def served(url: str, shows) -> str:
    """The page at `url` once `shows(body)` holds; fails after WAIT seconds."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        body = page(url)
        if shows(body):
            return body
        time.sleep(0.1)
    pytest.fail(f"{url} never showed the change")


def quiet(seconds: float = 1.5) -> None:
    """Time for a build that should not happen to start (a burst ends after 0.03 s)."""
    time.sleep(seconds)


def settled(server: Server) -> None:
    """Wait until no build runs, and none starts during a quiet pause."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        begun = server.started
        quiet()
        if server.started == begun == server.builds:
            return
    pytest.fail("the server kept building")


def changes(logs: list[str]) -> list[str]:
    """What each build since the start was for, as the server said it."""
    return [line for line in logs if line.startswith("Berubah:")]


@pytest.fixture
def project(demo_site, tmp_path):
    """A copy of the pulled demo project to change freely."""
    root = tmp_path / "proyek"
    shutil.copytree(demo_site.root, root, ignore=shutil.ignore_patterns("site", ".site*", ".cache"))
    return root


def kecamatan_url(server: Server, project: Path) -> str:
    found = next((project / "site" / "wilayah").glob("*/ngaliyan/index.html"))
    return server.url + found.parent.relative_to(project / "site").as_posix() + "/"


def rewrite_snapshot(folder: Path, change) -> None:
    """Write a kecamatan's snapshot again the way a pull does (a staging
    folder swapped in), with `change` applied to its tables."""
    contract = config_module.load(folder.parents[2]).contract
    data = snapshot.read(folder, contract)
    change(data.tables)
    snapshot.write(folder, data, contract)


def test_edits_to_a_template_content_config_and_snapshot_are_served(project):
    logs = []
    with Server(project, port=0, as_of=AS_OF, log=logs.append) as server:
        assert server.url.startswith("http://127.0.0.1:")
        home = project / "templates" / "home.html"
        home.write_text(home.read_text(encoding="utf-8").replace(
            "<h1>Perlindungan pekerja rentan di", "<h1>Judul baru dari tes"), encoding="utf-8")
        served(server.url, lambda body: "Judul baru dari tes" in body)

        tentang = project / "content" / "tentang.md"
        tentang.write_text(tentang.read_text(encoding="utf-8") + "\nKalimat baru dari tes.\n", encoding="utf-8")
        served(server.url + "tentang/", lambda body: "Kalimat baru dari tes." in body)

        settings = project / "lindung.toml"  # read again only when it changed
        settings.write_text(settings.read_text(encoding="utf-8").replace(
            'title = "Lindung"', 'title = "Lindung Uji"'), encoding="utf-8")
        served(server.url, lambda body: "<title>Lindung Uji:" in body)

        url = kecamatan_url(server, project)
        before = page(url)
        folder = project / "registry" / "snapshots" / NGALIYAN
        rewrite_snapshot(folder, lambda tables: tables["peserta"].clear())  # as `lindung pull` writes it
        served(url, lambda body: body != before)
    assert all("Traceback" not in line for line in logs), logs


def test_a_snapshot_edited_in_place_is_served_also_after_a_pull_swapped_it(project):
    """A `git pull` of the data store rewrites files inside a snapshot folder;
    the folder swapped in by a pull is a new one, watched in its turn."""
    with Server(project, port=0, as_of=AS_OF, log=lambda line: None) as server:
        url = kecamatan_url(server, project)
        before = page(url)
        folder = project / "registry" / "snapshots" / NGALIYAN
        peserta = (folder / "peserta.csv").read_text(encoding="utf-8")
        (folder / "peserta.csv").write_text(peserta.split("\n", 1)[0] + "\n", encoding="utf-8")  # nobody protected
        emptied = served(url, lambda body: body != before)

        rewrite_snapshot(folder, lambda tables: None)  # the same data, in a new folder
        settled(server)
        (folder / "peserta.csv").write_text(peserta, encoding="utf-8")
        served(url, lambda body: body == before)
        assert emptied != before


def test_the_data_store_is_watched_where_lindung_toml_moves_it(project):
    logs = []
    with Server(project, port=0, as_of=AS_OF, log=logs.append) as server:
        url = kecamatan_url(server, project)
        before = page(url)
        shutil.copytree(project / "registry" / "snapshots", project / "gudang" / "snapshots")
        builds = server.builds
        settings = project / "lindung.toml"
        settings.write_text(settings.read_text(encoding="utf-8") + '\n[store]\npath = "gudang"\n', encoding="utf-8")
        assert server.wait_for_build(builds, WAIT), logs
        assert page(url) == before  # the same snapshots, from their new place

        rewrite_snapshot(project / "gudang" / "snapshots" / NGALIYAN, lambda tables: tables["peserta"].clear())
        served(url, lambda body: body != before)


def test_a_broken_template_keeps_the_last_good_site_and_its_404_page(project):
    logs = []
    with Server(project, port=0, as_of=AS_OF, log=logs.append) as server:
        home = project / "templates" / "home.html"
        good = home.read_text(encoding="utf-8")
        builds = server.builds
        home.write_text("{% extends 'base.html' %}{% block main %}{{ tidak_ada.sama_sekali }}{% endblock %}",
                        encoding="utf-8")
        assert server.wait_for_build(builds, WAIT), logs
        assert "Build gagal" in logs[-1]
        assert "Perlindungan pekerja rentan di Jawa Tengah" in get(server.url)[1]  # the last good site

        status, body = get(server.url + "tidak-ada/")
        assert status == 404 and "Halaman tidak ditemukan" in body

        home.write_text(good.replace("Perlindungan pekerja rentan", "Sudah diperbaiki:"), encoding="utf-8")
        served(server.url, lambda body: "Sudah diperbaiki:" in body)
    with pytest.raises(OSError):
        urllib.request.urlopen(server.url, timeout=2)


def test_an_idle_server_does_not_build(project):
    logs = []
    with Server(project, port=0, as_of=AS_OF, log=logs.append) as server:
        quiet()  # its own build wrote site/ and read every input: neither is a change
        assert server.started == 1 and changes(logs) == [], logs


def test_only_inputs_start_a_build(project):
    """The output folder, staging and retired folders, editor swap and
    backup files, lock files and the demo workbooks (read by pull, not by
    build) change; nothing is built until an input changes, and that build
    names only the input."""
    logs = []
    with Server(project, port=0, as_of=AS_OF, log=logs.append) as server:
        site = project / "site"
        (site / "baru.html").write_text("x", encoding="utf-8")
        (site / "index.html").write_text("diubah", encoding="utf-8")
        (project / ".site.tmp-abc123").mkdir()
        (project / ".site.tmp-abc123" / "index.html").write_text("x", encoding="utf-8")
        staging = project / "registry" / "snapshots" / f".{NGALIYAN}.tmp-abc123"
        staging.mkdir()
        (staging / "peserta.csv").write_text("x", encoding="utf-8")
        shutil.rmtree(staging)
        (project / "registry" / "snapshots" / f".{NGALIYAN}.old").mkdir()
        for name in (".home.html.swp", "home.html~", ".#home.html", "4913", "#home.html#"):
            (project / "templates" / name).write_text("x", encoding="utf-8")
        (project / "content" / "tentang.md.lock").write_text("", encoding="utf-8")
        (project / "registry" / ".lindung.lock").write_text("", encoding="utf-8")
        (project / ".site.lock").write_text("", encoding="utf-8")
        (project / "registry" / "demo" / "33.74.15.xlsx").touch()
        quiet()
        assert server.started == 1 and changes(logs) == [], logs

        builds = server.builds
        tentang = project / "content" / "tentang.md"
        tentang.write_text(tentang.read_text(encoding="utf-8") + "\nKalimat baru.\n", encoding="utf-8")
        assert server.wait_for_build(builds, WAIT), logs
        quiet()  # the build's own writes (site/ swapped in) start no other
        assert changes(logs) == ["Berubah: content/tentang.md; membangun ulang…"], logs
        assert server.started == 2


def test_served_pages_reload_after_the_next_good_build_and_site_stays_clean(project):
    with Server(project, port=0, as_of=AS_OF, log=lambda line: None) as server:
        body = get(server.url)[1]
        assert RELOAD_PATH in body and body.index(RELOAD_PATH) < body.rindex("</body>")
        assert RELOAD_PATH not in (project / "site" / "index.html").read_text(encoding="utf-8")
        assert RELOAD_PATH in get(server.url + "tidak-ada/")[1]  # the 404 page too
        seen = re.search(r"sejak=([\w.]+)", body).group(1)

        stream = urllib.request.urlopen(f"{server.url}{RELOAD_PATH[1:]}?sejak={seen}", timeout=WAIT)
        home = project / "templates" / "home.html"
        home.write_text(home.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        while (line := stream.readline()) in (b": \n", b"\n"):  # keep-alive comments
            pass
        assert line == b"data: muat-ulang\n"
        stream.close()

        with urllib.request.urlopen(f"{server.url}{RELOAD_PATH[1:]}?sejak=0.0", timeout=WAIT) as old:
            assert old.readline() == b"data: muat-ulang\n"  # a page from before a build: at once


def test_the_cli_serves_until_ctrl_c_and_exits_cleanly(project):
    process = subprocess.Popen([sys.executable, "-m", "lindung", "--root", str(project), "serve", "--port", "0",
                                "--as-of", AS_OF.isoformat()],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
                               # as a shell starts it in the background (`&`): SIGINT ignored on the way in
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    try:
        output = []
        while not any("http://127.0.0.1:" in line for line in output):
            line = process.stdout.readline()
            assert line, "".join(output)
            output.append(line)
        url = re.search(r"http://127\.0\.0\.1:\d+/", output[-1]).group(0)
        assert get(url)[0] == 200
        process.send_signal(signal.SIGINT)
        try:
            rest, _ = process.communicate(timeout=WAIT)
        except subprocess.TimeoutExpired:
            process.kill()
            pytest.fail("lindung serve did not exit after Ctrl-C:\n" + "".join(output) + process.communicate()[0])
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, rest
    assert "Berhenti." in rest and "Traceback" not in rest


def test_the_cli_has_a_serve_command():
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0
    assert "--port" in result.output and "--as-of" in result.output


def test_a_build_locked_by_another_run_or_an_unwritable_disk_is_said_without_a_traceback(project, monkeypatch):
    import errno

    import filelock

    logs = []
    monkeypatch.setenv("LINDUNG_LOCK_TIMEOUT", "0.2")  # read with the config, when the server starts
    with Server(project, port=0, as_of=AS_OF, log=logs.append) as server:
        with filelock.FileLock(project / ".site.lock"):  # another `lindung build` of the same site
            assert server.rebuild() is False
        assert "sedang dipakai proses Lindung lain" in logs[-1] and "Traceback" not in logs[-1]

        def full(*args, **kwargs):
            raise OSError(errno.ENOSPC, "No space left on device")

        from lindung.build import site
        monkeypatch.setattr(site, "_write_pages", full)
        assert server.rebuild() is False
        assert logs[-1].startswith("Tidak bisa menulis situs") and "Traceback" not in logs[-1]
        assert get(server.url)[0] == 200  # the last site is still served
