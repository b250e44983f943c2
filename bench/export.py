"""Benchmark: export N synthetic events (default 1,000,000) to CSV; time and peak memory.

Builds a temporary SQLite database through `tracker.db.open_db` (the real
schema), fills it with N events, N mentions, N event-article links and N/4
articles, then runs `tracker.export.export_file(db, "events", "csv", ...)` in
a fresh child process per measurement, so each peak is the export's own:

- peak RSS of the child (resource.getrusage), against a child that opens the
  same database and exports nothing (the baseline);
- peak of Python allocations (tracemalloc) in a separate traced run, which is
  slower, so its time is not reported.

The export is also run at N/10: constant-memory streaming shows as the same
peak at both sizes. The full-text triggers are dropped from the temporary
database before the bulk load (exports never read the full-text index).

    .venv/bin/python bench/export.py [--rows N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tracker.export import columns

ACTIONS = columns.ACTIONS
STATUSES = [*columns.STATUSES, None]
CATEGORIES = ["national_security", "disinformation", "legal_noncompliance", "protests_unrest", "elections", None]
ACTORS = ["Roskomnadzor", "BTK", "a Moscow court", "Роскомнадзор", "the Ministry of Communications", None]
REASONS = ["national security", "=HYPERLINK(\"x\")", "failure to remove \"banned\" content, again",
           "protests; unrest\nin several regions", None]


def build(path: Path, n: int, seed: int = 7) -> dict[str, float]:
    """Create the synthetic database; returns seconds spent."""
    from tracker.db import open_db

    t0 = time.perf_counter()
    db = open_db(path, create=True)
    countries = [r[0] for r in db.execute("SELECT code FROM countries")]
    platforms = [r[0] for r in db.execute("SELECT name FROM platforms")]
    db.close()
    conn = sqlite3.connect(path)
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        conn.execute(f"DROP TRIGGER [{name}]")
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    rnd = random.Random(seed)
    n_articles = max(1, n // 4)
    with conn:
        conn.execute("INSERT OR IGNORE INTO sources (name, url, type, publisher) VALUES "
                     "('bench', 'http://127.0.0.1/bench.xml', 'rss', 'press')")
        conn.executemany(
            "INSERT INTO articles (id, source, url, title, text, published, language, content_hash, fetched_at) "
            "VALUES (?, 'bench', ?, ?, ?, ?, 'en', ?, ?)",
            ((i, f"https://news.example/{i}", f"Article {i}, with a comma", f"Text of article {i}.",
              f"20{10 + i % 16:02d}-{1 + i % 12:02d}-{1 + i % 28:02d}", f"h{i}", "2026-11-20T08:00:00Z")
             for i in range(1, n_articles + 1)),
        )

        def events():
            for i in range(1, n + 1):
                action = ACTIONS[i % len(ACTIONS)]
                day = f"20{10 + i % 16:02d}-{1 + i % 12:02d}-{1 + i % 28:02d}"
                yield (f"ev-{i:07d}", rnd.choice(countries), rnd.choice(platforms), action, action,
                       rnd.choice(STATUSES), day[: rnd.choice((4, 7, 10, 10))], day, day, rnd.choice(ACTORS),
                       "nationwide", rnd.choice(REASONS), rnd.choice(CATEGORIES),
                       f"Authorities moved against the service on {day}, saying \"enough\", event {i}.",
                       1, 1, 1, 0, round(rnd.random(), 3), "2026-11-20T08:00:00Z")

        conn.executemany(
            "INSERT INTO events (id, country, platform, action, action_class, status, date, first_reported, "
            "last_reported, actor, scope, justification, justification_category, evidence, n_mentions, "
            "n_sources, n_publishers, regulator_confirmed, confidence, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            events(),
        )
        conn.executemany(
            "INSERT INTO mentions (id, article_id, position, country, platform, action, action_class, status, "
            "date, evidence, confidence, extractor_version) "
            "SELECT rowid, 1 + (rowid % ?), 0, country, platform, action, action_class, status, date, evidence, "
            "confidence, 'bench' FROM events WHERE rowid BETWEEN ? AND ?",
            ((n_articles, lo, lo + 99_999) for lo in range(1, n + 1, 100_000)),
        )
        conn.execute(
            "INSERT INTO event_sources (event_id, mention_id, article_id, publisher, added_at) "
            "SELECT e.id, m.id, m.article_id, 'press', '2026-11-20T08:00:00Z' "
            "FROM events AS e JOIN mentions AS m ON m.id = e.rowid"
        )
    conn.close()
    return {"build_s": time.perf_counter() - t0}


def child(db_path: str, out: str, trace: bool, empty: bool) -> None:
    """Run one export in this (fresh) process and print its measurements as JSON."""
    import tracemalloc

    from tracker.db import open_db
    from tracker.export import export_file, parse_filters

    db = open_db(db_path, readonly=True)
    filters = parse_filters(db, since="2100") if empty else None
    if trace:
        tracemalloc.start()
    t0 = time.perf_counter()
    n = export_file(db, "events", "csv", Path(out), filters)
    seconds = time.perf_counter() - t0
    peak_py = tracemalloc.get_traced_memory()[1] if trace else 0
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"rows": n, "seconds": seconds, "rss_mb": rss_kb / 1024, "py_peak_mb": peak_py / 2**20,
                      "bytes": os.path.getsize(out)}))


def measure(db_path: Path, out: Path, *, trace: bool = False, empty: bool = False) -> dict:
    cmd = [sys.executable, __file__, "--child", str(db_path), str(out)]
    cmd += ["--trace"] if trace else []
    cmd += ["--empty"] if empty else []
    proc = subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=3600)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000, help="events to generate (default 1,000,000)")
    ap.add_argument("--keep", type=Path, help="keep the database and CSV in this directory")
    ap.add_argument("--child", nargs=2, metavar=("DB", "OUT"), help=argparse.SUPPRESS)
    ap.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--empty", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child[0], args.child[1], args.trace, args.empty)
        return
    work = Path(tempfile.mkdtemp(prefix="tracker-bench-export-"))
    try:
        table = []
        baseline = None
        for n in sorted({max(1, args.rows // 10), args.rows}):
            db_path = work / f"events-{n}.db"
            built = build(db_path, n)
            if baseline is None:
                baseline = measure(db_path, work / "empty.csv", empty=True)
            plain = measure(db_path, work / f"events-{n}.csv")
            traced = measure(db_path, work / f"events-{n}-traced.csv", trace=True)
            table.append((n, built["build_s"], plain["seconds"], plain["rows"] / plain["seconds"],
                          plain["bytes"] / 2**20, plain["rss_mb"], plain["rss_mb"] - baseline["rss_mb"],
                          traced["py_peak_mb"]))
            if not args.keep:
                db_path.unlink()
                for suffix in ("-wal", "-shm"):
                    Path(str(db_path) + suffix).unlink(missing_ok=True)
        header = ("events", "build s", "export s", "rows/s", "CSV MB", "peak RSS MB", "RSS over baseline MB",
                  "py heap peak MB")
        print(f"tracker export events --format csv (baseline RSS, nothing exported: {baseline['rss_mb']:.1f} MB)")
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for n, b, s, rps, mb, rss, over, py in table:
            print(f"| {n:,} | {b:.1f} | {s:.1f} | {rps:,.0f} | {mb:.1f} | {rss:.1f} | {over:.1f} | {py:.2f} |")
    finally:
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            for p in work.iterdir():
                shutil.move(str(p), args.keep / p.name)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
