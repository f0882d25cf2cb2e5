"""The report on as-run records written by the channels themselves (radio playout into a null
sink, posts through the outbox on the null channel), not by hand."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import func, select

from loa.app.play import play_slot as play_bulletin
from loa.app.publish import publish_entry as publish_plan_entry
from loa.channels.models import AsRunRecord
from loa.channels.radio import FileSink
from loa.channels.runtime import Runtime
from loa.content.models import Message
from loa.core.station import Station
from loa.planning.models import PlanEntry
from loa.report import build_report, write_report

DAY0 = date(2026, 11, 2)


@pytest.mark.slow
def test_report_on_a_few_days_run_by_the_channels(sample_station: Station, tmp_path: Path) -> None:
    st = sample_station
    with st.transaction() as s:
        msgs = list(s.scalars(select(Message).order_by(Message.id).limit(4)))
        posts = []
        for d in range(3):
            day = DAY0 + timedelta(days=d)
            for i, m in enumerate(msgs[d : d + 2]):
                s.add(
                    PlanEntry(
                        message_id=m.id,
                        channel="radio",
                        position=i,
                        duration_s=20,
                        scheduled_at=datetime(day.year, day.month, day.day, 6, 0),
                    )
                )
            entry = PlanEntry(
                message_id=msgs[d].id,
                channel="null",
                scheduled_at=datetime(day.year, day.month, day.day, 9, 0),
            )
            s.add(entry)
            posts.append(entry)
        # An evening bulletin on the last day that nobody plays.
        for i, m in enumerate(msgs[:2]):
            s.add(
                PlanEntry(
                    message_id=m.id,
                    channel="radio",
                    position=i,
                    duration_s=20,
                    scheduled_at=datetime(2026, 11, 4, 17, 30),
                )
            )
        s.flush()
        post_ids = [e.id for e in posts]

    for d in range(3):
        when = datetime(2026, 11, 2 + d, 6, 0)
        late = d == 2  # an hour late: the playout skips it and says why
        at = when + timedelta(hours=1 if late else 0)
        play_bulletin(
            st, when, now=at, sink=FileSink(st.media_dir / "aired"), clock=lambda at=at: at
        )
        due = datetime(2026, 11, 2 + d, 9, 0)
        publish_plan_entry(
            st, post_ids[d], now=due + timedelta(hours=8 if late else 0), runtime=Runtime()
        )

    now = datetime(2026, 11, 5, 8, 0)
    report = build_report(st, DAY0, date(2026, 11, 4), now=now)
    with st.transaction() as s:
        done_radio = (AsRunRecord.channel == "radio", AsRunRecord.status == "done")
        assert report.totals.radio_items == s.scalar(select(func.count()).where(*done_radio)) == 4
        assert report.totals.airtime_s == pytest.approx(
            s.scalar(select(func.sum(AsRunRecord.duration_s)).where(*done_radio))
        )
    assert report.totals.bulletins == 2
    assert report.totals.posts == {"null": 2}
    assert report.undelivered_counts == {"skipped": 3, "missing": 2}
    assert all(u.reason for u in report.undelivered)

    files = write_report(report, tmp_path)
    doc = Document(str(files.docx))
    radio_row = next(r for r in doc.tables[1].rows if r.cells[0].text == "Đài truyền thanh")
    assert [c.text for c in radio_row.cells[1:3]] == ["2", "4"]
    summary = {
        r[0]: r[2] for r in load_workbook(files.xlsx)["Tổng hợp"].iter_rows(values_only=True)
    }
    assert (summary["bulletins"], summary["radio_items"], summary["posts.null"]) == (2, 4, 2)
    assert summary["undelivered"] == 5
