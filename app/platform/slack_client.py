"""The Slack Web API client every part of stakemap uses: SLACK_API_URL, retries that never repeat a post
whose outcome is unknown (slack_retries.py), and a count of the calls that still fail after them; and the
posts to a response_url Slack gave us (a reply to a command or a click)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from urllib.error import HTTPError
from urllib.request import Request, urlopen

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.webhook import WebhookClient

from app.core.errors import StakemapError
from app.core.settings import Settings
from app.platform.observability import record_api_error
from app.platform.slack_retries import retry_handlers

log = logging.getLogger("handlers.channels")  # where these warnings were always logged

# What a Slack call raises once the client's own retries are spent (app/platform/slack_retries.py).
SLACK_FAILURES = (SlackClientError, OSError)
RESPONSE_URL_TIMEOUT = 10  # seconds, as slack_sdk's WebhookClient
# Slack errors that retrying will not fix for this recipient of a DM: recorded, not retried.
RECIPIENT_GONE = frozenset({"user_not_found", "account_inactive", "user_disabled", "cannot_dm_bot",
                            "user_not_visible"})


def failure_reason(error: Exception) -> str:
    """What a failed Slack call says: Slack's error code (or HTTP status), else the exception, shortly."""
    if isinstance(error, SlackApiError):
        return str(error.response.get("error") or error.response.status_code)
    return f"{type(error).__name__}: {error}"[:200]


class ObservedWebClient(WebClient):
    """A WebClient that counts the calls that still fail after its retries, by method and error."""

    def api_call(self, api_method: str, *args, **kwargs):
        try:
            return super().api_call(api_method, *args, **kwargs)
        except SlackApiError as error:
            record_api_error(api_method, str(error.response.get("error", "unknown")))
            raise
        except OSError as error:
            record_api_error(api_method, type(error).__name__)
            raise


def web_client(settings: Settings, token: str | None = None) -> WebClient:
    return ObservedWebClient(
        token=token or settings.slack_bot_token,
        base_url=settings.slack_api_url,
        retry_handlers=retry_handlers(),
        timeout=10,
    )


def slack_email_lookup(settings: Settings) -> Callable[[str], str] | None:
    """E-mail → Slack user id (users.lookupByEmail) with the bot token, for importing account owners given
    as e-mail addresses; None without a token (those rows are then refused)."""
    if not settings.slack_bot_token:
        return None
    client = web_client(settings)

    def lookup(email: str) -> str:
        try:
            return client.users_lookupByEmail(email=email)["user"]["id"]
        except SlackApiError as error:
            code = error.response.get("error", "error")
            if code == "users_not_found":
                raise LookupError(f"no Slack user has the e-mail {email}.") from None
            raise StakemapError(f"Slack refused to look up {email} ({code}): check SLACK_BOT_TOKEN and its "
                                "users:read.email scope.") from None

    return lookup


def conversation_opener(client: WebClient) -> Callable[[str], str]:
    """The call that opens (or finds) the DM with a user and gives its channel id."""
    return lambda user: client.conversations_open(users=user)["channel"]["id"]


def channel_asker(client: WebClient) -> Callable[[str], dict | None]:
    """How to ask Slack about a channel (conversations.info): its channel object, None when Slack does not say."""
    return lambda channel: _channel_info(client, channel)


def user_asker(client: WebClient) -> Callable[[str], dict | None]:
    """How to ask Slack about a user (users.info): its user object, None when Slack does not say."""
    return lambda user: _user_info(client, user)


def _user_info(client: WebClient, user_id: str) -> dict | None:
    try:
        user = client.users_info(user=user_id).get("user")
    except SlackApiError as error:  # user_not_found, missing_scope...
        log.warning("users.info refused for %s (%s)", user_id, error.response.get("error"))
        return None
    except SLACK_FAILURES as error:
        log.warning("users.info failed for %s (%s)", user_id, error)
        return None
    return user if isinstance(user, dict) else None


class CallBudget:
    """At most `per_minute` calls in any minute on average, bursts up to that many (a token bucket): a
    backfill reading months of history stays well inside Slack's per-method rate limits."""

    def __init__(self, per_minute: int, sleep: Callable[[float], None] = time.sleep):
        self.per_minute = per_minute
        self._tokens = float(per_minute)
        self._at = time.monotonic()
        self._sleep = sleep
        self._lock = threading.Lock()

    def spend(self) -> None:
        with self._lock:
            now = time.monotonic()
            self._tokens = min(self.per_minute, self._tokens + (now - self._at) * self.per_minute / 60)
            self._at = now
            wait = 0.0 if self._tokens >= 1 else (1 - self._tokens) * 60 / self.per_minute
            self._tokens -= 1
        if wait:
            self._sleep(wait)


BACKFILL_CALLS_PER_MINUTE = 40  # conversations.history and .replies are Tier 3 (50+ per minute per workspace)
_budgets: dict[str, CallBudget] = {}
_budgets_lock = threading.Lock()


def backfill_budget(team_id: str) -> CallBudget:
    """The process's call budget for reading a workspace's history (shared by its backfills)."""
    with _budgets_lock:
        return _budgets.setdefault(team_id, CallBudget(BACKFILL_CALLS_PER_MINUTE))


def history_reader(client: WebClient, budget: CallBudget) -> Callable[[str, dict], dict | None]:
    """How to read conversations.history / conversations.replies pages within the budget: the page, or
    None when Slack refused (the client already waited out 429s as Retry-After said, three times)."""

    def read(method: str, params: dict) -> dict | None:
        budget.spend()
        try:
            return client.api_call(method, http_verb="GET", params=params).data
        except SlackApiError as error:
            log.warning("%s refused for %s (%s)", method, params.get("channel"), error.response.get("error"))
        except SLACK_FAILURES as error:
            log.warning("%s failed for %s (%s)", method, params.get("channel"), error)
        return None

    return read


def _channel_info(client: WebClient, channel_id: str) -> dict | None:
    try:
        channel = client.conversations_info(channel=channel_id).get("channel")
    except SlackApiError as error:  # channel_not_found (a private channel without the bot), missing_scope...
        log.warning("conversations.info refused for %s (%s): treating it as shared", channel_id,
                    error.response.get("error"))
        return None
    except SLACK_FAILURES as error:
        log.warning("conversations.info failed for %s (%s): treating it as shared", channel_id, error)
        return None
    return channel if isinstance(channel, dict) else None


def send_to_response_url(settings: Settings, response_url: str | None, **message) -> None:
    """Post to a response_url we trust (Slack's, or the stand-in's); a refusal is logged, not raised."""
    if not response_url or not settings.trusted_response_url(response_url):
        return
    response = WebhookClient(response_url).send(**message)
    if response.status_code != 200:
        log.warning("response_url answered %s: %s", response.status_code, response.body)


def post_ephemeral(settings: Settings, response_url: str | None, text: str, blocks: list) -> None:
    """Show a message only to the person a response_url answers, below what they see (nothing replaced)."""
    send_to_response_url(settings, response_url, text=text, blocks=blocks, response_type="ephemeral",
                         replace_original=False)


def post_encoded(settings: Settings, response_url: str | None, payload: bytes) -> None:
    """Post an already-encoded JSON message to a response_url we trust; a refusal is logged, not raised."""
    if not response_url or not settings.trusted_response_url(response_url):
        return
    request = Request(response_url, data=payload, method="POST",
                      headers={"Content-Type": "application/json;charset=utf-8"})
    try:
        with urlopen(request, timeout=RESPONSE_URL_TIMEOUT) as response:
            response.read()
    except HTTPError as error:
        log.warning("response_url answered %s: %s", error.code, error.read()[:200])
