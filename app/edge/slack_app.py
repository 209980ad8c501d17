"""The Bolt app factory: one App with every listener, talking to SLACK_API_URL with retries."""

from __future__ import annotations

import functools
import json
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.error import BoltError
from slack_bolt.oauth.callback_options import CallbackOptions, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import SQLAlchemyError

from app.core.errors import ConfigError
from app.core.settings import Settings
from app.edge.inbound import QuietRequestVerification, signature_checker
from app.edge.request_workspace import use_request_workspace
from app.jobs.crm_push import register_push_kick
from app.platform.deadline import RECEIVED_AT, TooLate, deadline, submission_deadline
from app.platform.deliveries import first_delivery, first_request, forget_request, request_key
from app.platform.installations import BOT_SCOPES, installation_store, state_store
from app.platform.observability import record_request
from app.platform.runtime import Runtime
from app.platform.slack_client import ObservedWebClient, retry_handlers, web_client
from app.services.workspaces import ensure_workspace
from handlers import register_all

log = logging.getLogger(__name__)
FORGET_RECEIPT = "forget_request_receipt"  # context key: set by _once_per_request, used by ObservedApp.dispatch


class ObservedApp(App):
    """A Bolt App that checks signatures quietly, answers only to Slack's response_urls, and logs and measures
    every request it acknowledges (HTTP and Socket Mode alike)."""

    def __init__(self, *, signing_secret: str, trusts_response_url: Callable[[str], bool], **kwargs):
        self.signature = signature_checker(signing_secret)  # app.edge.inbound.dispatch checks with it first
        self._trusts_response_url = trusts_response_url
        super().__init__(signing_secret=signing_secret, request_verification_enabled=False,
                         before_authorize=QuietRequestVerification(self.signature), **kwargs)

    def _init_context(self, req: BoltRequest) -> None:
        """Bolt gives each request a fresh WebClient copied from app.client; make that copy observed too.
        A response_url outside Slack's hosts is dropped here, so no respond() (ours, Bolt's, the error
        handler's) can post to it: respond() then has nowhere to post."""
        super()._init_context(req)
        plain: WebClient = req.context.client
        req.context["client"] = ObservedWebClient(
            token=plain.token, base_url=plain.base_url, timeout=plain.timeout, ssl=plain.ssl, proxy=plain.proxy,
            headers=plain.headers, team_id=req.context.team_id, logger=plain.logger,
            retry_handlers=plain.retry_handlers,
        )
        url = req.context.get("response_url")
        if url is not None and not (isinstance(url, str) and self._trusts_response_url(url)):
            del req.context["response_url"]
            req.context.pop("respond", None)
            log.info("ignored a response_url outside Slack's hosts")

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        started = time.perf_counter()
        req.context[RECEIVED_AT] = started  # submissions' time budget counts from here (app/platform/deadline.py)
        response = super().dispatch(req)
        forget = req.context.get(FORGET_RECEIPT)
        if forget is not None and not _handled(response):
            forget()
        record_request(req.body, response.status, time.perf_counter() - started, req.context.team_id)
        return response


def _handled(response: BoltResponse) -> bool:
    """Whether the request was acted on: not refused, unmatched or failed, nor a submission sent back with errors."""
    if response.status != 200:
        return False
    body = response.body if isinstance(response.body, str) else ""
    try:
        answer = json.loads(body) if body.startswith("{") else {}
    except ValueError:
        return True
    return not (isinstance(answer, dict) and answer.get("response_action") == "errors")


class _QuietClientTokenWarning(logging.Filter):
    """Bolt warns that SLACK_BOT_TOKEN from the environment is unused when given a client; it is by design."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


logging.getLogger("slack_bolt.App").addFilter(_QuietClientTokenWarning())


def build_app(runtime: Runtime, *, verify_token: bool = True) -> App:
    """The Bolt app with every listener registered: single-workspace with SLACK_BOT_TOKEN, or installable
    into many workspaces when SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are set (tokens then come from the
    installation store, per request). Raises ConfigError when Slack refuses the token."""
    settings = runtime.settings
    common = dict(
        signing_secret=settings.slack_signing_secret or "",
        trusts_response_url=settings.trusted_response_url,
        process_before_response=False,
        # Listeners ack at once and hand slow work to runtime.after_ack: one thread per request
        # thread means an ack never waits for a free listener thread.
        listener_executor=ThreadPoolExecutor(settings.http_threads, thread_name_prefix="listener"),
    )
    if settings.oauth_enabled:
        app = ObservedApp(client=ObservedWebClient(base_url=settings.slack_api_url, retry_handlers=retry_handlers()),
                          oauth_settings=_oauth_settings(runtime), **common)
        app.enable_token_revocation_listeners()  # app_uninstalled / tokens_revoked delete the tokens
    else:
        settings.require("slack_bot_token")
        app = _single_workspace_app(settings, verify_token, common)
    app.use(use_request_workspace)  # org-wide installs: the workspace from the payload
    app.use(_once_per_event(runtime))
    app.use(_once_per_request(runtime))
    register_all(app, runtime)
    register_push_kick(runtime)
    return app


# Events whose listener records the receipt itself, in the transaction of its own writes after the ack
# (capture: a busy shared channel's messages must not each write to the database before their ack).
RECEIPT_AFTER_THE_ACK = frozenset({"message"})


def _once_per_event(runtime: Runtime):
    """Global middleware (after signature checks): a retried or duplicated event is acked and dropped."""

    def middleware(req, body, next):  # noqa: A002 (Bolt injects arguments by these names)
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if not (isinstance(event_id, str) and event_id):
            return next()
        event = body.get("event")
        if isinstance(event, dict) and event.get("type") in RECEIPT_AFTER_THE_ACK:
            return next()
        try:
            with before_the_ack(req), runtime.db.session() as session:
                fresh = first_delivery(session, event_id, body.get("team_id"), runtime.now())
        except (SQLAlchemyError, TooLate):  # a busy database must not hold the ack: handle it
            log.warning("could not record an event receipt in time", exc_info=True)
            return next()
        return next() if fresh else BoltResponse(status=200, body="")

    return middleware


def before_the_ack(req: BoltRequest):
    """Database work a request does before its ack commits within the submission budget, or raises."""
    return deadline(submission_deadline(req.context.get(RECEIVED_AT)))


def _once_per_request(runtime: Runtime):
    """Global middleware (after signature checks): a replayed request, or a view submitted again unchanged,
    is acked and dropped. The receipt is forgotten when the request was not handled (see ObservedApp)."""

    def middleware(req, body, next):  # noqa: A002 (Bolt injects arguments by these names)
        key = request_key(body, req.headers, req.mode)
        if key is None:
            return next()
        try:
            with before_the_ack(req), runtime.db.session() as session:
                fresh = first_request(session, key, req.context.team_id, runtime.now())
        except (SQLAlchemyError, TooLate):  # the listener meets the same failure and tells the user
            log.warning("could not record a request receipt", exc_info=True)
            return next()
        if not fresh:
            log.info("dropped a replayed %s request", str(body.get("type") or "command")[:40])
            return BoltResponse(status=200, body="")
        req.context[FORGET_RECEIPT] = functools.partial(_forget_request, runtime, key)
        return next()

    return middleware


def _forget_request(runtime: Runtime, key: str) -> None:
    try:
        with runtime.db.session() as session:
            forget_request(session, key)
    except SQLAlchemyError:
        log.warning("could not forget a request receipt", exc_info=True)


def _single_workspace_app(settings: Settings, verify_token: bool, common: dict) -> App:
    try:
        return ObservedApp(client=web_client(settings), token_verification_enabled=verify_token, **common)
    except (BoltError, SlackApiError) as error:
        raise ConfigError(f"Slack did not accept SLACK_BOT_TOKEN ({_reason(error)}): check the token.") from None
    except OSError as error:
        raise ConfigError(f"Cannot reach Slack at {settings.slack_api_url} ({error}): check SLACK_API_URL.") from None


def _oauth_settings(runtime: Runtime) -> OAuthSettings:
    settings = runtime.settings
    engine = runtime.db.engine

    def remember_workspace(args: SuccessArgs) -> BoltResponse:
        installation = args.installation
        with runtime.db.session() as session:
            workspace = ensure_workspace(session, installation.team_id, runtime.now(), installation.enterprise_id)
            workspace.name = installation.team_name or workspace.name
        return args.default.success(args)

    return OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=list(BOT_SCOPES),
        redirect_uri=settings.slack_redirect_uri,
        installation_store=installation_store(settings, engine),
        installation_store_bot_only=True,
        state_store=state_store(engine),
        callback_options=CallbackOptions(success=remember_workspace, failure=lambda args: args.default.failure(args)),
    )


def _reason(error: Exception) -> str:
    response = getattr(error, "response", None)
    if response is not None:
        return str(response.get("error", "refused"))
    return str(error).splitlines()[0][:200]
