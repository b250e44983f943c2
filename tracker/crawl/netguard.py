"""Refuse URLs that would make the crawler reach internal services.

A feed is input from the outside world: an item pointing at 127.0.0.1, 10.0.0.0/8 or
169.254.169.254 (cloud metadata) must not be fetched unless the operator allows it
(the demo and the tests do, with --allow-private / TRACKER_ALLOW_PRIVATE=1).
Every hop of a redirect goes through this check again.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit


class Refused(Exception):
    """The URL is not allowed; the message says why."""


def _is_internal(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast
            or ip.is_reserved or ip.is_unspecified)


def check_scheme(url: str) -> str:
    """Return the host of an http(s) URL, or raise Refused."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise Refused(f"scheme {parts.scheme or '(none)'!r} is not http(s)")
    if not parts.hostname:
        raise Refused("URL has no host")
    return parts.hostname


async def check_url(url: str, allow_private: bool = False) -> None:
    """Raise Refused when `url` is not http(s) or its host resolves to an internal address."""
    host = check_scheme(url)
    if allow_private:
        return
    try:
        literal = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        literal = None
    if literal is not None:
        if _is_internal(literal):
            raise Refused(f"address {literal} is private, loopback or link-local")
        return
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        raise Refused(f"host {host} is loopback")
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise Refused(f"cannot resolve {host}: {exc.strerror or exc}") from None
    for info in infos:
        ip = ipaddress.ip_address(info[4][0].split("%")[0])
        if _is_internal(ip):
            raise Refused(f"host {host} resolves to {ip}, a private, loopback or link-local address")
