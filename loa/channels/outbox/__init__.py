"""The outbox: publish through a channel without ever doubling or losing a post.

Every publication is claimed (one atomic insert, status "sending", with its idempotency key)
and committed before the remote call, and completed after it. Transient errors that certainly
left nothing behind (no connection, an error answer) are retried with exponential back-off and
jitter; rate limits and errors that outlast the retries put the publication off to a later run
(`next_at`, growing each time); permanent ones are recorded and raised at once.

An outcome that is not known (a timeout, a lost or cut answer, a crash in flight, a failed
look-up) makes the publication "uncertain": it is never posted again until a look-up that
succeeds, made after the channel's settle time (its total call deadline plus the lag of its
listings) has passed since the last attempt began, shows the post is not there. Until then
`reconcile` (every daemon poll, `loa outbox`, a new `loa publish`) looks again with growing
waits. A channel that cannot be searched stays uncertain for the officer.

The moves between publication states are `PUBLICATION_STATES` (loa/channels/models.py); this
module is the only code that makes them. It never touches the plan: callers learn the outcome
from the returned `Publication` (or the raised error) and move their plan entry themselves
(in the transaction that records the post, through `send`'s `on_done`, when it went out).
Nothing here is global: a worker process can call these functions with its own station.
"""

from __future__ import annotations

from loa.channels.outbox.catalog import OnDone
from loa.channels.outbox.reconcile import confirm, needs_reconcile, reconcile, resend
from loa.channels.outbox.records import (
    CLOCK_SLACK,
    LATE_GRACE,
    Deferred,
    ItemSource,
    Uncertain,
    annotate,
    claim,
    find_publication,
    found_done,
    skip,
    started_here,
    store_errors,
    store_failure,
)
from loa.channels.outbox.sending import (
    frozen_item,
    record_unrecorded,
    send,
    unrecorded,
)

__all__ = [
    "CLOCK_SLACK",
    "LATE_GRACE",
    "Deferred",
    "ItemSource",
    "OnDone",
    "Uncertain",
    "annotate",
    "claim",
    "confirm",
    "find_publication",
    "found_done",
    "frozen_item",
    "needs_reconcile",
    "reconcile",
    "record_unrecorded",
    "resend",
    "send",
    "skip",
    "started_here",
    "store_errors",
    "store_failure",
    "unrecorded",
]
