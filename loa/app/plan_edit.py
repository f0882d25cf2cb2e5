"""Changing the plan by hand (`loa plan pin|unpin|drop`, the dashboard's week view): move an
entry to another slot instance of its channel, pin it where it is, or drop it. A re-plan never
moves a pinned entry (a moved one is pinned) while its slot instance exists and the message may
air there; a dropped one is cancelled and never sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from loa.core.errors import UserError
from loa.core.i18n import Catalog
from loa.core.registry import is_audio
from loa.core.station import Station
from loa.planning.calendar import blocked_days
from loa.planning.models import PLAN_STATES, PlanEntry, PlanStatus, Slot
from loa.planning.settings import SchedulerSettings
from loa.planning.slots import SlotInstance, expand_slots

T = Catalog(
    {
        "no_entry": (
            "Không có mục lịch số {id}. Tải lại trang Lịch.",
            "There is no plan entry {id}. Reload the Plan page.",
        ),
        "locked": (
            "Mục lịch số {id} đang {status}, không dời hay bỏ được nữa.",
            "Plan entry {id} is {status}; it can no longer be moved or dropped.",
        ),
        "past": (
            "Mục lịch số {id} đã qua giờ ({at}); không dời hay bỏ được.",
            "Plan entry {id} is already past ({at}); it cannot be moved or dropped.",
        ),
        "no_target": (
            "Khung {channel} lúc {at} không có (sai giờ, đã qua, hoặc là ngày nghỉ). Chọn khung "
            "khác trong danh sách.",
            "There is no {channel} slot at {at} (wrong time, past, or a blackout day). Pick "
            "another slot from the list.",
        ),
        "full": (
            "Khung {name} lúc {at} đã đầy. Chọn khung khác hoặc bỏ bớt một tin ở đó.",
            "The {name} slot at {at} is full. Pick another slot or drop an item there.",
        ),
        "same": (
            "Tin này đã có trong khung {name} lúc {at}.",
            "This message is already in the {name} slot at {at}.",
        ),
        "dropped": ("bỏ khỏi lịch bằng tay", "dropped from the plan by hand"),
        "moved": ("dời bằng tay", "moved by hand"),
    }
)


@dataclass(frozen=True)
class Target:
    """A slot instance an entry may be moved to."""

    slot_id: int
    start: datetime
    name: str

    @property
    def key(self) -> str:
        return f"{self.slot_id}@{self.start:%Y-%m-%dT%H:%M}"


def _movable(entry: PlanEntry | None, entry_id: int, now: datetime) -> PlanEntry:
    if entry is None:
        raise UserError(T("no_entry", id=entry_id))
    if entry.status != PlanStatus.PLANNED or entry.slot_id is None:
        raise UserError(T("locked", id=entry_id, status=PlanStatus(entry.status).label))
    if entry.scheduled_at < now:
        raise UserError(T("past", id=entry_id, at=f"{entry.scheduled_at:%d/%m %H:%M}"))
    return entry


def _instances(
    station: Station, session: object, channel: str, start: datetime, days: int, now: datetime
) -> list[SlotInstance]:
    from sqlalchemy.orm import Session

    assert isinstance(session, Session)
    settings = station.settings(SchedulerSettings)
    slots = list(session.scalars(select(Slot).where(Slot.channel == channel)))
    first = start.date()
    last = first.fromordinal(first.toordinal() + days - 1)
    blocked = blocked_days(session, first, last, holidays=settings.skip_holidays)
    return expand_slots(slots, first, days, blocked=blocked, after=now)


def targets(station: Station, start: date, days: int, *, now: datetime) -> dict[str, list[Target]]:
    """Channel -> the slot instances from `start` for `days` days (not past, not blocked) an
    entry of that channel could be moved to."""
    with station.transaction() as session:
        channels = set(session.scalars(select(Slot.channel)))
        day = datetime.combine(start, datetime.min.time())
        return {
            channel: [
                Target(i.slot_id, i.start, i.name)
                for i in _instances(station, session, channel, day, days, now)
            ]
            for channel in sorted(channels)
        }


def move_entry(
    station: Station, entry_id: int, slot_id: int, at: datetime, *, now: datetime
) -> None:
    """Move a planned, future entry to the instance of `slot_id` starting `at` (same channel,
    not past, not blocked, with room). Raises UserError saying what is wrong."""
    with station.transaction() as session:
        entry = _movable(session.get(PlanEntry, entry_id), entry_id, now)
        day = datetime.combine(at.date(), datetime.min.time())
        match = [
            i
            for i in _instances(station, session, entry.channel, day, 1, now)
            if i.slot_id == slot_id and i.start == at
        ]
        if not match:
            raise UserError(T("no_target", channel=entry.channel, at=f"{at:%d/%m %H:%M}"))
        target = match[0]
        there = list(
            session.scalars(
                select(PlanEntry).where(
                    PlanEntry.slot_id == slot_id,
                    PlanEntry.scheduled_at == at,
                    PlanEntry.status.in_((PlanStatus.PLANNED, PlanStatus.SENDING, PlanStatus.DONE)),
                )
            )
        )
        where = {"name": target.name, "at": f"{at:%d/%m %H:%M}"}
        if any(e.message_id == entry.message_id for e in there):
            raise UserError(T("same", **where))
        if is_audio(entry.channel):
            load = sum(e.duration_s for e in there) + entry.duration_s
        else:
            load = len(there) + 1
        if load > target.capacity + 1e-9:
            raise UserError(T("full", **where))
        entry.slot_id, entry.scheduled_at = slot_id, at
        entry.position = len(there)
        entry.reason = T("moved")
        entry.pinned = True  # where the officer put it: a re-plan leaves it there


def pin_entry(station: Station, entry_id: int, pinned: bool, *, now: datetime) -> PlanEntry:
    """Pin a planned, future entry where it is (a re-plan never moves it), or unpin it (the
    planner may move it again). Returns the entry. Raises UserError."""
    with station.transaction() as session:
        entry = _movable(session.get(PlanEntry, entry_id), entry_id, now)
        entry.pinned = pinned
        session.flush()
        session.expunge(entry)
        return entry


def drop_entry(station: Station, entry_id: int, *, now: datetime) -> None:
    """Cancel a planned, future entry: it is never sent. Raises UserError."""
    with station.transaction() as session:
        entry = _movable(session.get(PlanEntry, entry_id), entry_id, now)
        PLAN_STATES.check(entry.status, PlanStatus.CANCELLED)
        entry.status = PlanStatus.CANCELLED
        entry.reason = T("dropped")
