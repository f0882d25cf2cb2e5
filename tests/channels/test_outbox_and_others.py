"""WordPress, the null channel, urgent publishing, the outbox view, confirm/retry, checks,
and a bulletin as a Facebook video post."""

from __future__ import annotations

from datetime import timedelta

import pytest

from loa.app.outbox_view import outbox
from loa.app.publish import confirm, publish_bulletin, publish_message, publish_urgent, reconcile
from loa.app.publish import resend as retry
from loa.channels.base import PermanentError, channel_class, marker, strip_markers
from loa.channels.publish import check_channels
from loa.core.errors import RuntimeFailure, UserError
from loa.core.station import Station
from tests.channels.conftest import NOW, add_message, configure
from tests.channels.fake_graph import FakeGraph
from tests.channels.fake_wordpress import FakeWordPress
from tests.channels.test_radio_playout import SLOT, make_bulletin


@pytest.fixture
def wp_station(
    station: Station, wordpress: FakeWordPress, monkeypatch: pytest.MonkeyPatch
) -> Station:
    configure(
        station,
        "channels.wordpress",
        url=wordpress.url,
        user=wordpress.user,
        timeout_s=1.0,
        deadline_s=1.5,
        feed_lag_s=0.5,
    )
    configure(station, "channels", retries=2, backoff_s=0.01, backoff_max_s=0.01)
    monkeypatch.setenv("LOA_WORDPRESS_PASSWORD", wordpress.password)
    return station


def test_wordpress_lookup_never_takes_another_messages_post_for_ours(
    wp_station: Station, wordpress: FakeWordPress
) -> None:
    """The look-up after a lost answer: by slug, even when WordPress made it unique; by title
    only for a post that is not another message's and was made since the attempt."""
    from datetime import timedelta

    from loa.channels.base import Item, get_channel
    from loa.channels.wordpress import slug_for

    channel = get_channel(wp_station, "wordpress")
    title = "Họp dân - lấy ý kiến 'Bộ phận một cửa'"  # WordPress renders it texturized
    first = add_message(wp_station, title=title)
    publish_message(wp_station, first, "wordpress", now=NOW)
    since = wp_station.now() - timedelta(minutes=1)  # the station's wall clock, as the outbox
    second = Item(key="plan:99:wordpress", title=title, text="Nội dung khác.")
    assert channel.find(second, since=since) is None  # same title, another message's slug
    # A post by an editor (no loa slug) with that title, made since the attempt, is taken:
    # it is what a plugin that rewrites slugs leaves; one made before the attempt is not.
    wordpress.posts[0]["slug"] = "hop-dan-lay-y-kien"
    assert channel.find(second, since=since) is not None
    assert channel.find(second, since=wp_station.now() + timedelta(hours=1)) is None
    # A slug WordPress made unique (ours was taken by a trashed post) is still ours, though
    # it starts with "loa-" and differs from the one asked for.
    third = add_message(wp_station, title="Tin thứ ba")
    key = f"manual:{third}:wordpress"
    wordpress.posts.append({"id": 9, "slug": slug_for(key), "status": "trash"})
    made = channel.publish(Item(key=key, title="Tin thứ ba", text="Ba."), now=NOW)
    assert wordpress.posts[-1]["slug"] == slug_for(key) + "-2"
    found = channel.find(Item(key=key, title="Tin thứ ba", text="Ba."), since=since)
    assert found is not None and found.remote_id == made.remote_id
    channel.close()


def test_wordpress_posts_once_and_finds_after_a_crash(
    wp_station: Station, wordpress: FakeWordPress
) -> None:
    mid = add_message(wp_station)
    pub = publish_message(wp_station, mid, "wordpress", now=NOW)
    assert pub.status == "published" and wordpress.posts[0]["status"] == "publish"
    assert publish_message(wp_station, mid, "wordpress", now=NOW).id == pub.id
    assert len(wordpress.posts) == 1
    # a post made under a key whose record never completed is found by its slug
    from loa.channels.outbox import claim as _claim

    other = add_message(wp_station, title="Tin khác")
    claimed, _ = _claim(
        wp_station,
        f"manual:{other}:wordpress",
        channel="wordpress",
        now=NOW,
        message_id=other,
        plan_entry_id=None,
        due_at=NOW,
    )
    from loa.channels.runtime import Runtime

    runtime = Runtime()
    from loa.channels.items import message_item
    from loa.content.models import Message

    with wp_station.transaction() as s:
        item = message_item(s.get(Message, other), "wordpress", claimed.key, due_at=NOW)
    runtime.channel(wp_station, "wordpress").publish(item, now=NOW)
    runtime.close()
    from loa.channels.models import Publication

    with wp_station.transaction() as s:
        s.get(Publication, claimed.id).owner = "gone:1"
    [early] = reconcile(wp_station, now=NOW)  # the list may not show it yet: no verdict
    assert early.status == "uncertain"
    [done] = reconcile(wp_station, now=NOW + timedelta(seconds=10))
    assert done.status == "published" and len(wordpress.posts) == 2


def test_wordpress_bad_password_and_server_errors(
    wp_station: Station, wordpress: FakeWordPress, monkeypatch: pytest.MonkeyPatch
) -> None:
    mid = add_message(wp_station)
    wordpress.faults = [503]
    assert publish_message(wp_station, mid, "wordpress", now=NOW).status == "published"
    monkeypatch.setenv("LOA_WORDPRESS_PASSWORD", "wrong")
    other = add_message(wp_station, title="Tin hai")
    with pytest.raises(PermanentError, match="Mật khẩu ứng dụng") as info:
        publish_message(wp_station, other, "wordpress", now=NOW)
    assert "wrong" not in str(info.value)
    results = [r for r in check_channels(wp_station) if r.channel == "wordpress"]
    # the refused credentials, then what the channel tells back (WordPress: no figures)
    assert [r.ok for r in results] == [False, True]
    assert "không cung cấp số liệu" in results[1].detail


def test_unknown_channel_lists_valid_names(station: Station) -> None:
    mid = add_message(station)
    with pytest.raises(UserError, match="radio, facebook, website, wordpress"):
        publish_message(station, mid, "telegram", now=NOW)
    with pytest.raises(UserError, match=r"Tin 999|tin số 999"):
        publish_message(station, 999, "null", now=NOW)


def test_facebook_not_configured_is_a_user_error(station: Station) -> None:
    mid = add_message(station)
    with pytest.raises(UserError, match="page_id"):
        publish_message(station, mid, "facebook", now=NOW)


def test_drafts_are_not_published(station: Station) -> None:
    mid = add_message(station)
    from loa.content.models import Message

    with station.transaction() as s:
        s.get(Message, mid).status = "draft"
    with pytest.raises(UserError, match="chưa được duyệt"):
        publish_message(station, mid, "null", now=NOW)


def test_uncertain_waits_for_the_officer(station: Station) -> None:
    """A channel that cannot be searched: an interrupted post becomes uncertain, is listed in
    the outbox, refuses a blind repost, and is resolved by confirm or retry."""
    from loa.channels.base import Channel, Receipt
    from loa.channels.models import Publication
    from loa.channels.outbox import claim as _claim
    from loa.core.registry import add_channel, discard_channel

    posts: list[str] = []

    class Blind(Channel):
        name = "blind-test"
        label = ("Kênh thử", "Test channel")

        @classmethod
        def from_station(cls, station, *, http=None, env=None):  # type: ignore[no-untyped-def]
            return cls()

        def publish(self, item, *, now):  # type: ignore[no-untyped-def]
            posts.append(item.key)
            return Receipt(remote_id=f"b{len(posts)}", published_at=now)

    add_channel(Blind)
    try:
        mid = add_message(station)
        pub, _ = _claim(
            station,
            "k1",
            channel="blind-test",
            now=NOW,
            message_id=mid,
            plan_entry_id=None,
            due_at=NOW,
        )
        with station.transaction() as s:
            s.get(Publication, pub.id).owner = "gone:1"
        [changed] = reconcile(station, now=NOW)
        assert changed.status == "uncertain"
        rows = outbox(station, now=NOW)
        assert [(r.publication_id, r.status) for r in rows] == [(pub.id, "uncertain")]
        with pytest.raises(RuntimeFailure, match="loa outbox --done"):
            publish_message(station, mid, "blind-test", now=NOW, key="k1")
        assert posts == []
        again = retry(station, pub.id, now=NOW)
        assert again.status == "published" and posts == ["k1"]
        pub2, _ = _claim(
            station,
            "k2",
            channel="blind-test",
            now=NOW,
            message_id=mid,
            plan_entry_id=None,
            due_at=NOW,
        )
        with station.transaction() as s:
            s.get(Publication, pub2.id).owner = "gone:1"
        reconcile(station, now=NOW)
        confirmed = confirm(station, pub2.id, posted=True, now=NOW, remote_id="seen-it")
        assert (confirmed.status, confirmed.remote_id) == ("published", "seen-it")
        assert posts == ["k1"] and outbox(station, now=NOW) == []
    finally:
        discard_channel("blind-test")


def test_outbox_lists_overdue_plan_entries(station: Station) -> None:
    from loa.planning.models import PlanEntry

    mid = add_message(station)
    with station.transaction() as s:
        s.add(PlanEntry(message_id=mid, channel="facebook", scheduled_at=NOW - timedelta(hours=1)))
        s.add(PlanEntry(message_id=mid, channel="radio", scheduled_at=NOW - timedelta(hours=1)))
    rows = outbox(station, now=NOW)
    assert [(r.channel, r.status, r.message_id) for r in rows] == [("facebook", "overdue", mid)]


def test_an_overdue_entry_with_a_publication_is_listed_by_its_publication(
    station: Station,
) -> None:
    from loa.channels.models import Publication
    from loa.planning.models import PlanEntry

    mid = add_message(station)
    with station.transaction() as s:
        entry = PlanEntry(message_id=mid, channel="facebook", scheduled_at=NOW - timedelta(hours=1))
        s.add(entry)
        s.flush()
        s.add(
            Publication(
                key=f"plan:{entry.id}:facebook",
                channel="facebook",
                plan_entry_id=entry.id,
                message_id=mid,
                status="published",
                created_at=NOW - timedelta(hours=1),
            )
        )
    assert outbox(station, now=NOW) == []
    [row] = outbox(station, now=NOW, include_done=True)
    assert (row.status, row.publication_id is not None) == ("published", True)


def test_urgent_goes_to_every_configured_channel(fb_station: Station, graph: FakeGraph) -> None:
    mid = add_message(
        fb_station, priority="urgent", channels=["radio", "facebook", "website", "zalo"]
    )
    pubs = publish_urgent(fb_station, mid, now=NOW)
    assert sorted((p.channel, p.status) for p in pubs) == [
        ("facebook", "published"),
        ("website", "published"),
    ]
    assert len(graph.posts) == 1 and pubs[0].key.startswith("urgent:")
    assert publish_urgent(fb_station, mid, now=NOW)[0].id in {p.id for p in pubs}
    assert len(graph.posts) == 1


def test_null_channel_and_checks(station: Station) -> None:
    mid = add_message(station)
    pub = publish_message(station, mid, "null", now=NOW)
    assert pub.remote_id == "null-1"
    assert publish_message(station, mid, "null", now=NOW).remote_id == "null-1"
    results = check_channels(station)
    assert {r.channel for r in results} == {"radio", "website"}
    assert all(r.ok for r in results)
    assert channel_class("null").can_lookup


def test_marker_is_invisible_and_specific() -> None:
    assert strip_markers(f"Xin chào{marker('a')}") == "Xin chào"
    assert marker("a") != marker("b") and marker("a").isprintable() is False


def test_bulletin_as_a_facebook_video(fb_station: Station, graph: FakeGraph) -> None:
    make_bulletin(fb_station)
    pub = publish_bulletin(fb_station, SLOT, "facebook", now=SLOT + timedelta(minutes=5))
    [post] = graph.posts
    assert post["edge"] == "videos" and post["upload"]["size"] > 1000
    assert post["title"].startswith("Bản tin Xã Thử Nghiệm 06:00")
    assert "Khai sinh trực tuyến" in post["description"]
    assert pub.status == "published" and pub.remote_id == post["id"]
