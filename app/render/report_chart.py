"""The leader's trend picture: the last weeks' snapshots as one PNG with three panels (SPEC §7).

% of the 90-day renewal ARR that is single-threaded, high-risk ARR, engaged contacts per account —
one line per currency where ARR is not converted. A week without a snapshot is a gap in the lines,
never an invented point. Agg without pyplot, fixed font, no timestamp or software in the PNG: the
same report gives the same bytes.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from app.core.format import long_date
from app.core.report import Report, TrendPoint
from app.render.report import money_text, percent_text

DPI = 100
WIDTH_IN, HEIGHT_IN = 9.0, 9.6
COLOURS = ("#1d4ed8", "#b45309", "#15803d", "#7c3aed", "#db2777", "#0f766e")
TEXT = dict(parse_math=False, fontfamily="DejaVu Sans")


@dataclass(frozen=True)
class TrendChart:
    png: bytes
    title: str
    alt_text: str
    filename: str


def _currencies(points: list[TrendPoint], attribute: str) -> list[str]:
    return sorted({c for p in points if p.taken for c in getattr(p, attribute)})


def trend_alt_text(report: Report) -> str:
    taken = [p for p in report.trend if p.taken]
    if not taken:
        return (f"Coverage trend of the last {len(report.trend)} weeks: no weekly snapshot yet, so the chart "
                f"is empty.")
    first, last = taken[0], taken[-1]
    return (f"Coverage trend, {first.week} to {last.week} ({len(taken)} of {len(report.trend)} weeks with a "
            f"snapshot). Single-threaded share of the ARR renewing within 90 days: "
            f"{percent_text(first.single_threaded_percent)} then, {percent_text(last.single_threaded_percent)} "
            f"now. High-risk ARR: {money_text(first.high_risk)} then, {money_text(last.high_risk)} now. Engaged "
            f"contacts per account: {first.engaged_per_account} then, {last.engaged_per_account} now.")


def draw_trend(report: Report) -> TrendChart:
    """Draw the report's trend weeks; pure apart from matplotlib (no database, no clock)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    points = report.trend
    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)
    whose = f" — {report.owner_user_id}" if report.owner_user_id else ""
    figure.suptitle(f"Relationship coverage, last {len(points)} weeks{whose} (to {long_date(report.today)})",
                    fontsize=14, fontweight="bold", **TEXT)
    axes = figure.subplots(3, 1, sharex=True)
    x = list(range(len(points)))
    _lines(axes[0], points, x, "single_threaded_percent", "% of 90-day renewal ARR single-threaded")
    _lines(axes[1], points, x, "high_risk", "High-risk ARR")
    engaged = [float(p.engaged_per_account) if p.taken and p.engaged_per_account is not None else float("nan")
               for p in points]
    axes[2].plot(x, engaged, marker="o", color=COLOURS[2], linewidth=2)
    axes[2].set_title("Engaged contacts per account", loc="left", fontsize=11, **TEXT)
    for ax in axes:
        ax.grid(True, color="#e5e7eb")
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    axes[0].set_ylim(0, 108)
    for ax in axes[1:]:  # room above the highest point, so no marker is cut
        ax.set_ylim(0, max(ax.get_ylim()[1] * 1.15, 1))
    axes[2].set_xticks(x, [p.week.split("-")[1] if p.taken else f"{p.week.split('-')[1]}\n(none)" for p in points],
                       fontsize=9, **TEXT)
    if not any(p.taken for p in points):
        axes[1].text(0.5, 0.5, "No weekly snapshot yet", transform=axes[1].transAxes, ha="center", fontsize=13, **TEXT)
    figure.subplots_adjust(left=0.1, right=0.97, top=0.92, bottom=0.07, hspace=0.35)
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return TrendChart(png=buffer.getvalue(), title="stakemap: relationship coverage trend",
                      alt_text=trend_alt_text(report), filename=f"stakemap-coverage-{report.week}.png")


def _lines(ax, points: list[TrendPoint], x: list[int], attribute: str, title: str) -> None:
    currencies = _currencies(points, attribute)
    for n, currency in enumerate(currencies):
        values = [float(getattr(p, attribute).get(currency, 0)) if p.taken else float("nan") for p in points]
        ax.plot(x, values, marker="o", color=COLOURS[n % len(COLOURS)], linewidth=2, label=currency)
    ax.set_title(title, loc="left", fontsize=11, **TEXT)
    if currencies:
        ax.legend(loc="upper right", fontsize=9, frameon=False)
    ax.yaxis.set_major_formatter(_thousands())


def _thousands():
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda value, _pos: f"{value:,.0f}")
