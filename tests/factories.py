"""A small, realistic tracker database for tests of the later stages.

Rows go in through the same sqlite-utils tables the pipeline writes, so the
tests of serving, digests and exports read what a real run leaves behind.
The facts mirror real measures (Russia throttling Twitter in March 2021,
Nigeria's Twitter suspension, Turkey's Wikipedia block and its lift), plus a
few rows made to test escaping and odd text.
"""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

SOURCES = [
    {"name": "rkn", "url": "http://127.0.0.1/rkn.xml", "type": "rss", "publisher": "regulator", "country": "RU",
     "language": "ru", "tags": "[]", "enabled": 1, "poll_minutes": 60},
    {"name": "wire", "url": "http://127.0.0.1/wire.xml", "type": "rss", "publisher": "press", "country": None,
     "language": "en", "tags": "[\"tech-policy\"]", "enabled": 1, "poll_minutes": 30},
    {"name": "ngo", "url": "http://127.0.0.1/ngo.xml", "type": "atom", "publisher": "ngo", "country": None,
     "language": "en", "tags": "[]", "enabled": 1, "poll_minutes": 120},
]

# (id, source, published, title, text)
ARTICLES = [
    (1, "wire", "2021-03-10", "Russia slows down Twitter",
     ("Roskomnadzor said on Wednesday it had slowed down Twitter on all mobile devices, citing its failure "
     "to remove banned content. It threatened to block the service entirely.")),
    (2, "rkn", "2021-03-10", "Роскомнадзор замедлил Twitter",
     "Roskomnadzor slowed down Twitter, \"protecting Russian citizens\", the regulator said."),
    (3, "ngo", "2021-06-05", "Nigeria suspends Twitter <script>alert(1)</script>",
     ("The federal government suspended Twitter's operations in Nigeria on Friday, citing activities capable "
     "of undermining Nigeria's corporate existence.")),
    (4, "wire", "2017-04-29", "Turkey blocks Wikipedia",
     "Turkey's BTK blocked access to Wikipedia on Saturday, citing national security."),
    (5, "wire", "2020-01-16", "Wikipedia is back in Turkey",
     "Access to Wikipedia was restored in Turkey on Wednesday after the Constitutional Court ruling."),
    (6, "wire", "2026-11-18", "India bans gaming apps, again",
     ("MeitY blocked 12 apps, among them a game, on Tuesday, saying they were \"prejudicial to sovereignty\".\n"
     "Users reported errors within hours.")),
    (7, "ngo", "2026-11-19", "Iran blocks Telegram during protests",
     "Iranian authorities blocked Telegram on Wednesday as protests spread; =HYPERLINK(\"x\") trick seen."),
]

# (id, article_id, country, platform, action, action_class, status, actor, date, scope, justification, category,
#  evidence)
MENTIONS = [
    (1, 1, "RU", "Twitter", "throttle", "throttle", "in_effect", "Roskomnadzor", "2021-03-10", "nationwide",
     "its failure to remove banned content", "legal_noncompliance",
     ("Roskomnadzor said on Wednesday it had slowed down Twitter on all mobile devices, citing its failure to "
     "remove banned content.")),
    (2, 1, "RU", "Twitter", "block", "threaten", "threatened", "Roskomnadzor", "2021-03-10", "nationwide", None,
     None, "It threatened to block the service entirely."),
    (3, 2, "RU", "Twitter", "throttle", "throttle", "in_effect", "Roskomnadzor", "2021-03-10", "nationwide",
     "protecting Russian citizens", "other",
     "Roskomnadzor slowed down Twitter, \"protecting Russian citizens\", the regulator said."),
    (4, 3, "NG", "Twitter", "ban", "restrict", "in_effect", "The federal government", "2021-06-04", "nationwide",
     "activities capable of undermining Nigeria's corporate existence", "national_security",
     ("The federal government suspended Twitter's operations in Nigeria on Friday, citing activities capable "
     "of undermining Nigeria's corporate existence.")),
    (5, 4, "TR", "Wikipedia", "block", "restrict", "in_effect", "BTK", "2017-04-29", "nationwide",
     "national security", "national_security",
     "Turkey's BTK blocked access to Wikipedia on Saturday, citing national security."),
    (6, 5, "TR", "Wikipedia", "unblock", "unblock", "lifted", None, "2020-01-15", "nationwide", None, None,
     "Access to Wikipedia was restored in Turkey on Wednesday after the Constitutional Court ruling."),
    (7, 6, "IN", "Google Play", "block", "restrict", "in_effect", "MeitY", "2026-11-17", "nationwide",
     "prejudicial to sovereignty", "national_security",
     "MeitY blocked 12 apps, among them a game, on Tuesday, saying they were \"prejudicial to sovereignty\"."),
    (8, 7, "IR", "Telegram", "block", "restrict", "in_effect", "Iranian authorities", "2026-11-18", "nationwide",
     "=HYPERLINK(\"x\")", "protests_unrest",
     "Iranian authorities blocked Telegram on Wednesday as protests spread; =HYPERLINK(\"x\") trick seen."),
]

# (id, country, platform, action, action_class, status, date, lifted_date, first, last, actor, justification,
#  category, evidence, mention ids, updated_at)
EVENTS = [
    ("ev-ru-twitter-throttle-2021-03", "RU", "Twitter", "throttle", "throttle", "in_effect", "2021-03-10", None,
     "2021-03-10", "2021-03-10", "Roskomnadzor", "its failure to remove banned content", "legal_noncompliance",
     MENTIONS[0][12], [1, 3], "2021-03-10T12:00:00Z"),
    ("ev-ru-twitter-threaten-2021-03", "RU", "Twitter", "block", "threaten", "threatened", "2021-03-10", None,
     "2021-03-10", "2021-03-10", "Roskomnadzor", None, None, MENTIONS[1][12], [2], "2021-03-10T12:00:00Z"),
    ("ev-ng-twitter-restrict-2021-06", "NG", "Twitter", "ban", "restrict", "in_effect", "2021-06-04", None,
     "2021-06-05", "2021-06-05", "The federal government", MENTIONS[3][10], "national_security",
     MENTIONS[3][12], [4], "2021-06-05T09:00:00Z"),
    ("ev-tr-wikipedia-restrict-2017-04", "TR", "Wikipedia", "block", "restrict", "lifted", "2017-04-29",
     "2020-01-15", "2017-04-29", "2020-01-16", "BTK", "national security", "national_security",
     MENTIONS[4][12], [5, 6], "2020-01-16T08:00:00Z"),
    ("ev-in-google-play-restrict-2026-11", "IN", "Google Play", "block", "restrict", "in_effect", "2026-11-17",
     None, "2026-11-18", "2026-11-18", "MeitY", "prejudicial to sovereignty", "national_security",
     MENTIONS[6][12], [7], "2026-11-18T10:00:00Z"),
    ("ev-ir-telegram-restrict-2026-11", "IR", "Telegram", "block", "restrict", "in_effect", "2026-11-18", None,
     "2026-11-19", "2026-11-19", "Iranian authorities", "=HYPERLINK(\"x\")", "protests_unrest",
     MENTIONS[7][12], [8], "2026-11-19T10:00:00Z"),
]

HISTORY = [
    ("ev-ru-twitter-throttle-2021-03", "in_effect", "2021-03-10", 1, "2021-03-10T12:00:00Z"),
    ("ev-ru-twitter-threaten-2021-03", "threatened", "2021-03-10", 2, "2021-03-10T12:00:00Z"),
    ("ev-ng-twitter-restrict-2021-06", "in_effect", "2021-06-04", 4, "2021-06-05T09:00:00Z"),
    ("ev-tr-wikipedia-restrict-2017-04", "in_effect", "2017-04-29", 5, "2017-04-29T10:00:00Z"),
    ("ev-tr-wikipedia-restrict-2017-04", "lifted", "2020-01-15", 6, "2020-01-16T08:00:00Z"),
    ("ev-in-google-play-restrict-2026-11", "in_effect", "2026-11-17", 7, "2026-11-18T10:00:00Z"),
    ("ev-ir-telegram-restrict-2026-11", "in_effect", "2026-11-18", 8, "2026-11-19T10:00:00Z"),
]


def write_database(path: Path) -> Path:
    """Create the tracker database file `path` (through open_db, as a run would) holding the rows above."""
    from tracker.db import open_db

    db = open_db(path, create=True)
    populate(db)
    db.close()
    return path


def populate(db: sqlite_utils.Database) -> None:
    """Fill an opened (migrated) tracker database with the rows above."""
    db.table("sources").insert_all(SOURCES, pk="name")
    publisher = {s["name"]: s["publisher"] for s in SOURCES}
    source_of = {}
    for aid, source, published, title, text in ARTICLES:
        source_of[aid] = source
        db.table("articles").insert({
            "id": aid, "source": source, "url": f"http://127.0.0.1/{source}/{aid}", "original_url": None,
            "title": title, "text": text, "author": None, "published": published, "language": "en",
            "content_hash": f"hash-{aid}", "raw_html": None, "fetched_at": f"{published}T08:00:00Z",
            "extractor_version": "test",
        })
    text_of = {a[0]: a[4] for a in ARTICLES}
    for (mid, aid, country, platform, action, klass, status, actor, date, scope, just, cat, evidence) in MENTIONS:
        start = text_of[aid].find(evidence)
        assert start >= 0, f"evidence of mention {mid} is not in article {aid}"
        db.table("mentions").insert({
            "id": mid, "article_id": aid, "position": 0, "country": country, "platform": platform,
            "action": action, "action_class": klass, "status": status, "actor": actor, "date": date,
            "scope": scope, "justification": just, "justification_category": cat, "evidence": evidence,
            "evidence_start": start, "evidence_end": start + len(evidence), "confidence": 0.8,
            "extractor_version": "test", "created_at": "2026-11-20T00:00:00Z", "language": "en",
        })
    article_of = {m[0]: m[1] for m in MENTIONS}
    for (eid, country, platform, action, klass, status, date, lifted, first, last, actor, just, cat, evidence,
         mids, updated) in EVENTS:
        publishers = {source_of[article_of[m]] for m in mids}
        db.table("events").insert({
            "id": eid, "country": country, "platform": platform, "action": action, "action_class": klass,
            "status": status, "date": date, "lifted_date": lifted, "first_reported": first,
            "last_reported": last, "actor": actor, "scope": "nationwide", "justification": just,
            "justification_category": cat, "evidence": evidence, "n_mentions": len(mids),
            "n_sources": len({article_of[m] for m in mids}), "n_publishers": len(publishers),
            "regulator_confirmed": int(any(publisher[p] == "regulator" for p in publishers)),
            "confidence": min(0.5 + 0.2 * len(publishers), 0.95), "updated_at": updated, "language": "en",
        })
        for m in mids:
            db.table("event_sources").insert({
                "event_id": eid, "mention_id": m, "article_id": article_of[m],
                "publisher": publisher[source_of[article_of[m]]], "added_at": updated,
            })
    for eid, status, date, mid, recorded in HISTORY:
        db.table("event_history").insert({"event_id": eid, "status": status, "date": date, "mention_id": mid,
                                          "recorded_at": recorded})


# Measures of ISO week 2026-W47 read in Russian, Arabic and Turkish: (article id, source, published, title,
# text, language, country, platform, action, class, actor, evidence). Written for the tests.
MULTILINGUAL = [
    (21, "rkn", "2026-11-17", "Роскомнадзор ограничил доступ к Signal",
     ("Роскомнадзор сообщил во вторник, что ограничил доступ к мессенджеру Signal на всей территории России. "
      "В ведомстве пояснили, что сервис не выполнял требования российского законодательства."),
     "ru", "RU", "Signal", "block", "restrict", "Роскомнадзор",
     "Роскомнадзор сообщил во вторник, что ограничил доступ к мессенджеру Signal на всей территории России."),
    (22, "wire", "2026-11-18", "مصر تحجب تيليجرام",
     ("حجبت السلطات المصرية تطبيق تيليجرام يوم الأربعاء بسبب ما وصفته بنشر أخبار كاذبة. "
      "وقال مستخدمون إن التطبيق لا يعمل إلا عبر الشبكات الافتراضية الخاصة."),
     "ar", "EG", "Telegram", "block", "restrict", "السلطات المصرية",
     "حجبت السلطات المصرية تطبيق تيليجرام يوم الأربعاء بسبب ما وصفته بنشر أخبار كاذبة."),
    (23, "wire", "2026-11-19", "Discord'a erişim engeli",
     ("Bilgi Teknolojileri ve İletişim Kurumu, Discord'a perşembe günü erişim engeli getirdi. "
      "Kararın gerekçesi açıklanmadı."),
     "tr", "TR", "Discord", "block", "restrict", "Bilgi Teknolojileri ve İletişim Kurumu",
     "Bilgi Teknolojileri ve İletişim Kurumu, Discord'a perşembe günü erişim engeli getirdi."),
]


def add_multilingual_week(db: sqlite_utils.Database) -> list[str]:
    """Add the MULTILINGUAL measures (articles, mentions, events new in 2026-W47); returns the event ids."""
    ids = []
    for (aid, source, published, title, text, lang, country, platform, action, klass, actor,
         evidence) in MULTILINGUAL:
        start = text.index(evidence)
        db.table("articles").insert({
            "id": aid, "source": source, "url": f"http://127.0.0.1/{source}/{aid}", "title": title, "text": text,
            "published": published, "language": lang, "content_hash": f"hash-{aid}",
            "fetched_at": f"{published}T08:00:00Z", "extractor_version": "test",
        })
        db.table("mentions").insert({
            "id": aid, "article_id": aid, "position": 0, "country": country, "platform": platform,
            "action": action, "action_class": klass, "status": "in_effect", "actor": actor, "date": published,
            "scope": "nationwide", "evidence": evidence, "evidence_start": start, "evidence_end": start + len(evidence),
            "confidence": 0.8, "extractor_version": "test", "created_at": f"{published}T09:00:00Z", "language": lang,
        })
        eid = f"ev-{country.lower()}-{platform.lower()}-{klass}-2026-11"
        db.table("events").insert({
            "id": eid, "country": country, "platform": platform, "action": action, "action_class": klass,
            "status": "in_effect", "date": published, "first_reported": published, "last_reported": published,
            "actor": actor, "scope": "nationwide", "evidence": evidence, "n_mentions": 1, "n_sources": 1,
            "n_publishers": 1, "regulator_confirmed": int(source == "rkn"), "confidence": 0.7,
            "updated_at": f"{published}T09:00:00Z", "language": lang,
        })
        db.table("event_sources").insert({"event_id": eid, "mention_id": aid, "article_id": aid,
                                          "publisher": "regulator" if source == "rkn" else "press",
                                          "added_at": f"{published}T09:00:00Z"})
        db.table("event_history").insert({"event_id": eid, "status": "in_effect", "date": published,
                                          "mention_id": aid, "recorded_at": f"{published}T09:00:00Z"})
        ids.append(eid)
    return ids


def self_signed_certificate(folder: Path, name: str, alt_name: str) -> tuple[Path, Path]:
    """A one-day self-signed certificate and its key (openssl), for the TLS tests' local servers."""
    import shutil
    import subprocess

    import pytest

    if not shutil.which("openssl"):
        pytest.skip("openssl command not available to make a test certificate")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", f"/CN={name}",
         "-addext", f"subjectAltName={alt_name}"],
        check=True, capture_output=True, timeout=30)
    return cert, key
