"""A CSM's portfolio: the accounts ranked by risk and their stale list, and the pure facts shown of each."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from app.core.assessment import Assessment, Staleness
from app.core.domain import Risk
from app.core.stale import StaleList


@dataclass(frozen=True)
class Portfolio:
    accounts: list[Assessment]  # highest risk first
    stale: StaleList  # the most urgent first, as in the owner's weekly digest


def _renewal_then_arr(assessment: Assessment) -> tuple:
    account = assessment.account
    return (account.renewal_date or date.max, -(account.arr_amount or Decimal(0)))


def ranked_by_risk(assessments: Sequence[Assessment]) -> list[Assessment]:
    """Highest overall risk first; then nearer renewal, bigger ARR, name."""
    return sorted(assessments, key=lambda a: (-a.overall_risk, *_renewal_then_arr(a), a.account.name_key))


def main_reason(assessment: Assessment) -> str:
    """The one factor that sets the account's risk, in the seed's words."""
    worst = [f for f in assessment.applying_factors if f.risk == assessment.overall_risk]
    if assessment.overall_risk > Risk.LOW and worst:
        return worst[0].label
    broad = [f for f in assessment.applying_factors if f.key == "broad"]
    return broad[0].label if broad else "No high or medium risk factor"


def stale_count(assessment: Assessment) -> int:
    return sum(1 for state in assessment.active if state.staleness != Staleness.FRESH)
