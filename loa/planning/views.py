"""Views of the plan: rows for the Vietnamese table, an iCalendar file, and the radio run sheet."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from loa.content.models import Message
from loa.core.dates import clock_text
from loa.core.fileio import atomic_write_bytes
from loa.core.i18n import Catalog
from loa.core.registry import channel_label, is_audio
from loa.planning.models import PlanEntry, Slot

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from loa.core.station import Station

T = Catalog(
    {
        "ics_summary": ("{channel}: {slot} ({n} tin)", "{channel}: {slot} ({n} items)"),
        "ics_item": ("{pos}. {title} ({duration})", "{pos}. {title} ({duration})"),
    }
)


@dataclass
class ScheduledItem:
    entry_id: int
    message_id: int
    position: int
    title: str
    topic: str
    duration_s: float
    status: str
    source_document: str | None
    script: str
    reason: str | None
    pinned: bool = False  # pinned by hand: a re-plan does not move it


@dataclass
class ScheduledSlot:
    """One slot instance of the plan with its items, in order."""

    channel: str
    slot_id: int | None
    slot_name: str
    start: datetime
    items: list[ScheduledItem] = field(default_factory=list)

    @property
    def duration_s(self) -> float:
        return sum(i.duration_s for i in self.items)

    def to_dict(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "slot_id": self.slot_id,
            "slot": self.slot_name,
            "start": self.start.isoformat(timespec="minutes"),
            "items": [
                {
                    "entry_id": i.entry_id,
                    "message_id": i.message_id,
                    "position": i.position,
                    "title": i.title,
                    "topic": i.topic,
                    "duration_s": i.duration_s,
                    "status": i.status,
                    "pinned": i.pinned,
                }
                for i in self.items
            ],
        }


def schedule(
    session: Session, start: date, days: int, *, channel: str | None = None
) -> list[ScheduledSlot]:
    """The plan from `start` for `days` days, grouped by slot instance, in time order."""
    from sqlalchemy import select

    lo = datetime.combine(start, datetime.min.time())
    hi = lo + timedelta(days=days)
    query = (
        select(PlanEntry, Message)
        .join(Message, Message.id == PlanEntry.message_id)
        .where(PlanEntry.scheduled_at >= lo, PlanEntry.scheduled_at < hi)
        .order_by(PlanEntry.scheduled_at, PlanEntry.channel, PlanEntry.position, PlanEntry.id)
    )
    if channel:
        query = query.where(PlanEntry.channel == channel)
    names = {s.id: s.name for s in session.scalars(select(Slot))}
    out: dict[tuple[datetime, str, int | None], ScheduledSlot] = {}
    for entry, message in session.execute(query):
        key = (entry.scheduled_at, entry.channel, entry.slot_id)
        group = out.get(key)
        if group is None:
            name = names.get(entry.slot_id or -1, "") if entry.slot_id else channel_label("urgent")
            group = out[key] = ScheduledSlot(entry.channel, entry.slot_id, name, entry.scheduled_at)
        group.items.append(
            ScheduledItem(
                entry.id,
                message.id,
                entry.position,
                message.title,
                message.topic_code,
                entry.duration_s,
                entry.status,
                message.source_document,
                message.spoken_text,
                entry.reason,
                entry.pinned,
            )
        )
    return list(out.values())


def to_ics(station: Station, slots: list[ScheduledSlot], *, now: datetime) -> bytes:
    """An iCalendar file: one event per slot instance listing its items (radio events last as
    long as their items; posts take 15 minutes), with the station's VTIMEZONE. `now` (station
    wall-clock time) is every event's DTSTAMP, so a calendar app sees a re-export as newer."""
    from datetime import UTC
    from zoneinfo import ZoneInfo

    from icalendar import Calendar, Event

    tz = ZoneInfo(station.timezone)
    cal = Calendar()
    cal.add("prodid", "-//loa//CCHC plan//VI")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"loa: {station.name}")
    cal.add("x-wr-timezone", station.timezone)
    stamp = now.replace(tzinfo=tz).astimezone(UTC)
    for slot in slots:
        event = Event()
        key = f"{slot.channel}-{slot.slot_id or 0}-{slot.start:%Y%m%dT%H%M}"
        event.add("uid", f"{key}@loa.{station.root.name}")
        event.add("dtstamp", stamp)
        begin = slot.start.replace(tzinfo=tz)
        length = (
            timedelta(seconds=max(slot.duration_s, 60))
            if is_audio(slot.channel)
            else timedelta(minutes=15)
        )
        event.add("dtstart", begin)
        event.add("dtend", begin + length)
        event.add(
            "summary",
            T(
                "ics_summary",
                channel=channel_label(slot.channel),
                slot=slot.slot_name,
                n=len(slot.items),
            ),
        )
        lines = [
            T("ics_item", pos=n, title=i.title, duration=clock_text(i.duration_s))
            for n, i in enumerate(slot.items, start=1)
        ]
        event.add("description", "\n".join(lines))
        event.add("categories", [slot.channel])
        cal.add_component(event)
    cal.add_missing_timezones()
    return bytes(cal.to_ical())


def export_ics(
    station: Station, start: date, days: int, path: Path, *, now: datetime | None = None
) -> int:
    """Write the plan to an .ics file atomically. Returns the number of events. `now` (default:
    the station's clock) is the DTSTAMP."""

    with station.transaction() as session:
        slots = schedule(session, start, days)
    atomic_write_bytes(path, to_ics(station, slots, now=now or station.now()))
    return len(slots)
