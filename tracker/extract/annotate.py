"""The `tracker annotate` batch tool (contracts section 2): JSONL in, one JSONL line out per line in.

Bad lines (not JSON, not an object, no id or text, empty or binary text, text too long) get an
error line naming what was wrong and are reported on stderr with their line number; the other
lines are still annotated. Several worker processes may share the work; each loads the models
once.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .language import detect_language

MAX_TEXT_CHARS = 2_000_000
CONTRACT_FIELDS = ("country", "platform", "action", "status", "actor", "date", "scope", "justification",
                   "justification_category", "evidence", "confidence")


@dataclass
class AnnotateSummary:
    lines: int = 0
    annotated: int = 0
    errors: int = 0
    events: int = 0
    not_english: int = 0
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
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, f"line is not valid UTF-8 (byte {exc.start})", None
    try:
        rec = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, f"not valid JSON: {exc.msg} at column {exc.colno}", None
    if not isinstance(rec, dict):
        return None, f"expected a JSON object, got {type(rec).__name__}", None
    rid = rec.get("id")
    if rid is None or (isinstance(rid, str) and not rid.strip()):
        return None, "missing 'id'", None
    if not isinstance(rid, (str, int)):
        return None, "'id' must be a string", rid
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
    published = rec.get("published")
    if published is not None and not isinstance(published, str):
        rec["published"] = None
    title = rec.get("title")
    if title is not None and not isinstance(title, str):
        rec["title"] = None
    return rec, None, rid


def annotate_record(rec: dict) -> tuple[dict, str | None]:
    """Output line for one good record, plus a note for stderr (e.g. not English)."""
    from .extractor import extract_events

    rid = str(rec["id"])
    text = rec["text"]
    lang = detect_language(text)
    if lang not in (None, "en"):
        return {"id": rid, "events": []}, f"not English (detected '{lang}'): no events"
    try:
        events = extract_events(text, rec.get("published"), rec.get("title"))
    except Exception as exc:  # one bad text never stops the batch
        return {"id": rid, "error": f"extraction failed: {type(exc).__name__}: {exc}"}, "extraction failed"
    return {"id": rid, "events": [{k: ev[k] for k in CONTRACT_FIELDS} for ev in events]}, None


def _work(item: tuple[int, bytes]) -> tuple[int, dict, str | None, bool]:
    n, raw = item
    rec, error, rid = check_line(raw)
    if error:
        return n, {"id": None if rid is None else str(rid), "error": f"line {n}: {error}"}, error, True
    out, note = annotate_record(rec)
    return n, out, note, "error" in out


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    with path.open("rb") as fh:
        for n, raw in enumerate(fh, 1):
            raw = raw.rstrip(b"\r\n")
            if raw.strip():
                yield n, raw


def annotate_file(
    in_path: str | Path,
    out_path: str | Path,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
    err=None,
) -> AnnotateSummary:
    """Annotate every line of a JSONL file into another (same order, one output line per input line)."""
    err = err or sys.stderr
    src, dst = Path(in_path), Path(out_path)
    summary = AnnotateSummary()
    if workers > 1:
        pool = ProcessPoolExecutor(max_workers=workers)
        results = pool.map(_work, _lines(src), chunksize=4)
    else:
        pool = None
        results = map(_work, _lines(src))
    try:
        with dst.open("w", encoding="utf-8") as out:
            for n, rec, note, bad in results:
                summary.lines += 1
                if bad:
                    summary.errors += 1
                    msg = f"{src}:{n}: {rec['error'].split(': ', 1)[-1]}"
                    summary.messages.append(msg)
                    print(msg, file=err)
                else:
                    summary.annotated += 1
                    summary.events += len(rec["events"])
                    if note:
                        summary.not_english += 1
                        print(f"{src}:{n}: id {rec['id']}: {note}", file=err)
                out.write(json.dumps(rec, ensure_ascii=False) + "\n")
                if progress:
                    progress(1)
    finally:
        if pool is not None:
            pool.shutdown()
    return summary
