"""From the plan to audio: which bulletins a period holds, and rendering them ahead of airtime."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from loa.audio.bulletin import BulletinItem, BulletinSpec, RenderResult, sidecar_items
from loa.audio.prune import prune_cache
from loa.audio.render import render_bulletin, render_bulletins
from loa.content.models import Message
from loa.core.registry import audio_channels
from loa.planning.models import PlanEntry, PlanStatus, Slot

if TYPE_CHECKING:
    from threading import Event

    from loa.audio.cache import PruneResult
    from loa.core.station import Station

#: Plan entries whose bulletin is (or was) on: the radio plays what is planned or handed over,
#: and a bulletin already aired is rendered again only to be listened to.
AIRING = (PlanStatus.PLANNED, PlanStatus.SENDING, PlanStatus.DONE)


def bulletin_specs(station: Station, start: date, days: int) -> list[BulletinSpec]:
    """The bulletins of `days` days from `start`, in time order: the radio plan entries (planned,
    handed over or done) grouped by slot time, ordered by position. No plan, no bulletin."""
    from sqlalchemy import select

    begin = datetime.combine(start, time())
    end = begin + timedelta(days=days)
    specs: dict[datetime, BulletinSpec] = {}
    with station.transaction() as session:
        rows = session.execute(
            select(PlanEntry, Message, Slot.name)
            .join(Message, Message.id == PlanEntry.message_id)
            .outerjoin(Slot, Slot.id == PlanEntry.slot_id)
            .where(
                PlanEntry.channel.in_(audio_channels()),
                PlanEntry.status.in_(AIRING),
                PlanEntry.scheduled_at >= begin,
                PlanEntry.scheduled_at < end,
            )
            .order_by(PlanEntry.scheduled_at, PlanEntry.position, PlanEntry.id)
        ).all()
        for entry, message, slot_name in rows:
            spec = specs.setdefault(
                entry.scheduled_at, BulletinSpec(entry.scheduled_at, [], slot_name or "")
            )
            spec.items.append(
                BulletinItem(
                    message.id,
                    message.title,
                    message.spoken_text,
                    entry.id,
                    voice=message.voice,
                    rate=message.voice_rate,
                    audio=message.audio,
                )
            )
    return list(specs.values())


def bulletin_spec(station: Station, when: datetime) -> BulletinSpec | None:
    """The bulletin of the radio slot at `when`, or None when nothing is planned then."""
    for spec in bulletin_specs(station, when.date(), 1):
        if spec.when == when:
            return spec
    return None


def render_period(
    station: Station,
    start: date,
    days: int,
    *,
    progress: bool = False,
    workers: int | None = None,
    force: bool = False,
    cancel: Event | None = None,
) -> list[RenderResult]:
    """Render every planned bulletin of `days` days from `start` (see
    `loa.audio.render.render_bulletins`; raises RenderFailed after rendering the others, and
    RenderCancelled once `cancel` is set)."""
    specs = bulletin_specs(station, start, days)
    return render_bulletins(
        station, specs, progress=progress, workers=workers, force=force, cancel=cancel
    )


def render_slot(station: Station, when: datetime) -> RenderResult | None:
    """Render (or find up to date) the bulletin of the slot at `when`; None when the plan has no
    bulletin then."""
    spec = bulletin_spec(station, when)
    return render_bulletin(station, spec) if spec is not None else None


def prune(station: Station, *, today: date, dry_run: bool = False) -> PruneResult:
    """Remove cached clips that no current or future bulletin uses (planned or rendered)."""
    from sqlalchemy import func, select

    with station.transaction() as session:
        last = session.scalar(
            select(func.max(PlanEntry.scheduled_at)).where(PlanEntry.channel.in_(audio_channels()))
        )
    horizon = max((last.date() - today).days + 1, 7) if last else 7
    specs = bulletin_specs(station, today, horizon)
    return prune_cache(station, specs, today=today, dry_run=dry_run)


def rendered_durations(station: Station) -> dict[int, float]:
    """Real clip durations from the rendered bulletins' sidecars: message id -> seconds (the
    newest bulletin wins), for the planner's airtime estimates. Small JSON files only."""
    folder = station.media_dir / "bulletins"
    found: dict[int, float] = {}
    if not folder.is_dir():
        return found
    for path in sorted(folder.glob("*/*.json")):
        for item in sidecar_items(path):
            try:
                found[int(item["message_id"])] = float(item["duration_s"])
            except (KeyError, TypeError, ValueError):
                continue
    return found
