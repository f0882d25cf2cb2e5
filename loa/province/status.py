"""The province at a glance: per station (commune) and summed, read straight from each schema."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Connection, func, select

from loa.province.registry import Province


@dataclass
class StationStatus:
    ident: str
    name: str
    messages: int = 0  # approved
    planned: int = 0  # plan entries waiting (planned or sending)
    done: int = 0
    failed: int = 0  # plan entries failed
    uncertain: int = 0  # publications waiting for the officer
    aired: int = 0  # as-run rows
    last_activity: datetime | None = None


@dataclass
class ProvinceStatus:
    stations: list[StationStatus] = field(default_factory=list)

    @property
    def total(self) -> StationStatus:
        out = StationStatus(ident="", name="")
        for s in self.stations:
            out.messages += s.messages
            out.planned += s.planned
            out.done += s.done
            out.failed += s.failed
            out.uncertain += s.uncertain
            out.aired += s.aired
            if s.last_activity and (not out.last_activity or s.last_activity > out.last_activity):
                out.last_activity = s.last_activity
        return out


def _one(conn: Connection, ident: str, name: str) -> StationStatus:
    from loa.channels.models import AsRunRecord, Publication
    from loa.content.models import Message
    from loa.planning.models import PlanEntry

    out = StationStatus(ident=ident, name=name)
    conn = conn.execution_options(schema_translate_map={None: ident})
    out.messages = int(
        conn.scalar(select(func.count(Message.id)).where(Message.status == "approved")) or 0
    )
    for status, n in conn.execute(
        select(PlanEntry.status, func.count(PlanEntry.id)).group_by(PlanEntry.status)
    ):
        if status in ("planned", "sending"):
            out.planned += n
        elif status == "done":
            out.done += n
        elif status == "failed":
            out.failed += n
    out.uncertain = int(
        conn.scalar(select(func.count(Publication.id)).where(Publication.status == "uncertain"))
        or 0
    )
    out.aired = int(conn.scalar(select(func.count(AsRunRecord.id))) or 0)
    out.last_activity = conn.scalar(select(func.max(AsRunRecord.started_at)))
    return out


def province_status(province: Province) -> ProvinceStatus:
    """Figures of every registered station, read in one connection (schema by schema)."""
    records = province.stations()
    engine = province.engine()
    try:
        with engine.connect() as conn:
            return ProvinceStatus(stations=[_one(conn, r.ident, r.name) for r in records])
    finally:
        engine.dispose()


@dataclass
class CommuneFigures:
    """One commune's headline figures over a period (its `loa report` totals)."""

    ident: str
    name: str
    bulletins: int
    radio_items: int
    airtime_min: float
    posts: dict[str, int]
    messages: int

    @property
    def items(self) -> int:
        return self.radio_items + sum(self.posts.values())


@dataclass
class ProvinceReport:
    communes: list[CommuneFigures]

    @property
    def total(self) -> CommuneFigures:
        posts: dict[str, int] = {}
        for c in self.communes:
            for channel, n in c.posts.items():
                posts[channel] = posts.get(channel, 0) + n
        return CommuneFigures(
            ident="",
            name="",
            bulletins=sum(c.bulletins for c in self.communes),
            radio_items=sum(c.radio_items for c in self.communes),
            airtime_min=round(sum(c.airtime_min for c in self.communes), 1),
            posts=posts,
            messages=sum(c.messages for c in self.communes),
        )


def province_report(province: Province, start: date, end: date, *, now: datetime) -> ProvinceReport:
    """Each commune's report figures for [start, end] (the same code as `loa report`), and
    their sum. Raises UserError for an empty range."""
    from loa.province.stations import open_station
    from loa.report import build_report

    out: list[CommuneFigures] = []
    for record in province.stations():
        station = open_station(province, record.ident)
        try:
            totals = build_report(station, start, end, now=now).totals
        finally:
            station.engine.dispose()
        out.append(
            CommuneFigures(
                ident=record.ident,
                name=record.name,
                bulletins=totals.bulletins,
                radio_items=totals.radio_items,
                airtime_min=totals.airtime_min,
                posts=dict(totals.posts),
                messages=totals.messages,
            )
        )
    return ProvinceReport(communes=out)
