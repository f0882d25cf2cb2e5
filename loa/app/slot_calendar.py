"""Editing the station's time slots, blackout days and campaigns: what `loa slots`,
`loa calendar` and the dashboard's Settings page do, written once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from loa.core.station import Station


@dataclass(frozen=True)
class SlotView:
    """A slot as plain data; `days` is its weekdays as people read them."""

    id: int
    channel: str
    name: str
    weekdays: str
    days: str
    start: str
    capacity: float
    reach: dict[str, float]
    note: str | None

    def to_dict(self) -> dict[str, Any]:
        """What `loa slots --json` prints."""
        return {
            "id": self.id,
            "channel": self.channel,
            "name": self.name,
            "weekdays": self.weekdays,
            "start": self.start,
            "capacity": self.capacity,
            "reach": self.reach,
            "note": self.note,
        }


def _view(slot: Any) -> SlotView:
    from loa.planning.slots import format_weekdays

    return SlotView(
        slot.id,
        slot.channel,
        slot.name,
        slot.weekdays,
        format_weekdays(slot.weekdays),
        slot.start,
        slot.capacity,
        dict(slot.reach),
        slot.note,
    )


def slots(station: Station, channel: str | None = None) -> list[SlotView]:
    """The station's slots (of `channel`, when given)."""
    from loa.planning.slots import list_slots

    with station.transaction() as session:
        return [_view(s) for s in list_slots(session, channel)]


def add_slot(
    station: Station,
    *,
    channel: str,
    name: str,
    start: str,
    capacity: int,
    days: str,
    reach: Iterable[str] = (),
    note: str | None = None,
) -> SlotView:
    """A new slot; `days` as `parse_weekdays` and `reach` as `parse_reach` take them. Raises
    UserError."""
    from loa.planning.slots import SlotSpec, parse_reach, parse_weekdays
    from loa.planning.slots import add_slot as add

    spec = SlotSpec(
        channel.strip().lower(),
        name,
        start,
        capacity,
        parse_weekdays(days),
        parse_reach(reach),
        note,
    )
    with station.transaction() as session:
        return _view(add(session, spec))


def edit_slot(
    station: Station,
    slot_id: int,
    *,
    channel: str | None = None,
    name: str | None = None,
    start: str | None = None,
    capacity: int | None = None,
    days: str | None = None,
    reach: Iterable[str] = (),
    note: str | None = None,
) -> SlotView:
    """Change the fields given (None: left alone; `reach` entries are merged). Raises
    UserError."""
    from loa.planning.slots import edit_slot as edit
    from loa.planning.slots import parse_reach, parse_weekdays

    with station.transaction() as session:
        return _view(
            edit(
                session,
                slot_id,
                channel=channel.strip().lower() if channel else None,
                name=name,
                start=start,
                capacity=capacity,
                weekdays=parse_weekdays(days) if days is not None else None,
                reach=parse_reach(reach),
                note=note,
            )
        )


def remove_slot(station: Station, slot_id: int) -> int:
    """Remove a slot; how many planned entries went with it. Raises UserError."""
    from loa.planning.slots import remove_slot as remove

    with station.transaction() as session:
        return remove(session, slot_id)


def seed_default_slots(station: Station) -> int:
    """Add the default slots when the station has none; how many were added."""
    from loa.planning.defaults import seed_default_slots as seed

    with station.transaction() as session:
        return seed(session)


def holidays_between(first: date, last: date) -> dict[date, str]:
    """The public holidays from `first` to `last`."""
    from loa.planning.calendar import holidays_between as between

    return between(first, last)


def blocked_days(station: Station, first: date, last: date) -> dict[date, str]:
    """The days from `first` to `last` on which nothing is planned (blackouts and public
    holidays), with the reason."""
    from loa.planning.calendar import blocked_days as blocked

    with station.transaction() as session:
        return blocked(session, first, last, holidays=True)


def blackouts(station: Station) -> list[tuple[date, str]]:
    """Every blackout day, with its reason, in order."""
    from sqlalchemy import select

    from loa.planning.models import Blackout

    with station.transaction() as session:
        return [(b.day, b.reason) for b in session.scalars(select(Blackout).order_by(Blackout.day))]


def campaigns(station: Station) -> list[Any]:
    """Every campaign window (name, starts_on, ends_on, boost, topics)."""
    from loa.planning.calendar import campaign_windows

    with station.transaction() as session:
        return list(campaign_windows(session))


def add_blackout(station: Station, day: date, reason: str = "") -> None:
    """Mark a day on which nothing is planned. Raises UserError if it already is one."""
    from loa.planning.calendar import add_blackout as add

    with station.transaction() as session:
        add(session, day, reason)


def remove_blackout(station: Station, day: date) -> None:
    """Plan on this day again. Raises UserError if it is no blackout day."""
    from loa.planning.calendar import remove_blackout as remove

    with station.transaction() as session:
        remove(session, day)


def add_campaign(
    station: Station,
    name: str,
    first: date,
    last: date,
    *,
    boost: float,
    topics: Iterable[str] = (),
    messages: Iterable[int] = (),
) -> int:
    """A campaign window: its topics (and messages) weigh `boost` times more while it runs;
    its id. Raises UserError."""
    from loa.planning.calendar import add_campaign as add

    with station.transaction() as session:
        return add(
            session, name, first, last, boost=boost, topics=list(topics), messages=list(messages)
        ).id
