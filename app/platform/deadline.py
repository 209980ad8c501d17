"""A time budget for writes made before an ack (modal submissions), counted from the request's arrival.

Bolt answers Slack 404 when a listener has not acked within 3 seconds, yet the listener goes on: a
submission saved after that is saved behind an error, and the user, told it failed, saves it again.
Under `deadline(at)`, no SQL statement starts and no COMMIT is sent once `at` has passed (TooLate is
raised and the unit of work rolls back), and no statement waits for a lock or runs longer than
STATEMENT_LIMIT (PostgreSQL: lock_timeout and statement_timeout, local to the transaction; SQLite: busy
timeout), so the truth, "not saved", can still reach the user in time.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import Engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.pool import Pool

from app.core.errors import StakemapError

RECEIVED_AT = "stakemap_received_at"  # Bolt context key: time.perf_counter() when the request arrived
SUBMISSION_BUDGET = 1.8  # seconds from arrival until the last write may be committed (Bolt waits 3)
STATEMENT_LIMIT = 1.0  # seconds one statement may wait or run under a deadline
SQLITE_BUSY_MS = 30_000  # app/platform/db.py's busy timeout outside deadlines

_deadline: ContextVar[float | None] = ContextVar("stakemap_deadline", default=None)


class TooLate(StakemapError):
    """The budget ran out before the work was committed; nothing of it was saved."""


@contextmanager
def deadline(at: float | None) -> Iterator[None]:
    """Database work in this block (this thread) must be committed before time.perf_counter() reaches `at`;
    a wait the deadline cut short (a lock, a statement timeout) ends the block with TooLate."""
    token = _deadline.set(at)
    try:
        yield
    except OperationalError as error:
        if not is_timeout(error):
            raise
        raise TooLate("the database could not take the work before the deadline") from error
    finally:
        _deadline.reset(token)


def submission_deadline(received_at: float | None) -> float:
    """When a submission that arrived at `received_at` (now, if unknown) must have committed."""
    return (received_at if received_at is not None else time.perf_counter()) + SUBMISSION_BUDGET


def _left() -> float | None:
    at = _deadline.get()
    return None if at is None else at - time.perf_counter()


def _check_in_time(*_args, **_kwargs) -> None:
    left = _left()
    if left is not None and left <= 0:
        raise TooLate("the time to save ran out before the commit")


def _wait_limit_ms() -> int:
    return max(1, int(min(_left(), STATEMENT_LIMIT) * 1000))


@event.listens_for(Engine, "before_cursor_execute")
def _statement_in_time(connection, cursor, statement, parameters, context, executemany) -> None:
    _check_in_time()


@event.listens_for(Engine, "commit")
def _commit_in_time(connection) -> None:
    _check_in_time()


@event.listens_for(Session, "after_begin")
def _postgres_limits(session, transaction, connection) -> None:
    if _left() is None or connection.dialect.name != "postgresql":
        return
    limit = _wait_limit_ms()  # an int: nothing to quote; both limits in one round trip (SET LOCAL takes two)
    connection.exec_driver_sql(f"SELECT set_config('lock_timeout', '{limit}', true), "
                               f"set_config('statement_timeout', '{limit}', true)")


@event.listens_for(Pool, "checkout")
def _sqlite_wait_limit(dbapi_connection, record, proxy) -> None:
    if _left() is None or not _is_sqlite(dbapi_connection):
        return
    _check_in_time()
    dbapi_connection.execute(f"PRAGMA busy_timeout={_wait_limit_ms()}")
    record.info["stakemap_busy_limited"] = True


@event.listens_for(Pool, "checkin")
def _sqlite_wait_restored(dbapi_connection, record) -> None:
    if dbapi_connection is not None and record.info.pop("stakemap_busy_limited", False):
        dbapi_connection.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")


def _is_sqlite(dbapi_connection) -> bool:
    return type(dbapi_connection).__module__.startswith("sqlite3")


# PostgreSQL lock_timeout (55P03 lock_not_available) and statement_timeout (57014 query_canceled).
_TIMEOUT_STATES = {"55P03", "57014"}


def is_timeout(error: Exception) -> bool:
    """True when a database error is a wait cut short by a deadline's limits (not a database that is down)."""
    original = getattr(error, "orig", None)
    if getattr(original, "sqlstate", None) in _TIMEOUT_STATES:
        return True
    return "database is locked" in str(original)  # SQLite's busy timeout
