"""Event assembly from the dependency parse of one sentence.

A trigger (triggers.py) becomes an event for each service it acts on: the service mentions
closest to the trigger in the parse tree, unless the service is the one acting (a platform's own
moderation), only its posts or accounts are hit, or the measure is denied. Around the pair the
parse gives who acts (actor and country), whether it is threatened, announced, in force or lifted,
the scope and the date expression tied to the measure.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Span, Token

from . import dates
from .knowledge import load
from .nlp import AUTHORITY, COUNTRY, PLATFORM
from .triggers import Hit, find

MAX_LINK = 5  # edges between a trigger and a service it acts on
NETWORK = {"internet", "mobile internet"}
MEASURE_NOUNS = {"ban", "block", "blocking", "blockade", "suspension", "restriction", "limitation",
                 "shutdown", "blackout", "slowdown", "throttling", "curb", "measure", "order", "directive",
                 "cut", "cutoff", "censorship", "law"}
_OUTWARD = {"xcomp", "ccomp", "conj", "advcl", "acl", "relcl", "pcomp", "pobj", "dobj", "prep", "oprd",
            "nsubjpass", "nsubj", "appos", "agent", "attr", "npadvmod"}


@dataclass
class Mention:
    platform: str
    action: str
    status: str
    sent: Span
    trigger: Token
    platform_tok: Token
    actor: Span | None = None
    country: str | None = None
    country_source: int = 9  # lower = more direct evidence
    date: str | None = None
    scope: str | None = None
    reason: tuple[int, int] | None = None
    confidence: float = 0.5
    notes: list[str] = field(default_factory=list)


def tree_distance(a: Token, b: Token) -> int:
    pa = [a, *a.ancestors]
    pb = [b, *b.ancestors]
    ib = {t.i: n for n, t in enumerate(pb)}
    for n, t in enumerate(pa):
        if t.i in ib:
            return n + ib[t.i]
    return 99


def _ent_of(tok: Token, label: str) -> Span | None:
    if tok.ent_type_ != label:
        return None
    for ent in tok.doc.ents:
        if ent.start <= tok.i < ent.end:
            return ent
    return None


def platform_mentions(sent: Span) -> list[tuple[Token, str, bool]]:
    """(root token, canonical platform, is parent company) for each service named in the sentence."""
    kb = load()
    parents = {(a.text, a.value) for a in kb.platforms if a.parent}
    out = []
    for ent in sent.ents:
        if ent.label_ != PLATFORM:
            continue
        out.append((ent.root, ent.ent_id_, (ent.text, ent.ent_id_) in parents))
    if any(not p for _, _, p in out):
        out = [m for m in out if not m[2]]
    return out


def _governing_chain(tok: Token, limit: int = 5) -> list[Token]:
    chain = [tok]
    cur = tok
    for _ in range(limit):
        if cur.dep_ == "ROOT" or cur.head.i == cur.i:
            break
        if cur.dep_ not in _OUTWARD and cur.dep_ not in ("nsubj", "dobj", "pobj", "prep"):
            break
        cur = cur.head
        chain.append(cur)
    return chain


def is_negated(trigger: Token) -> bool:
    kb = load()
    deny = kb.words("deny")
    for tok in _governing_chain(trigger, 4):
        if any(c.dep_ == "neg" for c in tok.children):
            return True
        if tok.i != trigger.i and tok.lemma_.lower() in deny:
            return True
        if tok.dep_ in ("ccomp", "advcl") and tok.i != trigger.i:
            break
    return any(c.lower_ in ("no", "never") and c.dep_ in ("det", "neg") for c in trigger.children)


def status_of(hit: Hit) -> str:
    kb = load()
    if hit.kind in ("lift", "lift_noun"):
        return "lifted"
    threat, modal, future = kb.words("threat"), kb.words("modal"), kb.words("future")
    chain = _governing_chain(hit.head, 5)
    has_modal = any(c.lower_ in modal for t in chain[:3] for c in t.children if c.dep_ == "aux")
    for tok in chain[1:]:
        lemma = tok.lemma_.lower()
        if lemma in threat and (lemma != "face" or has_modal or tok.tag_ == "VB"):
            return "threatened"
    if has_modal and any(t.lemma_.lower() in threat for t in hit.head.sent):
        return "threatened"
    aux = {c.lower_ for t in chain[:2] for c in t.children if c.dep_ in ("aux", "auxpass")}
    if aux & (future | {"would", "'ll"}) or any(t.lemma_.lower() in future for t in chain[1:3]):
        return "announced"
    return "in_effect"


def _subject(tok: Token) -> tuple[Token | None, bool]:
    """Subject of the clause that holds tok (walking up through complements), and whether it is an agent."""
    cur = tok
    for _ in range(5):
        for c in cur.children:
            if c.dep_ in ("nsubj",):
                return c, False
            if c.dep_ == "agent":
                objs = [g for g in c.children if g.dep_ == "pobj"]
                if objs:
                    return objs[0], True
        if cur.dep_ in ("ROOT",) or cur.head.i == cur.i:
            break
        if cur.dep_ == "conj" and cur.head.pos_ in ("VERB", "AUX"):
            cur = cur.head
            continue
        if cur.dep_ not in ("xcomp", "ccomp", "advcl", "acl", "dobj", "pobj", "prep", "pcomp", "oprd", "nsubjpass",
                            "conj", "relcl", "appos", "attr"):
            break
        if cur.dep_ == "relcl":
            return cur.head, False
        cur = cur.head
    return None, False


def _phrase(tok: Token) -> Span:
    """The noun phrase around a subject token, without trailing clauses."""
    doc = tok.doc
    ent = _ent_of(tok, AUTHORITY)
    left = tok.left_edge.i
    right = tok.i
    for c in tok.rights:
        if c.dep_ in ("prep", "compound", "amod", "nummod", "poss") or (c.dep_ == "appos" and c.i - tok.i < 3):
            right = max(right, c.right_edge.i)
        else:
            break
    span = doc[left : right + 1]
    if ent is not None and not (span.start <= ent.start and ent.end <= span.end):
        span = ent
    while len(span) > 1 and (span[-1].is_punct or span[-1].dep_ == "cc"):
        span = span[:-1]
    while len(span) > 1 and span[0].is_punct:
        span = span[1:]
    return span


def authority_kind(tok: Token) -> str | None:
    """'authority' when the phrase names one, 'platform' when a service or company acts, 'country', else None."""
    kb = load()
    if tok.ent_type_ == AUTHORITY:
        return "authority"
    if tok.ent_type_ == PLATFORM:
        return "platform"
    if tok.ent_type_ == COUNTRY:
        return "country"
    if tok.lemma_.lower() in kb.words("authority") or tok.lower_ in kb.words("authority"):
        return "authority"
    for c in tok.children:
        if c.dep_ == "compound" and (c.ent_type_ == AUTHORITY or c.lemma_.lower() in kb.words("authority")):
            return "authority"
    if tok.lower_ in ("company", "firm") or tok.ent_type_ == "ORG" and tok.lemma_.lower() not in kb.words("authority"):
        return "company"
    if tok.ent_type_ == "PERSON":
        return "person"
    return None


def _country_of_phrase(span: Span) -> str | None:
    for tok in span:
        if tok.ent_type_ == AUTHORITY:
            ent = _ent_of(tok, AUTHORITY)
            if ent is not None and ent.ent_id_ and ent.ent_id_ != "_":
                return ent.ent_id_
        if tok.ent_type_ == COUNTRY:
            ent = _ent_of(tok, COUNTRY)
            if ent is not None:
                return ent.ent_id_
    return None


def _sentence_country(sent: Span, trigger: Token, exclude: tuple[int, int] | None) -> tuple[str | None, int]:
    best: tuple[int, str] | None = None
    for ent in sent.ents:
        if ent.label_ not in (COUNTRY, AUTHORITY) or not ent.ent_id_ or ent.ent_id_ == "_":
            continue
        if exclude and exclude[0] <= ent.start_char < exclude[1]:
            continue
        root = ent.root
        dist = tree_distance(root, trigger)
        # a demonym that describes a thing ("Chinese apps") says less than one describing an actor
        if root.dep_ in ("amod", "compound") and root.head.ent_type_ != AUTHORITY:
            if authority_kind(root.head) not in ("authority",) and root.head.lemma_.lower() not in (
                "network", "networks", "user", "users", "provider", "operator", "territory", "soil"):
                dist += 4
        if ent.label_ == AUTHORITY:
            dist -= 2
        if best is None or dist < best[0]:
            best = (dist, ent.ent_id_)
    if best is None:
        return None, 9
    return best[1], 3 if best[0] <= 4 else 5


def _date_candidates(sent: Span) -> list[tuple[Token, str, str]]:
    """(root token, expression text, resolved date) for date expressions in a sentence."""
    doc = sent.doc
    out = []
    seen: set[int] = set()
    for ent in sent.ents:
        if ent.label_ in ("DATE", "TIME"):
            out.append((ent.root, ent.text, ent.start))
            seen.update(range(ent.start, ent.end))
    for start, end in dates.find_dates(sent.text):
        span = doc.char_span(sent.start_char + start, sent.start_char + end, alignment_mode="expand")
        if span is None or any(t.i in seen for t in span):
            continue
        out.append((span.root, span.text, span.start))
        seen.update(range(span.start, span.end))
    res = []
    for root, text, start in out:
        prev = doc[start - 1].lower_ if start > 0 else ""
        if prev in ("until", "till", "by", "before", "through", "within") or text.lower().startswith(("until", "by ")):
            continue
        res.append((root, text, prev))
    return res


def date_for(sent: Span, trigger: Token, pub) -> str | None:
    best = None
    for root, text, _prev in _date_candidates(sent):
        value = dates.resolve(text, pub)
        if value is None:
            continue
        dist = tree_distance(root, trigger)
        key = (dist, abs(root.i - trigger.i))
        if best is None or key < best[0]:
            best = (key, value)
    return best[1] if best else None


def scope_for(sent: Span, action: str) -> str | None:
    kb = load()
    if action in ("fine", "takedown_order"):
        return None
    lemmas = {t.lemma_.lower() for t in sent}
    if lemmas & kb.words("gov_device") and lemmas & {"government", "official", "federal", "work", "parliamentary",
                                                      "staff", "state-issued", "government-issued", "corporate"}:
        if any(t.lemma_.lower() in kb.words("gov_device") and t.pos_ == "NOUN" for t in sent):
            return "government_devices"
    for tok in sent:
        if tok.dep_ == "pobj" and tok.head.lower_ in ("in", "across", "throughout"):
            if tok.lemma_.lower() in kb.words("region") or any(
                c.lemma_.lower() in kb.words("region") for c in tok.children
            ):
                return "regional"
            if tok.ent_type_ in ("GPE", "LOC") and tok.ent_type_ != COUNTRY:
                return "regional"
    return "nationwide"


def _target_ok(ptok: Token, trigger: Token, hit: Hit, platform: str) -> str | None:
    """Why a (trigger, service) pair is not an event, or None when it is one."""
    kb = load()
    if ptok.dep_ in ("nsubj",) and ptok.head.i == trigger.i and hit.kind not in ("lift",):
        return "service acts itself"
    head = ptok.head
    if ptok.dep_ in ("poss", "compound") and head.lemma_.lower() in kb.words("content"):
        return "only content of the service"
    if ptok.dep_ == "pobj" and head.lower_ == "of" and head.head.lemma_.lower() in kb.words("content"):
        return "only content of the service"
    if ptok.dep_ in ("poss", "compound") and head.lemma_.lower() not in kb.words("access") and head.i != trigger.i:
        if head.pos_ == "NOUN" and head.lemma_.lower() not in MEASURE_NOUNS and head.ent_type_ != PLATFORM:
            return "service names something else"
    if platform in NETWORK and ptok.dep_ in ("compound", "amod", "nmod") and head.i != trigger.i:
        if head.lemma_.lower() not in kb.words("access"):
            return "network word describes something else"
    if ptok.dep_ == "pobj" and head.dep_ == "agent":
        return "service is the agent"
    return None


def mentions_in(sent: Span, pub, prior_platforms: list[str]) -> list[Mention]:
    """Every event mention in one parsed sentence."""
    kb = load()
    hits = find(sent)
    if not hits:
        return []
    plats = platform_mentions(sent)
    lemmas = {t.lemma_.lower() for t in sent}
    has_authority = any(e.label_ == AUTHORITY for e in sent.ents) or any(
        authority_kind(t) == "authority" and t.dep_ in ("nsubj", "nsubjpass", "pobj") for t in sent
    )
    outage = bool(lemmas & kb.words("outage")) and not has_authority
    out: list[Mention] = []
    taken: set[int] = set()

    # lift verbs that need a measure noun as object ("withdrew the ban")
    usable: list[Hit] = []
    measure_under_lift: set[int] = set()
    for hit in hits:
        if hit.kind == "lift_noun":
            objs = [c for c in hit.head.children if c.dep_ in ("dobj", "nsubjpass", "pobj")]
            if hit.head.dep_ == "amod":
                objs.append(hit.head.head)
            objs = [o for o in objs if o.lemma_.lower() in MEASURE_NOUNS]
            if not objs:
                continue
            measure_under_lift.update(o.i for o in objs)
        usable.append(hit)
    usable = [h for h in usable if not (h.kind == "noun" and h.head.i in measure_under_lift)]
    if not usable:
        return []

    # assign each service to its nearest trigger in the tree
    pairs: list[tuple[Hit, Token, str]] = []
    for ptok, platform, _parent in plats:
        best = None
        for hit in usable:
            d = tree_distance(ptok, hit.head)
            if hit.kind == "noun":
                d += 0.5
            if best is None or d < best[0]:
                best = (d, hit)
        if best is None or best[0] > MAX_LINK:
            continue
        pairs.append((best[1], ptok, platform))
    # a lift or measure with no service named refers back to the service(s) just reported
    linked = {id(h) for h, _, _ in pairs}
    for hit in usable:
        if id(hit) in linked or not prior_platforms:
            continue
        generic = [c for c in hit.head.subtree if c.lemma_.lower() in kb.words("generic") and c.pos_ == "NOUN"
                   and any(d.lower_ in ("the", "this", "its") for d in c.children)]
        if hit.kind in ("lift", "lift_noun") or generic:
            anchor = generic[0] if generic else hit.head
            for platform in prior_platforms:
                pairs.append((hit, anchor, platform))

    for hit, ptok, platform in pairs:
        why = _target_ok(ptok, hit.head, hit, platform)
        if why:
            continue
        if is_negated(hit.head):
            continue
        if outage and hit.kind not in ("lift", "lift_noun"):
            continue
        key = (hit.head.i, platform)
        if key in taken:
            continue
        taken.add(key)
        action = hit.trigger.network if platform in NETWORK else hit.trigger.action
        subj, _agent = _subject(hit.head)
        skind = authority_kind(subj) if subj is not None else None
        if skind in ("platform", "company") and hit.kind not in ("lift", "lift_noun") and subj.i != ptok.i:
            if not (subj.ent_type_ == PLATFORM and subj.ent_id_ == platform and _agent):
                continue
        if hit.kind == "weak" and skind not in ("authority", "country") and not has_authority:
            continue
        m = Mention(platform, action, status_of(hit), sent, hit.head, ptok)
        if m.status == "threatened" and action == "unblock":
            continue
        if subj is not None and skind in ("authority", "person"):
            m.actor = _phrase(subj)
            c = _country_of_phrase(m.actor)
            if c:
                m.country, m.country_source = c, 1
        elif subj is not None and skind == "country":
            m.country, m.country_source = _country_of_phrase(_phrase(subj)) or None, 2
        m.date = date_for(sent, hit.head, pub)
        m.scope = scope_for(sent, action)
        m.confidence = 0.55 + (0.15 if skind == "authority" else 0) + (0.1 if m.date else 0) - (
            0.1 if hit.kind == "noun" else 0) - (0.1 if hit.kind == "weak" else 0)
        out.append(m)
    return out


def country_in_sentence(m: Mention, exclude: tuple[int, int] | None) -> None:
    if m.country is None or m.country_source > 3:
        c, src = _sentence_country(m.sent, m.trigger, exclude)
        if c and src < m.country_source:
            m.country, m.country_source = c, src
