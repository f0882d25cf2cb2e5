"""Reports count the commune's own recordings and live broadcasts apart from the synthetic
voice: in the figures, the .docx and the .xlsx."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from docx import Document
from openpyxl import load_workbook

from loa.channels.models import AsRunRecord
from loa.report import build_report, write_report
from tests.report.test_files import num, sheet, text_of

DAY = date(2026, 11, 23)


def _aired(station, when: datetime, seconds: float, kind: str | None, **fields) -> None:
    with station.transaction() as session:
        session.add(
            AsRunRecord(
                channel="radio",
                status="done",
                started_at=when,
                ended_at=when + timedelta(seconds=seconds),
                duration_s=seconds,
                bulletin=fields.pop("bulletin", when.strftime("%Y-%m-%d %H:%M")),
                kind=kind,
                **fields,
            )
        )


def test_recorded_and_live_airtime_apart_from_speech(station, tmp_path) -> None:
    six = datetime(2026, 11, 23, 6, 0)
    key = "2026-11-23 06:00"
    _aired(station, six, 60, "speech", title="Tin đọc máy", bulletin=key)
    _aired(station, six + timedelta(seconds=61), 30, None, title="Tin cũ (0008)", bulletin=key)
    _aired(station, six + timedelta(seconds=92), 90, "recorded", title="Chủ tịch", bulletin=key)
    _aired(
        station,
        datetime(2026, 11, 23, 9, 0),
        120,
        "live",
        title="Phát trực tiếp",
        bulletin="live:2026-11-23T09:00:00",
        extra={"by": "lan"},
    )
    report = build_report(station, DAY, DAY, now=datetime(2026, 11, 24, 0, 0))
    t = report.totals
    assert t.airtime_s == 300
    assert (t.speech_s, t.recorded_s, t.live_s, t.lives) == (90, 90, 120, 1)
    # a live broadcast is airtime, not a message nor a bulletin item
    assert (t.radio_items, t.bulletins, t.messages) == (3, 1, 3)
    assert sum(r.total for r in report.topics) == t.radio_items
    data = report.to_dict()["totals"]
    assert data["airtime_recorded_s"] == 90 and data["airtime_live_s"] == 120
    assert data["airtime_speech_s"] == 90 and data["live_broadcasts"] == 1

    files = write_report(report, tmp_path / "out")
    text = text_of(Document(str(files.docx)))
    assert (
        "giọng đọc máy 1,5 phút, bản ghi âm của xã 1,5 phút, phát trực tiếp 2,0 phút (1 lần)"
        in text
    )
    summary = {r[0]: r[2] for r in sheet(load_workbook(files.xlsx), "Tổng hợp")[1:]}
    assert num(str(summary["airtime_min"])) == 5.0
    assert summary["airtime_speech_min"] == 1.5
    assert summary["airtime_recorded_min"] == 1.5
    assert summary["airtime_live_min"] == 2.0
    assert summary["live_broadcasts"] == 1


def test_no_recording_no_extra_sentence(station, tmp_path) -> None:
    _aired(station, datetime(2026, 11, 23, 6, 0), 60, "speech", title="Tin")
    report = build_report(station, DAY, DAY, now=datetime(2026, 11, 24, 0, 0))
    assert report.totals.speech_s == 60 and report.totals.recorded_s == 0
    files = write_report(report, tmp_path / "out")
    assert "bản ghi âm của xã" not in text_of(Document(str(files.docx)))
