"""From the plan to the channels: publishing planned posts and urgent messages, and keeping the
plan entries in step with the outbox when the officer or a restart resolves a publication."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from loa.app import entries
from loa.app.render import render_slot
from loa.audio.render import bulletin_path
from loa.channels import outbox
from loa.channels import publish as manual
from loa.channels.base import ChannelError, Item
from loa.channels.items import item_for, message_item
from loa.channels.models import DONE_STATUSES as DONE_STATUSES
from loa.channels.models import Publication
from loa.channels.models import PublicationStatus as PublicationStatus
from loa.channels.outbox import LATE_GRACE, claim, find_publication, send, skip
from loa.channels.publish import configured_channels
from loa.channels.runtime import Runtime
from loa.content import queue
from loa.content.models import MessageStatus
from loa.core.errors import LoaError, RuntimeFailure, UserError
from loa.core.i18n import Catalog
from loa.core.registry import audio_channels, is_audio
from loa.planning.models import PlanEntry
from loa.planning.settings import SchedulerSettings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from loa.core.station import Station

log = logging.getLogger("loa.publish")

T = Catalog(
    {
        "not_approved": (
            "Tin {id} chưa được duyệt (trạng thái {status}). Duyệt tin trước khi đăng.",
            "Message {id} is not approved (status {status}). Approve it before publishing.",
        ),
        "follow_up_failed": (
            "Bài {key} đã lên; việc gửi tiếp theo ({follow}) chưa được: {error}",
            "{key} is posted; what follows it ({follow}) did not go out: {error}",
        ),
        "changed_since": (
            "Tin số {id} đã được sửa sau lần gửi đầu: gửi lại đúng nội dung đã gửi lúc đó "
            '("{title}"). Muốn đăng nội dung mới thì đăng thành bài mới: loa publish -m {id}.',
            "Message {id} was edited after it was first sent: the same words are sent again "
            '("{title}"). To post the new words, publish it as a new post: loa publish -m {id}.',
        ),
        "key_taken": (
            'Khóa "{key}" đã dùng cho {what} trên kênh {channel} (bản ghi {id} trong loa '
            "outbox): không đăng tin {message} dưới khóa này. Chọn một khóa khác với --key, "
            "hoặc bỏ --key.",
            'The key "{key}" is already used for {what} on {channel} (record {id} in loa '
            "outbox): message {message} is not published under it. Choose another --key, or "
            "leave --key out.",
        ),
        "expired": (
            "Tin {id} đã hết hiệu lực từ {until}: không đăng. Nếu tin còn dùng, sửa ngày hết "
            "hiệu lực trước: loa msg edit {id} --until NGÀY.",
            "Message {id} expired on {until}: not published. If it is still current, change "
            "its end date first: loa msg edit {id} --until DATE.",
        ),
        "key_message": ("tin số {id}", "message {id}"),
        "key_other": ("một bài khác", "another post"),
        "no_entry": ("Không có mục lịch số {id}.", "There is no plan entry {id}."),
        "radio_entry": (
            "Mục lịch {id} là phát thanh: bản tin phát bằng loa play, không đăng như bài viết.",
            "Plan entry {id} is radio: bulletins are played with loa play, not posted.",
        ),
        "too_late": (
            "Quá hạn {hours} giờ (lịch {due}); bỏ qua, không đăng muộn.",
            "More than {hours} hours late (due {due}); skipped, not posted late.",
        ),
    }
)


def entry_key(entry_id: int, channel: str) -> str:
    """The outbox key of a planned post."""
    return f"plan:{entry_id}:{channel}"


def _would_send(session: Session, entry: PlanEntry, now: datetime) -> bool:
    """Whether publishing planned post `entry` now would really send something: it is still
    planned, its publication is neither finished nor put off past `now`."""
    from sqlalchemy import select

    from loa.planning.models import PlanStatus

    if entry.status != PlanStatus.PLANNED or is_audio(entry.channel):
        return False
    publication = session.scalars(
        select(Publication).where(Publication.key == entry_key(entry.id, entry.channel))
    ).first()
    if publication is not None:
        if publication.status in DONE_STATUSES or publication.status == "skipped":
            return False
        if publication.next_at is not None and publication.next_at > now:
            return False
    return True


#: What a caller spends before a post goes out (a rate token), in the transaction that hands
#: the entry over: called with that session and the channel; raising rolls everything back.
Spend = Callable[["Session", str], None]


def publish_entry(
    station: Station, entry_id: int, *, now: datetime, runtime: Runtime | None = None
) -> Publication:
    """Publish a planned (non-radio) entry: key "plan:<entry>:<channel>", due at its slot.

    A post later than [scheduler] social_late_hours (default 6) is skipped; a later one within
    that still goes out, marked "late". The entry is locked (SENDING) before the channel is
    called and moved to match the outcome after. Raises UserError for radio entries (see
    `loa.app.play.play_slot`), ChannelError or RuntimeFailure as `loa.channels.outbox.send`.
    """
    publication = _publish_entry(station, entry_id, now=now, runtime=runtime, spend=None)
    assert publication is not None
    return publication


def publish_due_entry(
    station: Station, entry_id: int, *, now: datetime, runtime: Runtime, spend: Spend
) -> Publication | None:
    """`publish_entry` for a worker that pays for each post (a rate token): None, with nothing
    spent or changed, when publishing the entry now would send nothing (`_would_send`); else
    `spend(session, channel)` is called in the transaction that reads and hands the entry over,
    so a post is paid for exactly when it is handed to its channel (what `spend` raises rolls
    that transaction back and comes out)."""
    return _publish_entry(station, entry_id, now=now, runtime=runtime, spend=spend)


def _publish_entry(
    station: Station,
    entry_id: int,
    *,
    now: datetime,
    runtime: Runtime | None,
    spend: Spend | None,
) -> Publication | None:
    with station.transaction() as session:
        entry = session.get(PlanEntry, entry_id)
        if spend is not None:
            if entry is None or not _would_send(session, entry, now):
                return None
            spend(session, entry.channel)
        if entry is None:
            raise UserError(T("no_entry", id=entry_id))
        if is_audio(entry.channel):
            raise UserError(T("radio_entry", id=entry_id))
        key = entry_key(entry_id, entry.channel)
        message = queue.get_message(session, entry.message_id)
        item = message_item(
            message, entry.channel, key, due_at=entry.scheduled_at, broadcast=entry.broadcast
        )
        channel, due = entry.channel, entry.scheduled_at
        entries.hand_over(entry)  # locked in the transaction that read it
    hours = SchedulerSettings.from_station(station).social_late_hours
    if now - due > timedelta(hours=hours):
        publication, _ = claim(
            station,
            key,
            channel=channel,
            now=now,
            message_id=item.message_id,
            plan_entry_id=entry_id,
            due_at=due,
        )
        if publication.status == PublicationStatus.SENDING:
            reason = T("too_late", hours=f"{hours:g}", due=due.strftime("%d/%m/%Y %H:%M"))
            publication = skip(station, publication.id, reason, now)
        entries.after_publication(station, publication)
        return publication
    own = runtime is None  # a caller's runtime (a worker's, kept between posts) stays open
    runtime = runtime or Runtime()
    followed: list[int] = []

    def on_done(session: Session, done: Publication) -> None:
        entries.follow_publication(session, done)  # the entry moves in the post's own commit
        followed.append(done.id)

    try:
        publication = send_item(
            station,
            item,
            channel,
            now=now,
            plan_entry_id=entry_id,
            late=now - due > LATE_GRACE,
            runtime=runtime,
            on_done=on_done,
        )
    except LoaError as exc:
        _follow(station, key, exc)
        raise
    finally:
        if own:
            runtime.close()
    if publication.id not in followed:  # found done, or recorded by another process
        entries.after_publication(station, publication)
    return publication


def send_item(
    station: Station,
    item: Item,
    channel: str,
    *,
    now: datetime,
    runtime: Runtime,
    plan_entry_id: int | None = None,
    late: bool = False,
    retry_uncertain: bool = False,
    on_done: outbox.OnDone | None = None,
) -> Publication:
    """Send `item` through the outbox (`loa.channels.outbox.send`, `on_done` as there), then
    what its channel says must follow it (`follow_up`). Raises as `send` does; a failed
    follow-up is recorded under its own key and logged, and never undoes the item."""
    publication = send(
        station,
        item,
        channel,
        now=now,
        plan_entry_id=plan_entry_id,
        late=late,
        runtime=runtime,
        retry_uncertain=retry_uncertain,
        on_done=on_done,
    )
    follow_up(station, publication, now=now, runtime=runtime)
    return publication


def follow_up(
    station: Station, publication: Publication, *, now: datetime, runtime: Runtime
) -> list[Publication]:
    """Send what must follow a finished publication (a Zalo article's broadcast), each under its
    own key through the outbox, whether the publication was confirmed by its answer or found
    by a look-up. A follow-up the channel holds (outside its hours, over its budget) is
    recorded as skipped with the reason. Idempotent: a follow-up already recorded is left."""
    if (
        publication.status not in DONE_STATUSES
        or not publication.remote_id
        or publication.item is None
    ):
        return []
    item = Item.from_record(publication.item)
    try:
        channel = runtime.channel(station, publication.channel)
        wanted = channel.follow_ups(item, publication.remote_id, now=now)
    except LoaError as exc:
        log.warning(T("follow_up_failed", key=publication.key, follow="?", error=exc))
        return []
    done: list[Publication] = []
    for extra in wanted:
        hold = extra.extra.get("hold")
        error: str | None = None
        try:
            if hold:
                held, _ = claim(
                    station,
                    extra.key,
                    channel=publication.channel,
                    now=now,
                    message_id=extra.message_id,
                    plan_entry_id=None,
                    due_at=extra.due_at,
                    item=extra,
                )
                if held.status == PublicationStatus.SENDING:
                    held = skip(station, held.id, str(hold), now)
                done.append(held)
            else:
                done.append(send(station, extra, publication.channel, now=now, runtime=runtime))
        except LoaError as exc:  # recorded under its own key; the item itself stands
            error = str(exc)
            log.warning(T("follow_up_failed", key=publication.key, follow=extra.key, error=exc))
            found = find_publication(station, extra.key)
            if found is not None:
                done.append(found)
        sent = not hold and error is None and bool(done) and done[-1].status in DONE_STATUSES
        note = channel.follow_up_note(extra, sent=sent, error=error)
        if note:
            with contextlib.suppress(Exception):  # a note is not worth failing the post for
                outbox.annotate(station, publication.id, note)
    return done


def publish_message(
    station: Station,
    message_id: int,
    channel: str,
    *,
    now: datetime,
    key: str | None = None,
    runtime: Runtime | None = None,
    retry_uncertain: bool = False,
    due_at: datetime | None = None,
) -> Publication:
    """Publish one message on one channel by hand (`loa publish -m`), through the same outbox
    as the daemon, with what must follow it.

    The default key is "manual:<message>:<channel>", so running it again posts nothing.
    `due_at` (default `now`) later than now lets Facebook schedule the post when enabled.
    Raises UserError (no such message, not approved, unknown channel, `key` already used for
    another message or channel) or ChannelError.
    """
    chosen = key or f"manual:{message_id}:{channel}"
    _key_is_ours(find_publication(station, chosen), message_id, channel)
    with station.transaction() as session:
        message = queue.get_message(session, message_id)
        if message.status != MessageStatus.APPROVED:
            raise UserError(
                T("not_approved", id=message_id, status=MessageStatus(message.status).label)
            )
        if message.valid_until is not None and message.valid_until < now.date():
            until = message.valid_until.strftime("%d/%m/%Y")
            raise UserError(T("expired", id=message_id, until=until))
        item = message_item(message, channel, chosen, due_at=due_at or now)
    runtime = runtime or Runtime()
    try:
        publication = send_item(
            station, item, channel, now=now, runtime=runtime, retry_uncertain=retry_uncertain
        )
    finally:
        runtime.close()
    _key_is_ours(publication, message_id, channel)  # another process took the key meanwhile
    return publication


def sent_before(publication: Publication) -> bool:
    """Whether `publish_message` (or `send_item`) found `publication` already finished and sent
    nothing: a run before, or another process whose claim came first."""
    return outbox.found_done(publication)


def unfinished_follow_ups(station: Station, publication: Publication) -> list[dict[str, object]]:
    """What was recorded as following `publication` (its key plus ":<what>", e.g. a Zalo
    article's broadcast) and did not simply go out, oldest first, as plain data: key, id,
    channel, status (its value), label (in the user's language), uncertain, error (one line)."""
    from sqlalchemy import select

    with station.transaction() as session:
        rows = session.scalars(
            select(Publication)
            .where(Publication.key.startswith(f"{publication.key}:", autoescape=True))
            .order_by(Publication.id)
        )
        return [
            {
                "key": row.key,
                "id": row.id,
                "channel": row.channel,
                "status": str(PublicationStatus(row.status).value),
                "label": PublicationStatus(row.status).label,
                "uncertain": row.status == PublicationStatus.UNCERTAIN,
                "error": " ".join((row.error or "").split()),
            }
            for row in rows
            if row.status not in DONE_STATUSES
        ]


def _key_is_ours(publication: Publication | None, message_id: int, channel: str) -> None:
    """Raise UserError when the publication recorded under a key is not this message on this
    channel: a key names one post, reusing it would silently post nothing."""
    if publication is None or (
        publication.message_id == message_id and publication.channel == channel
    ):
        return
    what = (
        T("key_message", id=publication.message_id)
        if publication.message_id is not None
        else T("key_other")
    )
    raise UserError(
        T(
            "key_taken",
            key=publication.key,
            what=what,
            channel=publication.channel,
            id=publication.id,
            message=message_id,
        )
    )


def _follow(station: Station, key: str, exc: LoaError) -> None:
    """After a failed, uncertain or put-off send, move the plan entry to match what the
    outbox recorded (a store that is failing too leaves it for the next run)."""
    permanent = isinstance(exc, ChannelError) and not exc.transient
    with contextlib.suppress(Exception):
        entries.after_publication(station, find_publication(station, key), permanent=permanent)


def publish_urgent(
    station: Station, message_id: int, *, now: datetime, runtime: Runtime | None = None
) -> list[Publication]:
    """Publish an urgent message at once on each of its configured non-radio channels.

    Keys are "urgent:<message>:<channel>". Channel failures are recorded (see `loa outbox`)
    and do not stop the other channels; the radio airs urgent items in their own bulletin.
    """
    usable = set(configured_channels(station))
    with station.transaction() as session:
        message = queue.get_message(session, message_id)
        wanted = [c for c in message.channels if not is_audio(c) and c in usable]
        items = {
            c: message_item(message, c, f"urgent:{message_id}:{c}", due_at=now) for c in wanted
        }
    runtime = runtime or Runtime()
    done: list[Publication] = []
    try:
        for name, item in items.items():
            try:
                done.append(send_item(station, item, name, now=now, runtime=runtime))
            except ChannelError:
                publication = find_publication(station, item.key)
                if publication is not None:
                    done.append(publication)
            except RuntimeFailure:
                continue
    finally:
        runtime.close()
    return done


def reconcile(
    station: Station,
    *,
    now: datetime,
    runtime: Runtime | None = None,
    include_own: bool = True,
) -> list[Publication]:
    """Resolve publications a dead process left "sending" and uncertain ones due for a
    look-up (`loa.channels.outbox.reconcile`), and move their plan entries to match.
    Returns the publications it changed."""
    runtime = runtime or Runtime()
    try:
        changed = outbox.reconcile(
            station,
            now=now,
            runtime=runtime,
            include_own=include_own,
            items=lambda publication: _legacy_item(station, publication),
        )
        for publication in changed:
            entries.after_publication(station, publication)
            follow_up(station, publication, now=now, runtime=runtime)
    finally:
        runtime.close()
    return changed


def _legacy_item(station: Station, publication: Publication) -> Item | None:
    """The item of a publication recorded before items were frozen with it: rebuilt from its
    message (or bulletin) as it is now; None when that is gone."""
    with station.transaction() as session:
        try:
            return item_for(session, station, publication)
        except UserError:
            return None


def changed_since(station: Station, publication_id: int) -> str | None:
    """What to tell the officer when a publication's message was edited after it was first
    sent (a resend sends the frozen words): None when nothing changed or nothing was frozen."""
    with station.transaction() as session:
        publication = session.get(Publication, publication_id)
        if publication is None or publication.item is None or publication.message_id is None:
            return None
        frozen = Item.from_record(publication.item)
        if frozen.key.endswith(":broadcast"):
            return None
        try:
            message = queue.get_message(session, publication.message_id)
        except UserError:
            return None
        now_item = message_item(message, publication.channel, publication.key)
        if not frozen.differs_from(now_item):
            return None
        return T("changed_since", id=publication.message_id, title=frozen.title)


def release_orphans(station: Station) -> int:
    """Give back to the plan the social entries a process locked (SENDING) and died before
    claiming their publication: nothing was sent for them. Call only while holding the
    station's run lock (the daemon's start). Returns how many."""
    from sqlalchemy import select

    from loa.planning.models import PlanStatus

    with station.transaction() as session:
        claimed = select(Publication.plan_entry_id).where(Publication.plan_entry_id.is_not(None))
        orphans = session.scalars(
            select(PlanEntry).where(
                PlanEntry.status == PlanStatus.SENDING,
                PlanEntry.channel.not_in((*audio_channels(), "urgent")),
                PlanEntry.id.not_in(claimed),
            )
        ).all()
        for entry in orphans:
            entries.move(session, entry.id, PlanStatus.PLANNED, None)
    return len(orphans)


def confirm(
    station: Station,
    publication_id: int,
    *,
    posted: bool,
    now: datetime,
    remote_id: str | None = None,
) -> Publication:
    """The officer's answer for an uncertain (or failed) publication (`loa outbox --done`);
    its plan entry follows: done, or planned again to be sent at the next run."""
    publication = outbox.confirm(
        station,
        publication_id,
        posted=posted,
        now=now,
        remote_id=remote_id,
        items=lambda p: _legacy_item(station, p),
    )
    entries.after_publication(station, publication)
    return publication


def resend(
    station: Station, publication_id: int, *, now: datetime, runtime: Runtime | None = None
) -> Publication:
    """Send a failed or uncertain publication again (`loa outbox --retry`); its plan entry
    follows the outcome."""
    with station.transaction() as session:
        row = session.get(Publication, publication_id)
        key = row.key if row is not None else None
    runtime = runtime or Runtime()
    try:
        publication = outbox.resend(
            station,
            publication_id,
            now=now,
            runtime=runtime,
            items=lambda p: _legacy_item(station, p),
        )
        follow_up(station, publication, now=now, runtime=runtime)
    except LoaError as exc:
        if key is not None:
            _follow(station, key, exc)
        raise
    finally:
        runtime.close()
    entries.after_publication(station, publication)
    return publication


def publish_bulletin(
    station: Station,
    when: datetime,
    channel: str,
    *,
    now: datetime,
    runtime: Runtime | None = None,
) -> Publication:
    """Publish the bulletin of `when` on a channel (a podcast episode, a video post), rendering
    it first when it is not yet rendered."""
    if not bulletin_path(station, when).is_file():
        render_slot(station, when)
    return manual.publish_bulletin(station, when, channel, now=now, runtime=runtime)


def publication_status(station: Station, key: str) -> str | None:
    """The status value of the publication recorded under `key`, None when there is none."""
    found = find_publication(station, key)
    return str(PublicationStatus(found.status).value) if found is not None else None


def station_channels(station: Station) -> list[str]:
    """The channels this station has configured (the dashboard's Settings page)."""
    return configured_channels(station)


def channel_checks(station: Station) -> list[Any]:
    """`loa channels check` for the configured channels: one result per channel."""
    from loa.channels.publish import check_channels

    return list(check_channels(station))
