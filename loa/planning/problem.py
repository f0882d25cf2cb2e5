"""The planning problem: what a plan is made of and what it is worth, with no database (the stored
slots and plan are in `models`).

- A placement puts message m into slot instance i (one weekly slot on one day). It is worth
  `weight(m) x boost(m, day) x reach(m, i)`, where reach is the mean share of m's audience
  groups that the slot reaches, weight is 1 for normal and 2 for high priority (urgent items
  never enter the grid: the daemon airs and posts them at once) and boost comes from campaigns.
- A repeat in the same weekly slot within one ISO week reaches mostly the same people, so each
  one after the first costs `(1 - repeat_factor) x weight x reach`: repeats spread over
  different slots and so over different audiences.
- Constraints: instance capacity (radio: airtime seconds, after the bulletin's intro/outro,
  with the real clip duration when rendered, otherwise an estimate from the text; other
  channels: posts); wanted airings per ISO week (radio: the message's airings_per_week, other
  channels: [scheduler] social_posts_per_week), prorated when the window cuts a week; validity
  windows; at most `max_per_day` airings of one message per channel per day and
  `min_spacing_hours` between them; at most `max_same_topic` items of one topic per bulletin
  (topic variety); only slots that reach at least one of the message's audiences.
- High-priority messages not yet aired go first in the next bulletin (forced), then compete
  with double weight.

`loa.planning.search` finds a good plan of this model; benchmarks/planlab.py solves the same
model exactly (MILP) to check it.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from loa.content.models import Priority
from loa.core.registry import is_audio
from loa.planning.calendar import CampaignWindow
from loa.planning.settings import SchedulerSettings
from loa.planning.slots import SlotInstance

PRIORITY_WEIGHT: dict[str, float] = {Priority.NORMAL: 1.0, Priority.HIGH: 2.0}
PRIORITY_RANK: dict[str, int] = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2}


@dataclass(frozen=True)
class PlanItem:
    """What the planner needs of one message."""

    message_id: int
    topic: str
    audiences: tuple[str, ...]
    channels: frozenset[str]
    priority: str = Priority.NORMAL
    airings_per_week: int = 2
    duration_s: float = 60.0
    valid_from: date | None = None
    valid_until: date | None = None
    campaign_id: int | None = None
    zones: frozenset[str] = frozenset()  # loudspeaker zones it is for; empty = all

    def valid_on(self, day: date) -> bool:
        if self.valid_from and day < self.valid_from:
            return False
        return not (self.valid_until and day > self.valid_until)

    @property
    def weight(self) -> float:
        return PRIORITY_WEIGHT.get(self.priority, 1.0)


@dataclass(frozen=True)
class Airing:
    """An airing that already exists outside the instances being planned (done, or planned
    outside the window): it counts for weekly demand, daily limits, spacing and repeats."""

    message_id: int
    channel: str
    slot_id: int | None
    when: datetime


@dataclass(frozen=True)
class Placement:
    """Message `message_id` in instance number `instance` of the problem.

    kind: "new" (placed now), "kept" (from the previous plan), "pinned" (put there by hand:
    never moved by the planner), "locked" (already handed to a channel: never moved) or
    "forced" (a high-priority item first in the next bulletin).
    """

    message_id: int
    instance: int
    kind: str = "new"


@dataclass
class Problem:
    instances: Sequence[SlotInstance]
    items: Sequence[PlanItem]
    settings: SchedulerSettings = field(default_factory=SchedulerSettings)
    campaigns: Sequence[CampaignWindow] = ()
    history: Sequence[Airing] = ()
    kept: Sequence[Placement] = ()
    force_first: frozenset[int] = frozenset()
    window: tuple[date, date] | None = None  # first and last day planned (for prorating weeks)
    # (message id, instance) pairs dropped from the plan by hand: never placed there again
    banned: frozenset[tuple[int, int]] = frozenset()
    cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass
class Solution:
    placements: list[Placement]
    objective: float
    dropped: list[Placement] = field(default_factory=list)  # kept entries that no longer fit
    positions: dict[tuple[int, int], int] = field(default_factory=dict)  # (instance, msg) -> pos
    optimal: bool = True  # exact solvers: False when a time limit stopped the proof


def week_of(day: date) -> tuple[int, int]:
    iso = day.isocalendar()
    return (iso[0], iso[1])


def reach_of(item: PlanItem, reach: Mapping[str, float]) -> float:
    """Mean share of the item's audience groups that a slot reaches (all groups if none set)."""
    if item.audiences:
        return sum(float(reach.get(a, 0.0)) for a in item.audiences) / len(item.audiences)
    return sum(reach.values()) / len(reach) if reach else 0.0


class PlanModel:
    """Precomputed values and the mutable state of a plan under construction."""

    def __init__(self, problem: Problem) -> None:
        self.p = problem
        s = problem.settings
        self.items = {it.message_id: it for it in problem.items}
        self.inst = list(problem.instances)
        self.capacity = [
            (i.capacity - s.bulletin_overhead_s) if is_audio(i.channel) else i.capacity
            for i in self.inst
        ]
        self.load = [0.0] * len(self.inst)
        self.members: list[list[int]] = [[] for _ in self.inst]
        self.topics: list[Counter[str]] = [Counter() for _ in self.inst]
        self.count_week: Counter[tuple[int, str, tuple[int, int]]] = Counter()
        self.count_day: Counter[tuple[int, str, date]] = Counter()
        self.count_tmpl: Counter[tuple[int, int, tuple[int, int]]] = Counter()
        self.times: defaultdict[tuple[int, str], list[datetime]] = defaultdict(list)
        self.placed: dict[tuple[int, int], str] = {}
        self.spacing = timedelta(hours=s.min_spacing_hours)
        # values that do not depend on the plan are shared by every model of one problem
        self._reach: dict[tuple[int, int], float] = problem.cache.setdefault("reach", {})
        self._boost: dict[tuple[int | None, str, date], float] = problem.cache.setdefault(
            "boost", {}
        )
        self._elig: dict[int, frozenset[int]] = problem.cache.setdefault("elig", {})
        self.offer_base: dict[Any, Any] = problem.cache.setdefault("offers", {})
        self.day = [inst.start.date() for inst in self.inst]
        self.week = [week_of(d) for d in self.day]
        self.ordinal = [d.toordinal() for d in self.day]
        self.groups: defaultdict[tuple[str, tuple[int, int]], list[int]] = defaultdict(list)
        self.by_slot: defaultdict[int, list[int]] = defaultdict(list)
        for n, inst in enumerate(self.inst):
            self.groups[(inst.channel, self.week[n])].append(n)
            self.by_slot[inst.slot_id].append(n)
        self.aired_on: defaultdict[tuple[int, str], list[int]] = defaultdict(list)
        for airing in problem.history:
            self._count(airing.message_id, airing.channel, airing.slot_id, airing.when, +1)
        self._caps = self._week_caps()

    # sizes, values ---------------------------------------------------------------------------
    def size(self, item: PlanItem, i: int) -> float:
        if is_audio(self.inst[i].channel):
            return item.duration_s + self.p.settings.item_gap_s
        return 1.0

    def boost(self, item: PlanItem, day: date) -> float:
        key = (item.campaign_id, item.topic, day)
        best = self._boost.get(key)
        if best is None:
            best = 1.0
            for c in self.p.campaigns:
                if c.applies(item.campaign_id, item.topic, day):
                    best = max(best, c.boost)
            self._boost[key] = best
        return best

    def boosted(self, item: PlanItem) -> bool:
        """Whether any campaign could boost this item (on some day)."""
        return any(
            c.campaign_id == item.campaign_id or item.topic in c.topics for c in self.p.campaigns
        )

    def reach(self, item: PlanItem, i: int) -> float:
        inst = self.inst[i]
        key = (item.message_id, inst.slot_id)
        value = self._reach.get(key)
        if value is None:
            value = self._reach[key] = reach_of(item, inst.reach)
        return value

    def base(self, item: PlanItem, i: int) -> float:
        return item.weight * self.boost(item, self.day[i]) * self.reach(item, i)

    def penalty(self, item: PlanItem, i: int) -> float:
        return (1.0 - self.p.settings.repeat_factor) * item.weight * self.reach(item, i)

    def wanted(self, item: PlanItem, channel: str) -> int:
        if is_audio(channel):
            return item.airings_per_week
        return self.p.settings.social_posts_per_week

    def _week_caps(self) -> dict[tuple[int, str, tuple[int, int]], int]:
        """Per (message, channel, week): how many airings in total that ISO week may hold."""
        days_in: Counter[tuple[int, int]] = Counter()
        if self.p.window:
            first, last = self.p.window
            day = first
            while day <= last:
                days_in[week_of(day)] += 1
                day += timedelta(days=1)
        else:
            for d in {i.start.date() for i in self.inst}:
                days_in[week_of(d)] += 1
        caps: dict[tuple[int, str, tuple[int, int]], int] = {}
        for item in self.p.items:
            for channel in item.channels:
                wanted = self.wanted(item, channel)
                for week, n in days_in.items():
                    hist = self.count_week[(item.message_id, channel, week)]
                    caps[(item.message_id, channel, week)] = min(
                        wanted, hist + math.ceil(wanted * min(n, 7) / 7)
                    )
        return caps

    def cap(self, mid: int, channel: str, week: tuple[int, int]) -> int:
        return self._caps.get((mid, channel, week), 0)

    # state -------------------------------------------------------------------------------------
    def _count(self, mid: int, channel: str, slot_id: int | None, when: datetime, d: int) -> None:
        day = when.date()
        week = week_of(day)
        self.count_week[(mid, channel, week)] += d
        self.count_day[(mid, channel, day)] += d
        if d > 0:
            self.aired_on[(mid, channel)].append(day.toordinal())
        else:
            self.aired_on[(mid, channel)].remove(day.toordinal())
        if slot_id is not None:
            self.count_tmpl[(mid, slot_id, week)] += d
        if self.spacing:
            if d > 0:
                self.times[(mid, channel)].append(when)
            else:
                self.times[(mid, channel)].remove(when)

    def eligible(self, item: PlanItem, i: int) -> bool:
        found = self._elig.get(item.message_id)
        if found is None:
            found = self._elig[item.message_id] = frozenset(self._eligible_set(item))
        return i in found

    def _eligible_set(self, item: PlanItem) -> Iterable[int]:
        limited = item.valid_from is not None or item.valid_until is not None
        for members in self.by_slot.values():
            first = members[0]
            if self.inst[first].channel not in item.channels or self.reach(item, first) <= 0.0:
                continue
            zones = self.inst[first].zones
            if item.zones and zones and not item.zones & zones:
                continue  # a slot on other loudspeaker zones never reaches its listeners
            size = self.size(item, first)
            banned = self.p.banned
            for n in members:
                if (item.message_id, n) in banned:
                    continue
                if size <= self.capacity[n] and (not limited or item.valid_on(self.day[n])):
                    yield n

    def blocker(self, item: PlanItem, i: int, *, ignore_week: bool = False) -> str | None:
        """Why `item` cannot go into instance `i` now (None when it can)."""
        inst = self.inst[i]
        mid = item.message_id
        if (mid, i) in self.placed:
            return "placed"
        if not self.eligible(item, i):
            return "ineligible"
        day = self.day[i]
        week = self.week[i]
        if not ignore_week and self.count_week[(mid, inst.channel, week)] >= self.cap(
            mid, inst.channel, week
        ):
            return "week"
        if self.count_day[(mid, inst.channel, day)] >= self.p.settings.max_per_day:
            return "day"
        if self.spacing and any(
            abs(t - inst.start) < self.spacing for t in self.times[(mid, inst.channel)]
        ):
            return "spacing"
        if self.load[i] + self.size(item, i) > self.capacity[i] + 1e-9:
            return "capacity"
        if self.topics[i][item.topic] >= self.p.settings.max_same_topic:
            return "topic"
        return None

    def add(self, mid: int, i: int, kind: str) -> None:
        item = self.items[mid]
        inst = self.inst[i]
        self.placed[(mid, i)] = kind
        self.load[i] += self.size(item, i)
        self.members[i].append(mid)
        self.topics[i][item.topic] += 1
        self._count(mid, inst.channel, inst.slot_id, inst.start, +1)

    def remove(self, mid: int, i: int) -> None:
        item = self.items[mid]
        inst = self.inst[i]
        del self.placed[(mid, i)]
        self.load[i] -= self.size(item, i)
        self.members[i].remove(mid)
        self.topics[i][item.topic] -= 1
        self._count(mid, inst.channel, inst.slot_id, inst.start, -1)

    def objective(self) -> float:
        """objective_of() of the current placements, from the model's caches."""
        total = 0.0
        groups: dict[tuple[int, int, tuple[int, int]], float] = {}
        for mid, i in self.placed:
            item = self.items[mid]
            total += self.base(item, i)
            groups[(mid, self.inst[i].slot_id, self.week[i])] = self.penalty(item, i)
        for key, pen in groups.items():
            extra = self.count_tmpl[key] - 1
            if extra > 0:
                total -= pen * extra
        return total

    def solution(self, dropped: list[Placement]) -> Solution:
        placements = sorted(
            (Placement(m, i, k) for (m, i), k in self.placed.items()),
            key=lambda p: (self.inst[p.instance].start, p.instance, p.message_id),
        )
        return Solution(placements, self.objective(), dropped, order_positions(self))


def objective_of(problem: Problem, placements: Iterable[Placement]) -> float:
    """Total priority-weighted reach of a plan, with the same-slot repeat discount."""
    items = {it.message_id: it for it in problem.items}
    factor = 1.0 - problem.settings.repeat_factor
    total = 0.0
    groups: Counter[tuple[int, int, tuple[int, int]]] = Counter()
    pens: dict[tuple[int, int, tuple[int, int]], float] = {}
    for airing in problem.history:
        if airing.slot_id is not None:
            groups[(airing.message_id, airing.slot_id, week_of(airing.when.date()))] += 1
    for p in placements:
        item = items[p.message_id]
        inst = problem.instances[p.instance]
        day = inst.start.date()
        boost = max(
            [
                1.0,
                *(
                    c.boost
                    for c in problem.campaigns
                    if c.applies(item.campaign_id, item.topic, day)
                ),
            ]
        )
        reach = reach_of(item, inst.reach)
        total += item.weight * boost * reach
        key = (p.message_id, inst.slot_id, week_of(day))
        groups[key] += 1
        pens[key] = factor * item.weight * reach
    for key, pen in pens.items():
        total -= pen * max(0, groups[key] - 1)
    return total


def order_positions(model: PlanModel) -> dict[tuple[int, int], int]:
    """Order each instance's items: forced and high first, then by value, never two items of
    one topic in a row when another topic can come between them."""
    positions: dict[tuple[int, int], int] = {}
    for i, members in enumerate(model.members):
        if not members:
            continue
        if len(members) == 1:
            positions[(i, members[0])] = 0
            continue
        keys = {}
        for mid in members:
            item = model.items[mid]
            forced = 0 if model.placed.get((mid, i)) == "forced" else 1
            keys[mid] = (forced, PRIORITY_RANK.get(item.priority, 2), -model.base(item, i), mid)
        pending = sorted(members, key=keys.__getitem__)
        ordered: list[int] = []
        while pending:
            pick = 0
            if ordered and keys[pending[0]][:2] == (1, 2):
                last_topic = model.items[ordered[-1]].topic
                for n, mid in enumerate(pending):
                    if model.items[mid].topic != last_topic:
                        pick = n
                        break
            ordered.append(pending.pop(pick))
        for pos, mid in enumerate(ordered):
            positions[(i, mid)] = pos
    return positions
