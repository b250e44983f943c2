"""The `tracker` command line. Thin: every command calls library functions that tests call too."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from . import __version__
from .db import DEFAULT_DB

db_option = click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_DB,
    show_default=True,
    envvar="TRACKER_DB",
    help="SQLite database file (created on first use).",
)
feeds_option = click.option(
    "--feeds",
    "feeds_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("feeds.toml"),
    show_default=True,
    help="Sources file.",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")


def echo_json(data: object) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@click.group()
@click.version_option(__version__, prog_name="tracker")
def main() -> None:
    """Track internet censorship events from news and regulators' statements."""


@main.command()
@db_option
def init(db_path: Path) -> None:
    """Create or migrate the database and print its schema version."""
    from .db import open_db, schema_version

    db = open_db(db_path)
    click.echo(f"{db_path}: schema version {schema_version(db)}")


# ---- crawl, run, demo (ingestion) ------------------------------------------


# ---- annotate, eval (extraction) -------------------------------------------


# ---- extract, events (events store) ----------------------------------------


# ---- serve (browsing) ------------------------------------------------------


# ---- subscribers, digest ---------------------------------------------------


@main.group()
def subscribers() -> None:
    """Manage who receives the weekly digest."""


@subscribers.command("add")
@click.argument("email")
@click.option("--country", "countries", multiple=True, metavar="CODE",
              help="Only events in this country (ISO code); repeat for more. Default: all.")
@click.option("--platform", "platforms", multiple=True, metavar="NAME",
              help="Only events about this platform; repeat for more. Default: all.")
@db_option
@json_option
def subscribers_add(email: str, countries: tuple[str, ...], platforms: tuple[str, ...], db_path: Path,
                    as_json: bool) -> None:
    """Add a subscriber, or replace an existing subscriber's filters."""
    from .db import open_db
    from .digest.subscribers import SubscriberError, add_subscriber

    db = open_db(db_path)
    try:
        sub, created = add_subscriber(db, email, countries=countries, platforms=platforms)
    except SubscriberError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        echo_json({**sub.as_dict(), "created": created})
    else:
        what = "added" if created else "updated"
        filters = ", ".join([*sub.countries, *sub.platforms]) or "all events"
        click.echo(f"{what} {sub.email} ({filters})")


@subscribers.command("list")
@db_option
@json_option
def subscribers_list(db_path: Path, as_json: bool) -> None:
    """List subscribers and their filters."""
    from .db import open_db
    from .digest.subscribers import list_subscribers

    subs = list_subscribers(open_db(db_path))
    if as_json:
        echo_json([s.as_dict() for s in subs])
        return
    for s in subs:
        click.echo(f"{s.email}\tcountries: {','.join(s.countries) or 'all'}\t"
                   f"platforms: {','.join(s.platforms) or 'all'}\tsince {s.created_at}")
    if not subs:
        click.echo("no subscribers", err=True)


@subscribers.command("remove")
@click.argument("email", required=False)
@click.option("--token", help="Remove the subscriber with this unsubscribe code instead.")
@db_option
def subscribers_remove(email: str | None, token: str | None, db_path: Path) -> None:
    """Remove a subscriber (by address or unsubscribe code) and their digest history."""
    from .db import open_db
    from .digest.subscribers import SubscriberError, remove_subscriber

    if bool(email) == bool(token):
        raise click.ClickException("give either EMAIL or --token")
    try:
        removed = remove_subscriber(open_db(db_path), email, token=token)
    except SubscriberError as exc:
        raise click.ClickException(str(exc)) from exc
    if not removed:
        raise click.ClickException(f"no subscriber {'with that token' if token else email}")
    click.echo(f"removed {email or 'subscriber with that token'}")


@main.command()
@click.option("--week", help="ISO week such as 2026-W47. Default: the last full week.")
@click.option("--send", "do_send", is_flag=True, help="Send the digests (TRACKER_SMTP_* settings).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write .eml previews to this folder instead of sending; records nothing.")
@click.option("--timeout", type=float, default=30.0, show_default=True, help="SMTP timeout in seconds.")
@db_option
@json_option
def digest(week: str | None, do_send: bool, out_dir: Path | None, timeout: float, db_path: Path,
           as_json: bool) -> None:
    """Build the weekly digest; without --send or --out, only show what would be sent."""
    from contextlib import nullcontext

    from .db import open_db
    from .digest.run import run_digest
    from .digest.select import WeekError, parse_week

    if do_send and out_dir:
        raise click.ClickException("use either --send or --out, not both")
    try:
        the_week = parse_week(week) if week else None
    except WeekError as exc:
        raise click.ClickException(str(exc)) from exc
    mode = "send" if do_send else "preview" if out_dir else "plan"
    db = open_db(db_path)
    n_subs = db.table("subscribers").count
    show_bar = mode == "send" and not as_json and n_subs > 5
    try:
        bar_cm = click.progressbar(length=n_subs, label="sending", file=sys.stderr) if show_bar else nullcontext()
        with bar_cm as bar:
            run = run_digest(db, week=the_week, mode=mode, out_dir=out_dir, timeout=timeout,
                             progress=(lambda _r: bar.update(1)) if show_bar else None)
    except ValueError as exc:  # bad settings, such as TRACKER_SMTP_SECURITY
        raise click.ClickException(str(exc)) from exc
    if as_json:
        echo_json(run.as_dict())
    else:
        click.echo(f"week {run.week}: {run.n_events_week} events new or changed")
        for r in run.results:
            extra = r.path or r.error
            click.echo(f"  {r.email}: {r.status}, {r.n_events} events" + (f" ({extra})" if extra else ""))
        click.echo(", ".join(f"{k} {v}" for k, v in sorted(run.counts.items())) or "no subscribers")
    if run.failed:
        sys.exit(1)


# ---- export ----------------------------------------------------------------

_EXPORT_KINDS = ("events", "mentions", "sources", "articles")


def _export_filter_options(fn):
    from .export.columns import ACTIONS, STATUSES

    options = [
        click.option("--since", metavar="DATE", help="Keep rows dated on or after DATE (YYYY, YYYY-MM or YYYY-MM-DD)."),
        click.option("--until", metavar="DATE", help="Keep rows dated on or before DATE (same forms)."),
        click.option("--country", "countries", metavar="CODE", multiple=True,
                     help="ISO 3166-1 alpha-2 country (EU too); repeat for several."),
        click.option("--platform", "platforms", metavar="NAME", multiple=True,
                     help="Platform name, case-insensitive (X means Twitter); repeat for several."),
        click.option("--action", "actions", type=click.Choice(ACTIONS), multiple=True,
                     help="Action; repeat for several."),
        click.option("--status", "statuses", type=click.Choice(STATUSES), multiple=True,
                     help="Status; repeat for several."),
        click.option("--raw-formulas", is_flag=True,
                     help="Do not neutralise CSV cells starting with = + - @ (for programs, not spreadsheets)."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def _export_db(db_path: Path):
    if not db_path.exists():
        raise click.ClickException(f"database {db_path} does not exist (give --db or set TRACKER_DB)")
    from .db import open_db

    return open_db(db_path)


def _export_filters(db, since, until, countries, platforms, actions, statuses):
    from .export import FilterError, parse_filters

    try:
        return parse_filters(db, since=since, until=until, countries=countries, platforms=platforms,
                             actions=actions, statuses=statuses)
    except FilterError as exc:
        raise click.BadParameter(exc.message, param_hint=exc.option) from None


@main.group("export")
def export_group() -> None:
    """Export events, mentions, sources or articles as CSV/JSONL, or a citable data package."""


def _export_kind_command(kind: str) -> None:
    from .export.columns import FORMATS, KINDS
    from .export.filters import DATE_FILTER_DOC

    @export_group.command(
        kind,
        help=f"Export one row per {KINDS[kind].rows_are}, in a fixed column order. "
        f"--since/--until filter on {DATE_FILTER_DOC[kind]}.",
    )
    @db_option
    @click.option("--format", "fmt", type=click.Choice(FORMATS), default="csv", show_default=True)
    @click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, allow_dash=True, path_type=Path),
                  help="File to write, replaced only once complete (default: standard output).")
    @_export_filter_options
    def command(db_path: Path, fmt: str, output: Path | None, since: str | None, until: str | None,
                countries: tuple[str, ...], platforms: tuple[str, ...], actions: tuple[str, ...],
                statuses: tuple[str, ...], raw_formulas: bool) -> None:
        import io

        from .export import count_rows, export_file, export_rows

        db = _export_db(db_path)
        filters = _export_filters(db, since, until, countries, platforms, actions, statuses)
        if output is None or str(output) == "-":
            out = io.TextIOWrapper(click.get_binary_stream("stdout"), encoding="utf-8", newline="")
            try:
                export_rows(db, kind, fmt, out, filters, neutralise_formulas=not raw_formulas)
            finally:
                out.flush()
                out.detach()
            return
        if sys.stderr.isatty():
            with click.progressbar(length=count_rows(db, kind, filters), label=f"exporting {kind}",
                                   file=sys.stderr) as bar:
                n = export_file(db, kind, fmt, output, filters, neutralise_formulas=not raw_formulas,
                                progress=bar.update)
        else:
            n = export_file(db, kind, fmt, output, filters, neutralise_formulas=not raw_formulas)
        click.echo(f"wrote {n} {kind} rows to {output}", err=True)


for _kind in _EXPORT_KINDS:
    _export_kind_command(_kind)


@export_group.command("package")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@db_option
@_export_filter_options
@click.option("--overwrite", is_flag=True, help="Write into DIRECTORY even if it already holds files.")
@json_option
def export_package(directory: Path, db_path: Path, since: str | None, until: str | None,
                   countries: tuple[str, ...], platforms: tuple[str, ...], actions: tuple[str, ...],
                   statuses: tuple[str, ...], raw_formulas: bool, overwrite: bool, as_json: bool) -> None:
    """Write a Frictionless Data Package (CSVs, datapackage.json, CODEBOOK.md) into DIRECTORY."""
    from .export import FilterError, write_package

    db = _export_db(db_path)
    filters = _export_filters(db, since, until, countries, platforms, actions, statuses)
    try:
        summary = write_package(db, directory, filters, neutralise_formulas=not raw_formulas,
                                overwrite=overwrite)
    except FilterError as exc:
        raise click.BadParameter(exc.message, param_hint=exc.option) from None
    if as_json:
        echo_json({"directory": str(directory), "rows": summary.rows, "id": summary.descriptor["id"],
                   "citation": summary.descriptor["citation"]})
        return
    for name, n in summary.rows.items():
        click.echo(f"{directory / (name + '.csv')}: {n} rows")
    click.echo(f"cite as: {summary.descriptor['citation']}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
