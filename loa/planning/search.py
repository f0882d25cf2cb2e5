"""The plan search: keep what still fits, force high-priority items, fill greedily, then
improve by local search (moves, swaps, room-making) and, for the radio, ruin-and-recreate.

Every step is deterministic: the same problem always gives the same solution.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from itertools import combinations
from typing import Any

from loa.content.models import Priority
from loa.core.registry import is_audio
from loa.planning.problem import (
    Placement,
    PlanItem,
    PlanModel,
    Problem,
    Solution,
    objective_of,
    reach_of,
    week_of,
)

# Local search runs when items x instances stays under this (a commune week: 20-40 messages x
# ~60 slot instances = 1,200-2,400);
# a province-size batch relies on the greedy alone to stay fast. A count, not a timer, so the
# plan stays deterministic.
LOCAL_SEARCH_PAIRS = 8_000

RUIN_ROUNDS = 40


#: Order in which the previous plan's entries are re-admitted: being sent, pinned, kept.
_ADMIT_ORDER = {"locked": 0, "pinned": 1, "kept": 2}


def _admit_kept(model: PlanModel, kept: Sequence[Placement]) -> list[Placement]:
    """Re-admit the previous plan's entries that still fit; return the ones that no longer do.

    An entry being sent stays whatever the rules say; a pinned one stays while the message may
    air in that slot instance at all (its channels, validity, zones and the slot's size), even
    over the planner's soft rules (weekly counts, spacing, room left, topics)."""
    dropped: list[Placement] = []
    order = sorted(
        kept,
        key=lambda p: (
            _ADMIT_ORDER.get(p.kind, 2),
            model.inst[p.instance].start,
            p.instance,
            p.message_id,
        ),
    )
    for p in order:
        item = model.items.get(p.message_id)
        if item is None:
            dropped.append(p)
            continue
        if p.kind == "locked":
            model.add(p.message_id, p.instance, "locked")
        elif p.kind == "pinned":
            if (p.message_id, p.instance) not in model.placed and model.eligible(item, p.instance):
                model.add(p.message_id, p.instance, "pinned")
            else:
                dropped.append(p)
        elif model.blocker(item, p.instance) is None:
            model.add(p.message_id, p.instance, "kept")
        else:
            dropped.append(p)
    return dropped


def _force_high(model: PlanModel, dropped: list[Placement]) -> None:
    """Put each high-priority item of `force_first` first into the next radio bulletin it is
    valid for, moving kept normal items out of that bulletin if there is no room."""
    radio = [i for i, inst in enumerate(model.inst) if is_audio(inst.channel)]
    for mid in sorted(model.p.force_first):
        item = model.items.get(mid)
        if item is None or not any(is_audio(c) for c in item.channels):
            continue
        target = next((i for i in radio if model.eligible(item, i)), None)
        if target is None or (mid, target) in model.placed:
            continue
        day = model.inst[target].start.date()
        for (m, i), kind in list(model.placed.items()):
            if (
                m == mid
                and kind == "kept"
                and is_audio(model.inst[i].channel)
                and model.inst[i].start.date() == day
            ):
                model.remove(m, i)
                dropped.append(Placement(m, i, kind))
        evictable = sorted(
            (
                m
                for m in model.members[target]
                if model.placed[(m, target)] == "kept"
                and model.items[m].priority == Priority.NORMAL
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
    model: PlanModel,
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
        banned = model.p.banned
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
                    or (mid, i) in banned
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


def _offer_base(model: PlanModel, channel: str, week: tuple[int, int], idx: list[int]) -> Any:
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
    radio = is_audio(channel)
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
            zones = model.inst[members[0]].zones
            if item.zones and zones and not item.zones & zones:
                continue  # a slot on other loudspeaker zones never reaches its listeners
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


def _improve(model: PlanModel, only: str | None = None) -> bool:
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


def _swap(model: PlanModel, only: str | None = None) -> bool:
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


def _swap_two(model: PlanModel, item: PlanItem, i: int, gain_in: float, idx: Sequence[int]) -> bool:
    """Replace two placed items of instance `i` by `item` when it is worth more than both."""
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


def _make_room(model: PlanModel, only: str | None = None) -> bool:
    """Local search for packing: move one item of a full instance to another instance of its
    week (or swap it with one there) when that lets a missing, more valuable item in. True if
    anything changed."""
    changed = False
    for (channel, week), idx in sorted(model.groups.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        if (only is not None and channel != only) or not is_audio(channel):
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


def _move_for(model: PlanModel, z: PlanItem, a: int, idx: Sequence[int]) -> bool:
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


def _swap_for(model: PlanModel, z: PlanItem, a: int, idx: Sequence[int]) -> bool:
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


def _place_best(model: PlanModel, item: PlanItem, idx: Sequence[int]) -> None:
    best: tuple[float, int] | None = None
    for j in idx:
        if model.blocker(item, j) is None:
            key = (-_local_value(model, item.message_id, j, adding=True), j)
            if best is None or key < best:
                best = key
    if best is not None:
        model.add(item.message_id, best[1], "new")


def _local_value(model: PlanModel, mid: int, i: int, adding: bool = False) -> float:
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
    model = PlanModel(problem)
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
    if not small or not any(is_audio(inst.channel) for inst in model.inst):
        return model.solution(dropped)
    audio = next(inst.channel for inst in model.inst if is_audio(inst.channel))

    def radio_value(m: PlanModel) -> float:
        return objective_of(
            problem,
            [Placement(mi, i, k) for (mi, i), k in m.placed.items() if is_audio(m.inst[i].channel)],
        )

    best, best_value = model, radio_value(model)
    for density in (1.0, 0.5):
        other = PlanModel(problem)
        for (mid, i), kind in start.items():
            other.add(mid, i, kind)
        _fill_and_improve(other, density, only=audio)
        value = radio_value(other)
        if value > best_value + 1e-9:
            best, best_value = other, value
    _ruin_and_recreate(best, radio_value, RUIN_ROUNDS)
    if best is not model:
        for (mid, i), _kind in list(model.placed.items()):
            if is_audio(model.inst[i].channel):
                model.remove(mid, i)
        for (mid, i), kind in best.placed.items():
            if is_audio(best.inst[i].channel):
                model.add(mid, i, kind)
    return model.solution(dropped)


def _ruin_and_recreate(model: PlanModel, value: Callable[[PlanModel], float], rounds: int) -> None:
    """Radio packing search: take a fifth of the new radio placements out, refill in another
    order without putting them straight back, polish, and keep the result only if it is better.
    The random choices come from a generator seeded by the problem's size: deterministic."""
    rng = random.Random(len(model.inst) * 7919 + len(model.p.items))
    audio = next((inst.channel for inst in model.inst if is_audio(inst.channel)), None)
    if audio is None:
        return
    best = value(model)
    for _ in range(rounds):
        snapshot = {k: v for k, v in model.placed.items() if is_audio(model.inst[k[1]].channel)}
        movable = sorted(k for k, v in snapshot.items() if v == "new")
        if len(movable) < 2:
            return
        victims = rng.sample(movable, max(1, len(movable) // 5))
        for mid, i in victims:
            model.remove(mid, i)
        density = rng.choice((0.0, 0.5, 1.0))
        _greedy_fill(model, density, only=audio, forbid=frozenset(victims))
        _improve(model, audio)
        _make_room(model, audio)
        _greedy_fill(model, density, only=audio)
        now = value(model)
        if now > best + 1e-9:
            best = now
            continue
        for key in [k for k in model.placed if is_audio(model.inst[k[1]].channel)]:
            model.remove(*key)
        for (mid, i), kind in sorted(snapshot.items(), key=lambda kv: (kv[0][1], kv[0][0])):
            model.add(mid, i, kind)


def _fill_and_improve(
    model: PlanModel, density: float, only: str | None = None, search: bool = True
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
