"""Event assembly from the dependency parse of one sentence.

A trigger (triggers.py) becomes an event for each service it acts on: the service mentions
closest to the trigger in the parse tree, unless the service is the one acting (a platform's own
moderation), only its posts or accounts are hit, or the measure is denied. Around the pair the
parse gives who acts (actor and country), whether it is threatened, announced, in force or lifted,
the scope and the date expression tied to the measure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from spacy.tokens import Span, Token

from . import dates
from .justification import reason_token_ids
from .knowledge import load
from .nlp import AUTHORITY, COUNTRY, PLATFORM
from .triggers import Hit, find

MAX_LINK = 5  # edges between a trigger and a service it acts on
NETWORK = {"internet", "mobile internet"}
_NOMINAL = ("NOUN", "PROPN", "PRON", "NUM", "X")
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


def tree_distance(a: Token, b: Token) -> float:
    """Edges between two tokens in the parse; coordination and apposition cost nothing
    ("blocked Facebook, WhatsApp and Viber" puts all three services next to the verb)."""
    def path(t: Token) -> list[tuple[Token, float]]:
        out, cost, cur = [(t, 0.0)], 0.0, t
        while cur.head.i != cur.i:
            cost += 0.0 if cur.dep_ in ("conj", "appos", "cc") and cur.pos_ in _NOMINAL else 1.0
            cur = cur.head
            out.append((cur, cost))
        return out

    pa, pb = path(a), path(b)
    ib = {t.i: c for t, c in pb}
    for t, c in pa:
        if t.i in ib:
            return c + ib[t.i]
    return 99.0


def _first_conjunct(tok: Token) -> Token:
    while tok.dep_ in ("conj", "appos") and tok.head.i != tok.i:
        tok = tok.head
    return tok


def linked(ptok: Token, trigger: Token) -> bool:
    """Is the service an argument of the trigger (its object, passive subject, "access to X",
    "the ban on X"), or does the trigger describe it ("X, blocked since July")?"""
    if ptok.i == trigger.i:
        return True
    if any(t.i == trigger.i for t in ptok.ancestors):
        # inside the trigger's phrase, but not inside a nested clause of its own
        cur = ptok
        while cur.i != trigger.i:
            if cur.dep_ in ("advcl", "relcl", "ccomp", "csubj", "parataxis") and cur.head.i != trigger.i:
                return False
            if cur.dep_ in ("advcl", "relcl", "parataxis") and cur.pos_ in ("VERB", "AUX"):
                return False
            cur = cur.head
        return True
    first = _first_conjunct(ptok)
    if trigger.dep_ in ("acl", "relcl", "amod") and trigger.head.i in (ptok.i, first.i):
        return True
    return (trigger.dep_ in ("xcomp", "oprd", "ccomp", "acl") and first.head.i == trigger.head.i
            and first.dep_ in ("dobj", "nsubj"))


def _ent_of(tok: Token, label: str) -> Span | None:
    if tok.ent_type_ != label:
        return None
    for ent in tok.doc.ents:
        if ent.start <= tok.i < ent.end:
            return ent
    return None


def _name_root(ent: Span) -> Token:
    """The head word of a name; a leading determiner the parser hung elsewhere does not stand for it
    ("the internet monitor NetBlocks": "the" belongs to NetBlocks, "internet" describes "monitor")."""
    words = [t for t in ent if t.pos_ not in ("DET", "PUNCT")]
    if not words:
        return ent.root
    return ent.doc[words[0].i : words[-1].i + 1].root


@lru_cache(maxsize=1)
def _parent_names() -> frozenset[tuple[str, str]]:
    """(alias, platform) of the names that stand for a service's operating company, built once."""
    return frozenset((a.text, a.value) for a in load().platforms if a.parent)


def platform_mentions(sent: Span) -> list[tuple[Token, str, bool]]:
    """(root token, canonical platform, is parent company) for each service named in the sentence."""
    parents = _parent_names()
    out = []
    for ent in sent.ents:
        if ent.label_ != PLATFORM:
            continue
        out.append((_name_root(ent), ent.ent_id_, (ent.text, ent.ent_id_) in parents))
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
    """Is the measure, or the plan, decision or claim that governs it, negated or denied ("did not block",
    "has no plans to ban", "never blocked", "denied blocking", "ruled out a ban")?"""
    kb = load()
    deny, no = kb.words("deny"), kb.words("no")
    for tok in _governing_chain(trigger, 4):
        if any(c.dep_ == "neg" or (c.lower_ in no and c.dep_ in ("det", "advmod")) for c in tok.children):
            return True
        if tok.i != trigger.i and tok.lemma_.lower() in deny:
            return True
        if tok.dep_ in ("ccomp", "advcl") and tok.i != trigger.i:
            break
    return False


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
    # a measure that may or will come if the service does not comply is a threat ("may ban X if it fails
    # to register", "will block X unless it deletes the posts")
    conditional = any(g.dep_ == "mark" and g.lower_ in kb.words("condition")
                      for t in chain[:2] for c in t.children if c.dep_ == "advcl" for g in c.children)
    if conditional and aux & (modal | future | {"would", "'ll"}):
        return "threatened"
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


_PRONOUNS = {"it": "singular", "they": "any", "he": "person", "she": "person"}


def _antecedent(pron: Token) -> Token:
    """The subject a pronoun subject stands for when its clause is reported or continued by that subject
    ("Roskomnadzor said it had restricted access to X", "the ministry blocked X and said it would ...");
    the pronoun itself when no such subject is found."""
    want = _PRONOUNS.get(pron.lower_)
    if want is None:
        return pron
    cur = pron.head
    for _ in range(4):
        if cur.dep_ not in ("ccomp", "xcomp", "conj", "advcl") or cur.head.i == cur.i:
            break
        cur = cur.head
        subj = next((c for c in cur.children if c.dep_ == "nsubj"), None)
        if subj is None:
            continue
        if subj.pos_ == "PRON":
            break
        if want == "singular" and subj.tag_ in ("NNS", "NNPS"):
            break
        if want == "person" and authority_kind(subj) not in ("person", "authority"):
            break
        return subj
    return pron


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
    if tok.ent_type_ == "ORG":
        ent = _ent_of(tok, "ORG")
        words = {t.lemma_.lower() for t in ent} if ent is not None else {tok.lemma_.lower()}
        return "authority" if words & (kb.words("authority") | {"service", "bureau"}) else "company"
    if tok.lower_ in ("company", "firm"):
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
        if (root.dep_ in ("amod", "compound") and root.head.ent_type_ != AUTHORITY
                and authority_kind(root.head) not in ("authority",) and root.head.lemma_.lower() not in (
                    "network", "networks", "user", "users", "provider", "operator", "territory", "soil")):
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
        # deadlines are not when a measure happened; a sentence-opening "By Monday, ..." sets the scene
        opening = start - 1 == sent.start
        if (prev in ("until", "till", "before", "through", "within") or prev == "by" and not opening
                or text.lower().startswith(("until", "by "))):
            continue
        res.append((root, text, prev))
    return res


def date_for(sent: Span, trigger: Token, pub, anchor: str | None = None) -> str | None:
    """The date expression nearest the trigger in the parse, resolved against the publication date
    (or, for "that night" / "the next day", against `anchor`, the date the story last gave)."""
    best = None
    for root, text, _prev in _date_candidates(sent):
        value = dates.resolve(text, pub) or dates.resolve_relative(text, anchor)
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
                                                      "staff", "state-issued", "government-issued", "corporate"} \
            and any(t.lemma_.lower() in kb.words("gov_device") and t.pos_ == "NOUN" for t in sent):
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
    first = _first_conjunct(ptok)
    head = first.head
    if platform not in NETWORK and first.dep_ in ("nsubj",) and head.i == trigger.i and hit.kind not in ("lift",):
        return "service acts itself"
    if first.dep_ in ("poss", "compound", "nmod") and head.lemma_.lower() in kb.words("content"):
        return "only content of the service"
    if first.dep_ == "pobj" and head.lower_ == "of" and head.head.lemma_.lower() in kb.words("content"):
        return "only content of the service"
    if first.dep_ == "pobj" and head.lemma_.lower() in kb.words("circumvent") | {"without"}:
        return "service is a way around the measure"
    if first.dep_ == "dobj" and head.lemma_.lower() in kb.words("circumvent") and head.i != trigger.i:
        return "service is a way around the measure"
    allowed = kb.words("access") | kb.words("generic") | MEASURE_NOUNS | {"download", "use", "app", "application"}
    if (first.dep_ in ("poss", "compound", "nmod") and head.i != trigger.i and head.pos_ == "NOUN"
            and head.lemma_.lower() not in allowed and head.ent_type_ != PLATFORM):
        return "service names something else"
    if platform in NETWORK and ptok.dep_ in ("compound", "amod", "nmod") and head.i != trigger.i \
            and head.lemma_.lower() not in kb.words("access") | MEASURE_NOUNS:
        return "network word describes something else"
    if first.dep_ == "pobj" and head.dep_ == "agent":
        return "service is the agent"
    # the source of the report ("according to the internet monitor NetBlocks", "according to data from X")
    words = kb.words("attribution")
    for tok in ptok.ancestors:
        if tok.i == trigger.i:
            break
        if tok.lower_ in words or tok.lemma_.lower() in words:
            return "service is named in the source of the report"
    return None


def _executes_orders(subj: Token) -> bool:
    """Internet providers and mobile operators carry out blocks ordered by an authority: a block they
    apply is a measure, unlike a service's own moderation ("providers began cutting off access to X")."""
    kb = load()
    near = [subj, *(c for c in subj.children if c.dep_ in ("appos", "conj"))]
    return any(t.lemma_.lower() in kb.words("executor") for t in near)


def _is_generic_statement(hit: Hit, subj: Token | None) -> bool:
    """Habits and hypotheses ("governments often cut the internet", "cutting access would harm")."""
    kb = load()
    if hit.head.dep_ in ("csubj", "csubjpass"):
        return True
    if hit.kind == "noun" and hit.head.tag_ == "NNS" and not any(
            c.dep_ in ("det", "poss") and c.lower_ not in kb.words("quantifier") for c in hit.head.children):
        return True
    if subj is not None and subj.lemma_.lower() in kb.words("quantifier") | {"number", "lot", "string"}:
        # "a handful of governments", "a number of states": the group, not one authority
        of = [g for c in subj.children if c.dep_ == "prep" and c.lower_ == "of" for g in c.children if g.dep_ == "pobj"]
        if of and of[0].tag_ == "NNS" and of[0].ent_type_ == "":
            return True
    if subj is not None and subj.tag_ == "NNS" and subj.ent_type_ == "":
        dets = {c.lower_ for c in subj.children if c.dep_ in ("det", "amod", "nummod", "poss")}
        dets |= {c.lower_ for c in subj.subtree if c.dep_ == "nsubj" or c.lower_ in kb.words("quantifier")}
        if not dets - kb.words("quantifier") and (dets & kb.words("quantifier") or not dets):
            return True
    return False


def _is_appeal_or_condition(trigger: Token, kind: str) -> bool:
    kb = load()
    chain = _governing_chain(trigger, 4)
    for tok in chain[1:]:
        if tok.lemma_.lower() in kb.words("appeal"):
            return True
    if kind in ("lift", "lift_noun", "state_lift"):
        aux = {c.lower_ for t in chain[:2] for c in t.children if c.dep_ in ("aux", "auxpass")}
        if aux & (kb.words("modal") | {"would", "should", "must"}):
            return True
        if any(c.dep_ == "mark" and c.lower_ in ("if", "whether", "unless") for t in chain[:3] for c in t.children):
            return True
    return False


def _state_trigger(action: str, kind: str):
    from .knowledge import Trigger

    return Trigger((action,), action, "unblock" if action == "unblock" else "shutdown", kind)


def _state_hits(sent: Span) -> list[tuple[Hit, list[Token]]]:
    """Services reported as unreachable ("X became unreachable in Y", "users cannot reach X") or back
    ("X is accessible again", "access came back"), with the tokens that name the service or its access."""
    kb = load()
    out = []
    unavailable, available, again = kb.words("unavailable"), kb.words("available"), kb.words("again")
    for tok in sent:
        low = tok.lower_
        subj = [c for c in tok.children if c.dep_ in ("nsubj", "nsubjpass")]
        if tok.lemma_.lower() in kb.words("back_verb") and subj:
            comps = [c for c in tok.children if c.dep_ in ("acomp", "advmod", "prt", "attr", "oprd")]
            words = {c.lower_ for c in comps}
            has_again = bool(words & again) or any(g.lower_ in again for c in comps for g in c.children)
            back = words & available or tok.lemma_.lower() in ("come", "return", "work", "be", "go") and words & again
            if (has_again and back and not any(c.dep_ == "neg" for c in tok.children)
                    and not words & unavailable):
                out.append((Hit(tok, tok.i + 1, _state_trigger("unblock", "state_lift")), subj))
                continue
            if words & unavailable and not has_again:
                out.append((Hit(tok, tok.i + 1, _state_trigger("block", "state")), subj))
                continue
        if low in ("reach", "access", "open", "use", "load") and tok.pos_ == "VERB":
            head = tok.head
            negated = any(c.dep_ == "neg" for c in tok.children) or head.lower_ in ("unable",) or any(
                c.dep_ == "neg" for c in head.children) and head.lemma_.lower() in ("be", "can")
            if tok.dep_ == "xcomp" and head.lower_ == "unable":
                negated = True
            objs = [c for c in tok.children if c.dep_ == "dobj"]
            if negated and objs:
                out.append((Hit(tok, tok.i + 1, _state_trigger("block", "state")), objs))
    return out


def _takedown_hits(sent: Span) -> list[Hit]:
    """Removals of content ordered by someone else: "ordered X to remove the posts", "removal notices"."""
    kb = load()
    from .knowledge import Trigger

    out = []
    for tok in sent:
        lemma = tok.lemma_.lower()
        if lemma not in kb.words("removal"):
            continue
        objs = [c for c in tok.children if c.dep_ in ("dobj", "nsubjpass")]
        objs += [g for c in tok.children if c.dep_ == "prep" and c.lower_ == "of" for g in c.children
                 if g.dep_ == "pobj"]
        if not any(o.lemma_.lower() in kb.words("content") | {"app", "application"} for o in objs) and not (
                tok.pos_ == "NOUN" and tok.head.lemma_.lower() in ("notice", "order", "request")):
            continue
        chain = _governing_chain(tok, 4)
        ordered = any(t.lemma_.lower() in kb.words("order") for t in chain[1:]) or any(
            c.lemma_.lower() in kb.words("order") for c in tok.children if c.dep_ in ("compound", "amod"))
        if tok.pos_ == "NOUN" and tok.head.lemma_.lower() in kb.words("order"):
            ordered = True
        if ordered:
            out.append(Hit(tok, tok.i + 1, Trigger((lemma,), "takedown_order", "takedown_order", "takedown")))
    return out


def _device_ban(hit: Hit) -> bool:
    """"remove X from government devices" is a ban on official devices."""
    kb = load()
    for c in hit.head.children:
        if c.dep_ == "prep" and c.lower_ == "from" and any(
                g.lemma_.lower() in kb.words("gov_device") for g in c.subtree):
            return True
    return False


def mentions_in(sent: Span, pub, prior_platforms: list[str], date_anchor: str | None = None) -> list[Mention]:
    """Every event mention in one parsed sentence."""
    kb = load()
    from .knowledge import Trigger

    hits = find(sent)
    plats = platform_mentions(sent)
    lemmas = {t.lemma_.lower() for t in sent}
    has_authority = any(e.label_ == AUTHORITY for e in sent.ents) or any(
        authority_kind(t) == "authority" and t.dep_ in ("nsubj", "nsubjpass", "pobj") for t in sent
    )
    outage = bool(lemmas & kb.words("outage")) and not has_authority

    usable: list[Hit] = []
    measure_under_lift: dict[int, Hit] = {}
    for hit in hits:
        if hit.kind == "lift_noun":
            if hit.head.lemma_.lower() in ("remove", "delete") and _device_ban(hit):
                usable.append(Hit(hit.head, hit.end, Trigger(("remove",), "ban", "ban", "verb")))
                continue
            objs = [c for c in hit.head.children if c.dep_ in ("dobj", "nsubjpass", "pobj", "nsubj")]
            if hit.head.dep_ == "amod":
                objs.append(hit.head.head)
            objs = [o for o in objs if o.lemma_.lower() in MEASURE_NOUNS]
            if not objs:
                continue
            for o in objs:
                measure_under_lift[o.i] = hit
        usable.append(hit)
    usable.extend(_takedown_hits(sent))
    state = _state_hits(sent)
    # a trigger inside the reason given for another one is part of that reason, not a measure
    # ("suspended access to X, citing the platform's removal of accounts"; "fined Y for failing to block Z")
    heads = {h.head.i: h.head for h in usable} | {h.head.i: h.head for h, _ in state}
    inside = {i: reason_token_ids(sent, tok) for i, tok in heads.items()}
    def _in_reason(i: int) -> bool:
        return any(i in ids and j not in inside[i] for j, ids in inside.items() if j != i)
    usable = [h for h in usable if not _in_reason(h.head.i)]
    state = [(h, toks) for h, toks in state if not _in_reason(h.head.i)]
    if not usable and not state:
        return []

    pairs: list[tuple[Hit, Token, str]] = []
    for ptok, platform, _parent in plats:
        best = None
        for hit in usable:
            if not linked(ptok, hit.head):
                continue
            d = tree_distance(ptok, hit.head) + (0.5 if hit.kind == "noun" else 0)
            if best is None or d < best[0]:
                best = (d, hit)
        if best is not None and best[0] <= MAX_LINK:
            pairs.append((best[1], ptok, platform))
    for hit, toks in state:
        for tok in toks:
            named = [(p, name) for p, name, _ in plats if p.i == tok.i or any(a.i == tok.i for a in p.ancestors)]
            named = [(p, name) for p, name in named if tree_distance(p, tok) <= 3]
            if named:
                pairs.extend((hit, p, name) for p, name in named)
            elif (tok.lemma_.lower() in kb.words("generic") | kb.words("access")) and prior_platforms:
                pairs.extend((hit, tok, name) for name in prior_platforms)
    # a lift or measure with no service named refers back to the service(s) just reported
    linked_hits = {id(h) for h, _, _ in pairs}
    in_sentence = [name for _, name, _ in plats]
    for hit in usable:
        if id(hit) in linked_hits:
            continue
        # "its" after an active subject is that subject's own ("the government blocked its own websites")
        own = any(c.dep_ == "nsubj" for c in hit.head.children)
        dets = ("the", "this", "these", "two") if own else ("the", "this", "its", "these", "two")
        generic = [c for c in hit.head.subtree if c.lemma_.lower() in kb.words("generic") and c.pos_ == "NOUN"
                   and any(d.lower_ in dets for d in c.children)]
        if hit.kind in ("lift", "lift_noun") or generic:
            anchor = generic[0] if generic else hit.head
            for platform in (in_sentence or prior_platforms):
                pairs.append((hit, anchor, platform))
    # a measure noun under a lift ("lifted the suspension of X") also reports the measure itself
    derived: set[int] = set()
    for hit, ptok, platform in list(pairs):
        if hit.kind in ("lift", "lift_noun"):
            for i, lift in measure_under_lift.items():
                if lift is hit:
                    noun = sent.doc[i]
                    trig = next((t for t in kb.triggers if t.kind == "noun" and t.lemmas[0] == noun.lemma_.lower()),
                                None)
                    if trig is not None:
                        measure = Hit(noun, noun.i + 1, trig)
                        derived.add(id(measure))
                        pairs.append((measure, ptok, platform))
    # the more specific network wins ("mobile data access to the internet")
    nets = {(h.head.i, p) for h, _, p in pairs if p in NETWORK}
    pairs = [(h, t, p) for h, t, p in pairs if not (p == "internet" and (h.head.i, "mobile internet") in nets)]

    out: list[Mention] = []
    taken: set[tuple[int, str]] = set()
    for hit, ptok, platform in pairs:
        key = (hit.head.i, platform)
        if key in taken:
            continue
        if _target_ok(ptok, hit.head, hit, platform):
            continue
        if is_negated(hit.head) and hit.kind not in ("state",):
            continue
        if outage:
            continue
        if _is_appeal_or_condition(hit.head, hit.kind):
            continue
        action = hit.trigger.network if platform in NETWORK else hit.trigger.action
        subj, agent = _subject(hit.head)
        if subj is not None and subj.pos_ == "PRON":
            subj = _antecedent(subj)
            if subj.i == ptok.i and platform not in NETWORK and hit.kind not in ("lift", "lift_noun"):
                continue  # "Telegram said it had blocked channels": the service acts itself
        skind = authority_kind(subj) if subj is not None else None
        if _is_generic_statement(hit, subj):
            continue
        if (skind in ("platform", "company") and hit.kind not in ("lift", "lift_noun", "state", "state_lift")
                and subj.i != ptok.i and not (subj.ent_type_ == PLATFORM and subj.ent_id_ == platform and agent)
                and not _executes_orders(subj)):
            continue
        if hit.kind == "weak" and skind not in ("authority", "country") and not has_authority:
            continue
        m = Mention(platform, action, status_of(hit), sent, hit.head, ptok)
        if id(hit) in derived:
            m.notes.append("derived")  # "the ban": may refer back to a measure already reported
        if hit.kind in ("state", "state_lift"):
            m.status = "lifted" if action == "unblock" else "in_effect"
        if m.status == "threatened" and action == "unblock":
            continue
        if hit.kind == "state" and not (has_authority or any(e.label_ == COUNTRY for e in sent.ents)):
            continue
        taken.add(key)
        if subj is not None and skind in ("authority", "person"):
            m.actor = _phrase(subj)
            c = _country_of_phrase(m.actor)
            if c:
                m.country, m.country_source = c, 1
        elif subj is not None and skind == "country":
            m.country, m.country_source = _country_of_phrase(_phrase(subj)) or None, 2
        m.date = date_for(sent, hit.head, pub, date_anchor)
        m.scope = scope_for(sent, action)
        if action == "ban" and hit.trigger.lemmas == ("remove",):
            m.scope = "government_devices"
        m.confidence = 0.55 + (0.15 if skind == "authority" else 0) + (0.1 if m.date else 0) - (
            0.1 if hit.kind in ("noun", "state", "state_lift") else 0) - (0.1 if hit.kind == "weak" else 0)
        out.append(m)
    return out


def country_in_sentence(m: Mention, exclude: tuple[int, int] | None) -> None:
    if m.country is None or m.country_source > 3:
        c, src = _sentence_country(m.sent, m.trigger, exclude)
        if c and src < m.country_source:
            m.country, m.country_source = c, src
