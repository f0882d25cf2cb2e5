"""From the plan to the loudspeaker: playing the bulletin of a radio slot when its time comes
(rendering it first if needed), or logging it as skipped when it is too late."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from loa.app import entries
from loa.app.render import render_slot
from loa.audio.bulletin import bulletin_key, sidecar_items
from loa.audio.render import bulletin_path
from loa.channels.models import AsRunStatus as AsRunStatus
from loa.channels.playout import aired, bulletin_file, log_without_playing, play_bulletin
from loa.channels.playout import play_file as play_file
from loa.channels.radio import make_sink as make_sink
from loa.core.errors import UserError
from loa.core.i18n import Catalog, language
from loa.core.registry import audio_channels
from loa.planning.models import PlanEntry, PlanStatus
from loa.planning.settings import SchedulerSettings

if TYPE_CHECKING:
    from loa.channels.models import AsRunRecord
    from loa.channels.radio import Sink
    from loa.core.station import Station

#: How early a bulletin may start (a clock a little fast, a daemon waking up early).
EARLY = timedelta(minutes=1)

T = Catalog(
    {
        "nothing": (
            "Không có bản tin lúc {when}: lịch phát thanh không có tin nào vào giờ đó. Xem các "
            "bản tin trong ngày bằng: loa today.",
            "There is no bulletin at {when}: the radio plan has nothing at that time. See the "
            "day's bulletins with: loa today.",
        ),
        "early": (
            "Bản tin {when} chưa đến giờ (còn {left}). Phát bây giờ sẽ bị ghi như đã phát vào "
            "báo cáo. Muốn nghe thử, thêm --test (ghi là phát thử, không tính là đã phát).",
            "Bulletin {when} is not due yet ({left} to go). Played now it would be reported as "
            "aired. To listen to it, add --test (logged as a test play, never counted as aired).",
        ),
        "late": (
            "Bản tin {when} đã trễ quá {minutes} phút; bỏ qua, không phát muộn.",
            "Bulletin {when} is more than {minutes} minutes late; skipped, not played late.",
        ),
    }
)


def radio_slot_start(station: Station, name: str) -> str | None:
    """The start ("HH:MM") of the station's audio slot called `name`, None when there is none."""
    from sqlalchemy import select

    from loa.planning.models import Slot

    with station.transaction() as session:
        found = session.scalars(
            select(Slot).where(Slot.channel.in_(audio_channels()), Slot.name == name)
        ).first()
        return str(found.start) if found is not None else None


def _slot_entries(station: Station, when: datetime) -> list[dict[str, Any]]:
    """The radio plan entries of the slot at `when` that are still to air, as bulletin items."""
    from sqlalchemy import select

    with station.transaction() as session:
        rows = session.scalars(
            select(PlanEntry)
            .where(
                PlanEntry.channel.in_(audio_channels()),
                PlanEntry.scheduled_at == when,
                PlanEntry.status.in_((PlanStatus.PLANNED, PlanStatus.SENDING)),
            )
            .order_by(PlanEntry.position, PlanEntry.id)
        )
        return [
            {
                "message_id": e.message_id,
                "plan_entry_id": e.id,
                "title": "",
                "duration_s": e.duration_s,
            }
            for e in rows
        ]


def play_slot(
    station: Station,
    when: datetime,
    *,
    now: datetime,
    sink: Sink | None = None,
    clock: Callable[[], datetime] | None = None,
    force: bool = False,
    test: bool = False,
) -> list[AsRunRecord]:
    """Play the bulletin of the radio slot at `when` and return its as-run rows.

    Already played, or already skipped and not `force`: returns the earlier rows and plays
    nothing. Into a sink that airs nothing (null): the items are logged as skipped, saying so,
    and their plan entries become skipped. Later than [scheduler]
    radio_grace_minutes (default 10) and not `force`: logs the items as skipped. More than a
    minute early: refused (UserError), unless it is a `test` play, which is logged as TEST and
    moves no plan entry. Not rendered yet: renders it first. The slot's plan entries become
    done / skipped / failed. A sink failure is logged, then raised (PlayoutError).
    """
    previous = aired(station, when)
    if not test and any(r.status == AsRunStatus.DONE for r in previous):
        return previous
    if not test and not force and any(r.status == AsRunStatus.SKIPPED for r in previous):
        return previous  # skipped once (late, or into a sink that airs nothing): not again
    if not test and when - now > EARLY:
        left = when - now
        hours, minutes = divmod(int(left.total_seconds()) // 60, 60)
        raise UserError(
            T(
                "early",
                when=bulletin_key(when),
                left=f"{hours} giờ {minutes} phút"
                if language() == "vi"
                else f"{hours} h {minutes} min",
            )
        )
    grace = SchedulerSettings.from_station(station).radio_grace_minutes
    planned = _slot_entries(station, when)
    if not planned and not previous and not bulletin_path(station, when).is_file():
        raise UserError(T("nothing", when=bulletin_key(when)))
    if not force and not test and now - when > timedelta(minutes=grace):
        path = bulletin_path(station, when)
        items = (sidecar_items(path) if path.is_file() else []) or planned
        reason = T("late", when=bulletin_key(when), minutes=f"{grace:g}")
        records = log_without_playing(station, when, items, AsRunStatus.SKIPPED, reason, now)
        entries.after_airing(station, records)
        return records
    if not bulletin_path(station, when).is_file():
        render_slot(station, when)
    path = bulletin_file(station, when)
    played = play_bulletin(
        station,
        when,
        path,
        sink=sink,
        clock=clock,
        entries={i["message_id"]: i["plan_entry_id"] for i in planned},
        test=test,
    )
    entries.after_airing(station, played.records)
    if played.error is not None:
        raise played.error
    return played.records
