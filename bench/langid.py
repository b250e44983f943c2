"""Benchmark: how often py3langid names a text's language, by how much of the text it sees.

The crawler decides a page's language once (tracker.languages.decide): from the text when it
has at least DETECT_FROM characters, else from the page's declared language, then the feed's. This
measures why: py3langid's answer on the corpus's texts (train and dev splits, in nine languages; the
test split is kept for measuring extraction) read whole and cut to their first 400, 200, 120 and 60
characters, against the language each record is written in.

    .venv/bin/python bench/langid.py
    .venv/bin/python bench/langid.py --by-language     # a column per language
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

#: Lengths the texts are cut to (None: the whole text).
LENGTHS = (None, 400, 200, 120, 60)


def measure(records: list[dict]) -> dict:
    """Correct answers per length and language, the wrong answers seen, and the time per call."""
    import py3langid

    right: dict[int | None, Counter] = {n: Counter() for n in LENGTHS}
    wrong: Counter = Counter()
    calls, seconds = 0, 0.0
    for rec in records:
        for n in LENGTHS:
            sample = rec["text"] if n is None else rec["text"][:n]
            start = time.perf_counter()
            got, _score = py3langid.classify(sample)
            seconds += time.perf_counter() - start
            calls += 1
            if got == rec["language"]:
                right[n][rec["language"]] += 1
            else:
                wrong[(n, rec["language"], got)] += 1
    return {"right": right, "wrong": wrong, "ms_per_call": 1000 * seconds / calls}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--by-language", action="store_true", help="accuracy per language too")
    args = ap.parse_args()
    from tracker.corpus import load

    records = [r for r in load([ROOT / "corpus" / "texts"]) if r.get("split") in ("train", "dev")]
    totals = Counter(r["language"] for r in records)
    result = measure(records)
    langs = sorted(totals, key=lambda code: (code != "en", code))
    head = f"| {'characters':<10} | {'right':>5} | {'texts':>5} | {'accuracy':>8} |"
    rule = "|------------|------:|------:|---------:|"
    if args.by_language:
        head += "".join(f" {code:>5} |" for code in langs)
        rule += "------:|" * len(langs)
    print(f"{len(records)} corpus texts (train and dev splits), {len(langs)} languages; py3langid "
          f"{result['ms_per_call']:.2f} ms a call")
    print()
    print(head)
    print(rule)
    for n in LENGTHS:
        ok = sum(result["right"][n].values())
        line = f"| {'whole' if n is None else n:<10} | {ok:>5} | {len(records):>5} | {100 * ok / len(records):>7.1f}% |"
        if args.by_language:
            line += "".join(f" {100 * result['right'][n][code] / totals[code]:>4.0f}% |" for code in langs)
        print(line)
    if result["wrong"]:
        print()
        print("wrong answers (characters, language, answer): " + ", ".join(
            f"{'whole' if n is None else n} {lang}->{got} x{k}" for (n, lang, got), k in
            sorted(result["wrong"].items(), key=lambda kv: (-kv[1], str(kv[0])))[:12]))


if __name__ == "__main__":
    main()
