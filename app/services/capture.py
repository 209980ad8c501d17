"""Slack Connect capture: a customer's message in a linked channel becomes a touch with that contact
(at most one captured touch per contact per day, counting the messages), an unknown customer member a
suggestion, and the channel's daily activity is counted for "going dark".

Only metadata is stored: who wrote, which day, in which channel, how many messages. Never the text.

A message event whose channel and author are cached (app/services/capture_cache.py) costs two
statements: the touch (or suggestion) upsert and the channel-activity upsert. The account's version is
bumped only when the map changes (a contact's first message of the day, a new suggestion), and the
channel's last-message time is written at most once a minute per channel and process.

Slack is the caller's business: `profile(user_id)` returns users.info's user object or None.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

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
from app.platform.deliveries import first_delivery
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



def capture_message(db: Database, message: CustomerMessage, profile: AskProfile, now: datetime) -> bool:
    """Count one message; True when it was a customer's message in a linked channel with capture on."""
    target = channel_target(db, message.team_id, message.channel_id, profile, now)
    if target is None or not target.enabled:
        return False
    match = member_match(db, message, target, profile, now)
    if not match.customer:
        return False
    day = capture_day(message.at, target.owner_tz)
    with writing(db) as session:
        if message.event_id and not first_delivery(session, message.event_id, message.team_id, now):
            return False  # a retry of an event already counted
        if match.contact_id is not None:
            new = count_touch(session, message.team_id, message.channel_id, target.account_id, match.contact_id,
                              day, now) == 1
        else:
            new = count_suggestion(session, message.team_id, target.account_id, message.user_id, message.at,
                                   message.at, 1) == 1
        if new:
            bump_version(session, message.team_id, target.account_id, now)
        count_activity(session, message.team_id, message.channel_id, message.at.date(), 1)
        if CAPTURE_CACHE.due_for_last_message(message.team_id, message.channel_id):
            note_last_message(session, message.team_id, message.channel_id, message.at)
    return True


def count_touch(session: Session, team_id: str, channel_id: str, account_id: int, contact_id: int, day: date,
                now: datetime, messages: int = 1, *, at_least: bool = False) -> int:
    """Add `messages` to the contact's captured touch of that day (created when absent), or with at_least
    raise it to `messages` (a backfill's recount); returns the touch's count."""
    table = Touch.__table__
    counted = _raised(table.c.capture_messages, messages) if at_least else table.c.capture_messages + messages
    statement = (
        insert_for(session, Touch)
        .values(team_id=team_id, account_id=account_id, contact_id=contact_id, occurred_on=day,
                kind=TouchKind.CHAT, created_at=now, capture_day=day, capture_messages=messages,
                capture_channel_id=channel_id)
        .on_conflict_do_update(index_elements=["contact_id", "capture_day"], set_={"capture_messages": counted})
        .returning(table.c.capture_messages)
    )
    return session.execute(statement).scalar_one()


def count_suggestion(session: Session, team_id: str, account_id: int, user_id: str, first_at: datetime,
                     last_at: datetime, messages: int, *, at_least: bool = False) -> int:
    """Count a customer member who matches no contact (messages 0: they joined); an ignored one stays ignored."""
    table = CaptureSuggestion.__table__
    counted = _raised(table.c.messages, messages) if at_least else table.c.messages + messages
    statement = (
        insert_for(session, CaptureSuggestion)
        .values(team_id=team_id, account_id=account_id, slack_user_id=user_id, messages=messages,
                first_seen_at=first_at, last_seen_at=last_at)
        .on_conflict_do_update(index_elements=["team_id", "account_id", "slack_user_id"], set_={
            "messages": counted,
            "last_seen_at": case((table.c.last_seen_at < last_at, last_at), else_=table.c.last_seen_at),
            "first_seen_at": case((table.c.first_seen_at > first_at, first_at), else_=table.c.first_seen_at)})
        .returning(table.c.messages)
    )
    return session.execute(statement).scalar_one()


def count_activity(session: Session, team_id: str, channel_id: str, day: date, messages: int,
                   *, at_least: bool = False) -> None:
    table = ChannelActivity.__table__
    counted = _raised(table.c.messages, messages) if at_least else table.c.messages + messages
    statement = (insert_for(session, ChannelActivity)
                 .values(team_id=team_id, channel_id=channel_id, day=day, messages=messages)
                 .on_conflict_do_update(index_elements=["team_id", "channel_id", "day"], set_={"messages": counted}))
    session.execute(statement)


def _raised(column, value: int):
    return case((column < value, value), else_=column)


def note_last_message(session: Session, team_id: str, channel_id: str, at: datetime) -> None:
    session.execute(update(AccountChannel).where(
        AccountChannel.team_id == team_id, AccountChannel.channel_id == channel_id,
        or_(AccountChannel.last_customer_message_at.is_(None), AccountChannel.last_customer_message_at < at),
    ).values(last_customer_message_at=at))


def bump_version(session: Session, team_id: str, account_id: int, now: datetime) -> None:
    """The account's map changed through a write the session does not see: its cached map is stale."""
    session.execute(update(Account).where(Account.team_id == team_id, Account.id == account_id)
                    .values(version=Account.version + 1, updated_at=now), execution_options={"synchronize_session": False})


def member_joined(db: Database, message: CustomerMessage, profile: AskProfile, now: datetime) -> bool:
    """member_joined_channel: a customer member off the map becomes a suggestion (no message counted)."""
    target = channel_target(db, message.team_id, message.channel_id, profile, now)
    if target is None or not target.enabled:
        return False
    match = member_match(db, message, target, profile, now)
    if not match.customer or match.contact_id is not None:
        return False
    with writing(db) as session:
        if count_suggestion(session, message.team_id, target.account_id, message.user_id, message.at, message.at,
                            0) == 0:
            bump_version(session, message.team_id, target.account_id, now)
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
    touches: Counter = Counter()
    suggested: dict[str, list[datetime]] = {}
    days: Counter = Counter()
    latest: datetime | None = None
    for message in messages:
        match = member_match(db, message, target, profile, now)
        if not match.customer:
            continue
        if match.contact_id is not None:
            touches[(match.contact_id, capture_day(message.at, target.owner_tz))] += 1
        else:
            suggested.setdefault(message.user_id, []).append(message.at)
        days[message.at.date()] += 1
        latest = max(latest or message.at, message.at)
    with writing(db) as session:
        for (contact_id, day), count in touches.items():
            count_touch(session, team_id, channel_id, target.account_id, contact_id, day, now, count, at_least=True)
        for user_id, times in suggested.items():
            count_suggestion(session, team_id, target.account_id, user_id, min(times), max(times), len(times),
                             at_least=True)
        for day, count in days.items():
            count_activity(session, team_id, channel_id, day, count, at_least=True)
        if latest is not None:
            note_last_message(session, team_id, channel_id, latest)
        if touches or suggested:
            bump_version(session, team_id, target.account_id, now)
        if complete:
            session.execute(update(AccountChannel).where(AccountChannel.team_id == team_id,
                                                         AccountChannel.channel_id == channel_id)
                            .values(backfilled_at=now))
    return sum(days.values())


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
