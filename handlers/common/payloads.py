"""Parsing Slack payloads into plain values and pydantic models; nothing here trusts its input."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from slack_sdk.models.views import View

from app.core.errors import InvalidInput, StakemapError
from app.core.validation import field_errors
from blocks import ids as block_ids
from blocks.notices import ACCOUNT_CHANGED, ACCOUNT_WITHOUT_CONTACTS, PICK_THE_ACCOUNT

METADATA_MAX = View.private_metadata_max_length
ROW_ID_MIN, ROW_ID_MAX = -(2**31), 2**31 - 1  # the id columns: INTEGER, 32 bits on PostgreSQL (SQLite holds more)
RowId = Annotated[int, Field(ge=ROW_ID_MIN, le=ROW_ID_MAX)]
Form = TypeVar("Form", bound=BaseModel)


class ModalContext(BaseModel):
    """A modal's private_metadata: where it was opened from and for which account."""

    model_config = ConfigDict(extra="ignore")

    team_id: str = Field(max_length=32)
    account_id: RowId | None = None
    contact_id: RowId | None = None
    channel_id: str | None = Field(default=None, max_length=32)
    response_url: str | None = Field(default=None, max_length=1000)
    # Where a map the modal was opened from is shown, to redraw it after the change:
    map_view_id: str | None = Field(default=None, max_length=64)  # a map modal (opened from the App Home)
    map_message: bool = False  # a map message, redrawn through response_url
    slack_user_id: str | None = Field(default=None, max_length=32)  # adding someone seen in Slack: their user id

    @classmethod
    def opened_from(cls, context, body: Any, **ids: int | str | None) -> ModalContext:
        """Metadata for a modal opened by this command or action (Bolt's context knows the team)."""
        url = body.get("response_url") if isinstance(body, dict) else None
        return cls(team_id=context.team_id, channel_id=context.channel_id,
                   response_url=url if isinstance(url, str) else None,
                   map_view_id=map_view_id(body), map_message=is_map_message(body), **ids)

    def dump(self) -> str:
        return self.model_dump_json(exclude_defaults=True)

    @classmethod
    def load(cls, view: Any, team_id: str | None) -> ModalContext | None:
        """The metadata of a view, or None when missing, malformed or from another workspace."""
        raw = view.get("private_metadata") if isinstance(view, dict) else None
        if not isinstance(raw, str) or len(raw) > METADATA_MAX:
            return None
        try:
            context = cls.model_validate(json.loads(raw))
        except (ValueError, ValidationError):
            return None
        return context if team_id and context.team_id == team_id else None


def modal_context(*required: str):
    """Listener middleware for a modal submission: its validated ModalContext in `context["modal"]`, with
    the `required` fields (e.g. "account_id") set. A view without one (missing, malformed, another
    workspace's, or lacking a required field) is acknowledged and goes no further: the listener starts
    at its real work."""

    def load_modal(ack, body, context, next):  # noqa: A002 - Bolt passes `next` by that name
        modal = _submitted_modal(body, context.team_id, required)
        if modal is None:
            return ack()
        context["modal"] = modal
        return next()

    return load_modal


def modal_form(model: type[BaseModel], today: Callable[[], date], *required: str):
    """Listener middleware for a modal submission whose inputs fill `model`: as modal_context, and in
    `context["form"]` the inputs validated (see form_input), in `context["first_input"]` the block id of the
    modal's first input (where a problem no single field owns is shown). Bad input is answered on the modal's
    fields and goes no further: the listener starts with its input parsed and valid."""

    def load_form(ack, body, context, next):  # noqa: A002 - Bolt passes `next` by that name
        modal = _submitted_modal(body, context.team_id, required)
        if modal is None:
            return ack()
        view, first = body["view"], first_input(body["view"])
        try:
            context["form"] = form_input(model, view, modal, today())
        except (ValidationError, InvalidInput) as error:
            return ack(response_action="errors", errors=input_errors(error, first or ""))
        context["modal"], context["first_input"] = modal, first
        return next()

    return load_form


def _submitted_modal(body: Any, team_id: str | None, required: tuple[str, ...]) -> ModalContext | None:
    modal = ModalContext.load(body.get("view") if isinstance(body, dict) else None, team_id)
    return None if modal is None or any(getattr(modal, field) is None for field in required) else modal


def validated(model: type[Form], values: dict[str, Any], today: date) -> Form:
    """The model's fields that the modal filled, validated against today's date (a touch not ahead of it,
    a renewal or due date not before it: the models' own rules). An empty input is *missing*."""
    return model.model_validate(filled(values, model.model_fields), context={"today": today})


def form_input(model: type[Form], view: Any, modal: ModalContext, today: date) -> Form:
    """A submitted view's inputs as `model`, validated against today's date. Every "…_id" input is a picked
    row's id (one no column can hold is *missing*). Where the modal's account is picked in it ("Log as
    touch"), the pick must be the modal's account, whose contacts it shows."""
    values = view_values(view)
    if "account_id" in values:
        _check_picked_account(values, modal)
    picked = {name: int_or_none(value) for name, value in values.items() if name.endswith("_id")}
    return validated(model, values | picked, today)


def _check_picked_account(values: dict[str, str | None], modal: ModalContext) -> None:
    picked = int_or_none(values.get("account_id"))
    if picked is None:
        raise InvalidInput({"account_id": PICK_THE_ACCOUNT})
    if "contact_id" not in values:
        raise InvalidInput({"account_id": ACCOUNT_WITHOUT_CONTACTS})
    if picked != modal.account_id:
        raise InvalidInput({"contact_id": ACCOUNT_CHANGED})


def input_errors(error: ValidationError | StakemapError, first_field: str) -> dict[str, str]:
    """{block_id: the problem} to answer bad input with: a validation error's or an InvalidInput's fields;
    any other refusal (NotFound...) on `first_field`."""
    if isinstance(error, ValidationError):
        return field_errors(error, first_field)
    if isinstance(error, InvalidInput):
        return error.errors
    return {first_field: str(error)}


def first_input(view: Any) -> str | None:
    """The block id of a view's first input, if it has one."""
    blocks = _dict(view).get("blocks")
    inputs = [_dict(b).get("block_id") for b in blocks if _dict(b).get("type") == "input"] if isinstance(blocks, list) else []
    return inputs[0] if inputs and isinstance(inputs[0], str) else None


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def acting_view(body: Any) -> dict:
    """The modal an action was taken in, or {} (a message, the App Home, a command)."""
    view = _dict(_dict(body).get("view"))
    return view if view.get("type") == "modal" else {}


def map_view_id(body: Any) -> str | None:
    """The id of the map modal an action was taken in, if it was taken in one."""
    view = acting_view(body)
    view_id = view.get("id")
    return view_id if view.get("callback_id") == block_ids.MAP_MODAL and isinstance(view_id, str) else None


def is_map_message(body: Any) -> bool:
    """Whether an action was taken on a map message (it holds the map's button row)."""
    blocks = _dict(_dict(body).get("message")).get("blocks")
    return isinstance(blocks, list) and any(_dict(b).get("block_id") == block_ids.MAP_ACTIONS for b in blocks)


def _selected(action: dict) -> str | None:
    for key in ("selected_user", "selected_conversation", "selected_channel", "selected_date", "selected_time"):
        if key in action:
            return action[key]
    option = action.get("selected_option")
    if isinstance(option, dict):
        return option.get("value")
    return action.get("value")


def view_values(view: Any) -> dict[str, str | None]:
    """{block_id: the value its one input holds} from a submitted view's state."""
    state = view.get("state") if isinstance(view, dict) else None
    blocks = state.get("values") if isinstance(state, dict) else None
    values: dict[str, str | None] = {}
    if not isinstance(blocks, dict):
        return values
    for block_id, actions in blocks.items():
        if not isinstance(actions, dict):
            continue
        for action in actions.values():
            if isinstance(action, dict):
                value = _selected(action)
                values[str(block_id)] = value if isinstance(value, str) else None
                break
    return values


def selected_values(view: Any, block_id: str) -> list[str] | None:
    """The values picked in a multi-select input (multi_static_select's `selected_options`); None when the view
    has no such input."""
    state = _dict(_dict(view).get("state")).get("values")
    actions = _dict(_dict(state).get(block_id))
    for action in actions.values():
        options = _dict(action).get("selected_options")
        if isinstance(options, list):
            return [o["value"] for o in options if isinstance(o, dict) and isinstance(o.get("value"), str)]
    return None


def filled(values: dict[str, Any], fields) -> dict[str, Any]:
    """The given fields that hold a value: an empty input is *missing*, so validation says "required"."""
    return {name: values[name] for name in fields if values.get(name) is not None}


def _initial_value(element: dict) -> str | None:
    for key in ("initial_user", "initial_conversation", "initial_channel", "initial_date", "initial_value"):
        if key in element:
            return element[key]
    return _dict(element.get("initial_option")).get("value")


def view_initial_values(view: Any) -> dict[str, str | None]:
    """{block_id: the value its input showed when the modal opened}, from the view Slack sends back."""
    blocks = _dict(view).get("blocks")
    values: dict[str, str | None] = {}
    for block in blocks if isinstance(blocks, list) else []:
        if _dict(block).get("type") == "input" and isinstance(block.get("block_id"), str):
            value = _initial_value(_dict(block.get("element")))
            values[block["block_id"]] = value if isinstance(value, str) and value != "" else None
    return values


def changed_inputs(view: Any) -> dict[str, str | None]:
    """The inputs the user changed in a prefilled modal, with their new values."""
    before = view_initial_values(view)
    now = {block: value or None for block, value in view_values(view).items()}
    return {block: value for block, value in now.items() if block in before and value != before[block]}


def action_value(body: Any) -> str | None:
    actions = body.get("actions") if isinstance(body, dict) else None
    if isinstance(actions, list) and actions and isinstance(actions[0], dict):
        value = actions[0].get("value") or (actions[0].get("selected_option") or {}).get("value")
        return value if isinstance(value, str) else None
    return None


def clicked_id(body: Any) -> int:
    """The id a button's value names; 0 (found nowhere) when it names none."""
    return int_or_none(action_value(body)) or 0


def id_and_rest(body: Any, separator: str = "|") -> tuple[int, str]:
    """A button value "<id><separator><rest>" as (id, rest); id 0 (found nowhere) when it names none."""
    first, _, rest = (action_value(body) or "").partition(separator)
    return int_or_none(first) or 0, rest


def message_origin(body: Any) -> tuple[str | None, str | None]:
    """(channel id, message ts) of the message whose button was clicked; no ts for an ephemeral one."""
    container = body.get("container") if isinstance(body, dict) else None
    if not isinstance(container, dict):
        return None, None
    channel = container.get("channel_id")
    ts = None if container.get("is_ephemeral") else container.get("message_ts")
    return (channel if isinstance(channel, str) else None), (ts if isinstance(ts, str) else None)


def int_or_none(text: str | None) -> int | None:
    """The id or number a value names, or None when it names none a database column can hold."""
    try:
        number = int(text) if text is not None else None
    except ValueError:
        return None
    return number if number is None or ROW_ID_MIN <= number <= ROW_ID_MAX else None
