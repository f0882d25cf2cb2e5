"""Publishing to the fake Graph API through the outbox: once only, retries, permanent errors."""

from __future__ import annotations

import logging
import random
from datetime import timedelta

import pytest
from sqlalchemy import select

from loa.app.publish import publish_entry as publish_plan_entry
from loa.app.publish import publish_message, reconcile
from loa.channels.base import PermanentError, TransientError, marker
from loa.channels.models import AsRunRecord, Publication
from loa.channels.runtime import Runtime
from loa.core.station import Station
from tests.channels.conftest import NOW, add_message, configure
from tests.channels.fake_graph import FakeGraph

#: Past the fake page's settle time (deadline_s 1.5 + feed_lag_s 0.5 in fb_station).
LATER = NOW + timedelta(seconds=10)


def runtime(sleeps: list[float]) -> Runtime:
    return Runtime(sleep=sleeps.append, rng=random.Random(7))


def test_publish_creates_one_post_with_the_text(fb_station: Station, graph: FakeGraph) -> None:
    mid = add_message(fb_station)
    pub = publish_message(fb_station, mid, "facebook", now=NOW)
    assert pub.status == "published"
    assert len(graph.posts) == 1
    post = graph.posts[0]
    assert post["id"] == pub.remote_id
    assert "Đăng ký khai sinh trực tuyến" in post["message"]
    assert "Cổng dịch vụ công quốc gia" in post["message"]
    assert post["message"].endswith(marker(pub.key))
    with fb_station.transaction() as s:
        runs = s.scalars(select(AsRunRecord)).all()
        assert [(r.channel, r.remote_id, r.publication_id) for r in runs] == [
            ("facebook", pub.remote_id, pub.id)
        ]


def test_publishing_again_creates_nothing(fb_station: Station, graph: FakeGraph) -> None:
    mid = add_message(fb_station)
    first = publish_message(fb_station, mid, "facebook", now=NOW)
    again = publish_message(fb_station, mid, "facebook", now=NOW + timedelta(minutes=3))
    assert again.id == first.id and again.remote_id == first.remote_id
    assert len(graph.posts) == 1


def test_link_and_photo_posts(fb_station: Station, graph: FakeGraph) -> None:
    link = add_message(fb_station, link="https://dichvucong.gov.vn")
    photo = add_message(fb_station, title="Ảnh", image="https://example.org/a.jpg")
    publish_message(fb_station, link, "facebook", now=NOW)
    publish_message(fb_station, photo, "facebook", now=NOW)
    assert graph.posts[0]["link"] == "https://dichvucong.gov.vn"
    assert graph.posts[1]["edge"] == "photos"


def test_photo_upload_from_a_file(fb_station: Station, graph: FakeGraph, tmp_path) -> None:
    image = tmp_path / "anh.jpg"
    image.write_bytes(b"\xff\xd8\xff" + b"0" * 100)
    mid = add_message(fb_station, image=str(image))
    publish_message(fb_station, mid, "facebook", now=NOW)
    assert graph.posts[0]["upload"]["size"] == 103


def test_graph_errors_are_retried_with_backoff(
    fb_station: Station, graph: FakeGraph, sleeps: list[float]
) -> None:
    graph.fail("feed", "500", times=2)  # Graph's own error body: nothing was created
    mid = add_message(fb_station)
    pub = publish_message(fb_station, mid, "facebook", now=NOW, runtime=runtime(sleeps))
    assert pub.status == "published" and pub.attempts == 3
    assert len(graph.published()) == 1
    assert len(sleeps) == 2 and sleeps[1] >= sleeps[0] * 0.5 > 0


@pytest.mark.parametrize("fault", ["rate", "page_rate"])
def test_rate_limits_put_the_post_off_instead_of_hammering(
    fb_station: Station, graph: FakeGraph, sleeps: list[float], fault: str
) -> None:
    from loa.channels.outbox import Deferred

    graph.fail("feed", fault, times=1)
    mid = add_message(fb_station)
    with pytest.raises(TransientError) as info:
        publish_message(fb_station, mid, "facebook", now=NOW, runtime=runtime(sleeps))
    assert "sẽ thử lại" not in str(info.value) and "từ 23/11/2026 09:00:00" in str(info.value)
    assert sleeps == [] and len(graph.requests) == 1
    with pytest.raises(Deferred):  # before its time: nothing is sent
        publish_message(fb_station, mid, "facebook", now=NOW, runtime=runtime(sleeps))
    assert len(graph.requests) == 1
    pub = publish_message(fb_station, mid, "facebook", now=LATER, runtime=runtime(sleeps))
    assert pub.status == "published" and len(graph.published()) == 1


def test_a_dropped_connection_is_uncertain_until_a_settled_look_up(
    fb_station: Station, graph: FakeGraph, sleeps: list[float]
) -> None:
    from loa.channels.outbox import Uncertain

    graph.fail("feed", "drop")
    mid = add_message(fb_station)
    with pytest.raises(Uncertain) as info:
        publish_message(fb_station, mid, "facebook", now=NOW, runtime=runtime(sleeps))
    assert "đóng" in str(info.value) and "không trả lời" not in str(info.value)
    assert [p.status for p in reconcile(fb_station, now=NOW)] == []  # not due yet
    assert [p.status for p in reconcile(fb_station, now=LATER)] == ["failed"]  # looked: absent
    pub = publish_message(fb_station, mid, "facebook", now=LATER, runtime=runtime(sleeps))
    assert pub.status == "published" and len(graph.posts) == 1


def test_gives_up_after_the_limit_and_can_retry_later(
    fb_station: Station, graph: FakeGraph, sleeps: list[float]
) -> None:
    graph.fail("feed", "500", times=3)
    mid = add_message(fb_station)
    with pytest.raises(TransientError) as info:
        publish_message(fb_station, mid, "facebook", now=NOW, runtime=runtime(sleeps))
    assert "3 lần" in str(info.value) and "HTTP 500" in str(info.value)
    assert "sẽ thử lại sau" not in str(info.value)
    with fb_station.transaction() as s:
        pub = s.scalars(select(Publication)).one()
        assert pub.status == "failed" and pub.attempts == 3 and pub.next_at is not None
    again = publish_message(fb_station, mid, "facebook", now=LATER, runtime=runtime(sleeps))
    assert again.status == "published" and len(graph.posts) == 1


def test_timeout_after_the_post_was_made_finds_it_instead_of_posting_again(
    fb_station: Station, graph: FakeGraph, sleeps: list[float]
) -> None:
    from loa.channels.outbox import Uncertain

    graph.timeout_s = 1.5  # the client gives up after 1 s; the fake has stored the post
    graph.fail("feed", "slow")
    mid = add_message(fb_station)
    with pytest.raises(Uncertain):
        publish_message(fb_station, mid, "facebook", now=NOW, runtime=runtime(sleeps))
    with pytest.raises(Uncertain):  # too early to trust a look-up: nothing is posted
        publish_message(fb_station, mid, "facebook", now=NOW, runtime=runtime(sleeps))
    pub = publish_message(fb_station, mid, "facebook", now=LATER, runtime=runtime(sleeps))
    assert pub.status == "published" and pub.remote_id == graph.posts[0]["id"]
    assert len(graph.posts) == 1 and sleeps == []


def test_timeout_without_a_post_is_retried(
    fb_station: Station, graph: FakeGraph, sleeps: list[float]
) -> None:
    from loa.channels.outbox import Uncertain

    graph.timeout_s = 1.5
    graph.fail("feed", "timeout")
    mid = add_message(fb_station)
    with pytest.raises(Uncertain):
        publish_message(fb_station, mid, "facebook", now=NOW, runtime=runtime(sleeps))
    pub = publish_message(fb_station, mid, "facebook", now=LATER, runtime=runtime(sleeps))
    assert pub.status == "published" and len(graph.posts) == 1 and sleeps == []


def test_expired_token_is_permanent_with_a_vietnamese_message(
    fb_station: Station, graph: FakeGraph, sleeps: list[float]
) -> None:
    graph.expired = True
    mid = add_message(fb_station)
    with pytest.raises(PermanentError) as info:
        publish_message(fb_station, mid, "facebook", now=NOW, runtime=runtime(sleeps))
    text = str(info.value)
    assert "190" in text and "hết hạn" in text and "LOA_FACEBOOK_TOKEN" in text
    assert graph.token not in text
    assert sleeps == []
    with fb_station.transaction() as s:
        pub = s.scalars(select(Publication)).one()
        assert pub.status == "failed" and graph.token not in (pub.error or "")


def test_permission_error_says_which_permission(
    fb_station: Station, graph: FakeGraph, sleeps: list[float]
) -> None:
    graph.fail("feed", "permission")
    mid = add_message(fb_station)
    with pytest.raises(PermanentError) as info:
        publish_message(fb_station, mid, "facebook", now=NOW, runtime=runtime(sleeps))
    assert "pages_manage_posts" in str(info.value) and sleeps == []


def test_missing_token_says_where_to_put_it(
    fb_station: Station, graph: FakeGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LOA_FACEBOOK_TOKEN")
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    mid = add_message(fb_station)
    with pytest.raises(PermanentError, match="LOA_FACEBOOK_TOKEN"):
        publish_message(fb_station, mid, "facebook", now=NOW)
    assert graph.posts == []


def test_token_never_reaches_logs_errors_or_database(
    fb_station: Station, graph: FakeGraph, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    graph.fail("feed", "bad")
    mid = add_message(fb_station)
    with pytest.raises(PermanentError) as info:
        publish_message(fb_station, mid, "facebook", now=NOW)
    from loa.channels.facebook import FacebookChannel

    channel = FacebookChannel.from_station(fb_station)
    assert channel.check()  # calls debug_token?input_token=<token>
    channel.close()
    assert graph.token not in str(info.value)
    assert graph.token not in caplog.text
    assert any("debug_token" in r.getMessage() for r in caplog.records)
    from tests.dbdump import database_bytes

    db = database_bytes(fb_station)
    assert b"facebook" in db  # the publication's row is there ...
    assert graph.token.encode() not in db  # ... without the token


def test_redact_covers_url_encoded_tokens() -> None:
    from loa.channels.base import redact

    text = "GET /x?access_token=abc%2Bdef&input_token=abc+def secret abc+def"
    assert "abc" not in redact(text, ["abc+def"])


def test_scheduled_publishing_when_due_far_enough_ahead(
    fb_station: Station, graph: FakeGraph
) -> None:
    from datetime import datetime

    from loa.planning.models import PlanEntry

    configure(fb_station, "channels.facebook", scheduled_publishing=True)
    mid = add_message(fb_station)
    now = fb_station.now().replace(second=0, microsecond=0)
    with fb_station.transaction() as s:
        far = PlanEntry(message_id=mid, channel="facebook", scheduled_at=now + timedelta(hours=2))
        near = PlanEntry(
            message_id=mid, channel="facebook", scheduled_at=now + timedelta(minutes=5)
        )
        s.add_all([far, near])
        s.flush()
        far_id, near_id = far.id, near.id
    pub = publish_plan_entry(fb_station, far_id, now=now)
    assert pub.status == "scheduled" and pub.key == f"plan:{far_id}:facebook"
    assert graph.posts[0]["is_published"] is False
    assert int(graph.posts[0]["scheduled_publish_time"]) == int(
        (now + timedelta(hours=2))
        .replace(tzinfo=__import__("zoneinfo").ZoneInfo("Asia/Ho_Chi_Minh"))
        .timestamp()
    )
    pub2 = publish_plan_entry(fb_station, near_id, now=now)
    assert pub2.status == "published" and graph.posts[1]["is_published"] is True
    with fb_station.transaction() as s:
        assert {e.status for e in s.scalars(select(PlanEntry))} == {"done"}
    assert isinstance(now, datetime)


def test_late_and_too_late_plan_entries(fb_station: Station, graph: FakeGraph) -> None:
    from loa.planning.models import PlanEntry

    mid = add_message(fb_station)
    with fb_station.transaction() as s:
        late = PlanEntry(message_id=mid, channel="facebook", scheduled_at=NOW - timedelta(hours=1))
        gone = PlanEntry(message_id=mid, channel="facebook", scheduled_at=NOW - timedelta(days=1))
        s.add_all([late, gone])
        s.flush()
        late_id, gone_id = late.id, gone.id
    assert publish_plan_entry(fb_station, late_id, now=NOW).status == "late"
    skipped = publish_plan_entry(fb_station, gone_id, now=NOW)
    assert skipped.status == "skipped" and "bỏ qua" in (skipped.error or "")
    assert len(graph.posts) == 1
    with fb_station.transaction() as s:
        assert s.get(PlanEntry, gone_id).status == "skipped"


def test_reconcile_finds_a_post_made_before_a_crash(fb_station: Station, graph: FakeGraph) -> None:
    from loa.channels.items import message_item
    from loa.channels.outbox import claim as _claim

    mid = add_message(fb_station)
    key = f"manual:{mid}:facebook"
    pub, _ = _claim(
        fb_station, key, channel="facebook", now=NOW, message_id=mid, plan_entry_id=None, due_at=NOW
    )
    with fb_station.transaction() as s:
        s.get(Publication, pub.id).owner = "elsewhere:1"  # the dead process
    from loa.channels.facebook import FacebookChannel
    from loa.content.models import Message

    with fb_station.transaction() as s:
        item = message_item(s.get(Message, mid), "facebook", key, due_at=NOW)
    channel = FacebookChannel.from_station(fb_station)
    channel.publish(item, now=NOW)  # reached Facebook, then the process "died"
    channel.close()
    assert [p.status for p in reconcile(fb_station, now=NOW)] == ["uncertain"]  # settling
    changed = reconcile(fb_station, now=LATER)
    assert [(p.id, p.status, p.remote_id) for p in changed] == [
        (pub.id, "published", graph.posts[0]["id"])
    ]
    assert publish_message(fb_station, mid, "facebook", now=NOW).status == "published"
    assert len(graph.posts) == 1


def test_reconcile_without_a_remote_post_allows_sending_again(
    fb_station: Station, graph: FakeGraph
) -> None:
    from loa.channels.outbox import claim as _claim

    mid = add_message(fb_station)
    pub, _ = _claim(
        fb_station,
        f"manual:{mid}:facebook",
        channel="facebook",
        now=NOW,
        message_id=mid,
        plan_entry_id=None,
        due_at=NOW,
    )
    with fb_station.transaction() as s:
        s.get(Publication, pub.id).owner = "elsewhere:1"
    assert [p.status for p in reconcile(fb_station, now=NOW)] == ["uncertain"]
    assert [p.status for p in reconcile(fb_station, now=LATER)] == ["failed"]
    assert publish_message(fb_station, mid, "facebook", now=LATER).status == "published"
    assert len(graph.posts) == 1


def test_a_live_sender_is_left_alone(fb_station: Station, graph: FakeGraph) -> None:
    import os
    import socket
    import subprocess
    import sys

    from loa.channels.outbox import claim as _claim
    from loa.core.errors import RuntimeFailure

    mid = add_message(fb_station)
    pub, _ = _claim(
        fb_station,
        f"manual:{mid}:facebook",
        channel="facebook",
        now=NOW,
        message_id=mid,
        plan_entry_id=None,
        due_at=NOW,
    )
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        with fb_station.transaction() as s:
            s.get(Publication, pub.id).owner = f"{socket.gethostname()}:{other.pid}"
        assert reconcile(fb_station, now=NOW) == []
        with pytest.raises(RuntimeFailure, match="tiến trình khác"):
            publish_message(fb_station, mid, "facebook", now=NOW)
    finally:
        other.kill()
        other.wait()
    assert graph.posts == [] and os.getpid() > 0


def test_cli_publish_at_a_later_time_schedules_on_facebook(
    fb_station: Station, graph: FakeGraph
) -> None:
    from typer.testing import CliRunner

    from loa.cli.main import app

    configure(fb_station, "channels.facebook", scheduled_publishing=True)
    mid = add_message(fb_station)
    later = (fb_station.now() + timedelta(hours=3)).strftime("%Y-%m-%d %H:%M")
    result = CliRunner().invoke(
        app,
        [
            "--station",
            str(fb_station.root),
            "publish",
            "-m",
            str(mid),
            "-c",
            "facebook",
            "--at",
            later,
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Đã hẹn giờ đăng trên facebook" in result.output
    assert graph.posts[0]["is_published"] is False
    bad = CliRunner().invoke(
        app, ["--station", str(fb_station.root), "publish", "-m", str(mid), "-c", "facebook"]
    )
    assert bad.exit_code == 2 and "--now" in bad.output


def test_a_look_up_never_takes_another_entrys_post_of_the_same_message(
    fb_station: Station, graph: FakeGraph
) -> None:
    """Two plan entries of one message: the first is posted; the second's process died after
    its claim. Its look-up finds the same text on the page, but that post carries the first
    entry's marker: it is not this entry's, so the second is posted on its own (#32)."""
    from loa.channels.outbox import claim as _claim

    mid = add_message(fb_station)
    first = publish_message(fb_station, mid, "facebook", now=NOW)
    assert first.status == "published"
    second, _ = _claim(
        fb_station,
        f"manual:{mid}:facebook:again",
        channel="facebook",
        now=NOW,
        message_id=mid,
        plan_entry_id=None,
        due_at=NOW,
    )
    with fb_station.transaction() as s:
        s.get(Publication, second.id).owner = "elsewhere:1"  # the dead process
    assert [p.status for p in reconcile(fb_station, now=NOW)] == ["uncertain"]  # settling
    assert [(p.id, p.status) for p in reconcile(fb_station, now=LATER)] == [(second.id, "failed")]
    with fb_station.transaction() as s:
        held = s.scalars(select(Publication.remote_id).where(Publication.remote_id.is_not(None)))
        assert list(held) == [first.remote_id]  # no two publications share a remote post


def test_a_post_without_any_marker_is_still_found_by_its_text(
    fb_station: Station, graph: FakeGraph
) -> None:
    """A page that strips zero-width characters: the text alone still identifies the post."""
    from loa.channels.base import strip_markers
    from loa.channels.facebook import FacebookChannel
    from loa.channels.items import message_item
    from loa.channels.outbox import claim as _claim
    from loa.content.models import Message

    mid = add_message(fb_station)
    key = f"manual:{mid}:facebook"
    pub, _ = _claim(
        fb_station, key, channel="facebook", now=NOW, message_id=mid, plan_entry_id=None, due_at=NOW
    )
    with fb_station.transaction() as s:
        s.get(Publication, pub.id).owner = "elsewhere:1"
        item = message_item(s.get(Message, mid), "facebook", key, due_at=NOW)
    item.text = strip_markers(item.text)
    channel = FacebookChannel.from_station(fb_station)
    channel.publish(item, now=NOW)
    channel.close()
    reconcile(fb_station, now=NOW)
    assert [(p.id, p.status) for p in reconcile(fb_station, now=LATER)] == [(pub.id, "published")]
