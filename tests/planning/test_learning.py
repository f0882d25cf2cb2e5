"""The reach model: from the assumption towards what was measured, never below the minimum."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from loa.core.errors import UserError
from loa.core.settings import validate_section
from loa.planning.learning import (
    Cell,
    LearningSettings,
    Observation,
    learn,
    slot_cells,
    suggest,
)

MONDAY = datetime(2026, 11, 23)
S = LearningSettings(min_observations=3, ok_observations=6, prior_weight=2.0, explore=0.3)
MORNING = Cell("facebook", "work", 6)
EVENING = Cell("facebook", "work", 20)
ASSUMED = {MORNING: 0.2, EVENING: 0.2}


def posts(hour: int, values: list[float], channel: str = "facebook") -> list[Observation]:
    return [
        Observation(channel, MONDAY + timedelta(days=n % 5, hours=hour), v, f"post {n}")
        for n, v in enumerate(values)
    ]


def test_cells_are_channel_day_class_and_hour_window() -> None:
    assert Cell.of("radio", datetime(2026, 11, 28, 5, 30), 2) == Cell("radio", "sat", 4)
    assert Cell.of("radio", datetime(2026, 11, 29, 17, 30), 1) == Cell("radio", "sun", 17)
    assert slot_cells("facebook", "20:00", [0, 1, 2, 3, 4, 5, 6], 2) == [
        Cell("facebook", "sat", 20),
        Cell("facebook", "sun", 20),
        Cell("facebook", "work", 20),
    ]


def test_below_the_minimum_nothing_is_learned() -> None:
    model = learn(posts(6, [100, 100]) + posts(20, [400, 400]), ASSUMED, S)
    for cell in (MORNING, EVENING):
        est = model.estimate(cell)
        assert est is not None and est.n == 2 and est.confidence == "none"
        assert est.learned is None and est.factor == 1.0
    # not measured enough yet: the planner tries the slot (exploration), nothing else
    reach = model.slot_reach(EVENING)
    assert reach.explore and reach.factor == pytest.approx(1.3) and reach.confidence == "none"


def test_evidence_moves_the_reach_from_the_assumption_and_confidence_grows() -> None:
    thin = learn(posts(6, [100] * 3) + posts(20, [300] * 3), ASSUMED, S)
    ok = learn(posts(6, [100] * 12) + posts(20, [300] * 12), ASSUMED, S)
    for model, confidence in ((thin, "thin"), (ok, "ok")):
        morning, evening = model.estimate(MORNING), model.estimate(EVENING)
        assert morning is not None and evening is not None
        assert (morning.confidence, evening.confidence) == (confidence, confidence)
        # measured: the same channel-wide level, three times as many in the evening
        assert evening.measured == pytest.approx(3 * morning.measured)
        assert evening.learned > 0.2 > morning.learned
    # more evidence, further from the prior (shrinkage)
    assert ok.estimate(EVENING).learned > thin.estimate(EVENING).learned
    assert ok.estimate(EVENING).learned < ok.estimate(EVENING).measured
    assert ok.slot_reach(EVENING).factor == pytest.approx(ok.estimate(EVENING).factor)
    assert not ok.slot_reach(EVENING).explore


def test_a_slot_combines_its_day_classes_by_weekdays() -> None:
    assumed = {Cell("radio", d, 16): 0.5 for d in ("work", "sat", "sun")}
    week = [
        Observation(
            "radio", MONDAY + timedelta(days=d, hours=17), 300.0 if d < 5 else 900.0, f"day {d}"
        )
        for d in range(7)
        for _ in range(3)
    ]
    model = learn(week, assumed, S)
    reach = model.for_slot("radio", "17:30", range(7))
    work = model.estimate(Cell("radio", "work", 16))
    sun = model.estimate(Cell("radio", "sun", 16))
    assert work is not None and sun is not None
    expected = (5 * work.factor + 2 * sun.factor) / 7
    assert reach.factor == pytest.approx(expected) and reach.n == 21
    assert "day 6" in reach.source  # where the figures came from, for plan --explain


def test_a_cell_without_a_slot_is_learned_against_the_channels_scale_and_suggested() -> None:
    seen = posts(6, [100] * 4) + posts(20, [120] * 4) + posts(12, [400] * 4)
    model = learn(seen, ASSUMED, S)
    noon = model.estimate(Cell("facebook", "work", 12))
    assert noon is not None and noon.assumed is None and noon.confidence == "thin"
    found = suggest(model, ASSUMED)
    assert [s.cell for s in found] == [Cell("facebook", "work", 12)]
    assert found[0].learned > found[0].best_own


def test_settings_are_checked_with_a_message() -> None:
    with pytest.raises(UserError, match=r"\[planning\] min_observations"):
        validate_section(LearningSettings, {"min_observations": 0}, "planning")
    with pytest.raises(UserError, match="learnn"):
        validate_section(LearningSettings, {"learnn": True}, "planning")
