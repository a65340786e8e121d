"""`lindung serve` (lindung/serve.py): builds, serves on 127.0.0.1, and
builds again when an input changes; a broken change keeps the last site up."""
import datetime as dt
import shutil
import urllib.error
import urllib.request

import pytest
from click.testing import CliRunner

from browser_fixtures import demo_site  # noqa: F401  (fixture)

from lindung.cli import main
from lindung.build.serve import Server, data_store, fingerprint

AS_OF = dt.date(2026, 11, 23)


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


@pytest.fixture
def project(demo_site, tmp_path):
    """A copy of the pulled demo project to change freely."""
    root = tmp_path / "proyek"
    shutil.copytree(demo_site.root, root, ignore=shutil.ignore_patterns("site", ".site*"))
    return root


def test_serve_rebuilds_when_a_template_changes_and_survives_a_broken_one(project):
    logs = []
    with Server(project, port=0, as_of=AS_OF, interval=0.1, log=logs.append) as server:
        assert server.url.startswith("http://127.0.0.1:")
        status, body = get(server.url)
        assert status == 200 and "Perlindungan pekerja rentan di Jawa Tengah" in body

        home = project / "templates" / "home.html"
        builds = server.builds
        home.write_text(home.read_text(encoding="utf-8").replace(
            "<h1>Perlindungan pekerja rentan di", "<h1>Judul baru dari tes"), encoding="utf-8")
        assert server.wait_for_build(builds, timeout=60), logs
        assert "Judul baru dari tes" in get(server.url)[1]

        builds = server.builds
        home.write_text("{% extends 'base.html' %}{% block main %}{{ tidak_ada.sama_sekali }}{% endblock %}",
                        encoding="utf-8")
        assert server.wait_for_build(builds, timeout=60), logs
        assert "Build gagal" in logs[-1]
        assert "Judul baru dari tes" in get(server.url)[1]  # the last good site stays up

        status, body = get(server.url + "tidak-ada/")
        assert status == 404 and "Halaman tidak ditemukan" in body
    with pytest.raises(OSError):
        urllib.request.urlopen(server.url, timeout=2)


def test_registry_and_config_changes_are_noticed(project):
    stores = data_store(project)
    before = fingerprint(project, stores)
    (project / "registry" / "daerah.csv").write_text(
        (project / "registry" / "daerah.csv").read_text(encoding="utf-8") + "\n", encoding="utf-8")
    after = fingerprint(project, stores)
    assert before != after
    snapshot = next((project / "registry" / "snapshots").rglob("*.json"))
    snapshot.write_text(snapshot.read_text(encoding="utf-8") + " ", encoding="utf-8")
    assert fingerprint(project, stores) != after
    assert any(path.endswith("/lindung.toml") for path, _, _ in after)


def test_the_cli_has_a_serve_command():
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0
    assert "--port" in result.output and "--as-of" in result.output


def test_a_build_locked_by_another_run_or_an_unwritable_disk_is_said_without_a_traceback(project, monkeypatch):
    import errno

    import filelock

    logs = []
    with Server(project, port=0, as_of=AS_OF, interval=0.1, log=logs.append) as server:
        monkeypatch.setenv("LINDUNG_LOCK_TIMEOUT", "0.2")
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
