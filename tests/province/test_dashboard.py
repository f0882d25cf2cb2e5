"""One `loa web` for the whole province: each commune's pages at /x/<ident>/, province users
who see every commune, a commune's users who see only theirs, the province officer's message
form, and the communes' state now with its alerts."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from loa.app import users
from loa.province.registry import Province
from loa.province.stations import add_station, open_station
from loa.province.users import add_user as add_province_user
from loa.web.province import create_province_app

NOW = datetime(2026, 12, 1, 9, 0)
PASSWORD = "mat-khau-thu"


@pytest.fixture
def communes(province: Province) -> Province:
    """Two communes (xa_a, xa_b), a user of each, and the province's officer and viewer."""
    for ident, name in (("xa_a", "Xã An Bình"), ("xa_b", "Xã Bình Minh")):
        add_station(province, ident, name=name, now=NOW)
        station = open_station(province, ident)
        try:
            users.add_user(station, f"can.bo.{ident[-1]}", "officer", PASSWORD, now=NOW)
        finally:
            station.engine.dispose()
    add_province_user(province, "tinh.lan", "officer", PASSWORD, now=NOW)
    add_province_user(province, "tinh.xem", "province-viewer", PASSWORD, now=NOW)
    return province


@pytest.fixture
def client(communes: Province) -> Iterator[TestClient]:
    app = create_province_app(communes, clock=lambda: NOW, login_delay=0)
    with TestClient(app) as c:
        yield c
    app.home.close()  # type: ignore[attr-defined]


def _csrf(client: TestClient, path: str = "/login") -> str:
    if not client.cookies.get("loa_csrf"):
        client.get(path)
    token = client.cookies.get("loa_csrf")
    assert token
    return token


def _log_in(client: TestClient, login_path: str, name: str) -> None:
    response = client.post(
        login_path,
        data={"username": name, "password": PASSWORD, "csrf": _csrf(client), "next": "/"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def test_a_communes_user_sees_only_their_commune(client: TestClient) -> None:
    _log_in(client, "/x/xa_a/login", "can.bo.a")
    own = client.get("/x/xa_a/messages")
    assert own.status_code == 200
    # the commune's own pages, their links and forms under its prefix
    assert 'href="/x/xa_a/messages/new"' in own.text or 'href="/x/xa_a/plan"' in own.text
    assert not re.search(r'href="/(messages|plan|radio)', own.text)
    assert client.get("/x/xa_a/", follow_redirects=False).status_code == 200

    other = client.get("/x/xa_b/messages", follow_redirects=False)
    assert other.status_code == 403
    assert "xa_a" in other.text and "Bình Minh" not in other.text
    assert client.get("/x/xa_b/", follow_redirects=False).status_code == 403
    # the province's pages are not a commune's to read
    assert client.get("/messages", follow_redirects=False).status_code == 303
    home = client.get("/", follow_redirects=False)
    assert home.status_code == 303 and home.headers["location"] == "/x/xa_a/"
    # the commune's "Toàn tỉnh" page shows that commune only
    page = client.get("/x/xa_a/province").text
    assert "Xã An Bình" in page and "xa_b" not in page and "Bình Minh" not in page


def test_a_communes_session_and_token_do_not_open_another_commune(
    client: TestClient, communes: Province
) -> None:
    _log_in(client, "/x/xa_a/login", "can.bo.a")
    # without the cookie that names their commune, the session still opens nothing at xa_b
    client.cookies.delete("loa_xa")
    response = client.get("/x/xa_b/messages", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/x/xa_b/login")
    station = open_station(communes, "xa_a")
    try:
        token = users.new_token(station, "can.bo.a", now=NOW)
    finally:
        station.engine.dispose()
    bearer = {"Authorization": f"Bearer {token}"}
    fresh = TestClient(client.app)
    assert fresh.get("/x/xa_a/api/messages", headers=bearer).status_code == 200
    assert fresh.get("/x/xa_b/api/messages", headers=bearer).status_code == 401
    assert fresh.get("/x/khong_co/", follow_redirects=False).status_code == 404


def test_a_province_user_sees_every_commune(client: TestClient) -> None:
    _log_in(client, "/login", "tinh.xem")
    home = client.get("/")
    assert home.status_code == 200
    assert "Xã An Bình" in home.text and "Xã Bình Minh" in home.text
    for ident in ("xa_a", "xa_b"):
        page = client.get(f"/x/{ident}/messages")
        assert page.status_code == 200
        assert "tinh:tinh.xem" in page.text  # who is logged in, as the province's
    everyone = client.get("/x/xa_b/province").text
    assert "xa_a" in everyone and "xa_b" in everyone
    # a viewer writes no province message and changes nothing in a commune
    assert client.get("/messages/new").status_code == 403
    response = client.post(
        "/x/xa_a/messages/new",
        data={"csrf": _csrf(client), "title": "x", "body": "y"},
        follow_redirects=False,
    )
    assert response.status_code == 403


def test_the_province_login_refuses_a_communes_account(client: TestClient) -> None:
    response = client.post(
        "/login",
        data={"username": "can.bo.a", "password": PASSWORD, "csrf": _csrf(client), "next": "/"},
    )
    assert response.status_code == 401
    assert "Sai tên đăng nhập hoặc mật khẩu" in response.text
    # and the form without its anti-forgery token
    bad = client.post("/login", data={"username": "tinh.lan", "password": PASSWORD})
    assert bad.status_code == 403
