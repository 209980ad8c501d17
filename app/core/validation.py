"""Turn validation failures into one short sentence per field, keyed by the field's name."""

from __future__ import annotations

from pydantic import ValidationError

_FRIENDLY = {
    "missing": "This is required.",
    "string_too_short": "This is required.",
    "string_type": "This is required.",  # a required text left empty (stripped to None)
    "date_from_datetime_parsing": "Pick a date.",
    "date_parsing": "Pick a date.",
    "time_type": "Pick a time.",
    "time_parsing": "Pick a time.",
    "int_parsing": "Pick one from the list.",
    "enum": "Pick one from the list.",
}


def field_errors(error: ValidationError, fallback_field: str) -> dict[str, str]:
    """{field: message} for each failing field; model-level errors land on `fallback_field`."""
    errors: dict[str, str] = {}
    for problem in error.errors():
        field = str(problem["loc"][0]) if problem["loc"] else fallback_field
        errors.setdefault(field, _message(problem))
    return errors


def _message(problem: dict) -> str:
    if problem["type"] == "value_error":
        return str(problem["msg"]).removeprefix("Value error, ")
    return _FRIENDLY.get(problem["type"], str(problem["msg"]).rstrip(".") + ".")
