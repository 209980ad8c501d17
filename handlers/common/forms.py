"""Submitting a modal: validate and save, or send the problems back to the fields; nothing half-written.

The save must commit within the submission's time budget (app/platform/deadline.py), counted from the request's
arrival: past it, or when the database cannot take the write in time, nothing is saved and the user is
told so in the modal, instead of Slack showing an error over a save that went through anyway.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from pydantic import ValidationError

from app.core.errors import InvalidInput, NotFound
from app.platform.deadline import RECEIVED_AT, TooLate, deadline, submission_deadline
from blocks.notices import not_saved_in_time
from handlers.common.payloads import input_errors

Saved = TypeVar("Saved")
log = logging.getLogger(__name__)


def save_or_explain(ack, context, first_field: str, save: Callable[[], Saved]) -> Saved | None:
    """Run `save` (validate, then write in one transaction) within the submission's deadline. On success
    close the modal and return its result; on bad input, or when it could not be saved in time, answer
    `response_action: errors` keyed by block_id and return None.

    `first_field` receives errors that belong to no single field (and "that no longer exists").
    """
    try:
        with deadline(submission_deadline(context.get(RECEIVED_AT))):
            saved = save()
    except (ValidationError, InvalidInput, NotFound) as error:
        ack(response_action="errors", errors=input_errors(error, first_field))
        return None
    except TooLate as error:
        return _not_saved(ack, first_field, error)
    ack()
    return saved


def _not_saved(ack, first_field: str, error: Exception) -> None:
    log.warning("a submission was not saved in time (%s); the user was told to submit again", type(error).__name__)
    ack(response_action="errors", errors={first_field: not_saved_in_time()})
