"""Guard: the last check before a site is published.

Scans every text file under a folder for what must never be published: a
16-digit number (NIK-shaped) or an Indonesian phone number. It reports file
and line, never the match itself, so the finding can go into a log safely.
"""
from __future__ import annotations

import re
from pathlib import Path

# Only a digit (or a decimal point, for the phone pattern) next to the match
# rules it out: a comma before it is a CSV cell boundary, not part of a number.
_NIK = re.compile(r"(?<!\d)(?:\d{16}|\d{4}([ .-])\d{4}\1\d{4}\1\d{4})(?!\d)")
_PHONE = re.compile(r"(?<![\d.])(?:\+62|62|0)[ .-]?8[1-9]\d?(?:[ .-]?\d){6,9}(?!\d)")
_BINARY = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".ico", ".woff", ".woff2", ".gz", ".pf_fragment",
           ".pf_index", ".pf_meta", ".pagefind", ".wasm"}


def scan(root: Path) -> list[str]:
    findings = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if path.suffix.lower() in _BINARY:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            for pattern, what in ((_NIK, "angka 16 digit (bentuk NIK)"), (_PHONE, "nomor telepon")):
                if pattern.search(line):
                    findings.append(f"{path.relative_to(root)}:{number}: {what}")
    return findings
