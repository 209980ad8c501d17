"""Multi-workspace installs (OAuth): slack_sdk's SQLAlchemy installation and state stores, in our
database, with their tables created by our Alembic migrations like every other table."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine, MetaData, func, select

from app.core.settings import Settings

# What the bot may do; manifest.yml declares the same list (a test keeps them equal).
BOT_SCOPES = (
    "commands", "chat:write", "chat:write.public", "im:write", "im:history", "users:read", "users:read.email",
    "files:write", "channels:read", "groups:read", "channels:history", "groups:history",
)
STATE_EXPIRATION_SECONDS = 600

# The stores' own table definitions, on a metadata Alembic compares (app/migrations/env.py).
oauth_metadata = MetaData()
SQLAlchemyInstallationStore.build_installations_table(oauth_metadata, "slack_installations")
BOTS = SQLAlchemyInstallationStore.build_bots_table(oauth_metadata, "slack_bots")
SQLAlchemyOAuthStateStore.build_oauth_states_table(oauth_metadata, "slack_oauth_states")


def installation_store(settings: Settings, engine: Engine) -> SQLAlchemyInstallationStore:
    return SQLAlchemyInstallationStore(client_id=settings.slack_client_id, engine=engine)


def state_store(engine: Engine) -> SQLAlchemyOAuthStateStore:
    return SQLAlchemyOAuthStateStore(expiration_seconds=STATE_EXPIRATION_SECONDS, engine=engine)


@dataclass(frozen=True)
class InstalledBot:
    team_id: str
    enterprise_id: str | None
    token: str


def installed_bots(settings: Settings, engine: Engine) -> list[InstalledBot]:
    """Each workspace's current bot token (the newest install per workspace), for scheduled jobs."""
    newest = (
        select(BOTS.c.team_id, BOTS.c.enterprise_id, func.max(BOTS.c.id).label("id"))
        .where(BOTS.c.client_id == settings.slack_client_id, BOTS.c.team_id.is_not(None))
        .group_by(BOTS.c.team_id, BOTS.c.enterprise_id)
        .subquery()
    )
    query = select(BOTS.c.team_id, BOTS.c.enterprise_id, BOTS.c.bot_token).join(newest, BOTS.c.id == newest.c.id)
    with engine.connect() as connection:
        return [InstalledBot(team, enterprise, token) for team, enterprise, token in connection.execute(query) if token]
