"""Write exported rows as CSV or JSON Lines, UTF-8, with ISO 8601 dates.

CSV cells that a spreadsheet would run as a formula (starting with = + - @,
a tab or a carriage return) get a leading single quote by default; the rule
is reversible (`unneutralise`). JSONL is for programs and is never altered.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import IO

from .columns import DATE_PATTERN, LIST_SEPARATOR, ExportColumn

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PARTIAL_DATE = re.compile(rf"^{DATE_PATTERN}$")


def neutralise(text: str) -> str:
    """Prefix a quote to text a spreadsheet would read as a formula.

    Text that already starts with quotes before such a character gets one more,
    so `unneutralise` can always give the original back.
    """
    if text.startswith(FORMULA_START) or (text.startswith("'") and text.lstrip("'").startswith(FORMULA_START)):
        return "'" + text
    return text


def unneutralise(text: str) -> str:
    """The text `neutralise` was given."""
    if text.startswith("'") and text.lstrip("'").startswith(FORMULA_START):
        return text[1:]
    return text


def iso_date(value: object) -> object:
    """A partial ISO date stays as it is; a full timestamp is cut to its day; anything else is left alone."""
    if not isinstance(value, str) or _PARTIAL_DATE.match(value):
        return value
    try:
        return datetime.fromisoformat(value).date().isoformat()
    except ValueError:
        return value


def iso_datetime(value: object) -> object:
    """UTC ISO 8601 with a Z (`2026-11-20T08:00:00Z`); naive times are UTC, as the schema says."""
    if not isinstance(value, str) or not value:
        return value
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        return value
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC).replace(tzinfo=None)
    return dt.isoformat(timespec="seconds") + "Z"


def _list(value: object) -> list:
    if value is None:
        return []
    items = json.loads(value) if isinstance(value, str) else list(value)
    return [i for i in items if i is not None]


def _converters(columns: tuple[ExportColumn, ...]) -> list[Callable[[object], object]]:
    out: list[Callable[[object], object]] = []
    for c in columns:
        out.append({"date": iso_date, "datetime": iso_datetime, "list": _list}.get(c.kind, lambda v: v))
    return out


def typed_rows(rows: Iterable[tuple], columns: tuple[ExportColumn, ...]) -> Iterator[list]:
    """Rows with dates normalised and list cells as Python lists."""
    conv = _converters(columns)
    for row in rows:
        yield [f(v) for f, v in zip(conv, row, strict=True)]


def csv_cell(value: object, neutralise_formulas: bool) -> object:
    if value is None:
        return ""
    if isinstance(value, list):
        value = LIST_SEPARATOR.join(str(v) for v in value)
    if isinstance(value, str) and neutralise_formulas:
        return neutralise(value)
    return value


def write_csv(
    rows: Iterable[tuple],
    columns: tuple[ExportColumn, ...],
    fh: IO[str],
    *,
    neutralise_formulas: bool = True,
    progress: Callable[[int], None] | None = None,
    bom: bool = False,
) -> int:
    """Header plus one line per row (RFC 4180 quoting, CRLF); returns the number of rows.

    `bom` starts the file with a UTF-8 byte-order mark, which Excel needs to read UTF-8.
    """
    if bom:
        fh.write("\ufeff")
    writer = csv.writer(fh, lineterminator="\r\n")
    writer.writerow([c.name for c in columns])
    return _counted((writer.writerow([csv_cell(v, neutralise_formulas) for v in row])
                     for row in typed_rows(rows, columns)), progress)


def _counted(writes: Iterable[object], progress: Callable[[int], None] | None) -> int:
    """Drain `writes` (one per row), reporting progress every 1000 rows; returns the row count."""
    n = 0
    for _ in writes:
        n += 1
        if progress and n % 1000 == 0:
            progress(1000)
    if progress:
        progress(n % 1000)
    return n


def write_jsonl(
    rows: Iterable[tuple],
    columns: tuple[ExportColumn, ...],
    fh: IO[str],
    *,
    progress: Callable[[int], None] | None = None,
) -> int:
    """One JSON object per line, keys in column order, nulls kept, lists as arrays."""
    names = [c.name for c in columns]
    return _counted((fh.write(json.dumps(dict(zip(names, row, strict=True)), ensure_ascii=False) + "\n")
                     for row in typed_rows(rows, columns)), progress)


def write_rows(
    rows: Iterable[tuple],
    columns: tuple[ExportColumn, ...],
    fmt: str,
    fh: IO[str],
    *,
    neutralise_formulas: bool = True,
    progress: Callable[[int], None] | None = None,
    bom: bool = False,
) -> int:
    if fmt == "csv":
        return write_csv(rows, columns, fh, neutralise_formulas=neutralise_formulas, progress=progress, bom=bom)
    if fmt == "jsonl":
        return write_jsonl(rows, columns, fh, progress=progress)
    raise ValueError(f"unknown export format {fmt!r} (csv or jsonl)")
