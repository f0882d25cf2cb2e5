"""Generated planning problems (seeded, reproducible) for benchmarks and property tests."""

from __future__ import annotations

import random
from datetime import date, timedelta

from loa.planning.calendar import CampaignWindow
from loa.planning.defaults import DEFAULT_SLOTS
from loa.planning.planner import PlanItem, Problem
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
                priority="high" if rng.random() < 0.1 else "normal",
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
