"""Field rankers: a field of an event chosen by a trained model among the values the text offers.

A field such as the date or the actor is often stated somewhere other than the event's sentence, or not at
all. A ranker lists every value the text offers around the event (its options, each a row of features; the
hand-written rule's choice is one of the features, so the model learns where the rule goes wrong), and a
small gradient-boosted model, trained by `tracker train` on the gold values of the train split, scores each
option; the best one is the field. Each ranker is one module (tracker.extract.dates, tracker.extract.actors)
and one registration (tracker.extract.fields); its model is `<field>.txt` beside the event model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .candidates import Candidate


@dataclass(frozen=True)
class Option:
    value: str | None
    row: list[float]
    where: tuple[int, ...] | None = None  # where the value stands, for a field that reads more there


@dataclass(frozen=True)
class Ranker:
    field: str  # the event field it fills, and the name of its model file
    features: tuple[str, ...]  # what an option's row holds, in order
    options: Callable[[Candidate, bool, str | None], list[Option]]  # (candidate, threatened, rule's choice)
    rule: Callable[[Candidate], str | None]  # the hand-written reading, a feature of the options
    right: Callable[[str | None, str | None], bool]  # whether a value is the gold one, as the scorer reads it


RANKERS: dict[str, Ranker] = {}


def where(c: Candidate, index: int) -> str:
    """Where sentence `index` stands from the candidate's: its own, the headline, later, or earlier in the
    same paragraph or another."""
    here = c.sentence
    other = c.doc.sentences[index]
    if index == here.index:
        return "sentence"
    if other.is_title:
        return "title"
    if index > here.index:
        return "later"
    return "earlier_paragraph_same" if other.paragraph == here.paragraph else "earlier_paragraph_other"


def register(ranker: Ranker) -> None:
    RANKERS[ranker.field] = ranker


def pick(ranker: Ranker, c: Candidate, threatened: bool, model) -> Option | None:
    """The option the model scores highest (the first on a tie); None when there is no model."""
    import numpy as np

    if model is None:
        return None
    opts = ranker.options(c, threatened, ranker.rule(c))
    scores = model.predict(np.asarray([o.row for o in opts], dtype=float), num_threads=1)
    return opts[int(np.argmax(scores))]


def choose(ranker: Ranker, c: Candidate, threatened: bool, model) -> str | None:
    """The value of the option the model scores highest; the rule's value when there is no model."""
    best = pick(ranker, c, threatened, model)
    return ranker.rule(c) if best is None else best.value


def _gold_events(events: list[dict], text: str) -> dict[tuple, list[tuple[int, int, dict]]]:
    """The gold events of each key their candidates carry, as training labels them (dataset.told):
    (threatened, country, service, class of the measure), each with where its evidence stands in the text."""
    from .dataset import told

    out: dict[tuple, list[tuple[int, int, dict]]] = {}
    for start, end, key, threatened, e in told(events, text):
        out.setdefault((threatened, *key), []).append((start, end, e))
    return out


def _stated_by(c: Candidate, told: list[tuple[int, int, dict]]) -> dict:
    """Of a key's gold events, the one whose evidence holds the candidate's sentence, else the first: a text
    can tell one key twice (a block in 2014 and another in 2024), each with its own date and actor."""
    from .dataset import states

    return next((e for start, end, e in told if states(c.sentence, start, end)), told[0][2])


def training_rows(ranker: Ranker, cands: list[Candidate], events: list[dict]
                  ) -> tuple[list[list[float]], list[int], list[int]]:
    """Feature rows, labels and group sizes (one group of options per candidate) of every candidate that
    states a gold event: an option is right when the scorer would count its value as the gold event's."""
    gold = _gold_events(events, cands[0].doc.text) if cands else {}
    rows: list[list[float]] = []
    labels: list[int] = []
    groups: list[int] = []
    for c in cands:
        for threatened in (False, True):
            told = gold.get((threatened, c.country, c.platform.lower(), c.klass))
            if told is None:
                continue
            event = _stated_by(c, told)
            opts = ranker.options(c, threatened, ranker.rule(c))
            for o in opts:
                rows.append(o.row)
                labels.append(int(ranker.right(o.value, event.get(ranker.field))))
            groups.append(len(opts))
    return rows, labels, groups
