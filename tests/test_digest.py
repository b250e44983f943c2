"""Digest: subscribers, the week's selection, the message and the CLI, on a real test database."""

from __future__ import annotations

import email
import email.policy
import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.factories import add_multilingual_week, populate
from tracker.cli import main
from tracker.digest.chart import counts_by_day, render_chart
from tracker.digest.compose import compose_digest
from tracker.digest.run import run_digest
from tracker.digest.select import (
    Week,
    WeekError,
    event_url,
    last_full_week,
    parse_week,
    select_week,
)
from tracker.digest.subscribers import (
    SubscriberError,
    add_subscriber,
    list_subscribers,
    remove_subscriber,
)
from tracker.settings import Settings

W47 = Week(2026, 47)
BASE = "http://datasette.test"


def week_changes(db) -> None:
    """Changes in 2026-W47 on top of the factory's two new events.

    NG Twitter is lifted (a new article, whose title carries markup, shows it); RU throttling gains a
    regulator source; the RU threat is carried out; a PK block reported on Friday of W46 is only crawled
    on Tuesday of W47; and two back-filled rows recorded that week describe old facts, which must not count.
    """
    db.table("articles").insert_all([
        {"id": 8, "source": "ngo", "url": "http://127.0.0.1/ngo/8", "title": "Twitter <script>alert('x')</script> is back",
         "text": "Nigeria lifted the Twitter suspension on Friday.", "published": "2026-11-20", "language": "en",
         "content_hash": "hash-8", "fetched_at": "2026-11-20T09:00:00Z", "extractor_version": "test"},
        {"id": 9, "source": "rkn", "url": "http://127.0.0.1/rkn/9", "title": "Throttling of Twitter continues",
         "text": "Roskomnadzor said the slowdown of Twitter continues.", "published": "2026-11-21",
         "language": "en", "content_hash": "hash-9", "fetched_at": "2026-11-21T09:00:00Z",
         "extractor_version": "test"},
        {"id": 10, "source": "wire", "url": "http://127.0.0.1/wire/10", "title": "Archive: Wikipedia block",
         "text": "Turkey blocked Wikipedia in 2017.", "published": "2019-05-01", "language": "en",
         "content_hash": "hash-10", "fetched_at": "2026-11-17T09:00:00Z", "extractor_version": "test"},
        {"id": 11, "source": "wire", "url": "http://127.0.0.1/wire/11", "title": "Pakistan blocks X",
         "text": "The PTA blocked X nationwide on Friday.", "published": "2026-11-13", "language": "en",
         "content_hash": "hash-11", "fetched_at": "2026-11-17T09:00:00Z", "extractor_version": "test"},
    ])
    base = {"position": 0, "scope": "nationwide", "confidence": 0.8, "extractor_version": "test",
            "created_at": "2026-11-20T00:00:00Z", "evidence_start": 0}
    db.table("mentions").insert_all([
        {**base, "id": 9, "article_id": 8, "country": "NG", "platform": "Twitter", "action": "unblock",
         "action_class": "unblock", "status": "lifted", "date": "2026-11-20",
         "evidence": "Nigeria lifted the Twitter suspension on Friday.", "evidence_end": 48},
        {**base, "id": 10, "article_id": 9, "country": "RU", "platform": "Twitter", "action": "throttle",
         "action_class": "throttle", "status": "in_effect", "date": "2026-11-21",
         "evidence": "Roskomnadzor said the slowdown of Twitter continues.", "evidence_end": 51},
        {**base, "id": 11, "article_id": 10, "country": "TR", "platform": "Wikipedia", "action": "block",
         "action_class": "restrict", "status": "in_effect", "date": "2017",
         "evidence": "Turkey blocked Wikipedia in 2017.", "evidence_end": 33},
        {**base, "id": 12, "article_id": 11, "country": "PK", "platform": "Twitter", "action": "block",
         "action_class": "restrict", "status": "in_effect", "date": "2026-11-13",
         "evidence": "The PTA blocked X nationwide on Friday.", "evidence_end": 38},
    ])
    db.table("events").insert({
        "id": "ev-pk-twitter-restrict-2026-11", "country": "PK", "platform": "Twitter", "action": "block",
        "action_class": "restrict", "status": "in_effect", "date": "2026-11-13", "first_reported": "2026-11-13",
        "last_reported": "2026-11-13", "actor": "PTA", "n_mentions": 1, "n_sources": 1, "n_publishers": 1,
        "updated_at": "2026-11-17T10:00:00Z"})
    db.table("events").update("ev-ng-twitter-restrict-2021-06", {
        "status": "lifted", "lifted_date": "2026-11-20", "last_reported": "2026-11-20", "n_sources": 2,
        "updated_at": "2026-11-20T10:00:00Z"})
    db.table("events").update("ev-ru-twitter-throttle-2021-03", {
        "last_reported": "2026-11-21", "n_sources": 3, "regulator_confirmed": 1,
        "updated_at": "2026-11-21T10:00:00Z"})
    db.table("events").update("ev-tr-wikipedia-restrict-2017-04", {"n_sources": 3, "updated_at": "2026-11-17T10:00:00Z"})
    db.table("events").update("ev-ru-twitter-threaten-2021-03", {
        "action": "block", "status": "in_effect", "updated_at": "2026-11-19T10:00:00Z"})
    db.table("event_sources").insert_all([
        {"event_id": "ev-ng-twitter-restrict-2021-06", "mention_id": 9, "article_id": 8, "publisher": "ngo",
         "added_at": "2026-11-20T10:00:00Z"},
        {"event_id": "ev-ru-twitter-throttle-2021-03", "mention_id": 10, "article_id": 9, "publisher": "regulator",
         "added_at": "2026-11-21T10:00:00Z"},
        {"event_id": "ev-tr-wikipedia-restrict-2017-04", "mention_id": 11, "article_id": 10, "publisher": "press",
         "added_at": "2026-11-17T10:00:00Z"},
        {"event_id": "ev-pk-twitter-restrict-2026-11", "mention_id": 12, "article_id": 11, "publisher": "press",
         "added_at": "2026-11-17T10:00:00Z"},
    ])
    db.table("event_history").insert_all([
        {"event_id": "ev-ng-twitter-restrict-2021-06", "status": "lifted", "date": "2026-11-20", "mention_id": 9,
         "recorded_at": "2026-11-20T10:00:00Z"},
        # a back-filled lift from 2020 recorded this week: old news, not a change of this week
        {"event_id": "ev-tr-wikipedia-restrict-2017-04", "status": "lifted", "date": "2020-01", "mention_id": 6,
         "recorded_at": "2026-11-17T10:00:00Z"},
        # the threat is carried out (the mention is the factory's own; only the stage matters here)
        {"event_id": "ev-ru-twitter-threaten-2021-03", "status": "in_effect", "date": "2026-11-19", "mention_id": 2,
         "recorded_at": "2026-11-19T10:00:00Z"},
        # the PK block's first stage: not a change
        {"event_id": "ev-pk-twitter-restrict-2026-11", "status": "in_effect", "date": "2026-11-13",
         "mention_id": 12, "recorded_at": "2026-11-17T10:00:00Z"},
    ])


@pytest.fixture
def week_db(db):
    populate(db)
    week_changes(db)
    return db


def settings(**kw) -> Settings:
    values = {"base_url": BASE, "mail_from": "tracker digest <digest@tracker.test>", "smtp_host": "127.0.0.1",
              "smtp_port": 25, "smtp_security": "none", "smtp_user": "", "smtp_password": "",
              "digest_skip_empty": False}
    values.update(kw)
    return Settings(**values)


# ---- weeks -------------------------------------------------------------------


@pytest.mark.parametrize("text", ["2026-W47", "2026W47", "2026-w47", " 2026-W47 "])
def test_parse_week_accepts_iso_forms(text):
    week = parse_week(text)
    assert week == W47 and str(week) == "2026-W47"
    assert week.start == date(2026, 11, 16) and week.end == date(2026, 11, 23)


@pytest.mark.parametrize("text", ["2026-47", "W47", "2026-W54", "2025-W53", "last week", ""])
def test_parse_week_rejects_others(text):
    with pytest.raises(WeekError, match="ISO week|has no ISO week"):
        parse_week(text)


def test_last_full_week():
    assert last_full_week(date(2026, 11, 25)) == W47  # a Wednesday of W48
    assert last_full_week(date(2026, 11, 23)) == W47  # Monday of W48: W47 just ended
    assert last_full_week(date(2026, 11, 22)) == Week(2026, 46)  # Sunday of W47: not over yet
    assert str(last_full_week(date(2027, 1, 4))) == "2026-W53"


def test_event_url_is_the_datasette_row_page():
    assert event_url(BASE + "/", "ev-ru-twitter-throttle-2021-03") == \
        BASE + "/tracker/events/ev-ru-twitter-throttle-2021-03"
    assert event_url(BASE, "a b/c.d") == BASE + "/tracker/events/a+b~2Fc~2Ed"


# ---- selection -----------------------------------------------------------------


def test_factory_week_has_its_two_new_events(db):
    populate(db)
    sel = select_week(db, W47, base_url=BASE)
    assert [(e.id, e.change) for e in sel.events] == [
        ("ev-in-google-play-restrict-2026-11", "new"), ("ev-ir-telegram-restrict-2026-11", "new")]
    assert select_week(db, Week(2026, 46), base_url=BASE).events == []


def test_selection_new_lifted_more_sources_and_not_backfill(week_db):
    sel = select_week(week_db, W47, base_url=BASE)
    got = {e.id: e for e in sel.events}
    assert {k: e.change for k, e in got.items()} == {
        "ev-in-google-play-restrict-2026-11": "new",
        "ev-ir-telegram-restrict-2026-11": "new",
        "ev-ng-twitter-restrict-2021-06": "lifted",
        "ev-ru-twitter-threaten-2021-03": "status",
        "ev-pk-twitter-restrict-2026-11": "found",
        "ev-ru-twitter-throttle-2021-03": "sources",
    }
    assert got["ev-ru-twitter-threaten-2021-03"].change_label == "now in effect"
    assert got["ev-pk-twitter-restrict-2026-11"].change_label == "newly found"
    assert got["ev-pk-twitter-restrict-2026-11"].change_day == date(2026, 11, 17)
    # the 2017 block with a 2020 lift recorded this week and a 2019 article added this week is old news
    assert "ev-tr-wikipedia-restrict-2017-04" not in got
    ng = got["ev-ng-twitter-restrict-2021-06"]
    assert ng.change_day == date(2026, 11, 20) and ng.status == "lifted" and ng.n_sources == 2
    ru = got["ev-ru-twitter-throttle-2021-03"]
    # regulator's statement is listed first; never more than three links
    assert ru.sources[0].publisher == "regulator" and len(ru.sources) <= 3
    assert ru.url == BASE + "/tracker/events/ev-ru-twitter-throttle-2021-03"
    summary = sel.summary
    assert summary["n_events"] == 6 and summary["n_countries"] == 5
    assert dict(summary["by_action"]) == {"block": 4, "ban": 1, "throttle": 1}
    assert summary["by_change"] == [("new", 2), ("lifted", 1), ("status", 1), ("found", 1), ("sources", 1)]
    assert summary["top_countries"][0] == ("RU", "Russia", 2)


def test_a_stage_recorded_again_is_not_a_change(week_db):
    """The events store re-inserts history rows when mentions move; only a move to a later stage counts."""
    week_db.table("event_history").insert({
        "event_id": "ev-ng-twitter-restrict-2021-06", "status": "in_effect", "date": "2026-11-19",
        "mention_id": 4, "recorded_at": "2026-11-21T10:00:00Z"})
    week_db.execute("delete from event_history where event_id = 'ev-ng-twitter-restrict-2021-06' "
                    "and status = 'lifted'")
    week_db.table("event_history").insert({
        "event_id": "ev-ng-twitter-restrict-2021-06", "status": "lifted", "date": "2026-11-09",
        "mention_id": 9, "recorded_at": "2026-11-10T10:00:00Z"})  # lifted in W46, before the row above
    got = {e.id: e.change for e in select_week(week_db, W47, base_url=BASE).events}
    assert got["ev-ng-twitter-restrict-2021-06"] == "sources"  # its new W47 article, not "now in effect"


def test_found_late_only_when_recent(week_db):
    week_db.table("events").update("ev-pk-twitter-restrict-2026-11", {"first_reported": "2026-09-30"})
    week_db.table("articles").update(11, {"published": "2026-09-30"})
    got = {e.id for e in select_week(week_db, W47, base_url=BASE).events}
    assert "ev-pk-twitter-restrict-2026-11" not in got  # more than four weeks old when found: back-fill


def test_new_event_lists_countries_where_the_measure_came_first(week_db):
    week_db.table("events").insert({
        "id": "ev-tr-telegram-restrict-2026-11", "country": "TR", "platform": "Telegram", "action": "block",
        "action_class": "restrict", "status": "announced", "date": "2026-11-21", "first_reported": "2026-11-21",
        "last_reported": "2026-11-21", "n_sources": 0, "updated_at": "2026-11-21T10:00:00Z"})
    sel = select_week(week_db, W47, base_url=BASE)
    tr = next(e for e in sel.events if e.id == "ev-tr-telegram-restrict-2026-11")
    assert tr.also_in == ("IR",) and tr.sources == ()


def test_filters_and_grouping(week_db, private):
    sub, _ = add_subscriber(private, "ng@example.org", countries=["ng", "IN"])
    sel = select_week(week_db, W47, base_url=BASE).filtered(sub)
    assert {e.country for e in sel.events} == {"NG", "IN"}
    assert [g.code for g in sel.groups] == ["IN", "NG"]  # one each: alphabetical by name
    tw, _ = add_subscriber(private, "tw@example.org", platforms=["x"])
    assert {e.id for e in select_week(week_db, W47, base_url=BASE).filtered(tw).events} == {
        "ev-ng-twitter-restrict-2021-06", "ev-ru-twitter-throttle-2021-03", "ev-ru-twitter-threaten-2021-03",
        "ev-pk-twitter-restrict-2026-11"}


def test_chart_counts_and_png(week_db):
    sel = select_week(week_db, W47, base_url=BASE)
    counts = counts_by_day(sel)
    assert counts["block"] == [0, 1, 1, 2, 0, 0, 0]  # Tue 17 (PK found), Wed 18 (IN), Thu 19 (IR, RU)
    assert counts["ban"][4] == 1 and counts["throttle"][5] == 1  # Fri lifted, Sat new source
    png = render_chart(sel)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 1000


# ---- subscribers ------------------------------------------------------------------


def test_subscribers_add_update_list_remove(private):
    sub, created = add_subscriber(private, " Ann@Example.ORG ", countries=["ru", "TR", "RU"], platforms=["telegram"])
    assert created and sub.email == "Ann@example.org"
    assert sub.countries == ("RU", "TR") and sub.platforms == ("Telegram",) and len(sub.token) >= 20
    again, created = add_subscriber(private, "ann@example.org", countries=["IR"])
    assert not created and again.id == sub.id and again.token == sub.token and again.countries == ("IR",)
    assert [s.email for s in list_subscribers(private)] == ["Ann@example.org"]
    other, _ = add_subscriber(private, "bo@example.org")
    assert remove_subscriber(private, token=other.token)
    assert remove_subscriber(private, "ANN@example.org") and not remove_subscriber(private, "ann@example.org")
    assert list_subscribers(private) == []


def test_language_filter_keeps_events_read_in_those_languages(week_db, private):
    ids = add_multilingual_week(week_db)
    sub, _ = add_subscriber(private, "ru-ar@example.org", languages=["RU", "ar", "ru"])
    assert sub.languages == ("ru", "ar")
    assert json.loads(private.table("subscribers").get(sub.id)["languages"]) == ["ru", "ar"]
    week = select_week(week_db, W47, base_url=BASE)
    assert {e.id: e.language for e in week.events if e.id in ids} == {
        "ev-ru-signal-restrict-2026-11": "ru", "ev-eg-telegram-restrict-2026-11": "ar",
        "ev-tr-discord-restrict-2026-11": "tr"}
    mine = week.filtered(sub)
    assert {e.id for e in mine.events} == {"ev-ru-signal-restrict-2026-11", "ev-eg-telegram-restrict-2026-11"}
    both, _ = add_subscriber(private, "tr-telegram@example.org", languages=["tr"], platforms=["Telegram"])
    assert week.filtered(both).events == []  # filters combine: Turkish and about Telegram
    english, _ = add_subscriber(private, "en@example.org", languages=["en"])
    assert {e.language for e in week.filtered(english).events} == {"en"}
    week_db.execute("update events set language = null where id = 'ev-ng-twitter-restrict-2021-06'")
    unknown = select_week(week_db, W47, base_url=BASE)
    assert "ev-ng-twitter-restrict-2021-06" in {e.id for e in unknown.events}
    assert "ev-ng-twitter-restrict-2021-06" not in {e.id for e in unknown.filtered(english).events}


@pytest.mark.parametrize(("kw", "message"), [
    ({"email": "not-an-address"}, "not an email address"),
    ({"email": "a@b.org", "countries": ["ZZ"]}, "unknown country code 'ZZ'"),
    ({"email": "a@b.org", "platforms": ["Myspace2"]}, "unknown platform 'Myspace2'"),
    ({"email": "a@b.org", "languages": ["ru", "xx"]}, "unknown language 'xx' .*ar, en, es, fa, fr, id, pt, ru, tr"),
    ({"email": "a@b.org", "languages": ["russian"]}, "unknown language 'russian'"),
])
def test_subscriber_errors_name_the_bad_value(private, kw, message):
    with pytest.raises(SubscriberError, match=message):
        add_subscriber(private, **kw)
    assert list_subscribers(private) == []


# ---- message ---------------------------------------------------------------------


def test_message_parts_escaping_and_unsubscribe(week_db, private):
    sub, _ = add_subscriber(private, "all@example.org")
    sel = select_week(week_db, W47, base_url=BASE)
    msg = compose_digest(sel, sub, settings())
    parsed = email.message_from_bytes(msg.as_bytes(), policy=email.policy.default)
    assert parsed.get_content_type() == "multipart/alternative"
    assert parsed["Subject"] == "tracker weekly digest 2026-W47: 6 events in 5 countries"
    assert parsed["To"] == "all@example.org" and parsed["From"].addresses[0].addr_spec == "digest@tracker.test"
    assert sub.token in parsed["List-Unsubscribe"]
    text = parsed.get_body(("plain",)).get_content()
    html = parsed.get_body(("html",)).get_content()
    assert "Twitter <script>alert('x')</script> is back" in text  # plain text keeps it as text
    assert "<script>" not in html and "Twitter &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; is back" in html
    assert 'href="' + BASE + '/tracker/events/ev-ng-twitter-restrict-2021-06"' in html
    assert f"unsubscribe%20{sub.token}" in html and sub.token in text
    related = parsed.get_payload()[1]
    assert related.get_content_type() == "multipart/related"
    image = related.get_payload()[1]
    assert image.get_content_type() == "image/png"
    assert f'src="cid:{image["Content-ID"].strip().strip("<>")}"' in html


def test_empty_week_says_so_briefly(week_db, private):
    sub, _ = add_subscriber(private, "quiet@example.org", countries=["BR"])
    sel = select_week(week_db, W47, base_url=BASE).filtered(sub)
    msg = compose_digest(sel, sub, settings())
    assert msg["Subject"].endswith("nothing new")
    assert "Nothing new or changed for your filters this week." in msg.get_body(("plain",)).get_content()
    assert not [p for p in msg.walk() if p.get_content_maintype() == "image"]


def test_only_web_links_become_links(week_db, private):
    week_db.table("articles").update(9, {"url": "javascript:alert(1)"})
    sub, _ = add_subscriber(private, "all@example.org")
    html = compose_digest(select_week(week_db, W47, base_url=BASE), sub, settings()).get_body(("html",)).get_content()
    assert "javascript:" not in html and "Throttling of Twitter continues" in html


# ---- preview --------------------------------------------------------------------------


def test_preview_writes_eml_and_records_nothing(week_db, private, tmp_path):
    add_subscriber(private, "all@example.org")
    add_subscriber(private, "ir@example.org", countries=["IR"])
    run = run_digest(week_db, private, week=W47, mode="preview", out_dir=tmp_path / "out", settings=settings())
    files = sorted((tmp_path / "out").glob("*.eml"))
    assert [f.name for f in files] == ["2026-W47-0001-all_example.org.eml", "2026-W47-0002-ir_example.org.eml"]
    ir = email.message_from_bytes(files[1].read_bytes(), policy=email.policy.default)
    assert ir["Subject"] == "tracker weekly digest 2026-W47: 1 event in 1 country"
    assert run.counts == {"preview": 2} and private.table("digests").count == 0


def test_preview_without_subscribers_writes_one_unfiltered_digest(week_db, private, tmp_path):
    run = run_digest(week_db, private, week=W47, mode="preview", out_dir=tmp_path, settings=settings())
    assert [r.email for r in run.results] == ["preview@localhost"] and run.results[0].n_events == 6
    assert len(list(tmp_path.glob("*.eml"))) == 1


# ---- CLI ------------------------------------------------------------------------------


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_cli_subscribers(db_path):
    d = ["--db", str(db_path)]
    r = invoke("subscribers", "add", "ann@example.org", *d)
    assert r.exit_code == 1 and "no public database" in r.output  # a typo in --db creates nothing
    assert not db_path.exists()
    assert invoke("init", *d).exit_code == 0
    r = invoke("subscribers", "add", "ann@example.org", "--country", "RU", "--country", "tr",
               "--platform", "Telegram", *d)
    assert r.exit_code == 0 and "added ann@example.org (RU, TR, Telegram)" in r.output
    r = invoke("subscribers", "list", "--json", *d)
    assert json.loads(r.output)[0]["countries"] == ["RU", "TR"]
    r = invoke("subscribers", "add", "bob@example.org", "--country", "XX", *d)
    assert r.exit_code == 1 and "unknown country code 'XX'" in r.output
    r = invoke("subscribers", "add", "cy@example.org", "--language", "ru", "--language", "AR", *d)
    assert r.exit_code == 0 and "added cy@example.org (ru, ar)" in r.output
    r = invoke("subscribers", "list", *d)
    assert "cy@example.org\tcountries: all\tplatforms: all\tlanguages: ru,ar\t" in r.output
    assert "ann@example.org\tcountries: RU,TR\tplatforms: Telegram\tlanguages: all\t" in r.output
    r = invoke("subscribers", "add", "cy@example.org", "--language", "de", *d)
    assert r.exit_code == 1 and "unknown language 'de'" in r.output
    assert json.loads(invoke("subscribers", "list", "--json", *d).output)[1]["languages"] == ["ru", "ar"]
    assert invoke("subscribers", "remove", "cy@example.org", *d).exit_code == 0
    assert invoke("subscribers", "remove", "ann@example.org", *d).exit_code == 0
    r = invoke("subscribers", "remove", "ann@example.org", *d)
    assert r.exit_code == 1 and "no subscriber ann@example.org" in r.output


def test_cli_digest_errors_and_preview(db_path, tmp_path, monkeypatch):
    from tracker.db import open_db

    db = open_db(db_path, create=True)
    populate(db)
    db.close()
    d = ["--db", str(db_path)]
    r = invoke("digest", "--week", "2026-W47", "--send", *d)
    assert r.exit_code == 1 and "no private database" in r.output  # nobody subscribed: nothing sent, loudly
    assert invoke("subscribers", "add", "ir@example.org", "--country", "IR", *d).exit_code == 0
    r = invoke("digest", "--week", "2026-W60", *d)
    assert r.exit_code == 1 and "has no ISO week 60" in r.output
    r = invoke("digest", "--week", "47", *d)
    assert r.exit_code == 1 and "not an ISO week: '47'" in r.output
    r = invoke("digest", "--send", "--out", str(tmp_path), *d)
    assert r.exit_code == 1 and "either --send or --out" in r.output
    r = invoke("digest", "--week", "2099-W01", "--send", *d)
    assert r.exit_code == 1 and "week 2099-W01 is not over until 2099-01-05" in r.output
    r = invoke("digest", "--week", "2026-W47", *d, "--json")
    assert json.loads(r.output)["results"][0] == {
        "subscriber_id": 1, "email": "ir@example.org", "status": "pending", "n_events": 1, "attempts": 0,
        "error": "", "message_id": "", "path": ""}
    monkeypatch.setenv("TRACKER_BASE_URL", "https://tracker.example.net/")
    r = invoke("digest", "--week", "2026-W47", "--out", str(tmp_path / "eml"), *d)
    assert r.exit_code == 0, r.output
    (eml,) = (tmp_path / "eml").glob("*.eml")
    msg = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert "https://tracker.example.net/tracker/events/ev-ir-telegram-restrict-2026-11" in \
        msg.get_body(("plain",)).get_content()
    assert Path(eml).stat().st_size > 1000
