"""Benchmark: does the extractor read a crawled page as it reads the corpus?

The model is trained and measured on corpus texts, written with a blank line between paragraphs and a list's
items on lines of their own. What it reads in production is what the crawler keeps of a page. This publishes
each corpus text of a split (dev by default; the test split is for measuring the model only) as a news page
(headline, a <p> a paragraph, a <ul> a list, navigation and a footer around it), reads it back with the
crawler's own `read_page`, and scores the extractor on three readings of the same texts:

- corpus: the text as annotated;
- crawled: the text `read_page` keeps;
- crawled, flattened: the same with its blank lines taken out, as the crawler kept text before it marked
  paragraphs (one block a line, so the extractor read a page as one paragraph).

    .venv/bin/python bench/crawled.py               # the dev split
    .venv/bin/python bench/crawled.py --split train
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", default="dev", choices=("train", "dev"))
    args = parser.parse_args(argv)

    from tracker.corpus.pages import corpus_page
    from tracker.crawl.page import read_page
    from tracker.extract import extractor_version
    from tracker.extract.evaluate import evaluate_records, read_gold

    records = read_gold([ROOT / "corpus" / "texts"], args.split)
    start = time.perf_counter()
    crawled, same = [], 0
    for rec in records:
        page = read_page(corpus_page(rec), "https://news.example/" + rec["id"], fallback_date=rec.get("published") or "")
        same += page.text == rec["text"]
        crawled.append({**rec, "text": page.text, "title": page.title})
    read_s = time.perf_counter() - start
    flat = [{**rec, "text": rec["text"].replace("\n\n", "\n")} for rec in crawled]
    print(f"extractor {extractor_version()}, {args.split} split: {len(records)} texts published as pages and read "
          f"back in {read_s:.1f}s; {same} come back exactly as written (a headline the text repeats is dropped, "
          "a line break inside a paragraph becomes a paragraph)\n")
    print("| reading | event precision | event recall | event F1 | document precision | date | actor |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, recs in (("corpus", records), ("crawled", crawled), ("crawled, flattened", flat)):
        d = evaluate_records(recs).all.as_dict()
        ev, docs, fields = d["events"], d["documents_relevance"], d["matched_fields"]
        print(f"| {name} | {ev['precision']:.3f} | {ev['recall']:.3f} | {ev['f1']:.3f} | {docs['precision']:.3f} "
              f"| {fields['date']:.3f} | {fields['actor']:.3f} |")


if __name__ == "__main__":
    main()
