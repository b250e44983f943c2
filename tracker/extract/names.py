"""Services the gazetteers do not know: the press names hundreds of outlets, sites and apps.

A name is taken as a service only where the text presents one: a list line whose content is a name
("• Medianálisis", "3. Blackboard"), a name listed beside a known service ("PUBG Mobile, PUBG Mobile Lite
and Arena of Valor"), a name after a noun for a service or a list opener ("the news site Runrunes",
"outlets such as Prachatai, Voice TV and The Reporters"), or a domain ("kamnotra.io"). Only scripts
with capital letters can show a name this way; other scripts rely on the gazetteers. The model gets
`service_kind = unknown` for these and weighs them accordingly.
"""

from __future__ import annotations

import re

from .lexicon import Match
from .text import Sentence, Token

_DOMAIN = re.compile(r"^[\w-]+(\.[\w-]+)*\.(com|net|org|info|io|me|tv|news|ru|by|az|ua|kz|uz|tr|ir|in|pk|ng|ke|"
                     r"cn|hk|vn|id|my|ph|br|ve|ni|cu|ar|mx|co|uk|fr|de|es|it|pt|eu)$", re.IGNORECASE)
#: Small words that may sit inside a name ("Arena of Valor", "Voice of Democracy", "El Nacional").
_INNER = frozenset({"of", "de", "del", "la", "le", "el", "al", "i", "y", "and", "the", "da", "do", "dos", "du"})


def _name_like(tok: Token) -> bool:
    text = tok.text
    if _DOMAIN.match(text):
        return True
    first = text[0]
    return first.isupper() or (first.isdigit() and any(c.isalpha() for c in text))


def _runs(sent: Sentence, taken: set[int], not_names: frozenset[str]) -> list[tuple[int, int]]:
    """Maximal runs of name-like tokens (with small inner words), not overlapping known names."""
    toks, out, i = sent.tokens, [], 0
    while i < len(toks):
        if i in taken or not _name_like(toks[i]) or toks[i].lower in not_names:
            i += 1
            continue
        j = i + 1
        while j < len(toks) and j not in taken:
            if _name_like(toks[j]) and toks[j].lower not in not_names:
                j += 1
            elif toks[j].lower in _INNER and j + 1 < len(toks) and _name_like(toks[j + 1]) \
                    and j + 1 not in taken:
                j += 2
            else:
                break
        out.append((i, j))
        i = j
    return out


def _between(sent: Sentence, a: int, b: int) -> str:
    """The text between token a's end and token b's start."""
    return sent.text[sent.tokens[a].end - sent.start:sent.tokens[b].start - sent.start] if a < b else ""


def _listed(sent: Sentence, run: tuple[int, int], anchors: list[tuple[int, int]], joiners: frozenset[str]) -> bool:
    """True when the run and an anchor are neighbours in a list (", ", or the language's "and", "or")."""
    for first, last in anchors:
        if last <= run[0]:
            gap = _between(sent, last - 1, run[0]).strip().lower()
        elif run[1] <= first:
            gap = _between(sent, run[1] - 1, first).strip().lower()
        else:
            continue
        if gap in (",", "/", ";") or gap.removeprefix(",").strip() in joiners:
            return True
    return False


def unknown_services(sent: Sentence, matches: list[Match], pack) -> list[Match]:
    """Names of services the gazetteers lack, as platform matches whose value is the name as written (only in
    scripts with capital letters; the pack gives its list joiners and the capitalised words never names)."""
    if not pack.lang.casing:
        return []
    joiners, not_names = pack.words("joiner"), pack.words("not_name")
    known = [(m.first, m.last) for m in matches if m.kind in ("platform", "country", "authority", "service_noun",
                                                               "trigger")]
    taken = {i for first, last in known for i in range(first, last)}
    platforms = [(m.first, m.last) for m in matches if m.kind == "platform" and m.value]
    openers = [m for m in matches if m.kind == "service_noun"]
    out: list[Match] = []
    runs = _runs(sent, taken, not_names)
    for k, run in enumerate(runs):
        toks = sent.tokens[run[0]:run[1]]
        domain = len(toks) == 1 and bool(_DOMAIN.match(toks[0].text))
        at_line_start = sent.is_bullet and run[0] == 0
        opened = any(0 <= run[0] - o.last <= 2 for o in openers)
        listed = _listed(sent, run, platforms + runs[:k] + runs[k + 1:], joiners) and (platforms or opened)
        if run[0] == 0 and not (sent.is_bullet or domain):
            continue  # a sentence's first word is capitalised anyway
        if domain or at_line_start or opened or listed:
            name = sent.text[toks[0].start - sent.start:toks[-1].end - sent.start]
            out.append(Match("platform", name, 0.5, run[0], run[1], toks[0].start, toks[-1].end))
    return out
