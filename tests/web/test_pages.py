"""The pages and the API as a user drives them: escaping, media, messages, import, urgent,
plan, reports; the CLI's user commands and the loopback rule."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from loa.app import users
from loa.content.models import Message
from loa.core.errors import UserError
from loa.core.registry import channel_label
from loa.core.station import Station
from loa.planning.models import PlanEntry
from tests.web.conftest import NOW, csrf_of, log_in


def _count(station: Station) -> int:
    from sqlalchemy import func, select

    with station.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(Message)) or 0)


def test_a_script_title_shows_as_text(client: TestClient, web_station: Station) -> None:
    log_in(client, "lan")
    r = client.post(
        "/messages/new",
        data={
            "csrf": csrf_of(client),
            "title": "<script>alert(1)</script>",
            "body": "Nội dung <b>x</b>",
            "topic": "procedures",
            "priority": "normal",
            "airings": "2",
            "channels": "radio",
        },
        follow_redirects=True,
    )
    assert r.status_code == 200
    assert "<script>alert(1)</script>" not in r.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text
    listing = client.get("/messages").text
    assert "&lt;script&gt;" in listing and "<script>alert" not in listing
    assert "script-src 'self'" in r.headers["content-security-policy"]


def test_add_message_with_a_bad_field_keeps_the_form_and_saves_nothing(
    client: TestClient, web_station: Station
) -> None:
    before = _count(web_station)
    log_in(client, "lan")
    r = client.post(
        "/messages/new",
        data={
            "csrf": csrf_of(client),
            "title": "Tin mới",
            "body": "x",
            "topic": "khong-co",
            "airings": "2",
            "priority": "normal",
            "channels": "radio",
        },
    )
    assert r.status_code == 400
    assert "không có trong danh mục" in r.text and 'value="Tin mới"' in r.text
    assert _count(web_station) == before


def test_speech_preview_marks_each_rewritten_span(client: TestClient) -> None:
    log_in(client, "lan")
    r = client.post(
        "/messages/preview", data={"title": "Họp", "body": "UBND xã họp lúc 7h30 ngày 12/3/2026"}
    )
    assert (
        '<mark class="rewritten" data-rule="abbreviation" title="UBND">Ủy ban nhân dân</mark>'
        in r.text
    )
    assert "bảy giờ ba mươi phút" in r.text


def test_approve_records_the_approver_and_the_time(
    client: TestClient, web_station: Station
) -> None:
    log_in(client, "lan")
    r = client.post(
        "/api/messages",
        json={"title": "Lịch tiếp dân", "body": "Thứ Năm hằng tuần.", "topic": "procedures"},
        headers={"X-CSRF-Token": csrf_of(client)},
    )
    assert r.status_code == 201 and r.json()["status"] == "draft"
    message_id = r.json()["id"]
    page = client.post(f"/messages/{message_id}/approve", data={"csrf": csrf_of(client)})
    assert "Duyệt bởi lan lúc 22/11/2026 09:00" in page.text
    shown = client.get(f"/api/messages/{message_id}").json()
    assert shown["approved_by"] == "lan" and shown["approved_at"] == "2026-11-22T09:00:00"


def test_import_upload_is_all_or_nothing(client: TestClient, web_station: Station) -> None:
    log_in(client, "lan")
    before = _count(web_station)
    good = "messages:\n  - title: Tin A\n    topic: procedures\n    body: Một\n  - title: Tin B\n    topic: procedures\n    body: Hai\n"
    bad = good + "  - title: Tin C\n    topic: khong-co\n    body: Ba\n"
    r = client.post(
        "/messages/import",
        data={"csrf": csrf_of(client)},
        files={"file": ("tin.yaml", io.BytesIO(bad.encode()), "application/x-yaml")},
    )
    assert r.status_code == 400 and "khong-co" in r.text
    assert _count(web_station) == before
    r = client.post(
        "/messages/import",
        data={"csrf": csrf_of(client)},
        files={"file": ("tin.yaml", io.BytesIO(good.encode()), "application/x-yaml")},
    )
    assert r.status_code == 200 and "Đã nhập 2 tin" in r.text
    assert _count(web_station) == before + 2


def test_media_serves_only_files_under_the_media_folder(
    client: TestClient, web_station: Station
) -> None:
    clip = web_station.media_dir / "bulletins" / "2026-11-22" / "0600.mp3"
    clip.parent.mkdir(parents=True)
    clip.write_bytes(b"ID3 fake mp3")
    (web_station.root / "secret.mp3").write_bytes(b"outside")
    log_in(client, "mai")
    assert client.get("/media/bulletins/2026-11-22/0600.mp3").content == b"ID3 fake mp3"
    for path in (
        "/media/../secret.mp3",
        "/media/..%2Fsecret.mp3",
        "/media/%2e%2e/secret.mp3",
        "/media/bulletins/../../loa.toml",
        "/media//etc/passwd",
        "/media/../loa.db",
    ):
        r = client.get(path)
        assert r.status_code == 404, path
        assert b"outside" not in r.content
    (web_station.media_dir / "link.mp3").symlink_to(web_station.root / "secret.mp3")
    assert client.get("/media/link.mp3").status_code == 404


def test_urgent_button_without_a_daemon_says_nothing_aired_and_what_to_start(
    client: TestClient, web_station: Station
) -> None:
    """`loa web` alone: no outputs anywhere. The button posts the message, says plainly that
    the loudspeakers did not air it and what to start, and leaves the urgent entry planned
    (the daemon airs it as soon as it runs); it never says "đã phát"."""
    from sqlalchemy import select

    from loa.app.due import due

    log_in(client, "hung")
    radio = client.get("/radio")
    assert 'data-confirm="' in radio.text and "urgent-button" in radio.text
    r = client.post("/radio/urgent", data={"csrf": csrf_of(client), "message_id": "1"})
    assert r.status_code == 200
    assert "CHƯA PHÁT" in r.text and "loa run" in r.text and "đang phát" not in r.text
    with web_station.transaction() as session:
        entries = [
            (e.channel, e.status)
            for e in session.scalars(select(PlanEntry).where(PlanEntry.reason.like("%loa run%")))
        ]
    assert entries == [("urgent", "planned")]
    assert due(web_station, NOW, now=NOW).urgent == [1]
    api = client.post(
        "/api/urgent", json={"message_id": 1}, headers={"X-CSRF-Token": csrf_of(client)}
    )
    assert api.status_code == 503 and api.json()["aired"] == "none"
    assert "loa run" in api.json()["problem"]
    assert ("hung", "urgent") in [(a.who, a.action) for a in users.audit_log(web_station)]


def test_urgent_button_with_loa_run_in_its_own_process_airs_at_once(
    client: TestClient, web_station: Station
) -> None:
    """`loa web` beside a running `loa run` (its own process, no IP stream): the button hands
    the message to the daemon over its control socket, which airs it as a bulletin at once
    (not at its next poll, 300 s away here), and a second press is refused."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from sqlalchemy import select

    from loa.app.due import rendered
    from loa.app.stream import ask_daemon
    from loa.channels.models import AsRunRecord
    from tests.channels.conftest import configure

    configure(web_station, "channels.radio", sink="file")
    configure(web_station, "scheduler", poll_seconds=300, render_at="23:59", auto_plan_days=0)
    rendered(web_station, web_station.now().date() + timedelta(days=1))
    daemon = subprocess.Popen(
        [sys.executable, "-m", "loa", "run"],
        env={**os.environ, "LOA_STATION": str(web_station.root), "LOA_LANG": "vi"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while ask_daemon(web_station, {"op": "hello"}) is None:
            assert daemon.poll() is None and time.monotonic() < deadline, daemon.stderr
            time.sleep(0.1)
        log_in(client, "hung")
        pressed = time.monotonic()
        r = client.post("/radio/urgent", data={"csrf": csrf_of(client), "message_id": "1"})
        assert r.status_code == 200 and "đang phát khẩn cấp" in r.text, r.text
        aired: list[tuple[str, str | None]] = []
        while not aired and time.monotonic() - pressed < 30:
            with web_station.transaction() as session:
                aired = [
                    (r.status, r.note)
                    for r in session.scalars(
                        select(AsRunRecord).where(
                            AsRunRecord.channel == "radio", AsRunRecord.message_id == 1
                        )
                    )
                ]
            time.sleep(0.1)
        assert [status for status, _ in aired] == ["done"], aired
        assert time.monotonic() - pressed < 30
        again = client.post(
            "/api/urgent", json={"message_id": 1}, headers={"X-CSRF-Token": csrf_of(client)}
        )
        assert again.status_code == 400 and "đã được phát khẩn cấp" in again.json()["error"]
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(30)


def test_urgent_refuses_a_draft(client: TestClient, web_station: Station) -> None:
    from loa.content.queue import create

    with web_station.transaction() as session:
        draft = create(session, {"title": "Nháp", "body": "x", "topic": "procedures"}, now=NOW).id
    token = users.new_token(web_station, "hung", now=NOW)
    r = client.post(
        "/api/urgent", json={"message_id": draft}, headers={"Authorization": f"Bearer {token}"}
    )
    assert r.status_code == 400 and "chưa được duyệt" in r.json()["error"]


def test_plan_week_replan_and_api(client: TestClient, web_station: Station) -> None:
    log_in(client, "lan")
    r = client.post("/plan/replan", data={"csrf": csrf_of(client), "start": "2026-11-23"})
    assert r.status_code == 200 and "Đã lập lại lịch" in r.text
    assert r.text.count('class="entry') > 5
    api = client.get("/api/plan?from=2026-11-23&days=7").json()
    assert api and all(s["start"] >= "2026-11-23" for s in api)
    why = client.get("/plan/explain/1?start=2026-11-23")
    assert why.status_code == 200 and "<li>" in why.text


def test_report_download_is_a_docx(client: TestClient) -> None:
    log_in(client, "mai")
    r = client.get("/reports/download?kind=quarter&value=2026Q4&format=docx")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    assert "attachment" in r.headers["content-disposition"]
    bad = client.get("/reports?kind=quarter&value=5/2026")
    assert bad.status_code == 400 and "2026Q4" in bad.text


def test_cli_user_commands(web_station: Station, monkeypatch: pytest.MonkeyPatch) -> None:
    from loa.cli.main import app

    monkeypatch.setenv("LOA_STATION", str(web_station.root))
    runner = CliRunner()
    added = runner.invoke(
        app, ["user", "add", "tuan", "--role", "operator"], input="mot-mat-khau\n"
    )
    assert added.exit_code == 0, added.output
    listed = runner.invoke(app, ["user", "list", "--json"])
    assert '"tuan"' in listed.output and "mot-mat-khau" not in listed.output
    token = runner.invoke(app, ["user", "token", "tuan"]).stdout.strip().splitlines()[0]
    assert users.user_for_token(web_station, token) is not None
    short = runner.invoke(app, ["user", "passwd", "tuan"], input="ngan\n")
    assert short.exit_code == 2 and "ít nhất 8 ký tự" in short.output
    assert runner.invoke(app, ["user", "rm", "tuan"]).exit_code == 0
    gone = runner.invoke(app, ["user", "rm", "tuan"])
    assert gone.exit_code == 2 and "Không có người dùng" in gone.output


def test_non_loopback_host_is_refused_while_no_user_exists(station: Station) -> None:
    from loa.web.serve import check_bind

    check_bind(station, "127.0.0.1", 8080)
    with pytest.raises(UserError, match="Chưa có người dùng"):
        check_bind(station, "0.0.0.0", 8080)
    users.add_user(station, "lan", "officer", "mat-khau-thu", now=NOW)
    check_bind(station, "0.0.0.0", 8080)


def test_users_migration_goes_down_and_up(station: Station) -> None:
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import inspect

    from loa.core.db import MIGRATIONS

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with station.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0003")
    assert "users" not in inspect(station.engine).get_table_names()
    with station.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "heads")
    assert {"users", "api_tokens", "audit_log"} <= set(inspect(station.engine).get_table_names())


def test_viewer_sees_pages_but_no_forms(client: TestClient) -> None:
    log_in(client, "mai")
    for path in ("/", "/messages", "/plan", "/radio", "/outbox", "/reports", "/settings"):
        r = client.get(path)
        assert r.status_code == 200, path
        assert "urgent-button" not in r.text and "replan-button" not in r.text
    assert "audit" not in client.get("/settings").text


def test_move_and_drop_an_entry_from_the_week(client: TestClient, web_station: Station) -> None:
    from datetime import datetime

    from sqlalchemy import select

    from loa.app.planning import plan_station
    from loa.planning.models import PlanStatus

    plan_station(web_station, NOW.date(), 7, now=NOW)
    log_in(client, "lan")
    week = client.get("/plan?start=2026-11-23").text
    with web_station.transaction() as session:
        entry = session.scalars(
            select(PlanEntry)
            .where(PlanEntry.channel == "radio", PlanEntry.scheduled_at >= datetime(2026, 11, 23))
            .order_by(PlanEntry.scheduled_at)
        ).first()
        assert entry is not None
        entry_id, old_at = entry.id, entry.scheduled_at
    assert f"/plan/entries/{entry_id}/move" in week
    import re

    radio = week.split('<template id="targets-radio">', 1)[1].split("</template>", 1)[0]
    options = re.findall(r'<option value="(\d+@[0-9T:-]+)"', radio)
    target = next(o for o in options if o.split("@")[1] != old_at.isoformat(timespec="minutes"))
    r = client.post(
        f"/plan/entries/{entry_id}/move", data={"csrf": csrf_of(client), "target": target}
    )
    assert r.status_code == 200
    with web_station.transaction() as session:
        moved = session.get(PlanEntry, entry_id)
        assert moved is not None
        assert moved.scheduled_at.isoformat(timespec="minutes") == target.split("@")[1]
        assert moved.pinned  # put there by hand: a re-plan leaves it there
    start = target.split("@")[1][:10]
    week = client.get(f"/plan?start={start}").text
    assert (
        "📌" not in week and "đã ghim</span>" in week and f"/plan/entries/{entry_id}/unpin" in week
    )
    r = client.post(
        f"/plan/entries/{entry_id}/unpin", data={"csrf": csrf_of(client), "start": start}
    )
    assert r.status_code == 200 and f"/plan/entries/{entry_id}/pin" in r.text
    with web_station.transaction() as session:
        assert session.get(PlanEntry, entry_id).pinned is False
    bad = client.post(
        f"/plan/entries/{entry_id}/move",
        data={"csrf": csrf_of(client), "target": "1@2020-01-01T06:00"},
    )
    assert bad.status_code == 400
    r = client.post(
        f"/plan/entries/{entry_id}/drop", data={"csrf": csrf_of(client), "start": "2026-11-23"}
    )
    assert r.status_code == 200
    with web_station.transaction() as session:
        dropped = session.get(PlanEntry, entry_id)
        assert dropped is not None and dropped.status == PlanStatus.CANCELLED
    again = client.post(f"/plan/entries/{entry_id}/drop", data={"csrf": csrf_of(client)})
    assert again.status_code == 400 and "không dời hay bỏ được" in again.text


def test_dashboard_runs_in_a_background_thread_beside_the_daemon(web_station: Station) -> None:
    import socket

    import httpx

    from loa.web.serve import background

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    with background(web_station, "127.0.0.1", port):
        for _ in range(100):
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1)
                break
            except httpx.TransportError:
                import time

                time.sleep(0.05)
        assert r.json()["status"] == "ok"
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1)


def test_messages_filter_and_pages(client: TestClient, web_station: Station) -> None:
    from loa.content.queue import create

    with web_station.transaction() as session:
        for n in range(60):
            create(session, {"title": f"Tin nháp {n}", "body": "x", "topic": "one_stop"}, now=NOW)
    log_in(client, "mai")
    drafts = client.get("/messages?status=draft&topic=one_stop")
    assert "Tin bài (60)" in drafts.text and "Trang 1/2" in drafts.text
    assert drafts.text.count("Tin nháp ") == 50
    second = client.get("/messages?status=draft&topic=one_stop&page=2")
    assert second.text.count("Tin nháp ") == 10 and "Tin nháp 59" in second.text
    approved = client.get("/messages?status=approved").text
    assert "Tin nháp" not in approved and "Tin bài (20)" in approved
    bad = client.get("/messages?topic=khong-co")
    assert bad.status_code == 400 and "khong-co" in bad.text


def test_settings_blackout_days_and_channel_check(client: TestClient, web_station: Station) -> None:
    from loa.planning.calendar import blocked_days

    log_in(client, "lan")
    page = client.get("/settings").text
    assert "Tết Nguyên đán" in page or "Quốc khánh" in page
    r = client.post(
        "/settings/blackout",
        data={"csrf": csrf_of(client), "day": "2026-12-03", "reason": "Bầu cử <b>"},
    )
    assert r.status_code == 200 and "03/12/2026 Bầu cử &lt;b&gt;" in r.text
    with web_station.transaction() as session:
        assert date(2026, 12, 3) in blocked_days(
            session, date(2026, 12, 1), date(2026, 12, 5), holidays=False
        )
    again = client.post("/settings/blackout", data={"csrf": csrf_of(client), "day": "2026-12-03"})
    assert again.status_code == 400
    client.post("/settings/blackout/remove", data={"csrf": csrf_of(client), "day": "2026-12-03"})
    assert "Bầu cử" not in client.get("/settings").text
    checks = client.post("/settings/check", headers={"X-CSRF-Token": csrf_of(client)})
    website = channel_label("website")  # the dashboard names channels in the user's language
    assert checks.status_code == 200 and f"✓ {website}: " in checks.text


def test_today_shows_progress_against_the_targets(client: TestClient, web_station: Station) -> None:
    import tomllib

    from loa.channels.models import AsRunRecord
    from loa.report.targets import target_progress

    text = (web_station.root / "loa.toml").read_text(encoding="utf-8")
    text += "\n[report.targets]\nfacebook = 40\nradio = 4\n"
    text = text.replace("[report]\n", "[report]\ntarget_months = 9\ntargets_from = 2026-03-01\n", 1)
    (web_station.root / "loa.toml").write_text(text, encoding="utf-8")
    web_station.config = tomllib.loads(text)
    with web_station.transaction() as session:
        for day, channel, status in (
            (2, "facebook", "done"),
            (5, "facebook", "done"),
            (6, "facebook", "failed"),
            (1, "radio", "done"),
            (400, "facebook", "done"),
        ):
            session.add(
                AsRunRecord(
                    channel=channel, status=status, title="x", started_at=NOW - timedelta(days=day)
                )
            )
    progress = {
        p.channel: (p.done, p.target, p.end) for p in target_progress(web_station, today=NOW.date())
    }
    assert progress == {
        "facebook": (2, 40, date(2026, 11, 30)),
        "radio": (1, 4, date(2026, 11, 30)),
    }
    log_in(client, "mai")
    page = client.get("/").text
    assert (
        "Tiến độ chỉ tiêu" in page
        and "Facebook: 2/40 tin, bài (5%) từ 01/03/2026 đến 30/11/2026" in page
    )


def test_a_target_for_an_unknown_channel_is_refused(web_station: Station) -> None:
    from loa.report.settings import ReportSettings

    web_station.config = {**web_station.config, "report": {"targets": {"tiktok": 10}}}
    with pytest.raises(UserError, match="tiktok"):
        web_station.settings(ReportSettings)


def test_a_taken_port_is_refused_in_words(web_station: Station) -> None:
    import socket

    from loa.web.serve import check_bind

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        with pytest.raises(UserError, match=f"127.0.0.1:{port}.*--port"):
            check_bind(web_station, "127.0.0.1", port)
    with pytest.raises(UserError, match="1 đến 65535"):
        check_bind(web_station, "127.0.0.1", 70000)


def test_listen_with_no_text_says_why_where_the_player_would_be(client: TestClient) -> None:
    log_in(client, "lan")
    r = client.post(
        "/messages/listen",
        data={"title": "", "body": " "},
        headers={"X-CSRF-Token": csrf_of(client)},
    )
    assert r.status_code == 200 and 'class="error"' in r.text and "<audio" not in r.text
    refused = client.post("/messages/listen", data={"title": "x"})
    assert refused.status_code == 403


def test_an_upload_over_the_limit_is_refused_by_size(
    client: TestClient, web_station: Station
) -> None:
    from loa.app.upload import MAX_UPLOAD

    log_in(client, "lan")
    big = io.BytesIO(b"x" * (MAX_UPLOAD + 10))
    r = client.post(
        "/messages/import",
        data={"csrf": csrf_of(client)},
        files={"file": ("tin.txt", big, "text/plain")},
    )
    assert r.status_code == 400 and "lớn hơn 10 MB" in r.text


def test_outbox_shows_a_failed_post_in_words_and_retry_sends_it(
    client: TestClient, web_station: Station, monkeypatch: pytest.MonkeyPatch
) -> None:
    from loa.app.publish import publish_urgent
    from loa.channels.models import Publication
    from tests.channels.conftest import configure
    from tests.channels.fake_graph import FakeGraph

    graph = FakeGraph().start()
    try:
        configure(
            web_station,
            "channels.facebook",
            page_id=graph.page_id,
            graph_url=graph.url,
            timeout_s=1.0,
        )
        configure(web_station, "channels", retries=1, backoff_s=0.01, backoff_max_s=0.02)
        monkeypatch.setenv("LOA_FACEBOOK_TOKEN", graph.token)
        graph.fail("feed", "permission", times=5)
        done = publish_urgent(web_station, 1, now=NOW)
        failed = next(p for p in done if p.channel == "facebook")
        assert failed.status == "failed"
        log_in(client, "hung")
        page = client.get("/outbox").text
        assert "Facebook" in page and "lỗi" in page and graph.token not in page
        graph.faults.clear()
        r = client.post(f"/outbox/{failed.id}/retry", data={"csrf": csrf_of(client)})
        assert r.status_code == 200
        with web_station.transaction() as session:
            assert session.get(Publication, failed.id).status == "published"
        assert len(graph.published()) == 1
        assert "đã đăng" in client.get("/outbox?all=1").text
    finally:
        graph.stop()


def test_today_warns_of_a_channel_without_its_token(
    web_station: Station, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Facebook Page configured with no token: the Today page and `loa today` say what to do
    (nothing is fetched from Facebook to find out)."""
    import keyring
    from keyring.backends import fail

    from loa.cli.main import app
    from loa.web.app import create_app
    from tests.planning.conftest import configure

    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    monkeypatch.delenv("LOA_FACEBOOK_TOKEN", raising=False)
    try:
        station = configure(web_station, channels__facebook={"page_id": "123456789"})
        with TestClient(create_app(station, clock=lambda: NOW)) as c:
            log_in(c, "mai")
            today = c.get("/").text
        assert "Facebook" in today and "Chưa có mã truy cập (token) của Trang Facebook" in today
        shown = CliRunner().invoke(app, ["-s", str(station.root), "today"])
        assert shown.exit_code == 0, shown.output
        assert "Chưa có mã truy cập (token) của Trang Facebook" in " ".join(shown.output.split())
    finally:
        keyring.set_keyring(before)


def test_kept_pages_follow_every_change_and_a_removed_token_stops_at_once(
    client: TestClient, web_station: Station
) -> None:
    """The week grid, the message list and the account behind a token are kept between
    requests only while the database is unchanged: a change by any connection shows at once."""
    from sqlalchemy import select

    from loa.app.planning import plan_station

    plan_station(web_station, NOW.date(), 7, now=NOW)
    token = users.new_token(web_station, "mai", now=NOW)
    bearer = {"Authorization": f"Bearer {token}"}
    week = client.get("/plan?start=2026-11-23", headers=bearer)
    assert week.status_code == 200
    with web_station.transaction() as session:
        entry = session.scalars(select(PlanEntry).order_by(PlanEntry.scheduled_at)).first()
        assert entry is not None
        message = session.get(Message, entry.message_id)
        assert message is not None and message.title in week.text
        message.title = "Tiêu đề vừa sửa"
    assert "Tiêu đề vừa sửa" in client.get("/plan?start=2026-11-23", headers=bearer).text
    assert "Tiêu đề vừa sửa" in client.get("/messages", headers=bearer).text
    users.remove_user(web_station, "mai")
    refused = client.get("/api/messages", headers=bearer)
    assert refused.status_code == 401


def test_a_commune_on_its_own_has_no_province_page(client: TestClient) -> None:
    log_in(client, "mai")
    assert 'href="/province"' not in client.get("/").text
    alone = client.get("/province")
    assert alone.status_code == 200 and "không thuộc một cài đặt toàn tỉnh" in alone.text


def test_settings_edit_add_and_remove_slots_and_add_a_campaign(
    client: TestClient, web_station: Station
) -> None:
    from sqlalchemy import select

    from loa.content.models import Campaign
    from loa.planning.models import Slot

    log_in(client, "lan")
    with web_station.transaction() as session:
        slot = session.scalars(select(Slot).where(Slot.channel == "radio")).first()
        assert slot is not None
        slot_id, days_before = slot.id, list(slot.weekdays)
    page = client.get("/settings").text
    assert f'action="/settings/slots/{slot_id}"' in page and 'id="add-slot"' in page
    form = {"csrf": csrf_of(client), "name": "Bản tin trưa", "start": "11:15"}
    r = client.post(f"/settings/slots/{slot_id}", data={**form, "capacity": "420", "days": "T2-T6"})
    assert r.status_code == 200 and "Đã lưu khung giờ" in r.text
    with web_station.transaction() as session:
        saved = session.get(Slot, slot_id)
        assert saved is not None
        assert (saved.name, saved.start, saved.capacity, saved.weekdays) == (
            "Bản tin trưa",
            "11:15",
            420,
            [0, 1, 2, 3, 4],
        )
    bad = client.post(
        f"/settings/slots/{slot_id}", data={**form, "capacity": "420", "days": "thứ Tám"}
    )
    assert bad.status_code == 400 and "không hợp lệ" in bad.text
    with web_station.transaction() as session:
        assert session.get(Slot, slot_id).weekdays == [0, 1, 2, 3, 4]  # nothing half-saved
    added = client.post(
        "/settings/slots",
        data={
            "csrf": csrf_of(client),
            "channel": "radio",
            "name": "Bản tin khuya",
            "start": "21:00",
            "capacity": "300",
            "days": "T7,CN",
            "reach": "residents=0.5",
        },
    )
    assert added.status_code == 200 and "Bản tin khuya" in added.text
    with web_station.transaction() as session:
        new = session.scalars(select(Slot).where(Slot.name == "Bản tin khuya")).one()
        new_id = new.id
        assert new.weekdays == [5, 6] and new.reach == {"residents": 0.5}
    gone = client.post(f"/settings/slots/{new_id}/remove", data={"csrf": csrf_of(client)})
    assert gone.status_code == 200 and "Đã bỏ khung giờ" in gone.text
    campaign = client.post(
        "/settings/campaigns",
        data={
            "csrf": csrf_of(client),
            "name": "Tháng cao điểm DVC",
            "start": "2026-12-01",
            "end": "2026-12-31",
            "boost": "2",
            "topics": ["online_services"],
        },
    )
    assert campaign.status_code == 200 and "Tháng cao điểm DVC" in campaign.text
    with web_station.transaction() as session:
        stored = session.scalars(select(Campaign)).one()
        assert (stored.boost, stored.topics) == (2.0, ["online_services"])
    log_in(client, "mai")
    refused = client.post(
        f"/settings/slots/{slot_id}", data={**form, "capacity": "1", "days": "CN"}
    )
    assert refused.status_code == 403
    assert days_before  # the slot had days before it was edited
