"""Work after the ack: what is slow (assess, render, post, several API calls) runs on the runtime's
bounded pool once Slack has its acknowledgement; a failure there ends where a listener's does
(handlers.common.errors.report_failure)."""

from __future__ import annotations

from app.platform.runtime import Runtime
from handlers.common.errors import report_failure


def after_ack(runtime: Runtime, work, *args, body, respond, client=None) -> None:
    """Run slow work (assess, render, post) on the runtime's bounded pool, failures reported like a listener's
    (with `client`, a refusal reaches a person without a response_url too)."""

    def run() -> None:
        try:
            work(*args)
        except Exception as error:
            report_failure(error, body, respond, client)

    runtime.after_ack.submit(run)
