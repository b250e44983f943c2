"""What came of a fetch: the `fetches.outcome` vocabulary, and which outcomes are final.

Every row of `fetches` carries one of these kinds. Whether an article URL is ever fetched
again is decided from this stored fact (`FINAL`), never from the wording of an error
message. A redirect hop takes the outcome of the page it led to once the article is settled,
so the URL the feed gave is the one marked final.
"""

from __future__ import annotations

#: kind -> what it means (the schema's description of `fetches.outcome` lists the same kinds).
KINDS: dict[str, str] = {
    "ok": "a complete 200 answer",
    "not_modified": "304 to a conditional GET",
    "redirect": "a 3xx hop to another URL",
    "http_gone": "401, 403, 404, 410 or 451: the page is gone or closed to the crawler",
    "http_error": "any other 4xx or 5xx (retried on a later run)",
    "timeout": "no complete answer in time",
    "connect_error": "the name did not resolve or the connection failed",
    "cancelled": "the request was cut by a deadline or an interrupt",
    "refused": "the address is internal or the scheme not http(s)",
    "too_big": "the body (or what it inflates to) passed the byte cap",
    "not_html": "an article answered with a type other than HTML",
    "bad_encoding": "a Content-Encoding the crawler does not read, or broken compressed data",
    "redirect_loop": "the redirects came back to a URL already visited",
    "too_many_redirects": "more redirects than allowed",
    "disallowed": "robots.txt disallows the article",
    "no_text": "the page yielded no main text (empty, binary or a PDF served as HTML)",
    "duplicate": "the text (or URL) is already stored from another article",
}

#: outcomes that will not heal by themselves: such an article URL is not fetched again.
FINAL = frozenset({"http_gone", "refused", "too_big", "not_html", "bad_encoding", "redirect_loop",
                   "too_many_redirects", "no_text", "duplicate"})

#: HTTP statuses that make a page final (outcome http_gone).
GONE_STATUS = frozenset({401, 403, 404, 410, 451})


def for_status(status: int) -> str:
    """Outcome of an answer with this HTTP status (the body not judged yet)."""
    if status == 200:
        return "ok"
    if status == 304:
        return "not_modified"
    if status in (301, 302, 303, 307, 308):
        return "redirect"
    return "http_gone" if status in GONE_STATUS else "http_error"
