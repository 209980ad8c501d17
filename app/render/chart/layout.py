"""Where everything goes on an account's picture: pure layout, no drawing, no I/O.

Two panels (app/render/chart/draw.py draws them from these numbers):

- The org chart, from reports-to lines. Each contact is a box under its manager; a manager whose
  reports are all leaves gets them stacked in a column, so wide teams stay narrow. Only as many
  boxes as stay legible are shown, the most important first (active before not engaged before
  departed, then by stakeholder type, seniority and name); every other contact is counted in one
  "+N more" box under its nearest shown manager. A contact whose manager is unknown, from another
  account, or part of a reports-to cycle is drawn at the top.
- The influence × interest grid (Mendelow): manage closely, keep satisfied, keep informed,
  monitor. Each axis has three levels drawn as equal cells; *Medium counts on the high side*, one
  cell nearer the midline than High, so a medium-influence contact who cares a lot is managed
  closely rather than only kept informed. Contacts without an influence or an interest are not
  guessed into a quadrant: they are listed beside the grid as "not rated". Departed contacts no
  longer sway anything and are left off the grid (counted in its note).

Everything is ordered by stable keys, so the same contacts always give the same layout.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from app.core.domain import (
    TYPE_PROFILES,
    ContactStatus,
    Influence,
    Level,
    Quadrant,
    Relationship,
    Sentiment,
    StakeholderType,
    quadrant_of,
)


class ChartContact(Protocol):
    id: int | None
    title: str | None
    type: StakeholderType
    level: Level | None
    influence: Influence | None
    interest: Influence | None
    relationship: Relationship
    sentiment: Sentiment
    status: ContactStatus
    reports_to_id: int | None

    @property
    def display_name(self) -> str: ...


_STATUS_ORDER = {ContactStatus.ACTIVE: 0, ContactStatus.NOT_ENGAGED: 1, ContactStatus.LEFT: 2}


def importance(contact: ChartContact) -> tuple:
    """Who gets a box (and a label) first when not everyone fits."""
    seniority = contact.level.seniority if contact.level else len(Level)
    return (_STATUS_ORDER[contact.status], TYPE_PROFILES[contact.type].rank, seniority,
            contact.display_name.casefold(), contact.id or 0)


# --- org chart -------------------------------------------------------------------------------------

MAX_BOXES = 36  # contact boxes; the rest are counted in "+N more" boxes
MAX_REPORTS = 6  # boxes under one manager (a "+N more" box may follow)
MAX_WIDTH = 10  # columns
MAX_HEIGHT = 9.5  # rows (a stacked report takes STACK_STEP of a row)
CANDIDATES = 200  # the most important contacts tried for a box; everyone after them is counted
STACK_STEP = 0.75
TOP = "top"


@dataclass(frozen=True)
class OrgBox:
    key: str  # "c12" for contact 12; "more:c12" / "more:top" for the group under c12 / at the top
    contact_id: int | None  # None for a group box
    members: tuple[int, ...]  # the contacts a group box stands for (empty for a contact's box)
    parent: str | None  # key of the box it hangs under; None on the top row
    x: float  # centre, in columns
    y: float  # centre, in rows from the top
    stacked: bool  # hangs from its manager's side spine (a column of reports), not from above


@dataclass(frozen=True)
class OrgLayout:
    boxes: tuple[OrgBox, ...]
    width: float  # columns
    height: float  # rows

    def box_for(self, contact_id: int) -> OrgBox:
        """The box that shows this contact: its own, or the group box it was counted in."""
        for box in self.boxes:
            if box.contact_id == contact_id or contact_id in box.members:
                return box
        raise KeyError(contact_id)

    def by_key(self, key: str) -> OrgBox:
        return next(box for box in self.boxes if box.key == key)


def _key(contact_id: int) -> str:
    return f"c{contact_id}"


def managers(contacts: Sequence[ChartContact]) -> dict[int, int | None]:
    """Each contact's manager among these contacts; unknown managers and cycles end at the top."""
    ids = {c.id for c in contacts}
    manager = {c.id: (c.reports_to_id if c.reports_to_id in ids and c.reports_to_id != c.id else None)
               for c in contacts}
    for start in sorted(manager):
        path: list[int] = []
        node: int | None = start
        while node is not None and node not in path:
            path.append(node)
            node = manager[node]
        if node is not None:  # walked back into the path: cut the cycle at its lowest id
            cycle = path[path.index(node):]
            manager[min(cycle)] = None
    return manager


def org_layout(contacts: Sequence[ChartContact]) -> OrgLayout:
    """Show contacts in order of importance (with their managers) while the chart stays legible."""
    order = sorted(contacts, key=importance)
    manager = managers(order)
    shown: set[int] = set()
    best = _arrange(order, manager, shown)
    for contact in order[:CANDIDATES]:
        chain = _chain(contact.id, manager)
        new = [c for c in chain if c not in shown]
        if not new or len(shown) + len(new) > MAX_BOXES:
            continue
        candidate = _arrange(order, manager, shown | set(new))
        if _legible(candidate):
            shown |= set(new)
            best = candidate
    return best


def _chain(contact_id: int, manager: Mapping[int, int | None]) -> list[int]:
    chain = [contact_id]
    while manager[chain[-1]] is not None:
        chain.append(manager[chain[-1]])
    return chain


def _legible(layout: OrgLayout) -> bool:
    reports = Counter(box.parent for box in layout.boxes if box.contact_id is not None and box.parent is not None)
    return (layout.width <= MAX_WIDTH and layout.height <= MAX_HEIGHT
            and all(count <= MAX_REPORTS for count in reports.values()))


def _arrange(order: Sequence[ChartContact], manager: Mapping[int, int | None], shown: set[int]) -> OrgLayout:
    children: dict[str, list[str]] = defaultdict(list)
    grouped: dict[str, list[int]] = defaultdict(list)
    for contact in order:
        if contact.id in shown:
            boss = manager[contact.id]
            children[_key(boss) if boss is not None else TOP].append(_key(contact.id))
            continue
        boss = manager[contact.id]
        while boss is not None and boss not in shown:
            boss = manager[boss]
        grouped[_key(boss) if boss is not None else TOP].append(contact.id)
    for parent in grouped:
        children[parent].append(f"more:{parent}")
    return _place(children, grouped)


def _place(children: Mapping[str, list[str]], grouped: Mapping[str, list[int]]) -> OrgLayout:
    boxes: list[OrgBox] = []

    def stacks(key: str) -> bool:
        kids = children.get(key, [])
        return key != TOP and bool(kids) and not any(children.get(kid) for kid in kids)

    def width(key: str) -> float:
        kids = children.get(key, [])
        if not kids or stacks(key):
            return 1.0
        return sum(width(kid) for kid in kids)

    def put(key: str, parent: str | None, left: float, y: float, stacked: bool) -> None:
        span = width(key)
        x = left + span / 2
        if key != TOP:
            boxes.append(_box(key, parent, x, y, stacked, grouped))
        kids = children.get(key, [])
        below = y + 1 if key != TOP else 0.0
        if stacks(key):
            for index, kid in enumerate(kids):
                put(kid, key, left, below + index * STACK_STEP, True)
            return
        for kid in kids:
            put(kid, key if key != TOP else None, left, below, False)
            left += width(kid)

    put(TOP, None, 0.0, 0.0, False)
    total_width = width(TOP) if children.get(TOP) else 0.0
    height = max((box.y for box in boxes), default=-1.0) + 1
    return OrgLayout(tuple(boxes), total_width, height)


def _box(key: str, parent: str | None, x: float, y: float, stacked: bool, grouped: Mapping[str, list[int]]) -> OrgBox:
    if key.startswith("more:"):
        return OrgBox(key, None, tuple(grouped[key.removeprefix("more:")]), parent, x, y, stacked)
    return OrgBox(key, int(key[1:]), (), parent, x, y, stacked)


def group_summary(members: Iterable[ChartContact], kinds: int = 3) -> str:
    """'12 End User Champion, 6 Influencer, 2 Technical Lead…' for a "+N more" box."""
    counts = Counter(contact.type for contact in members)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], TYPE_PROFILES[item[0]].rank))
    text = ", ".join(f"{count} {kind.label}" for kind, count in ranked[:kinds])
    return text + ("…" if len(ranked) > kinds else "")


# --- influence × interest grid -----------------------------------------------------------------------


LEVELS = (Influence.LOW, Influence.MEDIUM, Influence.HIGH)  # cell index 0, 1, 2 on each axis
CELL = 1 / 3
NAMED_PER_CELL = 6  # a cell with more contacts names the first NAMED_WHEN_CROWDED and dots the rest
NAMED_WHEN_CROWDED = 3
ROW = 0.052  # a named row's height, in grid units (the grid is 1 x 1)
PAD = 0.03


@dataclass(frozen=True)
class GridMark:
    contact_id: int
    quadrant: Quadrant
    x: float  # interest, 0 (low) … 1 (high)
    y: float  # influence, 0 (low) … 1 (high)
    named: bool  # drawn with its name beside it (else a dot counted in the cell's "+N more")


@dataclass(frozen=True)
class GridLayout:
    marks: tuple[GridMark, ...]
    unrated: tuple[int, ...]  # active or not-engaged contacts missing influence or interest
    departed: tuple[int, ...]

    def mark_for(self, contact_id: int) -> GridMark:
        return next(mark for mark in self.marks if mark.contact_id == contact_id)


def cell_of(influence: Influence, interest: Influence) -> tuple[int, int]:
    """(column, row) of the grid cell: column by interest, row by influence (0 = low)."""
    return LEVELS.index(interest), LEVELS.index(influence)


def grid_layout(contacts: Sequence[ChartContact]) -> GridLayout:
    cells: dict[tuple[int, int], list[ChartContact]] = defaultdict(list)
    unrated, departed = [], []
    for contact in sorted(contacts, key=importance):
        if contact.status == ContactStatus.LEFT:
            departed.append(contact.id)
        elif quadrant_of(contact.influence, contact.interest) is None:
            unrated.append(contact.id)
        else:
            cells[cell_of(contact.influence, contact.interest)].append(contact)
    marks = [mark for cell in sorted(cells) for mark in _cell_marks(cell, cells[cell])]
    return GridLayout(tuple(marks), tuple(unrated), tuple(departed))


def _cell_marks(cell: tuple[int, int], members: Sequence[ChartContact]) -> list[GridMark]:
    column, row = cell
    left, top = column * CELL + PAD, (row + 1) * CELL - PAD - ROW / 2
    named = len(members) if len(members) <= NAMED_PER_CELL else NAMED_WHEN_CROWDED
    marks = [_mark(c, left, top - index * ROW, True) for index, c in enumerate(members[:named])]
    rest = members[named:]
    if rest:
        # the dots fill what is left of the cell below the named rows, in a grid of equal pitch
        area_top = top - named * ROW
        width, height = CELL - 2 * PAD, area_top - (row * CELL + PAD)
        columns = max(1, math.ceil(math.sqrt(len(rest) * width / height)))
        pitch = min(width / columns, height / math.ceil(len(rest) / columns))
        marks += [_mark(c, left + (i % columns) * pitch, area_top - (i // columns) * pitch, False)
                  for i, c in enumerate(rest)]
    return marks


def _mark(contact: ChartContact, x: float, y: float, named: bool) -> GridMark:
    quadrant = quadrant_of(contact.influence, contact.interest)
    return GridMark(contact.id, quadrant, round(x, 6), round(y, 6), named)


def quadrant_bounds(quadrant: Quadrant) -> tuple[float, float, float, float]:
    """(x0, y0, x1, y1) of a quadrant on the 1 x 1 grid: the high side spans Medium and High."""
    x_high = quadrant in (Quadrant.MANAGE_CLOSELY, Quadrant.KEEP_INFORMED)
    y_high = quadrant in (Quadrant.MANAGE_CLOSELY, Quadrant.KEEP_SATISFIED)
    x0, x1 = (CELL, 1.0) if x_high else (0.0, CELL)
    y0, y1 = (CELL, 1.0) if y_high else (0.0, CELL)
    return x0, y0, x1, y1


# --- words for screen readers --------------------------------------------------------------------------


def alt_text(account_name: str, contacts: Sequence[ChartContact], org: OrgLayout, grid: GridLayout,
             limit: int = 1000) -> str:
    """What the picture shows, in words (Slack's alt text for the file)."""
    people = {c.id: c for c in contacts}
    tops = [people[b.contact_id].display_name for b in org.boxes if b.parent is None and b.contact_id is not None]
    parts = [f"Stakeholder picture of {account_name}: {len(contacts)} contacts."]
    if tops:
        parts.append(f"Org chart top: {', '.join(tops)}.")
    by_quadrant: dict[Quadrant, list[str]] = defaultdict(list)
    for mark in grid.marks:
        by_quadrant[mark.quadrant].append(people[mark.contact_id].display_name)
    for quadrant in Quadrant:
        names = by_quadrant.get(quadrant, [])
        listed = ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
        parts.append(f"{quadrant.value}: {listed or 'nobody'}.")
    if grid.unrated:
        parts.append(f"Not rated: {len(grid.unrated)}.")
    if grid.departed:
        parts.append(f"Left the company: {len(grid.departed)}.")
    text = " ".join(parts)
    return text if len(text) <= limit else text[: limit - 1] + "…"
