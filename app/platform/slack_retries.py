"""Which Slack Web API calls may be tried again, by the HTTP client or by us, and which must not.

A call whose request reached Slack but whose answer was lost (a 5xx, a connection dropped or timed out
while waiting for the answer) may have been carried out: posting it again could post it twice. The
client retries such a call only for methods where doing it twice changes nothing (reads, and writes
that set a state, like views.publish); anything else is left to the caller, who knows how to check
(the weekly sweep looks for the digest in the DM before posting again). A 429 (nothing was done) and
a connection that failed before the request was sent (refused, DNS) are retried for every method.
"""

from __future__ import annotations

from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit

from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

# Reads: the method name's last part starts with one of these (users.info, conversations.history,
# auth.test, users.lookupByEmail, chat.getPermalink, files.getUploadURLExternal...).
_READ_VERBS = ("info", "list", "history", "replies", "members", "test", "get", "lookup")
# Writes that leave the same state when done twice; views.open/push take a trigger_id Slack honours once.
_IDEMPOTENT_WRITES = frozenset({
    "views.publish", "views.update", "views.open", "views.push", "chat.update", "conversations.open",
    "conversations.join",
})


def method_of(url: str) -> str:
    """The Web API method a request URL calls: ".../api/chat.postMessage?x=1" → "chat.postMessage"."""
    return urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]


def safe_to_repeat(method: str) -> bool:
    """Doing this call twice has the same effect as doing it once."""
    return method in _IDEMPOTENT_WRITES or method.rsplit(".", 1)[-1].startswith(_READ_VERBS)


def never_sent(error: Exception) -> bool:
    """The request never reached Slack: urllib wraps in URLError only what fails while connecting or
    sending (connection refused, DNS); an HTTPError is an answer."""
    return isinstance(error, URLError) and not isinstance(error, HTTPError)


def outcome_unknown(error: Exception) -> bool:
    """After this error from a write, Slack may have done it: a 5xx answer, or the connection dropped or
    timed out after the request was sent. False when Slack certainly did nothing (ok: false, 429, 4xx,
    never sent)."""
    if isinstance(error, SlackApiError):
        return error.response.status_code >= 500
    return not never_sent(error)


class UnsentConnectionRetryHandler(ConnectionErrorRetryHandler):
    """Connection errors: before the request was sent, any method; after (reset, closed without an
    answer), only methods that are safe to repeat."""

    def _can_retry(self, *, state: RetryState, request: HttpRequest, response: HttpResponse | None = None,
                   error: Exception | None = None) -> bool:
        if error is None or response is not None:
            return False
        if never_sent(error):
            return True
        # RemoteDisconnected (closed without an answer) is a ConnectionResetError
        return isinstance(error, ConnectionResetError) and safe_to_repeat(method_of(request.url))


class IdempotentServerErrorRetryHandler(ServerErrorRetryHandler):
    """500 and 503, only for methods that are safe to repeat: a 5xx after a post says nothing of the post."""

    def _can_retry(self, *, state: RetryState, request: HttpRequest, response: HttpResponse | None = None,
                   error: Exception | None = None) -> bool:
        return (super()._can_retry(state=state, request=request, response=response, error=error)
                and safe_to_repeat(method_of(request.url)))


def retry_handlers() -> list:
    """429 (waits Retry-After) for every method; connection failures before sending for every method;
    5xx and connections lost after sending only for reads and idempotent writes."""
    return [
        UnsentConnectionRetryHandler(max_retry_count=2),
        RateLimitErrorRetryHandler(max_retry_count=3),
        IdempotentServerErrorRetryHandler(max_retry_count=3),
    ]
