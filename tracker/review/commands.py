"""`tracker review ...` and `tracker reviewers ...`: thin click commands over tracker.review.

Registered on the main group by tracker.cli (`register(main)`), which owns the shared options and helpers.
"""

from __future__ import annotations

import getpass
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click


def _reviewer_name(given: str | None) -> str:
    """Who a CLI review is recorded for: --as, else TRACKER_REVIEWER, else the login name."""
    name = (given or os.environ.get("TRACKER_REVIEWER") or "").strip()
    if not name:
        try:
            name = getpass.getuser()
        except (KeyError, OSError):
            name = "cli"
    return name


@contextmanager
def review_writing(db_path: Path, private_path: Path | None) -> Iterator[tuple[Any, Any]]:
    """Both databases for writing, under the public database's one-writer lock."""
    from ..cli import private_db_path, writing
    from ..db import open_private

    private = private_db_path(db_path, private_path)
    with writing(db_path, private_path=private) as db:
        pdb = open_private(private, create=True)
        try:
            yield db, pdb
        finally:
            pdb.close()


def private_or_none(db_path: Path, private_path: Path | None) -> Any:
    """The private database read-only, or None before anyone reviewed or subscribed."""
    from ..cli import private_db_path, private_reading

    return private_reading(db_path, private_path) if private_db_path(db_path, private_path).exists() else None


def register(main: click.Group) -> None:
    """Add the `review` and `reviewers` groups to `main`."""
    _register_review(main)
    _register_reviewers(main)


def _register_review(main: click.Group) -> None:
    from ..cli import db_option, echo_json, echo_rows, json_option, output_options, private_option, reading

    as_option = click.option("--as", "reviewer", metavar="NAME",
                             help="Who is reviewing (kept in the private database). Default: $TRACKER_REVIEWER or "
                                  "your login name.")

    @main.group()
    def review() -> None:
        """Confirm, correct, reject and merge events; see what to review first and what was decided."""

    @review.command("queue")
    @db_option
    @click.option("--country", help="Only events in this country (ISO code).")
    @click.option("--platform", help="Only events about this service (X also works).")
    @click.option("--language", help="Only events whose evidence is in this language (ISO 639-1).")
    @click.option("--limit", type=click.IntRange(1, 100_000), default=20, show_default=True,
                  help="How many events to list.")
    @output_options
    def review_queue(db_path: Path, country: str | None, platform: str | None, language: str | None, limit: int,
                     fmt: str | None) -> None:
        """Events to review, most in need first: least certain, most reported, newest (and reviewed events
        whose articles changed since, before all).

        Example: tracker review queue --country RU --limit 10 --json
        """
        from ..render import queue_text
        from .queue import COLUMNS, queue

        rows = queue(reading(db_path), country=country, platform=platform, language=language, limit=limit)
        echo_rows(rows, fmt, queue_text, COLUMNS)

    @review.command("show")
    @click.argument("event_id")
    @db_option
    @private_option
    @json_option
    def review_show(event_id: str, db_path: Path, private_path: Path | None, as_json: bool) -> None:
        """Show an event as a reviewer needs it: its values (and the machine's where corrected), its sources
        with their evidence, and its reviews.

        Example: tracker review show ev-ru-twitter-throttle-2021-03
        """
        from ..render import review_show_text
        from .show import event_for_review

        data = event_for_review(reading(db_path), event_id, private=private_or_none(db_path, private_path))
        if as_json:
            echo_json(data)
        else:
            click.echo(review_show_text(data))

    def verdict_command(name: str, verdict: str, doc: str, example: str, *, reason_required: bool,
                        with_set: bool = False, with_into: bool = False) -> None:
        params = [click.Argument(["event_id"])]
        if with_into:
            params.append(click.Argument(["into_id"]))
        if with_set:
            params.append(click.Option(["--set", "sets"], multiple=True, required=True, metavar="FIELD=VALUE",
                                       help="A corrected value (repeat for several); an empty value clears it."))
        params.append(click.Option(["--reason"], required=reason_required, metavar="TEXT",
                                   help="Why (kept with the review, shown publicly)."))

        def callback(event_id: str, db_path: Path, private_path: Path | None, reviewer: str | None,
                     as_json: bool, reason: str | None = None, sets: tuple[str, ...] = (),
                     into_id: str | None = None) -> None:
            from .store import parse_changes, review_event

            with review_writing(db_path, private_path) as (db, pdb):
                changes = parse_changes(db, sets) if with_set else None
                done = review_event(db, pdb, event_id, verdict, reviewer=_reviewer_name(reviewer), changes=changes,
                                    reason=reason, into=into_id)
            if as_json:
                echo_json(done.as_dict())
                return
            what = f"{verdict} {event_id}" + (f" into {done.into_event_id}" if done.into_event_id else "")
            click.echo(f"{what} (review {done.id} by {done.reviewer})")

        command = click.Command(name, callback=callback, params=params, help=f"{doc}\n\nExample: {example}")
        for option in (db_option, private_option, as_option, json_option):
            command = option(command)
        review.add_command(command)

    verdict_command("confirm", "confirmed", "Confirm that an event happened as it is shown.",
                    "tracker review confirm ev-ru-twitter-throttle-2021-03", reason_required=False)
    verdict_command("reject", "rejected", "Reject an event that is not a measure (or not this one): it leaves "
                    "the lists, the digest, the feed and the export, and stays in rejected_events.",
                    "tracker review reject ev-ng-twitter-restrict-2021-06 --reason 'a company decision'",
                    reason_required=True)
    verdict_command("correct", "corrected", "Correct fields of an event; the machine's values stay beside them "
                    "(machine_values) and re-extraction keeps the correction.",
                    "tracker review correct ev-ru-twitter-throttle-2021-03 --set date=2021-03-10 --set "
                    "actor=Roskomnadzor --reason 'the order was dated the 10th'",
                    reason_required=True, with_set=True)
    verdict_command("merge", "merged_into", "Merge an event into another that is the same measure: its sources "
                    "move there, and it stays as a pointer to it.",
                    "tracker review merge ev-ru-twitter-threaten-2021-03 ev-ru-twitter-throttle-2021-03",
                    reason_required=False, with_into=True)

    @review.command("log")
    @db_option
    @private_option
    @click.option("--event", "event_id", help="Only the reviews of this event.")
    @click.option("--limit", type=click.IntRange(1, 10_000_000), default=50, show_default=True,
                  help="How many reviews to list, newest first.")
    @output_options
    def review_log(db_path: Path, private_path: Path | None, event_id: str | None, limit: int,
                   fmt: str | None) -> None:
        """Reviews made, newest first, with who made them (from the private database).

        Example: tracker review log --limit 20 --csv
        """
        from ..render import review_log_text
        from .store import reviews

        found = [r.as_dict() for r in reviews(reading(db_path), event_id=event_id, limit=limit,
                                              private=private_or_none(db_path, private_path))]
        if fmt not in (None, "json", "jsonl"):  # an object in one cell: as JSON text
            found = [{**r, "changes": json.dumps(r["changes"], ensure_ascii=False) if r["changes"] else None}
                     for r in found]
        echo_rows(found, fmt, review_log_text,
                  ("id", "created_at", "event_id", "verdict", "changes", "into_event_id", "reason", "reviewer"))


def _register_reviewers(main: click.Group) -> None:
    from ..cli import db_option, echo_rows, output_options, private_option, private_writing

    @main.group()
    def reviewers() -> None:
        """Manage the people who may review events on the website (private database)."""

    @reviewers.command("add")
    @click.argument("name")
    @click.option("--password-stdin", is_flag=True,
                  help="Read the password from the first line of standard input (also when it is not a terminal).")
    @db_option
    @private_option
    def reviewers_add(name: str, password_stdin: bool, db_path: Path, private_path: Path | None) -> None:
        """Add a reviewer, or set a reviewer's password; asks for the password, or reads it from stdin.

        Example: printf '%s\\n' "$PASSWORD" | tracker reviewers add ana --password-stdin
        """
        from .accounts import add_reviewer, check_name

        check_name(name)
        if password_stdin or not sys.stdin.isatty():
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True, err=True)
        with private_writing(db_path, private_path, create=True) as private:
            reviewer, created = add_reviewer(private, name, password)
        click.echo(f"{'added' if created else 'updated'} reviewer {reviewer.name}")

    @reviewers.command("list")
    @db_option
    @private_option
    @output_options
    def reviewers_list(db_path: Path, private_path: Path | None, fmt: str | None) -> None:
        """List reviewer accounts (names and when they were added; never the hashes).

        Example: tracker reviewers list --json
        """
        from .accounts import list_reviewers

        private = private_or_none(db_path, private_path)
        rows = [r.as_dict() for r in (list_reviewers(private) if private is not None else [])]
        echo_rows(rows, fmt, lambda rs: "\n".join(f"{r['name']}\tsince {r['created_at']}" for r in rs)
                  or "no reviewers", ("name", "created_at"))

    @reviewers.command("remove")
    @click.argument("name")
    @db_option
    @private_option
    def reviewers_remove(name: str, db_path: Path, private_path: Path | None) -> None:
        """Remove a reviewer account; their reviews stay, and their sessions end at once.

        Example: tracker reviewers remove ana
        """
        from .accounts import remove_reviewer

        with private_writing(db_path, private_path, create=False) as private:
            removed = remove_reviewer(private, name)
        if not removed:
            raise click.ClickException(f"no reviewer {name!r}")
        click.echo(f"removed reviewer {name}")
