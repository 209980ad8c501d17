"""The Bolt app factory: one App with every listener, talking to SLACK_API_URL with retries."""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.error import BoltError
from slack_bolt.oauth.callback_options import CallbackOptions, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from app.core.errors import ConfigError
from app.core.settings import Settings
from app.edge.request_workspace import use_request_workspace
from app.platform.deadline import RECEIVED_AT
from app.platform.installations import BOT_SCOPES, installation_store, state_store
from app.platform.observability import record_request
from app.platform.runtime import Runtime
from app.platform.slack_client import ObservedWebClient, retry_handlers, web_client
from app.services.events import first_delivery
from app.services.workspaces import ensure_workspace
from handlers import register_all


class ObservedApp(App):
    """A Bolt App that logs and measures every request it acknowledges (HTTP and Socket Mode alike)."""

    def _init_context(self, req: BoltRequest) -> None:
        """Bolt gives each request a fresh WebClient copied from app.client; make that copy observed too."""
        super()._init_context(req)
        plain: WebClient = req.context.client
        req.context["client"] = ObservedWebClient(
            token=plain.token, base_url=plain.base_url, timeout=plain.timeout, ssl=plain.ssl, proxy=plain.proxy,
            headers=plain.headers, team_id=req.context.team_id, logger=plain.logger,
            retry_handlers=plain.retry_handlers,
        )

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        started = time.perf_counter()
        req.context[RECEIVED_AT] = started  # submissions' time budget counts from here (app/platform/deadline.py)
        response = super().dispatch(req)
        record_request(req.body, response.status, time.perf_counter() - started, req.context.team_id)
        return response


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
    register_all(app, runtime)
    return app


def _once_per_event(runtime: Runtime):
    """Global middleware (after signature checks): a retried or duplicated event is acked and dropped."""

    def middleware(body, next):  # noqa: A002 (Bolt injects arguments by these names)
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if isinstance(event_id, str) and event_id:
            with runtime.db.session() as session:
                if not first_delivery(session, event_id, body.get("team_id"), runtime.now()):
                    return BoltResponse(status=200, body="")
        return next()

    return middleware


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
