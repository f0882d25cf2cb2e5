"""Settling what is left open: uncertain publications looked up again, posts recorded late,
and the officer's confirm and resend."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from loa.channels.base import Item, Receipt
from loa.channels.models import (
    DONE_STATUSES,
    Publication,
    PublicationStatus,
)
from loa.channels.runtime import RetryPolicy, Runtime, owner_alive, process_id
from loa.core.errors import UserError

if TYPE_CHECKING:
    from loa.core.station import Station
from loa.channels.outbox.catalog import P, T
from loa.channels.outbox.lookup import _look
from loa.channels.outbox.records import (
    ItemSource,
    _complete,
    _finish,
    _fmt,
    _reason_of,
    store_errors,
)
from loa.channels.outbox.sending import _in_flight, frozen_item, record_unrecorded, send, unrecorded


def reconcile(
    station: Station,
    *,
    now: datetime,
    runtime: Runtime | None = None,
    include_own: bool = True,
    items: ItemSource | None = None,
) -> list[Publication]:
    """Look again at what may have gone out: publications left "sending" by a process that
    died (or by this one, when it is no longer sending them), and "uncertain" ones whose next
    look-up is due (call on start-up and every poll).

    This process's posts that went out while the store failed are recorded first, from their
    answer. A post found remotely completes the record; a post not found by a look-up made
    after the settle time marks it "failed" so it may be sent again; otherwise it stays (or
    becomes) "uncertain" with a later look-up. Rows this process is sending right now are left
    alone (`include_own` is kept for callers; a live row is never taken). Each row is looked
    up with the item frozen with it; `items` rebuilds one recorded before items were stored.
    Returns the publications it changed.
    """
    from sqlalchemy import or_, select

    changed = record_unrecorded(station)
    settled = {p.id for p in changed}
    with store_errors(station), station.transaction() as session:
        rows = session.scalars(
            select(Publication)
            .where(
                or_(
                    Publication.status == P.SENDING,
                    (Publication.status == P.UNCERTAIN)
                    & Publication.next_at.is_not(None)
                    & (Publication.next_at <= now),
                )
            )
            .order_by(Publication.id)
        )
        me = process_id()
        stale = [
            p
            for p in rows
            if p.id not in settled
            and (
                p.status == P.UNCERTAIN
                or (p.owner == me and not _in_flight(station, p.key))
                or (p.owner != me and not owner_alive(p.owner))
            )
        ]
        for publication in stale:
            session.expunge(publication)
    work: list[tuple[Publication, Item | None, str]] = []
    for publication in stale:
        reason = (
            _reason_of(publication.error)
            if publication.status == P.UNCERTAIN
            else T("interrupted", at=_fmt(publication.attempted_at))
        )
        item = frozen_item(publication)
        if item is None and items is not None:
            item = items(publication)
        if item is None:
            reason = T("no_item", id=publication.id)
        work.append((publication, item, reason))
    runtime = runtime or Runtime()
    retry = RetryPolicy.from_station(station)
    started = time.monotonic()

    def clock() -> datetime:
        return now + timedelta(seconds=time.monotonic() - started)

    try:
        for publication, item, reason in work:
            expect = (publication.status, publication.owner)
            if item is None:
                changed.append(
                    _finish(station, publication.id, P.UNCERTAIN, reason, now, expect=expect)
                )
                continue
            try:
                channel = runtime.channel(station, publication.channel)
            except UserError as exc:
                changed.append(
                    _finish(station, publication.id, P.UNCERTAIN, str(exc), now, expect=expect)
                )
                continue
            with store_errors(station):
                looked, absent = _look(
                    station,
                    channel,
                    item,
                    publication,
                    clock=clock,
                    retry=retry,
                    reason=reason,
                    expect=expect,
                )
                if absent:
                    looked = _finish(
                        station,
                        publication.id,
                        P.FAILED,
                        T("not_found"),
                        clock(),
                        waits=0,
                        expect=expect,
                    )
            changed.append(looked)
    finally:
        runtime.close()
    return changed


def needs_reconcile(station: Station, now: datetime) -> bool:
    """Whether `reconcile` has work now: an uncertain publication whose look-up is due, a row
    left "sending" by a dead process or by this one when it no longer sends it, or a post of
    this process whose record is still to be written."""
    from sqlalchemy import select

    if unrecorded(station):
        return True
    me = process_id()
    with station.transaction() as session:
        if (
            session.scalar(
                select(Publication.id)
                .where(
                    Publication.status == P.UNCERTAIN,
                    Publication.next_at.is_not(None),
                    Publication.next_at <= now,
                )
                .limit(1)
            )
            is not None
        ):
            return True
        for key, owner in session.execute(
            select(Publication.key, Publication.owner).where(Publication.status == P.SENDING)
        ):
            if owner == me:
                if not _in_flight(station, key):
                    return True
            elif not owner_alive(owner):
                return True
    return False


def confirm(
    station: Station,
    publication_id: int,
    *,
    posted: bool,
    now: datetime,
    remote_id: str | None = None,
    items: ItemSource | None = None,
) -> Publication:
    """The officer's answer for an uncertain (or failed) publication: it is there, or it is not.

    `posted=False` marks it failed so the next publish sends it again.
    """
    with station.transaction() as session:
        publication = session.get(Publication, publication_id)
        if publication is None:
            raise UserError(T("no_publication", id=publication_id))
        if publication.status in DONE_STATUSES or publication.status in (P.SENDING, P.SKIPPED):
            raise UserError(
                T(
                    "not_uncertain",
                    id=publication_id,
                    status=PublicationStatus(publication.status).label,
                )
            )
        pub_id = publication.id
        session.expunge(publication)
    item = (frozen_item(publication) or (items(publication) if items else None)) if posted else None
    if posted and item is None:
        raise UserError(T("no_item", id=publication_id))
    if item is not None:
        receipt = Receipt(remote_id=remote_id or "?", published_at=now, note=T("confirmed"))
        return _complete(station, pub_id, item, receipt, now)
    return _finish(station, pub_id, P.FAILED, None, now)


def resend(
    station: Station,
    publication_id: int,
    *,
    now: datetime,
    runtime: Runtime | None = None,
    items: ItemSource | None = None,
) -> Publication:
    """Send a failed or uncertain publication again under its own key (the officer's
    `loa outbox --retry`), with the item frozen with it. Channels that can be searched are
    searched first."""
    with station.transaction() as session:
        publication = session.get(Publication, publication_id)
        if publication is None:
            raise UserError(T("no_publication", id=publication_id))
        session.expunge(publication)
    item = frozen_item(publication) or (items(publication) if items else None)
    if item is None:
        raise UserError(T("no_item", id=publication_id))
    if item.due_at is not None and item.due_at < now:
        item.due_at = now
    runtime = runtime or Runtime()
    try:
        return send(
            station,
            item,
            publication.channel,
            now=now,
            plan_entry_id=publication.plan_entry_id,
            runtime=runtime,
            retry_uncertain=True,
        )
    finally:
        runtime.close()
