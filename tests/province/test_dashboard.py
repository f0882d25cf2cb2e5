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
    client.cookies.set("loa_lang", "en")  # the language switch: the province's pages too
    assert "Each commune at" in client.get("/").text
    client.cookies.delete("loa_lang")
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
    # logging out from a commune's page ends the province session
    out = client.post("/x/xa_a/logout", data={"csrf": _csrf(client)}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert client.get("/x/xa_a/messages", follow_redirects=False).status_code == 303
    assert client.get("/", follow_redirects=False).status_code == 303


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


def _messages_of(province: Province, ident: str) -> list[tuple[str, int | None, str]]:
    from loa.content.models import Message

    station = open_station(province, ident)
    try:
        with station.transaction() as s:
            return [
                (m.title, m.province_message_id, m.status)
                for m in s.scalars(select(Message).order_by(Message.id))
            ]
    finally:
        station.engine.dispose()


def _queued(province: Province) -> list[tuple[str, str]]:
    """(task, station) of every job in the province's queue."""
    from sqlalchemy import text

    engine = province.engine(pool_size=1)
    try:
        with engine.connect() as conn:
            return sorted(
                (str(task).rsplit(".", 1)[-1].rsplit(":", 1)[-1], str(args.get("station")))
                for task, args in conn.execute(
                    text("SELECT task_name, args FROM procrastinate.procrastinate_jobs")
                )
            )
    finally:
        engine.dispose()


def test_the_province_officer_writes_a_message_on_the_page(
    client: TestClient, communes: Province
) -> None:
    from loa.province.messages import tag_station

    tag_station(communes, "xa_b", ["ven-bien"], now=NOW)
    _log_in(client, "/login", "tinh.lan")
    form = client.get("/messages/new")
    assert form.status_code == 200 and "ven-bien" in form.text
    fields = {
        "csrf": _csrf(client),
        "title": "Bão số 9 vào bờ",
        "body": "Bà con ven biển chằng chống nhà cửa, đưa tàu thuyền vào nơi tránh trú.",
        "to": "ven-bien",
        "klass": "khan-cap",
        "valid_until": "",
        "channels": ["radio", "facebook"],
    }
    # bad input: said on the form, in Vietnamese, nothing saved
    wrong = client.post("/messages/new", data={**fields, "to": "khong-co"})
    assert wrong.status_code == 400
    assert "khong-co" in wrong.text and "Bão số 9" in wrong.text
    without = client.post("/messages/new", data={**fields, "csrf": ""})
    assert without.status_code == 403
    assert _messages_of(communes, "xa_b") == [] and _queued(communes) == []

    sent = client.post("/messages/new", data=fields, follow_redirects=False)
    assert sent.status_code == 303, sent.text
    target = sent.headers["location"]
    assert target.startswith("/messages/")
    ((title, province_id, status),) = _messages_of(communes, "xa_b")
    assert title == "Bão số 9 vào bờ" and province_id is not None and status == "approved"
    assert _messages_of(communes, "xa_a") == []  # not tagged
    assert _queued(communes) == [("urgent", "xa_b")]  # aired at once by a worker
    shown = client.get(target)
    assert shown.status_code == 200
    assert "Đã gửi tin số" in shown.text and "Khẩn cấp" in shown.text
    assert 'id="delivery-xa_b"' in shown.text and 'id="delivery-xa_a"' not in shown.text
    listed = client.get("/messages").text
    assert "Bão số 9 vào bờ" in listed

    # a normal one to every commune: both queues, nothing queued to air at once
    normal = {**fields, "title": "Lịch tiếp dân tháng 12", "to": "all", "klass": "thuong"}
    assert client.post("/messages/new", data=normal, follow_redirects=False).status_code == 303
    assert [t for t, _, _ in _messages_of(communes, "xa_a")] == ["Lịch tiếp dân tháng 12"]
    assert len(_messages_of(communes, "xa_b")) == 2
    assert _queued(communes) == [("urgent", "xa_b")]


def _plan(province: Province, ident: str, message_id: int | None, at: datetime) -> int:
    """A radio plan entry of `ident` at `at` (a message of its own when `message_id` is None);
    returns the message id."""
    from loa.content.models import Message, MessageStatus, Topic
    from loa.planning.models import PlanEntry

    station = open_station(province, ident)
    try:
        with station.transaction() as s:
            if message_id is None:
                topic = s.scalars(select(Topic.code)).first()
                own = Message(
                    title="Lịch tiếp công dân",
                    body="Ủy ban xã tiếp công dân sáng thứ Hai hằng tuần.",
                    topic_code=topic,
                    status=MessageStatus.APPROVED,
                    channels=["radio"],
                    created_at=at,
                    updated_at=at,
                )
                s.add(own)
                s.flush()
                message_id = int(own.id)
            s.add(
                PlanEntry(message_id=message_id, channel="radio", scheduled_at=at, duration_s=5.0)
            )
        return message_id
    finally:
        station.engine.dispose()


def _air(province: Province, ident: str, at: datetime) -> None:
    """The slot at `at` played as the daemon plays it (rendered, into a file sink)."""
    from loa.app.play import play_slot
    from loa.channels.radio import FileSink

    station = open_station(province, ident)
    try:
        rows = play_slot(
            station, at, now=at, sink=FileSink(station.media_dir / "aired"), clock=lambda: at
        )
        assert rows and all(r.status == "done" for r in rows)
    finally:
        station.engine.dispose()


def _stream_two_zones(province: Province, ident: str) -> None:
    """Commune `ident` streams two zones to an Icecast server; no head-end runs for it."""
    import tomlkit

    path = province.stations_dir / ident / "loa.toml"
    doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    stream = tomlkit.table()
    stream["enabled"] = True
    stream["url"] = "http://127.0.0.1:9/"  # nothing listens: listeners not known
    stream["mounts"] = [
        {"zone": "thon1", "mount": f"/{ident}-thon1.mp3", "name": "Thôn 1"},
        {"zone": "thon2", "mount": f"/{ident}-thon2.mp3", "name": "Thôn 2"},
    ]
    doc.setdefault("radio", tomlkit.table())["stream"] = stream
    path.write_text(tomlkit.dumps(doc), encoding="utf-8")


def _row(html: str, row_id: str) -> str:
    return html.split(f'id="{row_id}"', 1)[1].split("</tr>", 1)[0]


def test_the_communes_now_after_simulated_airing(communes: Province) -> None:
    from loa.content.models import Priority
    from loa.province.messages import send

    clock = [NOW]
    sent = send(
        communes,
        title="Thu phí vệ sinh môi trường",
        body="Các hộ gia đình nộp phí vệ sinh môi trường tại nhà văn hóa thôn.",
        priority=Priority.NORMAL,
        targets=["all"],
        by="tinh.lan",
        channels=["radio"],
        now=NOW - timedelta(days=5),
    )
    # xa_a airs the province message this morning; xa_b aired its own four days ago, and
    # this morning's slot passed without airing
    this_morning = NOW.replace(hour=7, minute=0)
    _plan(communes, "xa_a", sent.delivered["xa_a"], this_morning)
    _air(communes, "xa_a", this_morning)
    before = (NOW - timedelta(days=4)).replace(hour=6, minute=0)
    _plan(communes, "xa_b", None, before)
    _air(communes, "xa_b", before)
    _plan(communes, "xa_b", sent.delivered["xa_b"], NOW.replace(hour=6, minute=30))
    _stream_two_zones(communes, "xa_b")

    app = create_province_app(communes, clock=lambda: clock[0], login_delay=0)
    try:
        with TestClient(app) as client:
            _log_in(client, "/login", "tinh.xem")
            page = client.get("/").text
            a, b = _row(page, "commune-xa_a"), _row(page, "commune-xa_b")
            assert "07:00 01/12/2026" in a and 'class="missed">0<' in a
            assert "06:00 27/11/2026" in b and 'class="missed bad">1<' in b
            assert "không dùng" in a and "không chạy" in b
            alerts = page.split('id="alerts"', 1)[1].split("</section>", 1)[0]
            assert "Xã Bình Minh không phát từ 4 ngày (lần cuối 27/11/2026)." in alerts
            assert "Xã Bình Minh: 1 giờ phát hôm nay đã qua mà chưa phát." in alerts
            assert "Xã Bình Minh: luồng thon2 mất kết nối" in alerts
            assert "Xã An Bình" not in alerts
            # no worker, no scheduler: said too
            assert "Không có loa worker nào chạy" in alerts

            listed = client.get("/messages").text
            row = _row(listed, f"message-{sent.message_id}")
            assert 'class="communes">2<' in row and 'class="aired">1<' in row
            shown = client.get(f"/messages/{sent.message_id}").text
            assert "07:00 01/12" in _row(shown, "delivery-xa_a")
            assert "chưa" in _row(shown, "delivery-xa_b").split('class="aired"', 1)[1]

            # the period's figures: each commune's, their sum, the province's own
            report = client.get("/report?start=26/11/2026&end=01/12/2026").text
            assert 'class="bulletins">1<' in _row(report, "report-xa_a")
            assert 'class="bulletins">1<' in _row(report, "report-xa_b")
            assert 'class="bulletins">2<' in _row(report, "report-total")
            today = client.get("/report?start=01/12/2026&end=01/12/2026").text
            assert 'class="bulletins">0<' in _row(today, "report-xa_b")
            figures = today.split('id="province-figures"', 1)[1]
            assert 'class="communes-aired">1<' in figures and 'class="airings">1<' in figures
            assert 'class="sent">0 (' in figures  # sent five days before
            week = client.get("/report?start=25/11/2026&end=01/12/2026").text
            assert "Thông thường 1" in week.split('id="province-figures"', 1)[1]
            bad = client.get("/report?start=02/12/2026&end=01/12/2026")
            assert bad.status_code == 400

            # two days on, xa_a is quiet too
            clock[0] = NOW + timedelta(days=2)
            later = client.get("/").text.split('id="alerts"', 1)[1].split("</section>", 1)[0]
            assert "Xã An Bình không phát từ 2 ngày" in later
    finally:
        app.home.close()  # type: ignore[attr-defined]


def test_province_users_are_made_by_the_cli_with_hashed_passwords(province: Province) -> None:
    from sqlalchemy import text
    from typer.testing import CliRunner

    from loa.cli.main import app as cli

    where = ["--province", str(province.root)]
    runner = CliRunner()
    bad = runner.invoke(
        cli, ["province", "user", "add", "lan", "--role", "boss", *where], input="x\n"
    )
    assert bad.exit_code == 2, bad.output
    assert 'Vai trò "boss" không hợp lệ' in bad.output and "Traceback" not in bad.output
    short = runner.invoke(cli, ["province", "user", "add", "lan", *where], input="ngan\n")
    assert short.exit_code == 2 and "ít nhất 8 ký tự" in short.output
    done = runner.invoke(
        cli, ["province", "user", "add", "lan", "--role", "officer", *where], input=PASSWORD + "\n"
    )
    assert done.exit_code == 0, done.output
    assert "Đã thêm người dùng tỉnh lan (officer)" in done.output
    again = runner.invoke(cli, ["province", "user", "add", "lan", *where], input=PASSWORD + "\n")
    assert again.exit_code == 2 and 'Tỉnh đã có người dùng "lan"' in again.output
    listed = runner.invoke(cli, ["province", "user", "list", "--json", *where])
    assert '"name": "lan"' in listed.output and '"role": "officer"' in listed.output
    engine = province.engine(pool_size=1)
    try:
        with engine.connect() as conn:
            stored = conn.execute(text("SELECT password_hash FROM province.users")).scalars().all()
    finally:
        engine.dispose()
    assert len(stored) == 1 and stored[0].startswith("$argon2id$") and PASSWORD not in stored[0]
    gone = runner.invoke(cli, ["province", "user", "rm", "lan", *where])
    assert gone.exit_code == 0
    missing = runner.invoke(cli, ["province", "user", "passwd", "lan", *where], input=PASSWORD)
    assert missing.exit_code == 2 and 'Tỉnh không có người dùng "lan"' in missing.output


def test_a_password_change_ends_the_province_session(
    client: TestClient, communes: Province
) -> None:
    from loa.province.users import set_password

    _log_in(client, "/login", "tinh.lan")
    assert client.get("/x/xa_a/messages").status_code == 200
    set_password(communes, "tinh.lan", "mat-khau-moi-dai")
    assert client.get("/", follow_redirects=False).status_code == 303
    response = client.get("/x/xa_a/messages", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/x/xa_a/login")


def test_another_provinces_scheduler_is_not_taken_for_this_ones(province: Province) -> None:
    """Advisory locks are per database: a scheduler of another province on the same server
    holds the same key, and this province still has none (the page and `loa province status`
    say "KHÔNG CHẠY")."""
    from sqlalchemy import create_engine, text

    from loa.province.scheduler import LOCK_KEY
    from loa.province.status import queue_health
    from tests.pgserver import scratch_database

    with scratch_database() as other:
        engine = create_engine(other)
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": LOCK_KEY})
                assert queue_health(province).scheduler is None
                own = province.engine(pool_size=1)
                try:
                    with own.connect() as mine:
                        mine.execute(text("SELECT pg_advisory_lock(:k)"), {"k": LOCK_KEY})
                        assert queue_health(province).scheduler is not None
                finally:
                    own.dispose()
        finally:
            engine.dispose()
