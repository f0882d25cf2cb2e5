"""The dashboard's "Phát trực tiếp" page and its actions: only the operator and the officer,
only with the CSRF token, and a second live source is refused naming who holds the air."""

from __future__ import annotations

import json
import os

from fastapi.testclient import TestClient

from loa.app.live import LOCK_NAME, holder
from loa.core.station import Station
from tests.web.conftest import csrf_of, log_in


def _hold(station: Station, by: str) -> None:
    """Someone (this process) is live: the lock file `loa live` writes."""
    lock = {"pid": os.getpid(), "by": by, "zones": ["thon1"], "since": "08:00:00 22/11/2026"}
    (station.root / LOCK_NAME).write_text(json.dumps(lock), encoding="utf-8")


def test_the_operator_and_the_officer_have_the_page_and_the_viewer_not(
    client: TestClient,
) -> None:
    log_in(client, "hung")
    radio = client.get("/radio")
    assert 'id="live-link" href="/radio/live"' in radio.text
    page = client.get("/radio/live")
    assert page.status_code == 200
    assert "<h1>Phát trực tiếp</h1>" in page.text and 'id="live-start"' in page.text
    assert '<script src="/static/live.js" defer></script>' in page.text
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert client.get("/static/live.js").status_code == 200
    log_in(client, "lan")
    assert client.get("/radio/live").status_code == 200

    log_in(client, "mai")
    assert 'id="live-link"' not in client.get("/radio").text
    refused = client.get("/radio/live")
    assert refused.status_code == 403 and "Vai trò" in refused.text
    answer = client.post(
        "/radio/live/start", json={"zones": []}, headers={"X-CSRF-Token": csrf_of(client)}
    )
    assert answer.status_code == 403


def test_starting_without_the_csrf_token_is_refused(
    client: TestClient, web_station: Station
) -> None:
    log_in(client, "lan")
    answer = client.post("/radio/live/start", json={"zones": []})
    assert answer.status_code == 403
    assert "mã chống giả mạo" in answer.text
    assert holder(web_station) is None


def test_a_second_live_source_is_refused_with_who_holds_it(
    client: TestClient, web_station: Station
) -> None:
    _hold(web_station, "lan")
    log_in(client, "hung")
    page = client.get("/radio/live")
    assert "Đang có người phát trực tiếp: lan (từ 08:00:00 22/11/2026" in page.text
    answer = client.post(
        "/radio/live/start", json={"zones": []}, headers={"X-CSRF-Token": csrf_of(client)}
    )
    assert answer.status_code == 409
    assert answer.json()["message"].startswith("Đang có người phát trực tiếp: lan")


def test_a_chunk_for_a_broadcast_that_is_not_theirs_is_refused(client: TestClient) -> None:
    log_in(client, "hung")
    answer = client.post(
        "/radio/live/khong-co/audio",
        content=b"\x1a\x45\xdf\xa3",
        headers={"X-CSRF-Token": csrf_of(client), "Content-Type": "application/octet-stream"},
    )
    assert answer.status_code == 404
    assert "không phải của hung" in answer.json()["message"]
