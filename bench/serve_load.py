"""Benchmark: readers against `tracker serve` while `tracker run` writes the same database.

N concurrent readers (httpx on 127.0.0.1) cycle through the pages researchers use: the events table
with its facets, full-text search over articles, one event's JSON, a canned query. First with nothing
writing (idle), then while a real `tracker run` crawls a local site of new articles and extracts them
into the database the server reads. Prints errors and p50/p95/max latency per phase as a table.

    .venv/bin/python bench/serve_load.py                      # 8 readers, 300 + 300 articles
    .venv/bin/python bench/serve_load.py --readers 16 --n 600
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pipeline import PER_FEED, build_site, load_texts, serve

PATHS = (
    "/tracker/events?_facet=country&_facet=platform&_facet=action",
    "/tracker/events.json?_size=50",
    "/tracker/articles.json?_search=blocked&_size=20",
    "/tracker/in_effect.json",
    "/tracker/event_list.json?_sort_desc=date&_size=20",
)


def write_feeds(path: Path, port: int, feeds: range) -> Path:
    lines = []
    for i in feeds:
        lines += ["[[source]]", f'name = "outlet-{i}"', f'url = "http://127.0.0.1:{port}/feed/{i}.xml"',
                  'type = "rss"', 'publisher = "press"', 'language = "en"', ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def tracker(*args: str) -> subprocess.Popen:
    env = {**os.environ, "TRACKER_ALLOW_PRIVATE": "1"}
    return subprocess.Popen([sys.executable, "-m", "tracker.cli", *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


async def readers(url: str, n: int, until) -> tuple[list[float], int, int]:
    """Run `n` readers until `until()` is true; (latencies in ms, errors, requests)."""
    latencies: list[float] = []
    errors = 0

    async def one(k: int) -> None:
        nonlocal errors
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            i = k
            while not until():
                path = PATHS[i % len(PATHS)]
                i += 1
                start = time.perf_counter()
                try:
                    resp = await client.get(path)
                    if resp.status_code != 200:
                        errors += 1
                except httpx.HTTPError:
                    errors += 1
                latencies.append((time.perf_counter() - start) * 1000)

    await asyncio.gather(*(one(k) for k in range(n)))
    return latencies, errors, len(latencies)


def row(phase: str, seconds: float, result: tuple[list[float], int, int]) -> str:
    lat, errors, n = result
    q = statistics.quantiles(lat, n=100) if len(lat) > 1 else [lat[0]] * 99
    return (f"{phase:<10}{seconds:>8.1f}{n:>10,}{n / seconds:>10.1f}{errors:>8}{q[49]:>10.1f}{q[94]:>10.1f}"
            f"{max(lat):>10.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readers", type=int, default=8)
    parser.add_argument("--n", type=int, default=300, help="articles before, and again during, the test")
    parser.add_argument("--idle-seconds", type=float, default=15.0)
    args = parser.parse_args()

    from tracker.serve import start_in_background

    pages = build_site(2 * args.n, load_texts())
    site, port = serve(pages)
    feeds = (2 * args.n + PER_FEED - 1) // PER_FEED
    tmp = Path(tempfile.mkdtemp(prefix="serve-load-"))
    db = tmp / "tracker.db"
    first = write_feeds(tmp / "first.toml", port, range(feeds // 2))
    second = write_feeds(tmp / "second.toml", port, range(feeds // 2, feeds))
    setup = tracker("run", "--db", str(db), "--feeds", str(first), "--delay", "0", "--max-items", "1000")
    if setup.wait() != 0:
        sys.exit(f"the first tracker run failed: {setup.stderr.read()[-2000:]}")
    server = start_in_background(db, timeout=60)
    try:
        end = time.monotonic() + args.idle_seconds
        t0 = time.monotonic()
        idle = asyncio.run(readers(server.url, args.readers, lambda: time.monotonic() >= end))
        t_idle = time.monotonic() - t0
        writer = tracker("run", "--db", str(db), "--feeds", str(second), "--delay", "0", "--max-items", "1000")
        t0 = time.monotonic()
        writing = asyncio.run(readers(server.url, args.readers, lambda: writer.poll() is not None))
        t_writing = time.monotonic() - t0
        if writer.returncode != 0:
            print(f"note: the writing run exited {writer.returncode}: {writer.stderr.read()[-500:]}")
    finally:
        server.stop()
        site.shutdown()
    print(f"serve load: {args.readers} readers on 127.0.0.1, {os.cpu_count()} cores; the writer is `tracker run`"
          f" over {args.n} new articles (crawl, extract, merge)")
    print(f"{'phase':<10}{'seconds':>8}{'requests':>10}{'req/s':>10}{'errors':>8}{'p50 ms':>10}{'p95 ms':>10}"
          f"{'max ms':>10}")
    print("-" * 76)
    print(row("idle", t_idle, idle))
    print(row("writing", t_writing, writing))


if __name__ == "__main__":
    main()
