"""Bolt listeners, one module per surface. register_all() wires every one of them."""

from slack_bolt import App

from app.runtime import Runtime
from handlers import accounts, charts, commands, contacts, erasure, errors, touches


def register_all(app: App, runtime: Runtime) -> None:
    for surface in (commands, accounts, contacts, touches, charts, erasure, errors):
        surface.register(app, runtime)
