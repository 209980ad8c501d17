"""/stakemap settings: anyone reads them, workspace admins change them, only changes are saved."""

from datetime import time

import pytest

from app.core.assessment import DEFAULT_WINDOWS
from app.core.domain import StakeholderType
from app.core.models import Workspace
from app.core.workspace_settings import NudgeSchedule, settings_of, windows_of
from app.services.workspaces import update_settings
from tests.block_limits import view_problems
from tests.handlers.test_modal_errors import errors_of
from tests.nudge_world import MONDAY, at


@pytest.fixture
def admin(standin, slack):
    standin.add_user("U0ADMIN", "alex", is_admin=True)
    slack.user_id = "U0ADMIN"
    return slack


def inputs(view) -> dict[str, str]:
    return {b["block_id"]: b["label"]["text"] for b in view["blocks"] if b["type"] == "input"}


def stored(runtime) -> dict:
    with runtime.db.session() as session:
        workspace = session.get(Workspace, "T0001")
        return dict(workspace.config) if workspace else {}


def test_help_lists_settings(slack):
    slack.command("help")
    assert "`/stakemap settings` — staleness windows and the weekly digest's day and time" in slack.reply()["text"]


def test_a_non_admin_reads_the_settings_without_inputs(slack, standin):
    standin.add_user("U0CSM", "casey")
    view = slack.modal("settings")
    assert view_problems(view) == []
    assert "submit" not in view and inputs(view) == {}
    text = str(view["blocks"])
    assert "Monday at 09:00, in each CSM's time zone" in text and "Champion: 30 days" in text
    assert "Only workspace admins can change these settings." in text


def test_an_admin_changes_only_what_they_changed(runtime, admin):
    view = admin.modal("settings")
    assert view_problems(view) == []
    assert inputs(view)["nudge_time"] == "Weekly digest time (each CSM's own time zone)"
    assert admin.submit(view, {"Champion window (days)": "45", "Weekly digest day": "Tuesday",
                               "Weekly digest time (each CSM's own time zone)": "08:30"}).body == ""
    assert admin.reply()["text"] == "Saved: Champion window 30 → 45 days; nudges Monday at 09:00 → Tuesday at 08:30."
    assert stored(runtime) == {"windows": {"champion": 45}, "nudge": {"weekday": 1, "at": "08:30:00"}}
    reopened = admin.modal("settings")
    assert admin.submit(reopened, {}).body == ""
    assert admin.reply()["text"] == "Nothing changed."
    admin.submit(admin.modal("settings"), {"Champion window (days)": "30"})  # back to the default
    assert stored(runtime)["windows"] == {}


@pytest.mark.parametrize("typed", ["0", "366", "abc", "4.5", ""])
def test_a_bad_window_is_a_field_error_and_nothing_is_saved(runtime, admin, typed):
    response = admin.submit(admin.modal("settings"), {"Detractor window (days)": typed or None})
    assert errors_of(response) == {"window_detractor": "Enter a whole number of days from 1 to 365."}
    assert stored(runtime) == {}


def test_a_submission_from_a_non_admin_is_refused(runtime, admin, standin):
    view = admin.modal("settings")  # opened by an admin, submitted by someone who is not
    standin.add_user("U0CSM", "casey")
    response = admin.submit(view, {"Champion window (days)": "10"}, user_id="U0CSM")
    assert errors_of(response) == {"nudge_weekday": "Only workspace admins can change stakemap's settings."}
    assert stored(runtime) == {}


def test_another_workspaces_modal_is_ignored(runtime, admin, other_slack):
    view = admin.modal("settings")
    other_slack.submit(view, {"Champion window (days)": "10"})
    assert stored(runtime) == {}


def test_settings_keep_other_keys_and_survive_bad_stored_config(runtime):
    with runtime.db.session() as session:
        from app.services.workspaces import ensure_workspace

        ensure_workspace(session, "T0001", at(MONDAY)).config = {"home": {"page": 2}, "windows": {"champion": 40}}
    windows = {**DEFAULT_WINDOWS, StakeholderType.CHAMPION: 40, StakeholderType.GATEKEEPER: 120}
    with runtime.db.session() as session:
        changed = update_settings(session, "T0001", windows, NudgeSchedule(), at(MONDAY))
    assert changed == ["Gatekeeper window 90 → 120 days"]
    assert stored(runtime) == {"home": {"page": 2}, "windows": {"champion": 40, "gatekeeper": 120}}
    with runtime.db.session() as session:
        workspace = session.get(Workspace, "T0001")
        workspace.config = {"windows": {"champion": "lots"}, "nudge": {"weekday": 9}}
        assert settings_of(workspace).nudge == NudgeSchedule(weekday=0, at=time(9))
        assert windows_of(workspace) == DEFAULT_WINDOWS
