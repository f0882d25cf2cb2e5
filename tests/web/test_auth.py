"""Login, sessions, bearer tokens, roles, CSRF, lockout and the audit log."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from loa.app import users
from loa.content.models import Message, MessageStatus
from loa.core.station import Station
from tests.web.conftest import NOW, PASSWORD, csrf_of, log_in


def _status(station: Station, message_id: int) -> str:
    with station.transaction() as session:
        message = session.get(Message, message_id)
        assert message is not None
        return message.status


def _a_draft(station: Station) -> int:
    from loa.content.queue import create

    with station.transaction() as session:
        return create(
            session, {"title": "Tin nháp", "body": "Nội dung", "topic": "procedures"}, now=NOW
        ).id


def test_pages_redirect_to_login_and_api_answers_401(client: TestClient) -> None:
    response = client.get("/messages?status=draft", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/messages%3Fstatus%3Ddraft"
    api = client.get("/api/messages")
    assert api.status_code == 401
    assert "loa user token" in api.json()["error"]
    assert client.get("/api/openapi.json").status_code == 401
    assert client.get("/api/health").json()["status"] == "ok"


def test_login_sets_a_signed_httponly_samesite_session(client: TestClient) -> None:
    response = client.post(
        "/login",
        data={"username": "lan", "password": PASSWORD, "csrf": csrf_of(client), "next": "/radio"},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/radio"
    cookie = response.headers["set-cookie"]
    assert "loa_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert PASSWORD not in cookie
    assert client.get("/api/me").json() == {"name": "lan", "role": "officer"}
    tampered = client.cookies["loa_session"][:-2] + "xx"
    client.cookies.clear()  # the only session cookie sent is the tampered one
    client.cookies.set("loa_session", tampered)
    assert client.get("/api/me").status_code == 401


def test_login_never_redirects_off_site(client: TestClient) -> None:
    for target in ("//evil.example/", "https://evil.example/", "/\\evil"):
        response = client.post(
            "/login",
            data={"username": "lan", "password": PASSWORD, "csrf": csrf_of(client), "next": target},
            follow_redirects=False,
        )
        assert response.headers["location"] == "/"


def test_wrong_passwords_slow_that_address_not_the_user(
    web_station: Station,
) -> None:
    """Five wrong passwords from one address make that address wait for that name; the real
    user at another address logs in at once, and an unknown name answers the same."""
    from loa.web.app import create_app

    clock = [NOW]
    app = create_app(web_station, clock=lambda: clock[0], login_delay=0.05)
    attacker = TestClient(app, client=("10.0.0.66", 5))
    for name in ("mai", "khong-co-ai"):
        for _ in range(5):
            r = attacker.post(
                "/login",
                data={"username": name, "password": "sai-mat-khau", "csrf": csrf_of(attacker)},
            )
            assert r.status_code == 401
            assert "Sai tên đăng nhập hoặc mật khẩu" in r.text
    waits = [
        attacker.post(
            "/login", data={"username": name, "password": PASSWORD, "csrf": csrf_of(attacker)}
        )
        for name in ("mai", "khong-co-ai")
    ]
    assert [w.status_code for w in waits] == [429, 429]
    assert "Chờ 61 giây" in waits[0].text
    assert waits[0].text.replace("khong-co-ai", "mai") == waits[1].text.replace(
        "khong-co-ai", "mai"
    ), "a name that exists must not answer differently"
    real = TestClient(attacker.app, client=("10.0.0.7", 5))
    log_in(real, "mai")
    assert real.get("/").status_code == 200
    clock[0] = NOW + timedelta(seconds=61)
    log_in(attacker, "mai")
    actions = [(r.who, r.action) for r in users.audit_log(web_station)]
    assert actions.count(("mai", "login_failed")) == 5
    assert actions.count(("mai", "login")) == 2
    assert all(PASSWORD not in r.detail for r in users.audit_log(web_station))


def test_a_form_without_the_csrf_token_is_refused_and_changes_nothing(
    client: TestClient, web_station: Station
) -> None:
    draft = _a_draft(web_station)
    log_in(client, "lan")
    refused = client.post(f"/messages/{draft}/approve", data={"csrf": "forged"})
    assert refused.status_code == 403 and "chống giả mạo" in refused.text
    assert client.post(f"/messages/{draft}/approve").status_code == 403
    assert _status(web_station, draft) == MessageStatus.DRAFT
    login = client.post("/login", data={"username": "lan", "password": PASSWORD, "csrf": "x"})
    assert login.status_code == 403
    ok = client.post(f"/messages/{draft}/approve", data={"csrf": csrf_of(client)})
    assert ok.status_code == 200
    assert _status(web_station, draft) == MessageStatus.APPROVED


def test_roles_get_403_and_nothing_changes(client: TestClient, web_station: Station) -> None:
    draft = _a_draft(web_station)
    viewer = users.new_token(web_station, "mai", now=NOW)
    operator = users.new_token(web_station, "hung", now=NOW)
    for token in (viewer, operator):
        r = client.post(
            f"/api/messages/{draft}/approve", headers={"Authorization": f"Bearer {token}"}
        )
        assert r.status_code == 403
        assert "không được làm việc này" in r.json()["error"]
    assert _status(web_station, draft) == MessageStatus.DRAFT
    r = client.post(
        "/api/urgent", json={"message_id": 1}, headers={"Authorization": f"Bearer {viewer}"}
    )
    assert r.status_code == 403
    log_in(client, "mai")
    page = client.get(f"/messages/{draft}")
    assert page.status_code == 200 and "approve-button" not in page.text
    assert client.get("/messages/new").status_code == 403


def test_bearer_token_works_without_csrf_and_a_bad_one_is_401(
    client: TestClient, web_station: Station
) -> None:
    draft = _a_draft(web_station)
    token = users.new_token(web_station, "lan", now=NOW)
    auth = {"Authorization": f"Bearer {token}"}
    r = client.post(f"/api/messages/{draft}/approve", headers=auth)
    assert r.status_code == 200
    assert r.json()["approved_by"] == "lan"
    assert (
        client.get("/api/messages", headers={"Authorization": "Bearer loa_wrong"}).status_code
        == 401
    )
    entry = users.audit_log(web_station)[0]
    assert (entry.who, entry.action) == ("lan", "approve") and entry.address == "testclient"


def test_a_new_password_ends_old_sessions_and_removal_ends_access(
    client: TestClient, web_station: Station
) -> None:
    log_in(client, "lan")
    assert client.get("/api/me").status_code == 200
    users.set_password(web_station, "lan", "mat-khau-moi-123")
    assert client.get("/api/me").status_code == 401
    token = users.new_token(web_station, "hung", now=NOW)
    users.remove_user(web_station, "hung")
    assert client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_tokens_and_passwords_are_stored_hashed(web_station: Station) -> None:
    from sqlalchemy import select

    token = users.new_token(web_station, "lan", now=NOW)
    with web_station.transaction() as session:
        hashes = list(session.scalars(select(users.ApiToken.token_hash)))
        passwords = list(session.scalars(select(users.User.password_hash)))
    assert token not in hashes and len(hashes) == 1
    assert all(p.startswith("$argon2") and PASSWORD not in p for p in passwords)
    assert token not in (web_station.root / "loa.db").read_bytes().decode("latin-1")


def test_the_station_language_wins_over_the_browser_until_the_user_switches(
    client: TestClient,
) -> None:
    english_phone = {"Accept-Language": "en-US,en;q=0.9"}
    r = client.get("/login", headers=english_phone)
    assert "Đăng nhập" in r.text and 'lang="vi"' in r.text and 'id="lang-switch"' in r.text
    switched = client.post(
        "/lang",
        data={"lang": "en", "next": "/login", "csrf": csrf_of(client)},
        follow_redirects=False,
    )
    assert switched.status_code == 303 and switched.headers["location"] == "/login"
    r = client.get("/login")
    assert "Log in" in r.text and 'lang="en"' in r.text and "Tiếng Việt" in r.text
    api = client.get("/api/messages")
    assert api.json()["error"].startswith("Login needed")
    forged = client.post("/lang", data={"lang": "vi", "next": "/", "csrf": "x"})
    assert forged.status_code == 403
    client.post("/lang", data={"lang": "vi", "next": "//evil", "csrf": csrf_of(client)})
    assert "Đăng nhập" in client.get("/login").text
