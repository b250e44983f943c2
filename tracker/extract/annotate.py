"""The `tracker annotate` batch tool (contracts section 2): JSONL in, one JSONL line out per line in.

Bad lines (blank, not JSON, not an object, no id or text, empty or binary text, text too long)
get an error line naming what was wrong and are reported on stderr with their line number; the
other lines are still annotated, so output line N always answers input line N. Every output line
carries the extractor version, so a result can be traced to the rules and models that made it.
Several worker processes may share the work; each loads the models once.
"""

from __future__ import annotations

import json
import multiprocessing
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from .. import vocabulary
from ..languages import detect
from ..outputs import output_file

#: Longer texts are refused: no news article comes close, and parsing one would hold a worker for minutes.
MAX_TEXT_CHARS = 2_000_000
CONTRACT_FIELDS = vocabulary.event_fields()
#: Key of the version stamp in every output line.
VERSION_KEY = "extractor_version"


@dataclass
class AnnotateSummary:
    lines: int = 0
    annotated: int = 0
    errors: int = 0
    events: int = 0
    skipped: int = 0  # texts in a language without a pack (reported on stderr, never silently)
    languages: dict = field(default_factory=dict)  # language -> texts annotated in it
    messages: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.errors == 0


def _looks_binary(text: str) -> bool:
    sample = text[:10_000]
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\n\r\t") or ch == "\ufffd")
    return bad > max(3, len(sample) // 100)


def check_line(raw: bytes) -> tuple[dict | None, str | None, object]:
    """(record, error, id) for one input line; exactly one of record and error is set."""
    if not raw.strip():
        return None, "blank line (expected a JSON object)", None
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, f"line is not valid UTF-8 (byte {exc.start})", None
    try:
        rec = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, f"not valid JSON: {exc.msg} at column {exc.colno}", None
    except RecursionError:
        return None, "not valid JSON: nested too deeply", None
    if not isinstance(rec, dict):
        return None, f"expected a JSON object, got {type(rec).__name__}", None
    rid = rec.get("id")
    if rid is None or (isinstance(rid, str) and not rid.strip()):
        return None, "missing 'id'", None
    if isinstance(rid, bool) or not isinstance(rid, (str, int)):
        return None, f"'id' must be a string, got {type(rid).__name__}", None
    if "text" not in rec or rec["text"] is None:
        return None, "missing 'text'", rid
    text = rec["text"]
    if not isinstance(text, str):
        return None, f"'text' must be a string, got {type(text).__name__}", rid
    if not text.strip():
        return None, "'text' is empty", rid
    if len(text) > MAX_TEXT_CHARS:
        return None, f"'text' is {len(text):,} characters, more than the {MAX_TEXT_CHARS:,} allowed", rid
    if _looks_binary(text):
        return None, "'text' looks like binary data, not prose", rid
    for key in ("published", "title"):
        if rec.get(key) is not None and not isinstance(rec[key], str):
            rec[key] = None
    return rec, None, rid


def annotate_record(rec: dict) -> tuple[dict, str | None, str | None]:
    """Events of one good record (without the version stamp), a note for stderr (a skipped language), and the
    language it was read in. The record's `language` is used when it gives one; else it is detected."""
    from .extractor import extract_events, skipped

    rid = str(rec["id"])
    text = rec["text"]
    try:
        given = rec.get("language")
        lang = given.lower() if isinstance(given, str) and given.strip() else (detect(text) or "en")
        note = skipped(lang)
        if note:
            return {"id": rid, "language": lang, "events": [], "skipped": note}, note, lang
        events = extract_events(text, rec.get("published"), rec.get("title"), language=lang)
    except Exception as exc:  # noqa: BLE001 - one bad text never stops the batch
        return {"id": rid, "error": f"extraction failed: {type(exc).__name__}: {exc}"}, None, None
    return {"id": rid, "language": lang, "events": [{k: ev.get(k) for k in CONTRACT_FIELDS} for ev in events]}, \
        None, lang


@dataclass
class Result:
    """The answer to one input line."""

    line: int
    output: dict  # the output line: {"id", "events"} or {"id", "error"}
    note: str | None = None  # something to say on stderr about a good line
    language: str | None = None  # the language the text was read in

    @property
    def bad(self) -> bool:
        return "error" in self.output


def annotate_line(n: int, raw: bytes) -> Result:
    """Check and annotate input line number n (raw bytes, without the line end)."""
    rec, error, rid = check_line(raw)
    if error:
        return Result(n, {"id": None if rid is None else str(rid), "error": f"line {n}: {error}"})
    out, note, lang = annotate_record(rec)
    return Result(n, out, note, lang)


def _work(item: tuple[int, bytes]) -> Result:
    return annotate_line(*item)


def read_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """(line number, raw line) for every line of the file, blank ones included."""
    with path.open("rb") as fh:
        for n, raw in enumerate(fh, 1):
            yield n, raw.rstrip(b"\r\n")


def annotate_lines(lines: Iterable[tuple[int, bytes]], workers: int = 1) -> Iterator[Result]:
    """Results in input order; with workers > 1 a bounded window of lines is in flight at once."""
    if workers <= 1:
        for n, raw in lines:
            yield annotate_line(n, raw)
        return
    window = workers * 8
    # forkserver, not fork: a fork of a process whose torch/BLAS threads are running can hang.
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending: deque[Future] = deque()
        for item in lines:
            pending.append(pool.submit(_work, item))
            if len(pending) >= window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def annotate_file(
    in_path: str | Path,
    out_path: str | Path,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
    err: TextIO | None = None,
) -> AnnotateSummary:
    """Annotate every line of a JSONL file into another (same order, one output line per input line)."""
    from .version import extractor_version

    err = err or sys.stderr
    src, dst = Path(in_path), Path(out_path)
    version = extractor_version()
    summary = AnnotateSummary()
    with output_file(dst, inputs=[src], newline=None) as out:
        for res in annotate_lines(read_lines(src), workers=workers):
            summary.lines += 1
            rec = res.output
            if res.bad:
                summary.errors += 1
                msg = f"{src}:{res.line}: {rec['error'].removeprefix(f'line {res.line}: ')}"
                summary.messages.append(msg)
                print(msg, file=err)
            else:
                summary.annotated += 1
                summary.events += len(rec["events"])
                if res.note:
                    summary.skipped += 1
                    print(f"{src}:{res.line}: id {rec['id']}: {res.note}", file=err)
                elif res.language:
                    summary.languages[res.language] = summary.languages.get(res.language, 0) + 1
            rec[VERSION_KEY] = version
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
            if progress:
                progress(1)
    return summary
