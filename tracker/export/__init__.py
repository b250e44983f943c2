"""Exports for researchers: CSV or JSONL files and a citable Frictionless Data Package.

`export_rows` writes one kind (events, mentions, sources, articles) to an open
text stream; `export_file` does it atomically to a path; `write_package`
builds the data package. Filters are checked by `parse_filters` first, so bad
input fails before anything is written.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import IO

import sqlite_utils

from ..outputs import output_file
from ..rowformats import neutralise, row_format, unneutralise, write
from .columns import FORMATS, KINDS, LIST_SEPARATOR
from .filters import FilterError, Filters, parse_filters
from .rows import count_rows, iter_rows

__all__ = [
    "FORMATS", "KINDS", "LIST_SEPARATOR", "FilterError", "Filters", "count_rows", "export_file", "export_rows",
    "neutralise", "parse_filters", "unneutralise", "write_package",
]


def _check_request(kind: str, fmt: str, bom: bool) -> None:
    """Refuse an unknown kind or format before anything is written (a file export must not start)."""
    if kind not in KINDS:
        raise FilterError("KIND", f"unknown export kind {kind!r} (one of {', '.join(KINDS)})")
    if fmt not in FORMATS:
        raise FilterError("--format", f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")
    if bom and not row_format(fmt).bom:
        raise FilterError("--bom", f"a byte-order mark is not for {fmt}")


def export_rows(
    db: sqlite_utils.Database,
    kind: str,
    fmt: str,
    fh: IO[str],
    filters: Filters | None = None,
    *,
    neutralise_formulas: bool = True,
    progress: Callable[[int], None] | None = None,
    bom: bool = False,
) -> int:
    """Write the rows of `kind` matching `filters` to `fh` as `fmt`; returns the number of rows."""
    _check_request(kind, fmt, bom)
    f = filters or Filters()
    return write_columns(iter_rows(db, kind, f), KINDS[kind].columns, fmt, fh,
                         neutralise_formulas=neutralise_formulas, progress=progress, bom=bom)


def write_columns(rows, columns, fmt: str, fh: IO[str], **options) -> int:
    """Rows of export columns through the shared row writer, typed by the columns' schema kinds."""
    return write(rows, [c.name for c in columns], fmt, fh, kinds=[c.kind for c in columns], **options)


def export_file(
    db: sqlite_utils.Database,
    kind: str,
    fmt: str,
    path: Path,
    filters: Filters | None = None,
    *,
    neutralise_formulas: bool = True,
    progress: Callable[[int], None] | None = None,
    bom: bool = False,
) -> int:
    """Like `export_rows`, into `path`; the file appears only once it is complete."""
    _check_request(kind, fmt, bom)
    with output_file(path) as fh:
        return export_rows(db, kind, fmt, fh, filters, neutralise_formulas=neutralise_formulas, progress=progress,
                           bom=bom)


def write_package(*args, **kwargs):  # re-export of package.write_package, imported lazily
    from .package import write_package as _write

    return _write(*args, **kwargs)
