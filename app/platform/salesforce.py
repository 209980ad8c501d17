"""Salesforce's REST API over plain HTTPS (app.platform.crm_http: one kept-alive connection), for the pull.

Why not `simple-salesforce`: it builds every URL as `https://{instance}/services/data/…` and logs in at
`https://{domain}.salesforce.com`, so it cannot be pointed at a plain `http://127.0.0.1:PORT` stand-in; it
also brings `requests`, `zeep` and its own retry-less error classes for the few calls the sync needs (SOQL
query / queryAll with nextRecordsUrl paging, sObject create and update, limits). Plain requests keep the retry
rules here, in one place, and take any instance URL (`SALESFORCE_INSTANCE_URL`).

Credentials: an access token (SALESFORCE_ACCESS_TOKEN, with SALESFORCE_INSTANCE_URL), or a username, password
and security token, logged in with the SOAP API's `login` call at SALESFORCE_LOGIN_URL — the same call
simple-salesforce makes — which answers the session id and the instance's server URL.

Faults: REQUEST_LIMIT_EXCEEDED (403), 5xx, timeouts and dropped connections back off and retry; an expired
session (401 INVALID_SESSION_ID) logs in again when a username and password are set, else ends in one
sentence naming what to set.
"""

from __future__ import annotations

import json
import re
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Iterator
from urllib.parse import quote, urlsplit
from xml.sax.saxutils import escape

from app.core.crm import ObjectMissing
from app.core.errors import ConfigError, StakemapError
from app.platform.crm_http import Answer, AnswerLost, CrmConnection

API_VERSION = "62.0"
LOGIN_URL = "https://login.salesforce.com"
CREDENTIALS = ("Set SALESFORCE_INSTANCE_URL and SALESFORCE_ACCESS_TOKEN, or SALESFORCE_USERNAME, SALESFORCE_PASSWORD "
               "and SALESFORCE_SECURITY_TOKEN (README: 'Salesforce').")
TOKEN_REFUSED = ("Salesforce refused the access token (INVALID_SESSION_ID): set SALESFORCE_ACCESS_TOKEN to a "
                 "current session, or SALESFORCE_USERNAME, SALESFORCE_PASSWORD and SALESFORCE_SECURITY_TOKEN so "
                 "stakemap logs in again by itself.")
LOGIN_REFUSED = ("Salesforce refused the login ({code}): check SALESFORCE_USERNAME, SALESFORCE_PASSWORD and "
                 "SALESFORCE_SECURITY_TOKEN (a new token comes from Settings → Reset My Security Token).")
RETRIED_CODES = {"REQUEST_LIMIT_EXCEEDED", "SERVER_UNAVAILABLE", "UNABLE_TO_LOCK_ROW"}


class SalesforceClient:
    def __init__(self, instance_url: str | None, access_token: str | None = None, *, username: str | None = None,
                 password: str | None = None, security_token: str | None = None, login_url: str = LOGIN_URL,
                 version: str = API_VERSION, timeout: float = 30.0, attempts: int = 6, backoff: float = 1.0,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._can_login = bool(username and password)
        if not (self._can_login or (access_token and instance_url)):
            raise ConfigError(CREDENTIALS)
        self._username, self._password, self._security_token = username, password, security_token or ""
        self._login_url, self.version = login_url.rstrip("/"), version.removeprefix("v")
        self._options = {"timeout": timeout, "attempts": attempts, "backoff": backoff, "sleep": sleep}
        self._instance_url = instance_url.rstrip("/") if instance_url else None
        self._token = access_token
        self._http = CrmConnection(self._instance_url, **self._options) if self._instance_url else None
        self._login_requests = 0

    @property
    def requests(self) -> int:
        """Every HTTP request sent, logins and retries included."""
        return self._login_requests + (self._http.requests if self._http else 0)

    # --- the calls the sync makes -------------------------------------------------------------------

    def query(self, soql: str, *, include_deleted: bool = False, batch: int | None = None) -> Iterator[list[dict]]:
        """Pages of records (`queryAll` with deleted ones too), following nextRecordsUrl; `batch`: records per
        page asked for (200 to 2,000, Sforce-Query-Options), Salesforce's default 2,000."""
        extra = {"Sforce-Query-Options": f"batchSize={batch}"} if batch else {}
        path = f"{self.data_path}/{'queryAll' if include_deleted else 'query'}?q={quote(soql, safe='')}"
        while path:
            page = self.call("GET", path, extra=extra)
            if page.get("records"):
                yield page["records"]
            path = page.get("nextRecordsUrl") if not page.get("done", True) else None

    def create(self, sobject: str, fields: dict) -> str:
        """A new record's id (POST /sobjects/{sobject}); never sent twice blind: a lost answer is AnswerLost."""
        return str(self.call("POST", f"{self.data_path}/sobjects/{sobject}", body=fields, idempotent=False)["id"])

    def update(self, sobject: str, record_id: str, fields: dict) -> None:
        """PATCH /sobjects/{sobject}/{id} (the same values twice change nothing: retried like a read)."""
        self.call("PATCH", f"{self.data_path}/sobjects/{sobject}/{record_id}", body=fields)

    def picklist(self, sobject: str, field_name: str) -> list[str]:
        """The active values of a picklist field, in the org's order (GET /sobjects/{sobject}/describe)."""
        described = self.call("GET", f"{self.data_path}/sobjects/{sobject}/describe")
        found = next((f for f in described.get("fields", []) if f.get("name") == field_name), {})
        return [str(v["value"]) for v in found.get("picklistValues", []) if v.get("active", True) and v.get("value")]

    def limits(self) -> dict:
        return self.call("GET", f"{self.data_path}/limits")

    @property
    def data_path(self) -> str:
        return f"/services/data/v{self.version}"

    # --- one request, with its retries --------------------------------------------------------------

    def call(self, method: str, path: str, *, body: dict | None = None, extra: dict[str, str] | None = None,
             idempotent: bool = True) -> dict:
        """One request with its retries; `idempotent` False (a create): a lost answer or a 5xx is AnswerLost."""
        if self._token is None:
            self.login()
        relogged = False

        def judge(answer: Answer, wait: float) -> float | None:
            nonlocal relogged
            if answer.ok:
                return None
            code = _error_code(answer.payload)
            if answer.status == 401:
                if not self._can_login or relogged:
                    raise ConfigError(TOKEN_REFUSED)
                relogged = True
                self.login()
                return 0.0
            if answer.status >= 500 and not idempotent:
                raise AnswerLost(f"Salesforce answered {answer.status} to {method} {path}; it may hold it.")
            if answer.status >= 500 or code in RETRIED_CODES:
                return wait
            if code == "INVALID_TYPE" and "sObject type" in _message(answer.payload):
                raise ObjectMissing(_message(answer.payload))
            if code == "INVALID_FIELD":
                raise ConfigError(_field_refused(_message(answer.payload)))
            if answer.status == 403:
                raise ConfigError(f"Salesforce refused {method} {path.split('?')[0]} ({code or 403}): give the "
                                  "integration user API Enabled and the permissions the README lists ('Salesforce').")
            raise StakemapError(f"Salesforce answered {answer.status} to {method} {path.split('?')[0]}: "
                                f"{code} {_message(answer.payload)}".rstrip())

        connection = self._connection()
        data = json.dumps(body).encode() if body is not None else None
        url = path if path.startswith(connection.prefix + "/") else connection.prefix + path  # nextRecordsUrl: whole
        answer = connection.exchange(method, url, data, lambda: {**self._headers(), **(extra or {})}, judge,
                                     lambda failure: (f"Salesforce {failure} after {connection.attempts} attempts "
                                                      f"({method} {path.split('?')[0]}); the next sync resumes "
                                                      "where this one stopped."), idempotent=idempotent)
        return json.loads(answer.payload) if answer.payload else {}

    def login(self) -> None:
        """The SOAP API's login call: a session id and, unless SALESFORCE_INSTANCE_URL says otherwise, the
        instance to call (the scheme and host of the server URL it answers)."""
        if not self._can_login:
            raise ConfigError(TOKEN_REFUSED if self._token else CREDENTIALS)
        login = CrmConnection(self._login_url, **self._options)
        envelope = _login_envelope(self._username or "", (self._password or "") + self._security_token)

        def judge(answer: Answer, wait: float) -> float | None:
            if answer.ok:
                return None
            code = _fault_code(answer.payload)  # a SOAP fault comes with status 500
            if answer.status >= 500 and code in (None, "SERVER_UNAVAILABLE", "REQUEST_LIMIT_EXCEEDED"):
                return wait
            if code:
                raise ConfigError(LOGIN_REFUSED.format(code=code))
            raise StakemapError(f"Salesforce's login answered {answer.status}: check SALESFORCE_LOGIN_URL.")

        try:
            answer = login.exchange("POST", f"{login.prefix}/services/Soap/u/{self.version}", envelope.encode(),
                                    lambda: {"Content-Type": "text/xml; charset=UTF-8", "SOAPAction": "login"},
                                    judge, lambda failure: f"Salesforce's login {failure} after {login.attempts} "
                                                           "attempts; the next sync tries again.")
        finally:
            self._login_requests += login.requests
            login.close()
        session_id, server_url = _login_result(answer.payload)
        self._token = session_id
        if self._instance_url is None:
            server = urlsplit(server_url)
            self._instance_url = f"{server.scheme}://{server.netloc}"
        if self._http is None:
            self._http = CrmConnection(self._instance_url, **self._options)

    def _connection(self) -> CrmConnection:
        assert self._http is not None, "logged in before any call"
        return self._http

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token}", "Content-Type": "application/json",
                "Accept": "application/json"}

    def close(self) -> None:
        if self._http is not None:
            self._http.close()


def _login_envelope(username: str, password: str) -> str:
    return ('<?xml version="1.0" encoding="utf-8" ?>'
            '<env:Envelope xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            'xmlns:env="http://schemas.xmlsoap.org/soap/envelope/" xmlns:urn="urn:partner.soap.sforce.com">'
            '<env:Header><urn:CallOptions><urn:client>stakemap</urn:client></urn:CallOptions></env:Header>'
            f'<env:Body><n1:login xmlns:n1="urn:partner.soap.sforce.com"><n1:username>{escape(username)}'
            f'</n1:username><n1:password>{escape(password)}</n1:password></n1:login></env:Body></env:Envelope>')


def _xml_text(payload: bytes, name: str) -> str | None:
    """The text of the first element of this local name (namespaces ignored), None when absent or not XML."""
    try:
        root = ElementTree.fromstring(payload)
    except ElementTree.ParseError:
        return None
    for element in root.iter():
        if element.tag.rsplit("}", 1)[-1] == name:
            return (element.text or "").strip()
    return None


def _login_result(payload: bytes) -> tuple[str, str]:
    session_id, server_url = _xml_text(payload, "sessionId"), _xml_text(payload, "serverUrl")
    if not session_id or not server_url:
        raise StakemapError("Salesforce's login answer had no session id: check SALESFORCE_LOGIN_URL.")
    return session_id, server_url


def _fault_code(payload: bytes) -> str | None:
    code = _xml_text(payload, "exceptionCode") or _xml_text(payload, "faultcode")
    return code.rsplit(":", 1)[-1] if code else None


def _field_refused(message: str) -> str:
    missing = re.search(r"No such column '([^']+)' on (?:entity|sobject of type) '?(\w+)", message)
    what = f"no field {missing[1]} on {missing[2]}" if missing else "a field it does not know"
    return (f"Salesforce has {what}: check SALESFORCE_ARR_FIELD, SALESFORCE_CURRENCY_FIELD and "
            "SALESFORCE_RENEWAL_FIELD, and that the integration user may read the field (README: 'Salesforce').")


def _errors(payload: bytes) -> list[dict]:
    """Salesforce's error body: a list of {"message", "errorCode", "fields"?}."""
    try:
        found = json.loads(payload)
    except ValueError:
        return []
    return [e for e in found if isinstance(e, dict)] if isinstance(found, list) else []


def _error_code(payload: bytes) -> str:
    return next((str(e.get("errorCode") or "") for e in _errors(payload)), "")


def _message(payload: bytes) -> str:
    """The first error's message on one line."""
    found = next((str(e.get("message") or "") for e in _errors(payload)), payload[:400].decode("utf-8", "replace"))
    return " ".join(found.split())[:300]
