"""The command line as the CRM tests drive it: `stakemap crm sync` and `stakemap show`, in this process."""

from __future__ import annotations

import json

from click.testing import CliRunner
from sqlalchemy import func, select

from app.core.models import Account, ContactChange
from app.edge.cli import cli
from tests.conftest import TEAM, make_settings, running


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def sync(*extra: str) -> str:
    code, out = run("crm", "sync", "--team", TEAM, *extra)
    assert code == 0, out
    return out


def shown(name: str) -> dict:
    code, out = run("show", name, "--team", TEAM, "--format", "json")
    assert code == 0, out
    return json.loads(out)


def contact_named(data: dict, name: str) -> dict:
    return next(c for c in data["contacts"] if c["name"] == name)


def map_state(db_url: str) -> tuple[int | None, int]:
    """The account's map version and how many history rows there are: a sync that changes nothing keeps both."""
    with running(make_settings(db_url), None) as rt, rt.db.reading() as session:
        return (session.scalar(select(Account.version).where(Account.team_id == TEAM)),
                session.scalar(select(func.count()).select_from(ContactChange)))


def assert_second_syncs_change_nothing(db_url: str, accounts_label: str, accounts: int, contacts: int) -> None:
    """After a first sync: an incremental one and a full one change nothing (no history row, no new map version)."""
    before = map_state(db_url)
    out = sync()
    assert f"{accounts_label}: 0 created, 0 updated, 0 flagged" in out and "Contacts: 0 created, 0 updated, 0 flagged" in out
    out = sync("--full")
    assert f"{accounts_label}: 0 created, 0 updated, 0 flagged, {accounts} unchanged" in out
    assert f"Contacts: 0 created, 0 updated, 0 flagged, {contacts} unchanged" in out
    assert map_state(db_url) == before
