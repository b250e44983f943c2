"""Benchmark: `tracker backfill` over a WARC of N news pages, about 1% of which report a measure.

Builds the archive with warcio (one gzip member per record, as Common Crawl writes them): pages that
report a measure are corpus texts wrapped in a news site's page, the rest ordinary news in nine languages
(bench/warcmix.py says what they hold), plus a few redirects and images as archives have them. Runs the
backfill with one local Dask worker, then two, each on a fresh database, and then `tracker run` (crawl,
extract, merge: tracker.pipeline) over the same pages served from 127.0.0.1: every page that reports a
measure and every ordinary page the scan keeps (the pages it skips cannot change the crawl's events if
the scan is right; its recall on the corpus is measured below and in tests/test_backfill_scan.py).
Prints one table.

    .venv/bin/python bench/backfill.py                      # 100,000 records
    .venv/bin/python bench/backfill.py --records 5000       # a quick run
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from email.utils import format_datetime
from http.server import ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent))

from warcmix import load_reports, ordinary_page, report_page

POSITIVE_EVERY = 100  # one record in a hundred reports a measure
PER_FEED = 50
PUB_DATE = format_datetime(dt.datetime(2024, 1, 1, 9, tzinfo=dt.UTC))


def build_warc(path: Path, n: int, seed: int) -> dict[str, bytes]:
    """Write the archive; returns the pages a crawl of the same texts should see (url -> HTML)."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    from tracker.backfill.scan import Scanner

    rng = random.Random(seed)
    reports = load_reports()
    scanner = Scanner()
    crawl: dict[str, bytes] = {}
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "tracker bench/backfill.py"}))
        for i in range(n):
            url = f"https://news{i % 37}.example.com/{2024 - i % 3}/story-{i}"
            status, ctype = "200 OK", "text/html; charset=utf-8"
            if i % POSITIVE_EVERY == 37:
                body = report_page(reports[(i // POSITIVE_EVERY) % len(reports)], i, rng, url).encode()
                crawl[url] = body
            elif i % 211 == 5:
                status, ctype, body = "301 Moved Permanently", "text/html", b""
            elif i % 307 == 11:
                ctype, body = "image/jpeg", b"\xff\xd8\xff\xe0" + rng.randbytes(2000)
            else:
                page, _lang, _profile = ordinary_page(rng, url)
                body = page.encode()
                if scanner.page_passes(page):
                    crawl[url] = body
            headers = StatusAndHeaders(status, [("Content-Type", ctype), ("Content-Length", str(len(body)))],
                                       protocol="HTTP/1.1")
            when = f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:00:00Z"
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                          http_headers=headers,
                                                          warc_headers_dict={"WARC-Date": when}))
    return crawl


def run_backfill(warc: Path, workers: int, folder: Path) -> tuple[SimpleNamespace, Path]:
    """`tracker backfill --workers N --json` in a process of its own, on a fresh database."""
    db_path = folder / f"backfill-{workers}.db"
    out = subprocess.run([sys.executable, "-m", "tracker.cli", "backfill", str(warc), "--db", str(db_path),
                          "--workers", str(workers), "--json"], capture_output=True, text=True, check=True)
    return SimpleNamespace(**json.loads(out.stdout[out.stdout.index("{"):])), db_path


def serve(pages: dict[str, bytes]) -> tuple[ThreadingHTTPServer, dict[str, str]]:
    """The crawl set on 127.0.0.1: each page at its archived path, in RSS feeds of PER_FEED items."""
    from tracker.localsite import PageHandler

    local: dict[str, bytes] = {}
    feeds: dict[str, str] = {}
    urls = sorted(pages)
    for url in urls:
        local["/" + url.split("://", 1)[1]] = pages[url]
    for f in range(0, len(urls), PER_FEED):
        items = "".join(
            f"<item><title>story</title><link>http://127.0.0.1:{{port}}/{html.escape(u.split('://', 1)[1])}</link>"
            f"<pubDate>{PUB_DATE}</pubDate></item>" for u in urls[f:f + PER_FEED])
        feeds[f"/feed/{f // PER_FEED}.xml"] = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                                              f"<title>f</title><link>http://127.0.0.1/</link><description>d"
                                              f"</description>{items}</channel></rss>")

    class Handler(PageHandler):
        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            if path == "/robots.txt":
                self.send_page("text/plain", b"User-agent: *\nAllow: /\n")
            elif path in feeds:
                self.send_page("application/rss+xml", feeds[path].replace("{port}", str(port)).encode())
            elif path in local:
                self.send_page("text/html; charset=utf-8", local[path])
            else:
                self.send_error(404)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, {name: f"http://127.0.0.1:{port}{name}" for name in feeds}


def run_crawl(pages: dict[str, bytes], folder: Path) -> tuple[Path, float]:
    from tracker.crawl import CrawlOptions
    from tracker.crawl.http import HttpOptions
    from tracker.db import open_db
    from tracker.pipeline import run_pipeline
    from tracker.sources import Source

    server, feeds = serve(pages)
    sources = [Source(name=f"outlet-{i}", url=url, type="rss", publisher="press")
               for i, url in enumerate(feeds.values())]
    db_path = folder / "crawl.db"
    db = open_db(db_path, create=True)
    t0 = time.perf_counter()
    try:
        run_pipeline(db, sources, crawl_options=CrawlOptions(
            http=HttpOptions(delay=0.0, per_host=8, concurrency=16, retries=1), allow_private=True,
            max_items=PER_FEED, max_fetches=PER_FEED * 2, sources_at_once=8, run_seconds=86_400,
            source_seconds=86_400))
    finally:
        db.close()
        server.shutdown()
    return db_path, time.perf_counter() - t0


def event_keys(db_path: Path) -> Counter:
    import sqlite3

    conn = sqlite3.connect(db_path)
    try:
        return Counter(conn.execute("SELECT country, lower(platform), action_class FROM events").fetchall())
    finally:
        conn.close()


def crawl_health(db_path: Path) -> str:
    """How many pages the crawl stored, and its fetches that did not end well (a page it failed to fetch
    is a page whose events it cannot have)."""
    import sqlite3

    conn = sqlite3.connect(db_path)
    try:
        stored = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        bad = conn.execute("SELECT count(*) FROM fetches WHERE outcome != 'ok'").fetchone()[0]
    finally:
        conn.close()
    return f"the crawl stored {stored:,} pages, {bad} fetches not ok"


def mention_rows(db_path: Path) -> Counter:
    """What was read in each page: (path of the page's URL, mention fields), ids and times aside."""
    import sqlite3

    conn = sqlite3.connect(db_path)
    try:
        rows = conn.execute("SELECT a.url, m.country, m.platform, m.action, m.status, m.date, m.evidence_start,"
                            " m.evidence_end FROM mentions m JOIN articles a ON a.id = m.article_id").fetchall()
    finally:
        conn.close()
    return Counter((_page_key(url), *rest) for url, *rest in rows)


def _page_key(url: str) -> str:
    """The archived page's host and path, whether read from the archive or crawled from 127.0.0.1/host/path."""
    rest = url.split("://", 1)[1]
    return rest.split("/", 1)[1] if rest.startswith("127.0.0.1") else rest


def corpus_recall() -> tuple[int, int, int, int]:
    """(gold-positive texts the scan keeps, gold-positive texts, texts with an event of the extractor's the
    scan keeps, texts with an event of the extractor's), on corpus texts in a news page."""
    from tracker.backfill.scan import Scanner
    from tracker.extract import extract_events

    scanner = Scanner()
    rng = random.Random(0)
    texts = load_reports()
    kept = found = found_kept = 0
    for i, doc in enumerate(texts):
        keep = scanner.page_passes(report_page(doc, 0, rng, f"https://example.com/{i}"))
        kept += keep
        if extract_events(doc["text"], published=doc.get("published"), title=doc.get("title"),
                          language=doc["language"]):
            found += 1
            found_kept += keep
    return kept, len(texts), found_kept, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000, help="WARC records (default 100,000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="keep the archive and databases in this folder")
    parser.add_argument("--no-crawl", action="store_true", help="skip the comparison with `tracker run`")
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory()
    folder = args.keep or Path(tmp.name)
    folder.mkdir(parents=True, exist_ok=True)
    warc = folder / "bench.warc.gz"
    t0 = time.perf_counter()
    crawl_pages = build_warc(warc, args.records, args.seed)
    built = time.perf_counter() - t0
    runs = {w: run_backfill(warc, w, folder) for w in (1, 2)}
    one, two = runs[1][0], runs[2][0]

    compared = "not run (--no-crawl)"
    crawl_seconds = 0.0
    if not args.no_crawl:
        crawl_db, crawl_seconds = run_crawl(crawl_pages, folder)
        crawl_keys, backfill_keys = set(event_keys(crawl_db)), set(event_keys(runs[1][1]))
        crawled, backfilled = mention_rows(crawl_db), mention_rows(runs[1][1])
        compared = (f"event keys {'identical' if crawl_keys == backfill_keys else 'DIFFER'} "
                    f"({len(backfill_keys)} backfill, {len(crawl_keys)} tracker run); "
                    f"mentions {'identical' if crawled == backfilled else 'DIFFER'}; {crawl_health(crawl_db)}")
        if crawled != backfilled:  # where, so a difference can be looked into
            pages = sorted({row[0] for row in (crawled - backfilled) + (backfilled - crawled)})
            compared += f"; pages read differently: {len(pages)}, e.g. {', '.join(pages[:3])}"
    kept, positives, found_kept, found = corpus_recall()

    def rate(s, per_worker: bool = True, steady: bool = False) -> float:
        seconds = s.wall_seconds - (s.startup_seconds if steady else 0.0)
        return s.records / seconds / (s.workers if per_worker else 1) if seconds > 0 else 0.0

    size = warc.stat().st_size
    print(f"backfill benchmark: {args.records:,} records ({size / 2**20:,.0f} MB WARC.gz, built in {built:,.0f}s), "
          f"{os.cpu_count()} cores, extractor {one.extractor_version}")
    print(f"{'':40}{'1 worker':>16}{'2 workers':>16}")
    rows = [
        ("wall seconds (startup included)", f"{one.wall_seconds:,.1f}", f"{two.wall_seconds:,.1f}"),
        ("  startup: cluster and models", f"{one.startup_seconds:,.1f}", f"{two.startup_seconds:,.1f}"),
        ("records/s per worker", f"{rate(one):,.0f}", f"{rate(two):,.0f}"),
        ("records/s per worker, after startup", f"{rate(one, steady=True):,.0f}",
         f"{rate(two, steady=True):,.0f}"),
        ("records/s in all", f"{rate(one, False):,.0f}", f"{rate(two, False):,.0f}"),
        ("peak memory per worker (MB)", f"{one.peak_worker_rss_mb:,.0f}", f"{two.peak_worker_rss_mb:,.0f}"),
    ]
    for stage in ("read", "scan", "text", "nlp", "store", "merge"):
        rows.append((f"seconds in {stage}" + (" (writer)" if stage in ("store", "merge") else " (all workers)"),
                     f"{one.seconds.get(stage, 0):,.1f}", f"{two.seconds.get(stage, 0):,.1f}"))
    rows += [
        ("HTML pages / skipped by the scan", f"{one.pages:,} / {one.skipped_by_scan:,}",
         f"{two.pages:,} / {two.skipped_by_scan:,}"),
        ("articles stored / events", f"{one.articles_stored:,} / {one.new_events:,}",
         f"{two.articles_stored:,} / {two.new_events:,}"),
    ]
    for name, a, b in rows:
        print(f"{name:40}{a:>16}{b:>16}")
    print(f"2 workers / 1 worker (records/s in all): {rate(two, False) / max(rate(one, False), 1e-9):.2f}x "
          f"(after startup: {rate(two, False, True) / max(rate(one, False, True), 1e-9):.2f}x)")
    print(f"share skipped by the scan: {one.skipped_by_scan / max(one.pages, 1):.1%} of HTML pages")
    print(f"scan recall on the corpus: {kept} of {positives} texts with a gold event kept ({kept / positives:.2%}); "
          f"{found_kept} of {found} texts the extractor finds an event in ({found_kept / max(found, 1):.2%})")
    print(f"same events as tracker run ({crawl_seconds:,.0f}s over {len(crawl_pages):,} pages): {compared}")
    print("bad records: " + (", ".join(f"{k} {v}" for k, v in sorted(one.failures.items())) or "none"))
    tmp.cleanup()


if __name__ == "__main__":
    main()
