"""Where listener failures end: logged for us, one sentence for the user, never a 500 after an ack.

A refusal of ours (app.core.errors.StakemapError: NotFound, Forbidden, InvalidInput...) raised by a
listener, or by its work after the ack, is the answer: its sentence goes to the person acting, ephemeral
where Slack gave a response_url, else (the App Home, a modal) in a modal. Listeners let it rise here.

Every listener is wrapped in `guarded`: an exception escaping a listener after its ack would let Bolt
turn the already-sent acknowledgement into a 500 (its thread runner mutates the shared response).
The global handler catches what fails before a listener runs.
"""

from __future__ import annotations

import functools
import inspect
import logging

from slack_bolt import App

from app.core.errors import StakemapError
from app.platform.runtime import Runtime
from blocks.notices import SORRY, plain_notice
from handlers.common.payloads import first_input
from handlers.common.replies import answer

log = logging.getLogger("stakemap.listeners")


def report_failure(error: Exception, body, respond, client=None) -> None:
    """Log the failure (never the payload: it holds people's names and notes) and tell the user."""
    kind = _kind(body)
    try:
        if isinstance(error, StakemapError):
            log.info("listener refused a %s request: %s", kind, error)
            if isinstance(body, dict):
                answer(client, body, respond, plain_notice(str(error)))
            return
        log.error("listener failed on a %s request", kind, exc_info=error)
        if respond is not None and getattr(respond, "response_url", None):
            respond(response_type="ephemeral", replace_original=False, text=SORRY)
    except Exception:  # the reply is a courtesy; the failure is already logged
        log.warning("could not tell the user about the failure", exc_info=True)


def guarded(listener):
    """Run a listener (which must take `ack`, `body` and `respond`) so that no exception reaches Bolt."""
    missing = {"ack", "body", "respond"} - set(inspect.signature(listener).parameters)
    if missing:
        raise TypeError(f"{listener.__name__} must take {', '.join(sorted(missing))} to be guarded")

    @functools.wraps(listener)
    def run(**kwargs):
        try:
            return listener(**kwargs)
        except Exception as error:
            acked = kwargs["ack"].response is not None  # a modal's submission not yet acked answers in the modal
            report_failure(error, kwargs["body"], kwargs["respond"], kwargs.get("client") if acked else None)
            if not acked:
                _ack_failure(kwargs["ack"], kwargs["body"])

    run.guarded = True  # what tests/handlers/test_every_listener_guarded.py looks for
    return run


def is_guarded(listener) -> bool:
    """Whether a listener function was wrapped by `guarded`."""
    return getattr(listener, "guarded", False) is True


def _ack_failure(ack, body) -> None:
    """Acknowledge a request whose listener failed first. A modal stays open, saying so on its first input
    (closing it would look like success); anything else is acknowledged plainly."""
    view = body.get("view") if isinstance(body, dict) and body.get("type") == "view_submission" else None
    first = first_input(view)
    if first is not None:
        ack(response_action="errors", errors={first: SORRY})
    else:
        ack()


def _kind(body) -> str:
    if not isinstance(body, dict):
        return "malformed"
    return str(body.get("type") or ("command" if "command" in body else "unknown"))[:40]


def register(app: App, runtime: Runtime) -> None:
    @app.error
    def on_error(error, body, respond):
        report_failure(error, body, respond)
