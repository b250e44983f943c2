"""The `tracker` command line. Thin: every command calls library functions that tests call too."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from . import __version__
from .db import DEFAULT_DB
from .errors import TrackerError

db_option = click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_DB,
    show_default=True,
    envvar="TRACKER_DB",
    help="The public SQLite database (only init, crawl, run and demo create it).",
)
private_option = click.option(
    "--private-db",
    "private_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    envvar="TRACKER_PRIVATE_DB",
    help="The private database: subscribers, digest log, reviewers; never served. "
    "Default: NAME.private.db beside --db.",
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


def output_options(fn):
    """One flag per registered row format (--csv, --tsv, --nl, --json, -t/--table), all setting `fmt`."""
    from .rowformats import formats

    for spec in reversed(list(formats().values())):
        fn = click.option(*spec.flags, "fmt", flag_value=spec.name, help=spec.help)(fn)
    return fn


def echo_rows(rows: list[dict], fmt: str | None, text: Callable[[list[dict]], str],
              names: Sequence[str] | None = None) -> None:
    """Print rows in the chosen row format, or as the command's own text when no format was chosen."""
    from .rowformats import write

    if fmt is None:
        click.echo(text(rows))
        return
    names = list(names or (rows[0].keys() if rows else ()))
    sys.stdout.flush()
    out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
    try:
        write(([r.get(n) for n in names] for r in rows), names, fmt, out)
    finally:
        out.flush()
        out.detach()


def echo_summary(summary, format_text: Callable[[Any], str], fmt: str | None) -> None:
    """Print a run's summary: --json gives its `as_dict()`, the other row formats one row per source,
    no flag the text `format_text` makes of it."""
    if fmt == "json":
        echo_json(summary.as_dict())
    else:
        data = summary.as_dict()
        rows = data["sources"] if "sources" in data else data.get("crawl", {}).get("sources", [])
        echo_rows(rows, fmt, lambda _rows: format_text(summary))


class TrackerGroup(click.Group):
    """Turns the errors a user can fix (TrackerError, a file that cannot be read or written) into one
    line and a non-zero exit instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TrackerError as exc:
            raise click.ClickException(str(exc)) from None
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            raise click.ClickException(f"{where}{exc.strerror or exc}") from None


@contextmanager
def writing(db_path: Path, *, create: bool = False, private_path: Path | None = None) -> Iterator[Any]:
    """The public database opened for writing, under the one-writer lock (tracker.lock)."""
    from .db import check_file, open_db
    from .lock import writer_lock
    from .settings import get_settings

    check_file(db_path, create=create)  # a missing file is an error before anything, even a lock, is made
    with writer_lock(db_path, get_settings().lock_wait):
        db = open_db(db_path, create=create, private=private_path)
        try:
            yield db
        finally:
            db.close()


def reading(db_path: Path) -> Any:
    """The public database opened read-only (a missing or outdated file is an error, never changed)."""
    from .db import open_db

    return open_db(db_path, readonly=True)


def private_db_path(db_path: Path, private_path: Path | None) -> Path:
    from .db import private_path_for

    return private_path or private_path_for(db_path)


@click.group(cls=TrackerGroup)
@click.version_option(__version__, prog_name="tracker")
def main() -> None:
    """Track internet censorship events from news and regulators' statements."""


@main.command()
@db_option
@private_option
def init(db_path: Path, private_path: Path | None) -> None:
    """Create the database, or bring an existing one to this version, and print its format version.

    Private tables an older version kept in the public file move to the private database, and an existing
    private database is brought to this version too.

    Example: tracker init --db tracker.db
    """
    from .db import open_private, schema_version

    private = private_db_path(db_path, private_path)
    with writing(db_path, create=True, private_path=private) as db:
        if private.exists():
            open_private(private).close()
        click.echo(f"{db_path}: schema version {schema_version(db)}")


# ---- crawl, run, demo (ingestion) ------------------------------------------


def _crawl_options(command):
    """The crawl options shared by `tracker crawl` and `tracker run` (same names, help and behaviour).

    The commands take them as `**crawl_args` and hand them to `_crawl_plan`, so an option is named in
    these two places only."""
    for option in reversed((
        click.option("--source", "source_names", multiple=True, metavar="NAME",
                     help="Crawl only this source (repeatable; polls it even when disabled or not due)."),
        click.option("--allow-private", is_flag=True, default=None,
                     help="Allow loopback/private addresses (for local tests; also TRACKER_ALLOW_PRIVATE=1)."),
        click.option("--max-items", type=click.IntRange(0, 100_000), default=50, show_default=True,
                     help="New articles fetched per source in this run."),
        click.option("--delay", type=click.FloatRange(0, 3600), default=1.0, show_default=True,
                     help="Seconds between two requests to the same host."),
        click.option("--force", is_flag=True,
                     help="Poll every selected source now, even one not due or backing off after failures."),
        click.option("--max-fetches", type=click.IntRange(1, 100_000), default=200, show_default=True,
                     help="Article links tried per source and run, junk included."),
        click.option("--source-seconds", type=click.FloatRange(1, 86_400), default=120.0, show_default=True,
                     help="Deadline of one source's poll; what is left waits for the next run."),
        click.option("--run-seconds", type=click.FloatRange(1, 86_400), default=600.0, show_default=True,
                     help="Deadline of the whole run; sources not started by then are deferred."),
    )):
        command = option(command)
    return command


def _crawl_plan(feeds_path: Path, source_names: tuple[str, ...], allow_private: bool | None, max_items: int,
                delay: float, force: bool, max_fetches: int, source_seconds: float,
                run_seconds: float) -> tuple[list, object]:
    """The sources and CrawlOptions the crawl options ask for; a source named with --source is always due."""
    from .crawl import CrawlOptions
    from .crawl.http import HttpOptions
    from .sources import ConfigError, load_feeds, select

    try:
        sources = select(load_feeds(feeds_path), source_names)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    if not sources:
        raise click.ClickException(f"{feeds_path}: no enabled source to crawl")
    return sources, CrawlOptions(http=HttpOptions(delay=delay), allow_private=allow_private or None,
                                 max_items=max_items, force=force or bool(source_names), max_fetches=max_fetches,
                                 source_seconds=source_seconds, run_seconds=run_seconds)


@main.command()
@db_option
@feeds_option
@_crawl_options
@output_options
def crawl(db_path: Path, feeds_path: Path, fmt: str | None, **crawl_args: Any) -> None:
    """Fetch the sources of feeds.toml that are due and store their new articles.

    Example: tracker crawl --feeds feeds.toml --source roskomnadzor --max-items 20
    """
    from .crawl import crawl as run_crawl
    from .crawl.run import format_summary

    sources, options = _crawl_plan(feeds_path, **crawl_args)
    with writing(db_path, create=True) as db, \
            click.progressbar(length=len(sources), label="Crawling", file=sys.stderr,
                              item_show_func=lambda r: r.name if r else None) as bar:
        summary = run_crawl(db, sources, options, progress=lambda result: bar.update(1, result))
    echo_summary(summary, format_summary, fmt)
    if summary.failed:
        sys.exit(1)


@main.command()
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=Path("db/demo.db"),
              show_default=True, help="SQLite database file for the demo (created on first use).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the demo week's digest (.eml files). Default: demo-digest/ beside the database.")
@click.option("--port", type=click.IntRange(1, 65535), default=8001, show_default=True,
              help="Port on 127.0.0.1 where Datasette serves the result.")
@click.option("--no-serve", is_flag=True, help="Stop after the pipeline; do not serve the result.")
@json_option
def demo(db_path: Path, out_dir: Path | None, port: int, no_serve: bool, as_json: bool) -> None:
    """Run the whole pipeline on bundled demo sources served from 127.0.0.1, then serve the result.

    Crawl, extract and merge into events, write the demo week's digest as .eml files, print a
    summary, and serve the database with Datasette (unless --no-serve). The demo database is
    recreated on each run.

    Example: tracker demo --no-serve --db demo.db
    """
    from .demo import DemoError, run_demo
    from .serve import ServeError

    try:
        result = run_demo(db_path, serve=not no_serve and not as_json, out_dir=out_dir, port=port,
                          echo=(lambda msg: None) if as_json else click.echo)
    except (DemoError, ServeError) as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        echo_json(result)



# ---- annotate, eval (extraction) -------------------------------------------


@main.command()
@click.argument("input_path", metavar="INPUT.jsonl", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", "output_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write one JSON line per input line.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes (each loads the models once).")
def annotate(input_path: Path, output_path: Path, workers: int) -> None:
    """Extract events from a JSONL file of texts ({"id", "text", "published"} per line); exit 1 if a line was bad.

    Example: tracker annotate texts.jsonl -o events.jsonl
    """
    from .extract import annotate_file, extractor_version

    with input_path.open("rb") as fh:
        total = sum(1 for _ in fh)
    with click.progressbar(length=total, label="annotating", file=sys.stderr) as bar:
        summary = annotate_file(input_path, output_path, workers=workers, progress=bar.update)
    click.echo(
        f"{summary.lines} lines: {summary.annotated} annotated ({summary.events} events; "
        + ", ".join(f"{k} {v}" for k, v in sorted(summary.languages.items()))
        + (f"; {summary.skipped} in a language without a pack" if summary.skipped else "")
        + f"), {summary.errors} bad; extractor {extractor_version()}",
        err=True,
    )
    if not summary.ok:
        sys.exit(1)


@main.command(name="eval")
@click.argument("gold_paths", nargs=-1, required=True, metavar="GOLD...",
                type=click.Path(exists=True, path_type=Path))
@click.option("--split", type=click.Choice(["train", "dev", "test"]), help="Only corpus texts of this split.")
@click.option("--language", help="Only texts in this language (ISO 639-1).")
@click.option("--errors", is_flag=True, help="List each missed and each false event with its document id.")
@json_option
def eval_command(gold_paths: tuple[Path, ...], split: str | None, language: str | None, errors: bool,
                 as_json: bool) -> None:
    """Score the extractor on gold texts (a gold JSONL file, or the corpus), per language, class and field.

    Also prints the calibration of `confidence`: observed precision per confidence band.

    Example: tracker eval corpus/texts --split dev
    """
    from .extract import extractor_version
    from .extract.evaluate import evaluate_records, read_gold

    result = evaluate_records(read_gold(list(gold_paths), split, language))
    data = result.as_dict()
    data["extractor_version"] = extractor_version()
    if errors:
        data["errors"] = result.all.errors
        data["field_errors"] = result.all.field_errors
    if as_json:
        echo_json(data)
        return
    from .render import eval_text

    click.echo(eval_text(data, ", ".join(map(str, gold_paths)), errors))


@main.command()
@click.option("--corpus", "corpus_dir", type=click.Path(exists=True, path_type=Path), default=Path("corpus/texts"),
              show_default=True, help="The annotated corpus (its train split is used).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to write the model. Default: the package's models/extractor/.")
@click.option("--with-reviews", "reviews_dir", type=click.Path(exists=True, path_type=Path), default=None,
              help="Also train on reviewed articles (a folder written by `tracker export gold`); never on a "
                   "text of the dev or test split.")
@click.option("--seed", type=int, default=None, help="LightGBM's seed (default: the one the shipped model was trained with). "
              "Another seed gives another model of the same corpus: the noise any change is read against.")
@json_option
def train(corpus_dir: Path, out_dir: Path | None, reviews_dir: Path | None, seed: int | None,
          as_json: bool) -> None:
    """Rebuild the event model from the corpus's train split (deterministic; a few minutes on 2 cores).

    The model files and their version stamp go into models/extractor/, from where every extraction reads them.

    Example: tracker train && tracker eval corpus/texts --split dev

    Example: tracker train --seed 8 --out /tmp/seed8 (the same corpus under another seed)
    """
    from .corpus.store import load
    from .extract.model import model_dir
    from .extract.train import SEED
    from .extract.train import train as run_train

    records = load([corpus_dir], split="train")
    if reviews_dir is not None:
        from .review.gold import load_reviews

        reviewed = load_reviews(reviews_dir, corpus_dir)
        if reviewed.dropped:
            click.echo(f"left out {len(reviewed.dropped)} reviewed text(s) that are dev or test texts: "
                       + ", ".join(reviewed.dropped[:5]), err=True)
        click.echo(f"adding {len(reviewed.records)} reviewed text(s) to the {len(records)} of the train split",
                   err=True)
        records += reviewed.records
    with click.progressbar(length=len(records), label="Reading the corpus", file=sys.stderr) as bar:
        report = run_train(records, out_dir or model_dir(), progress=bar.update,
                           seed=SEED if seed is None else seed)
    if as_json:
        echo_json(report.as_dict())
        return
    oof = report.oof
    click.echo(f"trained on {report.documents} texts, each titled one also without its headline ({report.rows} "
               f"candidates, {report.positives} events, {report.threats} threats) in {report.seconds:.0f}s; "
               f"stamp {report.stamp}")
    click.echo(f"out-of-fold on the train split: precision {oof['precision']:.3f} recall {oof['recall']:.3f} "
               f"F1 {oof['f1']:.3f} at threshold {report.threshold} (threat {report.threat_threshold})")
    click.echo(f"wrote {', '.join(report.files)} to {out_dir or model_dir()}")


# ---- corpus ----------------------------------------------------------------------


def _corpus_files(paths: tuple[Path, ...]) -> list[Path]:
    from .corpus.store import CorpusError

    files: list[Path] = []
    for p in paths or (Path("corpus/texts"),):
        files.extend(sorted(p.glob("*.jsonl")) if p.is_dir() else [p])
    missing = [str(f) for f in files if not f.is_file()]
    if missing or not files:
        raise CorpusError(f"no corpus file at {', '.join(missing) or ', '.join(map(str, paths))}")
    return files


corpus_paths = click.argument("paths", nargs=-1, type=click.Path(path_type=Path), metavar="[FILE_OR_DIR]...")


@main.group()
def corpus() -> None:
    """The annotated corpus (corpus/texts/*.jsonl): check it, split it, measure agreement."""


@corpus.command("check")
@corpus_paths
@json_option
def corpus_check(paths: tuple[Path, ...], as_json: bool) -> None:
    """Check corpus records against the contract and docs/annotation.md; exit 1 on any error.

    Example: tracker corpus check corpus/texts/ru-main.jsonl
    """
    from .corpus.check import check_files, stats

    result = check_files(_corpus_files(paths))
    for problem in result.problems:
        click.echo(str(problem), err=True)
    summary = stats(result.records)
    if as_json:
        echo_json(summary)
    else:
        click.echo(f"{summary['texts']} texts, {summary['events']} events, {summary['negatives']} negatives "
                   f"({summary['negative_share']:.0%}); languages: "
                   + ", ".join(f"{k} {v}" for k, v in summary["languages"].items()))
    click.echo(f"{len(result.errors)} error(s), {len(result.problems) - len(result.errors)} warning(s)", err=True)
    if result.errors:
        sys.exit(1)


@corpus.command("split")
@corpus_paths
def corpus_split(paths: tuple[Path, ...]) -> None:
    """Give every text without a split one (train/dev/test, 60/20/20, stratified); never moves a text.

    Example: tracker corpus split
    """
    from .corpus.split import split_files

    n, counts = split_files(_corpus_files(paths))
    click.echo(f"assigned {n} texts; now " + ", ".join(f"{s} {counts[s]}" for s in ("train", "dev", "test")))


@corpus.command("reach")
@click.option("--language", help="Only texts in this language (ISO 639-1).")
@click.option("--split", type=click.Choice(["train", "dev"]), default="train", show_default=True,
              help="Which split to measure (never the test split: it is for measuring the model only).")
@click.option("--misses", type=click.IntRange(0), default=20, show_default=True, help="How many misses to list.")
@corpus_paths
@json_option
def corpus_reach(language: str | None, split: str, misses: int, paths: tuple[Path, ...], as_json: bool) -> None:
    """How many gold events the language packs' candidates reach, with the misses (for pack authors).

    Example: tracker corpus reach --language ru --split train
    """
    from .corpus.reach import reach
    from .corpus.store import load

    result = reach(load(_corpus_files(paths), split=split, language=language))
    data = result.as_dict()
    if as_json:
        echo_json(data)
        return
    click.echo(f"{data['texts']} texts, {data['gold']} gold events, {data['reached']} reached "
               f"({data['share']}), {data['candidates']} candidates")
    for klass, d in sorted(data["by_class"].items(), key=lambda kv: -kv[1]["gold"]):
        click.echo(f"  {klass:15} {d['reached']:4} of {d['gold']:4}")
    for m in data["misses"][:misses]:
        click.echo(f"{m['id']}\t{'/'.join(m['key'])}\t{m['why']}\t{m['evidence'][:140]}")


@corpus.command("agreement")
@click.option("--second", "second", type=click.Path(path_type=Path), default=Path("corpus/agreement"),
              show_default=True, help="The second, blind annotation (file or folder of *.jsonl).")
@corpus_paths
@json_option
def corpus_agreement(second: Path, paths: tuple[Path, ...], as_json: bool) -> None:
    """Event F1 between the corpus and a second, blind annotation of some of its texts.

    Example: tracker corpus agreement --second corpus/agreement
    """
    from .corpus.agreement import agreement

    seconds = sorted(second.glob("second-pass-*.jsonl")) if second.is_dir() else [second]
    reports = agreement(_corpus_files(paths), seconds)
    data = {lang: r.as_dict() for lang, r in sorted(reports.items(), key=lambda kv: (kv[0] != "all", kv[0]))}
    if as_json:
        echo_json(data)
        return
    for lang, d in data.items():
        ev, f = d["events"], d["matched_fields"]
        if not ev["tp"] + ev["fp"] + ev["fn"]:
            click.echo(f"{lang:4} {d['documents']:4} texts  no event in either pass (all negatives agree)")
            continue
        click.echo(f"{lang:4} {d['documents']:4} texts  event F1 {ev['f1']:.3f} (P {ev['precision']:.3f} "
                   f"R {ev['recall']:.3f})  date {f['date']:.3f}  actor {f['actor']:.3f}  "
                   f"justification {f['justification']:.3f}")


# ---- extract, events (events store) ----------------------------------------


def _bar(label: str):
    """A progress bar on stderr that learns its length when the work is counted."""
    state: dict = {}

    def start(n: int) -> None:
        state["bar"] = click.progressbar(length=max(n, 1), label=label, file=sys.stderr)
        state["bar"].__enter__()

    def step(n: int) -> None:
        if "bar" in state:
            state["bar"].update(n)

    def close() -> None:
        if "bar" in state:
            state.pop("bar").__exit__(None, None, None)

    return start, step, close


def _cluster_options(command):
    """--workers / --scheduler, shared by the commands that spread work over a Dask cluster (tracker.executor)."""
    command = click.option("--scheduler", metavar="ADDRESS",
                           help="Run on the Dask cluster whose scheduler is at ADDRESS (tcp://host:8786) instead "
                           "of starting local workers.")(command)
    return click.option("--workers", type=click.IntRange(1, 256), default=None,
                        help="Worker processes of a local Dask cluster on this machine, each loading the "
                        "models once.")(command)


@main.command()
@db_option
@click.option("--all", "redo_all", is_flag=True, help="Re-read every article (after the models change).")
@_cluster_options
@json_option
def extract(db_path: Path, redo_all: bool, workers: int | None, scheduler: str | None, as_json: bool) -> None:
    """Read the articles the current extractor has not read, store mentions, merge them into events.

    With --workers N (or --scheduler) the texts are read on a Dask cluster and stored and merged here, in
    the same order as in one process.

    Example: tracker extract --all --workers 2   (re-read every article after a new model, on 2 processes)
    """
    from .pipeline import format_extract_summary, run_extract

    if workers and scheduler:
        raise click.UsageError("give either --workers or --scheduler, not both")
    start, step, close = _bar("Extracting")
    try:
        with writing(db_path) as db:
            summary = run_extract(db, redo_all=redo_all, workers=workers, scheduler=scheduler, progress=step,
                                  on_start=start)
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        close()
    echo_summary(summary, format_extract_summary, "json" if as_json else None)
    if summary.failed:
        sys.exit(1)


@main.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH_OR_GLOB...")
@db_option
@_cluster_options
@click.option("--since", metavar="DATE", help="Keep pages published on or after DATE (YYYY, YYYY-MM or YYYY-MM-DD).")
@click.option("--until", metavar="DATE", help="Keep pages published on or before DATE (same forms).")
@click.option("--publisher", type=click.Choice(["press", "ngo", "regulator", "court"]), default="press",
              show_default=True, help="Publisher type of the archived pages (weighs their events' confidence).")
@json_option
def backfill(paths: tuple[str, ...], db_path: Path, workers: int | None, scheduler: str | None, since: str | None,
             until: str | None, publisher: str, as_json: bool) -> None:
    """Read web archives (WARC, WARC.gz) and store the articles and events they hold.

    A cheap scan skips the pages with no measure word near a service name; the rest are parsed and read
    on a Dask cluster (--workers local processes, default one per core, or --scheduler), and stored here
    in a fixed order. Resumable: progress is kept per chunk, so a run started again reads only what is
    left, and running it twice changes nothing. Pages already stored (same URL or text) are not stored
    again. Exit status 1 when some file or chunk could not be read (the rest is stored).

    Example: tracker backfill 'archives/CC-NEWS-2021*.warc.gz' --db db/tracker.db --since 2021-03
    """
    import os
    import time

    from .backfill.run import backfill as run_backfill
    from .backfill.run import expand, format_summary
    from .export.filters import FilterError, parse_date

    if workers and scheduler:
        raise click.UsageError("give either --workers or --scheduler, not both")
    try:
        first = parse_date(since, "--since", end=False) if since else None
        last = parse_date(until, "--until", end=True) if until else None
    except FilterError as exc:
        raise click.BadParameter(exc.message, param_hint=exc.option) from None
    if first and last and first > last:
        raise click.BadParameter(f"{since} is after --until {until}", param_hint="--since")
    files = expand(paths)  # a path that matches nothing is an error before the database is touched
    state: dict = {}

    def planned(plan) -> None:
        if not plan.todo:
            return
        state["bar"] = click.progressbar(length=max(sum(c.size for c in plan.todo), 1), label="Backfilling",
                                         file=sys.stderr, show_pos=False,
                                         item_show_func=lambda text: text)
        state["bar"].__enter__()
        state["t0"] = time.monotonic()

    def advanced(chunk, result, summary) -> None:
        rate = summary.records / max(time.monotonic() - state["t0"], 1e-6)
        state["bar"].update(chunk.size, f"{summary.records:,} records, {rate:,.0f}/s")

    def merging(n: int) -> None:
        if "bar" in state:
            state.pop("bar").__exit__(None, None, None)
        if n:
            state["bar"] = click.progressbar(length=n, label="Merging into events", file=sys.stderr)
            state["bar"].__enter__()

    try:
        with writing(db_path, create=True) as db:
            summary = run_backfill(db, [str(f) for f in files], workers=workers or os.cpu_count() or 1, scheduler=scheduler,
                                   since=first, until=last, publisher=publisher, on_plan=planned,
                                   progress=advanced, on_merge=merging,
                                   merge_progress=lambda n: state["bar"].update(n) if "bar" in state else None)
    finally:
        if "bar" in state:
            state.pop("bar").__exit__(None, None, None)
    echo_summary(summary, format_summary, "json" if as_json else None)
    if summary.failed:
        sys.exit(1)


@main.command()
@db_option
@click.option("--country", help="ISO code of the acting country, such as RU.")
@click.option("--platform", help="Service, such as Twitter (X also works).")
@click.option("--since", help="Only events dated on or after YYYY, YYYY-MM or YYYY-MM-DD.")
@click.option("--limit", type=click.IntRange(1, 10_000_000), help="Show at most this many events.")
@click.option("--include-rejected", is_flag=True, help="Also list events reviewers rejected or merged.")
@output_options
def events(db_path: Path, country: str | None, platform: str | None, since: str | None, limit: int | None,
           include_rejected: bool, fmt: str | None) -> None:
    """List tracked events, newest first.

    Example: tracker events --country RU --since 2024 --csv > ru.csv
    """
    from .events.query import list_events
    from .render import events_text

    db = reading(db_path)
    try:
        rows = list_events(db, country=country, platform=platform, since=since, limit=limit,
                           include_rejected=include_rejected)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    echo_rows(rows, fmt, events_text)


@main.command()
@db_option
@feeds_option
@_crawl_options
@output_options
def run(db_path: Path, feeds_path: Path, fmt: str | None, **crawl_args: Any) -> None:
    """Crawl the sources that are due, then extract and merge, with one summary at the end.

    Example: tracker run --feeds feeds.toml -t   (one table row per source)
    """
    from .pipeline import format_run_summary, run_pipeline

    sources, options = _crawl_plan(feeds_path, **crawl_args)
    start, step, close = _bar("Extracting")
    try:
        with writing(db_path, create=True) as db, \
                click.progressbar(length=len(sources), label="Crawling", file=sys.stderr) as crawl_bar:
            def crawled(result: object) -> None:
                crawl_bar.update(1)

            def extracting(n: int) -> None:
                crawl_bar.render_finish()
                start(n)

            summary = run_pipeline(db, sources, crawl_options=options, crawl_progress=crawled,
                                   extract_progress=step, on_extract_start=extracting)
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        close()
    echo_summary(summary, format_run_summary, fmt)
    if summary.crawl.failed or summary.extract.failed:
        sys.exit(1)


@main.command()
@output_options
def settings(fmt: str | None) -> None:
    """Show every tunable in effect and where its value came from (models/settings.toml or TRACKER_SETTINGS).

    Example: TRACKER_SETTINGS=my.toml tracker settings -t
    """
    from .render import settings_text
    from .settings import describe

    echo_rows([{"name": n, "value": v, "from": src} for n, v, src in describe()], fmt, settings_text)


# ---- serve (browsing) ------------------------------------------------------


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0 to publish beyond this machine).")
@click.option("--port", type=click.IntRange(0, 65535), default=8001, show_default=True, help="TCP port.")
@click.option("--sql-time-limit-ms", type=click.IntRange(1), default=2000, show_default=True,
              help="Longest any SQL query may run before it is cut.")
@click.option("--immutable", is_flag=True, help="Serve a snapshot: faster, but new events need a restart "
              "(and reviewing on the website is off).")
@db_option
@private_option
def serve(host: str, port: int, sql_time_limit_ms: int, immutable: bool, db_path: Path,
          private_path: Path | None) -> None:
    """Browse the database read-only in Datasette, with facets, canned queries, a map, a chart and a feed;
    reviewers (tracker reviewers add) log in to confirm, correct and reject events.

    Example: tracker serve --port 8001 --immutable
    """
    from .serve import ServeError
    from .serve import serve as run_server

    click.echo(f"serving {db_path} read-only at http://{host}:{port}/tracker (Ctrl-C stops)", err=True)
    try:
        run_server(db_path, host=host, port=port, sql_time_limit_ms=sql_time_limit_ms, immutable=immutable,
                   private_path=private_path)
    except ServeError as exc:
        raise click.ClickException(str(exc)) from exc


# ---- subscribers, digest ---------------------------------------------------


@main.group()
def subscribers() -> None:
    """Manage who receives the weekly digest."""


@contextmanager
def private_writing(db_path: Path, private_path: Path | None, *, create: bool) -> Iterator[Any]:
    """The private database opened for writing, under the public database's writer lock.

    The public database must exist: it anchors where the private one lives, and opening it for
    writing moves private rows an older version kept there (tracker.migrations)."""
    from .db import open_private

    private = private_db_path(db_path, private_path)
    with writing(db_path, private_path=private):
        pdb = open_private(private, create=create)
        try:
            yield pdb
        finally:
            pdb.close()


def private_reading(db_path: Path, private_path: Path | None) -> Any:
    """The private database read-only; the public one is checked too, so a typo in --db is an error."""
    from .db import open_private

    reading(db_path).close()
    return open_private(private_db_path(db_path, private_path), readonly=True)


@subscribers.command("add")
@click.argument("email")
@click.option("--country", "countries", multiple=True, metavar="CODE",
              help="Only events in this country (ISO code); repeat for more. Default: all.")
@click.option("--platform", "platforms", multiple=True, metavar="NAME",
              help="Only events about this platform; repeat for more. Default: all.")
@click.option("--language", "languages", multiple=True, metavar="CODE",
              help="Only events read in this language (ISO 639-1 code of a language tracker reads, such as ru or "
                   "ar); repeat for more. Default: all.")
@db_option
@private_option
@json_option
def subscribers_add(email: str, countries: tuple[str, ...], platforms: tuple[str, ...], languages: tuple[str, ...],
                    db_path: Path, private_path: Path | None, as_json: bool) -> None:
    """Add a subscriber, or replace an existing subscriber's filters.

    Example: tracker subscribers add ana@example.org --country RU --country TR --platform Telegram --language ru
    """
    from .digest.subscribers import add_subscriber, check_languages

    check_languages(languages)  # a bad code is refused before the database is opened for writing
    with private_writing(db_path, private_path, create=True) as private:
        sub, created = add_subscriber(private, email, countries=countries, platforms=platforms,
                                      languages=languages)
    if as_json:
        echo_json({**sub.as_dict(), "created": created})
    else:
        what = "added" if created else "updated"
        filters = ", ".join([*sub.countries, *sub.platforms, *sub.languages]) or "all events"
        click.echo(f"{what} {sub.email} ({filters})")


@subscribers.command("list")
@db_option
@private_option
@output_options
def subscribers_list(db_path: Path, private_path: Path | None, fmt: str | None) -> None:
    """List subscribers and their filters.

    Example: tracker subscribers list --csv
    """
    from .digest.subscribers import list_subscribers
    from .render import subscribers_text

    subs = list_subscribers(private_reading(db_path, private_path))
    if not subs and fmt is None:
        click.echo("no subscribers", err=True)
        return
    echo_rows([s.as_dict() for s in subs], fmt, subscribers_text)


@subscribers.command("remove")
@click.argument("email", required=False)
@click.option("--token", help="Remove the subscriber with this unsubscribe code instead.")
@db_option
@private_option
def subscribers_remove(email: str | None, token: str | None, db_path: Path, private_path: Path | None) -> None:
    """Remove a subscriber (by address or unsubscribe code) and their digest history.

    Example: tracker subscribers remove ana@example.org
    """
    from .digest.subscribers import remove_subscriber

    if bool(email) == bool(token):
        raise click.ClickException("give either EMAIL or --token")
    with private_writing(db_path, private_path, create=False) as private:
        removed = remove_subscriber(private, email, token=token)
    if not removed:
        raise click.ClickException(f"no subscriber {'with that token' if token else email}")
    click.echo(f"removed {email or 'subscriber with that token'}")


@main.command()
@click.option("--week", help="ISO week such as 2026-W47. Default: the last full week.")
@click.option("--send", "do_send", is_flag=True, help="Send the digests (TRACKER_SMTP_* settings).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write .eml previews to this folder instead of sending; records nothing.")
@click.option("--timeout", type=click.FloatRange(0.1, 600), default=30.0, show_default=True,
              help="SMTP timeout in seconds.")
@click.option("--resend-unknown", is_flag=True,
              help="Send again the digests whose connection was lost while they travelled (they may have arrived).")
@db_option
@private_option
@json_option
def digest(week: str | None, do_send: bool, out_dir: Path | None, timeout: float, resend_unknown: bool,
           db_path: Path, private_path: Path | None, as_json: bool) -> None:
    """Build the weekly digest; without --send or --out, only show what would be sent.

    Example: tracker digest --week 2026-W47 --out digests/
    """
    from contextlib import nullcontext

    from .digest.run import run_digest
    from .digest.select import WeekError, parse_week

    if do_send and out_dir:
        raise click.ClickException("use either --send or --out, not both")
    try:
        the_week = parse_week(week) if week else None
    except WeekError as exc:
        raise click.ClickException(str(exc)) from exc
    mode = "send" if do_send else "preview" if out_dir else "plan"
    db = reading(db_path)
    private_cm = (private_writing(db_path, private_path, create=False) if mode == "send"
                  else nullcontext(_private_or_none(db_path, private_path, required=mode == "plan")))
    with private_cm as private:
        n_subs = private.table("subscribers").count if private is not None else 0
        show_bar = mode == "send" and not as_json and n_subs > 5
        try:
            bar_cm = (click.progressbar(length=n_subs, label="sending", file=sys.stderr) if show_bar
                      else nullcontext())
            with bar_cm as bar:
                run = run_digest(db, private, week=the_week, mode=mode, out_dir=out_dir, timeout=timeout,
                                 resend_unknown=resend_unknown,
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


def _private_or_none(db_path: Path, private_path: Path | None, *, required: bool) -> Any:
    """The private database read-only, or None when a preview runs before any subscriber exists."""
    path = private_db_path(db_path, private_path)
    if not path.exists() and not required:
        return None
    return private_reading(db_path, private_path)


# ---- export ----------------------------------------------------------------


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
        click.option("--include-rejected", is_flag=True,
                     help="Keep events reviewers rejected or merged into another (left out by default)."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def _export_db(db_path: Path):
    return reading(db_path)


def _export_filters(db, since, until, countries, platforms, actions, statuses, include_rejected=False):
    from .export import FilterError, parse_filters

    try:
        return parse_filters(db, since=since, until=until, countries=countries, platforms=platforms,
                             actions=actions, statuses=statuses, include_rejected=include_rejected)
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
        f"--since/--until filter on {DATE_FILTER_DOC[kind]}.\n\n"
        f"Example: tracker export {kind} --format jsonl --since 2024 -o {kind}.jsonl",
    )
    @db_option
    @click.option("--format", "fmt", type=click.Choice(FORMATS), default="csv", show_default=True,
                  help="File format: CSV and TSV for spreadsheets, JSON Lines or JSON for programs.")
    @click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, allow_dash=True, path_type=Path),
                  help="File to write, replaced only once complete (default: standard output).")
    @click.option("--bom", is_flag=True, help="Start the CSV with a UTF-8 byte-order mark (for Excel).")
    @_export_filter_options
    def command(db_path: Path, fmt: str, output: Path | None, bom: bool, since: str | None, until: str | None,
                countries: tuple[str, ...], platforms: tuple[str, ...], actions: tuple[str, ...],
                statuses: tuple[str, ...], raw_formulas: bool, include_rejected: bool) -> None:
        import io

        from .export import count_rows, export_file, export_rows

        if bom and fmt != "csv":
            raise click.BadParameter("a byte-order mark is only for CSV", param_hint="--bom")
        db = _export_db(db_path)
        filters = _export_filters(db, since, until, countries, platforms, actions, statuses, include_rejected)
        if output is None or str(output) == "-":
            sys.stdout.flush()
            out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
            try:
                export_rows(db, kind, fmt, out, filters, neutralise_formulas=not raw_formulas, bom=bom)
            finally:
                out.flush()
                out.detach()
            return
        if sys.stderr.isatty():
            with click.progressbar(length=count_rows(db, kind, filters), label=f"exporting {kind}",
                                   file=sys.stderr) as bar:
                n = export_file(db, kind, fmt, output, filters, neutralise_formulas=not raw_formulas,
                                progress=bar.update, bom=bom)
        else:
            n = export_file(db, kind, fmt, output, filters, neutralise_formulas=not raw_formulas, bom=bom)
        click.echo(f"wrote {n} {kind} rows to {output}", err=True)


def _export_kind_commands() -> None:
    from .export.columns import KINDS

    for kind in KINDS:
        _export_kind_command(kind)


_export_kind_commands()


@export_group.command("package")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@db_option
@_export_filter_options
@click.option("--overwrite", is_flag=True, help="Write into DIRECTORY even if it already holds files.")
@json_option
def export_package(directory: Path, db_path: Path, since: str | None, until: str | None,
                   countries: tuple[str, ...], platforms: tuple[str, ...], actions: tuple[str, ...],
                   statuses: tuple[str, ...], raw_formulas: bool, include_rejected: bool, overwrite: bool,
                   as_json: bool) -> None:
    """Write a Frictionless Data Package (CSVs, datapackage.json, CODEBOOK.md) into DIRECTORY.

    Example: tracker export package release-2026-11 --since 2016
    """
    from .export import FilterError, write_package

    db = _export_db(db_path)
    filters = _export_filters(db, since, until, countries, platforms, actions, statuses, include_rejected)

    def show(name: str, n: int) -> None:
        done[name] = done.get(name, 0) + n
        if done[name] % 100_000 == 0:
            click.echo(f"{name}: {done[name]:,} rows", err=True)

    done: dict[str, int] = {}
    try:
        summary = write_package(db, directory, filters, neutralise_formulas=not raw_formulas,
                                overwrite=overwrite, progress=show if sys.stderr.isatty() else None)
    except FilterError as exc:
        raise click.BadParameter(exc.message, param_hint=exc.option) from None
    if as_json:
        echo_json({"directory": str(directory), "rows": summary.rows, "id": summary.descriptor["id"],
                   "citation": summary.descriptor["citation"]})
        return
    for name, n in summary.rows.items():
        click.echo(f"{directory / (name + '.csv')}: {n} rows")
    click.echo(f"cite as: {summary.descriptor['citation']}")


@export_group.command("gold")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@db_option
@json_option
def export_gold(directory: Path, db_path: Path, as_json: bool) -> None:
    """Write every reviewed event's articles, with the reviewed values, in the corpus format (split "review")
    into DIRECTORY/reviewed.jsonl, ready for `tracker train --with-reviews DIRECTORY`.

    Example: tracker export gold reviews/ && tracker train --with-reviews reviews/ --out /tmp/model
    """
    from .review.gold import export_gold as write_gold

    summary = write_gold(reading(db_path), directory)
    if as_json:
        echo_json(summary.as_dict())
        return
    click.echo(f"{summary.path}: {summary.articles} articles from {summary.reviewed_events} reviewed events "
               f"({summary.events} events kept, {summary.rejected} rejected)")


def _register_review_commands() -> None:
    from .review.commands import register

    register(main)


_register_review_commands()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
