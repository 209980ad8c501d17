"""People seen in an account's linked Slack Connect channels who are not on its map: the suggestions
("Seen in Slack, not on the map"), ranked by messages, with *Add to map* (the contact modal prefilled from
their Slack profile and title) and *Ignore* (never suggested again). Capture writes the CaptureSuggestion
rows; this service reads, ignores and settles them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, delete, exists, func, or_, select
from sqlmodel import Session

from app.core.domain import Level, StakeholderType
from app.core.errors import NotFound
from app.core.models import NAME_MAX, Account, CaptureSuggestion, Contact, SlackUser
from app.core.presence import SHOWN_SUGGESTIONS, SeenList, SeenPerson, SlackNews
from app.core.titles import read_title
from app.platform.runtime import Runtime
from app.services.accounts import touch_account
from app.services.quiet import quiet_by_owner

GONE = "That person is no longer suggested for this account."


@dataclass(frozen=True)
class ContactDraft:
    """The contact modal's prefill for someone seen in Slack (every field may be changed before saving)."""

    slack_user_id: str
    name: str | None
    title: str | None
    email: str | None
    department: str | None
    level: Level | None
    type: StakeholderType


def account_seen(session: Session, team_id: str, account_id: int, shown: int = SHOWN_SUGGESTIONS) -> SeenList:
    """The account's suggestions: the first `shown` by messages, and how many there are."""
    return _ranked(session, team_id, CaptureSuggestion.account_id, shown, CaptureSuggestion.account_id == account_id
                   ).get(account_id, SeenList())


def seen_by_owner(session: Session, team_id: str, owners: Iterable[str], shown: int = SHOWN_SUGGESTIONS
                  ) -> dict[str, SeenList]:
    """Per account owner, the suggestions over all their accounts: the first `shown`, and how many."""
    owners = list(owners)
    if not owners:
        return {}
    return _ranked(session, team_id, Account.owner_user_id, shown, Account.owner_user_id.in_(owners))


def slack_news_by_owner(session: Session, team_id: str, today_of: Mapping[str, date]) -> dict[str, SlackNews]:
    """What each owner's weekly digest adds from Slack Connect: people seen but not mapped, accounts gone quiet."""
    seen = seen_by_owner(session, team_id, today_of)
    quiet = quiet_by_owner(session, team_id, today_of)
    return {owner: SlackNews(seen.get(owner, SeenList()), quiet.get(owner, ()))
            for owner in today_of if owner in seen or owner in quiet}


def _open(team_id: str):
    """Suggestions not ignored, of people not (or no longer) on the account's map and not deactivated."""
    on_map = exists().where(Contact.team_id == CaptureSuggestion.team_id,
                            Contact.account_id == CaptureSuggestion.account_id,
                            Contact.slack_user_id == CaptureSuggestion.slack_user_id)
    return (
        select(CaptureSuggestion.account_id, CaptureSuggestion.slack_user_id, CaptureSuggestion.messages,
               Account.name.label("account_name"), Account.owner_user_id, SlackUser.real_name, SlackUser.title)
        .join(Account, Account.id == CaptureSuggestion.account_id)
        .outerjoin(SlackUser, and_(SlackUser.team_id == CaptureSuggestion.team_id,
                                   SlackUser.user_id == CaptureSuggestion.slack_user_id))
        .where(CaptureSuggestion.team_id == team_id, Account.team_id == team_id, CaptureSuggestion.ignored_at.is_(None),
               or_(SlackUser.deleted.is_(None), SlackUser.deleted.is_(False)), ~on_map)
    )


def _ranked(session: Session, team_id: str, partition, shown: int, *where) -> dict:
    """The first `shown` open suggestions per value of `partition` (an account, an owner), with the totals."""
    base = _open(team_id).where(*where).add_columns(partition.label("part")).subquery("open")
    o = base.c
    order = [o.messages.desc(), func.lower(func.coalesce(o.real_name, "")), o.account_id, o.slack_user_id]
    ranked = select(o, func.row_number().over(partition_by=o.part, order_by=order).label("place"),
                    func.count().over(partition_by=o.part).label("total")).subquery("ranked")
    rows = session.execute(select(ranked).where(ranked.c.place <= shown).order_by(ranked.c.part, ranked.c.place))
    people: dict = {}
    totals: dict = {}
    for row in rows:
        people.setdefault(row.part, []).append(
            SeenPerson(row.account_id, row.account_name, row.slack_user_id, row.real_name, row.title, row.messages))
        totals[row.part] = row.total
    return {part: SeenList(tuple(found), totals[part]) for part, found in people.items()}


def _suggestion(session: Session, team_id: str, account_id: int, slack_user_id: str) -> CaptureSuggestion:
    row = session.get(CaptureSuggestion, (team_id, account_id, slack_user_id))
    if row is None or row.ignored_at is not None:
        raise NotFound(GONE)
    return row


def draft_for(session: Session, team_id: str, account_id: int, slack_user_id: str) -> tuple[Account, ContactDraft]:
    """The account and the contact modal's prefill for a suggested person (NotFound when not suggested)."""
    _suggestion(session, team_id, account_id, slack_user_id)
    account = session.get(Account, account_id)
    if account is None or account.team_id != team_id:
        raise NotFound(GONE)
    profile = session.get(SlackUser, (team_id, slack_user_id))
    title = (profile.title or None) if profile else None
    guess = read_title(title)
    return account, ContactDraft(
        slack_user_id=slack_user_id, name=((profile.real_name or None) if profile else None),
        title=title[:NAME_MAX] if title else None, email=(profile.email or None) if profile else None,
        department=guess.department, level=guess.level, type=guess.type,
    )


def ignore(runtime: Runtime, team_id: str, account_id: int, slack_user_id: str, by: str | None) -> tuple[str, str]:
    """Never suggest this person for this account again (committed); returns how they and the account are named."""
    with runtime.db.session() as session:
        account, draft = draft_for(session, team_id, account_id, slack_user_id)
        row = _suggestion(session, team_id, account_id, slack_user_id)
        row.ignored_at, row.ignored_by = runtime.now(), by
        return draft.name or "That person", account.name


def settle_added(session: Session, contact: Contact, now: datetime) -> None:
    """A contact was added from a suggestion (it holds their Slack user id): the suggestion is gone."""
    if not contact.slack_user_id:
        return
    session.execute(delete(CaptureSuggestion).where(
        CaptureSuggestion.team_id == contact.team_id, CaptureSuggestion.account_id == contact.account_id,
        CaptureSuggestion.slack_user_id == contact.slack_user_id))
    account = session.get(Account, contact.account_id)
    if account is not None:
        touch_account(account, now)
