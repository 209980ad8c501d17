"""HubSpot's activities → touches (part of the pull, app.services.crm.hubspot): calls, meetings and e-mails
associated with a linked contact become touches of that kind, dated the activity's `hs_timestamp`.

Incremental like contacts (a cursor per object — "call", "meeting", "email" — on `hs_lastmodifieddate`, moved
with each page). Idempotent:
each activity applied to a contact is remembered as a crm_link row (object "activity", external id
"calls/123:456" — activity and contact), so a second sync adds nothing. An activity stakemap pushed itself is
never taken back as a second touch: its id is an outbox row's `external_id`, or — when the push's answer was
lost and the row is not yet recorded sent — its body carries the outbox marker. Notes are not pulled: a note is
not an interaction with the person.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select
from sqlmodel import Session

from app.core import crm
from app.core.crm import HUBSPOT, HUBSPOT_SOURCE, Counts
from app.core.domain import TouchKind
from app.core.models import CrmLink, Touch
from app.core.outbox import MARKER_RE
from app.services.accounts import touch_accounts
from app.services.crm.outbox import pushed_ids

ACTIVITY = "activity"  # crm_link.object of an activity applied to a contact
# object type → (the touch kind it becomes, the text property the push's marker would be in)
ACTIVITIES = {"calls": (TouchKind.CALL, "hs_call_body"), "meetings": (TouchKind.MEETING, "hs_meeting_body"),
              "emails": (TouchKind.EMAIL, "hs_email_text")}


def store_activities(session: Session, team_id: str, object_type: str, page: list[dict],
                     contacts_of: dict[str, list[str]], now: datetime, counts: Counts) -> None:
    """One page of activities (with the HubSpot contacts each is associated with) as touches."""
    kind, body = ACTIVITIES[object_type]
    pushed = pushed_ids(session, team_id, HUBSPOT, (f"{object_type}/{r['id']}" for r in page))
    wanted: dict[str, tuple[dict, str]] = {}  # link key → (record, HubSpot contact id)
    for record in page:
        props = record.get("properties") or {}
        if f"{object_type}/{record['id']}" in pushed or MARKER_RE.search(props.get(body) or ""):
            counts.skipped += 1  # stakemap's own push, read back
            continue
        for contact_id in contacts_of.get(str(record["id"]), []):
            wanted[f"{object_type}/{record['id']}:{contact_id}"] = (record, contact_id)
    if not wanted:
        return
    known = set(session.scalars(select(CrmLink.external_id).where(
        CrmLink.team_id == team_id, CrmLink.crm == HUBSPOT, CrmLink.object == ACTIVITY,
        CrmLink.external_id.in_(list(wanted)))))
    links = {link.external_id: link for link in session.scalars(select(CrmLink).where(
        CrmLink.team_id == team_id, CrmLink.crm == HUBSPOT, CrmLink.object == "contact", CrmLink.removed_at.is_(None),
        CrmLink.external_id.in_({contact_id for _, contact_id in wanted.values()})))}
    touches, applied = [], []
    for key, (record, contact_id) in wanted.items():
        link = links.get(contact_id)
        day = crm.day((record.get("properties") or {}).get("hs_timestamp"))
        if key in known:
            counts.unchanged += 1
        elif link is None or link.contact_id is None or day is None:
            counts.skipped += 1  # not a contact stakemap has, or no date
        else:
            touches.append({"team_id": team_id, "account_id": link.account_id, "contact_id": link.contact_id,
                            "occurred_on": day, "kind": kind, "logged_by": HUBSPOT_SOURCE, "created_at": now})
            applied.append({"team_id": team_id, "crm": HUBSPOT, "object": ACTIVITY, "external_id": key,
                            "account_id": link.account_id, "contact_id": link.contact_id, "created_at": now})
            counts.created += 1
    if touches:
        session.execute(insert(Touch.__table__), touches)
        session.execute(insert(CrmLink.__table__), applied)
        touch_accounts(session, team_id, {t["account_id"] for t in touches}, now)
