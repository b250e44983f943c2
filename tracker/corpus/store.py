"""Reading corpus files: one JSON object a line, in `corpus/texts/*.jsonl`."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..errors import TrackerError

#: Keys of a corpus record (docs/annotation.md; the input format of `tracker annotate` plus gold).
CORPUS_FIELDS = ("id", "language", "title", "published", "url", "publisher", "region", "genre", "text",
                 "events", "split", "notes")
#: A reviewed record (split "review") may also carry `rejected`: the keys reviewers refused in its text.
#: Regions a text is stratified by (the region of the acting countries; `global` for several regions).
REGIONS = ("africa", "americas", "asia", "europe", "mena", "oceania", "global")
SPLITS = ("train", "dev", "test")
#: The split of records written from reviewed events (`tracker export gold`): training only, never assigned by
#: `tracker corpus split`, never scored by `tracker eval --split`.
REVIEW_SPLIT = "review"


class CorpusError(TrackerError):
    """A corpus file cannot be read; the message names the file and line."""


def iter_records(paths: Iterable[str | Path]) -> Iterator[tuple[Path, int, object]]:
    """(file, line number, parsed JSON or the JSONDecodeError) for every non-blank line of `paths`."""
    for path in paths:
        path = Path(path)
        with path.open(encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    yield path, n, json.loads(line)
                except json.JSONDecodeError as exc:
                    yield path, n, exc


def load(paths: Iterable[str | Path], *, split: str | None = None, language: str | None = None) -> list[dict]:
    """The records of `paths` (files or folders of *.jsonl), optionally one split or language only."""
    files: list[Path] = []
    for p in paths:
        p = Path(p)
        files.extend(sorted(p.glob("*.jsonl")) if p.is_dir() else [p])
    out = []
    for path, n, rec in iter_records(files):
        if isinstance(rec, Exception):
            raise CorpusError(f"{path}:{n}: not valid JSON ({rec})")
        if split and rec.get("split") != split:
            continue
        if language and rec.get("language") != language:
            continue
        out.append(rec)
    return out
