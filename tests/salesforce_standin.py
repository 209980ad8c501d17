"""Salesforce's REST API (and its SOAP login) on 127.0.0.1 (port 0), in a thread, with faults on demand — like
tests/hubspot_standin.py.

Answers what the sync sends, in the shapes of Salesforce's REST API Developer Guide and simple-salesforce's
test fixtures:
- POST /services/Soap/u/{version} — the SOAP `login` call: a loginResponse with serverUrl and sessionId, or a
  soapenv:Fault with INVALID_LOGIN (status 500).
- GET /services/data/v{version}/query?q=SOQL and /queryAll (deleted records too) — {"totalSize", "done",
  "nextRecordsUrl"?, "records": [{"attributes": {"type", "url"}, fields…, relationship: {"attributes", …}}]};
  the next pages at nextRecordsUrl; `Sforce-Query-Options: batchSize=N` (200 to 2,000). The SOQL understood:
  SELECT fields (and one relationship hop such as Owner.Email) FROM object [WHERE a AND b…, each `field >= / =
  / IN (…)` a literal] [ORDER BY fields] [LIMIT n]; an unknown field answers 400 INVALID_FIELD, an object the
  org lacks 400 INVALID_TYPE, as Salesforce does.
- POST /services/data/v{version}/sobjects/{object} → 201 {"id", "success", "errors"}; PATCH …/{object}/{id}
  → 204; GET …/{object}/describe → {"name", "fields": [{"name", "type", "picklistValues": [{"value", "label",
  "active", …}]}]}; GET …/limits → {"DailyApiRequests": {"Max", "Remaining"}, …}.
Errors are Salesforce's list of {"message", "errorCode"}; a request without a valid session answers 401
INVALID_SESSION_ID.

`fail(path_part, status=403, code="REQUEST_LIMIT_EXCEEDED", times=1, drop=False, after=False, passing=0,
method=None)` makes the next matching requests (the path with its decoded query) fail (`after`: carried out,
then the connection drops — a lost answer); every request is recorded in `requests`.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import xml.etree.ElementTree as ElementTree
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from tests.local_server import Fault, Faults, KeepAliveHandler, LocalServer

VERSION = "62.0"
ACCESS_TOKEN = "00Dxx0000001gPF!AQ4AQFakeSessionToken"
USERNAME, PASSWORD, SECURITY_TOKEN = "sync@acme-vendor.example", "correct-horse", "SECTOKEN123"
ORG_ID = "00Di0000000icUBEAY"
PREFIX = {"Account": "001", "Contact": "003", "Opportunity": "006", "User": "005", "Task": "00T", "Event": "00U",
          "AccountContactRelation": "07k", "OpportunityContactRole": "00K"}
# The fields each object answers besides custom ones (any field set on a record becomes known too).
STANDARD = {
    "Account": {"Name", "OwnerId", "AnnualRevenue", "Industry"},
    "Contact": {"FirstName", "LastName", "Title", "Email", "Department", "ReportsToId", "AccountId", "OwnerId"},
    "AccountContactRelation": {"AccountId", "ContactId", "Roles", "IsActive", "IsDirect"},
    "OpportunityContactRole": {"OpportunityId", "ContactId", "Role", "IsPrimary"},
    "Opportunity": {"Name", "AccountId", "StageName", "CloseDate"},
    "User": {"Email", "Username", "FirstName", "LastName", "IsActive"},
    "Task": {"WhoId", "WhatId", "ActivityDate", "Subject", "Status", "TaskSubtype", "Description", "Type",
             "OwnerId", "Priority", "IsClosed"},
    "Event": {"WhoId", "WhatId", "ActivityDate", "ActivityDateTime", "StartDateTime", "EndDateTime", "Subject",
              "Description", "Type", "IsAllDayEvent", "DurationInMinutes", "OwnerId"},
}
ROLES = ("Business User", "Decision Maker", "Economic Buyer", "Economic Decision Maker", "Evaluator",
         "Executive Sponsor", "Influencer", "Technical Buyer", "Other")
COMMON = {"Id", "IsDeleted", "SystemModstamp", "CreatedDate", "LastModifiedDate"}
RELATIONSHIPS = {"Owner": "User", "Account": "Account", "Opportunity": "Opportunity", "ReportsTo": "Contact",
                 "Contact": "Contact", "Who": "Contact", "What": "Account"}
_SOQL = re.compile(r"^SELECT (?P<fields>.+?) FROM (?P<object>\w+)(?: WHERE (?P<where>.+?))?"
                   r"(?: ORDER BY (?P<order>.+?))?(?: LIMIT (?P<limit>\d+))?$", re.S | re.I)
_CONDITION = re.compile(r"^(?P<field>[\w.]+) (?P<op>>=|<=|!=|=|>|<|IN|LIKE) (?P<value>.+)$", re.I)
_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)$")


class SoqlError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


@dataclass
class SalesforceStandIn(LocalServer):
    username: str = USERNAME
    password: str = PASSWORD
    security_token: str = SECURITY_TOKEN
    relations_enabled: bool = True  # False: an org without Contacts to Multiple Accounts (no AccountContactRelation)
    page_cap: int = 2000  # at most this many records per page, whatever batchSize asks (tests page with few)
    # The org's custom fields (and CurrencyIsoCode, which only multi-currency orgs have)
    custom_fields: dict[str, set[str]] = field(default_factory=lambda: {
        "Account": {"ARR__c", "Renewal_Date__c", "CurrencyIsoCode"}})
    objects: dict[str, dict[str, dict]] = field(default_factory=lambda: {name: {} for name in PREFIX})
    # Picklist values (describe): Salesforce's shipped contact roles, the same for relations and opportunities
    picklists: dict[tuple[str, str], list[str]] = field(default_factory=lambda: {
        ("AccountContactRelation", "Roles"): list(ROLES), ("OpportunityContactRole", "Role"): list(ROLES)})
    requests: list[tuple[str, str, Any]] = field(default_factory=list)
    record_requests: bool = True

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._version = 0  # bumped by every change: the IN-list indexes below are kept per version
        self._indexes: dict[tuple[str, str], tuple[int, dict[Any, list[dict]]]] = {}
        self._faults = Faults()
        self._ids = itertools.count(1)
        self._clock = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)  # the last time given to a change
        self._now: Callable[[], datetime] | None = None  # the clock followed (None: a second per change)
        self.sessions = {ACCESS_TOKEN}
        self._locators: dict[str, list[dict]] = {}
        self._batches: dict[str, int] = {}
        self.logins = 0

    # --- the org's data -----------------------------------------------------------------------------

    def _tick(self) -> str:
        """The time of a change: a second after the one before or, following a clock (`follow`), that clock
        rounded up to Salesforce's milliseconds; always later than the change before."""
        if self._now is None:
            self._clock += timedelta(seconds=1)
        else:
            now = self._now()
            now = now.replace(microsecond=0) + timedelta(milliseconds=-(-now.microsecond // 1000))
            self._clock = max(self._clock + timedelta(milliseconds=1), now)
        return self._clock.strftime("%Y-%m-%dT%H:%M:%S.") + f"{self._clock.microsecond // 1000:03d}+0000"

    def follow(self, now: Callable[[], datetime]) -> None:
        """Date changes by this clock, e.g. a test's fixed clock, so Salesforce's changes and stakemap's line up."""
        with self._lock:
            self._now = now

    def insert(self, sobject: str, **values: Any) -> str:
        with self._lock:
            self._version += 1
            record_id = f"{PREFIX[sobject]}{next(self._ids):012d}AAA"
            now = self._tick()
            self.objects[sobject][record_id] = {"Id": record_id, "IsDeleted": False, "CreatedDate": now,
                                                "LastModifiedDate": now, "SystemModstamp": now, **values}
            return record_id

    def touch(self, sobject: str, record_id: str, **values: Any) -> None:
        """Change a record's fields (and its SystemModstamp), as an edit in Salesforce does."""
        with self._lock:
            self._version += 1
            record, now = self.objects[sobject][record_id], self._tick()
            record.update(values, LastModifiedDate=now, SystemModstamp=now)

    def add_user(self, email: str, first: str = "Casey", last: str = "Owner") -> str:
        return self.insert("User", Email=email, Username=email, FirstName=first, LastName=last, IsActive=True)

    def add_account(self, name: str, *, owner: str | None = None, **fields: Any) -> str:
        return self.insert("Account", Name=name, OwnerId=owner, **fields)

    def add_contact(self, first: str | None, last: str, *, account: str | None = None, roles: tuple[str, ...] = (),
                    **fields: Any) -> str:
        """A contact and, with an account, its direct AccountContactRelation carrying `roles`."""
        contact_id = self.insert("Contact", FirstName=first, LastName=last, AccountId=account, **fields)
        if account is not None:
            self.insert("AccountContactRelation", AccountId=account, ContactId=contact_id,
                        Roles=";".join(roles) or None, IsActive=True, IsDirect=True)
        return contact_id

    def relation(self, contact_id: str, account_id: str) -> str:
        return next(r["Id"] for r in self.objects["AccountContactRelation"].values()
                    if r["ContactId"] == contact_id and r["AccountId"] == account_id)

    def set_roles(self, contact_id: str, account_id: str, *roles: str) -> None:
        """Change the relation's Roles: the Contact's own SystemModstamp does not move."""
        self.touch("AccountContactRelation", self.relation(contact_id, account_id), Roles=";".join(roles) or None)

    def deactivate(self, contact_id: str, account_id: str) -> None:
        self.touch("AccountContactRelation", self.relation(contact_id, account_id), IsActive=False)

    def add_opportunity(self, account_id: str, name: str = "Renewal") -> str:
        return self.insert("Opportunity", Name=name, AccountId=account_id, StageName="Prospecting",
                           CloseDate="2026-09-30")

    def add_opportunity_role(self, opportunity_id: str, contact_id: str, role: str) -> str:
        return self.insert("OpportunityContactRole", OpportunityId=opportunity_id, ContactId=contact_id, Role=role,
                           IsPrimary=False)

    def delete(self, sobject: str, record_id: str) -> None:
        """To the recycle bin: IsDeleted, seen by queryAll only."""
        self.touch(sobject, record_id, IsDeleted=True)

    def purge(self, sobject: str, record_id: str) -> None:
        """Gone for good (emptied recycle bin): not even queryAll answers it."""
        with self._lock:
            self._version += 1
            del self.objects[sobject][record_id]

    def expire_sessions(self) -> None:
        """Every session ends (a timeout, a password change): calls answer 401 INVALID_SESSION_ID."""
        with self._lock:
            self.sessions.clear()

    def fail(self, path_part: str, status: int = 403, *, code: str | None = "REQUEST_LIMIT_EXCEEDED", times: int = 1,
             drop: bool = False, after: bool = False, passing: int = 0, method: str | None = None) -> None:
        """After `passing` requests whose path (with its decoded query) contains `path_part` are answered, the
        next `times` ones fail with that status and errorCode (or are dropped: closed without an answer)."""
        with self._lock:
            self._faults.add(path_part, Fault(status, code, drop, after), times=times, passing=passing, method=method)

    def calls(self, path_part: str = "") -> list[tuple[str, str, Any]]:
        return [r for r in self.requests if path_part in r[1]]

    # --- answering ----------------------------------------------------------------------------------

    def answer(self, method: str, path: str, query: dict[str, str], body: bytes, headers: dict[str, str]
               ) -> tuple[int, Any, dict[str, str]]:
        shown = path + (f"?{unquote(query['q'])}" if "q" in query else "")
        with self._lock:
            if self.record_requests:
                self.requests.append((method, shown, body))
            fault = self._faults.take(shown, method)
        if fault is not None and not fault.after:
            if fault.drop:
                return 0, None, {}
            return fault.status, [{"message": _FAULT_MESSAGES.get(fault.detail or "", "Internal error"),
                                   "errorCode": fault.detail or "UNKNOWN_EXCEPTION"}], {}
        if path == f"/services/Soap/u/{VERSION}" and method == "POST":
            return self._login(body)
        token = (headers.get("authorization") or "").removeprefix("Bearer ")
        if token not in self.sessions:
            return 401, [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}], {}
        try:
            answered = self._route(method, path.removeprefix(f"/services/data/v{VERSION}"), query, body, headers)
        except SoqlError as error:
            answered = 400, [{"message": error.message, "errorCode": error.code}], {}
        return (0, None, {}) if fault is not None else answered  # `after`: carried out, then the answer is lost

    def _route(self, method: str, rest: str, query: dict[str, str], body: bytes, headers: dict[str, str]
               ) -> tuple[int, Any, dict[str, str]]:
        if rest in ("/query", "/queryAll") and method == "GET":
            return self._query(query.get("q", ""), rest == "/queryAll", _batch(headers))
        if rest.startswith(("/query/", "/queryAll/")) and method == "GET":
            return self._next_page(rest.split("/", 2)[2], rest.split("/")[1])
        if rest == "/limits" and method == "GET":
            return 200, {"DailyApiRequests": {"Max": 15000, "Remaining": 15000 - len(self.requests)},
                         "DailyBulkApiBatches": {"Max": 15000, "Remaining": 15000}}, {}
        parts = rest.strip("/").split("/")
        if parts[0] == "sobjects" and len(parts) == 2 and method == "POST":
            return self._create(parts[1], json.loads(body or b"{}"))
        if parts[0] == "sobjects" and len(parts) == 3 and parts[2] == "describe" and method == "GET":
            return self._describe(parts[1])
        if parts[0] == "sobjects" and len(parts) == 3 and method == "PATCH":
            return self._update(parts[1], parts[2], json.loads(body or b"{}"))
        return 404, [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}], {}

    def _login(self, body: bytes) -> tuple[int, str, dict[str, str]]:
        root = ElementTree.fromstring(body)
        given = {element.tag.rsplit("}", 1)[-1]: element.text or "" for element in root.iter()}
        if given.get("username") != self.username or given.get("password") != self.password + self.security_token:
            return 500, LOGIN_FAULT, {"Content-Type": "text/xml;charset=UTF-8"}
        with self._lock:
            self.logins += 1
            session = f"00Dxx0000001gPF!AQ4AQSession{self.logins:04d}"
            self.sessions.add(session)
        server_url = f"{self.url}/services/Soap/u/{VERSION}/{ORG_ID[:15]}"
        return 200, LOGIN_SUCCESS.format(server_url=server_url, session=session, user=self.username,
                                         metadata_url=f"{self.url}/services/Soap/m/{VERSION}/{ORG_ID[:15]}"), {
            "Content-Type": "text/xml;charset=UTF-8"}

    # --- SOQL ---------------------------------------------------------------------------------------

    def _query(self, soql: str, include_deleted: bool, batch: int) -> tuple[int, dict, dict]:
        match = _SOQL.match(" ".join(soql.split()))
        if match is None:
            raise SoqlError("MALFORMED_QUERY", f"unexpected token: {soql[:80]}")
        sobject = match["object"]
        if sobject not in self.objects or (sobject == "AccountContactRelation" and not self.relations_enabled):
            raise SoqlError("INVALID_TYPE", f"\n{soql[:80]}\n^\nERROR at Row:1:Column:1\nsObject type '{sobject}' is "
                                            "not supported. If you are attempting to use a custom object, be sure to "
                                            "append the '__c' after the entity name.")
        fields = [f.strip() for f in match["fields"].split(",")]
        for name in fields:
            self._known(sobject, name)
        conditions = [self._condition(sobject, c.strip()) for c in re.split(r" AND ", match["where"] or "", flags=re.I)
                      if c.strip()]
        with self._lock:
            rows = [r for r in self._candidates(sobject, conditions) if (include_deleted or not r["IsDeleted"])
                    and all(test(r) for test in conditions)]
            if match["order"]:
                keys = [k.strip().split()[0] for k in match["order"].split(",")]
                rows.sort(key=lambda r: tuple(_sortable(r.get(k)) for k in keys))
            if match["limit"]:
                rows = rows[:int(match["limit"])]
            records = [self._record(sobject, r, fields) for r in rows]
        return self._page(records, f"01g{next(self._ids):012d}AAA", 0, batch, "queryAll" if include_deleted else "query")

    def _page(self, records: list[dict], locator: str, start: int, batch: int, endpoint: str
              ) -> tuple[int, dict, dict]:
        size = min(batch, self.page_cap)
        chunk, done = records[start:start + size], start + size >= len(records)
        page: dict[str, Any] = {"totalSize": len(records), "done": done, "records": chunk}
        if not done:
            self._locators[locator] = records
            page["nextRecordsUrl"] = f"/services/data/v{VERSION}/{endpoint}/{locator}-{start + size}"
            self._batches[locator] = size
        return 200, page, {}

    def _next_page(self, cursor: str, endpoint: str) -> tuple[int, Any, dict]:
        locator, _, offset = cursor.rpartition("-")
        records = self._locators.get(locator)
        if records is None or not offset.isdigit():
            return 400, [{"message": "invalid query locator", "errorCode": "INVALID_QUERY_LOCATOR"}], {}
        return self._page(records, locator, int(offset), self._batches[locator], endpoint)

    def _candidates(self, sobject: str, conditions: list) -> Iterable[dict]:
        """The rows a query may match: through an index when it has `field IN (…)` (the sync's per-page
        lookups would otherwise scan every row of 100,000), else every row. Called under the lock."""
        wanted = next((test for test in conditions if getattr(test, "in_field", None)), None)
        if wanted is None:
            return self.objects[sobject].values()
        version, index = self._indexes.get((sobject, wanted.in_field), (-1, {}))
        if version != self._version:
            index = defaultdict(list)
            for row in self.objects[sobject].values():
                index[row.get(wanted.in_field)].append(row)
            self._indexes[(sobject, wanted.in_field)] = (self._version, index)
        return [row for value in wanted.in_values for row in index.get(value, [])]

    def _known(self, sobject: str, name: str) -> None:
        head, _, tail = name.partition(".")
        if tail:
            target = RELATIONSHIPS.get(head)
            if target is None or f"{head}Id" not in STANDARD[sobject] | COMMON:
                raise SoqlError("INVALID_FIELD", f"Didn't understand relationship '{head}' in field path.")
            return self._known(target, tail)
        known = STANDARD[sobject] | COMMON | self.custom_fields.get(sobject, set())
        if name not in known:
            raise SoqlError("INVALID_FIELD", f"\nSELECT {name} FROM {sobject}\n^\nERROR at Row:1:Column:8\nNo such column "
                                             f"'{name}' on entity '{sobject}'. If you are attempting to use a custom "
                                             "field, be sure to append the '__c' after the custom field name.")

    def _condition(self, sobject: str, text: str):
        match = _CONDITION.match(text)
        if match is None:
            raise SoqlError("MALFORMED_QUERY", f"unexpected token: '{text[:60]}'")
        name, op, wanted = match["field"], match["op"].upper(), _literal(match["value"].strip())
        self._known(sobject, name)

        def test(row: dict) -> bool:
            value = self._value(sobject, row, name)
            if op == "IN":
                return value in wanted
            if op == "LIKE":  # % any run of characters, _ one; without case, as SOQL's LIKE
                pattern = "".join(".*" if ch == "%" else "." if ch == "_" else re.escape(ch) for ch in wanted)
                return value is not None and re.fullmatch(pattern, str(value), re.I | re.S) is not None
            if op in ("=", "!="):
                return (_comparable(value) == _comparable(wanted)) == (op == "=")
            if value is None:
                return False
            left, right = _comparable(value), _comparable(wanted)
            return {">=": left >= right, "<=": left <= right, ">": left > right, "<": left < right}[op]

        if op == "IN" and "." not in name:
            test.in_field, test.in_values = name, wanted  # type: ignore[attr-defined]
        return test

    def _value(self, sobject: str, row: dict, name: str) -> Any:
        head, _, tail = name.partition(".")
        if not tail:
            return row.get(name)
        target = self.objects[RELATIONSHIPS[head]].get(row.get(f"{head}Id") or "")
        return self._value(RELATIONSHIPS[head], target, tail) if target else None

    def _record(self, sobject: str, row: dict, fields: list[str]) -> dict:
        record: dict[str, Any] = {"attributes": _attributes(sobject, row["Id"])}
        for name in fields:
            head, _, tail = name.partition(".")
            if not tail:
                record[name] = row.get(name)
                continue
            target = self.objects[RELATIONSHIPS[head]].get(row.get(f"{head}Id") or "")
            if target is None:
                record[head] = None
            else:  # one hop: {"Owner": {"attributes": {…}, "Email": …}}
                record.setdefault(head, {"attributes": _attributes(RELATIONSHIPS[head], target["Id"])})[tail] = \
                    target.get(tail)
        return record

    # --- sObjects -----------------------------------------------------------------------------------

    def _describe(self, sobject: str) -> tuple[int, Any, dict]:
        """The describe call's shape, cut down to each field's name, type and picklist values."""
        if sobject not in self.objects:
            return 404, [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}], {}
        fields = []
        for name in sorted(STANDARD[sobject] | COMMON | self.custom_fields.get(sobject, set())):
            values = self.picklists.get((sobject, name))
            fields.append({"name": name, "type": "multipicklist" if values is not None else "string",
                           "picklistValues": [{"active": True, "defaultValue": False, "label": v, "validFor": None,
                                               "value": v} for v in values or []]})
        return 200, {"name": sobject, "createable": True, "updateable": True, "fields": fields}, {}

    def _create(self, sobject: str, values: dict) -> tuple[int, Any, dict]:
        if sobject not in self.objects:
            raise SoqlError("NOT_FOUND", "The requested resource does not exist")
        for name in values:
            self._known(sobject, name)
        record_id = self.insert(sobject, **values)
        return 201, {"id": record_id, "success": True, "errors": []}, {}

    def _update(self, sobject: str, record_id: str, values: dict) -> tuple[int, Any, dict]:
        if record_id not in self.objects.get(sobject, {}):
            return 404, [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}], {}
        for name in values:
            self._known(sobject, name)
        self.touch(sobject, record_id, **values)
        return 204, None, {}


def _attributes(sobject: str, record_id: str) -> dict:
    return {"type": sobject, "url": f"/services/data/v{VERSION}/sobjects/{sobject}/{record_id}"}


def _literal(text: str) -> Any:
    if text.startswith("(") and text.endswith(")"):
        return {_literal(part.strip()) for part in text[1:-1].split(",") if part.strip()}
    if text.startswith("'") and text.endswith("'"):
        return text[1:-1].replace("\\'", "'")
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    if text.lower() == "null":
        return None
    if _DATETIME.match(text):
        return _instant(text)
    try:
        return float(text)
    except ValueError:
        raise SoqlError("MALFORMED_QUERY", f"unexpected token: '{text[:40]}'") from None


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00").replace("+0000", "+00:00"))


def _comparable(value: Any) -> Any:
    return _instant(value) if isinstance(value, str) and _DATETIME.match(value) else value


def _sortable(value: Any) -> tuple:
    return (value is None, str(value) if value is not None else "")


def _batch(headers: dict[str, str]) -> int:
    match = re.search(r"batchSize=(\d+)", headers.get("sforce-query-options") or "")
    return min(max(int(match[1]), 200), 2000) if match else 2000


_FAULT_MESSAGES = {"REQUEST_LIMIT_EXCEEDED": "TotalRequests Limit exceeded.",
                   "SERVER_UNAVAILABLE": "Server temporarily unavailable.",
                   "INVALID_SESSION_ID": "Session expired or invalid"}

LOGIN_SUCCESS = """<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="urn:partner.soap.sforce.com" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
   <soapenv:Body>
      <loginResponse>
         <result>
            <metadataServerUrl>{metadata_url}</metadataServerUrl>
            <passwordExpired>false</passwordExpired>
            <sandbox>false</sandbox>
            <serverUrl>{server_url}</serverUrl>
            <sessionId>{session}</sessionId>
            <userId>005i0000002MUqLAAW</userId>
            <userInfo>
               <organizationId>00Di0000000icUBEAY</organizationId>
               <sessionSecondsValid>7200</sessionSecondsValid>
               <userName>{user}</userName>
            </userInfo>
         </result>
      </loginResponse>
   </soapenv:Body>
</soapenv:Envelope>
"""

LOGIN_FAULT = ('<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/'
               'envelope/" xmlns:sf="urn:fault.partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-'
               'instance"><soapenv:Body><soapenv:Fault><faultcode>INVALID_LOGIN</faultcode><faultstring>INVALID_LOGIN:'
               ' Invalid username, password, security token; or user locked out.</faultstring><detail><sf:LoginFault '
               'xsi:type="sf:LoginFault"><sf:exceptionCode>INVALID_LOGIN</sf:exceptionCode><sf:exceptionMessage>'
               'Invalid username, password, security token; or user locked out.</sf:exceptionMessage></sf:LoginFault>'
               '</detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>')


class _Handler(KeepAliveHandler):
    def answer_with(self, method: str) -> None:
        url = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {key.lower(): value for key, value in self.headers.items()}
        status, payload, extra = self.server.standin.answer(  # type: ignore[attr-defined]
            method, url.path, dict(parse_qsl(url.query)), body, headers)
        if isinstance(payload, str):  # the SOAP login's XML
            self.reply(status, payload.encode(), extra)
        elif payload is None:  # 204
            self.reply(status, b"", extra)
        else:
            self.reply(status, json.dumps(payload).encode(), {"Content-Type": "application/json;charset=UTF-8", **extra})


SalesforceStandIn.handler, SalesforceStandIn.thread_name = _Handler, "salesforce-standin"
