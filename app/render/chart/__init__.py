"""An account's picture: the org chart and the influence × interest grid, as one PNG.

`account_chart()` reads the contacts (one statement), lays them out (layout.py, pure) and draws
them (draw.py). Slack's `/stakemap chart` and `stakemap chart -o` both come through here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlmodel import Session

from app.render.chart.layout import alt_text, grid_layout, org_layout
from app.core.models import Account, Contact


@dataclass(frozen=True)
class Chart:
    png: bytes
    title: str
    alt_text: str
    filename: str


def account_contacts(session: Session, account: Account) -> list[Contact]:
    query = select(Contact).where(Contact.team_id == account.team_id, Contact.account_id == account.id)
    return list(session.scalars(query.order_by(Contact.id)))


def draw_chart(account_name: str, contacts: list[Contact], today: date) -> Chart:
    """Lay out and draw; pure apart from matplotlib (no database, no clock)."""
    from app.render.chart.draw import render_png  # matplotlib loads only when a picture is drawn

    org, grid = org_layout(contacts), grid_layout(contacts)
    png = render_png(account_name, today, contacts, org, grid)
    slug = re.sub(r"[^a-z0-9]+", "-", account_name.casefold()).strip("-") or "account"
    return Chart(png=png, title=f"{account_name}: stakeholder chart", alt_text=alt_text(account_name, contacts, org, grid),
                 filename=f"stakemap-{slug[:60]}.png")


def account_chart(session: Session, account: Account, today: date) -> Chart:
    return draw_chart(account.name, account_contacts(session, account), today)
