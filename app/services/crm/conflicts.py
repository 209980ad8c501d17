"""Which values a CRM pull takes, field by field: the newer change wins (app.core.crm.crm_change_wins).

Shared by every CRM's pull (HubSpot now, Salesforce next). The pull says, for each stakemap row it is about to
update, which fields the CRM brings a different value for and when the CRM record was last modified; this
module looks up when stakemap itself last changed those fields (the history: app.services.history.own_changes)
and answers which fields keep stakemap's value. When a record was modified after stakemap's change, the
record's time alone cannot tell whether that field was the one changed: `ask` (optional) gives the CRM's own
per-property times for just those records and fields (HubSpot: property history); without it the record's
time decides (the CRM's value is taken).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from app.core.crm import crm_change_wins
from app.core.models import AccountChange, ContactChange
from app.services.history import own_changes

# (CRM record ids, stakemap field names) → {record id: {field: when the CRM last changed it}}
AskTimes = Callable[[list[str], set[str]], Mapping[str, Mapping[str, datetime]]]


@dataclass(frozen=True)
class Arrival:
    """A CRM record's values about to land on a stakemap row (a Contact or an Account)."""

    record_id: str  # the CRM's id of the record
    row_id: int  # the contact's or account's id
    differing: frozenset[str]  # the stakemap fields the CRM brings a different value for
    modified_at: datetime | None  # the record's last-modified time in the CRM
    # Fields whose CRM change time is known apart from the record's, without asking (Salesforce: a contact's roles
    # live in AccountContactRelation / OpportunityContactRole records, with their own LastModifiedDate)
    field_times: Mapping[str, datetime] = field(default_factory=dict)

    def theirs(self, name: str) -> datetime | None:
        """When the CRM last changed this field, as far as the arrival tells."""
        return self.field_times.get(name, self.modified_at)


def kept_fields(session: Session, team_id: str, table: type[ContactChange] | type[AccountChange],
                arrivals: Iterable[Arrival], ask: AskTimes | None = None) -> dict[str, set[str]]:
    """Per CRM record id: the differing fields whose stakemap value stays (records with none are left out).

    `table`: ContactChange for contacts, AccountChange for accounts. One history query for all the rows, and at
    most one `ask` for the records modified after a change made in stakemap."""
    arrivals = [a for a in arrivals if a.differing]
    if not arrivals:
        return {}
    fields = {name for a in arrivals for name in a.differing}
    ours = own_changes(session, team_id, table, (a.row_id for a in arrivals), fields)
    kept: dict[str, set[str]] = {}
    doubtful: dict[str, tuple[Arrival, set[str]]] = {}
    for arrival in arrivals:
        edits = ours.get(arrival.row_id, {})
        for name in arrival.differing:
            if name not in edits:
                continue  # stakemap never changed it itself: the CRM's value is taken
            if not crm_change_wins(edits[name], arrival.theirs(name)):
                kept.setdefault(arrival.record_id, set()).add(name)  # the whole record is older than our change
            else:
                doubtful.setdefault(arrival.record_id, (arrival, set()))[1].add(name)
    if not doubtful:
        return kept
    times = ask(list(doubtful), {name for _, names in doubtful.values() for name in names}) if ask else {}
    for record_id, (arrival, names) in doubtful.items():
        known = times.get(record_id, {})
        edits = ours[arrival.row_id]
        for name in names:
            if not crm_change_wins(edits[name], known.get(name, arrival.theirs(name))):
                kept.setdefault(record_id, set()).add(name)
    return kept
