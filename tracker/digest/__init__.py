"""Weekly digest emails: subscribers, what changed in a week, the message, sending, the run.

Modules, in the order data flows through them:
`subscribers` (who gets what), `select` (which events are new or changed in an ISO
week, per subscriber), `chart` (the small inline image), `compose` (the multipart
message from Jinja2 templates), `send` (SMTP delivery), `run` (one idempotent
weekly run recorded in the `digests` table).
"""
