"""The App Home and the weekly digest list the same stale relationships, in the same order, with the same
"N days", for a CSM far west (UTC-10) and far east (UTC+13) of UTC, just before and just after midnight UTC."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from app.core.domain import StakeholderType as T
from app.jobs.sweep import DIGEST_EVENT, run_sweep
from app.platform.slack_client import web_client
from tests.conftest import TEAM
from tests.nudge_world import MONDAY, Person, seed_account


def world(runtime, owner: str) -> None:
    """Ties and edges: two champions 30 days quiet on Monday (31 on Tuesday), equal in everything but
    their account; a buyer whose renewal run-up starts on Tuesday; a long-silent lead."""
    seed_account(runtime, "Zeta", owner, [Person("Zed Ames", T.CHAMPION, touched=30)], renewal_in=120)
    seed_account(runtime, "Alpha", owner, [Person("Amy Zorn", T.CHAMPION, touched=30),
                                           Person("Lee Ward", T.TECHNICAL_LEAD, touched=80)], renewal_in=120)
    seed_account(runtime, "Initech", owner, [Person("Bob Slydell", T.ECONOMIC_BUYER, touched=55),
                                             Person("Pat Gray", T.CHAMPION, touched=40)], renewal_in=91)


def home_items(view: dict) -> list[tuple[int, str]]:
    return [(int(b["accessory"]["value"].split(":")[1]), b["text"]["text"]) for b in view["blocks"]
            if b.get("accessory", {}).get("action_id") == "home_log_touch"]


def digest_items(message: dict) -> list[tuple[int, str]]:
    return [(int(b["block_id"].split(":")[1]), b["text"]["text"]) for b in message["blocks"]
            if b.get("block_id", "").startswith("nudge_item:")]


@pytest.mark.parametrize("moment", [datetime(2026, 3, 9, 23, 30, tzinfo=UTC), datetime(2026, 3, 10, 0, 30, tzinfo=UTC)])
@pytest.mark.parametrize("tz", ["Pacific/Honolulu", "Pacific/Tongatapu"])  # UTC-10 and UTC+13 in March
def test_the_home_and_the_digest_show_the_same_list(runtime, slack, standin, tz, moment):
    standin.add_user("U0CSM", "csm", tz=tz)
    world(runtime, "U0CSM")
    runtime.clock.set(moment)
    slack.open_home()
    home = home_items(slack.home())
    run_sweep(runtime, web_client(runtime.settings), TEAM, send_now=True)
    [digest] = [c.body for c in standin.calls_to("chat.postMessage", ok=True)
                if (c.body.get("metadata") or {}).get("event_type") == DIGEST_EVENT]
    assert home == digest_items(digest)
    local_day = moment.astimezone(ZoneInfo(tz)).date()
    quiet = "31 days since" if local_day > MONDAY else "30 days since"  # the champions' silence, on their date
    names = [text.split("*")[1] for _, text in home]
    if local_day > MONDAY:
        assert names[0] == "Bob Slydell"  # the renewal run-up began on Tuesday: the buyer is overdue, first
        assert all(quiet in text for _, text in home if "Zed Ames" in text or "Amy Zorn" in text)
    else:
        assert "Bob Slydell" not in names[:1]
        assert "Zed Ames" not in names and "Amy Zorn" not in names  # still within their 30 days
