"""Feeds in the shapes publishers write them, crawled from a real HTTP server on 127.0.0.1.

Each feed of tests/fixtures/feeds/ (WordPress RSS 2.0 with content:encoded, Atom, RDF/RSS 1.0, RSS
with odd date formats, a Portuguese feed in ISO-8859-1 with no XML declaration, a GB2312 feed) is
served with its links on the local server. Every item's page is a bare page with no title and no date
of its own, so the article row shows the title and the day the crawler read from the feed; the
Portuguese feed's Telegram item is served a real-shaped page in ISO-8859-1 instead.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.sites import local_feed, page
from tracker.crawl import CrawlOptions, crawl
from tracker.crawl.http import HttpOptions
from tracker.sources import Source

FAST = HttpOptions(timeout=2, total_timeout=4, retries=0, backoff=0.05, delay=0, per_host=4)

# feed file -> (host it names, Content-Type it is served with, its items as (path, title, day) in feed order)
FEEDS = {
    "wordpress-rss2.xml": ("https://netfreedom-news.example", "application/rss+xml; charset=UTF-8", [
        ("/turkey-twitter-slowed-after-earthquake/", "Twitter slowed in Turkey in the days after the earthquake",
         "2023-02-08"),
        ("/russia-cuts-off-instagram/", "Russia\u2019s regulator cuts off Instagram from Monday", "2022-03-11"),
        # its link carries utm_* parameters (&#038; escaped, as WordPress writes them): stored without them
        ("/nigeria-suspends-twitter/", "Nigeria suspends Twitter \u201cindefinitely\u201d", "2021-06-05"),
        ("/roskomnadzor-slows-twitter/", "Roskomnadzor begins slowing Twitter", "2021-03-10"),
    ]),
    "atom.xml": ("https://monitor.example", "application/atom+xml", [
        # rel="edit" comes first and the alternate link has tracking parameters
        ("/alerts/iran-instagram-whatsapp", "Iran: Instagram and WhatsApp blocked as protests spread", "2022-09-22"),
        # a relative link resolved against xml:base, no <published>: <updated> gives the day
        ("/alerts/myanmar-facebook", "Myanmar: operators told to block Facebook \u201cuntil 7 February\u201d",
         "2021-02-04"),
        ("/alerts/uganda-election", "Uganda: internet switched off on the eve of the election", "2021-01-13"),
        ("/alerts/tigray", "Ethiopia: Tigray region cut off", "2020-11-04"),
    ]),
    "rss1.rdf": ("https://asia-net.example", "application/rdf+xml", [
        ("/entry/pakistan-tiktok.html", 'Pakistan blocks TikTok over "immoral" content', "2020-10-09"),
        ("/entry/china-wikipedia-all-editions.html", "China now blocks every language edition of Wikipedia",
         "2019-05-04"),
        ("/entry/bangladesh-facebook-whatsapp-viber.html",
         "Bangladesh blocks Facebook, WhatsApp and Viber after the war crimes verdicts", "2015-11-18"),
    ]),
    "odd-dates.xml": ("https://worlddesk.example", "text/xml", [
        # "Fri, 03 Feb 2023 19:45:00 Z"
        ("/news/pakistan-blocks-wikipedia-118301.html",
         "Pakistan blocks Wikipedia after it does not remove pages the regulator objected to", "2023-02-03"),
        # "Tue, 11 Jan 2022 08:00:00 EST"
        ("/news/burkina-faso-mobile-internet-suspended-117002.html",
         "Burkina Faso suspends mobile internet, citing security", "2022-01-11"),
        # "Fri, 04 Mar 2022 21:30:00 MSK"
        ("/news/russia-blocks-facebook-116540.html",
         "Russia blocks Facebook, saying it discriminated against state media", "2022-03-04"),
        # "Friday, 1 July 2022 - 15:30" (Drupal's default format)
        ("/news/karakalpakstan-internet-cut-116911.html",
         "Internet cut in Karakalpakstan as protests over the constitution grow", "2022-07-01"),
        # "Sun, 9 Aug 2020 22:10:00 GMT"
        ("/news/belarus-election-day-outage-110200.html",
         "Belarus: mobile internet fails across the country on election night", "2020-08-09"),
        # "2019-11-17T10:00:00+03:30", ISO 8601 in a pubDate
        ("/news/iran-nationwide-shutdown-fuel-protests-105881.html",
         "Iran cuts the internet nationwide amid fuel price protests", "2019-11-17"),
    ]),
    # ISO-8859-1 bytes with no XML declaration, dates with Portuguese day and month names ("Sex, 30 Ago 2024")
    "pt-latin1.rss": ("https://planalto-jornal.example", "text/xml", [
        ("/tecnologia/noticias/x-volta-a-funcionar-1024381.htm",
         "X volta a funcionar no Brasil ap\u00f3s autoriza\u00e7\u00e3o do STF", "2024-10-08"),
        ("/tecnologia/noticias/moraes-manda-suspender-o-x-1019977.htm",
         "Moraes manda suspender o X em todo o pa\u00eds", "2024-08-30"),
        ("/tecnologia/noticias/moraes-revoga-suspensao-do-telegram-0871240.htm",
         "Moraes revoga a suspens\u00e3o do Telegram ap\u00f3s a empresa cumprir as ordens", "2022-03-20"),
        ("/tecnologia/noticias/stf-manda-suspender-o-telegram-0870956.htm",
         "Ministro do STF manda suspender o Telegram em todo o Brasil", "2022-03-18"),
        ("/tecnologia/noticias/juiz-manda-bloquear-whatsapp-0402113.htm",
         "Juiz de Sergipe manda bloquear o WhatsApp por 72 horas", "2016-05-02"),
    ]),
    # GB2312 declared in the XML declaration, an xml-stylesheet instruction, dates as "2019-06-10 16:05:00"
    "zh-gb2312.xml": ("http://news.wangluo.example", "text/xml", [
        ("/a/20190610/000213.htm", "英国卫报网站在中国大陆无法访问", "2019-06-10"),
        ("/a/20190608/000187.htm", "华盛顿邮报网站也遭屏蔽", "2019-06-08"),
        ("/a/20190514/000042.htm", "维基百科所有语言版本在中国被封锁", "2019-05-14"),
    ]),
}
TELEGRAM = "/tecnologia/noticias/stf-manda-suspender-o-telegram-0870956.htm"


def bare_page(path: str) -> bytes:
    """A page with no title and no date of its own, its text different for every path."""
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'></head><body><article><p>The page at {path} "
            "has no title and no date of its own: the crawler takes both from the feed that linked it.</p>"
            "</article></body></html>").encode()


@pytest.mark.parametrize("name", list(FEEDS))
def test_feed_shapes_give_their_items_titles_and_days(db, server, name):
    host, content_type, expected = FEEDS[name]
    body, links = local_feed(name, host, server)  # paths with their queries and fragments
    server.expect_request("/feed").respond_with_data(body, content_type=content_type)
    paths = [urlsplit(link).path for link in links]
    for path in paths:
        if path == TELEGRAM:
            server.expect_request(path).respond_with_data(page("telegram-brasil-latin1.html"),
                                                          content_type="text/html")
        else:
            server.expect_request(path).respond_with_data(bare_page(path), content_type="text/html")

    summary = crawl(db, [Source(name="s", url=server.url_for("/feed"), type="rss", publisher="press")],
                    CrawlOptions(http=FAST, allow_private=True, max_items=20))

    result = summary.sources[0]
    assert (result.status, result.error) == ("ok", "")
    assert (result.items, result.new, result.skipped) == (len(expected), len(expected), 0)
    stored = db.execute("SELECT url, original_url, title, published FROM articles ORDER BY id").fetchall()
    got = {url: (title, published) for url, _original, title, published in stored}
    assert got == {server.url_for(path): (title, day) for path, title, day in expected}
    # the links as the feed gave them (tracking parameters, fragments, relative) are kept beside the canonical
    assert {original for _url, original, _t, _p in stored} == {server.url_for("").rstrip("/") + link for link in links}


def test_a_legacy_encoded_page_from_a_legacy_encoded_feed(db, server):
    body, _links = local_feed("pt-latin1.rss", "https://planalto-jornal.example", server)
    server.expect_request("/feed").respond_with_data(body, content_type="text/xml")
    server.expect_request(TELEGRAM).respond_with_data(page("telegram-brasil-latin1.html"), content_type="text/html")

    crawl(db, [Source(name="s", url=server.url_for("/feed"), type="rss", publisher="press", language="pt")],
          CrawlOptions(http=FAST, allow_private=True))

    (title, text, language, published), = db.execute(
        "SELECT title, text, language, published FROM articles").fetchall()
    assert title == "Ministro do STF manda suspender o Telegram em todo o Brasil"
    assert (language, published) == ("pt", "2022-03-18")  # the page's own date, from its OpenGraph tag
    assert "suspensão do Telegram em todo o território nacional" in text  # decoded by the page's meta charset
    assert "Jornal do Planalto" not in text and "Leia também" not in text  # menu, links and footer left out
