"""Who may do what, as Slack says who people are: the account's owner or a workspace admin manage an
account's people (remove, erase); workspace admins change the workspace's settings."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError

from app.core.admins import is_admin
from app.core.models import Account


def is_workspace_admin(client, user_id: str) -> bool:
    """users.info says the user is a workspace admin or owner (an unknown user is neither)."""
    try:
        user = client.users_info(user=user_id)["user"]
    except SlackApiError:
        return False
    return is_admin(user)


def may_manage(client, account: Account, user_id: str) -> bool:
    """The account's owner (no Slack call needed), or a workspace admin or owner."""
    owner = account.owner_user_id is not None and account.owner_user_id == user_id
    return owner or is_workspace_admin(client, user_id)
