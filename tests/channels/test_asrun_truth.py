"""The as-run log tells the truth: a play into the null sink is never "aired", and the report
never counts airtime past its "as of" moment."""

from __future__ import annotations

from datetime import timedelta

from loa.app.play import play_slot
from loa.channels.models import AsRunStatus
from loa.channels.radio import FileSink, NullSink
from loa.core.station import Station
from loa.planning.models import PlanEntry
from loa.report.figures import build_report
from tests.channels.test_radio_playout import SLOT, Clock, make_bulletin


def test_a_null_sink_play_is_skipped_said_so_and_not_reported(station: Station) -> None:
    path, _ids, entry_ids = make_bulletin(station)
    sink = NullSink()
    records = play_slot(station, SLOT, now=SLOT, sink=sink, clock=Clock(SLOT, 1))
    assert sink.played == [path]
    assert {r.status for r in records} == {AsRunStatus.SKIPPED}
    assert all("sink null" in (r.note or "") for r in records)
    with station.transaction() as s:
        assert [s.get(PlanEntry, e).status for e in entry_ids] == ["skipped", "skipped"]
    again = play_slot(station, SLOT, now=SLOT, sink=sink)
    assert sink.played == [path] and [r.id for r in again] == [r.id for r in records]
    report = build_report(station, SLOT.date(), SLOT.date(), now=SLOT + timedelta(hours=1))
    assert report.totals.radio_items == 0 and report.totals.bulletins == 0
    assert len(report.undelivered) == 2


def test_a_test_play_into_the_null_sink_stays_a_test(station: Station) -> None:
    make_bulletin(station)
    early = SLOT - timedelta(hours=3)
    records = play_slot(station, SLOT, now=early, sink=NullSink(), test=True)
    assert {r.status for r in records} == {AsRunStatus.TEST}
    with station.transaction() as s:
        assert {e.status for e in s.query(PlanEntry)} == {"planned"}


def test_report_counts_no_airtime_after_its_as_of_time(station: Station) -> None:
    make_bulletin(station)
    play_slot(
        station, SLOT, now=SLOT, sink=FileSink(station.media_dir / "aired"), clock=Clock(SLOT, 0)
    )
    # items start at 0.5 s and 2.2 s and last 1.5 s; the report is asked for at 1.0 s
    report = build_report(station, SLOT.date(), SLOT.date(), now=SLOT + timedelta(seconds=1))
    assert report.data_until == SLOT + timedelta(seconds=1)
    assert [round(r.duration_s, 2) for r in report.rows] == [0.5]
    assert all(
        r.started_at + timedelta(seconds=r.duration_s) <= report.data_until for r in report.rows
    )
    later = build_report(station, SLOT.date(), SLOT.date(), now=SLOT + timedelta(minutes=5))
    assert [r.duration_s for r in later.rows] == [1.5, 1.5]
