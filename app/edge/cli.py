"""The `stakemap` command line (SPEC §5). Every failure ends in one sentence, never a traceback."""

from __future__ import annotations

import getpass
import json
import logging
import os
import sys
from contextlib import contextmanager
from functools import wraps
from pathlib import Path

import click
from sqlmodel import Session

from app.core.errors import StakemapError
from app.core.models import Account
from app.core.settings import load_settings
from app.platform.db import Database
from app.platform.observability import configure_logging
from app.platform.runtime import Runtime
from app.render.text import maps_markdown, to_json_data, to_markdown, to_text
from app.services.accounts import assess_account, close_matches, find_account
from app.services.demo import DEMO_TEAM_ID, load_demo
from app.services.history import account_history
from app.services.workspaces import account_count, resolve_team

log = logging.getLogger("stakemap")


def _runtime() -> Runtime:
    settings = load_settings()
    configure_logging(settings)
    return Runtime(settings=settings, db=Database(settings))


def friendly(command):
    """Turn known failures into one sentence on stderr and exit 1; unknown ones too (STAKEMAP_DEBUG=1 shows more)."""

    @wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except StakemapError as error:
            raise click.ClickException(str(error)) from None
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort, KeyboardInterrupt):
            raise
        except Exception as error:
            if os.environ.get("STAKEMAP_DEBUG"):
                raise
            raise click.ClickException(
                f"stakemap stopped on an unexpected {type(error).__name__}: {str(error)[:300]} "
                "(set STAKEMAP_DEBUG=1 to see the details)."
            ) from None

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """stakemap: the stakeholder map of every customer account, in Slack."""


# --- running --------------------------------------------------------------------------------------


@cli.command()
@click.option("--mode", type=click.Choice(["http", "socket"]), default=None,
              help="HTTP (needs SLACK_SIGNING_SECRET) or Socket Mode (needs SLACK_APP_TOKEN). "
                   "Default: socket when SLACK_APP_TOKEN is set.")
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="HTTP port (default: PORT or 3000).")
@click.option("--no-scheduler", "no_scheduler", is_flag=True,
              help="Do not send the weekly nudges from this process (run `stakemap nudges` from cron instead).")
@friendly
def serve(mode: str | None, port: int | None, no_scheduler: bool) -> None:
    """Serve Slack: apply pending migrations, then answer commands, actions and modals; send the weekly nudges."""
    runtime = _runtime()
    _serve(runtime, mode, port, scheduler=not no_scheduler)


def _required_for(settings, mode: str) -> list[str]:
    """The variables `serve` cannot do without in this mode."""
    if settings.oauth_enabled:
        if mode == "socket":
            raise StakemapError("Installs through OAuth (SLACK_CLIENT_ID) need HTTP mode: run `stakemap serve --mode http`.")
        return ["slack_signing_secret"]
    return ["slack_bot_token", "slack_app_token" if mode == "socket" else "slack_signing_secret"]


def _serve(runtime: Runtime, mode: str | None, port: int | None, scheduler: bool = True) -> None:
    from app.edge.server import serve_http, serve_socket_mode
    from app.edge.slack_app import build_app
    from app.jobs.scheduler import start_scheduler

    settings = runtime.settings
    mode = mode or ("socket" if settings.socket_mode else "http")
    settings.require(*_required_for(settings, mode))
    runtime.db.upgrade()
    bolt_app = build_app(runtime)
    on_start = (lambda: start_scheduler(runtime)) if scheduler else None
    if mode == "socket":
        serve_socket_mode(bolt_app, runtime, on_start=on_start)
    else:
        serve_http(bolt_app, runtime, port or settings.port, on_worker_start=on_start)


@cli.command()
@click.option("--now", "send_now", is_flag=True,
              help="Send every CSM's digest at once instead of at their local nudge time.")
@click.option("--team", "team", default=None, help="Only this workspace (default: every workspace with a token).")
@friendly
def nudges(send_now: bool, team: str | None) -> None:
    """Run one pass of the weekly nudges and exit (for cron and tests); exits 1 when a digest failed or may
    not have been delivered (Slack's answer was lost): run it again to settle those."""
    from app.jobs.scheduler import sweep_all

    runtime = _runtime()
    runtime.db.upgrade()
    reports = sweep_all(runtime, team, send_now=send_now)
    for report in reports:
        click.echo(report.summary())
    if not reports:
        click.echo("stakemap is not installed in any workspace yet.")
    if not all(report.settled for report in reports):
        raise click.exceptions.Exit(1)


@cli.command()
@friendly
def start() -> None:
    """Set up and run: with Slack tokens, serve Slack; without, show the demo map here."""
    runtime = _runtime()
    if runtime.settings.slack_bot_token:
        _serve(runtime, None, None)
        return
    runtime.db.upgrade()
    with runtime.db.session() as session:
        load_demo(session, DEMO_TEAM_ID, runtime.now())
        account = find_account(session, DEMO_TEAM_ID, "Acme")
        click.echo(to_text(assess_account(session, account, runtime.today())))
    click.echo(
        "This is stakemap's demo map (try `stakemap show Globex --team TDEMO0000`).\n"
        "To serve Slack, create the app from manifest.yml and set SLACK_BOT_TOKEN plus either "
        "SLACK_SIGNING_SECRET (HTTP mode, port PORT) or SLACK_APP_TOKEN (Socket Mode), then run this again."
    )


# --- data -----------------------------------------------------------------------------------------


TEAM_HELP = "Slack workspace id (needed when the database holds several)."


def account_named(session: Session, team_id: str, name: str) -> Account:
    """The workspace's account called `name`, or one sentence naming close matches."""
    found = find_account(session, team_id, name)
    if found is None:
        matches = close_matches(session, team_id, name)
        hint = f" Did you mean {', '.join(matches)}?" if matches else ""
        raise StakemapError(f"No account named '{name}' in workspace {team_id}.{hint}")
    return found


@cli.command()
@click.argument("account", nargs=-1, required=True)
@click.option("--team", "team", default=None, help=TEAM_HELP)
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text")
@friendly
def show(account: tuple[str, ...], team: str | None, fmt: str) -> None:
    """Print an account's stakeholder map."""
    runtime = _runtime()
    runtime.db.require_reachable()
    with runtime.db.session() as session:
        found = account_named(session, resolve_team(session, team), " ".join(account))
        assessment = assess_account(session, found, runtime.today())
        history = account_history(session, found.team_id, found.id)
    if fmt == "json":
        click.echo(json.dumps(to_json_data(assessment, history), indent=2, ensure_ascii=False))
    else:
        click.echo(to_markdown(assessment) if fmt == "markdown" else to_text(assessment), nl=False)


@cli.command()
@click.option("--team", "team", default=DEMO_TEAM_ID, show_default=True, help="Workspace to fill.")
@friendly
def demo(team: str) -> None:
    """Fill the database with the seed's Acme example and two more accounts."""
    runtime = _runtime()
    runtime.db.upgrade()
    with runtime.db.session() as session:
        created = load_demo(session, team, runtime.now())
        total = account_count(session, team)
    made = f"Created {', '.join(created)}" if created else "The demo accounts were already there"
    click.echo(f"{made}; workspace {team} holds {total} accounts. Try `stakemap show Acme --team {team}`.")


@cli.command()
@click.argument("account", nargs=-1, required=True)
@click.option("--team", "team", default=None, help=TEAM_HELP)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="PNG file to write (default: stakemap-<account>.png here).")
@friendly
def chart(account: tuple[str, ...], team: str | None, output: Path | None) -> None:
    """Draw the account's org chart and influence × interest grid as a PNG."""
    from app.render.chart import draw_chart
    from app.services.contacts import account_contacts

    runtime = _runtime()
    runtime.db.require_reachable()
    with runtime.db.session() as session:
        found = account_named(session, resolve_team(session, team), " ".join(account))
        name, contacts = found.name, account_contacts(session, found)
    picture = draw_chart(name, contacts, runtime.today())
    path = output or Path(picture.filename)
    path.write_bytes(picture.png)
    click.echo(f"Wrote {path} ({len(picture.png):,} bytes): {picture.alt_text}")


@cli.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--team", "team", default=None, help=TEAM_HELP + " Created when new.")
@click.option("--dry-run", is_flag=True, help="Check every row and say what would change; write nothing.")
@friendly
def import_files(files: tuple[Path, ...], team: str | None, dry_run: bool) -> None:
    """Import accounts, contacts or touches from CSV files (a directory: its accounts.csv, contacts.csv,
    touches.csv). Each file is all or nothing; every bad row is listed with its line number."""
    from app.platform.slack_client import slack_email_lookup
    from app.services.transfer.importer import ImportRejected, import_table

    runtime = _runtime()
    runtime.db.upgrade()
    owners = slack_email_lookup(runtime.settings)
    with runtime.db.session() as session:
        team_id = team or resolve_team(session, None)
    ordered = _tables(files)
    with runtime.db.session() as dry_session:  # a dry run imports every file in one transaction, then undoes it
        for index, (path, table) in enumerate(ordered, start=1):
            try:
                with _file_session(runtime, dry_session if dry_run else None) as session, click.progressbar(
                        length=len(table.rows), label=f"Checking {path.name}", file=sys.stderr,
                        hidden=not sys.stderr.isatty()) as bar:
                    result = import_table(session, team_id, table, runtime.now(), owners=owners, dry_run=dry_run,
                                          on_rows=bar.update)
            except ImportRejected as error:
                for problem in error.problems:
                    click.echo(f"{path.name} {problem}", err=True)
                later = " The files after it were not imported." if index < len(ordered) else ""
                raise StakemapError(f"{path.name}: {error}{later}") from None
            click.echo(f"{path.name}: {result.summary()}")
        dry_session.rollback()


@contextmanager
def _file_session(runtime: Runtime, shared: Session | None):
    """Each file commits on its own; in a dry run they all share the transaction that is undone."""
    if shared is not None:
        yield shared
        return
    with runtime.db.session() as session:
        yield session


def _csv_files(files: tuple[Path, ...]) -> list[Path]:
    paths: list[Path] = []
    for path in files:
        if path.is_dir():
            found = [path / f"{kind}.csv" for kind in ("accounts", "contacts", "touches") if (path / f"{kind}.csv").exists()]
            if not found:
                raise StakemapError(f"{path} holds no accounts.csv, contacts.csv or touches.csv.")
            paths += found
        else:
            paths.append(path)
    return paths


def _tables(files: tuple[Path, ...]):
    """(path, table) in the order accounts, contacts, touches, whatever order they were given in."""
    from app.services.transfer.columns import Kind, recognise
    from app.services.transfer.reading import read_table

    tables = []
    for path in _csv_files(files):
        try:
            table = read_table(path.read_bytes())
            kind = recognise(table.header).kind
        except StakemapError as error:
            raise StakemapError(f"{path.name}: {error}") from None
        tables.append((list(Kind).index(kind), path, table))
    return [(path, table) for _order, path, table in sorted(tables, key=lambda item: item[0])]


@cli.command("export")
@click.option("--team", "team", default=None, help=TEAM_HELP)
@click.option("--account", default=None, help="Only this account (default: every account).")
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "markdown"]), default="csv", show_default=True)
@click.option("--kind", type=click.Choice(["accounts", "contacts", "touches"]), default=None,
              help="CSV: only this kind, to -o FILE or standard output.")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="CSV: a directory for accounts.csv, contacts.csv and touches.csv (or a file with --kind). "
                   "JSON and markdown: a file (default: standard output).")
@friendly
def export_data(team: str | None, account: str | None, fmt: str, kind: str | None, output: Path | None) -> None:
    """Export accounts, contacts and touches as CSV (re-importable), JSON or markdown maps."""
    from app.services.transfer.columns import Kind
    from app.services.transfer.exporter import (
        chosen_accounts,
        csv_text,
        export_assessments,
        export_csv_files,
        export_json,
        records_of,
    )

    runtime = _runtime()
    runtime.db.require_reachable()
    with runtime.db.session() as session:
        team_id = resolve_team(session, team)
        accounts = chosen_accounts(session, team_id, account_named(session, team_id, account) if account else None)
        if fmt == "csv" and kind is None:
            if output is None:
                raise StakemapError("CSV export writes three files: give a directory with -o (or one --kind).")
            written = export_csv_files(session, team_id, accounts, output)
            click.echo("Wrote " + ", ".join(str(path) for path in written))
            return
        if fmt == "csv":
            text = csv_text(Kind(kind), records_of(session, team_id, Kind(kind), accounts))
        elif fmt == "json":
            text = json.dumps(export_json(session, team_id, accounts), indent=2, ensure_ascii=False) + "\n"
        else:
            text = maps_markdown(export_assessments(session, team_id, accounts, runtime.today()))
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8", newline="")
        click.echo(f"Wrote {output}", err=True)


@cli.command()
@click.argument("account")
@click.argument("contact")
@click.option("--team", "team", default=None, help=TEAM_HELP)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--by", default=None, help="Who asked for the erasure (recorded; default: cli:<your login>).")
@friendly
def forget(account: str, contact: str, team: str | None, yes: bool, by: str | None) -> None:
    """Erase a person's personal data (name, title, e-mail, notes, touch notes, history values) and
    record the erasure; the anonymous row stays so coverage counts stay consistent."""
    from app.services.contacts import find_contact
    from app.services.erasure import forget_contact

    runtime = _runtime()
    runtime.db.require_reachable()
    with runtime.db.session() as session:
        found = account_named(session, resolve_team(session, team), account)
        person = find_contact(session, found, contact)
        if person is None:
            raise StakemapError(f"No contact '{contact}' at {found.name}.")
        label = person.display_name
        if not yes:
            click.confirm(f"Erase the personal data of {label} at {found.name}? This cannot be undone.", abort=True)
        erasure = forget_contact(session, found, person, by or f"cli:{getpass.getuser()}", runtime.now())
        click.echo(f"Erased {label} at {found.name}: {erasure.touches} touches and {erasure.changes} history "
                   "entries lost their personal details; the erasure is recorded.")


@cli.group()
def strategy() -> None:
    """Engagement strategies: the table that proposes them."""


@strategy.command("table")
@click.option("--team", "team", default=None, help=TEAM_HELP)
@click.option("--export", "export_to", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the workspace's proposal table to this CSV file ('-': standard output).")
@click.option("--import", "import_from", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Replace the workspace's proposal table with this CSV file (first matching row wins).")
@click.option("--reset", is_flag=True, help="Go back to the default table (the seeds' examples first).")
@friendly
def strategy_table(team: str | None, export_to: Path | None, import_from: Path | None, reset: bool) -> None:
    """Show, export, import or reset the table that proposes each contact's engagement strategy from its
    type, influence × interest quadrant and sentiment. Columns: type, quadrant, sentiment ("any" matches
    all), approach, cadence, channel. Accepted and CSMs' own strategies are never changed by it."""
    from app.core.strategy import parse_table_csv, table_csv
    from app.services.strategies import workspace_table
    from app.services.workspaces import set_strategy_table

    if sum(map(bool, (export_to, import_from, reset))) > 1:
        raise StakemapError("Give one of --export, --import or --reset.")
    rows = parse_table_csv(import_from.read_text(encoding="utf-8-sig")) if import_from else None
    runtime = _runtime()
    runtime.db.require_reachable()
    with runtime.db.session() as session:
        team_id = resolve_team(session, team)
        if import_from or reset:
            changed = set_strategy_table(session, team_id, rows)
            what = f"{len(rows)} rows from {import_from}" if rows else "the default table"
            click.echo(f"The proposal table of {team_id} is now {what}." if changed
                       else f"The proposal table of {team_id} already was {what}; nothing changed.")
            return
        text = table_csv(workspace_table(session, team_id))
    if export_to and str(export_to) != "-":
        export_to.write_text(text, encoding="utf-8", newline="")
        click.echo(f"Wrote the proposal table of {team_id} to {export_to}.")
    else:
        click.echo(text, nl=False)


@cli.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@friendly
def db_upgrade() -> None:
    """Apply pending schema migrations (keeps every row)."""
    runtime = _runtime()
    runtime.db.upgrade()
    click.echo("The database schema is up to date.")


# --- CRM -------------------------------------------------------------------------------------------


@cli.group()
def crm() -> None:
    """Keep accounts and contacts in step with the CRM (README: 'HubSpot', 'Salesforce')."""


@crm.command("sync")
@click.option("--team", "team", default=None, help=TEAM_HELP)
@click.option("--crm", "only", type=click.Choice(["hubspot", "salesforce"]), default=None,
              help="Only this CRM (default: every CRM configured).")
@click.option("--full", is_flag=True, help="Read every record and flag contacts the CRM no longer has "
                                           "(default: only what changed since the last sync).")
@friendly
def crm_sync(team: str | None, only: str | None, full: bool) -> None:
    """Pull accounts, contacts and their roles from the CRM; prints what was created, updated and flagged."""
    from app.jobs.crm_sync import crms_to_sync, sync_team

    runtime = _runtime()
    crms = crms_to_sync(runtime, only)
    runtime.db.upgrade()
    on_terminal = sys.stderr.isatty()
    for name in crms:
        report, requests = sync_team(runtime, team, crm=name, full=full,
                                     progress=_progress_line() if on_terminal else None)
        if on_terminal:
            click.echo(err=True)  # end the progress line
        for line in report.lines():
            click.echo(line)
        click.echo(f"{report.crm_name} sync of workspace {report.team_id} done ({requests} HTTP requests).")


@crm.command("push")
@friendly
def crm_push() -> None:
    """Deliver what is due in the CRM push outbox now (serve does it after each change and every
    CRM_PUSH_SECONDS); prints what became of each row and what is left."""
    from app.jobs.crm_push import push_enabled, push_pass
    from app.services.crm.outbox import waiting_count

    runtime = _runtime()
    runtime.db.upgrade()
    if not push_enabled(runtime):
        raise StakemapError("Nothing is pushed: set CRM_PUSH to touches, roles, departures or all (README: 'HubSpot').")
    outcomes = push_pass(runtime)
    click.echo("Delivered: " + (", ".join(f"{count} {what}" for what, count in sorted(outcomes.items())) or "nothing due"))
    with runtime.db.reading() as session:
        left = waiting_count(session)
    click.echo("Outbox: " + (", ".join(f"{count} {status.value}" for status, count in sorted(left.items())) or "empty"))


@crm.command("roles")
@click.option("--team", "team", default=None, help=TEAM_HELP)
@click.option("--set", "assignments", multiple=True, metavar="LABEL=TYPE",
              help="Map a CRM role label to a stakeholder type (e.g. 'Budget owner=economic_buyer'); "
                   "'LABEL=' ignores the label. Repeatable.")
@click.option("--reset", is_flag=True, help="Drop this workspace's overrides: back to the shipped table.")
@friendly
def crm_roles(team: str | None, assignments: tuple[str, ...], reset: bool) -> None:
    """Show (and change) how CRM role labels become stakeholder types in this workspace."""
    from app.services.crm.mapping import change_role_table, role_table

    changes: dict[str, str | None] = {}
    for assignment in assignments:
        label, equals, value = assignment.partition("=")
        if not equals or not label.strip():
            raise StakemapError(f"Write --set as LABEL=TYPE, such as 'Budget owner=economic_buyer' (not '{assignment}').")
        changes[label] = value.strip() or None
    runtime = _runtime()
    runtime.db.upgrade()
    with runtime.db.session() as session:
        team_id = team or resolve_team(session, None)
        table = (change_role_table(session, team_id, changes, runtime.now(), reset=reset) if changes or reset
                 else role_table(session, team_id, runtime.now()))
    for label, kind in sorted(table.items()):
        click.echo(f"{label} → {kind.label}")


def _progress_line():
    """A progress line on a terminal: records read so far per object."""
    done: dict[str, int] = {}

    def show(object_name: str, count: int) -> None:
        done[object_name] = done.get(object_name, 0) + count
        click.echo("\r" + ", ".join(f"{name}s: {n}" for name, n in done.items()), nl=False, err=True)

    return show


# --- the leader's view -----------------------------------------------------------------------------


@cli.command()
@click.option("--team", "team", default=None, help="Only this workspace (default: every workspace with accounts).")
@friendly
def snapshot(team: str | None) -> None:
    """Take this ISO week's coverage snapshot of every account (idempotent: a taken week is kept)."""
    from app.jobs.snapshots import snapshot_all

    runtime = _runtime()
    runtime.db.upgrade()
    passes = snapshot_all(runtime, team)
    for taken in passes:
        click.echo(taken.summary())
    if not passes:
        click.echo("No accounts yet: nothing to snapshot.")


@cli.command()
@click.option("--team", "team", default=None, help=TEAM_HELP)
@click.option("--owner", default=None, help="Only this CSM's book (a Slack user id).")
@click.option("--weeks", type=click.IntRange(5, 104), default=12, show_default=True, help="Weeks of trend.")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "csv", "json"]), default="text",
              show_default=True)
@click.option("--chart", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the trend picture (PNG) to this file.")
@friendly
def report(team: str | None, owner: str | None, weeks: int, fmt: str, chart: Path | None) -> None:
    """The leader's portfolio report: 90-day renewals and their coverage, risk, CSMs, trend."""
    from app.render import report as rendering
    from app.services.report import build_report

    runtime = _runtime()
    runtime.db.require_reachable()
    with runtime.db.reading() as session:
        found = build_report(session, resolve_team(session, team), runtime.today(), owner, weeks)
    if fmt == "json":
        click.echo(json.dumps(rendering.to_json_data(found), indent=2, ensure_ascii=False))
    else:
        writer = {"text": rendering.to_text, "markdown": rendering.to_markdown, "csv": rendering.to_csv}[fmt]
        click.echo(writer(found), nl=False)
    if chart is not None:
        from app.render.report_chart import draw_trend

        picture = draw_trend(found)
        chart.write_bytes(picture.png)
        click.echo(f"Wrote {chart} ({len(picture.png):,} bytes): {picture.alt_text}", err=True)


@cli.command()
@click.option("--team", "team", default=None, help=TEAM_HELP)
@click.option("--lead", "leads", multiple=True, help="A lead's Slack user id (repeat; replaces the list).")
@click.option("--no-leads", is_flag=True, help="Nobody but workspace admins sees the Portfolio section.")
@click.option("--currency", default=None, help="The reporting currency the rates convert into (e.g. EUR).")
@click.option("--rate", "rates", multiple=True, help="CUR=RATE: one CUR is worth RATE reporting currency (repeat).")
@friendly
def leaders(team: str | None, leads: tuple[str, ...], no_leads: bool, currency: str | None,
            rates: tuple[str, ...]) -> None:
    """Set who counts as a lead and the exchange rates of the leader's report; with no option, show them."""
    from decimal import Decimal, InvalidOperation

    from pydantic import ValidationError

    from app.services.report import leader_settings, save_leader_settings

    changes: dict = {}
    if leads or no_leads:
        changes["leads"] = () if no_leads else leads
    if currency:
        changes["currency"] = currency.strip().upper()
    if rates:
        try:
            changes["rates"] = {k.strip().upper(): Decimal(v) for k, v in (r.split("=", 1) for r in rates)}
        except (ValueError, InvalidOperation):
            raise StakemapError("Give each rate as CUR=RATE, such as --rate USD=0.92.") from None
    runtime = _runtime()
    runtime.db.upgrade()
    with runtime.db.session() as session:
        team_id = resolve_team(session, team)
        try:
            found = save_leader_settings(session, team_id, runtime.now(), **changes) if changes \
                else leader_settings(session, team_id)
        except ValidationError:
            raise StakemapError("Use a three-letter currency code such as EUR and positive rates.") from None
    shown = ", ".join(f"1 {c} = {r} {found.currency}" for c, r in sorted(found.rates.items())) or "none"
    click.echo(f"Leads: {', '.join(found.leads) or 'none (workspace admins only)'}; reporting currency: "
               f"{found.currency or 'none'}; rates: {shown}; leader digest: "
               f"{('<#' + found.channel_id + '> ' + found.schedule_label) if found.channel_id else 'off'}.")


@cli.group()
def capture() -> None:
    """Slack Connect capture: backfill linked channels, turn capture on or off, prune old captured rows."""


@capture.command("backfill")
@click.argument("account", nargs=-1, required=True)
@click.option("--team", "team", default=None, help="Only this workspace (default: the token's).")
@friendly
def capture_backfill(account: tuple[str, ...], team: str | None) -> None:
    """Read the last 90 days of the account's linked channels (as linking does); safe to run again."""
    from app.jobs.capture_jobs import backfill_account

    runtime = _runtime()
    runtime.db.upgrade()
    name = " ".join(account)
    done = backfill_account(runtime, team, name)
    if done is None:
        raise StakemapError(f"No account named '{name}'.")
    if not done:
        click.echo(f"{name} has no linked channel: run `/stakemap link {name}` in its channels first.")
    for channel in done:
        state = "" if channel.result.complete else " (Slack did not answer every page: run it again)"
        click.echo(f"#{channel.name or channel.channel_id}: {channel.result.messages} customer messages counted{state}.")
    if not all(channel.result.complete for channel in done):
        raise click.exceptions.Exit(1)


@capture.command("set")
@click.option("--team", "team", default=None, help=TEAM_HELP)
@click.option("--on/--off", "enabled", default=None, help="Capture in the whole workspace.")
@click.option("--retention-days", type=int, default=None, help="Keep captured rows this many days (30-3650).")
@friendly
def capture_set(team: str | None, enabled: bool | None, retention_days: int | None) -> None:
    """Turn capture on or off for the workspace, or set how long captured rows are kept; alone, show both."""
    from app.services.capture import set_workspace_capture

    runtime = _runtime()
    runtime.db.upgrade()
    with runtime.db.session() as session:
        found = set_workspace_capture(session, resolve_team(session, team), enabled=enabled,
                                      retention_days=retention_days)
    click.echo(f"Capture is {'on' if found.enabled else 'off'}; captured rows are kept {found.retention_days} days.")


@capture.command("prune")
@friendly
def capture_prune() -> None:
    """Delete captured touches and channel activity past each workspace's retention (serve does it daily)."""
    from app.jobs.capture_jobs import prune_pass

    runtime = _runtime()
    runtime.db.upgrade()
    for team_id, (touches, days) in prune_pass(runtime).items():
        click.echo(f"{team_id}: pruned {touches} captured touches and {days} days of channel activity.")


def main() -> None:
    cli(prog_name="stakemap")


if __name__ == "__main__":
    sys.exit(main())
