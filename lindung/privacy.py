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
address (`Jl. Merdeka 5`, `Gg. Mawar`, `RT 03/RW 05`). Each pattern is
tried only where it can match (a long enough run of digits, an `@`, a
keyword), found by scans that run in C; that keeps the guard fast over a
whole site, with the findings a search of every line would give.
"""
from __future__ import annotations

import hashlib
import os
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

# Where the patterns above can match at all, found by scans that skip ahead
# in C: a NIK is at least 16 characters of a run, a phone number at least 10
# of the characters it is written with, from a digit to a digit; an e-mail
# has an `@`, an address one of its keywords. Each pattern then runs only over the run of
# characters it can match around such a place. A match never spans a
# character outside its run, so it finds exactly what a search of the whole
# text finds (tests/test_guard.py holds it to the findings of that search).
_NIK_SPAN = re.compile(r"\d[\d .\-/]{14,}\d")
_PHONE_SPAN = re.compile(r"\d[\d\s().+\-]{8,}\d")
_PHONE_CHAR = re.compile(r"[\d\s().+\-]")
_EMAIL_CHAR = re.compile(r"[\w.+\-@]")
_EMAIL_RUN = re.compile(r"[\w.+\-@]*")
_EITHER_SPAN = re.compile(r"\d[\d\s().+\-/]{8,}\d")  # where a NIK span or a phone span could be
_ADDRESS_WORDS = re.compile("jl|jalan|gg|gang|perum|komplek|rt|no")  # every keyword contains one, lower-cased
# A whole file is first read as bytes of three classes: "0" for a digit (and,
# to stay on the safe side, for every byte of a character outside ASCII),
# "1" for a character NIK and phone numbers are written with, "2" for the
# rest and for the line break (no match spans lines). A line can hold a NIK
# only where a run of "0" and "1" has 16 "0", a phone number only where it
# has 10 and the 0 or 62 before the 8 of a mobile number.
_CLASSES = bytes(ord("0") if byte >= 0x80 or chr(byte).isdigit() else
                 ord("1") if chr(byte) in " .-/()+" or (chr(byte).isspace() and byte != 0x0A) else ord("2")
                 for byte in range(256))
_CLASS_SPAN = re.compile(rb"0[01]{8,}0")
_MOBILE = re.compile(rb"[02)][^0-9]*8")
# Line breaks of str.splitlines() other than "\n": a file with one is scanned line by line.
_OTHER_BREAKS = "\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_OTHER_BREAKS_UTF8 = [br.encode() for br in _OTHER_BREAKS]


def kinds(text: str, *, addresses: bool = True) -> list[str]:
    """The kinds of personal data in `text`, in a fixed order, each once."""
    found = []
    if _HAS_DIGIT_OR_AT.search(text):
        if _EITHER_SPAN.search(text):
            if _has_nik(text):
                found.append(NIK)
            if _has_phone(text):
                found.append(PHONE)
        if "@" in text and _has_email(text):
            found.append(EMAIL)
    if addresses and _has_address(text):
        found.append(ADDRESS)
    return found


def _has_nik(text: str) -> bool:
    for span in _NIK_SPAN.finditer(text):
        # One character past the span, for _RUN's look-ahead; the span starts at its run's first digit.
        for run in _RUN.finditer(text, span.start(), span.end() + 1):
            group, sep = run.group(), run.group("sep")
            if (len(group) - group.count(sep) if sep else len(group)) != 16:
                continue
            if sep == "." and group.count(".") == 1 and group.index(".") <= 3:
                continue  # a decimal number such as 0.123456789012345
            return True
    return False


def _has_phone(text: str) -> bool:
    for span in _PHONE_SPAN.finditer(text):
        start = span.start()
        while start and _PHONE_CHAR.match(text, start - 1):  # back over `(+62 ` to where the run starts
            start -= 1
        for match in _PHONE.finditer(text, start, span.end() + 1):
            digits = re.sub(r"\D", "", match.group())
            national = digits[2:] if digits.startswith("62") else digits[1:]
            if national.startswith("8") and 9 <= len(national) <= 12:
                return True
    return False


def _has_email(text: str) -> bool:
    at = text.find("@")
    while at != -1:
        start = at
        while start and _EMAIL_CHAR.match(text, start - 1):
            start -= 1
        end = _EMAIL_RUN.match(text, at).end()
        if any(not m.group().lower().endswith(_MACHINE_DOMAINS) for m in _EMAIL.finditer(text, start, end)):
            return True
        at = text.find("@", end)
    return False


def _has_address(text: str) -> bool:
    return _ADDRESS_WORDS.search(text.lower()) is not None and _ADDRESS.search(text) is not None


def scan_lines(name: str, lines: Iterable[str], *, allowed: Iterable[str] = ()) -> list[str]:
    """`name:line: what` for each kind found on each line; `allowed` are the
    operator's own published contact details, which are not findings."""
    allowed = [a for a in allowed if a]
    findings = []
    for number, line in enumerate(lines, start=1):
        for text in allowed:
            line = line.replace(text, " ")
        findings += _named(name, number, line)
    return findings


def _named(name: str, number: int, line: str) -> list[str]:
    return [f"{name}:{number}: {LABELS[kind]}" for kind in kinds(line, addresses=False)]


def scan_text(name: str, text: str, *, allowed: Iterable[str] = ()) -> list[str]:
    """`scan_lines(name, text.splitlines(), allowed=allowed)`, sooner: only
    the lines where a NIK, a phone number or an e-mail could be, found by
    scans of the whole text in C, are read one by one."""
    allowed = [a for a in allowed if a]
    if any(br in a for a in allowed for br in "\n" + _OTHER_BREAKS):
        return scan_lines(name, text.splitlines(), allowed=allowed)
    shown = text
    for contact in allowed:  # none spans a line, so each line gets what scan_lines would give it
        shown = shown.replace(contact, " ")
    data = shown.encode("utf-8", "surrogatepass")  # "\n" stays one byte, and no other byte is 0x0A
    if any(br[-1:] in data and br in data for br in _OTHER_BREAKS_UTF8):  # a byte first: memchr is quick
        return scan_lines(name, text.splitlines(), allowed=allowed)
    starts = []
    for span in _CLASS_SPAN.finditer(data.translate(_CLASSES)):
        digits = span.group().count(b"0")
        if digits >= 16 or (digits >= 10 and _MOBILE.search(data, span.start(), span.end())):
            starts.append(span.start())
    at = data.find(b"@")
    while at != -1:
        starts.append(at)
        at = data.find(b"@", at + 1)
    findings: list[str] = []
    number, counted = 1, 0  # the line number at byte `counted`
    for start in sorted(starts):
        if start < counted:  # on the line just read
            continue
        begin = data.rfind(b"\n", 0, start) + 1
        end = data.find(b"\n", start)
        end = len(data) if end == -1 else end
        number += data.count(b"\n", counted, begin)
        findings += _named(name, number, data[begin:end].decode("utf-8", "surrogatepass"))
        number, counted = number + 1, end + 1
    return findings


def scan(root: Path, *, allowed: Iterable[str] = ()) -> list[str]:
    """The guard over every text file under `root`. Street addresses are left
    to the pull-side scan of free text: page prose names streets and RT/RW
    legitimately, while a NIK, a phone number or an e-mail never belongs."""
    return scan_files(root, [root.joinpath(*parts) for parts in _files(root)], allowed=allowed)


def scan_files(root: Path, paths: Iterable[Path], *, allowed: Iterable[str] = ()) -> list[str]:
    """The guard over the given files under `root` (a build reads only its new ones)."""
    allowed = tuple(allowed)
    findings = []
    for path in sorted(paths, key=lambda p: p.relative_to(root).parts):
        if path.suffix.lower() in _BINARY or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        findings += scan_text(path.relative_to(root).as_posix(), text, allowed=allowed)
    return findings


def stamp(allowed: Iterable[str] = ()) -> str:
    """This guard's version and the contacts it lets through: files it passed
    under another stamp are read again."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(repr(sorted(a for a in allowed if a)).encode())
    return digest.hexdigest()


def _files(root: Path) -> list[tuple[str, ...]]:
    """The path parts of everything under `root` but its folders, in the
    order of sorted(root.rglob("*")), without making a Path of each to
    sort. A folder that cannot be listed is an error, never skipped."""
    def fail(error: OSError) -> None:
        raise error

    found: list[tuple[str, ...]] = []
    for folder, _, names in os.walk(root, onerror=fail):
        base = Path(folder).relative_to(root).parts
        found += [(*base, name) for name in names]
    return sorted(found)
