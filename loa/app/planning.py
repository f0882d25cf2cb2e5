"""Planning as the application runs it: the planner given the channels the station can publish
on (asked of the channel registry), the clips already rendered (from the bulletin sidecars) and
the reach learned from the channels' figures (`loa.app.insights.learned_reach`)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from loa.app.insights import learned_reach
from loa.app.render import rendered_durations
from loa.channels.publish import broadcast_budgets as channel_budgets
from loa.channels.publish import configured_channels
from loa.planning.budget import BroadcastBudget, months_between
from loa.planning.models import PlanStatus as PlanStatus
from loa.planning.planner import explain, plan

if TYPE_CHECKING:
    from loa.core.station import Station
    from loa.planning.planner import Explanation, PlanReport
    from loa.planning.views import ScheduledSlot
    from loa.report.lengths import BulletinLength


def plan_station(station: Station, start: date, days: int, *, now: datetime) -> PlanReport:
    """Plan [start, start + days) on the station's configured channels, with its rendered clip
    durations (`loa.planning.planner.plan`)."""
    return plan(
        station,
        start,
        days,
        now=now,
        channels=configured_channels(station),
        durations=rendered_durations(station),
        budgets=broadcast_budgets(station, start, days),
        learned=learned_reach(station),
    )


def explain_station(
    station: Station, message_id: int, start: date, days: int, *, now: datetime
) -> Explanation:
    """Why a message went where it went in [start, start + days) (`loa.planning.planner.explain`,
    on the station's configured channels). Raises UserError for an unknown message id."""
    return explain(
        station,
        message_id,
        start,
        days,
        now=now,
        channels=configured_channels(station),
        durations=rendered_durations(station),
        budgets=broadcast_budgets(station, start, days),
        learned=learned_reach(station),
    )


def broadcast_budgets(station: Station, start: date, days: int) -> list[BroadcastBudget]:
    """The broadcast budgets of the station's configured channels for the months of
    [start, start + days), with the broadcasts already sent in each month (from the outbox)."""
    months = months_between(start, start + timedelta(days=days - 1))
    return [
        BroadcastBudget(name, per_month, frozenset(priorities), sent)
        for name, per_month, priorities, sent in channel_budgets(station, months)
    ]


def scheduled_slots(
    station: Station, start: date, days: int, *, channel: str | None = None
) -> list[ScheduledSlot]:
    """The plan from `start` for `days` days, grouped by slot instance, in time order (each
    with `to_dict`)."""
    from loa.planning.views import schedule

    with station.transaction() as session:
        return schedule(session, start, days, channel=channel)


def export_plan_ics(station: Station, start: date, days: int, path: Path) -> int:
    """Write the plan from `start` for `days` days to an .ics file; how many events."""
    from loa.planning.views import export_ics

    return export_ics(station, start, days, path)


def bulletin_length(station: Station, slot: ScheduledSlot) -> BulletinLength:
    """The length of a radio slot's bulletin: its file's when rendered from what the plan holds
    now, else the planner's estimate (shown with "~")."""
    from loa.report.lengths import bulletin_length as length

    return length(station, slot)
