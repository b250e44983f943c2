"""Run the extractor over the articles the current extractor version has not read, and merge.

Incremental: an article is stamped with the extractor version in the same
transaction that writes its mentions and merges them, so a second run finds
nothing to do, and a run killed between articles resumes where it stopped
without duplicates or lost mentions. `redo_all` re-reads every article (after
the models change); an article whose reading did not change is left as it is,
so event ids, sources and history stay put.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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


#: The order articles are read and merged in: oldest publication first (measures tend to precede their lifts),
#: then by text, so the order, and the events merged, do not depend on the order pages arrived in (a crawl and
#: a backfill of the same pages merge them alike).
READING_ORDER = "coalesce(published, substr(fetched_at, 1, 10)), content_hash, id"


def pending(db: sqlite_utils.Database, version: str, redo_all: bool = False) -> list[int]:
    """Ids of the articles to read, in READING_ORDER."""
    where = "" if redo_all else " WHERE extractor_version IS NULL OR extractor_version != ?"
    args = [] if redo_all else [version]
    sql = f"SELECT id FROM articles{where} ORDER BY {READING_ORDER}"
    return [r[0] for r in db.execute(sql, args)]


def apply_reading(db: sqlite_utils.Database, article_id: int, rows: list[dict], version: str,
                  summary: ExtractSummary) -> None:
    """Store one article's reading (`normalise`d mention rows) and merge it, all in one transaction.

    Whoever read the text (this process, a worker of tracker.executor, a backfill worker), the rows are
    stored and merged here, by the one writer, in the order the caller gives the articles."""
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


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Keep what is alive so far (the libraries and models: millions of objects) out of the garbage
    collector's passes while a long loop makes and drops small ones: the collector otherwise walks them all at
    every full pass (a backfill's writer, which also holds Dask's client and the sentence encoder, merged
    its readings 15% faster so)."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _count_skipped(summary: ExtractSummary, text: str | None, language: str | None) -> None:
    """A text in a language without a pack yields nothing: counted, so the summary says so."""
    if language and (text or "").strip() and registered_language(language) is None:
        summary.skipped_languages[language] = summary.skipped_languages.get(language, 0) + 1


def read_text(extract: Extractor, text: str | None, title: str | None, published: str | None,
              language: str | None) -> list[dict]:
    """The mention rows the extractor reads in one stored article's text."""
    text = text or ""
    # the language decided when the page was crawled, not detected again (one decision, stored)
    found = extract(text, published=published, title=title, language=language) if text.strip() else []
    return [normalise(e, text, language) for e in found]


def process_article(db: sqlite_utils.Database, article_id: int, extract: Extractor, version: str,
                    summary: ExtractSummary) -> None:
    """Read one article and merge what it says, all in one transaction."""
    cur = db.execute("SELECT text, title, published, language FROM articles WHERE id = ?", [article_id])
    row = cur.fetchone()
    if row is None:
        return
    text, title, published, language = row
    apply_reading(db, article_id, read_text(extract, text, title, published, language), version, summary)
    _count_skipped(summary, text, language)


def _failed(db: sqlite_utils.Database, summary: ExtractSummary, article_id: int, error: str) -> None:
    url = db.execute("SELECT url FROM articles WHERE id = ?", [article_id]).fetchone()
    log.warning("article %s (%s) failed: %s", article_id, url[0] if url else "?", error)
    summary.failed.append({"article_id": article_id, "url": url[0] if url else None, "error": error})


def read_batch(batch: list[tuple]) -> list[tuple[int, list[dict] | None, str | None]]:
    """Read stored articles on a worker: (id, rows, None), or (id, None, error) for one that failed.

    `batch` holds (id, text, title, published, language) rows; the worker's extractor is loaded once."""
    extract = default_extractor()[0]  # its models are loaded once per process
    out: list[tuple[int, list[dict] | None, str | None]] = []
    for article_id, text, title, published, language in batch:
        try:
            out.append((article_id, read_text(extract, text, title, published, language), None))
        except Exception as exc:  # noqa: BLE001 - one bad article is reported and left for the next run
            out.append((article_id, None, f"{type(exc).__name__}: {exc}"))
    return out


#: Articles sent to a worker at once by `extract --workers`: big enough that a task outweighs its overhead.
BATCH = 20


def _extract_on_cluster(db: sqlite_utils.Database, ids: list[int], client: object, version: str,
                        summary: ExtractSummary, progress: Callable[[int], None] | None) -> None:
    """Read `ids` on the cluster's workers; store and merge here, in the order of `ids`."""
    from ..executor import check_versions, ordered

    check_versions(client, version)

    def batches():
        for i in range(0, len(ids), BATCH):
            chunk = ids[i:i + BATCH]
            marks = ",".join("?" * len(chunk))
            rows = {r[0]: r for r in db.execute(
                f"SELECT id, text, title, published, language FROM articles WHERE id IN ({marks})", chunk)}
            yield [tuple(rows[a]) for a in chunk if a in rows]

    for batch, result, error in ordered(client, read_batch, batches()):
        for n, (article_id, text, _title, _published, language) in enumerate(batch):
            if error is not None:
                _failed(db, summary, article_id, f"{type(error).__name__}: {error}")
            else:
                _id, rows, why = result[n]
                if why is not None:
                    _failed(db, summary, article_id, why)
                else:
                    try:
                        apply_reading(db, article_id, rows, version, summary)
                        _count_skipped(summary, text, language)
                    except Exception as exc:  # noqa: BLE001 - as in the one-process path
                        _failed(db, summary, article_id, f"{type(exc).__name__}: {exc}")
            if progress:
                progress(1)


def extract_articles(
    db: sqlite_utils.Database,
    *,
    redo_all: bool = False,
    extract: Extractor | None = None,
    version: str | None = None,
    progress: Callable[[int], None] | None = None,
    on_start: Callable[[int], None] | None = None,
    client: object | None = None,
) -> ExtractSummary:
    """Read pending articles (all with `redo_all`), write mentions, merge them; one bad article never stops it.

    With a `client` (a Dask client from tracker.executor.cluster), the texts are read by its workers and
    only stored and merged here, in the same order, so the result is the same as in one process."""
    if extract is None:
        extract, default_version = default_extractor()
        version = version or default_version
    version = version or "unknown"
    summary = ExtractSummary(extractor_version=version)
    ids = pending(db, version, redo_all)
    if on_start:
        on_start(len(ids))
    with frozen_heap():
        if client is not None:
            _extract_on_cluster(db, ids, client, version, summary, progress)
            return summary
        for article_id in ids:
            try:
                process_article(db, article_id, extract, version, summary)
            except Exception as exc:  # noqa: BLE001 - one bad article is reported and left for the next run
                _failed(db, summary, article_id, f"{type(exc).__name__}: {exc}")
            if progress:
                progress(1)
    return summary
