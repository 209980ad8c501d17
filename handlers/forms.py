"""Submitting a modal: validate and save, or send the problems back to the fields; nothing half-written."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from app.core.errors import InvalidInput, NotFound
from app.core.validation import field_errors
from handlers.payloads import filled

Saved = TypeVar("Saved")
Form = TypeVar("Form", bound=BaseModel)


def validated(model: type[Form], values: dict[str, Any], today: date) -> Form:
    """The model's fields that the modal filled, validated against today's date (a touch not ahead of it,
    a renewal or due date not before it: the models' own rules). An empty input is *missing*."""
    return model.model_validate(filled(values, model.model_fields), context={"today": today})


def save_or_explain(ack, first_field: str, save: Callable[[], Saved]) -> Saved | None:
    """Run `save` (validate, then write in one transaction). On success close the modal and return its
    result; on bad input answer `response_action: errors` keyed by block_id and return None.

    `first_field` receives errors that belong to no single field (and "that no longer exists").
    """
    try:
        saved = save()
    except ValidationError as error:
        ack(response_action="errors", errors=field_errors(error, first_field))
        return None
    except InvalidInput as error:
        ack(response_action="errors", errors=error.errors)
        return None
    except NotFound as error:
        ack(response_action="errors", errors={first_field: str(error)})
        return None
    ack()
    return saved
