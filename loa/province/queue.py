"""The province's job queue: procrastinate, kept in the province database itself (schema
``procrastinate``), so a job is enqueued in the same transaction as the rows that call for it.

Jobs: ``publish`` (one planned post), ``render`` (a station's bulletins for some days, then
their M3U playlists), ``playlist`` (the playlists of a day), ``reconcile`` (publications a dead
process left "sending"), ``insights`` (pull a station's channel figures) and ``daily`` (a station's day ahead: re-plan as [scheduler]
auto_plan_days says, render tomorrow, write its playlists), ``refresh`` (re-plan now and
render again: a province ưu tiên message arrived). Each carries the station's ident;
a publish job holds the procrastinate lock of its plan entry (never two at once) and a queueing
lock (never queued twice), and waits for its channel's token bucket (rate limits that hold
across every worker of the province).
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, text

from loa.core.registry import rate_limits
from loa.province.registry import QUEUE_SCHEMA, Province, buckets_table, versions_table

if TYPE_CHECKING:
    import procrastinate
    from sqlalchemy import Engine

log = logging.getLogger(__name__)

QUEUE = "loa"

#: The jobs a worker runs, each the `Tasks` method of that name ("ping" is never retried).
TASKS = (
    "publish",
    "render",
    "reconcile",
    "playlist",
    "daily",
    "urgent",
    "ping",
    "refresh",
    "insights",
)


def conninfo(url: str) -> str:
    """The libpq connection string of a SQLAlchemy URL."""
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def queue_migrations() -> list[tuple[str, str, str]]:
    """procrastinate's schema migrations of the installed package: (version, file name, SQL),
    oldest first."""
    from importlib import resources

    folder = resources.files("procrastinate.sql.migrations")
    out = []
    for entry in folder.iterdir():
        name = entry.name
        if name.endswith(".sql") and re.match(r"\d+\.\d+\.\d+_", name):
            out.append((name.split("_", 1)[0], name, entry.read_text(encoding="utf-8")))
    return sorted(out, key=lambda m: (_version_key(m[0]), m[1]))


def _version_key(version: str) -> tuple[int, ...]:
    """A "1.2.3" version as a tuple that orders as versions do."""
    return tuple(int(p) for p in version.split("."))


def _created_functions(sql: str) -> set[str]:
    found = re.findall(
        r"CREATE\s+(?:OR\s+REPLACE\s+)?FUNCTION\s+(?:\w+\.)?(\w+)\s*\(", sql, flags=re.I
    )
    return {f.lower() for f in found}


def _detected_version(conn: Any, migrations: list[tuple[str, str, str]]) -> str:
    """The version of a queue schema loa did not record (made before loa kept versions): the
    newest migration whose functions all exist."""
    have = {
        str(r[0])
        for r in conn.execute(
            text(
                "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                "WHERE n.nspname = :schema"
            ),
            {"schema": QUEUE_SCHEMA},
        )
    }
    version = "0.0.0"
    for v, _, sql in migrations:
        made = _created_functions(sql)
        if made and made <= have:
            version = v
    return version


def upgrade_queue(
    url: str, migrations: list[tuple[str, str, str]] | None = None
) -> tuple[str | None, str, list[str]]:
    """Make procrastinate's schema (in its own schema of the province database) or bring it to
    the installed procrastinate's version by applying its migrations in order, in one
    transaction; record the version. Returns (version before, version now, files applied);
    before is None when the schema was made now. `migrations`: procrastinate's own by default
    (`queue_migrations`)."""
    from procrastinate.schema import SchemaManager
    from sqlalchemy.dialects.postgresql import insert

    from loa.core.db import make_engine

    if migrations is None:
        migrations = queue_migrations()
    latest = migrations[-1][0] if migrations else "0.0.0"
    engine = make_engine(url, pool_size=1)
    try:
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{QUEUE_SCHEMA}"'))
            made = conn.scalar(
                text(
                    "SELECT 1 FROM information_schema.tables WHERE table_schema = :s "
                    "AND table_name = 'procrastinate_jobs'"
                ),
                {"s": QUEUE_SCHEMA},
            )
            recorded = conn.scalar(
                select(versions_table.c.version).where(versions_table.c.component == "queue")
            )
            conn.execute(text(f'SET LOCAL search_path TO "{QUEUE_SCHEMA}"'))
            applied: list[str] = []
            before: str | None
            raw: Any = conn.connection.driver_connection  # no parameters: "%" in the SQL stays
            if made is None:
                before = None
                raw.execute(SchemaManager.get_schema())
            else:
                before = recorded or _detected_version(conn, migrations)
                for version, name, sql in migrations:
                    if _version_key(version) > _version_key(before):
                        raw.execute(sql)
                        applied.append(name)
            conn.execute(text("SET LOCAL search_path TO public"))
            stamp = datetime.now()
            conn.execute(
                insert(versions_table)
                .values(component="queue", version=latest, updated_at=stamp)
                .on_conflict_do_update(
                    index_elements=["component"], set_={"version": latest, "updated_at": stamp}
                )
            )
    finally:
        engine.dispose()
    return before, latest, applied


def make_app(
    province: Province, *, sync: bool = False, tasks: Tasks | None = None
) -> procrastinate.App:
    """The procrastinate App of `province` with loa's tasks registered (an async connector
    for workers; `sync` for code that only enqueues). `tasks` (default: new) runs the jobs."""
    import procrastinate

    kwargs: dict[str, Any] = {"options": f"-csearch_path={QUEUE_SCHEMA}"}
    connector: Any
    if sync:
        connector = procrastinate.SyncPsycopgConnector(
            conninfo=conninfo(province.database), kwargs=kwargs, min_size=1, max_size=2
        )
    else:
        connector = procrastinate.PsycopgConnector(
            conninfo=conninfo(province.database), kwargs=kwargs, min_size=1, max_size=4
        )
    app = procrastinate.App(connector=connector)
    tasks = tasks or Tasks(province)
    retry = _retry_strategy()
    for name in TASKS:
        app.task(
            name=name,
            queue=QUEUE,
            retry=False if name == "ping" else retry,
            pass_context=False,
        )(getattr(tasks, name))
    return app


def take_token(
    engine: Engine, key: str, per_minute: float, *, now: Callable[[], float] = time.time
) -> float:
    """Take one token from the bucket `key` (capacity: one minute's worth) on the province
    database of `engine`. Returns 0 when taken, else the seconds to wait before asking again.
    The bucket row is locked for the moment of the update, so every worker shares it."""
    with engine.begin() as conn:
        return take_token_on(conn, key, per_minute, now=now)


def take_token_on(
    conn: Any, key: str, per_minute: float, *, now: Callable[[], float] = time.time
) -> float:
    """`take_token` in the caller's transaction on `conn` (a connection to the province
    database, any search path): the bucket row stays locked until that transaction ends."""
    from sqlalchemy.dialects.postgresql import insert

    stamp = datetime.fromtimestamp(now())
    conn.execute(
        insert(buckets_table)
        .values(key=key, tokens=per_minute, updated_at=stamp)
        .on_conflict_do_nothing(index_elements=["key"])
    )
    row = conn.execute(
        buckets_table.select().where(buckets_table.c.key == key).with_for_update()
    ).one()
    elapsed = max(0.0, (stamp - row.updated_at).total_seconds())
    tokens = min(per_minute, row.tokens + elapsed * per_minute / 60.0)
    wait = 0.0
    if tokens >= 1.0:
        tokens -= 1.0
    else:
        wait = (1.0 - tokens) * 60.0 / per_minute
    conn.execute(
        buckets_table.update()
        .where(buckets_table.c.key == key)
        .values(tokens=tokens, updated_at=stamp)
    )
    return wait


class RateLimited(Exception):
    """A publish job whose channel has no token now: procrastinate runs it again in
    `wait_s` seconds (the worker's slot is free meanwhile; it is not a failed attempt)."""

    def __init__(self, wait_s: float) -> None:
        super().__init__(f"rate limited, again in {wait_s:.1f} s")
        self.wait_s = wait_s


def _retry_strategy() -> Any:
    import procrastinate
    from procrastinate.retry import RetryDecision

    class Strategy(procrastinate.RetryStrategy):
        def get_retry_decision(self, *, exception: BaseException, job: Any) -> Any:
            if isinstance(exception, RateLimited):
                wait_ms = max(int(exception.wait_s * 1000), 50)
                return RetryDecision(retry_in={"milliseconds": wait_ms})
            return super().get_retry_decision(exception=exception, job=job)

    return Strategy(max_attempts=5, wait=2, exponential_wait=2)


class Tasks:
    """What a worker runs; every job names its station by ident."""

    #: Stations kept open per worker (their loaded settings and channels; every one draws on
    #: the worker's one shared pool, so they cost no connection each); more are reopened.
    #: province.toml [workers] keep_open. A province's hundred communes all stay open.
    KEEP_OPEN = 128
    #: Connections of that shared pool (as many again while busy).
    POOL_SIZE = 2
    CHANNELS_TTL_S = 300.0

    def __init__(self, province: Province) -> None:
        self.province = province
        settings = _settings(province)
        self.rates = {
            **rate_limits(),  # each channel's own, unless province.toml [rate_limits] says
            **{str(k): float(v) for k, v in settings.get("rate_limits", {}).items()},
        }
        keep_open = settings.get("workers", {}).get("keep_open")
        self.keep_open = (
            keep_open if isinstance(keep_open, int) and keep_open > 0 else self.KEEP_OPEN
        )
        #: One small pool for the token buckets, kept for the worker's life.
        self._engine: Engine | None = None
        #: Open stations: loa.toml's mtime, the station, and its channels (their HTTP
        #: clients keep connections, and TLS sessions, alive from one post to the next).
        self._open: OrderedDict[str, tuple[float, Any, Any]] = OrderedDict()
        #: When each station's channels were made: remade after CHANNELS_TTL_S, so a token
        #: or page changed outside loa.toml reaches a running worker.
        self._born: dict[str, float] = {}
        self._lock = threading.Lock()
        #: The connections every open station shares (search_path set per checkout).
        self._pool: Any = None
        #: The schema revisions found when each station was checked (`_open_station`).
        self._checked: dict[str, frozenset[str]] = {}

    def _station(self, ident: str) -> Any:
        """The station, kept open for the next job (its schema is checked once, its connection
        reused); reopened when its loa.toml changed; the least recently used one is closed."""
        return self._kept(ident)[0]

    def _kept(self, ident: str) -> tuple[Any, Any]:
        """The open station `ident` and its channels' runtime (see `_station`)."""
        from loa.channels.runtime import Runtime
        from loa.core.station import CONFIG_NAME

        stamp = (self.province.stations_dir / ident / CONFIG_NAME).stat().st_mtime
        with self._lock:
            kept = self._open.pop(ident, None)
            if kept is not None and kept[0] == stamp:
                self._open[ident] = kept
                if time.monotonic() - self._born.get(ident, 0.0) > self.CHANNELS_TTL_S:
                    kept[2].close()  # its channels are made again at the next use
                    self._born[ident] = time.monotonic()
                return kept[1], kept[2]
        if kept is not None:
            self._dispose(kept)
        station = self._open_station(ident)
        runtime = Runtime()
        with self._lock:
            self._open[ident] = (stamp, station, runtime)
            self._born[ident] = time.monotonic()
            while len(self._open) > self.keep_open:
                _, old = self._open.popitem(last=False)
                self._dispose(old)
        return station, runtime

    def _open_station(self, ident: str) -> Any:
        """Station `ident` on the worker's shared pool. Its schema is checked (a newer loa's
        refused, an older one migrated: `loa.core.db.open_database`, ~35 ms) the first time
        this worker opens it; when reopened, only its recorded revisions are read (one query)
        and compared with those found then, and checked again if they changed."""
        from loa.core.station import Station
        from loa.province.registry import check_ident
        from loa.province.stations import open_station

        with self._lock:
            if self._pool is None:
                from loa.core.db import make_engine

                self._pool = make_engine(self.province.database, pool_size=self.POOL_SIZE).pool
            pool = self._pool
        known = self._checked.get(ident)
        if known is not None:
            station = Station.load(self.province.stations_dir / check_ident(ident))
            on_shared_pool(station, pool)
            if _revisions(station.engine) == known:
                return station
        station = on_shared_pool(open_station(self.province, ident, pool_size=1), pool)
        self._checked[ident] = _revisions(station.engine)
        return station

    @staticmethod
    def _dispose(kept: tuple[float, Any, Any]) -> None:
        _, _station, runtime = kept
        runtime.close()  # the station's engine draws on the shared pool: nothing to close

    @property
    def engine(self) -> Engine:
        with self._lock:
            if self._engine is None:
                self._engine = self.province.engine(pool_size=2)
            return self._engine

    def close(self) -> None:
        with self._lock:
            for kept in self._open.values():
                self._dispose(kept)
            self._open.clear()
            if self._pool is not None:
                self._pool.dispose()
                self._pool = None
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None

    def publish(self, station: str, entry: int) -> str:
        from loa.app.publish import publish_due_entry
        from loa.channels.base import ChannelError

        opened, runtime = self._kept(station)
        used: list[str] = []

        def spend(session: Any, channel: str) -> None:
            """A rate token, in the transaction that hands the entry over (the station's
            connection reaches the province's buckets: one database, schema-qualified)."""
            used.append(channel)
            rate = self.rates.get(channel)
            if rate:
                wait = take_token_on(session.connection(), f"{station}:{channel}", rate)
                if wait > 0:  # no token: run again when there is one, the worker slot freed
                    raise RateLimited(wait)

        try:
            publication = publish_due_entry(
                opened, entry, now=opened.now(), runtime=runtime, spend=spend
            )
        except ChannelError as exc:
            channel = used[-1] if used else "?"
            # Recorded in the outbox and on the plan entry; a person or a later run acts.
            runtime.close()  # the next post makes its channel (and token) afresh
            log.warning("publish %s/%s (%s): %s", station, entry, channel, exc)
            return "failed"
        if publication is None:  # done meanwhile, gone, or put off: no rate token for it
            return "not due"
        log.info("publish %s/%s (%s): %s", station, entry, publication.channel, publication.status)
        return str(publication.status)

    def render(self, station: str, start: str, days: int) -> int:
        """Render `days` days of bulletins from `start`, then write their playlists."""
        from datetime import timedelta

        from loa.app.render import render_period
        from loa.channels.playout import write_playlists

        opened = self._station(station)
        first = date.fromisoformat(start)
        done = len(render_period(opened, first, days, workers=1))
        for k in range(days):
            write_playlists(opened, first + timedelta(days=k))
        return done

    def playlist(self, station: str, day: str) -> int:
        from loa.channels.playout import write_playlists

        return len(write_playlists(self._station(station), date.fromisoformat(day)))

    def daily(self, station: str, day: str, now: str | None = None) -> int:
        """The day ahead of `day`: re-plan the coming days ([scheduler] auto_plan_days), then
        render the next day's bulletins and write their playlists (as `loa run` does). `now`
        (ISO) is the station's clock, its real one by default."""
        from datetime import timedelta

        from loa.app.due import rendered
        from loa.app.planning import plan_station
        from loa.planning.settings import SchedulerSettings

        opened = self._station(station)
        today = date.fromisoformat(day)
        ahead = SchedulerSettings.from_station(opened).auto_plan_days
        clock = datetime.fromisoformat(now) if now else opened.now()
        if ahead:
            plan_station(opened, today, ahead, now=clock)
        tomorrow = today + timedelta(days=1)
        done = self.render(station, tomorrow.isoformat(), 1)
        rendered(opened, tomorrow)
        return done

    def urgent(self, station: str, message: int) -> str:
        """Air and post an urgent message of a station through the one urgent path: the
        station's stream mounts are opened here for the alert (the province holds no local
        loudspeaker). Returns how it aired."""
        from loa.app.urgent import air_urgent
        from loa.core.errors import UserError

        opened = self._station(station)
        try:
            result = air_urgent(opened, message, by="loa worker", here="stream")
        except UserError as exc:  # aired meanwhile, archived, ...: nothing to do
            log.warning("urgent %s/%s: %s", station, message, exc)
            return "refused"
        if result.problem:
            log.warning("urgent %s/%s: %s", station, message, result.problem)
        return result.aired

    def refresh(self, station: str) -> int:
        """Re-plan a station's coming days now (a province ưu tiên message arrived: it goes
        first in the next bulletins), then render the days already rendered ahead again and
        write their playlists. Returns the bulletins rendered."""
        from datetime import timedelta

        from loa.app.due import read_state
        from loa.app.planning import plan_station
        from loa.planning.settings import SchedulerSettings

        opened = self._station(station)
        now = opened.now()
        today = now.date()
        ahead = max(1, SchedulerSettings.from_station(opened).auto_plan_days)
        plan_station(opened, today, ahead, now=now)
        days = 1
        if read_state(opened).get("rendered_for") == (today + timedelta(days=1)).isoformat():
            days = 2
        return self.render(station, today.isoformat(), days)

    def ping(self) -> int:
        """A job that does nothing: the queue's own cost per job (benchmarks/province.py) and
        a way to see that some worker answers."""
        return 0

    def reconcile(self, station: str) -> int:
        from loa.app.publish import reconcile

        opened = self._station(station)
        return len(reconcile(opened, now=opened.now()))

    def insights(self, station: str) -> int:
        """Pull a station's channel figures (`loa.app.insights.pull_due`); how many were
        stored."""
        from loa.app.insights import pull_due

        opened = self._station(station)
        return pull_due(opened, now=opened.now()).figures


def _revisions(engine: Engine) -> frozenset[str]:
    """The migration revisions a station's schema records (its alembic_version rows)."""
    with engine.connect() as conn:
        return frozenset(
            str(r) for r in conn.scalars(text("SELECT version_num FROM alembic_version"))
        )


#: The key, in a pooled connection's `info`, of the schema its search path was set to.
SEARCH_PATH = "loa_search_path"


def on_shared_pool(station: Any, pool: Any) -> Any:
    """`station` with an engine drawing on `pool`, a few connections shared by every station
    a process holds (a hundred communes with a connection each would take the server's whole
    max_connections, 100 by default; one opened per use costs a connection set-up each time).
    Each checkout puts the station's schema first on the search path, committed at the driver
    before SQLAlchemy begins its transaction, so no rollback can undo it. A station not opened
    yet gets its engine without the schema check (the caller checked it before)."""
    from sqlalchemy import create_engine, event

    from loa.core.db import normalize_url

    own = station.__dict__.pop("engine", None)
    if own is not None:
        own.dispose()
    schema = station.db_schema or "public"
    engine = create_engine(normalize_url(station.db_url), pool=pool)

    @event.listens_for(engine, "engine_connect")
    def _search_path(conn: Any) -> None:
        # The pool's record of the connection says which schema it is on: set it only when
        # another station's was (two round trips saved at each checkout of the same commune).
        # A connection replaced after an error starts with an empty record.
        info = conn.connection.info
        if info.get(SEARCH_PATH) == schema:
            return
        raw = conn.connection.dbapi_connection
        with raw.cursor() as cur:
            cur.execute(f'SET search_path TO "{schema}"')
        raw.commit()
        info[SEARCH_PATH] = schema

    station.__dict__["engine"] = engine
    return station


def _settings(province: Province) -> dict[str, Any]:
    """province.toml as a dict (its [rate_limits] and [workers] tables are read here)."""
    import tomllib

    from loa.province.registry import PROVINCE_FILE

    return tomllib.loads((province.root / PROVINCE_FILE).read_text(encoding="utf-8"))


def defer(
    app: procrastinate.App,
    connection: Any,
    task: str,
    *,
    lock: str | None = None,
    queueing_lock: str | None = None,
    schedule_at: datetime | None = None,
    **kwargs: Any,
) -> int | None:
    """Enqueue `task` on the SQLAlchemy `connection` (inside its transaction: the job exists
    only if that transaction commits), to run at `schedule_at` (an aware time; default at
    once). None when an identical job is already queued."""
    from procrastinate.exceptions import AlreadyEnqueued

    connection.execute(text(f'SET LOCAL search_path TO "{QUEUE_SCHEMA}", public'))
    raw = connection.connection.driver_connection
    try:
        with raw.transaction():  # a savepoint: a refused duplicate leaves the rest intact
            return int(
                app.tasks[task]
                .configure(
                    lock=lock,
                    queueing_lock=queueing_lock,
                    connection=raw,
                    schedule_at=schedule_at,
                )
                .defer(**kwargs)
            )
    except AlreadyEnqueued:
        return None
