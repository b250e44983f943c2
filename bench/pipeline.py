"""Benchmark: crawl + extract + merge over a local news site scaled to N articles.

The site runs on 127.0.0.1 (a real HTTP server in a thread): RSS feeds of 50
items each, one page per article, built from the English texts of the project's
corpus that report a measure (corpus/texts/), each text copied by several "outlets" of every
publisher type, as a measure is retold in the news. Every copy carries its
own desk line so no two pages share a content hash. Prints articles per second
per stage and the database size per 1,000 articles.

    .venv/bin/python bench/pipeline.py            # 5,000 articles
    .venv/bin/python bench/pipeline.py --n 500    # a quicker run
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import os
import sys
import tempfile
import threading
import time
from email.utils import format_datetime
from http.server import ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus" / "texts"
PER_FEED = 50
PUBLISHERS = ("press", "ngo", "regulator", "court")


def load_texts() -> list[dict]:
    """English corpus texts that report at least one measure, in a fixed order."""
    texts = [json.loads(line) for path in sorted(CORPUS.glob("en-*.jsonl"))
             for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = [t for t in texts if t["events"]]
    if not texts:
        sys.exit(f"no English corpus texts in {CORPUS}: the benchmark builds its site from them")
    return texts


def build_site(n: int, texts: list[dict]) -> dict[str, object]:
    """Path -> body for N article pages and the feeds listing them."""
    pages: dict[str, object] = {"/robots.txt": b"User-agent: *\nAllow: /\n"}
    items: list[tuple[str, str, str]] = []
    for i in range(n):
        doc = texts[i % len(texts)]
        desk = i // len(texts)
        title = f"{doc.get('title') or 'Report'} ({desk})"
        published = doc.get("published") or "2024-01-01"
        paras = "".join(f"<p>{html.escape(p)}</p>" for p in doc["text"].split("\n") if p.strip())
        body = (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{html.escape(title)}"
                f"</title><meta property=\"article:published_time\" content=\"{published}\"></head><body>"
                f"<article><h1>{html.escape(title)}</h1><p>Published {published}.</p>{paras}"
                f"<p>Filed by desk number {desk} of outlet {i % 97}.</p></article></body></html>")
        path = f"/a/{i}.html"
        pages[path] = body.encode("utf-8")
        items.append((path, title, published))
    for f in range(0, n, PER_FEED):
        chunk = items[f:f + PER_FEED]
        entries = []
        for path, title, published in chunk:
            when = dt.datetime.fromisoformat(published).replace(hour=9, tzinfo=dt.UTC)
            link = f"http://127.0.0.1:{{port}}{path}"
            entries.append(f"<item><title>{html.escape(title)}</title><link>{link}</link>"
                           f"<guid>{link}</guid><pubDate>{format_datetime(when)}</pubDate></item>")
        xml = ("<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>feed "
               f"{f // PER_FEED}</title><link>http://127.0.0.1/</link><description>bench</description>"
               + "".join(entries) + "</channel></rss>")
        pages[f"/feed/{f // PER_FEED}.xml"] = xml
    return pages


def serve(pages: dict[str, object]) -> tuple[ThreadingHTTPServer, int]:
    from tracker.localsite import PageHandler

    class Handler(PageHandler):
        def do_GET(self) -> None:
            body = pages.get(self.path.split("?")[0])
            if body is None:
                self.send_error(404)
                return
            if isinstance(body, str):
                body = body.replace("{port}", str(server.server_address[1])).encode("utf-8")
            ctype = "application/rss+xml" if self.path.endswith(".xml") else (
                "text/plain" if self.path.endswith(".txt") else "text/html; charset=utf-8")
            self.send_page(ctype, body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000, help="articles on the local site (default 5000)")
    parser.add_argument("--keep", type=Path, help="write the database here instead of a temporary file")
    args = parser.parse_args()

    from tracker.crawl import CrawlOptions
    from tracker.crawl.http import HttpOptions
    from tracker.db import open_db
    from tracker.events.extraction import default_extractor
    from tracker.pipeline import run_pipeline
    from tracker.sources import Source

    texts = load_texts()
    pages = build_site(args.n, texts)
    server, port = serve(pages)
    n_feeds = (args.n + PER_FEED - 1) // PER_FEED
    sources = [Source(name=f"outlet-{i}", url=f"http://127.0.0.1:{port}/feed/{i}.xml", type="rss",
                      publisher=PUBLISHERS[i % len(PUBLISHERS)], language="en") for i in range(n_feeds)]
    tmp = tempfile.TemporaryDirectory()
    db_path = args.keep or Path(tmp.name) / "bench.db"
    db = open_db(db_path, create=True)

    extract_events, version = default_extractor()
    t0 = time.perf_counter()
    for doc in texts[:3]:  # loads the models; their loading time is not the pipeline's
        extract_events(doc["text"], published=doc.get("published"), title=doc.get("title"))
    warm = time.perf_counter() - t0

    options = CrawlOptions(http=HttpOptions(delay=0.0, per_host=8, concurrency=16, retries=1),
                           allow_private=True, max_items=PER_FEED, sources_at_once=8)
    spent = {"extract": 0.0}

    def timed(text: str, published: str | None = None, title: str | None = None,
              language: str | None = None) -> list[dict]:
        start = time.perf_counter()
        try:
            return extract_events(text, published=published, title=title, language=language)
        finally:
            spent["extract"] += time.perf_counter() - start

    marks: dict[str, float] = {}
    t0 = time.perf_counter()
    # the project's one stage chain (tracker.pipeline), as `tracker run` calls it
    result = run_pipeline(db, sources, crawl_options=options, extract=timed, version=version,
                          on_crawled=lambda _summary: marks.setdefault("crawled", time.perf_counter()))
    t_end = time.perf_counter()
    crawled, summary = result.crawl, result.extract
    t_crawl = marks["crawled"] - t0
    t_extract = t_end - marks["crawled"]
    t_merge = t_extract - spent["extract"]
    server.shutdown()

    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    articles = db.table("articles").count
    mentions = db.table("mentions").count
    events = db.table("events").count
    raw = db.execute("SELECT coalesce(sum(length(raw_html)), 0) FROM articles").fetchone()[0]
    db.close()
    size = db_path.stat().st_size

    def rate(n: int, s: float) -> str:
        return f"{n / s:,.1f}" if s > 0 else "-"

    rows = [
        ("crawl (fetch + trafilatura + store)", f"{t_crawl:,.1f}", rate(crawled.new_articles, t_crawl)),
        ("extract (NLP)", f"{spent['extract']:,.1f}", rate(summary.articles, spent["extract"])),
        ("store mentions + merge", f"{t_merge:,.1f}", rate(summary.articles, t_merge)),
        ("crawl + extract + merge", f"{t_crawl + t_extract:,.1f}", rate(articles, t_crawl + t_extract)),
    ]
    print(f"pipeline benchmark: {args.n:,} articles on 127.0.0.1 in {n_feeds} feeds, {os.cpu_count()} cores,"
          f" extractor {version} (model warm-up {warm:.1f}s, not counted)")
    print(f"{'stage':<38}{'seconds':>10}{'articles/s':>14}")
    print("-" * 62)
    for stage, secs, r in rows:
        print(f"{stage:<38}{secs:>10}{r:>14}")
    print("-" * 62)
    per_k = 1000 / max(articles, 1)
    print(f"{'articles stored':<38}{articles:>24,}")
    print(f"{'mentions / events':<38}{f'{mentions:,} / {events:,}':>24}")
    print(f"{'failed articles':<38}{len(summary.failed):>24}")
    print(f"{'db size per 1,000 articles':<38}{f'{size * per_k / 2**20:,.2f} MB':>24}")
    print(f"{'  of which raw HTML (gzip)':<38}{f'{raw * per_k / 2**20:,.2f} MB':>24}")
    tmp.cleanup()


if __name__ == "__main__":
    main()
