"""One kept-alive HTTP(S) connection to a CRM's REST API and the retry loop both CRM clients share
(app.platform.hubspot, app.platform.salesforce): plain stdlib http.client, any base URL (a local stand-in
in tests), every request counted.

Each client says what an answer means with a `judge`: None accepts it, a number of seconds retries after
that wait, and an exception ends the call at once. Refused, reset and timed-out connections are retried
with the doubling backoff too.
"""

from __future__ import annotations

import http.client
import json
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from app.core.errors import StakemapError


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]  # names in lower case
    payload: bytes

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def json(self):
        return json.loads(self.payload or b"{}")


Judge = Callable[[Answer, float], float | None]  # (the answer, the backoff due) → None: accept; seconds: retry


class CrmUnavailable(StakemapError):
    """The CRM kept failing after every retry; the next sync resumes from the cursor."""


class AnswerLost(StakemapError):
    """A write's answer never came (or was a 5xx): the CRM may hold the record; look for it before resending."""


class CrmConnection:
    def __init__(self, base_url: str, *, timeout: float = 30.0, attempts: int = 6, backoff: float = 1.0,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        parts = urlsplit(base_url)
        self.https = parts.scheme == "https"
        self.host, self.port, self.prefix = parts.hostname or "", parts.port, parts.path.rstrip("/")
        self.timeout, self.attempts, self.backoff, self.sleep = timeout, attempts, backoff, sleep
        self.requests = 0  # every HTTP request sent, retries included
        self._connection: http.client.HTTPConnection | None = None

    def exchange(self, method: str, url: str, data: bytes | None, headers: Callable[[], dict[str, str]],
                 judge: Judge, gave_up: Callable[[str], str], *, idempotent: bool = True) -> Answer:
        """Send until `judge` accepts the answer; `headers` is asked before each attempt (a new login changes
        them); `gave_up(failure)` is the sentence when every attempt failed. Not `idempotent` (a create): a
        connection lost after sending is AnswerLost, never sent again blind (the judge says the same of 5xx)."""
        for attempt in range(1, self.attempts + 1):
            wait: float | None = self.backoff * 2 ** (attempt - 1)
            try:
                answer = self._send(method, url, data, headers())
            except (OSError, http.client.HTTPException) as error:  # refused, reset, timed out
                self.close()
                if not idempotent and not isinstance(error, ConnectionRefusedError):  # it may have been stored
                    raise AnswerLost(f"The answer to {method} {url.split('?')[0]} was lost ({error!r}).") from None
                failure = "did not answer"
            else:
                wait = judge(answer, wait)
                if wait is None:
                    return answer
                failure = f"answered {answer.status}"
            if attempt < self.attempts and wait:
                self.sleep(wait)
        raise CrmUnavailable(gave_up(failure))

    def _send(self, method: str, url: str, data: bytes | None, headers: dict[str, str]) -> Answer:
        self.requests += 1
        connection = self._connection or self._connect()
        connection.request(method, url, body=data, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        if response.getheader("connection", "").lower() == "close":
            self.close()
        return Answer(response.status, {key.lower(): value for key, value in response.getheaders()}, payload)

    def _connect(self) -> http.client.HTTPConnection:
        if self.https:
            self._connection = http.client.HTTPSConnection(self.host, self.port, timeout=self.timeout,
                                                           context=ssl.create_default_context())
        else:
            self._connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        return self._connection

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def seconds(value: str | None, default: float) -> float:
    """A Retry-After header's seconds (the default when absent or not a number)."""
    try:
        return max(float(value), 0.0) if value is not None else default
    except ValueError:
        return default
