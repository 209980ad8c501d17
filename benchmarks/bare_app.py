"""A bare Bolt app (ack + respond, no database) served exactly like `stakemap serve --mode http`.

The baseline for benchmarks/ack.py:  python -m benchmarks.bare_app --port 3100
(reads SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_API_URL like stakemap does).
"""

from __future__ import annotations

import argparse

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from app.core.settings import load_settings
from app.edge.server import run_gunicorn
from app.platform.slack_client import web_client


def bare_app() -> App:
    settings = load_settings()
    app = App(client=web_client(settings), signing_secret=settings.slack_signing_secret,
              token_verification_enabled=False)

    @app.command("/stakemap")
    def answer(ack, respond):
        ack()
        respond(response_type="in_channel", text="ok")

    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    settings = load_settings()
    run_gunicorn(SlackRequestHandler(bare_app()), args.port, settings.http_threads, settings.web_concurrency, "warning")


if __name__ == "__main__":
    main()
