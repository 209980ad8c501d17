"""The migrations and the models agree, and upgrading twice changes nothing."""

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from app.platform.db import Database, alembic_config
from tests.conftest import make_settings


def test_one_head():
    assert len(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()) == 1


def test_models_match_the_migrated_schema(db_url):
    command.check(alembic_config(make_settings(db_url).sqlalchemy_url))  # raises when they differ


def test_upgrade_is_idempotent_and_keeps_rows(db_url, runtime):
    from app.services.demo import load_demo

    with runtime.db.session() as session:
        load_demo(session, "T1", runtime.now())
    database = Database(make_settings(db_url))
    database.upgrade()
    with database.engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
        assert {"workspace", "account", "contact", "touch", "plan_step", "contact_change"} <= tables
        assert connection.exec_driver_sql("SELECT COUNT(*) FROM contact").scalar() == 12
    database.dispose()


def test_readers_do_not_wait_behind_a_writer(runtime):
    """A map or a list renders while another request holds a write transaction open."""
    import threading
    import time

    from app.core.models import Account
    from app.services.demo import load_demo

    with runtime.db.session() as session:
        load_demo(session, "T1", runtime.now())
    holding, release = threading.Event(), threading.Event()

    def writer():
        with runtime.db.session() as session:
            session.get(Account, 1).arr_amount = 5
            session.flush()  # the write lock is held from here until the commit
            holding.set()
            release.wait(10)

    thread = threading.Thread(target=writer)
    thread.start()
    assert holding.wait(10)
    started = time.monotonic()
    with runtime.db.reading() as session:
        assert session.get(Account, 1).name == "Acme"
    waited = time.monotonic() - started
    release.set()
    thread.join()
    assert waited < 1
