"""Measure one pull of hostile workbooks: peak memory and time per source.

    python tests/measure_pull.py [CASE ...]     (no case: every case below)

Builds a project in a temporary folder with one kecamatan per case (the
hostile workbooks of tests/test_faults.py, and the largest ones the limits
let through) plus a healthy one, pulls it once in this process, and prints
JSON: the peak resident memory of this process and of the largest reader
child (ru_maxrss), and per source its outcome and seconds. Run alone, a
fresh process per case gives each case's own peak (docs/batas.md); the test
suite runs it once over the hostile cases (test_faults.py, section 6).
"""
from __future__ import annotations

import datetime as dt
import json
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from conftest import NOW, SECRET, Project, Rows, copy_project  # noqa: E402
from hostile import SHEET_HEAD, SHEET_TAIL, Repeated, sheet, xlsx  # noqa: E402
from lindung.contract import load as load_contract  # noqa: E402
from lindung.pull import run  # noqa: E402
from lindung.pull.limits import MAX_COLUMNS, MAX_DATA_ROWS  # noqa: E402
import test_faults as faults  # noqa: E402


def widest(path: Path, rows: Rows, kode: str) -> None:
    """The widest, longest tab the limits let through: the header, then
    100,000 rows of 64 numbers (each one a Python object once read)."""
    header = sheet([rows.titles("peserta")]).removeprefix(SHEET_HEAD).removesuffix(SHEET_TAIL)
    numbers = iter(random.Random(1).choices(range(10, 100), k=1_000 * MAX_COLUMNS))
    unit = b"".join(b"<row>" + b"".join(b"<c><v>%d.5</v></c>" % next(numbers) for _ in range(MAX_COLUMNS)) + b"</row>"
                    for _ in range(1_000))  # cells without a reference: the reader counts them
    tabs = faults.contract_tabs(rows, kode, peserta=Repeated(SHEET_HEAD + header, unit, MAX_DATA_ROWS // 1_000,
                                                               SHEET_TAIL))
    xlsx(path, tabs)


def largest_valid(path: Path, rows: Rows, kode: str) -> None:
    """100,000 valid workers: the largest sheet a kecamatan may really send."""
    kelurahan = faults.kelurahan(kode)[0]
    tabs = faults.contract_tabs(rows, kode, peserta=sheet(
        [rows.titles("peserta"), *(rows.peserta(kelurahan=kelurahan) for _ in range(MAX_DATA_ROWS))]))
    xlsx(path, tabs)


CASES = {
    **{case: make for case, (make, *_) in faults.FILES.items()},
    "terluas-dalam-batas": widest,
    "100.000-peserta-sah": largest_valid,
}
# The cases the test suite measures: the worst of each kind, in seconds.
HOSTILE = ("teks-400-mb-dalam-0.5-mb", "tab-tambahan-30-juta-baris", "sel-di-XFD1048576", "lebih-dari-100.000-baris",
           "lebih-dari-5.000-kesalahan", "terluas-dalam-batas")


def measure(cases: list[str]) -> dict:
    with tempfile.TemporaryDirectory(prefix="lindung-ukur-") as folder:
        return _measure(cases, Path(folder))


def _measure(cases: list[str], folder: Path) -> dict:
    rows = Rows(load_contract(faults.ROOT / "registry" / "schema").descriptors())
    project = Project(copy_project(folder / "proyek"), rows)
    (project.root / "sheets").mkdir()
    kodes = dict(zip([*cases, "sehat"], faults.KODES))
    for case, kode in kodes.items():
        path = project.root / "sheets" / f"{kode}.xlsx"
        xlsx(path, faults.contract_tabs(rows, kode))
        project.add(kode, sumber=f"sheets/{kode}.xlsx")
    run.pull(project.config(), now=NOW - dt.timedelta(days=1), environ={"LINDUNG_SECRET": SECRET})
    for case, kode in kodes.items():
        if case != "sehat":
            CASES[case](project.root / "sheets" / f"{kode}.xlsx", rows, kode)
    seconds: dict[str, float] = {}
    last = [time.monotonic()]

    def progress(source, result) -> None:
        now = time.monotonic()
        seconds[source.kode] = round(now - last[0], 2)
        last[0] = now

    result = run.pull(project.config(), now=NOW, environ={"LINDUNG_SECRET": SECRET}, progress=progress)
    return {
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        "child_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024,
        "sources": {case: {"outcome": result.reports[kode].outcome, "kind": result.reports[kode].reason_kind,
                           "seconds": seconds[kode]} for case, kode in kodes.items()},
    }


if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1:] or list(CASES)), indent=2))
