"""Insights back from the channels: the fake Graph and Zalo servers answer the way the real ones
do (a retired metric fails the whole request, a fresh post has no data yet), the website counts
a real access log, the radio its listener counts; `loa.app.insights.pull` stores each figure
with its publication or airing."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from loa.app.insights import pull
from loa.app.publish import publish_message
from loa.channels.models import AsRunRecord, Insight
from loa.channels.publish import check_channels
from loa.core.errors import UserError
from loa.core.station import Station
from tests.channels.conftest import NOW, add_message, configure
from tests.channels.fake_graph import FakeGraph
from tests.channels.fake_zalo import FakeZalo

LATER = NOW + timedelta(days=2)

#: No test here is about slow answers: the calls get time enough for a loaded machine (the
#: shared fixtures' 1 s read timeout is for the fault tests; a pull makes several calls).
PATIENT = {"timeout_s": 20.0, "deadline_s": 30.0}


@pytest.fixture
def fb_station(fb_station: Station) -> Station:
    configure(fb_station, "channels.facebook", **PATIENT)
    return fb_station


@pytest.fixture
def zalo_station(zalo_station: Station) -> Station:
    configure(zalo_station, "channels.zalo", **PATIENT)
    return zalo_station


def figures(station: Station, channel: str) -> dict[tuple[str, str], float]:
    with station.transaction() as session:
        return {
            (row.metric, row.source): row.value
            for row in session.scalars(select(Insight).where(Insight.channel == channel))
        }


def fb_pull(station: Station):
    report = pull(station, now=LATER, channel="facebook")
    (result,) = report.channels
    return result


def test_facebook_views_under_the_current_metric_names(
    fb_station: Station, graph: FakeGraph
) -> None:
    pub = publish_message(fb_station, add_message(fb_station), "facebook", now=NOW)
    graph.insights[pub.remote_id] = {"post_media_view": 420, "post_total_media_view_unique": 311}
    result = fb_pull(fb_station)
    assert (result.asked, result.figures, result.unavailable, result.errors) == (1, 2, [], [])
    got = figures(fb_station, "facebook")
    assert got == {
        ("views", "graph v23.0 post_media_view"): 420.0,
        ("unique_views", "graph v23.0 post_total_media_view_unique"): 311.0,
    }
    with fb_station.transaction() as session:
        row = session.scalars(select(Insight).where(Insight.metric == "views")).one()
        assert (row.publication_id, row.ref) == (pub.id, f"publication:{pub.id}")
        assert abs(row.at - NOW) < timedelta(minutes=1)  # when the post went out
    # a later pull replaces the figures (views grow), it never adds a second row
    graph.insights[pub.remote_id]["post_media_view"] = 500
    fb_pull(fb_station)
    assert figures(fb_station, "facebook")[("views", "graph v23.0 post_media_view")] == 500.0
    with fb_station.transaction() as session:
        assert len(session.scalars(select(Insight)).all()) == 2


def test_a_retired_metric_fails_the_set_and_each_name_is_asked_alone(
    fb_station: Station, graph: FakeGraph
) -> None:
    # this Graph knows the new views metric but not the new unique one: asking both at once
    # fails with (#100); asked alone, views comes from the new name, unique from the old one
    graph.metrics = {"post_media_view", "post_impressions_unique"}
    graph.retired = {"post_total_media_view_unique", "post_impressions"}
    pub = publish_message(fb_station, add_message(fb_station), "facebook", now=NOW)
    graph.insights[pub.remote_id] = {"post_media_view": 90, "post_impressions_unique": 70}
    result = fb_pull(fb_station)
    assert result.unavailable == ["post_total_media_view_unique"]
    assert result.errors == []
    assert figures(fb_station, "facebook") == {
        ("views", "graph v23.0 post_media_view"): 90.0,
        ("unique_views", "graph v23.0 post_impressions_unique"): 70.0,
    }
    asked = [p for m, p in graph.requests if "/insights" in p]
    assert len(asked) == 4  # the set, then post_media_view, the new unique name, the old one
    assert "post_media_view%2Cpost_total_media_view_unique" in asked[0]


def test_every_name_retired_says_which_and_stores_nothing(
    fb_station: Station, graph: FakeGraph
) -> None:
    graph.metrics = set()
    pub = publish_message(fb_station, add_message(fb_station), "facebook", now=NOW)
    graph.insights[pub.remote_id] = {"post_media_view": 5}
    result = fb_pull(fb_station)
    assert result.unavailable == [
        "post_media_view",
        "post_impressions",
        "post_total_media_view_unique",
        "post_impressions_unique",
    ]
    assert result.figures == 0 and figures(fb_station, "facebook") == {}


def test_a_fresh_post_has_no_figures_yet(fb_station: Station, graph: FakeGraph) -> None:
    publish_message(fb_station, add_message(fb_station), "facebook", now=NOW)
    result = fb_pull(fb_station)
    assert (result.asked, result.figures, result.empty) == (1, 0, 1)
    assert any("chưa có số liệu" in n for n in result.notes)
    assert figures(fb_station, "facebook") == {}


def test_a_refused_token_ends_the_channels_pull_with_a_message(
    fb_station: Station, graph: FakeGraph
) -> None:
    for n in range(2):
        publish_message(fb_station, add_message(fb_station, title=f"Tin {n}"), "facebook", now=NOW)
    graph.expired = True
    result = fb_pull(fb_station)
    assert result.asked == 1  # the second post would be refused the same way
    assert len(result.errors) == 1 and "190" in result.errors[0]
    assert graph.token not in result.errors[0]


def test_since_leaves_out_older_posts(fb_station: Station, graph: FakeGraph) -> None:
    publish_message(fb_station, add_message(fb_station), "facebook", now=NOW)
    report = pull(fb_station, now=LATER, channel="facebook", since=NOW + timedelta(hours=1))
    assert report.channels[0].asked == 0


def test_an_unknown_channel_is_refused_in_vietnamese(fb_station: Station) -> None:
    with pytest.raises(UserError, match="không có hoặc chưa cấu hình"):
        pull(fb_station, now=LATER, channel="telegram")


def test_zalo_article_views_and_shares(zalo_station: Station, zalo: FakeZalo) -> None:
    pub = publish_message(zalo_station, add_message(zalo_station), "zalo", now=NOW)
    article = next(a for a in zalo.articles if a["id"] == pub.remote_id)
    article["total_view"], article["total_share"] = 230, 12
    report = pull(zalo_station, now=LATER, channel="zalo")
    assert report.channels[0].errors == []
    assert figures(zalo_station, "zalo") == {
        ("views", "zalo total_view"): 230.0,
        ("shares", "zalo total_share"): 12.0,
    }


LOG = """\
203.0.113.7 - - [{d}/Nov/2026:08:59:00 +0700] "GET {page} HTTP/1.1" 200 5120 "-" "Mozilla/5.0"
203.0.113.7 - - [{d}/Nov/2026:09:05:00 +0700] "GET {page} HTTP/1.1" 200 5120 "-" "Mozilla/5.0"
203.0.113.7 - - [{d}/Nov/2026:09:06:00 +0700] "GET {page}?fbclid=x HTTP/1.1" 304 0 "-" "Mozilla/5.0"
198.51.100.2 - - [{d}/Nov/2026:10:00:00 +0700] "GET {page} HTTP/2.0" 200 5120 "https://zalo.me/" "Zalo"
198.51.100.3 - - [{d}/Nov/2026:10:30:00 +0700] "GET {page} HTTP/1.1" 404 0 "-" "Mozilla/5.0"
66.249.66.1 - - [{d}/Nov/2026:11:00:00 +0700] "GET {page} HTTP/1.1" 200 5120 "-" "Googlebot/2.1"
192.0.2.9 - - [{d}/Nov/2026:11:30:00 +0700] "HEAD {page} HTTP/1.1" 200 0 "-" "Mozilla/5.0"
not a log line at all
192.0.2.10 - - [{d}/Nov/2026:12:00:00 +0700] "GET /khac.html HTTP/1.1" 200 10 "-" "Mozilla/5.0"
"""


def test_website_hits_from_a_real_access_log(station: Station) -> None:
    configure(station, "channels.website", base_url="https://xa.gov.vn/cong", access_log="web.log")
    pub = publish_message(station, add_message(station), "website", now=NOW)
    page = f"/cong/{pub.remote_id}"
    (station.root / "web.log").write_text(LOG.format(d=NOW.day, page=page), encoding="utf-8")
    report = pull(station, now=LATER, channel="website")
    assert report.channels[0].errors == []
    source = f"access_log web.log {page}"
    # 08:59 is before the post (09:00); the 404, the robot, the HEAD and the other page do
    # not count: three hits from two visitors
    assert figures(station, "website") == {("hits", source): 3.0, ("unique_views", source): 2.0}


def test_website_without_a_log_says_how_to_name_one(station: Station) -> None:
    publish_message(station, add_message(station), "website", now=NOW)
    report = pull(station, now=LATER, channel="website")
    assert any("access_log" in n for n in report.channels[0].notes)
    assert figures(station, "website") == {}


def test_radio_listeners_sampled_while_a_bulletin_aired(station: Station) -> None:
    when = datetime(2026, 11, 23, 5, 30)
    with station.transaction() as session:
        for n, offset in enumerate((0, 70)):
            session.add(
                AsRunRecord(
                    channel="radio",
                    status="done",
                    started_at=when + timedelta(seconds=offset),
                    ended_at=when + timedelta(seconds=offset + 60),
                    bulletin="2026-11-23 05:30",
                    title=f"Tin {n}",
                    extra={"listeners": {"/thon1.mp3": [10, 14], "/thon2.mp3": [3, 5]}}
                    if n == 0
                    else {},
                )
            )
        session.add(  # aired only on the local loudspeaker: nobody counted
            AsRunRecord(
                channel="radio",
                status="done",
                started_at=when + timedelta(hours=12),
                bulletin="2026-11-23 17:30",
                title="Tin chiều",
            )
        )
    report = pull(station, now=LATER, channel="radio")
    assert report.channels[0].asked == 2 and report.channels[0].figures == 1
    with station.transaction() as session:
        row = session.scalars(select(Insight)).one()
        assert (row.metric, row.value, row.samples, row.at) == ("listeners", 16.0, 2, when)
        assert row.ref == "bulletin:2026-11-23 05:30"
        assert row.source == "icecast /thon1.mp3,/thon2.mp3"


def test_channels_check_says_what_each_channel_tells_back(
    fb_station: Station, graph: FakeGraph
) -> None:
    configure(fb_station, "channels.null", file="null.jsonl")
    lines = {(r.channel, r.detail) for r in check_channels(fb_station)}
    assert any(c == "facebook" and "Graph insights" in d for c, d in lines)
    assert (
        "null",
        "Kênh này không cung cấp số liệu người xem, người nghe (loa insights pull bỏ qua).",
    ) in lines
