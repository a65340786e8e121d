"""The pull matrix: which kecamatan one pull job takes, and the GitHub Actions
matrix of pull jobs for a registry too large for one service account.

A kecamatan's province is the first two digits of its Kemendagri code
(33.74.15 → 33). The daily workflow pulls one province per job, or one group
of provinces the operator names (`jawa=31,32,33`), because the Sheets quota is
counted per service account: a named group is meant to have its own account,
so its job paces at the whole quota; the provinces outside any group share
the default account, so each of their jobs paces at a share of the quota in
proportion to its kecamatan, and all of them end at about the time one job
would. Pure: it reads the sources it is given and nothing else.
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

from .config import Source

ACCOUNT_VARIABLE = "GCP_SERVICE_ACCOUNT"  # the repository variable of the default account
_PROVINSI = re.compile(r"[0-9]{2}")
_GRUP = re.compile(r"([A-Za-z0-9_]+)=([0-9,]+)")


class PlanError(ValueError):
    """A choice of provinces, kecamatan or groups that cannot be planned; the
    message is for the operator, in Indonesian."""


def provinsi(kode: str) -> str:
    return kode[:2]


def parse_provinsi(given: Iterable[str]) -> set[str]:
    """`--provinsi 33,34 --provinsi 35` → {"33", "34", "35"}."""
    found = {part.strip() for text in given for part in text.split(",") if part.strip()}
    wrong = sorted(p for p in found if not _PROVINSI.fullmatch(p))
    if wrong:
        raise PlanError(f"Kode provinsi harus dua angka (mis. 33), bukan: {', '.join(wrong)}")
    return found


def parse_grup(spec: str) -> dict[str, str]:
    """`jawa=31,32,33 sumatera=11,12` (groups apart by spaces or `;`) →
    {province: group}. A province in two groups is refused: two accounts
    would pull its sheets."""
    groups: dict[str, str] = {}
    for entry in (e for e in re.split(r"[;\s]+", spec) if e):
        match = _GRUP.fullmatch(entry)
        if not match:
            raise PlanError(f"Kelompok “{entry[:40]}” tidak bisa dibaca; tulis NAMA=KODE,KODE "
                            "(mis. jawa=31,32,33 sumatera=11,12), nama dari huruf, angka dan _.")
        name, codes = match.groups()
        for code in parse_provinsi([codes]):
            if code in groups:
                raise PlanError(f"Provinsi {code} ada di dua kelompok ({groups[code]} dan {name}).")
            groups[code] = name
    return groups


def chosen(sources: Sequence[Source], provinces: set[str] | None = None,
           only: set[str] | None = None) -> set[str] | None:
    """The kecamatan codes a pull takes: those of `provinces`, and of them
    only `only` when given; None for all. Every code and province named
    must be in registry/sources.csv, and `only` inside `provinces`."""
    listed = {s.kode for s in sources}
    unknown = sorted(set(only or ()) - listed)
    if unknown:
        raise PlanError(f"Kode tidak ada di registry/sources.csv: {', '.join(unknown)}")
    if not provinces:
        return set(only) if only else None
    present = {provinsi(k) for k in listed}
    absent = sorted(provinces - present)
    if absent:
        raise PlanError(f"Tidak ada kecamatan provinsi {', '.join(absent)} di registry/sources.csv.")
    outside = sorted(k for k in only or () if provinsi(k) not in provinces)
    if outside:
        raise PlanError(f"Kecamatan {', '.join(outside)} tidak termasuk provinsi {', '.join(sorted(provinces))}.")
    return {k for k in listed if provinsi(k) in provinces and (not only or k in only)}


@dataclass(frozen=True)
class Job:
    """One pull job of the matrix, as the workflow reads it."""

    grup: str  # the job's name: a group's name, or the province code
    provinsi: str  # for `lindung pull --provinsi`: "31,32,33"
    akun: str  # the repository variable naming the group's service account; "" = the default one
    kecamatan: int  # how many kecamatan it pulls
    per_menit: float  # Sheets requests a minute it allows itself (LINDUNG_GOOGLE_PER_MINUTE); 0 = no pacing


def plan(sources: Sequence[Source], groups: dict[str, str], per_minute: float,
         only: set[str] | None = None) -> list[Job]:
    """The pull jobs for the provinces present in `sources` (of `only`'s
    kecamatan when given), in order of their first province."""
    counts: dict[str, int] = {}
    for source in sources:
        if not only or source.kode in only:
            code = provinsi(source.kode)
            counts[code] = counts.get(code, 0) + 1
    members: dict[str, list[str]] = {}
    for code in sorted(counts):
        members.setdefault(groups.get(code, code), []).append(code)
    shared = sum(counts[c] for c in counts if c not in groups)  # kecamatan on the default account
    jobs = []
    for name, codes in members.items():
        size = sum(counts[c] for c in codes)
        own = codes[0] in groups
        pace = per_minute if own or not per_minute else max(0.01, math.floor(per_minute * size / shared * 100) / 100)
        pace = int(pace) if pace == int(pace) else pace  # 60, not 60.0, in the workflow's log
        jobs.append(Job(name, ",".join(codes), f"{ACCOUNT_VARIABLE}_{name.upper()}" if own else "", size, pace))
    return jobs


def matrix(jobs: Sequence[Job]) -> dict[str, list[dict]]:
    """GitHub Actions' `strategy.matrix` for these jobs."""
    return {"include": [asdict(job) for job in jobs]}
