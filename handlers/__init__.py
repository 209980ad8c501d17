"""Bolt listeners, one module per surface; surfaces never import each other (they share only handlers.common,
and handlers.commands routes `/stakemap <subcommand>` to them). register_all() wires every one of them."""

from slack_bolt import App

from app.platform.runtime import Runtime
from handlers import (
    accounts,
    capture,
    channels,
    charts,
    commands,
    contact_menu,
    contacts,
    erasure,
    home,
    maps,
    nudges,
    plans,
    report,
    settings,
    shortcuts,
    signals,
    strategy,
    suggestions,
    touches,
)
from handlers.common import errors


def register_all(app: App, runtime: Runtime) -> None:
    # Bolt tries the listeners in this order, building each matcher's arguments, until one matches: capture's
    # come first, so the busiest requests (every message in a linked channel) match at the first try.
    for surface in (capture, commands, accounts, contacts, contact_menu, touches, plans, charts, erasure, maps, home,
                    shortcuts, nudges, settings, channels, strategy, report, suggestions, signals, errors):
        surface.register(app, runtime)
