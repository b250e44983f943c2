"""Assign documents to train / dev / test once, stratified, and never move them again.

Each document lacking a `split` is given the split furthest below its target share (60/20/20) within
its stratum (language, region, publisher type), visiting the documents of a stratum in the order of a
hash of their ids, so the result does not depend on file order and new texts join without disturbing
the old ones. Texts written from one report (the same `url`, in two languages say) are one document: a new
text joins the split its report's other texts have, so no report's facts sit on both sides of a split.
The test split is for measuring only.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from pathlib import Path

from .store import SPLITS, CorpusError

TARGET = {"train": 0.6, "dev": 0.2, "test": 0.2}


def stratum(rec: dict) -> tuple[str, str, str]:
    return (rec.get("language") or "", rec.get("region") or "", rec.get("publisher") or "")


def _order(doc_id: str) -> str:
    return hashlib.sha256(doc_id.encode("utf-8")).hexdigest()


def assign(records: list[dict]) -> int:
    """Give every record without a split one (in place); returns how many were assigned."""
    by_stratum: dict[tuple, list[dict]] = defaultdict(list)
    for rec in records:
        by_stratum[stratum(rec)].append(rec)
    report_split = {r.get("url"): r["split"] for r in records if r.get("split") and r.get("url")}
    assigned = 0
    for members in by_stratum.values():
        counts = Counter(r["split"] for r in members if r.get("split"))
        total = len(members)
        for rec in sorted((r for r in members if not r.get("split")), key=lambda r: _order(r["id"])):
            seen = sum(counts.values()) + 1
            deficit = {s: TARGET[s] * seen - counts[s] for s in SPLITS}
            choice = report_split.get(rec.get("url")) or max(
                SPLITS, key=lambda s: (round(deficit[s], 9), -SPLITS.index(s)))
            rec["split"] = choice
            if rec.get("url"):
                report_split.setdefault(rec["url"], choice)
            counts[choice] += 1
            assigned += 1
        assert sum(counts.values()) == total
    return assigned


def split_files(paths: list[Path]) -> tuple[int, Counter]:
    """Assign splits in the corpus files themselves (rewritten in place, order kept)."""
    files: list[tuple[Path, list[dict]]] = []
    for path in paths:
        recs = []
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                recs.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise CorpusError(f"{path}:{n}: not valid JSON ({exc.msg})") from None
        files.append((path, recs))
    records = [r for _, recs in files for r in recs]
    n = assign(records)
    for path, recs in files:
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs)
        tmp = path.with_name(f".{path.name}.partial")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    return n, Counter(r["split"] for r in records)
