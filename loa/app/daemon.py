"""The daemon: APScheduler (3.x) with its SQLAlchemy job store in a file of its own.

The plan (PlanEntry rows) is the truth; the job store only says when to wake up. It lives in
`.loa-jobs.db` next to the station database, so a long lock on the station database (a big
import, a backup) never reaches the scheduler's own thread; the daemon also watches that
thread and restarts the scheduler (or exits non-zero for systemd) if it dies, backs off while
the station database is locked, and on SIGTERM stops its players and returns within seconds. Every few
seconds the daemon makes the store match the plan: one job per radio bulletin time, one per
social post, a daily render job, and one job per urgent message. Job functions (loa.app.jobs)
are module-level and take plain arguments (the station folder, an ISO time, an entry id) so they survive a
restart; they are idempotent, because the channels record what went out before and after:
a restarted daemon replays nothing that finished and picks up what was due. The job bodies are
the application's steps (loa.app.play, loa.app.publish, loa.app.render): a radio bulletin later
than `radio_grace_minutes` is skipped and logged, a post within `social_late_hours` still goes
out, marked late.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from loa.app.due import Post, dispatch, due

# A job store written before the jobs moved to loa.app.jobs names them "loa.app.daemon:job_play":
# they stay importable from here by those names.
from loa.app.jobs import (
    STOPPING,
    Failed,
    guard,
    handle_urgent,
    inflight,
    job_insights,
    job_play,
    job_publish,
    job_reconcile,
    job_render,
    job_urgent,
    play_due,
    publish_due,
    radio_key,
    render_ahead,
    result_of,
)
from loa.app.publish import reconcile, release_orphans
from loa.core.errors import RuntimeFailure
from loa.core.i18n import Catalog
from loa.core.station import Station
from loa.planning.settings import SchedulerSettings

log = logging.getLogger("loa.daemon")

JOB_TABLE = "apscheduler_jobs"
JOBS_NAME = ".loa-jobs.db"
LOCK_NAME = ".loa-run.lock"
#: How long a stopping daemon waits for running jobs before it leaves them (the outbox
#: recovers an interrupted publication; players are stopped first).
STOP_GRACE_S = 3.0
#: Scheduler restarts allowed in one run before the daemon gives up and exits non-zero.
MAX_RESTARTS = 3
#: The longest wait between polls while the station database keeps failing.
MAX_BACKOFF_S = 300.0

T = Catalog(
    {
        "locked": (
            'Đài này đang có một tiến trình "loa run" khác chạy (khóa {path}). '
            "Dừng tiến trình đó trước, hoặc dùng nó thay vì chạy thêm.",
            'Another "loa run" is already running for this station (lock {path}). '
            "Stop it first, or use it instead of starting another.",
        ),
        "started": ("Bắt đầu chạy tự động cho đài {name}.", "Daemon started for {name}."),
        "stopping": (
            "Nhận tín hiệu {sig}: dừng sau khi xong việc đang làm.",
            "Got {sig}: stopping after the current work.",
        ),
        "stopped": ("Đã dừng.", "Stopped."),
        "scheduler_died": (
            "Bộ hẹn giờ đã ngừng chạy; khởi động lại (lần {n}/{max}).",
            "The scheduler stopped running; restarting it ({n}/{max}).",
        ),
        "scheduler_gave_up": (
            "Bộ hẹn giờ ngừng chạy {n} lần: dừng loa run với mã lỗi để systemd khởi động lại.",
            "The scheduler stopped {n} times: loa run exits with an error so systemd restarts it.",
        ),
        "backoff": (
            "Chưa làm được việc định kỳ ({error}); thử lại sau {seconds:.0f} giây.",
            "The periodic work failed ({error}); trying again in {seconds:.0f} s.",
        ),
        "left_running": (
            "Dừng khi vẫn còn việc đang chạy ({jobs}); lần chạy sau sẽ đối soát.",
            "Stopping with work still running ({jobs}); the next run reconciles it.",
        ),
    }
)

# --------------------------------------------------------------------------- run once


@dataclass
class OnceReport:
    urgent: list[int] = field(default_factory=list)
    bulletins: list[str] = field(default_factory=list)
    posts: dict[int, str] = field(default_factory=dict)
    rendered: int | None = None
    insights: int | None = None  # figures stored by an insights pull, when one was due

    def to_dict(self) -> dict[str, Any]:
        return {
            "urgent": self.urgent,
            "bulletins": self.bulletins,
            "posts": {str(k): v for k, v in self.posts.items()},
            "rendered": self.rendered,
            "insights": self.insights,
        }


def run_once(station: Station, *, now: datetime) -> OnceReport:
    """Do everything due at `now` and return (for cron): urgent messages (aired as a bulletin
    at this minute: cron holds no outputs), bulletins whose time has come (late ones are
    skipped and logged by the radio channel), posts due, and the daily render when it is past
    render_at. Holds the station's run lock."""
    from loa.app.urgent import queue_as_bulletin, set_queue_hook

    report = OnceReport()
    with run_lock(station):
        guard("reconcile", partial(release_orphans, station), station)
        guard("reconcile", partial(reconcile, station, now=now), station)

        def queue(message_id: int, _zones: list[str] | None) -> None:
            queue_as_bulletin(station, message_id, now=now)

        set_queue_hook(station, queue)
        try:
            for message_id in due(station, now, now=now).urgent:
                done = guard(
                    f"urgent:{message_id}",
                    partial(handle_urgent, station, message_id, now=now),
                    station,
                )
                if result_of(done) is not None:
                    report.urgent.append(message_id)
        finally:
            set_queue_hook(station, None)
        work = due(station, now, now=now)
        for when in work.bulletins:
            guard(radio_key(when), partial(play_due, station, when, now=now), station)
            report.bulletins.append(when.isoformat(timespec="minutes"))
        for post in work.posts_by(now):
            status = guard(
                f"post:{post.entry_id}",
                partial(publish_due, station, post.entry_id, now=now),
                station,
            )
            report.posts[post.entry_id] = str(result_of(status))
        if work.render_for is not None:
            day = work.render_for
            report.rendered = result_of(
                guard("render", lambda: render_ahead(station, now=now, day=day), station)
            )
        if work.insights:
            from loa.app.insights import pull_due

            pulled = result_of(guard("insights", lambda: pull_due(station, now=now), station))
            report.insights = pulled.figures if pulled is not None else None
    return report


# --------------------------------------------------------------------------- the daemon


@contextlib.contextmanager
def run_lock(station: Station) -> Iterator[None]:
    """One runner per station: an flock on .loa-run.lock (released by the OS on SIGKILL).
    Raises RuntimeFailure when another runner holds it."""
    import fcntl

    path = station.root / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RuntimeFailure(T("locked", path=path)) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        yield
    finally:
        os.close(fd)


JobSpec = tuple[Callable[..., None], tuple[Any, ...], datetime, str]


class JobStoreDispatcher:
    """The single-station `Dispatcher`: each piece of due work becomes an APScheduler job
    (id, function, arguments, run time, executor) in `wanted`, which `Daemon.sync` writes to
    the job store."""

    def __init__(self, root: str, now: datetime) -> None:
        self.root = root
        self.now = now
        self.wanted: dict[str, JobSpec] = {}

    def urgent(self, station: Station, message_id: int, at: datetime) -> None:
        self.wanted[f"urgent:{message_id}"] = (job_urgent, (self.root, message_id), at, "default")

    def air(self, station: Station, when: datetime) -> None:
        self.wanted[radio_key(when)] = (job_play, (self.root, when.isoformat()), when, "radio")

    def post(self, station: Station, post: Post) -> None:
        self.wanted[f"post:{post.entry_id}"] = (
            job_publish,
            (self.root, post.entry_id),
            post.at,
            "default",
        )

    def render(self, station: Station, day: date) -> None:
        self.wanted[f"render:{day.isoformat()}"] = (
            job_render,
            (self.root, None, day.isoformat()),
            self.now,
            "default",
        )

    def reconcile(self, station: Station) -> None:
        self.wanted["reconcile"] = (job_reconcile, (self.root,), self.now, "default")

    def insights(self, station: Station) -> None:
        self.wanted["insights"] = (job_insights, (self.root,), self.now, "default")


class Daemon:
    """`loa run`: keeps the APScheduler job store in step with the plan and lets it fire.

    `clock` is the station's wall clock (naive local time); tests pass their own only to the
    pure functions above: the daemon itself runs on real time.
    """

    def __init__(self, station: Station, *, settings: SchedulerSettings | None = None) -> None:
        self.station = station
        self.settings = settings or SchedulerSettings.from_station(station)
        self.stop_event = threading.Event()
        self.scheduler: Any = None
        self.restarts = 0
        #: Jobs still running when the daemon returned (the caller may end the process).
        self.abandoned: set[str] = set()
        self._wake = threading.Event()

    def _tz(self) -> Any:
        from zoneinfo import ZoneInfo

        return ZoneInfo(self.station.timezone)

    def build_scheduler(self) -> Any:
        from apscheduler.executors.pool import ThreadPoolExecutor
        from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
        from apscheduler.schedulers.background import BackgroundScheduler

        store = SQLAlchemyJobStore(
            url=f"sqlite:///{self.station.root / JOBS_NAME}",
            tablename=JOB_TABLE,
            engine_options={"connect_args": {"timeout": 60}},
        )
        return BackgroundScheduler(
            jobstores={"default": store},
            # the radio plays one bulletin at a time; posts and renders never wait for it
            executors={"default": ThreadPoolExecutor(4), "radio": ThreadPoolExecutor(1)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
            timezone=self._tz(),
        )

    def sync(self, now: datetime) -> dict[str, int]:
        """Make the job store match what is due up to `now + horizon_hours`
        (`loa.app.due.dispatch`): add missing jobs, drop jobs whose work is gone. Returns
        counts."""
        tz = self._tz()
        store = JobStoreDispatcher(str(self.station.root), now)
        dispatch(
            self.station,
            store,
            now=now,
            horizon=timedelta(hours=self.settings.horizon_hours),
        )
        wanted = store.wanted
        busy = inflight()
        jobs = self.scheduler.get_jobs()
        existing = {job.id for job in jobs}
        # A job whose time has come belongs to the scheduler's thread now (it removes it after
        # firing): removing it here too would race that thread.
        firing = {
            job.id
            for job in jobs
            if job.next_run_time is not None and job.next_run_time <= now.replace(tzinfo=tz)
        }
        added = removed = 0
        kept = ("render", "reconcile", "insights")
        stale = existing - set(wanted) - firing
        for job_id in sorted(j for j in stale if not j.startswith(kept)):
            self.scheduler.remove_job(job_id)
            removed += 1
        for job_id, (func, args, when, executor) in wanted.items():
            # A job runs under its id's claim, or its kind's ("render" for any day's render):
            # while one runs, another of it is not added.
            if job_id in existing or job_id in busy or job_id.partition(":")[0] in busy:
                continue
            self.scheduler.add_job(
                func,
                "date",
                args=args,
                id=job_id,
                executor=executor,
                run_date=when.replace(tzinfo=tz),
                replace_existing=True,
            )
            added += 1
        return {"added": added, "removed": removed, "jobs": len(wanted)}

    def wake(self) -> None:
        """Sync now instead of at the next poll (an urgent message was queued)."""
        self._wake.set()

    def scheduler_alive(self) -> bool:
        """Whether the scheduler is running and its thread alive."""
        scheduler = self.scheduler
        if scheduler is None or not scheduler.running:
            return False
        thread = getattr(scheduler, "_thread", None)
        return thread is None or thread.is_alive()

    def _restart_scheduler(self) -> None:
        """Replace a dead scheduler; after MAX_RESTARTS raise RuntimeFailure (exit non-zero)."""
        self.restarts += 1
        if self.restarts > MAX_RESTARTS:
            raise RuntimeFailure(T("scheduler_gave_up", n=self.restarts - 1))
        log.error(T("scheduler_died", n=self.restarts, max=MAX_RESTARTS))
        with contextlib.suppress(Exception):
            self.scheduler.shutdown(wait=False)
        self.scheduler = self.build_scheduler()
        self.scheduler.start()

    def request_stop(self, signum: int | None = None, _frame: Any = None) -> None:
        if signum is not None:
            log.info(T("stopping", sig=signal.Signals(signum).name))
        self.stop_event.set()
        self._wake.set()

    def run(self, *, install_signals: bool = True) -> None:
        """Run until SIGTERM/SIGINT (or `request_stop`): sync every poll_seconds (backing off
        while the station database fails), let the scheduler fire, restart it if its thread
        died, and on stop stop the players and give running jobs STOP_GRACE_S to finish.
        Jobs still running then are left in `abandoned`. Raises RuntimeFailure when the
        scheduler keeps dying."""
        with run_lock(self.station), self._outputs():
            STOPPING.clear()
            guard("reconcile", self._reconcile, self.station)
            self.scheduler = self.build_scheduler()
            if install_signals:
                signal.signal(signal.SIGTERM, self.request_stop)
                signal.signal(signal.SIGINT, self.request_stop)
            self.scheduler.start()
            log.info(T("started", name=self.station.name))
            try:
                failures = 0
                while not self.stop_event.is_set():
                    if not self.scheduler_alive():
                        self._restart_scheduler()
                    self._wake.clear()
                    result = guard("sync", lambda: self.sync(self.station.now()), self.station)
                    wait = self.settings.poll_seconds
                    if isinstance(result, Failed):
                        failures += 1
                        wait = min(max(wait, MAX_BACKOFF_S), wait * 2 ** min(failures, 10))
                        log.warning(T("backoff", error=result.error, seconds=wait))
                    else:
                        failures = 0
                    self._wake.wait(wait)
            finally:
                self._stop()
                log.info(T("stopped"))

    @contextlib.contextmanager
    def _outputs(self) -> Iterator[None]:
        """The Icecast mounts and preemptible local player while the daemon runs (#13), with
        the control socket other processes reach it by. Without [radio.stream] the socket
        still answers `loa urgent` and the dashboard: the message is played as a bulletin at
        once (a bulletin job at this minute, synced without waiting for the poll)."""
        from loa.app.stream import ControlServer
        from loa.app.urgent import handle_request, queue_as_bulletin, set_queue_hook, start_outputs

        runtime = start_outputs(self.station)
        control = None
        if runtime is None:

            def queue(message_id: int, _zones: list[str] | None) -> None:
                queue_as_bulletin(self.station, message_id, now=self.station.now())
                self.wake()

            set_queue_hook(self.station, queue)
            control = ControlServer(self.station)
            control.handlers["urgent"] = lambda request: handle_request(self.station, request)
            try:
                control.start()
            except RuntimeFailure:
                control = None
        try:
            yield
        finally:
            if runtime is not None:
                runtime.stop()
            if control is not None:
                control.stop()
            set_queue_hook(self.station, None)

    def _stop(self) -> None:
        """Stop the scheduler without waiting, stop the players, give jobs a short grace."""
        import time

        from loa.channels.radio import stop_players

        STOPPING.set()  # a render under way ends its workers and returns
        with contextlib.suppress(Exception):
            self.scheduler.shutdown(wait=False)
        stop_players()
        deadline = time.monotonic() + STOP_GRACE_S
        while inflight() and time.monotonic() < deadline:
            time.sleep(0.05)
        self.abandoned = inflight()
        if self.abandoned:
            log.warning(T("left_running", jobs=", ".join(sorted(self.abandoned))))
        else:  # nothing left to cancel: a later render in this process is no stopping one's
            STOPPING.clear()

    def _reconcile(self) -> None:
        release_orphans(self.station)
        reconcile(self.station, now=self.station.now())
