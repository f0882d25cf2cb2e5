from __future__ import annotations

from datetime import date, datetime, timedelta

from icalendar import Calendar
from typer.testing import CliRunner

from loa.cli.main import app
from loa.planning.planner import plan
from loa.planning.views import schedule, to_ics
from loa.report.runsheet import runsheet_html

MONDAY = date(2026, 11, 23)
CHANNELS = frozenset({"radio", "website"})  # what the sample station publishes on


def test_ics_parses_with_one_event_per_slot_instance(sample_station, tmp_path) -> None:
    plan(sample_station, MONDAY, 7, now=datetime(2026, 11, 22, 20, 0), channels=CHANNELS)
    with sample_station.transaction() as session:
        slots = schedule(session, MONDAY, 7)
    runner = CliRunner()
    path = tmp_path / "lich.ics"
    result = runner.invoke(
        app,
        [
            "-s",
            str(sample_station.root),
            "schedule",
            "export",
            "--ics",
            str(path),
            "--from",
            "2026-11-23",
            "--days",
            "7",
        ],
    )
    assert result.exit_code == 0, result.output
    cal = Calendar.from_ical(path.read_bytes())
    events = cal.walk("VEVENT")
    assert len(events) == len(slots) > 0
    uids = {str(e["UID"]) for e in events}
    assert len(uids) == len(events)
    first = events[0]
    start = first.decoded("DTSTART")
    assert start.tzinfo is not None and start.replace(tzinfo=None) == slots[0].start
    assert first.decoded("DTEND") > start
    assert slots[0].items[0].title in str(first["DESCRIPTION"])
    # the station's timezone travels with the file, and DTSTAMP is when it was made (UTC)
    zones = cal.walk("VTIMEZONE")
    assert [str(z["TZID"]) for z in zones] == ["Asia/Ho_Chi_Minh"]
    made = datetime(2026, 11, 22, 20, 15)
    again = Calendar.from_ical(to_ics(sample_station, slots, now=made))
    stamp = again.walk("VEVENT")[0].decoded("DTSTAMP")
    assert stamp.utcoffset() == timedelta(0) and stamp.replace(tzinfo=None) == made - timedelta(
        hours=7
    )
    assert to_ics(sample_station, slots, now=made) == to_ics(sample_station, slots, now=made)


def test_runsheet_lists_scripts_and_sources(sample_station, tmp_path) -> None:
    plan(sample_station, MONDAY, 7, now=datetime(2026, 11, 22, 20, 0), channels=CHANNELS)
    with sample_station.transaction() as session:
        radio = schedule(session, date(2026, 11, 24), 1, channel="radio")
        item = radio[0].items[0]
    page = runsheet_html(sample_station, date(2026, 11, 24))
    assert page.startswith("<!DOCTYPE html>") and "Lịch phát thanh ngày 24/11/2026" in page
    assert "05:30" in page and "17:30" in page
    assert item.title.replace('"', "&quot;") in page
    first_line = item.script.splitlines()[0].replace('"', "&quot;")
    assert first_line in page
    runner = CliRunner()
    out = tmp_path / "sheet.html"
    result = runner.invoke(
        app,
        [
            "-s",
            str(sample_station.root),
            "schedule",
            "runsheet",
            "--date",
            "24/11/2026",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0 and out.read_text(encoding="utf-8") == page
    empty = runsheet_html(sample_station, date(2027, 3, 1))
    assert "Không có bản tin nào" in empty
