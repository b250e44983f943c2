"""Seed the lookup tables (countries, platforms, justification categories), and name platforms as stored.

The rows come from commented CSV files in models/, so names and centroids are
data, not code. Seeding upserts, so edited files update existing databases.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import sqlite_utils

from .paths import model_file

_FILES = {
    "countries": ("countries.csv", "code", ("code", "name", "latitude", "longitude")),
    "platforms": ("platforms.csv", "name", ("name", "label", "company", "kind")),
    "justification_categories": ("justification_categories.csv", "code", ("code", "label", "description")),
}

#: Names people type for a platform stored under another name (lower case): X is Twitter.
PLATFORM_ALIASES = {"x": "Twitter"}


def canonical_platform(name: str) -> str:
    """A platform name as typed, trimmed and with an alias ("X", any case) replaced by the stored name."""
    name = name.strip()
    return PLATFORM_ALIASES.get(name.lower(), name)


def read_csv(path: Path) -> Iterator[dict[str, str]]:
    """Rows of a models/ CSV file; lines starting with # are comments."""
    with path.open(encoding="utf-8", newline="") as fh:
        lines = (line for line in fh if line.strip() and not line.lstrip().startswith("#"))
        yield from csv.DictReader(lines)


def seed(db: sqlite_utils.Database) -> None:
    for table, (filename, pk, columns) in _FILES.items():
        rows = []
        for row in read_csv(model_file(filename)):
            rec = {c: (row.get(c) or None) for c in columns}
            for num in ("latitude", "longitude"):
                if rec.get(num) is not None:
                    rec[num] = float(rec[num])
            rows.append(rec)
        db.table(table).upsert_all(rows, pk=pk)
