"""Benchmark: the extractor as `tracker annotate` runs it, next to a plain spaCy `nlp.pipe`.

1,000 generated English news articles, a tenth of them reporting a censorship measure (templates
with varied services, countries, authorities, dates and reasons), the rest ordinary news (economy,
sport, weather, science, city politics) in which trigger words ("ban", "suspend", "block") and
service names ("said on Facebook") do occur, as they do in real news. Each mode runs in its own
process after loading the models, so every figure excludes start-up and peak memory (RSS) is that
mode's own:

- annotate      the library function behind `tracker annotate` (annotate_file) on one process
- annotate x2   the same with --workers 2 (peak RSS summed over the parent and its workers)
- nlp.pipe      the same pipeline (small English model + entity ruler) over the full texts

    .venv/bin/python bench/extract.py            # 1,000 articles
    .venv/bin/python bench/extract.py --n 200    # a quicker run
    .venv/bin/python bench/extract.py --no-workers
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

COUNTRIES = [  # (name, adjective, capital, authority)
    ("Russia", "Russian", "Moscow", "Roskomnadzor"),
    ("Turkey", "Turkish", "Ankara", "the Information and Communication Technologies Authority"),
    ("Pakistan", "Pakistani", "Islamabad", "the Pakistan Telecommunication Authority"),
    ("Nigeria", "Nigerian", "Abuja", "the Nigerian Communications Commission"),
    ("Iran", "Iranian", "Tehran", "the judiciary"),
    ("India", "Indian", "New Delhi", "the IT ministry"),
    ("Brazil", "Brazilian", "Brasilia", "the Supreme Court"),
    ("Ethiopia", "Ethiopian", "Addis Ababa", "the government"),
    ("Bangladesh", "Bangladeshi", "Dhaka", "the telecoms regulator"),
    ("Kazakhstan", "Kazakh", "Astana", "the information ministry"),
    ("Uganda", "Ugandan", "Kampala", "the Uganda Communications Commission"),
    ("Venezuela", "Venezuelan", "Caracas", "the telecoms regulator Conatel"),
    ("Indonesia", "Indonesian", "Jakarta", "the communications ministry"),
    ("Vietnam", "Vietnamese", "Hanoi", "the information ministry"),
]
PLATFORMS = ["Twitter", "X", "Facebook", "Instagram", "WhatsApp", "Telegram", "TikTok", "YouTube", "Signal",
             "Wikipedia", "Discord", "Snapchat", "LinkedIn", "Viber", "Clubhouse"]
REASONS = [
    "citing national security", "for spreading false information about the army",
    "because it failed to remove content the authorities called extremist", "to stop cheating during school exams",
    "for refusing to open a local office", "to curb unrest after the disputed vote",
    "saying the platform harmed children", "for promoting gambling",
]
MEASURES = [
    "{adj} authorities blocked {p} on {weekday}, {reason}, according to users in {capital}.",
    "{authority} said it had restricted access to {p} {reason}.",
    "The government of {country} throttled {p} on {mdate}, monitoring groups reported, {reason}.",
    "A court in {capital} banned {p} for a year {reason}.",
    "{country} lifted its block on {p} on {weekday}, {weeks} weeks after cutting off access.",
    "Officials in {country} threatened to block {p} unless it deletes posts they call illegal.",
    "Internet providers in {country} were ordered to slow down {p} last week, {reason}.",
    "{country} cut off mobile internet in several provinces on {mdate} as protests spread.",
]
FOLLOW_UPS = [
    "The company did not respond to a request for comment.",
    "Users said they could still reach the service through VPN apps, which saw a surge in downloads.",
    "Digital rights groups called the measure disproportionate and urged the authorities to reverse it.",
    "It was not clear how long the measure would stay in place.",
]
ORDINARY = [
    ("The central bank kept its main interest rate at {pct} percent on {weekday}, saying inflation was easing "
    "more slowly than it had expected in the spring."),
    ("Shares in {capital} closed {pct} percent higher, led by banks and energy companies, as investors welcomed "
    "better than expected export figures."),
    ("The league suspended the striker for {n} matches after he was sent off in the derby, the club said on "
    "{weekday}."),
    "The city council voted to ban cars from the old town on Sundays, a plan shopkeepers say will hurt trade.",
    ("Heavy rain is expected across the north of {country} until {weekday}, and the weather service warned of "
    "floods along the river."),
    ("Researchers at the national university said they had found a new species of frog in the forests east of "
    "{capital}, the first in a decade."),
    "The home side won {n}-1 after a late goal, keeping their hopes of a top-four finish alive.",
    ("Farmers blocked a motorway near {capital} with tractors for several hours on {weekday} to protest against "
    "lower grain prices."),
    "The museum reopened after a two-year renovation, with a new wing for modern art and a rooftop cafe.",
    ("The health ministry said {n} new cases of measles were recorded last month and urged parents to vaccinate "
    "their children."),
    "The airline said it would add {n} weekly flights to {capital} from March, citing strong demand from tourists.",
    "The minister announced on Facebook that schools would reopen on {weekday} after the holiday.",
    "Police closed several streets in {capital} for the marathon, which drew more than {n},000 runners.",
    "The prime minister posted a video on X thanking volunteers who helped clean the beaches after the storm.",
    "The film festival opened with a drama about three sisters running a bakery, which critics praised.",
    "Prices of bread and milk rose again in {mdate}, the statistics office said, adding to pressure on families.",
    "The opposition called for an inquiry into the cost of the new bridge, which rose by {pct} percent.",
    "A new tram line linking the airport with the centre of {capital} will open next year, officials said.",
    "The orchestra will tour {n} cities this autumn, with tickets on sale from {weekday}.",
    "The company said its profits rose {pct} percent in the third quarter as sales of electric scooters grew.",
]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]


def make_articles(n: int, seed: int = 7) -> list[dict]:
    """n articles; every tenth reports a measure, placed among ordinary paragraphs."""
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        country, adj, capital, authority = rnd.choice(COUNTRIES)
        published = date(2021, 1, 1) + timedelta(days=rnd.randrange(1400))
        day = published - timedelta(days=rnd.randrange(1, 20))

        def fill(template: str, _c=country, _a=adj, _cap=capital, _auth=authority, _d=day) -> str:
            text = template.format(
                country=_c, adj=_a, capital=_cap, authority=_auth, p=rnd.choice(PLATFORMS),
                reason=rnd.choice(REASONS), weekday=rnd.choice(WEEKDAYS), weeks=rnd.randrange(2, 9),
                mdate=f"{MONTHS[_d.month - 1]} {_d.day}", pct=rnd.randrange(2, 15), n=rnd.randrange(2, 9))
            return text[0].upper() + text[1:]

        paras = [" ".join(fill(t) for t in rnd.sample(ORDINARY, rnd.randrange(1, 4)))
                 for _ in range(rnd.randrange(8, 15))]
        measure = i % 10 == 0
        if measure:
            at = rnd.randrange(0, 2)
            paras[at:at] = [fill(rnd.choice(MEASURES)) + " " + rnd.choice(FOLLOW_UPS)]
        title = paras[0].split(",")[0][:80]
        out.append({"id": f"bench-{i:05d}", "published": published.isoformat(), "title": title,
                    "text": "\n".join(paras), "measure": measure})
    return out


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


def run_mode(mode: str, path: Path) -> dict:
    """Runs in a child process: load the models, then time one mode over the articles file."""
    docs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    from tracker.extract import annotate_file, extract_events
    from tracker.extract.nlp import get_embedder, get_nlp

    nlp = get_nlp()
    if mode == "nlp.pipe":
        list(nlp.pipe([d["text"] for d in docs[:5]]))
        rss_loaded = peak_rss_mb()
        start = time.perf_counter()
        tokens = sum(len(doc) for doc in nlp.pipe((d["text"] for d in docs), batch_size=64))
        seconds = time.perf_counter() - start
        extra = {"tokens": tokens}
    else:
        workers = 2 if mode == "annotate x2" else 1
        get_embedder()
        extract_events(docs[0]["text"], docs[0]["published"])
        rss_loaded = peak_rss_mb()
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
        with_events = {o["id"] for o in lines if o.get("events")}
        measure_ids = {d["id"] for d in docs if d["measure"]}
        extra = {"events": summary.events, "errors": summary.errors,
                 "measure_articles_with_events": len(with_events & measure_ids),
                 "other_articles_with_events": len(with_events - measure_ids)}
        if workers > 1:
            extra["tree_peak_rss_mb"] = round(sampler.peak, 1)
    return {"mode": mode, "articles": len(docs), "seconds": seconds, "rss_loaded_mb": round(rss_loaded, 1),
            "peak_rss_mb": round(peak_rss_mb(), 1), **extra}


def prefilter_share(docs: list[dict]) -> tuple[int, int]:
    """How many articles the cheap pass sends on, and how many paragraphs it sends to the parser (those
    with a trigger word near a named service; follow-ups of a found measure are parsed on top)."""
    from tracker.extract.extractor import near_paragraphs

    articles = paragraphs = 0
    for d in docs:
        near = near_paragraphs(d["text"], d["title"])
        articles += bool(near)
        paragraphs += len(near)
    return articles, paragraphs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1000, help="number of articles (default 1,000)")
    ap.add_argument("--no-workers", action="store_true", help="skip the --workers 2 run")
    ap.add_argument("--child", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(run_mode(args.child[0], Path(args.child[1]))))
        return

    docs = make_articles(args.n)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "articles.jsonl"
        path.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
        chars = sum(len(d["text"]) for d in docs)
        print(f"{len(docs):,} articles ({sum(d['measure'] for d in docs)} report a measure), "
              f"{chars / len(docs):,.0f} characters on average; {os.cpu_count()} CPUs", file=sys.stderr, flush=True)
        modes = ["annotate", "nlp.pipe"] + ([] if args.no_workers else ["annotate x2"])
        results = {}
        for mode in modes:
            print(f"running {mode} ...", file=sys.stderr, flush=True)
            proc = subprocess.run([sys.executable, __file__, "--child", mode, str(path)], capture_output=True,
                                  text=True, check=False, timeout=3600)
            if proc.returncode:
                sys.exit(f"{mode} failed:\n{proc.stderr[-3000:]}")
            results[mode] = json.loads(proc.stdout.strip().splitlines()[-1])
        sent_on, parsed = prefilter_share(docs)

    base = results["nlp.pipe"]["seconds"]
    print()
    print(f"| {'mode':<12} | {'articles':>8} | {'seconds':>8} | {'articles/s':>10} | {'vs nlp.pipe':>11} "
          f"| {'RSS loaded MB':>13} | {'peak RSS MB':>11} |")
    print("|" + "|".join("-" * (w + 1) + ":" for w in (12, 8, 8, 10, 11, 13, 11)).replace("-:", "--", 1) + "|")
    for mode in modes:
        r = results[mode]
        peak = r.get("tree_peak_rss_mb", r["peak_rss_mb"])
        print(f"| {mode:<12} | {r['articles']:>8,} | {r['seconds']:>8.2f} | {r['articles'] / r['seconds']:>10.1f} "
              f"| {base / r['seconds']:>10.2f}x | {r['rss_loaded_mb']:>13.0f} | {peak:>11.0f} |")
    a = results["annotate"]
    print()
    print(f"cheap pass: {sent_on} of {len(docs)} articles have a trigger word near a named service; "
          f"{parsed} paragraphs went to the parser")
    print(f"annotate: {a['events']} events; {a['measure_articles_with_events']} of "
          f"{sum(d['measure'] for d in docs)} measure articles and {a['other_articles_with_events']} ordinary "
          f"articles have events")


if __name__ == "__main__":
    main()
