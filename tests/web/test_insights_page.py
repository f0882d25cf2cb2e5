"""The dashboard's insights page: a weekday x hour heat map per channel, with confidence."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from fastapi.testclient import TestClient

from loa.channels.models import Insight
from loa.core.station import Station
from tests.web.conftest import NOW, log_in


def test_heat_map_per_channel_with_confidence(client: TestClient, web_station: Station) -> None:
    start = datetime(2026, 1, 5)  # a Monday
    with web_station.transaction() as session:
        for n in range(10):  # ten working-day bulletins at 05:30: confident
            at = start + timedelta(days=n // 5 * 7 + n % 5, hours=5, minutes=30)
            session.add(
                Insight(
                    ref=f"bulletin:{at:%Y-%m-%d %H:%M}",
                    channel="radio",
                    at=at,
                    metric="listeners",
                    source="icecast /thon1.mp3",
                    value=40.0 + n,
                    samples=3,
                    measured_at=NOW,
                )
            )
    log_in(client, "mai")  # a viewer may read it
    page = client.get("/insights")
    assert page.status_code == 200
    assert "10 số liệu đã lưu" in page.text
    table = page.text.split('id="heat-radio"')[1].split("</table>")[0]
    rows = re.findall(r"<tr><th>(T2|T3|T4|T5|T6|T7|CN)</th>(.*?)</tr>", table, re.S)
    assert [day for day, _ in rows] == ["T2", "T3", "T4", "T5", "T6", "T7", "CN"]
    monday = re.findall(r'<td class="([^"]+)" title="([^"]+)">', rows[0][1])
    assert len(monday) == 24
    cls, title = monday[4]  # 04-06 h window: the morning bulletin's cell
    assert "c-ok" in cls and "10 lần đo" in title and "tin cậy: đủ" in title
    sunday = re.findall(r'<td class="([^"]+)"', rows[6][1])
    assert "c-none" in sunday[4]  # Sundays were never measured
    assert 'href="/insights"' in page.text  # in the menu
