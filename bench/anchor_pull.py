"""The pull benchmark's anchor: python-calamine reads a workbook's peserta
tab and Frictionless validates its rows against registry/schema/peserta.json
(types, required, enumerations, patterns, unique), nothing else: no Lindung
code, no Indonesian number or date reading, no kelurahan matching, no report,
no hashing, no snapshot.

    python bench/anchor_pull.py WORKBOOK.xlsx registry/schema/peserta.json

Prints the number of rows read and of errors found.
"""
from __future__ import annotations

import json
import sys

from frictionless import Resource, Schema
from python_calamine import CalamineWorkbook


def main(workbook: str, schema_path: str, tab: str = "peserta") -> None:
    with open(schema_path, encoding="utf-8") as handle:
        descriptor = json.load(handle)
    schema = Schema.from_descriptor({"fields": descriptor["fields"], "missingValues": [""]})
    rows = CalamineWorkbook.from_path(workbook).get_sheet_by_name(tab).to_python(skip_empty_area=False)
    names = [field.name for field in schema.fields]
    data = [names] + [[None if cell == "" else cell for cell in row[: len(names)]]
                      for row in rows[1:] if any(cell != "" for cell in row)]
    report = Resource(data=lambda: iter(data), format="inline", schema=schema).validate(limit_errors=sys.maxsize)
    print(f"{len(data) - 1:,} rows, {len(report.tasks[0].errors):,} errors")


if __name__ == "__main__":
    main(*sys.argv[1:])
