"""The CRM push outbox in stakemap's terms (pure): what kind of change is pushed, where a row stands, the
settings word for each kind, and when a row is tried again.

A row is written in the same transaction as the change it pushes (app.services.crm.outbox.queue_push), once
per change (UNIQUE team, crm, kind, object, revision), and delivered after the ack by the CRM's deliverer
(app.jobs.crm_push). Rows are never deleted by delivery: a sent row keeps the CRM's id of what it created.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from app.core.domain import Labelled


class PushKind(Labelled):
    """What is pushed (its CRM_PUSH word in parentheses)."""

    TOUCH = "touch", "a touch logged in Slack (touches)"
    ROLES = "roles", "the stakeholder type and roles set in Slack (roles)"
    LEFT = "left", "the contact left the company (departures)"


# CRM_PUSH's words (comma-separated) → the kinds they switch on
PUSH_WORDS = {"touches": PushKind.TOUCH, "roles": PushKind.ROLES, "departures": PushKind.LEFT}


class PushStatus(Labelled):
    """Where one outbox row stands."""

    PENDING = "pending", "waiting to be sent (again, after `next_attempt_at`)"
    SENDING = "sending", "claimed by a process that is sending it"
    SENT = "sent", "the CRM has it (its id in `external_id`)"
    UNCERTAIN = "uncertain", "the CRM's answer was lost: looked for in the CRM before any new attempt"
    FAILED = "failed", "given up (the reason in `error`)"


PUSH_KICK = "crm-push"  # Runtime.kick's name for a push pass right after a change
PUSH_INFO = "crm_push"  # Session.info key: the PushKinds switched on (app.platform.db.Database sets it)
MAX_ATTEMPTS = 8  # deliveries tried for one row before it is given up
FIRST_RETRY = timedelta(seconds=30)  # doubled after each failed attempt…
LAST_RETRY = timedelta(hours=1)  # …up to this
# A lost answer is looked for only after this: HubSpot's search index lags a few seconds behind a create.
LOOK_AFTER = timedelta(seconds=30)


def push_kinds(words: str | None) -> frozenset[PushKind]:
    """CRM_PUSH ("touches,roles,departures", any case and spacing; "all") as kinds; ValueError names a bad word."""
    found: set[PushKind] = set()
    for word in (w.strip().lower() for w in (words or "").split(",")):
        if not word:
            continue
        if word == "all":
            found |= set(PUSH_WORDS.values())
        elif word in PUSH_WORDS:
            found.add(PUSH_WORDS[word])
        else:
            raise ValueError(f"'{word}' is not something stakemap pushes: use touches, roles, departures or all")
    return frozenset(found)


def next_attempt(attempts: int, now: datetime) -> datetime:
    """When a row tried `attempts` times is tried again: FIRST_RETRY, doubled each time, at most LAST_RETRY."""
    return now + min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LAST_RETRY)


MARKER_RE = re.compile(r"\bstakemap\d+x[0-9a-z]+\b")  # a marker in a CRM record's text: stakemap wrote it


def marker(team_id: str, row_id: int) -> str:
    """The token written into what a push creates in the CRM (a note's body, a Task's description): one word of
    letters and digits, so the CRM's search finds it again when the answer to the create was lost."""
    return f"stakemap{row_id}x{''.join(ch for ch in team_id.lower() if ch.isalnum())}"
