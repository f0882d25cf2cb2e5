"""What became of each province message: its deliveries, aired where and when, posted where
(`list_messages`), and the province's own figures for a period (`province_figures`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Connection,
    func,
    select,
)
from sqlalchemy.exc import DBAPIError

from loa.content.models import Priority
from loa.core.errors import UserError
from loa.core.registry import is_audio
from loa.province.messages import T, deliveries_table, messages_table
from loa.province.registry import Province

# --------------------------------------------------------------------------- what became of them


@dataclass
class Delivery:
    """One commune's copy of a province message and what its as-run says happened."""

    ident: str
    station_message_id: int
    delivered_at: datetime
    aired: list[datetime] = field(default_factory=list)
    airtime_s: float = 0.0
    zones: list[str] = field(default_factory=list)
    posted: dict[str, datetime] = field(default_factory=dict)
    problem: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "ident": self.ident,
            "station_message_id": self.station_message_id,
            "delivered_at": self.delivered_at.isoformat(timespec="seconds"),
            "aired": [a.isoformat(timespec="seconds") for a in self.aired],
            "airtime_s": round(self.airtime_s, 1),
            "zones": self.zones,
            "posted": {k: v.isoformat(timespec="seconds") for k, v in self.posted.items()},
            "problem": self.problem,
        }


@dataclass
class ProvinceMessage:
    id: int
    title: str
    priority: str
    targets: list[str]
    channels: list[str]
    valid_until: date | None
    created_at: datetime
    created_by: str
    deliveries: list[Delivery] = field(default_factory=list)

    @property
    def aired_in(self) -> int:
        return sum(1 for d in self.deliveries if d.aired)

    @property
    def posted_in(self) -> int:
        return sum(1 for d in self.deliveries if d.posted)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "class": self.priority,
            "targets": self.targets,
            "channels": self.channels,
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
            "created_at": self.created_at.isoformat(timespec="seconds"),
            "created_by": self.created_by,
            "communes": len(self.deliveries),
            "aired_in": self.aired_in,
            "posted_in": self.posted_in,
            "deliveries": [d.to_dict() for d in self.deliveries],
        }


def _as_run(conn: Connection, delivery: Delivery, start: date | None, end: date | None) -> None:
    """Fill `delivery` from its commune's as-run (rows of its own message, done)."""
    from datetime import timedelta

    from loa.channels.models import AsRunRecord

    conn.execution_options(schema_translate_map={None: delivery.ident})
    try:
        query = select(
            AsRunRecord.channel, AsRunRecord.started_at, AsRunRecord.duration_s, AsRunRecord.zones
        ).where(AsRunRecord.message_id == delivery.station_message_id, AsRunRecord.status == "done")
        if start is not None:
            query = query.where(
                AsRunRecord.started_at >= datetime.combine(start, datetime.min.time())
            )
        if end is not None:
            after = datetime.combine(end + timedelta(days=1), datetime.min.time())
            query = query.where(AsRunRecord.started_at < after)
        with conn.begin_nested():
            rows = conn.execute(query.order_by(AsRunRecord.started_at)).all()
    except DBAPIError as exc:  # a commune's schema gone or broken: said, the others read
        delivery.problem = str(getattr(exc, "orig", exc)).splitlines()[0][:200]
        rows = []
    finally:
        conn.execution_options(schema_translate_map=None)
    zones: set[str] = set()
    for channel, at, duration, its_zones in rows:
        if is_audio(channel):
            delivery.aired.append(at)
            delivery.airtime_s += float(duration or 0.0)
            zones.update(its_zones or [])
        else:
            delivery.posted.setdefault(str(channel), at)
    delivery.zones = sorted(zones)


def list_messages(
    province: Province,
    *,
    message_id: int | None = None,
    start: date | None = None,
    end: date | None = None,
) -> list[ProvinceMessage]:
    """The province messages (newest first; one with `message_id`; those written in
    [start, end] when given), each with every commune's delivery read from its as-run.
    Raises UserError for an unknown `message_id`."""
    from datetime import timedelta

    engine = province.engine(pool_size=1)
    try:
        with engine.begin() as conn:
            query = select(messages_table).order_by(messages_table.c.id.desc())
            if message_id is not None:
                query = query.where(messages_table.c.id == message_id)
            if start is not None:
                query = query.where(
                    messages_table.c.created_at >= datetime.combine(start, datetime.min.time())
                )
            if end is not None:
                query = query.where(
                    messages_table.c.created_at
                    < datetime.combine(end + timedelta(days=1), datetime.min.time())
                )
            out = [
                ProvinceMessage(
                    id=r.id,
                    title=r.title,
                    priority=r.priority,
                    targets=list(r.targets),
                    channels=list(r.channels),
                    valid_until=r.valid_until,
                    created_at=r.created_at,
                    created_by=r.created_by,
                )
                for r in conn.execute(query)
            ]
            if message_id is not None and not out:
                raise UserError(T("no_message", id=message_id))
            by_id = {m.id: m for m in out}
            if by_id:
                for d in conn.execute(
                    select(deliveries_table)
                    .where(deliveries_table.c.message_id.in_(list(by_id)))
                    .order_by(deliveries_table.c.ident)
                ):
                    delivery = Delivery(d.ident, d.station_message_id, d.delivered_at)
                    _as_run(conn, delivery, None, None)
                    by_id[d.message_id].deliveries.append(delivery)
            return out
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- statistics up


@dataclass
class ProvinceFigures:
    """The province's own figures over a period: what it sent down and what came of it."""

    sent: dict[str, int]  # province messages written in the period, by class
    deliveries: int  # commune copies of them
    communes_targeted: int
    communes_aired: int  # communes whose loudspeakers aired at least one of them
    communes_posted: int  # communes that posted at least one of them
    zones_aired: int  # (commune, zone) pairs reached
    airings: int  # radio airings (as-run rows) of province messages in the period
    airtime_min: float
    posts: int

    def to_dict(self) -> dict[str, Any]:
        from dataclasses import asdict

        return asdict(self)


def province_figures(province: Province, start: date, end: date) -> ProvinceFigures:
    """What the province sent down in [start, end] (by class) and its coverage there:
    communes reached on air and on their channels, zones, airings and airtime (each commune's
    as-run of its copy, within the period)."""
    engine = province.engine(pool_size=1)
    sent = {str(p): 0 for p in Priority}
    targeted: set[str] = set()
    aired: set[str] = set()
    posted: set[str] = set()
    zones: set[tuple[str, str]] = set()
    airings = posts = deliveries = 0
    airtime = 0.0
    from datetime import timedelta

    first = datetime.combine(start, datetime.min.time())
    after = datetime.combine(end + timedelta(days=1), datetime.min.time())
    try:
        with engine.begin() as conn:
            for priority, n in conn.execute(
                select(messages_table.c.priority, func.count())
                .where(messages_table.c.created_at >= first, messages_table.c.created_at < after)
                .group_by(messages_table.c.priority)
            ):
                sent[str(priority)] = int(n)
            # copies aired in the period, whenever the message was written (a standing one)
            for d in conn.execute(
                select(deliveries_table).where(deliveries_table.c.delivered_at < after)
            ):
                delivery = Delivery(d.ident, d.station_message_id, d.delivered_at)
                _as_run(conn, delivery, start, end)
                if d.delivered_at >= first:
                    deliveries += 1
                    targeted.add(d.ident)
                if delivery.aired:
                    aired.add(d.ident)
                    zones.update((d.ident, z) for z in delivery.zones)
                if delivery.posted:
                    posted.add(d.ident)
                airings += len(delivery.aired)
                airtime += delivery.airtime_s
                posts += len(delivery.posted)
    finally:
        engine.dispose()
    return ProvinceFigures(
        sent=sent,
        deliveries=deliveries,
        communes_targeted=len(targeted),
        communes_aired=len(aired),
        communes_posted=len(posted),
        zones_aired=len(zones),
        airings=airings,
        airtime_min=round(airtime / 60.0, 1),
        posts=posts,
    )
