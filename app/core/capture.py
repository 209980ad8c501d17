"""Slack Connect capture, the pure rules: which messages count, who is the customer, which day a message
belongs to, what a captured touch's note says. No database, no Slack client: callers pass what they know.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# Message subtypes that are someone writing: a plain message has none; a file shared with a comment and a
# thread reply also sent to the channel count. Joins, edits (message_changed), deletions, bots do not.
COUNTED_SUBTYPES = frozenset({None, "file_share", "thread_broadcast"})
DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
BACKFILL_DAYS = 90


def counts_as_message(event: dict) -> bool:
    """Whether a `message` event is a person writing (thread replies and file shares included)."""
    return (event.get("subtype") in COUNTED_SUBTYPES and not event.get("bot_id") and not event.get("bot_profile")
            and isinstance(event.get("user"), str) and bool(event.get("user")))


def parse_domains(text: str | None) -> tuple[str, ...]:
    """"Acme.com, @acme.io" → ("acme.com", "acme.io"); raises ValueError naming a word that is no domain."""
    found: list[str] = []
    for word in re.split(r"[\s,;]+", (text or "").strip().lower()):
        word = word.removeprefix("@")
        if not word:
            continue
        if not DOMAIN_RE.match(word):
            raise ValueError(f"{word[:60]} is not an e-mail domain: write them like acme.com, acme.io.")
        if word not in found:
            found.append(word)
    return tuple(found)


def domains_text(domains: tuple[str, ...]) -> str | None:
    return ", ".join(domains) or None


def email_domain(email: str | None) -> str | None:
    if not email or "@" not in email:
        return None
    return email.rsplit("@", 1)[1].strip().lower() or None


@dataclass(frozen=True)
class Member:
    """What is known about whoever wrote: the event's teams, and users.info's answer (when asked)."""

    user_team: str | None = None  # the event's user_team (the author's workspace)
    home_team_id: str | None = None  # users.info user.team_id
    enterprise_id: str | None = None  # users.info user.enterprise_user.enterprise_id
    email: str | None = None
    is_bot: bool = False
    profiled: bool = False  # users.info answered (else only the event's teams are known)


def is_customer(member: Member, our_team: str, our_enterprise: str | None, domains: tuple[str, ...]) -> bool:
    """The author belongs to the customer: another organisation (Enterprise Grid: another enterprise),
    or an e-mail domain of the account's (guests of our workspace included)."""
    if member.is_bot:
        return False
    if email_domain(member.email) in domains:
        return True
    if our_enterprise and member.enterprise_id:
        return member.enterprise_id != our_enterprise
    team = member.user_team or member.home_team_id
    if our_enterprise and team and team != our_team and not member.profiled:
        return False  # maybe another workspace of our own Grid organisation: users.info did not say
    return bool(team) and team != our_team


def message_time(ts: str) -> datetime | None:
    """A message's ts ("1700000000.000100") as an aware UTC time; None when it is not one."""
    try:
        return datetime.fromtimestamp(float(ts), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def zone(name: str | None) -> ZoneInfo | None:
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def capture_day(at: datetime, tz: str | None) -> date:
    """The day a message belongs to: its date in the account owner's time zone (UTC when unknown)."""
    return at.astimezone(zone(tz) or UTC).date()


def captured_note(messages: int | None, channel_name: str | None) -> str:
    """"3 messages in #ext-acme": all a captured touch says (the text is never stored)."""
    count = messages or 1
    where = f" in #{channel_name}" if channel_name else ""
    return f"{count} message{'s' if count != 1 else ''}{where}"


def touch_label(touch) -> str:
    """How a touch's kind is shown: "Slack" for one captured from a Slack Connect channel."""
    return "Slack" if getattr(touch, "capture_day", None) is not None else touch.kind.label


def proposed_domains(emails: list[str | None], ours: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The customer's domains as their first members' e-mails show them (most frequent first), leaving out
    public mail providers and our own domains."""
    counts: dict[str, int] = {}
    for email in emails:
        domain = email_domain(email)
        if domain and domain not in PUBLIC_MAIL and domain not in ours:
            counts[domain] = counts.get(domain, 0) + 1
    return tuple(sorted(counts, key=lambda d: (-counts[d], d)))


PUBLIC_MAIL = frozenset({"gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "yahoo.com", "icloud.com",
                         "me.com", "proton.me", "protonmail.com", "gmx.de", "gmx.net", "live.com", "aol.com"})
