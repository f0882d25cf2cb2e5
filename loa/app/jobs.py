"""The daemon's jobs: module-level functions of plain arguments (the station folder, an ISO
time, an entry id), so the job store can keep them across a restart, and what they share in
this process: the stations opened once, the jobs running now (never scheduled twice), the
stop flag a running render watches. Each job body is an application step (loa.app.play,
loa.app.publish, loa.app.render) and is idempotent; a job never takes the daemon down."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from loa.app.due import rendered
from loa.app.planning import plan_station
from loa.app.play import play_slot
from loa.app.publish import publish_entry, reconcile
from loa.app.render import render_period
from loa.core.errors import LoaError
from loa.core.i18n import Catalog
from loa.core.station import Station
from loa.planning.models import PlanEntry, PlanStatus
from loa.planning.settings import SchedulerSettings

log = logging.getLogger("loa.daemon")

T = Catalog(
    {
        "job_failed": ("Việc {job} lỗi: {error}", "Job {job} failed: {error}"),
    }
)

# Jobs running in this process right now: a job the store already dropped but whose entries
# are still "planned" must not be scheduled a second time while it runs.
_INFLIGHT: set[str] = set()
_INFLIGHT_LOCK = threading.Lock()
_STATIONS: dict[str, Station] = {}
#: Set while a daemon in this process stops: a running render ends its worker processes and
#: returns at once instead of finishing the day's bulletins.
STOPPING = threading.Event()


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


# --------------------------------------------------------------------------- job bodies


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


def handle_urgent(station: Station, message_id: int, *, now: datetime) -> Any:
    """The daemon's urgent job: `loa.app.urgent.air_urgent` on this process's outputs (the one
    path every door takes). Returns its UrgentResult."""
    from loa.app.urgent import air_urgent

    return air_urgent(station, message_id, by="loa run", now=now, here="none")


def render_ahead(
    station: Station,
    *,
    now: datetime,
    day: date | None = None,
    cancel: threading.Event | None = None,
) -> int:
    """Re-plan the coming days ([scheduler] auto_plan_days, 0 = never) and render the
    bulletins of `day` (default tomorrow), so playout never waits on the network. Returns the
    number of bulletins; raises RenderCancelled once `cancel` is set (a stopping daemon)."""

    settings = SchedulerSettings.from_station(station)
    day = day or now.date() + timedelta(days=1)
    if settings.auto_plan_days:
        plan_station(station, now.date(), settings.auto_plan_days, now=now)
    results = render_period(station, day, 1, cancel=cancel)
    rendered(station, day)
    return len(results)


# --------------------------------------------------------------------------- job functions


class Failed:
    """What `guard` returns when the work failed (None is a valid result of some jobs)."""

    def __init__(self, error: BaseException) -> None:
        self.error = error


def guard(job: str, fn: Callable[[], Any], station: Station | None = None) -> Any:
    from loa.audio.workers import RenderCancelled

    try:
        return fn()
    except RenderCancelled as error:  # the daemon is stopping: not a failure
        log.info(str(error))
        return Failed(error)
    except LoaError as error:
        log.error(T("job_failed", job=job, error=error))
        return Failed(error)
    except Exception as error:  # a job never takes the daemon down
        from loa.channels.outbox import store_failure

        known = store_failure(station, error) if station is not None else None
        if known is not None:
            log.error(T("job_failed", job=job, error=known))
            return Failed(known)
        log.exception(T("job_failed", job=job, error=type(error).__name__))
        return Failed(error)


def result_of(result: Any) -> Any:
    return None if isinstance(result, Failed) else result


def _now(station: Station, now: str | None) -> datetime:
    """The job's clock: the station's wall clock, or the ISO time a caller (a test) passes."""
    return datetime.fromisoformat(now) if now else station.now()


def job_play(root: str, when: str, now: str | None = None) -> None:
    """APScheduler job: the radio bulletin at `when` (ISO, station-local)."""
    at = datetime.fromisoformat(when)
    with _claim(radio_key(at)) as ok:
        if ok:
            station = open_station(root)
            guard(radio_key(at), lambda: play_due(station, at, now=_now(station, now)), station)


def job_publish(root: str, entry_id: int, now: str | None = None) -> None:
    """APScheduler job: one social plan entry."""
    with _claim(f"post:{entry_id}") as ok:
        if ok:
            station = open_station(root)
            guard(
                f"post:{entry_id}",
                lambda: publish_due(station, entry_id, now=_now(station, now)),
                station,
            )


def job_urgent(root: str, message_id: int, now: str | None = None) -> None:
    """APScheduler job: an urgent message, at once."""
    with _claim(f"urgent:{message_id}") as ok:
        if ok:
            station = open_station(root)
            guard(
                f"urgent:{message_id}",
                lambda: handle_urgent(station, message_id, now=_now(station, now)),
                station,
            )


def job_render(root: str, now: str | None = None, day: str | None = None) -> None:
    """APScheduler job: the daily plan-and-render of `day`'s bulletins (default tomorrow)."""
    with _claim("render") as ok:
        if ok:
            station = open_station(root)
            when = date.fromisoformat(day) if day else None
            guard(
                "render",
                lambda: render_ahead(station, now=_now(station, now), day=when, cancel=STOPPING),
                station,
            )


def job_reconcile(root: str, now: str | None = None) -> None:
    """APScheduler job: look again at uncertain publications whose look-up is due, at any a
    dead process left "sending", and at this process's own that it no longer sends (their
    record write failed: written now that the store takes it)."""
    with _claim("reconcile") as ok:
        if ok:
            station = open_station(root)
            guard(
                "reconcile",
                lambda: reconcile(station, now=_now(station, now), include_own=False),
                station,
            )


def job_insights(root: str, now: str | None = None) -> None:
    """APScheduler job: pull the channels' figures (`loa.app.insights.pull_due`)."""
    from loa.app.insights import pull_due

    with _claim("insights") as ok:
        if ok:
            station = open_station(root)
            guard(
                "insights",
                lambda: pull_due(station, now=_now(station, now)),
                station,
            )
