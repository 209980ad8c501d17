"""Every bad value in a modal comes back as a field error keyed by block_id, and nothing is written."""

import json

import pytest
from sqlalchemy import func, select

from app.core.models import Account, Contact, Touch


def errors_of(response) -> dict:
    assert response.status == 200
    body = json.loads(response.body)
    assert body["response_action"] == "errors"
    return body["errors"]


def rows(runtime, table) -> int:
    with runtime.db.session() as session:
        return session.scalar(select(func.count()).select_from(table))


def account_view(slack, name="Acme"):
    return slack.modal(f"new {name}")


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"Account name": ""}, "name", "This is required."),
        ({"Account name": "   "}, "name", "Give the account a name."),
        ({"ARR": "lots"}, "arr_amount", "Enter the ARR as a number, such as 120000 or 120,000.50."),
        ({"ARR": "-5"}, "arr_amount", "Enter the ARR as a number, such as 120000 or 120,000.50."),
        ({"Currency": "E1"}, "currency", "Use a three-letter ISO 4217 code such as EUR or USD."),
        ({"Renewal date": "2026-03-09"}, "renewal_date", "The renewal date is in the past."),
    ],
)
def test_account_modal_errors(slack, runtime, values, field, message):
    response = slack.submit(account_view(slack), values)
    assert errors_of(response) == {field: message}
    assert rows(runtime, Account) == 0


def test_renewal_today_is_allowed(slack, runtime):
    assert slack.submit(account_view(slack), {"Renewal date": "2026-03-10"}).body == ""
    assert rows(runtime, Account) == 1


def test_duplicate_account_name_ignores_case(slack, runtime):
    slack.submit(account_view(slack), {})
    response = slack.submit(account_view(slack, "ACME"), {})
    assert errors_of(response) == {"name": "An account named ACME already exists."}
    assert rows(runtime, Account) == 1


@pytest.fixture
def acme(slack):
    slack.submit(account_view(slack), {})
    return slack


def contact_view(slack):
    return slack.modal("add Acme")


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"Stakeholder type": "Champion"}, "name", "Give a name or, when the name is unknown, a title such as 'CTO'."),
        ({"Name": "Tom Chen"}, "type", "This is required."),
        ({"Name": "Tom Chen", "Stakeholder type": "Champion", "E-mail": "tom at acme"}, "email",
         "That does not look like an e-mail address."),
    ],
)
def test_contact_modal_errors(acme, runtime, values, field, message):
    assert errors_of(acme.submit(contact_view(acme), values)) == {field: message}
    assert rows(runtime, Contact) == 0


def test_duplicate_contact_in_the_account(acme, runtime):
    acme.submit(contact_view(acme), {"Name": "Tom Chen", "Stakeholder type": "Champion"})
    response = acme.submit(contact_view(acme), {"Name": "  tom   CHEN ", "Stakeholder type": "Influencer"})
    assert errors_of(response) == {"name": "tom CHEN is already on the Acme map."}
    assert rows(runtime, Contact) == 1


def test_duplicate_placeholder_by_title(acme, runtime):
    acme.submit(contact_view(acme), {"Title": "CTO", "Stakeholder type": "Executive Sponsor"})
    response = acme.submit(contact_view(acme), {"Title": "cto", "Stakeholder type": "Executive Sponsor"})
    assert errors_of(response) == {"title": "A cto placeholder is already on the Acme map."}
    assert rows(runtime, Contact) == 1


def test_same_name_in_another_account_is_fine(acme, runtime):
    acme.submit(contact_view(acme), {"Name": "Tom Chen", "Stakeholder type": "Champion"})
    acme.submit(account_view(acme, "Globex"), {})
    view = acme.modal("add Globex")
    assert acme.submit(view, {"Name": "Tom Chen", "Stakeholder type": "Champion"}).body == ""
    assert rows(runtime, Contact) == 2


@pytest.fixture
def with_tom(acme):
    acme.submit(contact_view(acme), {"Name": "Tom Chen", "Stakeholder type": "Champion"})
    return acme


def touch_view(slack):
    return slack.modal("log Acme")


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"When": "2026-03-11"}, "occurred_on", "The touch date is in the future."),
        ({"Who": None}, "contact_id", "This is required."),
        ({"When": None}, "occurred_on", "This is required."),
        ({"When": "not-a-date"}, "occurred_on", "Pick a date."),
    ],
)
def test_touch_modal_errors(with_tom, runtime, values, field, message):
    view = touch_view(with_tom)
    tom = next(b for b in view["blocks"] if b.get("block_id") == "contact_id")["element"]["options"][0]
    response = with_tom.submit(view, {"Who": tom["value"], **values})
    assert errors_of(response) == {field: message}
    assert rows(runtime, Touch) == 0


def test_touch_today_is_allowed(with_tom, runtime):
    view = touch_view(with_tom)
    tom = next(b for b in view["blocks"] if b.get("block_id") == "contact_id")["element"]["options"][0]
    assert with_tom.submit(view, {"Who": tom["value"], "When": "2026-03-10"}).body == ""
    assert rows(runtime, Touch) == 1


def test_every_modal_input_has_a_max_length(with_tom):
    for view in [c.body["view"] for c in with_tom.standin.calls_to("views.open")] + [touch_view(with_tom)]:
        for block in view["blocks"]:
            element = block.get("element", {})
            if element.get("type") == "plain_text_input":
                assert 1 <= element["max_length"] <= 3000, block["block_id"]
