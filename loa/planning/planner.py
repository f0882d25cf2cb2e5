"""The planner: places approved messages into slot instances to maximise priority-weighted reach.

The model (shared by the greedy solver and the exact MILP used to check it):

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

Re-planning keeps every entry that already ran or was handed to a channel, keeps future planned
entries that are still feasible, and only fills what is left: the same inputs give the same
plan, and a second run with no change changes nothing.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from loa.core.errors import LoaError
from loa.core.i18n import Catalog
from loa.planning.calendar import CampaignWindow
from loa.planning.settings import SchedulerSettings
from loa.planning.slots import SlotInstance

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from loa.content.models import Message
    from loa.core.station import Station

PRIORITY_WEIGHT = {"normal": 1.0, "high": 2.0}
PRIORITY_RANK = {"urgent": 0, "high": 1, "normal": 2}

T = Catalog(
    {
        "why_reach": ("độ phủ {reach:.2f} ({detail})", "reach {reach:.2f} ({detail})"),
        "why_boost": ('đợt "{name}" x{boost:g}', 'campaign "{name}" x{boost:g}'),
        "why_high": ("ưu tiên: đầu bản tin kế tiếp", "high priority: first in the next bulletin"),
        "why_kept": ("giữ nguyên từ lần lập lịch trước", "kept from the previous plan"),
        "why_repeat": ("lặp lại khung này trong tuần", "a repeat of this slot in the week"),
        "no_message": (
            "Không có tin số {id}. Xem danh sách: loa msg list",
            "No message with id {id}. See the list: loa msg list",
        ),
        "x_status": (
            "Tin chưa được duyệt (trạng thái: {status}); chỉ tin đã duyệt mới được lên "
            "lịch. Duyệt bằng: loa msg approve {id}",
            "The message is not approved (status: {status}); only approved messages "
            "are planned. Approve it with: loa msg approve {id}",
        ),
        "x_urgent": (
            'Tin khẩn cấp: không xếp vào khung giờ; "loa run" phát ngay trên loa và '
            "đăng ngay trên mọi kênh.",
            'Urgent: outside the slot grid; "loa run" airs it and posts it on every '
            "channel at once.",
        ),
        "x_expired": ("Tin đã hết hiệu lực ngày {day}.", "The message expired on {day}."),
        "x_not_yet": (
            "Tin chỉ có hiệu lực từ ngày {day}, sau khoảng lập lịch.",
            "The message is only valid from {day}, after the planned period.",
        ),
        "x_unconfigured": (
            "Kênh {channel}: chưa cấu hình trong loa.toml nên không lên lịch "
            "(xem: loa channels check).",
            "Channel {channel}: not configured in loa.toml, so nothing is planned "
            "(see: loa channels check).",
        ),
        "x_no_slot": (
            "Kênh {channel}: đài chưa có khung giờ nào (thêm bằng: loa slots add).",
            "Channel {channel}: the station has no slot (add one: loa slots add).",
        ),
        "x_no_reach": (
            "Kênh {channel}: không khung giờ nào tới được nhóm đối tượng của tin "
            "({audiences}); sửa độ phủ bằng: loa slots edit ID --reach NHÓM=0.5",
            "Channel {channel}: no slot reaches the message's audiences "
            "({audiences}); set a reach with: loa slots edit ID --reach GROUP=0.5",
        ),
        "x_count": (
            "Kênh {channel}: {placed} lần trong khoảng này (mong muốn {wanted} lần/tuần).",
            "Channel {channel}: {placed} times in this period (wanted {wanted} a week).",
        ),
        "x_short": (
            "Kênh {channel}: còn thiếu vì {why}.",
            "Channel {channel}: short because {why}.",
        ),
        "b_capacity": ("{n} khung đã đầy", "{n} slots full"),
        "b_day": ("{n} khung trùng ngày đã có tin này", "{n} slots on a day it already airs"),
        "b_topic": ("{n} khung đã đủ tin cùng chủ đề", "{n} slots with enough items on its topic"),
        "b_spacing": ("{n} khung quá gần lần phát khác", "{n} slots too close to another airing"),
        "b_blocked": ("{n} ngày nghỉ/lễ ({days})", "{n} blackout or holiday days ({days})"),
        "b_ineligible": (
            "{n} khung ngoài hiệu lực hoặc không đủ chỗ cho thời lượng",
            "{n} slots outside validity or too short for its duration",
        ),
    }
)


# --------------------------------------------------------------------------- the pure model


@dataclass(frozen=True)
class PlanItem:
    """What the planner needs of one message."""

    message_id: int
    topic: str
    audiences: tuple[str, ...]
    channels: frozenset[str]
    priority: str = "normal"
    airings_per_week: int = 2
    duration_s: float = 60.0
    valid_from: date | None = None
    valid_until: date | None = None
    campaign_id: int | None = None

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

    kind: "new" (placed now), "kept" (from the previous plan), "locked" (already handed to a
    channel: never moved) or "forced" (a high-priority item first in the next bulletin).
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
    cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass
class Solution:
    placements: list[Placement]
    objective: float
    dropped: list[Placement] = field(default_factory=list)  # kept entries that no longer fit
    positions: dict[tuple[int, int], int] = field(default_factory=dict)  # (instance, msg) -> pos
    optimal: bool = True  # solve_exact: False when the time limit stopped it before the proof


def week_of(day: date) -> tuple[int, int]:
    iso = day.isocalendar()
    return (iso[0], iso[1])


def reach_of(item: PlanItem, reach: Mapping[str, float]) -> float:
    """Mean share of the item's audience groups that a slot reaches (all groups if none set)."""
    if item.audiences:
        return sum(float(reach.get(a, 0.0)) for a in item.audiences) / len(item.audiences)
    return sum(reach.values()) / len(reach) if reach else 0.0


class _Model:
    """Precomputed values and the mutable state of a plan under construction."""

    def __init__(self, problem: Problem) -> None:
        self.p = problem
        s = problem.settings
        self.items = {it.message_id: it for it in problem.items}
        self.inst = list(problem.instances)
        self.capacity = [
            (i.capacity - s.bulletin_overhead_s) if i.channel == "radio" else i.capacity
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
        if self.inst[i].channel == "radio":
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
        if channel == "radio":
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
            size = self.size(item, first)
            for n in members:
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


def order_positions(model: _Model) -> dict[tuple[int, int], int]:
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


def _admit_kept(model: _Model, kept: Sequence[Placement]) -> list[Placement]:
    """Re-admit the previous plan's entries that still fit; return the ones that no longer do."""
    dropped: list[Placement] = []
    order = sorted(
        kept,
        key=lambda p: (p.kind != "locked", model.inst[p.instance].start, p.instance, p.message_id),
    )
    for p in order:
        item = model.items.get(p.message_id)
        if item is None:
            dropped.append(p)
            continue
        if p.kind == "locked":
            model.add(p.message_id, p.instance, "locked")
        elif model.blocker(item, p.instance) is None:
            model.add(p.message_id, p.instance, "kept")
        else:
            dropped.append(p)
    return dropped


def _force_high(model: _Model, dropped: list[Placement]) -> None:
    """Put each high-priority item of `force_first` first into the next radio bulletin it is
    valid for, moving kept normal items out of that bulletin if there is no room."""
    radio = [i for i, inst in enumerate(model.inst) if inst.channel == "radio"]
    for mid in sorted(model.p.force_first):
        item = model.items.get(mid)
        if item is None or "radio" not in item.channels:
            continue
        target = next((i for i in radio if model.eligible(item, i)), None)
        if target is None or (mid, target) in model.placed:
            continue
        day = model.inst[target].start.date()
        for (m, i), kind in list(model.placed.items()):
            if (
                m == mid
                and kind == "kept"
                and model.inst[i].channel == "radio"
                and model.inst[i].start.date() == day
            ):
                model.remove(m, i)
                dropped.append(Placement(m, i, kind))
        evictable = sorted(
            (
                m
                for m in model.members[target]
                if model.placed[(m, target)] == "kept" and model.items[m].priority == "normal"
            ),
            key=lambda m: (model.base(model.items[m], target), -m),
        )
        while (
            model.load[target] + model.size(item, target) > model.capacity[target] + 1e-9
            and evictable
        ):
            victim = evictable.pop(0)
            model.remove(victim, target)
            dropped.append(Placement(victim, target, "kept"))
        if model.blocker(item, target, ignore_week=True) in (None, "topic"):
            model.add(mid, target, "forced")


def _greedy_fill(
    model: _Model,
    density: float,
    only: str | None = None,
    forbid: frozenset[tuple[int, int]] = frozenset(),
) -> None:
    """Fill the remaining room, best offers first, one channel and one ISO week at a time."""
    for (channel, week), idx in sorted(model.groups.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        if only is not None and channel != only:
            continue
        templates, base = _offer_base(model, channel, week, idx)
        offers: list[tuple[float, int, int, int]] = []
        for mid, slot_id, value, pen, size, n_days in base:
            left = model.cap(mid, channel, week) - model.count_week[(mid, channel, week)]
            if left <= 0:
                continue
            have = model.count_tmpl[(mid, slot_id, week)]
            scale = size**density
            for k in range(have, have + min(left, n_days)):
                v = value if k == 0 else value - pen
                if v <= 0:
                    break
                offers.append((-v / scale, mid, slot_id, k))
        offers.sort()
        if not offers:
            continue
        min_size = min(b[4] for b in base)
        load, capacity, placed, count_day = (
            model.load,
            model.capacity,
            model.placed,
            model.count_day,
        )
        day, topics, ordinal, caps = model.day, model.topics, model.ordinal, model._caps
        max_per_day = model.p.settings.max_per_day
        max_topic = model.p.settings.max_same_topic
        spacing = bool(model.spacing)
        tfree = {
            t: max(model.capacity[i] - model.load[i] for i in members)
            for t, members in templates.items()
        }
        free = max(tfree.values())
        for _neg, mid, slot_id, _k in offers:
            if free < min_size - 1e-9:
                break
            item = model.items[mid]
            if tfree[slot_id] < model.size(item, idx[0]) - 1e-9:
                continue
            if model.count_week[(mid, channel, week)] >= caps.get((mid, channel, week), 0):
                continue
            best: tuple[Any, ...] | None = None
            size = model.size(item, idx[0])
            aired = model.aired_on.get((mid, channel))
            limited = item.valid_from is not None or item.valid_until is not None
            for i in templates[slot_id]:
                # the cheap, usual refusals first; blocker() holds the full rule set
                if (
                    load[i] + size > capacity[i] + 1e-9
                    or (mid, i) in placed
                    or (mid, i) in forbid
                    or count_day[(mid, channel, day[i])] >= max_per_day
                    or topics[i][item.topic] >= max_topic
                ):
                    continue
                if limited and not item.valid_on(day[i]):
                    continue
                if spacing and model.blocker(item, i) is not None:
                    continue
                near = min([8, *(abs(o - ordinal[i]) for o in aired)]) if aired else 8
                key = (
                    -model.boost(item, model.day[i]),
                    -near,
                    -(model.capacity[i] - model.load[i]),
                    model.inst[i].start,
                    i,
                )
                if best is None or key < best:
                    best = key
            if best is None:
                continue
            i = best[-1]
            model.add(mid, i, "new")
            tfree[slot_id] = max(model.capacity[j] - model.load[j] for j in templates[slot_id])
            free = max(tfree.values())


def _offer_base(model: _Model, channel: str, week: tuple[int, int], idx: list[int]) -> Any:
    """Per (item, weekly slot) of one channel and week: value, repeat cost, size and the number
    of eligible days. Independent of the plan, so computed once per problem."""
    key = (channel, week)
    found = model.offer_base.get(key)
    if found is not None:
        return found
    templates: defaultdict[int, list[int]] = defaultdict(list)
    for i in idx:
        templates[model.inst[i].slot_id].append(i)
    tlist = [
        (t, members, model.inst[members[0]].reach, min(model.capacity[i] for i in members))
        for t, members in templates.items()
    ]
    radio = channel == "radio"
    gap = model.p.settings.item_gap_s
    factor = 1.0 - model.p.settings.repeat_factor
    reach_cache = model._reach
    base = []
    for item in model.p.items:
        if channel not in item.channels:
            continue
        mid = item.message_id
        weight = item.weight
        limited = item.valid_from is not None or item.valid_until is not None
        boosted = model.boosted(item)
        size = item.duration_s + gap if radio else 1.0
        for slot_id, members, reach_map, min_cap in tlist:
            reach = reach_cache.get((mid, slot_id))
            if reach is None:
                reach = reach_cache[(mid, slot_id)] = reach_of(item, reach_map)
            if reach <= 0.0:
                continue
            if not limited and size <= min_cap:
                days = members
            else:
                days = [
                    i for i in members if size <= model.capacity[i] and item.valid_on(model.day[i])
                ]
                if not days:
                    continue
            boost = max(model.boost(item, model.day[i]) for i in days) if boosted else 1.0
            base.append(
                (mid, slot_id, weight * boost * reach, factor * weight * reach, size, len(days))
            )
    found = model.offer_base[key] = (templates, base)
    return found


def _nearest_day(model: _Model, mid: int, channel: str, ordinal: int) -> int:
    """Days from a day to the message's nearest other airing on the channel (at most 8)."""
    return min([8, *(abs(o - ordinal) for o in model.aired_on.get((mid, channel), ()))])


def _improve(model: _Model, only: str | None = None) -> bool:
    """Local search: move a placement to another instance of its channel and week when that
    raises the objective (first improvement, deterministic order). True if anything moved."""
    improved = False
    for (mid, i), kind in sorted(model.placed.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        inst = model.inst[i]
        if kind != "new" or (mid, i) not in model.placed or (only and inst.channel != only):
            continue
        item = model.items[mid]
        before = _local_value(model, mid, i)
        model.remove(mid, i)
        best_gain, best_j = 1e-9, None
        for j in model.groups[(inst.channel, week_of(inst.start.date()))]:
            if j == i or model.blocker(item, j) is not None:
                continue
            gain = _local_value(model, mid, j, adding=True) - before
            if gain > best_gain:
                best_gain, best_j = gain, j
        model.add(mid, best_j if best_j is not None else i, "new")
        improved = improved or best_j is not None
    return improved


def _swap(model: _Model, only: str | None = None) -> bool:
    """Local search: in a full instance, replace a placed item by a more valuable one that is
    missing airings, then re-place the removed item elsewhere if it fits. True if any swap."""
    swapped = False
    for (channel, week), idx in sorted(model.groups.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        if only is not None and channel != only:
            continue
        wanting = [
            it
            for it in model.p.items
            if channel in it.channels
            and model.count_week[(it.message_id, channel, week)]
            < model.cap(it.message_id, channel, week)
        ]
        for i in idx:
            values = {
                m: _local_value(model, m, i)
                for m in model.members[i]
                if model.placed[(m, i)] == "new"
            }
            if not values:
                continue
            floor = min(values.values())
            candidates = []
            for item in wanting:
                gain_in = _local_value(model, item.message_id, i, adding=True)
                if gain_in > floor + 1e-9 and model.eligible(item, i):
                    candidates.append((-gain_in, item.message_id))
            for neg_gain, mid in sorted(candidates)[:8]:
                item = model.items[mid]
                if model.count_week[(mid, channel, week)] >= model.cap(mid, channel, week):
                    continue
                if model.blocker(item, i) not in ("capacity", "topic"):
                    continue
                gain_in = -neg_gain
                for victim in sorted(
                    model.members[i], key=lambda m: (_local_value(model, m, i), m)
                ):
                    if model.placed[(victim, i)] != "new":
                        continue
                    loss = _local_value(model, victim, i)
                    if gain_in <= loss + 1e-9:
                        break
                    model.remove(victim, i)
                    if model.blocker(item, i) is not None:
                        model.add(victim, i, "new")
                        continue
                    model.add(mid, i, "new")
                    _place_best(model, model.items[victim], idx)
                    swapped = True
                    break
                else:
                    swapped = _swap_two(model, item, i, gain_in, idx) or swapped
    return swapped


def _swap_two(model: _Model, item: PlanItem, i: int, gain_in: float, idx: Sequence[int]) -> bool:
    """Replace two placed items of instance `i` by `item` when it is worth more than both."""
    from itertools import combinations

    news = sorted(m for m in model.members[i] if model.placed[(m, i)] == "new")
    pairs = sorted(
        (_local_value(model, x, i) + _local_value(model, y, i), x, y)
        for x, y in combinations(news, 2)
    )
    for loss, x, y in pairs:
        if gain_in <= loss + 1e-9:
            return False
        model.remove(x, i)
        model.remove(y, i)
        if model.blocker(item, i) is None:
            model.add(item.message_id, i, "new")
            _place_best(model, model.items[x], idx)
            _place_best(model, model.items[y], idx)
            return True
        model.add(x, i, "new")
        model.add(y, i, "new")
    return False


def _make_room(model: _Model, only: str | None = None) -> bool:
    """Local search for packing: move one item of a full instance to another instance of its
    week (or swap it with one there) when that lets a missing, more valuable item in. True if
    anything changed."""
    changed = False
    for (channel, week), idx in sorted(model.groups.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        if (only is not None and channel != only) or channel != "radio":
            continue
        for a in idx:
            wanting = sorted(
                (
                    it
                    for it in model.p.items
                    if model.count_week[(it.message_id, channel, week)]
                    < model.cap(it.message_id, channel, week)
                    and model.blocker(it, a) == "capacity"
                ),
                key=lambda it: (-model.base(it, a), it.message_id),
            )[:5]
            for z in wanting:
                if model.blocker(z, a) != "capacity":
                    continue
                if _move_for(model, z, a, idx) or _swap_for(model, z, a, idx):
                    changed = True
    return changed


def _move_for(model: _Model, z: PlanItem, a: int, idx: Sequence[int]) -> bool:
    need = model.size(z, a)
    for x in sorted(model.members[a], key=lambda m: (_local_value(model, m, a), m)):
        if model.placed.get((x, a)) != "new":
            continue
        item = model.items[x]
        if model.load[a] - model.size(item, a) + need > model.capacity[a] + 1e-9:
            continue
        before = _local_value(model, x, a)
        model.remove(x, a)
        for b in idx:
            if b == a or model.blocker(item, b) is not None:
                continue
            model.add(x, b, "new")
            if model.blocker(z, a) is None:
                gain = (
                    _local_value(model, z.message_id, a, adding=True)
                    + _local_value(model, x, b)
                    - before
                )
                if gain > 1e-9:
                    model.add(z.message_id, a, "new")
                    return True
            model.remove(x, b)
        model.add(x, a, "new")
    return False


def _swap_for(model: _Model, z: PlanItem, a: int, idx: Sequence[int]) -> bool:
    need = model.size(z, a)
    for x in list(model.members[a]):
        if model.placed.get((x, a)) != "new":
            continue
        ix = model.items[x]
        for b in idx:
            if b == a:
                continue
            for y in list(model.members[b]):
                iy = model.items[y]
                if (
                    model.placed.get((y, b)) != "new"
                    or y == x
                    or model.size(iy, a) >= model.size(ix, a)
                ):
                    continue
                if (
                    model.load[a] - model.size(ix, a) + model.size(iy, a) + need
                    > model.capacity[a] + 1e-9
                ):
                    continue
                before = _local_value(model, x, a) + _local_value(model, y, b)
                model.remove(x, a)
                model.remove(y, b)
                if model.blocker(ix, b) is None:
                    model.add(x, b, "new")
                    if model.blocker(iy, a) is None:
                        model.add(y, a, "new")
                        if model.blocker(z, a) is None:
                            gain = (
                                _local_value(model, z.message_id, a, adding=True)
                                + _local_value(model, x, b)
                                + _local_value(model, y, a)
                                - before
                            )
                            if gain > 1e-9:
                                model.add(z.message_id, a, "new")
                                return True
                        model.remove(y, a)
                    model.remove(x, b)
                model.add(y, b, "new")
                model.add(x, a, "new")
    return False


def _place_best(model: _Model, item: PlanItem, idx: Sequence[int]) -> None:
    best: tuple[float, int] | None = None
    for j in idx:
        if model.blocker(item, j) is None:
            key = (-_local_value(model, item.message_id, j, adding=True), j)
            if best is None or key < best:
                best = key
    if best is not None:
        model.add(item.message_id, best[1], "new")


def _local_value(model: _Model, mid: int, i: int, adding: bool = False) -> float:
    """The value one placement of `mid` in `i` contributes (its base minus the repeat cost it
    causes), given the rest of the plan."""
    item = model.items[mid]
    n = model.count_tmpl[(mid, model.inst[i].slot_id, model.week[i])]
    others = n if adding else n - 1
    return model.base(item, i) - (model.penalty(item, i) if others >= 1 else 0.0)


def solve(problem: Problem, *, local_search: bool | None = None) -> Solution:
    """Plan: keep what still fits, force high-priority items, fill greedily best-first, then
    improve by local search (moves and swaps). The radio, a knapsack on airtime, is also
    filled in value-per-second and value-per-root-second order and the best kept.
    Deterministic."""
    model = _Model(problem)
    dropped = _admit_kept(model, problem.kept)
    _force_high(model, dropped)
    start = dict(model.placed)
    small = (
        len(problem.items) * len(problem.instances) <= LOCAL_SEARCH_PAIRS
        if local_search is None
        else local_search
    )
    # on social channels (size 1) both orders are the same, so one fill serves both
    _fill_and_improve(model, 0.0 if small else 1.0, search=small)
    if not small or not any(inst.channel == "radio" for inst in model.inst):
        return model.solution(dropped)

    def radio_value(m: _Model) -> float:
        return objective_of(
            problem,
            [
                Placement(mi, i, k)
                for (mi, i), k in m.placed.items()
                if m.inst[i].channel == "radio"
            ],
        )

    best, best_value = model, radio_value(model)
    for density in (1.0, 0.5):
        other = _Model(problem)
        for (mid, i), kind in start.items():
            other.add(mid, i, kind)
        _fill_and_improve(other, density, only="radio")
        value = radio_value(other)
        if value > best_value + 1e-9:
            best, best_value = other, value
    _ruin_and_recreate(best, radio_value, RUIN_ROUNDS)
    if best is not model:
        for (mid, i), _kind in list(model.placed.items()):
            if model.inst[i].channel == "radio":
                model.remove(mid, i)
        for (mid, i), kind in best.placed.items():
            if best.inst[i].channel == "radio":
                model.add(mid, i, kind)
    return model.solution(dropped)


# Local search runs when items x instances stays under this (a commune week: 20-40 messages x
# ~60 slot instances = 1,200-2,400);
# a province-size batch relies on the greedy alone to stay fast. A count, not a timer, so the
# plan stays deterministic.
LOCAL_SEARCH_PAIRS = 8_000


RUIN_ROUNDS = 40


def _ruin_and_recreate(model: _Model, value: Callable[[_Model], float], rounds: int) -> None:
    """Radio packing search: take a fifth of the new radio placements out, refill in another
    order without putting them straight back, polish, and keep the result only if it is better.
    The random choices come from a generator seeded by the problem's size: deterministic."""
    import random

    rng = random.Random(len(model.inst) * 7919 + len(model.p.items))
    best = value(model)
    for _ in range(rounds):
        snapshot = {k: v for k, v in model.placed.items() if model.inst[k[1]].channel == "radio"}
        movable = sorted(k for k, v in snapshot.items() if v == "new")
        if len(movable) < 2:
            return
        victims = rng.sample(movable, max(1, len(movable) // 5))
        for mid, i in victims:
            model.remove(mid, i)
        density = rng.choice((0.0, 0.5, 1.0))
        _greedy_fill(model, density, only="radio", forbid=frozenset(victims))
        _improve(model, "radio")
        _make_room(model, "radio")
        _greedy_fill(model, density, only="radio")
        now = value(model)
        if now > best + 1e-9:
            best = now
            continue
        for key in [k for k in model.placed if model.inst[k[1]].channel == "radio"]:
            model.remove(*key)
        for (mid, i), kind in sorted(snapshot.items(), key=lambda kv: (kv[0][1], kv[0][0])):
            model.add(mid, i, kind)


def _fill_and_improve(
    model: _Model, density: float, only: str | None = None, search: bool = True
) -> None:
    _greedy_fill(model, density, only)
    if not search:
        return
    for _ in range(3):
        changed = _improve(model, only)
        changed = _swap(model, only) or changed
        changed = _make_room(model, only) or changed
        _greedy_fill(model, density, only)
        if not changed:
            break


def solve_exact(problem: Problem, *, time_limit: float = 60.0) -> Solution:
    """The optimum of the same model by MILP (scipy.optimize.milp, HiGHS), for checking the
    greedy planner on small instances. `kept` placements are treated as fixed."""
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_matrix

    model = _Model(problem)
    for p in problem.kept:
        model.add(p.message_id, p.instance, p.kind)
    pairs = [
        (it.message_id, i)
        for it in problem.items
        for i in range(len(model.inst))
        if model.blocker(it, i, ignore_week=True) in (None, "capacity", "topic")
        and model.size(it, i) <= model.capacity[i] - model.load[i] + 1e-9
    ]
    nx = len(pairs)
    groups: dict[tuple[int, int, tuple[int, int]], list[int]] = defaultdict(list)
    for v, (mid, i) in enumerate(pairs):
        inst = model.inst[i]
        groups[(mid, inst.slot_id, week_of(inst.start.date()))].append(v)
    gkeys = list(groups)
    c = np.zeros(nx + len(gkeys))
    for v, (mid, i) in enumerate(pairs):
        c[v] = -model.base(model.items[mid], i)
    for g, key in enumerate(gkeys):
        mid, _slot, _week = key
        c[nx + g] = model.penalty(model.items[mid], pairs[groups[key][0]][1])
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    ub: list[float] = []
    lb: list[float] = []

    def row(entries: Iterable[tuple[int, float]], upper: float) -> None:
        r = len(ub)
        for col, val in entries:
            rows.append(r)
            cols.append(col)
            vals.append(val)
        ub.append(upper)
        lb.append(-np.inf)

    by_inst: defaultdict[int, list[int]] = defaultdict(list)
    by_week: defaultdict[tuple[int, str, tuple[int, int]], list[int]] = defaultdict(list)
    by_day: defaultdict[tuple[int, str, date], list[int]] = defaultdict(list)
    by_topic: defaultdict[tuple[int, str], list[int]] = defaultdict(list)
    by_msg_ch: defaultdict[tuple[int, str], list[int]] = defaultdict(list)
    for v, (mid, i) in enumerate(pairs):
        inst = model.inst[i]
        day = inst.start.date()
        by_inst[i].append(v)
        by_week[(mid, inst.channel, week_of(day))].append(v)
        by_day[(mid, inst.channel, day)].append(v)
        by_topic[(i, model.items[mid].topic)].append(v)
        by_msg_ch[(mid, inst.channel)].append(v)
    for i, vs in by_inst.items():
        row(
            ((v, model.size(model.items[pairs[v][0]], i)) for v in vs),
            model.capacity[i] - model.load[i],
        )
    for (mid, ch, week), vs in by_week.items():
        row(((v, 1.0) for v in vs), model.cap(mid, ch, week) - model.count_week[(mid, ch, week)])
    for (mid, ch, day), vs in by_day.items():
        row(((v, 1.0) for v in vs), problem.settings.max_per_day - model.count_day[(mid, ch, day)])
    for (i, topic), vs in by_topic.items():
        row(((v, 1.0) for v in vs), problem.settings.max_same_topic - model.topics[i][topic])
    for g, key in enumerate(gkeys):
        row([*((v, 1.0) for v in groups[key]), (nx + g, -1.0)], 1.0 - model.count_tmpl[key])
    if model.spacing:
        for vs in by_msg_ch.values():
            for a in range(len(vs)):
                for b in range(a + 1, len(vs)):
                    ta = model.inst[pairs[vs[a]][1]].start
                    tb = model.inst[pairs[vs[b]][1]].start
                    if abs(ta - tb) < model.spacing:
                        row(((vs[a], 1.0), (vs[b], 1.0)), 1.0)
    integrality = np.concatenate([np.ones(nx), np.zeros(len(gkeys))])
    upper = np.concatenate([np.ones(nx), np.full(len(gkeys), np.inf)])
    constraints = []
    if ub:
        matrix = coo_matrix((vals, (rows, cols)), shape=(len(ub), nx + len(gkeys))).tocsr()
        constraints.append(LinearConstraint(matrix, np.array(lb), np.array(ub)))
    result = milp(
        c,
        constraints=constraints,
        integrality=integrality,
        bounds=Bounds(np.zeros(nx + len(gkeys)), upper),
        options={"time_limit": time_limit},
    )
    if result.x is None:
        raise RuntimeError(f"MILP failed: {result.message}")
    for v, (mid, i) in enumerate(pairs):
        if result.x[v] > 0.5:
            model.add(mid, i, "new")
    solution = model.solution([])
    solution.optimal = result.status == 0
    return solution


# --------------------------------------------------------------------------- durations


def estimate_duration(text: str, words_per_second: float = 2.5) -> float:
    """Seconds a Vietnamese announcer needs for `text`: words at the speaking rate (Vietnamese
    syllables are written as words; ~2.5 per second on commune radio) plus a short pause at
    each sentence end. A seam: the planner calls it only for messages with no rendered clip."""
    words = len(text.split())
    pauses = sum(text.count(ch) for ch in ".!?;\n")
    return round(words / words_per_second + 0.4 * pauses, 1)


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


def message_duration(
    message: Message, rendered: Mapping[int, float], estimate: Callable[[str], float]
) -> float:
    return rendered.get(message.id) or estimate(message.spoken_text)


# --------------------------------------------------------------------------- the station plan


@dataclass
class PlanReport:
    """What `plan()` did."""

    start: date
    days: int
    added: int = 0
    kept: int = 0
    removed: int = 0
    locked: int = 0
    objective: float = 0.0
    per_message: dict[int, dict[str, int]] = field(default_factory=dict)  # id -> channel -> count
    wanted: dict[int, dict[str, int]] = field(default_factory=dict)
    blocked: dict[date, str] = field(default_factory=dict)
    urgent: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "days": self.days,
            "added": self.added,
            "kept": self.kept,
            "removed": self.removed,
            "locked": self.locked,
            "objective": round(self.objective, 4),
            "per_message": {str(k): v for k, v in self.per_message.items()},
            "wanted": {str(k): v for k, v in self.wanted.items()},
            "blocked": {d.isoformat(): r for d, r in self.blocked.items()},
            "urgent": self.urgent,
        }


def configured_channels(station: Station, names: Iterable[str]) -> set[str]:
    """The channels among `names` the station can publish on (a Facebook Page with its id, ...):
    the planner never plans a post nobody can send. The radio always counts."""
    out = {"radio"} & set(names)
    try:
        from loa.channels.base import channel_class
    except ImportError:  # the channels area is optional for planning
        return set(names)
    for name in set(names) - out:
        try:
            if channel_class(name).is_configured(station):
                out.add(name)
        except LoaError:
            continue
    return out


def plannable_messages(session: Session, first: date, last: date) -> list[Message]:
    """Approved, non-urgent messages valid on at least one day of [first, last]."""
    from sqlalchemy import select

    from loa.content.models import Message

    out = []
    for message in session.scalars(
        select(Message).where(Message.status == "approved").order_by(Message.id)
    ):
        if message.priority == "urgent":
            continue
        if message.valid_until and message.valid_until < first:
            continue
        if message.valid_from and message.valid_from > last:
            continue
        out.append(message)
    return out


def build_problem(
    station: Station, session: Session, start: date, days: int, *, now: datetime
) -> tuple[Problem, dict[str, Any]]:
    """Read the station into a Problem for [start, start + days). Also returns the lookup
    tables `plan()` needs to write the result back (entries by instance, ...)."""
    from sqlalchemy import select

    from loa.channels.models import Publication
    from loa.planning.calendar import blocked_days, campaign_windows
    from loa.planning.models import PlanEntry
    from loa.planning.slots import expand_slots, list_slots

    settings = SchedulerSettings.from_station(station)
    last = start + timedelta(days=days - 1)
    blocked = blocked_days(session, start, last, holidays=settings.skip_holidays)
    slots = list_slots(session)
    usable = configured_channels(station, {s.channel for s in slots})
    instances = expand_slots(
        [s for s in slots if s.channel in usable], start, days, blocked=blocked, after=now
    )
    index = {(inst.slot_id, inst.start): n for n, inst in enumerate(instances)}
    messages = plannable_messages(session, start, last)
    rendered = rendered_durations(station)

    def estimate(text: str) -> float:
        return estimate_duration(text, settings.words_per_second)

    items = [
        PlanItem(
            m.id,
            m.topic_code,
            tuple(m.audience_codes),
            frozenset(m.channels) & usable,
            m.priority,
            m.airings_per_week,
            message_duration(m, rendered, estimate),
            m.valid_from,
            m.valid_until,
            m.campaign_id,
        )
        for m in messages
    ]
    week_start = start - timedelta(days=start.weekday())
    week_end = last + timedelta(days=6 - last.weekday())
    horizon = timedelta(hours=settings.min_spacing_hours)
    lo = datetime.combine(week_start, datetime.min.time()) - horizon
    hi = datetime.combine(week_end, datetime.max.time()) + horizon
    entries = list(
        session.scalars(
            select(PlanEntry)
            .where(PlanEntry.scheduled_at >= lo, PlanEntry.scheduled_at <= hi)
            .order_by(PlanEntry.scheduled_at, PlanEntry.id)
        )
    )
    handed = set(
        session.scalars(
            select(Publication.plan_entry_id).where(Publication.plan_entry_id.is_not(None))
        )
    )
    history: list[Airing] = []
    kept: list[Placement] = []
    entry_at: dict[tuple[int, int], PlanEntry] = {}
    for entry in entries:
        if entry.channel == "urgent" or entry.status in ("skipped", "failed", "cancelled"):
            continue
        if entry.slot_id is None:  # outside the grid (urgent, added by hand): never moved
            history.append(Airing(entry.message_id, entry.channel, None, entry.scheduled_at))
            continue
        n = index.get((entry.slot_id or 0, entry.scheduled_at))
        future = entry.scheduled_at >= now and start <= entry.scheduled_at.date() <= last
        if entry.status == "planned" and future and n is not None:
            kind = "locked" if entry.id in handed else "kept"
            kept.append(Placement(entry.message_id, n, kind))
            entry_at[(entry.message_id, n)] = entry
        elif entry.status == "planned" and future and entry.id not in handed:
            entry_at[(entry.message_id, -entry.id)] = entry  # its slot or day is gone: dropped
        else:
            history.append(
                Airing(entry.message_id, entry.channel, entry.slot_id, entry.scheduled_at)
            )
    aired_radio = set(
        session.scalars(
            select(PlanEntry.message_id).where(
                PlanEntry.channel == "radio", PlanEntry.status == "done"
            )
        )
    )
    force = frozenset(m.id for m in messages if m.priority == "high" and m.id not in aired_radio)
    problem = Problem(
        instances,
        items,
        settings,
        campaign_windows(session),
        history,
        kept,
        force,
        (max(start, now.date()), last),
    )
    return problem, {"entries": entry_at, "blocked": blocked, "messages": messages}


def _reason(model: _Model, p: Placement, messages: Mapping[int, Message]) -> str:
    item = model.items[p.message_id]
    inst = model.inst[p.instance]
    detail = ", ".join(f"{a} {float(inst.reach.get(a, 0.0)):.2f}" for a in item.audiences)
    parts = [T("why_reach", reach=reach_of(item, inst.reach), detail=detail or "-")]
    for c in model.p.campaigns:
        if c.applies(item.campaign_id, item.topic, inst.start.date()):
            parts.append(T("why_boost", name=c.name, boost=c.boost))
    if p.kind == "forced":
        parts.append(T("why_high"))
    if p.kind in ("kept", "locked"):
        parts.append(T("why_kept"))
    return "; ".join(parts)


def plan(station: Station, start: date, days: int, *, now: datetime) -> PlanReport:
    """Plan [start, start + days) for the station, in one transaction, and return what changed.

    Entries that already ran, or were handed to a channel, are kept as they are; future planned
    entries stay where they are when they still fit; the rest is filled by `solve`.
    """
    from sqlalchemy import select

    from loa.planning.models import PlanEntry

    report = PlanReport(start, days)
    with station.transaction() as session:
        problem, tables = build_problem(station, session, start, days, now=now)
        solution = solve(problem)
        model = _Model(problem)
        entries: dict[tuple[int, int], PlanEntry] = tables["entries"]
        messages = {m.id: m for m in tables["messages"]}
        chosen = {(p.message_id, p.instance) for p in solution.placements}
        for key, entry in list(entries.items()):
            if key not in chosen:
                session.delete(entry)
                report.removed += 1
        session.flush()
        for p in solution.placements:
            inst = problem.instances[p.instance]
            item = model.items[p.message_id]
            found = entries.get((p.message_id, p.instance))
            if found is None:
                entry = PlanEntry(
                    message_id=p.message_id,
                    channel=inst.channel,
                    slot_id=inst.slot_id,
                    scheduled_at=inst.start,
                    status="planned",
                    created_at=now,
                )
                session.add(entry)
                report.added += 1
            else:
                entry = found
                if p.kind == "locked":
                    report.locked += 1
                else:
                    report.kept += 1
            entry.position = solution.positions.get((p.instance, p.message_id), 0)
            entry.duration_s = item.duration_s if inst.channel == "radio" else 0.0
            entry.score = round(model.base(item, p.instance), 4)
            entry.reason = _reason(model, p, messages)
        report.objective = solution.objective
        report.blocked = tables["blocked"]
        for item in problem.items:
            report.wanted[item.message_id] = {
                ch: model.wanted(item, ch) for ch in sorted(item.channels)
            }
            report.per_message[item.message_id] = {ch: 0 for ch in sorted(item.channels)}
        last = start + timedelta(days=days - 1)
        for entry in session.scalars(
            select(PlanEntry).where(
                PlanEntry.scheduled_at >= datetime.combine(start, datetime.min.time()),
                PlanEntry.scheduled_at <= datetime.combine(last, datetime.max.time()),
                PlanEntry.status.in_(("planned", "done")),
            )
        ):
            counts = report.per_message.setdefault(entry.message_id, {})
            counts[entry.channel] = counts.get(entry.channel, 0) + 1
        from loa.content.models import Message

        report.urgent = list(
            session.scalars(
                select(Message.id)
                .where(Message.status == "approved", Message.priority == "urgent")
                .order_by(Message.id)
            )
        )
    return report


# --------------------------------------------------------------------------- explain


@dataclass
class Explanation:
    message_id: int
    title: str
    lines: list[str]
    entries: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "message_id": self.message_id,
            "title": self.title,
            "lines": self.lines,
            "entries": self.entries,
        }


def explain(
    station: Station, message_id: int, start: date, days: int, *, now: datetime
) -> Explanation:
    """Why a message went where it went in [start, start + days), or why it was left out.

    Raises UserError for an unknown message id.
    """
    from sqlalchemy import select

    from loa.content.models import Message
    from loa.core.errors import UserError
    from loa.planning.models import PlanEntry, Slot

    last = start + timedelta(days=days - 1)
    with station.transaction() as session:
        message = session.get(Message, message_id)
        if message is None:
            raise UserError(T("no_message", id=message_id))
        out = Explanation(message.id, message.title, [], [])
        slots = {s.id: s for s in session.scalars(select(Slot))}
        lo = datetime.combine(start, datetime.min.time())
        for entry in session.scalars(
            select(PlanEntry)
            .where(
                PlanEntry.message_id == message_id,
                PlanEntry.scheduled_at >= lo,
                PlanEntry.scheduled_at < lo + timedelta(days=days),
            )
            .order_by(PlanEntry.scheduled_at, PlanEntry.channel)
        ):
            slot = slots.get(entry.slot_id or -1)
            out.entries.append(
                {
                    "when": entry.scheduled_at.isoformat(timespec="minutes"),
                    "channel": entry.channel,
                    "slot": slot.name if slot else "",
                    "position": entry.position,
                    "status": entry.status,
                    "score": entry.score,
                    "reason": entry.reason or "",
                }
            )
        if message.status != "approved":
            out.lines.append(T("x_status", status=message.status, id=message.id))
            return out
        if message.priority == "urgent":
            out.lines.append(T("x_urgent"))
            return out
        if message.valid_until and message.valid_until < start:
            out.lines.append(T("x_expired", day=message.valid_until.strftime("%d/%m/%Y")))
            return out
        if message.valid_from and message.valid_from > last:
            out.lines.append(T("x_not_yet", day=message.valid_from.strftime("%d/%m/%Y")))
            return out
        problem, _tables = build_problem(station, session, start, days, now=now)
        item = next(it for it in problem.items if it.message_id == message_id)
        model = _Model(problem)
        for entry in session.scalars(
            select(PlanEntry).where(
                PlanEntry.scheduled_at >= lo,
                PlanEntry.scheduled_at < lo + timedelta(days=days),
                PlanEntry.status == "planned",
            )
        ):
            n = next(
                (
                    k
                    for k, inst in enumerate(model.inst)
                    if inst.slot_id == entry.slot_id and inst.start == entry.scheduled_at
                ),
                None,
            )
            if (
                n is not None
                and entry.message_id in model.items
                and (entry.message_id, n) not in model.placed
            ):
                model.add(entry.message_id, n, "kept")
        blocked = _tables["blocked"]
        for channel in sorted(set(message.channels) - item.channels):
            out.lines.append(T("x_unconfigured", channel=channel))
        for channel in sorted(item.channels):
            own = [s for s in slots.values() if s.channel == channel]
            if not own:
                out.lines.append(T("x_no_slot", channel=channel))
                continue
            if all(reach_of(item, s.reach) <= 0 for s in own):
                out.lines.append(
                    T("x_no_reach", channel=channel, audiences=", ".join(item.audiences) or "-")
                )
                continue
            placed = sum(
                1
                for e in out.entries
                if e["channel"] == channel and e["status"] in ("planned", "done")
            )
            wanted = model.wanted(item, channel)
            out.lines.append(T("x_count", channel=channel, placed=placed, wanted=wanted))
            full_weeks = max(1, math.ceil(days / 7))
            if placed >= wanted * full_weeks or placed >= days * problem.settings.max_per_day:
                continue
            why: Counter[str] = Counter()
            for i, inst in enumerate(model.inst):
                if inst.channel != channel or (message_id, i) in model.placed:
                    continue
                reason = model.blocker(item, i, ignore_week=True)
                if reason and reason not in ("placed",):
                    why[reason] += 1
            parts = [T(f"b_{k}", n=n) for k, n in sorted(why.items())]
            if blocked:
                parts.append(
                    T(
                        "b_blocked",
                        n=len(blocked),
                        days=", ".join(d.strftime("%d/%m") for d in blocked),
                    )
                )
            if parts:
                out.lines.append(T("x_short", channel=channel, why="; ".join(parts)))
    return out
