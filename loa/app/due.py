"""What is due for a station by a station-time instant, decided once for every door.

`due(station, until, now=...)` answers: urgent messages not yet aired, radio bulletins to air,
posts (each at its slot, or later when the outbox put it off: `next_at`), whether tomorrow's
bulletins still need their daily plan-and-render, and whether the outbox has look-ups or
records to settle, and whether the channels' insights are due a pull. `dispatch` hands that
to a `Dispatcher`: the single-station daemon's
APScheduler job store (`loa.app.daemon`) and the province's procrastinate queue
(`loa.province.scheduler`) are its two implementations, so `loa run` and `loa scheduler`
never disagree about what is due. Times are the station's own wall clock (naive, in its
[station] timezone), whatever machine asks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from loa.channels.models import Publication, PublicationStatus
from loa.channels.outbox import needs_reconcile
from loa.content.models import Message, MessageStatus, Priority
from loa.core.fileio import atomic_write_text
from loa.core.registry import is_audio
from loa.planning.learning import LearningSettings
from loa.planning.models import PlanEntry, PlanStatus
from loa.planning.settings import SchedulerSettings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from loa.core.station import Station

#: The station's run state (the day whose bulletins were last rendered ahead).
STATE_NAME = ".loa-run.json"

#: The plan entry channel that records an urgent message's handling (one per airing).
URGENT = "urgent"

#: How long an urgent airing that nothing could air waits for a daemon to air it.
URGENT_WAIT = timedelta(hours=1)


@dataclass(frozen=True)
class Post:
    """A planned post and the time it may go: its slot, or later when put off."""

    entry_id: int
    at: datetime
    channel: str


@dataclass
class DueWork:
    """Everything due for one station by `until` (station wall clock)."""

    until: datetime
    urgent: list[int] = field(default_factory=list)
    bulletins: list[datetime] = field(default_factory=list)
    posts: list[Post] = field(default_factory=list)
    #: The day whose bulletins the daily plan-and-render must prepare now, if any.
    render_for: date | None = None
    reconcile: bool = False
    #: Whether the channels' insights are due a pull ([planning] pull_every_hours).
    insights: bool = False

    def posts_by(self, moment: datetime) -> list[Post]:
        """The posts whose time has come at `moment` (put-off ones later are left out)."""
        return [p for p in self.posts if p.at <= moment]


class Dispatcher(Protocol):
    """Where due work goes: each method hands one piece of work to an engine that runs it at
    (or right after) the time given; each must be idempotent (the work is due again at the
    next pass until it is done)."""

    def urgent(self, station: Station, message_id: int, at: datetime) -> None:
        """Air and post urgent message `message_id` at once (`loa.app.urgent.air_urgent`)."""

    def air(self, station: Station, when: datetime) -> None:
        """Play the radio bulletin of `when` at `when`."""

    def post(self, station: Station, post: Post) -> None:
        """Publish one planned post at `post.at`."""

    def render(self, station: Station, day: date) -> None:
        """Plan the days ahead and render the bulletins of `day`."""

    def reconcile(self, station: Station) -> None:
        """Settle the outbox: look-ups due, rows left "sending", records not yet written."""

    def insights(self, station: Station) -> None:
        """Pull the channels' figures (`loa.app.insights.pull_due`)."""


def due(station: Station, until: datetime, *, now: datetime) -> DueWork:
    """What the plan and the outbox ask for at the station by `until` (>= `now`): planned
    radio times and posts at or before it (a post put off by the outbox counts from its
    `next_at`), approved urgent messages valid today with no finished urgent entry, the daily
    render when `now` is past [scheduler] render_at and tomorrow is not rendered, and whether
    the outbox has something to settle."""
    from sqlalchemy import select

    work = DueWork(until=until)
    with station.transaction() as session:
        rows = session.execute(
            select(PlanEntry.id, PlanEntry.channel, PlanEntry.scheduled_at)
            .where(PlanEntry.status == PlanStatus.PLANNED, PlanEntry.scheduled_at <= until)
            .order_by(PlanEntry.scheduled_at, PlanEntry.id)
        )
        radio: set[datetime] = set()
        posts: list[Post] = []
        for entry_id, channel, when in rows:
            if is_audio(channel):
                radio.add(when)
            elif channel != URGENT:
                posts.append(Post(entry_id, when, channel))
        work.bulletins = sorted(radio)
        work.posts = [p for p in _not_before(session, posts) if p.at <= until]
        work.urgent = urgent_due(session, now)
    work.render_for = render_due(station, now)
    work.reconcile = needs_reconcile(station, now)
    work.insights = insights_due(station, now)
    return work


def urgent_due(session: Session, now: datetime) -> list[int]:
    """Urgent work not done yet: approved urgent messages valid today that no urgent entry has
    handled (none, or one still planned: cut short before it aired), and any message whose
    urgent entry is still planned from the last URGENT_WAIT (a person pressed "urgent" while
    nothing could air: the daemon airs it when it starts, but never an old alarm by surprise)."""
    from sqlalchemy import select

    entries = session.execute(
        select(PlanEntry.message_id, PlanEntry.status, PlanEntry.scheduled_at).where(
            PlanEntry.channel == URGENT
        )
    ).all()
    finished = {m for m, status, _ in entries if status != PlanStatus.PLANNED}
    waiting = {
        m
        for m, status, at in entries
        if status == PlanStatus.PLANNED and at >= now - URGENT_WAIT and m not in finished
    }
    out: set[int] = set()
    for message in session.scalars(
        select(Message).where(
            Message.status == MessageStatus.APPROVED,
            (Message.priority == Priority.URGENT) | Message.id.in_(waiting),
        )
    ):
        if message.id in waiting or (
            message.id not in finished and message.is_valid_on(now.date())
        ):
            out.add(message.id)
    return sorted(out)


def _not_before(session: Session, posts: list[Post]) -> list[Post]:
    """Each post's time, moved to its publication's `next_at` when the outbox put it off."""
    from sqlalchemy import select

    if not posts:
        return posts
    ids = [p.entry_id for p in posts]
    later: dict[int, datetime] = {}
    for start in range(0, len(ids), 500):
        for entry_id, at in session.execute(
            select(Publication.plan_entry_id, Publication.next_at).where(
                Publication.plan_entry_id.in_(ids[start : start + 500]),
                Publication.status == PublicationStatus.FAILED,
                Publication.next_at.is_not(None),
            )
        ):
            if entry_id is not None and at is not None:
                later[entry_id] = at
    moved = [
        Post(p.entry_id, max(p.at, later[p.entry_id]), p.channel) if p.entry_id in later else p
        for p in posts
    ]
    return sorted(moved, key=lambda p: (p.at, p.entry_id))


# --------------------------------------------------------------------------- the daily render


def read_state(station: Station) -> dict[str, Any]:
    try:
        data = json.loads((station.root / STATE_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_state(station: Station, values: dict[str, Any]) -> None:
    state = read_state(station)
    state.update(values)
    atomic_write_text(station.root / STATE_NAME, json.dumps(state, ensure_ascii=False))


def render_due(station: Station, now: datetime) -> date | None:
    """Tomorrow (station date), when its bulletins still need the daily plan-and-render (past
    [scheduler] render_at and not done yet); else None."""
    settings = SchedulerSettings.from_station(station)
    tomorrow = now.date() + timedelta(days=1)
    if now.time() >= settings.render_time and read_state(station).get("rendered_for") != (
        tomorrow.isoformat()
    ):
        return tomorrow
    return None


def insights_due(station: Station, now: datetime) -> bool:
    """Whether [planning] pull_every_hours have passed since the last insights pull (or none
    was made yet); never when it is 0."""
    every = station.settings(LearningSettings).pull_every_hours
    if not every:
        return False
    last = read_state(station).get("insights_pulled_at")
    try:
        at = datetime.fromisoformat(str(last)) if last else None
    except ValueError:
        at = None
    return at is None or now - at >= timedelta(hours=every) or at > now


def insights_pulled(station: Station, now: datetime) -> None:
    """Record that the insights were pulled at `now`."""
    write_state(station, {"insights_pulled_at": now.isoformat(timespec="seconds")})


def rendered(station: Station, day: date) -> None:
    """Record that the bulletins of `day` were rendered ahead."""
    write_state(station, {"rendered_for": day.isoformat()})


# --------------------------------------------------------------------------- dispatching


@dataclass
class Dispatched:
    """What one `dispatch` handed over, by kind."""

    urgent: int = 0
    bulletins: int = 0
    posts: int = 0
    render: int = 0
    reconcile: int = 0
    insights: int = 0

    @property
    def total(self) -> int:
        return (
            self.urgent + self.bulletins + self.posts + self.render + self.reconcile + self.insights
        )


def dispatch(
    station: Station,
    dispatcher: Dispatcher,
    *,
    now: datetime,
    horizon: timedelta = timedelta(0),
    airs: bool = True,
) -> Dispatched:
    """Hand everything due by `now + horizon` to `dispatcher`: urgent messages first, then
    bulletins (when the engine `airs` them), posts, the daily render, a reconcile and an
    insights pull. Work
    ahead of `now` is handed with its time, for the engine to run then."""
    work = due(station, now + horizon, now=now)
    done = Dispatched()
    for message_id in work.urgent:
        dispatcher.urgent(station, message_id, now)
        done.urgent += 1
    if airs:
        for when in work.bulletins:
            dispatcher.air(station, when)
            done.bulletins += 1
    for post in work.posts:
        dispatcher.post(station, post)
        done.posts += 1
    if work.render_for is not None:
        dispatcher.render(station, work.render_for)
        done.render += 1
    if work.reconcile:
        dispatcher.reconcile(station)
        done.reconcile += 1
    if work.insights:
        dispatcher.insights(station)
        done.insights += 1
    return done
