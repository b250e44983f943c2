"""db/metadata.json is what tracker/metadata.py generates from the schema, and covers the database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests import factories
from tracker.metadata import DATABASE, QUERIES, build_metadata, dumps_metadata
from tracker.schema import PRIVATE, TABLES, VIEWS

METADATA_COPY = Path(__file__).resolve().parent.parent / "db" / "metadata.json"


def test_committed_copy_equals_generated() -> None:
    assert METADATA_COPY.read_text(encoding="utf-8") == dumps_metadata(), (
        "db/metadata.json is stale: run `.venv/bin/python -m tracker.metadata db/metadata.json` and commit it"
    )


def test_every_table_and_column_described_from_schema() -> None:
    tables = build_metadata()["databases"][DATABASE]["tables"]
    for t in TABLES:
        if t.store == PRIVATE:  # never served, so never described to Datasette
            assert t.name not in tables
            continue
        entry = tables[t.name]
        assert entry["description"] == t.description
        assert entry["columns"] == {c.name: c.description for c in t.columns}
        assert entry.get("hidden", False) == t.internal
        assert entry.get("label_column") == t.label
    for view in VIEWS:
        assert tables[view.name]["description"] == view.description


def test_every_table_of_a_real_database_is_described_or_hidden(db_path: Path) -> None:
    from tracker.db import open_db

    open_db(db_path, create=True).close()
    with sqlite3.connect(db_path) as conn:
        names = [r[0] for r in conn.execute(
            "select name from sqlite_master where type in ('table', 'view') and name not like 'sqlite_%'")]
    tables = build_metadata()["databases"][DATABASE]["tables"]
    for name in names:
        assert name in tables, f"{name} is in the database but not in the metadata"
        assert tables[name].get("description") or tables[name].get("hidden"), name
    fts = [n for n in names if "_fts" in n]
    assert fts and all(tables[n]["hidden"] for n in fts)


def test_events_defaults() -> None:
    events = build_metadata()["databases"][DATABASE]["tables"]["events"]
    assert events["sort_desc"] == "date"
    assert events["facets"] == ["country", "platform", "action", "status", "justification_category", "language",
                                "review_status", {"publisher_type": "publisher_type"}]
    assert build_metadata()["databases"][DATABASE]["tables"]["event_sources"]["facets"] == ["publisher"]


def test_canned_query_names_do_not_shadow_tables() -> None:
    # A canned query named like a table hides that table in Datasette.
    names = {t.name for t in TABLES} | {v.name for v in VIEWS}
    assert not names & set(QUERIES)


def test_canned_queries_are_valid_sql(db) -> None:
    factories.populate(db)
    for name, q in QUERIES.items():
        params = {p: "x" for p in ("as_of", "country", "platform", "event_id", "q", "language")}
        params["as_of"] = ""
        db.execute(q["sql"], params).fetchall()  # raises on a bad query
        assert q["title"] and q["description"], name
