"""What Slack Connect adds to the map and the digest — people seen there but not on the map, channels gone
quiet — and the signals DMed to an account's owner (left a channel, deactivated, new title)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    Option,
    OverflowMenuElement,
)

from app.core.format import short_date
from app.core.presence import ChannelPulse, QuietAccount, SeenList, SeenPerson, Signal, SignalKind, SlackNews
from blocks import ids
from blocks.text import Message, Mrkdwn, channel_mention, compose, field, fit_lines, mrkdwn, plain, section

SEEN_HEADING = "Seen in Slack, not on the map"


def person_name(person: SeenPerson) -> str:
    return person.name or "Someone without a name in Slack"


# --- the map -------------------------------------------------------------------------------------


def pulse_text(pulse: ChannelPulse, today: date) -> str:
    """"<#C1> last customer message Dec 1 · 🌑 quiet for 16 days"."""
    if pulse.last_message_on is None:
        return f"{channel_mention(pulse.channel_id)} no customer message yet"
    text = f"{channel_mention(pulse.channel_id)} last customer message {short_date(pulse.last_message_on, today)}"
    return text + (f" · 🌑 *quiet for {pulse.quiet_days} days*" if pulse.quiet_days is not None else "")


def channels_block(channels: Sequence[ChannelPulse], today: date) -> list[Block]:
    """One context line for the linked channels (nothing when there are none)."""
    if not channels:
        return []
    lines = [pulse_text(pulse, today) for pulse in channels]
    return [ContextBlock(elements=[mrkdwn(fit_lines(["*Slack Connect:* " + " | ".join(lines)], 2900,
                                                    more="…and {n} more channels"))])]


def seen_blocks(seen: SeenList, heading: str = SEEN_HEADING, *, with_account: bool = False) -> list[Block]:
    """The heading, one row per person with *Add to map* and *Ignore*, and "+N more" (nothing when empty)."""
    if not seen.total:
        return []
    blocks: list[Block] = [section(f"*{heading}* ({seen.total})")]
    blocks += [section(_person_line(p, with_account), accessory=_person_menu(p)) for p in seen.people]
    if seen.more:
        blocks.append(ContextBlock(elements=[mrkdwn(f"+{seen.more} more seen in Slack.")]))
    return blocks


def _person_line(person: SeenPerson, with_account: bool) -> str:
    title = f" · {field(person.title, 150)}" if person.title else ""
    where = f" · *{field(person.account_name, 100)}*" if with_account else ""
    count = f"{person.messages} message{'' if person.messages == 1 else 's'}"
    return f"👤 *{field(person_name(person), 150)}*{title}{where} · {count}"


def _person_menu(person: SeenPerson) -> OverflowMenuElement:
    key = f"{person.account_id}|{person.slack_user_id}"
    return OverflowMenuElement(
        action_id=f"{ids.SEEN_MENU}:{person.account_id}:{person.slack_user_id}"[:255],
        options=[Option(text=plain("Add to map", 75), value=f"{ids.SEEN_ADD}|{key}"[:150]),
                 Option(text=plain("Ignore", 75), value=f"{ids.SEEN_IGNORE}|{key}"[:150])],
    )


def settle_person(blocks: Sequence[dict], account_id: int, slack_user_id: str, note: str) -> list[dict]:
    """A message (the digest) with one person's row replaced by what was done ("… will not be suggested")."""
    action_id = f"{ids.SEEN_MENU}:{account_id}:{slack_user_id}"[:255]
    done = ContextBlock(elements=[mrkdwn(note)]).to_dict()
    return [done if (block.get("accessory") or {}).get("action_id") == action_id else block for block in blocks]


# --- the weekly digest ---------------------------------------------------------------------------------


def news_blocks(news: SlackNews, today: date) -> list[Block]:
    """What the digest adds from Slack Connect: accounts gone quiet, then people to add."""
    blocks: list[Block] = []
    if news.quiet:
        lines = [_quiet_line(q) for q in news.quiet]
        blocks.append(section(fit_lines(["*Gone quiet in Slack*", *lines], 2900, more="…and {n} more channels")))
    return blocks + seen_blocks(news.seen, "Seen in Slack, not on your maps", with_account=True)


def _quiet_line(quiet: QuietAccount) -> str:
    return f"🌑 *{field(quiet.account_name, 150)}* — {channel_mention(quiet.channel_id)} quiet for {quiet.quiet_days} days"


def news_count(news: SlackNews) -> int:
    """How many blocks news_blocks gives (the digest keeps room for them)."""
    return (1 if news.quiet else 0) + (1 + len(news.seen.people) + (1 if news.seen.more else 0) if news.seen.total else 0)


# --- signals -------------------------------------------------------------------------------------------


class SignalMessage(Message):
    """DMed to the account's owner the moment a contact's Slack user did something."""


def signal_text(signal: Signal) -> Mrkdwn:
    who = compose("*{name}* ({role}, {account})", name=field(signal.contact_name, 150),
                  role=signal.contact_type.label, account=field(signal.account_name, 150))
    account = field(signal.account_name, 150)
    if signal.kind == SignalKind.LEFT_CHANNEL:
        return Mrkdwn(f"{who} left {channel_mention(signal.channel_id)} — have they left {account}?")
    if signal.kind == SignalKind.DEACTIVATED:
        return Mrkdwn(f"{who} was deactivated in Slack — have they left {account}?")
    old = field(signal.old_title, 150) if signal.old_title else "no title"
    return Mrkdwn(f"{who} changed their title in Slack: {old} → *{field(signal.new_title, 150)}*. "
                  "Update it on the map?")


def signal_message(signal: Signal) -> SignalMessage:
    text = signal_text(signal)
    if signal.kind == SignalKind.TITLE:
        buttons = [ButtonElement(text="Update title", action_id=f"{ids.SIGNAL_TITLE}:{signal.id}", value=str(signal.id),
                                 style="primary"),
                   ButtonElement(text="Keep as is", action_id=f"{ids.SIGNAL_STILL}:{signal.id}", value=str(signal.id))]
    else:
        buttons = [ButtonElement(text="Left the company", action_id=f"{ids.SIGNAL_LEFT}:{signal.id}",
                                 value=str(signal.id), style="danger"),
                   ButtonElement(text="Still there", action_id=f"{ids.SIGNAL_STILL}:{signal.id}", value=str(signal.id))]
    blocks = [section(text), ActionsBlock(block_id=f"{ids.SIGNAL_ACTIONS}:{signal.id}", elements=buttons)]
    return SignalMessage(text=text.replace("*", ""), blocks=[block.to_dict() for block in blocks])


def signal_settled(signal: Signal, outcome: str) -> SignalMessage:
    """The signal's DM once answered: what it said, then what was done instead of its buttons."""
    blocks = [section(signal_text(signal)), ContextBlock(elements=[mrkdwn(outcome)])]
    return SignalMessage(text=outcome, blocks=[block.to_dict() for block in blocks])


def still_there(signal: Signal) -> str:
    if signal.kind == SignalKind.TITLE:
        return compose("✔️ Kept *{name}*'s title as it is on the map.", name=field(signal.contact_name, 150))
    return compose("✔️ Noted: *{name}* is still at *{account}*. Nothing changed.",
                   name=field(signal.contact_name, 150), account=field(signal.account_name, 150))


def title_updated(signal: Signal) -> str:
    return compose("✏️ *{name}*'s title is now *{title}* (kept in the history).",
                   name=field(signal.contact_name, 150), title=field(signal.new_title, 150))


def added_from_slack(name: str, account_name: str) -> str:
    return compose("Added *{name}* to *{account}* from Slack.", name=field(name, 150), account=field(account_name, 150))


def ignored(name: str, account_name: str) -> str:
    return compose("*{name}* will not be suggested for *{account}* again.", name=field(name, 150),
                   account=field(account_name, 150))
