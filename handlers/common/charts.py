"""Uploading a chart picture to a channel or DM."""

from __future__ import annotations

from urllib.error import HTTPError

from slack_sdk.errors import SlackRequestError

from app.render.chart import Chart

UPLOAD_ATTEMPTS = 3  # the upload step itself (not an API call) has no retry handler: try it again


def upload_chart(client, chart: Chart, channel_id: str, thread_ts: str | None) -> None:
    """Upload and share the picture. Only a refused upload of the bytes is tried again (nothing was shared
    yet); a broken connection may have been the share itself, which must never be repeated."""
    for attempt in range(1, UPLOAD_ATTEMPTS + 1):
        try:
            client.files_upload_v2(channel=channel_id, thread_ts=thread_ts, file=chart.png, filename=chart.filename,
                                   title=chart.title, alt_txt=chart.alt_text)
            return
        except (SlackRequestError, HTTPError):  # the upload URL answered an error: the file was not shared yet
            if attempt == UPLOAD_ATTEMPTS:
                raise
