"""Assessing many accounts reads with a fixed number of statements and agrees with one-by-one."""

from datetime import timedelta

from app.services.accounts import assess_account
from app.services.demo import load_demo
from app.services.portfolio import assess_accounts
from tests.sql_counter import count_statements


def fill(runtime, team: str, copies: int) -> None:
    """The demo accounts, `copies` times over (renamed), through the product's code paths."""
    from app.services.accounts import find_account

    with runtime.db.session() as session:
        load_demo(session, team, runtime.now())
        for n in range(1, copies):
            for name in ("Acme", "Globex", "Initech"):
                find_account(session, team, name).name = f"{name} {n}"
                find_account(session, team, name).name_key = f"{name.lower()} {n}"
            session.flush()
            load_demo(session, team, runtime.now() - timedelta(days=n))


def test_statement_count_does_not_grow_with_accounts(runtime):
    counts = []
    for copies in (1, 4):
        fill(runtime, f"T{copies}", copies)
        with runtime.db.session() as session, count_statements(runtime.db.engine) as statements:
            results = assess_accounts(session, f"T{copies}", runtime.today())
        assert len(results) == 3 * copies
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 4


def test_bulk_and_single_assessments_agree(runtime):
    fill(runtime, "T1", 2)
    with runtime.db.session() as session:
        bulk = assess_accounts(session, "T1", runtime.today())
        for result in bulk:
            single = assess_account(session, result.account, runtime.today())
            assert [d.status_text for d in single.dimensions] == [d.status_text for d in result.dimensions]
            assert [(s.contact.id, s.last_touch.id if s.last_touch else None) for s in single.active] == [
                (s.contact.id, s.last_touch.id if s.last_touch else None) for s in result.active]


def test_only_the_owners_accounts(runtime):
    fill(runtime, "T1", 1)
    with runtime.db.session() as session:
        from app.services.accounts import find_account

        find_account(session, "T1", "Globex").owner_user_id = "U0CSM"
    with runtime.db.session() as session:
        assert [a.account.name for a in assess_accounts(session, "T1", runtime.today(), "U0CSM")] == ["Globex"]
        assert assess_accounts(session, "T2", runtime.today()) == []
