"""Run the extractor over the articles the current extractor version has not read, and merge.

Incremental: an article is stamped with the extractor version in the same
transaction that writes its mentions and merges them, so a second run finds
nothing to do, and a run killed between articles resumes where it stopped
without duplicates or lost mentions. `redo_all` re-reads every article (after
the models change); an article whose reading did not change is left as it is,
so event ids, sources and history stay put.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlite_utils

from ..languages import language as registered_language
from .mentions import content_key, detach_article, normalise, write_mentions
from .merge import merge_mention, refresh_event

log = logging.getLogger(__name__)

Extractor = Callable[..., list[dict]]

#: Order in which one article's mentions are merged: a measure first, so its threat and lift find it.
_ORDER = {"threaten": 1, "unblock": 2}


@dataclass
class ExtractSummary:
    extractor_version: str = ""
    articles: int = 0  # articles read
    unchanged: int = 0  # re-read with the same result
    new_mentions: int = 0
    removed_mentions: int = 0
    new_events: int = 0
    updated_events: int = 0
    failed: list[dict] = field(default_factory=list)  # {"article_id", "url", "error"}
    #: articles read without a language pack for their language: language -> how many (none of them can
    #: yield events; reported, never dropped silently)
    skipped_languages: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def default_extractor() -> tuple[Extractor, str]:
    """The project's extractor and its version; a clear error when it is not installed."""
    try:
        from tracker.extract import extract_events, extractor_version
    except ImportError as exc:
        raise RuntimeError(f"the event extractor (tracker.extract) cannot be loaded: {exc}") from exc
    return extract_events, extractor_version()


def pending(db: sqlite_utils.Database, version: str, redo_all: bool = False) -> list[int]:
    """Ids of the articles to read, oldest publication first (measures tend to precede their lifts)."""
    where = "" if redo_all else " WHERE extractor_version IS NULL OR extractor_version != ?"
    args = [] if redo_all else [version]
    sql = f"SELECT id FROM articles{where} ORDER BY coalesce(published, substr(fetched_at, 1, 10)), id"
    return [r[0] for r in db.execute(sql, args)]


def process_article(db: sqlite_utils.Database, article_id: int, extract: Extractor, version: str,
                    summary: ExtractSummary) -> None:
    """Read one article and merge what it says, all in one transaction."""
    cur = db.execute("SELECT text, title, published, language FROM articles WHERE id = ?", [article_id])
    row = cur.fetchone()
    if row is None:
        return
    text, title, published, language = row
    text = text or ""
    # the language decided when the page was crawled, not detected again (one decision, stored)
    found = extract(text, published=published, title=title, language=language) if text.strip() else []
    rows = [normalise(e, text, language) for e in found]
    old = list(db.query("SELECT * FROM mentions WHERE article_id = ? ORDER BY position, id", [article_id]))
    with db.atomic():
        summary.articles += 1
        if [content_key(r) for r in rows] == [content_key(r) for r in old]:
            summary.unchanged += 1
            db.execute("UPDATE mentions SET extractor_version = ? WHERE article_id = ? AND"
                       " extractor_version IS NOT ?", [version, article_id, version])
        else:
            affected = detach_article(db, article_id)
            summary.removed_mentions += len(old)
            touched = set()
            for eid in sorted(affected):  # emptied events go now, so their ids can be given again
                if refresh_event(db, eid):
                    touched.add(eid)
            created = set()
            ids = write_mentions(db, article_id, rows, version)
            summary.new_mentions += len(ids)
            order = sorted(range(len(ids)), key=lambda i: _ORDER.get(rows[i]["action_class"] or "", 0))
            for mid in (ids[i] for i in order):
                eid, new = merge_mention(db, mid)
                if eid:
                    (created if new else touched).add(eid)
            summary.new_events += len(created)
            summary.updated_events += len(touched - created)
        db.execute("UPDATE articles SET extractor_version = ? WHERE id = ?", [version, article_id])
    if language and text.strip() and registered_language(language) is None:
        summary.skipped_languages[language] = summary.skipped_languages.get(language, 0) + 1


def extract_articles(
    db: sqlite_utils.Database,
    *,
    redo_all: bool = False,
    extract: Extractor | None = None,
    version: str | None = None,
    progress: Callable[[int], None] | None = None,
    on_start: Callable[[int], None] | None = None,
) -> ExtractSummary:
    """Read pending articles (all with `redo_all`), write mentions, merge them; one bad article never stops it."""
    if extract is None:
        extract, default_version = default_extractor()
        version = version or default_version
    version = version or "unknown"
    summary = ExtractSummary(extractor_version=version)
    ids = pending(db, version, redo_all)
    if on_start:
        on_start(len(ids))
    for article_id in ids:
        try:
            process_article(db, article_id, extract, version, summary)
        except Exception as exc:  # noqa: BLE001 - one bad article is reported and left for the next run
            url = db.execute("SELECT url FROM articles WHERE id = ?", [article_id]).fetchone()
            log.warning("article %s (%s) failed: %r", article_id, url[0] if url else "?", exc)
            summary.failed.append({"article_id": article_id, "url": url[0] if url else None,
                                   "error": f"{type(exc).__name__}: {exc}"})
        if progress:
            progress(1)
    return summary
