"""The database layer: shape ensured on every writable open, named migrations, lookups that follow their
files, and files that are not tracker's (or are missing, or newer) refused untouched."""

import shutil
import sqlite3
from pathlib import Path

import pytest

from tracker.db import APPLICATION_IDS, DatabaseError, open_db, open_private, private_path_for, schema_version
from tracker.schema import PRIVATE, PUBLIC, SCHEMA_VERSION, TABLES, tables

RELEASE_DB = Path(__file__).parent / "fixtures" / "db" / "release-0.1.0.db"


def test_new_database_has_every_public_table_and_column(db):
    for t in tables(PUBLIC):
        assert db.table(t.name).exists(), t.name
        cols = {c.name for c in db.table(t.name).columns}
        assert cols == {c.name for c in t.columns}, t.name
    for t in tables(PRIVATE):
        assert not db.table(t.name).exists(), f"private table {t.name} in the public file"
    assert schema_version(db) == SCHEMA_VERSION
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_IDS[PUBLIC]


def test_private_database_holds_only_private_tables(tmp_path):
    private = open_private(tmp_path / "p.db", create=True)
    names = set(private.table_names())
    assert {t.name for t in tables(PRIVATE)} <= names
    assert not names & {t.name for t in tables(PUBLIC)}
    assert private.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_IDS[PRIVATE]


def test_every_column_is_described():
    for t in TABLES:
        assert t.description.strip(), t.name
        for c in t.columns:
            assert c.description.strip(), f"{t.name}.{c.name}"


def test_lookups_are_seeded(db):
    assert db.table("justification_categories").count == 12
    assert db.table("platforms").get("Twitter")["company"] == "X Corp."
    assert db.table("countries").get("RU")["name"] == "Russia"


def test_previous_release_is_migrated_and_its_private_rows_leave_the_public_file(tmp_path):
    public = tmp_path / "tracker.db"
    shutil.copy(RELEASE_DB, public)
    db = open_db(public)
    assert schema_version(db) == SCHEMA_VERSION
    assert db.table("events").count == 6 and db.table("mentions").count == 8
    assert not db.table("subscribers").exists() and not db.table("digests").exists()
    applied = [r["name"] for r in db.query("select name from _sqlite_migrations")]
    assert "m001_private_tables_to_own_file" in applied
    db.close()
    private = open_private(private_path_for(public), readonly=True)
    assert [r["email"] for r in private.query("select email from subscribers order by id")] == [
        "ann@example.org", "bo@example.org"]
    assert private.table("digests").get((2, "2026-W47"))["error"].startswith("recipient refused")
    for path in public.parent.glob("tracker.db*"):  # the file and any WAL beside it
        assert b"ann@example.org" not in path.read_bytes(), path


def test_migration_is_idempotent(tmp_path):
    public = tmp_path / "tracker.db"
    shutil.copy(RELEASE_DB, public)
    open_db(public).close()
    db = open_db(public)
    assert [r["name"] for r in db.query("select name from _sqlite_migrations")].count(
        "m001_private_tables_to_own_file") == 1
    assert open_private(private_path_for(public), readonly=True).table("subscribers").count == 2


def test_a_column_missing_from_an_existing_file_is_added_on_open(db_path):
    open_db(db_path, create=True).close()
    conn = sqlite3.connect(db_path)
    conn.execute("ALTER TABLE articles DROP COLUMN author")
    conn.commit()
    conn.close()
    db = open_db(db_path)
    assert "author" in {c.name for c in db.table("articles").columns}


def test_an_edited_lookup_file_reaches_an_existing_database(db_path, tmp_path, monkeypatch):
    from tracker import paths, vocabulary

    models = tmp_path / "models"
    shutil.copytree(paths.models_dir(), models)
    monkeypatch.setenv("TRACKER_MODELS_DIR", str(models))
    open_db(db_path, create=True).close()
    with (models / "platforms.csv").open("a", encoding="utf-8") as fh:
        fh.write("Odnoklassniki,Odnoklassniki (OK),VK,social\n")
    vocabulary.platforms.cache_clear()
    db = open_db(db_path)
    assert db.table("platforms").get("Odnoklassniki")["label"] == "Odnoklassniki (OK)"


def test_missing_file_is_refused_unless_asked_to_create(tmp_path):
    with pytest.raises(DatabaseError, match="no public database"):
        open_db(tmp_path / "typo.db")
    with pytest.raises(DatabaseError, match="no public database"):
        open_db(tmp_path / "typo.db", readonly=True)
    assert not (tmp_path / "typo.db").exists()


def test_foreign_sqlite_file_is_refused_untouched(tmp_path):
    other = tmp_path / "other-app.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE articles (id INTEGER PRIMARY KEY, body TEXT)")
    conn.commit()
    conn.close()
    before = other.read_bytes()
    with pytest.raises(DatabaseError, match="not a tracker database"):
        open_db(other)
    with pytest.raises(DatabaseError, match="not a tracker database"):
        open_db(other, readonly=True)
    assert other.read_bytes() == before


def test_text_file_is_refused(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("not a database\n")
    with pytest.raises(DatabaseError, match="not an SQLite database"):
        open_db(text)
    assert text.read_text() == "not a database\n"


def test_private_file_is_not_taken_for_the_public_one(tmp_path):
    open_private(tmp_path / "p.db", create=True).close()
    with pytest.raises(DatabaseError, match="private database; expected tracker's public"):
        open_db(tmp_path / "p.db")


def test_newer_database_is_refused(db_path):
    open_db(db_path, create=True).close()
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(DatabaseError, match="newer tracker"):
        open_db(db_path)


def test_read_only_open_refuses_a_file_that_needs_upgrading_and_leaves_it(tmp_path):
    public = tmp_path / "tracker.db"
    shutil.copy(RELEASE_DB, public)
    before = public.read_bytes()
    with pytest.raises(DatabaseError, match="tracker init"):
        open_db(public, readonly=True)
    assert public.read_bytes() == before
    assert not private_path_for(public).exists()


def test_read_only_open_cannot_write(db_path):
    open_db(db_path, create=True).close()
    db = open_db(db_path, readonly=True)
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        db.execute("INSERT INTO tracker_meta (key, value) VALUES ('x', 'y')")


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
