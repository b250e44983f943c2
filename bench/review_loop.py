"""Benchmark: does reviewing teach the model, and does the review queue pick the events that teach it most?

The corpus stands in for the reviewer. The train split is cut in two by a hash of each text's id: the model
is trained on the first part (`--base-share`), and the texts of the second part (the "pool") are stored as
articles in a real tracker database, read by that model and merged into events, as crawled articles would
be. Then, for each way of choosing:

- queue       the order of `tracker review queue` (least certain, most reported, newest first),
- random      events picked at random (`--seeds` orders),

the first N events (`--picks`, cumulative) are reviewed through the library behind `tracker review`, each
answered from the gold annotation of its articles: confirmed when its key (country, platform, class) is a
gold event there, corrected to the gold action and status when a gold event there has its country and
platform but another class, rejected otherwise. `tracker export gold` writes the reviewed articles,
`tracker train --with-reviews` retrains on the first part plus them, and `tracker eval --split dev` scores
the new model. The test split is never read.

    .venv/bin/python bench/review_loop.py                       # picks 10, 25, 50; 3 random orders
    .venv/bin/python bench/review_loop.py --picks 50 --seeds 1 --train-seeds 7  # a quicker run
    .venv/bin/python bench/review_loop.py --json results.json   # the figures as JSON too
    .venv/bin/python bench/review_loop.py --full-gold           # and the picked texts fully annotated

Each retraining takes the time of `tracker train` on the base part and the reviews (about half a minute on a
2-core machine), once per training seed, each evaluation the time of `tracker eval --split dev` (about 20 s).

Training and extraction are deterministic (tests/test_gate.py trains and reads under two hash seeds), so two
runs give the same table. But a retraining on slightly other data is a new draw of LightGBM's bagging: the
base model alone reads dev F1 0.620, 0.613 and 0.610 under seeds 7, 8 and 9, more than 50 reviews can move it.
So every model, the base included, is trained under each of `--train-seeds` and its scores are the mean;
the random orders' spread is then the noise left besides the dev split's size.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tracker.corpus.store import load
from tracker.db import open_db
from tracker.events.extraction import extract_articles
from tracker.extract import engine
from tracker.extract.evaluate import evaluate_records
from tracker.extract.model import load_model
from tracker.extract.train import train
from tracker.review.gold import export_gold, load_reviews
from tracker.review.queue import queue
from tracker.review.store import record_review
from tracker.vocabulary import action_class, canonical_platform

CORPUS = ROOT / "corpus" / "texts"


def split_train(records: list[dict], share: float, salt: str) -> tuple[list[dict], list[dict]]:
    """(base, pool): a stable cut of the train split by a hash of each id."""
    def part(rec: dict) -> float:
        return int(hashlib.sha256(f"{salt}:{rec['id']}".encode()).hexdigest()[:8], 16) / 0xFFFFFFFF

    return [r for r in records if part(r) < share], [r for r in records if part(r) >= share]


def extractor(model_dir: Path):
    model = load_model(str(model_dir))

    def extract(text: str, published: str | None = None, title: str | None = None,
                language: str | None = None) -> list[dict]:
        return engine.extract(text, language or "en", published, title, model=model)

    return extract


def dev_scores(model_dir: Path, dev: list[dict]) -> dict:
    ev = evaluate_records(dev, extract=extractor(model_dir)).all.as_dict()["events"]
    return {k: ev[k] for k in ("precision", "recall", "f1", "tp", "fp", "fn")}


def seed_dir(out: Path, seed: int) -> Path:
    """Where trained_scores writes the model of `out` trained under `seed`."""
    return out.with_name(f"{out.name}-s{seed}")


def trained_scores(records: list[dict], out: Path, dev: list[dict], seeds: list[int]) -> dict:
    """Train on `records` under each LightGBM seed; the mean of the dev scores (F1 per seed kept)."""
    runs = []
    for seed in seeds:
        train(records, seed_dir(out, seed), seed=seed)
        runs.append(dev_scores(seed_dir(out, seed), dev))
    mean = {k: round(statistics.mean(r[k] for r in runs), 4) for k in ("precision", "recall", "f1")}
    return {**mean, **{k: sum(r[k] for r in runs) for k in ("tp", "fp", "fn")},
            "f1_by_seed": [r["f1"] for r in runs]}


def pool_database(path: Path, pool: list[dict], model_dir: Path) -> dict[int, dict]:
    """The pool stored as articles and read by the base model; returns article id -> corpus record."""
    db = open_db(path, create=True)
    for publisher in ("press", "regulator", "ngo", "court"):
        db.table("sources").insert({"name": f"pool-{publisher}", "url": f"https://pool.invalid/{publisher}",
                                    "type": "rss", "publisher": publisher}, pk="name")
    by_article = {}
    articles = db.table("articles")
    with db.conn:
        for rec in pool:
            articles.insert({
                "source": f"pool-{rec['publisher']}", "url": f"{rec['url']}#corpus-{rec['id']}",
                "title": rec.get("title"), "text": rec["text"], "published": rec["published"],
                "language": rec["language"], "content_hash": hashlib.sha256(rec["text"].encode()).hexdigest(),
                "fetched_at": f"{rec['published']}T00:00:00Z", "extractor_version": ""})
            by_article[articles.last_rowid] = rec
    summary = extract_articles(db, extract=extractor(model_dir), version="base")
    assert not summary.failed, summary.failed
    db.close()
    return by_article


def _key(country: str | None, platform: str | None, klass: str | None) -> tuple:
    return (country, canonical_platform(platform or "").lower(), klass)


def answer(db, event_id: str, gold_of: dict[int, dict]) -> tuple[str, dict]:
    """The stand-in reviewer: the verdict the gold annotation of the event's articles gives."""
    ev = db.table("events").get(event_id)
    articles = [r[0] for r in db.execute("SELECT DISTINCT article_id FROM event_sources WHERE event_id = ?",
                                         [event_id])]
    gold = [g for a in articles for g in gold_of[a]["events"]]
    keys = {_key(g["country"], g["platform"], action_class(g["action"], g["status"])) for g in gold}
    if _key(ev["country"], ev["platform"], ev["action_class"]) in keys:
        return "confirmed", {}
    same = [g for g in gold if _key(g["country"], g["platform"], None)[:2] == _key(ev["country"], ev["platform"],
                                                                                   None)[:2]]
    if same:
        return "corrected", {"action": same[0]["action"], "status": same[0]["status"]}
    return "rejected", {}


def run_order(name: str, order: list[str], picks: list[int], base_db: Path, gold_of: dict[int, dict],
              base: list[dict], dev: list[dict], work: Path, *, seeds: list[int],
              full_gold: bool = False) -> list[dict]:
    """Review the first N events of `order` for each N of `picks`; retrain and score after each. With
    `full_gold`, also train on the last pick's texts with their whole corpus annotation, for comparison."""
    db_path = work / f"{name}.db"
    shutil.copy(base_db, db_path)
    db = open_db(db_path)
    rows, done = [], 0
    verdicts = {"confirmed": 0, "corrected": 0, "rejected": 0}
    for n in picks:
        for event_id in order[done:n]:
            verdict, changes = answer(db, event_id, gold_of)
            record_review(db, event_id, verdict, changes=changes or None, reason="answered from the corpus")
            verdicts[verdict] += 1
        done = n
        export_gold(db, work / f"{name}-{n}")
        reviewed = load_reviews(work / f"{name}-{n}", CORPUS)
        start = time.monotonic()
        scores = trained_scores(base + reviewed.records, work / f"{name}-{n}-model", dev, seeds)
        rows.append({"order": name, "reviewed": n, **verdicts, "texts": len(reviewed.records), **scores,
                     "seconds": round(time.monotonic() - start, 1)})
        print(f"  {name:8} {n:3} reviewed: F1 {scores['f1']:.3f} ({verdicts}, {len(reviewed.records)} texts)",
              file=sys.stderr, flush=True)
    if full_gold:  # what the same texts teach when every event in them is annotated, not only those reviewed
        texts = [gold_of[int(r["id"].removeprefix("review-"))] for r in reviewed.records]
        scores = trained_scores(base + texts, work / f"{name}-full-model", dev, seeds)
        rows.append({"order": f"{name} (texts fully annotated)", "reviewed": done, **verdicts,
                     "texts": len(texts), **scores, "seconds": 0.0})
        print(f"  {name:8} {done:3} texts fully annotated: F1 {scores['f1']:.3f}", file=sys.stderr, flush=True)
    db.close()
    return rows


def table(rows: list[dict], start: dict, seeds: int) -> str:
    """The curves as a Markdown table: F1 and its gain over the base model at each number reviewed."""
    out = ["| order | reviewed | confirmed / corrected / rejected | dev precision | dev recall | dev F1 | gain |",
           "|---|---:|---|---:|---:|---:|---:|",
           f"| (base model) | 0 | | {start['precision']:.3f} | {start['recall']:.3f} | {start['f1']:.3f} | |"]
    for n in sorted({r["reviewed"] for r in rows}):
        def pick(prefix: str, full: bool, n: int = n) -> list[dict]:
            return [r for r in rows if r["order"].startswith(prefix) and r["reviewed"] == n
                    and r["order"].endswith("fully annotated)") == full]

        for label, group in (("queue", pick("queue", False)), (f"random (mean of {seeds})", pick("random", False)),
                             ("queue's texts, fully annotated", pick("queue", True)),
                             (f"random texts, fully annotated (mean of {seeds})", pick("random", True))):
            if not group:
                continue
            f1 = [r["f1"] for r in group]
            sd = f" ± {statistics.stdev(f1):.3f}" if len(f1) > 1 else ""
            counts = " / ".join(str(round(statistics.mean(r[k] for r in group), 1)).removesuffix(".0")
                                for k in ("confirmed", "corrected", "rejected"))
            out.append(f"| {label} | {n} | {counts} | {statistics.mean(r['precision'] for r in group):.3f} | "
                       f"{statistics.mean(r['recall'] for r in group):.3f} | {statistics.mean(f1):.3f}{sd} | "
                       f"{statistics.mean(f1) - start['f1']:+.3f} |")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-share", type=float, default=0.5, help="share of the train split the base model "
                        "is trained on (the rest is the pool reviewed from)")
    parser.add_argument("--picks", default="10,25,50", help="numbers of events reviewed, comma-separated")
    parser.add_argument("--seeds", type=int, default=3, help="random orders to compare with the queue")
    parser.add_argument("--salt", default="review-loop", help="what the train split is cut by")
    parser.add_argument("--train-seeds", default="7,8,9", help="LightGBM seeds every model is trained under "
                        "(comma-separated); its scores are their mean")
    parser.add_argument("--json", dest="json_out", type=Path, help="also write the figures here")
    parser.add_argument("--keep", type=Path, help="keep the databases, reviews and models in this folder")
    parser.add_argument("--full-gold", action="store_true", help="also train on the last pick's texts with "
                        "their whole annotation: what those texts could teach at most")
    args = parser.parse_args()
    picks = sorted({int(p) for p in args.picks.split(",") if p.strip()})
    seeds = [int(s) for s in args.train_seeds.split(",") if s.strip()]

    train_split = load([CORPUS], split="train")
    dev = load([CORPUS], split="dev")
    base, pool = split_train(train_split, args.base_share, args.salt)
    work = args.keep or Path(tempfile.mkdtemp(prefix="review-loop-"))
    work.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    print(f"train split {len(train_split)} texts: base {len(base)}, pool {len(pool)}; dev {len(dev)}",
          file=sys.stderr, flush=True)
    start = trained_scores(base, work / "base-model", dev, seeds)
    print(f"  base model: dev F1 {start['f1']:.3f} (seeds {seeds}: {start['f1_by_seed']})", file=sys.stderr,
          flush=True)
    gold_of = pool_database(work / "pool.db", pool, seed_dir(work / "base-model", seeds[0]))
    db = open_db(work / "pool.db")
    events = [r["id"] for r in queue(db, limit=1_000_000)]
    db.close()
    print(f"  pool: {len(gold_of)} articles, {len(events)} events to choose from", file=sys.stderr, flush=True)

    rows = run_order("queue", events, picks, work / "pool.db", gold_of, base, dev, work, seeds=seeds,
                     full_gold=args.full_gold)
    for seed in range(1, args.seeds + 1):
        order = list(events)
        random.Random(seed).shuffle(order)
        rows += run_order(f"random-{seed}", order, picks, work / "pool.db", gold_of, base, dev, work,
                          seeds=seeds, full_gold=args.full_gold)

    print(f"\nbase {len(base)} texts, pool {len(gold_of)} texts with {len(events)} events; dev {len(dev)} texts; "
          f"every model trained under LightGBM seeds {seeds} (scores are their mean); "
          f"{time.monotonic() - t0:.0f}s in all\n")
    print(table(rows, start, args.seeds))
    if args.json_out:
        args.json_out.write_text(json.dumps({"base": start, "rows": rows, "pool_events": len(events),
                                             "base_texts": len(base), "pool_texts": len(gold_of)}, indent=1))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
