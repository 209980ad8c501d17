"""The Salesforce push: what one outbox item (app.services.crm.outbox.PushItem) becomes in Salesforce.

- A touch becomes a completed Task on the contact (WhoId) and its Account (WhatId), dated the day of the
  touch (ActivityDate), TaskSubtype Call for a call and Email for an e-mail (Task otherwise). Its Subject ends
  with the outbox row's marker ("… — ref stakemap12xt0123"), so when Salesforce's answer is lost the next
  attempt finds it with SOQL instead of creating it twice (a Task's Description cannot be filtered on).
- A stakeholder type / roles change sets the contact's AccountContactRelation.Roles: the picklist values the
  workspace's role mapping turns into a stakeholder type (app.core.crm.role_map, read in reverse) follow the
  contact's type and roles now; values the mapping ignores ("Other") are kept.
- Left the company: the relation's IsActive becomes false (the relation stays, with its roles).

The HTTP client is the caller's (app.platform.salesforce.SalesforceClient); this module reads no database.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from app.core.domain import StakeholderType, TouchKind
from app.core.models import name_key
from app.core.outbox import PushKind
from app.services.crm.delivery import attempt
from app.services.crm.outbox import Delivery, PushItem, PushTouch

RELATION = "AccountContactRelation"
SUBTYPE = {TouchKind.CALL: "Call", TouchKind.EMAIL: "Email"}  # Task.TaskSubtype; the rest: "Task"
SUBJECT_MAX = 255
_RECORD_ID = re.compile(r"^[A-Za-z0-9]{15,18}$")


class SalesforceWriter(Protocol):
    """What the push calls (app.platform.salesforce.SalesforceClient)."""

    def query(self, soql: str, *, include_deleted: bool = False, batch: int | None = None) -> Iterator[list[dict]]: ...
    def create(self, sobject: str, fields: dict) -> str: ...
    def update(self, sobject: str, record_id: str, fields: dict) -> None: ...
    def picklist(self, sobject: str, field_name: str) -> list[str]: ...
    def close(self) -> None: ...


def task_fields(item: PushItem, touch: PushTouch) -> dict:
    """The Task's fields: who, what, when, a subject ending with the marker, the notes as its description."""
    reference = f" — ref {item.marker}"
    subject = f"{touch.kind.label.capitalize()} with {item.contact_name}"[:SUBJECT_MAX - len(reference)] + reference
    after = f"Sentiment after: {touch.sentiment_after.label}. " if touch.sentiment_after else ""
    fields = {"WhoId": item.contact_external_id, "ActivityDate": touch.occurred_on.isoformat(), "Subject": subject,
              "Status": "Completed", "TaskSubtype": SUBTYPE.get(touch.kind, "Task"),
              "Description": "\n\n".join(p for p in (touch.notes, f"{after}Logged in stakemap (ref {item.marker}).") if p)}
    if item.company_external_id:
        fields["WhatId"] = item.company_external_id
    return fields


def wanted_roles(item: PushItem, held: list[str], values: list[str]) -> list[str]:
    """The relation's Roles after the push: the values the mapping ignores stay; of the mapped ones, those held
    whose type the contact still has stay, and a type the contact has but no held value gives is added as the
    picklist value named like the type, else the org's first value mapped to it. Left the company changes no role (the relation goes inactive)."""
    table: dict[str, StakeholderType] = item.role_table
    if item.left:
        return held
    kept = [v for v in held if name_key(v) not in table or table[name_key(v)] in item.types]
    given = {table[name_key(v)] for v in kept if name_key(v) in table}
    for kind in sorted(item.types - given, key=lambda k: k.profile.rank):
        mapped = [v for v in values if table.get(name_key(v)) == kind]
        same_name = [v for v in mapped if name_key(v) == name_key(kind.label)]  # "Influencer" before "Evaluator"
        if mapped:
            kept.append((same_name or mapped)[0])
    return kept


@dataclass
class SalesforcePush:
    """The outbox deliverer for Salesforce (app.jobs.crm_push.DELIVERERS)."""

    client: SalesforceWriter

    def __post_init__(self) -> None:
        self._values: list[str] | None = None  # AccountContactRelation.Roles' picklist, read once per pass

    def close(self) -> None:
        self.client.close()

    def deliver(self, item: PushItem) -> Delivery:
        if item.contact_external_id is None or not _RECORD_ID.match(item.contact_external_id):
            return Delivery.refused("the contact is no longer linked to a Salesforce Contact")
        return attempt(lambda: self._touch(item) if item.kind == PushKind.TOUCH else self._relation(item))

    def _touch(self, item: PushItem) -> Delivery:
        if item.look_first:
            found = self._first(f"SELECT Id FROM Task WHERE WhoId = '{item.contact_external_id}' "
                                f"AND Subject LIKE '%ref {item.marker}'")
            if found is not None:
                return Delivery.sent(f"Task/{found['Id']}")
        return Delivery.sent(f"Task/{self.client.create('Task', task_fields(item, item.touch))}")

    def _relation(self, item: PushItem) -> Delivery:
        """Roles or a departure: the relation to the contact's Account follows the contact now (idempotent, so
        a lost answer is simply sent again)."""
        account = item.company_external_id
        if account is None or not _RECORD_ID.match(account):
            return Delivery.refused(f"{item.account_name} is not linked to a Salesforce Account")
        relation = self._first(f"SELECT Id, Roles, IsActive FROM {RELATION} WHERE ContactId = "
                               f"'{item.contact_external_id}' AND AccountId = '{account}'")
        if relation is None:
            return Delivery.refused(f"{item.contact_name} has no relation to {item.account_name} in Salesforce")
        held = [v for v in (relation.get("Roles") or "").split(";") if v]
        if self._values is None:
            self._values = self.client.picklist(RELATION, "Roles")
        roles = wanted_roles(item, held, self._values)
        changes: dict = {"Roles": ";".join(roles) or None} if roles != held else {}
        if item.kind == PushKind.LEFT and relation.get("IsActive"):
            changes["IsActive"] = False
        if changes:
            self.client.update(RELATION, relation["Id"], changes)
        mapped = {item.role_table[name_key(v)] for v in self._values if name_key(v) in item.role_table}
        missing = sorted(kind.value for kind in item.types - mapped)
        note = f"no Salesforce role for {', '.join(missing)}" if missing and not item.left else None
        return Delivery.sent(f"{RELATION}/{relation['Id']}", note)

    def _first(self, soql: str) -> dict | None:
        return next((record for page in self.client.query(soql) for record in page), None)
