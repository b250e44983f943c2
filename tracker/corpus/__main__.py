"""`python -m tracker.corpus check FILE...`: the corpus check without the NLP stack (for annotators)."""

from __future__ import annotations

import json
import sys

from .check import check_files, stats


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] != "check":
        print("usage: python -m tracker.corpus check FILE.jsonl...", file=sys.stderr)
        return 2
    result = check_files(argv[1:])
    for p in result.problems:
        print(p, file=sys.stderr)
    print(json.dumps(stats(result.records), indent=1))
    print(f"{len(result.errors)} error(s), {len(result.problems) - len(result.errors)} warning(s)", file=sys.stderr)
    return 1 if result.errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
