"""manifest.yml validates against Slack's official app manifest JSON Schema (offline)."""

import json
from pathlib import Path

import pytest
import yaml

from handlers.commands import COMMAND

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT.parent / "shared" / "schemas"
REMOTE = "https://raw.githubusercontent.com/slackapi/manifest-schema/v0.5.0/schemas/"


def manifest() -> dict:
    return yaml.safe_load((ROOT / "manifest.yml").read_text())


def schema_problems(document: dict) -> list[str]:
    """Validate with the root schema; its versioned parts are served from ../shared/schemas."""
    if not SCHEMAS.is_dir():
        pytest.skip(f"Slack's manifest schema is not at {SCHEMAS}")
    from jsonschema import Draft7Validator
    from referencing import Registry, Resource

    def load(name: str) -> dict:
        return json.loads((SCHEMAS / name).read_text())

    registry = Registry().with_resources(
        (REMOTE + f"manifest.schema.{version}.json", Resource.from_contents(load(f"slack-manifest.schema.{version}.json")))
        for version in ("1.0.0", "2.0.0")
    )
    validator = Draft7Validator(load("slack-manifest.schema.json"), registry=registry)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]


def test_manifest_is_valid_against_slacks_schema():
    assert schema_problems(manifest()) == []


def test_schema_rejects_a_broken_manifest():
    """The validation above can fail: a manifest with a misspelt setting does."""
    broken = manifest()
    broken["settings"]["socket_mode"] = True
    assert schema_problems(broken)


def test_manifest_declares_what_the_app_listens_to():
    data = manifest()
    commands = {c["command"]: c for c in data["features"]["slash_commands"]}
    assert COMMAND in commands and commands[COMMAND]["usage_hint"]
    assert data["features"]["app_home"]["home_tab_enabled"] is True
    assert {"app_home_opened", "channel_shared", "channel_unshared"} <= set(
        data["settings"]["event_subscriptions"]["bot_events"])
    assert {"channels:read", "groups:read"} <= set(data["oauth_config"]["scopes"]["bot"])  # conversations.info
    assert data["settings"]["interactivity"]["is_enabled"] is True
    assert data["settings"]["socket_mode_enabled"] is True
    assert [s["callback_id"] for s in data["features"]["shortcuts"]] == ["log_as_touch"]
    assert {"commands", "chat:write", "im:write", "users:read"} <= set(data["oauth_config"]["scopes"]["bot"])


def test_manifest_asks_for_what_capture_reads():
    """Slack Connect capture: message events in public and private channels, joins and leaves, profile
    changes, and the history scopes the backfill reads with (app/platform/installations.BOT_SCOPES too)."""
    data = manifest()
    assert {"message.channels", "message.groups", "member_joined_channel", "member_left_channel", "channel_shared",
            "channel_unshared", "user_change"} <= set(data["settings"]["event_subscriptions"]["bot_events"])
    assert {"channels:history", "groups:history", "users:read", "users:read.email"} <= set(
        data["oauth_config"]["scopes"]["bot"])
