"""Engine, sessions, health check and migrations; the same code on SQLite and PostgreSQL."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, inspect, make_url, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from app.core.errors import ConfigError
from app.core.outbox import PUSH_INFO
from app.core.settings import Settings

MIGRATIONS = Path(__file__).parent.parent / "migrations"
READING = "stakemap_reading"  # execution option of Database.reading() sessions
# Any fixed number: serialises `db upgrade` of several replicas starting at once on PostgreSQL.
_MIGRATION_LOCK_ID = 0x5741_4B45


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True, pool_recycle=1800)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # let SQLAlchemy's "begin" event issue BEGIN itself
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection) -> None:
    # A writer's transaction takes the write lock up front (IMMEDIATE), so two writers queue on
    # busy_timeout instead of one failing with "database is locked" when it upgrades a read to a write.
    # Readers (Database.reading) start a plain deferred transaction and never wait for writers (WAL).
    reading = connection.get_execution_options().get(READING, False)
    connection.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")


class Database:
    """The application's handle on its database: sessions, health, schema upgrades."""

    def __init__(self, settings: Settings, engine: Engine | None = None):
        self.url = settings.sqlalchemy_url
        self.engine = engine or make_engine(self.url)
        # Every unit of work knows what CRM_PUSH switches on: a service changing a linked contact writes its
        # outbox row in the same transaction (app.services.crm.outbox.queue_push).
        self._sessions = sessionmaker(self.engine, class_=Session, expire_on_commit=False,
                                      info={PUSH_INFO: settings.push_kinds})
        self._readers = sessionmaker(self.engine.execution_options(**{READING: True}), class_=Session)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed when the block ends, rolled back when it raises."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only unit of work (rendering maps, lists, the Home, searches): never commits, and on
        SQLite never waits behind a writer. Writing in it is a mistake: it is never committed.

        Closing ends the transaction without expiring what was read, so rows stay usable afterwards.
        """
        session = self._readers()
        try:
            yield session
        finally:
            session.close()

    def ping(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return True
        except OperationalError:
            return False

    def require_reachable(self) -> None:
        if not self.ping():
            raise ConfigError(
                f"Cannot reach the database at {safe_url(self.url)}: start it or set DATABASE_URL to one that answers."
            )

    def upgrade(self) -> None:
        """Apply pending Alembic migrations (idempotent; concurrent callers on PostgreSQL take turns).

        On SQLite, foreign keys are off while migrating: a migration that rebuilds a table (Alembic's batch
        mode: copy, drop the old table, rename the copy) would otherwise delete, by ON DELETE CASCADE, every
        row that refers to the dropped table. The references are checked before the foreign keys are back on."""
        self.require_reachable()
        with self.engine.connect() as connection:
            postgres = connection.dialect.name == "postgresql"
            sqlite = connection.dialect.name == "sqlite"
            if postgres:
                connection.execute(text("SELECT pg_advisory_lock(:id)"), {"id": _MIGRATION_LOCK_ID})
                connection.commit()
            if sqlite:  # outside any transaction (SQLite ignores this pragma inside one): on the driver's connection
                _sqlite_pragma(connection, "foreign_keys=OFF")
            try:
                config = alembic_config(self.url)
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
                if sqlite:
                    _require_consistent_references(connection)
                connection.commit()
            finally:
                if postgres:
                    connection.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": _MIGRATION_LOCK_ID})
                    connection.commit()
                if sqlite:
                    connection.rollback()  # nothing left open: a failed migration is undone
                    _sqlite_pragma(connection, "foreign_keys=ON")

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_pragma(connection, pragma: str) -> None:
    """Run a PRAGMA on the driver's connection itself: SQLAlchemy's own execute would begin a transaction."""
    connection.connection.driver_connection.execute(f"PRAGMA {pragma}")


def _require_consistent_references(connection) -> None:
    """Refuse to commit a migration that left a row pointing at nothing (PRAGMA foreign_key_check)."""
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise ConfigError(f"A migration left {len(broken)} rows referring to missing rows (first: {tuple(broken[0])}); "
                          "nothing was changed.")


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def safe_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def insert_for(session: Session, table):
    """An INSERT that supports ON CONFLICT, for the database this session talks to."""
    dialect = session.get_bind().dialect.name
    return (postgresql_insert if dialect == "postgresql" else sqlite_insert)(table)


def insert_if_absent(session: Session, table, values: dict) -> bool:
    """INSERT … ON CONFLICT DO NOTHING on either database; True when this call inserted the row.

    The database decides, so concurrent callers (threads, processes, replicas) agree on one winner. Every
    request Slack sends records its receipt so before its ack: the statement is built once per table, and
    runs on the session's connection as plain Core, without the ORM's bulk-insert machinery (a tenth of a
    loaded server's interpreter time went to building and running it through the ORM)."""
    connection = session.connection()
    statement = _insert_if_absent_statement(connection.dialect.name, table)
    return connection.execute(statement, values).first() is not None  # rowcount is not reliable here on psycopg


@functools.cache
def _insert_if_absent_statement(dialect: str, table):
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    return insert(table.__table__).on_conflict_do_nothing().returning(inspect(table).primary_key[0])
