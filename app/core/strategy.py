"""Engagement strategy (SPEC §7, seeds 000 and 001): how we engage each person, and how often. Pure.

Each contact has a strategy: an approach (one short sentence), a cadence and a channel. A contact
without one of its own is shown a *proposal* from one table, keyed on its stakeholder type, its
Mendelow quadrant (influence × interest, `app.core.domain.quadrant_of`) and its sentiment. The first
row that matches wins; an empty key ("any") matches everything. The seeds' examples are its first
rows; a workspace may replace the table (workspace.config, `stakemap strategy table --import`).

A proposal stays a proposal, recomputed as the contact changes (a detractor's "every 2 weeks" lasts
until the sentiment improves), until the CSM accepts it (stored as written, origin "accepted") or
writes their own (origin "own"). Only a stored strategy's cadence is a staleness window
(`app.core.assessment.staleness_window`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Protocol

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from app.core.domain import (
    Cadence,
    ContactStatus,
    Influence,
    Quadrant,
    Sentiment,
    StakeholderType,
    StrategyOrigin,
    TouchKind,
    quadrant_of,
)
from app.core.errors import StakemapError
from app.core.format import one_line
from app.core.models import APPROACH_MAX

if TYPE_CHECKING:
    from app.core.assessment import ContactState

TABLE_MAX_ROWS = 200
ANY = "any"


class StrategyContact(Protocol):
    type: StakeholderType
    influence: Influence | None
    interest: Influence | None
    sentiment: Sentiment
    status: ContactStatus
    strategy_approach: str | None
    strategy_cadence: Cadence | None
    strategy_channel: TouchKind | None
    strategy_origin: StrategyOrigin | None


@dataclass(frozen=True)
class Strategy:
    approach: str
    cadence: Cadence
    channel: TouchKind | None
    origin: StrategyOrigin | None  # None: proposed from the table, not accepted yet

    @property
    def proposed(self) -> bool:
        return self.origin is None

    @property
    def status_label(self) -> str:
        return {None: "proposed", StrategyOrigin.ACCEPTED: "accepted", StrategyOrigin.OWN: "own"}[self.origin]

    @property
    def terms(self) -> str:
        """"monthly · call" — how often, and where."""
        how_often = self.cadence.label.lower() if self.cadence != Cadence.NONE else "no fixed cadence"
        return f"{how_often} · {self.channel.label}" if self.channel else how_often

    def stored(self, origin: StrategyOrigin) -> dict[str, Any]:
        """The contact's columns that keep this strategy (accepting a proposal writes them)."""
        return {"strategy_approach": self.approach, "strategy_cadence": self.cadence,
                "strategy_channel": self.channel, "strategy_origin": origin}


# --- the proposal table ------------------------------------------------------------------------------


def _any_or(kind):
    def parse(value: Any) -> Any:
        if value is None or (isinstance(value, str) and value.strip().casefold() in ("", ANY, "*")):
            return None
        return kind.parse(value) if isinstance(value, str) and hasattr(kind, "parse") else value
    return BeforeValidator(parse)


def _quadrant(value: Any) -> Any:
    if value is None or (isinstance(value, str) and value.strip().casefold() in ("", ANY, "*")):
        return None
    if isinstance(value, str):
        key = "".join(ch for ch in value.casefold() if ch.isalnum())
        for quadrant in Quadrant:
            if key in ("".join(ch for ch in quadrant.value.casefold() if ch.isalnum()), quadrant.name.casefold().replace("_", "")):
                return quadrant
        raise ValueError(f"'{value}' is not one of: any, {', '.join(q.value for q in Quadrant)}")
    return value


def _approach(value: Any) -> Any:
    return one_line(value) if isinstance(value, str) else value


class ProposalRow(BaseModel):
    """One row of the table: when (type, quadrant, sentiment; None = any), propose this."""

    model_config = ConfigDict(frozen=True)

    type: Annotated[StakeholderType | None, _any_or(StakeholderType)] = None
    quadrant: Annotated[Quadrant | None, BeforeValidator(_quadrant)] = None
    sentiment: Annotated[Sentiment | None, _any_or(Sentiment)] = None
    approach: Annotated[str, BeforeValidator(_approach), Field(min_length=1, max_length=APPROACH_MAX)]
    cadence: Annotated[Cadence, _any_or(Cadence)]
    channel: Annotated[TouchKind | None, _any_or(TouchKind)] = None

    def matches(self, kind: StakeholderType, quadrant: Quadrant | None, sentiment: Sentiment) -> bool:
        return ((self.type is None or self.type == kind) and (self.quadrant is None or self.quadrant == quadrant)
                and (self.sentiment is None or self.sentiment == sentiment))

    def strategy(self) -> Strategy:
        return Strategy(self.approach, self.cadence, self.channel, None)


def _row(kind, quadrant, sentiment, approach, cadence, channel) -> ProposalRow:
    return ProposalRow(type=kind, quadrant=quadrant, sentiment=sentiment, approach=approach, cadence=cadence,
                       channel=channel)


T, Q, S, C, K = StakeholderType, Quadrant, Sentiment, Cadence, TouchKind
DETRACTOR_APPROACH = "Meet to hear objections; agree one fix"
FALLBACK = _row(None, None, None, "Quarterly check-in on their goals; rate influence and interest to refine",
                C.QUARTERLY, K.EMAIL)

# The defaults. First the seeds' own examples (seed 001: "regular check-ins with decision-makers, training
# sessions for end-users, ROI reports to executive stakeholders"; seed 000: detractors "must be identified
# and addressed", "engage deliberately"), then a row per type and quadrant, then per quadrant, then any.
DEFAULT_TABLE: tuple[ProposalRow, ...] = (
    _row(None, None, S.DETRACTOR, DETRACTOR_APPROACH, C.EVERY_2_WEEKS, K.MEETING),
    _row(T.DETRACTOR, None, None, DETRACTOR_APPROACH, C.EVERY_2_WEEKS, K.MEETING),
    _row(T.ECONOMIC_BUYER, Q.KEEP_SATISFIED, None, "Quarterly ROI review with the CFO's priorities", C.QUARTERLY, K.QBR),
    _row(T.END_USER_CHAMPION, Q.KEEP_INFORMED, None, "Training sessions and release notes", C.MONTHLY, K.MEETING),
    _row(T.INFLUENCER, Q.MONITOR, None, "Watch sentiment; no fixed cadence", C.NONE, K.CHAT),
    _row(T.EXECUTIVE_SPONSOR, None, None, "ROI reports to executive stakeholders; quarterly executive review",
         C.QUARTERLY, K.QBR),
    _row(T.CHAMPION, None, None, "Monthly roadmap 1:1; involve in beta", C.MONTHLY, K.CALL),
    _row(T.ECONOMIC_BUYER, Q.MANAGE_CLOSELY, None, "Monthly check-in on value delivered and budget", C.MONTHLY,
         K.MEETING),
    _row(T.ECONOMIC_BUYER, None, None, "Quarterly ROI review with the CFO's priorities", C.QUARTERLY, K.QBR),
    _row(T.DECISION_MAKER, Q.MANAGE_CLOSELY, None, "Monthly check-in on goals, ahead of any commercial conversation",
         C.MONTHLY, K.MEETING),
    _row(T.DECISION_MAKER, None, None, "Quarterly check-in on goals, ahead of any commercial conversation",
         C.QUARTERLY, K.MEETING),
    _row(T.TECHNICAL_LEAD, Q.MANAGE_CLOSELY, None, "Technical sync on adoption and open issues", C.EVERY_2_WEEKS,
         K.CALL),
    _row(T.TECHNICAL_LEAD, None, None, "Monthly technical check-in on adoption and product topics", C.MONTHLY,
         K.CALL),
    _row(T.END_USER_CHAMPION, None, None, "Training sessions and release notes; recognise their wins", C.MONTHLY,
         K.EMAIL),
    _row(T.GATEKEEPER, None, None, "Keep them briefed before every request to their leaders", C.MONTHLY, K.EMAIL),
    _row(T.INFLUENCER, Q.MANAGE_CLOSELY, None, "Monthly 1:1 to hear their view and share wins", C.MONTHLY, K.CALL),
    _row(T.INFLUENCER, None, None, "Share wins and news; hear their view", C.QUARTERLY, K.CHAT),
    _row(None, Q.MANAGE_CLOSELY, None, "Monthly check-in on their goals", C.MONTHLY, K.MEETING),
    _row(None, Q.KEEP_SATISFIED, None, "Quarterly update on outcomes and ROI", C.QUARTERLY, K.EMAIL),
    _row(None, Q.KEEP_INFORMED, None, "Monthly news and release notes", C.MONTHLY, K.EMAIL),
    _row(None, Q.MONITOR, None, "Watch sentiment; no fixed cadence", C.NONE, K.CHAT),
    FALLBACK,
)

ProposalTable = Sequence[ProposalRow]


def propose(kind: StakeholderType, quadrant: Quadrant | None, sentiment: Sentiment,
            table: ProposalTable = DEFAULT_TABLE) -> Strategy:
    """The first row of the table that matches; the fallback when a workspace's table has no match.

    Remembered per table (tuples only: they cannot change) — assessing 100,000 contacts asks the same few
    questions; a Strategy is frozen, so one answer is shared."""
    if not isinstance(table, tuple):
        return _first_match(kind, quadrant, sentiment, table)
    held = _PROPOSALS.get(id(table))
    if held is None or held[0] is not table:  # the table is held, so its id cannot be reused meanwhile
        if len(_PROPOSALS) >= 16:
            _PROPOSALS.clear()
        held = _PROPOSALS[id(table)] = (table, {})
    answers = held[1]
    key = (kind, quadrant, sentiment)
    found = answers.get(key)
    if found is None:
        found = answers[key] = _first_match(kind, quadrant, sentiment, table)
    return found


_PROPOSALS: dict[int, tuple[ProposalTable, dict[tuple, Strategy]]] = {}


def _first_match(kind: StakeholderType, quadrant: Quadrant | None, sentiment: Sentiment,
                 table: ProposalTable) -> Strategy:
    row = next((row for row in table if row.matches(kind, quadrant, sentiment)), FALLBACK)
    return row.strategy()


def own_strategy(contact: StrategyContact) -> Strategy | None:
    """The strategy stored on the contact (accepted or written by the CSM); None when it has none."""
    if not contact.strategy_approach or contact.strategy_cadence is None:
        return None
    return Strategy(contact.strategy_approach, contact.strategy_cadence, contact.strategy_channel,
                    contact.strategy_origin or StrategyOrigin.OWN)


def proposal_for(contact: StrategyContact, table: ProposalTable = DEFAULT_TABLE) -> Strategy:
    return propose(contact.type, quadrant_of(contact.influence, contact.interest), contact.sentiment, table)


def strategy_of(contact: StrategyContact, table: ProposalTable = DEFAULT_TABLE) -> Strategy:
    """The contact's strategy: its own, or the table's proposal."""
    return own_strategy(contact) or proposal_for(contact, table)


# --- group strategies (seed 001: "tailored engagement strategies for each stakeholder group") ----------

GROUP_ORDER: tuple[Quadrant | None, ...] = (*Quadrant, None)
GROUP_STRATEGY: dict[Quadrant | None, str] = {
    Quadrant.MANAGE_CLOSELY: "Decision-makers and champions: regular check-ins; involve them in decisions.",
    Quadrant.KEEP_SATISFIED: "Executives and budget holders: ROI reports on their priorities, without overloading them.",
    Quadrant.KEEP_INFORMED: "End-users and advocates: training sessions, release notes, recognition.",
    Quadrant.MONITOR: "Gatekeepers and peripheral voices: watch sentiment; a light touch.",
    None: "Not rated: set influence and interest to place them in a group.",
}


def group_label(quadrant: Quadrant | None) -> str:
    return quadrant.value if quadrant is not None else "Not rated"


@dataclass(frozen=True)
class EngagementGroup:
    quadrant: Quadrant | None
    strategy: str  # the group's strategy, in the seed's words
    members: tuple[ContactState, ...]

    @property
    def label(self) -> str:
        return group_label(self.quadrant)


def engagement_groups(active: Iterable[ContactState]) -> list[EngagementGroup]:
    """Active contacts by quadrant (manage closely … monitor, then not rated), in map order; empty groups left out."""
    members: dict[Quadrant | None, list[ContactState]] = {quadrant: [] for quadrant in GROUP_ORDER}
    for state in active:
        members[state.quadrant].append(state)
    return [EngagementGroup(quadrant, GROUP_STRATEGY[quadrant], tuple(members[quadrant]))
            for quadrant in GROUP_ORDER if members[quadrant]]


# --- the table as a CSV file (stakemap strategy table --export / --import) ----------------------------

TABLE_COLUMNS = ("type", "quadrant", "sentiment", "approach", "cadence", "channel")


def table_csv(table: ProposalTable) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(TABLE_COLUMNS)
    for row in table:
        writer.writerow([row.type.label if row.type else ANY, row.quadrant.value if row.quadrant else ANY,
                         row.sentiment.label if row.sentiment else ANY, row.approach, row.cadence.label,
                         row.channel.label if row.channel else ""])
    return buffer.getvalue()


def parse_table_csv(text: str) -> list[ProposalRow]:
    """The rows of a table file; any bad row refuses the whole file with the line and the reason."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = [cell.strip().casefold() for cell in next(reader, [])]
    missing = [column for column in ("approach", "cadence") if column not in header]
    if missing:
        raise StakemapError(f"The strategy table needs the columns {', '.join(TABLE_COLUMNS)} (missing: {', '.join(missing)}).")
    rows, problems = [], []
    for line, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        record = {column: (cells[i].strip() if i < len(cells) else "") for i, column in enumerate(header)
                  if column in TABLE_COLUMNS}
        try:
            rows.append(ProposalRow.model_validate(record))
        except (ValidationError, ValueError) as error:
            problems.append(f"line {line}: {_first_error(error)}")
    if problems:
        raise StakemapError("The strategy table was not changed:\n" + "\n".join(problems[:20]))
    if not rows:
        raise StakemapError("The strategy table file has no rows; nothing was changed.")
    if len(rows) > TABLE_MAX_ROWS:
        raise StakemapError(f"The strategy table holds at most {TABLE_MAX_ROWS} rows; this file has {len(rows)}.")
    return rows


def _first_error(error: Exception) -> str:
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ()))
        return f"{where}: {first['msg'].removeprefix('Value error, ')}" if where else first["msg"]
    return str(error)
