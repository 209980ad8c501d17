"""Modals: account, contact (add and edit), touch, plan step, removal, notices. Block ids are the input model's field names, so a validation
error on a field comes back to the right input (`response_action: errors`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    ConversationSelectElement,
    DatePickerElement,
    ExternalDataSelectElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticMultiSelectElement,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from app.core.domain import (
    Cadence,
    ContactStatus,
    Influence,
    Level,
    PlanTimeline,
    Relationship,
    Sentiment,
    StakeholderType,
    TouchKind,
)
from app.core.format import one_line, truncate
from app.core.models import APPROACH_MAX, DOMAINS_MAX, NAME_MAX, NOTES_MAX, STEP_TEXT_MAX, TEXT_MAX
from blocks import ids
from blocks.text import channel_mention, field, mrkdwn, plain, section

STATIC_OPTIONS_MAX = StaticSelectElement.options_max_length
MODAL_TITLE_MAX = View.title_max_length


@dataclass(frozen=True)
class PickableContact:
    """What a contact picker shows for one contact."""

    id: int
    label: str  # "Sarah Kim — CFO · Economic Buyer"


def pickable(contact) -> PickableContact:
    """How a contact reads in a picker: "Sarah Kim — CFO · Economic Buyer"."""
    title = f" — {one_line(contact.title)}" if contact.name and contact.title else ""
    return PickableContact(contact.id, truncate(f"{one_line(contact.display_name)}{title} · {contact.type.label}", 75))


def option(label: str, value: str) -> Option:
    return Option(text=plain(label, 75), value=value[:150])


def enum_options(enum: type[Enum]) -> list[Option]:
    return [option(member.label, member.value) for member in enum]


def _modal(title: str, callback_id: str, blocks: list, metadata: str, submit: str | None = "Save",
           close: str = "Cancel") -> dict:
    view = View(
        type="modal",
        callback_id=callback_id,
        title=plain(title, MODAL_TITLE_MAX),
        submit=plain(submit, MODAL_TITLE_MAX) if submit else None,
        close=plain(close, MODAL_TITLE_MAX),
        blocks=blocks,
        private_metadata=metadata,
    )
    return view.to_dict()


def notice_modal(text: str) -> dict:
    """A sentence for someone acting where no message can answer: the App Home, a modal."""
    return _modal("stakemap", ids.NOTICE_MODAL, [section(text)], "", submit=None, close="Close")


def _context(text: str) -> ContextBlock:
    return ContextBlock(elements=[mrkdwn(text)])


def text_input(block_id: str, label: str, max_length: int, *, initial: str | None = None, optional: bool = False,
               multiline: bool = False, placeholder: str | None = None, hint: str | None = None) -> InputBlock:
    element = PlainTextInputElement(
        action_id=block_id,
        max_length=max_length,
        multiline=multiline,
        initial_value=truncate(initial, max_length) if initial else None,
        placeholder=plain(placeholder, 150) if placeholder else None,
    )
    return InputBlock(block_id=block_id, label=plain(label, 2000), element=element, optional=optional,
                      hint=plain(hint, 2000) if hint else None)


def enum_select(block_id: str, label: str, enum: type[Enum], *, initial: Enum | None = None,
                optional: bool = False) -> InputBlock:
    options = enum_options(enum)
    chosen = next((o for o in options if initial is not None and o.value == initial.value), None)
    element = StaticSelectElement(action_id=block_id, options=options, initial_option=chosen,
                                  placeholder=plain(f"Choose {label.lower()}", 150))
    return InputBlock(block_id=block_id, label=plain(label, 2000), element=element, optional=optional)


def contact_select(block_id: str, label: str, contacts: Sequence[PickableContact], *, initial: PickableContact | None,
                   optional: bool = False, hint: str | None = None) -> InputBlock:
    """A static select for up to 100 contacts; an external select with type-ahead search beyond."""
    chosen = option(initial.label, str(initial.id)) if initial else None
    placeholder = plain("Type a name, title or type", 150)
    if len(contacts) <= STATIC_OPTIONS_MAX:
        element = StaticSelectElement(action_id=block_id, placeholder=placeholder, initial_option=chosen,
                                      options=[option(c.label, str(c.id)) for c in contacts])
    else:
        element = ExternalDataSelectElement(action_id=ids.CONTACT_PICKER, placeholder=placeholder,
                                            initial_option=chosen, min_query_length=0)
    return InputBlock(block_id=block_id, label=plain(label, 2000), element=element, optional=optional,
                      hint=plain(hint, 2000) if hint else None)


# --- account -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountForm:
    name: str = ""
    arr: str | None = None
    currency: str = "EUR"
    renewal_date: date | None = None
    owner_user_id: str | None = None
    channel_id: str | None = None
    domains: str | None = None
    capture_enabled: bool = True
    linked_channels: tuple[str, ...] = ()  # editing: the channels linked to the account (shown, not edited)
    editing: bool = False


CAPTURE_OPTIONS = (("On: count the customer's messages in the linked channels", "on"), ("Off", "off"))


def account_modal(form: AccountForm, metadata: str) -> dict:
    """Create an account, or edit one (`form.editing`: its linked channels are listed, linked with
    `/stakemap link` in each channel)."""
    blocks = [
        text_input("name", "Account name", NAME_MAX, initial=form.name, placeholder="Acme"),
        text_input("arr_amount", "ARR", 20, initial=form.arr, optional=True, placeholder="120000",
                   hint="Annual recurring revenue, a number."),
        text_input("currency", "Currency", 3, initial=form.currency, hint="ISO 4217 code: EUR, USD, GBP…"),
        InputBlock(block_id="renewal_date", label=plain("Renewal date", 2000), optional=True,
                   element=DatePickerElement(action_id="renewal_date", initial_date=_iso(form.renewal_date))),
        InputBlock(block_id="owner_user_id", label=plain("Owner (the CSM who gets the nudges)", 2000),
                   element=UserSelectElement(action_id="owner_user_id", initial_user=form.owner_user_id)),
    ]
    if form.editing:
        blocks.append(_linked_channels(form.linked_channels))
    else:
        blocks.append(InputBlock(
            block_id="channel_id", label=plain("Account channel", 2000), optional=True,
            hint=plain("Where coverage changes are posted; /stakemap there shows this account.", 2000),
            element=ConversationSelectElement(action_id="channel_id", initial_conversation=form.channel_id,
                                              filter={"include": ["public", "private"], "exclude_bot_users": True})))
    options = [option(label, value) for label, value in CAPTURE_OPTIONS]
    blocks += [
        text_input("domains", "Customer e-mail domains", DOMAINS_MAX, initial=form.domains, optional=True,
                   placeholder="acme.com, acme.io",
                   hint="Who in a linked channel is the customer (guests included), besides people of their "
                        "own Slack organisation."),
        InputBlock(block_id="capture_enabled", label=plain("Capture from Slack", 2000),
                   element=StaticSelectElement(action_id="capture_enabled", options=options,
                                               initial_option=options[0 if form.capture_enabled else 1])),
    ]
    if form.editing:
        return _modal("Edit account", ids.ACCOUNT_MODAL, blocks, metadata, submit="Save")
    return _modal("New account", ids.ACCOUNT_MODAL, blocks, metadata, submit="Create")


def _linked_channels(channels: Sequence[str]) -> Block:
    if not channels:
        return _context("No linked channel: run `/stakemap link &lt;account&gt;` in a channel to link it.")
    return _context("Linked channels: " + " ".join(channel_mention(c) for c in channels[:20])
                    + (f" +{len(channels) - 20} more" if len(channels) > 20 else "")
                    + " (`/stakemap link` / `unlink` in a channel changes them)")


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


# --- contact -------------------------------------------------------------------------------------


def roles_select(also: Sequence[StakeholderType]) -> InputBlock:
    """"Also": the roles the person holds besides the primary type (coverage counts each)."""
    options = enum_options(StakeholderType)
    chosen = [o for o in options if o.value in {kind.value for kind in also}] or None
    element = StaticMultiSelectElement(action_id=ALSO, options=options, initial_options=chosen,
                                       placeholder=plain("Other roles they play", 150))
    return InputBlock(block_id=ALSO, label=plain("Also", 2000), element=element, optional=True,
                      hint=plain("Roles besides the type above, e.g. Economic Buyer and Decision Maker: "
                                 "coverage counts each.", 2000))


ALSO = "also_types"


def contact_modal(account_name: str, colleagues: Sequence[PickableContact], metadata: str, contact=None,
                  manager: PickableContact | None = None, strategy=None, draft=None,
                  also: Sequence[StakeholderType] = ()) -> dict:
    """Add a contact, or edit `contact` (every input prefilled; `manager` is whom they report to;
    `strategy` is its strategy, the table's proposal when it has none of its own; `also` its extra roles).
    Adding someone seen in Slack, `draft` (app.services.suggestions.ContactDraft) prefills what their
    profile and title say."""
    if contact is None:
        title, submit, intro = "Add contact", "Add", f"Adding a contact to *{field(account_name, 200)}*"
    elif contact.name:
        title, submit, intro = "Edit contact", "Save", f"Editing *{field(contact.name, 200)}* at *{field(account_name, 200)}*"
    else:
        title, submit = "Fill in contact", "Save"
        intro = f"Who is the *{field(contact.title, 200)}* at *{field(account_name, 200)}*? Fill in the name."

    def value(name: str):
        return getattr(contact if contact is not None else draft, name, None)

    blocks = [
        _context(intro),
        text_input("name", "Name", NAME_MAX, initial=value("name"), optional=True, placeholder="Sarah Kim",
                   hint="Leave empty when you know the role but not the name yet."),
        text_input("title", "Title", NAME_MAX, initial=value("title"), optional=True, placeholder="CFO"),
        enum_select("type", "Stakeholder type", StakeholderType, initial=value("type")),
        roles_select(also),
        text_input("department", "Department", 80, initial=value("department"), optional=True, placeholder="Finance"),
        enum_select("level", "Level", Level, initial=value("level"), optional=True),
        enum_select("influence", "Influence", Influence, initial=value("influence"), optional=True),
        enum_select("interest", "Interest in the product", Influence, initial=value("interest"), optional=True),
        enum_select("relationship", "Relationship strength", Relationship, initial=value("relationship") or Relationship.WEAK),
        enum_select("sentiment", "Sentiment", Sentiment, initial=value("sentiment") or Sentiment.NEUTRAL),
        enum_select("status", "Status", ContactStatus, initial=value("status") or ContactStatus.ACTIVE),
    ]
    if colleagues:
        blocks.append(contact_select("reports_to_id", "Reports to", colleagues, initial=manager, optional=True))
    blocks += [
        text_input("objectives", "Objectives", TEXT_MAX, initial=value("objectives"), optional=True, multiline=True,
                   placeholder="What they want from the product"),
        text_input("notes", "Notes", TEXT_MAX, initial=value("notes"), optional=True, multiline=True),
        text_input("email", "E-mail", 254, initial=value("email"), optional=True),
        *_strategy_inputs(strategy),
    ]
    return _modal(title, ids.CONTACT_MODAL, blocks, metadata, submit=submit)


def _strategy_inputs(strategy) -> list[Block]:
    """Approach, cadence and channel; a proposal is prefilled, and stays a proposal unless one is changed."""
    if strategy is None:
        intro = ("*Engagement strategy* — leave empty to get one proposed from the type, influence × interest "
                 "and sentiment.")
    elif strategy.proposed:
        intro = ("*Engagement strategy* — _proposed_. Change any of the three to make it yours, or accept it "
                 "as is with *Accept* on the map.")
    else:
        intro = f"*Engagement strategy* — _{strategy.status_label}_. Clear all three to go back to the proposal."
    return [
        _context(intro),
        text_input("strategy_approach", "Approach", APPROACH_MAX, initial=strategy.approach if strategy else None,
                   optional=True, placeholder="Monthly roadmap 1:1; involve in beta"),
        enum_select("strategy_cadence", "Cadence", Cadence, initial=strategy.cadence if strategy else None,
                    optional=True),
        enum_select("strategy_channel", "Channel", TouchKind, initial=strategy.channel if strategy else None,
                    optional=True),
    ]


def remove_contact_modal(contact_name: str, account_name: str, metadata: str) -> dict:
    text = (f"Remove *{field(contact_name, 200)}* from *{field(account_name, 200)}*? Their touches and history "
            "are deleted too, and this cannot be undone. Someone who left the company is better marked as left.")
    return _modal("Remove contact", ids.REMOVE_CONTACT_MODAL, [section(text)], metadata, submit="Remove")


# --- touch ---------------------------------------------------------------------------------------


def _touch_inputs(contacts: Sequence[PickableContact], today: date, initial: PickableContact | None,
                  notes: str | None) -> list[Block]:
    return [
        contact_select("contact_id", "Who", contacts, initial=initial),
        InputBlock(block_id="occurred_on", label=plain("When", 2000),
                   element=DatePickerElement(action_id="occurred_on", initial_date=today.isoformat())),
        enum_select("kind", "Kind", TouchKind, initial=TouchKind.CALL),
        enum_select("sentiment_after", "Sentiment after", Sentiment, optional=True),
        _notes_input(notes),
    ]


def _notes_input(notes: str | None) -> InputBlock:
    return text_input("notes", "Notes", NOTES_MAX, initial=notes, optional=True, multiline=True)


def touch_modal(account_name: str, contacts: Sequence[PickableContact], metadata: str, today: date,
                initial: PickableContact | None = None, notes: str | None = None) -> dict:
    blocks = [_context(f"Logging a touch at *{field(account_name, 200)}*"), *_touch_inputs(contacts, today, initial, notes)]
    return _modal("Log touch", ids.TOUCH_MODAL, blocks, metadata, submit="Log")


# --- forgetting a person -------------------------------------------------------------------------

ERASED_WHAT = ("name, title, e-mail, notes and objectives, the notes and sentiment of every touch with them, "
               "and the values of their history")
KEPT_WHAT = ("Their stakeholder type, level and department stay as an anonymous “Erased contact”, so coverage "
             "counts stay consistent. The erasure is recorded with your name and the time.")


def forget_pick_modal(account_name: str, contacts: Sequence[PickableContact], metadata: str) -> dict:
    blocks = [
        ContextBlock(elements=[mrkdwn(f"Erasing a person's personal data at *{field(account_name, 200)}*."
                                      " You confirm on the next step.")]),
        contact_select("contact_id", "Who", contacts, initial=None),
    ]
    return _modal("Forget a person", ids.FORGET_PICK_MODAL, blocks, metadata, submit="Next")


def forget_confirm_modal(account_name: str, contact: PickableContact, metadata: str) -> dict:
    who = f"*{field(contact.label, 200)}* at *{field(account_name, 200)}*"
    text = f"Forget {who}?\n\nThis erases their {ERASED_WHAT}, for good.\n\n{KEPT_WHAT}"
    return _modal("Forget this person", ids.FORGET_MODAL, [SectionBlock(block_id="confirm", text=mrkdwn(text))],
                  metadata, submit="Forget")
def account_select(block_id: str, label: str, initial: Option | None) -> InputBlock:
    """Any account of the workspace, by type-ahead search; choosing one tells the app at once."""
    element = ExternalDataSelectElement(action_id=ids.ACCOUNT_PICKER, placeholder=plain("Type an account name", 150),
                                        initial_option=initial, min_query_length=0)
    return InputBlock(block_id=block_id, label=plain(label, 2000), element=element, dispatch_action=True)


def shortcut_touch_modal(account, contacts: Sequence[PickableContact], metadata: str, today: date,
                         notes: str | None) -> dict:
    """"Log as touch" on a message: the account first (guessed from the channel), then its contacts."""
    chosen = option(account.name, str(account.id)) if account is not None else None
    blocks: list[Block] = [account_select("account_id", "Account", chosen)]
    if account is None:
        blocks += [_context("Pick the account to see its contacts."), _notes_input(notes)]
    elif not contacts:
        name = field(account.name, 200)
        blocks += [_context(f"*{name}* has no contacts yet: add one with `/stakemap add {name}`."), _notes_input(notes)]
    else:
        blocks += _touch_inputs(contacts, today, None, notes)
    return _modal("Log as touch", ids.TOUCH_MODAL, blocks, metadata, submit="Log")


# --- plan step -----------------------------------------------------------------------------------


def plan_modal(account_name: str, contacts: Sequence[PickableContact], metadata: str, owner_user_id: str | None,
               target: PickableContact | None = None, path: str | None = None, first_action: str | None = None) -> dict:
    """A plan step; for one `target` person, prefilled with their strategy (path) and objectives (first action)."""
    blocks: list[Block] = [_context(f"A multi-threading step for *{field(account_name, 200)}*")]
    if contacts:
        blocks.append(contact_select("contact_id", "Target contact", contacts, initial=target, optional=True,
                                     hint="Or name the role below when you do not know who it is yet."))
    blocks += [
        text_input("target_role", "Target role (when no contact)", NAME_MAX, optional=True, placeholder="Economic buyer"),
        text_input("path", "Path to engagement", STEP_TEXT_MAX, initial=path,
                   placeholder="Through Tom (champion introduction)"),
        text_input("first_action", "First action", STEP_TEXT_MAX, initial=first_action,
                   placeholder="Ask Tom to introduce Sarah"),
        enum_select("timeline", "Timeline", PlanTimeline, initial=PlanTimeline.THIS_MONTH),
        InputBlock(block_id="due_date", label=plain("Date (for 'By a date')", 2000), optional=True,
                   element=DatePickerElement(action_id="due_date")),
        InputBlock(block_id="owner_user_id", label=plain("Owner", 2000),
                   element=UserSelectElement(action_id="owner_user_id", initial_user=owner_user_id)),
    ]
    return _modal("Add plan step", ids.PLAN_MODAL, blocks, metadata, submit="Add")
