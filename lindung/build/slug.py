"""Slugs: page paths made from official names, safe by construction.

Only lower-case ASCII letters, digits and single hyphens survive, so no
value, from a sheet or elsewhere, can climb out of site/ (`..`, `/`, `\\`).
"""
from __future__ import annotations

import re
import unicodedata


def slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug or "tanpa-nama"
