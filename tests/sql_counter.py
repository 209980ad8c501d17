"""Count the SQL statements an engine runs inside a block (set-based queries must not grow with data)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, event

# A deadline's wait limits for the transaction (app/platform/deadline.py): transaction control, like BEGIN
TRANSACTION_LIMITS = "SELECT set_config('lock_timeout'"


@contextmanager
def count_statements(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_conn, _cursor, statement, _params, _context, _executemany):
        if not statement.lstrip().upper().startswith(("PRAGMA", "BEGIN", "SAVEPOINT", "RELEASE", "COMMIT", "ROLLBACK")) \
                and not statement.startswith(TRANSACTION_LIMITS):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
