"""Reports-to from a CRM: who each contact's manager is, for the org chart (app.render.chart) and the map.

Shared by every CRM's pull. HubSpot names the manager in a contact property chosen in configuration
(HUBSPOT_REPORTS_TO_FIELD: the manager's HubSpot contact id or e-mail); Salesforce in Contact.ReportsToId (a
Contact id). A pull collects one `ManagerClaim` per contact while it stores its pages and calls `link_managers`
once every contact of the sync is stored: a manager may come in a later page than the people reporting to them.

stakemap's rules for a manager hold (as in the contact modal, app.services.contacts): a colleague on the same
account, never the contact itself, no reports-to cycle. A claim that breaks one, or names someone stakemap does
not have, changes nothing. A manager changed in stakemap after the CRM's change stays (the newer change wins,
app.services.crm.conflicts); every change is kept in the contact's history as the CRM's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlmodel import Session

from app.core.models import Contact, ContactChange, CrmLink
from app.services.accounts import touch_accounts
from app.services.crm.conflicts import Arrival, AskTimes, kept_fields
from app.services.history import apply_changes

CHUNK = 500  # ids per statement
CONTACT = "contact"  # CrmLink.object of a CRM contact
FIELD = "reports_to_id"


@dataclass(frozen=True)
class ManagerClaim:
    """What the CRM says about one contact's manager."""

    contact_id: int  # stakemap's contact
    record_id: str  # the contact's id in the CRM
    manager: str  # the manager's id in the CRM, or their e-mail (lower case)
    modified_at: datetime | None  # the CRM record's last-modified time
    fresh: bool = False  # the contact was created by this sync: its manager is part of its creation (no history)


def manager_reference(value: str | None) -> str | None:
    """A CRM value naming a manager, as `link_managers` matches it: an e-mail in lower case, or a record id."""
    text = " ".join((value or "").split())
    return (text.lower() if "@" in text else text) or None


def link_managers(session: Session, team_id: str, crm_name: str, claims: Iterable[ManagerClaim], by: str,
                  now: datetime, ask: AskTimes | None = None) -> set[int]:
    """Give each claimed contact the manager the CRM names (`crm_name`: CrmLink.crm, e.g. "hubspot"; `by`: who
    changed it in the history, e.g. "crm:hubspot"). Returns the ids of the contacts whose manager changed."""
    claims = list(claims)
    if not claims:
        return set()
    rows = _contacts(session, team_id, Contact.id.in_, [c.contact_id for c in claims])
    accounts = {account_id for account_id, _, _ in rows.values()}
    people = _contacts(session, team_id, Contact.account_id.in_, sorted(accounts))  # everyone a manager can be
    boss = {contact_id: manager for contact_id, (_, manager, _) in people.items()}
    by_record = _linked(session, team_id, crm_name, {c.manager for c in claims if "@" not in c.manager})
    by_email = _by_email(session, team_id, accounts, {c.manager for c in claims if "@" in c.manager})
    wanted: dict[int, tuple[ManagerClaim, int]] = {}
    for claim in claims:
        if claim.contact_id not in rows:
            continue
        account_id, current, _ = rows[claim.contact_id]
        manager = by_email.get((account_id, claim.manager)) if "@" in claim.manager else by_record.get(claim.manager)
        if manager is None or manager == current or manager == claim.contact_id \
                or people.get(manager, (None,))[0] != account_id or _leads_back(boss, manager, claim.contact_id):
            continue
        boss[claim.contact_id] = manager
        wanted[claim.contact_id] = (claim, manager)
    kept = kept_fields(session, team_id, ContactChange, (
        Arrival(claim.record_id, claim.contact_id, frozenset({FIELD}), claim.modified_at)
        for claim, _ in wanted.values() if not claim.fresh), ask)
    changes = {contact_id: manager for contact_id, (claim, manager) in wanted.items() if claim.record_id not in kept}
    _apply(session, team_id, changes, {c.contact_id for c in claims if c.fresh}, rows, by, now)
    return set(changes)


def _contacts(session: Session, team_id: str, column_in, ids: list[int]) -> dict[int, tuple[int, int | None, str | None]]:
    """contact id → (account id, manager id, e-mail), for the contacts whose column is in `ids`."""
    found: dict[int, tuple[int, int | None, str | None]] = {}
    for start in range(0, len(ids), CHUNK):
        query = select(Contact.id, Contact.account_id, Contact.reports_to_id, Contact.email).where(
            Contact.team_id == team_id, column_in(ids[start:start + CHUNK]))
        found.update({row.id: (row.account_id, row.reports_to_id, row.email) for row in session.execute(query)})
    return found


def _linked(session: Session, team_id: str, crm_name: str, record_ids: set[str]) -> dict[str, int]:
    """CRM contact id → stakemap contact id."""
    ids, found = sorted(record_ids), {}
    for start in range(0, len(ids), CHUNK):
        query = select(CrmLink.external_id, CrmLink.contact_id).where(
            CrmLink.team_id == team_id, CrmLink.crm == crm_name, CrmLink.object == CONTACT,
            CrmLink.external_id.in_(ids[start:start + CHUNK]), CrmLink.contact_id.is_not(None))
        found.update({record_id: contact_id for record_id, contact_id in session.execute(query)})
    return found


def _by_email(session: Session, team_id: str, accounts: set[int], emails: set[str]) -> dict[tuple[int, str], int]:
    """(account id, e-mail) → the contact of that account with that e-mail (the first added, if several)."""
    ids, found = sorted(emails), {}
    for start in range(0, len(ids), CHUNK):
        query = select(Contact.account_id, Contact.email, Contact.id).where(
            Contact.team_id == team_id, Contact.email.in_(ids[start:start + CHUNK])).order_by(Contact.id.desc())
        found.update({(account_id, email): contact_id for account_id, email, contact_id in session.execute(query)
                      if account_id in accounts})
    return found


def _leads_back(boss: dict[int, int | None], manager: int, contact_id: int) -> bool:
    """Whether the manager (indirectly) reports to the contact: making them its manager would close a cycle."""
    seen: set[int] = set()
    while manager is not None and manager not in seen:
        if manager == contact_id:
            return True
        seen.add(manager)
        manager = boss.get(manager)
    return False


def _apply(session: Session, team_id: str, changes: dict[int, int], fresh: set[int],
           rows: dict[int, tuple[int, int | None, str | None]], by: str, now: datetime) -> None:
    """New contacts' managers in one statement per 500 (their maps marked changed); the others through the
    history, one contact at a time."""
    new = [{"contact": contact_id, "manager": manager} for contact_id, manager in changes.items() if contact_id in fresh]
    statement = (update(Contact.__table__).where(Contact.__table__.c.id == bindparam("contact"))
                 .values(reports_to_id=bindparam("manager")))
    for start in range(0, len(new), CHUNK):
        session.execute(statement, new[start:start + CHUNK], execution_options={"synchronize_session": False})
    if new:
        touch_accounts(session, team_id, {rows[item["contact"]][0] for item in new}, now)
    old = sorted(contact_id for contact_id in changes if contact_id not in fresh)
    for start in range(0, len(old), CHUNK):
        for contact in session.scalars(select(Contact).where(Contact.id.in_(old[start:start + CHUNK]))):
            apply_changes(session, contact, {FIELD: changes[contact.id]}, by, now)
