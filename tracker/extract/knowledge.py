"""The extractor's knowledge, read once from the commented data files in models/.

Everything the rules know about the world (service names, authorities, countries, trigger
phrases, cue words, reason prototypes) lives in models/ so it can be reviewed and extended
without touching code; this module only parses those files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from ..paths import model_file
from ..vocabulary import read_csv


@dataclass(frozen=True)
class Alias:
    text: str
    value: str  # canonical platform, or country code
    exact: bool  # match only this capitalisation
    parent: bool = False  # names the operating company, not the service


@dataclass(frozen=True)
class Trigger:
    lemmas: tuple[str, ...]  # "*" = gap of up to four tokens
    action: str
    network: str  # action when the target is the internet or mobile data
    kind: str  # verb, noun, lift, lift_noun, weak


@dataclass(frozen=True)
class Cue:
    lemma: str
    mode: str
    weight: float


@dataclass
class Knowledge:
    platforms: list[Alias] = field(default_factory=list)
    authorities: list[Alias] = field(default_factory=list)
    countries: list[Alias] = field(default_factory=list)
    country_names: dict[str, str] = field(default_factory=dict)
    triggers: list[Trigger] = field(default_factory=list)
    cues: dict[str, set[str]] = field(default_factory=dict)  # role -> lemmas
    reasons: dict[str, Cue] = field(default_factory=dict)  # cue lemma -> cue
    prototypes: list[tuple[str, str]] = field(default_factory=list)  # (category, text)
    version: str = ""

    def words(self, role: str) -> set[str]:
        return self.cues.get(role, set())


def _read_version() -> str:
    for line in model_file("extract_version.txt").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            return line
    raise ValueError("models/extract_version.txt holds no version stamp")


@lru_cache(maxsize=1)
def load() -> Knowledge:
    """Parse every models/ file the extractor needs (once per process)."""
    kb = Knowledge()
    for row in read_csv(model_file("platform_aliases.csv")):
        kb.platforms.append(
            Alias(row["alias"], row["platform"], row["case"] == "exact", (row.get("parent") or "") == "yes")
        )
    for row in read_csv(model_file("authorities.csv")):
        kb.authorities.append(Alias(row["name"], row["country"] or "", not row["name"][1:].islower()))
    for row in read_csv(model_file("countries.csv")):
        kb.country_names[row["code"]] = row["name"]
        kb.countries.append(Alias(row["name"], row["code"], True))
    for row in read_csv(model_file("country_aliases.csv")):
        kb.countries.append(Alias(row["alias"], row["code"], True))
    for row in read_csv(model_file("triggers.csv")):
        kb.triggers.append(
            Trigger(tuple(row["pattern"].split()), row["action"], row["network"] or row["action"], row["kind"])
        )
    for row in read_csv(model_file("cue_words.csv")):
        kb.cues.setdefault(row["role"], set()).add(row["lemma"])
    for row in read_csv(model_file("justification_cues.csv")):
        kb.reasons[row["cue"]] = Cue(row["cue"], row["mode"], float(row["weight"]))
    for row in read_csv(model_file("justification_prototypes.csv")):
        kb.prototypes.append((row["category"], row["text"]))
    kb.version = _read_version()
    return kb
