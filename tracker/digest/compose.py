"""Build one subscriber's digest as a multipart message from the Jinja2 templates.

Structure: multipart/alternative holding text/plain and a multipart/related that
holds the text/html part and the chart PNG it shows through a Content-ID. Everything
that comes from articles (titles, reasons, actors) goes through autoescaping in the HTML
template, and only http(s) addresses become links.

What an article said (evidence, actor, reason, titles) stays in the language it was written in, with
that language named ("Evidence (Russian): «…»"). In HTML it carries `lang` and `dir`, so Arabic and
Persian read right to left inside the English digest; in plain text a right-to-left quote is wrapped in
Unicode isolates (FSI ... PDI), which keep the English words around it in their order.
"""

from __future__ import annotations

import secrets
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from urllib.parse import quote, urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from ..languages import direction, language_name
from ..settings import Settings
from .chart import render_chart
from .select import WeekSelection
from .subscribers import Subscriber

CHANGE_NAMES = {"new": "new", "lifted": "lifted", "status": "changed status", "found": "newly found",
                "sources": "with more sources"}


def _human(value: str | None) -> str:
    return (value or "").replace("_", " ")


def _web_url(value: str | None) -> str:
    """The address when it is an http(s) URL, else empty (no javascript: or data: links)."""
    value = (value or "").strip()
    try:
        parts = urlsplit(value)
    except ValueError:
        return ""
    return value if parts.scheme in ("http", "https") and parts.netloc else ""


#: Unicode FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE: a right-to-left quote set apart in plain text.
FSI, PDI = "\u2068", "\u2069"


def _isolate(text: str | None, code: str | None) -> str:
    """Text in a right-to-left language set apart for plain-text readers; other text unchanged."""
    return f"{FSI}{text}{PDI}" if text and direction(code) == "rtl" else (text or "")


_env: Environment | None = None


def environment() -> Environment:
    """The template environment, built once; autoescape is on for .html templates."""
    global _env
    if _env is None:
        env = Environment(
            loader=PackageLoader("tracker", "templates/digest"),
            autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
            undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        )
        env.filters["human"] = _human
        env.filters["web_url"] = _web_url
        env.filters["language_name"] = language_name
        env.filters["direction"] = direction
        env.filters["isolate"] = _isolate
        _env = env
    return _env


def sender_address(settings: Settings) -> str:
    """The bare address of the From setting (for the envelope and unsubscribe mailto)."""
    return parseaddr(settings.mail_from)[1] or "tracker@localhost"


def unsubscribe_url(settings: Settings, subscriber: Subscriber) -> str:
    """A mailto: link that asks the operator to remove this subscriber, by token."""
    subject = quote(f"unsubscribe {subscriber.token}")
    return f"mailto:{sender_address(settings)}?subject={subject}"


def describe_filters(subscriber: Subscriber | None) -> str:
    if subscriber is None:
        return ""
    parts = []
    if subscriber.countries:
        parts.append("countries " + ", ".join(subscriber.countries))
    if subscriber.platforms:
        parts.append("platforms " + ", ".join(subscriber.platforms))
    if subscriber.languages:
        parts.append("languages " + ", ".join(language_name(code) for code in subscriber.languages))
    return "; ".join(parts)


def subject_for(selection: WeekSelection) -> str:
    n = len(selection.events)
    if not n:
        return f"tracker weekly digest {selection.week}: nothing new"
    countries = selection.summary["n_countries"]
    return (f"tracker weekly digest {selection.week}: {n} event{'s' if n != 1 else ''} "
            f"in {countries} countr{'ies' if countries != 1 else 'y'}")


def compose_digest(selection: WeekSelection, subscriber: Subscriber, settings: Settings, *,
                   chart: bytes | None = None) -> EmailMessage:
    """The message for `subscriber`; `selection` must already be filtered for them."""
    sender = sender_address(settings)
    domain = sender.rsplit("@", 1)[-1] or "localhost"
    chart_cid = f"<chart.{selection.week}.{secrets.token_hex(6)}@{domain}>"
    unsubscribe = unsubscribe_url(settings, subscriber)
    subject = subject_for(selection)
    context = {
        "subject": subject, "week": selection.week, "events": selection.events, "groups": selection.groups,
        "summary": selection.summary, "change_names": CHANGE_NAMES, "filters": describe_filters(subscriber),
        "chart_cid": chart_cid[1:-1], "email": subscriber.email, "token": subscriber.token,
        "unsubscribe_url": unsubscribe, "base_url": settings.base_url.rstrip("/") + "/",
    }
    env = environment()
    text = env.get_template("digest.txt").render(context)
    html = env.get_template("digest.html").render(context)

    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = settings.mail_from
    msg["To"] = subscriber.email
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    # short enough not to be folded; the random part keeps a retried message's id unique
    msg["Message-ID"] = f"<digest.{selection.week}.{subscriber.id}.{secrets.token_hex(6)}@{domain}>"
    msg["List-Id"] = f"tracker weekly digest <digest.{domain}>"
    msg["List-Unsubscribe"] = f"<{unsubscribe}>"
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    if selection.events:
        html_part = msg.get_payload()[1]
        html_part.add_related(chart if chart is not None else render_chart(selection), "image", "png",
                              cid=chart_cid, filename=f"digest-{selection.week}.png")
    return msg
