"""The outbox's records: claiming a publication, moving it between states, writing its
outcome and as-run row, and saying what a failing store means."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from loa.channels.base import Item, Receipt, TransientError
from loa.channels.models import (
    DONE_STATUSES,
    PUBLICATION_STATES,
    AsRunRecord,
    AsRunStatus,
    Publication,
    PublicationStatus,
)
from loa.channels.runtime import owner_alive, process_id
from loa.core.errors import RuntimeFailure

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from loa.core.station import Station
from loa.channels.outbox.catalog import OnDone, P, T

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
