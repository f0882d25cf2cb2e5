"""Slowing down password guessing without locking anyone out.

Failed logins are counted per client address (an IPv6 address by its /64 network, what one
household or commune office gets) and per (address, user name). Past a few failures the address
must wait before trying again; nothing is counted against the account, so an attacker elsewhere
cannot keep the real user out, and the answer is the same whether the name exists or not. A
correct password is only checked when the address may try: a throttled attempt costs no argon2
work, and at most `CHECKS` password checks run at once, so a flood of logins leaves the other
pages their CPU: they run in their own thread at a lower CPU priority (argon2 is meant to be
costly, and its threads would otherwise take both cores of a commune PC from the pages).
"""

from __future__ import annotations

import ipaddress
import os
import threading
from collections import OrderedDict, deque
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

#: Failures one address may make for one user name in PAIR_WINDOW.
PAIR_LIMIT = 5
PAIR_WINDOW = timedelta(minutes=1)
#: Failures one address may make for all names together in ADDRESS_WINDOW.
ADDRESS_LIMIT = 20
ADDRESS_WINDOW = timedelta(minutes=10)
#: Password checks (argon2) that may run at the same time; more wait their turn.
CHECKS = 1
#: Logins that may wait for a check; more are told to try again in a moment.
WAITING = 16
#: Addresses remembered (the oldest are forgotten first).
KEPT = 10_000
#: How much less CPU priority the password checks get (Linux nice, per thread; the threads
#: argon2 starts inherit it).
CHECK_NICENESS = 10


def _lower_priority() -> None:
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), CHECK_NICENESS)
    except (AttributeError, OSError):  # not Linux, or not allowed: checks run as they are
        pass


def password_checks() -> ThreadPoolExecutor:
    """The executor password checks run in: CHECKS threads at a lower CPU priority."""
    return ThreadPoolExecutor(
        max_workers=CHECKS, thread_name_prefix="loa-login", initializer=_lower_priority
    )


def address_key(address: str) -> str:
    """The unit an address is counted in: an IPv4 address, or an IPv6 address's /64."""
    try:
        found = ipaddress.ip_address(address)
    except ValueError:
        return address[:60]
    if isinstance(found, ipaddress.IPv6Address):
        if found.ipv4_mapped is not None:
            return str(found.ipv4_mapped)
        return str(ipaddress.ip_network(f"{found}/64", strict=False))
    return str(found)


class LoginThrottle:
    """Counts failed logins in memory (one dashboard process: a restart forgets them)."""

    def __init__(self) -> None:
        self._failures: OrderedDict[str, deque[tuple[datetime, str]]] = OrderedDict()
        self._lock = threading.Lock()

    def wait(self, address: str, name: str, now: datetime) -> int:
        """Seconds `address` must wait before trying `name` again (0: it may try now)."""
        key = address_key(address)
        with self._lock:
            found = self._failures.get(key)
            if not found:
                return 0
            self._forget_old(found, now)
            waits = []
            if len(found) >= ADDRESS_LIMIT:
                waits.append(found[-ADDRESS_LIMIT][0] + ADDRESS_WINDOW - now)
            mine = [at for at, who in found if who == name and at > now - PAIR_WINDOW]
            if len(mine) >= PAIR_LIMIT:
                waits.append(mine[-PAIR_LIMIT] + PAIR_WINDOW - now)
            longest = max(waits, default=timedelta(0))
            return int(longest.total_seconds()) + 1 if longest > timedelta(0) else 0

    def failed(self, address: str, name: str, now: datetime) -> int:
        """Count a failed (or about to be checked) login; answers the address's failures in
        ADDRESS_WINDOW, this one included."""
        key = address_key(address)
        with self._lock:
            found = self._failures.setdefault(key, deque(maxlen=ADDRESS_LIMIT * 4))
            self._failures.move_to_end(key)
            self._forget_old(found, now)
            found.append((now, name))
            while len(self._failures) > KEPT:
                self._failures.popitem(last=False)
            return len(found)

    def succeeded(self, address: str, name: str) -> None:
        """A correct login forgets that address's failures for that name (and the attempt
        counted before its check)."""
        key = address_key(address)
        with self._lock:
            found = self._failures.get(key)
            if found:
                kept = [(at, who) for at, who in found if who != name]
                found.clear()
                found.extend(kept)

    @staticmethod
    def _forget_old(found: deque[tuple[datetime, str]], now: datetime) -> None:
        while found and found[0][0] <= now - ADDRESS_WINDOW:
            found.popleft()
