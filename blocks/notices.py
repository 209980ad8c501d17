"""Short messages only the caller sees: help, unknown account, confirmations."""

from __future__ import annotations

from datetime import date

from slack_sdk.models.blocks import ActionsBlock, ButtonElement

from app.core.format import one_line, short_date, truncate
from app.core.models import NAME_MAX
from blocks import ids
from blocks.text import Message, compose, esc, field, mention, section


class Notice(Message):
    """A short answer to the person acting."""


def _notice(text: str, *blocks) -> Notice:
    return Notice(text=text, blocks=[block.to_dict() for block in blocks] if blocks else [section(text).to_dict()])


SORRY = "Something went wrong on stakemap's side and it has been logged. Please try again in a minute."

# What each verb of /stakemap does, for the help (handlers/commands.py holds the verbs themselves).
VERB_HELP = {
    "show": "post the account's stakeholder map in this channel",
    "new": "create an account",
    "edit": "edit the account: owner, renewal, customer e-mail domains, capture from Slack",
    "link": "link this channel to the account (its map here, its changes posted here)",
    "unlink": "unlink this channel from its account",
    "add": "add a contact (name optional: “CTO (name unknown)”)",
    "log": "log a call, meeting, e-mail or QBR",
    "plan": "add a step to the multi-threading plan",
    "chart": "post the org chart and influence × interest picture in this channel",
    "list": "your accounts ranked by risk, only to you (`list all`: every account)",
    "forget": "erase a person's personal data (account owner or workspace admin)",
    "report": "the portfolio report, only to you (`report mine`, `report @csm`, `report chart`, "
              "`report digest #channel monday 09:00`)",
    "settings": "staleness windows and the weekly digest's day and time",
}


def help_notice(command: str, verbs: list[tuple[str, bool]]) -> Notice:
    """The help of `command`, from its verbs (name, whether it takes an account) in the order given."""
    commands = [(f"{command} <account>", VERB_HELP["show"]),
                (command, "in a channel linked to an account: that account's map")]
    commands += [(f"{command} {verb}" + (" <account>" if takes_account else ""), VERB_HELP[verb])
                 for verb, takes_account in verbs if verb != "show"]
    commands.append((f"{command} help", "this help"))
    lines = [compose("`{usage}` — {what}", usage=usage, what=what) for usage, what in commands]
    return _notice("*stakemap* keeps a stakeholder map of every customer account.\n" + "\n".join(lines))


def unknown_account(typed: str, matches: list[str]) -> Notice:
    name = truncate(one_line(typed), NAME_MAX)
    text = f"No account named “{esc(truncate(name, 200))}” in this workspace."
    if matches:
        text += " Did you mean " + ", ".join(f"*{field(m, 100)}*" for m in matches) + "?"
    buttons = [
        ButtonElement(text=truncate(f"Show {one_line(m)}", 75), action_id=f"{ids.SHOW_ACCOUNT}:{i}", value=m)
        for i, m in enumerate(matches)
    ]
    buttons.append(ButtonElement(text=truncate(f"Create {name}", 75), action_id=ids.CREATE_ACCOUNT, value=name,
                                 style="primary"))
    return _notice(text, section(text), ActionsBlock(block_id="unknown_account", elements=buttons))


def no_contacts(account_name: str, account_id: int) -> Notice:
    text = f"*{field(account_name, 200)}* has no contacts to log a touch with yet. Add one first."
    button = ButtonElement(text="Add contact", action_id=ids.ADD_CONTACT, value=str(account_id), style="primary")
    return _notice(text, section(text), ActionsBlock(block_id="no_contacts", elements=[button]))


def list_usage(typed: str) -> Notice:
    """`/stakemap list <something>` that is neither "list" nor "list all"."""
    return _notice(compose("`/stakemap list` shows your accounts and `/stakemap list all` every account. "
                           "To show an account named “{name}”, type `/stakemap show list {name}`.",
                           name=field(typed, 120)))


def account_saved(name: str) -> Notice:
    return _notice(compose("Saved *{name}*.", name=field(name, 200)))


def account_created(name: str) -> Notice:
    return _notice(compose("Created *{name}*. Add its people with `/stakemap add {name}`.", name=field(name, 200)))


def plain_notice(text: str) -> Notice:
    """One sentence of ours: any data in it must come through `compose` or `field` (blocks.text)."""
    return _notice(text)


# --- channels shared with another organisation (Slack Connect) -------------------------------------

SHARED_CHANNEL = "This channel is shared with another organisation"


def map_only_to_you() -> Notice:
    """Sent after the map, only to the caller, where posting it would reach another organisation."""
    return _notice(f"{SHARED_CHANNEL}, so stakemap shows this map only to you here; for the team, use an internal "
                   "channel or the App Home.")


def chart_sent_by_dm(account_name: str) -> Notice:
    return _notice(f"{SHARED_CHANNEL}, so stakemap sent *{field(account_name, 200)}*'s chart only to you, in your "
                   "direct messages with stakemap; for the team, use an internal channel.")


def chart_not_here() -> Notice:
    return _notice(f"{SHARED_CHANNEL}, so stakemap shares no chart here; open it from an internal channel.")


def linked_shared_channel(account_name: str, moved_from: list[str]) -> Notice:
    """`/stakemap link` in a shared channel: linked, and warned that nothing will be posted there."""
    note = f" (it was linked to {', '.join(field(n, 100) for n in moved_from)})" if moved_from else ""
    return _notice(f"Linked this channel to *{field(account_name, 200)}*{note}, but it is shared with another "
                   "organisation, so stakemap posts nothing in it: `/stakemap` here shows the map only to you, and "
                   "coverage changes go to the account's owner by direct message.")


def coverage_told_owner_privately(owner_user_id: str) -> str:
    """The departure confirmation's sentence when the account's channel is shared with another organisation."""
    return (f"Coverage changed: told the owner, {mention(owner_user_id)}, by direct message (the account's channel is "
            "shared with another organisation).")


def not_saved_in_time() -> str:
    """A modal's field error when its submission could not be saved before Slack's time ran out."""
    return "Not saved: stakemap is too busy to save this right now. Nothing was changed; submit again."


# --- confirmations and refusals of the handlers ------------------------------------------------------


def step_added(account_name: str, first_action: str) -> str:
    return f"Added a step to the *{field(account_name, 200)}* plan: {field(first_action, 300)}"


def step_exists() -> Notice:
    return plain_notice("That step is already in the plan.")


def contact_added(contact_name: str, account_name: str) -> str:
    return f"Added *{field(contact_name, 200)}* to *{field(account_name, 200)}*."


def contact_saved(contact_name: str, account_name: str, changed: list[str]) -> str:
    who = f"*{field(contact_name, 200)}* at *{field(account_name, 200)}*"
    return f"Saved {who}: {', '.join(changed)}." if changed else f"Nothing changed for {who}."


def touch_logged(kind: str, contact_name: str, account_name: str, occurred_on: date, today: date) -> Notice:
    when = short_date(occurred_on, today)
    return plain_notice(f"Logged a {kind} with *{field(contact_name, 200)}* at *{field(account_name, 200)}* ({when}).")


def removal_refused(account_name: str, owner_user_id: str | None) -> str:
    owner = f"its owner <@{owner_user_id}>" if owner_user_id else "its owner"
    return (f"Only {owner} or a workspace admin can remove contacts from *{field(account_name, 200)}*. "
            "Ask them, or edit the contact instead.")


def contact_removed(contact_name: str, account_name: str) -> str:
    return f"Removed *{field(contact_name, 200)}* from *{field(account_name, 200)}*."


def contact_erased(type_label: str, account_name: str) -> str:
    return (f"Erased the personal data of a contact ({type_label}) at *{field(account_name, 200)}*. "
            "The erasure is recorded.")


def settings_saved(changed: list[str]) -> Notice:
    return plain_notice("Saved: " + "; ".join(changed) + "." if changed else "Nothing changed.")


SETTINGS_ADMINS_ONLY = "Only workspace admins can change stakemap's settings."
ALREADY_ERASED = "That person's data was already erased."


def no_contacts_to_forget(account_name: str) -> Notice:
    return plain_notice(f"*{field(account_name, 200)}* has no contacts.")


# The "Log as touch" modal's field errors (the account picked in the modal, then its contact).
PICK_THE_ACCOUNT = "Pick the account."
ACCOUNT_WITHOUT_CONTACTS = "This account has no contacts yet: add one with /stakemap add first."
ACCOUNT_CHANGED = "Pick the contact again: the account changed."


def nobody_to_touch(contact_name: str) -> Notice:
    return plain_notice(f"*{field(contact_name, 150)}* has left the company: there is no one to touch.")


def snoozed(contact_name: str, until: str) -> Notice:
    return plain_notice(f"💤 *{field(contact_name, 150)}* snoozed until {until}: left out of your digests until then.")


def left_settled(notice: Notice) -> Notice:
    """A digest item's note once its contact was marked as left the company."""
    return plain_notice("🚪 " + notice.text)


def already_left(contact_name: str) -> Notice:
    return plain_notice(f"*{field(contact_name, 150)}* had already left the company.")


def marked_left(contact_name: str, type_label: str, account_name: str, announced: str) -> Notice:
    done = f"Marked *{field(contact_name, 150)}* ({type_label}) at *{field(account_name, 150)}* as left the company."
    return plain_notice(f"{done} {announced}".strip())


def coverage_posted(channel_id: str) -> str:
    return f"Coverage changed: posted in <#{channel_id}>."


def coverage_told_owner(owner_user_id: str) -> str:
    return f"Coverage changed: told the owner, <@{owner_user_id}>."


def coverage_not_told() -> str:
    return "Coverage changed, but Slack refused the post to the account's channel and owner: tell them yourself."


def chart_upload_refused(code: str, not_a_member: bool) -> Notice:
    if not_a_member:
        return plain_notice("I can't share files here yet: invite me to this channel (`/invite @stakemap`) and try again.")
    return plain_notice(f"Slack refused the chart upload ({code}). Please try again in a minute.")


def trend_upload_refused(code: str) -> Notice:
    return plain_notice(f"Slack refused the chart upload ({code}). Invite me to the channel, or run it in your DM with me.")


def chart_upload_failed() -> Notice:
    return plain_notice("Slack did not take the chart upload. Please try again in a minute.")


def charts_need_a_channel() -> Notice:
    return plain_notice("Charts are shared in a channel: run this from one.")


def no_accounts_yet(everyone: bool) -> Notice:
    if everyone:
        return plain_notice("No accounts in this workspace yet: create one with `/stakemap new &lt;account&gt;`.")
    return plain_notice("You own no accounts yet. `/stakemap list all` shows every account of the workspace.")


def link_from_a_channel() -> Notice:
    return plain_notice("Run `/stakemap link &lt;account&gt;` in the channel to link the account to.")


def channel_unlinked(account_name: str) -> Notice:
    return plain_notice(f"Unlinked this channel from *{field(account_name, 200)}*: nothing here is captured any more, "
                        "and `/stakemap` here shows the help.")


def channel_not_linked() -> Notice:
    return plain_notice("This channel is not linked to an account: `/stakemap link &lt;account&gt;` links it.")


def channel_linked(account_name: str, moved_from: list[str]) -> Notice:
    note = f" (it was linked to {', '.join(field(n, 100) for n in moved_from)})" if moved_from else ""
    return plain_notice(f"Linked this channel to *{field(account_name, 200)}*{note}: `/stakemap` here shows its map, "
                        "and its coverage changes are posted here.")
