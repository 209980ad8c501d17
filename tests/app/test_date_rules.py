"""The date-relative rules are declared once, on the models, and checked against the day passed as
validation context: the modals, the importer and the command line share them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from pydantic import ValidationError

from app.core.models import (
    FUTURE_TOUCH,
    PAST_DUE_DATE,
    PAST_RENEWAL,
    AccountCreate,
    ContactCreate,
    PlanStepCreate,
    Touch,
    TouchCreate,
)
from app.core.validation import field_errors
from app.services.transfer.importer import ImportRejected
from tests.app.test_transfer import count, run_import

TODAY = date(2026, 3, 10)


def errors_of(model, data: dict, today: date | None = TODAY) -> dict[str, str]:
    try:
        model.model_validate(data, context={"today": today} if today else None)
    except ValidationError as error:
        return field_errors(error, "name")
    return {}


@pytest.mark.parametrize(("days", "expected"), [(0, {}), (-1, {}), (1, {"occurred_on": FUTURE_TOUCH})])
def test_a_touch_may_be_today_or_earlier_never_tomorrow(days, expected):
    touch = {"contact_id": 1, "kind": "call", "occurred_on": TODAY + timedelta(days=days)}
    assert errors_of(TouchCreate, touch) == expected


@pytest.mark.parametrize(("days", "expected"), [(0, {}), (1, {}), (-1, {"renewal_date": PAST_RENEWAL})])
def test_a_renewal_may_be_today_or_later_never_yesterday(days, expected):
    assert errors_of(AccountCreate, {"name": "Acme", "renewal_date": TODAY + timedelta(days=days)}) == expected


@pytest.mark.parametrize(("days", "expected"), [(0, {}), (-1, {"due_date": PAST_DUE_DATE})])
def test_a_plan_step_date_may_not_be_in_the_past(days, expected):
    step = {"target_role": "CTO", "path": "Through Tom", "first_action": "Ask Tom", "timeline": "date",
            "due_date": TODAY + timedelta(days=days)}
    assert errors_of(PlanStepCreate, step) == expected


def test_without_a_day_no_date_rule_applies_but_the_others_do():
    assert errors_of(TouchCreate, {"contact_id": 1, "kind": "call", "occurred_on": date(2099, 1, 1)}, None) == {}
    assert errors_of(ContactCreate, {"type": "champion"}, None) == {
        "name": "Give a name or, when the name is unknown, a title such as 'CTO'."}


def test_the_importer_refuses_a_past_renewal_and_a_future_touch_with_the_models_words(runtime):
    today = runtime.today()
    with pytest.raises(ImportRejected) as rejected:
        run_import(runtime, f"name,renewal_date\nAcme,{today - timedelta(days=1)}\nGlobex,{today}\n")
    assert [str(p) for p in rejected.value.problems] == [f"line 2: renewal_date: {PAST_RENEWAL}"]
    run_import(runtime, "name\nAcme\n")
    run_import(runtime, "account,name,type\nAcme,Tom Chen,Champion\n")
    with pytest.raises(ImportRejected) as rejected:
        run_import(runtime, f"account,contact,date,kind\nAcme,Tom Chen,{today + timedelta(days=1)},call\n")
    assert [str(p) for p in rejected.value.problems] == [f"line 2: date: {FUTURE_TOUCH}"]
    assert count(runtime, Touch) == 0
