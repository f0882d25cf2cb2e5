"""What a worker runs for a station: the day ahead (plan, render, playlists), as `loa run`."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import tomlkit
from sqlalchemy import func, select

from loa.province.queue import Tasks
from loa.province.registry import Province
from loa.province.stations import add_station, open_station


def test_the_daily_job_plans_renders_and_writes_playlists(province: Province) -> None:
    from loa.app.setup import SAMPLE_DAY, load_sample
    from loa.planning.models import PlanEntry

    add_station(province, "xa_a", name="Xã A")
    path = province.stations_dir / "xa_a" / "loa.toml"
    doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    doc.setdefault("audio", tomlkit.table())["engine"] = "silent"
    doc.setdefault("scheduler", tomlkit.table())["auto_plan_days"] = 2
    path.write_text(tomlkit.dumps(doc), encoding="utf-8")
    station = open_station(province, "xa_a")
    load_sample(station, today=SAMPLE_DAY)
    station.engine.dispose()
    today = SAMPLE_DAY  # a Sunday: the job renders Monday 23/11/2026
    tasks = Tasks(province)
    rendered = tasks.daily(
        "xa_a", today.isoformat(), now=datetime.combine(today, time(20, 0)).isoformat()
    )
    tasks.close()
    station = open_station(province, "xa_a")
    tomorrow = today + timedelta(days=1)
    with station.transaction() as s:
        planned = s.scalar(select(func.count(PlanEntry.id)).where(PlanEntry.channel == "radio"))
    station.engine.dispose()
    assert planned and planned > 0
    playlists = sorted((station.media_dir / "playlists" / tomorrow.isoformat()).glob("*.m3u"))
    assert rendered > 0 and len(playlists) >= 1
    first = playlists[0].read_text(encoding="utf-8").splitlines()
    assert first[0] == "#EXTM3U" and first[-1].endswith(".mp3")
    assert isinstance(date.fromisoformat(tomorrow.isoformat()), date)
