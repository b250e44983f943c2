"""What a worker does with one chunk of an archive: read, scan, parse, extract; nothing is written.

Cheap first, expensive last: every HTML page of the chunk goes through the byte-level scan (`scan`);
only the pages it keeps are parsed (trafilatura, htmldate, language: the crawler's own `read_page`) and
read by the extractor. The worker returns a `ChunkResult`: counts, seconds per stage, and one compact
`Found` row per page that states at least one measure (its article fields and normalised mention rows).
The one writer (`tracker.backfill.store`) stores and merges those rows; workers never touch the database.
"""

from __future__ import annotations

import gzip
import resource
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache

from ..crawl.charset import decode_html
from ..crawl.page import PageError, PageText, binary_kind, read_page
from ..crawl.urls import canonical
from ..events.dates import span
from ..events.mentions import normalise
from .scan import Scanner
from .warc import Chunk, Page, ReadStats, pages

#: Seconds spent per stage, in this order in every table.
STAGES = ("read", "scan", "text", "nlp")


@dataclass
class Found:
    """An archived page that states at least one measure, as the writer stores it."""

    url: str  # canonical
    original_url: str
    page: PageText  # what the crawler's read_page makes of it
    raw_html: bytes  # gzip-compressed, as the crawler keeps it
    warc_date: str
    record_id: str
    offset: int
    mentions: list[dict]  # tracker.events.mentions.normalise rows, in the extractor's order


@dataclass
class ChunkResult:
    path: str
    index: int
    records: int = 0  # WARC records read
    pages: int = 0  # HTTP 200 HTML pages among them
    scanned_out: int = 0  # pages the scan skipped
    parsed: int = 0  # pages parsed and read by the extractor
    out_of_range: int = 0  # parsed pages dated outside --since/--until
    no_events: int = 0  # parsed pages in range that state no measure
    skipped: dict[str, int] = field(default_factory=dict)  # not_200, not_html
    failures: dict[str, int] = field(default_factory=dict)  # bad records by kind
    seconds: dict[str, float] = field(default_factory=dict)
    found: list[Found] = field(default_factory=list)
    peak_rss: int = 0  # the worker process's peak resident memory so far, bytes
    version: str = ""

    def count(self, kind: str) -> None:
        self.failures[kind] = self.failures.get(kind, 0) + 1


@dataclass(frozen=True)
class Options:
    """What a backfill run asks of every chunk."""

    since: str | None = None  # first day kept (YYYY-MM-DD), on the page's publication date
    until: str | None = None  # last day kept
    scan: bool = True  # False: parse every page (to measure what the scan costs in recall)


@cache
def scanner() -> Scanner:
    """The process's scanner (its automaton is built once)."""
    return Scanner()


@cache
def extractor() -> tuple:
    """The extractor and its version, loaded once per process."""
    from ..events.extraction import default_extractor

    return default_extractor()


def warm(scan: bool = True) -> str:
    """Load what every task needs (the extractor model, language packs and, with `scan`, the scan terms);
    returns the extractor version. Run once in each worker when it joins (tracker.executor's worker plugin),
    so no task pays for it."""
    from ..extract.lexicon import pack
    from ..extract.parse import has_parser
    from ..languages import detect, languages

    if scan:
        scanner()
    for code in languages():
        p = pack(code)
        if p is not None:
            p.lemma("warm")  # loads the language's lemmatizer (its dictionary)
        has_parser(code)  # loads its spaCy parser, where it has one
    detect("A text long enough to be detected, " * 8)  # loads py3langid's model
    return extractor()[1]


def _in_range(published: str, options: Options) -> bool:
    days = span(published[:10]) if published else None
    if days is None:
        return options.since is None and options.until is None
    if options.since and days[1].isoformat() < options.since:
        return False
    return not (options.until and days[0].isoformat() > options.until)


def _timed(it: Iterator[Page], seconds: dict[str, float]) -> Iterator[Page]:
    """The pages of `it`, adding the time spent getting each to seconds['read']."""
    while True:
        t0 = time.perf_counter()
        try:
            page = next(it)
        except StopIteration:
            seconds["read"] += time.perf_counter() - t0
            return
        seconds["read"] += time.perf_counter() - t0
        yield page


def _read(page: Page, html: str, result: ChunkResult, options: Options) -> Found | None:
    """Parse a page the scan kept, and read it; None when it has no text or states nothing in range."""
    t0 = time.perf_counter()
    url = canonical(page.url) or page.url
    try:
        doc = read_page(html, url, fallback_date=page.warc_date[:10])
    except PageError:
        result.count("no_text")
        return None
    except Exception:  # noqa: BLE001 - markup that breaks the parser is one bad record, never the run
        result.count("broken_html")
        return None
    finally:
        result.seconds["text"] += time.perf_counter() - t0
    result.parsed += 1
    if not _in_range(doc.published, options):
        result.out_of_range += 1
        return None
    t0 = time.perf_counter()
    try:
        extract = extractor()[0]
        events = extract(doc.text, published=doc.published or None, title=doc.title or None,
                         language=doc.language)
        rows = [normalise(e, doc.text, doc.language) for e in events]
    finally:
        result.seconds["nlp"] += time.perf_counter() - t0
    if not rows:
        result.no_events += 1
        return None
    return Found(url=url, original_url=page.url, page=doc, raw_html=gzip.compress(page.body, 6),
                 warc_date=page.warc_date, record_id=page.record_id, offset=page.offset, mentions=rows)


def process_chunk(chunk: Chunk, options: Options | None = None) -> ChunkResult:
    """Everything one chunk holds, read on this worker (the unit of work of tracker.backfill.run)."""
    options = options or Options()
    result = ChunkResult(chunk.path, chunk.index, seconds={s: 0.0 for s in STAGES})
    result.version = extractor()[1]
    stats = ReadStats()
    scan = scanner()
    for page in _timed(pages(chunk, stats), result.seconds):
        t0 = time.perf_counter()
        if binary_kind(page.body):
            result.count("binary")
            result.seconds["scan"] += time.perf_counter() - t0
            continue
        try:
            html = decode_html(page.body, page.content_type)
        except Exception:  # noqa: BLE001 - an undecodable body is one bad record
            result.count("bad_encoding")
            result.seconds["scan"] += time.perf_counter() - t0
            continue
        keep = not options.scan or scan.page_passes(html)
        result.seconds["scan"] += time.perf_counter() - t0
        if not keep:
            result.scanned_out += 1
            continue
        found = _read(page, html, result, options)
        if found is not None:
            result.found.append(found)
    result.records, result.pages = stats.records, stats.pages
    result.skipped = dict(stats.skipped)
    for kind, n in stats.failures.items():
        result.failures[kind] = result.failures.get(kind, 0) + n
    result.peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return result
