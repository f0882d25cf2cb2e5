"""The province's session-level PostgreSQL advisory locks: one holder at a time of a role
(the scheduler, the stream head-end), the others waiting on standby. A lock lives as long as
the holder's connection: when the database goes away, the lock goes with it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import text


def wait_for_lock(
    holder: Any,
    key: int,
    stop: threading.Event,
    interval_s: float,
    on_standby: Callable[[], None] | None = None,
) -> bool:
    """Take advisory lock `key` on `holder`'s session, trying every `interval_s` until it is
    free (`on_standby` called once when it is not) or `stop` is set. True when taken."""
    said = False
    while not stop.is_set():
        got = holder.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": key})
        holder.commit()
        if got:
            return True
        if on_standby is not None and not said:
            on_standby()
            said = True
        stop.wait(interval_s)
    return False


def holds_lock(holder: Any, key: int) -> bool:
    """Whether `holder`'s session still holds advisory lock `key` (raises when the connection
    is gone)."""
    held = holder.scalar(
        text(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND pid = pg_backend_pid() AND ((classid::bigint << 32) | objid::bigint) = :k)"
        ),
        {"k": key},
    )
    holder.commit()
    return bool(held)
