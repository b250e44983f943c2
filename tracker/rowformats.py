"""Row formats: the one writer behind `tracker export` and every command that prints rows.

A format is registered once (`register_format`) and then appears everywhere rows are written: as a
`tracker export --format` choice when it is meant for files, and as a flag (`--csv`, `--tsv`, `--nl`,
`--json`, `-t`) on the commands that list rows (`tracker events`, `tracker subscribers list`, ...), as
sqlite-utils does. Every format keeps the export's guarantees: the caller's fixed column order, dates in
ISO 8601, list cells as arrays (JSON) or joined with " | " (text), and, in the spreadsheet formats, cells
that a spreadsheet would run as a formula neutralised (reversibly, see `unneutralise`). Files are written
atomically by the caller (`tracker.outputs.output_file`). Adding a format is one function and one
`register_format` call.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO

#: Separator between the items of a list cell in CSV, TSV and tables (JSON writes a real array).
LIST_SEPARATOR = " | "
#: A date to the precision the sources give: YYYY, YYYY-MM or YYYY-MM-DD.
DATE_PATTERN = r"\d{4}(-\d{2}(-\d{2})?)?"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PARTIAL_DATE = re.compile(rf"^{DATE_PATTERN}$")
_TABLE_CELL = 60  # widest cell a table shows before cutting it with an ellipsis


@dataclass(frozen=True)
class WriteOptions:
    neutralise_formulas: bool = True
    bom: bool = False
    progress: Callable[[int], None] | None = None


Writer = Callable[[Iterable[list], Sequence[str], IO[str], WriteOptions], int]


@dataclass(frozen=True)
class RowFormat:
    """A way to write rows: its name, the CLI flag that picks it, and whether exports offer it."""

    name: str
    write: Writer
    flags: tuple[str, ...]  # the flags commands that print rows take, e.g. ("--csv",)
    help: str
    extension: str = ""  # file extension of an export in this format ("" = not offered for files)
    media_type: str = ""
    bom: bool = False  # accepts --bom

    @property
    def for_files(self) -> bool:
        return bool(self.extension)


_FORMATS: dict[str, RowFormat] = {}


def register_format(fmt: RowFormat) -> RowFormat:
    """Add a row format; its name and flag must be new."""
    taken = {flag for f in _FORMATS.values() for flag in f.flags}
    if fmt.name in _FORMATS or taken & set(fmt.flags):
        raise ValueError(f"row format {fmt.name!r} ({', '.join(fmt.flags)}) is already registered")
    _FORMATS[fmt.name] = fmt
    return fmt


def formats(*, files: bool = False) -> dict[str, RowFormat]:
    """Registered formats in registration order; `files` keeps those offered for export files."""
    return {n: f for n, f in _FORMATS.items() if f.for_files or not files}


def row_format(name: str) -> RowFormat:
    try:
        return _FORMATS[name]
    except KeyError:
        raise ValueError(f"unknown format {name!r} (one of {', '.join(_FORMATS)})") from None


# ---- cell values -------------------------------------------------------------------------------------------


def neutralise(text: str) -> str:
    """Prefix a quote to text a spreadsheet would read as a formula.

    Text that already starts with quotes before such a character gets one more, so `unneutralise` can
    always give the original back.
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


def as_list(value: object) -> list:
    """A list cell (stored as a JSON array, or already a list) as a Python list without nulls."""
    if value is None:
        return []
    items = json.loads(value) if isinstance(value, str) else list(value)  # type: ignore[call-overload]
    return [i for i in items if i is not None]


_CONVERT: dict[str, Callable[[object], object]] = {"date": iso_date, "datetime": iso_datetime, "list": as_list}


def typed_rows(rows: Iterable[Sequence], kinds: Sequence[str]) -> Iterator[list]:
    """Rows with dates normalised and list cells as Python lists; `kinds` are the columns' schema kinds."""
    conv = [_CONVERT.get(k, lambda v: v) for k in kinds]
    for row in rows:
        yield [f(v) for f, v in zip(conv, row, strict=True)]


def text_cell(value: object, neutralise_formulas: bool) -> object:
    if value is None:
        return ""
    if isinstance(value, list):
        value = LIST_SEPARATOR.join(str(v) for v in value)
    if isinstance(value, str) and neutralise_formulas:
        return neutralise(value)
    return value


# ---- writers -----------------------------------------------------------------------------------------------


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


def _delimited(delimiter: str, lineterminator: str) -> Writer:
    def write(rows: Iterable[list], names: Sequence[str], fh: IO[str], opts: WriteOptions) -> int:
        if opts.bom:
            fh.write("\ufeff")
        writer = csv.writer(fh, delimiter=delimiter, lineterminator=lineterminator)
        writer.writerow(names)
        return _counted((writer.writerow([text_cell(v, opts.neutralise_formulas) for v in row]) for row in rows),
                        opts.progress)

    return write


def write_jsonl(rows: Iterable[list], names: Sequence[str], fh: IO[str], opts: WriteOptions) -> int:
    """One JSON object per line, keys in column order, nulls kept, lists as arrays (never altered)."""
    return _counted((fh.write(json.dumps(dict(zip(names, row, strict=True)), ensure_ascii=False) + "\n")
                     for row in rows), opts.progress)


def write_json(rows: Iterable[list], names: Sequence[str], fh: IO[str], opts: WriteOptions) -> int:
    """One JSON array of objects, an object per line, streamed (never held whole in memory)."""
    fh.write("[")
    n = 0
    for row in rows:
        fh.write(("\n " if n == 0 else ",\n ") + json.dumps(dict(zip(names, row, strict=True)), ensure_ascii=False))
        n += 1
        if opts.progress and n % 1000 == 0:
            opts.progress(1000)
    fh.write("\n]\n" if n else "]\n")
    if opts.progress:
        opts.progress(n % 1000)
    return n


def _cut(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _TABLE_CELL else text[: _TABLE_CELL - 1] + "…"


def write_table(rows: Iterable[list], names: Sequence[str], fh: IO[str], opts: WriteOptions) -> int:
    """Aligned columns for reading in a terminal (long cells are cut; the rows are held to size them)."""
    cells = [[_cut(str(text_cell(v, False))) for v in row] for row in rows]
    widths = [max([len(n)] + [len(r[i]) for r in cells]) for i, n in enumerate(names)]
    lines = ["  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    fh.write("\n".join(lines) + "\n")
    if opts.progress:
        opts.progress(len(cells))
    return len(cells)


def write(rows: Iterable[Sequence], names: Sequence[str], fmt: str, fh: IO[str], *,
          kinds: Sequence[str] | None = None, neutralise_formulas: bool = True, bom: bool = False,
          progress: Callable[[int], None] | None = None) -> int:
    """Write `rows` (sequences in the order of `names`) to `fh` as `fmt`; returns the number of rows."""
    spec = row_format(fmt)
    if bom and not spec.bom:
        raise ValueError(f"a byte-order mark is only for {', '.join(n for n, f in _FORMATS.items() if f.bom)}")
    typed = typed_rows(rows, kinds or [""] * len(names))
    return spec.write(typed, names, fh, WriteOptions(neutralise_formulas, bom, progress))


register_format(RowFormat("csv", _delimited(",", "\r\n"), ("--csv",), "Output CSV (RFC 4180, CRLF lines).",
                          extension="csv", media_type="text/csv", bom=True))
register_format(RowFormat("tsv", _delimited("\t", "\n"), ("--tsv",), "Output tab-separated values.",
                          extension="tsv", media_type="text/tab-separated-values", bom=True))
register_format(RowFormat("jsonl", write_jsonl, ("--nl",), "Output newline-delimited JSON, one object per line.",
                          extension="jsonl", media_type="application/jsonl"))
register_format(RowFormat("json", write_json, ("--json",), "Output a JSON array of objects.",
                          extension="json", media_type="application/json"))
register_format(RowFormat("table", write_table, ("-t", "--table"), "Output an aligned text table."))
