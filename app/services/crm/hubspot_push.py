"""The HubSpot push: what one outbox item (app.services.crm.outbox.PushItem) becomes in HubSpot.

- A touch becomes a call (kind call), a meeting (meeting, QBR) or a note (email, Slack/chat, event, other),
  created with its associations to the contact and the company (v3 objects API, HUBSPOT_DEFINED type ids) and
  dated the day of the touch (noon UTC). Its body carries the outbox row's marker, so when HubSpot's answer is
  lost the next attempt finds it with the CRM search (CONTAINS_TOKEN) instead of creating it twice.
- A stakeholder type / roles change sets the contact↔company association labels: the labels the workspace's
  role mapping turns into a stakeholder type (app.core.crm.role_map, read in reverse) follow the contact's
  type and roles now; labels the mapping ignores, and the Primary / unlabeled types, are never touched.
- Left the company: HubSpot has no "inactive" on an association, so every mapped role label is taken off (the
  association itself stays: the person did work there) and, when HUBSPOT_LEFT_PROPERTY is set, that contact
  property is set to HUBSPOT_LEFT_VALUE (e.g. a custom "Relationship status" = "Left the company").

The HTTP client is the caller's (app.platform.hubspot.HubSpotClient); this module reads no database.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Protocol

from app.core.domain import TouchKind
from app.core.models import name_key
from app.core.outbox import PushKind
from app.services.crm.delivery import attempt
from app.services.crm.outbox import Delivery, PushItem, PushTouch


@dataclass(frozen=True)
class Engagement:
    """A HubSpot activity object stakemap writes: where its text goes, and its association type ids."""

    object_type: str
    body: str  # the text property (searched for the marker)
    to_contact: int
    to_company: int


NOTE = Engagement("notes", "hs_note_body", 202, 190)
CALL = Engagement("calls", "hs_call_body", 194, 182)
MEETING = Engagement("meetings", "hs_meeting_body", 200, 188)
ENGAGEMENT_OF = {TouchKind.CALL: CALL, TouchKind.MEETING: MEETING, TouchKind.QBR: MEETING}  # the rest: a note
TOUCH_HOUR = time(12, tzinfo=UTC)  # a touch has a day, HubSpot a timestamp: noon UTC keeps the day everywhere


class HubSpotWriter(Protocol):
    """What the push calls (app.platform.hubspot.HubSpotClient)."""

    def create(self, object_type: str, properties: dict[str, str], associations: list[dict]) -> str: ...
    def find_marked(self, object_type: str, text_property: str, token: str) -> str | None: ...
    def association_labels(self) -> list[dict]: ...
    def company_associations(self, contact_ids: list[str]) -> dict[str, list[dict]]: ...
    def add_labels(self, contact_id: str, company_id: str, types: list[dict]) -> None: ...
    def remove_labels(self, contact_id: str, company_id: str, types: list[dict]) -> None: ...
    def update_contact(self, contact_id: str, properties: dict[str, str]) -> None: ...
    def close(self) -> None: ...


def engagement_for(kind: TouchKind) -> Engagement:
    return ENGAGEMENT_OF.get(kind, NOTE)


def engagement_properties(engagement: Engagement, touch: PushTouch, item: PushItem) -> dict[str, str]:
    """The created record's properties: its time, its text (the notes, what kind of touch, the marker)."""
    stamp = datetime.combine(touch.occurred_on, TOUCH_HOUR).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    said = [f"<p>{html.escape(touch.notes)}</p>"] if touch.notes else []
    after = f", sentiment after: {touch.sentiment_after.label}" if touch.sentiment_after else ""
    said.append(f"<p>{html.escape(touch.kind.label.capitalize())} with {html.escape(item.contact_name)}, "
                f"logged in stakemap{html.escape(after)} (ref {item.marker})</p>")
    properties = {"hs_timestamp": stamp, engagement.body: "".join(said)}
    title = f"{touch.kind.label.capitalize()} with {item.contact_name}"
    if engagement is CALL:
        properties.update(hs_call_title=title, hs_call_status="COMPLETED")
    elif engagement is MEETING:
        properties.update(hs_meeting_title=title, hs_meeting_start_time=stamp, hs_meeting_end_time=stamp,
                          hs_meeting_outcome="COMPLETED")
    return properties


def wanted_labels(item: PushItem, defined: list[dict]) -> tuple[list[dict], list[dict]]:
    """(the labels the association should have, every label the role mapping manages), from HubSpot's
    contact→company label definitions: a label is managed when the mapping turns it into a stakeholder type
    (HubSpot's own types — Primary, unlabeled — never are)."""
    managed = [t for t in defined if t.get("category") == "USER_DEFINED" and t.get("label")
               and name_key(t["label"]) in item.role_table]
    wanted = [] if item.left else [t for t in managed if item.role_table[name_key(t["label"])] in item.types]
    return wanted, managed


@dataclass
class HubSpotPush:
    """The outbox deliverer for HubSpot (app.jobs.crm_push.DELIVERERS)."""

    client: HubSpotWriter
    left_property: str | None = None
    left_value: str = "Left the company"

    def __post_init__(self) -> None:
        self._labels: list[dict] | None = None  # the label definitions, read once per pass

    def close(self) -> None:
        self.client.close()

    def deliver(self, item: PushItem) -> Delivery:
        if item.contact_external_id is None:
            return Delivery.refused("the contact is no longer linked to a HubSpot contact")
        return attempt(lambda: self._touch(item) if item.kind == PushKind.TOUCH else self._relation(item))

    def _touch(self, item: PushItem) -> Delivery:
        engagement = engagement_for(item.touch.kind)
        if item.look_first:
            found = self.client.find_marked(engagement.object_type, engagement.body, item.marker)
            if found is not None:
                return Delivery.sent(f"{engagement.object_type}/{found}")
        associations = [_association(item.contact_external_id, engagement.to_contact)]
        if item.company_external_id:
            associations.append(_association(item.company_external_id, engagement.to_company))
        created = self.client.create(engagement.object_type, engagement_properties(engagement, item.touch, item),
                                     associations)
        return Delivery.sent(f"{engagement.object_type}/{created}")

    def _relation(self, item: PushItem) -> Delivery:
        """Roles or a departure: the association labels follow the contact now (idempotent, so a lost answer
        is simply sent again), and a departure sets the configured contact property."""
        if item.company_external_id is None:
            return Delivery.refused(f"{item.account_name} is not linked to a HubSpot company")
        if self._labels is None:
            self._labels = self.client.association_labels()
        wanted, managed = wanted_labels(item, self._labels)
        found = self.client.company_associations([item.contact_external_id]).get(item.contact_external_id, [])
        held = {t.get("typeId") for a in found if str(a.get("toObjectId")) == item.company_external_id
                for t in a.get("associationTypes", [])}
        add = [t for t in wanted if t["typeId"] not in held]
        remove = [t for t in managed if t["typeId"] in held and t not in wanted]
        if add:
            self.client.add_labels(item.contact_external_id, item.company_external_id, add)
        if remove:
            self.client.remove_labels(item.contact_external_id, item.company_external_id, remove)
        if item.kind == PushKind.LEFT and self.left_property:
            self.client.update_contact(item.contact_external_id, {self.left_property: self.left_value})
        missing = sorted(kind.value for kind in item.types - {item.role_table[name_key(t["label"])] for t in managed})
        note = f"no HubSpot label for {', '.join(missing)}" if missing and not item.left else None
        return Delivery.sent(f"contacts/{item.contact_external_id}", note)


def _association(to_id: str, type_id: int) -> dict:
    return {"to": {"id": to_id}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id}]}
