"""`/stakemap list` and `/stakemap list all`: accounts ranked by risk, shown only to the caller."""

from __future__ import annotations

from app.core.portfolio import ranked_by_risk
from app.services.portfolio import assess_accounts
from blocks.notices import list_usage, no_accounts_yet
from blocks.portfolio import portfolio_notice
from handlers.common.replies import tell
from handlers.common.requests import CommandRequest


def list_command(request: CommandRequest) -> None:
    scope = request.account.strip().lower()
    if scope not in ("", "all"):
        tell(request.respond, list_usage(request.account))
        return
    everyone = scope == "all"
    with request.runtime.db.reading() as session:
        owner = None if everyone else request.context.user_id
        ranked = ranked_by_risk(assess_accounts(session, request.team_id, request.runtime.today(), owner,
                                                cache=request.runtime.assessments))
    if not ranked:
        tell(request.respond, no_accounts_yet(everyone))
        return
    tell(request.respond, portfolio_notice(ranked, "All" if everyone else "Your"))
