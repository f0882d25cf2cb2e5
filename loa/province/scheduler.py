"""`loa scheduler`: one per province (a second one waits as a hot standby), enqueueing what is
due and handing the jobs of a dead worker to the living ones.

Only the holder of a PostgreSQL advisory lock works; the lock belongs to its connection, so
when that process dies (or its machine does) the standby takes over within one interval.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select, text

from loa.province.queue import defer, make_app
from loa.province.registry import Province

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

    @property
    def total(self) -> int:
        return sum(self.enqueued.values()) + self.daily + self.reconcile


def enqueue_due(province: Province, app: Any, *, lead: timedelta = timedelta(minutes=1)) -> Tick:
    """Enqueue a publish job for every planned post due within `lead`, station by station; each
    job is written in the transaction that reads (and row-locks) its plan entry."""
    from loa.planning.models import PlanEntry
    from loa.province.stations import open_station

    tick = Tick()
    engine = province.engine()
    try:
        for record in province.stations():
            now = open_station(province, record.ident).now()
            n = 0
            with engine.begin() as conn:
                scoped = conn.execution_options(schema_translate_map={None: record.ident})
                ids = scoped.scalars(
                    select(PlanEntry.id)
                    .where(
                        PlanEntry.status == "planned",
                        PlanEntry.channel != "radio",
                        PlanEntry.scheduled_at <= now + lead,
                    )
                    .order_by(PlanEntry.scheduled_at, PlanEntry.id)
                    .with_for_update(skip_locked=True)
                ).all()
                for entry_id in ids:
                    job = defer(
                        app,
                        conn,
                        "publish",
                        lock=f"{record.ident}:entry:{entry_id}",
                        queueing_lock=f"{record.ident}:publish:{entry_id}",
                        station=record.ident,
                        entry=entry_id,
                    )
                    n += job is not None
            if n:
                tick.enqueued[record.ident] = n
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
    resumes them, and the outbox finds whatever the dead one had already posted."""

    async def run() -> int:
        app = make_app(province)
        async with app.open_async():
            jobs = list(await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=after_s))
            for job in jobs:
                await app.job_manager.retry_job(job)
            return len(jobs)

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
    ) -> None:
        self.province = province
        self.interval_s = interval_s
        self.stalled_after_s = stalled_after_s
        self.lead = lead
        self.stop = threading.Event()
        self._daily_for: date | None = None
        self.reconcile_every_s = reconcile_every_s
        self._reconciled_at: float | None = None

    def tick(self, app: Any, *, today: date | None = None) -> Tick:
        """One pass: what is due, the day ahead once a day, reconcile at start-up and then every
        `reconcile_every_s` (uncertain publications are looked up again when their settle time
        has passed: the outbox never re-posts them blindly), and the jobs of dead workers back
        in the queue."""
        import time

        tick = enqueue_due(self.province, app, lead=self.lead)
        clock = time.monotonic()
        if self._reconciled_at is None or clock - self._reconciled_at >= self.reconcile_every_s:
            tick.reconcile = enqueue_each(self.province, app, "reconcile")
            self._reconciled_at = clock
        today = today or datetime.now().date()
        if self._daily_for != today:
            tick.daily = enqueue_each(self.province, app, "daily", day=today.isoformat())
            self._daily_for = today
        tick.retried = retry_stalled(self.province, after_s=self.stalled_after_s)
        return tick

    def run(self, *, on_tick: Any = None, on_standby: Any = None) -> None:
        """Work while holding the province's scheduler lock; wait for it otherwise."""
        self.province.stations()  # a server that is down or a database not set up: say so
        app = make_app(self.province, sync=True)
        engine = self.province.engine(pool_size=1)
        try:
            with engine.connect() as holder, app.open():
                standby_said = False
                while not self.stop.is_set():
                    got = holder.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": LOCK_KEY})
                    holder.commit()
                    if got:
                        break
                    if on_standby is not None and not standby_said:
                        on_standby()
                        standby_said = True
                    self.stop.wait(self.interval_s)
                while not self.stop.is_set():
                    try:
                        tick = self.tick(app)
                    except Exception:
                        log.exception("scheduler tick failed; trying again next interval")
                    else:
                        if on_tick is not None:
                            on_tick(tick)
                    self.stop.wait(self.interval_s)
        finally:
            engine.dispose()


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
            delete_jobs="never",
        )
    finally:
        tasks.close()
