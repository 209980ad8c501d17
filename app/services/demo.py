"""The seed's Acme example and two more accounts, as data every entry path can load.

Dates are offsets from "today" so the demo always looks current; with today = 2026-03-10 they are
exactly the seed's (Tom Mar 1, Lisa Mar 5, Sarah Dec 15).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlmodel import Session

from app.core.domain import (
    ContactStatus,
    Influence,
    Level,
    Relationship,
    Sentiment,
    StakeholderType,
    TouchKind,
)
from app.core.models import AccountCreate, ContactCreate, TouchCreate
from app.services.accounts import create_account, find_account
from app.services.contacts import add_contact
from app.services.touches import log_touch
from app.services.workspaces import ensure_workspace

DEMO_TEAM_ID = "TDEMO0000"
SEED_TODAY = date(2026, 3, 10)


@dataclass(frozen=True)
class DemoTouch:
    days_ago: int
    kind: TouchKind
    notes: str | None = None


@dataclass(frozen=True)
class DemoContact:
    contact: ContactCreate
    touches: tuple[DemoTouch, ...] = ()
    added_days_ago: int = 200
    reports_to: str | None = None  # the display name of a contact listed before this one


@dataclass(frozen=True)
class DemoAccount:
    account: AccountCreate
    contacts: tuple[DemoContact, ...] = field(default_factory=tuple)


def _contact(touches=(), reports_to: str | None = None, **fields) -> DemoContact:
    return DemoContact(ContactCreate(**fields), tuple(touches), reports_to=reports_to)


def acme(today: date) -> DemoAccount:
    return DemoAccount(
        AccountCreate(name="Acme", arr_amount=Decimal("120000"), currency="EUR", renewal_date=today + timedelta(days=112)),
        (
            _contact(
                title="CTO", type=StakeholderType.EXECUTIVE_SPONSOR, department="Engineering", level=Level.C_LEVEL,
                influence=Influence.HIGH, interest=Influence.MEDIUM, relationship=Relationship.NONE,
                status=ContactStatus.NOT_ENGAGED, notes="Never identified or introduced",
            ),
            _contact(
                [DemoTouch(9, TouchKind.CALL, "Roadmap review")], reports_to="CTO (name unknown)",
                name="Tom Chen", title="VP Engineering", type=StakeholderType.CHAMPION, department="Engineering",
                level=Level.VP, influence=Influence.HIGH, interest=Influence.HIGH, relationship=Relationship.STRONG,
                sentiment=Sentiment.ADVOCATE, notes="Primary relationship. Drives internal adoption",
            ),
            _contact(
                [DemoTouch(85, TouchKind.QBR, "Met once at the QBR")],
                name="Sarah Kim", title="CFO", type=StakeholderType.ECONOMIC_BUYER, department="Finance",
                level=Level.C_LEVEL, influence=Influence.HIGH, interest=Influence.LOW, relationship=Relationship.WEAK,
                sentiment=Sentiment.NEUTRAL, notes="Met once. Has not engaged since. Critical gap",
            ),
            _contact(
                [DemoTouch(5, TouchKind.EMAIL)], reports_to="Tom Chen",
                name="Lisa Park", title="Eng Manager", type=StakeholderType.TECHNICAL_LEAD, department="Engineering",
                level=Level.MANAGER, influence=Influence.MEDIUM, interest=Influence.HIGH,
                relationship=Relationship.ADEQUATE, sentiment=Sentiment.SUPPORTIVE, notes="Responsive. Handles day-to-day",
            ),
            _contact(
                title="Operations Manager", type=StakeholderType.END_USER_CHAMPION, department="Operations",
                level=Level.MANAGER, influence=Influence.LOW, interest=Influence.MEDIUM, relationship=Relationship.NONE,
                status=ContactStatus.NOT_ENGAGED,
                notes="Product is used in Engineering only. Operations could benefit",
            ),
        ),
    )


def globex(today: date) -> DemoAccount:
    """A healthy, multi-threaded account: broad, deep, low risk."""
    return DemoAccount(
        AccountCreate(name="Globex", arr_amount=Decimal("480000"), currency="USD", renewal_date=today + timedelta(days=200)),
        (
            _contact([DemoTouch(6, TouchKind.MEETING)], name="Hank Scorpio", title="CEO", type=StakeholderType.EXECUTIVE_SPONSOR,
                     department="Executive", level=Level.C_LEVEL, influence=Influence.HIGH, interest=Influence.HIGH,
                     relationship=Relationship.STRONG, sentiment=Sentiment.ADVOCATE, notes="Quarterly exec sync"),
            _contact([DemoTouch(20, TouchKind.QBR)], reports_to="Hank Scorpio", name="Mindy Wu", title="VP Finance", type=StakeholderType.ECONOMIC_BUYER,
                     department="Finance", level=Level.VP, influence=Influence.HIGH, interest=Influence.MEDIUM,
                     relationship=Relationship.ADEQUATE, sentiment=Sentiment.SUPPORTIVE),
            _contact([DemoTouch(3, TouchKind.CHAT)], reports_to="Hank Scorpio", name="Frank Grimes", title="Director of Operations", type=StakeholderType.CHAMPION,
                     department="Operations", level=Level.DIRECTOR, influence=Influence.MEDIUM, interest=Influence.HIGH,
                     relationship=Relationship.STRONG, sentiment=Sentiment.ADVOCATE),
            _contact([DemoTouch(12, TouchKind.EMAIL)], reports_to="Hank Scorpio", name="Lenny Leonard", title="Platform Lead", type=StakeholderType.TECHNICAL_LEAD,
                     department="Engineering", level=Level.MANAGER, influence=Influence.MEDIUM, interest=Influence.HIGH,
                     relationship=Relationship.ADEQUATE, sentiment=Sentiment.SUPPORTIVE),
        ),
    )


def initech(today: date) -> DemoAccount:
    """Renewal in six weeks, a detractor, and a champion who has gone quiet."""
    return DemoAccount(
        AccountCreate(name="Initech", arr_amount=Decimal("65000"), currency="EUR", renewal_date=today + timedelta(days=42)),
        (
            _contact([DemoTouch(47, TouchKind.CALL)], name="Peter Gibbons", title="Engineering Manager", type=StakeholderType.CHAMPION,
                     department="Engineering", level=Level.MANAGER, influence=Influence.MEDIUM, interest=Influence.HIGH,
                     relationship=Relationship.STRONG, sentiment=Sentiment.SUPPORTIVE, notes="Quiet since the reorg"),
            _contact([DemoTouch(30, TouchKind.MEETING)], name="Bill Lumbergh", title="VP Operations", type=StakeholderType.DETRACTOR,
                     department="Operations", level=Level.VP, influence=Influence.HIGH, interest=Influence.MEDIUM,
                     relationship=Relationship.WEAK, sentiment=Sentiment.DETRACTOR, notes="Wants to consolidate tools"),
            _contact([DemoTouch(100, TouchKind.EMAIL)], name="Bob Slydell", title="CFO", type=StakeholderType.ECONOMIC_BUYER,
                     department="Finance", level=Level.C_LEVEL, influence=Influence.HIGH, interest=Influence.LOW,
                     relationship=Relationship.WEAK, sentiment=Sentiment.NEUTRAL),
        ),
    )


def demo_accounts(today: date) -> list[DemoAccount]:
    return [acme(today), globex(today), initech(today)]


def load_demo(session: Session, team_id: str, now: datetime) -> list[str]:
    """Create the demo accounts that do not exist yet, through the product's own code paths."""
    today = now.date()
    workspace = ensure_workspace(session, team_id, now)
    workspace.name = workspace.name or "Demo workspace"
    created = []
    for demo in demo_accounts(today):
        if find_account(session, team_id, demo.account.name) is not None:
            continue
        account = create_account(session, team_id, demo.account, None, now)
        added: dict[str, int] = {}
        for spec in demo.contacts:
            data = spec.contact.model_copy(update={"reports_to_id": added.get(spec.reports_to or "")})
            contact = add_contact(session, account, data, None, now - timedelta(days=spec.added_days_ago))
            added[contact.display_name] = contact.id
            for touch in spec.touches:
                data = TouchCreate(contact_id=contact.id, occurred_on=today - timedelta(days=touch.days_ago),
                                   kind=touch.kind, notes=touch.notes)
                log_touch(session, account, data, None, now)
        created.append(account.name)
    return created
