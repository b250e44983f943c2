"""The private-address guard, attacked: every internal form is refused before any connection, DNS rebinding
cannot reach 127.0.0.1, every redirect hop is checked, robots.txt is never asked first, and a refusal is
final without costing a feed its validators.

No test sends traffic anywhere but loopback: the `connects` fixture hooks socket connect for the whole
process, lets loopback through and stops (and records) anything else. Names are answered by a patched
socket.getaddrinfo, so no resolver is asked either.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from tests import factories
from tracker.crawl import CrawlOptions, crawl, netguard
from tracker.crawl.http import HttpOptions
from tracker.crawl.netguard import Refused, check_url, is_internal
from tracker.sources import Source

FAST = HttpOptions(timeout=3, total_timeout=5, retries=0, backoff=0.01, delay=0, per_host=4)
PUBLIC = "93.184.215.14"  # a globally routable address; the hook below never lets a connect reach it


@pytest.fixture
def connects(monkeypatch) -> list[str]:
    """Addresses of every non-loopback TCP connect tried during the test (each one stopped, never sent)."""
    tried: list[str] = []
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def stopped(address: object) -> bool:
        if not isinstance(address, tuple):
            return False  # a unix socket path
        host = str(address[0]).split("%")[0]
        if ipaddress.ip_address(host).is_loopback:
            return False
        tried.append(host)
        return True

    def connect(sock: socket.socket, address: object) -> None:
        if stopped(address):
            raise ConnectionRefusedError(f"test hook: no connection to {address} from a test")
        return real_connect(sock, address)

    def connect_ex(sock: socket.socket, address: object) -> int:
        if stopped(address):
            return 111  # ECONNREFUSED
        return real_connect_ex(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    return tried


class Names:
    """A resolver for test names: each name has a list of answers, one per lookup (the last one repeats)."""

    def __init__(self, monkeypatch, answers: dict[str, list[list[str]]]):
        self.answers = answers
        self.lookups: list[str] = []
        real = socket.getaddrinfo

        def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
            name = host.decode() if isinstance(host, bytes) else host
            if name not in self.answers:
                return real(host, port, family, type, proto, flags)
            self.lookups.append(name)
            queue = self.answers[name]
            ips = queue.pop(0) if len(queue) > 1 else queue[0]
            out = []
            for ip in ips:
                fam = socket.AF_INET6 if ":" in ip else socket.AF_INET
                addr = (ip, port or 0, 0, 0) if fam == socket.AF_INET6 else (ip, port or 0)
                out.append((fam, socket.SOCK_STREAM, 6, "", addr))
            return out

        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def src(url: str, name: str = "s") -> Source:
    return Source(name=name, url=url, type="rss", publisher="press")


def opts(**kw) -> CrawlOptions:
    """Options with short timeouts and deadlines: every crawl of these tests ends within seconds."""
    kw.setdefault("source_seconds", 20)
    kw.setdefault("run_seconds", 30)
    return CrawlOptions(http=kw.pop("http", FAST), allow_private=kw.pop("allow_private", False), **kw)


def rss(*links: str) -> str:
    items = "".join(f"<item><title>t{i}</title><link>{link}</link></item>" for i, link in enumerate(links))
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>{items}</channel></rss>'


INTERNAL = [
    "http://100.100.100.200/latest/meta-data/",  # 100.64.0.0/10, a cloud metadata address
    "http://100.64.0.1/",
    "http://192.0.0.192/",  # 192.0.0.0/24, also a metadata address
    "http://198.18.0.1/",  # benchmarking
    "http://224.0.0.1/", "http://239.255.255.250:1900/",  # multicast
    "http://240.0.0.1/", "http://255.255.255.255/", "http://0.0.0.0/", "http://192.0.2.1/",
    "http://169.254.169.254/latest/", "http://10.1.2.3/", "http://172.16.0.1/", "http://192.168.1.1/",
    "http://[2002:a9fe:a9fe::]/",  # 6to4 of 169.254.169.254
    "http://[2002:7f00:1::1]/",  # 6to4 of 127.0.0.1
    "http://[64:ff9b::a9fe:a9fe]/",  # NAT64 of 169.254.169.254
    "http://[64:ff9b:1::1]/",  # local-use NAT64
    "http://[::ffff:169.254.169.254]/", "http://[::ffff:7f00:1]/",  # IPv4-mapped
    "http://[::127.0.0.1]/", "http://[::a9fe:a9fe]/",  # IPv4-compatible
    "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/",  # Teredo, client 127.0.0.1
    "http://[::1]/", "http://[::]/", "http://[fd00::1]/", "http://[fe80::1]/", "http://[ff02::1]/",
    "http://[2001:db8::1]/",
    "http://2130706433/", "http://0x7f000001/", "http://0177.0.0.1/", "http://127.1/",  # 127.0.0.1 spelled oddly
    "http://localhost/", "http://localhost./", "http://a.localhost/",
]


@pytest.mark.parametrize("url", INTERNAL)
def test_internal_form_is_refused(url, connects):
    with pytest.raises(Refused, match="internal|loopback"):
        asyncio.run(check_url(url))
    assert connects == []


@pytest.mark.parametrize("ip", ["93.184.215.14", "2606:4700:4700::1111", "::ffff:93.184.215.14",
                                "2002:5db8:d70e::1", "64:ff9b::5db8:d70e"])
def test_public_addresses_pass(ip):
    assert not is_internal(ipaddress.ip_address(ip))


@pytest.mark.parametrize("url", ["http://100.100.100.200/feed.xml", "http://[2002:a9fe:a9fe::]/feed.xml",
                                 "http://192.0.0.192/feed.xml", "http://2130706433/feed.xml"])
def test_crawl_of_an_internal_feed_connects_nowhere(db, connects, url):
    summary = crawl(db, [src(url)], opts())
    result = summary.sources[0]
    assert result.status == "failed" and result.error.startswith("refused: ") and "internal" in result.error
    assert connects == []
    rows = db.execute("SELECT kind, status, outcome FROM fetches").fetchall()
    assert rows == [("feed", None, "refused")]  # no robots.txt row: the address is checked before it


def test_rebinding_resolver_cannot_reach_loopback(db, server, connects, monkeypatch):
    """First answer public (passes the check), every later answer 127.0.0.1, where the test server listens."""
    names = Names(monkeypatch, {"rebind.test": [[PUBLIC], ["127.0.0.1"]]})
    server.expect_request("/feed.xml").respond_with_data(rss(), content_type="application/rss+xml")
    url = f"http://rebind.test:{server.port}/feed.xml"

    summary = crawl(db, [src(url)], opts(http=HttpOptions(timeout=3, total_timeout=5, retries=2, backoff=0.01,
                                                          delay=0)))

    assert summary.sources[0].status == "failed"
    assert server.log == []  # nothing reached 127.0.0.1
    assert connects and set(connects) == {PUBLIC}  # every connect went to the checked address
    assert names.lookups == ["rebind.test"]  # resolved once for the run (robots.txt, retries, feed)


def test_a_name_with_one_internal_address_among_public_ones_is_refused(db, server, connects, monkeypatch):
    Names(monkeypatch, {"mixed.test": [[PUBLIC, "127.0.0.1"]]})
    summary = crawl(db, [src(f"http://mixed.test:{server.port}/feed.xml")], opts())
    assert "resolves to 127.0.0.1" in summary.sources[0].error
    assert connects == [] and server.log == []


def test_pinned_connection_keeps_the_name_in_the_host_header(db, server, monkeypatch):
    """With private addresses allowed, a name still connects to the address it resolved to, once."""
    names = Names(monkeypatch, {"site.test": [["127.0.0.1"], [PUBLIC]]})
    server.expect_request("/feed.xml").respond_with_data(rss(), content_type="application/rss+xml")
    summary = crawl(db, [src(f"http://site.test:{server.port}/feed.xml")], opts(allow_private=True, robots=False))
    assert summary.sources[0].status == "ok", summary.sources[0].error
    assert [req.headers["Host"] for req, _ in server.log] == [f"site.test:{server.port}"]
    assert names.lookups == ["site.test"]


@pytest.fixture
def loopback_is_public(monkeypatch):
    """Let the guard take the test server's 127.0.0.1 for a public address (and nothing else)."""
    real = netguard.is_internal
    monkeypatch.setattr(netguard, "is_internal", lambda ip: False if str(ip) == "127.0.0.1" else real(ip))


def test_redirect_hop_to_an_internal_address_is_refused_and_final(db, server, connects, loopback_is_public):
    server.expect_request("/feed.xml").respond_with_data(
        rss(server.url_for("/go"), "http://10.0.0.7/admin"), content_type="application/rss+xml",
        headers={"ETag": '"v1"'})
    server.expect_request("/go").respond_with_data("", status=302,
                                                   headers={"Location": "http://169.254.169.254/latest/"})
    source = src(server.url_for("/feed.xml"))

    first = crawl(db, [source], opts())

    assert first.sources[0].status == "ok" and first.sources[0].skipped == 2
    assert connects == []
    outcomes = dict(db.execute("SELECT url, outcome FROM fetches WHERE kind = 'article'").fetchall())
    assert outcomes == {server.url_for("/go"): "refused", "http://169.254.169.254/latest/": "refused",
                        "http://10.0.0.7/admin": "refused"}
    robots = [r[0] for r in db.execute("SELECT url FROM fetches WHERE kind = 'robots'")]
    assert robots == [server.url_for("/robots.txt")]  # never for the internal hosts
    # refusals are final: the feed keeps its ETag, and the next run asks for nothing but robots.txt and the feed
    assert db.execute("SELECT etag FROM sources").fetchone()[0] == '"v1"'
    server.clear_log()
    crawl(db, [source], opts(force=True))
    assert [req.path for req, _ in server.log] == ["/robots.txt", "/feed.xml"]


def test_refused_source_keeps_its_validators(db, server, connects, loopback_is_public):
    answers = [Response(rss(), content_type="application/rss+xml", headers={"ETag": '"v1"'}),
               Response("", status=302, headers={"Location": "http://100.100.100.200/feed.xml"})]
    server.expect_request("/feed.xml").respond_with_handler(lambda request: answers.pop(0))
    source = src(server.url_for("/feed.xml"))
    assert crawl(db, [source], opts(robots=False)).sources[0].status == "ok"

    refused = crawl(db, [source], opts(robots=False, force=True)).sources[0]

    assert refused.status == "failed" and "100.100.100.200" in refused.error
    row = db.execute("SELECT etag, last_status, failures FROM sources").fetchone()
    assert row == ('"v1"', "failed", 1)
    assert connects == []


def test_file_and_other_schemes_in_a_redirect_are_refused(db, server, connects, loopback_is_public):
    server.expect_request("/feed.xml").respond_with_data("", status=302, headers={"Location": "file:///etc/passwd"})
    result = crawl(db, [src(server.url_for("/feed.xml"))], opts(robots=False)).sources[0]
    assert result.status == "failed" and "is not http(s)" in result.error and "passwd" not in result.error


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    return factories.self_signed_certificate(tmp_path_factory.mktemp("tls"), "site.test", "DNS:site.test")


def test_tls_is_checked_against_the_name_not_the_pinned_address(db, certificate, monkeypatch):
    cert, key = certificate
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    tls = HTTPServer(host="127.0.0.1", port=0, ssl_context=context)
    tls.start()
    try:
        tls.expect_request("/feed.xml").respond_with_data(rss(), content_type="application/rss+xml")
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))
        Names(monkeypatch, {"site.test": [["127.0.0.1"]], "other.test": [["127.0.0.1"]]})
        good = crawl(db, [src(f"https://site.test:{tls.port}/feed.xml", "good")], opts(allow_private=True,
                                                                                        robots=False))
        bad = crawl(db, [src(f"https://other.test:{tls.port}/feed.xml", "bad")], opts(allow_private=True,
                                                                                       robots=False))
    finally:
        tls.clear()
        tls.stop()
    assert good.sources[0].status == "ok", good.sources[0].error
    assert bad.sources[0].status == "failed" and "CERTIFICATE_VERIFY_FAILED" in bad.sources[0].error
