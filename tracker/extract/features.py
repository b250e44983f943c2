"""What the model sees of a candidate: numbers that mean the same thing in every language.

No feature is a word: each is a count, a distance, a position or a flag computed from the language
pack's matches (a measure word of this class, a threat cue two words before it, the country given by the
paragraph, a list line...), so a model trained mostly on English reads Russian or Arabic candidates by
the same measures, and the features never depend on English-only parts.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import cache

from .. import vocabulary
from .candidates import CLASSES, Candidate
from .lexicon import Match
from .ngrams import NAMES as NGRAM_NAMES
from .parse import NAMES as PARSE_NAMES
from .parse import relation_features

ACTIONS = vocabulary.actions()
#: Cue kinds of the lexicon; for each, the features say how strong the nearest one is and how far.
CUES = ("threat", "future", "negation", "report", "order", "content", "outage", "company", "market", "people",
        "bill", "circumvent", "appeal", "recency", "background", "region", "gov_device", "reason", "authority",
        "service_noun")
COUNTRY_SOURCES = ("sentence", "paragraph", "title", "text", "context")
KINDS = ("social", "messaging", "video", "search", "news", "network", "tool", "game", "adult", "company",
         "reference", "gambling", "unknown")
_YEAR = re.compile(r"\b(19[89]\d|20[0-4]\d)\b")
#: Distance given when a cue is absent: farther than any sentence.
FAR = 60.0


@cache
def _platform_kinds() -> dict[str, str]:
    from ..paths import model_file

    return {r["name"]: (r.get("kind") or "unknown") for r in vocabulary.read_csv(model_file("platforms.csv"))}


def _nearest(matches: list[Match], anchor: float) -> tuple[float, float]:
    """(weight of the nearest match, its distance in tokens to anchor); (0, FAR) when there is none."""
    best = min(matches, key=lambda m: abs(m.center - anchor), default=None)
    if best is None:
        return 0.0, FAR
    return best.weight, abs(best.center - anchor)


def _before(matches: list[Match], anchor: int, window: int) -> float:
    """Strongest weight among matches ending at most `window` tokens before `anchor`."""
    return max((m.weight for m in matches if 0 <= anchor - m.last <= window), default=0.0)


#: The lexicon kinds read as cues around a candidate (a match of these inside its own measure phrase is not).
_CUE_KINDS = frozenset(CUES)


def _after(matches: list[Match], anchor: int, window: int) -> float:
    """Strongest weight among matches starting at most `window` tokens after `anchor` (a token index)."""
    return max((m.weight for m in matches if 0 <= m.first - anchor <= window), default=0.0)


def feature_names() -> list[str]:
    names = [f"class_{c}" for c in CLASSES] + [f"action_{a}" for a in ACTIONS]
    names += ["trigger_weight", "n_triggers", "n_trigger_classes"] + [f"also_{c}" for c in CLASSES]
    names += ["dist_service_trigger", "service_before_trigger", "rel_dist"]
    names += [f"kind_{k}" for k in KINDS] + ["service_known", "service_generic", "service_previous",
                                             "n_services", "service_rank"]
    names += [f"country_{s}" for s in COUNTRY_SOURCES] + ["country_authority", "dist_country_trigger",
                                                          "n_countries", "country_main", "country_title",
                                                          "country_share"]
    names += ["country_before_trigger", "country_next_to_service", "country_region", "n_sentence_countries_other"]
    names += ["named_authority", "dist_named_authority", "report_next_to_service"]
    for cue in CUES:
        names += [f"{cue}_weight", f"{cue}_dist"]
    names += ["negation_before", "threat_before", "future_before", "order_before", "reason_before",
              "content_after", "trigger_inside_phrase", "trigger_covers_phrase", "threat_after", "threat_near_service"]
    names += ["is_bullet", "from_list_head", "sent_position", "first_paragraph", "sent_tokens", "has_year",
              "year_gap", "has_quote"]
    names += ["doc_outage", "doc_market", "language_en", "service_in_title", "title_same_class", "service_sentences",
              "key_sentences", "key_country_sentences", "service_first_sentence"]
    names += [f"parse_{n}" for n in PARSE_NAMES]
    names += list(NGRAM_NAMES)  # filled from tracker.extract.ngrams (the caller passes them to featurise)
    return names


def featurise(c: Candidate, doc_stats: dict, ngram_scores: list[float] | None = None) -> list[float]:
    """The feature vector of one candidate, in the order of feature_names(); the n-gram scores come last
    (missing, NaN, when not given: training fills them out of fold)."""
    ms = c.doc.matches[c.sentence.index]
    by_kind: dict[str, list[Match]] = {}
    trig = c.trigger
    own = not c.from_list_head
    for m in ms:
        # a cue word inside the candidate's own measure phrase is part of the measure, not a cue about it:
        # "не могут зайти" (cannot get onto) holds a negation and a modal, "not accessible" a negation
        if own and m.kind in _CUE_KINDS and trig.first <= m.first and m.last <= trig.last:
            continue
        by_kind.setdefault(m.kind, []).append(m)
    anchor = trig.center if not c.from_list_head else 0.0
    triggers = by_kind.get("trigger", [])
    classes_here = {t.value for t in triggers}
    from .candidates import class_of

    klasses_here = {class_of(a, c.platform) for a in classes_here}
    f: list[float] = [float(c.klass == k) for k in CLASSES] + [float(trig.value == a) for a in ACTIONS]
    f += [trig.weight, float(len(triggers)), float(len(klasses_here))]
    f += [float(k in klasses_here and k != c.klass) for k in CLASSES]
    dist = FAR if c.from_list_head or c.service_source != "sentence" else abs(c.service.center - trig.center)
    n_tok = max(len(c.sentence.tokens), 1)
    f += [dist, float(c.service.center < trig.center), dist / n_tok]
    kind = _platform_kinds().get(c.platform, "unknown") if c.service.weight >= 1 else "unknown"
    f += [float(kind == k) for k in KINDS]
    services = [m for m in by_kind.get("platform", [])]
    f += [c.service.weight, float(c.platform in ("social media", "SMS", "VoIP", "VPN", "internet",
                                                 "mobile internet")),
          float(c.service_source != "sentence"), float(len({m.value for m in services})),
          float(sorted({m.first for m in services}).index(c.service.first)) if c.service in services else 0.0]
    f += [float(c.country_source == s) for s in COUNTRY_SOURCES]
    cm = c.country_match
    countries_here = {m.value for m in ms if m.kind in ("country", "authority") and m.value}
    f += [float(cm is not None and cm.kind == "authority"), abs(cm.center - anchor) if cm else FAR,
          float(len(countries_here)), float(doc_stats["main_country"] == c.country),
          float(c.country in c.doc.title_countries), doc_stats["country_share"].get(c.country, 0.0)]
    f += [float(cm is not None and cm.center < anchor), float(cm is not None and 0 <= c.service.first - cm.last <= 2),
          float(cm is not None and cm.kind == "country" and cm.weight < 1),
          float(len(countries_here - {c.country}))]
    named = [m for m in ms if m.kind == "authority" and m.value]
    reports = by_kind.get("report", [])
    f += [float(bool(named)), _nearest(named, anchor)[1],
          float(any(abs(m.center - c.service.center) <= 3 for m in reports))]
    for cue in CUES:
        f += list(_nearest(by_kind.get(cue, []), anchor))
    first = trig.first if not c.from_list_head else 0
    last = trig.last if not c.from_list_head else 0
    f += [_before(by_kind.get("negation", []), first, 4), _before(by_kind.get("threat", []), first, 6),
          _before(by_kind.get("future", []), first, 4), _before(by_kind.get("order", []), first, 6),
          _before(by_kind.get("reason", []), first, 3),
          max((m.weight for m in by_kind.get("content", []) if 0 <= m.first - last <= 4), default=0.0),
          float(any(t is not trig and t.first <= trig.first and trig.last <= t.last and t.last - t.first >
                    trig.last - trig.first for t in triggers)),
          float(any(t is not trig and trig.first <= t.first and t.last <= trig.last and trig.last - trig.first >
                    t.last - t.first for t in triggers)),
          # a condition after the measure ("a daily fine for any platform that fails to comply", "will be
          # blocked unless") and a threat told of the service itself ("Google may face penalties")
          _after(by_kind.get("threat", []), last, 8) if not c.from_list_head else 0.0,
          max((m.weight for m in by_kind.get("threat", []) if c.service_source == "sentence"
               and (0 <= c.service.first - m.last <= 3 or 0 <= m.first - c.service.last <= 3)), default=0.0)]
    years = [int(y) for y in _YEAR.findall(c.sentence.text)]
    pub_year = int(c.doc.published[:4]) if c.doc.published and c.doc.published[:4].isdigit() else None
    gap = float(pub_year - max(years)) if years and pub_year else -1.0
    f += [float(c.sentence.is_bullet), float(c.from_list_head), c.sentence.index / max(len(c.doc.sentences), 1),
          float(c.sentence.paragraph == 0), float(n_tok), float(bool(years)), gap,
          float(any(q in c.sentence.text for q in ('"', "“", "«", "„")))]
    f += [doc_stats["outage"], doc_stats["market"], float(c.doc.language == "en")]
    f += _corroboration(c, doc_stats)
    f += relation_features(c, _threat_words(c.doc.language))
    f += ngram_scores if ngram_scores is not None else [math.nan] * len(NGRAM_NAMES)
    return f


@cache
def _threat_words(code: str) -> frozenset[str]:
    """Single threat and future words of a language's lexicon, as the parser's lemmas would read them."""
    from .lexicon import pack

    p = pack(code)
    if p is None:
        return frozenset()
    return frozenset(e.pattern[0] for e in p.entries if e.kind in ("threat", "future") and len(e.pattern) == 1)


def _corroboration(c: Candidate, stats: dict) -> list[float]:
    """How much the rest of the text backs this candidate: the title names the service (and a measure of the
    same class), how many sentences name the service, how many candidates share its key (capped)."""
    title = stats["title"]
    return [float(c.platform in title["services"]), float(c.klass in title["classes"]),
            float(min(stats["service_sentences"].get(c.platform, 0), 5)),
            float(min(stats["key_sentences"].get((c.platform, c.klass), 0), 5)),
            float(min(stats["key_country_sentences"].get((c.country, c.platform, c.klass), 0), 5)),
            float(stats["first_sentence"].get(c.platform, 99) == c.sentence.index)]


def doc_stats(cands: list[Candidate]) -> dict:
    """Counts over the whole text that every candidate of it shares."""
    if not cands:
        return {}
    doc = cands[0].doc
    total = sum(doc.doc_countries.values()) or 1
    from .candidates import class_of

    title: dict[str, set] = {"services": set(), "classes": set()}
    service_sentences: Counter = Counter()
    first: dict[str, int] = {}
    for sent, ms in zip(doc.sentences, doc.matches, strict=True):
        names = {m.value for m in ms if m.kind == "platform" and m.value}
        if sent.is_title:
            title["services"] = names
            title["classes"] = {class_of(m.value, name) for m in ms if m.kind == "trigger" for name in names or {""}}
            continue
        service_sentences.update(names)
        for name in names:
            first.setdefault(name, sent.index)
    key_sentences = Counter({k: len(v) for k, v in _group(cands, lambda c: (c.platform, c.klass)).items()})
    key_country = Counter({k: len(v) for k, v in _group(cands, lambda c: (c.country, c.platform, c.klass)).items()})
    return {
        "outage": float(any(m.kind == "outage" and m.weight >= 0.8 for ms in doc.matches for m in ms)),
        # sentences (the title too) that speak of competition or tax law: a story about a market fine tells
        # its law in one sentence and the fine in another ("the authority fined Google ...")
        "market": float(sum(any(m.kind == "market" and m.weight >= 0.8 for m in ms) for ms in doc.matches)),
        "main_country": doc.doc_countries.most_common(1)[0][0] if doc.doc_countries else "",
        "country_share": {k: v / total for k, v in doc.doc_countries.items()},
        "title": title,
        "service_sentences": service_sentences,
        "key_sentences": key_sentences,
        "key_country_sentences": key_country,
        "first_sentence": first,
    }


def _group(cands: list[Candidate], key) -> dict:
    """Distinct sentences per key."""
    out: dict = {}
    for c in cands:
        out.setdefault(key(c), set()).add(c.sentence.index)
    return out
