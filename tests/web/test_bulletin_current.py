"""Issue 26, item 1: the player and the run sheet show a bulletin's file only when it holds
what the plan now says will air; after a re-plan or an edit they say "chưa dựng lại" and offer
to render it again."""

from __future__ import annotations

from datetime import datetime

from fastapi.testclient import TestClient

from loa.app.dashboard import bulletins_of
from loa.app.render import render_slot
from loa.core.station import Station
from tests.web.conftest import NOW, csrf_of, log_in


def _next_bulletin(station: Station) -> datetime:
    from loa.app.planning import plan_station

    plan_station(station, NOW.date(), 1, now=NOW)
    found = [b for b in bulletins_of(station, NOW.date()) if b.start > NOW and b.slot.items]
    assert found, "the sample plan has a bulletin later today"
    return found[0].start


def _audio_for(page: str, when: datetime) -> bool:
    return f"/media/bulletins/{when:%Y-%m-%d}/{when:%H%M}." in page


def test_an_old_file_is_not_played_after_an_edit_and_can_be_rendered_again(
    client: TestClient, web_station: Station
) -> None:
    from loa.content.queue import edit

    when = _next_bulletin(web_station)
    assert render_slot(web_station, when) is not None
    log_in(client, "hung")  # the operator
    radio = client.get("/radio").text
    assert _audio_for(radio, when)
    sheet = client.get("/radio/runsheet")
    assert "chưa dựng lại" not in sheet.text

    first = bulletins_of(web_station, NOW.date())
    bulletin = next(b for b in first if b.start == when)
    message_id = bulletin.slot.items[0].message_id
    with web_station.transaction() as session:  # new words: the file says the old ones
        edit(session, message_id, {"body": "Nội dung mới hoàn toàn khác."}, keep_approval=True)

    radio = client.get("/radio").text
    assert not _audio_for(radio, when)
    assert "chưa dựng lại theo lịch mới" in radio and 'action="/radio/render"' in radio
    today = client.get("/").text
    assert f"Bản tin {when:%H:%M} chưa dựng lại theo lịch mới" in today
    sheet = client.get("/radio/runsheet")
    assert "chưa dựng lại theo lịch hiện tại" in sheet.text

    rendered = client.post(
        "/radio/render",
        data={"csrf": csrf_of(client), "when": when.isoformat(timespec="minutes")},
        follow_redirects=False,
    )
    assert rendered.status_code == 303
    radio = client.get(rendered.headers["location"]).text
    assert _audio_for(radio, when) and f"Đã dựng bản tin {when:%H:%M}" in radio


def test_a_dropped_item_makes_the_file_old_and_a_viewer_cannot_render(
    client: TestClient, web_station: Station
) -> None:
    from loa.app.plan_edit import drop_entry

    when = _next_bulletin(web_station)
    render_slot(web_station, when)
    bulletin = next(b for b in bulletins_of(web_station, NOW.date()) if b.start == when)
    assert bulletin.current and not bulletin.stale
    drop_entry(web_station, bulletin.slot.items[-1].entry_id, now=NOW)
    again = next(b for b in bulletins_of(web_station, NOW.date()) if b.start == when)
    assert again.stale and not again.current
    log_in(client, "mai")
    radio = client.get("/radio").text
    assert not _audio_for(radio, when) and 'action="/radio/render"' not in radio
    refused = client.post("/radio/render", data={"csrf": csrf_of(client), "when": when.isoformat()})
    assert refused.status_code == 403


def test_the_run_sheet_keeps_its_own_styles_under_the_page_policy(
    client: TestClient,
) -> None:
    log_in(client, "mai")
    sheet = client.get("/radio/runsheet")
    policy = sheet.headers["content-security-policy"]
    assert "style-src 'sha256-" in policy and "unsafe-inline" not in policy
    assert "script-src" not in policy and "default-src 'none'" in policy
    import base64
    import hashlib
    import re

    css = re.search(r"<style>(.*?)</style>", sheet.text, flags=re.S)
    assert css is not None
    digest = base64.b64encode(hashlib.sha256(css.group(1).encode()).digest()).decode()
    assert f"'sha256-{digest}'" in policy
