"""Block Kit objects (slack_sdk's models) as the dicts Slack is sent: what `to_dict()` gives, checked by the
same validators, without its per-object overhead.

slack_sdk's `JsonObject.to_dict` rebuilds each object's attribute set, sorts it and walks every validator
candidate on every call; a 20-contact map (~1,000 objects) took 9 ms that way, and turning blocks into dicts
was a fifth of a loaded server's interpreter time (py-spy --gil: the map and the App Home). Here what is
the same for every object of a class (its attribute names in order, its validators) is worked out once per
class. An object whose class shapes its own dict (slack_sdk overrides `to_dict`) is left to it, except an
Option as a block element (the commonest: every contact's menu), whose shape is copied from
`Option.to_dict(option_type="block")`. tests/blocks/test_serialize.py holds the two equal on every surface.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from slack_sdk.models.basic_objects import EMPTY_ALLOWED_TYPE_AND_PROPERTY_LIST, JsonObject
from slack_sdk.models.blocks import Option, PlainTextObject

_EMPTY_ALLOWED = frozenset((allowed["type"], allowed["property"]) for allowed in EMPTY_ALLOWED_TYPE_AND_PROPERTY_LIST)


class _Shape(NamedTuple):
    validators: tuple[str, ...]  # the class's validator methods (each raises SlackObjectFormationError)
    names: tuple[str, ...]  # its attributes, sorted as to_dict sorts them


_shapes: dict[type, _Shape | None] = {}  # None: the class shapes its own dict


def as_json(value: Any) -> Any:
    """`value.to_dict()` for a Block Kit object (lists of them: a list of dicts); anything else as it is."""
    if isinstance(value, list | tuple):
        return [as_json(item) for item in value]
    if not isinstance(value, JsonObject):
        return _own_dict(value) if callable(getattr(value, "to_dict", None)) else value
    kind = type(value)
    shape = _shapes[kind] if kind in _shapes else _shapes.setdefault(kind, _shape_of(value))
    if shape is None:
        return _option(value) if kind is Option else _own_dict(value)
    for name in shape.validators:
        getattr(value, name)()
    found: dict[str, Any] = {}
    own_type = getattr(value, "type", None)
    for name in shape.names:
        item = getattr(value, name, None)
        if item is None or ((own_type, name) not in _EMPTY_ALLOWED and hasattr(item, "__len__") and not len(item)):
            continue
        found[name] = as_json(item)
    return found


def _shape_of(value: JsonObject) -> _Shape | None:
    kind = type(value)
    if kind.to_dict is not JsonObject.to_dict or kind.get_object_attribute is not JsonObject.get_object_attribute:
        return None
    return _Shape(_validators(kind), tuple(sorted(value.attributes)))


def _validators(kind: type) -> tuple[str, ...]:
    """The names of a class's validator methods, in the order validate_json calls them."""
    return tuple(sorted(name for name in dir(kind) if not name.startswith("__")
                        and callable(getattr(kind, name, None)) and hasattr(getattr(kind, name), "validator")))


def _own_dict(value: Any) -> dict:
    return {key: as_json(item) for key, item in value.to_dict().items()}


_OPTION_VALIDATORS = _validators(Option)


def _option(option: Option) -> dict:
    for name in _OPTION_VALIDATORS:
        getattr(option, name)()
    text = option._text or PlainTextObject.from_str(option.label)
    found = {"text": as_json(text), "value": option.value}
    if option._block_description:
        found["description"] = as_json(option._block_description)
    if option.url:
        found["url"] = option.url
    return found
