"""Issue 26: the dashboard under abuse (huge numbers, paths outside the station, sessions,
throttling, previews)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from loa.core.station import Station
from loa.web.app import create_app
from tests.web.conftest import NOW, csrf_of, log_in


@pytest.fixture
def lenient(web_station: Station) -> TestClient:
    """A client that gets the 500 page instead of the server's exception."""
    return TestClient(create_app(web_station, clock=lambda: NOW), raise_server_exceptions=False)


@pytest.mark.parametrize(
    ("address", "status"),
    [
        ("/messages?page=1e20", 400),
        ("/messages?page=99999999999999999999", 400),
        ("/messages/9223372036854775808", 404),
        ("/messages/99999999999999999999999/photo", 404),
        ("/messages/abc", 404),
        ("/plan/explain/1e20", 404),
        ("/plan/explain/9223372036854775808", 404),
        ("/api/messages/9223372036854775808", 404),
    ],
)
def test_huge_numbers_in_addresses_are_not_a_server_error(
    lenient: TestClient, address: str, status: int
) -> None:
    log_in(lenient, "lan")
    response = lenient.get(address)
    assert response.status_code == status, response.text
    assert "Lỗi không mong đợi" not in response.text


def test_huge_numbers_in_forms_are_refused(lenient: TestClient) -> None:
    log_in(lenient, "lan")
    token = csrf_of(lenient)
    for path, data in (
        ("/radio/urgent", {"message_id": "9223372036854775808"}),
        ("/plan/entries/9223372036854775808/drop", {}),
        ("/outbox/9223372036854775808/retry", {}),
    ):
        response = lenient.post(path, data={"csrf": token, **data}, follow_redirects=False)
        assert response.status_code in (404, 422), (path, response.status_code)
    answer = lenient.post(
        "/api/urgent",
        json={"message_id": 2**70},
        headers={"X-CSRF-Token": token},
    )
    assert answer.status_code == 422 and "message_id" in answer.json()["error"]
