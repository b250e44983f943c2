"""extract_events: text in, censorship events out (contracts section 1).

Flow: language check -> split into paragraphs -> cheap scan (prefilter.py) -> parse only the
paragraphs that hold a trigger near a named service -> mentions per sentence (assemble.py) ->
country from context -> reasons and their categories (justification.py) -> one event per
(country, service, action).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ..vocabulary import measure_class
from . import dates
from .assemble import Mention, country_in_sentence, date_for, mentions_in
from .justification import categorise, find_reason
from .language import is_english
from .nlp import get_nlp
from .prefilter import Scan, scan, worth_parsing
from .triggers import find

MAX_BLOCK_CHARS = 20_000
_PARA = re.compile(r"[^\n]+")


@dataclass
class Block:
    start: int
    text: str
    scan: Scan


def _blocks(text: str) -> list[tuple[int, str]]:
    """Paragraphs with their offsets; very long paragraphs are cut at sentence-like boundaries."""
    out = []
    for m in _PARA.finditer(text):
        para = m.group()
        if not para.strip():
            continue
        start = m.start()
        while len(para) > MAX_BLOCK_CHARS:
            cut = para.rfind(". ", 0, MAX_BLOCK_CHARS)
            cut = cut + 2 if cut > MAX_BLOCK_CHARS // 2 else MAX_BLOCK_CHARS
            out.append((start, para[:cut]))
            start, para = start + cut, para[cut:]
        out.append((start, para))
    return out


def _main_country(blocks: list[Block], title_scan: Scan | None) -> str | None:
    counts: Counter[str] = Counter()
    if title_scan:
        for _, code in title_scan.countries:
            counts[code] += 3
    for n, b in enumerate(blocks):
        for _, code in b.scan.countries:
            counts[code] += 2 if n == 0 else 1
    if not counts:
        return None
    return counts.most_common(1)[0][0]


def near_paragraphs(text: str, title: str | None = None) -> list[int]:
    """The cheap pass alone: indexes of the paragraphs that report a measure word next to a named service."""
    return worth_parsing([scan(t) for _, t in _blocks(text)], scan(title) if title else None)


def relevant(text: str, title: str | None = None) -> bool:
    """Does some paragraph report a measure word next to a named service?"""
    return bool(near_paragraphs(text, title))


def _states_no_measure(sent, pub, found: list[Mention]) -> bool:
    """Does this sentence report no measure of its own (so it may give the reason for the one before:
    "The agency said access had been cut because of ...")?"""
    if not find(sent):
        return True
    return not mentions_in(sent, pub, sorted({m.platform for m in found}))


def extract_mentions(text: str, published: str | None = None, title: str | None = None) -> list[Mention]:
    pub = dates.parse_published(published)
    blocks = [Block(s, t, scan(t)) for s, t in _blocks(text)]
    title_scan = scan(title) if title else None
    near = worth_parsing([b.scan for b in blocks], title_scan)
    if not near:
        return []
    nlp = get_nlp()
    main = _main_country(blocks, title_scan)
    mentions: list[Mention] = []
    prior: list[str] = []
    last_named: list[str] = []
    near_docs = nlp.pipe([blocks[n].text for n in near], batch_size=16)
    near_set = set(near)
    for n, block in enumerate(blocks):
        if n in near_set:
            doc = next(near_docs)
        elif block.scan.triggers and prior:
            # a follow-up far from the service's name ("The regulator lifted the ban in 2020") is read only
            # once an earlier paragraph has reported a measure it can go on from
            doc = nlp(block.text)
        else:
            continue
        para_country: str | None = None
        para_date: str | None = None  # the date the paragraph last gave: later sentences often go on from it
        sents = list(doc.sents)
        for si, sent in enumerate(sents):
            named = [e.ent_id_ for e in sent.ents if e.label_ == "PLATFORM"]
            found = mentions_in(sent, pub, prior or last_named[-1:], para_date)
            for m in found:
                if m.date is None and para_date:
                    m.date = para_date
                    m.notes.append("date:paragraph")
                m.notes.append(f"block:{block.start}")
                reason = find_reason(sent, m.trigger)
                if reason is None and si + 1 < len(sents) and _states_no_measure(sents[si + 1], pub, found):
                    reason = find_reason(sents[si + 1], sents[si + 1].root)
                if reason is not None:
                    m.reason = (reason[0], reason[1])
                country_in_sentence(m, m.reason)
                if m.country is None and para_country:
                    m.country, m.country_source = para_country, 6
                if m.country is None:
                    m.country, m.country_source = main, 8
                m.confidence -= 0.05 * max(0, m.country_source - 3) / 5
            if found:
                prior = sorted({m.platform for m in found if m.action != "unblock"} or {m.platform for m in found})
            if named:
                last_named.extend(named)
            countries = [e.ent_id_ for e in sent.ents if e.label_ in ("COUNTRY",) and e.ent_id_]
            if found and found[0].country:
                para_country = found[0].country
            elif countries:
                para_country = countries[-1]
            mentions.extend(found)
            own = [m.date for m in found if m.date and "date:paragraph" not in m.notes]
            para_date = own[-1] if own else (date_for(sent, sent.root, pub, para_date) or para_date)
    return mentions


def _event_key(m: Mention) -> tuple:
    return (m.country, m.platform.lower(), m.action, m.status == "threatened")


_ACTION_RANK = {"block": 0, "restrict": 1, "ban": 2}


def _class_key(m: Mention) -> tuple:
    return (m.country, m.platform.lower(), measure_class(m.action) or m.action, m.status == "threatened")


def _offset(m: Mention) -> int:
    return int(next(n for n in m.notes if n.startswith("block:")).split(":")[1])


def extract_events(text: str, published: str | None = None, title: str | None = None) -> list[dict]:
    """Every censorship measure the text reports, one dict per (country, service, action); none for an
    empty or non-English text."""
    if not isinstance(text, str) or not text.strip() or not is_english(text):
        return []
    return english_events(text, published, title)


def english_events(text: str, published: str | None = None, title: str | None = None) -> list[dict]:
    """extract_events for a text already known to be English prose (`tracker annotate` detects the
    language itself to report it, and need not detect it twice)."""
    mentions = [m for m in extract_mentions(text, published, title) if m.country]
    groups: dict[tuple, list[Mention]] = {}
    for m in mentions:
        groups.setdefault(_event_key(m), []).append(m)
    # one measure told twice ("banned the use of X on Friday" ... "blocked X on Friday"): the reports of
    # block, ban and restrict with the same date (or one undated) are one event, read as a block if either is
    by_class: dict[tuple, list[tuple]] = {}
    for key, group in groups.items():
        by_class.setdefault(_class_key(group[0]), []).append(key)
    for keys in by_class.values():
        if len(keys) < 2:
            continue
        keys.sort(key=lambda k: _ACTION_RANK.get(k[2], 9))
        for other in keys[1:]:
            d1 = {m.date for m in groups[keys[0]] if m.date}
            d2 = {m.date for m in groups[other] if m.date}
            if d1 == d2 or not d1 or not d2:
                for m in groups.pop(other):
                    m.action = keys[0][2]
                    groups[keys[0]].append(m)
    # a measure known only from its lift ("the ban was withdrawn") is the one already reported, if any
    reported = {_class_key(m) for g in groups.values() for m in g if "derived" not in m.notes}
    groups = {k: g for k, g in groups.items()
              if any("derived" not in m.notes for m in g) or _class_key(g[0]) not in reported}
    events = []
    reasons_todo: list[tuple[dict, str]] = []
    for group in groups.values():
        best = max(group, key=lambda m: (m.confidence, -m.sent.start_char))
        base = _offset(best)
        start = base + best.sent.start_char
        evidence = best.sent.text
        stripped = evidence.strip()
        start += len(evidence) - len(evidence.lstrip())
        dated = best if best.date else next((m for m in group if m.date), None)
        actor_m = best if best.actor is not None else next((m for m in group if m.actor is not None), None)
        reason_m = best if best.reason else next((m for m in group if m.reason), None)
        ev = {
            "country": best.country,
            "platform": best.platform,
            "action": best.action,
            "status": best.status,
            "actor": actor_m.actor.text if actor_m else None,
            "date": dated.date if dated else None,
            "scope": best.scope,
            "justification": None,
            "justification_category": None,
            "evidence": stripped,
            "confidence": round(max(0.05, min(0.95, best.confidence)), 2),
            "evidence_start": start,
            "evidence_end": start + len(stripped),
        }
        if reason_m:
            rb = _offset(reason_m)
            ev["justification"] = text[rb + reason_m.reason[0] : rb + reason_m.reason[1]]
            if ev["action"] == "unblock":
                ev["justification_category"] = "other"
            else:
                reasons_todo.append((ev, ev["justification"]))
        events.append((best.sent.start_char + base, ev))
    if reasons_todo:
        for (ev, _), cat in zip(reasons_todo, categorise([r for _, r in reasons_todo]), strict=True):
            ev["justification_category"] = cat
    events.sort(key=lambda p: p[0])
    return [ev for _, ev in events]
