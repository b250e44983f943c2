"""The contract's vocabulary as code, read once from `models/vocabulary.toml` and the lookup CSVs.

This is the lowest layer: it imports nothing from tracker but `paths`. Every stage takes actions,
statuses, scopes, categories, publisher types, platform names and the event fields from here, so
a value of the contract is written in exactly one place (a data file) and read in one module.
"""

from __future__ import annotations

import csv
import tomllib
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from .paths import model_file


def read_csv(path: Path) -> Iterator[dict[str, str]]:
    """Rows of a models/ CSV file; lines starting with # are comments."""
    with path.open(encoding="utf-8", newline="") as fh:
        lines = (line for line in fh if line.strip() and not line.lstrip().startswith("#"))
        yield from csv.DictReader(lines)


@cache
def _toml() -> dict:
    with model_file("vocabulary.toml").open("rb") as fh:
        return tomllib.load(fh)


def _tuple(section: str, key: str) -> tuple[str, ...]:
    return tuple(_toml()[section][key])


@cache
def action_folds() -> dict[str, str]:
    """Each action and the class its measure folds into (block, ban, restrict -> restrict)."""
    return dict(_toml()["actions"])


def actions() -> tuple[str, ...]:
    return tuple(action_folds())


def statuses() -> tuple[str, ...]:
    """Life stages of a measure, in order."""
    return _tuple("statuses", "order")


@cache
def status_rank() -> dict[str, int]:
    return {status: i for i, status in enumerate(statuses())}


def scopes() -> tuple[str, ...]:
    return _tuple("scopes", "values")


def publisher_types() -> tuple[str, ...]:
    return _tuple("publishers", "types")


def event_fields() -> tuple[str, ...]:
    """Fields of an event in the contract's order."""
    return _tuple("event", "fields")


def substring_fields() -> tuple[str, ...]:
    """Event fields that must be exact substrings of the text."""
    return _tuple("event", "substring_fields")


def liftable_classes() -> tuple[str, ...]:
    return _tuple("classes", "liftable")


def measure_classes() -> tuple[str, ...]:
    """Classes an event's measure can have (restrict, throttle, shutdown, fine, takedown_order)."""
    lift = _toml()["classes"]["unblock"]
    return tuple(dict.fromkeys(c for c in action_folds().values() if c != lift))


def action_classes() -> tuple[str, ...]:
    """Every class a prediction or an event can fold into: threaten, unblock and the measures."""
    return (_toml()["classes"]["threaten"], _toml()["classes"]["unblock"], *measure_classes())


def measure_class(action: str | None) -> str | None:
    """Class of the measure an action names, whatever its status (a threat to block -> restrict)."""
    return action_folds().get((action or "").strip().lower())


def action_class(action: str | None, status: str | None) -> str | None:
    """Contracts section 4: threatened -> threaten; unblock or lifted -> unblock; else the measure's class
    (None for an action outside the vocabulary)."""
    classes, st = _toml()["classes"], _toml()["statuses"]
    status = (status or "").strip().lower()
    action = (action or "").strip().lower()
    if status == st["threat"]:
        return classes["threaten"]
    if status == st["lift"] or measure_class(action) == classes["unblock"]:
        return classes["unblock"]
    return measure_class(action)


@cache
def justification_categories() -> tuple[str, ...]:
    return tuple(row["code"] for row in read_csv(model_file("justification_categories.csv")))


@cache
def platforms() -> tuple[str, ...]:
    """Canonical platform names (models/platforms.csv)."""
    return tuple(row["name"] for row in read_csv(model_file("platforms.csv")))


@cache
def platform_labels() -> dict[str, str]:
    """Canonical platform name -> the label shown to people."""
    return {row["name"]: row.get("label") or row["name"] for row in read_csv(model_file("platforms.csv"))}


@cache
def _aliases() -> dict[str, str]:
    """Lower-cased alias -> canonical name, for names people type (not for reading text)."""
    table = {}
    for row in read_csv(model_file("platform_aliases.csv")):
        if row.get("parent") != "yes":
            table.setdefault(row["alias"].strip().lower(), row["platform"])
    for name in platforms():
        table[name.lower()] = name
    return table


def canonical_platform(name: str) -> str:
    """A platform name as typed, trimmed, with an alias in any case ("X", "x.com") replaced by the
    canonical name; an unknown name is returned trimmed, unchanged."""
    name = name.strip()
    return _aliases().get(name.lower(), name)


@cache
def countries() -> tuple[str, ...]:
    """ISO 3166-1 alpha-2 codes the project knows, plus EU."""
    return tuple(row["code"] for row in read_csv(model_file("countries.csv")))
