"""Review: people confirm, correct, reject and merge events, and their decisions outlast the machine.

A review is a row of the public `reviews` table (verdict, corrected fields, reason, time), anchored to what
identifies the measure when it was made: the event's country, platform and class as the extractor read them
and the articles behind it (`review_articles`). Who made it is kept in the private database only
(`review_authors`), beside the reviewer accounts (`reviewers`, salted scrypt hashes).

- `tracker.review.store` records reviews and lays them over the machine's values whenever an event is
  recomputed (tracker.events.merge.refresh_event calls it), and sends an anchored article's mentions back to
  their reviewed event when the article is read again (merge_mention asks `pinned_event` first);
- `tracker.review.queue` orders what to look at first;
- `tracker.review.accounts` keeps the reviewer accounts and the secret that signs their sessions;
- `tracker.review.gold` writes reviewed events' articles in the corpus format, for `tracker train --with-reviews`;
- `tracker.review.web` is the Datasette side: login, the controls on an event's page, the form handler.
"""

from __future__ import annotations

#: What a reviewer can decide about an event.
VERDICTS = ("confirmed", "corrected", "rejected", "merged_into")
#: `events.review_status`: unreviewed, or the verdict of the event's latest review.
REVIEW_STATUSES = ("unreviewed", *VERDICTS)
#: Statuses that take an event out of the public lists, the digest, the feed and the export.
HIDDEN = ("rejected", "merged_into")
#: Event fields a correction may set (the rest are counts and dates computed from the sources).
CORRECTABLE = ("country", "platform", "action", "status", "date", "lifted_date", "actor", "scope",
               "justification", "justification_category")
