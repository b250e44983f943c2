import sqlite3

import pytest

from tracker.db import SchemaError, open_db, schema_version
from tracker.schema import SCHEMA_VERSION, TABLES


def test_new_database_has_every_table_and_column(db):
    for t in TABLES:
        assert db.table(t.name).exists(), t.name
        cols = {c.name for c in db.table(t.name).columns}
        assert cols == {c.name for c in t.columns}, t.name
    assert schema_version(db) == SCHEMA_VERSION
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_every_column_is_described():
    for t in TABLES:
        assert t.description.strip(), t.name
        for c in t.columns:
            assert c.description.strip(), f"{t.name}.{c.name}"


def test_lookups_are_seeded(db):
    assert db.table("justification_categories").count == 12
    assert db.table("platforms").get("Twitter")["company"] == "X Corp."
    assert db.table("countries").get("RU")["name"] == "Russia"


def test_old_database_is_migrated_without_losing_rows(db_path):
    # An older database: user_version 0, an articles table lacking later columns.
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TABLE sources (name TEXT PRIMARY KEY, url TEXT NOT NULL, type TEXT NOT NULL,"
                 " publisher TEXT NOT NULL)")
    conn.execute("INSERT INTO sources VALUES ('old', 'http://example.org/feed', 'rss', 'press')")
    conn.commit()
    conn.close()
    db = open_db(db_path)
    assert schema_version(db) == SCHEMA_VERSION
    assert db.table("sources").get("old")["url"] == "http://example.org/feed"
    assert "etag" in {c.name for c in db.table("sources").columns}
    assert db.table("events").exists()


def test_newer_database_is_refused(db_path):
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(SchemaError, match="newer"):
        open_db(db_path)


def test_full_text_search_follows_inserts(db):
    db.table("sources").insert({"name": "s", "url": "http://x", "type": "rss", "publisher": "press"})
    db.table("articles").insert({"source": "s", "url": "http://x/1", "title": "Regulator throttles Twitter",
                                 "text": "Roskomnadzor slowed down Twitter.", "content_hash": "h1"})
    hits = list(db.table("articles").search("throttle"))
    assert len(hits) == 1


def test_factory_rows_satisfy_foreign_keys(db):
    from tests.factories import EVENTS, populate

    populate(db)
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert db.table("events").count == len(EVENTS)
    assert list(db.table("events").search("Wikipedia"))
