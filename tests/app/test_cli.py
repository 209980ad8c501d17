"""The command line: every failure is one sentence, every output renders the same assessment."""

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from app.edge.cli import cli
from app.services.demo import DEMO_TEAM_ID


@pytest.fixture
def env(db_url, monkeypatch):
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", db_url)
    return db_url


def run(*args):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_demo_then_show_in_every_format(env):
    code, out = run("demo")
    assert code == 0 and out.startswith("Created Acme, Globex, Initech; workspace TDEMO0000 holds 3 accounts.")
    assert run("demo")[1].startswith("The demo accounts were already there")
    code, text = run("show", "acme")
    assert code == 0 and "Stakeholder Map: Acme" in text and "Overall risk: High" in text
    code, markdown = run("show", "Acme", "--format", "markdown")
    assert "| Champion | ✓ Active (Tom) | Low -- but single-threaded to one champion |" in markdown
    assert "| Economic Buyer | ⚠ Gap (Sarah not engaged) | High -- renewal decision at risk |" in markdown
    code, raw = run("show", "Acme", "--format", "json")
    data = json.loads(raw)
    assert data["overall_risk"] == "High"
    assert [c["dimension"] for c in data["coverage"]] == [
        "champion", "economic_buyer", "executive_sponsor", "breadth", "depth"]
    assert {c["display_name"] for c in data["contacts"]} >= {"Tom Chen", "CTO (name unknown)"}


def test_account_names_with_spaces_need_no_quotes(env):
    run("demo")
    assert "Stakeholder Map: Globex" in run("show", "  GLOBEX ")[1]


def test_unknown_account_is_one_sentence_with_matches(env):
    run("demo")
    code, out = run("show", "Acmee")
    assert code == 1
    assert out.strip() == f"Error: No account named 'Acmee' in workspace {DEMO_TEAM_ID}. Did you mean Acme?"


def test_several_workspaces_need_team(env):
    run("demo")
    run("demo", "--team", "T0OTHER")
    code, out = run("show", "Acme")
    assert code == 1 and "pick one with --team" in out
    assert "Stakeholder Map: Acme" in run("show", "Acme", "--team", "T0OTHER")[1]
    assert run("show", "Acme", "--team", "T0NONE")[1].strip() == "Error: No workspace T0NONE in this database."


def test_empty_database_says_what_to_do(env):
    run("db", "upgrade")
    code, out = run("show", "Acme")
    assert code == 1 and "run `stakemap demo`" in out


def test_unreachable_database_is_one_sentence(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    code, out = run("show", "Acme")
    assert code == 1
    assert out.strip() == ("Error: Cannot reach the database at postgresql+psycopg://nobody@127.0.0.1:1/none: "
                           "start it or set DATABASE_URL to one that answers.")


def test_start_without_tokens_shows_the_demo_map_and_names_the_tokens(tmp_path):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    environment["DATABASE_URL"] = f"sqlite:///{tmp_path}/fresh.db"
    result = subprocess.run([sys.executable, "-m", "app", "start"], env=environment, capture_output=True,
                            text=True, timeout=120, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Stakeholder Map: Acme" in result.stdout
    assert "SLACK_BOT_TOKEN" in result.stdout and "SLACK_APP_TOKEN" in result.stdout
    assert "Traceback" not in result.stderr


def test_strategy_table_export_edit_import_changes_the_proposals_shown(env, tmp_path):
    run("demo")
    code, out = run("show", "Acme", "--format", "markdown")
    assert "### Engagement Strategy" in out
    assert "| Tom Chen | Monthly roadmap 1:1; involve in beta | monthly · call | proposed |  |" in out
    table = tmp_path / "table.csv"
    assert run("strategy", "table", "--export", str(table))[0] == 0
    assert table.read_text().splitlines()[:2] == [
        "type,quadrant,sentiment,approach,cadence,channel",
        "any,any,Detractor,Meet to hear objections; agree one fix,Every 2 weeks,meeting"]
    table.write_text("type,quadrant,sentiment,approach,cadence,channel\nChampion,any,any,Weekly build review,weekly,call\n")
    code, out = run("strategy", "table", "--import", str(table))
    assert code == 0 and out == "The proposal table of TDEMO0000 is now 1 rows from " + str(table) + ".\n"
    code, out = run("show", "Acme", "--format", "json")
    strategies = {c["display_name"]: c["strategy"] for c in json.loads(out)["contacts"]}
    assert strategies["Tom Chen"] == {"approach": "Weekly build review", "cadence": "weekly", "cadence_days": 7,
                                      "channel": "call", "status": "proposed"}
    assert strategies["Sarah Kim"]["approach"].startswith("Quarterly check-in on their goals")  # the fallback
    table.write_text("type,approach,cadence\nChampion,Weekly,hourly\n")
    code, out = run("strategy", "table", "--import", str(table))
    assert code == 1 and "line 2: cadence" in out
    assert run("strategy", "table", "--reset")[1] == "The proposal table of TDEMO0000 is now the default table.\n"
    assert "Monthly roadmap 1:1" in run("show", "Acme")[1]
