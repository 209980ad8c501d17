"""Tables and input models (SQLModel's XBase / XCreate / X(table=True) pattern).

Constraints are declared once on the Base and serve both the modal/CLI input check (the Create
models validate) and the table definition. Every table row carries the workspace's `team_id`.
Timestamps are timezone-aware UTC (from app.core.clock).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from pydantic import ConfigDict, ValidationInfo, field_validator, model_validator
from sqlalchemy import JSON, BigInteger, Column, Index, Numeric, String, UniqueConstraint, event
from sqlalchemy import Enum as SAEnum
from sqlalchemy.orm import Session
from sqlmodel import Field, SQLModel

from app.core.capture import domains_text, parse_domains
from app.core.domain import (
    Cadence,
    ContactStatus,
    DeliveryStatus,
    Influence,
    Level,
    PlanStatus,
    PlanTimeline,
    Relationship,
    Sentiment,
    StakeholderType,
    StrategyOrigin,
    TouchKind,
)
from app.core.format import one_line, without_bidi
from app.core.outbox import PushKind, PushStatus

NAME_MAX = 120
DOMAINS_MAX = 255
TEXT_MAX = 1000
NOTES_MAX = 3000
STEP_TEXT_MAX = 300  # a plan step's path and first action
APPROACH_MAX = 150  # an engagement strategy's approach: one short sentence
HISTORY_VALUE_MAX = 200  # a history entry's old and new value (an approach fits)
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
CURRENCY_RE = re.compile(r"^[A-Z]{3}$")
# 120000, 120000.50, 120,000 or 120,000.50 (commas only as thousands separators)
ARR_RE = re.compile(r"^(\d+|\d{1,3}(,\d{3})+)(\.\d{1,2})?$")
# A Slack user, channel or team id ("U0CSM", "C0ACME"): what `<@…>` and `<#…>` are written from.
SLACK_ID_RE = re.compile(r"^[A-Z][A-Z0-9]{1,31}$")


def enum_type(enum: type[Enum]) -> SAEnum:
    """Store an enum as its value in a VARCHAR (no native enum type, no CHECK to migrate)."""
    return SAEnum(
        enum,
        native_enum=False,
        create_constraint=False,
        length=32,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


def name_key(text: str | None) -> str:
    """The case- and space-insensitive form names are compared and looked up by."""
    return " ".join((text or "").split()).casefold()


def like_pattern(text: str, *, start: bool = False) -> str:
    """A LIKE pattern (escape character: backslash) for values containing, or starting with, `text`."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"{escaped}%" if start else f"%{escaped}%"


def today_in(info: ValidationInfo) -> date | None:
    """The day date rules are checked against, passed as validation context: `model_validate(data,
    context={"today": ...})` (modals, importer and CLI alike; the CSM's "today" comes from the clock)."""
    today = (info.context or {}).get("today")
    return today if isinstance(today, date) else None


FUTURE_TOUCH = "The touch date is in the future."
PAST_RENEWAL = "The renewal date is in the past."
PAST_DUE_DATE = "That date is in the past."


def clean(text: str | None) -> str | None:
    """Strip surrounding space and bidirectional control characters; empty becomes None."""
    text = without_bidi(text or "").strip()
    return text or None


def clean_line(text: str | None) -> str | None:
    """A name, title or other one-line text: spaces collapsed, no bidirectional controls; empty is None."""
    return one_line(text) or None


def slack_id(value: Any, what: str) -> Any:
    """A Slack id as given, or a ValueError naming what it should have been."""
    if isinstance(value, str) and not SLACK_ID_RE.match(value):
        raise ValueError(f"That is not a Slack {what} id.")
    return value
UNKNOWN_NAME = "name unknown"  # a placeholder contact: "CTO (name unknown)" (Contact.label_for)


class TeamScoped(SQLModel):
    team_id: str = Field(max_length=32, foreign_key="workspace.team_id", index=True)


# --- workspace -----------------------------------------------------------------------------------


class Workspace(SQLModel, table=True):
    team_id: str = Field(primary_key=True, max_length=32)
    enterprise_id: str | None = Field(default=None, max_length=32)
    name: str | None = Field(default=None, max_length=255)
    # Workspace settings edited in Slack (staleness windows, nudge time): see app/services/workspaces.py.
    config: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime


# --- account -------------------------------------------------------------------------------------


class AccountBase(SQLModel):
    name: str = Field(min_length=1, max_length=NAME_MAX)
    arr_amount: Decimal | None = Field(default=None, ge=0, max_digits=14, decimal_places=2, sa_type=Numeric(14, 2))
    currency: str = Field(default="EUR", min_length=3, max_length=3)
    renewal_date: date | None = None
    owner_user_id: str | None = Field(default=None, max_length=32)
    # The customer's e-mail domains ("acme.com, acme.io"): who in a linked channel is the customer (capture).
    domains: str | None = Field(default=None, max_length=DOMAINS_MAX)
    # Slack Connect capture for this account (the workspace setting can turn it off for all).
    capture_enabled: bool = Field(default=True)


class AccountCreate(AccountBase):
    # A channel to link at creation (an AccountChannel row, not a column of the account).
    channel_id: str | None = Field(default=None, max_length=32)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        value = one_line(value)
        if not value:
            raise ValueError("Give the account a name.")
        return value

    @field_validator("arr_amount", mode="before")
    @classmethod
    def _arr(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        text = value.strip().replace(" ", "").replace("_", "").replace("\u00a0", "")
        if not text:
            return None
        if ARR_RE.match(text):
            return Decimal(text.replace(",", ""))
        raise ValueError("Enter the ARR as a number, such as 120000 or 120,000.50.")

    @field_validator("arr_amount")
    @classmethod
    def _arr_size(cls, value: Decimal | None) -> Decimal | None:
        if value is not None and value >= Decimal("1e12"):
            raise ValueError("That ARR is too large: enter at most 999,999,999,999.")
        return value

    @field_validator("renewal_date")
    @classmethod
    def _renewal_ahead(cls, value: date | None, info: ValidationInfo) -> date | None:
        today = today_in(info)
        if value is not None and today is not None and value < today:
            raise ValueError(PAST_RENEWAL)
        return value

    @field_validator("currency", mode="before")
    @classmethod
    def _currency(cls, value: Any) -> Any:
        value = (value or "").strip().upper() if isinstance(value, str) or value is None else value
        if not isinstance(value, str) or not CURRENCY_RE.match(value):
            raise ValueError("Use a three-letter ISO 4217 code such as EUR or USD.")
        return value

    @field_validator("owner_user_id")
    @classmethod
    def _owner(cls, value: str | None) -> str | None:
        return slack_id(value, "user")

    @field_validator("channel_id")
    @classmethod
    def _channel(cls, value: str | None) -> str | None:
        return slack_id(value, "channel")

    @field_validator("domains", mode="before")
    @classmethod
    def _domains(cls, value: Any) -> Any:
        return domains_text(parse_domains(value)) if isinstance(value, str) or value is None else value


class Account(AccountBase, TeamScoped, table=True):
    __table_args__ = (
        UniqueConstraint("team_id", "name_key", name="uq_account_team_name"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name_key: str = Field(max_length=NAME_MAX)
    created_at: datetime
    created_by: str | None = Field(default=None, max_length=32)
    updated_at: datetime
    # Bumped on every change to the account's map (contacts, touches, plan): a cache key.
    version: int = Field(default=1)


# --- contact -------------------------------------------------------------------------------------


class ContactBase(SQLModel):
    name: str | None = Field(default=None, max_length=NAME_MAX)
    title: str | None = Field(default=None, max_length=NAME_MAX)
    type: StakeholderType = Field(sa_type=enum_type(StakeholderType))
    department: str | None = Field(default=None, max_length=80)
    level: Level | None = Field(default=None, sa_type=enum_type(Level))
    influence: Influence | None = Field(default=None, sa_type=enum_type(Influence))
    interest: Influence | None = Field(default=None, sa_type=enum_type(Influence))
    relationship: Relationship = Field(default=Relationship.WEAK, sa_type=enum_type(Relationship))
    sentiment: Sentiment = Field(default=Sentiment.NEUTRAL, sa_type=enum_type(Sentiment))
    status: ContactStatus = Field(default=ContactStatus.ACTIVE, sa_type=enum_type(ContactStatus))
    reports_to_id: int | None = Field(default=None, foreign_key="contact.id", ondelete="SET NULL")
    objectives: str | None = Field(default=None, max_length=TEXT_MAX)
    notes: str | None = Field(default=None, max_length=TEXT_MAX)
    email: str | None = Field(default=None, max_length=254)
    # The engagement strategy (SPEC §7): all empty means none of its own (the table's proposal is shown).
    strategy_approach: str | None = Field(default=None, max_length=APPROACH_MAX)
    strategy_cadence: Cadence | None = Field(default=None, sa_type=enum_type(Cadence),
                                             schema_extra={"validate_default": True})
    strategy_channel: TouchKind | None = Field(default=None, sa_type=enum_type(TouchKind))
    strategy_origin: StrategyOrigin | None = Field(default=None, sa_type=enum_type(StrategyOrigin),
                                                   schema_extra={"validate_default": True})
    # The contact's Slack user (a member of a linked Slack Connect channel), kept once matched by capture.
    slack_user_id: str | None = Field(default=None, max_length=32)


STRATEGY_FIELDS = ("strategy_approach", "strategy_cadence", "strategy_channel", "strategy_origin")


class ContactCreate(ContactBase):
    @field_validator("name", "title", "department", "email", "strategy_approach", mode="before")
    @classmethod
    def _one_line(cls, value: Any) -> Any:
        return clean_line(value) if isinstance(value, str) else value

    @field_validator("objectives", "notes", mode="before")
    @classmethod
    def _strip(cls, value: Any) -> Any:
        return clean(value) if isinstance(value, str) else value

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value and not EMAIL_RE.match(value):
            raise ValueError("That does not look like an e-mail address.")
        return value

    @field_validator("strategy_cadence")
    @classmethod
    def _strategy_whole(cls, value: Cadence | None, info: ValidationInfo) -> Cadence | None:
        """A strategy of its own has an approach and a cadence; with neither, the proposal applies."""
        approach = info.data.get("strategy_approach")
        if approach and value is None:
            raise ValueError("Pick how often (the strategy has an approach), or clear the approach to use the proposal.")
        if value is not None and not approach and "strategy_approach" in info.data:
            raise ValueError("Write the approach too, or clear the cadence to use the proposal.")
        return value

    @field_validator("strategy_channel")
    @classmethod
    def _channel_with_approach(cls, value: TouchKind | None, info: ValidationInfo) -> TouchKind | None:
        if value is not None and not info.data.get("strategy_approach") and "strategy_approach" in info.data:
            raise ValueError("Write the approach and cadence too, or clear the channel to use the proposal.")
        return value

    @field_validator("strategy_origin")
    @classmethod
    def _origin(cls, value: StrategyOrigin | None, info: ValidationInfo) -> StrategyOrigin | None:
        """Set only with a strategy; a strategy given without saying where it came from is the CSM's own."""
        if not info.data.get("strategy_approach"):
            return None
        return value or StrategyOrigin.OWN

    @model_validator(mode="after")
    def _name_or_title(self) -> ContactCreate:
        if not self.name and not self.title:
            raise ValueError("Give a name or, when the name is unknown, a title such as 'CTO'.")
        return self


class Contact(ContactBase, TeamScoped, table=True):
    __table_args__ = (
        UniqueConstraint("account_id", "name_key", name="uq_contact_account_name"),
        Index("ix_contact_team_account_status", "team_id", "account_id", "status"),
        Index("ix_contact_team_slack_user", "team_id", "slack_user_id"),  # capture: who wrote this message
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", ondelete="CASCADE")
    # name_key: the lookup/uniqueness key; unnamed placeholders are keyed by their title ("?cto").
    name_key: str = Field(max_length=NAME_MAX + 1)
    created_at: datetime
    created_by: str | None = Field(default=None, max_length=32)
    updated_at: datetime
    # Hidden from the weekly digests until (not including) this day; the map still shows it.
    snoozed_until: date | None = None
    snoozed_by: str | None = Field(default=None, max_length=32)

    @staticmethod
    def key_for(name: str | None, title: str | None) -> str:
        return name_key(name) if clean(name) else "?" + name_key(title)

    @property
    def display_name(self) -> str:
        return self.label_for(self.name, self.title)

    @staticmethod
    def label_for(name: str | None, title: str | None) -> str:
        """How a contact is named everywhere: "Sarah Kim", or "CTO (name unknown)" for a placeholder."""
        return name or f"{title or 'Contact'} ({UNKNOWN_NAME})"

    @staticmethod
    def placeholder_title(label: str) -> str | None:
        """The title a placeholder's label stands for ("CTO (name unknown)" → "CTO"), else None."""
        suffix = f" ({UNKNOWN_NAME})"
        return label.removesuffix(suffix) if label.endswith(suffix) else None

    @property
    def short_name(self) -> str:
        """First name for a person, the title for a placeholder ("Tom", "CTO")."""
        words = (self.name or "").split()
        return words[0] if words else (self.title or "Contact")


# --- touch ---------------------------------------------------------------------------------------


class TouchBase(SQLModel):
    contact_id: int = Field(foreign_key="contact.id", ondelete="CASCADE")
    occurred_on: date
    kind: TouchKind = Field(sa_type=enum_type(TouchKind))
    sentiment_after: Sentiment | None = Field(default=None, sa_type=enum_type(Sentiment))
    notes: str | None = Field(default=None, max_length=NOTES_MAX)


class TouchCreate(TouchBase):
    @field_validator("notes", mode="before")
    @classmethod
    def _strip(cls, value: Any) -> Any:
        return clean(value) if isinstance(value, str) or value is None else value

    @field_validator("occurred_on")
    @classmethod
    def _not_ahead(cls, value: date, info: ValidationInfo) -> date:
        today = today_in(info)
        if today is not None and value > today:
            raise ValueError(FUTURE_TOUCH)
        return value


class Touch(TouchBase, TeamScoped, table=True):
    __table_args__ = (
        Index("ix_touch_contact_date", "contact_id", "occurred_on"),
        # The leader's report counts a workspace's touches of the last 30 days without reading all the others.
        Index("ix_touch_team_date", "team_id", "occurred_on"),
        # At most one captured touch per contact per day; logged touches leave capture_day empty.
        UniqueConstraint("contact_id", "capture_day", name="uq_touch_contact_capture_day"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", ondelete="CASCADE", index=True)
    logged_by: str | None = Field(default=None, max_length=32)
    created_at: datetime
    # Captured from a Slack Connect channel (None: logged by a person). The day equals occurred_on.
    capture_day: date | None = None
    capture_messages: int | None = None  # customer messages that day ("3 messages in #ext-acme")
    capture_channel_id: str | None = Field(default=None, max_length=32)  # the channel of the first one

    @property
    def captured(self) -> bool:
        return self.capture_day is not None


# --- multi-threading plan ------------------------------------------------------------------------


class PlanStepBase(SQLModel):
    contact_id: int | None = Field(default=None, foreign_key="contact.id", ondelete="SET NULL")
    target_role: str | None = Field(default=None, max_length=NAME_MAX)
    path: str = Field(min_length=1, max_length=STEP_TEXT_MAX)
    first_action: str = Field(min_length=1, max_length=STEP_TEXT_MAX)
    timeline: PlanTimeline = Field(default=PlanTimeline.THIS_MONTH, sa_type=enum_type(PlanTimeline))
    due_date: date | None = None
    owner_user_id: str | None = Field(default=None, max_length=32)


class PlanStepCreate(PlanStepBase):
    model_config = ConfigDict(validate_default=True)  # the due-date rule also runs when no date is given

    @field_validator("target_role", "path", "first_action", mode="before")
    @classmethod
    def _strip(cls, value: Any) -> Any:
        return clean(value) if isinstance(value, str) or value is None else value

    @field_validator("owner_user_id")
    @classmethod
    def _owner(cls, value: str | None) -> str | None:
        return slack_id(value, "user")

    @field_validator("due_date")
    @classmethod
    def _date_with_timeline(cls, value: date | None, info: ValidationInfo) -> date | None:
        by_date = info.data.get("timeline") == PlanTimeline.DATE
        if by_date and value is None:
            raise ValueError("Pick the date (the timeline is 'By a date').")
        if value is not None and not by_date and "timeline" in info.data:
            raise ValueError("Clear the date, or set the timeline to 'By a date'.")
        today = today_in(info)
        if value is not None and today is not None and value < today:
            raise ValueError(PAST_DUE_DATE)
        return value

    @model_validator(mode="after")
    def _target(self) -> PlanStepCreate:
        if self.contact_id is None and not self.target_role:
            raise ValueError("Pick a contact or name the role to reach.")
        return self


class PlanStep(PlanStepBase, TeamScoped, table=True):
    __tablename__ = "plan_step"

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", ondelete="CASCADE", index=True)
    status: PlanStatus = Field(default=PlanStatus.OPEN, sa_type=enum_type(PlanStatus))
    created_at: datetime
    created_by: str | None = Field(default=None, max_length=32)
    done_at: datetime | None = None
    done_by: str | None = Field(default=None, max_length=32)


# --- history -------------------------------------------------------------------------------------


class ContactChange(TeamScoped, table=True):
    """One change to a contact's relationship, sentiment, type, status or strategy (who, when, old → new)."""

    __tablename__ = "contact_change"
    __table_args__ = (
        Index("ix_contact_change_contact_at", "contact_id", "changed_at"),
        Index("ix_contact_change_account_at", "account_id", "changed_at"),  # an account's recent trends
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", ondelete="CASCADE")
    contact_id: int = Field(foreign_key="contact.id", ondelete="CASCADE")
    field: str = Field(sa_column=Column(String(32), nullable=False))
    old_value: str | None = Field(default=None, max_length=HISTORY_VALUE_MAX)
    new_value: str | None = Field(default=None, max_length=HISTORY_VALUE_MAX)
    changed_by: str | None = Field(default=None, max_length=32)
    changed_at: datetime


# The fields a CRM also feeds are tracked too: every change from a CRM stays in the history ("crm:hubspot"), and a
# change made in stakemap keeps its time, which the pull weighs against the CRM's (app.core.crm.crm_change_wins).
CRM_FED_FIELDS = ("name", "title", "email", "department", "reports_to_id")
TRACKED_FIELDS = ("relationship", "sentiment", "type", "status", *STRATEGY_FIELDS, *CRM_FED_FIELDS)


class AccountChange(TeamScoped, table=True):
    """One change to an account field a CRM also feeds (name, ARR, currency, renewal, owner): who, when, old → new.

    The account's counterpart of ContactChange: a CRM pull keeps a field stakemap changed after the CRM did."""

    __tablename__ = "account_change"
    __table_args__ = (Index("ix_account_change_account_at", "account_id", "changed_at"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", ondelete="CASCADE")
    field: str = Field(sa_column=Column(String(32), nullable=False))
    old_value: str | None = Field(default=None, max_length=HISTORY_VALUE_MAX)
    new_value: str | None = Field(default=None, max_length=HISTORY_VALUE_MAX)
    changed_by: str | None = Field(default=None, max_length=32)
    changed_at: datetime


ACCOUNT_TRACKED_FIELDS = ("name", "arr_amount", "currency", "renewal_date", "owner_user_id")


# --- events ----------------------------------------------------------------------------------------


class EventReceipt(SQLModel, table=True):
    """An Events API delivery already handled (by any replica); see app/platform/deliveries.py."""

    __tablename__ = "event_receipt"

    event_id: str = Field(primary_key=True, max_length=64)
    team_id: str | None = Field(default=None, max_length=32)
    received_at: datetime = Field(index=True)


class RequestReceipt(SQLModel, table=True):
    """A signed request (or a view submission) already handled, for replays within Slack's signature
    window; see app/platform/deliveries.py. The key is a SHA-256 digest of what identifies the request."""

    __tablename__ = "request_receipt"

    key: str = Field(primary_key=True, max_length=64)
    team_id: str | None = Field(default=None, max_length=32)
    received_at: datetime = Field(index=True)


# --- map versions ----------------------------------------------------------------------------------


@event.listens_for(Session, "before_flush")
def _bump_map_versions(session: Session, _context, _instances) -> None:
    """Account.version changes with anything on the account's map, whichever code wrote it.

    Caches of rendered maps key on it (app/platform/map_cache.py). Writes that bypass the ORM session must bump
    it themselves.
    """
    changed = {
        row.account_id
        for row in (*session.new, *session.dirty, *session.deleted)
        if isinstance(row, Contact | Touch | PlanStep | ContactChange | AccountChannel | CaptureSuggestion)
        and row.account_id is not None
    }
    changed |= {row.id for row in session.dirty if isinstance(row, Account) and session.is_modified(row)}
    for account_id in changed:
        account = session.get(Account, account_id)
        if account is not None:
            account.version = (account.version or 0) + 1


# --- erasure -------------------------------------------------------------------------------------
class Erasure(TeamScoped, table=True):
    """That a contact's personal data was erased, by whom and when (never what it was)."""
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", ondelete="CASCADE", index=True)
    contact_id: int = Field(foreign_key="contact.id", ondelete="CASCADE", unique=True)
    erased_by: str = Field(max_length=64)  # a Slack user id, or "cli:<login>" from the command line
    erased_at: datetime
    touches: int = 0  # touches whose notes and sentiment were erased
    changes: int = 0  # history entries whose old and new values were erased
    plan_steps: int = 0  # plan steps aimed at the contact whose texts were erased


# --- weekly nudges -------------------------------------------------------------------------------


class SlackUser(SQLModel, table=True):
    """What stakemap caches about a Slack user it DMs: time zone (users.info) and DM channel."""

    __tablename__ = "slack_user"

    team_id: str = Field(primary_key=True, max_length=32, foreign_key="workspace.team_id")
    user_id: str = Field(primary_key=True, max_length=32)
    tz: str | None = Field(default=None, max_length=64)  # IANA name, e.g. "Pacific/Honolulu"
    tz_checked_at: datetime | None = None
    dm_channel_id: str | None = Field(default=None, max_length=32)
    # users.info as capture needs it (a member of a linked channel): whose organisation, who they are.
    home_team_id: str | None = Field(default=None, max_length=32)  # user.team_id
    enterprise_id: str | None = Field(default=None, max_length=32)  # user.enterprise_user.enterprise_id
    real_name: str | None = Field(default=None, max_length=NAME_MAX)
    title: str | None = Field(default=None, max_length=NAME_MAX)
    email: str | None = Field(default=None, max_length=254)
    is_bot: bool | None = None
    deleted: bool | None = None
    profile_checked_at: datetime | None = None  # when users.info last answered (a time to live)


class NudgeDelivery(TeamScoped, table=True):
    """The ledger of weekly digests: one row per (workspace, CSM, ISO week), claimed before sending."""

    __tablename__ = "nudge_delivery"
    __table_args__ = (UniqueConstraint("team_id", "user_id", "week", name="uq_nudge_delivery_team_user_week"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: str = Field(max_length=32)
    week: str = Field(max_length=8)  # ISO week in the CSM's time zone: "2026-W11"
    status: DeliveryStatus = Field(sa_type=enum_type(DeliveryStatus))
    attempts: int = Field(default=0)
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_at: datetime
    items: int = Field(default=0)  # stale relationships listed
    channel_id: str | None = Field(default=None, max_length=32)
    ts: str | None = Field(default=None, max_length=32)
    sent_at: datetime | None = None
    error: str | None = Field(default=None, max_length=255)


# --- channels shared with other organisations ----------------------------------------------------


class ChannelAudience(SQLModel, table=True):
    """Whether a channel is shared with another organisation (Slack Connect), as Slack last said;
    kept in the database so every replica agrees (app/services/channels.py). Only answers Slack gave are kept."""

    __tablename__ = "channel_audience"

    team_id: str = Field(primary_key=True, max_length=32)
    channel_id: str = Field(primary_key=True, max_length=32)
    shared: bool
    checked_at: datetime


# --- the leader's view: weekly coverage snapshots ---------------------------------------------------


class CoverageSnapshot(SQLModel, table=True):
    """One account's coverage as read once in an ISO week (SPEC §7): kept for the leader's trends.

    Not tied to the account row by a foreign key: a deleted account's past weeks stay in the history.
    """

    __tablename__ = "coverage_snapshot"
    __table_args__ = (Index("ix_coverage_snapshot_team_week", "team_id", "iso_week"),)

    team_id: str = Field(primary_key=True, max_length=32, foreign_key="workspace.team_id")
    account_id: int = Field(primary_key=True)
    iso_week: str = Field(primary_key=True, max_length=8)  # "2026-W11" (UTC)
    taken_on: date  # the day the state was read: the reference for its 90-day window
    overall_risk: int  # app.core.domain.Risk value
    champion: str | None = Field(default=None, max_length=8)  # coverage: "covered", "gap", "missing"
    economic_buyer: str | None = Field(default=None, max_length=8)
    decision_maker: str | None = Field(default=None, max_length=8)  # None: no decision maker on the map
    executive_sponsor: str | None = Field(default=None, max_length=8)
    breadth: str | None = Field(default=None, max_length=8)
    depth: str | None = Field(default=None, max_length=8)
    detractors: str | None = Field(default=None, max_length=8)  # None: no detractor on the map
    single_threaded: bool
    engaged: int
    active: int
    stale: int
    arr_amount: Decimal | None = Field(default=None, sa_type=Numeric(14, 2))
    currency: str = Field(max_length=3)
    renewal_date: date | None = None
    owner_user_id: str | None = Field(default=None, max_length=32)


class AccountFigures(SQLModel, table=True):
    """One account's figures as its assessment gave them on one day (SPEC §7), so that the leader's report reads
    10,000 rows instead of assessing every account each time.

    Valid only while the account's map `version`, the day (`as_of`) and the workspace's staleness windows
    (`windows_key`) are those it was assessed with: anything else is assessed again (app/services/figures.py).
    The hourly snapshot pass refreshes the rows whose key changed.
    """

    __tablename__ = "account_figures"

    team_id: str = Field(primary_key=True, max_length=32, foreign_key="workspace.team_id")
    account_id: int = Field(primary_key=True, foreign_key="account.id", ondelete="CASCADE")
    version: int  # Account.version when assessed
    as_of: date  # the day it was assessed for
    windows_key: str = Field(max_length=32)  # app.services.figures.windows_key of the workspace's windows
    overall_risk: int  # app.core.domain.Risk value
    champion: str | None = Field(default=None, max_length=8)  # coverage words, as in CoverageSnapshot
    economic_buyer: str | None = Field(default=None, max_length=8)
    decision_maker: str | None = Field(default=None, max_length=8)
    executive_sponsor: str | None = Field(default=None, max_length=8)
    breadth: str | None = Field(default=None, max_length=8)
    depth: str | None = Field(default=None, max_length=8)
    detractors: str | None = Field(default=None, max_length=8)
    single_threaded: bool
    engaged: int
    active: int
    stale: int
    overdue: int
    main_reason: str = Field(max_length=120)


# --- Slack Connect capture -------------------------------------------------------------------------


class AccountChannel(SQLModel, table=True):
    """A channel linked to an account (`/stakemap link Acme`): several per account, one account per channel."""

    __tablename__ = "account_channel"

    team_id: str = Field(primary_key=True, max_length=32, foreign_key="workspace.team_id")
    channel_id: str = Field(primary_key=True, max_length=32)
    account_id: int = Field(foreign_key="account.id", ondelete="CASCADE", index=True)
    name: str | None = Field(default=None, max_length=80)  # "ext-acme", as conversations.info last said
    linked_by: str | None = Field(default=None, max_length=32)
    linked_at: datetime
    backfilled_at: datetime | None = None  # the last 90 days were read (conversations.history)
    last_customer_message_at: datetime | None = None


class ChannelActivity(SQLModel, table=True):
    """How many customer messages a linked channel had on a day (UTC): "quiet for N days" (going dark)."""

    __tablename__ = "channel_activity"

    team_id: str = Field(primary_key=True, max_length=32, foreign_key="workspace.team_id")
    channel_id: str = Field(primary_key=True, max_length=32)
    day: date = Field(primary_key=True)
    messages: int = Field(default=0)


class CaptureSuggestion(SQLModel, table=True):
    """A customer member seen in a linked channel who matches no contact: "Seen in Slack, not on the map"."""

    __tablename__ = "capture_suggestion"

    team_id: str = Field(primary_key=True, max_length=32, foreign_key="workspace.team_id")
    account_id: int = Field(primary_key=True, foreign_key="account.id", ondelete="CASCADE")
    slack_user_id: str = Field(primary_key=True, max_length=32)
    messages: int = Field(default=0)
    first_seen_at: datetime
    last_seen_at: datetime
    ignored_at: datetime | None = None  # *Ignore*: never suggested again
    ignored_by: str | None = Field(default=None, max_length=32)


class CaptureSignal(TeamScoped, table=True):
    """The ledger of signals DMed to an account's owner (left the channel, deactivated, new title): each once."""

    __tablename__ = "capture_signal"
    __table_args__ = (UniqueConstraint("team_id", "contact_id", "kind", "detail", name="uq_capture_signal"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", ondelete="CASCADE", index=True)
    contact_id: int = Field(foreign_key="contact.id", ondelete="CASCADE")
    kind: str = Field(max_length=16)  # "left_channel", "deactivated", "title"
    detail: str = Field(default="", max_length=NAME_MAX)  # the channel id, or the new title
    created_at: datetime
    # Its DM, as the weekly digest's ledger keeps it (claimed, then sent, failed or uncertain; app/services/signals.py)
    status: DeliveryStatus = Field(default=DeliveryStatus.SENDING, sa_type=enum_type(DeliveryStatus))
    attempts: int = Field(default=0)
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_at: datetime | None = None
    channel_id: str | None = Field(default=None, max_length=32)
    ts: str | None = Field(default=None, max_length=32)
    error: str | None = Field(default=None, max_length=255)
    sent_at: datetime | None = None
    answered_at: datetime | None = None
    answered_by: str | None = Field(default=None, max_length=32)


# --- CRM: several roles per person, links to CRM records, sync cursors (issue 13) -------------------

ROLE_SOURCE_SLACK = "slack"  # set by a CSM in the contact modal ("Also")


class ContactRole(TeamScoped, table=True):
    """A stakeholder role a contact holds besides its primary `Contact.type` (the map's Type column).

    `source` says who set it: "slack" (a CSM, in the contact modal) or a CRM ("crm:hubspot"); a CRM sync
    replaces only its own roles. Coverage counts every role (app.core.assessment.roles_of).
    """

    __tablename__ = "contact_role"
    __table_args__ = (UniqueConstraint("contact_id", "type", name="uq_contact_role"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", ondelete="CASCADE", index=True)
    contact_id: int = Field(foreign_key="contact.id", ondelete="CASCADE")
    type: StakeholderType = Field(sa_type=enum_type(StakeholderType))
    source: str = Field(max_length=32)
    created_at: datetime


class CrmLink(TeamScoped, table=True):
    """One CRM record (a HubSpot company or contact, a Salesforce Account or Contact) and what it feeds.

    `removed_at`: the record was archived or deleted in the CRM; the contact stays and the map flags it
    for the CSM to confirm (nothing is deleted by a sync).
    """

    __tablename__ = "crm_link"
    __table_args__ = (
        UniqueConstraint("team_id", "crm", "object", "external_id", name="uq_crm_link_record"),
        Index("ix_crm_link_contact", "contact_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    crm: str = Field(max_length=16)  # "hubspot", "salesforce"
    object: str = Field(max_length=16)  # "company" (a HubSpot company, a Salesforce Account), "contact"
    external_id: str = Field(max_length=64)
    account_id: int = Field(foreign_key="account.id", ondelete="CASCADE", index=True)
    contact_id: int | None = Field(default=None, foreign_key="contact.id", ondelete="CASCADE")
    removed_at: datetime | None = None
    created_at: datetime
    # A contact's stakeholder roles as the CRM gave them at the last sync ("champion,decision_maker"): whether the
    # CRM changed them since (its role labels carry no change time of their own). None: not read yet.
    roles: str | None = Field(default=None, max_length=200)


class CrmCursor(SQLModel, table=True):
    """How far an incremental CRM sync got, per object: the last-modified time of the last record it applied."""

    __tablename__ = "crm_cursor"

    team_id: str = Field(primary_key=True, max_length=32, foreign_key="workspace.team_id")
    crm: str = Field(primary_key=True, max_length=16)
    object: str = Field(primary_key=True, max_length=16)
    modified_at: str = Field(max_length=40)  # the CRM's own ISO 8601 timestamp, as it sent it
    updated_at: datetime


@event.listens_for(Session, "before_flush")
def _bump_map_versions_for_roles(session: Session, _context, _instances) -> None:
    """A role added or removed, or a CRM record flagged as removed (or not any more), changes the account's map
    too (see _bump_map_versions); a new link alone does not."""
    changed = {row.account_id for row in (*session.new, *session.deleted) if isinstance(row, ContactRole)}
    changed |= {row.account_id for row in session.dirty
                if isinstance(row, ContactRole | CrmLink) and session.is_modified(row)}
    for account_id in changed:
        account = session.get(Account, account_id)
        if account is not None:
            account.version = (account.version or 0) + 1


# --- CRM push: the outbox (issue 13) -------------------------------------------------------------------


class CrmOutbox(TeamScoped, table=True):
    """One change made in stakemap, to be pushed to one CRM (app.core.outbox says what each status means).

    `object_id`/`revision` name the change: a touch (its id, revision 0), or a contact's type/roles or departure
    (the contact's id, and the id of the history row the change wrote). A touch's row is sent as it was logged;
    a contact's row sends the contact's state when it is delivered (a newer change is never undone by an older
    row). `external_id`: what the CRM created for it (a HubSpot note or call id), kept so the pull never takes
    it back as a second touch.
    """

    __tablename__ = "crm_outbox"
    __table_args__ = (
        UniqueConstraint("team_id", "crm", "kind", "object_id", "revision", name="uq_crm_outbox_change"),
        Index("ix_crm_outbox_due", "crm", "status", "next_attempt_at"),
        Index("ix_crm_outbox_external", "crm", "external_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    crm: str = Field(max_length=16)  # "hubspot", "salesforce"
    kind: PushKind = Field(sa_type=enum_type(PushKind))
    object_id: int = Field(sa_type=BigInteger)
    revision: int = Field(default=0, sa_type=BigInteger)
    account_id: int = Field(foreign_key="account.id", ondelete="CASCADE", index=True)
    contact_id: int = Field(foreign_key="contact.id", ondelete="CASCADE", index=True)
    status: PushStatus = Field(sa_type=enum_type(PushStatus))
    attempts: int = Field(default=0)
    next_attempt_at: datetime
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_at: datetime | None = None
    external_id: str | None = Field(default=None, max_length=64)
    error: str | None = Field(default=None, max_length=255)
    created_at: datetime
    sent_at: datetime | None = None
