"""HubSpot's CRM API over plain HTTPS (app.platform.crm_http: one kept-alive connection): the pull's reads and
the push's writes (engagements created, association labels set and removed, a contact property updated).

Why not `hubspot-api-client`: the pull needs six endpoints (CRM search, object list, v4 association batch
read, owners, and a batch read with property history for conflicts), and the generated client brings its own urllib3 retry rules and models for hundreds more;
plain requests keep the retry rules here, in one place, and take any base URL (`HUBSPOT_API_URL`, a local
stand-in in tests).

Faults: 429 (HubSpot's 10-second window) waits for Retry-After or backs off; 5xx, timeouts and dropped
connections back off and retry reads and idempotent writes (labels, a property); a create (not idempotent)
whose answer is lost — dropped, timed out or a 5xx, after which HubSpot may hold it — raises AnswerLost
(app.platform.crm_http) instead of sending it again blind. 401/403 end in one sentence naming HUBSPOT_ACCESS_TOKEN.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from app.core.crm import MODIFIED_PROPERTY, instant
from app.core.errors import ConfigError, StakemapError
from app.platform.crm_http import Answer, AnswerLost, CrmConnection, seconds

PAGE = 100  # HubSpot's largest page for lists, search and association batch reads
HISTORY_PAGE = 50  # records per batch read with propertiesWithHistory (kept small: HubSpot caps reads with history lower)
SEARCH_WINDOW = 10_000  # the search API answers at most this many results per query (then: a new query)
TOKEN_REFUSED = ("HubSpot refused the access token: set HUBSPOT_ACCESS_TOKEN to a private app's token with the "
                 "crm.objects.companies.read, crm.objects.contacts.read and crm.objects.owners.read scopes.")


class HubSpotScopeMissing(ConfigError):
    """403: the token is good but the private app lacks the scope this call needs."""


class HubSpotClient:
    def __init__(self, base_url: str, token: str | None, *, timeout: float = 30.0, attempts: int = 6,
                 backoff: float = 1.0, sleep: Callable[[float], None] = time.sleep) -> None:
        if not token:
            raise ConfigError("Set HUBSPOT_ACCESS_TOKEN to a HubSpot private app's access token (README: 'HubSpot').")
        self._http = CrmConnection(base_url, timeout=timeout, attempts=attempts, backoff=backoff, sleep=sleep)
        self._headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json",
                         "Accept": "application/json"}

    @property
    def requests(self) -> int:
        """Every HTTP request sent, retries included."""
        return self._http.requests

    # --- the calls the pull makes -------------------------------------------------------------------

    def search_modified(self, object_type: str, properties: list[str], since: str | None) -> Iterator[list[dict]]:
        """Pages of records modified at or after `since` (all when None), oldest change first. Past the search
        API's 10,000-result window a new query starts from the last modified time seen."""
        modified = MODIFIED_PROPERTY[object_type]
        after: str | None = None
        while True:
            body: dict[str, Any] = {"sorts": [{"propertyName": modified, "direction": "ASCENDING"}],
                                    "properties": [*properties, modified], "limit": PAGE}
            if since:
                body["filterGroups"] = [{"filters": [{"propertyName": modified, "operator": "GTE", "value": since}]}]
            if after:
                body["after"] = after
            page = self.call("POST", f"/crm/v3/objects/{object_type}/search", body=body)
            results = page.get("results", [])
            if results:
                yield results
            after = _next_after(page)
            if after is None:
                return
            if int(after) >= SEARCH_WINDOW:
                last = results[-1]["properties"].get(modified) if results else None
                if last == since:  # 10,000 records share one timestamp: nothing more can be asked for
                    return
                since, after = last, None

    def list_all(self, object_type: str, properties: list[str], archived: bool = False) -> Iterator[list[dict]]:
        """Pages of every record (or every archived one), for a full reconciliation."""
        after: str | None = None
        while True:
            query = {"limit": PAGE, "properties": ",".join(properties), "archived": str(archived).lower()}
            if after:
                query["after"] = after
            page = self.call("GET", f"/crm/v3/objects/{object_type}", query=query)
            if page.get("results"):
                yield page["results"]
            after = _next_after(page)
            if after is None:
                return

    def company_associations(self, contact_ids: list[str]) -> dict[str, list[dict]]:
        """For each contact id: its companies, each {"toObjectId", "associationTypes": [{category, typeId, label}]}."""
        found: dict[str, list[dict]] = {contact_id: [] for contact_id in contact_ids}
        pending = [{"id": contact_id} for contact_id in contact_ids]
        while pending:
            page = self.call("POST", "/crm/v4/associations/contacts/companies/batch/read", body={"inputs": pending})
            pending = []
            for result in page.get("results", []):
                contact_id = str(result["from"]["id"])
                found.setdefault(contact_id, []).extend(result.get("to", []))
                after = _next_after(result)
                if after:
                    pending.append({"id": contact_id, "after": after})
        return found

    def engagement_contacts(self, object_type: str, ids: list[str]) -> dict[str, list[str]]:
        """For each activity id (calls, meetings, emails): the ids of the contacts it is associated with."""
        found: dict[str, list[str]] = {record_id: [] for record_id in ids}
        pending = [{"id": record_id} for record_id in ids]
        while pending:
            page = self.call("POST", f"/crm/v4/associations/{object_type}/contacts/batch/read", body={"inputs": pending})
            pending = []
            for result in page.get("results", []):
                record_id = str(result["from"]["id"])
                found.setdefault(record_id, []).extend(str(to["toObjectId"]) for to in result.get("to", []))
                if after := _next_after(result):
                    pending.append({"id": record_id, "after": after})
        return found

    def changed_at(self, object_type: str, ids: list[str], properties: list[str]) -> dict[str, dict[str, datetime]]:
        """When each property of each record last changed, from its history (a batch read with
        `propertiesWithHistory`, 50 records a request): {id: {property: time}}; a property never set is absent.
        Asked only for the few records whose value stakemap may have changed later (app.core.crm.crm_change_wins)."""
        found: dict[str, dict[str, datetime]] = {}
        for start in range(0, len(ids), HISTORY_PAGE):
            body = {"inputs": [{"id": record_id} for record_id in ids[start:start + HISTORY_PAGE]],
                    "properties": [], "propertiesWithHistory": properties}
            page = self.call("POST", f"/crm/v3/objects/{object_type}/batch/read", body=body)
            for result in page.get("results", []):
                times = found.setdefault(str(result["id"]), {})
                for name, versions in (result.get("propertiesWithHistory") or {}).items():
                    stamps = [t for t in (instant(v.get("timestamp")) for v in versions or []) if t is not None]
                    if stamps:
                        times[name] = max(stamps)
        return found

    def owner_emails(self) -> dict[str, str]:
        """Owner id → e-mail (companies name their owner by `hubspot_owner_id`)."""
        emails: dict[str, str] = {}
        after: str | None = None
        while True:
            page = self.call("GET", "/crm/v3/owners", query={"limit": PAGE, **({"after": after} if after else {})})
            emails.update({str(owner["id"]): owner["email"] for owner in page.get("results", []) if owner.get("email")})
            after = _next_after(page)
            if after is None:
                return emails

    # --- the calls the push makes ---------------------------------------------------------------------

    def create(self, object_type: str, properties: dict[str, str], associations: list[dict]) -> str:
        """Create one record (a note, call or meeting) with its associations; its id. AnswerLost when
        the answer was lost."""
        body = {"properties": properties, "associations": associations}
        return str(self.call("POST", f"/crm/v3/objects/{object_type}", body=body, idempotent=False)["id"])

    def find_marked(self, object_type: str, text_property: str, token: str) -> str | None:
        """The id of a record whose `text_property` holds the word `token` (CRM search, CONTAINS_TOKEN)."""
        body = {"filterGroups": [{"filters": [{"propertyName": text_property, "operator": "CONTAINS_TOKEN",
                                               "value": token}]}], "properties": [text_property], "limit": 1}
        results = self.call("POST", f"/crm/v3/objects/{object_type}/search", body=body).get("results", [])
        return str(results[0]["id"]) if results else None

    def association_labels(self) -> list[dict]:
        """The contact→company association types: [{"category", "typeId", "label"}] (label None: unlabeled)."""
        return self.call("GET", "/crm/v4/associations/contacts/companies/labels").get("results", [])

    def add_labels(self, contact_id: str, company_id: str, types: list[dict]) -> None:
        """Give the contact↔company association these labels (the others stay)."""
        body = [{"associationCategory": t["category"], "associationTypeId": t["typeId"]} for t in types]
        self.call("PUT", f"/crm/v4/objects/contacts/{contact_id}/associations/companies/{company_id}", body=body)

    def remove_labels(self, contact_id: str, company_id: str, types: list[dict]) -> None:
        """Take these labels off the contact↔company association (the association stays)."""
        body = {"inputs": [{"from": {"id": contact_id}, "to": {"id": company_id},
                            "types": [{"associationCategory": t["category"], "associationTypeId": t["typeId"]}
                                      for t in types]}]}
        self.call("POST", "/crm/v4/associations/contacts/companies/batch/labels/archive", body=body)

    def update_contact(self, contact_id: str, properties: dict[str, str]) -> None:
        self.call("PATCH", f"/crm/v3/objects/contacts/{contact_id}", body={"properties": properties})

    # --- one request, with its retries --------------------------------------------------------------

    def call(self, method: str, path: str, *, query: dict | None = None, body: dict | list | None = None,
             idempotent: bool = True) -> dict:
        """One request with its retries: 429 waits as Retry-After says, 5xx and timeouts back off; `idempotent`
        False (a create): an answer lost is AnswerLost."""
        def judge(answer: Answer, wait: float) -> float | None:
            if answer.ok:
                return None
            if answer.status == 401:
                raise ConfigError(TOKEN_REFUSED)
            if answer.status == 403:
                raise HubSpotScopeMissing(f"HubSpot refused {method} {path}: give the private app the scope it "
                                          "needs (README: 'HubSpot', the scopes).")
            if answer.status == 429:
                return seconds(answer.headers.get("retry-after"), default=max(wait, 1.0))
            if answer.status < 500:
                raise StakemapError(f"HubSpot answered {answer.status} to {method} {path}: {_message(answer.payload)}")
            if not idempotent:
                raise AnswerLost(f"HubSpot answered {answer.status} to {method} {path}; it may hold it.")
            return wait

        url = self._http.prefix + path + (f"?{urlencode(query)}" if query else "")
        data = json.dumps(body).encode() if body is not None else None
        answer = self._http.exchange(method, url, data, lambda: self._headers, judge, lambda failure: (
            f"HubSpot {failure} after {self._http.attempts} attempts ({method} {path}); "
            "the next sync resumes where this one stopped."), idempotent=idempotent)
        return answer.json()

    def close(self) -> None:
        self._http.close()


def _next_after(page: dict) -> str | None:
    after = ((page.get("paging") or {}).get("next") or {}).get("after")
    return str(after) if after not in (None, "") else None


def _message(payload: bytes) -> str:
    try:
        return str(json.loads(payload).get("message", ""))[:200]
    except (ValueError, AttributeError):
        return payload[:200].decode("utf-8", "replace")



