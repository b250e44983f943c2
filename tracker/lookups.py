"""Seed the lookup tables (countries, platforms, justification categories) from models/.

The rows come from commented CSV files in models/, so names and centroids are data, not code.
`tracker.db` reloads them whenever a hash of these files changes, so an edited file reaches
existing databases on their next open for writing.
"""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from .paths import model_file
from .vocabulary import read_csv

_FILES = {
    "countries": ("countries.csv", "code", ("code", "name", "latitude", "longitude")),
    "platforms": ("platforms.csv", "name", ("name", "label", "company", "kind")),
    "justification_categories": ("justification_categories.csv", "code", ("code", "label", "description")),
}


def files() -> list[Path]:
    """The models/ files the lookup tables are loaded from."""
    return [model_file(filename) for filename, _pk, _cols in _FILES.values()]


def seed(db: sqlite_utils.Database) -> None:
    """Upsert every row of the lookup files (rows removed from a file stay: events may refer to them)."""
    for table, (filename, pk, columns) in _FILES.items():
        rows = []
        for row in read_csv(model_file(filename)):
            rec = {c: (row.get(c) or None) for c in columns}
            for num in ("latitude", "longitude"):
                if rec.get(num) is not None:
                    rec[num] = float(rec[num])
            rows.append(rec)
        db.table(table).upsert_all(rows, pk=pk)
