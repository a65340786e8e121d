"""Privacy: what personal data looks like, and the guard that looks for it.

One set of patterns serves both ends of the pipeline. The pull scans every
free-text value it would keep (a donor's name, an ID) and every file it
writes; the build scans every file of the site, the published data and the
decoded search index before anything is swapped in. A finding names the
file and line (or tab, row and column), never the match, so it can go into a
public log.

What counts: a NIK (16 digits, bare or grouped by one kind of separator:
`3374-101234567890`, `3374 1012 3456 7890`, `33.74.10.123456.7890`); an
Indonesian mobile number in any common form (`0812-3456-7891`,
`(0812) 3456-7891`, `+62 812 3456 7891`); an e-mail address; a street
address (`Jl. Merdeka 5`, `Gg. Mawar`, `RT 03/RW 05`). Only text that
contains a digit or an `@` is searched for the first three, which is what
keeps the guard fast on pages that are mostly words and markup.
"""
from __future__ import annotations

import hashlib

import re
from collections.abc import Iterable
from pathlib import Path

NIK, PHONE, EMAIL, ADDRESS = "nik", "telepon", "email", "alamat"
LABELS = {
    NIK: "angka 16 digit (bentuk NIK)",
    PHONE: "nomor telepon",
    EMAIL: "alamat e-mail",
    ADDRESS: "alamat jalan/rumah",
}

# A run of digit groups joined by one kind of separator throughout: a date
# `2025-03-24 2025` mixes two kinds and so is two runs, not one NIK.
_RUN = re.compile(r"(?<![\w.])(?>\d+(?:(?P<sep>[ .\-/])\d+(?:(?P=sep)\d+)*)?)(?!\w)")
_PHONE = re.compile(
    r"(?<![\w+])(?:\(\s*(?:\+62|62|0)\s*8\d{1,3}\s*\)|\(\s*(?:\+62|62)\s*\)\s*8\d{1,3}|(?:\+62|62|0)[ .\-]?8\d{1,3})"
    r"(?:[ .\-]?\d{2,5}){1,4}(?!\d)")
_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
_ADDRESS = re.compile(
    r"(?i)(?<![\w])(?:(?:jl|jln|jalan|gg|gang|perum|perumahan|komplek|kompleks)\.?\s+[\w.]"
    r"|rt\.?\s*\d{1,3}\s*/\s*rw\.?\s*\d{1,3}"
    r"|(?:blok\s+\w+\s+)?no\.?\s*\d+\s*(?:rt|rw)\b)")
# A Google service account is a machine, not a person: the operator is told its address.
_MACHINE_DOMAINS = (".gserviceaccount.com",)
_HAS_DIGIT_OR_AT = re.compile(r"[\d@]")
_BINARY = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".ico", ".woff", ".woff2", ".gz", ".pf_fragment",
           ".pf_index", ".pf_meta", ".pagefind", ".wasm", ".xlsx"}


def kinds(text: str, *, addresses: bool = True) -> list[str]:
    """The kinds of personal data in `text`, in a fixed order, each once."""
    found = []
    if _HAS_DIGIT_OR_AT.search(text):
        if _has_nik(text):
            found.append(NIK)
        if _has_phone(text):
            found.append(PHONE)
        if "@" in text and any(not m.group().lower().endswith(_MACHINE_DOMAINS) for m in _EMAIL.finditer(text)):
            found.append(EMAIL)
    if addresses and _ADDRESS.search(text):
        found.append(ADDRESS)
    return found


def _has_nik(text: str) -> bool:
    for run in _RUN.finditer(text):
        digits = sum(ch.isdigit() for ch in run.group())
        if digits != 16:
            continue
        groups = re.split(r"[ .\-/]", run.group())
        if run.group("sep") == "." and len(groups) == 2 and len(groups[0]) <= 3:
            continue  # a decimal number such as 0.123456789012345
        return True
    return False


def _has_phone(text: str) -> bool:
    for match in _PHONE.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        national = digits[2:] if digits.startswith("62") else digits[1:]
        if national.startswith("8") and 9 <= len(national) <= 12:
            return True
    return False


def scan_lines(name: str, lines: Iterable[str], *, allowed: Iterable[str] = ()) -> list[str]:
    """`name:line: what` for each kind found on each line; `allowed` are the
    operator's own published contact details, which are not findings."""
    allowed = [a for a in allowed if a]
    findings = []
    for number, line in enumerate(lines, start=1):
        for text in allowed:
            line = line.replace(text, " ")
        for kind in kinds(line, addresses=False):
            findings.append(f"{name}:{number}: {LABELS[kind]}")
    return findings


def scan(root: Path, *, allowed: Iterable[str] = ()) -> list[str]:
    """The guard over every text file under `root`. Street addresses are left
    to the pull-side scan of free text: page prose names streets and RT/RW
    legitimately, while a NIK, a phone number or an e-mail never belongs."""
    return scan_files(root, (p for p in root.rglob("*") if p.is_file()), allowed=allowed)


def scan_files(root: Path, paths: Iterable[Path], *, allowed: Iterable[str] = ()) -> list[str]:
    """The guard over the given files under `root` (a build reads only its new ones)."""
    allowed = tuple(allowed)
    findings = []
    for path in sorted(paths):
        if path.suffix.lower() in _BINARY:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        findings += scan_lines(path.relative_to(root).as_posix(), text.splitlines(), allowed=allowed)
    return findings


def stamp(allowed: Iterable[str] = ()) -> str:
    """This guard's version and the contacts it lets through: files it passed
    under another stamp are read again."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(repr(sorted(a for a in allowed if a)).encode())
    return digest.hexdigest()
