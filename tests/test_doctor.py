"""`lindung doctor` on a healthy deployment and on each kind of broken one:
one Indonesian line per check, ✗ for what would make the first pull or build
fail, exit 0 only when nothing does. Google is the fake server of
tests/fake_google.py."""
from __future__ import annotations

import subprocess

import pytest

from fake_google import FakeGoogle, fake_google  # noqa: F401  (fixture)
from test_pull_google import EMAIL, SECRET, Proyek, data, key_of, sheet

NGALIYAN, TUGU = "33.74.15", "33.74.16"


@pytest.fixture
def healthy(tmp_path, fake_google):
    """A deployment as docs/operator.md leaves it: a git repository with the
    data store ignored, base_url set, two Google Sheets shared with the
    service account, and the secret in the environment."""
    proyek = Proyek(tmp_path / "proyek")
    toml = proyek.root / "lindung.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("https://lindung.example.org/",
                                                             "https://pemkot.github.io/lindung/"), encoding="utf-8")
    (proyek.root / ".gitignore").write_text("/registry/snapshots/\n/registry/laporan/\n", encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=proyek.root, check=True)
    proyek.sources({kode: key_of(kode) for kode in (NGALIYAN, TUGU)})
    for kode in (NGALIYAN, TUGU):
        fake_google.add_spreadsheet(key_of(kode), sheet(data(kode)))
    return proyek


def doctor(proyek: Proyek, fake: FakeGoogle, **env):
    return proyek.cli("doctor", env={**fake.environ(), "LINDUNG_SECRET": SECRET, **env})


def lines(result, mark: str) -> list[str]:
    return [line for line in result.output.splitlines() if line.startswith(mark)]


def test_a_healthy_deployment_passes_with_one_line_per_check(healthy, fake_google):
    result = doctor(healthy, fake_google)
    assert result.exit_code == 0, result.output
    assert lines(result, "✗") == []
    assert f"✓ Kredensial Google (kunci JSON akun layanan): akun layanan {EMAIL}." in result.output
    assert "✓ Semua 2 Google Sheet dibagikan ke akun itu." in result.output
    assert "✓ base_url: https://pemkot.github.io/lindung/" in result.output
    assert SECRET not in result.output


def test_a_sheet_not_shared_with_the_service_account_is_named(healthy, fake_google):
    del fake_google.spreadsheets[key_of(TUGU)]
    result = doctor(healthy, fake_google)
    assert result.exit_code == 1
    assert lines(result, "✗") == [f"✗ {TUGU} Tugu: sheet belum dibagikan ke {EMAIL} (atau sudah dihapus)."]


@pytest.mark.parametrize("secret, said", [(None, "LINDUNG_SECRET belum diisi"), ("pendek", "terlalu pendek")])
def test_a_missing_or_short_secret_fails(healthy, fake_google, secret, said):
    result = doctor(healthy, fake_google, LINDUNG_SECRET=secret)
    assert result.exit_code == 1
    [line] = lines(result, "✗")
    assert said in line


def test_base_url_left_at_the_example_fails(healthy, fake_google):
    toml = healthy.root / "lindung.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("https://pemkot.github.io/lindung/",
                                                             "https://lindung.example.org/"), encoding="utf-8")
    result = doctor(healthy, fake_google)
    assert result.exit_code == 1
    assert lines(result, "✗")[0].startswith("✗ base_url di lindung.toml masih contoh")


def test_missing_google_credentials_fail(healthy, fake_google):
    result = doctor(healthy, fake_google, LINDUNG_GOOGLE_CREDENTIALS=None)
    assert result.exit_code == 1
    [line] = lines(result, "✗")
    assert line.startswith("✗ Kredensial Google: Kredensial Google belum disetel")


def test_a_data_store_tracked_by_git_fails(healthy, fake_google):
    (healthy.root / ".gitignore").write_text("", encoding="utf-8")
    result = doctor(healthy, fake_google)
    assert result.exit_code == 1
    assert any("tidak diabaikan git" in line for line in lines(result, "✗"))
    laporan = healthy.registry / "laporan" / f"{NGALIYAN}.json"
    laporan.parent.mkdir(parents=True)
    laporan.write_text("{}", encoding="utf-8")
    subprocess.run(["git", "add", "-f", str(laporan)], cwd=healthy.root, check=True)
    result = doctor(healthy, fake_google)
    assert any("dilacak git" in line for line in lines(result, "✗"))


def test_a_broken_registry_fails_with_its_problem(healthy, fake_google):
    (healthy.registry / "sources.csv").write_text("kode,kecamatan\n", encoding="utf-8")
    result = doctor(healthy, fake_google)
    assert result.exit_code == 1
    assert lines(result, "✗")[0].startswith("✗ Konfigurasi: sources.csv")


def test_a_kabupaten_without_a_daerah_row_and_demo_texts_are_warnings(healthy, fake_google):
    healthy.sources({"33.01.01": key_of("33.01.01")})  # Kabupaten Cilacap: no daerah.csv row
    fake_google.add_spreadsheet(key_of("33.01.01"), sheet(data("33.01.01")))
    result = doctor(healthy, fake_google)
    assert result.exit_code == 0, result.output  # warnings do not fail
    warnings = lines(result, "!")
    assert any("Tanpa baris di registry/daerah.csv" in w and "Cilacap" in w for w in warnings)
    assert any("Teks demo belum diganti" in w for w in warnings)


def test_the_private_data_repository_must_be_reachable_and_private(healthy, fake_google, tmp_path):
    import http.server
    import threading

    bare = tmp_path / "data.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    result = doctor(healthy, fake_google, LINDUNG_DATA_REPO=str(bare))
    assert result.exit_code == 0 and "✓ Repositori data privat bisa dihubungi." in result.output
    result = doctor(healthy, fake_google, LINDUNG_DATA_REPO=str(tmp_path / "tidak-ada.git"))
    assert result.exit_code == 1 and any("tidak bisa dihubungi" in line for line in lines(result, "✗"))

    class Public(http.server.BaseHTTPRequestHandler):  # GitHub answering 200: the repository is public
        def do_GET(self):
            self.send_response(200 if self.path == "/repos/pemkot/lindung-data" else 404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Public)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        api = f"http://127.0.0.1:{server.server_address[1]}"
        result = doctor(healthy, fake_google, LINDUNG_DATA_REPO="git@github.com:pemkot/lindung-data.git",
                        LINDUNG_GITHUB_API=api)
        assert result.exit_code == 1
        assert "✗ Repositori data pemkot/lindung-data bisa dibaca siapa saja; jadikan privat." in result.output
    finally:
        server.shutdown()


def test_a_build_with_base_url_left_at_the_example_warns(healthy, fake_google):
    assert "base_url" not in healthy.cli("build", "--as-of", "2026-11-23").stderr
    toml = healthy.root / "lindung.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("https://pemkot.github.io/lindung/",
                                                             "https://lindung.example.org/"), encoding="utf-8")
    result = healthy.cli("build", "--as-of", "2026-11-23")
    assert result.exit_code == 0 and "Peringatan: base_url di lindung.toml masih contoh" in result.stderr
