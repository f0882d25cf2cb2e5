"""Commands that work on SQLite work on PostgreSQL: the station's CLI end to end on both."""

from __future__ import annotations

import json
from datetime import date, datetime

from typer.testing import CliRunner

from loa.cli.main import app
from loa.core.station import Station


def _cli(station: Station, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, ["--station", str(station.root), *args])


def test_plan_schedule_messages_and_report_on_either_store(sample_station: Station) -> None:
    from loa.app.planning import plan_station

    plan_station(sample_station, date(2026, 11, 23), 7, now=datetime(2026, 11, 22, 20, 0))
    shown = _cli(sample_station, "schedule", "--json", "--from", "23/11/2026", "--days", "7")
    assert shown.exit_code == 0, shown.output
    slots = json.loads(shown.stdout)
    assert sum(len(s["items"]) for s in slots) > 10
    listed = _cli(sample_station, "msg", "list", "--json")
    assert listed.exit_code == 0 and len(json.loads(listed.stdout)) == 20
    refused = _cli(sample_station, "msg", "approve", "999")
    assert refused.exit_code == 2 and "999" in refused.output
    assert "Traceback" not in refused.output
    report = _cli(sample_station, "report", "--from", "23/11/2026", "--to", "29/11/2026")
    assert report.exit_code == 0, report.output
