"""app.services.departures: recording a departure once, and deciding where its coverage change may be told."""

from app.core.domain import StakeholderType
from app.core.models import Contact
from app.services.contacts import picker_contacts
from app.services.departures import leave_company
from tests.nudge_world import MONDAY, Person, at, seed_account

T = StakeholderType
ACME = [Person("Tom Chen", T.CHAMPION, touched=3, title="VP Engineering"),
        Person("Sarah Kim", T.ECONOMIC_BUYER, touched=10, title="CFO"),
        Person("Dev Ops", T.INFLUENCER, touched=10, title="SRE")]


def asker(shared: bool | None):
    """Slack's conversations.info answer for any channel: shared, internal, or no answer (None)."""
    return lambda channel_id: None if shared is None else {"id": channel_id, "is_ext_shared": shared}


def test_an_internal_channel_is_told_and_a_second_call_tells_nobody(runtime):
    runtime.clock.set(at(MONDAY, 10))
    ids = seed_account(runtime, "Acme", "U0ANA", ACME, channel="C0ACME")
    first = leave_company(runtime.db, "T0001", ids["Tom Chen"], "U0BEN", runtime.now(), asker(False))
    told = first.announcement
    assert (told.channel_id, told.owner_user_id, told.channel_shared) == ("C0ACME", "U0ANA", False)
    again = leave_company(runtime.db, "T0001", ids["Tom Chen"], "U0BEN", runtime.now(), asker(False))
    assert (again.departure.changed, again.announcement) == (False, None)


def test_a_shared_or_unknown_channel_is_never_posted_in(runtime):
    runtime.clock.set(at(MONDAY, 10))
    ids = seed_account(runtime, "Acme", "U0ANA", ACME, channel="C0ACME")
    told = leave_company(runtime.db, "T0001", ids["Tom Chen"], None, runtime.now(), asker(None)).announcement
    assert (told.channel_id, told.owner_user_id, told.channel_shared) == (None, "U0ANA", True)


def test_a_role_that_covers_nothing_is_recorded_but_not_told(runtime):
    runtime.clock.set(at(MONDAY, 10))
    ids = seed_account(runtime, "Acme", "U0ANA", ACME, channel="C0ACME")
    departed = leave_company(runtime.db, "T0001", ids["Dev Ops"], None, runtime.now(), asker(False))
    assert (departed.departure.changed, departed.announcement) == (True, None)


def test_the_picker_leaves_out_the_contact_being_edited_and_departed_ones(runtime):
    runtime.clock.set(at(MONDAY, 10))
    ids = seed_account(runtime, "Acme", "U0ANA", ACME)
    leave_company(runtime.db, "T0001", ids["Dev Ops"], None, runtime.now(), asker(False))
    account_id = _account_of(runtime, ids["Tom Chen"])
    with runtime.db.reading() as session:
        def names(**given):
            return [c.display_name for c in picker_contacts(session, "T0001", account_id, **given)]

        assert names() == ["Sarah Kim", "Tom Chen"]
        assert names(include_left=True, besides=ids["Tom Chen"]) == ["Dev Ops", "Sarah Kim"]
        assert names(include_left=True, besides=ids["Dev Ops"], limit=2) == ["Sarah Kim", "Tom Chen"]
        assert names(query="cf") == ["Sarah Kim"]
        assert picker_contacts(session, "T0002", account_id) == []


def _account_of(runtime, contact_id: int) -> int:
    with runtime.db.reading() as session:
        return session.get(Contact, contact_id).account_id
