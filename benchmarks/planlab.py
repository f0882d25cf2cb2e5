"""The planner's laboratory, for benchmarks and tests only: seeded synthetic problems and the
exact optimum of the planning model by MILP (needs scipy, which loa itself does not)."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta

from loa.content.models import Priority
from loa.planning.calendar import CampaignWindow
from loa.planning.defaults import DEFAULT_SLOTS
from loa.planning.problem import PlanItem, PlanModel, Problem, Solution, week_of
from loa.planning.settings import SchedulerSettings
from loa.planning.slots import SlotSpec, expand_slots

AUDIENCES = ("officials", "residents", "businesses", "parents", "workers", "elderly")
TOPICS = (
    "institutional",
    "procedures",
    "one_stop",
    "apparatus",
    "civil_service",
    "public_finance",
    "e_government",
    "communication",
    "inspection",
    "par_index",
    "papi",
    "sipas",
    "pci",
    "online_services",
)


def synthetic_problem(
    seed: int,
    messages: int,
    weeks: int = 1,
    *,
    start: date = date(2026, 11, 23),
    slots: tuple[SlotSpec, ...] | None = None,
    radio_capacity: int | None = None,
    settings: SchedulerSettings | None = None,
) -> Problem:
    """A station with the default slots (radio capacity optionally changed) and `messages`
    random messages (topics, 1-3 audiences, 40-150 s, 1-4 airings a week, some high
    priority, some validity windows, one campaign) over `weeks` weeks from `start`."""
    rng = random.Random(seed)
    specs = []
    for n, spec in enumerate(slots or DEFAULT_SLOTS, start=1):
        capacity = radio_capacity if (radio_capacity and spec.channel == "radio") else spec.capacity
        copy = SlotSpec(
            spec.channel, spec.name, spec.start, capacity, list(spec.weekdays), dict(spec.reach)
        )
        copy.id = n  # type: ignore[attr-defined]
        specs.append(copy)
    days = 7 * weeks
    instances = expand_slots(specs, start, days)
    items = []
    for mid in range(1, messages + 1):
        valid_from = valid_until = None
        if rng.random() < 0.2:
            valid_from = start + timedelta(days=rng.randrange(days))
        if rng.random() < 0.2:
            valid_until = start + timedelta(days=rng.randrange(days))
            if valid_from and valid_until < valid_from:
                valid_from, valid_until = valid_until, valid_from
        channels = {"radio"} | {c for c in ("facebook", "website", "zalo") if rng.random() < 0.6}
        items.append(
            PlanItem(
                message_id=mid,
                topic=rng.choice(TOPICS),
                audiences=tuple(sorted(rng.sample(AUDIENCES, rng.randint(1, 3)))),
                channels=frozenset(channels),
                priority=Priority.HIGH if rng.random() < 0.1 else Priority.NORMAL,
                airings_per_week=rng.randint(1, 4),
                duration_s=float(rng.randint(40, 150)),
                valid_from=valid_from,
                valid_until=valid_until,
                campaign_id=1 if rng.random() < 0.15 else None,
            )
        )
    campaign = CampaignWindow(
        1,
        "Ngày hội Đại đoàn kết",
        start + timedelta(days=2),
        start + timedelta(days=5),
        1.5,
        frozenset({"communication"}),
    )
    return Problem(
        instances,
        items,
        settings or SchedulerSettings(),
        [campaign],
        window=(start, start + timedelta(days=days - 1)),
    )


def solve_exact(problem: Problem, *, time_limit: float = 60.0) -> Solution:
    """The optimum of the same model by MILP (scipy.optimize.milp, HiGHS), for checking the
    greedy planner on small instances. `kept` placements are treated as fixed."""
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_matrix

    model = PlanModel(problem)
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
