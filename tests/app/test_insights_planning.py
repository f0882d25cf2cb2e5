"""The planner uses the reach learned from stored figures ([planning] learn, the default), says
which figure it used and where it came from, and `loa slots suggest` / `loa insights show`
read the same model."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from loa.app.insights import learned_reach, show, suggest_slots
from loa.app.planning import explain_station, plan_station
from loa.channels.models import Insight
from loa.cli.main import app
from loa.planning.models import PlanEntry, Slot
from tests.planning.conftest import add_message, configure

MONDAY = date(2026, 11, 23)
EVE = datetime(2026, 11, 22, 20, 0)
#: three weeks of figures before the planned week, every day
PAST = [datetime(2026, 11, 2) + timedelta(days=n) for n in range(21)]


def figures(station, hour: int, minute: int, value: float, *, channel: str = "facebook") -> None:
    with station.transaction() as session:
        for day in PAST:
            at = day.replace(hour=hour, minute=minute)
            session.add(
                Insight(
                    ref=f"publication:{channel}-{at:%Y%m%d%H%M}",
                    channel=channel,
                    at=at,
                    metric="unique_views",
                    source="graph v23.0 post_total_media_view_unique",
                    value=value,
                    samples=1,
                    measured_at=EVE,
                )
            )


@pytest.fixture
def slotted(station):
    """An empty station with the default slots."""
    from loa.planning.defaults import seed_default_slots

    with station.transaction() as session:
        seed_default_slots(session)
    return station


def facebook_station(slotted):
    station = configure(slotted, channels__facebook={"page_id": "123456789"})
    for n in range(3):
        add_message(station, f"Tin {n}", audiences=("residents",), channels=("facebook",))
    return station


def facebook_times(station) -> list[str]:
    with station.transaction() as session:
        return sorted(
            e.scheduled_at.strftime("%H:%M")
            for e in session.scalars(select(PlanEntry).where(PlanEntry.channel == "facebook"))
        )


def test_the_planner_follows_what_was_measured(slotted) -> None:
    station = facebook_station(slotted)
    plan_station(station, MONDAY, 7, now=EVE)
    assumed = facebook_times(station)
    assert set(assumed) == {"20:00"}  # the assumptions rank the evening first
    # measured: the morning post reaches four times as many people as the evening one
    figures(station, 7, 0, 800.0)
    figures(station, 11, 30, 150.0)
    figures(station, 20, 0, 200.0)
    with station.transaction() as session:
        for e in session.scalars(select(PlanEntry)):
            session.delete(e)
    plan_station(station, MONDAY, 7, now=EVE)
    assert set(facebook_times(station)) == {"07:00"}
    with station.transaction() as session:
        reasons = [e.reason for e in session.scalars(select(PlanEntry))]
    assert all("độ phủ học được" in r and "unique_views 800" in r for r in reasons)
    lines = explain_station(station, 1, MONDAY, 7, now=EVE).lines
    morning = next(line for line in lines if line.startswith("Khung Facebook sáng (07:00)"))
    assert "học được x" in morning and "tin cậy ok" in morning
    assert "post_total_media_view_unique" in morning


def test_learning_off_plans_on_the_assumptions(slotted) -> None:
    station = facebook_station(slotted)
    figures(station, 7, 0, 800.0)
    figures(station, 20, 0, 200.0)
    station = configure(station, planning={"learn": False})
    assert learned_reach(station) is None
    plan_station(station, MONDAY, 7, now=EVE)
    assert set(facebook_times(station)) == {"20:00"}
    lines = explain_station(station, 1, MONDAY, 7, now=EVE).lines
    assert not any(line.startswith("Khung ") for line in lines)


def test_show_and_suggest_read_the_same_model(slotted) -> None:
    station = facebook_station(slotted)
    figures(station, 7, 0, 300.0)
    figures(station, 20, 0, 300.0)
    figures(station, 15, 10, 900.0)  # posts sent at another time: no slot there
    view = show(station)
    assert view.figures == 3 * len(PAST)
    cells = {(c["channel"], c["day"], c["hour"]): c for c in view.to_dict()["cells"]}
    afternoon = cells[("facebook", "work", 14)]
    assert afternoon["assumed"] is None and afternoon["confidence"] == "ok"
    found = suggest_slots(station)
    assert {(s.cell.channel, s.cell.hour) for s in found} == {("facebook", 14)}
    with station.transaction() as session:
        slot_ids = {s.id for s in session.scalars(select(Slot))}
    assert {row["slot_id"] for row in view.slots} == slot_ids


def test_cli_show_json_and_slots_suggest(slotted, monkeypatch) -> None:
    station = facebook_station(slotted)
    figures(station, 15, 10, 900.0)
    figures(station, 20, 0, 300.0)
    monkeypatch.setenv("LOA_STATION", str(station.root))
    runner = CliRunner()
    shown = runner.invoke(app, ["insights", "show", "--json"])
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.output)
    assert data["figures"] == 2 * len(PAST) and data["settings"]["learn"] is True
    table = runner.invoke(app, ["insights", "show"])
    assert table.exit_code == 0
    assert f"{2 * len(PAST)} số liệu đã lưu" in table.output
    assert "x1,30 *" in table.output  # a slot not measured yet: tried (exploration)
    suggested = runner.invoke(app, ["slots", "suggest"])
    assert suggested.exit_code == 0
    assert "Trang Facebook, ngày thường, khoảng 14:00" in suggested.output
    bad = runner.invoke(app, ["insights", "pull", "--channel", "telegram"])
    assert bad.exit_code != 0 and "không có hoặc chưa cấu hình" in bad.output
    assert "Traceback" not in bad.output
