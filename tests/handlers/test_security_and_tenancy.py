"""Signed requests only; one workspace never sees or changes another's data."""

import json
import time

from sqlalchemy import func, select

from app.core.models import Account, Contact
from tests.slack_driver import sign


def account_count(runtime) -> int:
    with runtime.db.session() as session:
        return session.scalar(select(func.count()).select_from(Account))


def create_acme(slack) -> dict:
    view = slack.modal("new Acme")
    assert slack.submit(view, {}).body == ""
    return view


def test_bad_signature_is_401_and_writes_nothing(slack, runtime):
    view = slack.modal("new Acme")
    body = slack.payload_body(slack.submission(view, {}))
    forged = {**sign(body), "x-slack-signature": "v0=" + "0" * 64}
    assert slack.send(body, "application/x-www-form-urlencoded", forged).status == 401
    tampered = body.replace("Acme", "Evil")
    assert slack.send(tampered, "application/x-www-form-urlencoded", sign(body)).status == 401
    assert account_count(runtime) == 0
    assert slack.send(body, "application/x-www-form-urlencoded").status == 200  # the same body, signed
    assert account_count(runtime) == 1


def test_request_older_than_five_minutes_is_401(slack, runtime):
    body = slack.command_body("new Acme")
    stale = sign(body, timestamp=int(time.time()) - 6 * 60)
    response = slack.send(body, "application/x-www-form-urlencoded", stale)
    assert response.status == 401
    assert slack.standin.calls_to("views.open") == []


def test_request_signed_with_another_secret_is_401(slack):
    body = slack.command_body("Acme")
    response = slack.send(body, "application/x-www-form-urlencoded", sign(body, secret="not-ours"))
    assert response.status == 401
    assert slack.standin.calls == [c for c in slack.standin.calls if c.method == "auth.test"]


def test_another_workspace_sees_nothing(slack, other_slack, runtime):
    create_acme(slack)
    other_slack.command("Acme")
    reply = other_slack.reply()
    assert reply["response_type"] == "ephemeral"
    assert reply["text"].startswith("No account named “Acme” in this workspace.")
    other_slack.command("add Acme")
    assert other_slack.reply()["text"].startswith("No account named")
    assert len(slack.standin.calls_to("views.open")) == 1  # only the first workspace's own modal


def test_another_workspace_can_create_the_same_name(slack, other_slack, runtime):
    create_acme(slack)
    view = other_slack.modal("new Acme")
    assert other_slack.submit(view, {}).body == ""
    with runtime.db.session() as session:
        assert sorted(session.scalars(select(Account.team_id))) == ["T0001", "T0002"]


def test_buttons_carrying_another_workspaces_account_id_do_nothing(slack, other_slack, runtime):
    create_acme(slack)
    with runtime.db.session() as session:
        acme_id = session.scalar(select(Account.id))
    other_slack.click("map_add_contact", str(acme_id))
    assert other_slack.reply()["text"] == "That account no longer exists."
    other_slack.click("map_log_touch", str(acme_id))
    assert other_slack.reply()["text"] == "That account no longer exists."
    assert len(slack.standin.calls_to("views.open")) == 1


def test_modal_metadata_from_another_workspace_writes_nothing(slack, other_slack, runtime):
    create_acme(slack)
    view = slack.modal("add Acme")
    response = other_slack.submit(view, {"Name": "Eve Spy", "Stakeholder type": "Champion"})
    assert response.status == 200
    forged = json.loads(view["private_metadata"]) | {"team_id": "T0002"}
    other_slack.submit(view, {"Name": "Eve Spy", "Stakeholder type": "Champion"},
                       private_metadata=json.dumps(forged))
    with runtime.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Contact)) == 0


def test_garbage_metadata_closes_the_modal_and_writes_nothing(slack, runtime):
    view = slack.modal("new Acme")
    for metadata in ("", "not json", "[]", '{"team_id": 5}', "x" * 4000):
        assert slack.submit(view, {}, private_metadata=metadata).status == 200
    assert account_count(runtime) == 0
