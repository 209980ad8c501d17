"""What capture keeps in memory so a message event in a busy channel costs no look-up: channel → its
account (owner's time zone, domains, switches), and (account, Slack user) → the contact they are.

Entries live TTL seconds, so a change made by another process (or replica) is seen within that time; a
change made in this process (link, unlink, a contact matched or edited, the settings) drops them at once.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

TTL = 60.0
MAX_ENTRIES = 50_000  # past that the cache starts again empty (a bound on memory, not a policy)


@dataclass(frozen=True)
class ChannelTarget:
    """A linked channel as capture needs it; enabled is False when the account's or the workspace's switch
    turned capture off."""

    account_id: int
    channel_name: str | None
    owner_user_id: str | None
    owner_tz: str | None
    domains: tuple[str, ...]
    enabled: bool
    our_enterprise: str | None


@dataclass(frozen=True)
class MemberMatch:
    """Who a Slack user is for an account: not the customer, a contact, or a customer member off the map."""

    customer: bool
    contact_id: int | None = None


class CaptureCache:
    def __init__(self, ttl: float = TTL):
        self.ttl = ttl
        self._lock = threading.Lock()
        self._channels: dict[tuple[str, str], tuple[float, ChannelTarget | None]] = {}
        self._members: dict[tuple[str, int, str], tuple[float, MemberMatch]] = {}
        self._activity_written: dict[tuple[str, str], float] = {}
        self._resolving: dict[tuple, threading.Lock] = {}

    def resolving(self, *key) -> threading.Lock:
        """A lock per thing being looked up: threads that miss the cache for the same channel or person at once
        wait for the first one's answer instead of asking Slack and the database again."""
        with self._lock:
            if len(self._resolving) >= MAX_ENTRIES:
                self._resolving.clear()
            return self._resolving.setdefault(key, threading.Lock())

    def channel(self, team_id: str, channel_id: str) -> tuple[bool, ChannelTarget | None]:
        """(known, target): known False when the channel must be looked up."""
        return self._get(self._channels, (team_id, channel_id))

    def keep_channel(self, team_id: str, channel_id: str, target: ChannelTarget | None) -> None:
        self._put(self._channels, (team_id, channel_id), target)

    def member(self, team_id: str, account_id: int, user_id: str) -> MemberMatch | None:
        return self._get(self._members, (team_id, account_id, user_id))[1]

    def keep_member(self, team_id: str, account_id: int, user_id: str, match: MemberMatch) -> None:
        self._put(self._members, (team_id, account_id, user_id), match)

    def due_for_last_message(self, team_id: str, channel_id: str, every: float = TTL) -> bool:
        """Whether this process should write the channel's last customer message time now (at most once
        per `every` seconds per channel: going dark counts days, not seconds)."""
        now = time.monotonic()
        with self._lock:
            if now - self._activity_written.get((team_id, channel_id), -every) < every:
                return False
            self._activity_written[(team_id, channel_id)] = now
            return True

    def forget_channel(self, team_id: str, channel_id: str) -> None:
        with self._lock:
            self._channels.pop((team_id, channel_id), None)
            self._activity_written.pop((team_id, channel_id), None)

    def forget_account(self, team_id: str, account_id: int) -> None:
        """Drop the account's channels and members (its contacts, owner or switches changed)."""
        with self._lock:
            for key in [k for k, (_, target) in self._channels.items()
                        if k[0] == team_id and target is not None and target.account_id == account_id]:
                del self._channels[key]
            for key in [k for k in self._members if k[0] == team_id and k[1] == account_id]:
                del self._members[key]

    def clear(self) -> None:
        with self._lock:
            self._channels.clear()
            self._members.clear()
            self._activity_written.clear()

    def _get(self, store: dict, key) -> tuple[bool, object]:
        with self._lock:
            found = store.get(key)
        if found is None or found[0] < time.monotonic():
            return False, None
        return True, found[1]

    def _put(self, store: dict, key, value) -> None:
        with self._lock:
            if len(store) >= MAX_ENTRIES:
                store.clear()
            store[key] = (time.monotonic() + self.ttl, value)


CAPTURE_CACHE = CaptureCache()
