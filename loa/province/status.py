"""The province at a glance: per station (commune) and summed, read straight from each schema."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, func, select

from loa.core.i18n import Catalog
from loa.core.registry import audio_channels
from loa.province.registry import Province

if TYPE_CHECKING:
    from loa.core.station import Station

T = Catalog(
    {
        "a_quiet": (
            "Xã {name} không phát từ {days} ngày (lần cuối {last}).",
            "Commune {name} has not aired for {days} days (last {last}).",
        ),
        "a_never": ("Xã {name} chưa phát bản tin nào.", "Commune {name} has never aired."),
        "a_missed": (
            "Xã {name}: {n} giờ phát hôm nay đã qua mà chưa phát.",
            "Commune {name}: {n} radio slots today passed without airing.",
        ),
        "a_mount": (
            "Xã {name}: luồng {zone} mất kết nối{why}.",
            "Commune {name}: stream {zone} lost its connection{why}.",
        ),
        "a_posts": (
            "Xã {name}: {failed} việc lỗi, {uncertain} bài đăng chưa rõ đã lên chưa.",
            "Commune {name}: {failed} failed entries, {uncertain} posts not known to be up.",
        ),
        "a_jobs": (
            "Xã {name}: {failed} việc hỏng hẳn, {stuck} việc kẹt, {late} việc trễ trong hàng đợi.",
            "Commune {name}: {failed} failed, {stuck} stuck, {late} late jobs in the queue.",
        ),
        "a_workers": (
            "Không có loa worker nào chạy: không xã nào đăng bài hay phát tin của tỉnh.",
            "No loa worker is running: no commune posts or airs province messages.",
        ),
        "a_scheduler": (
            "loa scheduler không chạy: không có việc nào được đưa vào hàng đợi.",
            "loa scheduler is not running: nothing is being queued.",
        ),
    }
)

#: Days without any airing after which a commune is named in the alerts.
QUIET_DAYS = 2
#: Minutes after its time a radio slot not aired counts as missed.
MISSED_AFTER_MIN = 15


@dataclass
class MountNow:
    """One loudspeaker zone's stream (from the station folder's stream state)."""

    zone: str
    mount: str
    connected: bool
    last_error: str | None = None
    listeners: int | None = None


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
    #: The last radio item aired (done), and the radio slots of today past their time whose
    #: items did not air (`province_status` with `now`).
    last_bulletin: datetime | None = None
    missed_today: int = 0
    #: The stream head-end: None when the commune streams no zone; else whether its process
    #: runs, and each mount (`station_streams`).
    stream_running: bool | None = None
    mounts: list[MountNow] = field(default_factory=list)

    @property
    def listeners(self) -> int | None:
        known = [m.listeners for m in self.mounts if m.listeners is not None]
        return sum(known) if known else None

    def to_dict(self) -> dict[str, Any]:
        from dataclasses import asdict

        out = asdict(self)
        for key in ("last_activity", "last_bulletin"):
            value = out[key]
            out[key] = value.isoformat(timespec="seconds") if value else None
        out["listeners"] = self.listeners
        return out


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


def _one(conn: Connection, ident: str, name: str, now: datetime | None = None) -> StationStatus:
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
    if now is not None:
        out.last_bulletin = conn.scalar(
            select(func.max(AsRunRecord.started_at)).where(
                AsRunRecord.channel.in_(audio_channels()), AsRunRecord.status == "done"
            )
        )
        midnight = datetime.combine(now.date(), datetime.min.time())
        out.missed_today = int(
            conn.scalar(
                select(func.count(func.distinct(PlanEntry.scheduled_at))).where(
                    PlanEntry.channel.in_(audio_channels()),
                    PlanEntry.scheduled_at >= midnight,
                    PlanEntry.scheduled_at < now - timedelta(minutes=MISSED_AFTER_MIN),
                    PlanEntry.status.in_(("planned", "sending", "failed", "skipped")),
                )
            )
            or 0
        )
    return out


def province_status(province: Province, *, now: datetime | None = None) -> ProvinceStatus:
    """Figures of every registered station, read in one connection (schema by schema). With
    `now` (the province's wall clock), also each commune's last airing and today's missed
    radio slots."""
    records = province.stations()
    engine = province.engine()
    try:
        with engine.connect() as conn:
            return ProvinceStatus(stations=[_one(conn, r.ident, r.name, now) for r in records])
    finally:
        engine.dispose()


def station_streams(
    province: Province,
    status: ProvinceStatus,
    *,
    live: bool = False,
    stations: dict[str, Station] | None = None,
) -> None:
    """Fill each commune's stream state: whether its head-end process runs and each mount's
    connection (the state file in the station folder), and with `live` the listeners, asking
    each Icecast server once. A commune whose folder or settings cannot be read is left as
    streaming nothing. `stations`: communes already loaded (by ident), kept between calls
    (new ones are added; none is connected to its database here)."""
    from loa.app.stream import stream_status
    from loa.channels.icecast import fetch_status
    from loa.core.errors import LoaError
    from loa.province.stations import open_station

    servers: dict[str, Any] = {}
    wanted: list[tuple[StationStatus, Any]] = []
    for s in status.stations:
        try:
            station = (stations or {}).get(s.ident) or open_station(province, s.ident)
            if stations is not None:
                stations[s.ident] = station
            found = stream_status(station, live=False)
        except (LoaError, OSError):
            continue
        if not found.enabled or not found.mounts:
            continue
        s.stream_running = found.running
        s.mounts = [
            MountNow(m.zone, m.mount, bool(m.connected), m.last_error) for m in found.mounts
        ]
        if live:
            from loa.channels.stream import stream_settings

            server = stream_settings(station).server
            servers.setdefault(server.base_url, server)
            wanted.append((s, server.base_url))
    answers: dict[str, Any] = {}
    for url, server in servers.items():
        try:
            answers[url] = fetch_status(server, timeout=2.0)
        except LoaError:
            answers[url] = {}
    for s, url in wanted:
        for m in s.mounts:
            seen = answers.get(url, {}).get(m.mount)
            m.listeners = seen.listeners if seen is not None else None


@dataclass
class Alert:
    """Something a province officer should look at, said in their language."""

    ident: str  # "" for the province's own machinery
    kind: str  # quiet, never, missed, mount, posts, jobs, workers, scheduler
    text: str

    def to_dict(self) -> dict[str, str]:
        return {"ident": self.ident, "kind": self.kind, "text": self.text}


def alerts_of(status: ProvinceStatus, health: QueueHealth | None, *, now: datetime) -> list[Alert]:
    """The alerts of the province now: communes quiet for QUIET_DAYS or more, radio slots
    missed today, streams down, failed or uncertain posts, failed, stuck or late jobs, and no
    worker or scheduler running."""
    from loa.core.dates import format_date

    out: list[Alert] = []
    if health is not None:
        if not health.alive_workers:
            out.append(Alert("", "workers", T("a_workers")))
        if health.scheduler is None:
            out.append(Alert("", "scheduler", T("a_scheduler")))
    for s in status.stations:
        name = s.name or s.ident
        if s.last_bulletin is None:
            out.append(Alert(s.ident, "never", T("a_never", name=name)))
        else:
            days = (now.date() - s.last_bulletin.date()).days
            if days >= QUIET_DAYS:
                last = format_date(s.last_bulletin.date())
                out.append(Alert(s.ident, "quiet", T("a_quiet", name=name, days=days, last=last)))
        if s.missed_today:
            out.append(Alert(s.ident, "missed", T("a_missed", name=name, n=s.missed_today)))
        for m in s.mounts:
            if not m.connected:
                why = f" ({m.last_error})" if m.last_error else ""
                out.append(Alert(s.ident, "mount", T("a_mount", name=name, zone=m.zone, why=why)))
        if s.failed or s.uncertain:
            out.append(
                Alert(
                    s.ident,
                    "posts",
                    T("a_posts", name=name, failed=s.failed, uncertain=s.uncertain),
                )
            )
        if health is not None:
            failed, stuck, late = health.station_jobs(s.ident)
            if failed or stuck or late:
                text = T("a_jobs", name=name, failed=failed, stuck=stuck, late=late)
                out.append(Alert(s.ident, "jobs", text))
    return out


@dataclass
class ProvinceNow:
    """The province now, as plain data for `loa province status` and the province page."""

    now: datetime
    status: ProvinceStatus
    health: QueueHealth | None
    alerts: list[Alert]

    def alerts_for(self, ident: str) -> list[Alert]:
        return [a for a in self.alerts if a.ident == ident]

    def to_dict(self) -> dict[str, Any]:
        return {
            "now": self.now.isoformat(timespec="seconds"),
            "stations": [s.to_dict() for s in self.status.stations],
            "alerts": [a.to_dict() for a in self.alerts],
        }


def province_now(
    province: Province,
    *,
    now: datetime | None = None,
    live: bool = False,
    queue: bool = True,
    stations: dict[str, Station] | None = None,
) -> ProvinceNow:
    """Every commune's state now (figures, last airing, missed slots, streams), the queue's
    health (`queue`) and the alerts. `live` asks the Icecast servers for listeners;
    `stations` see `station_streams`."""
    now = now or province.now()
    status = province_status(province, now=now)
    station_streams(province, status, live=live, stations=stations)
    health = queue_health(province) if queue else None
    return ProvinceNow(now, status, health, alerts_of(status, health, now=now))


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
                    # advisory locks are per database: another province's scheduler on the
                    # same server is not this one's
                    "AND l.database = (SELECT oid FROM pg_database "
                    "WHERE datname = current_database()) "
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
