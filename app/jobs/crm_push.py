"""The CRM push: delivers the outbox (app.services.crm.outbox) after the ack — kicked right after each change
(handlers.common.changes) and run by `serve`'s scheduler every CRM_PUSH_SECONDS, so a row left behind (a
429, a 5xx, a restart, a lost answer) goes out on a later pass.

Each CRM plugs in a deliverer (`DELIVERERS`: crm name → a factory taking the runtime, None when that CRM is
not configured). A deliverer sends one claimed `PushItem` and answers a `Delivery`; with `item.look_first`
(the last answer was lost, or the process died mid-send) it looks in the CRM for the item's marker before
sending again, so a lost answer never doubles what is there. Rows are claimed one at a time with a
compare-and-set, so two serve processes never send the same row.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from typing import Protocol

from app.core.outbox import PUSH_KICK
from app.jobs.crm_sync import salesforce_client
from app.platform.claims import claimer_id
from app.platform.hubspot import HubSpotClient
from app.platform.runtime import Runtime
from app.services.crm import outbox
from app.services.crm.hubspot_push import HubSpotPush
from app.services.crm.outbox import Delivery, PushItem
from app.services.crm.salesforce_push import SalesforcePush

log = logging.getLogger("stakemap.crm.push")
BATCH = 50  # rows read per CRM per round; a pass goes on while rows are due


class Deliverer(Protocol):
    def deliver(self, item: PushItem) -> Delivery: ...
    def close(self) -> None: ...


def _hubspot(runtime: Runtime) -> Deliverer | None:
    settings = runtime.settings
    if not settings.hubspot_access_token:
        return None
    client = HubSpotClient(settings.hubspot_api_url, settings.hubspot_access_token,
                           attempts=settings.hubspot_attempts, backoff=settings.hubspot_backoff_seconds)
    return HubSpotPush(client, settings.hubspot_left_property, settings.hubspot_left_value)


def _salesforce(runtime: Runtime) -> Deliverer | None:
    if "salesforce" not in runtime.settings.crms:
        return None
    return SalesforcePush(salesforce_client(runtime))


DELIVERERS: dict[str, Callable[[Runtime], Deliverer | None]] = {"hubspot": _hubspot, "salesforce": _salesforce}


def push_enabled(runtime: Runtime) -> bool:
    return bool(runtime.settings.push_kinds)


def register_push_kick(runtime: Runtime) -> None:
    """A change's follow-up (after its ack) wakes a push pass, when CRM_PUSH switches anything on."""
    if push_enabled(runtime):
        runtime.kicks[PUSH_KICK] = lambda: crm_push_pass(runtime)


def push_pass(runtime: Runtime, deliverers: dict[str, Deliverer] | None = None) -> Counter:
    """Deliver every due row of every configured CRM; returns how many rows ended in each status ("elsewhere":
    taken by another process). Never raises for one row: an unexpected error leaves it uncertain."""
    owned = deliverers is None
    if deliverers is None:
        deliverers = {crm: d for crm, make in DELIVERERS.items() if (d := make(runtime)) is not None}
    outcomes: Counter = Counter()
    try:
        for crm, deliverer in deliverers.items():
            _deliver_crm(runtime, crm, deliverer, outcomes)
    finally:
        if owned:
            for deliverer in deliverers.values():
                deliverer.close()
    return outcomes


def _deliver_crm(runtime: Runtime, crm: str, deliverer: Deliverer, outcomes: Counter) -> None:
    claimer, tried = claimer_id(), set()
    while True:
        now = runtime.now()
        with runtime.db.session() as session:
            rows = [row for row in outbox.due(session, crm, now, BATCH) if row.id not in tried]
        if not rows:
            return
        for row in rows:
            tried.add(row.id)
            with runtime.db.session() as session:
                item = outbox.claim(session, row, claimer, runtime.now())
            if item is None:
                outcomes["elsewhere"] += 1
                continue
            delivery = _attempt(deliverer, item)
            with runtime.db.session() as session:
                status = outbox.record(session, item.row_id, delivery, runtime.now())
            outcomes[status.value] += 1
            if status.value == "failed":
                log.error("the %s push of outbox row %s was given up: %s", crm, item.row_id, delivery.error)


def _attempt(deliverer: Deliverer, item: PushItem) -> Delivery:
    try:
        return deliverer.deliver(item)
    except Exception as error:  # a bug or an unforeseen answer: it may have been sent, so look before resending
        log.exception("pushing outbox row %s to %s failed unexpectedly", item.row_id, item.crm)
        return Delivery.lost(f"unexpected error: {error}")


def crm_push_pass(runtime: Runtime) -> None:
    """What the scheduler and the kick after a change run: never raises, logs what it did."""
    try:
        outcomes = push_pass(runtime)
    except Exception:
        log.exception("the CRM push pass failed; the next pass tries again")
        return
    if outcomes:
        log.info("CRM push: %s", ", ".join(f"{count} {what}" for what, count in sorted(outcomes.items())))
