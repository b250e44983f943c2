"""Refuse URLs that would make the crawler reach internal services, and connect only where it checked.

A feed is input from the outside world: an item pointing at 127.0.0.1, 10.0.0.0/8,
100.100.100.200 or 169.254.169.254 (cloud metadata) must not be fetched unless the operator
allows it (the demo and the tests do, with --allow-private / TRACKER_ALLOW_PRIVATE=1).

The rule: an address is internal unless it is globally routable. Python's `is_global` is the
base, widened by the IANA special-purpose ranges below (its table differs between Python
releases), and an IPv6 address that embeds an IPv4 one (IPv4-mapped, IPv4-compatible, NAT64,
6to4, Teredo) is internal when the IPv4 inside is.

Checking a name and then letting the HTTP client resolve it again opens DNS rebinding (public
address for the check, 127.0.0.1 for the connection). So a host is resolved once per run,
every address it resolves to is checked, and `PinnedBackend` connects only to those checked
addresses: it never resolves a name itself. The Host header, TLS SNI and certificate check
stay on the name (httpcore passes the name to TLS; only the TCP connect uses the address).
Every hop of a redirect goes through the check again.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

import httpcore

IP = ipaddress.IPv4Address | ipaddress.IPv6Address

#: Not globally routable, whatever the running Python's ipaddress tables say (IANA special-purpose
#: registries, plus multicast and the reserved blocks).
_INTERNAL_NETS = tuple(ipaddress.ip_network(n) for n in (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
    "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24",
    "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4", "255.255.255.255/32",
    "::/128", "::1/128", "64:ff9b:1::/48", "100::/64", "2001::/23", "2001:db8::/32", "3fff::/20",
    "5f00::/16", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
))
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_SIX_TO_FOUR = ipaddress.ip_network("2002::/16")
_TEREDO = ipaddress.ip_network("2001::/32")
_COMPAT = ipaddress.ip_network("::/96")


class Refused(Exception):
    """The URL is not allowed; the message says why."""


class Unresolved(Exception):
    """The host name does not resolve (now): a passing failure, not a refusal."""


def embedded_ipv4(ip: IP) -> list[ipaddress.IPv4Address]:
    """IPv4 addresses an IPv6 address carries (mapped, compatible, NAT64, 6to4, Teredo server and client)."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return []
    n = int(ip)
    if ip.ipv4_mapped:
        return [ip.ipv4_mapped]
    if ip in _NAT64 or (ip in _COMPAT and n > 1):
        return [ipaddress.IPv4Address(n & 0xFFFFFFFF)]
    if ip.sixtofour:
        return [ip.sixtofour]
    if ip in _TEREDO and ip.teredo:
        return list(ip.teredo)
    return []


def is_internal(ip: IP) -> bool:
    """True unless `ip` is globally routable, judged on the IPv4 inside it too."""
    inner = embedded_ipv4(ip)
    if any(is_internal(v4) for v4 in inner):
        return True
    if inner and (ip.ipv4_mapped or ip in _COMPAT or ip in _NAT64):  # the address *is* its IPv4
        return False
    return (not ip.is_global or ip.is_multicast or ip.is_unspecified
            or any(ip.version == net.version and ip in net for net in _INTERNAL_NETS))


def check_scheme(url: str) -> str:
    """Return the host of an http(s) URL, or raise Refused."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise Refused(f"scheme {parts.scheme or '(none)'!r} is not http(s)")
    if not parts.hostname:
        raise Refused("URL has no host")
    return parts.hostname


def _why(host: str, ip: IP) -> str:
    inner = [str(v4) for v4 in embedded_ipv4(ip) if is_internal(v4)]
    what = f"address {ip}" if host == str(ip) else f"host {host} resolves to {ip}"
    if inner:
        what += f", which embeds {inner[0]},"
    return f"{what} is internal (private, loopback or link-local, or otherwise not globally routable)"


async def resolve(host: str) -> list[IP]:
    """Every address `host` resolves to (an IP literal resolves to itself); Unresolved when none."""
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise Unresolved(f"cannot resolve {host}: {getattr(exc, 'strerror', None) or exc}") from None
    addresses: list[IP] = []
    for info in infos:
        ip = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if ip not in addresses:
            addresses.append(ip)
    if not addresses:
        raise Unresolved(f"cannot resolve {host}: no address")
    return addresses


async def checked_addresses(url: str, allow_private: bool = False) -> list[IP]:
    """The addresses the host of `url` resolves to, all of them public (unless `allow_private`).

    Raises Refused for a scheme other than http(s), `localhost` or any internal address among those
    the name resolves to; Unresolved when the name does not resolve.
    """
    host = check_scheme(url)
    name = host.lower().rstrip(".")
    if not allow_private and (name == "localhost" or name.endswith(".localhost")):
        raise Refused(f"host {host} is loopback")
    addresses = await resolve(host)
    if not allow_private:
        for ip in addresses:
            if is_internal(ip):
                raise Refused(_why(host.strip("[]"), ip))
    return addresses


async def check_url(url: str, allow_private: bool = False) -> list[IP]:
    """Raise Refused when `url` is not http(s) or its host resolves to an internal address; else its addresses.

    A name that does not resolve is refused here too (kept for callers that only want a yes or no);
    the fetcher tells the two apart through `checked_addresses`.
    """
    try:
        return await checked_addresses(url, allow_private)
    except Unresolved as exc:
        raise Refused(str(exc)) from None


def host_key(host: str) -> str:
    """How a host is named in the pin table: lower case, IPv6 without brackets."""
    return host.strip("[]").lower()


class PinnedBackend(httpcore.AsyncNetworkBackend):
    """httpcore network backend that connects a host name only to the addresses pinned for it.

    The fetcher pins the checked addresses of a host before each request; a host with no pin is
    never connected (and never resolved here): `connect_tcp` raises httpcore.ConnectError instead.
    """

    def __init__(self, inner: httpcore.AsyncNetworkBackend | None = None):
        self.inner = inner or httpcore.AnyIOBackend()
        self.pins: dict[str, list[str]] = {}

    def pin(self, host: str, addresses: Iterable[IP]) -> None:
        """Allow connections to `host` at these (checked) addresses only."""
        self.pins[host_key(host)] = [str(ip) for ip in addresses]

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None
                          ) -> httpcore.AsyncNetworkStream:
        addresses = self.pins.get(host_key(host))
        if not addresses:
            raise httpcore.ConnectError(f"no checked address for {host}: not connecting")
        last: Exception | None = None
        for address in addresses:
            try:
                return await self.inner.connect_tcp(address, port, timeout=timeout, local_address=local_address,
                                                    socket_options=socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None
                                  ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not crawled")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)
