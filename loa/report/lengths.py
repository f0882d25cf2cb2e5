"""One length per bulletin, shown the same way everywhere (schedule, render, run sheet): the
rendered file's length once the bulletin is rendered for its current plan, else the planner's
estimate marked with "~"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from loa.audio.bulletin import read_sidecar, sidecar_matches
from loa.audio.render import bulletin_path
from loa.core.dates import clock_text
from loa.planning.models import PlanStatus

if TYPE_CHECKING:
    from loa.core.station import Station
    from loa.planning.views import ScheduledSlot

#: Plan entries a bulletin is rendered from (loa.app.render renders the same ones).
_IN_BULLETIN = (PlanStatus.PLANNED, PlanStatus.SENDING, PlanStatus.DONE)


@dataclass(frozen=True)
class BulletinLength:
    """A bulletin's length in seconds; `rendered` when measured on its file."""

    seconds: float
    rendered: bool

    def __str__(self) -> str:
        return clock_text(self.seconds, estimate=not self.rendered)


def airing(slot: ScheduledSlot) -> list[tuple[int, str]]:
    """(message id, spoken text) of each item of `slot` its bulletin is rendered from, in
    order: what `sidecar_matches` compares the bulletin file with."""
    return [(i.message_id, i.script) for i in slot.items if i.status in _IN_BULLETIN]


def bulletin_length(station: Station, slot: ScheduledSlot) -> BulletinLength:
    """The length of the radio bulletin of `slot`: its file's (from the sidecar) when it was
    rendered from the messages the plan holds now (same order and words), else the sum of the
    planner's estimates."""
    path = bulletin_path(station, slot.start)
    if sidecar_matches(path, airing(slot)):
        data = read_sidecar(path) or {}
        try:
            seconds = float(data.get("duration_s") or 0.0)
        except (TypeError, ValueError):
            seconds = 0.0
        if seconds > 0:
            return BulletinLength(seconds, True)
    estimate = sum(i.duration_s for i in slot.items if i.status in _IN_BULLETIN)
    return BulletinLength(estimate, False)
