"""Planning as the application runs it: the configured channels and the rendered clips."""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import select

from loa.app.planning import explain_station, plan_station
from loa.app.render import rendered_durations
from loa.channels.publish import configured_channels
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
    assert any("facebook" in line and "chưa cấu hình" in line for line in lines)
    assert not any("zalo" in line and "chưa có khung giờ" in line for line in lines)


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
