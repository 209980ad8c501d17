"""Account owners given as e-mail addresses, looked up in Slack (users.lookupByEmail)."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError

from app.core.errors import StakemapError
from app.core.settings import Settings
from app.services.transfer.importer import OwnerLookup


def slack_email_lookup(settings: Settings) -> OwnerLookup | None:
    """E-mail → Slack user id with the bot token; None without a token (those rows are then refused)."""
    if not settings.slack_bot_token:
        return None
    from app.edge.slack_app import web_client

    client = web_client(settings)

    def lookup(email: str) -> str:
        try:
            return client.users_lookupByEmail(email=email)["user"]["id"]
        except SlackApiError as error:
            code = error.response.get("error", "error")
            if code == "users_not_found":
                raise LookupError(f"no Slack user has the e-mail {email}.") from None
            raise StakemapError(f"Slack refused to look up {email} ({code}): check SLACK_BOT_TOKEN and its "
                                "users:read.email scope.") from None

    return lookup
