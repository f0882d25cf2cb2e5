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


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 0, 0)).save(out, "PNG")
    return out.getvalue()


def test_the_api_refuses_a_photo_outside_the_station_folder(
    client: TestClient, web_station: Station, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from loa.app import users

    outside = tmp_path_factory.mktemp("elsewhere") / "secret.png"
    outside.write_bytes(_png())
    token = users.new_token(web_station, "lan", now=NOW)
    answer = client.post(
        "/api/messages",
        json={"title": "Tin", "body": "Nội dung", "topic": "procedures", "image": str(outside)},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 400 and "thư mục đài" in answer.json()["error"]
    inside = web_station.root / "anh" / "hop.png"
    inside.parent.mkdir(exist_ok=True)
    inside.write_bytes(_png())
    kept = client.post(
        "/api/messages",
        json={"title": "Tin", "body": "Nội dung", "topic": "procedures", "image": "anh/hop.png"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert kept.status_code == 201 and kept.json()["image"] == "anh/hop.png"


def test_the_photo_route_serves_only_the_station_photo_folder(
    client: TestClient, web_station: Station, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from loa.content.models import Message

    outside = tmp_path_factory.mktemp("elsewhere") / "secret.png"
    outside.write_bytes(_png())
    elsewhere = web_station.root / "khac.png"  # in the station folder, not its photo folder
    elsewhere.write_bytes(_png())
    inside = web_station.root / "anh" / "ok.png"
    inside.parent.mkdir(exist_ok=True)
    inside.write_bytes(_png())
    with web_station.transaction() as session:  # as a CLI `msg add --image` may have stored
        first = session.get(Message, 1)
        second = session.get(Message, 2)
        third = session.get(Message, 3)
        assert first and second and third
        first.image, second.image, third.image = str(outside), "khac.png", "anh/ok.png"
    log_in(client, "mai")
    assert client.get("/messages/1/photo").status_code == 404
    assert client.get("/messages/2/photo").status_code == 404
    served = client.get("/messages/3/photo")
    assert served.status_code == 200 and served.content == inside.read_bytes()
