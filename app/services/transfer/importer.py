"""Importing one CSV file of accounts, contacts or touches: all or nothing, idempotent.

Every row is validated with the same input models as the modals (AccountCreate, ContactCreate,
TouchCreate, and the enums' parse() for labels and aliases). Any bad row rejects the whole file and
every bad row is named with its line number; nothing is written. Good files are written with bulk
statements (Core executemany, 500-1000 rows each), not one ORM round trip per row.

Natural keys (re-importing a file changes nothing):
- account: its name, ignoring case and spaces;
- contact: account + name, or account + title for a placeholder whose name is unknown;
- touch: contact + date + kind + notes, counted: a file holding the same touch twice holds two
  touches, and importing it again adds none (so an export round-trips exactly).
A blank cell means "not given": a new row gets the default, an existing row keeps its value. A new
contact without a type is an Influencer (identify and monitor); a touch without a kind is "other".
Imported touches are history: unlike a touch logged in Slack they do not change the contact's
status or sentiment (the contacts file carries those).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any

from pydantic import ValidationError
from sqlalchemy import insert, select
from sqlmodel import Session

from app.core.domain import (
    Cadence,
    ContactStatus,
    Influence,
    Level,
    Relationship,
    Sentiment,
    StakeholderType,
    StrategyOrigin,
    TouchKind,
)
from app.core.errors import StakemapError
from app.core.models import (
    SLACK_ID_RE,
    STRATEGY_FIELDS,
    Account,
    AccountCreate,
    Contact,
    ContactCreate,
    Touch,
    TouchCreate,
    name_key,
)
from app.core.validation import field_errors
from app.services.accounts import touch_account, touch_accounts
from app.services.channel_links import link_channel
from app.services.contacts import contact_keys
from app.services.history import apply_account_changes, apply_changes
from app.services.transfer.cells import is_user_id, money_text, parse_day, parse_enum
from app.services.transfer.columns import Kind, recognise
from app.services.transfer.reading import Table
from app.services.workspaces import ensure_workspace

CHUNK = 500  # ids per IN (...) list
# Field names of the input models, as the file's columns call them.
COLUMN_OF = {"arr_amount": "arr", "owner_user_id": "owner", "channel_id": "channel", "occurred_on": "date",
             "reports_to_id": "reports_to", "contact_id": "contact", "strategy_approach": "strategy",
             "strategy_cadence": "cadence", "strategy_channel": "channel", "strategy_origin": "strategy_status"}

OwnerLookup = Callable[[str], str]  # e-mail → Slack user id; raises LookupError with a sentence


@dataclass(frozen=True)
class Problem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class ImportRejected(StakemapError):
    """The file has bad rows; nothing was imported."""

    def __init__(self, kind: Kind, problems: Sequence[Problem]):
        self.kind = kind
        self.problems = sorted(problems, key=lambda p: p.line)
        rows = len({p.line for p in self.problems})
        super().__init__(f"{rows} bad row{'s' if rows != 1 else ''} in this {kind.value} file; nothing was imported.")


@dataclass
class ImportResult:
    kind: Kind
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    ignored_columns: tuple[str, ...] = ()
    dry_run: bool = False

    def summary(self) -> str:
        verb = "would create" if self.dry_run else "created"
        text = (f"{self.rows} {self.kind.value} rows: {verb} {self.created}, "
                f"{'would update' if self.dry_run else 'updated'} {self.updated}, unchanged {self.unchanged}.")
        if self.ignored_columns:
            text += f" Ignored columns: {', '.join(self.ignored_columns)}."
        return text + (" Dry run: nothing was written." if self.dry_run else "")


def import_table(session: Session, team_id: str, table: Table, now: datetime, *, owners: OwnerLookup | None = None,
                 dry_run: bool = False, on_rows: Callable[[int], None] | None = None) -> ImportResult:
    """Check every row of the table, then write them all to the session, or raise ImportRejected.

    The caller commits. For a dry run it rolls back instead (so a dry run of accounts, contacts and
    touches files in one transaction sees each file's rows in the next); the summary says "would".
    """
    layout = recognise(table.header)
    importer = IMPORTERS[layout.kind](session, team_id, now, owners)
    for index, (line, cells) in enumerate(table.rows, start=1):
        importer.check(line, layout.record(cells))
        if on_rows and index % 1000 == 0:
            on_rows(1000)
    if on_rows:
        on_rows(len(table.rows) % 1000)
    importer.finish()
    if importer.problems:
        raise ImportRejected(layout.kind, importer.problems)
    result = importer.result
    result.rows, result.ignored_columns, result.dry_run = len(table.rows), layout.ignored, dry_run
    ensure_workspace(session, team_id, now)
    importer.write()
    session.flush()
    return result


def chunks(items: Sequence, size: int = CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _value(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


class _Importer:
    kind: Kind

    def __init__(self, session: Session, team_id: str, now: datetime, owners: OwnerLookup | None):
        self.session, self.team_id, self.now, self.owners = session, team_id, now, owners
        self.problems: list[Problem] = []
        self.result = ImportResult(self.kind)
        self.seen: dict[tuple, int] = {}  # natural key → line, for duplicates within the file

    def problem(self, line: int, column: str, message: str) -> None:
        self.problems.append(Problem(line, f"{column}: {message}"))

    def invalid(self, line: int, error: ValidationError, fallback: str) -> None:
        for name, message in field_errors(error, fallback).items():
            self.problem(line, COLUMN_OF.get(name, name), message)

    def enum(self, line: int, record: dict[str, str], column: str, enum: type[Enum], into: dict) -> bool:
        text = record.get(column, "")
        if not text:
            return True
        try:
            into[column] = parse_enum(enum, text)
            return True
        except ValueError as error:
            self.problem(line, column, str(error))
            return False

    def day(self, line: int, record: dict[str, str], column: str, into: dict, key: str) -> bool:
        text = record.get(column, "")
        if not text:
            return True
        try:
            into[key] = parse_day(text)
            return True
        except ValueError as error:
            self.problem(line, column, str(error))
            return False

    def duplicate(self, line: int, key: tuple, column: str, what: str) -> bool:
        first = self.seen.setdefault(key, line)
        if first != line:
            self.problem(line, column, f"{what} is already on line {first}.")
            return True
        return False

    def contact_ids(self, account_ids: set[int] | None = None) -> dict[tuple[int, str], int]:
        """(account id, contact name key) → contact id, for the whole workspace or these accounts."""
        query = select(Contact.account_id, Contact.name_key, Contact.id).where(Contact.team_id == self.team_id)
        batches = [None] if account_ids is None else list(chunks(sorted(account_ids)))
        found: dict[tuple[int, str], int] = {}
        for batch in batches:
            scoped = query if batch is None else query.where(Contact.account_id.in_(batch))
            found.update({(a, k): i for a, k, i in self.session.execute(scoped)})
        return found

    def accounts_by_key(self) -> dict[str, Account]:
        return {a.name_key: a for a in self.session.scalars(select(Account).where(Account.team_id == self.team_id))}

    def check(self, line: int, record: dict[str, str]) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        """Checks that need every row (references between rows)."""

    def write(self) -> None:
        raise NotImplementedError


# --- accounts --------------------------------------------------------------------------------------


class AccountImport(_Importer):
    kind = Kind.ACCOUNTS

    def __init__(self, *args):
        super().__init__(*args)
        self.existing = self.accounts_by_key()
        self.owner_ids: dict[str, str] = {}
        self.new: list[dict] = []
        self.changed: list[tuple[Account, dict]] = []
        self.links: dict[str, list[str]] = {}  # account name key → channel ids to link (the channel column)

    def check(self, line: int, record: dict[str, str]) -> None:
        data: dict[str, Any] = {"name": record.get("name", "")}
        ok = self.day(line, record, "renewal_date", data, "renewal_date")
        channels = self.channels(line, record.get("channel") or "")
        ok = ok and channels is not None
        for column, key in (("arr", "arr_amount"), ("currency", "currency")):
            if record.get(column):
                data[key] = money_text(record[column]) if column == "arr" else record[column]
        if record.get("owner"):
            owner = self.owner(line, record["owner"])
            ok = ok and owner is not None
            data["owner_user_id"] = owner
        try:
            account = AccountCreate.model_validate(data, context={"today": self.now.date()})
        except ValidationError as error:
            self.invalid(line, error, "name")
            return
        key = name_key(account.name)
        if not ok or self.duplicate(line, (key,), "name", f"{account.name}"):
            return
        if channels:
            self.links[key] = channels
        given = account.model_dump(include=set(data))
        existing = self.existing.get(key)
        if existing is None:
            self.new.append(account.model_dump(exclude={"channel_id"}))
            self.result.created += 1
            return
        changes = {k: v for k, v in given.items() if getattr(existing, k) != v}
        if changes:
            self.changed.append((existing, changes))
            self.result.updated += 1
        else:
            self.result.unchanged += 1

    def channels(self, line: int, text: str) -> list[str] | None:
        """The channel column: linked channel ids, separated by spaces or commas ("C0ACME C0ACMEEXT")."""
        ids = [word for word in text.replace(",", " ").split() if word]
        wrong = [word for word in ids if not SLACK_ID_RE.match(word) or word[0] not in "CG"]
        if wrong:
            self.problem(line, "channel", "That is not a Slack channel id.")
            return None
        return ids

    def owner(self, line: int, text: str) -> str | None:
        if is_user_id(text):
            return text
        if "@" not in text:
            self.problem(line, "owner", f"'{text}' is neither a Slack user id (U…) nor an e-mail address.")
            return None
        if self.owners is None:
            self.problem(line, "owner", f"{text} is an e-mail: set SLACK_BOT_TOKEN so it can be looked up in Slack, "
                                        "or give the owner's Slack user id.")
            return None
        if text.casefold() not in self.owner_ids:
            try:
                self.owner_ids[text.casefold()] = self.owners(text)
            except LookupError as error:
                self.problem(line, "owner", str(error))
                return None
        return self.owner_ids[text.casefold()]

    def write(self) -> None:
        rows = [dict(row, team_id=self.team_id, name_key=name_key(row["name"]), created_at=self.now,
                     updated_at=self.now, version=1) for row in self.new]
        for batch in chunks(rows):
            self.session.execute(insert(Account.__table__), list(batch))
        for account, changes in self.changed:  # through the session, which bumps their map versions
            apply_account_changes(self.session, account, changes, None, self.now)
            touch_account(account, self.now)
        self.session.flush()
        if self.links:
            linked = self.accounts_by_key()
            for key, channels in self.links.items():
                for channel in channels:
                    link_channel(self.session, linked[key], channel, self.now)
            self.session.flush()


# --- contacts --------------------------------------------------------------------------------------

CONTACT_ENUMS = {"type": StakeholderType, "level": Level, "influence": Influence, "interest": Influence,
                 "relationship": Relationship, "sentiment": Sentiment, "status": ContactStatus}
CONTACT_TEXTS = ("title", "department", "email", "objectives", "notes")
# A strategy's columns: (contact field, vocabulary). "proposed" in the status column stores nothing.
STRATEGY_ENUMS = {"cadence": ("strategy_cadence", Cadence), "channel": ("strategy_channel", TouchKind),
                  "strategy_status": ("strategy_origin", StrategyOrigin)}
PROPOSED = "proposed"


@dataclass
class _ContactRow:
    line: int
    account_id: int
    key: str
    values: dict[str, Any]  # the validated contact, every field
    given: set[str]  # fields the file gave (blank cells keep an existing contact's value)
    reports_to: str = ""  # the manager's label, resolved once every row is read
    existing_id: int | None = None
    changes: dict[str, Any] = field(default_factory=dict)


class ContactImport(_Importer):
    kind = Kind.CONTACTS

    def __init__(self, *args):
        super().__init__(*args)
        self.accounts = self.accounts_by_key()
        columns = [Contact.id, Contact.account_id, Contact.name_key, Contact.reports_to_id,
                   *(getattr(Contact, name) for name in ("name", *CONTACT_TEXTS, *CONTACT_ENUMS, *STRATEGY_FIELDS))]
        query = select(*columns).where(Contact.team_id == self.team_id)
        self.existing = {(row.account_id, row.name_key): row for row in self.session.execute(query)}
        self.key_of = {row.id: key for (_account, key), row in self.existing.items()}
        self.rows: list[_ContactRow] = []

    def check(self, line: int, record: dict[str, str]) -> None:
        account = self.account(line, record.get("account", ""))
        name = record.get("name") or " ".join(filter(None, (record.get("first_name"), record.get("last_name"))))
        data: dict[str, Any] = {column: record[column] for column in CONTACT_TEXTS if record.get(column)}
        if Contact.placeholder_title(name) is not None:  # "CTO (name unknown)", as the map shows a placeholder
            data.setdefault("title", Contact.placeholder_title(name))
        elif name:
            data["name"] = name
        parsed = all([self.enum(line, record, column, enum, data) for column, enum in CONTACT_ENUMS.items()])
        parsed = self.strategy(line, record, data) and parsed
        given = set(data) | (set(STRATEGY_FIELDS) if "strategy_approach" in data else set())
        data.setdefault("type", StakeholderType.INFLUENCER)
        try:
            contact = ContactCreate.model_validate(data)
        except ValidationError as error:
            self.invalid(line, error, "name")
            return
        if account is None or not parsed:
            return
        key = Contact.key_for(contact.name, contact.title)
        if self.duplicate(line, (account.id, key), "name" if contact.name else "title",
                          f"{contact.name or contact.title} at {account.name}"):
            return
        self.rows.append(_ContactRow(line, account.id, key, contact.model_dump(exclude={"reports_to_id"}), given,
                                     record.get("reports_to", "")))

    def strategy(self, line: int, record: dict[str, str], data: dict) -> bool:
        """The strategy columns into the contact's fields; a strategy given is whole (blank channel: none).
        A row whose strategy status says "proposed" stores none: the table proposes it again."""
        if record.get("strategy_status", "").casefold() == PROPOSED:
            return True
        if record.get("strategy"):
            data["strategy_approach"] = record["strategy"]
        ok = True
        for column, (name, enum) in STRATEGY_ENUMS.items():
            found: dict[str, Any] = {}
            ok = self.enum(line, record, column, enum, found) and ok
            if column in found:
                data[name] = found[column]
        return ok

    def account(self, line: int, text: str) -> Account | None:
        if not text:
            self.problem(line, "account", "This is required.")
            return None
        account = self.accounts.get(name_key(text))
        if account is None:
            self.problem(line, "account", f"no account named '{text}' in this workspace (import the accounts file first).")
        return account

    def finish(self) -> None:
        in_file = {(row.account_id, row.key): row for row in self.rows}
        names = {a.id: a.name for a in self.accounts.values()}
        for row in self.rows:
            existing = self.existing.get((row.account_id, row.key))
            row.existing_id = existing.id if existing else None
            if row.reports_to:
                manager = self.manager_key(row, in_file)
                if manager is None:
                    self.problem(row.line, "reports_to",
                                 f"no contact '{row.reports_to}' at {names[row.account_id]}.")
                elif manager == row.key:
                    self.problem(row.line, "reports_to", "a contact cannot report to themselves.")
                else:
                    row.values["reports_to"] = manager
        self.refuse_cycles(in_file)
        for row in self.rows:
            self.plan(row)

    def manager_key(self, row: _ContactRow, in_file: dict) -> str | None:
        for key in contact_keys(row.reports_to):
            if (row.account_id, key) in in_file or (row.account_id, key) in self.existing:
                return key
        return None

    def refuse_cycles(self, in_file: dict) -> None:
        """A reports-to line from the file must not lead back to the same contact."""
        manager: dict[tuple[int, str], tuple[int, str] | None] = {
            (account_id, key): (account_id, self.key_of[row.reports_to_id]) if row.reports_to_id in self.key_of else None
            for (account_id, key), row in self.existing.items()}
        for (account_id, key), row in in_file.items():
            if "reports_to" in row.values:
                manager[(account_id, key)] = (account_id, row.values["reports_to"])
        for (account_id, key), row in in_file.items():
            if "reports_to" not in row.values:
                continue
            seen, node = {(account_id, key)}, manager.get((account_id, key))
            while node is not None and node not in seen:
                seen.add(node)
                node = manager.get(node)
            if node == (account_id, key):
                self.problem(row.line, "reports_to", f"'{row.reports_to}' leads back to this contact (a reports-to cycle).")

    def plan(self, row: _ContactRow) -> None:
        if row.existing_id is None:
            self.result.created += 1
            return
        existing = self.existing[(row.account_id, row.key)]
        for name in row.given:  # enums compare as members (the table rows hold them too), texts as text
            if getattr(existing, name) != row.values[name]:
                row.changes[name] = row.values[name]
        manager = row.values.get("reports_to")
        if manager is not None and self.key_of.get(existing.reports_to_id) != manager:
            row.changes["reports_to"] = manager
        if row.changes:
            self.result.updated += 1
        else:
            self.result.unchanged += 1

    def write(self) -> None:
        ids = {key: row.id for key, row in self.existing.items()}
        self.insert_new(ids)
        self.update_changed(ids)
        changed = [row for row in self.rows if row.existing_id is None or row.changes]
        touch_accounts(self.session, self.team_id, {row.account_id for row in changed}, self.now)

    def insert_new(self, ids: dict[tuple[int, str], int]) -> None:
        """New contacts by executemany, managers before their reports, so each reports-to id is known
        when a row is written (finish() refused cycles); the ids of a level are read back in one query
        per 500 accounts, and only while rows wait for their managers (or changed rows need them)."""
        statement = insert(Contact.__table__)
        pending = [row for row in self.rows if row.existing_id is None]
        while pending:
            ready = [row for row in pending if self.manager_id(row, ids) is not False]
            if not ready:  # cannot happen after finish(): every manager is in the file or stored
                raise StakemapError("The reports-to lines of this file could not be ordered; nothing was imported.")
            for batch in chunks(ready, 1000):
                self.session.execute(statement, [self.new_contact(row, ids) for row in batch])
            pending = [row for row in pending if self.manager_id(row, ids) is False]
            waiting = pending or [row for row in self.rows if "reports_to" in row.changes]
            if waiting:
                ids.update(self.contact_ids({row.account_id for row in waiting}))

    @staticmethod
    def manager_id(row: _ContactRow, ids: dict[tuple[int, str], int]) -> int | None | bool:
        """The id of the row's manager; None without one; False while the manager is not written yet."""
        manager = row.values.get("reports_to")
        if manager is None:
            return None
        return ids.get((row.account_id, manager), False)

    def new_contact(self, row: _ContactRow, ids: dict[tuple[int, str], int]) -> dict:
        values = {k: v for k, v in row.values.items() if k != "reports_to"}
        return dict(values, team_id=self.team_id, account_id=row.account_id, name_key=row.key,
                    reports_to_id=self.manager_id(row, ids), created_at=self.now, updated_at=self.now)

    def update_changed(self, ids: dict[tuple[int, str], int]) -> None:
        """Changed contacts go through history.apply_changes (relationship/sentiment/type/status kept)."""
        changed = {row.existing_id: row for row in self.rows if row.changes}
        for batch in chunks(list(changed)):
            for contact in self.session.scalars(select(Contact).where(Contact.id.in_(batch))):
                row = changed[contact.id]
                changes = {k: v for k, v in row.changes.items() if k != "reports_to"}
                if "reports_to" in row.changes:
                    changes["reports_to_id"] = ids[(row.account_id, row.changes["reports_to"])]
                apply_changes(self.session, contact, changes, None, self.now)
                contact.updated_at = self.now
        self.session.flush()


# --- touches ---------------------------------------------------------------------------------------


def captured_fields(record: dict[str, str], day) -> dict[str, Any]:
    """A touch exported as captured (captured: yes) comes back captured: its day, its count ("3 messages…"),
    no note of its own."""
    if record.get("captured", "").strip().casefold() not in ("yes", "true", "1"):
        return {"capture_day": None, "capture_messages": None}
    count = (record.get("notes") or "").split(maxsplit=1)[:1]
    return {"capture_day": day, "capture_messages": int(count[0]) if count and count[0].isdigit() else 1,
            "notes": None}


class TouchImport(_Importer):
    kind = Kind.TOUCHES

    def __init__(self, *args):
        super().__init__(*args)
        self.accounts = self.accounts_by_key()
        self.contacts = self.contact_ids()
        self.new: list[dict] = []

    def check(self, line: int, record: dict[str, str]) -> None:
        contact_id = self.contact(line, record)
        data: dict[str, Any] = {"contact_id": contact_id or 0, "kind": TouchKind.OTHER}
        if record.get("notes"):
            data["notes"] = record["notes"]
        ok = self.enum(line, record, "kind", TouchKind, data) and contact_id is not None
        ok = self.enum(line, record, "sentiment_after", Sentiment, data) and ok
        if not record.get("date"):
            self.problem(line, "date", "This is required.")
            return
        if not self.day(line, record, "date", data, "occurred_on"):
            return
        try:
            touch = TouchCreate.model_validate(data, context={"today": self.now.date()})
        except ValidationError as error:
            self.invalid(line, error, "date")
            return
        if ok:
            self.new.append(touch.model_dump() | captured_fields(record, touch.occurred_on))

    def contact(self, line: int, record: dict[str, str]) -> int | None:
        account = self.accounts.get(name_key(record.get("account", "")))
        if account is None:
            self.problem(line, "account", f"no account named '{record.get('account', '')}' in this workspace.")
            return None
        label = record.get("contact", "")
        for key in contact_keys(label) if label else ():
            if (account.id, key) in self.contacts:
                return self.contacts[(account.id, key)]
        self.problem(line, "contact", f"no contact '{label}' at {account.name} (import the contacts file first).")
        return None

    def finish(self) -> None:
        """A touch is new when the file holds its key more often than the database does (the same call
        noted twice on a day is two calls; importing the file again adds none)."""
        if self.problems:
            return
        stored = self.existing_keys({touch["contact_id"] for touch in self.new})
        in_file: Counter = Counter()
        fresh = []
        for touch in self.new:
            key = (touch["contact_id"], touch["occurred_on"], _value(touch["kind"]), touch["notes"] or "")
            in_file[key] += 1
            if in_file[key] > stored[key]:
                fresh.append(touch)
            else:
                self.result.unchanged += 1
        self.new = fresh
        self.result.created = len(fresh)

    def existing_keys(self, contact_ids: set[int]) -> Counter:
        keys: Counter = Counter()
        for batch in chunks(sorted(contact_ids)):
            query = select(Touch.contact_id, Touch.occurred_on, Touch.kind, Touch.notes).where(
                Touch.team_id == self.team_id, Touch.contact_id.in_(batch))
            keys.update((c, d, _value(k), n or "") for c, d, k, n in self.session.execute(query))
        return keys

    def write(self) -> None:
        account_of = {contact_id: account_id for (account_id, _key), contact_id in self.contacts.items()}
        rows = [dict(touch, team_id=self.team_id, account_id=account_of[touch["contact_id"]], created_at=self.now)
                for touch in self.new]
        for batch in chunks(rows, 1000):
            self.session.execute(insert(Touch.__table__), list(batch))
        touch_accounts(self.session, self.team_id, {row["account_id"] for row in rows}, self.now)


IMPORTERS: dict[Kind, type[_Importer]] = {Kind.ACCOUNTS: AccountImport, Kind.CONTACTS: ContactImport,
                                          Kind.TOUCHES: TouchImport}

