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


def test_logout_ends_the_session_on_the_server(client: TestClient) -> None:
    log_in(client, "lan")
    cookie = client.cookies.get("loa_session")
    assert cookie and client.get("/settings").status_code == 200
    out = client.post("/logout", data={"csrf": csrf_of(client)}, follow_redirects=False)
    assert out.status_code == 303
    client.cookies.set("loa_session", cookie)  # the old cookie, replayed
    again = client.get("/settings", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"].startswith("/login")


def test_authenticated_pages_are_not_kept_by_the_browser(client: TestClient) -> None:
    log_in(client, "lan")
    for path in ("/settings", "/", "/api/me", "/login"):
        assert client.get(path).headers["cache-control"] == "no-store", path
    assert "no-store" not in client.get("/static/style.css").headers.get("cache-control", "")


def test_secure_cookies_mark_the_session_cookie_too(
    web_station: Station, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOA_WEB_SECURE_COOKIES", "1")
    with TestClient(create_app(web_station, clock=lambda: NOW), base_url="https://x") as secure:
        token = csrf_of(secure)
        answer = secure.post(
            "/login",
            data={"username": "lan", "password": "mat-khau-thu", "csrf": token},
            follow_redirects=False,
        )
        cookies = answer.headers.get_list("set-cookie")
        session = [c for c in cookies if c.startswith("loa_session=")]
        assert session and "Secure" in session[0] and "HttpOnly" in session[0]


def test_x_forwarded_for_is_believed_only_from_a_configured_proxy(
    web_station: Station, monkeypatch: pytest.MonkeyPatch
) -> None:
    from loa.app import users

    def login_from(peer: str, forwarded: str) -> str:
        with TestClient(create_app(web_station, clock=lambda: NOW), client=(peer, 1)) as c:
            c.post(
                "/login",
                data={"username": "mai", "password": "mat-khau-thu", "csrf": csrf_of(c)},
                headers={"X-Forwarded-For": forwarded},
            )
        return users.audit_log(web_station, limit=1)[0].address

    assert login_from("192.168.1.20", "1.2.3.4") == "192.168.1.20"
    monkeypatch.setenv("LOA_WEB_PROXIES", "127.0.0.1, 10.9.0.0/16")
    assert login_from("192.168.1.20", "1.2.3.4") == "192.168.1.20"  # not a proxy
    assert login_from("10.9.0.5", "6.6.6.6, 192.168.1.30") == "192.168.1.30"  # first hop forged
    assert login_from("127.0.0.1", "192.168.1.31, 10.9.0.5") == "192.168.1.31"


def test_api_tokens_end_with_a_password_change_and_one_by_one(
    client: TestClient, web_station: Station
) -> None:
    from loa.app import users
    from loa.core.errors import UserError

    first = users.new_token(web_station, "hung", now=NOW)
    second = users.new_token(web_station, "hung", now=NOW)

    def status(token: str) -> int:
        return client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code

    assert status(first) == status(second) == 200
    listed = users.list_tokens(web_station, "hung")
    assert len(listed) == 2
    users.revoke_token(web_station, "hung", listed[0].id)
    assert status(first) == 401 and status(second) == 200
    with pytest.raises(UserError, match="loa user tokens lan"):
        users.revoke_token(web_station, "lan", listed[1].id)  # not lan's token
    log_in(client, "hung")
    assert client.get("/outbox").status_code == 200
    users.set_password(web_station, "hung", "mat-khau-moi-1")
    assert status(second) == 401
    assert client.get("/outbox", follow_redirects=False).status_code == 303


def test_listen_is_for_editors_and_speaks_a_limited_part(
    client: TestClient, web_station: Station
) -> None:
    import os

    from loa.app.preview import MAX_PREVIEW_CHARS, PREVIEWS, preview_part

    log_in(client, "mai")
    viewer = client.post(
        "/messages/listen", data={"body": "Xin chào"}, headers={"X-CSRF-Token": csrf_of(client)}
    )
    assert viewer.status_code == 403
    folder = web_station.media_dir / PREVIEWS
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(40):  # previews left from before: a few days old
        old = folder / f"{n:024x}.mp3"
        old.write_bytes(b"ID3")
        os.utime(old, (1_600_000_000 + n, 1_600_000_000 + n))
    log_in(client, "lan")
    long_text = "Bà con chú ý lịch tiêm chủng. " * 200
    part, cut = preview_part(long_text)
    assert cut and len(part) <= MAX_PREVIEW_CHARS and long_text.startswith(part)
    answer = client.post(
        "/messages/listen", data={"body": long_text}, headers={"X-CSRF-Token": csrf_of(client)}
    )
    assert answer.status_code == 200 and "<audio" in answer.text
    assert f"{MAX_PREVIEW_CHARS} ký tự đầu" in answer.text
    assert [p.name for p in folder.iterdir()] == [answer.text.split("/previews/")[1][:28]]


def test_a_huge_body_is_refused_before_it_is_read(client: TestClient) -> None:
    log_in(client, "lan")
    declared = client.post(
        "/messages/import",
        content=b"x" * 10,
        headers={
            "Content-Type": "multipart/form-data; boundary=z",
            "Content-Length": str(100 * 2**20),
            "X-CSRF-Token": csrf_of(client),
        },
    )
    assert declared.status_code == 413 and "quá lớn" in declared.text

    def chunks():  # no Content-Length: refused once more than the limit has arrived
        for _ in range(30):
            yield b"a" * 2**20

    streamed = client.post(
        "/messages/preview",
        content=chunks(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-CSRF-Token": csrf_of(client),
        },
    )
    assert streamed.status_code == 413 and "quá lớn" in streamed.text


def test_every_label_on_the_pages_is_vietnamese(client: TestClient, web_station: Station) -> None:
    import re

    from loa.app import users

    log_in(client, "lan")
    token = csrf_of(client)
    client.post("/messages/1/approve", data={"csrf": token})
    users.audit(web_station, "lan", "urgent", "#1 Tin", address="127.0.0.1", now=NOW)
    settings = client.get("/settings").text
    audit = settings[settings.index('id="audit"') :]
    for code in ("login_failed", ">login<", ">approve<", ">urgent<"):
        assert code not in audit, code
    assert "đăng nhập" in audit and "phát khẩn cấp" in audit
    form = client.get("/messages/new").text
    assert ">thường</option>" in form and ">khẩn</option>" in form and ">urgent<" not in form
    report = client.get("/reports", params={"kind": "year", "value": str(NOW.year)}).text
    for code in ("bulletins", "radio_items", "airtime_s", ">quarter<", ">half<"):
        assert code not in report, code
    assert "Số bản tin" in report and ">quý</option>" in report
    assert not re.search(r"style=", report)
    shown = client.get("/messages/1").text
    assert "Đài truyền thanh" in shown and "<dd>radio" not in shown
    listing = client.get("/messages").text
    assert ">Đài truyền thanh</option>" in listing and ">radio</option>" not in listing


def test_error_pages_tell_no_cli_command(client: TestClient) -> None:
    log_in(client, "lan")
    missing = client.get("/messages/999999")
    assert missing.status_code == 400 and "Không có tin số 999999" in missing.text
    assert "loa msg" not in missing.text
    from loa.web.context import for_people

    assert for_people("Không có tin số 5. Xem danh sách bằng: loa msg list") == "Không có tin số 5."
    assert for_people("Thêm người dùng trước: loa user add TÊN") == "Thêm người dùng trước"


def test_an_urgent_air_is_named_on_the_plan(client: TestClient, web_station: Station) -> None:
    from loa.web.context import _channel_label

    assert _channel_label("urgent", "vi") == "Khẩn cấp (mọi kênh)"


def test_the_dashboard_can_be_installed_on_a_phone(client: TestClient) -> None:
    login = client.get("/login").text
    assert '<link rel="manifest" href="/manifest.webmanifest">' in login
    assert 'rel="icon"' in login and 'rel="apple-touch-icon"' in login
    manifest = client.get("/manifest.webmanifest")  # fetched without cookies by browsers
    assert manifest.status_code == 200
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    data = manifest.json()
    assert data["start_url"] == "/" and data["display"] == "standalone"
    assert "Xã Cẩm Nhượng" in data["name"] and data["lang"] == "vi"
    sizes = {icon["sizes"] for icon in data["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in data["icons"]:
        served = client.get(icon["src"])
        assert served.status_code == 200 and served.headers["content-type"] == icon["type"]
    from io import BytesIO

    from PIL import Image

    big = Image.open(BytesIO(client.get("/static/icon-512.png").content))
    assert big.size == (512, 512)
    favicon = client.get("/favicon.ico")
    assert favicon.status_code == 200 and favicon.content.startswith(b"\x89PNG")


def test_confirmations_are_on_the_buttons_that_remove(client: TestClient) -> None:
    import re

    log_in(client, "lan")
    settings = client.get("/settings").text
    remove = re.findall(r'<button[^>]*formaction="/settings/slots/\d+/remove"[^>]*>', settings)
    assert remove and all("data-confirm=" in b for b in remove)
    script = client.get("/static/loa.js").text
    assert "event.submitter" in script and 'getAttribute("data-confirm")' in script


def test_today_shows_whether_the_daemon_the_stream_and_each_channel_work(
    client: TestClient, web_station: Station
) -> None:
    import re

    from loa.app.stream import ControlServer
    from loa.channels.models import Publication

    with web_station.transaction() as session:
        session.add(
            Publication(
                key="health-test",
                channel="website",
                status="failed",
                error="token hết hạn",
                due_at=NOW,
                attempts=1,
            )
        )
    log_in(client, "mai")

    def health() -> str:
        page = client.get("/").text
        return page[page.index('id="health"') : page.index("</section>", page.index('id="health"'))]

    down = health()
    assert re.search(r'<li class="bad">[^\n]*Dịch vụ phát \(loa run\)[^\n]*Không chạy', down)
    assert re.search(r'<li class="off">[^\n]*Phát trực tuyến[^\n]*Không dùng', down)
    assert re.search(r'<li class="bad">[^\n]*Trang thông tin điện tử[^\n]*1 bài lỗi', down)
    assert re.search(r'<li class="ok">[^\n]*Đài truyền thanh[^\n]*chưa có lần nào', down)
    control = ControlServer(web_station).start()  # what a running `loa run` listens on
    try:
        assert re.search(r'<li class="ok">[^\n]*Dịch vụ phát \(loa run\)[^\n]*Đang chạy', health())
    finally:
        control.stop()


def test_today_shows_the_stream_from_the_daemon_record(
    client: TestClient, web_station: Station
) -> None:
    import json
    import os
    import re

    from loa.app.stream import STATE_NAME
    from loa.channels.stream import stream_settings
    from tests.channels.conftest import configure

    configure(web_station, "radio.stream", enabled=True, url="http://127.0.0.1:9")
    log_in(client, "mai")
    page = client.get("/").text
    assert re.search(r'<li class="bad">[^\n]*Phát trực tuyến[^\n]*0/1 điểm phát', page)
    mount = stream_settings(web_station).mounts[0].mount
    record = {
        "pid": os.getpid(),
        "running": True,
        "mounts": [{"mount": mount, "connected": True, "since": NOW.isoformat()}],
    }
    (web_station.root / STATE_NAME).write_text(json.dumps(record), encoding="utf-8")
    page = client.get("/").text  # no call to the server: the daemon's record is enough
    assert re.search(r'<li class="ok">[^\n]*Phát trực tuyến[^\n]*1 điểm phát đang nối', page)
