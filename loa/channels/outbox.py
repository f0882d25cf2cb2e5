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

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from loa.channels.base import ChannelError, Item, Receipt, TransientError
from loa.channels.models import (
    DONE_STATUSES,
    PUBLICATION_STATES,
    AsRunRecord,
    AsRunStatus,
    Publication,
    PublicationStatus,
)
from loa.channels.runtime import RetryPolicy, Runtime, owner_alive, process_id
from loa.core.errors import RuntimeFailure, UserError
from loa.core.i18n import Catalog

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from loa.channels.base import Channel
    from loa.core.station import Station

P = PublicationStatus

#: A caller's own record of a finished post, written in the outbox's transaction (`send`).
OnDone = Callable[["Session", Publication], None]

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
            'Chưa chắc bài "{key}" đã lên {channel} hay chưa (bản ghi {id}): {reason} '
            "loa không đăng lại khi chưa tra thấy bài không có; sẽ tra lại từ {when} "
            "(loa run tự làm, hoặc chạy loa outbox).",
            'Not sure whether "{key}" reached {channel} (record {id}): {reason} loa does not '
            "post it again before a look-up shows it is not there; it looks again from {when} "
            "(loa run does it, or run loa outbox).",
        ),
        "uncertain_officer": (
            'Chưa chắc bài "{key}" đã lên {channel} hay chưa (bản ghi {id}): {reason} Kênh '
            "này không cho tra cứu: kiểm tra trên {channel} rồi xác nhận: loa outbox --done "
            "{id} (đã lên) hoặc loa outbox --retry {id} (chưa lên, đăng lại).",
            'Not sure whether "{key}" reached {channel} (record {id}): {reason} This channel '
            "cannot be searched: check {channel}, then confirm: loa outbox --done {id} (it is "
            "there) or loa outbox --retry {id} (it is not, post again).",
        ),
        "lost_lookup": (
            "Gián đoạn khi đang gửi; kênh này không cho tra cứu nên không biết bài đã lên chưa.",
            "Interrupted while sending; this channel cannot be searched, so whether the post "
            "went out is unknown.",
        ),
        "in_doubt": (
            "Lần gửi lúc {at} không có kết quả rõ ({error}).",
            "The attempt at {at} has no clear outcome ({error}).",
        ),
        "interrupted": (
            "Tiến trình gửi lúc {at} đã dừng giữa chừng.",
            "The process sending it at {at} stopped half-way.",
        ),
        "settling": (
            "Đợi {channel} hiện bài mới (tới {when}) rồi mới tra.",
            "Waiting until {when} for {channel} to list new posts before looking.",
        ),
        "lookup_failed": (
            "Chưa tra cứu được ({error}); lần tra thứ {n} không thành.",
            "The look-up failed ({error}); look-up {n} did not succeed.",
        ),
        "not_found": (
            "Đã tra trên kênh sau thời gian chờ và không thấy bài; có thể đăng lại.",
            "The channel was searched after the settle time and the post is not there; it may "
            "be posted again.",
        ),
        "gave_up": (
            "Đã thử {n} lần, chưa được: {error} Có thể thử lại từ {when}.",
            "Tried {n} times without success: {error} It may be tried again from {when}.",
        ),
        "deferred": (
            "{error} Chưa gửi lại ngay; có thể thử lại từ {when}.",
            "{error} Not sent again at once; it may be tried again from {when}.",
        ),
        "wait_until": (
            'Bài "{key}" đang được hoãn tới {when}: {error}',
            '"{key}" is put off until {when}: {error}',
        ),
        "not_recorded": (
            "Bài đã lên {channel} ({remote}) nhưng không ghi được vào cơ sở dữ liệu: {error} "
            "Không đăng lại: lần chạy sau (loa run hoặc loa outbox) sẽ tra thấy bài và ghi nhận.",
            "The post is on {channel} ({remote}) but could not be recorded in the database: "
            "{error} Do not post it again: the next run (loa run or loa outbox) will find it "
            "and record it.",
        ),
        "disk_full": (
            "Hết chỗ trên đĩa chứa {path}: không ghi được. Giải phóng chỗ trống rồi chạy lại.",
            "The disk holding {path} is full: nothing could be written. Free some space and "
            "run again.",
        ),
        "confirmed": ("Cán bộ xác nhận đã lên.", "Confirmed by the officer as published."),
        "no_item": (
            "Bản ghi đăng số {id} không còn nội dung đã gửi (tin đã bị xóa). Kiểm tra trên kênh "
            "rồi xác nhận bằng loa outbox --done {id}, hoặc bỏ qua.",
            "Publication {id} no longer has what it sent (its message was deleted). Check the "
            "channel, then confirm with loa outbox --done {id}, or leave it.",
        ),
        "not_uncertain": (
            "Bản ghi {id} đang ở trạng thái {status}, không cần xác nhận.",
            "Record {id} is {status}; there is nothing to confirm.",
        ),
    }
)

#: Keys this process is sending right now, per station folder: a row this process owns but is
#: not sending (its record write failed, its thread died) is settled by the next reconcile.
_SENDING: set[tuple[str, str]] = set()
#: Posts that went out but whose record could not be written (a locked database, a full
#: disk), per (station folder, publication id): the next reconcile writes them first.
_UNRECORDED: dict[tuple[str, int], tuple[Item, Receipt, bool, int]] = {}
_PROCESS_LOCK = threading.Lock()

#: Builds the item of a publication recorded before items were stored with it (None: it
#: cannot be rebuilt); given by the caller, since the outbox never reads messages.
ItemSource = Callable[[Publication], "Item | None"]

#: A post this late is still "published", not "late".
LATE_GRACE = timedelta(minutes=5)

#: How far before the last attempt a look-up reaches (clocks of two machines differ).
CLOCK_SLACK = timedelta(minutes=2)


class Uncertain(TransientError):
    """The publication may or may not be on the remote side; it is recorded "uncertain" and
    is looked up again from `next_at` (never posted before a look-up shows it is absent)."""

    def __init__(self, message: str, *, next_at: datetime | None) -> None:
        super().__init__(message)
        self.next_at = next_at


class Deferred(RuntimeFailure):
    """The publication is put off (a rate limit, errors that outlasted the retries) until
    `next_at`; nothing was sent now."""

    def __init__(self, message: str, *, next_at: datetime | None) -> None:
        super().__init__(message)
        self.next_at = next_at


# ------------------------------------------------------------------------ store failures


def _db_path(station: Station) -> str:
    from sqlalchemy.engine import make_url

    try:
        url = make_url(station.db_url)
    except Exception:
        return "?"
    return url.database or url.render_as_string(hide_password=True)


def store_failure(station: Station, exc: BaseException) -> RuntimeFailure | None:
    """The user's message for a store failure: the database locked (by whom, if known) or
    the disk full (with the path). None for anything else."""
    import errno

    from sqlalchemy.exc import OperationalError

    from loa.core.db import DatabaseBusy, busy_failure, is_busy_error

    text = str(getattr(exc, "orig", exc)).lower()
    path = _db_path(station)
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return RuntimeFailure(T("disk_full", path=exc.filename or path))
    if isinstance(exc, DatabaseBusy):
        return exc
    if isinstance(exc, OperationalError):
        if "disk is full" in text or "no space" in text:
            return RuntimeFailure(T("disk_full", path=path))
        if is_busy_error(exc):
            return busy_failure(exc, station.engine)
    return None


@contextlib.contextmanager
def store_errors(station: Station) -> Iterator[None]:
    """Turn a locked database or a full disk into a RuntimeFailure that says so."""
    try:
        yield
    except LookupError:
        raise
    except Exception as exc:
        failure = store_failure(station, exc)
        if failure is None:
            raise
        raise failure from None


# ---------------------------------------------------------------------------- records


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
    on_done: OnDone | None = None,
) -> Publication:
    """Record that the item is on the remote side, and its as-run row, in one transaction
    (with what `on_done` adds to it)."""
    with station.transaction() as session:
        publication = session.get(Publication, pub_id)
        assert publication is not None
        if publication.status in DONE_STATUSES:  # recorded meanwhile by another process
            session.expunge(publication)
            return publication
        _move(publication, P.SCHEDULED if receipt.scheduled else (P.LATE if late else P.PUBLISHED))
        publication.remote_id = receipt.remote_id
        publication.remote_url = receipt.url
        publication.completed_at = now
        publication.error = None
        publication.owner = None
        publication.next_at = None
        publication.waits = 0
        if attempts is not None:
            publication.attempts = attempts
        session.add(_as_run(publication, item, receipt, now))
        session.flush()
        if on_done is not None:
            on_done(session, publication)
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
    next_at: datetime | None = None,
    waits: int | None = None,
    expect: tuple[str, str | None] | None = None,
) -> Publication:
    """Move a publication to `status`. With `expect` (status, owner) it moves only when the
    row still has them (another process may have taken it meanwhile): else unchanged."""
    with station.transaction() as session:
        publication = session.get(Publication, pub_id, with_for_update=expect is not None)
        assert publication is not None
        if expect is not None and (publication.status, publication.owner) != expect:
            session.expunge(publication)
            return publication
        if publication.status != status:
            _move(publication, status)
        publication.error = error
        publication.owner = None
        publication.next_at = next_at
        if waits is not None:
            publication.waits = waits
        if attempts is not None:
            publication.attempts = attempts
        if status in (P.FAILED, P.SKIPPED):
            publication.completed_at = now
        session.flush()
        session.expunge(publication)
    return publication


def _started(station: Station, pub_id: int, at: datetime, attempts: int) -> None:
    """Record, before the remote call, that an attempt begins now (the settle time counts
    from the last attempt's start)."""
    with station.transaction() as session:
        publication = session.get(Publication, pub_id)
        assert publication is not None
        publication.attempted_at = at
        publication.attempts = attempts


def annotate(station: Station, publication_id: int, note: str) -> None:
    """Add `note` to the as-run row of a finished publication (what became of its follow-up)."""
    from sqlalchemy import select

    with station.transaction() as session:
        record = session.scalars(
            select(AsRunRecord).where(AsRunRecord.publication_id == publication_id)
        ).first()
        if record is not None and note not in (record.note or ""):
            record.note = f"{record.note} {note}".strip() if record.note else note


def find_publication(station: Station, key: str) -> Publication | None:
    """The publication recorded under `key`, if any."""
    from sqlalchemy import select

    with station.transaction() as session:
        publication = session.scalars(select(Publication).where(Publication.key == key)).first()
        if publication is not None:
            session.expunge(publication)
    return publication


def _insert_new(session: Session, values: dict[str, Any]) -> bool:
    """INSERT … ON CONFLICT (key) DO NOTHING in one statement; True when this call inserted."""
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        statement: Any = pg_insert(Publication).values(**values)
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        statement = sqlite_insert(Publication).values(**values)
    # RETURNING says whether this statement inserted (rowcount is not reliable with the
    # implicit RETURNING SQLAlchemy adds on PostgreSQL); SQLite has it from 3.35.
    statement = statement.on_conflict_do_nothing(index_elements=["key"])
    return session.execute(statement.returning(Publication.id)).first() is not None


def _fmt(when: datetime | None) -> str:
    return when.strftime("%d/%m/%Y %H:%M:%S") if when is not None else "?"


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
    item: Item | None = None,
    attempt_at: datetime | None = None,
) -> tuple[Publication, bool]:
    """Record (or take over) the publication for `key` as "sending" and commit.

    `attempt_at`: a new publication is recorded with its first attempt begun then (attempts
    1, what `_started` would write next), in the same transaction; `started_here` says so.

    `item` is frozen with a new publication (`Publication.item`): a resend or a look-up later
    uses that copy. Taking over keeps the copy stored first.

    One atomic statement creates it (insert … on conflict do nothing) and one conditional
    update takes over an existing one, so two processes never both hold it, on SQLite and
    PostgreSQL alike. Returns (publication, look_first): look_first is True when an earlier
    attempt may have reached the remote side (the caller must look before posting). A
    finished publication comes back unchanged with look_first False and status in
    DONE_STATUSES (or skipped); the caller must then not publish.
    Raises RuntimeFailure when another live process is sending it, Uncertain when an earlier
    attempt is uncertain and not yet due for a look-up (unless `retry_uncertain`), Deferred
    when it is put off until later.
    """
    from sqlalchemy import select, update

    me = process_id()
    with station.transaction() as session:
        inserted = _insert_new(
            session,
            {
                "key": key,
                "channel": channel,
                "message_id": message_id,
                "plan_entry_id": plan_entry_id,
                "due_at": due_at,
                "created_at": now,
                "status": P.SENDING.value,
                "owner": me,
                "attempts": 0 if attempt_at is None else 1,
                "attempted_at": attempt_at,
                "waits": 0,
                "item": item.to_record(station.root) if item is not None else None,
            },
        )
        publication = session.scalars(select(Publication).where(Publication.key == key)).one()
        if inserted:
            session.expunge(publication)
            if attempt_at is not None:
                setattr(publication, _STARTED_HERE, True)
            return publication, False
        status = PublicationStatus(publication.status)
        if status in DONE_STATUSES or status == P.SKIPPED:
            session.expunge(publication)
            return publication, False
        look_first = False
        if status == P.SENDING:
            if publication.owner == me or owner_alive(publication.owner):
                raise RuntimeFailure(T("busy", key=key, owner=publication.owner or "?"))
            look_first = True
        elif status == P.UNCERTAIN:
            if not retry_uncertain and (publication.next_at is None or now < publication.next_at):
                raise _uncertain_error(
                    station, publication, _reason_of(publication.error), publication.next_at
                )
            look_first = True
        elif status == P.FAILED:
            if (
                not retry_uncertain
                and publication.next_at is not None
                and now < publication.next_at
            ):
                raise Deferred(
                    T(
                        "wait_until",
                        key=key,
                        when=_fmt(publication.next_at),
                        error=publication.error or "",
                    ),
                    next_at=publication.next_at,
                )
        if status != P.SENDING:
            PUBLICATION_STATES.check(status, P.SENDING)
        taken = session.execute(
            update(Publication)
            .where(
                Publication.id == publication.id,
                Publication.status == status.value,
                (
                    Publication.owner.is_(None)
                    if publication.owner is None
                    else Publication.owner == publication.owner
                ),
            )
            .values(
                status=P.SENDING.value,
                owner=me,
                due_at=due_at if due_at is not None else publication.due_at,
                item=(
                    publication.item
                    if publication.item is not None or item is None
                    else item.to_record(station.root)
                ),
            )
            .execution_options(synchronize_session=False)
        )
        if getattr(taken, "rowcount", 0) != 1:
            raise RuntimeFailure(T("busy", key=key, owner="?"))
        session.expire(publication)
        session.refresh(publication)
        session.expunge(publication)
    return publication, look_first


def skip(station: Station, pub_id: int, reason: str, now: datetime) -> Publication:
    """Mark a claimed publication as skipped (too late to send): it is never sent."""
    return _finish(station, pub_id, P.SKIPPED, reason, now)


# ------------------------------------------------------------------------------ look-ups


def _with_state(reason: str, state: str) -> str:
    """What an uncertain publication's error holds: why it is in doubt, then (after a line
    break) its latest state. A new look-up replaces the state, so the text never grows."""
    return f"{' '.join(reason.split())}\n{state}"


def _shown(error: str | None) -> str:
    """An uncertain publication's error on one line, for a message."""
    return " ".join((error or "").split())


def _reason_of(error: str | None) -> str:
    """Why a publication is in doubt, without the states earlier look-ups added."""
    return (error or "").split("\n", 1)[0].strip()


def _uncertain_error(
    station: Station, publication: Publication, reason: str, next_at: datetime | None
) -> Uncertain:
    """The error for a publication in doubt: looked up again from `next_at`, or (None) left to
    the officer because the channel cannot be searched."""
    fields = {"key": publication.key, "channel": publication.channel, "id": publication.id}
    if next_at is None:
        text = T("uncertain_officer", reason=reason, **fields)
    else:
        text = T("uncertain", reason=reason, when=_fmt(next_at), **fields)
    return Uncertain(text, next_at=next_at)


def _look(
    station: Station,
    channel: Channel,
    item: Item,
    publication: Publication,
    *,
    clock: Callable[[], datetime],
    retry: RetryPolicy,
    reason: str,
    late: bool = False,
    officer: bool = False,
    expect: tuple[str, str | None] | None = None,
) -> tuple[Publication, bool]:
    """Is an earlier attempt of this claimed publication on the remote side?

    Returns (publication, may_post): the completed publication when the post was found;
    the publication left "uncertain" (with its next look-up time) when it is too early to
    look or the look-up failed; may_post True only when a look-up made after the settle time
    shows the post is absent (or the officer asked to post a channel that cannot be searched).
    """
    pub_id = publication.id
    if not channel.searchable(item):
        if officer:
            return publication, True
        done = _finish(
            station,
            pub_id,
            P.UNCERTAIN,
            _with_state(reason, T("lost_lookup")),
            clock(),
            expect=expect,
        )
        return done, False
    since = publication.attempted_at or publication.created_at or clock()
    ready = since + timedelta(seconds=channel.settle_s)
    now = clock()
    if now < ready:
        text = _with_state(reason, T("settling", channel=channel.name, when=_fmt(ready)))
        done = _finish(station, pub_id, P.UNCERTAIN, text, now, next_at=ready, expect=expect)
        return done, False
    try:
        found = channel.find(item, since=since - CLOCK_SLACK)
    except ChannelError as exc:
        waits = publication.waits + 1
        at = clock()
        next_at = at + timedelta(seconds=retry.later(waits))
        text = _with_state(reason, T("lookup_failed", error=exc, n=waits))
        done = _finish(
            station, pub_id, P.UNCERTAIN, text, at, next_at=next_at, waits=waits, expect=expect
        )
        return done, False
    if found is not None:
        return _complete(station, pub_id, item, found, clock(), late=late), False
    return publication, True


# ------------------------------------------------------------------------------- sending


#: Set on a publication `send` found finished by someone else (an earlier run, or another
#: process that won the claim a moment before): this call sent nothing.
_FOUND_DONE = "_loa_found_done"
#: Set on a publication `claim` created with its first attempt already recorded.
_STARTED_HERE = "_loa_started_here"


def started_here(publication: Publication) -> bool:
    """Whether `claim` created `publication` with its first attempt recorded (`attempt_at`)."""
    return bool(getattr(publication, _STARTED_HERE, False))


def found_done(publication: Publication) -> bool:
    """Whether `send` returned `publication` as it found it, finished, without sending."""
    return bool(getattr(publication, _FOUND_DONE, False))


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
