"""HubSpot's CRM API on 127.0.0.1 (port 0), in a thread, with faults on demand — like tests/slack_standin.py.

Answers what the pull reads, in the shapes of HubSpot's published API reference:
- POST /crm/v3/objects/{companies|contacts}/search — `filterGroups` (GTE on the last-modified property),
  `sorts`, `limit`, `after`; answers {"total", "results": [{"id", "properties", "createdAt", "updatedAt",
  "archived"}], "paging": {"next": {"after", "link"}}}, and 400 past the 10,000-result window as HubSpot does.
- GET /crm/v3/objects/{companies|contacts}?limit&after&properties&archived — the same records, listed.
- POST /crm/v4/associations/contacts/companies/batch/read — {"status", "results": [{"from": {"id"}, "to":
  [{"toObjectId", "associationTypes": [{"category", "typeId", "label"}]}]}], "startedAt", "completedAt"}.
- GET /crm/v3/owners — {"results": [{"id", "email", "firstName", "lastName", "userId", "archived"}]}.
- POST /crm/v3/objects/{companies|contacts}/batch/read with `propertiesWithHistory` — {"status", "results": [{"id",
  "properties", "propertiesWithHistory": {name: [{"value", "timestamp", "sourceType", "sourceId",
  "updatedByUserId"}, … newest first]}, "createdAt", "updatedAt", "archived"}], "startedAt", "completedAt"}.
And what the push writes (and the activities pull reads back):
- POST /crm/v3/objects/{notes|calls|meetings|emails} — {"properties", "associations": [{"to": {"id"}, "types":
  [{"associationCategory", "associationTypeId"}]}]}; answers 201 with the record ({"id", "properties",
  "createdAt", "updatedAt", "archived"}). Search on those objects takes CONTAINS_TOKEN on a text property too.
- GET /crm/v4/associations/contacts/companies/labels — {"results": [{"category", "typeId", "label"}]}.
- PUT /crm/v4/objects/contacts/{id}/associations/companies/{id} — a list of {"associationCategory",
  "associationTypeId"}: those labels added; answers {"fromObjectTypeId", "fromObjectId", "toObjectTypeId",
  "toObjectId", "labels"}.
- POST /crm/v4/associations/contacts/companies/batch/labels/archive — {"inputs": [{"from", "to", "types"}]}:
  those labels taken off; 204.
- PATCH /crm/v3/objects/contacts/{id} — {"properties"}: the record, changed.
- POST /crm/v4/associations/{calls|meetings|emails|notes}/contacts/batch/read — an engagement's contacts.
A request without the token answers 401 with HubSpot's error body (category INVALID_AUTHENTICATION).

`fail(path_part, status=429, times=1, retry_after=…, drop=False, after=False, method=None)` makes the next
matching requests fail (`after`: the request is carried out, then the connection drops — a lost answer);
every request is recorded in `requests` (method, path, body).
"""

from __future__ import annotations

import bisect
import json
import re
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.local_server import Fault, Faults, KeepAliveHandler, LocalServer

TOKEN = "pat-na1-test"
ENGAGEMENTS = ("notes", "calls", "meetings", "emails")
MODIFIED = {"companies": "hs_lastmodifieddate", "contacts": "lastmodifieddate",
            **{kind: "hs_lastmodifieddate" for kind in ENGAGEMENTS}}
SEARCH_WINDOW = 10_000
PRIMARY = {"category": "HUBSPOT_DEFINED", "typeId": 1, "label": "Primary"}
UNLABELED = {"category": "HUBSPOT_DEFINED", "typeId": 279, "label": None}


@dataclass
class Record:
    id: str
    properties: dict[str, Any]
    created_at: str
    updated_at: str
    archived: bool = False
    archived_at: str | None = None
    history: dict[str, list[tuple[str | None, str]]] = field(default_factory=dict)  # name → (value, when), oldest first

    def set(self, properties: dict[str, Any], now: str) -> None:
        for name, value in properties.items():
            self.properties[name] = value
            self.history.setdefault(name, []).append((value, now))

    def json(self, wanted: list[str] | None) -> dict:
        properties = {k: v for k, v in self.properties.items() if wanted is None or k in wanted or k in ("hs_object_id",)}
        data = {"id": self.id, "properties": properties, "createdAt": self.created_at, "updatedAt": self.updated_at,
                "archived": self.archived}
        if self.archived_at:
            data["archivedAt"] = self.archived_at
        return data


@dataclass
class HubSpotStandIn(LocalServer):
    token: str = TOKEN
    objects: dict[str, dict[str, Record]] = field(
        default_factory=lambda: {kind: {} for kind in ("companies", "contacts", *ENGAGEMENTS)})
    # (engagement type, id) → the contact ids and company ids it is associated with
    engagement_links: dict[tuple[str, str], dict[str, list[str]]] = field(default_factory=dict)
    defined_labels: dict[str, int] = field(default_factory=dict)  # contact→company label → its typeId
    # contact id → company id → association types (labels)
    associations: dict[str, dict[str, list[dict]]] = field(default_factory=lambda: defaultdict(dict))
    owners: list[dict] = field(default_factory=list)
    requests: list[tuple[str, str, Any]] = field(default_factory=list)
    record_requests: bool = True

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._faults = Faults()
        self._ids = 1000
        self._clock = datetime(2000, 1, 1, tzinfo=UTC)  # the last time given to a change
        self._now: Callable[[], datetime] = lambda: datetime.now(UTC)
        self._version = 0  # bumped by every change: the search order below is kept per version
        self._ordered: dict[str, tuple[int, list[datetime], list[Record]]] = {}

    # --- the CRM's data -----------------------------------------------------------------------------

    def _tick(self) -> str:
        """The time of a change: the clock followed (rounded up to HubSpot's milliseconds), and always later than
        the change before."""
        now = self._now()
        now = now.replace(microsecond=0) + timedelta(milliseconds=-(-now.microsecond // 1000))
        self._clock = max(self._clock + timedelta(milliseconds=1), now)
        return self._clock.isoformat(timespec="milliseconds").replace("+00:00", "Z")

    def _new(self, kind: str, properties: dict[str, Any]) -> str:
        with self._lock:
            self._ids += 1
            record_id, now = str(self._ids), self._tick()
            props = {k: (None if v is None else str(v)) for k, v in properties.items()}
            record = Record(record_id, {}, now, now)
            record.set(props, now)
            record.properties.update(hs_object_id=record_id, createdate=now, **{MODIFIED[kind]: now})
            self.objects[kind][record_id] = record
            self._version += 1
            return record_id

    def touch(self, kind: str, record_id: str, **properties: Any) -> None:
        """Change a record's properties (and its last-modified time), as an edit in HubSpot does."""
        with self._lock:
            record, now = self.objects[kind][record_id], self._tick()
            record.set({k: (None if v is None else str(v)) for k, v in properties.items()}, now)
            record.properties[MODIFIED[kind]] = now
            record.updated_at = now
            self._version += 1

    @property
    def clock(self) -> datetime:
        """The time of the last change."""
        return self._clock

    def follow(self, now: Callable[[], datetime]) -> None:
        """Date changes by this clock (default: the wall clock), e.g. a test's fixed clock, so HubSpot's changes
        and stakemap's line up in time."""
        with self._lock:
            self._now = now

    def add_owner(self, owner_id: str, email: str, first: str = "Casey", last: str = "Owner") -> None:
        self.owners.append({"id": owner_id, "email": email, "firstName": first, "lastName": last,
                            "userId": int(owner_id), "createdAt": self._tick(), "updatedAt": self._tick(),
                            "archived": False})

    def add_company(self, name: str, **properties: Any) -> str:
        return self._new("companies", {"name": name, **properties})

    def add_contact(self, first: str, last: str, *, company: str | None = None, labels: tuple[str, ...] = (),
                    **properties: Any) -> str:
        contact_id = self._new("contacts", {"firstname": first, "lastname": last, **properties})
        if company is not None:
            self.label(contact_id, company, *labels, touch=False)
        return contact_id

    def label(self, contact_id: str, company_id: str, *labels: str, touch: bool = True) -> None:
        """Set the contact↔company association's labels (the primary association plus one type per label).
        Changing labels does not change the contact's last-modified time in HubSpot unless `touch`."""
        types = [PRIMARY, UNLABELED] + [self.define_label(label) for label in labels]
        with self._lock:
            self.associations[contact_id][company_id] = types
        if touch:
            self.touch("contacts", contact_id)

    def define_label(self, label: str) -> dict:
        """A contact→company association label defined in the portal (Settings > Associations)."""
        type_id = self.defined_labels.setdefault(label, 100 + sum(map(ord, label)) % 900)
        return {"category": "USER_DEFINED", "typeId": type_id, "label": label}

    def labels_of(self, contact_id: str, company_id: str) -> list[str]:
        return sorted(t["label"] for t in self.associations.get(contact_id, {}).get(company_id, []) if t["category"]
                      == "USER_DEFINED")

    def add_engagement(self, kind: str, contacts: list[str], **properties: Any) -> str:
        """An activity logged in HubSpot (a call, meeting, e-mail or note) associated with those contacts."""
        record_id = self._new(kind, properties)
        self.engagement_links[(kind, record_id)] = {"contacts": list(contacts), "companies": []}
        return record_id

    def archive(self, kind: str, record_id: str) -> None:
        with self._lock:
            record, now = self.objects[kind][record_id], self._tick()
            record.archived, record.archived_at, record.updated_at = True, now, now
            self._version += 1

    def delete(self, kind: str, record_id: str) -> None:
        """Gone for good (GDPR delete): neither listed nor archived."""
        with self._lock:
            del self.objects[kind][record_id]
            self._version += 1

    def fail(self, path_part: str, status: int = 429, *, times: int = 1, retry_after: str | None = None,
             drop: bool = False, passing: int = 0, after: bool = False, method: str | None = None) -> None:
        """After `passing` requests whose path contains `path_part` (and of that `method`) are answered, the next
        `times` ones fail with that status (or are dropped: the connection closes without an answer; with
        `after`, once the request was carried out)."""
        with self._lock:
            self._faults.add(path_part, Fault(status, retry_after, drop or after, after), times=times, passing=passing,
                             method=method)

    def calls(self, path_part: str = "") -> list[tuple[str, str, Any]]:
        return [r for r in self.requests if path_part in r[1]]

    # --- answering ----------------------------------------------------------------------------------

    def answer(self, method: str, path: str, query: dict[str, str], body: Any, auth: str | None
               ) -> tuple[int, dict | None, dict[str, str]]:
        with self._lock:
            if self.record_requests:
                self.requests.append((method, path, body))
            fault = self._faults.take(path, method)
        if fault is not None and fault.after and auth == f"Bearer {self.token}":
            self._route(method, path, query, body)
            return 0, None, {}
        if fault is not None:
            if fault.drop:
                return 0, None, {}
            headers = {"Retry-After": fault.detail} if fault.detail else {}
            return fault.status, _error(fault.status), headers
        if auth != f"Bearer {self.token}":
            return 401, {"status": "error", "message": "Authentication credentials not found.",
                         "correlationId": "0d6d0c3a-0000-4000-8000-000000000000",
                         "category": "INVALID_AUTHENTICATION"}, {}
        return self._route(method, path, query, body)

    def _route(self, method: str, path: str, query: dict[str, str], body: Any) -> tuple[int, dict | None, dict]:
        parts = path.strip("/").split("/")
        if parts[:3] == ["crm", "v3", "objects"] and len(parts) == 5 and parts[4] == "search" and method == "POST":
            return self._search(parts[3], body or {})
        if parts[:3] == ["crm", "v3", "objects"] and parts[4:] == ["batch", "read"] and method == "POST":
            return self._batch_read(parts[3], body or {})
        if parts[:3] == ["crm", "v3", "objects"] and len(parts) == 4 and method == "GET":
            return self._list(parts[3], query)
        if parts[:3] == ["crm", "v3", "objects"] and len(parts) == 4 and method == "POST" and parts[3] in ENGAGEMENTS:
            return self._create(parts[3], body or {})
        if parts[:4] == ["crm", "v3", "objects", "contacts"] and len(parts) == 5 and method == "PATCH":
            return self._patch("contacts", parts[4], body or {})
        if path == "/crm/v4/associations/contacts/companies/batch/read" and method == "POST":
            return self._associations(body or {})
        if path == "/crm/v4/associations/contacts/companies/labels" and method == "GET":
            return 200, {"results": [PRIMARY, UNLABELED, *(self.define_label(label) for label in self.defined_labels)]}, {}
        if (parts[:3] == ["crm", "v4", "objects"] and len(parts) == 8 and parts[3] == "contacts"
                and parts[5:7] == ["associations", "companies"] and method == "PUT"):
            return self._add_labels(parts[4], parts[7], body or [])
        if path == "/crm/v4/associations/contacts/companies/batch/labels/archive" and method == "POST":
            return self._remove_labels(body or {})
        if (parts[:3] == ["crm", "v4", "associations"] and len(parts) == 7 and parts[3] in ENGAGEMENTS
                and parts[4:] == ["contacts", "batch", "read"] and method == "POST"):
            return self._engagement_contacts(parts[3], body or {})
        if path == "/crm/v3/owners" and method == "GET":
            return self._page(self.owners, query)
        return 404, {"status": "error", "message": f"Unable to route {method} request", "category": "NOT_FOUND"}, {}

    def _create(self, kind: str, body: dict) -> tuple[int, dict, dict]:
        record_id = self._new(kind, body.get("properties") or {})
        links: dict[str, list[str]] = {"contacts": [], "companies": []}
        for association in body.get("associations", []):
            target = str(association["to"]["id"])
            for kind_of in association["types"]:
                assert kind_of["associationCategory"] == "HUBSPOT_DEFINED", kind_of
                links["contacts" if kind_of["associationTypeId"] in CONTACT_TYPES[kind] else "companies"].append(target)
                assert kind_of["associationTypeId"] in CONTACT_TYPES[kind] | COMPANY_TYPES[kind], (kind, kind_of)
        with self._lock:
            self.engagement_links[(kind, record_id)] = links
            return 201, self.objects[kind][record_id].json(None), {}

    def _patch(self, kind: str, record_id: str, body: dict) -> tuple[int, dict, dict]:
        if record_id not in self.objects[kind]:
            return 404, {"status": "error", "message": "resource not found", "category": "OBJECT_NOT_FOUND"}, {}
        self.touch(kind, record_id, **(body.get("properties") or {}))
        return 200, self.objects[kind][record_id].json(None), {}

    def _add_labels(self, contact_id: str, company_id: str, types: list[dict]) -> tuple[int, dict, dict]:
        known = {type_id: label for label, type_id in self.defined_labels.items()}
        with self._lock:
            held = self.associations[contact_id].setdefault(company_id, [UNLABELED])
            for kind_of in types:
                type_id = kind_of["associationTypeId"]
                if all(t["typeId"] != type_id for t in held):
                    held.append({"category": kind_of["associationCategory"], "typeId": type_id, "label": known.get(type_id)})
            labels = [t["label"] for t in held if t["label"]]
        return 200, {"fromObjectTypeId": "0-1", "fromObjectId": int(contact_id), "toObjectTypeId": "0-2",
                     "toObjectId": int(company_id), "labels": labels}, {}

    def _remove_labels(self, body: dict) -> tuple[int, None, dict]:
        with self._lock:
            for item in body.get("inputs", []):
                held = self.associations.get(str(item["from"]["id"]), {}).get(str(item["to"]["id"]))
                gone = {t["associationTypeId"] for t in item.get("types", [])}
                if held is not None:
                    held[:] = [t for t in held if t["typeId"] not in gone]
        return 204, None, {}

    def _engagement_contacts(self, kind: str, body: dict) -> tuple[int, dict, dict]:
        results = []
        for item in body.get("inputs", []):
            contacts = self.engagement_links.get((kind, str(item["id"])), {}).get("contacts", [])
            if contacts:
                results.append({"from": {"id": str(item["id"])},
                                 "to": [{"toObjectId": int(c), "associationTypes": [
                                     {"category": "HUBSPOT_DEFINED", "typeId": min(CONTACT_TYPES[kind]), "label": None}]}
                                        for c in contacts]})
        return 200, {"status": "COMPLETE", "results": results}, {}

    def _in_order(self, kind: str) -> tuple[list[datetime], list[Record]]:
        """The live records by last-modified time (then id), and their times: kept until the data changes."""
        with self._lock:
            version, times, records = self._ordered.get(kind, (-1, [], []))
            if version != self._version:
                modified = MODIFIED[kind]
                keyed = sorted(((_instant(r.properties[modified]), int(r.id), r) for r in self.objects[kind].values()
                                if not r.archived), key=lambda item: item[:2])
                times, records = [k[0] for k in keyed], [k[2] for k in keyed]
                self._ordered[kind] = (self._version, times, records)
            return times, records

    def _search(self, kind: str, body: dict) -> tuple[int, dict, dict]:
        modified = MODIFIED[kind]
        times, records = self._in_order(kind)
        for group in body.get("filterGroups", []):
            for rule in group.get("filters", []):
                if rule["operator"] == "CONTAINS_TOKEN":  # a word of a text property (HubSpot tokenises text)
                    word = rule["value"].lower()
                    kept = [(t, r) for t, r in zip(times, records, strict=True)
                            if word in _words(r.properties.get(rule["propertyName"]))]
                    times, records = [t for t, _ in kept], [r for _, r in kept]
                    continue
                assert rule["operator"] == "GTE" and rule["propertyName"] == modified, rule
                first = bisect.bisect_left(times, _instant(rule["value"]))
                times, records = times[first:], records[first:]
        start, limit = int(body.get("after") or 0), min(int(body.get("limit") or 10), 200)
        if start >= SEARCH_WINDOW:
            return 400, {"status": "error", "message": "Cannot page past 10000 results.",
                         "category": "VALIDATION_ERROR"}, {}
        chunk = records[start:start + limit]
        page: dict[str, Any] = {"total": len(records), "results": [r.json(body.get("properties")) for r in chunk]}
        if start + limit < len(records):
            page["paging"] = {"next": {"after": str(start + limit)}}
        return 200, page, {}

    def _list(self, kind: str, query: dict[str, str]) -> tuple[int, dict, dict]:
        archived = query.get("archived") == "true"
        records = sorted((r for r in self.objects[kind].values() if r.archived == archived), key=lambda r: int(r.id))
        wanted = query["properties"].split(",") if query.get("properties") else None
        return self._page([r.json(wanted) for r in records], query, link=f"/crm/v3/objects/{kind}")

    def _page(self, items: list, query: dict[str, str], link: str = "/crm/v3/owners") -> tuple[int, dict, dict]:
        start, limit = int(query.get("after") or 0), min(int(query.get("limit") or 10), 100)
        page: dict[str, Any] = {"results": items[start:start + limit]}
        if start + limit < len(items):
            after = str(start + limit)
            page["paging"] = {"next": {"after": after, "link": f"{self.url}{link}?after={after}"}}
        return 200, page, {}

    def _batch_read(self, kind: str, body: dict) -> tuple[int, dict, dict]:
        now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        wanted = body.get("propertiesWithHistory") or []
        results = []
        for item in body.get("inputs", []):
            record = self.objects[kind].get(str(item["id"]))
            if record is None:
                continue
            data = record.json(body.get("properties") or [])
            data["propertiesWithHistory"] = {
                name: [{"value": value, "timestamp": at, "sourceType": "CRM_UI", "sourceId": "userId:2001",
                        "updatedByUserId": 2001} for value, at in reversed(record.history.get(name, []))]
                for name in wanted}
            results.append(data)
        return 200, {"status": "COMPLETE", "results": results, "startedAt": now, "completedAt": now}, {}

    def _associations(self, body: dict) -> tuple[int, dict, dict]:
        now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        results = []
        for item in body.get("inputs", []):
            found = self.associations.get(str(item["id"]), {})
            if found:
                results.append({"from": {"id": str(item["id"])},
                                "to": [{"toObjectId": int(company), "associationTypes": types}
                                       for company, types in found.items()]})
        return 200, {"status": "COMPLETE", "results": results, "startedAt": now, "completedAt": now}, {}


# HUBSPOT_DEFINED association type ids, engagement → contact and engagement → company (HubSpot's docs)
CONTACT_TYPES = {"notes": {202}, "calls": {194}, "meetings": {200}, "emails": {198}}
COMPANY_TYPES = {"notes": {190}, "calls": {182}, "meetings": {188}, "emails": {186}}


def _words(text: str | None) -> set[str]:
    return {word for word in re.split(r"[^0-9a-z]+", (text or "").lower()) if word}


def _instant(value: str) -> datetime:
    """A HubSpot datetime filter value or property: ISO 8601, or epoch milliseconds."""
    if value.isdigit():
        return datetime.fromtimestamp(int(value) / 1000, UTC)
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _error(status: int) -> dict:
    if status == 429:
        return {"status": "error", "message": "You have reached your ten_secondly_rolling limit.",
                "errorType": "RATE_LIMIT", "correlationId": "c0ffee00-0000-4000-8000-000000000000",
                "policyName": "TEN_SECONDLY_ROLLING"}
    return {"status": "error", "message": "internal error", "correlationId": "c0ffee00-0000-4000-8000-000000000001",
            "category": "INTERNAL_ERROR" if status >= 500 else "VALIDATION_ERROR"}


class _Handler(KeepAliveHandler):
    def answer_with(self, method: str) -> None:
        url = urlsplit(self.path)
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.loads(raw) if raw else None
        status, payload, headers = self.server.standin.answer(  # type: ignore[attr-defined]
            method, url.path, dict(parse_qsl(url.query)), body, self.headers.get("Authorization"))
        data = json.dumps(payload).encode() if payload is not None else b""
        self.reply(status, data, {"Content-Type": "application/json;charset=utf-8", **headers})


HubSpotStandIn.handler, HubSpotStandIn.thread_name = _Handler, "hubspot-standin"
