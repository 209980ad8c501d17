"""Bolt listeners, one module per surface. register_all() wires every one of them."""

from slack_bolt import App

from app.platform.runtime import Runtime
from handlers import (
    accounts,
    charts,
    commands,
    contact_menu,
    contacts,
    erasure,
    errors,
    home,
    maps,
    nudges,
    plans,
    report,
    settings,
    shortcuts,
    touches,
)


def register_all(app: App, runtime: Runtime) -> None:
    for surface in (commands, accounts, contacts, contact_menu, touches, plans, charts, erasure, maps, home, shortcuts,
                    nudges, settings, report, errors):
        surface.register(app, runtime)
