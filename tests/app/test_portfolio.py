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


def _summary(assessment, touch_key=lambda touch: touch.id):
    """What every surface reads from an assessment, with contacts and touches named by id (or `touch_key`)."""
    def states(group):
        return [(s.contact.id, s.contact.display_name, s.contact.short_name,
                 touch_key(s.last_touch) if s.last_touch else None,
                 s.idle_days, s.window_days, s.staleness, s.engaged, s.snoozed_until, s.strategy, s.quadrant)
                for s in group]
    return (assessment.overall_risk, [(d.key, d.coverage, d.status_text, d.risk_text) for d in assessment.dimensions],
            [(f.key, f.risk, f.applies, f.rationale) for f in assessment.factors], len(assessment.engaged),
            states(assessment.active), states(assessment.not_engaged), states(assessment.departed),
            assessment.single_thread_on.id if assessment.single_thread_on else None,
            assessment.single_thread_summary, assessment.suggestions, [s.id for s in assessment.plan_steps])


def test_bulk_rows_assess_like_orm_entities_with_every_touch(runtime):
    """The bulk path (column rows, latest touch only) gives what assess() gives on the ORM's entities and all
    touches, for every account."""
    from sqlalchemy import func, select

    from app.core.assessment import assess
    from app.core.domain import ContactStatus, PlanStatus, TouchKind
    from app.core.models import Account, Contact, PlanStep, Touch, TouchCreate, Workspace
    from app.core.workspace_settings import table_of, windows_of
    from app.services.touches import log_touch

    fill(runtime, "T1", 3)
    today = runtime.today()
    with runtime.db.session() as session:  # older touches, and a second touch on the latest day (a tie)
        contacts = session.scalars(select(Contact).where(
            Contact.team_id == "T1", Contact.status != ContactStatus.LEFT).order_by(Contact.id)).all()
        for n, contact in enumerate(contacts):
            account = session.get(Account, contact.account_id)
            for days in (n % 5 * 40 + 200, n % 3 * 30 + 90):
                log_touch(session, account, TouchCreate(contact_id=contact.id, occurred_on=today - timedelta(days=days),
                                                        kind=TouchKind.EMAIL), None, runtime.now())
            if n % 4 == 0:
                latest = session.scalar(select(func.max(Touch.occurred_on)).where(Touch.contact_id == contact.id))
                log_touch(session, account, TouchCreate(contact_id=contact.id, occurred_on=latest, kind=TouchKind.CALL),
                          None, runtime.now())
    with runtime.db.session() as session:
        bulk = assess_accounts(session, "T1", today)
        workspace = session.get(Workspace, "T1")
        accounts = session.scalars(select(Account).where(Account.team_id == "T1").order_by(Account.name_key)).all()
        assert [a.account.id for a in bulk] == [a.id for a in accounts]
        for account, result in zip(accounts, bulk, strict=True):
            contacts = session.scalars(select(Contact).where(Contact.account_id == account.id)).all()
            touches = session.scalars(  # every touch; on a tie the newest row counts (newest first)
                select(Touch).where(Touch.account_id == account.id).order_by(Touch.id.desc())).all()
            steps = session.scalars(select(PlanStep).where(
                PlanStep.account_id == account.id, PlanStep.status == PlanStatus.OPEN).order_by(
                PlanStep.created_at, PlanStep.id)).all()
            reference = assess(account, contacts, touches, steps, today, windows_of(workspace),
                               table=table_of(workspace))
            assert _summary(result) == _summary(reference), account.name


def test_figures_only_rows_assess_like_full_rows(runtime):
    """The report's and the snapshots' lean reading (assessed columns only, the latest touch's day, the day
    each contact was added computed in SQL) judges every account as the full reading does — including a
    contact added just before midnight UTC and never touched, whose staleness counts from that day."""
    from datetime import UTC, datetime

    from sqlalchemy import text

    from app.core.domain import StakeholderType
    from app.core.models import ContactCreate
    from app.services.accounts import find_account
    from app.services.contacts import add_contact
    from app.services.roles import add_roles

    fill(runtime, "T1", 2)
    with runtime.db.session() as session:
        late = datetime.combine(runtime.today() - timedelta(days=40), datetime.max.time(), UTC) - timedelta(minutes=5)
        larry = add_contact(session, find_account(session, "T1", "Acme"),
                            ContactCreate(name="Late Larry", type=StakeholderType.ECONOMIC_BUYER), None, late)
        add_roles(session, larry, [StakeholderType.EXECUTIVE_SPONSOR], "slack", late)  # each role counts in both
    with runtime.db.reading() as session:
        if session.get_bind().dialect.name == "postgresql":  # a session far from UTC must not move the day
            session.execute(text("SET LOCAL TIME ZONE 'Pacific/Kiritimati'"))
        full = assess_accounts(session, "T1", runtime.today())
        lean = assess_accounts(session, "T1", runtime.today(), figures_only=True)
    def figures(assessment):  # all of it; of the last touch, its day (all the lean reading has of it)
        return _summary(assessment, touch_key=lambda touch: touch.occurred_on)

    assert [figures(a) for a in lean] == [figures(a) for a in full]
    larry = next(s for a in lean for s in a.active if s.contact.name == "Late Larry")
    assert larry.idle_days == 40 and larry.last_touch is None
    assert larry.contact.also_types == (StakeholderType.EXECUTIVE_SPONSOR,)


def test_cycle_collection_paused_while_any_bulk_assessment_runs_and_resumed_after(runtime, monkeypatch):
    """Paused from the first bulk assessment's start to the last one's end, in whichever thread; resumed after
    an error too; left off when it was off before."""
    import gc
    import threading

    from app.services import portfolio
    from app.services.portfolio import cycle_collection_paused

    fill(runtime, "T1", 1)
    assert gc.isenabled()
    seen, assess = [], portfolio.assess

    def watched(*args, **kwargs):  # the real assessment, noting whether the collector runs meanwhile
        seen.append(gc.isenabled())
        return assess(*args, **kwargs)

    monkeypatch.setattr(portfolio, "assess", watched)
    with runtime.db.session() as session:
        assert len(assess_accounts(session, "T1", runtime.today(), figures_only=True)) == 3
    assert seen == [False, False, False] and gc.isenabled()
    with runtime.db.session() as session:  # what a CSM waits for (Home, list) leaves the collector alone
        assert len(assess_accounts(session, "T1", runtime.today())) == 3
    assert seen[3:] == [True, True, True]

    first_in, second_done = threading.Event(), threading.Event()

    def other_thread():
        with cycle_collection_paused:
            first_in.set()
            second_done.wait(5)

    worker = threading.Thread(target=other_thread)
    worker.start()
    first_in.wait(5)
    with cycle_collection_paused:
        assert not gc.isenabled()
    assert not gc.isenabled()  # the other thread's assessment still runs
    second_done.set()
    worker.join(5)
    assert gc.isenabled()

    try:
        with cycle_collection_paused:
            raise RuntimeError("a failed read")
    except RuntimeError:
        pass
    assert gc.isenabled()

    gc.disable()
    try:
        with cycle_collection_paused:
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
