"""The one place unexpected listener failures end: logged for us, one sentence for the user."""

from __future__ import annotations

import logging

from slack_bolt import App

from app.errors import StakemapError
from app.runtime import Runtime

log = logging.getLogger("stakemap.listeners")
SORRY = "Something went wrong on stakemap's side and it has been logged. Please try again in a minute."


def register(app: App, runtime: Runtime) -> None:
    @app.error
    def on_error(error, body, respond):
        # Never log the payload itself: it can hold people's names and notes.
        kind = _kind(body)
        if isinstance(error, StakemapError):
            log.info("listener refused a %s request: %s", kind, error)
            message = str(error)
        else:
            log.error("listener failed on a %s request", kind, exc_info=error)
            message = SORRY
        if respond is not None and getattr(respond, "response_url", None):
            try:
                respond(response_type="ephemeral", replace_original=False, text=message)
            except Exception:  # the reply is a courtesy; the failure is already logged
                log.warning("could not tell the user about the failure", exc_info=True)


def _kind(body) -> str:
    if not isinstance(body, dict):
        return "malformed"
    return str(body.get("type") or ("command" if "command" in body else "unknown"))[:40]
