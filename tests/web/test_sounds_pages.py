"""The dashboard shows the commune's recordings and live broadcasts apart from the synthetic
voice, with the report's own figures: the reports page, the radio page (its as-run log and
the day's line) and the printed run sheet (each item's voice, the day's live broadcasts)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from fastapi.testclient import TestClient

from loa.channels.models import AsRunRecord
from loa.content.models import Message
from loa.core.i18n import decimal
from loa.core.station import Station
from loa.report import build_report
from tests.web.conftest import NOW, log_in

SIX = NOW.replace(hour=6, minute=0)


def _aired(station: Station, when: datetime, seconds: float, kind: str, **fields: object) -> None:
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


def _day_of_sounds(station: Station) -> None:
    key = SIX.strftime("%Y-%m-%d %H:%M")
    _aired(station, SIX, 60, "speech", title="Tin đọc máy", bulletin=key)
    _aired(station, SIX + timedelta(seconds=61), 90, "recorded", title="Chủ tịch xã", bulletin=key)
    _aired(
        station,
        NOW.replace(hour=8),
        120,
        "live",
        title="Phát trực tiếp (lan)",
        bulletin="live:2026-11-22T08:00:00",
        zones=["thon1"],
        extra={"by": "lan", "recording": "live/2026-11-22/080000.mp3"},
    )


def _cell(html: str, row_id: str) -> str:
    found = re.search(rf'<tr id="{row_id}"><th>(.*?)</th><td>(.*?)</td></tr>', html)
    assert found, row_id
    return f"{found[1]} = {found[2]}"


def test_the_reports_page_shows_recorded_and_live_airtime_as_the_report_counts_it(
    client: TestClient, web_station: Station
) -> None:
    _day_of_sounds(web_station)
    log_in(client, "mai")
    page = client.get("/reports", params={"kind": "month", "value": "11/2026"})
    assert page.status_code == 200, page.text
    t = build_report(web_station, NOW.date().replace(day=1), NOW.date(), now=NOW).totals
    assert (t.recorded_s, t.live_s, t.lives, t.recorded_items) == (90, 120, 1, 1)
    assert _cell(page.text, "airtime-speech") == (
        f"– giọng máy đọc (phút) = {decimal(t.speech_s / 60)}"
    )
    assert _cell(page.text, "airtime-recorded") == "– ghi âm của xã (phút; 1 lượt tin) = 1,5"
    assert _cell(page.text, "airtime-live") == "– phát trực tiếp (phút; 1 lần) = 2,0"


def test_the_radio_page_marks_recorded_and_live_rows_and_gives_the_days_split(
    client: TestClient, web_station: Station
) -> None:
    _day_of_sounds(web_station)
    log_in(client, "hung")
    page = client.get("/radio", params={"day": NOW.date().isoformat()}).text
    assert (
        "Trong ngày trên loa: giọng máy 1,0 phút (1 tin), ghi âm của xã 1,5 phút (1 tin), "
        "phát trực tiếp 2,0 phút (1 lần)." in page
    )
    assert 'Chủ tịch xã <span class="sound recorded">ghi âm</span>' in page
    assert 'Phát trực tiếp (lan) <span class="sound live">trực tiếp</span>' in page
    assert 'Tin đọc máy <span class="sound' not in page


def test_the_run_sheet_shows_each_items_voice_and_the_days_live_broadcasts(
    client: TestClient, web_station: Station
) -> None:
    from loa.planning.planner import plan
    from loa.planning.views import schedule

    day = NOW.date() + timedelta(days=1)
    plan(web_station, day, 1, now=NOW, channels=("radio",))
    with web_station.transaction() as session:
        slot = schedule(session, day, 1, channel="radio")[0]
        recorded = slot.items[0]
        message = session.get(Message, recorded.message_id)
        assert message is not None
        message.audio, message.audio_seconds = "a" * 64 + ".mp3", 42.0
    _aired(
        web_station,
        datetime.combine(day, NOW.time()),
        75,
        "live",
        title="Phát trực tiếp (lan)",
        zones=["thon1"],
        extra={"by": "lan", "recording": "live/x/090000.mp3"},
    )
    log_in(client, "hung")
    sheet = client.get("/radio/runsheet", params={"day": day.isoformat()}).text
    assert "<th>Giọng</th>" in sheet
    rows = re.findall(
        r"<tr><td class=\"n\">\d+</td><td>(.*?)</td>.*?<td>(Giọng máy|Ghi âm của xã)</td>", sheet
    )
    voices = dict(rows)
    assert voices[recorded.title] == "Ghi âm của xã"
    assert recorded.script and recorded.script.split("\n")[0][:40] in sheet  # still printed
    assert "Giọng máy" in voices.values() or len(slot.items) == 1
    assert "ghi âm của xã " in sheet  # the bulletin's split line
    assert "Phát trực tiếp trong ngày" in sheet
    assert "Tổng phát trực tiếp: 1:15 (1 lần)" in sheet
    assert "<td>lan</td><td>thon1</td>" in sheet and "live/x/090000.mp3" in sheet
