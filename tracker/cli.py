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


# ---- export ----------------------------------------------------------------


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
