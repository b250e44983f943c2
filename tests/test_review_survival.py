"""Reviews outlast the machine: `tracker extract --all` and re-merging keep them, with the real extractor over
articles in real SQLite files (issue 15)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tests.test_events_extract import ARTICLES, fill
from tracker.cli import main
from tracker.db import open_db
from tracker.events.extraction import extract_articles
from tracker.review.queue import queue
from tracker.review.store import record_review, reviews

pytestmark = pytest.mark.slow

FACEBOOK = "ev-ug-facebook-restrict-2021-01"
TIKTOK = [
    ("wire", "2023-01-31", ("Authorities in Pakistan blocked TikTok on 30 January, the national regulator said in a "
                           "statement.")),
    ("daily", "2023-05-21", ("The telecommunications regulator of Pakistan ordered operators to block TikTok on 20 "
                            "May, citing immoral content.")),
]


def cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def retext(db_path, article_id: int, old: str, new: str) -> None:
    """Change an article's text, as a corrected page would, so the next --all reads it differently."""
    db = open_db(db_path)
    text = db.execute("SELECT text FROM articles WHERE id = ?", [article_id]).fetchone()[0]
    assert old in text
    with db.conn:
        db.execute("UPDATE articles SET text = ? WHERE id = ?", [text.replace(old, new), article_id])
    db.close()


def event(db_path, event_id: str) -> dict:
    db = open_db(db_path)
    try:
        return db.table("events").get(event_id)
    finally:
        db.close()


def test_corrections_and_rejections_survive_extract_all(db_path):
    db = open_db(db_path, create=True)
    fill(db)
    extract_articles(db)
    google = db.execute("SELECT id FROM events WHERE platform = 'Google'").fetchone()[0]
    machine_actor = db.table("events").get(FACEBOOK)["actor"]
    db.close()
    db_arg = ["--db", str(db_path)]
    cli("review", "correct", FACEBOOK, "--set", "actor=UCC", "--set", "scope=nationwide",
        "--reason", "the regulator gave the order", "--as", "ana", *db_arg)
    cli("review", "reject", google, "--reason", "a fine for not registering an office is no censorship", *db_arg)

    # the wire story now dates the order a day earlier: its reading changes, its mention is written again
    retext(db_path, 1, "on Tuesday", "on Monday")
    out = json.loads(cli("extract", "--all", "--json", *db_arg))
    assert out["removed_mentions"] >= 1 and out["new_mentions"] >= 1

    fb = event(db_path, FACEBOOK)
    assert fb["review_status"] == "corrected" and fb["review_stale"] == 0  # same articles as when reviewed
    assert fb["actor"] == "UCC"
    assert json.loads(fb["machine_values"])["actor"] == machine_actor  # the machine's value, for comparison
    assert fb["n_sources"] >= 3
    assert event(db_path, google)["review_status"] == "rejected"
    listed = cli("events", "--json", *db_arg)
    assert google not in listed and FACEBOOK in listed
    assert google in cli("events", "--json", "--include-rejected", *db_arg)
    db = open_db(db_path)
    assert [r.verdict for r in reviews(db)] == ["rejected", "corrected"]
    assert db.execute("SELECT count(*) FROM events WHERE platform = 'Facebook'").fetchone()[0] == 1
    db.close()

    # the regulator's statement no longer reports the block: the reviewed event loses a source it was
    # reviewed with, so it is flagged and comes first in the queue
    retext(db_path, 2, "to suspend access to Facebook", "to keep an eye on Facebook")
    cli("extract", "--all", *db_arg)
    fb = event(db_path, FACEBOOK)
    assert fb["review_stale"] == 1 and fb["review_status"] == "corrected"
    assert fb["actor"] == "UCC"
    db = open_db(db_path)
    assert queue(db)[0]["id"] == FACEBOOK
    db.close()


def test_a_reviewed_event_keeps_its_id_when_the_machine_would_give_another(db_path):
    db = open_db(db_path, create=True)
    fill(db, TIKTOK[:1])
    extract_articles(db)
    (first,) = [r["id"] for r in db["events"].rows]
    assert first == "ev-pk-tiktok-restrict-2023-01"
    record_review(db, first, "confirmed")
    db.close()
    # the date moves to December (a corrected page): unreviewed, this event would be made again as ...-2022-12.
    # (A date after the page's own, "on 2 February" in a page of 31 January, the date ranker may not take.)
    retext(db_path, 1, "on 30 January", "on 30 December")
    cli("extract", "--all", "--db", str(db_path))
    db = open_db(db_path)
    rows = list(db["events"].rows)
    assert [r["id"] for r in rows] == [first]
    assert rows[0]["date"] == "2022-12-30" and rows[0]["review_status"] == "confirmed"
    assert rows[0]["n_sources"] == 1 and rows[0]["review_stale"] == 0
    db.close()


def test_a_merge_survives_re_merging(db_path):
    db = open_db(db_path, create=True)
    fill(db, TIKTOK)
    extract_articles(db)
    ids = sorted(r["id"] for r in db["events"].rows)
    assert ids == ["ev-pk-tiktok-restrict-2023-01", "ev-pk-tiktok-restrict-2023-05"]  # months apart: two
    january, may = ids
    record_review(db, may, "merged_into", into=january, reason="one block, renewed")
    assert db.table("events").get(january)["n_sources"] == 2
    db.close()
    # May's article is read differently; merging alone would make it its own event again
    retext(db_path, 2, "on 20 May", "on 21 May")
    cli("extract", "--all", "--db", str(db_path))
    db = open_db(db_path)
    stub, kept = db.table("events").get(may), db.table("events").get(january)
    assert stub["review_status"] == "merged_into" and stub["merged_into"] == january and stub["n_sources"] == 0
    assert kept["n_sources"] == 2 and kept["review_status"] == "unreviewed"
    assert db.table("events").count == 2  # no third event for the re-read May article
    listed = {r["id"] for r in db.query("SELECT id FROM event_list")}
    assert listed == {january}
    # a review of the merged event is refused: it points at the other one
    result = CliRunner().invoke(main, ["review", "confirm", may, "--db", str(db_path)])
    assert result.exit_code == 1 and f"merged into {january}" in result.output
    db.close()


def test_second_run_over_reviewed_events_changes_nothing(db_path):
    db = open_db(db_path, create=True)
    fill(db, ARTICLES)
    extract_articles(db)
    record_review(db, FACEBOOK, "confirmed")
    before = [tuple(r) for r in db.execute("SELECT * FROM events ORDER BY id")]
    redo = extract_articles(db, redo_all=True)
    assert redo.unchanged == len(ARTICLES)
    assert [tuple(r) for r in db.execute("SELECT * FROM events ORDER BY id")] == before
    db.close()
