"""The daemon: APScheduler (3.x) with its SQLAlchemy job store in a file of its own.

The plan (PlanEntry rows) is the truth; the job store only says when to wake up. It lives in
`.loa-jobs.db` next to the station database, so a long lock on the station database (a big
import, a backup) never reaches the scheduler's own thread; the daemon also watches that
thread and restarts the scheduler (or exits non-zero for systemd) if it dies, backs off while
the station database is locked, and on SIGTERM stops its players and returns within seconds. Every few
seconds the daemon makes the store match the plan: one job per radio bulletin time, one per
social post, a daily render job, and one job per urgent message. Job functions are module-level
and take plain arguments (the station folder, an ISO time, an entry id) so they survive a
restart; they are idempotent, because the channels record what went out before and after:
a restarted daemon replays nothing that finished and picks up what was due. The job bodies are
the application's steps (loa.app.play, loa.app.publish, loa.app.render): a radio bulletin later
than `radio_grace_minutes` is skipped and logged, a post within `social_late_hours` still goes
out, marked late.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from loa.app.planning import plan_station
from loa.app.play import play_slot
from loa.app.publish import publish_entry, publish_urgent, reconcile, release_orphans
from loa.app.render import render_period
from loa.content.models import Message, MessageStatus, Priority
from loa.core.errors import LoaError, RuntimeFailure
from loa.core.fileio import atomic_write_text
from loa.core.i18n import Catalog
from loa.core.station import Station
from loa.planning.models import PlanEntry, PlanStatus
from loa.planning.settings import SchedulerSettings

if TYPE_CHECKING:
    from loa.core.station import Station

log = logging.getLogger("loa.daemon")

JOB_TABLE = "apscheduler_jobs"
JOBS_NAME = ".loa-jobs.db"
LOCK_NAME = ".loa-run.lock"
STATE_NAME = ".loa-run.json"
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
        "job_failed": ("Việc {job} lỗi: {error}", "Job {job} failed: {error}"),
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

# Jobs running in this process right now: a job the store already dropped but whose entries
# are still "planned" must not be scheduled a second time while it runs.
_INFLIGHT: set[str] = set()
_INFLIGHT_LOCK = threading.Lock()
_STATIONS: dict[str, Station] = {}


@contextlib.contextmanager
def _claim(key: str) -> Iterator[bool]:
    with _INFLIGHT_LOCK:
        if key in _INFLIGHT:
            ok = False
        else:
            _INFLIGHT.add(key)
            ok = True
    try:
        yield ok
    finally:
        if ok:
            with _INFLIGHT_LOCK:
                _INFLIGHT.discard(key)


def inflight() -> set[str]:
    with _INFLIGHT_LOCK:
        return set(_INFLIGHT)


def open_station(root: str | Path) -> Station:
    """The station at `root`, opened once per process (jobs get only the folder)."""

    key = str(Path(root).resolve())
    station = _STATIONS.get(key)
    if station is None:
        station = _STATIONS[key] = Station.load(Path(key))
    return station


def radio_key(when: datetime) -> str:
    return f"radio:{when:%Y-%m-%dT%H:%M}"


# --------------------------------------------------------------------------- what is due


@dataclass
class Due:
    """Work the plan asks for up to a moment: radio bulletin times, social entry ids and
    urgent messages not yet handled."""

    radio: list[datetime] = field(default_factory=list)
    posts: list[tuple[int, datetime]] = field(default_factory=list)
    urgent: list[int] = field(default_factory=list)


def due_until(station: Station, until: datetime) -> Due:
    """Planned radio times and social entries at or before `until`, and urgent messages that
    have no urgent entry yet."""
    from sqlalchemy import select

    due = Due()
    with station.transaction() as session:
        rows = session.execute(
            select(PlanEntry.id, PlanEntry.channel, PlanEntry.scheduled_at)
            .where(PlanEntry.status == PlanStatus.PLANNED, PlanEntry.scheduled_at <= until)
            .order_by(PlanEntry.scheduled_at, PlanEntry.id)
        )
        radio: set[datetime] = set()
        for entry_id, channel, when in rows:
            if channel == "radio":
                radio.add(when)
            elif channel != "urgent":
                due.posts.append((entry_id, when))
        due.radio = sorted(radio)
        due.posts = _not_before(session, due.posts)
        handled = set(
            session.scalars(select(PlanEntry.message_id).where(PlanEntry.channel == "urgent"))
        )
        today = until.date()
        for message in session.scalars(
            select(Message)
            .where(Message.status == MessageStatus.APPROVED, Message.priority == Priority.URGENT)
            .order_by(Message.id)
        ):
            if message.id not in handled and message.is_valid_on(today):
                due.urgent.append(message.id)
    return due


def _not_before(session: Any, posts: list[tuple[int, datetime]]) -> list[tuple[int, datetime]]:
    """Each post's time, moved to its publication's `next_at` when the outbox put it off."""
    from sqlalchemy import select

    from loa.channels.models import Publication, PublicationStatus

    if not posts:
        return posts
    ids = [entry_id for entry_id, _ in posts]
    later: dict[int, datetime] = {}
    for start in range(0, len(ids), 500):
        for entry_id, at in session.execute(
            select(Publication.plan_entry_id, Publication.next_at).where(
                Publication.plan_entry_id.in_(ids[start : start + 500]),
                Publication.status == PublicationStatus.FAILED,
                Publication.next_at.is_not(None),
            )
        ):
            later[entry_id] = at
    return sorted(
        ((e, max(w, later[e]) if e in later else w) for e, w in posts),
        key=lambda x: (x[1], x[0]),
    )


def play_due(station: Station, when: datetime, *, now: datetime) -> int:
    """Play (or, when later than the grace, skip and log) the radio bulletin at `when`.
    Returns the number of as-run rows written. Idempotent."""

    from loa.app.urgent import bulletin_sink

    return len(play_slot(station, when, now=now, sink=bulletin_sink(station, when)))


def publish_due(station: Station, entry_id: int, *, now: datetime) -> str:
    """Publish one planned social entry (late within the window, skipped after it).
    Returns the publication status. Idempotent (the channels' outbox key)."""

    with station.transaction() as session:
        entry = session.get(PlanEntry, entry_id)
        if entry is None or entry.status != PlanStatus.PLANNED:
            return "gone" if entry is None else entry.status
    return str(publish_entry(station, entry_id, now=now).status)


def handle_urgent(station: Station, message_id: int, *, now: datetime) -> datetime | None:
    """Put an urgent message on the air and on every channel at once.

    Records an "urgent" plan entry first (so a restart never repeats it), adds a radio entry at
    this minute outside the slot grid (the bulletin job plays it right away), and posts it on
    the other channels. Returns the radio time, or None when the message has no radio.
    """
    from sqlalchemy import select

    at = now.replace(second=0, microsecond=0)
    with station.transaction() as session:
        message = session.get(Message, message_id)
        if message is None:
            return None
        marker = session.scalar(
            select(PlanEntry).where(
                PlanEntry.message_id == message_id, PlanEntry.channel == "urgent"
            )
        )
        if marker is None:
            marker = PlanEntry(
                message_id=message_id,
                channel="urgent",
                scheduled_at=at,
                status=PlanStatus.PLANNED,
                created_at=now,
                reason="urgent",
            )
            session.add(marker)
            if "radio" in message.channels and not _preempt(station, message_id, now):
                exists = session.scalar(
                    select(PlanEntry.id).where(
                        PlanEntry.message_id == message_id,
                        PlanEntry.channel == "radio",
                        PlanEntry.scheduled_at == at,
                    )
                )
                if exists is None:
                    session.add(
                        PlanEntry(
                            message_id=message_id,
                            channel="radio",
                            slot_id=None,
                            scheduled_at=at,
                            status=PlanStatus.PLANNED,
                            created_at=now,
                            reason="urgent",
                            position=0,
                        )
                    )
        elif marker.status != PlanStatus.PLANNED:
            return None
        session.flush()
        radio = "radio" in message.channels
        marker_id = marker.id
    publish_urgent(station, message_id, now=now)
    with station.transaction() as session:
        entry = session.get(PlanEntry, marker_id)
        if entry is not None:
            entry.status = PlanStatus.DONE
    return at if radio else None


def _preempt(station: Station, message_id: int, now: datetime) -> bool:
    """Cut into the running stream outputs with an urgent message (issue #13); False when the
    daemon runs none (the message then airs as a bulletin at this minute)."""
    from loa.app.urgent import when_approved

    return (
        _guard(f"urgent-air:{message_id}", partial(when_approved, station, message_id, now=now))
        is True
    )


def render_ahead(station: Station, *, now: datetime) -> int:
    """Re-plan the coming days ([scheduler] auto_plan_days, 0 = never) and render tomorrow's
    bulletins, so playout never waits on the network. Returns the number of bulletins."""

    settings = SchedulerSettings.from_station(station)
    if settings.auto_plan_days:
        plan_station(station, now.date(), settings.auto_plan_days, now=now)
    results = render_period(station, now.date() + timedelta(days=1), 1)
    _write_state(station, {"rendered_for": (now.date() + timedelta(days=1)).isoformat()})
    return len(results)


def _read_state(station: Station) -> dict[str, Any]:
    try:
        data = json.loads((station.root / STATE_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_state(station: Station, values: dict[str, Any]) -> None:

    state = _read_state(station)
    state.update(values)
    atomic_write_text(station.root / STATE_NAME, json.dumps(state, ensure_ascii=False))


def render_due(station: Station, now: datetime) -> bool:
    """Whether tomorrow's bulletins still need the daily render (past render_at, not done)."""
    settings = SchedulerSettings.from_station(station)
    tomorrow = (now.date() + timedelta(days=1)).isoformat()
    return (
        now.time() >= settings.render_time and _read_state(station).get("rendered_for") != tomorrow
    )


# --------------------------------------------------------------------------- job functions


class _Failed:
    """What `_guard` returns when the work failed (None is a valid result of some jobs)."""

    def __init__(self, error: BaseException) -> None:
        self.error = error


def _guard(job: str, fn: Callable[[], Any], station: Station | None = None) -> Any:
    try:
        return fn()
    except LoaError as error:
        log.error(T("job_failed", job=job, error=error))
        return _Failed(error)
    except Exception as error:  # a job never takes the daemon down
        from loa.channels.outbox import store_failure

        known = store_failure(station, error) if station is not None else None
        if known is not None:
            log.error(T("job_failed", job=job, error=known))
            return _Failed(known)
        log.exception(T("job_failed", job=job, error=type(error).__name__))
        return _Failed(error)


def _ok(result: Any) -> Any:
    return None if isinstance(result, _Failed) else result


def _now(station: Station, now: str | None) -> datetime:
    """The job's clock: the station's wall clock, or the ISO time a caller (a test) passes."""
    return datetime.fromisoformat(now) if now else station.now()


def job_play(root: str, when: str, now: str | None = None) -> None:
    """APScheduler job: the radio bulletin at `when` (ISO, station-local)."""
    at = datetime.fromisoformat(when)
    with _claim(radio_key(at)) as ok:
        if ok:
            station = open_station(root)
            _guard(radio_key(at), lambda: play_due(station, at, now=_now(station, now)), station)


def job_publish(root: str, entry_id: int, now: str | None = None) -> None:
    """APScheduler job: one social plan entry."""
    with _claim(f"post:{entry_id}") as ok:
        if ok:
            station = open_station(root)
            _guard(
                f"post:{entry_id}",
                lambda: publish_due(station, entry_id, now=_now(station, now)),
                station,
            )


def job_urgent(root: str, message_id: int, now: str | None = None) -> None:
    """APScheduler job: an urgent message, at once."""
    with _claim(f"urgent:{message_id}") as ok:
        if ok:
            station = open_station(root)
            _guard(
                f"urgent:{message_id}",
                lambda: handle_urgent(station, message_id, now=_now(station, now)),
                station,
            )


def job_render(root: str, now: str | None = None) -> None:
    """APScheduler job: the daily plan-and-render of tomorrow's bulletins."""
    with _claim("render") as ok:
        if ok:
            station = open_station(root)
            _guard("render", lambda: render_ahead(station, now=_now(station, now)), station)


def job_reconcile(root: str, now: str | None = None) -> None:
    """APScheduler job: look again at uncertain publications whose look-up is due, and at
    any a dead process left "sending" (never at this process's own)."""
    with _claim("reconcile") as ok:
        if ok:
            station = open_station(root)
            _guard(
                "reconcile",
                lambda: reconcile(station, now=_now(station, now), include_own=False),
                station,
            )


# --------------------------------------------------------------------------- run once


@dataclass
class OnceReport:
    urgent: list[int] = field(default_factory=list)
    bulletins: list[str] = field(default_factory=list)
    posts: dict[int, str] = field(default_factory=dict)
    rendered: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "urgent": self.urgent,
            "bulletins": self.bulletins,
            "posts": {str(k): v for k, v in self.posts.items()},
            "rendered": self.rendered,
        }


def run_once(station: Station, *, now: datetime) -> OnceReport:
    """Do everything due at `now` and return (for cron): urgent messages, bulletins whose time
    has come (late ones are skipped and logged by the radio channel), posts due, and the daily
    render when it is past render_at. Holds the station's run lock."""
    report = OnceReport()
    with run_lock(station):
        due = due_until(station, now)
        _guard("reconcile", partial(release_orphans, station), station)
        _guard("reconcile", partial(reconcile, station, now=now), station)
        for message_id in due.urgent:
            done = _guard(
                f"urgent:{message_id}",
                partial(handle_urgent, station, message_id, now=now),
                station,
            )
            if _ok(done) is not None:
                report.urgent.append(message_id)
        due = due_until(station, now)
        for when in due.radio:
            _guard(radio_key(when), partial(play_due, station, when, now=now), station)
            report.bulletins.append(when.isoformat(timespec="minutes"))
        for entry_id, when in due.posts:
            if when > now:  # put off by the outbox (a rate limit, errors): not yet
                continue
            status = _guard(
                f"post:{entry_id}", partial(publish_due, station, entry_id, now=now), station
            )
            report.posts[entry_id] = str(_ok(status))
        if render_due(station, now):
            report.rendered = _ok(_guard("render", lambda: render_ahead(station, now=now), station))
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
        """Make the job store match the plan up to `now + horizon_hours`: add missing jobs,
        drop jobs whose entries are gone, keep the daily render job. Returns counts."""
        from apscheduler.triggers.cron import CronTrigger

        tz = self._tz()
        root = str(self.station.root)
        due = due_until(self.station, now + timedelta(hours=self.settings.horizon_hours))
        wanted: dict[str, tuple[Callable[..., None], tuple[Any, ...], datetime, str]] = {}
        for message_id in due.urgent:
            wanted[f"urgent:{message_id}"] = (job_urgent, (root, message_id), now, "default")
        for when in due.radio:
            wanted[radio_key(when)] = (job_play, (root, when.isoformat()), when, "radio")
        for entry_id, when in due.posts:
            wanted[f"post:{entry_id}"] = (job_publish, (root, entry_id), when, "default")
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
        kept = ("render", "reconcile")
        stale = existing - set(wanted) - firing
        for job_id in sorted(j for j in stale if not j.startswith(kept)):
            self.scheduler.remove_job(job_id)
            removed += 1
        for job_id, (func, args, when, executor) in wanted.items():
            if job_id in existing or job_id in busy:
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
        if self._uncertain_due(now):
            if "reconcile" not in existing and "reconcile" not in busy:
                self.scheduler.add_job(
                    job_reconcile, "date", args=(root,), id="reconcile", replace_existing=True
                )
        if "render" not in existing:
            at = self.settings.render_time
            self.scheduler.add_job(
                job_render,
                CronTrigger(hour=at.hour, minute=at.minute, timezone=tz),
                args=(root,),
                id="render",
                replace_existing=True,
                misfire_grace_time=6 * 3600,
            )
        return {"added": added, "removed": removed, "jobs": len(wanted)}

    def _uncertain_due(self, now: datetime) -> bool:
        """Whether an uncertain publication's next look-up is due."""
        from sqlalchemy import select

        from loa.channels.models import Publication, PublicationStatus

        with self.station.transaction() as session:
            return (
                session.scalar(
                    select(Publication.id)
                    .where(
                        Publication.status == PublicationStatus.UNCERTAIN,
                        Publication.next_at.is_not(None),
                        Publication.next_at <= now,
                    )
                    .limit(1)
                )
                is not None
            )

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

    def run(self, *, install_signals: bool = True) -> None:
        """Run until SIGTERM/SIGINT (or `request_stop`): sync every poll_seconds (backing off
        while the station database fails), let the scheduler fire, restart it if its thread
        died, and on stop stop the players and give running jobs STOP_GRACE_S to finish.
        Jobs still running then are left in `abandoned`. Raises RuntimeFailure when the
        scheduler keeps dying."""
        with run_lock(self.station), self._outputs():
            _guard("reconcile", self._reconcile, self.station)
            self.scheduler = self.build_scheduler()
            if install_signals:
                signal.signal(signal.SIGTERM, self.request_stop)
                signal.signal(signal.SIGINT, self.request_stop)
            self.scheduler.start()
            log.info(T("started", name=self.station.name))
            try:
                now = self.station.now()
                if render_due(self.station, now):
                    self.scheduler.add_job(
                        job_render,
                        "date",
                        args=(str(self.station.root),),
                        id="render-catch-up",
                        replace_existing=True,
                    )
                failures = 0
                while not self.stop_event.is_set():
                    if not self.scheduler_alive():
                        self._restart_scheduler()
                    result = _guard("sync", lambda: self.sync(self.station.now()), self.station)
                    wait = self.settings.poll_seconds
                    if isinstance(result, _Failed):
                        failures += 1
                        wait = min(max(wait, MAX_BACKOFF_S), wait * 2 ** min(failures, 10))
                        log.warning(T("backoff", error=result.error, seconds=wait))
                    else:
                        failures = 0
                    self.stop_event.wait(wait)
            finally:
                self._stop()
                log.info(T("stopped"))

    @contextlib.contextmanager
    def _outputs(self) -> Iterator[None]:
        """The Icecast mounts and preemptible local player while the daemon runs (#13)."""
        from loa.app.urgent import start_outputs

        runtime = start_outputs(self.station)
        try:
            yield
        finally:
            if runtime is not None:
                runtime.stop()

    def _stop(self) -> None:
        """Stop the scheduler without waiting, stop the players, give jobs a short grace."""
        import time

        from loa.channels.radio import stop_players

        with contextlib.suppress(Exception):
            self.scheduler.shutdown(wait=False)
        stop_players()
        deadline = time.monotonic() + STOP_GRACE_S
        while inflight() and time.monotonic() < deadline:
            time.sleep(0.05)
        self.abandoned = inflight()
        if self.abandoned:
            log.warning(T("left_running", jobs=", ".join(sorted(self.abandoned))))

    def _reconcile(self) -> None:
        release_orphans(self.station)
        reconcile(self.station, now=self.station.now())


def jobs_for(station: Station, start: date, days: int) -> list[tuple[str, datetime]]:
    """What the daemon would schedule in a period (job id, time): for `loa run --dry-run`."""
    lo = datetime.combine(start, datetime.min.time())
    due = due_until(station, lo + timedelta(days=days))
    out = [(radio_key(w), w) for w in due.radio if w >= lo]
    out += [(f"post:{e}", w) for e, w in due.posts if w >= lo]
    return sorted(out, key=lambda x: (x[1], x[0]))
