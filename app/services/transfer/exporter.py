"""Export: CSV (one file per kind, the columns import reads back), JSON (accounts with their
contacts and touches), markdown (seed 000's stakeholder map, per account).

CSV written here imports into an empty database and exports again as the same bytes: rows are
ordered by natural keys (never by database ids) and every value is written the way import reads
it (labels for enums, ISO dates, "CTO (name unknown)" for a placeholder). A contact's strategy columns
hold only a strategy of its own (accepted or the CSM's); a proposal is left blank and proposed again. Erased contacts are
anonymous rows with nothing personal left, kept for the counts of the database they are in; they
and their touches are not exported.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from app.core.capture import captured_note
from app.core.models import Account, AccountChannel, Contact, Erasure, Touch
from app.services.channel_links import account_channels
from app.services.portfolio import accounts_query, assess_accounts
from app.services.roles import roles_by_contact, roles_value
from app.services.transfer.columns import COLUMNS, Kind

Record = dict[str, str]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date):
        return value.isoformat()
    return getattr(value, "label", None) or str(value)


def chosen_accounts(session: Session, team_id: str, account: Account | None) -> list[Account]:
    return [account] if account is not None else list(session.scalars(accounts_query(team_id)))


def account_records(session: Session, team_id: str, accounts: Sequence[Account]) -> list[Record]:
    """Accounts; the channel column lists the linked channels (the oldest link first), space-separated."""
    links = account_channels(session, team_id, [a.id for a in accounts])
    return [{"name": a.name, "arr": _text(a.arr_amount), "currency": a.currency, "renewal_date": _text(a.renewal_date),
             "owner": _text(a.owner_user_id),
             "channel": " ".join(link.channel_id for link in reversed(links.get(a.id, [])))} for a in accounts]


def _scoped(query, team_id: str, accounts: Sequence[Account], table):
    """Rows of these accounts (all of the workspace's without an IN list of ids), erased contacts left out."""
    query = query.where(table.team_id == team_id, Contact.id.not_in(
        select(Erasure.contact_id).where(Erasure.team_id == team_id)))
    if len(accounts) == 1:
        query = query.where(table.account_id == accounts[0].id)
    return query


def contact_records(session: Session, team_id: str, accounts: Sequence[Account]) -> list[Record]:
    query = _scoped(select(Contact, Account.name).join(Account, Account.id == Contact.account_id), team_id, accounts,
                    Contact).order_by(Account.name_key, Contact.name_key)
    rows = list(session.execute(query))
    label = {c.id: c.display_name for c, _account in rows}
    also = roles_by_contact(session, team_id, label)
    return [{"account": account, "name": _text(c.name), "title": _text(c.title), "type": _text(c.type),
             "department": _text(c.department), "level": _text(c.level), "influence": _text(c.influence),
             "interest": _text(c.interest), "relationship": _text(c.relationship), "sentiment": _text(c.sentiment),
             "status": _text(c.status), "reports_to": label.get(c.reports_to_id, ""), "email": _text(c.email),
             "objectives": _text(c.objectives), "notes": _text(c.notes), "strategy": _text(c.strategy_approach),
             "cadence": _text(c.strategy_cadence), "channel": _text(c.strategy_channel),
             "strategy_status": _text(c.strategy_origin), "also": roles_value(r.type for r in also[c.id]) or ""}  # extra roles: JSON only (not imported from CSV)
            for c, account in rows]


def touch_records(session: Session, team_id: str, accounts: Sequence[Account]) -> list[Record]:
    """Touches; a captured one (from a Slack Connect channel) says so, its note counting the messages."""
    channel = aliased(AccountChannel)
    columns = (Account.name, Contact.name, Contact.title, Touch.occurred_on, Touch.kind, Touch.sentiment_after,
               Touch.notes, Touch.capture_day, Touch.capture_messages, channel.name)
    query = _scoped(select(*columns).join(Contact, Contact.id == Touch.contact_id)
                    .join(Account, Account.id == Touch.account_id)
                    .outerjoin(channel, (channel.team_id == Touch.team_id)
                               & (channel.channel_id == Touch.capture_channel_id)), team_id, accounts, Touch)
    query = query.order_by(Account.name_key, Contact.name_key, Touch.occurred_on, Touch.kind, Touch.notes,
                           Touch.sentiment_after, Touch.id)
    return [{"account": account, "contact": Contact.label_for(name, title), "date": _text(day), "kind": _text(kind),
             "sentiment_after": _text(after),
             "notes": captured_note(messages, channel_name) if captured else _text(notes),
             "captured": "yes" if captured else ""}
            for account, name, title, day, kind, after, notes, captured, messages, channel_name in session.execute(query)]


def records_of(session: Session, team_id: str, kind: Kind, accounts: Sequence[Account]) -> list[Record]:
    if kind == Kind.ACCOUNTS:
        return account_records(session, team_id, accounts)
    return (contact_records if kind == Kind.CONTACTS else touch_records)(session, team_id, accounts)


def csv_text(kind: Kind, records: Sequence[Record]) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS[kind])
    writer.writerows([record[column] for column in COLUMNS[kind]] for record in records)
    return buffer.getvalue()


def export_csv_files(session: Session, team_id: str, accounts: Sequence[Account], directory: Path) -> list[Path]:
    """accounts.csv, contacts.csv and touches.csv in the directory (import them in that order)."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in Kind:
        path = directory / f"{kind.value}.csv"
        path.write_text(csv_text(kind, records_of(session, team_id, kind, accounts)), encoding="utf-8", newline="")
        written.append(path)
    return written


def export_json(session: Session, team_id: str, accounts: Sequence[Account]) -> dict[str, Any]:
    """{"accounts": [{account columns…, "contacts": […], "touches": […]}]}, values as in the CSV."""
    nested: dict[str, dict[str, list[Record]]] = {a.name: {"contacts": [], "touches": []} for a in accounts}
    for kind in (Kind.CONTACTS, Kind.TOUCHES):
        for record in records_of(session, team_id, kind, accounts):
            nested[record["account"]][kind.value].append({k: v for k, v in record.items() if k != "account"})
    return {"team_id": team_id, "accounts": [dict(record, **nested[record["name"]]) for record in account_records(session, team_id, accounts)]}


def export_assessments(session: Session, team_id: str, accounts: Sequence[Account], today: date) -> list:
    """Each account's assessment, in the order given (the markdown export renders them)."""
    return assess_accounts(session, team_id, today, accounts=list(accounts))
