"""An account's picture: the org chart and the influence × interest grid, as one PNG.

`draw_chart()` lays an account's contacts out (layout.py, pure) and draws them (draw.py). Slack's
`/stakemap chart` and `stakemap chart -o` both come through here, with the contacts read by
app.services.contacts.account_contacts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from app.core.models import Contact
from app.render.chart.layout import alt_text, grid_layout, org_layout


@dataclass(frozen=True)
class Chart:
    png: bytes
    title: str
    alt_text: str
    filename: str


def draw_chart(account_name: str, contacts: list[Contact], today: date) -> Chart:
    """Lay out and draw; pure apart from matplotlib (no database, no clock)."""
    from app.render.chart.draw import render_png  # matplotlib loads only when a picture is drawn

    org, grid = org_layout(contacts), grid_layout(contacts)
    png = render_png(account_name, today, contacts, org, grid)
    slug = re.sub(r"[^a-z0-9]+", "-", account_name.casefold()).strip("-") or "account"
    return Chart(png=png, title=f"{account_name}: stakeholder chart", alt_text=alt_text(account_name, contacts, org, grid),
                 filename=f"stakemap-{slug[:60]}.png")
