"""Drawing the account picture with matplotlib (Agg, no pyplot: safe in listener threads).

The layout (app/render/chart/layout.py) decides where everything goes; this module only paints it. The
PNG carries no timestamp or software version, so the same data gives the same bytes.
"""

from __future__ import annotations

import io
import textwrap
import warnings
from collections.abc import Sequence
from datetime import date

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyBboxPatch, Patch, Rectangle

from app.core.domain import ContactStatus, Relationship, Sentiment, StakeholderType
from app.core.format import long_date, truncate
from app.core.models import UNKNOWN_NAME
from app.render.chart.layout import (
    CELL,
    LEVELS,
    ChartContact,
    GridLayout,
    OrgBox,
    OrgLayout,
    Quadrant,
    group_summary,
    quadrant_bounds,
)

DPI = 100
COLUMN_IN = 2.0  # one org-chart column, inches
ROW_IN = 0.95  # one org-chart row, inches
BOX_W, BOX_H = 0.9, 0.62  # a box, in columns / rows
GRID_MIN_IN, GRID_MAX_IN = 6.0, 8.5
SIDE_IN = 5.2  # the legend column right of the grid
MARGIN_IN = 0.7

RELATIONSHIP_COLOURS = {
    Relationship.STRONG: "#15803d",
    Relationship.ADEQUATE: "#2563eb",
    Relationship.WEAK: "#ea580c",
    Relationship.NONE: "#9ca3af",
}
SENTIMENT_FILLS = {
    Sentiment.ADVOCATE: "#86efac",
    Sentiment.SUPPORTIVE: "#d9f99d",
    Sentiment.NEUTRAL: "#f3f4f6",
    Sentiment.SKEPTICAL: "#fde68a",
    Sentiment.DETRACTOR: "#fca5a5",
}
TYPE_MARKERS = {
    StakeholderType.CHAMPION: ("*", "#b45309", 11),
    StakeholderType.ECONOMIC_BUYER: ("D", "#7c3aed", 6),
    StakeholderType.DECISION_MAKER: ("s", "#1d4ed8", 6),
    StakeholderType.EXECUTIVE_SPONSOR: ("^", "#0f766e", 7),
    StakeholderType.DETRACTOR: ("X", "#dc2626", 7),
    StakeholderType.TECHNICAL_LEAD: ("o", "#0284c7", 6),
    StakeholderType.END_USER_CHAMPION: ("v", "#16a34a", 7),
    StakeholderType.INFLUENCER: ("P", "#db2777", 7),
    StakeholderType.GATEKEEPER: ("h", "#4b5563", 7),
}
QUADRANT_FILLS = {
    Quadrant.MANAGE_CLOSELY: "#fee2e2",
    Quadrant.KEEP_SATISFIED: "#fef3c7",
    Quadrant.KEEP_INFORMED: "#dbeafe",
    Quadrant.MONITOR: "#f3f4f6",
}
STATUS_TAGS = {ContactStatus.NOT_ENGAGED: "not engaged", ContactStatus.LEFT: "left"}
STATUS_LINES = {ContactStatus.ACTIVE: "-", ContactStatus.NOT_ENGAGED: ":", ContactStatus.LEFT: "--"}
TEXT = dict(parse_math=False, fontfamily="DejaVu Sans")  # names with "$" are text, not maths


def render_png(account_name: str, today: date, contacts: Sequence[ChartContact], org: OrgLayout,
               grid: GridLayout) -> bytes:
    """The two-panel picture as PNG bytes."""
    people = {c.id: c for c in contacts}
    org_w = max(org.width, 1) * COLUMN_IN
    width = max(org_w, GRID_MIN_IN + SIDE_IN) + 2 * MARGIN_IN
    grid_in = min(GRID_MAX_IN, max(GRID_MIN_IN, (width - 2 * MARGIN_IN) * 0.45))
    org_h = (max(org.height, 1) + 0.1) * ROW_IN
    height = 1.0 + org_h + 0.9 + grid_in + 0.9
    figure = Figure(figsize=(width, height), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)
    figure.text(MARGIN_IN / width, 1 - 0.45 / height, f"{truncate(account_name, 80)} — stakeholders, "
                f"{long_date(today)}", fontsize=15, fontweight="bold", va="center", **TEXT)
    org_axes = figure.add_axes(((width - org_w) / 2 / width, (height - 1.0 - org_h) / height,
                                org_w / width, org_h / height))
    _draw_org(org_axes, org, people)
    grid_axes = figure.add_axes((MARGIN_IN / width, 0.9 / height, grid_in / width, grid_in / height))
    _draw_grid(grid_axes, grid, people)
    side = figure.add_axes(((MARGIN_IN + grid_in + 0.5) / width, 0.9 / height, SIDE_IN / width, grid_in / height))
    _draw_legend(side, grid, people)
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a glyph missing from the font becomes a box, not a warning
        figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


# --- org chart ------------------------------------------------------------------------------------


def _draw_org(axes, org: OrgLayout, people: dict) -> None:
    axes.set_xlim(0, max(org.width, 1))
    axes.set_ylim(max(org.height, 1) - 0.45, -0.55)
    axes.axis("off")
    axes.set_title("Org chart (reports-to lines)", loc="left", fontsize=11, pad=8, **TEXT)
    if not org.boxes:
        axes.text(0.5, 0.5, "No contacts yet", ha="center", va="center", fontsize=11, color="#6b7280", **TEXT)
        return
    for box in org.boxes:
        if box.parent is not None:
            _connector(axes, org.by_key(box.parent), box)
    for box in org.boxes:
        if box.contact_id is None:
            _group_box(axes, box, [people[i] for i in box.members])
        else:
            _contact_box(axes, box, people[box.contact_id])


def _connector(axes, parent: OrgBox, child: OrgBox) -> None:
    style = dict(color="#6b7280", linewidth=1.0, zorder=1)
    if child.stacked:
        spine = parent.x - BOX_W / 2 + 0.04
        axes.plot([spine, spine, child.x - BOX_W / 2 + 0.08], [parent.y + BOX_H / 2, child.y, child.y], **style)
        return
    middle = (parent.y + child.y) / 2
    axes.plot([parent.x, parent.x, child.x, child.x],
              [parent.y + BOX_H / 2, middle, middle, child.y - BOX_H / 2], **style)


def _frame(axes, box: OrgBox, fill: str, edge: str, line: str, width: float, hatch: str | None = None) -> None:
    x = box.x - BOX_W / 2 + (0.08 if box.stacked else 0)
    axes.add_patch(FancyBboxPatch((x, box.y - BOX_H / 2), BOX_W - (0.08 if box.stacked else 0), BOX_H,
                                  boxstyle="round,pad=0,rounding_size=0.06", facecolor=fill, edgecolor=edge,
                                  linestyle=line, linewidth=width, hatch=hatch, hatchcolor="#d1d5db", zorder=2))


def _contact_box(axes, box: OrgBox, contact: ChartContact) -> None:
    left = contact.status == ContactStatus.LEFT
    fill = "#ffffff" if left else SENTIMENT_FILLS[contact.sentiment]
    edge = "#9ca3af" if left else RELATIONSHIP_COLOURS[contact.relationship]
    _frame(axes, box, fill, edge, STATUS_LINES[contact.status], 2.4, hatch="///" if left else None)
    marker, colour, size = TYPE_MARKERS[contact.type]
    text_x = _text_x(box)
    axes.plot([text_x - 0.06], [box.y - BOX_H / 2 + 0.14], marker=marker, color=colour, markersize=size * 0.8,
              zorder=3)
    named = bool(getattr(contact, "name", None))
    first = contact.display_name if named else (contact.title or contact.display_name)
    tag = STATUS_TAGS.get(contact.status, "")
    second = (contact.title or "") if named else UNKNOWN_NAME
    second = truncate(second, 27 - len(tag) - 3) + (" · " + tag if tag and second else tag)
    _lines(axes, box, [(first, 8.2, "bold"), (second, 7.3, "normal"), (contact.type.label, 7.3, "normal")],
           ink="#6b7280" if left else "#111827", italic=not named or contact.status != ContactStatus.ACTIVE)


def _group_box(axes, box: OrgBox, members: Sequence[ChartContact]) -> None:
    _frame(axes, box, "#ffffff", "#6b7280", "--", 1.2)
    kinds = group_summary(members, kinds=2).split(", ")
    lines = [(f"+{len(members)} more", 8.4, "bold")] + [(kind, 7.0, "normal") for kind in kinds]
    _lines(axes, box, lines, ink="#374151", italic=False)


def _text_x(box: OrgBox) -> float:
    return box.x - BOX_W / 2 + (0.2 if box.stacked else 0.12)


def _lines(axes, box: OrgBox, lines: Sequence[tuple[str, float, str]], ink: str, italic: bool) -> None:
    top = box.y - BOX_H / 2
    for index, (text, size, weight) in enumerate(lines[:3]):
        if text:
            fits = int((170 if weight == "bold" else 190) / size)  # characters that fit the box at this size
            axes.text(_text_x(box), top + 0.14 + index * 0.17, truncate(text, fits), fontsize=size, fontweight=weight,
                      fontstyle="italic" if italic and index < 2 else "normal", color=ink, va="center", zorder=3,
                      **TEXT)


# --- influence × interest grid -----------------------------------------------------------------------


def _draw_grid(axes, grid: GridLayout, people: dict) -> None:
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1)
    axes.set_title("Influence × interest (Mendelow)", loc="left", fontsize=11, **TEXT)
    for quadrant in Quadrant:
        x0, y0, x1, y1 = quadrant_bounds(quadrant)
        axes.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, facecolor=QUADRANT_FILLS[quadrant], zorder=0))
        axes.text(x1 - 0.012, y1 - 0.012 if y1 < 1 else 0.988, quadrant.value, ha="right", va="top",
                  fontsize=9, fontweight="bold", color="#374151", alpha=0.8, zorder=1, **TEXT)
    for edge in (CELL, 2 * CELL):
        strong = edge == CELL
        style = dict(color="#374151" if strong else "#d1d5db", linewidth=1.6 if strong else 0.6, zorder=1)
        axes.axvline(edge, **style)
        axes.axhline(edge, **style)
    ticks = [CELL * (i + 0.5) for i in range(3)]
    axes.set_xticks(ticks, [level.label for level in LEVELS], fontsize=8)
    axes.set_yticks(ticks, [level.label for level in LEVELS], fontsize=8)
    axes.set_xlabel("Interest in the product →", fontsize=9)
    axes.set_ylabel("Influence on the decision →", fontsize=9)
    axes.tick_params(length=0)
    hidden: dict[tuple[int, int], int] = {}
    dots: dict[tuple[StakeholderType, bool], list[tuple[float, float]]] = {}
    for mark in grid.marks:
        contact = people[mark.contact_id]
        dim = contact.status != ContactStatus.ACTIVE
        if not mark.named:  # drawn together below, one call per marker style
            dots.setdefault((contact.type, dim), []).append((mark.x + 0.01, mark.y))
            cell = (int(mark.x // CELL), int(mark.y // CELL))
            hidden[cell] = hidden.get(cell, 0) + 1
            continue
        marker, colour, size = TYPE_MARKERS[contact.type]
        axes.plot([mark.x + 0.01], [mark.y], marker=marker, color=colour, markersize=size,
                  markerfacecolor="white" if dim else colour, zorder=3)
        axes.text(mark.x + 0.03, mark.y, truncate(contact.display_name, 26), fontsize=7.4, va="center",
                  color="#6b7280" if dim else "#111827", zorder=3, **TEXT)
    for (kind, dim), points in sorted(dots.items(), key=lambda item: (item[0][0].profile.rank, item[0][1])):
        marker, colour, size = TYPE_MARKERS[kind]
        xs, ys = zip(*points, strict=True)
        axes.plot(xs, ys, linestyle="", marker=marker, color=colour, markersize=size * 0.6,
                  markerfacecolor="white" if dim else colour, zorder=3)
    for (column, row), count in sorted(hidden.items()):
        axes.text((column + 1) * CELL - 0.012, row * CELL + 0.012, f"+{count} more", ha="right", va="bottom",
                  fontsize=7.4, color="#374151", zorder=3, **TEXT)


# --- legend and notes -------------------------------------------------------------------------------------


def _draw_legend(axes, grid: GridLayout, people: dict) -> None:
    axes.axis("off")
    types = [Line2D([], [], linestyle="", marker=m, color=c, markersize=s * 0.9, label=kind.label)
             for kind, (m, c, s) in TYPE_MARKERS.items()]
    borders = [Patch(facecolor="white", edgecolor=colour, linewidth=2.2, label=f"{'No' if relationship == Relationship.NONE else relationship.label} relationship")
               for relationship, colour in RELATIONSHIP_COLOURS.items()]
    fills = [Patch(facecolor=fill, edgecolor="#d1d5db", label=sentiment.label)
             for sentiment, fill in SENTIMENT_FILLS.items()]
    statuses = [Patch(facecolor="white", edgecolor="#374151", linestyle=":", linewidth=1.6, label="Known but not engaged"),
                Patch(facecolor="white", edgecolor="#9ca3af", linestyle="--", hatch="///", hatchcolor="#d1d5db",
                      label="Left the company")]
    kwargs = dict(frameon=False, fontsize=7.6, title_fontsize=8.4, alignment="left")
    first = axes.legend(handles=types, title="Stakeholder type (marker)", loc="upper left", **kwargs)
    axes.add_artist(first)
    second = axes.legend(handles=borders + statuses, title="Box border", loc="upper right", **kwargs)
    axes.add_artist(second)
    axes.legend(handles=fills, title="Box fill: sentiment", loc="upper right", bbox_to_anchor=(1.0, 0.6), **kwargs)
    notes = ["Medium counts on the high side of each axis.", "Hollow markers: not engaged."]
    if grid.unrated:
        names = [people[i].display_name for i in grid.unrated]
        listed = ", ".join(truncate(n, 30) for n in names[:10]) + (f" and {len(names) - 10} more" if len(names) > 10 else "")
        notes.append(f"Not rated (set influence and interest): {listed}.")
    if grid.departed:
        notes.append(f"Left the company, not placed: {len(grid.departed)}.")
    axes.text(0.0, 0.0, _wrap(notes, 70), fontsize=7.6, va="bottom", ha="left", color="#374151",
              transform=axes.transAxes, **TEXT)


def _wrap(notes: Sequence[str], width: int) -> str:
    return "\n".join(line for note in notes for line in textwrap.wrap(note, width)[:6])
