"""Merging mentions into events, on real SQLite files, with mention rows written as the extractor would."""

from __future__ import annotations

import pytest

from tracker.events.dates import best_date, gap, span
from tracker.events.mentions import detach_article, normalise, write_mentions
from tracker.events.merge import merge_mention, new_event_id, refresh_event
from tracker.vocabulary import action_class


def add_source(db, name: str, publisher: str, country: str | None = None) -> None:
    db.table("sources").insert({"name": name, "url": f"http://127.0.0.1/{name}.xml", "type": "rss",
                                "publisher": publisher, "country": country}, pk="name", ignore=True)


def add_article(db, aid: int, source: str, published: str, text: str) -> None:
    db.table("articles").insert({"id": aid, "source": source, "url": f"http://127.0.0.1/{source}/{aid}",
                                 "title": text[:40], "text": text, "published": published,
                                 "content_hash": f"h{aid}", "fetched_at": f"{published}T09:00:00Z"})


def read(db, aid: int, *events: dict) -> list[tuple[str | None, bool]]:
    """Write an article's mentions and merge them, in one transaction, as `tracker extract` does."""
    text = db.execute("SELECT text FROM articles WHERE id = ?", [aid]).fetchone()[0]
    with db.atomic():
        rows = [normalise({**e, "evidence": e.get("evidence", text)}, text) for e in events]
        return [merge_mention(db, mid) for mid in write_mentions(db, aid, rows, "test")]


def ev(**kw) -> dict:
    base = {"status": "in_effect", "scope": "nationwide", "confidence": 0.8}
    return {**base, **kw}


@pytest.fixture
def sources(db):
    add_source(db, "wire", "press")
    add_source(db, "daily", "press")
    add_source(db, "rkn", "regulator", "RU")
    add_source(db, "ngo", "ngo")
    return db


def event(db, eid):
    return db.table("events").get(eid)


def test_fold_and_dates():
    assert action_class("block", "threatened") == "threaten"
    assert action_class("ban", "lifted") == "unblock"
    assert action_class("unblock", None) == "unblock"
    assert action_class("ban", "in_effect") == "restrict"
    assert action_class("shutdown", None) == "shutdown"
    assert action_class("nonsense", None) is None
    assert gap(span("2021-03"), span("2021-03-10")) == 0
    assert gap(span("2021-03-10"), span("2021-03-17")) == 7
    assert span("2021-02-30") is None
    assert best_date(["2020-06", "2020-06-29"]) == "2020-06-29"
    assert best_date(["2022-03-04", "2022-02-25", None]) == "2022-02-25"


def test_two_publishers_one_measure_make_one_event_with_two_sources(sources):
    db = sources
    add_article(db, 1, "wire", "2021-03-10", "Roskomnadzor said on Wednesday it had slowed down Twitter.")
    add_article(db, 2, "rkn", "2021-03-11", "Roskomnadzor slowed down Twitter on 10 March, the regulator said.")
    (eid, created), = read(db, 1, ev(country="RU", platform="Twitter", action="throttle", actor="Roskomnadzor",
                                     date="2021-03-10"))
    assert created and eid == "ev-ru-twitter-throttle-2021-03"
    alone = event(db, eid)["confidence"]
    (eid2, created2), = read(db, 2, ev(country="RU", platform="Twitter", action="throttle",
                                       actor="Roskomnadzor", date="2021-03-10"))
    assert (eid2, created2) == (eid, False)
    row = event(db, eid)
    assert (row["n_mentions"], row["n_sources"], row["n_publishers"]) == (2, 2, 2)
    assert row["regulator_confirmed"] == 1
    assert row["confidence"] > alone
    assert row["status"] == "in_effect" and row["date"] == "2021-03-10" and row["action_class"] == "throttle"
    assert row["first_reported"] == "2021-03-10" and row["last_reported"] == "2021-03-11"
    # the regulator's own sentence is the clearest statement
    assert row["evidence"].startswith("Roskomnadzor slowed down Twitter on 10 March")
    pubs = {r["article_id"]: r["publisher"] for r in db.table("event_sources").rows}
    assert pubs == {1: "press", 2: "regulator"}
    assert db.table("events").count == 1


def test_regulator_counts_more_than_a_retelling(sources):
    db = sources
    add_article(db, 1, "wire", "2021-03-10", "Regulators slowed down Twitter.")
    add_article(db, 2, "rkn", "2022-05-10", "We slowed down Telegram.")
    (press_eid, _), = read(db, 1, ev(country="RU", platform="Twitter", action="throttle", date="2021-03-10"))
    (reg_eid, _), = read(db, 2, ev(country="RU", platform="Telegram", action="throttle", date="2022-05-10"))
    assert event(db, reg_eid)["confidence"] > event(db, press_eid)["confidence"]


def test_lift_updates_the_same_event_and_adds_history(sources):
    db = sources
    add_article(db, 1, "wire", "2017-04-29", "Turkey's BTK blocked access to Wikipedia on Saturday.")
    add_article(db, 2, "daily", "2020-01-16", "Access to Wikipedia was restored in Turkey on Wednesday.")
    (eid, _), = read(db, 1, ev(country="TR", platform="Wikipedia", action="block", actor="BTK",
                               date="2017-04-29", justification="national security",
                               justification_category="national_security"))
    (lift_eid, created), = read(db, 2, ev(country="TR", platform="Wikipedia", action="unblock", status="lifted",
                                          date="2020-01-15"))
    assert (lift_eid, created) == (eid, False)
    row = event(db, eid)
    assert row["status"] == "lifted" and row["lifted_date"] == "2020-01-15"
    assert row["action_class"] == "restrict" and row["date"] == "2017-04-29"
    assert row["justification"] == "national security"  # a lift's reasons never replace the measure's
    history = [(h["status"], h["date"]) for h in db.table("event_history").rows_where(
        "event_id = ?", [eid], order_by="id")]
    assert history == [("in_effect", "2017-04-29"), ("lifted", "2020-01-15")]
    # a block reported after the lift is a new measure
    add_article(db, 3, "wire", "2021-05-01", "Turkey blocked Wikipedia again.")
    (again, created), = read(db, 3, ev(country="TR", platform="Wikipedia", action="block", date="2021-05-01"))
    assert created and again != eid


def test_unrelated_measure_in_same_country_stays_separate(sources):
    db = sources
    add_article(db, 1, "wire", "2021-03-10", "Roskomnadzor slowed down Twitter.")
    add_article(db, 2, "daily", "2021-03-12", "Roskomnadzor blocked Facebook.")
    add_article(db, 3, "ngo", "2022-03-11", "Roskomnadzor slowed down Twitter again a year later.")
    (a, _), = read(db, 1, ev(country="RU", platform="Twitter", action="throttle", date="2021-03-10"))
    (b, new_b), = read(db, 2, ev(country="RU", platform="Facebook", action="block", date="2021-03-12"))
    (c, new_c), = read(db, 3, ev(country="RU", platform="Twitter", action="throttle", date="2022-03-11"))
    assert new_b and new_c and len({a, b, c}) == 3
    assert db.table("events").count == 3
    for eid in (a, b, c):
        assert event(db, eid)["n_sources"] == 1


def test_threat_followed_by_the_measure_is_one_event(sources):
    db = sources
    add_article(db, 1, "wire", "2021-03-10", "Roskomnadzor threatened to block Twitter within a month.")
    add_article(db, 2, "daily", "2021-04-20", "Roskomnadzor blocked Twitter on Tuesday.")
    (eid, _), = read(db, 1, ev(country="RU", platform="Twitter", action="block", status="threatened",
                               date="2021-03-10"))
    assert eid == "ev-ru-twitter-threaten-2021-03"
    assert event(db, eid)["status"] == "threatened"
    (same, created), = read(db, 2, ev(country="RU", platform="Twitter", action="block", date="2021-04-20"))
    assert (same, created) == (eid, False)
    row = event(db, eid)
    assert (row["status"], row["action_class"], row["date"]) == ("in_effect", "restrict", "2021-04-20")
    stages = [h["status"] for h in db.table("event_history").rows_where("event_id = ?", [eid], order_by="id")]
    assert stages == ["threatened", "in_effect"]


def test_threat_of_another_measure_stays_apart(sources):
    db = sources
    add_article(db, 1, "wire", "2021-03-10",
                "Roskomnadzor slowed down Twitter. It threatened to block the service entirely.")
    res = read(db, 1, ev(country="RU", platform="Twitter", action="throttle", date="2021-03-10"),
               ev(country="RU", platform="Twitter", action="block", status="threatened", date="2021-03-10"))
    assert [eid for eid, _ in res] == ["ev-ru-twitter-throttle-2021-03", "ev-ru-twitter-threaten-2021-03"]


def test_lift_read_before_its_measure_is_completed_later(sources):
    db = sources
    add_article(db, 1, "wire", "2020-01-16", "Access to Wikipedia was restored in Turkey.")
    add_article(db, 2, "daily", "2020-02-01", "Turkey had blocked Wikipedia in April 2017.")
    (eid, _), = read(db, 1, ev(country="TR", platform="Wikipedia", action="unblock", status="lifted",
                               date="2020-01-15"))
    assert event(db, eid)["action_class"] == "unblock"
    (same, created), = read(db, 2, ev(country="TR", platform="Wikipedia", action="block", date="2017-04"))
    assert (same, created) == (eid, False)
    row = event(db, eid)
    assert (row["status"], row["action_class"], row["date"], row["lifted_date"]) == (
        "lifted", "restrict", "2017-04", "2020-01-15")


def test_lift_goes_to_the_open_measure(sources):
    db = sources
    add_article(db, 1, "wire", "2019-01-01", "Authorities blocked Telegram.")
    add_article(db, 2, "wire", "2019-06-01", "Authorities lifted the Telegram block.")
    add_article(db, 3, "wire", "2020-05-01", "Authorities blocked Telegram again.")
    add_article(db, 4, "wire", "2021-05-01", "Telegram is back.")
    (first, _), = read(db, 1, ev(country="IR", platform="Telegram", action="block", date="2019-01-01"))
    read(db, 2, ev(country="IR", platform="Telegram", action="unblock", status="lifted", date="2019-06-01"))
    (second, _), = read(db, 3, ev(country="IR", platform="Telegram", action="block", date="2020-05-01"))
    (lifted, created), = read(db, 4, ev(country="IR", platform="Telegram", action="unblock", status="lifted",
                                        date="2021-05-01"))
    assert second != first and (lifted, created) == (second, False)
    assert event(db, first)["lifted_date"] == "2019-06-01"
    assert event(db, second)["lifted_date"] == "2021-05-01"


def test_ids_are_stable_and_get_a_suffix_on_collision(sources):
    db = sources
    add_article(db, 1, "wire", "2021-03-25", "Blocked, lifted, blocked again.")
    read(db, 1, ev(country="UZ", platform="Skype", action="block", date="2021-03-01"),
         ev(country="UZ", platform="Skype", action="unblock", status="lifted", date="2021-03-05"))
    add_article(db, 2, "wire", "2021-03-26", "Blocked again.")
    read(db, 2, ev(country="UZ", platform="Skype", action="block", date="2021-03-25"))
    ids = sorted(r["id"] for r in db.table("events").rows)
    assert ids == ["ev-uz-skype-restrict-2021-03", "ev-uz-skype-restrict-2021-03-2"]
    assert new_event_id(db, "IN", "Google Play", "restrict", "2026-11-17") == "ev-in-google-play-restrict-2026-11"


def test_detaching_an_article_recomputes_or_removes_its_events(sources):
    db = sources
    add_article(db, 1, "wire", "2021-03-10", "Roskomnadzor slowed down Twitter.")
    add_article(db, 2, "daily", "2021-03-11", "Twitter was slowed down in Russia.")
    (eid, _), = read(db, 1, ev(country="RU", platform="Twitter", action="throttle", date="2021-03-10"))
    read(db, 2, ev(country="RU", platform="Twitter", action="throttle", date="2021-03-11"))
    with db.atomic():
        for e in detach_article(db, 1):
            refresh_event(db, e)
    row = event(db, eid)
    assert row["n_sources"] == 1 and row["date"] == "2021-03-11"
    assert all(h["mention_id"] is not None for h in db.table("event_history").rows)
    with db.atomic():
        for e in detach_article(db, 2):
            refresh_event(db, e)
    assert db.table("events").count == 0 and db.table("event_history").count == 0


def test_mention_of_an_unknown_service_adds_a_lookup_row(sources):
    db = sources
    add_article(db, 1, "wire", "2023-08-21", "Somalia banned 1XBet.")
    (eid, _), = read(db, 1, ev(country="SO", platform="1XBet", action="ban", status="announced",
                               date="2023-08-20", justification_category="not-a-category"))
    assert db.table("platforms").get("1XBet")["label"] == "1XBet"
    assert event(db, eid)["status"] == "announced"
    assert db.table("mentions").get(1)["justification_category"] is None


@pytest.mark.slow
def test_unclear_gap_is_decided_by_the_evidence(sources):
    db = sources
    add_article(db, 1, "wire", "2022-02-25",
                "Roskomnadzor said it had partially restricted access to Facebook in Russia on Friday.")
    add_article(db, 2, "daily", "2022-03-30",
                "Russia's communications regulator Roskomnadzor has partially restricted access to Facebook.")
    add_article(db, 3, "ngo", "2022-05-12",
                "A Moscow court ordered the company's services banned as extremist activity on Wednesday.")
    (eid, _), = read(db, 1, ev(country="RU", platform="Facebook", action="restrict", actor="Roskomnadzor",
                               date="2022-02-25"))
    (same, created), = read(db, 2, ev(country="RU", platform="Facebook", action="restrict",
                                      actor="Roskomnadzor", date="2022-03-28"))
    assert (same, created) == (eid, False)
    (other, created), = read(db, 3, ev(country="RU", platform="Facebook", action="restrict",
                                       actor="a Moscow court", date="2022-05-11"))
    assert created and other != eid
