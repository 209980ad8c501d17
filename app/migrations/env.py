"""Alembic environment: runs on the connection Database.upgrade() hands over, or opens its own."""

from alembic import context
from sqlalchemy import create_engine
from sqlmodel import SQLModel

import app.core.models  # noqa: F401  (registers every table on SQLModel.metadata)
from app.platform.installations import oauth_metadata

config = context.config
# Our tables, and slack_sdk's installation/state store tables (created by our migrations too).
target_metadata = [SQLModel.metadata, oauth_metadata]


def run_with(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_with(connection)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as own_connection:
        run_with(own_connection)


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
