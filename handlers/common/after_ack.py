"""Work after the ack: what is slow (assess, render, post, several API calls) runs on the runtime's
bounded pool once Slack has its acknowledgement; a failure there ends where a listener's does
(handlers.common.errors.report_failure). After a change, the follow-up is handlers.common.changes'."""

from __future__ import annotations

from functools import partial

from app.platform.runtime import Runtime
from handlers.common.changes import Confirmation, MapPlace, follow_up
from handlers.common.errors import report_failure
from handlers.common.payloads import ModalContext


def after_ack(runtime: Runtime, work, *args, body, respond, client=None) -> None:
    """Run slow work (assess, render, post) on the runtime's bounded pool, failures reported like a listener's
    (with `client`, a refusal reaches a person without a response_url too)."""

    def run() -> None:
        try:
            work(*args)
        except Exception as error:
            report_failure(error, body, respond, client)

    runtime.after_ack.submit(run)


def after_modal(runtime: Runtime, client, context, modal: ModalContext, account_id: int | None,
                confirm: Confirmation, *, body, respond) -> None:
    """After a modal's change is saved and the modal closed: tell `confirm()` (a blocks/ function with the saved
    change bound, rendered after the ack), redraw the map it was opened from, refresh the Home."""
    after_ack(runtime, follow_up, runtime, client, context.team_id, context.user_id, account_id,
              partial(MapPlace.of_modal, modal), modal.response_url, confirm, body=body, respond=respond)


def after_action(runtime: Runtime, client, context, body: dict, respond, account_id: int | None) -> None:
    """After a button's change is saved: the map it was clicked on shows it."""
    after_ack(runtime, follow_up, runtime, client, context.team_id, context.user_id, account_id,
              partial(MapPlace.of_action, body), None, None, body=body, respond=respond)
