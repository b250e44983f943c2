"""Text renderings of what commands report, in one place (the CLI prints them; --json prints the data)."""

from __future__ import annotations

import io

from .rowformats import write


def _table(rows: list[list], names: list[str]) -> str:
    buf = io.StringIO()
    write(rows, names, "table", buf)
    return buf.getvalue().rstrip("\n")


def events_text(rows: list[dict]) -> str:
    """`tracker events`: a table of the columns a reader scans first, then the count."""
    if not rows:
        return "no events"
    names = ["id", "status", "date", "action", "sources", "conf", "evidence"]
    table = [[r["id"], r["status"], r["date"], r["action"], r["n_sources"] or 0, f"{(r['confidence'] or 0):.2f}",
              r["evidence"]] for r in rows]
    return _table(table, names) + f"\n{len(rows)} event{'s' if len(rows) != 1 else ''}"


def settings_text(rows: list[dict]) -> str:
    """`tracker settings`: name = value, and where a value came from when it is not the default file."""
    return "\n".join(f"{r['name']} = {r['value']!r}" + ("" if r["from"] == "models/settings.toml" else
                                                       f"    # from {r['from']}") for r in rows)


def subscribers_text(rows: list[dict]) -> str:
    """`tracker subscribers list`: one line per subscriber with their filters."""
    return "\n".join(f"{s['email']}\tcountries: {','.join(s['countries']) or 'all'}\t"
                     f"platforms: {','.join(s['platforms']) or 'all'}\t"
                     f"languages: {','.join(s['languages']) or 'all'}\tsince {s['created_at']}" for s in rows)


def _scores(label: str, ev: dict) -> str:
    return (f"{label:<15}precision {ev['precision']:.3f}  recall {ev['recall']:.3f}  F1 {ev['f1']:.3f}"
            f"  (tp {ev['tp']}, fp {ev['fp']}, fn {ev['fn']})")


def eval_text(data: dict, source: str, errors: bool) -> str:
    """`tracker eval`: events, documents, fields, then per language and class, calibration and errors."""
    ev, docs, fields = data["events"], data["documents_relevance"], data["matched_fields"]
    lines = [f"extractor {data['extractor_version']} on {source} ({data['documents']} documents)",
             _scores("events", ev),
             f"documents  precision {docs['precision']:.3f}  recall {docs['recall']:.3f}",
             "matched    " + "  ".join(f"{k} {v:.3f}" for k, v in fields.items())]
    if len(data["languages"]) > 1:
        lines.append("by language")
        for lang, d in data["languages"].items():
            lines.append("  " + _scores(f"{lang} ({d['documents']})", d["events"])
                         + f"  doc P {d['documents_relevance']['precision']:.3f}")
    lines.append("by class")
    for klass, c in data["classes"].items():
        lines.append("  " + _scores(klass, c))
    cal = data["calibration"]
    lines.append(f"calibration (expected calibration error {cal['ece']:.3f})")
    for b in cal["bands"]:
        lines.append(f"  confidence {b['band']}: {b['predictions']:4} predictions, mean {b['mean_confidence']:.3f},"
                     f" observed precision {b['observed_precision']:.3f}")
    if errors:
        for err in data["errors"]:
            e = err["event"]
            lines.append(f"{err['id']}\t{err['kind']:5}\t{'/'.join(err['key'])}\t{e.get('action')}/"
                         f"{e.get('status')}\t{e.get('date')}\t{(e.get('evidence') or '')[:110]}")
        for fe in data["field_errors"]:
            lines.append(f"{fe['id']}\tfield\t{'/'.join(fe['key'])}\t{fe['field']}: predicted "
                         f"{fe['predicted']!r} gold {fe['gold']!r}")
    return "\n".join(lines)


def queue_text(rows: list[dict]) -> str:
    """`tracker review queue`: what to review first, one line each."""
    if not rows:
        return "nothing to review"
    names = ["priority", "id", "status", "sources", "conf", "evidence"]
    table = [[f"{r['priority']:.3f}", r["id"] + (" (changed since review)" if r["review_stale"] else ""),
              r["status"], r["n_sources"] or 0, f"{(r['confidence'] or 0):.2f}", r["evidence"]] for r in rows]
    return _table(table, names)


def review_show_text(data: dict) -> str:
    """`tracker review show`: fields (the machine's value beside a corrected one), sources, reviews."""
    machine = data["machine_values"]
    lines = []
    for name, value in data["event"].items():
        extra = f"   (machine: {machine[name]})" if name in machine else ""
        lines.append(f"{name:<23}{'' if value is None else value}{extra}")
    lines.append(f"\nsources ({len(data['sources'])})")
    for s in data["sources"]:
        lines.append(f"  {s['published'] or '?':<10}  {s['source'] or ''} ({s['publisher'] or '?'})  {s['url']}")
        lines.append(f"      \u201c{s['evidence'] or ''}\u201d")
    lines.append(f"\nreviews ({len(data['reviews'])})")
    for r in data["reviews"]:
        lines.append("  " + review_line(r))
    return "\n".join(lines)


def review_line(r: dict) -> str:
    """One review as a line: when, what, by whom (when known), changes, reason."""
    what = r["verdict"] + (f" into {r['into_event_id']}" if r.get("into_event_id") else "")
    changes = ", ".join(f"{k}={v}" for k, v in (r.get("changes") or {}).items())
    return (f"{r['created_at']}  #{r['id']}  {r['event_id']}  {what}"
            + (f"  by {r['reviewer']}" if r.get("reviewer") else "")
            + (f"  [{changes}]" if changes else "") + (f"  {r['reason']}" if r.get("reason") else ""))


def review_log_text(rows: list[dict]) -> str:
    """`tracker review log`: one line per review, newest first."""
    return "\n".join(review_line(r) for r in rows) or "no reviews"
