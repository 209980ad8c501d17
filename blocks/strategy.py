"""The map's "Engagement Strategy" section: active contacts grouped by quadrant, each group's strategy
and each person's (own or proposed), with their objectives; Accept buttons for the proposals."""

from __future__ import annotations

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, Option, StaticSelectElement

from app.core.assessment import Assessment, ContactState
from app.core.strategy import EngagementGroup, Strategy, engagement_groups
from blocks import ids
from blocks.text import field, fit_lines, plain, section

GROUP_TEXT_MAX = 2900
ACCEPT_BUTTONS = 4  # one per proposal, the first ones in map order; "Accept all" covers the rest
OBJECTIVES_SHOWN = 150  # characters of a person's objectives on the map
PLAN_OPTIONS_MAX = 100  # a static select's limit: the first active contacts in map order


def strategy_text(strategy: Strategy) -> str:
    """"Monthly roadmap 1:1; involve in beta — monthly · call · _proposed_" (approach escaped)."""
    return f"{field(strategy.approach, 200)} — {strategy.terms} · _{strategy.status_label}_"


def window_words(window_days: int | None) -> str:
    """"window 30" for the staleness note; "no fixed cadence" when the strategy has none."""
    return f"window {window_days}" if window_days is not None else "no fixed cadence"


def _person_line(state: ContactState) -> str:
    contact = state.contact
    line = f"• *{field(contact.display_name, 80)}* ({contact.type.label}) — {strategy_text(state.strategy)}"
    objectives = getattr(contact, "objectives", None)
    if objectives:
        line += f" — _wants:_ {field(objectives, OBJECTIVES_SHOWN)}"
    return line


def _group_section(group: EngagementGroup) -> Block:
    head = f"*{group.label}* ({len(group.members)}) — {group.strategy}"
    lines = [head, *(_person_line(state) for state in group.members)]
    return section(fit_lines(lines, GROUP_TEXT_MAX, more="…and {n} more in this group"))


def proposed(assessment: Assessment) -> list[ContactState]:
    return [state for state in assessment.active if state.strategy is not None and state.strategy.proposed]


def strategy_blocks(assessment: Assessment, account_id: int) -> list[Block]:
    """The section after Coverage: at most 1 + 5 groups + 1 row of buttons, whatever the account's size."""
    groups = engagement_groups(assessment.active)
    if not groups:
        return [section("*Engagement Strategy*\nNo active contacts yet: each one gets a strategy proposed "
                        "from its type, influence × interest and sentiment.")]
    waiting = proposed(assessment)
    note = f" — {len(waiting)} proposed, waiting for you to accept or edit" if waiting else ""
    blocks: list[Block] = [section(f"*Engagement Strategy*{note}"), *(_group_section(g) for g in groups)]
    blocks.append(_strategy_actions(account_id, waiting, assessment.active))
    return blocks


def _strategy_actions(account_id: int, waiting: list[ContactState], active: list[ContactState]) -> ActionsBlock:
    """Accept buttons for the proposals, and "Plan a step for…": the plan modal prefilled for that person."""
    buttons: list = [
        ButtonElement(text=f"Accept for {field(state.contact.display_name, 60)}", action_id=f"{ids.STRATEGY_ACCEPT}:{n}",
                      value=f"{account_id}|{state.contact.id}")
        for n, state in enumerate(waiting[:ACCEPT_BUTTONS])
    ]
    if len(waiting) > 1:
        buttons.append(ButtonElement(text=f"Accept all {len(waiting)} proposed", action_id=f"{ids.STRATEGY_ACCEPT}:all",
                                     value=f"{account_id}|all", style="primary"))
    people = [Option(text=plain(field(state.contact.display_name, 75), 75), value=f"{account_id}|{state.contact.id}")
              for state in active[:PLAN_OPTIONS_MAX]]
    buttons.append(StaticSelectElement(action_id=ids.STRATEGY_PLAN, placeholder=plain("Plan a step for…", 150),
                                       options=people))
    return ActionsBlock(block_id=ids.STRATEGY_ACTIONS, elements=buttons)


def plan_prefill(strategy: Strategy | None, objectives: str | None) -> tuple[str | None, str | None]:
    """A plan step for one person, prefilled: the path is their strategy, the first action their objectives."""
    path = f"{strategy.approach} ({strategy.terms})" if strategy else None
    first_action = f"Work toward their objectives: {objectives}" if objectives else None
    return path, first_action


NOTHING_TO_ACCEPT = "Nothing to accept: that strategy is already accepted or your own."
