"""One bulletin, one length everywhere; --week and -d mean the same in every command."""

from __future__ import annotations

import json
import re
from datetime import datetime

from typer.testing import CliRunner

from loa.cli.main import app
from loa.core.station import Station
from loa.planning.models import PlanEntry
from loa.report.runsheet import runsheet_html
from tests.audio.helpers import set_audio
from tests.audio.test_render import plan
from tests.planning.conftest import add_message

runner = CliRunner(env={"COLUMNS": "200"})
MONDAY = datetime(2026, 11, 23, 6, 0)


def _loa(station: Station, *args: str) -> object:
    return runner.invoke(app, ["--station", str(station.root), *args])


def _silent(station: Station) -> Station:
    set_audio(station, 'engine = "silent"\nfallback = []')
    return station


def test_render_week_is_monday_to_sunday_like_schedule(station: Station) -> None:
    _silent(station)
    mid = add_message(station, title="Tin tuần")
    plan(station, [(mid, MONDAY, 0), (mid, MONDAY.replace(day=30), 0)])  # this and next Monday
    wednesday = "25/11/2026"
    rendered = _loa(station, "render", "--from", wednesday, "-w", "--json", "-j", "1")
    assert rendered.exit_code == 0, rendered.output  # type: ignore[attr-defined]
    assert [r["when"] for r in json.loads(rendered.output)] == ["2026-11-23T06:00"]  # type: ignore[attr-defined]
    shown = _loa(station, "schedule", "--from", wednesday, "-w", "--json")
    assert [s["start"] for s in json.loads(shown.output)] == ["2026-11-23T06:00"]  # type: ignore[attr-defined]
    # -d is the number of days in render as in plan and schedule; --date still names the day
    two = _loa(station, "render", "--date", "23/11/2026", "-d", "8", "--json", "-j", "1")
    assert len(json.loads(two.output)) == 2  # type: ignore[attr-defined]


def test_one_length_for_a_bulletin_in_schedule_render_and_run_sheet(station: Station) -> None:
    _silent(station)
    ids = [add_message(station, title=f"Tin {n}") for n in range(2)]
    plan(station, [(m, MONDAY, n) for n, m in enumerate(ids)])
    with station.transaction() as session:
        for entry in session.query(PlanEntry):
            entry.duration_s = 50.0  # the planner's estimate
    before = _loa(station, "schedule", "--from", "23/11/2026")
    assert "~1:40" in before.output and "Dấu ~" in before.output  # type: ignore[attr-defined]
    assert "~1:40" in runsheet_html(station, MONDAY.date())

    rendered = _loa(station, "render", "--from", "23/11/2026", "--json", "-j", "1")
    seconds = json.loads(rendered.output)[0]["duration_s"]  # type: ignore[attr-defined]
    length = f"{round(seconds) // 60}:{round(seconds) % 60:02d}"
    table = _loa(station, "render", "--from", "23/11/2026")
    assert f"│ {length} " in table.output  # type: ignore[attr-defined]
    after = _loa(station, "schedule", "--from", "23/11/2026")
    assert f"│ {length} " in after.output and "~" not in after.output  # type: ignore[attr-defined]
    sheet = runsheet_html(station, MONDAY.date())
    assert re.search(rf"Tổng thời lượng: {length}\b", sheet) and "~" not in sheet

    # the plan changes: the file no longer matches, the length is an estimate again
    extra = add_message(station, title="Tin thêm")
    plan(station, [(extra, MONDAY, 2)])
    changed = _loa(station, "schedule", "--from", "23/11/2026")
    assert "~" in changed.output  # type: ignore[attr-defined]


def test_render_summary_uses_a_decimal_comma(station: Station) -> None:
    _silent(station)
    mid = add_message(station, title="Tin")
    plan(station, [(mid, MONDAY, 0)])
    table = _loa(station, "render", "--from", "23/11/2026")
    assert re.search(r"tổng \d+,\d phút", table.output)  # type: ignore[attr-defined]


def test_website_rows_show_no_count_under_duration(sample_station: Station) -> None:
    assert _loa(sample_station, "plan", "--days", "7").exit_code == 0  # type: ignore[attr-defined]
    shown = _loa(sample_station, "schedule", "-d", "7", "-c", "website")
    lines = shown.output.splitlines()  # type: ignore[attr-defined]
    assert "Trang thông tin" in lines[0]  # the channel is the title, not a column of every row
    rows = [line for line in lines if re.match(r"│ (T[2-7]|CN) \d\d/\d\d \d\d:\d\d ", line)]
    assert rows and all(line.rstrip().endswith("│ —          │") for line in rows)


def test_run_sheet_item_time_is_what_the_report_counts(station: Station) -> None:
    from datetime import timedelta

    from loa.app.play import play_slot
    from loa.audio.bulletin import sidecar_items
    from loa.audio.render import bulletin_path
    from loa.channels.radio import FileSink
    from loa.core.dates import clock_text
    from loa.report.figures import build_report

    _silent(station)
    ids = [add_message(station, title=f"Tin {n}") for n in range(2)]
    plan(station, [(m, MONDAY, n) for n, m in enumerate(ids)])
    assert _loa(station, "render", "--from", "23/11/2026", "-j", "1").exit_code == 0  # type: ignore[attr-defined]
    items_s = sum(float(i["duration_s"]) for i in sidecar_items(bulletin_path(station, MONDAY)))
    assert f"các tin: {clock_text(items_s)}" in runsheet_html(station, MONDAY.date())
    sink = FileSink(station.media_dir / "aired")
    play_slot(station, MONDAY, now=MONDAY, sink=sink, clock=lambda: MONDAY)
    report = build_report(station, MONDAY.date(), MONDAY.date(), now=MONDAY + timedelta(hours=1))
    assert abs(report.totals.airtime_s - items_s) < 0.01
