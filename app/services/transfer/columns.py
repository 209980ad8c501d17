"""The three kinds of file and their columns, with the header aliases CRMs and spreadsheets use.

The first column name of each list is the canonical one that export writes; import matches any alias
ignoring case, spaces and punctuation ("Account Name" = "account_name" = "ACCOUNTNAME"). A file's
kind is recognised from its header: a contact column and a date make a touches file; an account
column with a name or title makes a contacts file; a name alone makes an accounts file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from app.core.errors import StakemapError


class Kind(StrEnum):
    ACCOUNTS = "accounts"
    CONTACTS = "contacts"
    TOUCHES = "touches"


_ACCOUNT_OF = ("account", "account name", "company", "company name", "associated company", "organization",
               "organisation", "customer")
_NOTES = ("notes", "note", "comments", "comment", "description", "subject")

ALIASES: dict[Kind, dict[str, tuple[str, ...]]] = {
    Kind.ACCOUNTS: {
        "name": ("name", "account name", "account", "company", "company name", "organization", "organisation",
                 "customer"),
        "arr": ("arr", "arr amount", "annual recurring revenue", "recurring revenue"),
        "currency": ("currency", "currency code", "currency iso code", "arr currency"),
        "renewal_date": ("renewal_date", "renewal", "renewal date", "next renewal date", "contract end date",
                         "contract end"),
        "owner": ("owner", "account owner", "company owner", "owner email", "csm", "csm email", "owner_user_id"),
        "channel": ("channel", "channel id", "slack channel", "channel_id"),
    },
    Kind.CONTACTS: {
        "account": _ACCOUNT_OF,
        "name": ("name", "full name", "contact name"),
        "title": ("title", "job title", "position"),
        "type": ("type", "stakeholder type", "role", "stakeholder role", "contact role"),
        "department": ("department", "function", "dept", "team"),
        "level": ("level", "seniority", "management level", "job level"),
        "influence": ("influence", "influence level", "power"),
        "interest": ("interest", "interest level"),
        "relationship": ("relationship", "relationship strength", "strength"),
        "sentiment": ("sentiment", "attitude", "stance"),
        "status": ("status", "contact status", "engagement", "engagement status"),
        "reports_to": ("reports_to", "reports to", "manager", "reports to name"),
        "email": ("email", "e-mail", "email address", "work email", "mail"),
        "objectives": ("objectives", "objective", "goals"),
        "notes": _NOTES,
        "strategy": ("strategy", "approach", "strategy approach", "engagement strategy"),
        "cadence": ("cadence", "strategy cadence", "touch cadence"),
        "channel": ("channel", "strategy channel", "engagement channel"),
        "strategy_status": ("strategy_status", "strategy status", "strategy origin"),
        "first_name": ("first name", "given name", "firstname"),
        "last_name": ("last name", "surname", "family name", "lastname"),
    },
    Kind.TOUCHES: {
        "account": _ACCOUNT_OF,
        "contact": ("contact", "contact name", "who", "person", "attendee", "with"),
        "date": ("date", "touch date", "activity date", "last activity date", "occurred on", "occurred_on", "when",
                 "meeting date", "call date"),
        "kind": ("kind", "type", "activity type", "touch type", "medium"),
        "sentiment_after": ("sentiment_after", "sentiment after", "sentiment"),
        "notes": _NOTES,
        "captured": ("captured", "captured from slack"),
    },
}

# What export writes, in order (import reads these and their aliases).
COLUMNS: dict[Kind, tuple[str, ...]] = {
    Kind.ACCOUNTS: ("name", "arr", "currency", "renewal_date", "owner", "channel"),
    Kind.CONTACTS: ("account", "name", "title", "type", "department", "level", "influence", "interest",
                    "relationship", "sentiment", "status", "reports_to", "email", "objectives", "notes",
                    "strategy", "cadence", "channel", "strategy_status"),
    Kind.TOUCHES: ("account", "contact", "date", "kind", "sentiment_after", "notes", "captured"),
}


def header_key(text: str) -> str:
    return "".join(ch for ch in (text or "").casefold() if ch.isalnum())


@dataclass(frozen=True)
class Layout:
    """Which column of the file holds which field, for one recognised kind of file."""

    kind: Kind
    positions: dict[str, int]  # field → column index
    ignored: tuple[str, ...]  # header cells no field uses

    def has(self, field: str) -> bool:
        return field in self.positions

    def record(self, cells: Sequence[str]) -> dict[str, str]:
        """{field: stripped cell} for the fields this file has (missing trailing cells are blank)."""
        return {field: (cells[index].strip() if index < len(cells) else "") for field, index in self.positions.items()}


def _match(kind: Kind, header: Sequence[str]) -> Layout:
    keys = [header_key(cell) for cell in header]
    positions: dict[str, int] = {}
    for field, aliases in ALIASES[kind].items():
        wanted = [header_key(alias) for alias in aliases]
        found = next((keys.index(alias) for alias in wanted if alias in keys and keys.index(alias) not in
                      positions.values()), None)
        if found is not None:
            positions[field] = found
    ignored = tuple(cell for index, cell in enumerate(header) if index not in positions.values() and cell.strip())
    return Layout(kind, positions, ignored)


def recognise(header: Sequence[str]) -> Layout:
    """The kind of file this header belongs to, and where its fields are; a sentence when unknown."""
    touches = _match(Kind.TOUCHES, header)
    if all(touches.has(field) for field in ("account", "contact", "date")):
        return touches
    contacts = _match(Kind.CONTACTS, header)
    if contacts.has("account") and any(contacts.has(f) for f in ("name", "first_name", "last_name", "title")):
        return contacts
    accounts = _match(Kind.ACCOUNTS, header)
    if accounts.has("name"):
        return accounts
    raise StakemapError(
        "Cannot tell what this file holds from its header. Accounts need a `name` column; contacts need "
        "`account` and `name` (or `title`); touches need `account`, `contact` and `date`."
    )
