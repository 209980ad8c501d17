"""The workspace settings modal: staleness windows and the weekly nudge day and time.

Block ids are app.services.workspaces.SettingsForm's field names, so a bad value comes back to its input.
Someone who may not change the settings gets the same values to read, without inputs or Save.
"""

from __future__ import annotations

from slack_sdk.models.blocks import ContextBlock, InputBlock, StaticSelectElement, TimePickerElement
from slack_sdk.models.views import View

from app.core.assessment import DEFAULT_WINDOWS
from app.core.domain import StakeholderType
from app.core.workspace_settings import (
    RETENTION_MAX,
    RETENTION_MIN,
    WEEKDAYS,
    WINDOW_MAX_DAYS,
    WorkspaceSettings,
    window_field,
)
from blocks import ids
from blocks.modals import option, text_input
from blocks.text import field, fit_lines, mrkdwn, plain, section

EXPLAIN = (
    "A relationship goes *stale* when nobody touched the contact for its type's window (days); it is "
    "*overdue* past 1.5× the window, or when an economic buyer or decision maker was not touched in the "
    "90 days before a renewal. A contact whose engagement strategy was accepted (or written by the CSM) goes "
    "stale by its cadence instead; a cadence of none never does. Each CSM gets one digest a week, on this day "
    "and time in their own Slack time zone."
)
TABLE_HOW = ("Edit it as a spreadsheet: `stakemap strategy table --export table.csv`, then "
             "`stakemap strategy table --import table.csv` (`--reset` goes back to the default).")


def settings_modal(current: WorkspaceSettings, metadata: str, *, editable: bool) -> dict:
    blocks = [ContextBlock(elements=[mrkdwn(EXPLAIN)])]
    blocks += _inputs(current) if editable else _summary(current)
    blocks += _proposals(current)
    view = View(
        type="modal",
        callback_id=ids.SETTINGS_MODAL,
        title=plain("stakemap settings", 24),
        submit=plain("Save", 24) if editable else None,
        close=plain("Cancel" if editable else "Close", 24),
        blocks=blocks,
        private_metadata=metadata,
    )
    return view.to_dict()


def _inputs(current: WorkspaceSettings) -> list:
    days = [option(name, str(index)) for index, name in enumerate(WEEKDAYS)]
    schedule = current.nudge
    blocks = [
        InputBlock(block_id="nudge_weekday", label=plain("Weekly digest day", 2000),
                   element=StaticSelectElement(action_id="nudge_weekday", options=days,
                                               initial_option=days[schedule.weekday])),
        InputBlock(block_id="nudge_time", label=plain("Weekly digest time (each CSM's own time zone)", 2000),
                   element=TimePickerElement(action_id="nudge_time", initial_time=f"{schedule.at:%H:%M}")),
    ]
    for kind in StakeholderType:
        blocks.append(text_input(
            window_field(kind), f"{kind.label} window (days)", 3, initial=str(current.window(kind)),
            hint=f"Default {DEFAULT_WINDOWS[kind]}; 1 to {WINDOW_MAX_DAYS}.",
        ))
    switch = [option("On: count customers' messages in linked channels", "on"), option("Off", "off")]
    blocks += [
        InputBlock(block_id="capture_enabled", label=plain("Capture from Slack Connect channels", 2000),
                   element=StaticSelectElement(action_id="capture_enabled", options=switch,
                                               initial_option=switch[0 if current.capture.enabled else 1]),
                   hint=plain("Each account has its own switch too (/stakemap edit <account>).", 2000)),
        text_input("capture_retention_days", "Keep captured touches and channel activity (days)", 4,
                   initial=str(current.capture.retention_days), hint=f"{RETENTION_MIN} to {RETENTION_MAX}."),
    ]
    return blocks


def _summary(current: WorkspaceSettings) -> list:
    windows = "\n".join(f"• {kind.label}: {current.window(kind)} days" for kind in StakeholderType)
    return [
        section(f"*Weekly digest:* {current.nudge.label}, in each CSM's time zone\n*Staleness windows*\n{windows}"
                f"\n*Slack Connect capture:* {current.capture.label}"),
        ContextBlock(elements=[mrkdwn("Only workspace admins can change these settings.")]),
    ]


def _proposals(current: WorkspaceSettings) -> list:
    """The strategy proposal table, to read: the first matching row proposes a contact's strategy."""
    whose = "this workspace's own" if current.strategy_table else "the default"
    rows = [f"• {_key(row.type)} · {_key(row.quadrant)} · {_key(row.sentiment)} → {field(row.approach, 160)} "
            f"({row.strategy().terms})" for row in current.proposals]
    head = f"*Engagement strategy proposals* ({len(rows)} rows, {whose} table; the first matching row wins)"
    return [section(fit_lines([head, *rows], 2900, more="…and {n} more rows")),
            ContextBlock(elements=[mrkdwn(TABLE_HOW)])]


def _key(value) -> str:
    return "any" if value is None else getattr(value, "label", None) or str(value.value)
