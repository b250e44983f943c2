"""The text of a fetched page: bytes decoded before extraction, so no parser guesses on its own.

Order: a byte-order mark; the charset of the HTTP Content-Type; the charset the document
declares (`<meta charset>`, `<meta http-equiv=Content-Type>`, an XML declaration); then
detection (valid UTF-8, else charset_normalizer). A label is believed only when the body
decodes under it without error, and a single-byte label, which decodes any bytes, is not
believed over a body that is valid UTF-8 with non-ASCII bytes: such a body is a UTF-8 page
mislabelled (the "crÃ¨me brÃ»lÃ©e" case), UTF-8 by chance it practically never is.
Labels follow the web's aliases: latin-1 and ASCII are read as windows-1252.
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer

_HTTP_CHARSET = re.compile(r"charset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]+)", re.IGNORECASE)
_XML_DECL = re.compile(rb"^\s*<\?xml[^>]{0,200}?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)", re.IGNORECASE)
_META = re.compile(rb"<meta[^>]{0,300}?charset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]+)", re.IGNORECASE)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
         (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_WEB_ALIASES = {"iso8859_1": "cp1252", "ascii": "cp1252", "iso8859_9": "cp1254", "iso8859_11": "cp874"}
_WIDE = ("utf_16", "utf_32")
_PREFERRED = ("cp1252",)  # the web's most common single-byte legacy encoding: wins a detection tie


def http_charset(content_type: str | None) -> str:
    """The charset parameter of a Content-Type header, or ''."""
    m = _HTTP_CHARSET.search(content_type or "")
    return m.group(1) if m else ""


def declared_charset(body: bytes) -> str:
    """The charset the document itself declares in its first 4 kB (XML declaration or meta), or ''."""
    head = body[:4096]
    m = _XML_DECL.search(head) or _META.search(head)
    return m.group(1).decode("ascii") if m else ""


def _codec(label: str) -> str | None:
    try:
        name = codecs.lookup(label).name.replace("-", "_")
    except LookupError:
        return None
    name = _WEB_ALIASES.get(name, name)
    if name.startswith(_WIDE):  # a UTF-16/32 label on bytes that reached here without a BOM is wrong
        return None
    return name


def _utf8(body: bytes) -> str | None:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _under(body: bytes, label: str) -> str | None:
    codec = _codec(label) if label else None
    if codec is None:
        return None
    if codec == "utf_8":
        return _utf8(body)
    if not body.isascii() and _utf8(body) is not None:
        return None  # a UTF-8 page under a wrong single-byte label: detection will say UTF-8
    try:
        return body.decode(codec)
    except UnicodeDecodeError:
        if codec == "cp1252":  # the five bytes windows-1252 leaves undefined: latin-1 reads them
            return body.decode("latin-1")
        return None


def detect(body: bytes) -> str:
    """Text of a body with no usable label: UTF-8 when valid, else charset_normalizer's best reading."""
    text = _utf8(body)
    if text is not None:
        return text
    matches = charset_normalizer.from_bytes(body)
    best = matches.best()
    if best is None:
        return body.decode("utf-8", "replace")
    tied = [m for m in matches if m.chaos == best.chaos and m.coherence == best.coherence]
    for preferred in _PREFERRED:
        for m in tied:
            if m.encoding == preferred:
                best = m
    return str(best)


def decode_html(body: bytes, content_type: str | None = "") -> str:
    """The page's text (see the module docstring for the order of evidence)."""
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return body[len(bom):].decode(codec, "replace")
    for label in (http_charset(content_type), declared_charset(body)):
        text = _under(body, label)
        if text is not None:
            return text
    return detect(body)
