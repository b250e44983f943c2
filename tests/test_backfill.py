"""`tracker backfill`: web archives written by the tests (warcio) read on a real Dask cluster into real SQLite files.

Most tests run against one real `dask scheduler` and `dask worker` started on 127.0.0.1 for the module (the
worker loads the models once); the kill-and-resume test and `extract --workers` start local clusters of
their own. Every process of the module runs with an audit hook that records any connection to an address
outside 127.0.0.1; there must be none.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.archives import (
    CONCERT,
    EVENTS,
    LK_BLOCK,
    MARKETS,
    ORDINARY,
    UG_BLOCK,
    UG_LIFT,
    Record,
    page,
    story_record,
    write_warc,
)
from tracker.backfill.run import backfill
from tracker.cli import main

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent

#: Loaded by every Python process of this module (PYTHONPATH): writes each connection to an address other than
#: loopback or a Unix socket into $TRACKER_TEST_CONNECT_LOG.
SITECUSTOMIZE = '''
import os, sys
def _hook(event, args):
    if event == "socket.connect" and len(args) > 1:
        addr = args[1]
        host = addr[0] if isinstance(addr, tuple) else str(addr)
        if not (host.startswith("127.") or host in ("::1", "localhost") or host.startswith("/") or host == ""):
            with open(os.environ["TRACKER_TEST_CONNECT_LOG"], "a") as fh:
                fh.write(f"{os.getpid()} {addr!r}\\n")
if os.environ.get("TRACKER_TEST_CONNECT_LOG"):
    sys.addaudithook(_hook)
'''


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> dict[str, str]:
    """The environment of every process the module starts: this checkout, its models, the connection log."""
    folder = tmp_path_factory.mktemp("hook")
    (folder / "sitecustomize.py").write_text(SITECUSTOMIZE)
    log = folder / "connects.log"
    log.touch()
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(folder), str(ROOT)]),
            "TRACKER_MODELS_DIR": os.environ.get("TRACKER_MODELS_DIR", str(ROOT / "models")),
            "TRACKER_TEST_CONNECT_LOG": str(log)}


def _wait_for(path: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists() or not path.read_text().strip():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{path} did not appear")
        time.sleep(0.2)


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory, env) -> str:
    """A real Dask scheduler and one worker on 127.0.0.1 (`dask scheduler`, `dask worker`); its address."""
    folder = tmp_path_factory.mktemp("dask")
    info = folder / "scheduler.json"
    dask = str(Path(sys.executable).with_name("dask"))
    procs = [subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                               "--scheduler-file", str(info)], env=env, cwd=folder,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        _wait_for(info, 60)
        procs.append(subprocess.Popen([dask, "worker", "--scheduler-file", str(info), "--host", "127.0.0.1",
                                       "--nworkers", "1", "--nthreads", "1", "--no-dashboard"], env=env, cwd=folder,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        yield json.loads(info.read_text())["address"]
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in reversed(procs):
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
    assert Path(env["TRACKER_TEST_CONNECT_LOG"]).read_text() == "", "a process connected beyond 127.0.0.1"


def rows(db_path: Path, sql: str) -> list[tuple]:
    with closing(sqlite3.connect(db_path)) as conn:
        return conn.execute(sql).fetchall()


def snapshot(db_path: Path) -> dict[str, list[tuple]]:
    """What a backfill leaves, times of writing aside."""
    return {
        "articles": rows(db_path, "SELECT id, source, url, original_url, title, published, content_hash, fetched_at,"
                                  " archive_record, extractor_version FROM articles ORDER BY id"),
        "mentions": rows(db_path, "SELECT id, article_id, position, country, platform, action, status, date,"
                                  " evidence_start, evidence_end FROM mentions ORDER BY id"),
        "events": rows(db_path, "SELECT id, country, platform, action_class, status, date, lifted_date, n_mentions,"
                                " n_sources FROM events ORDER BY id"),
        "event_sources": rows(db_path, "SELECT event_id, mention_id, article_id FROM event_sources ORDER BY 1, 2"),
        "chunks": rows(db_path, "SELECT path, start, end, date_range, stored FROM archive_chunks ORDER BY id"),
    }


def run(db_path: Path, paths: list[Path], scheduler: str, **options):
    from tracker.db import open_db

    db = open_db(db_path, create=True)
    try:
        return backfill(db, [str(p) for p in paths], scheduler=scheduler, **options)
    finally:
        db.close()


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    """The stories, the ordinary pages and the records archives also hold."""
    from tests.archives import junk_records

    folder = tmp_path_factory.mktemp("warc")
    return write_warc(folder / "news-2024.warc.gz",
                      [story_record(s, date=f"2024-05-0{i + 1}T10:00:00Z") for i, s in enumerate(EVENTS + ORDINARY)]
                      + junk_records())


def test_known_pages_give_their_articles_and_events(archive, scheduler, tmp_path):
    db_path = tmp_path / "t.db"
    summary = run(db_path, [archive], scheduler)
    assert (summary.files, summary.chunks, summary.chunks_read, summary.chunks_failed) == (1, 1, 1, 0)
    # warcinfo + 5 stories + 6 other records; the redirect and the image are passed over, the rest counted
    assert (summary.records, summary.pages, summary.parsed, summary.stored) == (12, 7, 3, 3)
    assert summary.scanned_out == 3  # the market report, the concert (YouTube, no measure), the empty page
    assert summary.skipped == {"not_200": 1, "not_html": 1}
    assert summary.failures == {"binary": 1, "not_http": 1}
    articles = {r[0]: r[1:] for r in rows(db_path, "SELECT original_url, source, published, fetched_at,"
                                                   " archive_record FROM articles")}
    assert set(articles) == {s.url for s in EVENTS}
    source, published, fetched, record = articles[UG_BLOCK.url]
    assert (source, published, fetched) == ("warc:news-2024.warc.gz", "2021-01-13", "2024-05-01T10:00:00Z")
    assert record.startswith("urn:uuid:")
    assert rows(db_path, "SELECT type, publisher, enabled FROM sources") == [("warc", "press", 0)]
    keys = set(rows(db_path, "SELECT country, platform, action_class FROM events"))
    assert {("UG", "Facebook", "restrict"), ("LK", "Facebook", "restrict"), ("LK", "WhatsApp", "restrict")} <= keys
    (status,) = rows(db_path, "SELECT status FROM events WHERE country = 'UG' AND platform = 'Facebook'")
    assert status == ("lifted",)  # the February story lifted the January block
    assert summary.merged.new_events == len(rows(db_path, "SELECT id FROM events"))


def test_running_again_changes_nothing(archive, scheduler, tmp_path):
    db_path = tmp_path / "t.db"
    run(db_path, [archive], scheduler)
    before = snapshot(db_path)
    again = run(db_path, [archive], scheduler)
    assert (again.chunks, again.chunks_done_before, again.chunks_read, again.records) == (1, 1, 0, 0)
    assert again.workers == 0  # nothing to read: no cluster was even joined
    assert snapshot(db_path) == before


def test_since_and_until_keep_the_pages_published_in_range(archive, scheduler, tmp_path):
    db_path = tmp_path / "t.db"
    first = run(db_path, [archive], scheduler, since="2021-01-01", until="2021-12-31")
    assert first.stored == 2 and first.out_of_range == 1
    assert {r[0] for r in rows(db_path, "SELECT original_url FROM articles")} == {UG_BLOCK.url, UG_LIFT.url}
    assert not rows(db_path, "SELECT id FROM events WHERE country = 'LK'")
    # another range reads the file again: what it adds is the 2019 story, nothing twice
    wider = run(db_path, [archive], scheduler, since="2019-01-01")
    assert (wider.stored, wider.duplicates) == (1, 2)
    assert len(rows(db_path, "SELECT id FROM articles")) == 3
    assert rows(db_path, "SELECT count(*) FROM events WHERE country = 'LK'")[0][0] >= 3


def test_a_crawled_page_is_not_stored_twice(archive, scheduler, server, tmp_path):
    """The crawler stored the Ugandan story first: the archive's copy, under its tracking-parameter URL or as the
    same text at another address, adds no article and no mention."""
    from tracker.crawl import CrawlOptions
    from tracker.crawl.http import HttpOptions
    from tracker.db import open_db
    from tracker.pipeline import run_pipeline
    from tracker.sources import Source

    server.expect_request("/robots.txt").respond_with_data("User-agent: *\nAllow: /\n", content_type="text/plain")
    server.expect_request("/feed.xml").respond_with_data(
        f"<?xml version='1.0'?><rss version='2.0'><channel><title>w</title><link>{server.url_for('/')}</link>"
        f"<description>d</description><item><title>{UG_BLOCK.title}</title><link>{server.url_for('/ug.html')}"
        "</link><pubDate>Wed, 13 Jan 2021 09:00:00 +0000</pubDate></item></channel></rss>",
        content_type="application/rss+xml")
    server.expect_request("/ug.html").respond_with_data(page(UG_BLOCK), content_type="text/html; charset=utf-8")
    db_path = tmp_path / "t.db"
    db = open_db(db_path, create=True)
    try:
        run_pipeline(db, [Source(name="wire", url=server.url_for("/feed.xml"), type="rss", publisher="press")],
                     crawl_options=CrawlOptions(http=HttpOptions(delay=0, retries=0), allow_private=True))
    finally:
        db.close()
    crawled = snapshot(db_path)
    assert len(crawled["articles"]) == 1 and crawled["mentions"]
    copies = write_warc(tmp_path / "copies.warc.gz", [
        story_record(UG_BLOCK, url=server.url_for("/ug.html") + "?utm_source=feed&utm_medium=rss"),
        story_record(UG_BLOCK, url="https://mirror.example.com/uganda"),
    ])
    summary = run(db_path, [copies], scheduler)
    assert (summary.parsed, summary.stored, summary.duplicates) == (2, 0, 2)
    after = snapshot(db_path)
    assert {k: after[k] for k in ("articles", "mentions", "events")} == \
        {k: crawled[k] for k in ("articles", "mentions", "events")}


def test_a_truncated_archive_is_read_up_to_the_cut(scheduler, tmp_path):
    whole = write_warc(tmp_path / "whole.warc.gz", [story_record(s) for s in (UG_BLOCK, MARKETS, LK_BLOCK)])
    data = whole.read_bytes()
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(data[:len(data) - 300])  # the Sri Lankan story loses its end
    summary = run(tmp_path / "t.db", [cut], scheduler)
    assert summary.failures == {"truncated": 1}
    assert (summary.stored, summary.chunks_failed) == (1, 0)
    assert rows(tmp_path / "t.db", "SELECT original_url FROM articles") == [(UG_BLOCK.url,)]


def test_bad_input_is_one_line_and_stores_the_rest(archive, scheduler, tmp_path):
    runner = CliRunner()
    db_path = tmp_path / "t.db"
    missing = runner.invoke(main, ["backfill", str(tmp_path / "nothing-*.warc.gz"), "--db", str(db_path),
                                   "--scheduler", scheduler])
    assert missing.exit_code == 1 and "no file matches" in missing.output and not db_path.exists()
    bad_date = runner.invoke(main, ["backfill", str(archive), "--db", str(db_path), "--since", "2021-13"])
    assert bad_date.exit_code == 2 and "--since" in bad_date.output
    both = runner.invoke(main, ["backfill", str(archive), "--workers", "2", "--scheduler", scheduler])
    assert both.exit_code == 2 and "either --workers or --scheduler" in both.output
    text = tmp_path / "notes.warc"
    text.write_text("these are notes, not an archive\n")
    out = runner.invoke(main, ["backfill", str(text), str(archive), "--db", str(db_path), "--scheduler", scheduler,
                               "--json"])
    assert out.exit_code == 1, out.output
    result = json.loads(out.stdout[out.stdout.index("{"):])
    assert result["failures"]["not_warc"] == 1 and "notes.warc: not a WARC file" in result["errors"][0]
    assert result["articles_stored"] == 3


def test_the_command_on_a_real_scheduler(archive, scheduler, tmp_path, env):
    """`tracker backfill --scheduler` in its own process, against the module's `dask scheduler`."""
    db_path = tmp_path / "t.db"
    out = subprocess.run([sys.executable, "-m", "tracker.cli", "backfill", str(archive.parent / "*.warc.gz"),
                          "--db", str(db_path), "--scheduler", scheduler], env=env, capture_output=True, text=True, check=False,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    assert "records read: 12" in out.stdout and "articles stored: 3" in out.stdout
    assert "failures: binary 1, not_http 1" in out.stdout
    assert "Backfilling" in out.stderr  # the progress bar (on a terminal it shows records/s and the time left)


def many_stories(n: int) -> list[Record]:
    """n pages stating measures, each its own text, dated one a day, for chunks that take a while to read."""
    out = []
    for i in range(n):
        base = EVENTS[i % len(EVENTS)]
        story = type(base)(f"{base.url}-{i}", base.published, base.title,
                           base.text + f"\n\nReported by desk {i}, in a bulletin of {i + 3} items.")
        out.append(story_record(story, date=f"2024-06-{1 + i % 28:02d}T08:00:00Z"))
    return out


def test_killed_and_started_again_it_finishes_with_no_duplicate_and_no_loss(scheduler, tmp_path, env):
    """A real `tracker backfill --workers 1` is killed (SIGKILL, with its local cluster) once it has stored some
    chunks and not all; started again (on the module's cluster: a run may move to another) it stores the rest,
    and the database is the one an uninterrupted run makes."""
    warc = write_warc(tmp_path / "many.warc.gz", many_stories(48))
    settings = tmp_path / "settings.toml"
    settings.write_text("[backfill]\nchunk_bytes = 2048\n")  # a page or two a chunk
    env = {**env, "TRACKER_SETTINGS": str(settings)}
    reference = tmp_path / "reference.db"
    whole = subprocess.run([sys.executable, "-m", "tracker.cli", "backfill", str(warc), "--db", str(reference),
                            "--scheduler", scheduler], env=env, capture_output=True, text=True, timeout=600, check=False)
    assert whole.returncode == 0, whole.stderr
    total = len(rows(reference, "SELECT id FROM archive_chunks"))
    assert total >= 8

    db_path = tmp_path / "t.db"
    args = [sys.executable, "-m", "tracker.cli", "backfill", str(warc), "--db", str(db_path), "--workers", "1"]
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    done = 0
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                done = rows(db_path, "SELECT count(*) FROM archive_chunks")[0][0]
            except sqlite3.Error:
                done = 0
            if done >= 2:
                break
            time.sleep(0.05)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the command and its cluster's processes, at once
        proc.wait(timeout=30)
    assert 2 <= done < total, f"killed after {done} of {total} chunks"
    resumed = subprocess.run([*args[:-2], "--scheduler", scheduler, "--json"], env=env, capture_output=True,
                             text=True, timeout=600, check=False)
    assert resumed.returncode == 0, resumed.stderr
    result = json.loads(resumed.stdout[resumed.stdout.index("{"):])
    assert result["chunks_done_before"] >= done and result["chunks_read"] == total - result["chunks_done_before"]
    got, want = snapshot(db_path), snapshot(reference)
    for table in ("articles", "mentions", "events", "event_sources"):
        assert [r[1:] if table == "articles" else r for r in got[table]] == \
            [r[1:] if table == "articles" else r for r in want[table]], table
    assert len(got["chunks"]) == total


def test_a_merge_stopped_inside_a_batch_leaves_whole_batches(scheduler, tmp_path):
    """The writer merges the readings a batch of articles to a transaction: stopped by a failure inside a batch,
    the batches before it stay merged and the whole failing batch is left, readings included; merged again,
    the database is the one an uninterrupted run makes."""
    from tracker.backfill.store import merge_readings
    from tracker.db import open_db
    from tracker.events.extraction import READING_ORDER, ExtractSummary

    class Stop(Exception):
        pass

    def stop(_unmerged: int) -> None:
        raise Stop

    warc = write_warc(tmp_path / "many.warc.gz", many_stories(10))
    reference = tmp_path / "reference.db"
    run(reference, [warc], scheduler)
    db_path = tmp_path / "t.db"
    with pytest.raises(Stop):
        run(db_path, [warc], scheduler, on_merge=stop)  # everything stored, nothing merged yet
    order = [r[0] for r in rows(db_path, "SELECT id FROM articles WHERE id IN (SELECT article_id FROM"
                                         f" archive_readings) ORDER BY {READING_ORDER}")]
    assert len(order) >= 6
    (kept,) = rows(db_path, f"SELECT mentions FROM archive_readings WHERE article_id = {order[5]}")[0]
    with closing(sqlite3.connect(db_path)) as conn, conn:
        conn.execute("UPDATE archive_readings SET mentions = '[{' WHERE article_id = ?", [order[5]])
    db = open_db(db_path)
    try:
        with pytest.raises(json.JSONDecodeError):
            merge_readings(db, ExtractSummary(), batch=2)  # batches [0 1] [2 3] merge; [4 5] fails on its second
        assert {r[0] for r in rows(db_path, "SELECT DISTINCT article_id FROM mentions")} == set(order[:4])
        assert {r[0] for r in rows(db_path, "SELECT article_id FROM archive_readings")} == set(order[4:])
        with closing(sqlite3.connect(db_path)) as conn, conn:
            conn.execute("UPDATE archive_readings SET mentions = ? WHERE article_id = ?", [kept, order[5]])
        merge_readings(db, ExtractSummary(), batch=2)
    finally:
        db.close()
    got, want = snapshot(db_path), snapshot(reference)
    for table in ("articles", "mentions", "events", "event_sources"):
        assert got[table] == want[table], table
    assert rows(db_path, "SELECT count(*) FROM archive_readings") == [(0,)]


def test_extract_on_a_cluster_reads_as_one_process(scheduler, tmp_path, env):
    """`tracker extract --scheduler` (the executor of `--workers N` and of the backfill) stores and merges what
    one process would."""
    from tracker.db import open_db
    from tracker.pipeline import run_extract

    def fill(path: Path) -> None:
        db = open_db(path, create=True)
        try:
            db.execute("INSERT INTO sources (name, url, type, publisher) VALUES ('wire', 'http://127.0.0.1/f',"
                       " 'rss', 'press')")
            for i, s in enumerate((*EVENTS, *ORDINARY, CONCERT, UG_BLOCK)):
                db.table("articles").insert({"source": "wire", "url": f"{s.url}?copy={i}", "title": s.title,
                                             "text": s.text + f"\n\nDesk {i}.", "published": s.published,
                                             "language": "en", "content_hash": f"h{i}",
                                             "fetched_at": "2024-01-01T00:00:00Z"})
            db.conn.commit()
        finally:
            db.close()

    one, two = tmp_path / "one.db", tmp_path / "two.db"
    fill(one)
    fill(two)
    db = open_db(one)
    try:
        run_extract(db)
    finally:
        db.close()
    out = subprocess.run([sys.executable, "-m", "tracker.cli", "extract", "--db", str(two), "--scheduler",
                          scheduler, "--json"], env=env, capture_output=True, text=True, timeout=600, check=False)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout[out.stdout.index("{"):])["articles"] == 7
    a, b = snapshot(one), snapshot(two)
    assert (a["mentions"], a["events"], a["event_sources"]) == (b["mentions"], b["events"], b["event_sources"])
    assert a["events"]


#: Run in a process of its own: a local cluster of two workers, and what each worker says of itself.
FORKED_PROBE = '''
import json, os, sys
from tracker.executor import cluster

def probe():
    from tracker.backfill.work import extractor
    warmed = sys.modules.get("tracker.warmup")
    cmdline = open(f"/proc/{os.getppid()}/cmdline", "rb").read().decode(errors="replace")
    return {"pid": os.getpid(), "parent": os.getppid(), "parent_cmdline": cmdline,
            "loaded_in": getattr(warmed, "LOADED_IN", None), "version": extractor()[1],
            "blas_threads": os.environ.get("OMP_NUM_THREADS")}

if __name__ == "__main__":
    with cluster(2) as client:
        workers = list(client.run(probe).values())
    from tracker.extract.nlp import get_embedder
    import torch
    get_embedder()  # the writer's, for the merge after the workers are done
    print(json.dumps({"workers": workers, "encoder_threads": torch.get_num_threads(),
                      "cores": len(os.sched_getaffinity(0))}))
'''


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="local workers are forked on Linux only")
def test_local_workers_are_forked_from_one_process_that_loaded_the_models(tmp_path, env):
    """A local cluster's workers start as copies of one forkserver that loaded the models before forking them
    (tracker.warmup), not each loading them again; they read with this tracker's extractor and one BLAS
    thread each, as spawned workers do. The writer's sentence encoder still uses every core, although
    starting the cluster set OMP_NUM_THREADS=1 in the writer's environment too."""
    from tracker.events.extraction import default_extractor

    script = tmp_path / "probe.py"
    script.write_text(FORKED_PROBE)
    out = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=300,
                         check=False)
    assert out.returncode == 0, out.stderr
    found = json.loads(out.stdout.strip().splitlines()[-1])
    workers = found["workers"]
    assert len(workers) == 2
    assert len({w["parent"] for w in workers}) == 1  # one forkserver for both
    for w in workers:
        assert w["loaded_in"] == w["parent"] != w["pid"]  # loaded by the parent, before the fork
        assert "multiprocessing.forkserver" in w["parent_cmdline"] and "tracker.warmup" in w["parent_cmdline"]
        assert w["version"] == default_extractor()[1]
        assert w["blas_threads"] == "1"
    assert found["encoder_threads"] == found["cores"]
