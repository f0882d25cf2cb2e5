"""Sending an item through its channel: claim, look first when an earlier attempt may have
reached it, post with retries, record the outcome."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from loa.channels.base import ChannelError, Item, TransientError
from loa.channels.models import (
    Publication,
)
from loa.channels.runtime import RetryPolicy, Runtime
from loa.core.errors import RuntimeFailure

if TYPE_CHECKING:
    from loa.channels.base import Channel
    from loa.core.station import Station
from loa.channels.outbox.catalog import OnDone, P, T
from loa.channels.outbox.lookup import _look
from loa.channels.outbox.records import (
    _FOUND_DONE,
    _PROCESS_LOCK,
    _SENDING,
    _UNRECORDED,
    _complete,
    _finish,
    _fmt,
    _reason_of,
    _shown,
    _started,
    _uncertain_error,
    _with_state,
    claim,
    find_publication,
    started_here,
    store_errors,
    store_failure,
)

# ------------------------------------------------------------------------------- sending


def frozen_item(publication: Publication, given: Item | None = None) -> Item | None:
    """The item stored with `publication` when it was first claimed (its due time taken from
    `given` when that says one), else `given`."""
    if publication.item is None:
        return given
    item = Item.from_record(publication.item)
    if given is not None and given.due_at is not None:
        item.due_at = given.due_at
    return item


@contextlib.contextmanager
def _sending(station: Station, key: str) -> Iterator[None]:
    mark = (str(station.root), key)
    with _PROCESS_LOCK:
        _SENDING.add(mark)
    try:
        yield
    finally:
        with _PROCESS_LOCK:
            _SENDING.discard(mark)


def _in_flight(station: Station, key: str) -> bool:
    with _PROCESS_LOCK:
        return (str(station.root), key) in _SENDING


def unrecorded(station: Station) -> int:
    """How many posts of this process went out without their record written yet."""
    root = str(station.root)
    with _PROCESS_LOCK:
        return sum(1 for r, _ in _UNRECORDED if r == root)


def send(
    station: Station,
    item: Item,
    channel_name: str,
    *,
    now: datetime,
    plan_entry_id: int | None = None,
    late: bool = False,
    runtime: Runtime | None = None,
    retry: RetryPolicy | None = None,
    retry_uncertain: bool = False,
    on_done: OnDone | None = None,
) -> Publication:
    """Publish `item` on a channel through the outbox (the one path every publish takes).

    `on_done(session, publication)` runs in the transaction that records the post as done
    (the caller's own record kept in step with it, one commit for both); not when the post
    was found done or recorded by another process.

    The item is frozen with the publication when it is first claimed; taking an earlier
    publication over sends its stored copy (`frozen_item`), never the message as it is now.
    Returns the finished Publication (an earlier finished one unchanged: nothing is sent twice).
    Raises Uncertain (recorded "uncertain": looked up later, never re-posted blindly),
    ChannelError after recording the failure (`find_publication(item.key)` has the record),
    Deferred when it is put off, RuntimeFailure when another process is sending it or the
    store failed (locked, disk full; a post that went out but was not recorded says so, and
    this process records it at its next `reconcile`).
    """
    with _sending(station, item.key):
        return _send(
            station,
            item,
            channel_name,
            now=now,
            plan_entry_id=plan_entry_id,
            late=late,
            runtime=runtime or Runtime(),
            retry=retry or RetryPolicy.from_station(station),
            retry_uncertain=retry_uncertain,
            on_done=on_done,
        )


def _send(
    station: Station,
    item: Item,
    channel_name: str,
    *,
    now: datetime,
    plan_entry_id: int | None,
    late: bool,
    runtime: Runtime,
    retry: RetryPolicy,
    retry_uncertain: bool,
    on_done: OnDone | None = None,
) -> Publication:
    channel = runtime.channel(station, channel_name)
    started = time.monotonic()

    def clock() -> datetime:
        return now + timedelta(seconds=time.monotonic() - started)

    with store_errors(station):
        publication, look_first = claim(
            station,
            item.key,
            channel=channel_name,
            now=now,
            message_id=item.message_id,
            plan_entry_id=plan_entry_id,
            due_at=item.due_at,
            retry_uncertain=retry_uncertain,
            item=item,
            attempt_at=clock(),
        )
        if publication.status != P.SENDING:
            setattr(publication, _FOUND_DONE, True)
            return publication
        item = frozen_item(publication, item) or item
        pub_id = publication.id
        # A new publication comes with its first attempt recorded: no separate commit for it.
        recorded = started_here(publication)
        attempts = 0 if recorded else publication.attempts
        if look_first:
            reason = _reason_of(publication.error) or T(
                "interrupted", at=_fmt(publication.attempted_at)
            )
            looked, may_post = _look(
                station,
                channel,
                item,
                publication,
                clock=clock,
                retry=retry,
                reason=reason,
                late=late,
                officer=retry_uncertain,
            )
            if not may_post:
                if looked.status == P.UNCERTAIN:
                    raise _uncertain_error(
                        station, looked, _reason_of(looked.error), looked.next_at
                    )
                return looked
    failures = 0
    while True:
        attempts += 1
        if recorded:
            recorded = False
        else:
            with store_errors(station):
                _started(station, pub_id, clock(), attempts)
        try:
            receipt = channel.publish(item, now=now)
        except ChannelError as exc:
            failures += 1
            _after_failure(
                station, publication, channel, item, exc, failures, attempts, clock, retry
            )
            runtime.sleep(retry.delay(failures, runtime.rng))
            continue
        try:
            return _complete(
                station,
                pub_id,
                item,
                receipt,
                clock(),
                late=late,
                attempts=attempts,
                on_done=on_done,
            )
        except Exception as exc:
            with _PROCESS_LOCK:
                _UNRECORDED[(str(station.root), pub_id)] = (item, receipt, late, attempts)
            why = store_failure(station, exc)
            raise RuntimeFailure(
                T(
                    "not_recorded",
                    channel=channel_name,
                    remote=receipt.url or receipt.remote_id,
                    error=str(why) if why is not None else type(exc).__name__,
                )
            ) from None


def record_unrecorded(station: Station) -> list[Publication]:
    """Write the records of this process's posts that went out while the store failed (the
    store is writable again). Returns those written; the others stay for the next call."""
    root = str(station.root)
    with _PROCESS_LOCK:
        waiting = [(k, v) for k, v in _UNRECORDED.items() if k[0] == root]
    done: list[Publication] = []
    for (key_root, pub_id), (item, receipt, late, attempts) in waiting:
        try:
            publication = _complete(
                station,
                pub_id,
                item,
                receipt,
                receipt.published_at or station.now(),
                late=late,
                attempts=attempts,
            )
        except Exception:
            continue
        with _PROCESS_LOCK:
            _UNRECORDED.pop((key_root, pub_id), None)
        done.append(publication)
    return done


def _after_failure(
    station: Station,
    publication: Publication,
    channel: Channel,
    item: Item,
    exc: ChannelError,
    failures: int,
    attempts: int,
    clock: Callable[[], datetime],
    retry: RetryPolicy,
) -> None:
    """Record a failed attempt and raise, or return to let the caller wait and try again."""
    pub_id = publication.id
    if exc.transient and exc.ambiguous:
        # It may have reached the remote side: never try again before a look-up shows it did
        # not, made once the channel has had time to list it.
        at = clock()
        reason = T("in_doubt", at=_fmt(at), error=exc)
        if not channel.searchable(item):
            with store_errors(station):
                done = _finish(
                    station,
                    pub_id,
                    P.UNCERTAIN,
                    _with_state(reason, T("lost_lookup")),
                    at,
                    attempts=attempts,
                )
            raise _uncertain_error(station, done, _shown(done.error), None) from None
        with store_errors(station):
            current = find_publication(station, publication.key)
        since = (current.attempted_at if current else None) or at
        ready = since + timedelta(seconds=channel.settle_s)
        text = _with_state(reason, T("settling", channel=channel.name, when=_fmt(ready)))
        with store_errors(station):
            done = _finish(station, pub_id, P.UNCERTAIN, text, at, attempts=attempts, next_at=ready)
        raise _uncertain_error(station, done, reason, ready) from None
    rate_limited = isinstance(exc, TransientError) and exc.rate_limited
    if exc.transient and not rate_limited and failures < retry.attempts:
        return
    if not exc.transient:
        with store_errors(station):
            _finish(station, pub_id, P.FAILED, str(exc), clock(), attempts=attempts, waits=0)
        raise exc
    current = find_publication(station, publication.key)
    waits = (current.waits if current else 0) + 1
    hint = exc.retry_after_s if isinstance(exc, TransientError) else None
    next_at = clock() + timedelta(seconds=retry.later(waits, hint))
    if rate_limited:
        text = T("deferred", error=exc, when=_fmt(next_at))
    else:
        text = T("gave_up", n=failures, error=exc, when=_fmt(next_at))
    with store_errors(station):
        _finish(
            station,
            pub_id,
            P.FAILED,
            text,
            clock(),
            attempts=attempts,
            next_at=next_at,
            waits=waits,
        )
    raise TransientError(text, code=exc.code, rate_limited=rate_limited) from None
