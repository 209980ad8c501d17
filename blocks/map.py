"""The stakeholder map message (seed 000's layout), condensed to fit any account in one message."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    Option,
    OverflowMenuElement,
)
from slack_sdk.models.views import View

from app.core.assessment import (
    Assessment,
    ContactState,
    Dimension,
    Staleness,
    Suggestion,
    removed_in_crm,
    type_text,
)
from app.core.capture import touch_label
from app.core.domain import TYPE_PROFILES
from app.core.format import RISK_BADGE, long_date, money, renewal_text, short_date
from app.core.maps import AccountMap
from app.core.presence import ChannelPulse, SeenList
from app.core.trends import Trend, Trends
from blocks import ids
from blocks.capture import channels_block, seen_blocks
from blocks.serialize import as_json
from blocks.strategy import strategy_blocks, window_words
from blocks.text import (
    Message,
    chunk_lines,
    compose,
    esc,
    field,
    fit_lines,
    mention,
    mrkdwn,
    plain,
    section,
)

MESSAGE_MAX_BLOCKS = 50
DETAILED_CONTACTS = 12  # contacts shown one per section (with their menu); the rest are condensed to lines
CONDENSED_SECTIONS = 3
DETAILED_NOT_ENGAGED = 5
DETAILED_STEPS = 8  # open plan steps shown with a Done button; the rest as lines
DETAILED_SUGGESTIONS = 5  # suggestions shown with an "Add to plan" button; the rest as lines
MODAL_TITLE = "Stakeholder map"



@dataclass(frozen=True)
class MapMessage(Message):
    """An account's map; `text` is the notification and screen-reader fallback."""

    @cached_property
    def channel_post(self) -> bytes:
        """The message shared in the channel, as the JSON a response_url takes: encoded once per map
        (maps are cached, and a big one is ~30 kB), not once per post."""
        body = {"response_type": "in_channel", "replace_original": False, "text": self.text, "blocks": self.blocks}
        return json.dumps(body).encode()


def account_map_message(account_map: AccountMap) -> MapMessage:
    """The map message of an account's current map (app/services/maps.py)."""
    return map_message(account_map.assessment, account_map.account_id, account_map.trends,
                       channels=account_map.channels, seen=account_map.seen)


def map_message(assessment: Assessment, account_id: int, trends: Trends | None = None, *,
                channels: tuple[ChannelPulse, ...] = (), seen: SeenList | None = None) -> MapMessage:
    """The map of one account; `trends` (app.services.history.trends) adds "Neutral → Skeptical since Mar 3";
    `channels` and `seen` are what its linked Slack Connect channels say (app.services.maps.account_map)."""
    trends = trends or {}
    head = [*_head(assessment), *channels_block(channels, assessment.today)]
    tail = [
        *_not_engaged(assessment),
        *seen_blocks(seen or SeenList()),
        *_departed(assessment),
        DividerBlock(),
        *_coverage(assessment),
        *strategy_blocks(assessment, account_id),
        *_single_thread(assessment),
        *_plan(assessment, account_id),
        _actions(account_id),
    ]
    room = MESSAGE_MAX_BLOCKS - len(head) - len(tail)
    blocks = [*head, *_active_contacts(assessment, room, trends), *tail]
    return MapMessage(text=fallback_text(assessment), blocks=as_json(blocks))


def map_modal(message: MapMessage, metadata: str) -> dict:
    """The same map in a modal, for the App Home (where nothing can be posted in a channel)."""
    return View(type="modal", callback_id=ids.MAP_MODAL, title=plain(MODAL_TITLE, 24), close=plain("Close", 24),
                blocks=message.blocks, private_metadata=metadata).to_dict()


def fallback_text(assessment: Assessment) -> str:
    return compose(
        "Stakeholder map for {account}: overall risk {risk}. {active} active contacts, {engaged} engaged. "
        "Coverage gaps: {gaps}.",
        account=field(assessment.account.name, 200), risk=assessment.overall_risk.label,
        active=len(assessment.active), engaged=len(assessment.engaged),
        gaps=", ".join(d.label for d in assessment.gaps) or "none",
    )


# --- head ------------------------------------------------------------------------------------------


def _head(assessment: Assessment) -> list[Block]:
    account = assessment.account
    owner = mention(account.owner_user_id, nobody="no owner")
    facts = (
        f"*Date:* {long_date(assessment.today)} | *ARR:* {money(account.arr_amount, account.currency)} | "
        f"*Renewal:* {renewal_text(account.renewal_date, assessment.today)} | *Owner:* {owner}"
    )
    risk = assessment.overall_risk
    verdict = f"{RISK_BADGE[risk]} *Overall risk: {risk.label}*"
    if assessment.single_thread_on is not None:
        verdict += f" — single-threaded to {field(assessment.single_thread_on.display_name, 200)}"
    return [
        HeaderBlock(text=plain(f"Stakeholder Map: {account.name}", 150)),
        ContextBlock(elements=[mrkdwn(facts)]),
        section(verdict),
        DividerBlock(),
    ]


# --- contacts ----------------------------------------------------------------------------------------


def last_touch_text(state: ContactState, today) -> str:
    touch = state.last_touch
    if touch is None:
        return "never touched"
    return f"{short_date(touch.occurred_on, today)} ({touch_label(touch)})"


def _staleness_note(state: ContactState, today) -> str:
    if state.staleness == Staleness.FRESH:
        return ""
    mark = "🔴 overdue" if state.staleness == Staleness.OVERDUE else "⏰ due"
    snoozed = f" · 💤 snoozed until {short_date(state.snoozed_until, today)}" if state.snoozed_until else ""
    return f" · {mark}: {state.idle_days} days without a touch ({window_words(state.window_days)}){snoozed}"


def trend_text(trend: Trend, today) -> str:
    """"Neutral → Skeptical since Mar 3" (a relationship change is named as such)."""
    what = "" if trend.field == "sentiment" else f"{trend.field} "
    return f"{what}{trend.old} → {trend.new} since {short_date(trend.since, today)}"


def _contact_facts(state: ContactState, today, trends: Trends) -> str:
    contact = state.contact
    moves = "".join(f" · _{trend_text(t, today)}_" for t in trends.get(contact.id, ()))
    return (
        f"{type_text(contact)} · {contact.relationship.label} · {last_touch_text(state, today)}"
        f" · {contact.sentiment.label}{moves}{_staleness_note(state, today)}{crm_flag(contact)}"
    )


def crm_flag(contact) -> str:
    """The flag on a contact whose CRM record was archived or deleted: the CSM confirms, nothing was removed."""
    return CRM_REMOVED if removed_in_crm(contact) else ""


CRM_REMOVED = " · :warning: _removed in the CRM: mark *Left the company* or *Remove* to confirm_"


def contact_menu(contact) -> OverflowMenuElement:
    """Edit (or fill in a placeholder's name), log a touch, left the company, remove, forget: at most five."""
    edit = "Edit" if contact.name else "Fill in name"
    choices = [(edit, ids.EDIT), ("Log touch", ids.LOG), ("Left the company", ids.LEFT), ("Remove", ids.REMOVE),
               ("Forget (erase data)", ids.FORGET)]
    return OverflowMenuElement(
        action_id=f"{ids.CONTACT_MENU}:{contact.id}",
        options=[Option(text=plain(label, 75), value=f"{choice}:{contact.id}") for label, choice in choices],
    )


def _contact_section(state: ContactState, today, trends: Trends) -> Block:
    contact = state.contact
    title = f" · {field(contact.title, 150)}" if contact.title else ""
    lines = [f"*{field(contact.display_name, 200)}*{title}", _contact_facts(state, today, trends)]
    if contact.notes:
        lines.append(f"_{field(contact.notes, 1500)}_")
    return section("\n".join(lines), accessory=contact_menu(contact))


def _contact_line(state: ContactState, today, trends: Trends) -> str:
    contact = state.contact
    return f"• *{field(contact.display_name, 80)}* — {_contact_facts(state, today, trends)}"


def _active_contacts(assessment: Assessment, room: int, trends: Trends) -> list[Block]:
    states, today = assessment.active, assessment.today
    heading = section(f"*Active Contacts* ({len(states)})")
    if not states:
        return [heading, ContextBlock(elements=[mrkdwn("No active contacts yet: add the people you talk to.")])]
    detailed = min(len(states), DETAILED_CONTACTS, max(room - 1, 0))
    if detailed == len(states):
        return [heading, *(_contact_section(s, today, trends) for s in states)]
    detailed = min(detailed, max(room - 1 - CONDENSED_SECTIONS, 0))
    rest = [_contact_line(s, today, trends) for s in states[detailed:]]
    condensed = chunk_lines(rest, max_chunks=min(CONDENSED_SECTIONS, room - 1 - detailed), more="…and {n} more active contacts")
    return [heading, *(_contact_section(s, today, trends) for s in states[:detailed]), *(section(text) for text in condensed)]


def _not_engaged(assessment: Assessment) -> list[Block]:
    states = assessment.not_engaged
    if not states:
        return []
    rows = [section(_not_engaged_line(s), accessory=contact_menu(s.contact)) for s in states[:DETAILED_NOT_ENGAGED]]
    rest = [_not_engaged_line(s) for s in states[DETAILED_NOT_ENGAGED:]]
    more = [section(fit_lines(rest, 2900, more="…and {n} more known but not engaged"))] if rest else []
    return [section(f"*Known But Not Engaged* ({len(states)})"), *rows, *more]


def _not_engaged_line(state: ContactState) -> str:
    contact = state.contact
    profile = TYPE_PROFILES[contact.type]
    why = f" — {field(contact.notes, 300)}" if contact.notes else ""
    return f"• *{field(contact.display_name, 80)}* — {type_text(contact)}{why} — _{profile.priority.value}_{crm_flag(contact)}"


def _departed(assessment: Assessment) -> list[Block]:
    if not assessment.departed:
        return []
    names = ", ".join(f"{field(s.contact.display_name, 60)} ({s.contact.type.label})" for s in assessment.departed)
    return [ContextBlock(elements=[mrkdwn(fit_lines([f"Left the company: {names}"], 2000))])]


# --- assessment ----------------------------------------------------------------------------------------


def _dimension_line(dimension: Dimension) -> str:
    return f"{dimension.coverage.value} *{dimension.label}*: {esc(dimension.status)} — {esc(dimension.risk_text)}"


def _coverage(assessment: Assessment) -> list[Block]:
    return [section("*Coverage Assessment*\n" + "\n".join(_dimension_line(d) for d in assessment.dimensions))]


def _single_thread(assessment: Assessment) -> list[Block]:
    factors = [
        f"{RISK_BADGE[f.risk]} {f.label} ({f.risk.label}) — {f.rationale}" for f in assessment.applying_factors
    ]
    text = f"*Single-Thread Risk*\n{esc(assessment.single_thread_summary)}"
    return [section(fit_lines([text, *factors], 2900))]


def _suggestion_line(suggestion: Suggestion) -> str:
    return (
        f"💡 *{field(suggestion.target_label, 120)}* — {field(suggestion.path, 200)} — "
        f"{field(suggestion.first_action, 300)} — _{suggestion.timeline.label}_"
    )


def _plan(assessment: Assessment, account_id: int) -> list[Block]:
    steps, suggestions = assessment.plan_steps, assessment.suggestions
    if not steps and not suggestions:
        return [section("*Multi-Threading Plan*\nNothing to add: the account is multi-threaded.")]
    blocks: list[Block] = [section(f"*Multi-Threading Plan* ({len(steps)} open)" if steps else "*Multi-Threading Plan*")]
    blocks += [section(_step_line(step, assessment), accessory=_done_button(step)) for step in steps[:DETAILED_STEPS]]
    rest = [_step_line(step, assessment) for step in steps[DETAILED_STEPS:]]
    if rest:
        blocks.append(section(fit_lines(rest, 2900, more="…and {n} more open steps")))
    if suggestions:
        blocks.append(ContextBlock(elements=[mrkdwn("_Suggested next steps:_")]))
        blocks += [section(_suggestion_line(s), accessory=_accept_button(account_id, n, s))
                   for n, s in enumerate(suggestions[:DETAILED_SUGGESTIONS])]
        rest = [_suggestion_line(s) for s in suggestions[DETAILED_SUGGESTIONS:]]
        if rest:
            blocks.append(section(fit_lines(rest, 2900, more="…and {n} more suggestions")))
    return blocks


def _done_button(step) -> ButtonElement:
    return ButtonElement(text="Done", action_id=f"{ids.PLAN_DONE}:{step.id}", value=str(step.id))


def _accept_button(account_id: int, n: int, suggestion: Suggestion) -> ButtonElement:
    return ButtonElement(text="Add to plan", action_id=f"{ids.PLAN_ACCEPT}:{n}",
                         value=f"{account_id}|{suggestion.key}"[:2000])


def _step_line(step, assessment: Assessment) -> str:
    state = assessment.state_of(step.contact_id) if step.contact_id else None
    target = state.contact.display_name if state else (step.target_role or "Unassigned")
    when = long_date(step.due_date) if step.due_date else step.timeline.label
    owner = f" · {mention(step.owner_user_id)}" if step.owner_user_id else ""
    return f"• *{field(target, 120)}* — {field(step.path, 200)} — {field(step.first_action, 300)} — _{when}_{owner}"


def _actions(account_id: int) -> Block:
    value = str(account_id)
    return ActionsBlock(
        block_id=ids.MAP_ACTIONS,
        elements=[
            ButtonElement(text="Add contact", action_id=ids.ADD_CONTACT, value=value),
            ButtonElement(text="Log touch", action_id=ids.LOG_TOUCH, value=value, style="primary"),
            ButtonElement(text="Add plan step", action_id=ids.ADD_PLAN_STEP, value=value),
            ButtonElement(text="Chart", action_id=ids.SHOW_CHART, value=value),
        ],
    )
