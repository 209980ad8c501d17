"""Slack Connect capture: a customer's message in a linked channel becomes a touch with that contact
(at most one captured touch per contact per day, counting the messages), an unknown customer member a
suggestion, and the channel's daily activity is counted for "going dark".

Only metadata is stored: who wrote, which day, in which channel, how many messages. Never the text.

A message event whose channel and author are cached (app/services/capture_cache.py) reads nothing: it
is queued, and the messages that arrive within a few milliseconds (or while the previous batch is being
written) are counted together in one transaction of three statements, whatever their number: their event
receipts, the touches' (and suggestions') counts, the channels' days. A lone message costs those three;
two or more together cost under two each. The account's version is bumped only when the map changes (a
contact's first message of the day, a new suggestion), and the channel's last-message time is written at
most once a minute per channel and process.

Slack is the caller's business: `profile(user_id)` returns users.info's user object or None.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial

from pydantic import ValidationError
from sqlalchemy import case, delete, func, or_, select, update
from sqlmodel import Session

from app.core.capture import (
    Member,
    capture_day,
    domains_text,
    is_customer,
    parse_domains,
    proposed_domains,
)
from app.core.domain import TouchKind
from app.core.errors import InvalidInput, NotFound
from app.core.models import (
    Account,
    AccountChannel,
    CaptureSuggestion,
    ChannelActivity,
    Contact,
    SlackUser,
    Touch,
    Workspace,
    name_key,
)
from app.core.workspace_settings import CaptureSettings, settings_of
from app.platform.db import Database, insert_for
from app.platform.deliveries import first_deliveries
from app.platform.group_commit import GroupCommit
from app.services.capture_cache import CAPTURE_CACHE, ChannelTarget, MemberMatch
from app.services.slack_users import remember_user

log = logging.getLogger(__name__)
PROFILE_TTL = timedelta(days=1)  # users.info answers are trusted this long (titles and e-mails change rarely)
AskProfile = Callable[[str], dict | None]


@dataclass(frozen=True)
class CustomerMessage:
    """A message event as capture reads it (handlers parse Slack's payload into this)."""

    team_id: str
    channel_id: str
    user_id: str
    at: datetime
    user_team: str | None = None  # the event's user_team, else source_team
    our_enterprise: str | None = None  # authorizations[0].enterprise_id / the body's enterprise_id
    event_id: str | None = None  # a live event's id: its receipt is written with its counts (retries count once)


# --- the channel ------------------------------------------------------------------------------------


def channel_target(db: Database, team_id: str, channel_id: str, profile: AskProfile, now: datetime
                   ) -> ChannelTarget | None:
    """The linked channel's account as capture needs it (cached); None when the channel is not linked."""
    known, target = CAPTURE_CACHE.channel(team_id, channel_id)
    if known:
        return target
    with CAPTURE_CACHE.resolving("channel", team_id, channel_id):
        known, target = CAPTURE_CACHE.channel(team_id, channel_id)
        if known:
            return target
        with db.session() as session:
            target = load_target(session, team_id, channel_id)
        if target is not None and target.owner_user_id and target.owner_tz is None:
            target = _with_owner_tz(db, team_id, target, profile, now)
        CAPTURE_CACHE.keep_channel(team_id, channel_id, target)
        return target


def load_target(session: Session, team_id: str, channel_id: str) -> ChannelTarget | None:
    owner = SlackUser.__table__.alias("owner")
    query = (
        select(Account.id, Account.owner_user_id, Account.domains, Account.capture_enabled, AccountChannel.name,
               Workspace.config, Workspace.enterprise_id, owner.c.tz)
        .join(Account, Account.id == AccountChannel.account_id)
        .join(Workspace, Workspace.team_id == AccountChannel.team_id)
        .outerjoin(owner, (owner.c.team_id == Account.team_id) & (owner.c.user_id == Account.owner_user_id))
        .where(AccountChannel.team_id == team_id, AccountChannel.channel_id == channel_id)
    )
    row = session.execute(query).first()
    if row is None:
        return None
    workspace_on = settings_of(Workspace(team_id=team_id, config=row.config or {}, created_at=datetime.now(UTC))
                               ).capture.enabled
    return ChannelTarget(account_id=row.id, channel_name=row.name, owner_user_id=row.owner_user_id,
                         owner_tz=row.tz, domains=_domains(row.domains), enabled=bool(row.capture_enabled and workspace_on),
                         our_enterprise=row.enterprise_id)


def _domains(text: str | None) -> tuple[str, ...]:
    try:
        return parse_domains(text)
    except ValueError:
        return ()


def _with_owner_tz(db: Database, team_id: str, target: ChannelTarget, profile: AskProfile, now: datetime
                   ) -> ChannelTarget:
    user = profile(target.owner_user_id)
    if user is None:
        return target
    with db.session() as session:
        remember_user(session, team_id, target.owner_user_id, tz=user.get("tz"), tz_checked_at=now)
    return ChannelTarget(**{**target.__dict__, "owner_tz": user.get("tz")})


# --- the author -------------------------------------------------------------------------------------


def member_match(db: Database, message: CustomerMessage, target: ChannelTarget, profile: AskProfile,
                 now: datetime) -> MemberMatch:
    """Who wrote, for this account (cached): not the customer, a contact (matched by Slack user id, else
    e-mail, else exact name; the id is then kept on the contact), or a customer member off the map."""
    key = (message.team_id, target.account_id, message.user_id)
    cached = CAPTURE_CACHE.member(*key)
    if cached is not None:
        return cached
    with CAPTURE_CACHE.resolving("member", *key):
        cached = CAPTURE_CACHE.member(*key)
        if cached is not None:
            return cached
        with db.session() as session:
            contact_id = _contact_with_user(session, *key)
        if contact_id is not None:
            match = MemberMatch(customer=True, contact_id=contact_id)
        else:
            match = _match_by_profile(db, message, target, profile, now)
        CAPTURE_CACHE.keep_member(*key, match)
        return match


def _contact_with_user(session: Session, team_id: str, account_id: int, user_id: str) -> int | None:
    return session.scalar(select(Contact.id).where(Contact.team_id == team_id, Contact.account_id == account_id,
                                                   Contact.slack_user_id == user_id).limit(1))


def _match_by_profile(db: Database, message: CustomerMessage, target: ChannelTarget, profile: AskProfile,
                      now: datetime) -> MemberMatch:
    known = user_profile(db, message.team_id, message.user_id, profile, now)
    member = Member(user_team=message.user_team, home_team_id=known.home_team_id if known else None,
                    enterprise_id=known.enterprise_id if known else None, email=known.email if known else None,
                    is_bot=bool(known and known.is_bot), profiled=known is not None)
    if not is_customer(member, message.team_id, message.our_enterprise or target.our_enterprise, target.domains):
        return MemberMatch(customer=False)
    with db.session() as session:
        contact = _contact_by_profile(session, message.team_id, target.account_id, message.user_id, known)
        if contact is not None:
            contact.slack_user_id = message.user_id
        if not target.domains and known is not None:
            _propose_domains(session, message.team_id, target.account_id, known.email)
        return MemberMatch(customer=True, contact_id=contact.id if contact is not None else None)


def _contact_by_profile(session: Session, team_id: str, account_id: int, user_id: str,
                        known: SlackUser | None) -> Contact | None:
    """The account's contact this user is: already matched to the user (another process was first), else
    one not yet matched with the same e-mail (any case), else with the same name."""
    if known is None:
        return None
    free = Contact.slack_user_id.is_(None)
    ways = [(Contact.slack_user_id == user_id, 0)]
    if known.email:
        ways.append((free & (func.lower(Contact.email) == known.email.lower()), 1))
    if known.real_name:
        ways.append((free & (Contact.name_key == name_key(known.real_name)), 2))
    query = (select(Contact).where(Contact.team_id == team_id, Contact.account_id == account_id,
                                   or_(*(way for way, _ in ways)))
             .order_by(case(*ways, else_=3), Contact.id).limit(1))
    return session.scalar(query)


def _propose_domains(session: Session, team_id: str, account_id: int, email: str | None) -> None:
    """Fill an account's empty domains from its first customer member with a company address (the CSM can
    edit them in the account modal)."""
    proposal = proposed_domains([email])
    if proposal:
        session.execute(update(Account).where(Account.team_id == team_id, Account.id == account_id,
                                              Account.domains.is_(None)).values(domains=domains_text(proposal[:1])))
        CAPTURE_CACHE.forget_account(team_id, account_id)


def user_profile(db: Database, team_id: str, user_id: str, profile: AskProfile, now: datetime) -> SlackUser | None:
    """users.info's answer about a user, from the slack_user cache while fresh, else asked (and kept)."""
    with db.session() as session:
        cached = session.get(SlackUser, (team_id, user_id))
        if cached is not None and cached.profile_checked_at is not None and _aware(cached.profile_checked_at) > now - PROFILE_TTL:
            session.expunge(cached)
            return cached
    user = profile(user_id)
    if user is None:
        return None
    values = profile_values(user, now)
    with db.session() as session:
        remember_user(session, team_id, user_id, **values)
    return SlackUser(team_id=team_id, user_id=user_id, **values)


def profile_values(user: dict, now: datetime) -> dict:
    """The columns of slack_user that users.info's user object fills."""
    details = user.get("profile") if isinstance(user.get("profile"), dict) else {}
    enterprise = user.get("enterprise_user") if isinstance(user.get("enterprise_user"), dict) else {}
    return dict(home_team_id=_short(user.get("team_id"), 32), enterprise_id=_short(enterprise.get("enterprise_id"), 32),
                real_name=_short(details.get("real_name") or user.get("real_name"), 120),
                title=_short(details.get("title"), 120), email=_short(details.get("email"), 254),
                is_bot=bool(user.get("is_bot")), deleted=bool(user.get("deleted")), tz=_short(user.get("tz"), 64),
                tz_checked_at=now, profile_checked_at=now)


def _short(value, limit: int) -> str | None:
    return value[:limit] if isinstance(value, str) and value else None


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


# --- recording ----------------------------------------------------------------------------------------

# SQLite has one writer at a time. Capture's after-ack threads queue for it here, in order, rather than in
# SQLite's busy handler, whose sleeps grow to 100 ms and which the acks' event receipts wait in too.
_SQLITE_WRITER = threading.Lock()


@contextmanager
def writing(db: Database) -> Iterator[Session]:
    """A session for capture's writes (one at a time per process on SQLite)."""
    if db.engine.dialect.name != "sqlite":
        with db.session() as session:
            yield session
        return
    with _SQLITE_WRITER, db.session() as session:
        yield session


@dataclass(frozen=True)
class Counted:
    """A customer's message to count: by a contact (a touch that day), else by a member off the map."""

    message: CustomerMessage
    account_id: int
    contact_id: int | None
    day: date  # the owner's day the message was written on
    now: datetime


@dataclass
class Counts:
    """What customer messages add to (live) or, read from a channel's history, raise (a backfill) the counts."""

    touches: dict[tuple[str, int, int, date], list] = field(default_factory=dict)  # → [messages, channel]
    suggested: dict[tuple[str, int, str], list] = field(default_factory=dict)  # → [messages, first at, last at]
    days: Counter = field(default_factory=Counter)  # (team, channel, UTC day) → messages
    latest: dict[tuple[str, str], datetime] = field(default_factory=dict)  # (team, channel) → last message

    def add(self, message: CustomerMessage, account_id: int, contact_id: int | None, day: date) -> None:
        if contact_id is not None:
            self.touches.setdefault((message.team_id, account_id, contact_id, day), [0, message.channel_id])[0] += 1
        else:
            seen = self.suggested.setdefault((message.team_id, account_id, message.user_id),
                                             [0, message.at, message.at])
            seen[:] = [seen[0] + 1, min(seen[1], message.at), max(seen[2], message.at)]
        self.days[(message.team_id, message.channel_id, message.at.date())] += 1
        channel = (message.team_id, message.channel_id)
        self.latest[channel] = max(self.latest.get(channel, message.at), message.at)


def capture_message(db: Database, message: CustomerMessage, profile: AskProfile, now: datetime) -> bool:
    """Count one message; True when it was a customer's message in a linked channel with capture on.

    The count is written with those of the messages handed on within a few milliseconds (app/platform/
    group_commit.py), its event receipt in the same transaction; this returns once it is written, or
    at once when another thread is writing it."""
    target = channel_target(db, message.team_id, message.channel_id, profile, now)
    if target is None or not target.enabled:
        return False
    match = member_match(db, message, target, profile, now)
    if not match.customer:
        return False
    counting(db).add(Counted(message, target.account_id, match.contact_id, capture_day(message.at, target.owner_tz),
                             now))
    return True


_COUNTING: weakref.WeakKeyDictionary[Database, GroupCommit[Counted]] = weakref.WeakKeyDictionary()
_COUNTING_LOCK = threading.Lock()


def counting(db: Database) -> GroupCommit[Counted]:
    """The database's queue of messages to count (one per database and process)."""
    with _COUNTING_LOCK:
        found = _COUNTING.get(db)
        if found is None:
            found = _COUNTING[db] = GroupCommit(partial(_count_in, weakref.ref(db)), name="capture")
        return found


def _count_in(db: weakref.ref, batch: list[Counted]) -> None:
    count_messages(db(), batch)


def count_messages(db: Database, batch: list[Counted]) -> None:
    """Count a batch of live messages in one transaction: their event receipts first, so an event already
    counted (a retry, or a delivery another process got first) is skipped, then the touches or suggestions,
    the channels' days, and each channel's last message time at most once a minute per process."""
    now = max(counted.now for counted in batch)
    with writing(db) as session:
        fresh = first_deliveries(session, [(c.message.event_id, c.message.team_id) for c in batch if c.message.event_id],
                                 now)
        counts = Counts()
        for counted in batch:
            event_id = counted.message.event_id and counted.message.event_id[:64]
            if event_id is None or event_id in fresh:
                fresh.discard(event_id)  # an event given twice in the batch counts once
                counts.add(counted.message, counted.account_id, counted.contact_id, counted.day)
        counts.latest = {channel: at for channel, at in counts.latest.items() if CAPTURE_CACHE.due_for_last_message(*channel)}
        changed = write_counts(session, counts, now)
        bump_versions(session, changed, now)


def write_counts(session: Session, counts: Counts, now: datetime, *, at_least: bool = False) -> set[tuple[str, int]]:
    """Add the counts (with at_least: raise each count to at least them), one statement per table;
    returns the (team, account) whose map gained a captured touch or a suggestion."""
    changed = count_touches(session, counts.touches, now, at_least=at_least)
    changed |= count_suggestions(session, counts.suggested, at_least=at_least)
    count_activity(session, counts.days, at_least=at_least)
    for (team_id, channel_id), at in counts.latest.items():
        note_last_message(session, team_id, channel_id, at)
    return changed


def count_touches(session: Session, touches: dict[tuple[str, int, int, date], list], now: datetime,
                  *, at_least: bool = False) -> set[tuple[str, int]]:
    """Add messages to each contact's captured touch of a day (created when absent), or with at_least raise
    its count to them (a backfill's recount); returns the (team, account) of the touches created."""
    if not touches:
        return set()
    rows = [dict(team_id=team_id, account_id=account_id, contact_id=contact_id, occurred_on=day, kind=TouchKind.CHAT,
                 created_at=now, capture_day=day, capture_messages=messages, capture_channel_id=channel_id)
            for (team_id, account_id, contact_id, day), (messages, channel_id) in sorted(touches.items())]
    table = Touch.__table__
    statement = insert_for(session, table)
    statement = statement.on_conflict_do_update(
        index_elements=["contact_id", "capture_day"],
        set_={"capture_messages": _counted(table.c.capture_messages, statement.excluded.capture_messages, at_least)},
    ).returning(table.c.team_id, table.c.account_id, table.c.contact_id, table.c.capture_day, table.c.capture_messages)
    return {(row.team_id, row.account_id) for row in session.execute(statement, rows)
            if row.capture_messages == touches[(row.team_id, row.account_id, row.contact_id, row.capture_day)][0]}


def count_suggestions(session: Session, suggested: dict[tuple[str, int, str], list], *, at_least: bool = False
                      ) -> set[tuple[str, int]]:
    """Count customer members who match no contact (0 messages: they joined); an ignored one stays ignored.
    Returns the (team, account) of the suggestions created."""
    if not suggested:
        return set()
    rows = [dict(team_id=team_id, account_id=account_id, slack_user_id=user_id, messages=messages, first_seen_at=first,
                 last_seen_at=last)
            for (team_id, account_id, user_id), (messages, first, last) in sorted(suggested.items())]
    table = CaptureSuggestion.__table__
    statement = insert_for(session, table)
    new = statement.excluded
    statement = statement.on_conflict_do_update(index_elements=["team_id", "account_id", "slack_user_id"], set_={
        "messages": _counted(table.c.messages, new.messages, at_least),
        "last_seen_at": case((table.c.last_seen_at < new.last_seen_at, new.last_seen_at), else_=table.c.last_seen_at),
        "first_seen_at": case((table.c.first_seen_at > new.first_seen_at, new.first_seen_at),
                              else_=table.c.first_seen_at),
    }).returning(table.c.team_id, table.c.account_id, table.c.slack_user_id, table.c.messages)
    return {(row.team_id, row.account_id) for row in session.execute(statement, rows)
            if row.messages == suggested[(row.team_id, row.account_id, row.slack_user_id)][0]}


def count_activity(session: Session, days: Counter, *, at_least: bool = False) -> None:
    """Add (or raise to) each linked channel's customer messages of a day."""
    if not days:
        return
    rows = [dict(team_id=team_id, channel_id=channel_id, day=day, messages=messages)
            for (team_id, channel_id, day), messages in sorted(days.items())]
    table = ChannelActivity.__table__
    statement = insert_for(session, table)
    statement = statement.on_conflict_do_update(index_elements=["team_id", "channel_id", "day"], set_={
        "messages": _counted(table.c.messages, statement.excluded.messages, at_least)})
    session.execute(statement, rows)


def _counted(column, value, at_least: bool):
    return case((column < value, value), else_=column) if at_least else column + value


def note_last_message(session: Session, team_id: str, channel_id: str, at: datetime) -> None:
    session.execute(update(AccountChannel).where(
        AccountChannel.team_id == team_id, AccountChannel.channel_id == channel_id,
        or_(AccountChannel.last_customer_message_at.is_(None), AccountChannel.last_customer_message_at < at),
    ).values(last_customer_message_at=at))


def bump_version(session: Session, team_id: str, account_id: int, now: datetime) -> None:
    """The account's map changed through a write the session does not see: its cached map is stale."""
    bump_versions(session, {(team_id, account_id)}, now)


def bump_versions(session: Session, accounts: set[tuple[str, int]], now: datetime) -> None:
    """bump_version for each (team, account), one statement per team."""
    by_team: dict[str, list[int]] = {}
    for team_id, account_id in sorted(accounts):
        by_team.setdefault(team_id, []).append(account_id)
    for team_id, account_ids in by_team.items():
        session.execute(update(Account).where(Account.team_id == team_id, Account.id.in_(account_ids))
                        .values(version=Account.version + 1, updated_at=now),
                        execution_options={"synchronize_session": False})


def member_joined(db: Database, message: CustomerMessage, profile: AskProfile, now: datetime) -> bool:
    """member_joined_channel: a customer member off the map becomes a suggestion (no message counted)."""
    target = channel_target(db, message.team_id, message.channel_id, profile, now)
    if target is None or not target.enabled:
        return False
    match = member_match(db, message, target, profile, now)
    if not match.customer or match.contact_id is not None:
        return False
    with writing(db) as session:
        joined = {(message.team_id, target.account_id, message.user_id): [0, message.at, message.at]}
        bump_versions(session, count_suggestions(session, joined), now)
    return True


# --- history (a backfill) -------------------------------------------------------------------------------


def record_history(db: Database, team_id: str, channel_id: str, messages: list[CustomerMessage], profile: AskProfile,
                   now: datetime, *, complete: bool = True) -> int:
    """Count messages read from the channel's history: each (contact, day), suggestion and channel day is
    raised to what the history shows, never added to, so live capture and any number of backfills agree.
    Returns how many customer messages were counted; with `complete` the channel is marked backfilled."""
    target = channel_target(db, team_id, channel_id, profile, now)
    if target is None or not target.enabled:
        return 0
    counts = Counts()
    for message in messages:
        match = member_match(db, message, target, profile, now)
        if match.customer:
            counts.add(message, target.account_id, match.contact_id, capture_day(message.at, target.owner_tz))
    with writing(db) as session:
        write_counts(session, counts, now, at_least=True)
        if counts.touches or counts.suggested:
            bump_version(session, team_id, target.account_id, now)
        if complete:
            session.execute(update(AccountChannel).where(AccountChannel.team_id == team_id,
                                                         AccountChannel.channel_id == channel_id)
                            .values(backfilled_at=now))
    return sum(counts.days.values())


# --- retention and switches ----------------------------------------------------------------------------


def prune_captured(session: Session, team_id: str, today: date) -> tuple[int, int]:
    """Delete captured touches and channel activity older than the workspace's retention (default 365 days);
    returns (touches, channel days) deleted. Logged touches are never pruned."""
    workspace = session.get(Workspace, team_id)
    cutoff = today - timedelta(days=settings_of(workspace).capture.retention_days)
    accounts = set(session.scalars(select(Touch.account_id).where(
        Touch.team_id == team_id, Touch.capture_day.is_not(None), Touch.capture_day < cutoff).distinct()))
    touches = session.execute(delete(Touch).where(Touch.team_id == team_id, Touch.capture_day.is_not(None),
                                                  Touch.capture_day < cutoff)).rowcount
    days = session.execute(delete(ChannelActivity).where(ChannelActivity.team_id == team_id,
                                                         ChannelActivity.day < cutoff)).rowcount
    for account_id in accounts:
        bump_version(session, team_id, account_id, datetime.combine(today, datetime.min.time(), UTC))
    return touches, days


def set_workspace_capture(session: Session, team_id: str, *, enabled: bool | None = None,
                          retention_days: int | None = None) -> CaptureSettings:
    """Turn capture on or off for the whole workspace, or change how long captured rows are kept."""
    workspace = session.get(Workspace, team_id)
    if workspace is None:
        raise NotFound(f"No workspace {team_id} in this database.")
    current = settings_of(workspace).capture
    changes = {k: v for k, v in (("enabled", enabled), ("retention_days", retention_days)) if v is not None}
    try:
        updated = CaptureSettings.model_validate({**current.model_dump(), **changes})
    except ValidationError:
        raise InvalidInput({"retention_days": "Keep captured rows for 30 to 3650 days."}) from None
    workspace.config = {**(workspace.config or {}), "capture": updated.model_dump()}
    CAPTURE_CACHE.clear()
    return updated
