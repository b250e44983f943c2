"""Text renderings of what commands report, in one place (the CLI prints them; --json prints the data)."""

from __future__ import annotations


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
