"""Benchmark: the extractor (`extract_events`) on a news mix, as a library call and as `tracker annotate` runs it.

The articles (bench/newsmix.py): about a tenth are corpus texts that report a measure (train and dev
splits), the rest ordinary news generated in the article's language, full of measure words about other
things and services named in passing. Each run is a process of its own that loads what it needs first,
so the figures exclude start-up and the peak memory (RSS) is that run's own:

- extract        `extract_events(text, published, title, language)` over N English articles, one process
- annotate       `annotate_file` (what `tracker annotate` runs) over the same articles as JSONL
- annotate x2    the same with `--workers 2` (its peak RSS sums the parent and its workers, sampled)
- mixed          N articles, half English, half the eight other languages (a sixteenth each); every
                 language pack loaded before timing; articles/s per language, and the peak RSS with all
                 packs loaded, which must stay under 1.5 GB

    .venv/bin/python bench/extract.py                  # 1,000 articles a run
    .venv/bin/python bench/extract.py --n 200          # a quicker run
    .venv/bin/python bench/extract.py --no-workers     # skip annotate x2
    .venv/bin/python bench/extract.py --profile        # where the English run spends its time (cProfile)
    .venv/bin/python bench/extract.py --dump out.jsonl # every article's events, to compare two versions
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from newsmix import LANGUAGES, news_mix

#: Peak memory the mixed run may reach with every pack loaded (the issue's limit).
LIMIT_MB = 1500


def peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # kilobytes on Linux


def _tree_rss_mb(root: int) -> float:
    """Resident memory of a process and all its descendants (forkserver workers are not our children)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            parents[int(stat.parent.name)] = int(fields[1])
        except (OSError, IndexError, ValueError):
            continue
    tree, todo = set(), [root]
    while todo:
        pid = todo.pop()
        tree.add(pid)
        todo.extend(c for c, pp in parents.items() if pp == pid and c not in tree)
    total = 0
    for pid in tree:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


class TreeRssSampler(threading.Thread):
    """Peak of the summed RSS of this process tree, sampled four times a second."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = 0.0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.25):
            self.peak = max(self.peak, _tree_rss_mb(os.getpid()))


# ---- the runs (each in a child process) -----------------------------------------------------------


def _warm_up(docs: list[dict]) -> None:
    """Load every language pack the articles need (lemmatizer, parser, date tables, model): one corpus text
    and one ordinary article of each language go through the extractor before the clock starts."""
    from tracker.extract import extract_events

    seen: set[tuple[str, bool]] = set()
    for d in docs:
        if (d["language"], d["measure"]) not in seen:
            seen.add((d["language"], d["measure"]))
            extract_events(d["text"], d["published"], d["title"], language=d["language"])


def _extract(docs: list[dict], dump: Path | None) -> dict:
    from tracker.extract import extract_events

    seconds: dict[str, float] = defaultdict(float)
    out = []
    for d in docs:
        start = time.perf_counter()
        events = extract_events(d["text"], d["published"], d["title"], language=d["language"])
        seconds[d["language"]] += time.perf_counter() - start
        out.append({"id": d["id"], "events": events})
    if dump:
        with dump.open("a", encoding="utf-8") as fh:
            for o in out:
                fh.write(json.dumps(o, ensure_ascii=False, sort_keys=True) + "\n")
    with_events = {o["id"] for o in out if o["events"]}
    return {"seconds_by_language": dict(seconds), "seconds": sum(seconds.values()),
            "events": sum(len(o["events"]) for o in out), "with_events": sorted(with_events)}


def _annotate(path: Path, workers: int) -> dict:
    from tracker.extract import annotate_file

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.jsonl"
        sampler = TreeRssSampler()
        if workers > 1:
            sampler.start()
        start = time.perf_counter()
        summary = annotate_file(path, out, workers=workers, err=io.StringIO())
        seconds = time.perf_counter() - start
        sampler.done.set()
        lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    result = {"seconds": seconds, "events": summary.events, "errors": summary.errors,
              "with_events": sorted(o["id"] for o in lines if o.get("events"))}
    if workers > 1:
        result["tree_peak_rss_mb"] = round(sampler.peak, 1)
    return result


def run_mode(mode: str, path: Path, dump: Path | None, profile: bool) -> dict:
    """In a child process: load the articles and the packs, then time one run."""
    docs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    _warm_up(docs)
    rss_loaded = peak_rss_mb()
    if mode in ("annotate", "annotate x2"):
        result = _annotate(path, 2 if mode == "annotate x2" else 1)
    elif profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        result = prof.runcall(_extract, docs, dump)
        stats = pstats.Stats(prof, stream=sys.stderr)
        stats.sort_stats("cumulative").print_stats(30)
        stats.sort_stats("tottime").print_stats(25)
    else:
        result = _extract(docs, dump)
    return {"mode": mode, "articles": len(docs), "rss_loaded_mb": round(rss_loaded, 1),
            "peak_rss_mb": round(peak_rss_mb(), 1), **result}


# ---- the parent: write the articles, run each mode, print the tables --------------------------------


def _child(mode: str, path: Path, dump: Path | None, profile: bool) -> dict:
    cmd = [sys.executable, __file__, "--child", mode, str(path)]
    if dump:
        cmd += ["--dump", str(dump)]
    if profile:
        cmd.append("--profile")
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=3600)
    if profile:
        print(proc.stderr, file=sys.stderr)
    if proc.returncode:
        sys.exit(f"{mode} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _write(docs: list[dict], path: Path) -> None:
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")


def _hits(docs: list[dict], with_events: list[str]) -> tuple[int, int, int]:
    """(measure articles with events, measure articles, ordinary articles with events)."""
    hit = set(with_events) & {d["id"] for d in docs}
    measure = {d["id"] for d in docs if d["measure"]}
    return len(hit & measure), len(measure), len(hit - measure)


def english_table(docs: list[dict], results: dict[str, dict]) -> str:
    lines = [(f"| {'run':<12} | {'articles':>8} | {'seconds':>8} | {'articles/s':>10} | {'RSS loaded MB':>13} "
             f"| {'peak RSS MB':>11} |"),
             "|" + "|".join("-" * (w + 1) + ":" for w in (12, 8, 8, 10, 13, 11)).replace("-:", "--", 1) + "|"]
    for mode, r in results.items():
        peak = r.get("tree_peak_rss_mb", r["peak_rss_mb"])
        lines.append(f"| {mode:<12} | {r['articles']:>8,} | {r['seconds']:>8.2f} | {r['articles'] / r['seconds']:>10.1f} "
                     f"| {r['rss_loaded_mb']:>13.0f} | {peak:>11.0f} |")
    found, measures, false = _hits(docs, results["extract"]["with_events"])
    lines.append("")
    lines.append(f"extract: {results['extract']['events']} events; {found} of {measures} measure articles and "
                 f"{false} of {len(docs) - measures} ordinary articles have events")
    return "\n".join(lines)


def mixed_table(docs: list[dict], r: dict) -> str:
    by_lang = Counter(d["language"] for d in docs)
    lines = [(f"| {'language':<8} | {'articles':>8} | {'measure':>7} | {'seconds':>8} | {'articles/s':>10} "
             f"| {'measure hit':>11} | {'ordinary hit':>12} |"),
             "|" + "|".join("-" * (w + 1) + ":" for w in (8, 8, 7, 8, 10, 11, 12)).replace("-:", "--", 1) + "|"]
    for lang in sorted(by_lang, key=lambda code: (code != "en", code)):
        mine = [d for d in docs if d["language"] == lang]
        found, measures, false = _hits(mine, r["with_events"])
        secs = r["seconds_by_language"][lang]
        lines.append(f"| {lang:<8} | {len(mine):>8,} | {measures:>7} | {secs:>8.2f} | {len(mine) / secs:>10.1f} "
                     f"| {found:>5} of {measures:<3} | {false:>5} of {len(mine) - measures:<4} |")
    found, measures, false = _hits(docs, r["with_events"])
    lines.append(f"| {'all':<8} | {len(docs):>8,} | {measures:>7} | {r['seconds']:>8.2f} "
                 f"| {len(docs) / r['seconds']:>10.1f} | {found:>5} of {measures:<3} | {false:>5} of "
                 f"{len(docs) - measures:<4} |")
    verdict = "within" if r["peak_rss_mb"] < LIMIT_MB else "OVER"
    lines.append("")
    lines.append(f"all nine packs loaded: RSS {r['rss_loaded_mb']:.0f} MB, peak {r['peak_rss_mb']:.0f} MB "
                 f"({verdict} the {LIMIT_MB:,} MB limit)")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1000, help="articles a run (default 1,000)")
    ap.add_argument("--no-workers", action="store_true", help="skip the --workers 2 run")
    ap.add_argument("--no-mixed", action="store_true", help="skip the mixed-language run")
    ap.add_argument("--profile", action="store_true", help="cProfile the English extract run (on stderr)")
    ap.add_argument("--dump", type=Path, help="write every article's events (extract and mixed runs) to this file")
    ap.add_argument("--child", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(run_mode(args.child[0], Path(args.child[1]), args.dump, args.profile)))
        return
    if args.dump:
        args.dump.write_text("", encoding="utf-8")

    english = news_mix(args.n, {"en": 1.0})
    others = [lang for lang in LANGUAGES if lang != "en"]
    mixed = news_mix(args.n, {"en": 0.5, **{lang: 0.5 / len(others) for lang in others}}, seed=11)
    with tempfile.TemporaryDirectory() as tmp:
        en_path, mixed_path = Path(tmp) / "english.jsonl", Path(tmp) / "mixed.jsonl"
        _write(english, en_path)
        _write(mixed, mixed_path)
        chars = sum(len(d["text"]) for d in english) / len(english)
        print(f"{len(english):,} English articles ({sum(d['measure'] for d in english)} report a measure), "
              f"{chars:,.0f} characters on average; {os.cpu_count()} CPUs", file=sys.stderr, flush=True)
        results = {}
        for mode in ["extract", "annotate"] + ([] if args.no_workers else ["annotate x2"]):
            print(f"running {mode} ...", file=sys.stderr, flush=True)
            results[mode] = _child(mode, en_path, args.dump if mode == "extract" else None,
                                   args.profile and mode == "extract")
        mixed_result = None
        if not args.no_mixed:
            print("running mixed ...", file=sys.stderr, flush=True)
            mixed_result = _child("mixed", mixed_path, args.dump, False)

    print()
    print(english_table(english, results))
    if mixed_result:
        print()
        print(mixed_table(mixed, mixed_result))


if __name__ == "__main__":
    main()
