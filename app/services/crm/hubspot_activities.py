"""HubSpot's activities → touches (part of the pull, app.services.crm.hubspot): calls, meetings and e-mails
associated with a linked contact become touches of that kind, dated the activity's `hs_timestamp`.

Incremental like contacts (a cursor per object — "call", "meeting", "email" — on `hs_lastmodifieddate`, moved
with each page). Stored, idempotent, and stakemap's own pushes skipped by the rule every CRM shares
(app.services.crm.activities; the marker is looked for in the body). Notes are not pulled: a note is not an
interaction with the person.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from app.core import crm
from app.core.crm import HUBSPOT, Counts
from app.core.domain import TouchKind
from app.services.crm.activities import IncomingActivity
from app.services.crm.activities import store_activities as store

# object type → (the touch kind it becomes, the text property the push's marker would be in)
ACTIVITIES = {"calls": (TouchKind.CALL, "hs_call_body"), "meetings": (TouchKind.MEETING, "hs_meeting_body"),
              "emails": (TouchKind.EMAIL, "hs_email_text")}


def store_activities(session: Session, team_id: str, object_type: str, page: list[dict],
                     contacts_of: dict[str, list[str]], now: datetime, counts: Counts) -> None:
    """One page of activities (with the HubSpot contacts each is associated with) as touches."""
    kind, body = ACTIVITIES[object_type]
    incoming = []
    for record in page:
        props = record.get("properties") or {}
        incoming.append(IncomingActivity(f"{object_type}/{record['id']}", kind, crm.day(props.get("hs_timestamp")),
                                         tuple(contacts_of.get(str(record["id"]), [])), props.get(body)))
    store(session, team_id, HUBSPOT, incoming, now, counts)
