"""Changing the plan by hand: pin (a re-plan never moves it), unpin, move (pins), drop (the
planner never puts the message back in that slot), from the library and from `loa plan`."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from loa.app.plan_edit import drop_entry, move_entry, pin_entry, targets
from loa.app.planning import explain_station, plan_station
from loa.core.errors import UserError
from loa.planning.models import PlanEntry, PlanStatus
from tests.planning.conftest import add_message

MONDAY = date(2026, 11, 23)
EVE = datetime(2026, 11, 22, 20, 0)


@pytest.fixture
def slotted(station):
    from loa.planning.defaults import seed_default_slots

    with station.transaction() as session:
        seed_default_slots(session)
    return station


def _radio(station, mid: int) -> list[tuple[int, datetime, bool]]:
    with station.transaction() as session:
        return [
            (e.id, e.scheduled_at, e.pinned)
            for e in session.scalars(
                select(PlanEntry)
                .where(
                    PlanEntry.message_id == mid,
                    PlanEntry.channel == "radio",
                    PlanEntry.status == PlanStatus.PLANNED,
                )
                .order_by(PlanEntry.scheduled_at)
            )
        ]


def _set_airings(station, mid: int, n: int) -> None:
    from loa.content.models import Message

    with station.transaction() as session:
        session.get(Message, mid).airings_per_week = n


def test_a_pinned_entry_stays_where_a_replan_would_take_it_away(slotted) -> None:
    mid = add_message(slotted, "Tin ghim", channels=("radio",), airings=3)
    plan_station(slotted, MONDAY, 7, now=EVE)
    entries = _radio(slotted, mid)
    assert len(entries) == 3
    last_id, last_at, _ = entries[-1]
    pinned = pin_entry(slotted, last_id, True, now=EVE)
    assert pinned.pinned and pinned.id == last_id
    _set_airings(slotted, mid, 1)  # now only one airing a week is wanted
    report = plan_station(slotted, MONDAY, 7, now=EVE)
    assert _radio(slotted, mid) == [(last_id, last_at, True)]  # the pinned one, not the first
    assert report.pinned == 1
    explained = explain_station(slotted, mid, MONDAY, 7, now=EVE)
    assert [e["pinned"] for e in explained.entries if e["status"] == "planned"] == [True]
    assert any("đã ghim" in e["reason"] for e in explained.entries)


def test_without_the_pin_the_replan_keeps_the_earliest(slotted) -> None:
    """The control for the test above: the pin is what kept the last airing."""
    mid = add_message(slotted, "Tin thường", channels=("radio",), airings=3)
    plan_station(slotted, MONDAY, 7, now=EVE)
    first = _radio(slotted, mid)[0]
    _set_airings(slotted, mid, 1)
    plan_station(slotted, MONDAY, 7, now=EVE)
    assert _radio(slotted, mid) == [first]


def test_unpin_lets_the_planner_move_it_again(slotted) -> None:
    mid = add_message(slotted, "Tin", channels=("radio",), airings=3)
    plan_station(slotted, MONDAY, 7, now=EVE)
    entries = _radio(slotted, mid)
    pin_entry(slotted, entries[-1][0], True, now=EVE)
    assert pin_entry(slotted, entries[-1][0], False, now=EVE).pinned is False
    _set_airings(slotted, mid, 1)
    plan_station(slotted, MONDAY, 7, now=EVE)
    assert _radio(slotted, mid) == [(*entries[0][:2], False)]


def test_a_moved_entry_is_pinned_and_a_dropped_one_never_comes_back(slotted) -> None:
    mid = add_message(slotted, "Tin dời", channels=("radio",), airings=2)
    plan_station(slotted, MONDAY, 7, now=EVE)
    (moving, at, _), (dropping, dropped_at, _) = _radio(slotted, mid)
    free = [
        t
        for t in targets(slotted, MONDAY, 7, now=EVE)["radio"]
        if t.start not in (at, dropped_at)
        and abs(t.start - at) > timedelta(hours=12)
        and abs(t.start - dropped_at) > timedelta(hours=12)
    ]
    move_entry(slotted, moving, free[0].slot_id, free[0].start, now=EVE)
    drop_entry(slotted, dropping, now=EVE)
    plan_station(slotted, MONDAY, 7, now=EVE)  # no duplicate key, no resurrection
    with slotted.transaction() as session:
        rows = {
            e.id: (e.scheduled_at, e.status, e.pinned)
            for e in session.scalars(
                select(PlanEntry).where(PlanEntry.message_id == mid, PlanEntry.channel == "radio")
            )
        }
    assert rows[moving] == (free[0].start, PlanStatus.PLANNED, True)
    assert rows[dropping] == (dropped_at, PlanStatus.CANCELLED, False)
    assert [r for r in rows.values() if r[0] == dropped_at] == [rows[dropping]]


def test_past_sent_or_unknown_entries_cannot_be_pinned(slotted) -> None:
    mid = add_message(slotted, "Tin", channels=("radio",), airings=1)
    plan_station(slotted, MONDAY, 7, now=EVE)
    entry_id, at, _ = _radio(slotted, mid)[0]
    with pytest.raises(UserError, match="đã qua giờ"):
        pin_entry(slotted, entry_id, True, now=at + timedelta(minutes=1))
    with pytest.raises(UserError, match="Không có mục lịch số 999"):
        pin_entry(slotted, 999, True, now=EVE)
    with slotted.transaction() as session:
        session.get(PlanEntry, entry_id).status = PlanStatus.SENDING
    with pytest.raises(UserError, match="không dời hay bỏ được"):
        pin_entry(slotted, entry_id, True, now=EVE)


def test_loa_plan_pin_unpin_drop(slotted) -> None:
    """The CLI on the station's real clock: the entry pinned is the next radio airing."""
    from typer.testing import CliRunner

    from loa.cli.main import app

    mid = add_message(slotted, "Tin", channels=("radio",), airings=2)
    now = slotted.now()
    plan_station(slotted, now.date(), 8, now=now)
    entry_id, at, _ = _radio(slotted, mid)[0]
    runner = CliRunner()
    root = str(slotted.root)
    done = runner.invoke(app, ["-s", root, "plan", "pin", str(entry_id)])
    assert done.exit_code == 0, done.output
    assert f"Đã ghim mục {entry_id} ({at:%d/%m %H:%M}, Đài truyền thanh)" in done.output
    assert _radio(slotted, mid)[0] == (entry_id, at, True)
    assert runner.invoke(app, ["-s", root, "plan", "unpin", str(entry_id)]).exit_code == 0
    assert _radio(slotted, mid)[0] == (entry_id, at, False)
    dropped = runner.invoke(app, ["-s", root, "plan", "drop", str(entry_id)])
    assert dropped.exit_code == 0 and f"Đã bỏ mục {entry_id}" in dropped.output
    missing = runner.invoke(app, ["-s", root, "plan", "pin", "999"])
    assert missing.exit_code == 2 and "Không có mục lịch số 999" in missing.output
    assert "Traceback" not in missing.output
    helped = runner.invoke(app, ["-s", root, "plan", "--help"])
    assert all(word in helped.output for word in ("pin", "unpin", "drop", "--explain"))
