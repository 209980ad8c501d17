"""The map outside Slack: terminal text, markdown in seed 000's layout, JSON. Pure functions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app.core.assessment import Assessment, ContactState, removed_in_crm, type_text
from app.core.capture import touch_label
from app.core.domain import TYPE_PROFILES
from app.core.format import long_date, money, one_line, short_date
from app.core.strategy import engagement_groups


def last_touch_cell(state: ContactState, assessment: Assessment) -> str:
    touch = state.last_touch
    return f"{short_date(touch.occurred_on, assessment.today)} ({touch_label(touch)})" if touch else "never"


def _priority(state: ContactState) -> str:
    profile = TYPE_PROFILES[state.contact.type]
    return f"{profile.priority.value} -- {profile.priority_note}"


def active_rows(assessment: Assessment) -> list[list[str]]:
    return [
        [s.contact.display_name, s.contact.title or "", type_text(s.contact), s.contact.relationship.label,
         last_touch_cell(s, assessment), s.contact.sentiment.label, notes_cell(s)]
        for s in assessment.active
    ]


def not_engaged_rows(assessment: Assessment) -> list[list[str]]:
    return [[s.contact.display_name, type_text(s.contact), notes_cell(s), _priority(s)]
            for s in assessment.not_engaged]


def notes_cell(state: ContactState) -> str:
    """The contact's notes, led by the CRM's removal when its record was archived or deleted there."""
    notes = state.contact.notes or ""
    if removed_in_crm(state.contact):
        return f"Removed in the CRM: confirm (left or remove). {notes}".strip()
    return notes


def coverage_rows(assessment: Assessment) -> list[list[str]]:
    return [[d.label, d.status_text, d.risk_text] for d in assessment.dimensions]


def factor_rows(assessment: Assessment) -> list[list[str]]:
    return [[f.label, f"{f.risk.label} risk", f.rationale] for f in assessment.applying_factors]


def plan_rows(assessment: Assessment) -> list[list[str]]:
    rows = []
    for step in assessment.plan_steps:
        state = assessment.state_of(step.contact_id) if step.contact_id else None
        target = state.contact.display_name if state else (step.target_role or "")
        when = long_date(step.due_date) if step.due_date else step.timeline.label
        rows.append([target, step.path, step.first_action, when])
    for suggestion in assessment.suggestions:
        rows.append([suggestion.target_label, suggestion.path, suggestion.first_action,
                     f"{suggestion.timeline.label} (suggested)"])
    return rows


def strategy_rows(assessment: Assessment) -> list[list[str]]:
    """The Engagement Strategy section: one row per active contact, grouped by quadrant (group rows first)."""
    rows = []
    for group in engagement_groups(assessment.active):
        rows.append([f"{group.label} ({len(group.members)})", group.strategy, "", "", ""])
        for state in group.members:
            strategy = state.strategy
            rows.append([f"  {state.contact.display_name}", strategy.approach, strategy.terms, strategy.status_label,
                         state.contact.objectives or ""])
    return rows


STRATEGY_HEADER = ["Group / Contact", "Approach", "Cadence · Channel", "Status", "Objectives"]


def _facts(assessment: Assessment, bold: str) -> str:
    account = assessment.account
    return (f"{bold}Date:{bold} {long_date(assessment.today)} | {bold}ARR:{bold} "
            f"{money(account.arr_amount, account.currency)} | {bold}Renewal:{bold} {long_date(account.renewal_date)}")


# --- markdown (seed 000's output format) -----------------------------------------------------------


def _md_cell(text: str) -> str:
    return one_line(text).replace("|", "\\|")


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("-" * (len(h) + 2) for h in header) + "|"]
    lines += ["| " + " | ".join(_md_cell(cell) for cell in row) + " |" for row in rows]
    return lines


def maps_markdown(assessments) -> str:
    """Several accounts' maps in seed 000's layout, one after the other (the markdown export)."""
    return "\n".join(to_markdown(a) for a in assessments)


def to_markdown(assessment: Assessment) -> str:
    lines = [f"## Stakeholder Map: {assessment.account.name}", _facts(assessment, "**"), "", "### Active Contacts"]
    lines += markdown_table(["Name", "Title", "Type", "Relationship", "Last Touch", "Sentiment", "Notes"],
                            active_rows(assessment))
    lines += ["", "### Known But Not Engaged"]
    lines += markdown_table(["Name/Role", "Type", "Why Not Engaged", "Priority"], not_engaged_rows(assessment))
    lines += ["", "### Coverage Assessment"]
    lines += markdown_table(["Coverage Dimension", "Status", "Risk"], coverage_rows(assessment))
    lines += ["", "### Engagement Strategy"]
    lines += markdown_table(STRATEGY_HEADER, strategy_rows(assessment))
    lines += ["", "### Single-Thread Risk", assessment.single_thread_summary, ""]
    lines += markdown_table(["Factor", "Score", "Rationale"], factor_rows(assessment))
    lines += ["", f"**Overall risk:** {assessment.overall_risk.label}", "", "### Multi-Threading Plan"]
    lines += markdown_table(["Target Contact", "Path to Engagement", "First Action", "Timeline"], plan_rows(assessment))
    return "\n".join(lines) + "\n"


# --- terminal text ----------------------------------------------------------------------------------


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]], width: int = 40) -> list[str]:
    cells = [[one_line(c)[:width] for c in row] for row in [header, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    render = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in cells]
    return [render[0], "  ".join("-" * w for w in widths), *render[1:]] if rows else [render[0], "  (none)"]


def to_text(assessment: Assessment) -> str:
    title = f"Stakeholder Map: {assessment.account.name}"
    lines = [title, "=" * len(title), _facts(assessment, ""),
             f"Overall risk: {assessment.overall_risk.label}", "", "Active Contacts"]
    lines += text_table(["Name", "Title", "Type", "Relationship", "Last Touch", "Sentiment", "Notes"],
                        active_rows(assessment), width=30)
    lines += ["", "Known But Not Engaged"]
    lines += text_table(["Name/Role", "Type", "Why Not Engaged", "Priority"], not_engaged_rows(assessment))
    if assessment.departed:
        lines += ["", "Left the company: " + ", ".join(s.contact.display_name for s in assessment.departed)]
    lines += ["", "Coverage Assessment"]
    lines += text_table(["Coverage Dimension", "Status", "Risk"], coverage_rows(assessment), width=70)
    lines += ["", "Engagement Strategy"]
    lines += text_table(STRATEGY_HEADER, strategy_rows(assessment), width=70)
    lines += ["", "Single-Thread Risk", assessment.single_thread_summary]
    lines += [f"  - {f.label} ({f.risk.label}): {f.rationale}" for f in assessment.applying_factors]
    lines += ["", "Multi-Threading Plan"]
    lines += text_table(["Target", "Path", "First Action", "Timeline"], plan_rows(assessment), width=60)
    return "\n".join(lines) + "\n"


# --- json --------------------------------------------------------------------------------------------


def _contact_json(state: ContactState) -> dict[str, Any]:
    contact = state.contact
    fields = ("id", "name", "title", "department", "objectives", "notes", "email", "reports_to_id")
    data: dict[str, Any] = {name: getattr(contact, name) for name in fields}
    enums = ("type", "level", "influence", "interest", "relationship", "sentiment", "status")
    data.update({name: getattr(getattr(contact, name), "value", None) for name in enums})
    touch = state.last_touch
    data.update(
        display_name=contact.display_name,
        also_types=[kind.value for kind in getattr(contact, "also_types", ())],
        removed_in_crm=removed_in_crm(contact),
        last_touch={"date": touch.occurred_on.isoformat(), "kind": touch.kind.value,
                    "captured": getattr(touch, "capture_day", None) is not None} if touch else None,
        days_since_touch=state.idle_days,
        window_days=state.window_days,
        staleness=state.staleness.value,
        engaged=state.engaged,
        quadrant=state.quadrant.value if state.quadrant else None,
        strategy=_strategy_json(state.strategy),
    )
    return data


def _strategy_json(strategy) -> dict[str, Any] | None:
    if strategy is None:
        return None
    return {"approach": strategy.approach, "cadence": strategy.cadence.value, "cadence_days": strategy.cadence.days,
            "channel": strategy.channel.value if strategy.channel else None, "status": strategy.status_label}


def _change_json(change) -> dict[str, Any]:
    return {"contact_id": change.contact_id, "field": change.field, "old": change.old_value, "new": change.new_value,
            "changed_by": change.changed_by, "changed_at": change.changed_at.isoformat()}


def to_json_data(assessment: Assessment, history: Sequence = ()) -> dict[str, Any]:
    """The whole map as plain data; `history` (app.services.history.account_history) is included oldest first."""
    account = assessment.account
    return {
        "account": {
            "name": account.name,
            "arr": str(account.arr_amount) if account.arr_amount is not None else None,
            "currency": account.currency,
            "renewal_date": account.renewal_date.isoformat() if account.renewal_date else None,
            "owner_user_id": account.owner_user_id,
        },
        "date": assessment.today.isoformat(),
        "contacts": [_contact_json(s) for s in (*assessment.active, *assessment.not_engaged, *assessment.departed)],
        "coverage": [
            {"dimension": d.key, "label": d.label, "status": d.coverage.name.lower(), "symbol": d.coverage.value,
             "detail": d.status, "risk": d.risk.label, "risk_note": d.risk_note}
            for d in assessment.dimensions
        ],
        "risk_factors": [
            {"factor": f.key, "label": f.label, "risk": f.risk.label, "rationale": f.rationale, "applies": f.applies}
            for f in assessment.factors
        ],
        "overall_risk": assessment.overall_risk.label,
        "single_thread": {
            "contact_id": assessment.single_thread_on.id if assessment.single_thread_on else None,
            "summary": assessment.single_thread_summary,
        },
        "plan": [
            {"contact_id": s.contact_id, "target_role": s.target_role, "path": s.path, "first_action": s.first_action,
             "timeline": s.timeline.value, "due_date": s.due_date.isoformat() if s.due_date else None}
            for s in assessment.plan_steps
        ],
        "suggestions": [
            {"key": s.key, "target": s.target_label, "contact_id": s.contact_id, "path": s.path,
             "first_action": s.first_action, "timeline": s.timeline.value}
            for s in assessment.suggestions
        ],
        "history": [_change_json(change) for change in history],
    }
