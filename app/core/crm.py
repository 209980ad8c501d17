"""CRM records in stakemap's terms (pure): the role mapping table and how CRM values are read.

Conflicts (issue 13 item 4): field by field, the newer change wins — `crm_change_wins` is the one rule, used by
every CRM's pull: stakemap's value stays when stakemap itself changed the field after the CRM last did.

The mapping turns a CRM role (a HubSpot company↔contact association label such as "Decision maker", a
Salesforce AccountContactRelation role or OpportunityContactRole role such as "Technical Buyer") into a
stakeholder type. stakemap ships defaults; a workspace overrides them label by label in its config
(`Workspace.config["crm_roles"]`: {"Budget owner": "economic_buyer", "Champion": null}; null drops a label).
Labels are compared without case or surrounding space.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from app.core.domain import TYPE_PROFILES, StakeholderType
from app.core.errors import StakemapError
from app.core.models import CURRENCY_RE, EMAIL_RE, NAME_MAX, name_key

HUBSPOT = "hubspot"
SALESFORCE = "salesforce"


CRM_SOURCE_PREFIX = "crm:"  # who changed it, in history: a CRM's sync ("crm:hubspot", "crm:salesforce")


def changed_by(crm_name: str) -> str:
    """Who changed it, in history and on roles: "crm:hubspot", "crm:salesforce"."""
    return CRM_SOURCE_PREFIX + crm_name


HUBSPOT_SOURCE = changed_by(HUBSPOT)
SALESFORCE_SOURCE = changed_by(SALESFORCE)
ROLES_CONFIG_KEY = "crm_roles"


class ObjectMissing(StakemapError):
    """The CRM has no such object here (Salesforce's AccountContactRelation without Contacts to Multiple
    Accounts): the sync goes on without it and says so."""


MODIFIED_PROPERTY = {"companies": "hs_lastmodifieddate", "contacts": "lastmodifieddate",  # the cursor's field
                     "calls": "hs_lastmodifieddate", "meetings": "hs_lastmodifieddate",
                     "emails": "hs_lastmodifieddate"}
DEFAULT_TYPE = StakeholderType.INFLUENCER  # a contact whose association carries no known label

DEFAULT_ROLE_MAP: Mapping[str, StakeholderType] = {
    "champion": StakeholderType.CHAMPION,
    "economic buyer": StakeholderType.ECONOMIC_BUYER,
    "budget holder": StakeholderType.ECONOMIC_BUYER,
    "decision maker": StakeholderType.DECISION_MAKER,
    "executive sponsor": StakeholderType.EXECUTIVE_SPONSOR,
    "executive": StakeholderType.EXECUTIVE_SPONSOR,
    "technical lead": StakeholderType.TECHNICAL_LEAD,
    "technical decision maker": StakeholderType.TECHNICAL_LEAD,
    "end user": StakeholderType.END_USER_CHAMPION,
    "end user champion": StakeholderType.END_USER_CHAMPION,
    "influencer": StakeholderType.INFLUENCER,
    "gatekeeper": StakeholderType.GATEKEEPER,
    "blocker": StakeholderType.DETRACTOR,
    "detractor": StakeholderType.DETRACTOR,
    # Salesforce's shipped picklist values of AccountContactRelation.Roles and OpportunityContactRole.Role
    # (Decision Maker, Economic Buyer, Executive Sponsor and Influencer are above; Other maps to nothing)
    "economic decision maker": StakeholderType.ECONOMIC_BUYER,
    "technical buyer": StakeholderType.TECHNICAL_LEAD,
    "business user": StakeholderType.END_USER_CHAMPION,
    "evaluator": StakeholderType.INFLUENCER,
}


def role_map(overrides: Mapping[str, Any] | None) -> dict[str, StakeholderType]:
    """The shipped table with a workspace's overrides applied (unknown type values are ignored)."""
    table = dict(DEFAULT_ROLE_MAP)
    for label, value in (overrides or {}).items():
        key = name_key(label)
        if value in (None, ""):
            table.pop(key, None)
        elif value in StakeholderType._value2member_map_:
            table[key] = StakeholderType(value)
    return table


def roles_for(labels: Iterable[str | None], table: Mapping[str, StakeholderType]) -> set[StakeholderType]:
    return {table[name_key(label)] for label in labels if label and name_key(label) in table}


def primary_and_extra(current: StakeholderType | None, roles: set[StakeholderType]
                      ) -> tuple[StakeholderType, set[StakeholderType]]:
    """The primary type (kept while the CRM still gives it, else the most important role) and the others."""
    if not roles:
        primary = current or DEFAULT_TYPE
    elif current in roles:
        primary = current
    else:
        primary = min(roles, key=lambda kind: TYPE_PROFILES[kind].rank)
    return primary, roles - {primary}


# --- conflicts: the newer change wins --------------------------------------------------------------------


def crm_change_wins(ours: datetime | None, theirs: datetime | None) -> bool:
    """Whether a CRM's value of one field is taken (True) or stakemap's is kept (False): the newer change wins.

    `ours`: when stakemap itself (a CSM in Slack, an import, the CLI — anyone but a CRM sync) last changed the
    field, None when it never did (its value came from a CRM or from the contact's creation). `theirs`: when the
    CRM last changed it — the property's own timestamp where the CRM gives one, else the record's last-modified
    time (a later bound: a record modified before our change cannot hold a newer value), None when the CRM says
    nothing. A field stakemap never changed takes the CRM's value; a tie, or a CRM change of unknown time, keeps
    stakemap's. Only a value that differs from stakemap's is asked about (an equal one is no change at all).
    """
    if ours is None:
        return True
    if theirs is None:
        return False
    return theirs > ours


def instant(value: Any) -> datetime | None:
    """A CRM timestamp as an aware UTC datetime: ISO 8601 ("2026-03-01T09:00:00.000Z", "+0000" offsets too, as
    Salesforce writes them) or epoch milliseconds; None when it is neither."""
    raw = text(value, 40)
    if raw is None:
        return None
    try:
        if _EPOCH_MS.match(raw):
            return datetime.fromtimestamp(int(raw) / 1000, UTC)
        moment = datetime.fromisoformat(re.sub(r"([+-]\d\d)(\d\d)$", r"\1:\2", raw.replace("Z", "+00:00")))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# --- reading CRM values -------------------------------------------------------------------------------


def text(value: Any, limit: int = NAME_MAX) -> str | None:
    cleaned = " ".join(str(value).split()) if value is not None else ""
    return cleaned[:limit] or None


def person_name(first: Any, last: Any) -> str | None:
    return text(" ".join(part for part in (text(first), text(last)) if part))


def email(value: Any) -> str | None:
    address = text(value, 254)
    return address.lower() if address and EMAIL_RE.match(address) else None


def amount(value: Any) -> Decimal | None:
    try:
        number = Decimal(str(value).replace(",", "").strip()) if value not in (None, "") else None
    except InvalidOperation:
        return None
    return number.quantize(Decimal("0.01")) if number is not None and 0 <= number < Decimal("1e12") else None


def currency(value: Any) -> str | None:
    code = (text(value) or "").upper()
    return code if CURRENCY_RE.match(code) else None


_EPOCH_MS = re.compile(r"^\d{10,14}$")


def day(value: Any) -> date | None:
    """A CRM date property: "2026-06-30", a full ISO timestamp, or epoch milliseconds (HubSpot's date type)."""
    raw = text(value, 40)
    if raw is None:
        return None
    try:
        if _EPOCH_MS.match(raw):
            return datetime.fromtimestamp(int(raw) / 1000, UTC).date()
        return date.fromisoformat(raw[:10])
    except ValueError:
        return None


@dataclass
class Counts:
    """What one object's sync did: shown by the CLI, logged by the scheduler."""

    created: int = 0
    updated: int = 0
    flagged: int = 0
    unchanged: int = 0
    skipped: int = 0

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.flagged

    def line(self, label: str) -> str:
        return (f"{label}: {self.created} created, {self.updated} updated, {self.flagged} flagged, "
                f"{self.unchanged} unchanged" + (f", {self.skipped} skipped" if self.skipped else ""))


@dataclass
class SyncReport:
    team_id: str
    crm: str = HUBSPOT
    accounts: Counts = field(default_factory=Counts)  # HubSpot companies, Salesforce Accounts
    contacts: Counts = field(default_factory=Counts)
    activities: Counts = field(default_factory=Counts)  # calls, meetings, e-mails / Tasks, Events → touches
    unread: list[str] = field(default_factory=list)  # activity objects the token may not read (a missing scope)
    notes: list[str] = field(default_factory=list)  # what else the sync could not read, in a sentence each

    @property
    def changed(self) -> int:
        return self.accounts.changed + self.contacts.changed + self.activities.changed

    @property
    def crm_name(self) -> str:
        return CRM_NAMES.get(self.crm, self.crm)

    def lines(self) -> list[str]:
        if self.crm != HUBSPOT:
            return [self.accounts.line("Accounts"), self.contacts.line("Contacts"),
                    f"Activities: {self.activities.created} touches created", *self.notes]
        unread = f" ({', '.join(self.unread)} not read: the private app lacks the scope)" if self.unread else ""
        return [self.accounts.line("Companies"), self.contacts.line("Contacts"),
                f"Activities: {self.activities.created} touches created{unread}", *self.notes]


CRM_NAMES = {HUBSPOT: "HubSpot", SALESFORCE: "Salesforce"}
