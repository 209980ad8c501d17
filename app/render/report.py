"""The leader's report on the command line: text, markdown, CSV and JSON (`stakemap report --format`)."""

from __future__ import annotations

import csv
import io

from app.core.format import long_date
from app.core.report import Money, Report, accounts_text, change_text, money_text, percent_text, rates_text

NOBODY = "(no owner)"


def scope_text(report: Report) -> str:
    return f"the accounts of {report.owner_user_id}" if report.owner_user_id else "every account"


def headline_rows(report: Report) -> list[tuple[str, str, str, str]]:
    """(label, amount, % of renewing ARR, change vs 4 weeks ago) per headline."""
    return [(h.label, money_text(h.now), percent_text(h.share) if h.key != "renewing" else "", change_text(h))
            for h in report.headlines]


def to_text(report: Report, markdown: bool = False) -> str:
    bold = (lambda s: f"**{s}**") if markdown else (lambda s: s)
    head = "# " if markdown else ""
    sub = "## " if markdown else ""
    lines = [f"{head}Portfolio report — {long_date(report.today)} ({report.week})",
             f"{accounts_text(report.accounts)} ({scope_text(report)}); renewals up to {long_date(report.horizon_end)}.",
             rates_text(report), "", f"{sub}Renewing in the next 90 days (change vs {report.compared_week})"]
    for label, amount, share, change in headline_rows(report):
        share = f" ({share})" if share else ""
        lines.append(f"- {bold(label)}: {amount}{share} · {change}")
    lines += ["", f"{sub}By risk"]
    lines += [f"- {row.risk.label}: {accounts_text(row.accounts)}, {money_text(row.arr)}" for row in report.by_risk]
    lines += ["", f"{sub}Per CSM (touches: last 7 / 30 days)"]
    for row in report.csms:
        lines.append(f"- {bold(row.user_id or NOBODY)}: {row.accounts} accounts, {money_text(row.arr)}; high risk "
                     f"{money_text(row.high_risk_arr)}; {row.overdue} overdue; touches {row.touches_7} / {row.touches_30}")
    lines += ["", f"{sub}Largest renewals at risk"]
    if not report.at_risk:
        lines.append("- none: no high- or medium-risk account renews in the next 90 days")
    for item in report.at_risk:
        lines.append(f"- {bold(item.name)} ({item.risk.label}): {money_text(item.arr)}, renews "
                     f"{long_date(item.renewal_date)}, {item.owner_user_id or NOBODY} — {item.reason}")
    lines += ["", f"{sub}Weekly trend"]
    for point in report.trend:
        if not point.taken:
            lines.append(f"- {point.week}: no snapshot")
            continue
        lines.append(f"- {point.week}: single-threaded {percent_text(point.single_threaded_percent)} of "
                     f"{money_text(point.renewing)}; high-risk ARR {money_text(point.high_risk)}; "
                     f"{point.engaged_per_account} engaged contacts per account")
    return "\n".join(lines) + "\n"


def to_markdown(report: Report) -> str:
    return to_text(report, markdown=True)


def _money_json(money: Money) -> dict[str, str]:
    return {currency: str(amount) for currency, amount in money.items()}


def to_json_data(report: Report) -> dict:
    return {
        "team_id": report.team_id, "owner": report.owner_user_id, "today": report.today.isoformat(),
        "week": report.week, "compared_week": report.compared_week, "accounts": report.accounts,
        "reporting_currency": report.rates.currency,
        "rates_used": {currency: str(rate) for currency, rate in report.rates_used},
        "headlines": [{"key": h.key, "label": h.label, "now": _money_json(h.now),
                       "then": None if h.then is None else _money_json(h.then),
                       "change": None if h.change is None else _money_json(h.change),
                       "percent": {c: str(v) for c, v in h.share.items()}} for h in report.headlines],
        "by_risk": [{"risk": row.risk.label.lower(), "accounts": row.accounts, "arr": _money_json(row.arr)}
                    for row in report.by_risk],
        "csms": [{"user": row.user_id, "accounts": row.accounts, "arr": _money_json(row.arr),
                  "high_risk_arr": _money_json(row.high_risk_arr), "overdue": row.overdue,
                  "touches_7": row.touches_7, "touches_30": row.touches_30} for row in report.csms],
        "at_risk": [{"account_id": item.account_id, "name": item.name, "owner": item.owner_user_id,
                     "renewal_date": item.renewal_date.isoformat(), "arr": _money_json(item.arr),
                     "risk": item.risk.label.lower(), "reason": item.reason} for item in report.at_risk],
        "trend": [{"week": p.week, "taken": p.taken, "accounts": p.accounts, "engaged": p.engaged,
                   "renewing": _money_json(p.renewing), "single_threaded": _money_json(p.single_threaded),
                   "high_risk": _money_json(p.high_risk)} for p in report.trend],
    }


def to_csv(report: Report) -> str:
    """One row per figure: section, item, currency, value (spreadsheet-friendly, one currency per row)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["section", "item", "measure", "currency", "value"])

    def money_rows(section: str, item: str, measure: str, money: Money) -> None:
        for currency, amount in sorted(money.items()):
            writer.writerow([section, item, measure, currency, amount])

    for h in report.headlines:
        money_rows("renewing_90_days", h.key, "arr", h.now)
        if h.change is not None:
            money_rows("renewing_90_days", h.key, f"change_vs_{report.compared_week}", h.change)
    for row in report.by_risk:
        writer.writerow(["by_risk", row.risk.label.lower(), "accounts", "", row.accounts])
        money_rows("by_risk", row.risk.label.lower(), "arr", row.arr)
    for row in report.csms:
        who = row.user_id or NOBODY
        for measure in ("accounts", "overdue", "touches_7", "touches_30"):
            writer.writerow(["csm", who, measure, "", getattr(row, measure)])
        money_rows("csm", who, "arr", row.arr)
        money_rows("csm", who, "high_risk_arr", row.high_risk_arr)
    for item in report.at_risk:
        money_rows("at_risk", item.name, f"arr renewing {item.renewal_date.isoformat()}: {item.reason}", item.arr)
    for p in report.trend:
        if p.taken:
            money_rows("trend", p.week, "single_threaded_arr", p.single_threaded)
            money_rows("trend", p.week, "renewing_arr", p.renewing)
            money_rows("trend", p.week, "high_risk_arr", p.high_risk)
            writer.writerow(["trend", p.week, "engaged_per_account", "", p.engaged_per_account])
    return out.getvalue()
