"""Crawling: fetch the sources of feeds.toml and store their articles.

One module per job: netguard (refuse internal addresses), http (polite fetching),
robots, feeds / listing / sitemap (find article links), urls (canonical form),
article (extraction), store (SQLite writes) and run (the orchestration).
"""

from .run import CrawlOptions, CrawlSummary, crawl

__all__ = ["CrawlOptions", "CrawlSummary", "crawl"]
