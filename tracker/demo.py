"""`tracker demo`: the whole pipeline on bundled sources, without touching the internet.

A small site on 127.0.0.1 (random free port) serves demo sources built from
`tracker/demo_data/articles.json`: three RSS feeds, an Atom feed, a press-release listing
page without a feed and a sitemap, plus the article pages and a robots.txt. Two of the sources
publish in several languages (Russian, Turkish, Persian, Arabic, Spanish, Portuguese, French,
Indonesian) and declare none in feeds.toml, so the crawler decides each page's language. A demo feeds.toml pointing at
it is written next to the database, then each stage runs in turn: crawl, extract and merge
into events, the demo week's digest written as .eml files for a demo subscriber, a summary,
and Datasette serving the result (unless told not to).
"""

from __future__ import annotations

import html
import json
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from email.utils import format_datetime
from http.server import ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import TrackerError
from .localsite import PageHandler

if TYPE_CHECKING:
    import sqlite_utils

    from .digest.select import Week

SECTIONS = {
    # section: (source name, type, publisher, country, path of the feed or listing page, title)
    "wire": ("demo-wire", "rss", "press", "", "/wire/rss.xml", "Demo Wire: technology and policy"),
    "rights": ("demo-rights", "rss", "ngo", "", "/rights/feed.xml", "Demo Rights Monitor: alerts"),
    "courts": ("demo-courts", "atom", "court", "ZZ", "/courts/atom.xml", "Demo Court Reports"),
    "regulator": ("demo-regulator", "html", "regulator", "ZZ", "/regulator/press-releases",
                  "Demo Regulator: press releases"),
    "world": ("demo-world", "rss", "press", "", "/world/rss.xml", "Demo World Desk: the press in its own language"),
    "gazette": ("demo-gazette", "sitemap", "regulator", "ZZ", "/gazette/sitemap.xml",
                "Demo Regulators' Gazette: statements in their own language"),
}
#: The language each demo source declares in feeds.toml; "" for the sources that publish in several.
SECTION_LANGUAGES = {"wire": "en", "rights": "en", "courts": "en", "regulator": "en", "world": "", "gazette": ""}


def load_articles() -> list[dict]:
    """The bundled demo articles (see tracker/demo_data/README.md)."""
    text = resources.files("tracker").joinpath("demo_data/articles.json").read_text(encoding="utf-8")
    return json.loads(text)


# ---- the demo site -----------------------------------------------------------


def _date(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T08:00:00+00:00")


def _article_page(a: dict, base: str) -> str:
    from .languages import direction

    paras = "\n".join(f"<p>{html.escape(p.strip())}</p>" for p in a["text"].split("\n") if p.strip())
    title, author = html.escape(a["title"]), html.escape(a["author"])
    lang = a.get("language", "en")
    return f"""<!DOCTYPE html>
<html lang="{lang}" dir="{direction(lang)}"><head><meta charset="utf-8"><title>{title}</title>
<meta name="author" content="{author}">
<meta property="article:published_time" content="{a['published']}T08:00:00Z">
<link rel="canonical" href="{base}/{a['section']}/{a['slug']}"></head>
<body><header><nav><a href="/">Demo newsroom</a> · <a href="/wire/rss.xml">Wire</a> ·
<a href="/regulator/press-releases">Regulator</a></nav></header>
<main><div class="headline"><h1>{title}</h1>
<p class="meta">{author}, <time datetime="{a['published']}">{a['published']}</time></p></div>
<article>
{paras}
</article></main>
<footer><p>Demo site served locally by tracker. Texts: see tracker/demo_data/README.md.</p></footer>
</body></html>"""


def _rss(section: str, items: list[dict], base: str) -> str:
    _, _, _, _, _path, title = SECTIONS[section]
    entries = []
    for a in items:
        link = f"{base}/{section}/{a['slug']}"
        if section == "wire":
            link += "?utm_source=rss&utm_medium=feed"  # tracking parameters the crawler drops
        summary = html.escape(a["text"].split("\n")[0][:300])
        entries.append(f"<item><title>{html.escape(a['title'])}</title><link>{html.escape(link)}</link>"
                       f"<guid isPermaLink=\"false\">{section}-{a['slug']}</guid>"
                       f"<pubDate>{format_datetime(_date(a['published']))}</pubDate>"
                       f"<description>{summary}</description></item>")
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
            f"<title>{html.escape(title)}</title><link>{base}/{section}/</link>"
            f"<description>{html.escape(title)}</description>{''.join(entries)}</channel></rss>")


def _atom(section: str, items: list[dict], base: str) -> str:
    _, _, _, _, path, title = SECTIONS[section]
    updated = max(a["published"] for a in items)
    entries = "".join(
        f"<entry><title>{html.escape(a['title'])}</title><link rel=\"alternate\" href=\"{base}/{section}/"
        f"{a['slug']}\"/><id>tag:demo.invalid,{a['published']}:{a['slug']}</id>"
        f"<updated>{a['published']}T08:00:00Z</updated><summary>{html.escape(a['text'][:300])}</summary></entry>"
        for a in items)
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>{html.escape(title)}</title><id>{base}{path}</id><updated>{updated}T08:00:00Z</updated>"
            f"{entries}</feed>")


def _listing(items: list[dict]) -> str:
    rows = "\n".join(f'<li><time datetime="{a["published"]}">{a["published"]}</time> '
                     f'<a href="/regulator/{a["slug"]}">{html.escape(a["title"])}</a></li>' for a in items)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Press releases</title></head>
<body><header><nav><a href="/">Home</a> <a href="/regulator/about">About the regulator</a></nav></header>
<main><h1>Press releases</h1><ul class="releases">
{rows}
</ul><p><a href="/regulator/press-releases?page=2">Older releases</a></p></main>
<footer><a href="/regulator/contact">Contact</a></footer></body></html>"""


def _sitemap(section: str, items: list[dict], base: str) -> str:
    urls = "".join(f"<url><loc>{html.escape(base + '/' + section + '/' + a['slug'])}</loc>"
                   f"<lastmod>{a['published']}</lastmod></url>" for a in items)
    return (f'<?xml version="1.0" encoding="utf-8"?>\n'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>')


def build_site(base: str, articles: list[dict] | None = None) -> dict[str, tuple[str, bytes]]:
    """Every path of the demo site -> (content type, body), for a site living at `base`."""
    articles = load_articles() if articles is None else articles
    pages: dict[str, tuple[str, str]] = {
        "/robots.txt": ("text/plain", "User-agent: *\nDisallow: /private/\n"),
    }
    for section in SECTIONS:
        items = sorted((a for a in articles if a["section"] == section), key=lambda a: a["published"],
                       reverse=True)
        path = SECTIONS[section][4]
        if section == "regulator":
            pages[path] = ("text/html; charset=utf-8", _listing(items))
        elif SECTIONS[section][1] == "sitemap":
            pages[path] = ("application/xml", _sitemap(section, items, base))
        elif SECTIONS[section][1] == "atom":
            pages[path] = ("application/atom+xml", _atom(section, items, base))
        else:
            pages[path] = ("application/rss+xml", _rss(section, items, base))
        for a in items:
            pages[f"/{section}/{a['slug']}"] = ("text/html; charset=utf-8", _article_page(a, base))
    return {p: (ctype, body.encode("utf-8")) for p, (ctype, body) in pages.items()}


class _Handler(PageHandler):
    server: _Site

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        page = self.server.pages.get(path)
        if page is None:
            self.send_error(404)
            return
        self.send_page(*page)


class _Site(ThreadingHTTPServer):
    daemon_threads = True
    pages: dict[str, tuple[str, bytes]]


@dataclass
class DemoSite:
    """The running demo site; `close()` stops it."""

    url: str
    server: _Site
    thread: threading.Thread

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def start_site(host: str = "127.0.0.1", port: int = 0) -> DemoSite:
    """Serve the demo sources on `host` (a random free port by default) in a background thread."""
    server = _Site((host, port), _Handler)
    url = f"http://{host}:{server.server_address[1]}"
    server.pages = build_site(url)
    thread = threading.Thread(target=server.serve_forever, name="tracker-demo-site", daemon=True)
    thread.start()
    return DemoSite(url, server, thread)


def write_feeds(site_url: str, path: Path) -> Path:
    """A feeds.toml with the demo sources at `site_url`."""
    lines = ["# Demo sources served by `tracker demo` on the local machine; written by the demo.", ""]
    for section, (name, type_, publisher, country, feed_path, _title) in SECTIONS.items():
        lines += ["[[source]]", f'name = "{name}"', f'url = "{site_url}{feed_path}"', f'type = "{type_}"',
                  f'publisher = "{publisher}"']
        if country:
            lines.append(f'country = "{country}"  # ZZ: the demo regulators and court are not a real country')
        if SECTION_LANGUAGES[section]:
            lines.append(f'language = "{SECTION_LANGUAGES[section]}"')
        else:
            lines.append("# no language: it publishes in several, so each page's language is detected")
        lines += ['tags = ["demo"]', "poll_minutes = 5", ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


# ---- the steps ------------------------------------------------------------------


@dataclass
class Demo:
    """State shared by the demo steps; each step adds its part of the result."""

    db_path: Path
    serve: bool
    echo: Callable[[str], None]
    out_dir: Path | None = None  # where the digest .eml files go; default: demo-digest/ beside the database
    port: int = 8001
    site: DemoSite | None = None
    feeds_path: Path | None = None
    result: dict = field(default_factory=dict)


class DemoError(TrackerError, RuntimeError):
    """The demo cannot run as asked (e.g. its database is not a demo database)."""


#: The demo's subscriber: receives every event (no filters); the digest is written, never sent.
DEMO_SUBSCRIBER = "demo-reader@tracker.invalid"


def fresh_database(db_path: Path) -> None:
    """Start the demo from an empty database, refusing to delete one that holds non-demo sources.

    Each demo run serves the site on a new port, so its article URLs change; an old demo
    database would see every page as a duplicate and the demo would show nothing new.
    """
    if not db_path.exists():
        return
    import sqlite3

    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            names = [r[0] for r in conn.execute("SELECT name FROM sources")]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        if "no such table" not in str(exc):
            raise DemoError(f"{db_path} is not a tracker database ({exc}); give the demo another --db") from None
        names = []
    demo_names = {s[0] for s in SECTIONS.values()}
    foreign = [n for n in names if n not in demo_names]
    if foreign:
        raise DemoError(f"{db_path} holds real sources ({', '.join(foreign[:3])}...); the demo starts from an "
                        "empty database: give it another --db")
    from .db import private_path_for

    for path in (db_path, private_path_for(db_path)):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def step_site(demo: Demo) -> None:
    fresh_database(demo.db_path)
    demo.site = start_site()
    demo.feeds_path = write_feeds(demo.site.url, demo.db_path.parent / "demo-feeds.toml")
    demo.result.update(site=demo.site.url, feeds=str(demo.feeds_path), db=str(demo.db_path))
    demo.echo(f"demo site: {demo.site.url} (sources in {demo.feeds_path})")


def step_pipeline(demo: Demo) -> None:
    """Crawl the demo site, then extract mentions from every article and merge them into events: the stage
    chain of `tracker run` (tracker.pipeline)."""
    from .crawl import CrawlOptions
    from .crawl.http import HttpOptions
    from .crawl.run import format_summary
    from .db import open_db
    from .pipeline import format_extract_summary, run_pipeline
    from .sources import load_feeds

    def crawled(summary: object) -> None:
        demo.result["crawl"] = summary.as_dict()
        demo.echo("\n== crawl\n" + format_summary(summary))
        demo.echo("\n== extract and merge (loads the NLP models once)")

    db = open_db(demo.db_path, create=True)
    try:
        summary = run_pipeline(
            db, load_feeds(demo.feeds_path), on_crawled=crawled,
            crawl_options=CrawlOptions(http=HttpOptions(delay=0, per_host=4, timeout=10), allow_private=True))
    finally:
        db.close()
    demo.result["extract"] = summary.extract.as_dict()
    demo.echo(format_extract_summary(summary.extract))


def demo_week(db: sqlite_utils.Database) -> Week:
    """The ISO week in which the most demo events were first reported (the latest such week on a tie)."""
    from datetime import date

    from .digest.select import Week, week_of

    weeks: dict[tuple[int, int], int] = {}
    for (first,) in db.execute("SELECT first_reported FROM events WHERE length(first_reported) >= 10"):
        w = week_of(date.fromisoformat(first[:10]))
        weeks[(w.year, w.number)] = weeks.get((w.year, w.number), 0) + 1
    if not weeks:
        raise DemoError("the demo produced no dated event, so there is no week to write a digest for")
    year, number = max(weeks, key=lambda k: (weeks[k], k))
    return Week(year, number)


def step_digest(demo: Demo) -> None:
    """Write the demo week's digest for the demo subscriber as .eml files (tracker.digest, preview mode)."""
    from .db import open_db, open_private, private_path_for
    from .digest.run import run_digest
    from .digest.subscribers import add_subscriber
    from .settings import get_settings

    out_dir = demo.out_dir or demo.db_path.parent / "demo-digest"
    db = open_db(demo.db_path, readonly=True)
    private = open_private(private_path_for(demo.db_path), create=True)
    try:
        add_subscriber(private, DEMO_SUBSCRIBER)
        week = demo_week(db)
        settings = get_settings()
        if "TRACKER_BASE_URL" not in os.environ:  # links in the digest point at the demo's own Datasette
            settings = replace(settings, base_url=f"http://127.0.0.1:{demo.port}")
        run = run_digest(db, private, week=week, mode="preview", out_dir=out_dir, settings=settings)
    finally:
        db.close()
        private.close()
    files = [r.path for r in run.results if r.path]
    demo.result["digest"] = {"week": run.week, "events": run.n_events_week, "out_dir": str(out_dir),
                             "files": files, "failed": [r.error for r in run.failed]}
    demo.echo(f"\n== digest\nweek {run.week}: {run.n_events_week} events new or changed; "
              f"{len(files)} message(s) written to {out_dir}")
    for path in files:
        demo.echo(f"  {path}")
    for r in run.failed:
        demo.echo(f"  could not write the digest for {r.email}: {r.error}")


def database_counts(db_path: Path) -> dict[str, int]:
    """What the demo database holds, for the closing summary (and the tests)."""
    from .db import open_db

    db = open_db(db_path, readonly=True)
    try:
        one = lambda sql: db.execute(sql).fetchone()[0]
        return {
            "sources": one("SELECT count(*) FROM sources"),
            "articles": one("SELECT count(*) FROM articles"),
            "mentions": one("SELECT count(*) FROM mentions"),
            "events": one("SELECT count(*) FROM events"),
            "events_without_source": one("SELECT count(*) FROM events e WHERE NOT EXISTS "
                                         "(SELECT 1 FROM event_sources s WHERE s.event_id = e.id)"),
            "events_with_several_sources": one("SELECT count(*) FROM (SELECT event_id FROM event_sources "
                                               "GROUP BY event_id HAVING count(DISTINCT article_id) > 1)"),
            "fetches": one("SELECT count(*) FROM fetches"),
        }
    finally:
        db.close()


def step_summary(demo: Demo) -> None:
    counts = database_counts(demo.db_path)
    demo.result["counts"] = counts
    demo.echo(f"\n== summary\n{demo.db_path}: {counts['articles']} articles from {counts['sources']} sources, "
              f"{counts['mentions']} mentions merged into {counts['events']} events "
              f"({counts['events_with_several_sources']} reported by more than one article, "
              f"{counts['events_without_source']} without a source)")
    demo.echo(f"try: .venv/bin/tracker events --db {demo.db_path}")


def step_serve(demo: Demo) -> None:
    """Serve the result with Datasette until Ctrl-C (skipped with --no-serve)."""
    if not demo.serve:
        return
    from .serve import serve

    if demo.site is not None:  # the pipeline is done; the demo site is not needed any more
        demo.site.close()
        demo.site = None
    demo.echo(f"\n== serve\nbrowse the demo events at http://127.0.0.1:{demo.port}/tracker (Ctrl-C stops)")
    serve(demo.db_path, host="127.0.0.1", port=demo.port)


#: Stages run in this order, under the database's writer lock; serving comes after.
STEPS: list[Callable[[Demo], None]] = [step_site, step_pipeline, step_digest, step_summary]


def run_demo(db_path: str | Path, *, serve: bool = True, echo: Callable[[str], None] = print,
             out_dir: str | Path | None = None, port: int = 8001) -> dict:
    """Run every demo step against `db_path` (recreated empty); returns what each step reported (JSON-able).

    With `serve`, the last step serves the database with Datasette on 127.0.0.1:`port` until interrupted.
    """
    from .lock import writer_lock
    from .settings import get_settings

    demo = Demo(Path(db_path), serve, echo, Path(out_dir) if out_dir else None, port)
    try:
        with writer_lock(demo.db_path, get_settings().lock_wait):
            for step in STEPS:
                step(demo)
        step_serve(demo)
    finally:
        if demo.site is not None:
            demo.site.close()
    return demo.result
