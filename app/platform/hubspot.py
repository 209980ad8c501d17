"""HubSpot's CRM API over plain HTTPS (stdlib http.client, one kept-alive connection): read-only, for the pull.

Why not `hubspot-api-client`: the pull needs six endpoints (CRM search, object list, v4 association batch
read, owners, and a batch read with property history for conflicts), and the generated client brings its own urllib3 retry rules and models for hundreds more;
plain requests keep the retry rules here, in one place, and take any base URL (`HUBSPOT_API_URL`, a local
stand-in in tests).

Faults: 429 (HubSpot's 10-second window) waits for Retry-After or backs off; 5xx, timeouts and dropped
connections back off and retry (every call here is a read); 401/403 end in one sentence naming
HUBSPOT_ACCESS_TOKEN.
"""

from __future__ import annotations

import http.client
import json
import ssl
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

from app.core.crm import MODIFIED_PROPERTY, instant
from app.core.errors import ConfigError, StakemapError

PAGE = 100  # HubSpot's largest page for lists, search and association batch reads
HISTORY_PAGE = 50  # records per batch read with propertiesWithHistory (kept small: HubSpot caps reads with history lower)
SEARCH_WINDOW = 10_000  # the search API answers at most this many results per query (then: a new query)
TOKEN_REFUSED = ("HubSpot refused the access token: set HUBSPOT_ACCESS_TOKEN to a private app's token with the "
                 "crm.objects.companies.read, crm.objects.contacts.read and crm.objects.owners.read scopes.")


class HubSpotUnavailable(StakemapError):
    """HubSpot kept failing after every retry; the next sync resumes from the cursor."""


class HubSpotClient:
    def __init__(self, base_url: str, token: str | None, *, timeout: float = 30.0, attempts: int = 6,
                 backoff: float = 1.0, sleep: Callable[[float], None] = time.sleep) -> None:
        if not token:
            raise ConfigError("Set HUBSPOT_ACCESS_TOKEN to a HubSpot private app's access token (README: 'HubSpot').")
        parts = urlsplit(base_url)
        self._https = parts.scheme == "https"
        self._host, self._port, self._prefix = parts.hostname or "", parts.port, parts.path.rstrip("/")
        self._headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json",
                         "Accept": "application/json"}
        self.timeout, self.attempts, self.backoff, self.sleep = timeout, attempts, backoff, sleep
        self.requests = 0  # every HTTP request sent, retries included
        self._connection: http.client.HTTPConnection | None = None

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

    # --- one request, with its retries --------------------------------------------------------------

    def call(self, method: str, path: str, *, query: dict | None = None, body: dict | None = None) -> dict:
        url = self._prefix + path + (f"?{urlencode(query)}" if query else "")
        data = json.dumps(body).encode() if body is not None else None
        for attempt in range(1, self.attempts + 1):
            wait = self.backoff * 2 ** (attempt - 1)
            try:
                status, headers, payload = self._send(method, url, data)
            except (OSError, http.client.HTTPException):  # refused, reset, timed out: every call here is a read
                self._close()
                failure = "did not answer"
            else:
                if 200 <= status < 300:
                    return json.loads(payload or b"{}")
                if status in (401, 403):
                    raise ConfigError(TOKEN_REFUSED)
                if status == 429:
                    wait = _seconds(headers.get("retry-after"), default=max(wait, 1.0))
                elif status < 500:
                    raise StakemapError(f"HubSpot answered {status} to {method} {path}: {_message(payload)}")
                failure = f"answered {status}"
            if attempt < self.attempts:
                self.sleep(wait)
        raise HubSpotUnavailable(f"HubSpot {failure} after {self.attempts} attempts ({method} {path}); "
                                 "the next sync resumes where this one stopped.")

    def _send(self, method: str, url: str, data: bytes | None) -> tuple[int, dict[str, str], bytes]:
        self.requests += 1
        connection = self._connection or self._connect()
        connection.request(method, url, body=data, headers=self._headers)
        response = connection.getresponse()
        payload = response.read()
        if response.getheader("connection", "").lower() == "close":
            self._close()
        return response.status, {key.lower(): value for key, value in response.getheaders()}, payload

    def _connect(self) -> http.client.HTTPConnection:
        if self._https:
            self._connection = http.client.HTTPSConnection(self._host, self._port, timeout=self.timeout,
                                                           context=ssl.create_default_context())
        else:
            self._connection = http.client.HTTPConnection(self._host, self._port, timeout=self.timeout)
        return self._connection

    def _close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def close(self) -> None:
        self._close()


def _next_after(page: dict) -> str | None:
    after = ((page.get("paging") or {}).get("next") or {}).get("after")
    return str(after) if after not in (None, "") else None


def _seconds(value: str | None, default: float) -> float:
    try:
        return max(float(value), 0.0) if value is not None else default
    except ValueError:
        return default


def _message(payload: bytes) -> str:
    try:
        return str(json.loads(payload).get("message", ""))[:200]
    except (ValueError, AttributeError):
        return payload[:200].decode("utf-8", "replace")



