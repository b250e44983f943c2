"""Pages served from this machine with the standard library's HTTP server.

The demo site (tracker/demo.py) and the crawl benchmark (bench/crawl.py) answer the crawler the same
way: every page carries an ETag, and a request that already has it gets 304 Not Modified, so a second
crawl exercises the crawler's conditional GET.
"""

from __future__ import annotations

import hashlib
from http.server import BaseHTTPRequestHandler


class PageHandler(BaseHTTPRequestHandler):
    """A request handler that sends whole pages with an ETag and logs nothing."""

    def send_page(self, ctype: str, body: bytes) -> None:
        """Send `body` with its ETag, or 304 with no body when the request's If-None-Match is that ETag."""
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass
