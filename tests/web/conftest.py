"""A sample station (loaded as of its own day) with three users, and a dashboard on it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time

import pytest
from fastapi.testclient import TestClient

from loa.app import users
from loa.app.setup import SAMPLE_DAY
from loa.core.station import Station
from loa.web.app import create_app

NOW = datetime.combine(SAMPLE_DAY, time(9, 0))
PASSWORD = "mat-khau-thu"


@pytest.fixture
def web_station(sample_station: Station) -> Station:
    for name, role in (("lan", "officer"), ("hung", "operator"), ("mai", "viewer")):
        users.add_user(sample_station, name, role, PASSWORD, now=NOW)
    return sample_station


@pytest.fixture
def client(web_station: Station) -> Iterator[TestClient]:
    with TestClient(create_app(web_station, clock=lambda: NOW)) as c:
        yield c


def csrf_of(client: TestClient) -> str:
    if not client.cookies.get("loa_csrf"):
        client.get("/login")
    token = client.cookies.get("loa_csrf")
    assert token
    return token


def log_in(client: TestClient, name: str, password: str = PASSWORD) -> TestClient:
    response = client.post(
        "/login",
        data={"username": name, "password": password, "csrf": csrf_of(client), "next": "/"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return client
