"""How many gold events a language pack's candidates reach: the recall ceiling of the extractor.

For pack authors: a gold event is reached when some candidate of its text has its key (country,
platform, class; a threat reaches through the class of the measure threatened). The misses are listed
with their evidence, so a missing measure word, name or country form shows at once.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Reach:
    texts: int = 0
    gold: int = 0
    reached: int = 0
    candidates: int = 0
    by_class: Counter = field(default_factory=Counter)
    reached_by_class: Counter = field(default_factory=Counter)
    misses: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"texts": self.texts, "gold": self.gold, "reached": self.reached,
                "share": round(self.reached / self.gold, 3) if self.gold else None,
                "candidates": self.candidates,
                "by_class": {k: {"gold": v, "reached": self.reached_by_class[k]} for k, v in self.by_class.items()},
                "misses": self.misses}


def reach(records: list[dict]) -> Reach:
    from ..extract.dataset import document_candidates, gold_keys
    from ..vocabulary import action_class, canonical_platform

    out = Reach()
    for rec in records:
        cands = document_candidates(rec)
        keys = {(c.country, c.platform.lower(), c.klass) for c in cands}
        platforms = {c.platform.lower() for c in cands}
        out.texts += 1
        out.candidates += len(cands)
        for e in rec["events"]:
            klass = action_class(e["action"], e["status"]) or "?"
            platform = canonical_platform(e["platform"]).lower()
            measures, threats = gold_keys([e])  # this event's own key
            (key,) = measures or threats
            hit = key in keys
            out.gold += 1
            out.reached += hit
            out.by_class[klass] += 1
            out.reached_by_class[klass] += hit
            if not hit:
                why = _why(key, platform, cands, keys, platforms)
                out.misses.append({"id": rec["id"], "key": list(key), "why": why, "evidence": e["evidence"]})
    return out


def _why(key: tuple, platform: str, cands: list, keys: set, platforms: set) -> str:
    """Why no candidate has a gold event's key, from the coarsest reason to the finest."""
    if not cands:
        return "the text has no candidate at all"  # no measure word with a service, or no country anywhere
    if platform not in platforms:
        return "no candidate names the service"
    if not any(k[:2] == key[:2] for k in keys):
        return "the service's candidates have another country"
    return "no measure word of this class"
