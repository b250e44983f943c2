"""The fields of an event read around its candidate: date, actor, stated reason and its category, scope,
action and status (docs/annotation.md). Every text field is an exact span of the text.

The sentence decides first; what it does not say is taken from what came before it (the date a story gave
a sentence or a paragraph earlier; the authority its paragraph named), then from the publication date for a
measure reported as new. The rules' dates and actors are then weighed against the other values around the
event by the trained rankers (tracker.extract.rank).
Everything here reads the language pack's matches, so it works in every language the packs cover.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..scoring import actor_ok, date_ok, justification_ok
from . import actors, dates, reasons
from .candidates import NETWORK, Candidate
from .lexicon import Match
from .rank import RANKERS, Ranker, choose, pick, register
from .text import clause_end
from .when import Found, find

#: The longest stated reason kept, in tokens; a longer span is a clause that goes on past its reason.
MAX_REASON_TOKENS = 30


@dataclass
class Fields:
    action: str
    status: str
    date: str | None
    actor: str | None
    scope: str | None
    justification: str | None
    justification_category: str | None


def _kind(c: Candidate, index: int, kind: str) -> list[Match]:
    return c.doc.of(index, kind)


def _span(c: Candidate, start: int, end: int) -> str:
    sent = c.sentence
    text = c.doc.text if not sent.is_title else (c.doc.title or "")
    return text[start:end]


# ---- date -------------------------------------------------------------------------------------------------


def _sentence_dates(c: Candidate, index: int) -> list[Found]:
    sent = c.doc.sentences[index]
    return [Found(f.start + sent.start, f.end + sent.start, f.value, f.relative)
            for f in find(sent.text, c.doc.language, c.doc.published)]


def read_date(c: Candidate) -> str | None:
    """The date the sentence gives nearest the measure word; else the last one the text gave before it, in
    its paragraph or in an earlier one that names the same service or country (a story's date often stands
    in the paragraph that opens it, and the next ones go on about the same day: matched dates right on
    the train split 0.531 -> 0.574, dev 0.632 -> 0.674, against stopping at the paragraph); else the
    publication date when the measure is told as new (the lead, or a word such as "today"), else none
    (background without a date)."""
    anchor = c.trigger.start if not c.from_list_head else c.sentence.start
    here = _sentence_dates(c, c.sentence.index)
    if c.sentence.list_head is not None and not here:
        here = _sentence_dates(c, c.sentence.list_head)
    if here:
        return min(here, key=lambda f: (abs(f.start - anchor), -len(f.value))).value
    background = _kind(c, c.sentence.index, "background")
    told_as_background = any(m.weight >= 0.6 for m in background)
    for prev in range(c.sentence.index - 1, -1, -1):
        other = c.doc.sentences[prev]
        elsewhere = other.paragraph != c.sentence.paragraph
        if other.is_title or (told_as_background and elsewhere):
            break
        if elsewhere and not _same_story(c, prev):
            continue
        found = _sentence_dates(c, prev)
        if found:
            return found[-1].value
    recent = _kind(c, c.sentence.index, "recency")
    lead = c.sentence.paragraph == 0 or c.sentence.index <= 2
    if c.doc.published and (recent or (lead and not told_as_background)):
        return c.doc.published[:10]
    return None


def _same_story(c: Candidate, index: int) -> bool:
    """Whether an earlier sentence names the candidate's service or country: a date a sentence of another
    paragraph gives is the candidate's only when that sentence tells of the same service or country."""
    return (any(m.value == c.platform for m in _kind(c, index, "platform"))
            or any(m.value == c.country for m in _kind(c, index, "country")))


# ---- actor ------------------------------------------------------------------------------------------------


def read_actor(c: Candidate) -> str | None:
    """The authority the sentence names nearest its measure word (a named one over a generic noun); else the
    country when it is the sentence's subject ("Turkey blocked Wikipedia"); else the one the paragraph named."""
    index = c.sentence.index
    anchor = c.trigger.center if not c.from_list_head else 0.0
    authorities = _kind(c, index, "authority")
    named = [m for m in authorities if m.value]
    pool = named or [m for m in authorities if m.weight >= 0.6]
    if pool:
        best = min(pool, key=lambda m: (abs(m.center - anchor) + (0 if m.center < anchor else 3)))
        return actors.phrase(c, index, best)
    countries = [m for m in _kind(c, index, "country") if m.value == c.country and m.center < anchor]
    if countries and not c.from_list_head:
        return _span(c, countries[0].start, countries[0].end)
    for prev in range(index - 1, max(index - 3, -1), -1):
        other = c.doc.sentences[prev]
        if other.is_title or other.paragraph != c.sentence.paragraph:
            break
        named = [m for m in _kind(c, prev, "authority") if m.value]
        if named:
            return actors.phrase(c, prev, named[0])
    return None


# ---- reason -----------------------------------------------------------------------------------------------


def read_reason(c: Candidate) -> tuple[str | None, str | None]:
    """(the stated reason, its category): the clause after a reason opener in the sentence, cut at the
    clause's end; its category from the reason words inside it (or in the sentence)."""
    index = c.sentence.index
    sent = c.sentence
    cues = [m for m in _kind(c, index, "reason") if m.weight >= 0.5]
    if not cues:
        return None, None
    anchor = c.trigger.center
    cue = min(cues, key=lambda m: (abs(m.center - anchor), -m.weight))
    toks = sent.tokens
    end_tok = clause_end(c.doc.text, toks, cue.last, MAX_REASON_TOKENS)
    if end_tok <= cue.last:
        return None, None
    reason = _span(c, toks[cue.last].start, toks[end_tok - 1].end)
    return reason, reasons.category(c, (index, cue.last, end_tok))


# ---- scope, action, status -------------------------------------------------------------------------------


def read_scope(c: Candidate, klass: str) -> str | None:
    if klass in ("fine", "takedown_order"):
        return None
    index = c.sentence.index
    if any(m.weight >= 0.8 for m in _kind(c, index, "gov_device")):
        return "government_devices"
    if any(m.weight >= 0.8 for m in _kind(c, index, "region")) or (
            c.country_match is not None and c.country_match.kind == "country" and c.country_match.weight < 1):
        return "regional"
    return "nationwide"


def read_action(c: Candidate, threatened: bool) -> str:
    """The contract's action: the measure word's own for the block family, the class otherwise."""
    if c.klass == "restrict":
        return c.trigger.value if c.trigger.value in ("block", "ban", "restrict") else "block"
    if c.klass == "shutdown" and c.platform not in NETWORK:
        return "block"
    return c.klass


def read_status(c: Candidate, threatened: bool) -> str:
    if threatened:
        return "threatened"
    if c.klass == "unblock":
        return "lifted"
    first = c.trigger.first if not c.from_list_head else 0
    future = [m for m in _kind(c, c.sentence.index, "future") if m.weight >= 0.7 and 0 <= first - m.last <= 4]
    return "announced" if future else "in_effect"


def read_fields(c: Candidate, threatened: bool, rankers: dict[str, object],
                openers: dict[str, dict[str, float]] | None = None) -> Fields:
    """The event's fields; the date, the actor and the reason from the trained rankers (models by field,
    tracker.extract.rank), which weigh the rules' choices among the other values around the event (the
    reason's options start after the model's learned `openers`, tracker.extract.reasons); a field whose
    ranker is missing from `rankers` is the rule's."""
    model = rankers.get("justification")
    if model is None:
        reason, category = read_reason(c)
    else:
        with reasons.using(openers or {}):
            best = pick(RANKERS["justification"], c, threatened, model)
        reason, category = best.value, reasons.category(c, best.where)
    return Fields(
        action=read_action(c, threatened),
        status=read_status(c, threatened),
        date=choose(RANKERS["date"], c, threatened, rankers.get("date")),
        actor=choose(RANKERS["actor"], c, threatened, rankers.get("actor")),
        scope=read_scope(c, c.klass),
        justification=reason,
        justification_category=category if reason else None,
    )


register(Ranker("date", dates.FEATURES, dates.options, read_date, date_ok))
register(Ranker("actor", actors.FEATURES, actors.options, read_actor, actor_ok))
register(Ranker("justification", reasons.FEATURES, reasons.options, lambda c: read_reason(c)[0], justification_ok))
