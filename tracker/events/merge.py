"""Merge one mention into the tracked events, and recompute an event from its mentions.

A mention joins an event of the same country and platform when the classes
fit and the dates are close (models/merge.toml says how close, and why):

- a measure (restrict, throttle, shutdown, fine, takedown_order) joins an event
  of its class whose reported dates are within `close_days`; between close and
  far the evidence sentences decide by embedding similarity; a measure reported
  after an event was lifted is a new event (re-imposed). Failing that, it turns
  a recent threat of that measure into the measure, or completes a lift whose
  measure was not known yet;
- a threat joins the measure it announced when that came soon after, else
  another threat of the same measure;
- a lift attaches to the measure it lifts: the open measure of the service
  started before it (similarity picks when several are open), or retells a
  lift already recorded.

Nothing else is ever re-clustered, so an event keeps its id across runs. Reviews come first: a mention
whose article and key a review anchored goes back to the reviewed event (tracker.review.store), and an event
is stored with its reviews laid over the values computed here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field

import sqlite_utils

from ..review import store as review_store
from ..vocabulary import liftable_classes, measure_class, status_rank
from . import dates, similarity
from .mentions import now
from .rules import rules

_PUBLISHER_RANK = {"regulator": 0, "court": 0, "ngo": 1, "press": 2}
_STOP = {"the", "a", "an", "of", "for", "and", "in", "on", "s", "its", "state", "national", "federal"}


@dataclass
class Candidate:
    """An event with the mentions it holds, as the merge sees it."""

    id: str
    action_class: str
    action: str | None
    lifted_date: str | None
    mentions: list[dict] = field(default_factory=list)

    def spans(self, kind: str) -> list[dates.Span]:
        out = []
        for m in self.mentions:
            if _kind(m["action_class"]) == kind and (s := _ref(m)[0]):
                out.append(s)
        return out

    def measure_span(self) -> dates.Span | None:
        return dates.hull(self.spans("measure"))


def _kind(klass: str | None) -> str:
    if klass == "threaten":
        return "threat"
    if klass == "unblock":
        return "lift"
    return "measure"


def _day(value: str | None) -> dt.date | None:
    s = dates.span(value)
    return s[0] if s else None


def _ref(m: dict) -> tuple[dates.Span | None, bool]:
    """The mention's date as a range, and whether it was undated (then: the publication day)."""
    s = dates.span(m.get("date"))
    if s:
        return s, False
    day = _day(m.get("published")) or _day(m.get("fetched_at"))
    return ((day, day) if day else None), True


def _actor_words(actor: str | None) -> set[str]:
    return {w for w in re.findall(r"\w+", (actor or "").lower()) if w not in _STOP and len(w) > 1}


_MENTION_SQL = """
SELECT m.*, a.published, a.fetched_at, a.source, s.publisher, s.country AS source_country
FROM mentions m JOIN articles a ON a.id = m.article_id LEFT JOIN sources s ON s.name = a.source
"""


def _mention(db: sqlite_utils.Database, mention_id: int) -> dict:
    row = next(db.query(_MENTION_SQL + " WHERE m.id = ?", [mention_id]), None)
    if row is None:
        raise KeyError(f"mention {mention_id} does not exist")
    return row


def _event_mentions(db: sqlite_utils.Database, event_id: str) -> list[dict]:
    return list(db.query(_MENTION_SQL + " JOIN event_sources es ON es.mention_id = m.id WHERE es.event_id = ?"
                         " ORDER BY m.id", [event_id]))


def _candidates(db: sqlite_utils.Database, country: str, platform: str) -> list[Candidate]:
    cur = db.execute(
        "SELECT e.id, e.action_class, e.action, e.lifted_date, m.*, a.published, a.fetched_at"
        " FROM events e JOIN event_sources es ON es.event_id = e.id JOIN mentions m ON m.id = es.mention_id"
        " JOIN articles a ON a.id = m.article_id WHERE e.country = ? AND e.platform = ? ORDER BY e.id, m.id",
        [country, platform])
    cols = [d[0] for d in cur.description]
    out: dict[str, Candidate] = {}
    for row in cur:
        eid, klass, action, lifted = row[:4]
        cand = out.setdefault(eid, Candidate(eid, klass, action, lifted))
        cand.mentions.append(dict(zip(cols[4:], row[4:], strict=True)))
    return list(out.values())


def _similar(m: dict, cand: Candidate) -> float:
    """Evidence similarity, nudged by whether the actors agree."""
    r = rules()
    score = similarity.best_similarity(m.get("evidence") or "", [x.get("evidence") for x in cand.mentions])
    mine = _actor_words(m.get("actor"))
    theirs = set().union(*(_actor_words(x.get("actor")) for x in cand.mentions)) if cand.mentions else set()
    if mine and theirs:
        score += r.actor_bonus if mine & theirs else -r.actor_bonus
    return score


def _prepare(m: dict, cands: list[Candidate]) -> None:
    """Every evidence sentence the comparisons with `cands` will read, embedded in one batch."""
    similarity.prepare([m.get("evidence"), *(x.get("evidence") for c in cands for x in c.mentions)])


def _best_similar(m: dict, cands: list[Candidate]) -> Candidate | None:
    _prepare(m, cands)
    scored = [(_similar(m, c), c) for c in cands]
    scored = [sc for sc in scored if sc[0] >= rules().threshold]
    return max(scored, key=lambda sc: sc[0])[1] if scored else None


def _for_measure(m: dict, klass: str, cands: list[Candidate]) -> Candidate | None:
    r = rules()
    ref, undated = _ref(m)
    if ref is None:
        return None
    close, far = r.window(klass)
    sure: list[tuple[int, Candidate]] = []
    unclear: list[Candidate] = []
    threats: list[tuple[int, Candidate]] = []
    lifts: list[tuple[int, Candidate]] = []
    for c in cands:
        lifted = dates.span(c.lifted_date)
        if c.action_class == klass:
            if lifted and (ref[0] - lifted[1]).days > r.same_lift_days:
                continue  # reported after the lift: re-imposed, a new measure
            espan = c.measure_span() or ref
            g = dates.gap(ref, espan)
            if g <= close and not undated:
                sure.append((g, c))
            elif g <= far or (undated and espan[0] <= ref[1] and not lifted):
                unclear.append(c)
        elif c.action_class == "threaten" and measure_class(c.action) == klass:
            tspan = dates.hull(c.spans("threat"))
            if tspan and (tspan[0] - ref[1]).days <= close and (ref[0] - tspan[1]).days <= r.follow_days:
                threats.append((dates.gap(ref, tspan), c))
        elif c.action_class == "unblock" and lifted and (ref[0] - lifted[1]).days <= r.same_lift_days:
            lifts.append((dates.gap(ref, lifted), c))
    if sure:
        return min(sure, key=lambda gc: (gc[0], gc[1].id))[1]
    if unclear and (hit := _best_similar(m, unclear)):
        return hit
    if threats:
        return min(threats, key=lambda gc: (gc[0], gc[1].id))[1]
    if lifts:
        return min(lifts, key=lambda gc: (gc[0], gc[1].id))[1]
    return None


def _for_threat(m: dict, cands: list[Candidate]) -> Candidate | None:
    r = rules()
    ref, _ = _ref(m)
    klass = measure_class(m.get("action"))
    if ref is None or klass is None:
        return None
    close, far = r.window("threaten")
    followed: list[tuple[int, Candidate]] = []
    sure: list[tuple[int, Candidate]] = []
    unclear: list[Candidate] = []
    for c in cands:
        if c.action_class == klass:
            mspan = c.measure_span()
            if mspan and (ref[0] - mspan[0]).days <= close and (mspan[0] - ref[1]).days <= r.follow_days:
                followed.append((dates.gap(ref, mspan), c))
        elif c.action_class == "threaten" and measure_class(c.action) == klass:
            tspan = dates.hull(c.spans("threat")) or ref
            g = dates.gap(ref, tspan)
            if g <= close:
                sure.append((g, c))
            elif g <= far:
                unclear.append(c)
    if followed:
        return min(followed, key=lambda gc: (gc[0], gc[1].id))[1]
    if sure:
        return min(sure, key=lambda gc: (gc[0], gc[1].id))[1]
    return _best_similar(m, unclear) if unclear else None


def _for_lift(m: dict, cands: list[Candidate]) -> Candidate | None:
    r = rules()
    ref, undated = _ref(m)
    if ref is None:
        return None
    retold: list[tuple[int, Candidate]] = []
    open_: list[Candidate] = []
    for c in cands:
        if c.action_class not in (*liftable_classes(), "unblock"):
            continue
        lifted = dates.span(c.lifted_date)
        if lifted:
            g = dates.gap(ref, lifted)
            if g <= r.same_lift_days or (undated and lifted[0] <= ref[1]):
                retold.append((g, c))
            continue
        mspan = c.measure_span()
        if c.action_class in liftable_classes() and mspan and (mspan[0] - ref[1]).days <= r.same_lift_days:
            open_.append(c)
    if retold:
        return min(retold, key=lambda gc: (gc[0], gc[1].id))[1]
    hint = measure_class(m.get("action"))
    if hint in liftable_classes() and any(c.action_class == hint for c in open_):
        open_ = [c for c in open_ if c.action_class == hint]
    if len(open_) > 1:  # several measures open: the evidence decides, the latest one breaks ties
        _prepare(m, open_)
        scored = [(_similar(m, c), c.measure_span()[0], c.id, c) for c in open_]
        return max(scored, key=lambda s: s[:3])[3]
    return open_[0] if open_ else None


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def new_event_id(db: sqlite_utils.Database, country: str, platform: str, klass: str, date: str | None) -> str:
    """ev-<country>-<platform>-<class>-<YYYY-MM of the first date>, with -2, -3... on collision."""
    when = (date or "")[:7] or "undated"
    base = f"ev-{slug(country)}-{slug(platform)}-{klass}-{when}"
    taken = {r[0] for r in db.execute("SELECT id FROM events WHERE id = ? OR id LIKE ?", [base, base + "-%"])}
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def merge_mention(db: sqlite_utils.Database, mention_id: int) -> tuple[str | None, bool]:
    """Attach a mention to its event, creating the event if none fits; returns (event id, created).

    A mention without country, platform or a known action cannot name a measure and stays unmerged.
    """
    m = _mention(db, mention_id)
    klass = m.get("action_class")
    if not (m.get("country") and m.get("platform") and klass):
        return None, False
    pinned = review_store.pinned_event(db, m)  # a review anchored this article's reading of the measure
    if pinned is not None:
        hit = Candidate(pinned, klass, m.get("action"), None)
    elif klass == "threaten":
        hit = _for_threat(m, _candidates(db, m["country"], m["platform"]))
    elif klass == "unblock":
        hit = _for_lift(m, _candidates(db, m["country"], m["platform"]))
    else:
        hit = _for_measure(m, klass, _candidates(db, m["country"], m["platform"]))
    created = hit is None
    if hit is None:
        ref, _ = _ref(m)
        date = m.get("date") or (ref[0].isoformat() if ref else None)
        event_id = new_event_id(db, m["country"], m["platform"], klass, date)
        db.execute("INSERT INTO events (id, country, platform, action, action_class) VALUES (?, ?, ?, ?, ?)",
                   [event_id, m["country"], m["platform"], m.get("action"), klass])
    else:
        event_id = hit.id
    db.execute(
        "INSERT OR IGNORE INTO event_sources (event_id, mention_id, article_id, publisher, added_at)"
        " VALUES (?, ?, ?, ?, ?)",
        [event_id, mention_id, m["article_id"], m.get("publisher"), now()])
    refresh_event(db, event_id)
    return event_id, created


def _rank(m: dict) -> tuple:
    """Most reliable mention first: measures before threats and lifts, a regulator's own word first."""
    kind = {"measure": 0, "threat": 1, "lift": 2}[_kind(m["action_class"])]
    return (kind, _PUBLISHER_RANK.get(m.get("publisher") or "", 3), -(m.get("confidence") or 0.0),
            m.get("published") or "9999", m["id"])


def _stage(m: dict) -> str:
    kind = _kind(m["action_class"])
    if kind == "threat":
        return "threatened"
    if kind == "lift":
        return "lifted"
    return m.get("status") if m.get("status") in ("announced", "in_effect") else "in_effect"


def _confidence(ms: list[dict]) -> float:
    r = rules()
    best: dict[str, float] = {}
    for m in ms:
        weight = r.weights.get(m.get("publisher") or "other", r.weights["other"])
        p = weight * (m["confidence"] if m.get("confidence") is not None else r.default_confidence)
        key = m.get("source") or f"article-{m['article_id']}"
        best[key] = max(best.get(key, 0.0), p)
    miss = 1.0
    for p in best.values():
        miss *= 1.0 - min(max(p, 0.0), 1.0)
    return round(min(1.0 - miss, r.cap), 4)


def _compute(ms: list[dict]) -> dict:
    ms = sorted(ms, key=_rank)
    measures = [m for m in ms if _kind(m["action_class"]) == "measure"]
    threats = [m for m in ms if _kind(m["action_class"]) == "threat"]
    lifts = [m for m in ms if _kind(m["action_class"]) == "lift"]
    main = measures or threats or lifts

    def common(values: list[str | None]) -> str | None:
        counts = Counter(v for v in values if v)
        if not counts:
            return None
        top = max(counts.values())
        return next(v for v in values if v and counts[v] == top)  # ties: the most reliable mention's

    if measures:
        klass = common([m["action_class"] for m in measures])
        action = common([m["action"] for m in measures])
    elif threats:
        klass, action = "threaten", common([m["action"] for m in threats])
    else:
        klass, action = "unblock", "unblock"
    lifted_date = None
    if lifts:
        lifted_date = dates.best_date([m.get("date") for m in lifts]) or min(
            (m.get("published") or "" for m in lifts), default=None) or None
    stages = {_stage(m) for m in ms}
    status = max(stages, key=status_rank().__getitem__)
    published = [m.get("published") or (m.get("fetched_at") or "")[:10] for m in ms]
    published = [p for p in published if p]
    publishers = {m.get("source") for m in ms if m.get("source")}
    official = [m for m in ms if m.get("publisher") in ("regulator", "court")]
    with_reason = [m for m in measures + threats if m.get("justification")]

    def first(name: str, pool: list[dict]) -> str | None:
        return next((m[name] for m in pool if m.get(name)), None)

    return {
        "action": action,
        "action_class": klass,
        "status": status,
        "date": dates.best_date([m.get("date") for m in main]),
        "lifted_date": lifted_date,
        "first_reported": min(published) if published else None,
        "last_reported": max(published) if published else None,
        "actor": first("actor", main) or first("actor", ms),
        "scope": first("scope", main) or first("scope", ms),
        "justification": with_reason[0]["justification"] if with_reason else None,
        "justification_category": with_reason[0]["justification_category"] if with_reason else None,
        "evidence": first("evidence", main),
        "language": next((m.get("language") for m in main if m.get("evidence")), None),
        "n_mentions": len(ms),
        "n_sources": len({m["article_id"] for m in ms}),
        "n_publishers": len(publishers),
        "regulator_confirmed": int(bool(official)),
        "confidence": _confidence(ms),
    }


def _history(db: sqlite_utils.Database, event_id: str, ms: list[dict], lifted_date: str | None) -> bool:
    """Keep one row per stage the event went through, each with the earliest mention that showed it."""
    attached = {m["id"] for m in ms}
    wanted: dict[str, dict] = {}
    for m in sorted(ms, key=lambda m: ((_ref(m)[0] or (dt.date.max,))[0], m["id"])):
        wanted.setdefault(_stage(m), m)
    rows = list(db.execute("SELECT id, status, mention_id FROM event_history WHERE event_id = ?", [event_id]))
    changed = False
    have = set()
    for hid, status, mid in rows:
        if status in wanted and mid in attached and status not in have:
            have.add(status)
        else:
            db.execute("DELETE FROM event_history WHERE id = ?", [hid])
            changed = True
    for status, m in wanted.items():
        if status not in have:
            date = lifted_date if status == "lifted" else (m.get("date") or m.get("published"))
            db.execute("INSERT INTO event_history (event_id, status, date, mention_id, recorded_at)"
                       " VALUES (?, ?, ?, ?, ?)", [event_id, status, date, m["id"], now()])
            changed = True
    return changed


def refresh_event(db: sqlite_utils.Database, event_id: str) -> bool:
    """Recompute an event from its mentions, with its reviews laid over; True when it changed. An event left
    without any mention is removed, unless a review names it: that one stays, flagged for another look."""
    ms = _event_mentions(db, event_id)
    old = next(db.query("SELECT * FROM events WHERE id = ?", [event_id]), None)
    if not ms and old is not None and review_store.referenced(db, event_id):
        values = review_store.keep_without_sources(db, event_id, old)
        changed = False
    elif not ms:
        db.execute("DELETE FROM event_history WHERE event_id = ?", [event_id])
        db.execute("DELETE FROM event_sources WHERE event_id = ?", [event_id])
        cur = db.execute("DELETE FROM events WHERE id = ?", [event_id])
        return cur.rowcount > 0
    else:
        machine = _compute(ms)
        values = review_store.overlay(db, event_id, machine, {m["article_id"] for m in ms}, old)
        changed = _history(db, event_id, ms, values["lifted_date"])
    diff = {k: v for k, v in values.items() if old.get(k) != v}
    if diff or changed:
        diff["updated_at"] = now()
        sets = ", ".join(f"[{k}] = ?" for k in diff)
        db.execute(f"UPDATE events SET {sets} WHERE id = ?", [*diff.values(), event_id])
        return True
    return False
