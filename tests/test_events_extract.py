"""`tracker extract` end to end: the real extractor over articles in real SQLite files, then merging."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from tracker.cli import main
from tracker.db import open_db
from tracker.events.extraction import extract_articles

pytestmark = pytest.mark.slow

SOURCES = [("wire", "press", None), ("daily", "press", None), ("ucc", "regulator", "UG"), ("watch", "ngo", None)]

# (source, published, text): one measure told by two publishers, its lift, an unrelated measure. These tests are
# about storing and merging, so each text states its measure plainly: a reading near the model's threshold
# (such as a takedown order read into "citing the platform's removal of accounts", a known false alarm of the
# 6c01351d48b1 model) would make them test one model rather than the merge.
ARTICLES = [
    ("wire", "2021-01-13",
     ("Ugandan authorities ordered internet providers to block Facebook on Tuesday, two days before the "
     "presidential election. Users in Kampala said the site would not load.")),
    ("ucc", "2021-01-14",
     ("The Uganda Communications Commission directed telecom operators on Tuesday to suspend access to "
     "Facebook until further notice, citing public order.")),
    ("watch", "2021-01-20",
     "Separately, Uganda's regulator fined Google on Monday for failing to register a local office."),
    # the lift is told so that every model of the corpus reads it: "Uganda lifted its block on Facebook on
    # Wednesday" scores near the threshold, and four of six retrainings compared at stop 26 left it out
    ("daily", "2021-02-11",
     "Ugandan authorities unblocked Facebook on Wednesday, a month after ordering providers to cut access to it."),
    ("daily", "2021-02-12", "Markets in Kampala were busy on Thursday as traders returned after the holiday."),
]


def fill(db, articles=ARTICLES) -> None:
    for name, publisher, country in SOURCES:
        db.table("sources").insert({"name": name, "url": f"http://127.0.0.1/{name}.xml", "type": "rss",
                                    "publisher": publisher, "country": country}, pk="name")
    for i, (source, published, text) in enumerate(articles, start=1):
        db.table("articles").insert({"id": i, "source": source, "url": f"http://127.0.0.1/{source}/{i}",
                                     "title": None, "text": text, "published": published,
                                     "content_hash": f"h{i}", "fetched_at": f"{published}T08:00:00Z",
                                     "extractor_version": ""})


def snapshot(db) -> dict:
    """Every row the events store writes, so a run that changes nothing leaves it equal."""
    out = {}
    for table, order in (("mentions", "id"), ("events", "id"), ("event_sources", "event_id, mention_id"),
                         ("event_history", "id")):
        out[table] = [tuple(r) for r in db.execute(f"SELECT * FROM {table} ORDER BY {order}")]
    out["stamps"] = [tuple(r) for r in db.execute("SELECT id, extractor_version FROM articles ORDER BY id")]
    return out


def test_publishers_lift_and_unrelated_measure(db):
    fill(db)
    summary = extract_articles(db)
    assert summary.articles == len(ARTICLES) and not summary.failed
    facebook = list(db["events"].rows_where("country = 'UG' AND platform = 'Facebook'"))
    assert len(facebook) == 1, facebook
    ev = facebook[0]
    assert ev["id"] == "ev-ug-facebook-restrict-2021-01"
    assert ev["n_publishers"] >= 3 and ev["regulator_confirmed"] == 1  # two reports and the lift
    publishers = {r["publisher"] for r in db["event_sources"].rows_where("event_id = ?", [ev["id"]])}
    assert {"press", "regulator"} <= publishers
    assert ev["status"] == "lifted" and ev["lifted_date"] == "2021-02-10"
    history = [h["status"] for h in db["event_history"].rows_where("event_id = ?", [ev["id"]], order_by="id")]
    assert history == ["in_effect", "lifted"]
    google = list(db["events"].rows_where("country = 'UG' AND platform = 'Google'"))
    assert len(google) == 1 and google[0]["id"] != ev["id"] and google[0]["n_sources"] == 1
    assert db.table("events").count < db.table("mentions").count
    for e in db["events"].rows:
        assert db.execute("SELECT count(*) FROM event_sources WHERE event_id = ?", [e["id"]]).fetchone()[0] >= 1


def test_second_run_changes_nothing(db):
    fill(db)
    extract_articles(db)
    before = snapshot(db)
    again = extract_articles(db)
    assert again.articles == 0 and again.new_mentions == 0
    assert snapshot(db) == before
    redo = extract_articles(db, redo_all=True)  # same models: every article reads the same
    assert redo.articles == redo.unchanged == len(ARTICLES)
    assert snapshot(db) == before


def test_new_article_about_a_known_measure_updates_it(db):
    fill(db, ARTICLES[:1])
    extract_articles(db)
    (eid,) = [r["id"] for r in db["events"].rows]
    db.table("articles").insert({"id": 2, "source": "ucc", "url": "http://127.0.0.1/ucc/2", "text": ARTICLES[1][2],
                                 "published": ARTICLES[1][1], "content_hash": "h2", "extractor_version": ""})
    summary = extract_articles(db)
    assert (summary.articles, summary.new_events, summary.updated_events) == (1, 0, 1)
    assert db.table("events").get(eid)["n_sources"] == 2


def test_changed_reading_replaces_an_articles_mentions(db):
    fill(db, ARTICLES[:2])
    extract_articles(db)
    (eid,) = [r["id"] for r in db["events"].rows]
    # the article is corrected: its text no longer reports the block; --all re-reads it
    db.execute("UPDATE articles SET text = 'Kampala was calm on Tuesday.' WHERE id = 2")
    db.conn.commit()
    redo = extract_articles(db, redo_all=True)
    assert redo.removed_mentions >= 1
    assert db.execute("SELECT count(*) FROM mentions WHERE article_id = 2").fetchone()[0] == 0
    assert db.table("events").get(eid)["n_sources"] == 1  # same id, one source fewer


def test_extract_command_json(db_path):
    db = open_db(db_path, create=True)
    fill(db)
    db.close()
    runner = CliRunner()
    out = runner.invoke(main, ["extract", "--db", str(db_path), "--json"])
    assert out.exit_code == 0, out.output
    assert '"new_mentions"' in out.output
    out = runner.invoke(main, ["extract", "--db", str(db_path)])
    assert out.exit_code == 0 and "articles read: 0" in out.output


def test_articles_in_a_language_without_a_pack_are_reported_as_skipped(db_path):
    db = open_db(db_path, create=True)
    fill(db, ARTICLES[:1])
    for i, (lang, text) in enumerate([
            ("de", "Die Behörden in Uganda haben Facebook am Dienstag gesperrt, wie Nutzer berichteten."),
            ("de", "In Kampala waren die Märkte am Donnerstag nach dem Feiertag wieder voll."),
            ("it", "Le autorità ugandesi hanno bloccato Facebook martedì, secondo gli utenti."),
            ("ru", "Власти Уганды во вторник заблокировали Facebook, сообщили пользователи.")], start=10):
        db.table("articles").insert({"id": i, "source": "wire", "url": f"http://127.0.0.1/wire/{i}", "text": text,
                                     "published": "2021-01-13", "language": lang, "content_hash": f"h{i}",
                                     "fetched_at": "2021-01-13T08:00:00Z", "extractor_version": ""})
    db.close()
    out = CliRunner().invoke(main, ["extract", "--db", str(db_path)])
    assert out.exit_code == 0, out.output
    assert "articles read: 5" in out.output
    assert "skipped, no language pack (articles): de 2, it 1" in out.output
    db = open_db(db_path, readonly=True)
    read = {r[0] for r in db.execute("SELECT DISTINCT article_id FROM mentions")}
    assert read.isdisjoint({10, 11, 12})  # Russian has a pack: read like English, not reported as skipped
    assert db.execute("SELECT count(*) FROM articles WHERE extractor_version = ''").fetchone()[0] == 0
    db.close()
    again = CliRunner().invoke(main, ["extract", "--db", str(db_path), "--all", "--json"])
    assert again.exit_code == 0
    assert json.loads(again.output[again.output.index("{"):])["skipped_languages"] == {"de": 2, "it": 1}


def many_articles(n: int) -> list[tuple[str, str, str]]:
    """Distinct articles about several measures, so an interrupted run has work left to do."""
    stories = [
        "Authorities in {c} blocked {p} on Monday, the national regulator said in a statement.",
        "The telecommunications regulator of {c} ordered operators to restrict access to {p} on Friday.",
        "{c} lifted its ban on {p} on Wednesday after talks with the company.",
        "A court in {c} fined {p} on Thursday for failing to remove unlawful content.",
    ]
    countries = ["Pakistan", "Turkey", "Russia", "Nigeria", "Ethiopia"]
    platforms = ["Twitter", "TikTok", "Telegram", "YouTube"]
    out = []
    for i in range(n):
        text = stories[i % len(stories)].format(c=countries[i % 5], p=platforms[(i // 5) % 4])
        published = f"2023-{1 + (i // 28) % 12:02d}-{1 + i % 28:02d}"
        out.append((SOURCES[i % len(SOURCES)][0], published, text + f" Users reported outages in area {i}."))
    return out


def test_interrupted_run_resumes_without_duplicates_or_losses(tmp_path):
    articles = many_articles(60)
    killed, clean = tmp_path / "killed.db", tmp_path / "clean.db"
    db = open_db(killed, create=True)
    fill(db, articles)
    db.close()
    shutil.copy(killed, clean)
    env = dict(os.environ)
    proc = subprocess.Popen([sys.executable, "-m", "tracker.cli", "extract", "--db", str(killed)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    watch = sqlite3.connect(killed, timeout=30)
    done = 0
    deadline = time.monotonic() + 240
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            done = watch.execute("SELECT count(*) FROM articles WHERE extractor_version != ''").fetchone()[0]
            if done >= 5:
                proc.send_signal(signal.SIGKILL)
                break
            time.sleep(0.02)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)
        watch.close()
    assert 5 <= done < len(articles), f"the run was not caught midway ({done} of {len(articles)} read)"

    resumed = open_db(killed)
    partial = resumed.execute("SELECT count(*) FROM articles WHERE extractor_version != ''").fetchone()[0]
    assert partial < len(articles)
    summary = extract_articles(resumed)
    assert summary.articles == len(articles) - partial and not summary.failed
    reference = open_db(clean, create=True)
    extract_articles(reference)

    def content(db):
        mentions = [tuple(r) for r in db.execute(
            "SELECT article_id, position, country, platform, action, status, date, evidence FROM mentions"
            " ORDER BY article_id, position")]
        events = [tuple(r) for r in db.execute(
            "SELECT id, action_class, status, date, lifted_date, n_mentions, n_sources FROM events ORDER BY id")]
        links = [tuple(r) for r in db.execute(
            "SELECT es.event_id, m.article_id, m.position FROM event_sources es JOIN mentions m"
            " ON m.id = es.mention_id ORDER BY 1, 2, 3")]
        return mentions, events, links

    got, want = content(resumed), content(reference)
    assert got[0] and got == want
    dupes = resumed.execute("SELECT article_id, position, count(*) FROM mentions GROUP BY 1, 2"
                            " HAVING count(*) > 1").fetchall()
    assert dupes == []
    assert extract_articles(resumed).articles == 0
