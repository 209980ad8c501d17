"""Claims on a delivery ledger (the weekly digest's, the signals'): who holds a claim, and when a claim
or an outcome lets a row be tried again. A row is claimed before its message is sent and its outcome
recorded after, so only one process ever sends it; see app/jobs/ledger.py and app/services/signals.py."""

from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime, timedelta

from app.core.domain import DeliveryStatus

# A claim this old belongs to a process that died mid-send: far longer than one send with retries.
CLAIM_LEASE = timedelta(minutes=10)
ERROR_MAX = 255


def claimer_id() -> str:
    """Who holds a claim: host, process and a random part (several sweeps may share a process)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def retryable(row, now: datetime) -> bool:
    """A failed or uncertain send, or a claim abandoned by a process that stopped mid-send (a ledger row
    with `status` and `claimed_at`)."""
    if row.status in (DeliveryStatus.FAILED, DeliveryStatus.UNCERTAIN):
        return True
    return row.status == DeliveryStatus.SENDING and (row.claimed_at is None or row.claimed_at < now - CLAIM_LEASE)
