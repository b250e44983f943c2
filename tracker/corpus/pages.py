"""Corpus texts published as news pages: how the crawler's reading of a page is checked against the corpus.

The model is trained on corpus texts; in production it reads what the crawler keeps of a page. Publishing a
corpus text as a page (headline, a <p> a paragraph, a <ul> a paragraph of "- " lines, navigation and a footer
around it) and reading it back with `tracker.crawl.page.read_page` shows whether the two agree
(tests/test_crawl_page.py, bench/crawled.py).
"""

from __future__ import annotations

import html


def news_page(title: str, body: str, language: str = "en") -> str:
    """A news page around the HTML `body`: a site name after the headline, navigation, a footer."""
    return (f"<!doctype html><html lang='{language}'><head><meta charset='utf-8'>"
            f"<title>{html.escape(title)} | News Desk</title></head><body>"
            "<header><nav><a href='/'>Home</a> <a href='/world'>World</a></nav></header>"
            f"<main><article><h1>{html.escape(title)}</h1>{body}</article></main>"
            "<footer><p>© News Desk. All rights reserved.</p></footer></body></html>")


def corpus_page(record: dict) -> str:
    """A corpus record's text as a page: a paragraph a <p> (its line breaks as <br>), a paragraph of "- "
    lines a <ul>."""
    blocks = []
    for para in record["text"].split("\n\n"):
        lines = para.split("\n")
        if all(line.startswith("- ") for line in lines):
            blocks.append("<ul>" + "".join(f"<li>{html.escape(line[2:])}</li>" for line in lines) + "</ul>")
        else:
            blocks.append("<p>" + "<br>".join(html.escape(line) for line in lines) + "</p>")
    return news_page(record.get("title") or "", "".join(blocks), record.get("language") or "en")
