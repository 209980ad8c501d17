"""A CRM's activities → touches, the same for every CRM's pull (HubSpot: app.services.crm.hubspot_activities;
Salesforce: Tasks and Events in app.services.crm.salesforce).

An activity on a linked contact becomes a touch of its kind on its day. Idempotent: each activity applied to a
contact is remembered as a crm_link row (object "activity", external id "<activity>:<contact>", e.g.
"calls/123:456" or "Task/00T…:003…"), so a second sync adds nothing. An activity stakemap pushed itself is
never taken back as a second touch: its id is an outbox row's `external_id`, or — when the push's answer was
lost and the row is not yet recorded sent — its text carries the outbox marker.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import insert, select
from sqlmodel import Session

from app.core.crm import Counts, changed_by
from app.core.domain import TouchKind
from app.core.models import CrmLink, Touch
from app.core.outbox import MARKER_RE
from app.services.accounts import touch_accounts
from app.services.crm.outbox import pushed_ids

ACTIVITY = "activity"  # crm_link.object of an activity applied to a contact


@dataclass(frozen=True)
class IncomingActivity:
    """One CRM activity as the pull read it: its id as the push records it ("calls/123", "Task/00T…"), the
    touch kind it becomes, its day, the CRM contact ids it is on, and the text the push's marker would be in."""

    external_id: str
    kind: TouchKind
    day: date | None
    contact_ids: tuple[str, ...]
    text: str | None = None


def store_activities(session: Session, team_id: str, crm_name: str, page: list[IncomingActivity], now: datetime,
                     counts: Counts) -> None:
    """One page of activities as touches of the contacts they are on (each activity and contact once)."""
    pushed = pushed_ids(session, team_id, crm_name, (a.external_id for a in page))
    wanted: dict[str, tuple[IncomingActivity, str]] = {}  # link key → (activity, CRM contact id)
    for activity in page:
        if activity.external_id in pushed or MARKER_RE.search(activity.text or ""):
            counts.skipped += 1  # stakemap's own push, read back
            continue
        for contact_id in activity.contact_ids:
            wanted[f"{activity.external_id}:{contact_id}"] = (activity, contact_id)
    if not wanted:
        return
    known = set(session.scalars(select(CrmLink.external_id).where(
        CrmLink.team_id == team_id, CrmLink.crm == crm_name, CrmLink.object == ACTIVITY,
        CrmLink.external_id.in_(list(wanted)))))
    links = {link.external_id: link for link in session.scalars(select(CrmLink).where(
        CrmLink.team_id == team_id, CrmLink.crm == crm_name, CrmLink.object == "contact",
        CrmLink.removed_at.is_(None), CrmLink.external_id.in_({contact_id for _, contact_id in wanted.values()})))}
    touches, applied = [], []
    for key, (activity, contact_id) in wanted.items():
        link = links.get(contact_id)
        if key in known:
            counts.unchanged += 1
        elif link is None or link.contact_id is None or activity.day is None:
            counts.skipped += 1  # not a contact stakemap has, or no date
        elif activity.day > now.date():
            counts.skipped += 1  # planned, not happened: no touch in the future (a --full sync after its day takes it)
        else:
            touches.append({"team_id": team_id, "account_id": link.account_id, "contact_id": link.contact_id,
                            "occurred_on": activity.day, "kind": activity.kind, "logged_by": changed_by(crm_name),
                            "created_at": now})
            applied.append({"team_id": team_id, "crm": crm_name, "object": ACTIVITY, "external_id": key,
                            "account_id": link.account_id, "contact_id": link.contact_id, "created_at": now})
            counts.created += 1
    if touches:
        session.execute(insert(Touch.__table__), touches)
        session.execute(insert(CrmLink.__table__), applied)
        touch_accounts(session, team_id, {t["account_id"] for t in touches}, now)
