"""Crawl benchmark: many local RSS feeds, first crawl and re-crawl (every feed answers 304).

A child process serves N feeds of M items each and their article pages from 127.0.0.1
(standard library ThreadingHTTPServer, tracker.localsite's handler: ETag on every page).
This process runs the real crawler (tracker.crawl) into a fresh SQLite file, twice, and
prints a table: wall time, articles per second, requests, bytes and peak memory (RSS of
the crawling process).

    .venv/bin/python bench/crawl.py                    # 200 feeds x 20 items
    .venv/bin/python bench/crawl.py --feeds 20 --items 5   # a quick run

All feeds live on one host, so the per-host limit is the crawler's concurrency here: the
bench raises it (--per-host) and sets no delay, to measure the crawler, not the politeness.

    .venv/bin/python bench/crawl.py --slow 30 --feeds 3 --items 50   # a site that never answers in time

--slow S makes every article page wait S seconds before answering, and crawls once with the
crawler's defaults (20 s timeout, 2 requests per host, 1 s delay, 120 s per source, 600 s per
run): it shows how long a run against a slow site takes, and what it leaves for the next run.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tracker.localsite import PageHandler

WORDS = ["regulator", "operators", "access", "platform", "order", "court", "ministry", "network", "users", "service", "statement", "week", "provider", "decision", "appeal", "licence", "measure", "region", "capital", "mobile", "broadband"]


def article_html(feed: int, item: int) -> bytes:
    """A plausible article page whose text differs from every other one (distinct content_hash)."""
    seed = feed * 1000 + item
    paras = []
    for p in range(5):
        words = [WORDS[(seed * 7 + p * 13 + k * k) % len(WORDS)] for k in range(60)]
        paras.append(f"<p>Report {feed}-{item}, paragraph {p}: " + " ".join(words) + ".</p>")
    day = (datetime(2024, 1, 1, tzinfo=UTC) + timedelta(days=seed % 365)).date().isoformat()
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Report {feed}-{item}</title>"
            f"<meta property='article:published_time' content='{day}T08:00:00Z'></head><body>"
            f"<nav><a href='/'>Home</a></nav><main><article><h1>Report {feed}-{item}</h1>{''.join(paras)}"
            f"</article></main><footer>Bench site</footer></body></html>").encode()


def feed_xml(base: str, feed: int, items: int) -> bytes:
    when = datetime(2024, 6, 1, tzinfo=UTC)
    entries = "".join(f"<item><title>Report {feed}-{i}</title><link>{base}/f{feed}/a{i}?utm_source=rss</link>"
                      f"<pubDate>{format_datetime(when - timedelta(days=i))}</pubDate></item>"
                      for i in range(items))
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Feed {feed}</title>'
            f"<link>{base}/f{feed}/</link><description>bench</description>{entries}</channel></rss>").encode()


class Handler(PageHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        srv = self.server
        path = self.path.split("?", 1)[0]
        parts = path.strip("/").split("/")
        body, ctype = None, "text/html; charset=utf-8"
        if srv.slow and len(parts) == 2 and parts[1].startswith("a"):
            time.sleep(srv.slow)
        if len(parts) == 2 and parts[0].startswith("f") and parts[0][1:].isdigit():
            feed = int(parts[0][1:])
            if feed < srv.n_feeds:
                if parts[1] == "rss.xml":
                    body, ctype = feed_xml(srv.base, feed, srv.n_items), "application/rss+xml"
                elif parts[1].startswith("a") and parts[1][1:].isdigit() and int(parts[1][1:]) < srv.n_items:
                    body = article_html(feed, int(parts[1][1:]))
        if body is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_page(ctype, body)


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        """A client that gave up (the crawler's deadline) is expected here, not an error to print."""


def serve(n_feeds: int, n_items: int, port_queue: multiprocessing.Queue, slow: float = 0.0) -> None:
    server = QuietServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.request_queue_size = 128
    server.base = f"http://127.0.0.1:{server.server_address[1]}"
    server.n_feeds, server.n_items, server.slow = n_feeds, n_items, slow
    port_queue.put(server.server_address[1])
    server.serve_forever()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kB


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--feeds", type=int, default=200, help="number of feeds (default 200)")
    ap.add_argument("--items", type=int, default=20, help="items per feed (default 20)")
    ap.add_argument("--per-host", type=int, default=16, help="crawler's per-host concurrency (default 16)")
    ap.add_argument("--slow", type=float, default=0.0,
                    help="article pages wait this many seconds; crawl once with the crawler's defaults")
    args = ap.parse_args()
    if args.slow:
        slow_site(args)
        return

    from tracker.crawl import CrawlOptions, crawl
    from tracker.crawl.http import HttpOptions
    from tracker.db import open_db
    from tracker.sources import Source

    ctx = multiprocessing.get_context("spawn")
    ports: multiprocessing.Queue = ctx.Queue()
    child = ctx.Process(target=serve, args=(args.feeds, args.items, ports), daemon=True)
    child.start()
    try:
        port = ports.get(timeout=30)
        base = f"http://127.0.0.1:{port}"
        sources = [Source(name=f"feed-{i:04d}", url=f"{base}/f{i}/rss.xml", type="rss", publisher="press",
                          language="en") for i in range(args.feeds)]
        options = CrawlOptions(
            http=HttpOptions(delay=0, per_host=args.per_host, concurrency=args.per_host, timeout=30,
                             total_timeout=60, retries=1, backoff=0.2),
            allow_private=True, max_items=args.items, sources_at_once=16)
        with tempfile.TemporaryDirectory(prefix="tracker-bench-crawl-") as tmp:
            db_path = Path(tmp) / "bench.db"
            db = open_db(db_path, create=True)
            rows = []
            rss_before = peak_rss_mb()
            for label in ("first crawl", "re-crawl (304)"):
                fetches_before = db.table("fetches").count
                start = time.perf_counter()
                summary = crawl(db, sources, options)
                seconds = time.perf_counter() - start
                fetches = db.table("fetches").count - fetches_before
                statuses = {r.status for r in summary.sources}
                rows.append((label, seconds, summary.new_articles, fetches, summary.bytes, summary.failed,
                             ",".join(sorted(statuses)), peak_rss_mb()))
            stored = db.table("articles").count
            db.close()
            size_mb = db_path.stat().st_size / 1e6
    finally:
        child.terminate()
        child.join(5)

    expected = args.feeds * args.items
    print(f"crawl benchmark: {args.feeds} feeds x {args.items} items = {expected} articles on 127.0.0.1, "
          f"per-host {args.per_host}, delay 0, {os.cpu_count()} CPUs")
    header = ("run", "seconds", "new articles", "articles/s", "requests", "MB received", "failed",
              "source status", "peak RSS MB so far")
    table = [header]
    for label, seconds, new, fetches, nbytes, failed, statuses, rss in rows:
        table.append((label, f"{seconds:.2f}", str(new), f"{new / seconds:.1f}" if new else "-", str(fetches),
                      f"{nbytes / 1e6:.2f}", str(failed), statuses, f"{rss:.0f}"))
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    for n, r in enumerate(table):
        print("  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))))
        if n == 0:
            print("  ".join("-" * w for w in widths))
    print(f"stored articles: {stored} of {expected}; database {size_mb:.1f} MB; "
          f"peak RSS before crawling {rss_before:.0f} MB")
    if stored != expected:
        sys.exit(f"error: {expected - stored} articles missing")


def slow_site(args: argparse.Namespace) -> None:
    """One crawl at the crawler's defaults against a site whose article pages answer after `args.slow` s."""
    from tracker.crawl import CrawlOptions, crawl
    from tracker.db import open_db
    from tracker.sources import Source

    ctx = multiprocessing.get_context("spawn")
    ports: multiprocessing.Queue = ctx.Queue()
    child = ctx.Process(target=serve, args=(args.feeds, args.items, ports, args.slow), daemon=True)
    child.start()
    try:
        base = f"http://127.0.0.1:{ports.get(timeout=30)}"
        sources = [Source(name=f"feed-{i:04d}", url=f"{base}/f{i}/rss.xml", type="rss", publisher="press")
                   for i in range(args.feeds)]
        options = CrawlOptions(allow_private=True, robots=False)
        with tempfile.TemporaryDirectory(prefix="tracker-bench-slow-") as tmp:
            db = open_db(Path(tmp) / "bench.db")
            start = time.perf_counter()
            summary = crawl(db, sources, options)
            seconds = time.perf_counter() - start
            outcomes = dict(db.execute("SELECT outcome, count(*) FROM fetches WHERE kind = 'article'"
                                       " GROUP BY outcome").fetchall())
            db.close()
    finally:
        child.terminate()
        child.join(5)
    o, h = options, options.http
    print(f"slow site: {args.feeds} feeds x {args.items} items, every article page answers after {args.slow:g}s; "
          f"defaults: timeout {h.timeout:g}s, {h.per_host} per host, delay {h.delay:g}s, "
          f"source deadline {o.source_seconds:g}s, run deadline {o.run_seconds:g}s")
    print(f"{'run seconds':>12}  {'sources':>7}  {'partial':>7}  {'new':>4}  {'left':>5}  article outcomes")
    print(f"{seconds:12.1f}  {len(sources):7d}  {sum(r.status == 'partial' for r in summary.sources):7d}  "
          f"{summary.new_articles:4d}  {sum(r.left for r in summary.sources):5d}  "
          + ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())))
    rounds = args.feeds * args.items / h.per_host
    print(f"without deadlines: about {rounds * min(args.slow, h.timeout):.0f}s "
          f"({args.feeds * args.items} articles x {min(args.slow, h.timeout):g}s / {h.per_host} per host)")


if __name__ == "__main__":
    main()
