"""What the audience really did, as a reach model per channel x slot class: the pure part.

A slot class (a *cell*) is one channel, one day class (working day, Saturday, Sunday) and one
window of hours ([planning] window_hours wide). Each observation is one figure a channel gave
back for one post or bulletin (unique views, listeners, hits), at the station time it went out.

The model starts from the assumed reach (the officer's slots) and moves to what was measured
as evidence accumulates:

- A channel's figures are in people, the assumptions in shares: the channel's scale is the sum
  of its figures over the sum of the assumed reach of the cells they came from, so the figures
  of one channel say how its cells compare with each other, not how big its audience is.
- A cell's measured reach is its mean figure over that scale, shrunk towards the assumption:
  `(n x measured + prior_weight x assumed) / (n + prior_weight)`.
- Below [planning] min_observations a cell learns nothing (confidence "none"); up to
  ok_observations it is "thin"; from there "ok".
- Caution: the planner takes the learned factor moved back towards 1 by [planning] caution
  standard errors of the measured mean (the spread of one figure, as the channel's figures show
  it, over the square root of their number), never past 1: a lower confidence bound on the
  change. A few noisy figures that say a slot is a little better or worse than assumed do not
  move the plan; many figures, or a clear difference, do. Without it, a slot that three unlucky
  figures put 10 % low loses its messages to a worse one (benchmarks/learning.py, seed 7).
- Exploration: a cell of a station slot that has not yet been measured enough is planned with
  its assumed reach raised by [planning] explore, so that a slot the assumptions rank low is
  tried a few times before the plan settles; the raise disappears as the cell is measured.

Nothing here reads the database or a channel: `loa.app.insights` turns stored figures into
`Observation`s and hands the planner the resulting factors as plain data.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from pydantic import Field

from loa.core.settings import Flag, Integer, Number, SectionSettings

#: Day classes, in the order the dashboard shows them, and the weekdays (Monday 0) in each.
DAY_CLASSES: dict[str, tuple[int, ...]] = {
    "work": (0, 1, 2, 3, 4),
    "sat": (5,),
    "sun": (6,),
}

CONFIDENCE = ("none", "thin", "ok")

#: The weight, in figures, of [planning] spread against a channel's measured spread.
SPREAD_PRIOR_DF = 10


class LearningSettings(SectionSettings):
    """[planning]: whether the planner learns reach from the channels' figures, and how."""

    section: ClassVar[str] = "planning"

    learn: Flag = True
    window_hours: Integer = Field(default=2, ge=1, le=12)
    min_observations: Integer = Field(default=3, ge=1, le=100)
    ok_observations: Integer = Field(default=8, ge=1, le=1000)
    prior_weight: Number = Field(default=2.0, ge=0.0, le=100.0)
    explore: Number = Field(default=0.1, ge=0.0, le=2.0)
    #: How many standard errors of the measured mean a learned factor gives up towards 1
    #: (a lower confidence bound on the change from the assumption; 0 = none).
    caution: Number = Field(default=1.0, ge=0.0, le=5.0)
    #: The spread of one figure around its slot's mean (the standard deviation of its log),
    #: assumed until a channel's own figures show theirs.
    spread: Number = Field(default=0.4, ge=0.0, le=3.0)
    #: How far a learned reach may move from the assumption (a factor either way).
    max_factor: Number = Field(default=4.0, ge=1.0, le=100.0)
    #: Hours between the daemon's (and the province worker's) insights pulls; 0 = never.
    pull_every_hours: Number = Field(default=6.0, ge=0.0, le=24 * 30)


def _shrink(n: int, measured: float, prior: float, settings: LearningSettings) -> float:
    """`measured` over `n` observations shrunk towards `prior`: the learned reach."""
    return (n * measured + settings.prior_weight * prior) / (n + settings.prior_weight)


def _clamp_factor(factor: float, settings: LearningSettings) -> float:
    """A learned / assumed factor kept within [planning] max_factor either way."""
    return min(max(factor, 1.0 / settings.max_factor), settings.max_factor)


def day_class(weekday: int) -> str:
    for name, days in DAY_CLASSES.items():
        if weekday in days:
            return name
    raise ValueError(weekday)


@dataclass(frozen=True, order=True)
class Cell:
    """One channel x day class x hour window (`hour` is the window's first hour)."""

    channel: str
    day: str
    hour: int

    @classmethod
    def of(cls, channel: str, when: datetime, window_hours: int) -> Cell:
        return cls(channel, day_class(when.weekday()), when.hour - when.hour % window_hours)

    def label(self) -> str:
        return f"{self.channel}/{self.day}/{self.hour:02d}h"


@dataclass(frozen=True)
class Observation:
    """One figure for one post or airing: `value` people (views, listeners, hits)."""

    channel: str
    when: datetime
    value: float
    source: str = ""


@dataclass
class CellEstimate:
    """What the model says of one cell."""

    cell: Cell
    n: int
    assumed: float | None
    measured: float | None  # mean figure over the channel's scale (a share, like `assumed`)
    learned: float | None
    confidence: str
    mean_value: float | None  # the mean raw figure (people)
    sources: list[str] = field(default_factory=list)

    @property
    def factor(self) -> float:
        """learned / assumed (1 when nothing was learned)."""
        if self.learned is None or not self.assumed:
            return 1.0
        return self.learned / self.assumed

    def to_dict(self) -> dict[str, Any]:
        return {
            "channel": self.cell.channel,
            "day": self.cell.day,
            "hour": self.cell.hour,
            "n": self.n,
            "assumed": _round(self.assumed),
            "measured": _round(self.measured),
            "learned": _round(self.learned),
            "factor": round(self.factor, 4),
            "confidence": self.confidence,
            "mean_value": _round(self.mean_value, 2),
            "sources": self.sources[-3:],
        }


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


@dataclass(frozen=True)
class SlotReach:
    """What the planner uses for one weekly slot on one day class: a factor on the slot's
    assumed reach of every audience, and where it came from (for `loa plan --explain`)."""

    factor: float
    confidence: str
    n: int
    explore: bool = False
    measured: float | None = None
    assumed: float | None = None
    source: str = ""
    needed: int = 3  # [planning] min_observations
    #: The learned factor before [planning] caution (None when nothing was learned).
    learned: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "factor": round(self.factor, 4),
            "learned": _round(self.learned),
            "confidence": self.confidence,
            "n": self.n,
            "explore": self.explore,
            "measured": _round(self.measured),
            "assumed": _round(self.assumed),
            "source": self.source,
        }


@dataclass
class ReachModel:
    """The estimates of every cell that has an assumption or an observation."""

    settings: LearningSettings
    cells: dict[Cell, CellEstimate]
    scale: dict[str, float]  # people per unit of assumed reach, per channel
    spread: dict[str, float] = field(default_factory=dict)  # sd of log figures in a cell

    def cautious(self, channel: str, factor: float, n: int) -> float:
        """`factor` moved towards 1 by [planning] caution standard errors of a mean of `n`
        figures (never past 1): thin evidence moves the plan only as far as it is clear."""
        s = self.settings
        if not s.caution or factor <= 0 or n <= 0:
            return factor
        margin = s.caution * self.spread.get(channel, s.spread) / math.sqrt(n)
        log = math.log(factor)
        return math.exp(math.copysign(max(0.0, abs(log) - margin), log))

    def estimate(self, cell: Cell) -> CellEstimate | None:
        return self.cells.get(cell)

    def slot_reach(self, cell: Cell) -> SlotReach:
        """The factor the planner applies to a station slot in `cell` (with exploration)."""
        s = self.settings
        est = self.cells.get(cell)
        if est is None or est.confidence == "none" or est.learned is None:
            n = est.n if est else 0
            measured = cell.channel in self.scale
            bonus = s.explore if s.explore and measured and n < s.min_observations else 0.0
            return SlotReach(
                1.0 + bonus,
                "none",
                n,
                explore=bonus > 0,
                assumed=est.assumed if est else None,
                needed=s.min_observations,
            )
        return SlotReach(
            _clamp_factor(self.cautious(cell.channel, est.factor, est.n), s),
            est.confidence,
            est.n,
            measured=est.measured,
            assumed=est.assumed,
            source="; ".join(est.sources[-2:]),
            needed=s.min_observations,
            learned=_clamp_factor(est.factor, s),
        )

    def for_slot(self, channel: str, start: str, weekdays: Sequence[int]) -> SlotReach:
        """The factor the planner applies to a weekly slot. The planner values a slot the
        same on every day it runs, so the figures of all its cells (one per day class it runs
        on) are pooled: their mean over the channel's scale, shrunk towards the slot's
        assumption (its cells' assumptions weighted by weekdays), learned once the pooled
        figures reach [planning] min_observations. The heat map and `suggest` keep the day
        classes apart."""
        s = self.settings
        weights: dict[str, int] = defaultdict(int)
        for d in weekdays:
            weights[day_class(d)] += 1
        hour = int(start.split(":", 1)[0])
        hour -= hour % s.window_hours
        assumed_sum = 0.0
        assumed_w = 0
        n = 0
        total = 0.0
        sources: list[str] = []
        for day, weight in sorted(weights.items()):
            est = self.cells.get(Cell(channel, day, hour))
            if est is None:
                continue
            if est.assumed is not None and est.assumed > 0:
                assumed_sum += weight * est.assumed
                assumed_w += weight
            if est.n and est.mean_value is not None:
                n += est.n
                total += est.n * est.mean_value
                sources += est.sources[-1:]
        if not assumed_w:
            return SlotReach(1.0, "none", n, needed=s.min_observations)
        assumed = assumed_sum / assumed_w
        scale = self.scale.get(channel)
        if n < s.min_observations or not scale:
            # explore only once the channel has figures elsewhere: with none at all, every slot
            # keeps its assumption as it is
            bonus = s.explore if s.explore and scale else 0.0
            return SlotReach(
                1.0 + bonus,
                "none",
                n,
                explore=bonus > 0,
                assumed=assumed,
                needed=s.min_observations,
            )
        measured = total / n / scale
        learned = _shrink(n, measured, assumed, s)
        return SlotReach(
            _clamp_factor(self.cautious(channel, learned / assumed, n), s),
            confidence_of(n, s),
            n,
            measured=measured,
            assumed=assumed,
            source="; ".join(sources[-2:]),
            needed=s.min_observations,
            learned=_clamp_factor(learned / assumed, s),
        )

    def heat(self, channel: str) -> list[list[CellEstimate | None]]:
        """One row per weekday (Monday first), one column per hour (0-23): the estimate of
        the cell each (weekday, hour) falls in."""
        rows: list[list[CellEstimate | None]] = []
        w = self.settings.window_hours
        for weekday in range(7):
            cls = day_class(weekday)
            rows.append([self.cells.get(Cell(channel, cls, hour - hour % w)) for hour in range(24)])
        return rows

    def channels(self) -> list[str]:
        return sorted({c.channel for c in self.cells})


def confidence_of(n: int, settings: LearningSettings) -> str:
    if n < settings.min_observations:
        return "none"
    if n < max(settings.ok_observations, settings.min_observations):
        return "thin"
    return "ok"


def learn(
    observations: Iterable[Observation],
    assumed: Mapping[Cell, float],
    settings: LearningSettings | None = None,
) -> ReachModel:
    """The reach model of `observations` given the `assumed` reach of each cell (the mean
    share of the audiences a station slot in that cell reaches).

    A cell with observations but no assumption (no station slot there: a post sent at another
    time) is measured against its channel's scale and shrunk towards the channel's mean
    assumption; that is what `suggest` reads.
    """
    s = settings or LearningSettings()
    w = s.window_hours
    by_cell: dict[Cell, list[Observation]] = defaultdict(list)
    for obs in observations:
        if obs.value is None or obs.value < 0:
            continue
        by_cell[Cell.of(obs.channel, obs.when, w)].append(obs)
    scale: dict[str, float] = {}
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for cell, found in by_cell.items():
        a = assumed.get(cell)
        if a is None or a <= 0:
            continue
        acc = sums[cell.channel]
        acc[0] += sum(o.value for o in found)
        acc[1] += a * len(found)
    for channel, (total, base) in sums.items():
        if base > 0 and total > 0:
            scale[channel] = total / base
    spread: dict[str, float] = {}
    dev: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for cell, found in by_cell.items():
        logs = [math.log(o.value) for o in found if o.value > 0]
        if len(logs) >= 2:
            mean = sum(logs) / len(logs)
            acc = dev[cell.channel]
            acc[0] += sum((x - mean) ** 2 for x in logs)
            acc[1] += len(logs) - 1
    for channel in scale:
        ss, df = dev.get(channel, (0.0, 0.0))
        # the channel's own spread, weighed against [planning] spread as if that came from
        # SPREAD_PRIOR_DF figures, so that a few alike figures do not make the model bold
        spread[channel] = math.sqrt((ss + SPREAD_PRIOR_DF * s.spread**2) / (df + SPREAD_PRIOR_DF))
    prior_of: dict[str, float] = {}
    per_channel: dict[str, list[float]] = defaultdict(list)
    for cell, a in assumed.items():
        per_channel[cell.channel].append(a)
    for channel, values in per_channel.items():
        prior_of[channel] = sum(values) / len(values)
    cells: dict[Cell, CellEstimate] = {}
    for cell in set(assumed) | set(by_cell):
        found = by_cell.get(cell, [])
        n = len(found)
        a = assumed.get(cell)
        mean_value = sum(o.value for o in found) / n if n else None
        k = scale.get(cell.channel)
        measured = mean_value / k if (mean_value is not None and k) else None
        conf = confidence_of(n, s) if measured is not None else "none"
        prior = a if a is not None else prior_of.get(cell.channel)
        learned: float | None = None
        if conf != "none" and measured is not None and prior is not None:
            learned = _shrink(n, measured, prior, s)
        cells[cell] = CellEstimate(
            cell,
            n,
            a,
            measured,
            learned,
            conf,
            mean_value,
            [o.source for o in found if o.source],
        )
    return ReachModel(s, cells, scale, spread)


def slot_cells(channel: str, start: str, weekdays: Sequence[int], window_hours: int) -> list[Cell]:
    """The cells a weekly slot (its start "HH:MM" and weekdays) falls in."""
    hour = int(start.split(":", 1)[0])
    days = sorted({day_class(d) for d in weekdays})
    return [Cell(channel, d, hour - hour % window_hours) for d in days]


def mean_reach(reach: Mapping[str, float]) -> float:
    """A slot's assumed reach as one number: the mean share over its audience groups."""
    values = [float(v) for v in reach.values()]
    return sum(values) / len(values) if values else 0.0


@dataclass(frozen=True)
class Suggestion:
    """A slot class the figures favour that the station has no slot in."""

    cell: Cell
    learned: float
    best_own: float  # the best learned reach among the station's own cells of the channel
    n: int
    confidence: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "channel": self.cell.channel,
            "day": self.cell.day,
            "hour": self.cell.hour,
            "learned": round(self.learned, 4),
            "best_own": round(self.best_own, 4),
            "n": self.n,
            "confidence": self.confidence,
        }


def suggest(model: ReachModel, own: Iterable[Cell]) -> list[Suggestion]:
    """Cells with enough observations, no station slot, and a learned reach at least that of
    the station's median cell on the same channel; best first."""
    own = set(own)
    own_reach: dict[str, list[float]] = defaultdict(list)  # per channel
    for c, e in model.cells.items():
        if c in own:
            own_reach[c.channel].append(e.learned if e.learned is not None else (e.assumed or 0.0))
    for values in own_reach.values():
        values.sort()
    out: list[Suggestion] = []
    for cell, est in model.cells.items():
        if cell in own or est.learned is None or est.confidence == "none":
            continue
        mine = own_reach.get(cell.channel, [])
        median = mine[len(mine) // 2] if mine else 0.0
        if est.learned >= median:
            out.append(
                Suggestion(cell, est.learned, mine[-1] if mine else 0.0, est.n, est.confidence)
            )
    out.sort(key=lambda s: (-s.learned, s.cell))
    return out
