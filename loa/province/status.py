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
    #: Communes whose figures could not be read: (ident, name, why), the others still counted.
    problems: list[tuple[str, str, str]] = field(default_factory=list)

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


def province_report(
    province: Province, start: date, end: date, *, now: datetime | None = None
) -> ProvinceReport:
    """Each commune's report figures for [start, end] (the same code as `loa report`, at the
    commune's own clock unless `now` is given), and their sum. A commune whose figures cannot
    be read (its schema newer than this loa, its folder gone) is named in `problems` and the
    others are still counted. Raises UserError for an empty range."""
    from loa.core.dates import format_date as fmt_date
    from loa.core.errors import LoaError, UserError
    from loa.province.stations import open_station
    from loa.report import build_report, periods

    if start > end:
        raise UserError(periods.T("empty", start=fmt_date(start), end=fmt_date(end)))
    out: list[CommuneFigures] = []
    problems: list[tuple[str, str, str]] = []
    for record in province.stations():
        try:
            station = open_station(province, record.ident)
            try:
                totals = build_report(
                    station, start, end, now=now if now is not None else station.now()
                ).totals
            finally:
                station.engine.dispose()
        except LoaError as exc:
            problems.append((record.ident, record.name, str(exc)))
            continue
        except OSError as exc:  # a station folder or its loa.toml gone
            problems.append((record.ident, record.name, f"{exc.strerror}: {exc.filename}"))
            continue
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
    return ProvinceReport(communes=out, problems=problems)


@dataclass
class QueueHealth:
    """The province's machinery: workers, the scheduler and the job queue."""

    workers: list[tuple[int, datetime, bool]]  # (id, last heartbeat, alive)
    scheduler: str | None  # who holds the scheduler lock ("pid@address since ..."), None: nobody
    jobs: dict[str, int]  # by status
    stuck: dict[str, int]  # station ident -> jobs "doing" on a worker that went silent
    failed: dict[str, int]  # station ident -> jobs that failed for good
    late: dict[str, int]  # station ident -> jobs waiting past their time by more than a minute

    @property
    def alive_workers(self) -> int:
        return sum(1 for _, _, alive in self.workers if alive)

    def station_jobs(self, ident: str) -> tuple[int, int, int]:
        """A station's jobs (failed, stuck, late); the province's sum for ident ""."""
        if not ident:
            return (sum(self.failed.values()), sum(self.stuck.values()), sum(self.late.values()))
        return (self.failed.get(ident, 0), self.stuck.get(ident, 0), self.late.get(ident, 0))

    def has_problem(self, station: StationStatus) -> bool:
        """Failed or uncertain posts, or failed, stuck or late jobs at `station`."""
        return bool(station.failed or station.uncertain or any(self.station_jobs(station.ident)))


def queue_health(province: Province, *, silent_after_s: float = 30.0) -> QueueHealth:
    """Workers (alive: a heartbeat within `silent_after_s`), the scheduler lock's holder, and
    the jobs by status; stuck, failed and late jobs per station."""
    from zoneinfo import ZoneInfo

    from sqlalchemy import text

    from loa.province.registry import QUEUE_SCHEMA
    from loa.province.scheduler import LOCK_KEY

    q = f'"{QUEUE_SCHEMA}"'
    engine = province.engine(pool_size=1)
    try:
        with engine.connect() as conn:
            zone = ZoneInfo(province.timezone)
            workers = [
                (int(wid), beat.astimezone(zone).replace(tzinfo=None), bool(alive))
                for wid, beat, alive in conn.execute(
                    text(
                        "SELECT id, last_heartbeat, "
                        "last_heartbeat > now() - make_interval(secs => :s) "
                        f"FROM {q}.procrastinate_workers ORDER BY id"
                    ),
                    {"s": silent_after_s},
                )
            ]
            holder = conn.execute(
                text(
                    "SELECT a.pid, coalesce(host(a.client_addr), 'local'), a.backend_start "
                    "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                    "WHERE l.locktype = 'advisory' AND l.granted "
                    "AND ((l.classid::bigint << 32) | l.objid::bigint) = :k"
                ),
                {"k": LOCK_KEY},
            ).first()
            jobs = {
                str(status): int(n)
                for status, n in conn.execute(
                    text(f"SELECT status, count(*) FROM {q}.procrastinate_jobs GROUP BY status")
                )
            }

            # stuck: "doing" on a worker silent for `silent_after_s`; late: waiting past its
            # time by over a minute. One pass over the jobs for the three per-station figures.
            stuck: dict[str, int] = {}
            failed: dict[str, int] = {}
            late: dict[str, int] = {}
            for ident, n_stuck, n_failed, n_late in conn.execute(
                text(
                    "SELECT j.args->>'station', "
                    "count(*) FILTER (WHERE j.status = 'doing' AND NOT EXISTS (SELECT 1 FROM "
                    f"{q}.procrastinate_workers w WHERE w.id = j.worker_id "
                    "AND w.last_heartbeat > now() - make_interval(secs => :s))), "
                    "count(*) FILTER (WHERE j.status = 'failed'), "
                    "count(*) FILTER (WHERE j.status = 'todo' "
                    "AND j.scheduled_at < now() - interval '1 minute') "
                    f"FROM {q}.procrastinate_jobs j "
                    "WHERE j.status IN ('doing', 'failed', 'todo') GROUP BY 1"
                ),
                {"s": silent_after_s},
            ):
                if not ident:
                    continue
                for figures, n in ((stuck, n_stuck), (failed, n_failed), (late, n_late)):
                    if n:
                        figures[str(ident)] = int(n)
    finally:
        engine.dispose()
    scheduler = None
    if holder is not None:
        pid, address, since = holder
        scheduler = f"pid {pid}@{address} ({since:%d/%m %H:%M})"
    return QueueHealth(
        workers=workers, scheduler=scheduler, jobs=jobs, stuck=stuck, failed=failed, late=late
    )
