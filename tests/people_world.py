"""What capture leaves in the database (linked channels, their daily customer messages, people seen in them,
users.info profiles, contacts' Slack user ids), written directly: the tests of suggestions, signals and
going dark start from it without the message pipeline."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from app.core.models import AccountChannel, CaptureSuggestion, ChannelActivity, Contact, SlackUser
from app.services.accounts import find_account
from tests.slack_standin import CUSTOMER_TEAM, default_user

EXT_CHANNEL = "C0EXTACME"  # #ext-acme, shared with Acme
TEAM = "T0001"


def link(runtime, account: str, channel: str = EXT_CHANNEL, *, last_message: datetime | None = None) -> int:
    with runtime.db.session() as session:
        found = find_account(session, TEAM, account)
        session.add(AccountChannel(team_id=TEAM, channel_id=channel, account_id=found.id, name=channel.lower(),
                                   linked_by="U0CSM", linked_at=runtime.now(), last_customer_message_at=last_message))
        return found.id


def profile(runtime, user_id: str, real_name: str | None, title: str | None = None, email: str | None = None,
            **values) -> None:
    with runtime.db.session() as session:
        session.add(SlackUser(team_id=TEAM, user_id=user_id, home_team_id=CUSTOMER_TEAM, real_name=real_name,
                              title=title, email=email, is_bot=False, deleted=False,
                              profile_checked_at=runtime.now(), **values))


def seen(runtime, account: str, user_id: str, messages: int, real_name: str | None = None, title: str | None = None,
         email: str | None = None) -> None:
    """Someone of the customer seen in a linked channel who matches no contact (with their cached profile)."""
    profile(runtime, user_id, real_name, title, email)
    with runtime.db.session() as session:
        found = find_account(session, TEAM, account)
        session.add(CaptureSuggestion(team_id=TEAM, account_id=found.id, slack_user_id=user_id, messages=messages,
                                      first_seen_at=runtime.now() - timedelta(days=3), last_seen_at=runtime.now()))


def activity(runtime, channel: str, day: date, messages: int) -> None:
    with runtime.db.session() as session:
        session.add(ChannelActivity(team_id=TEAM, channel_id=channel, day=day, messages=messages))


def at_noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


def known_as(runtime, name: str, user_id: str, title: str | None = None) -> int:
    """The contact's Slack user id (as capture keeps it) and cached profile; returns the contact's id."""
    with runtime.db.session() as session:
        contact = session.scalar(select(Contact).where(Contact.team_id == TEAM, Contact.name == name))
        contact.slack_user_id = user_id
        contact_id = contact.id
    profile(runtime, user_id, name, title)
    return contact_id


def customer_user(user_id: str, name: str, **fields) -> dict:
    """A Slack Connect member as a user_change event carries them (users.info's `user` object)."""
    return default_user(user_id, name, team_id=CUSTOMER_TEAM, **fields)
