"""Planning as the application runs it: the planner given the channels the station can publish
on (asked of the channel registry) and the clips already rendered (from the bulletin sidecars)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from loa.core.errors import LoaError

if TYPE_CHECKING:
    from loa.core.station import Station
    from loa.planning.planner import Explanation, PlanReport


def configured_channels(station: Station) -> frozenset[str]:
    """The channels the station can publish on: each registered channel its loa.toml enables (a
    Facebook Page with its id, ...), and always the radio. The planner plans no post that
    nobody can send."""
    from loa.channels.base import channel_class
    from loa.core.registry import channel_names

    out = {"radio"}
    for name in channel_names():
        if name in out:
            continue
        try:
            if channel_class(name).is_configured(station):
                out.add(name)
        except LoaError:  # a plugin whose package is broken publishes nothing
            continue
    return frozenset(out)


def rendered_durations(station: Station) -> dict[int, float]:
    """Real clip durations from the bulletin sidecars (media/bulletins/*/*.json) the renderer
    writes: message id -> seconds (the newest sidecar wins). Cheap: small JSON files only."""
    import json

    folder = station.media_dir / "bulletins"
    found: dict[int, tuple[str, float]] = {}
    if not folder.is_dir():
        return {}
    for path in sorted(folder.glob("*/*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        items = data.get("items", []) if isinstance(data, dict) else data
        for item in items if isinstance(items, list) else []:
            try:
                mid = int(item["message_id"])
                seconds = float(item["duration_s"])
            except (KeyError, TypeError, ValueError):
                continue
            stamp = f"{path.parent.name}/{path.stem}"
            if mid not in found or stamp >= found[mid][0]:
                found[mid] = (stamp, seconds)
    return {mid: secs for mid, (_stamp, secs) in found.items()}


def plan_station(station: Station, start: date, days: int, *, now: datetime) -> PlanReport:
    """Plan [start, start + days) on the station's configured channels, with its rendered clip
    durations (`loa.planning.planner.plan`)."""
    from loa.planning.planner import plan

    return plan(
        station,
        start,
        days,
        now=now,
        channels=configured_channels(station),
        durations=rendered_durations(station),
    )


def explain_station(
    station: Station, message_id: int, start: date, days: int, *, now: datetime
) -> Explanation:
    """Why a message went where it went in [start, start + days) (`loa.planning.planner.explain`,
    on the station's configured channels). Raises UserError for an unknown message id."""
    from loa.planning.planner import explain

    return explain(
        station,
        message_id,
        start,
        days,
        now=now,
        channels=configured_channels(station),
        durations=rendered_durations(station),
    )
