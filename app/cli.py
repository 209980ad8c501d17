"""The `stakemap` command line (SPEC §5). Every failure ends in one sentence, never a traceback."""

from __future__ import annotations

import json
import logging
import os
import sys
from functools import wraps

import click

from app.accounts import assess_account, close_matches, find_account
from app.db import Database
from app.demo import DEMO_TEAM_ID, load_demo
from app.errors import StakemapError
from app.observability import configure_logging
from app.render import to_json_data, to_markdown, to_text
from app.runtime import Runtime
from app.settings import load_settings
from app.workspaces import account_count, resolve_team

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
        except (click.ClickException, click.exceptions.Exit, KeyboardInterrupt):
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
@friendly
def serve(mode: str | None, port: int | None) -> None:
    """Serve Slack: apply pending migrations, then answer commands, actions and modals."""
    runtime = _runtime()
    _serve(runtime, mode, port)


def _serve(runtime: Runtime, mode: str | None, port: int | None) -> None:
    from app.server import serve_http, serve_socket_mode
    from app.slack_app import build_app

    settings = runtime.settings
    mode = mode or ("socket" if settings.socket_mode else "http")
    settings.require("slack_bot_token", *(["slack_app_token"] if mode == "socket" else ["slack_signing_secret"]))
    runtime.db.upgrade()
    bolt_app = build_app(runtime)
    if mode == "socket":
        serve_socket_mode(bolt_app, runtime)
    else:
        serve_http(bolt_app, runtime, port or settings.port)


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


@cli.command()
@click.argument("account", nargs=-1, required=True)
@click.option("--team", "team", default=None, help="Slack workspace id (needed when the database holds several).")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text")
@friendly
def show(account: tuple[str, ...], team: str | None, fmt: str) -> None:
    """Print an account's stakeholder map."""
    runtime = _runtime()
    runtime.db.require_reachable()
    name = " ".join(account)
    with runtime.db.session() as session:
        team_id = resolve_team(session, team)
        found = find_account(session, team_id, name)
        if found is None:
            matches = close_matches(session, team_id, name)
            hint = f" Did you mean {', '.join(matches)}?" if matches else ""
            raise StakemapError(f"No account named '{name}' in workspace {team_id}.{hint}")
        assessment = assess_account(session, found, runtime.today())
    if fmt == "json":
        click.echo(json.dumps(to_json_data(assessment), indent=2, ensure_ascii=False))
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


def main() -> None:
    cli(prog_name="stakemap")


if __name__ == "__main__":
    sys.exit(main())
