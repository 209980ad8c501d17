"""The walk of a request through our modules: which first-party modules it visits, in order.

Sends two signed requests through the real app (the demo workspace, the Slack stand-in): `/stakemap Acme`
and a log-touch submission. While each runs, a profiler on every thread records the module of each
Python call frame that belongs to stakemap (app.*, handlers.*, blocks.*); consecutive repeats collapse.
Printed per walk: the modules visited, how often the walk goes back to a module it had already left,
and the same for the surface modules alone (handlers.*, app.services.*, blocks.*), then with blocks/
counted as one renderer, and by layer alone (handlers, services, blocks: the issue's "handler → one
service → blocks → reply"). The app is built before the walk starts (registration is not part of it).
    .venv/bin/python -m benchmarks.walk [--verbose]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from app.core.clock import Clock
from app.core.settings import Settings
from app.edge.slack_app import build_app
from app.platform.db import Database
from app.platform.runtime import Runtime
from app.services.demo import load_demo
from tests.slack_driver import SIGNING_SECRET, SlackDriver
from tests.slack_standin import SlackStandIn

TEAM = "T0001"
OURS = ("app.", "handlers.", "blocks.")
SURFACE = ("handlers.", "app.services.", "blocks.")
NOW = datetime(2026, 3, 20, 15, 0, tzinfo=UTC)


class Walk:
    """The first-party modules each thread's call frames entered, in order, consecutive repeats collapsed."""

    def __init__(self) -> None:
        self.by_thread: dict[int, list[str]] = {}
        self._order: list[int] = []

    def _profile(self, frame, event, arg):
        if event != "call":
            return
        module = frame.f_globals.get("__name__", "")
        if not module.startswith(OURS):
            return
        thread = threading.get_ident()
        steps = self.by_thread.get(thread)
        if steps is None:
            steps = self.by_thread[thread] = []
            self._order.append(thread)
        if not steps or steps[-1] != module:
            steps.append(module)

    def record(self, send: Callable[[], None]) -> None:
        threading.setprofile(self._profile)
        sys.setprofile(self._profile)
        try:
            send()
        finally:
            sys.setprofile(None)
            threading.setprofile(None)

    def steps(self, only: tuple[str, ...] = OURS, name: Callable[[str], str] = str) -> list[str]:
        """The walk over all threads in the order they started, kept to modules starting with `only`,
        each counted under `name(module)` (consecutive repeats collapse again)."""
        walked: list[str] = []
        for thread in self._order:
            for module in self.by_thread[thread]:
                if module.startswith(only) and (not walked or walked[-1] != name(module)):
                    walked.append(name(module))
        return walked


def blocks_as_one(module: str) -> str:
    """Every blocks.* module as the one renderer "blocks"."""
    return "blocks" if module.startswith("blocks.") else module


def layer(module: str) -> str:
    """handlers, services or blocks."""
    return {"handlers.": "handlers", "app.services.": "services", "blocks.": "blocks"}[
        next(prefix for prefix in SURFACE if module.startswith(prefix))]


def returns(steps: list[str]) -> int:
    """How often the walk enters a module it had already left."""
    seen: set[str] = set()
    count = 0
    for module in steps:
        count += module in seen
        seen.add(module)
    return count


def report(name: str, walk: Walk, verbose: bool) -> None:
    views = (("all modules", OURS, str), ("handlers, services, blocks", SURFACE, str),
             ("handlers, services, blocks as one", SURFACE, blocks_as_one), ("layers", SURFACE, layer))
    for label, only, grouping in views:
        steps = walk.steps(only, grouping)
        print(f"{name:24} {label:34} visits {len(set(steps)):3} modules in {len(steps):4} steps, "
              f"returns to a module already left: {returns(steps)}")
        if verbose:
            print("    " + " → ".join(steps))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--verbose", action="store_true", help="print each walk's modules in order")
    args = parser.parse_args()
    url = f"sqlite:///{tempfile.mkdtemp()}/walk.db"
    with SlackStandIn(tokens={"xoxb-walk": {"team_id": TEAM, "user_id": "UBOT", "bot_id": "BBOT"}}) as standin:
        settings = Settings(_env_file=None, database_url=url, slack_bot_token="xoxb-walk",
                            slack_signing_secret=SIGNING_SECRET, slack_api_url=standin.api_url)
        runtime = Runtime(settings, Database(settings), Clock.fixed(NOW))
        runtime.db.upgrade()
        with runtime.db.session() as session:
            load_demo(session, TEAM, NOW)
        # Warm up once (imports, the process's caches), then walk each request on a fresh runtime and app:
        # their worker threads start inside the walk, where the profiler reaches them.
        slack = SlackDriver(build_app(runtime), standin, team_id=TEAM, pools=(runtime.after_ack,))
        slack.command("Acme")
        slack.command("log Acme")
        slack.drain()
        view = slack.wait_for_views(1)
        who = next(b for b in view["blocks"] if b.get("block_id") == "contact_id")["element"]["options"][0]
        touch = {"Who": who["text"]["text"], "When": "2026-03-19", "Kind": "call"}
        slack.submit(view, touch)
        slack.drain()
        runtime.close()
        for name, send in (("/stakemap Acme", lambda s: s.command("Acme")),
                           ("log-touch submission", lambda s: s.submit(view, touch | {"When": "2026-03-18"}))):
            runtime = Runtime(settings, Database(settings), Clock.fixed(NOW))
            walk = Walk()
            slack = SlackDriver(build_app(runtime), standin, team_id=TEAM, pools=(runtime.after_ack,))
            walk.record(lambda send=send, slack=slack: (send(slack), slack.drain()))
            report(name, walk, args.verbose)
            runtime.close()


if __name__ == "__main__":
    main()
