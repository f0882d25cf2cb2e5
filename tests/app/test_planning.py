"""Planning as the application runs it: the configured channels and the rendered clips."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from sqlalchemy import select

from loa.app.planning import explain_station, plan_station
from loa.app.render import rendered_durations
from loa.channels.publish import configured_channels
from loa.core.i18n import set_language
from tests.planning.conftest import add_message, configure

MONDAY = date(2026, 11, 23)
EVE = datetime(2026, 11, 22, 20, 0)


def test_configured_channels_come_from_the_registry(sample_station) -> None:
    assert configured_channels(sample_station) == ["radio", "website"]
    # a Facebook Page id makes that channel plannable; Zalo has no channel here: never planned
    station = configure(sample_station, channels__facebook={"page_id": "123456789"})
    assert configured_channels(station) == ["radio", "facebook", "website"]


def test_plan_station_plans_only_configured_channels(sample_station) -> None:
    from loa.planning.models import PlanEntry

    plan_station(sample_station, MONDAY, 7, now=EVE)
    with sample_station.transaction() as session:
        channels = set(session.scalars(select(PlanEntry.channel)))
    assert channels == {"radio", "website"}
    lines = explain_station(sample_station, 1, MONDAY, 7, now=EVE).lines
    assert any("Facebook" in line and "chưa cấu hình" in line for line in lines)
    assert not any("zalo" in line.lower() and "chưa có khung giờ" in line for line in lines)


def test_rendered_durations_feed_the_plan(station) -> None:
    from loa.planning.defaults import seed_default_slots
    from loa.planning.models import PlanEntry

    with station.transaction() as session:
        seed_default_slots(session)
    folder = station.media_dir / "bulletins" / "2026-11-24"
    folder.mkdir(parents=True)
    (folder / "0530.json").write_text(
        json.dumps(
            {"items": [{"message_id": 3, "title": "x", "duration_s": 71.5, "offset_s": 5.0}]}
        )
    )
    assert rendered_durations(station) == {3: 71.5}
    mid = add_message(station, "Tin", airings=1)
    later = folder.parent / "2026-11-25"
    later.mkdir()
    (later / "0530.json").write_text(json.dumps({"items": [{"message_id": mid, "duration_s": 42}]}))
    assert rendered_durations(station) == {3: 71.5, mid: 42.0}
    plan_station(station, MONDAY, 7, now=EVE)
    with station.transaction() as session:
        assert list(session.scalars(select(PlanEntry.duration_s))) == [42.0]


# ---------------------------------------------------------------------- broadcast budget


@pytest.fixture
def slotted(station):
    """An empty station with the default slots (Zalo's among them)."""
    from loa.planning.defaults import seed_default_slots

    with station.transaction() as session:
        seed_default_slots(session)
    return station


def _zalo(station, **values):
    return configure(station, channels__zalo={"oa_id": "1234", "app_id": "5678", **values})


def _zalo_entries(station):
    from loa.planning.models import PlanEntry

    with station.transaction() as session:
        return [
            (e.message_id, e.scheduled_at, e.reason or "")
            for e in session.scalars(
                select(PlanEntry)
                .where(PlanEntry.channel == "zalo")
                .order_by(PlanEntry.scheduled_at, PlanEntry.id)
            )
        ]


def _broadcasting(rows):
    return [r for r in rows if "gửi tới người quan tâm (lần" in r[2]]


def _article_only(rows):
    return [r for r in rows if "chỉ đăng bài, không gửi tới người quan tâm" in r[2]]


def test_the_planner_keeps_zalo_broadcasts_within_the_monthly_budget(slotted) -> None:
    station = _zalo(slotted, broadcasts_per_month=2)
    high = [
        add_message(station, f"Khẩn {n}", priority="high", channels=("zalo",), airings=1)
        for n in range(3)
    ]
    normal = add_message(station, "Thường", channels=("zalo",), airings=1)
    plan_station(station, MONDAY, 7, now=EVE)
    rows = _zalo_entries(station)
    assert {r[0] for r in rows} == {*high, normal}  # every message is still posted
    assert len(_broadcasting(rows)) == 2  # the budget of the month
    over = _article_only(rows)
    assert len(over) == 1 and over[0][0] in high
    assert over[0][1] > max(r[1] for r in _broadcasting(rows))  # the later one loses
    assert not any(r[0] == normal and "người quan tâm" in r[2] for r in rows)
    lines = explain_station(station, over[0][0], MONDAY, 7, now=EVE).lines
    assert any("không gửi tới người quan tâm vì đã dùng hết 2 lần" in line for line in lines)
    # re-planning changes nothing and writes the note once
    plan_station(station, MONDAY, 7, now=EVE)
    again = _zalo_entries(station)
    assert [r[:2] for r in again] == [r[:2] for r in rows]
    assert _broadcasting(again) != [] and [r[:2] for r in _broadcasting(again)] == [
        r[:2] for r in _broadcasting(rows)
    ]
    assert all(r[2].count("người quan tâm") <= 1 for r in again)


def test_the_broadcast_decision_is_stored_on_the_entry(slotted) -> None:
    """Each budgeted entry carries the planner's decision; a message whose priority no longer
    broadcasts loses it at the next plan."""
    from loa.content.models import Message
    from loa.planning.models import PlanEntry

    station = _zalo(slotted, broadcasts_per_month=1)
    first, second = (
        add_message(station, f"Khẩn {n}", priority="high", channels=("zalo",), airings=1)
        for n in range(2)
    )
    normal = add_message(station, "Thường", channels=("zalo",), airings=1)

    def decisions() -> dict[int, bool | None]:
        with station.transaction() as session:
            return {
                e.message_id: e.broadcast
                for e in session.scalars(select(PlanEntry).where(PlanEntry.channel == "zalo"))
            }

    plan_station(station, MONDAY, 7, now=EVE)
    got = decisions()
    assert got[normal] is None and sorted([got[first], got[second]]) == [False, True]
    winner = first if got[first] else second
    with station.transaction() as session:
        session.get(Message, winner).priority = "normal"
    plan_station(station, MONDAY, 7, now=EVE)
    again = decisions()
    assert again[winner] is None  # not a broadcasting priority any more: nothing stale
    assert again[second if winner == first else first] is True  # the budget is free for it


def test_broadcasts_already_sent_this_month_count(slotted) -> None:
    from loa.channels.models import Publication

    station = _zalo(slotted, broadcasts_per_month=3)
    with station.transaction() as session:
        for n, day in enumerate((2, 10, 30)):  # two in November, one in October
            when = datetime(2026, 11 if day != 30 else 10, day, 9, 0)
            session.add(
                Publication(
                    key=f"manual:{n}:zalo:broadcast",
                    channel="zalo",
                    status="published",
                    completed_at=when,
                )
            )
    for n in range(2):
        add_message(station, f"Khẩn {n}", priority="high", channels=("zalo",), airings=1)
    plan_station(station, MONDAY, 7, now=EVE)
    rows = _zalo_entries(station)
    assert len(rows) == 2
    assert len(_broadcasting(rows)) == 1 and len(_article_only(rows)) == 1
    mid = _article_only(rows)[0][0]
    assert "lần 3/3 của tháng 11/2026" in _broadcasting(rows)[0][2]
    lines = explain_station(station, mid, MONDAY, 7, now=EVE).lines
    assert any("2 lần đã gửi trước đó" in line for line in lines)
    set_language("en")
    try:
        lines = explain_station(station, mid, MONDAY, 7, now=EVE).lines
    finally:
        set_language("vi")
    assert any("posted as an article only, not broadcast" in line for line in lines)


def test_a_month_boundary_starts_a_new_budget(slotted) -> None:
    station = _zalo(slotted, broadcasts_per_month=1)
    for n in range(2):
        add_message(station, f"Khẩn {n}", priority="high", channels=("zalo",), airings=1)
    start = date(2026, 11, 30)  # Monday 30/11 .. Sunday 06/12
    plan_station(station, start, 7, now=datetime(2026, 11, 29, 20, 0))
    rows = _zalo_entries(station)
    months = {r[1].month for r in _broadcasting(rows)}
    assert len(_broadcasting(rows)) <= 2 and all(
        sum(1 for r in _broadcasting(rows) if r[1].month == m) == 1 for m in months
    )


def test_no_budget_without_zalo_changes_nothing(slotted) -> None:
    from loa.app.planning import broadcast_budgets

    assert broadcast_budgets(slotted, MONDAY, 7) == []
    station = _zalo(slotted, broadcast=[])
    assert broadcast_budgets(station, MONDAY, 7) == []
    station = _zalo(slotted, broadcast=["high", "urgent"])
    (budget,) = broadcast_budgets(station, MONDAY, 7)
    assert budget.per_month == 4 and budget.priorities == {"high", "urgent"}
    assert budget.sent == {(2026, 11): 0}


def test_broadcasts_per_month_is_validated(slotted) -> None:
    from loa.channels.settings import channel_settings
    from loa.channels.zalo import ZaloSettings
    from loa.core.errors import LoaError

    station = _zalo(slotted, broadcasts_per_month=-1)
    with pytest.raises(LoaError, match="broadcasts_per_month"):
        channel_settings(station, "zalo", ZaloSettings)
    station = _zalo(slotted, broadcasts_per_month="4")
    with pytest.raises(LoaError, match="broadcasts_per_month"):
        channel_settings(station, "zalo", ZaloSettings)
