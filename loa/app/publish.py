"""From the plan to the channels: publishing planned posts and urgent messages, and keeping the
plan entries in step with the outbox when the officer or a restart resolves a publication."""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from loa.app import entries
from loa.app.render import render_slot
from loa.audio.render import bulletin_path
from loa.channels import outbox
from loa.channels import publish as manual
from loa.channels.base import ChannelError
from loa.channels.items import message_item
from loa.channels.models import Publication, PublicationStatus
from loa.channels.outbox import LATE_GRACE, claim, find_publication, send, skip
from loa.channels.publish import configured_channels
from loa.channels.runtime import Runtime
from loa.content import queue
from loa.core.errors import LoaError, RuntimeFailure, UserError
from loa.core.i18n import Catalog
from loa.planning.models import PlanEntry
from loa.planning.settings import SchedulerSettings

if TYPE_CHECKING:
    from loa.core.station import Station

T = Catalog(
    {
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


def publish_entry(
    station: Station, entry_id: int, *, now: datetime, runtime: Runtime | None = None
) -> Publication:
    """Publish a planned (non-radio) entry: key "plan:<entry>:<channel>", due at its slot.

    A post later than [scheduler] social_late_hours (default 6) is skipped; a later one within
    that still goes out, marked "late". The entry is locked (SENDING) before the channel is
    called and moved to match the outcome after. Raises UserError for radio entries (see
    `loa.app.play.play_slot`), ChannelError or RuntimeFailure as `loa.channels.outbox.send`.
    """
    with station.transaction() as session:
        entry = session.get(PlanEntry, entry_id)
        if entry is None:
            raise UserError(T("no_entry", id=entry_id))
        if entry.channel == "radio":
            raise UserError(T("radio_entry", id=entry_id))
        key = entry_key(entry_id, entry.channel)
        message = queue.get_message(session, entry.message_id)
        item = message_item(
            message, entry.channel, key, due_at=entry.scheduled_at, broadcast=entry.broadcast
        )
        channel, due = entry.channel, entry.scheduled_at
    hours = SchedulerSettings.from_station(station).social_late_hours
    entries.hand_over(station, entry_id)
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
    runtime = runtime or Runtime()
    try:
        publication = send(
            station,
            item,
            channel,
            now=now,
            plan_entry_id=entry_id,
            late=now - due > LATE_GRACE,
            runtime=runtime,
        )
    except LoaError as exc:
        _follow(station, key, exc)
        raise
    finally:
        runtime.close()
    entries.after_publication(station, publication)
    return publication


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
        wanted = [c for c in message.channels if c != "radio" and c in usable]
        items = {
            c: message_item(message, c, f"urgent:{message_id}:{c}", due_at=now) for c in wanted
        }
    runtime = runtime or Runtime()
    done: list[Publication] = []
    try:
        for name, item in items.items():
            try:
                done.append(send(station, item, name, now=now, runtime=runtime))
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
    changed = outbox.reconcile(station, now=now, runtime=runtime, include_own=include_own)
    for publication in changed:
        entries.after_publication(station, publication)
    return changed


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
                PlanEntry.channel.not_in(("radio", "urgent")),
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
        station, publication_id, posted=posted, now=now, remote_id=remote_id
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
    try:
        publication = outbox.resend(station, publication_id, now=now, runtime=runtime)
    except LoaError as exc:
        if key is not None:
            _follow(station, key, exc)
        raise
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
