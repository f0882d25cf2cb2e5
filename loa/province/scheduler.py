"""`loa scheduler`: one per province (a second one waits as a hot standby), enqueueing what is
due and handing the jobs of a dead worker to the living ones.

Only the holder of a PostgreSQL advisory lock works; the lock belongs to its connection, so
when that process dies (or its machine does) the standby takes over within one interval.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import text

from loa.app.due import Post
from loa.core.db import driver_reason
from loa.province.locks import holds_lock, wait_for_lock
from loa.province.queue import defer, make_app
from loa.province.registry import QUEUE_SCHEMA, Province

log = logging.getLogger(__name__)

#: pg_advisory_lock key of the province scheduler ("loa" + "sched" in ASCII, arbitrary).
LOCK_KEY = 0x6C6F61_5343


@dataclass
class Tick:
    """What one pass did."""

    enqueued: dict[str, int] = field(default_factory=dict)
    retried: int = 0
    daily: int = 0  # "daily" jobs (plan ahead, render tomorrow, playlists)
    reconcile: int = 0
    urgent: int = 0
    insights: int = 0  # periodic insights pulls

    @property
    def total(self) -> int:
        return (
            sum(self.enqueued.values()) + self.daily + self.reconcile + self.urgent + self.insights
        )


class QueueDispatcher:
    """The province's `loa.app.due.Dispatcher`: each piece of due work of one station becomes
    a procrastinate job, written on `conn` (in its transaction). A post not due yet is queued
    with `schedule_at` at its time (never early); a queueing lock per piece of work keeps a
    second copy out while one waits."""

    def __init__(
        self,
        app: Any,
        conn: Any,
        ident: str,
        timezone: str,
        daily_done: dict[str, date] | None = None,
        queued: set[str] | None = None,
    ) -> None:
        from zoneinfo import ZoneInfo

        self.app = app
        self.conn = conn
        self.ident = ident
        self.zone = ZoneInfo(timezone)
        self.counts: dict[str, int] = {}
        #: The day each station's daily job was queued for (once per station day).
        self.daily_done = daily_done if daily_done is not None else {}
        #: Queueing locks of jobs waiting now: their work is not offered to the queue again
        #: (the lock would refuse it, but only after an insert and a savepoint each).
        self.queued = queued if queued is not None else set()

    def _defer(self, task: str, **kwargs: Any) -> None:
        if kwargs.get("queueing_lock") in self.queued:
            return
        job = defer(self.app, self.conn, task, **kwargs)
        if job is not None:
            self.counts[task] = self.counts.get(task, 0) + 1

    def urgent(self, station: Any, message_id: int, at: datetime) -> None:
        self._defer(
            "urgent",
            queueing_lock=f"{self.ident}:urgent:{message_id}",
            station=self.ident,
            message=message_id,
        )

    def air(self, station: Any, when: datetime) -> None:
        """Scheduled bulletins are played by the commune's own player from its playlists."""

    def post(self, station: Any, post: Post) -> None:
        self._defer(
            "publish",
            lock=f"{self.ident}:entry:{post.entry_id}",
            queueing_lock=f"{self.ident}:publish:{post.entry_id}",
            schedule_at=post.at.replace(tzinfo=self.zone),
            station=self.ident,
            entry=post.entry_id,
        )

    def render(self, station: Any, day: date) -> None:
        if self.daily_done.get(self.ident) == day:
            return
        self.daily_done[self.ident] = day
        self._defer(
            "daily",
            queueing_lock=f"{self.ident}:daily:{day.isoformat()}",
            station=self.ident,
            day=(day - timedelta(days=1)).isoformat(),
        )

    def reconcile(self, station: Any) -> None:
        self._defer("reconcile", queueing_lock=f"{self.ident}:reconcile:", station=self.ident)

    def insights(self, station: Any) -> None:
        """The station's periodic insights pull ([planning] pull_every_hours)."""
        self._defer("insights", queueing_lock=f"{self.ident}:insights:", station=self.ident)


def enqueue_due(
    province: Province,
    app: Any,
    *,
    lead: timedelta = timedelta(minutes=1),
    stations: dict[str, Any] | None = None,
    daily_done: dict[str, date] | None = None,
    clock: Callable[[Any], datetime] | None = None,
) -> Tick:
    """Enqueue what is due at each station within `lead` of its own clock
    (`loa.app.due.dispatch`, as `loa run` does): urgent messages, posts (put-off ones at
    their `next_at`, each at its time), the daily plan-and-render of the station's next day,
    and a reconcile when the outbox has something to settle. `stations` keeps the opened
    stations between ticks; `daily_done` the day each station's daily job was queued for;
    `clock(station)` is a station's wall clock (its own `now()` by default)."""
    from loa.app.due import dispatch
    from loa.province.stations import open_station

    tick = Tick()
    opened = stations if stations is not None else {}
    done = daily_done if daily_done is not None else {}
    engine = province.engine()
    try:
        with engine.connect() as conn:
            queued = {
                str(lock)
                for (lock,) in conn.execute(
                    text(
                        f'SELECT queueing_lock FROM "{QUEUE_SCHEMA}".procrastinate_jobs '
                        "WHERE status = 'todo' AND queueing_lock IS NOT NULL"
                    )
                )
            }
        for record in province.stations():
            station = opened.get(record.ident)
            if station is None:
                station = opened[record.ident] = open_station(province, record.ident)
            now = clock(station) if clock is not None else station.now()
            with engine.begin() as conn:
                queue = QueueDispatcher(app, conn, record.ident, station.timezone, done, queued)
                dispatch(station, queue, now=now, horizon=lead, airs=False)
            counts = queue.counts
            if counts.get("publish"):
                tick.enqueued[record.ident] = counts["publish"]
            tick.urgent += counts.get("urgent", 0)
            tick.daily += counts.get("daily", 0)
            tick.reconcile += counts.get("reconcile", 0)
            tick.insights += counts.get("insights", 0)
    finally:
        engine.dispose()
    return tick


def enqueue_each(province: Province, app: Any, task: str, **kwargs: Any) -> int:
    """One `task` job per station (e.g. "daily" with day=..., "reconcile"), all in one
    transaction; a station whose identical job is still queued gets no second one."""
    engine = province.engine()
    n = 0
    tag = ":".join(f"{k}={v}" for k, v in sorted(kwargs.items()))
    try:
        with engine.begin() as conn:
            for record in province.stations():
                job = defer(
                    app,
                    conn,
                    task,
                    queueing_lock=f"{record.ident}:{task}:{tag}",
                    station=record.ident,
                    **kwargs,
                )
                n += job is not None
    finally:
        engine.dispose()
    return n


def retry_stalled(province: Province, *, after_s: float = 30.0) -> int:
    """Put the jobs of workers silent for `after_s` seconds back in the queue: the next worker
    resumes them, and the outbox finds whatever the dead one had already posted. A stalled job
    whose work is already queued again (the scheduler found it due meanwhile: same queueing
    lock) is ended as failed instead, which frees its plan entry's lock for the queued copy.
    Each job on its own: one refusal never stops the others. Returns the jobs retried."""
    from procrastinate.exceptions import AlreadyEnqueued, UniqueViolation
    from procrastinate.jobs import Status

    async def run() -> int:
        app = make_app(province)
        retried = 0
        async with app.open_async():
            manager = app.job_manager
            jobs = list(await manager.get_stalled_jobs(seconds_since_heartbeat=after_s))
            for job in jobs:
                try:
                    await manager.retry_job(job)
                    retried += 1
                except (UniqueViolation, AlreadyEnqueued):
                    await manager.finish_job(job, status=Status.FAILED, delete_job=False)
                    log.info(
                        "stalled job %s (%s) ended: its work is queued again", job.id, job.task_name
                    )
            await manager.prune_stalled_workers(seconds_since_heartbeat=after_s)
        return retried

    return asyncio.run(run())


class Scheduler:
    """The loop of `loa scheduler`."""

    def __init__(
        self,
        province: Province,
        *,
        interval_s: float = 10.0,
        stalled_after_s: float = 30.0,
        lead: timedelta = timedelta(minutes=1),
        reconcile_every_s: float = 60.0,
        clock: Callable[[Any], datetime] | None = None,
    ) -> None:
        self.province = province
        self.interval_s = interval_s
        self.stalled_after_s = stalled_after_s
        self.lead = lead
        self.stop = threading.Event()
        self.reconcile_every_s = reconcile_every_s
        self._stations: dict[str, Any] = {}
        self._daily: dict[str, date] = {}
        #: A station's wall clock (its own `now()` unless a test gives one).
        self.clock = clock

    def tick(self, app: Any) -> Tick:
        """One pass: what is due at each station by its own clock (`enqueue_due`: urgent,
        posts, the daily plan-and-render once per station day, a reconcile where the outbox
        has something to settle), and the jobs of dead workers back in the queue."""
        tick = enqueue_due(
            self.province,
            app,
            lead=self.lead,
            stations=self._stations,
            daily_done=self._daily,
            clock=self.clock,
        )
        tick.retried = retry_stalled(self.province, after_s=self.stalled_after_s)
        return tick

    def run(self, *, on_tick: Any = None, on_standby: Any = None, on_lost: Any = None) -> None:
        """Work while holding the province's scheduler lock; wait for it otherwise. The lock is
        checked before every tick: when the database went away it went with the connection, so
        the scheduler goes back to waiting (a standby may hold it now) instead of working on
        beside another. A database that is down is waited out, one log line per interval."""
        self.province.stations()  # a server that is down or a database not set up: say so
        app = make_app(self.province, sync=True)
        with app.open():
            while not self.stop.is_set():
                engine = self.province.engine(pool_size=1)
                try:
                    with engine.connect() as holder:
                        if wait_for_lock(holder, LOCK_KEY, self.stop, self.interval_s, on_standby):
                            self._work(holder, app, on_tick)
                            if not self.stop.is_set():
                                log.warning("scheduler lock lost; waiting to take it again")
                                if on_lost is not None:
                                    on_lost()
                except Exception as exc:  # the database went away: wait and connect again
                    if self.stop.is_set():
                        break
                    log.warning(
                        "scheduler: database unavailable (%s); retrying", driver_reason(exc)
                    )
                    self.stop.wait(self.interval_s)
                finally:
                    engine.dispose()

    def _work(self, holder: Any, app: Any, on_tick: Any) -> None:
        while not self.stop.is_set():
            if not holds_lock(holder, LOCK_KEY):
                return
            try:
                tick = self.tick(app)
            except Exception as exc:  # one line, not a traceback every interval
                log.warning("scheduler tick failed: %s", driver_reason(exc))
            else:
                if on_tick is not None:
                    on_tick(tick)
            self.stop.wait(self.interval_s)


def run_worker(province: Province, *, concurrency: int = 2, heartbeat_s: float = 5.0) -> None:
    """`loa worker`: run publish, render and reconcile jobs of every station until stopped
    (SIGINT/SIGTERM finish the running jobs first)."""
    from loa.province.queue import QUEUE, Tasks

    province.stations()  # a server that is down or a database not set up: say so
    tasks = Tasks(province)
    app = make_app(province, tasks=tasks)
    try:
        app.run_worker(
            queues=[QUEUE],
            concurrency=concurrency,
            install_signal_handlers=True,
            update_heartbeat_interval=heartbeat_s,
            # a post queued ahead with its time (schedule_at) is no news to LISTEN: looking
            # every half second keeps it under a second late
            fetch_job_polling_interval=0.5,
            delete_jobs="never",
        )
    finally:
        tasks.close()
