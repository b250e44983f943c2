"""`tracker review ...`, `tracker reviewers ...`, `tracker export gold` and `tracker train --with-reviews`, run as
a user runs them, over real SQLite files written by the test factory (issue 15)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests import factories
from tracker.cli import main
from tracker.corpus.store import load
from tracker.db import open_db, open_private, private_path_for
from tracker.digest.select import parse_week, select_week
from tracker.extract.model import FILES as MODEL_FILES

PASSWORD = "correct horse battery"
RU = "ev-ru-twitter-throttle-2021-03"
THREAT = "ev-ru-twitter-threaten-2021-03"
NG = "ev-ng-twitter-restrict-2021-06"
TR = "ev-tr-wikipedia-restrict-2017-04"
IR = "ev-ir-telegram-restrict-2026-11"


@pytest.fixture
def tdb(tmp_path: Path) -> Path:
    return factories.write_database(tmp_path / "tracker.db")


def run(*args: str, input: str | None = None, code: int = 0) -> str:
    result = CliRunner().invoke(main, list(args), input=input)
    assert result.exit_code == code, result.output
    return result.stdout if code == 0 else result.output


def snapshot(path: Path) -> list:
    db = open_db(path)
    try:
        return [list(db.execute(f"SELECT * FROM {t} ORDER BY 1")) for t in ("events", "reviews", "event_sources")]
    finally:
        db.close()


def test_reviewers_are_private_and_hashed(tdb: Path) -> None:
    out = run("reviewers", "add", "ana", "--db", str(tdb), input=PASSWORD + "\n")
    assert out.strip() == "added reviewer ana"
    assert run("reviewers", "add", "ana", "--db", str(tdb), input="another long password\n").startswith("updated")
    private = open_private(private_path_for(tdb), readonly=True)
    (name, stored, created) = private.execute("SELECT name, password_hash, created_at FROM reviewers").fetchone()
    assert name == "ana" and stored.startswith("scrypt$16384$8$1$") and PASSWORD not in stored and created
    assert private.execute("SELECT value FROM private_meta WHERE key = 'session_secret'").fetchone()[0]
    private.close()
    public = open_db(tdb)
    assert not {"reviewers", "review_authors", "private_meta"} & set(public.table_names())
    public.close()
    assert json.loads(run("reviewers", "list", "--json", "--db", str(tdb))) == [{"name": "ana",
                                                                              "created_at": created}]
    assert "short" not in run("reviewers", "list", "--db", str(tdb))
    assert "use at least 10" in run("reviewers", "add", "bo", "--db", str(tdb), input="short\n", code=1)
    assert "reviewer name" in run("reviewers", "add", "bo b", "--db", str(tdb), input=PASSWORD + "\n", code=1)
    assert run("reviewers", "remove", "ana", "--db", str(tdb)).strip() == "removed reviewer ana"
    assert "no reviewer 'ana'" in run("reviewers", "remove", "ana", "--db", str(tdb), code=1)


def test_queue_puts_the_least_certain_newest_first_and_filters(tdb: Path) -> None:
    rows = json.loads(run("review", "queue", "--json", "--db", str(tdb)))
    assert len(rows) == len(factories.EVENTS)
    assert [r["priority"] for r in rows] == sorted((r["priority"] for r in rows), reverse=True)
    assert rows[0]["id"] == IR  # the newest of the least certain
    assert rows[-1]["id"] == RU  # two sources, one a regulator: the most certain
    ru = json.loads(run("review", "queue", "--json", "--country", "ru", "--platform", "X", "--db", str(tdb)))
    assert {r["id"] for r in ru} == {RU, THREAT}
    assert json.loads(run("review", "queue", "--json", "--language", "fa", "--db", str(tdb))) == []
    table = list(csv.reader(io.StringIO(run("review", "queue", "--csv", "--limit", "2", "--db", str(tdb)))))
    assert table[0][:3] == ["priority", "id", "review_status"] and len(table) == 3
    run("review", "confirm", IR, "--db", str(tdb))
    assert IR not in run("review", "queue", "--json", "--db", str(tdb))  # reviewed: off the queue


def test_each_verb_and_the_log(tdb: Path) -> None:
    db = ["--db", str(tdb)]
    run("reviewers", "add", "ana", *db, input=PASSWORD + "\n")
    confirmed = json.loads(run("review", "confirm", TR, "--as", "ana", "--json", *db))
    assert confirmed["verdict"] == "confirmed" and confirmed["reviewer"] == "ana"
    out = run("review", "correct", RU, "--set", "date=2021-03-11", "--set", "scope=", "--reason", "the order's day",
              "--as", "bo", *db)
    assert out.strip().startswith(f"corrected {RU} (review 2 by bo)")
    run("review", "reject", NG, "--reason", "suspended by the company itself", *db)
    run("review", "merge", THREAT, RU, "--reason", "the threat came with the throttling", *db)

    shown = json.loads(run("review", "show", RU, "--json", *db))
    assert shown["event"]["date"] == "2021-03-11" and shown["event"]["scope"] is None
    assert shown["machine_values"] == {"date": "2021-03-10", "scope": "nationwide"}
    assert len(shown["sources"]) == 3  # its two and the threat's
    assert [r["verdict"] for r in shown["reviews"]] == ["corrected"] and shown["reviews"][0]["reviewer"] == "bo"
    text = run("review", "show", RU, *db)
    assert "2021-03-11   (machine: 2021-03-10)" in text

    log = json.loads(run("review", "log", "--json", *db))
    assert [(r["event_id"], r["verdict"]) for r in log] == [
        (THREAT, "merged_into"), (NG, "rejected"), (RU, "corrected"), (TR, "confirmed")]
    assert log[3]["reviewer"] == "ana" and log[2]["changes"] == {"date": "2021-03-11", "scope": None}
    logged = list(csv.DictReader(io.StringIO(run("review", "log", "--csv", "--event", RU, *db))))
    assert len(logged) == 1 and json.loads(logged[0]["changes"]) == {"date": "2021-03-11", "scope": None}

    # rejected and merged events leave the lists and the export, and stay reachable
    listed = {r["id"] for r in json.loads(run("events", "--json", *db))}
    assert NG not in listed and THREAT not in listed and {RU, TR} <= listed
    exported = {r["id"]: r for r in csv.DictReader(io.StringIO(run("export", "events", *db)))}
    assert set(exported) == listed and exported[RU]["review_status"] == "corrected"
    assert json.loads(exported[RU]["machine_values"]) == {"date": "2021-03-10", "scope": "nationwide"}
    everything = {r["id"]: r for r in csv.DictReader(io.StringIO(run("export", "events", "--include-rejected",
                                                                     *db)))}
    assert everything[NG]["review_status"] == "rejected" and everything[THREAT]["merged_into"] == RU
    sources = {r["event_id"] for r in csv.DictReader(io.StringIO(run("export", "sources", *db)))}
    assert NG not in sources
    public = open_db(tdb)
    assert {r["id"] for r in public.query("SELECT id FROM rejected_events")} == {NG, THREAT}
    public.close()


def test_bad_reviews_are_one_line_errors_and_change_nothing(tdb: Path) -> None:
    db = ["--db", str(tdb)]
    run("review", "merge", THREAT, RU, *db)
    before = snapshot(tdb)
    for args, message in [
        (("confirm", "ev-nowhere"), "no event 'ev-nowhere'"),
        (("correct", RU, "--set", "colour=red", "--reason", "x"), "cannot correct 'colour'"),
        (("correct", RU, "--set", "country=XX1", "--reason", "x"), "not an ISO 3166-1"),
        (("correct", RU, "--set", "action=nuke", "--reason", "x"), "must be one of block"),
        (("correct", RU, "--set", "date=2021-13", "--reason", "x"), "expected a real date"),
        (("correct", RU, "--set", "platform=", "--reason", "x"), "an event needs a platform"),
        (("correct", RU, "--set", "date", "--reason", "x"), "expected FIELD=VALUE"),
        (("merge", RU, RU), "cannot merge"),
        (("merge", RU, THREAT), "cannot merge"),  # THREAT stands for RU now
        (("merge", RU, "ev-nowhere"), "no event 'ev-nowhere'"),
        (("confirm", THREAT), f"merged into {RU}"),
    ]:
        out = run("review", *args, *db, code=1)
        assert message in out, (args, out)
        assert out.count("\n") == 1 and "Traceback" not in out
    assert "Missing option '--reason'" in run("review", "reject", RU, *db, code=2)
    assert snapshot(tdb) == before
    assert "no public database" in run("review", "queue", "--db", str(tdb.with_name("typo.db")), code=1)


def test_the_digest_leaves_rejected_events_out(tdb: Path) -> None:
    week = parse_week("2026-W47")
    db = open_db(tdb)
    assert IR in {e.id for e in select_week(db, week, base_url="http://x").events}
    db.close()
    run("review", "reject", IR, "--reason", "not a measure", "--db", str(tdb))
    db = open_db(tdb)
    assert IR not in {e.id for e in select_week(db, week, base_url="http://x").events}
    db.close()


def test_export_gold_writes_reviewed_articles_in_the_corpus_format(tdb: Path, tmp_path: Path) -> None:
    db = ["--db", str(tdb)]
    run("review", "correct", RU, "--set", "actor=Roskomnadzor", "--set", "date=2021-03-11", "--reason", "x", *db)
    run("review", "reject", NG, "--reason", "not a measure", *db)
    out = json.loads(run("export", "gold", str(tmp_path / "gold"), "--json", *db))
    assert out == {"articles": 3, "events": 2, "rejected": 1, "reviewed_events": 2,
                   "path": str(tmp_path / "gold" / "reviewed.jsonl")}
    records = {r["id"]: r for r in load([tmp_path / "gold"])}
    assert set(records) == {"review-1", "review-2", "review-3"}
    wire = records["review-1"]  # the wire story: the throttling (corrected) and a threat nobody reviewed
    assert wire["split"] == "review" and wire["publisher"] == "press" and wire["published"] == "2021-03-10"
    assert [(e["country"], e["platform"], e["action"], e["date"]) for e in wire["events"]] == [
        ("RU", "Twitter", "throttle", "2021-03-11")]
    assert wire["events"][0]["evidence"] in wire["text"] and wire["rejected"] == []
    assert records["review-3"]["events"] == [] and records["review-3"]["rejected"][0]["country"] == "NG"
    check = CliRunner().invoke(main, ["corpus", "check", str(tmp_path / "gold" / "reviewed.jsonl")])
    assert check.exit_code == 0 and "0 error(s)" in check.output, check.output


def test_train_with_reviews_adds_them_and_never_a_dev_or_test_text(tdb: Path, tmp_path: Path) -> None:
    """Trains for real on a small corpus (30 English train texts of the repository's corpus) plus the reviews."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    records = load([Path(__file__).parent.parent / "corpus" / "texts"], split="train", language="en")[:30]
    turkey = dict(records[0], id="dev-copy", split="dev", text=factories.ARTICLES[3][4])  # a dev text...
    with (corpus / "small.jsonl").open("w", encoding="utf-8") as fh:
        for rec in [*records, turkey]:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    run("review", "confirm", TR, "--db", str(tdb))  # ... that is also the article of a reviewed event
    run("review", "confirm", RU, "--db", str(tdb))
    run("export", "gold", str(tmp_path / "gold"), "--db", str(tdb))
    result = CliRunner().invoke(main, ["train", "--corpus", str(corpus), "--with-reviews", str(tmp_path / "gold"),
                                       "--out", str(tmp_path / "model"), "--json"])
    assert result.exit_code == 0, result.output
    assert "left out 1 reviewed text(s) that are dev or test texts: review-4" in result.stderr
    assert "adding 3 reviewed text(s) to the 30 of the train split" in result.stderr
    report = json.loads(result.stdout)
    assert report["documents"] == 33
    assert sorted(p.name for p in (tmp_path / "model").iterdir()) == sorted(MODEL_FILES)
    missing = CliRunner().invoke(main, ["train", "--corpus", str(corpus), "--with-reviews", str(tmp_path / "no"),
                                        "--out", str(tmp_path / "m2")])
    assert missing.exit_code == 2 and "does not exist" in missing.output


def test_reviewed_records_teach_only_the_keys_reviewers_decided() -> None:
    """A review record of the wire story names the throttling (kept) and a block (rejected); its other
    candidates (an unblock, a takedown order nobody looked at) are left out of training, not made negatives."""
    from tracker.extract.train import build

    _aid, _, published, title, text = factories.ARTICLES[0]
    throttle = {"country": "RU", "platform": "Twitter", "action": "throttle", "status": "in_effect", "actor": None,
                "date": None, "scope": None, "justification": None, "justification_category": None,
                "evidence": factories.MENTIONS[0][12]}
    block = {"country": "RU", "platform": "Twitter", "action": "block", "status": "in_effect", "evidence": ""}
    rec = {"id": "review-1", "language": "en", "title": title, "published": published, "text": text,
           "events": [throttle], "rejected": [block], "split": "review"}
    (everything,) = build([{**rec, "split": "train"}])
    (reviewed,) = build([rec])
    keys = {(c.country, c.platform, c.klass) for c in everything.cands}
    assert {("RU", "Twitter", "unblock"), ("RU", "Twitter", "takedown_order")} <= keys
    kept = [((c.country, c.platform, c.klass), y) for c, y in zip(reviewed.cands, reviewed.labels, strict=True)]
    assert {k for k, _ in kept} == {("RU", "Twitter", "throttle"), ("RU", "Twitter", "restrict")}
    assert {k: y for k, y in kept} == {("RU", "Twitter", "throttle"): 1, ("RU", "Twitter", "restrict"): 0}
    # the kept rows are computed as over the whole text: the same features as in the full build
    full_rows = {id(c): r for c, r in zip(everything.cands, everything.rows, strict=True)}
    assert all(r in full_rows.values() for r in reviewed.rows)


def test_a_text_whose_reviews_only_rejected_is_no_negative_document() -> None:
    """The document regression learns whether a text states a measure at all. A reviewed text with a
    confirmed event is a positive; one whose only review rejected the machine's reading is left out (the rest
    of the text was not looked at), while a corpus text without events stays a negative."""
    from tracker.extract.train import build, document_examples

    _aid, _, published, title, text = factories.ARTICLES[0]
    block = {"country": "RU", "platform": "Twitter", "action": "block", "status": "in_effect", "evidence": ""}
    throttle = {"country": "RU", "platform": "Twitter", "action": "throttle", "status": "in_effect",
                "actor": None, "date": None, "scope": None, "justification": None, "justification_category": None,
                "evidence": factories.MENTIONS[0][12]}
    base = {"language": "en", "title": title, "published": published, "text": text}
    refused = {**base, "id": "review-1", "events": [], "rejected": [block], "split": "review"}
    confirmed = {**base, "id": "review-2", "events": [throttle], "rejected": [], "split": "review"}
    negative = {**base, "id": "neg-1", "events": [], "split": "train"}
    docs = build([refused, confirmed, negative])
    assert all(d.cands for d in docs)
    assert [label for _, label in document_examples(docs)] == [True, False]
    assert [doc for doc, _ in document_examples(docs)] == [docs[1].cands[0].doc, docs[2].cands[0].doc]


def test_export_gold_leaves_out_a_threat_merged_into_a_confirmed_measure(tmp_path: Path) -> None:
    """An event's page shows the measure (and its lift), not the threats merged into it, so confirming the
    throttling vouches for the throttling alone: the threat's mention is neither a gold event nor refused."""
    path = factories.write_database(tmp_path / "tracker.db")
    db = open_db(path)
    with db.conn:  # the threat (mention 2, the wire story) merged into the throttling it came before
        db.execute("UPDATE event_sources SET event_id = ? WHERE mention_id = 2", [RU])
    db.close()
    run("review", "confirm", RU, "--db", str(path))
    run("export", "gold", str(tmp_path / "gold"), "--db", str(path))
    wire = {r["id"]: r for r in load([tmp_path / "gold"])}["review-1"]
    assert [(e["platform"], e["action"], e["status"]) for e in wire["events"]] == [
        ("Twitter", "throttle", "in_effect")]
    assert wire["rejected"] == [] and wire["notes"] == f"reviewed events: {RU}"
