"""The benchmark still runs: bench/bench.py at a tiny size, every part, so it
cannot rot silently while the code it measures changes. Speed is measured
by the benchmark (docs/benchmark.md), never asserted here."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_benchmark_runs_every_part_at_a_tiny_size(tmp_path):
    markdown = tmp_path / "bench.md"
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench.py"), "--national", "--kabupaten", "1", "--kecamatan", "2",
         "--per-kelurahan", "2", "--rows", "50", "--runs", "1", "--idle", "0.5",
         "--national-list", str(ROOT / "registry" / "wilayah"), "--markdown", str(markdown)],
        capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-4000:] + result.stdout[-4000:]
    report = markdown.read_text(encoding="utf-8")
    for figure in ("Full build", "Hugo then Pagefind", "Incremental", "edit of a template",
                   "edit of a content file", "edit of a snapshot", "rebuild begun", "idle", "Pull of one 50-row workbook",
                   "python-calamine", "lindung --help", "python -c pass", "`lindung build` imports",
                   "National build", "load average"):
        assert figure in report, figure
    assert "×" in report  # ratios against the anchors
    # the national build chose its province (Aceh) in lindung.toml, and no page names another
    assert "1 provinces, 1 kabupaten/kota, 2 kecamatan" in report
    assert "0 pages name “Jawa Tengah” where it is not their subject" in report
