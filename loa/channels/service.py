"""The outbox: publish through a channel without ever doubling or losing a post.

Every publication is recorded (status "sending", with its idempotency key) and committed before
the remote call, and completed after it. A crash in between leaves a "sending" row that
`reconcile` resolves on start-up by looking at the remote side; where it cannot look, the row
becomes "uncertain" and waits in `loa outbox` for the officer. Transient errors are retried
with exponential back-off and jitter; permanent ones are recorded and raised at once.
"""

from __future__ import annotations

import os
import random
import socket
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from loa.channels.base import (
    Channel,
    ChannelError,
    Item,
    Receipt,
    get_channel,
)
from loa.core.errors import RuntimeFailure, UserError
from loa.core.i18n import Catalog

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from loa.channels.base import CheckResult
    from loa.channels.models import AsRunRecord, Publication
    from loa.content.models import Message

T = Catalog(
    {
        "no_message": (
            "Không có tin số {id}. Xem danh sách bằng: loa msg list.",
            "There is no message {id}. See the list with: loa msg list.",
        ),
        "no_entry": ("Không có mục lịch số {id}.", "There is no plan entry {id}."),
        "no_publication": (
            "Không có bản ghi đăng số {id}. Xem: loa outbox.",
            "There is no publication {id}. See: loa outbox.",
        ),
        "radio_entry": (
            "Mục lịch {id} là phát thanh: bản tin phát bằng loa play hoặc play_bulletin, "
            "không đăng như bài viết.",
            "Plan entry {id} is radio: bulletins are played with loa play (play_bulletin), "
            "not posted.",
        ),
        "not_approved": (
            "Tin {id} chưa được duyệt (trạng thái {status}). Duyệt tin trước khi đăng.",
            "Message {id} is not approved (status {status}). Approve it before publishing.",
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
        "too_late": (
            "Quá hạn {hours} giờ (lịch {due}); bỏ qua, không đăng muộn.",
            "More than {hours} hours late (due {due}); skipped, not posted late.",
        ),
        "gave_up": ("Đã thử {n} lần: {error}", "Tried {n} times: {error}"),
        "confirmed": ("Cán bộ xác nhận đã lên.", "Confirmed by the officer as published."),
        "not_uncertain": (
            "Bản ghi {id} đang ở trạng thái {status}, không cần xác nhận.",
            "Record {id} is {status}; there is nothing to confirm.",
        ),
    }
)

LATE_GRACE = timedelta(minutes=5)


@dataclass
class Runtime:
    """The I/O a publish uses, injectable: HTTP client, environment, sleep and randomness."""

    http: Any = None
    env: Mapping[str, str] | None = None
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)
    channels: dict[str, Channel] = field(default_factory=dict)

    def channel(self, station: Any, name: str) -> Channel:
        if name not in self.channels:
            self.channels[name] = get_channel(station, name, http=self.http, env=self.env)
        return self.channels[name]

    def close(self) -> None:
        for channel in self.channels.values():
            channel.close()
        self.channels.clear()


@dataclass(frozen=True)
class RetryPolicy:
    """How many attempts and how long to wait: base * 2**n, capped, with jitter."""

    attempts: int = 4
    base_s: float = 2.0
    cap_s: float = 60.0

    @classmethod
    def from_station(cls, station: Any) -> RetryPolicy:
        section = station.section("channels")
        return cls(
            attempts=max(1, int(section.get("retries", 4))),
            base_s=float(section.get("backoff_s", 2.0)),
            cap_s=float(section.get("backoff_max_s", 60.0)),
        )

    def delay(self, failures: int, rng: random.Random) -> float:
        """Seconds to wait after `failures` failed attempts ("equal jitter")."""
        ceiling = min(self.cap_s, self.base_s * (2 ** (failures - 1)))
        return float(ceiling / 2 + rng.uniform(0, ceiling / 2))


def process_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def owner_alive(owner: str | None) -> bool:
    """True when `owner` ("host:pid") is another live process on this machine."""
    if not owner or ":" not in owner:
        return False
    host, _, pid_text = owner.rpartition(":")
    if host != socket.gethostname() or not pid_text.isdigit() or int(pid_text) == os.getpid():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return _not_zombie(int(pid_text))


def _not_zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


# ---------------------------------------------------------------------------------- items


def message_item(
    message: Message, channel: str, key: str, *, due_at: datetime | None = None
) -> Item:
    """The item a channel publishes for a message: the post variant, link or photo."""
    kind = "photo" if message.image else ("link" if message.link else "text")
    body = message.post_body
    text = f"{message.title.strip()}\n\n{body}".strip() if body else message.title.strip()
    return Item(
        key=key,
        title=message.title,
        text=text,
        message_id=message.id,
        kind=kind,
        link=message.link,
        image=message.image,
        due_at=due_at,
        topic_code=message.topic_code,
        topic_name=message.topic.name if message.topic is not None else None,
        audiences=list(message.audience_codes),
        extra={
            "body": body,
            "source_document": message.source_document,
            "valid_until": message.valid_until.isoformat() if message.valid_until else None,
        },
    )


def _load_message(session: Session, message_id: int) -> Message:
    from loa.content.models import Message

    message = session.get(Message, message_id)
    if message is None:
        raise UserError(T("no_message", id=message_id))
    return message


def _item_for(session: Session, station: Any, publication: Publication) -> Item:
    """Rebuild the item a publication was made for (to look for it after a crash)."""
    if publication.key.startswith("bulletin:"):
        from loa.channels.bulletin import bulletin_item

        return bulletin_item(station, publication.key, due_at=publication.due_at)
    if publication.message_id is None:
        raise UserError(T("no_publication", id=publication.id))
    message = _load_message(session, publication.message_id)
    return message_item(message, publication.channel, publication.key, due_at=publication.due_at)


# ------------------------------------------------------------------------------ the outbox


def _as_run(publication: Publication, item: Item, receipt: Receipt, now: datetime) -> AsRunRecord:
    from loa.channels.models import AsRunRecord

    return AsRunRecord(
        channel=publication.channel,
        status="done",
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
            "late": publication.status == "late",
            "url": receipt.url,
        },
    )


def _set_entry(session: Session, entry_id: int | None, status: str, reason: str | None) -> None:
    from loa.planning.models import PlanEntry

    if entry_id is None:
        return
    entry = session.get(PlanEntry, entry_id)
    if entry is not None:
        entry.status = status
        entry.reason = reason


def _complete(
    station: Any, pub_id: int, item: Item, receipt: Receipt, now: datetime, *, late: bool = False
) -> Publication:
    from loa.channels.models import Publication

    with station.transaction() as session:
        publication: Publication | None = session.get(Publication, pub_id)
        assert publication is not None
        publication.status = "scheduled" if receipt.scheduled else ("late" if late else "published")
        publication.remote_id = receipt.remote_id
        publication.remote_url = receipt.url
        publication.completed_at = now
        publication.error = None
        publication.owner = None
        session.add(_as_run(publication, item, receipt, now))
        _set_entry(session, publication.plan_entry_id, "done", None)
        session.flush()
        session.expunge(publication)
    return publication


def _finish(
    station: Any,
    pub_id: int,
    status: str,
    error: str | None,
    now: datetime,
    *,
    entry_status: str | None = None,
    attempts: int | None = None,
) -> Publication:
    from loa.channels.models import Publication

    with station.transaction() as session:
        publication: Publication | None = session.get(Publication, pub_id)
        assert publication is not None
        publication.status = status
        publication.error = error
        publication.owner = None
        if attempts is not None:
            publication.attempts = attempts
        if status in ("failed", "skipped"):
            publication.completed_at = now
        if entry_status is not None:
            _set_entry(session, publication.plan_entry_id, entry_status, error)
        session.flush()
        session.expunge(publication)
    return publication


def _claim(
    station: Any,
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
    and status in DONE_STATUSES; the caller must then not publish.
    """
    from sqlalchemy import select

    from loa.channels.models import DONE_STATUSES, Publication

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
            )
            session.add(publication)
        elif publication.status in DONE_STATUSES or publication.status == "skipped":
            session.expunge(publication)
            return publication, False
        elif publication.status == "uncertain" and not retry_uncertain:
            raise RuntimeFailure(
                T("uncertain", key=key, channel=publication.channel, id=publication.id)
            )
        elif publication.status == "sending":
            if owner_alive(publication.owner):
                raise RuntimeFailure(T("busy", key=key, owner=publication.owner))
            look_first = True
        elif publication.status == "uncertain":
            look_first = True
        publication.status = "sending"
        publication.attempted_at = now
        publication.owner = process_id()
        publication.due_at = due_at if due_at is not None else publication.due_at
        session.flush()
        session.expunge(publication)
    return publication, look_first


def send(
    station: Any,
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
    Raises ChannelError after recording the failure (`error.publication` holds the record),
    RuntimeFailure when another process is sending it or an earlier attempt is uncertain.
    """
    runtime = runtime or Runtime()
    retry = retry or RetryPolicy.from_station(station)
    channel = runtime.channel(station, channel_name)
    publication, look_first = _claim(
        station,
        item.key,
        channel=channel_name,
        now=now,
        message_id=item.message_id,
        plan_entry_id=plan_entry_id,
        due_at=item.due_at,
        retry_uncertain=retry_uncertain,
    )
    if publication.status != "sending":
        return publication
    pub_id = publication.id
    since = publication.created_at or now
    attempts = publication.attempts
    if look_first:
        if not channel.can_lookup:
            if not retry_uncertain:
                return _finish(station, pub_id, "uncertain", T("lost_lookup"), now)
        else:
            try:
                found = channel.find(item, since=since)
            except ChannelError as exc:
                _finish(station, pub_id, "uncertain", T("lookup_failed", error=exc), now)
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
                if found is None and not channel.can_lookup:
                    exc.publication = _finish(  # type: ignore[attr-defined]
                        station, pub_id, "uncertain", str(exc), now, attempts=attempts
                    )
                    raise
            if exc.transient and failures < retry.attempts:
                runtime.sleep(retry.delay(failures, runtime.rng))
                continue
            if exc.transient:
                error = T("gave_up", n=failures, error=exc)
                exc.publication = _finish(  # type: ignore[attr-defined]
                    station, pub_id, "failed", error, now, attempts=attempts
                )
            else:
                exc.publication = _finish(  # type: ignore[attr-defined]
                    station,
                    pub_id,
                    "failed",
                    str(exc),
                    now,
                    entry_status="failed",
                    attempts=attempts,
                )
            raise
        with station.transaction() as session:
            from loa.channels.models import Publication

            row = session.get(Publication, pub_id)
            assert row is not None
            row.attempts = attempts
        return _complete(station, pub_id, item, receipt, now, late=late)


def _look_after(channel: Channel, item: Item, since: datetime) -> Receipt | None:
    """After an ambiguous failure, look before trying again (None: not there or cannot look)."""
    if not channel.can_lookup:
        return None
    try:
        return channel.find(item, since=since)
    except ChannelError:
        return None


def publish_message(
    station: Any,
    message_id: int,
    channel: str,
    *,
    now: datetime,
    key: str | None = None,
    runtime: Runtime | None = None,
    retry_uncertain: bool = False,
    due_at: datetime | None = None,
) -> Publication:
    """Publish one message on one channel by hand, through the same outbox as the daemon.

    The default key is "manual:<message>:<channel>", so running it again posts nothing.
    `due_at` (default `now`) later than now lets Facebook schedule the post when enabled.
    Raises UserError (no such message, not approved, unknown channel) or ChannelError.
    """
    with station.transaction() as session:
        message = _load_message(session, message_id)
        if message.status != "approved":
            raise UserError(T("not_approved", id=message_id, status=message.status))
        item = message_item(
            message, channel, key or f"manual:{message_id}:{channel}", due_at=due_at or now
        )
    runtime = runtime or Runtime()
    try:
        return send(
            station, item, channel, now=now, runtime=runtime, retry_uncertain=retry_uncertain
        )
    finally:
        runtime.close()


def publish_plan_entry(
    station: Any, entry_id: int, *, now: datetime, runtime: Runtime | None = None
) -> Publication:
    """Publish a planned (non-radio) entry: key "plan:<entry>:<channel>", due at its slot.

    A post later than [scheduler] social_late_hours (default 6) is skipped; a later one within
    that still goes out, marked "late". Raises UserError for radio entries (see play_bulletin).
    """
    from loa.planning.models import PlanEntry

    key = ""
    with station.transaction() as session:
        entry = session.get(PlanEntry, entry_id)
        if entry is None:
            raise UserError(T("no_entry", id=entry_id))
        if entry.channel == "radio":
            raise UserError(T("radio_entry", id=entry_id))
        key = f"plan:{entry_id}:{entry.channel}"
        message = _load_message(session, entry.message_id)
        item = message_item(message, entry.channel, key, due_at=entry.scheduled_at)
        channel, due = entry.channel, entry.scheduled_at
    hours = float(station.section("scheduler").get("social_late_hours", 6))
    if now - due > timedelta(hours=hours):
        publication, _ = _claim(
            station,
            key,
            channel=channel,
            now=now,
            message_id=item.message_id,
            plan_entry_id=entry_id,
            due_at=due,
        )
        if publication.status != "sending":
            return publication
        reason = T("too_late", hours=f"{hours:g}", due=due.strftime("%d/%m/%Y %H:%M"))
        return _finish(station, publication.id, "skipped", reason, now, entry_status="skipped")
    late = now - due > LATE_GRACE
    runtime = runtime or Runtime()
    try:
        return send(
            station, item, channel, now=now, plan_entry_id=entry_id, late=late, runtime=runtime
        )
    finally:
        runtime.close()


def publish_urgent(
    station: Any, message_id: int, *, now: datetime, runtime: Runtime | None = None
) -> list[Publication]:
    """Publish an urgent message at once on each of its configured non-radio channels.

    Keys are "urgent:<message>:<channel>". Channel failures are recorded (see `loa outbox`)
    and do not stop the other channels; radio airing of urgent items belongs to the bulletin.
    """
    from loa.channels.base import channel_class

    with station.transaction() as session:
        message = _load_message(session, message_id)
        wanted = [c for c in message.channels if c != "radio"]
        items = {
            c: message_item(message, c, f"urgent:{message_id}:{c}", due_at=now) for c in wanted
        }
    runtime = runtime or Runtime()
    done: list[Publication] = []
    try:
        for name, item in items.items():
            try:
                if not channel_class(name).is_configured(station):
                    continue
            except UserError:
                continue
            try:
                done.append(send(station, item, name, now=now, runtime=runtime))
            except ChannelError as exc:
                publication = getattr(exc, "publication", None)
                if publication is not None:
                    done.append(publication)
            except RuntimeFailure:
                continue
    finally:
        runtime.close()
    return done


def reconcile(station: Any, *, now: datetime, runtime: Runtime | None = None) -> list[Publication]:
    """Resolve publications left "sending" by a process that died (call on start-up).

    For channels that can be searched, a post found remotely completes the record; a post not
    found marks it "failed" so it is sent again. Otherwise the record becomes "uncertain".
    Returns the publications it changed.
    """
    from sqlalchemy import select

    from loa.channels.models import Publication

    with station.transaction() as session:
        stale = [
            p
            for p in session.scalars(
                select(Publication).where(Publication.status == "sending").order_by(Publication.id)
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
                        _item_for(session, station, publication),
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
                changed.append(_finish(station, pub_id, "uncertain", str(since), now))
                continue
            try:
                channel = runtime.channel(station, name)
            except UserError as exc:
                changed.append(_finish(station, pub_id, "uncertain", str(exc), now))
                continue
            if not channel.can_lookup:
                changed.append(_finish(station, pub_id, "uncertain", T("lost_lookup"), now))
                continue
            try:
                found = channel.find(item, since=since - timedelta(minutes=1))
            except ChannelError as exc:
                changed.append(
                    _finish(station, pub_id, "uncertain", T("lookup_failed", error=exc), now)
                )
                continue
            if found is not None:
                changed.append(_complete(station, pub_id, item, found, now))
            else:
                changed.append(_finish(station, pub_id, "failed", T("not_found"), now))
    finally:
        runtime.close()
    return changed


def confirm(
    station: Any, publication_id: int, *, posted: bool, now: datetime, remote_id: str | None = None
) -> Publication:
    """The officer's answer for an uncertain (or failed) publication: it is there, or it is not.

    `posted=False` marks it failed so the next publish sends it again.
    """
    from loa.channels.models import DONE_STATUSES, Publication

    with station.transaction() as session:
        publication = session.get(Publication, publication_id)
        if publication is None:
            raise UserError(T("no_publication", id=publication_id))
        if publication.status in DONE_STATUSES or publication.status == "sending":
            raise UserError(T("not_uncertain", id=publication_id, status=publication.status))
        pub_id = publication.id
        item = _item_for(session, station, publication) if posted else None
    if item is not None:
        receipt = Receipt(remote_id=remote_id or "?", published_at=now, note=T("confirmed"))
        return _complete(station, pub_id, item, receipt, now)
    return _finish(station, pub_id, "failed", None, now)


def retry(
    station: Any, publication_id: int, *, now: datetime, runtime: Runtime | None = None
) -> Publication:
    """Send a failed or uncertain publication again under its own key (the officer's
    `loa outbox --retry`). Channels that can be searched are searched first."""
    from loa.channels.models import Publication

    with station.transaction() as session:
        publication = session.get(Publication, publication_id)
        if publication is None:
            raise UserError(T("no_publication", id=publication_id))
        item = _item_for(session, station, publication)
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


OUTBOX_STATUSES = ("sending", "failed", "uncertain", "late", "scheduled")


def outbox(station: Any, *, now: datetime, include_done: bool = False) -> list[OutboxRow]:
    """What needs attention: pending, failed, uncertain, late or scheduled publications, and
    non-radio plan entries past due with no publication yet (status "overdue")."""
    from sqlalchemy import select

    from loa.channels.models import Publication
    from loa.content.models import Message
    from loa.planning.models import PlanEntry

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
                    titles.get(p.message_id, p.key),
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
                PlanEntry.status == "planned",
                PlanEntry.channel != "radio",
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
                        "overdue",
                        e.scheduled_at,
                        0,
                        titles.get(e.message_id, ""),
                        None,
                    )
                )
    return rows


# ---------------------------------------------------------------------------------- radio


def play_bulletin(
    station: Any,
    when: datetime,
    *,
    now: datetime,
    sink: Any = None,
    clock: Callable[[], datetime] | None = None,
    force: bool = False,
) -> list[AsRunRecord]:
    """Play the bulletin of the radio slot at `when` into `sink` (default: the station's) and
    return one as-run row per item. See `loa.channels.playout.play_bulletin`."""
    from loa.channels.playout import play_bulletin as play

    return play(station, when, now=now, sink=sink, clock=clock, force=force)


def publish_bulletin(
    station: Any, when: datetime, channel: str, *, now: datetime, runtime: Runtime | None = None
) -> Publication:
    """Publish the bulletin of `when` on a channel (website: a podcast episode; facebook: a
    video post of a still card plus the audio). Key "bulletin:YYYY-MM-DD HH:MM:<channel>"."""
    from loa.channels.bulletin import bulletin_item
    from loa.channels.playout import bulletin_key

    key = f"bulletin:{bulletin_key(when)}:{channel}"
    item = bulletin_item(station, key, due_at=now)
    runtime = runtime or Runtime()
    try:
        return send(station, item, channel, now=now, runtime=runtime)
    finally:
        runtime.close()


def check_channels(station: Any, *, runtime: Runtime | None = None) -> list[CheckResult]:
    """Validate every configured channel without publishing (`loa channels check`)."""
    from loa.channels.base import CheckResult, load_channels

    runtime = runtime or Runtime()
    results: list[CheckResult] = []
    try:
        for name, cls in sorted(load_channels().items()):
            if not cls.is_configured(station):
                continue
            try:
                channel = runtime.channel(station, name)
            except UserError as exc:
                results.append(CheckResult(name, False, str(exc)))
                continue
            results.extend(channel.check())
    finally:
        runtime.close()
    return results
