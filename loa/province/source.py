"""The province and another vendor's source information system (`loa.channels.source_system`):
its bulletins come in as province messages (sent down to the communes like any other, once
per remote id), and every airing of them in a commune goes back out as an as-run report
(once each), the first airing acknowledged.

`loa province source sync` runs one pass; run it from cron or a systemd timer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Column, DateTime, Integer, String, Table, select

from loa.channels.source_system import AiredReport, SourceSystem
from loa.content.models import Priority
from loa.core.errors import LoaError
from loa.province.deliveries import Delivery, _as_run
from loa.province.messages import deliveries_table, messages_table, send
from loa.province.registry import REGISTER_SCHEMA, Province, metadata

#: Each bulletin of the source system, the province message made from it, and how many of
#: its airings were reported back.
links_table = Table(
    "source_links",
    metadata,
    Column("remote_id", String(200), primary_key=True),
    Column("message_id", Integer, nullable=False),
    Column("imported_at", DateTime, nullable=False),
    Column("acknowledged_at", DateTime, nullable=True),
    Column("reported", Integer, nullable=False, default=0),
    schema=REGISTER_SCHEMA,
)


@dataclass
class SyncResult:
    imported: list[int] = field(default_factory=list)  # province message ids made now
    refused: dict[str, str] = field(default_factory=dict)  # remote id -> why
    reported: int = 0  # as-run reports the source system accepted
    acknowledged: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        from dataclasses import asdict

        return asdict(self)


def source_settings(province: Province) -> dict[str, Any]:
    """province.toml [source_system] (name, url, ...)."""
    from loa.province.queue import _settings

    section = _settings(province).get("source_system", {})
    return dict(section) if isinstance(section, dict) else {}


def open_source(province: Province, *, http: Any = None) -> SourceSystem:
    """The adapter province.toml [source_system] names. Raises UserError."""
    from loa.channels.source_system import source_system

    return source_system(
        source_settings(province), media_dir=province.root / "source-media", http=http
    )


def sync(
    province: Province,
    system: SourceSystem,
    *,
    now: datetime | None = None,
    since: datetime | None = None,
) -> SyncResult:
    """One pass: fetch the bulletins since `since` (default: a week back), send each new one
    down as a province message (its class, targets, validity), then report every airing not
    reported yet and acknowledge the first airing of each. Raises RuntimeFailure when the
    source system cannot be reached (what was done before stays done)."""
    now = now or province.now()
    result = SyncResult()
    engine = province.engine(pool_size=1)
    try:
        with engine.begin() as conn:
            links_table.create(conn, checkfirst=True)  # a province made before this table
            known = set(conn.scalars(select(links_table.c.remote_id)))
        for bulletin in system.fetch_bulletins(since or now - timedelta(days=7)):
            if bulletin.remote_id in known:
                continue
            try:
                sent = send(
                    province,
                    title=bulletin.title,
                    body=bulletin.body or bulletin.title,
                    priority=Priority(bulletin.priority),
                    targets=list(bulletin.targets),
                    by=f"{system.name}:{bulletin.remote_id}",
                    channels=["radio"] if bulletin.priority == Priority.URGENT else None,
                    valid_until=bulletin.not_after.date() if bulletin.not_after else None,
                    now=now,
                )
            except (LoaError, ValueError) as exc:
                result.refused[bulletin.remote_id] = str(exc)
                continue
            with engine.begin() as conn:
                conn.execute(
                    links_table.insert().values(
                        remote_id=bulletin.remote_id,
                        message_id=sent.message_id,
                        imported_at=now,
                        reported=0,
                    )
                )
            result.imported.append(sent.message_id)
        _report(engine, system, result)
    finally:
        engine.dispose()
    return result


def _report(engine: Any, system: SourceSystem, result: SyncResult) -> None:
    """Every airing of a linked message not reported yet, in one call; then the acks."""
    with engine.begin() as conn:
        links = conn.execute(
            select(links_table, messages_table.c.title, messages_table.c.priority).join(
                messages_table, messages_table.c.id == links_table.c.message_id
            )
        ).all()
        reports: list[AiredReport] = []
        counts: dict[str, int] = {}
        first: dict[str, datetime] = {}
        for link in links:
            airings: list[AiredReport] = []
            for d in conn.execute(
                select(deliveries_table)
                .where(deliveries_table.c.message_id == link.message_id)
                .order_by(deliveries_table.c.ident)
            ):
                delivery = Delivery(d.ident, d.station_message_id, d.delivered_at)
                _as_run(conn, delivery, None, None)
                airings += [
                    AiredReport(
                        started_at=at,
                        ended_at=None,
                        title=link.title,
                        priority=link.priority,
                        zones=tuple(delivery.zones),
                        duration_s=delivery.airtime_s / max(1, len(delivery.aired)),
                        station=d.ident,
                        remote_id=link.remote_id,
                    )
                    for at in delivery.aired
                ]
            airings.sort(key=lambda r: (r.started_at, r.station))
            reports += airings[link.reported :]
            counts[link.remote_id] = len(airings)
            if airings and link.acknowledged_at is None:
                first[link.remote_id] = airings[0].started_at
    if reports:
        result.reported = system.report_aired(reports)
    for remote_id, aired_at in first.items():
        system.acknowledge(remote_id, aired_at)
        result.acknowledged.append(remote_id)
    with engine.begin() as conn:
        for remote_id, n in counts.items():
            values: dict[str, Any] = {"reported": n}
            if remote_id in first:
                values["acknowledged_at"] = first[remote_id]
            conn.execute(
                links_table.update().where(links_table.c.remote_id == remote_id).values(**values)
            )
