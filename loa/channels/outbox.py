"""The outbox: publish through a channel without ever doubling or losing a post.

Every publication is recorded (status "sending", with its idempotency key) and committed before
the remote call, and completed after it. A crash in between leaves a "sending" row that
`reconcile` resolves on start-up by looking at the remote side; where it cannot look, the row
becomes "uncertain" and waits in `loa outbox` for the officer. Transient errors are retried
with exponential back-off and jitter; permanent ones are recorded and raised at once.

The moves between publication states are `PUBLICATION_STATES` (loa/channels/models.py); this
module is the only code that makes them. It never touches the plan: callers learn the outcome
from the returned `Publication` (or the raised error) and move their plan entry themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from loa.channels.base import ChannelError, Item, Receipt
from loa.channels.items import item_for
from loa.channels.models import (
    DONE_STATUSES,
    PUBLICATION_STATES,
    AsRunRecord,
    AsRunStatus,
    Publication,
    PublicationStatus,
)
from loa.channels.runtime import RetryPolicy, Runtime, owner_alive, process_id
from loa.content.models import Message
from loa.core.errors import RuntimeFailure, UserError
from loa.core.i18n import Catalog
from loa.planning.models import PlanEntry, PlanStatus

if TYPE_CHECKING:
    from loa.channels.base import Channel
    from loa.core.station import Station

P = PublicationStatus

T = Catalog(
    {
        "no_publication": (
            "Không có bản ghi đăng số {id}. Xem: loa outbox.",
            "There is no publication {id}. See: loa outbox.",
        ),
        "busy": (
            'Bài "{key}" đang được tiến trình khác ({owner}) gửi đi. Đợi tiến trình đó xong '
            "rồi xem lại bằng loa outbox.",
            '"{key}" is being sent by another process ({owner}). Wait for it to finish, then '
            "check loa outbox.",
        ),
        "uncertain": (
            'Không chắc bài "{key}" đã lên {channel} hay chưa (bản ghi {id}). Kiểm tra trên '
            "{channel} rồi xác nhận: loa outbox --done {id} (đã lên) hoặc loa outbox --retry "
            "{id} (chưa lên, đăng lại).",
            'Not sure whether "{key}" reached {channel} (record {id}). Check {channel}, then '
            "confirm: loa outbox --done {id} (it is there) or loa outbox --retry {id} (it is "
            "not, post again).",
        ),
        "lost_lookup": (
            "Gián đoạn khi đang gửi; kênh này không cho tra cứu nên không biết bài đã lên chưa.",
            "Interrupted while sending; this channel cannot be searched, so whether the post "
            "went out is unknown.",
        ),
        "lookup_failed": (
            "Gián đoạn khi đang gửi và chưa tra cứu được ({error}).",
            "Interrupted while sending and the lookup failed ({error}).",
        ),
        "not_found": (
            "Gián đoạn khi đang gửi; đã tra trên kênh và không thấy bài, sẽ đăng lại.",
            "Interrupted while sending; the channel was searched and the post is not there, "
            "it will be posted again.",
        ),
        "gave_up": ("Đã thử {n} lần: {error}", "Tried {n} times: {error}"),
        "confirmed": ("Cán bộ xác nhận đã lên.", "Confirmed by the officer as published."),
        "not_uncertain": (
            "Bản ghi {id} đang ở trạng thái {status}, không cần xác nhận.",
            "Record {id} is {status}; there is nothing to confirm.",
        ),
    }
)

#: A post this late is still "published", not "late".
LATE_GRACE = timedelta(minutes=5)


def _move(publication: Publication, status: PublicationStatus) -> None:
    PUBLICATION_STATES.check(publication.status, status)
    publication.status = status


def _as_run(publication: Publication, item: Item, receipt: Receipt, now: datetime) -> AsRunRecord:
    return AsRunRecord(
        channel=publication.channel,
        status=AsRunStatus.DONE,
        started_at=receipt.published_at or now,
        ended_at=receipt.published_at or now,
        duration_s=item.duration_s,
        bulletin=item.extra.get("bulletin"),
        message_id=publication.message_id,
        plan_entry_id=publication.plan_entry_id,
        publication_id=publication.id,
        title=item.title,
        topic_code=item.topic_code,
        audiences=list(item.audiences),
        remote_id=receipt.remote_id,
        note=receipt.note,
        extra={
            "scheduled": receipt.scheduled,
            "late": publication.status == P.LATE,
            "url": receipt.url,
            "kind": item.kind,
        },
    )


def _complete(
    station: Station,
    pub_id: int,
    item: Item,
    receipt: Receipt,
    now: datetime,
    *,
    late: bool = False,
    attempts: int | None = None,
) -> Publication:
    """Record that the item is on the remote side, and its as-run row, in one transaction."""
    with station.transaction() as session:
        publication = session.get(Publication, pub_id)
        assert publication is not None
        _move(publication, P.SCHEDULED if receipt.scheduled else (P.LATE if late else P.PUBLISHED))
        publication.remote_id = receipt.remote_id
        publication.remote_url = receipt.url
        publication.completed_at = now
        publication.error = None
        publication.owner = None
        if attempts is not None:
            publication.attempts = attempts
        session.add(_as_run(publication, item, receipt, now))
        session.flush()
        session.expunge(publication)
    return publication


def _finish(
    station: Station,
    pub_id: int,
    status: PublicationStatus,
    error: str | None,
    now: datetime,
    *,
    attempts: int | None = None,
) -> Publication:
    with station.transaction() as session:
        publication = session.get(Publication, pub_id)
        assert publication is not None
        _move(publication, status)
        publication.error = error
        publication.owner = None
        if attempts is not None:
            publication.attempts = attempts
        if status in (P.FAILED, P.SKIPPED):
            publication.completed_at = now
        session.flush()
        session.expunge(publication)
    return publication


def find_publication(station: Station, key: str) -> Publication | None:
    """The publication recorded under `key`, if any."""
    from sqlalchemy import select

    with station.transaction() as session:
        publication = session.scalars(select(Publication).where(Publication.key == key)).first()
        if publication is not None:
            session.expunge(publication)
    return publication


def claim(
    station: Station,
    key: str,
    *,
    channel: str,
    now: datetime,
    message_id: int | None,
    plan_entry_id: int | None,
    due_at: datetime | None,
    retry_uncertain: bool = False,
) -> tuple[Publication, bool]:
    """Record (or take over) the publication for `key` as "sending" and commit.

    Returns (publication, look_first): look_first is True when an earlier attempt may have
    reached the remote side. A finished publication comes back unchanged with look_first False
    and status in DONE_STATUSES (or skipped); the caller must then not publish.
    Raises RuntimeFailure when another live process is sending it, or when an earlier attempt
    is uncertain and `retry_uncertain` is not set.
    """
    from sqlalchemy import select
    from sqlalchemy.exc import IntegrityError

    try:
        with station.transaction() as session:
            publication = session.scalars(
                select(Publication).where(Publication.key == key)
            ).one_or_none()
            look_first = False
            if publication is None:
                publication = Publication(
                    key=key,
                    channel=channel,
                    message_id=message_id,
                    plan_entry_id=plan_entry_id,
                    due_at=due_at,
                    created_at=now,
                    status=P.SENDING,
                )
                session.add(publication)
            elif publication.status in DONE_STATUSES or publication.status == P.SKIPPED:
                session.expunge(publication)
                return publication, False
            elif publication.status == P.UNCERTAIN and not retry_uncertain:
                raise RuntimeFailure(
                    T("uncertain", key=key, channel=publication.channel, id=publication.id)
                )
            elif publication.status == P.SENDING:
                if owner_alive(publication.owner):
                    raise RuntimeFailure(T("busy", key=key, owner=publication.owner))
                look_first = True
            else:
                look_first = publication.status == P.UNCERTAIN
                _move(publication, P.SENDING)
            publication.attempted_at = now
            publication.owner = process_id()
            publication.due_at = due_at if due_at is not None else publication.due_at
            session.flush()
            session.expunge(publication)
    except IntegrityError:
        # Another process inserted the same key between our read and our insert: it is sending.
        raise RuntimeFailure(T("busy", key=key, owner="?")) from None
    return publication, look_first


def skip(station: Station, pub_id: int, reason: str, now: datetime) -> Publication:
    """Mark a claimed publication as skipped (too late to send): it is never sent."""
    return _finish(station, pub_id, P.SKIPPED, reason, now)


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
) -> Publication:
    """Publish `item` on a channel through the outbox (the one path every publish takes).

    Returns the finished Publication (an earlier finished one unchanged: nothing is sent twice).
    Raises ChannelError after recording the failure (`find_publication(item.key)` has the
    record), RuntimeFailure when another process is sending it or an earlier attempt is
    uncertain.
    """
    runtime = runtime or Runtime()
    retry = retry or RetryPolicy.from_station(station)
    channel = runtime.channel(station, channel_name)
    publication, look_first = claim(
        station,
        item.key,
        channel=channel_name,
        now=now,
        message_id=item.message_id,
        plan_entry_id=plan_entry_id,
        due_at=item.due_at,
        retry_uncertain=retry_uncertain,
    )
    if publication.status != P.SENDING:
        return publication
    pub_id = publication.id
    since = publication.created_at or now
    attempts = publication.attempts
    if look_first:
        if not channel.can_lookup:
            if not retry_uncertain:
                return _finish(station, pub_id, P.UNCERTAIN, T("lost_lookup"), now)
        else:
            try:
                found = channel.find(item, since=since)
            except ChannelError as exc:
                _finish(station, pub_id, P.UNCERTAIN, T("lookup_failed", error=exc), now)
                raise
            if found is not None:
                return _complete(station, pub_id, item, found, now, late=late)
    failures = 0
    while True:
        attempts += 1
        try:
            receipt = channel.publish(item, now=now)
        except ChannelError as exc:
            failures += 1
            if exc.transient and exc.ambiguous:
                found = _look_after(channel, item, since)
                if found is not None:
                    return _complete(station, pub_id, item, found, now, late=late)
                if not channel.can_lookup:
                    _finish(station, pub_id, P.UNCERTAIN, str(exc), now, attempts=attempts)
                    raise
            if exc.transient and failures < retry.attempts:
                runtime.sleep(retry.delay(failures, runtime.rng))
                continue
            error = T("gave_up", n=failures, error=exc) if exc.transient else str(exc)
            _finish(station, pub_id, P.FAILED, error, now, attempts=attempts)
            raise
        return _complete(station, pub_id, item, receipt, now, late=late, attempts=attempts)


def _look_after(channel: Channel, item: Item, since: datetime) -> Receipt | None:
    """After an ambiguous failure, look before trying again (None: not there or cannot look)."""
    if not channel.can_lookup:
        return None
    try:
        return channel.find(item, since=since)
    except ChannelError:
        return None


def reconcile(
    station: Station, *, now: datetime, runtime: Runtime | None = None
) -> list[Publication]:
    """Resolve publications left "sending" by a process that died (call on start-up).

    For channels that can be searched, a post found remotely completes the record; a post not
    found marks it "failed" so it is sent again. Otherwise the record becomes "uncertain".
    Returns the publications it changed.
    """
    from sqlalchemy import select

    with station.transaction() as session:
        stale = [
            p
            for p in session.scalars(
                select(Publication).where(Publication.status == P.SENDING).order_by(Publication.id)
            )
            if not owner_alive(p.owner)
        ]
        work: list[tuple[int, str, Item | None, Any]] = []
        for publication in stale:
            try:
                work.append(
                    (
                        publication.id,
                        publication.channel,
                        item_for(session, station, publication),
                        publication.attempted_at or publication.created_at,
                    )
                )
            except UserError as exc:
                work.append((publication.id, publication.channel, None, str(exc)))
    runtime = runtime or Runtime()
    changed: list[Publication] = []
    try:
        for pub_id, name, item, since in work:
            if item is None:
                changed.append(_finish(station, pub_id, P.UNCERTAIN, str(since), now))
                continue
            try:
                channel = runtime.channel(station, name)
            except UserError as exc:
                changed.append(_finish(station, pub_id, P.UNCERTAIN, str(exc), now))
                continue
            if not channel.can_lookup:
                changed.append(_finish(station, pub_id, P.UNCERTAIN, T("lost_lookup"), now))
                continue
            try:
                found = channel.find(item, since=since - timedelta(minutes=1))
            except ChannelError as exc:
                changed.append(
                    _finish(station, pub_id, P.UNCERTAIN, T("lookup_failed", error=exc), now)
                )
                continue
            if found is not None:
                changed.append(_complete(station, pub_id, item, found, now))
            else:
                changed.append(_finish(station, pub_id, P.FAILED, T("not_found"), now))
    finally:
        runtime.close()
    return changed


def confirm(
    station: Station,
    publication_id: int,
    *,
    posted: bool,
    now: datetime,
    remote_id: str | None = None,
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
        item = item_for(session, station, publication) if posted else None
    if item is not None:
        receipt = Receipt(remote_id=remote_id or "?", published_at=now, note=T("confirmed"))
        return _complete(station, pub_id, item, receipt, now)
    return _finish(station, pub_id, P.FAILED, None, now)


def resend(
    station: Station, publication_id: int, *, now: datetime, runtime: Runtime | None = None
) -> Publication:
    """Send a failed or uncertain publication again under its own key (the officer's
    `loa outbox --retry`). Channels that can be searched are searched first."""
    with station.transaction() as session:
        publication = session.get(Publication, publication_id)
        if publication is None:
            raise UserError(T("no_publication", id=publication_id))
        item = item_for(session, station, publication)
        if item.due_at is not None and item.due_at < now:
            item.due_at = now
        channel, entry_id = publication.channel, publication.plan_entry_id
    runtime = runtime or Runtime()
    try:
        return send(
            station,
            item,
            channel,
            now=now,
            plan_entry_id=entry_id,
            runtime=runtime,
            retry_uncertain=True,
        )
    finally:
        runtime.close()


# -------------------------------------------------------------------------------- outbox view


@dataclass
class OutboxRow:
    """One line of `loa outbox`: a publication needing attention, or an overdue plan entry."""

    publication_id: int | None
    plan_entry_id: int | None
    message_id: int | None
    channel: str
    status: str
    due_at: datetime | None
    attempts: int
    title: str
    error: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            k: (v.isoformat(timespec="minutes") if isinstance(v, datetime) else v)
            for k, v in self.__dict__.items()
        }


#: The outbox row of a non-radio plan entry past due with no publication yet.
OVERDUE = "overdue"

#: Publications `loa outbox` lists without --all.
OUTBOX_STATUSES = (P.SENDING, P.FAILED, P.UNCERTAIN, P.LATE, P.SCHEDULED)


def outbox(station: Station, *, now: datetime, include_done: bool = False) -> list[OutboxRow]:
    """What needs attention: pending, failed, uncertain, late or scheduled publications, and
    non-radio plan entries past due with no publication yet (status "overdue")."""
    from sqlalchemy import select

    rows: list[OutboxRow] = []
    with station.transaction() as session:
        titles = dict(session.execute(select(Message.id, Message.title)).all())
        query = select(Publication).order_by(Publication.id)
        if not include_done:
            query = query.where(Publication.status.in_(OUTBOX_STATUSES))
        for p in session.scalars(query):
            rows.append(
                OutboxRow(
                    p.id,
                    p.plan_entry_id,
                    p.message_id,
                    p.channel,
                    p.status,
                    p.due_at,
                    p.attempts,
                    titles.get(p.message_id or 0, p.key),
                    p.error,
                )
            )
        keyed = set(
            session.scalars(
                select(Publication.plan_entry_id).where(Publication.plan_entry_id.is_not(None))
            )
        )
        overdue = session.scalars(
            select(PlanEntry)
            .where(
                PlanEntry.status == PlanStatus.PLANNED,
                PlanEntry.channel != "radio",
                PlanEntry.channel != "urgent",
                PlanEntry.scheduled_at < now - LATE_GRACE,
            )
            .order_by(PlanEntry.scheduled_at)
        )
        for e in overdue:
            if e.id not in keyed:
                rows.append(
                    OutboxRow(
                        None,
                        e.id,
                        e.message_id,
                        e.channel,
                        OVERDUE,
                        e.scheduled_at,
                        0,
                        titles.get(e.message_id, ""),
                        None,
                    )
                )
    return rows
