"""The benchmark still runs: bench/bench.py at a tiny size, every part, so it
cannot rot silently while the code it measures changes. Speed is measured
by the benchmark (docs/benchmark.md), never asserted here."""
import csv
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def national_format(folder: Path) -> Path:
    """registry/wilayah/ rewritten in the national list's columns (code, name,
    the parent's code), as in ../shared/wilayah/indonesia/."""
    folder.mkdir()
    columns = {"regencies.csv": ["code", "province_code", "name"],
               "districts.csv": ["code", "regency_code", "name"],
               "villages.csv": ["code", "district_code", "name"]}
    for name, header in columns.items():
        with open(ROOT / "registry" / "wilayah" / name, newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        with open(folder / name, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(header)
            writer.writerows([row[c] for c in header] for row in rows)
    return folder


def test_the_benchmark_runs_every_part_at_a_tiny_size(tmp_path):
    markdown = tmp_path / "bench.md"
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench.py"), "--national", "--kabupaten", "1", "--kecamatan", "2",
         "--per-kelurahan", "2", "--rows", "50", "--runs", "1", "--idle", "0.5",
         "--national-list", str(national_format(tmp_path / "indonesia")), "--markdown", str(markdown)],
        capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-4000:] + result.stdout[-4000:]
    report = markdown.read_text(encoding="utf-8")
    for figure in ("Full build", "Hugo then Pagefind", "Incremental", "edit of a template",
                   "edit of a content file", "edit of a snapshot", "rebuild begun", "idle", "Pull of one 50-row workbook",
                   "python-calamine", "lindung --help", "python -c pass", "`lindung build` imports",
                   "National build", "load average"):
        assert figure in report, figure
    assert "×" in report  # ratios against the anchors
