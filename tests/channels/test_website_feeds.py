"""The website channel: pages, index by topic, RSS 2.0 and Atom feeds that parse with feedparser."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import feedparser
from sqlalchemy import select

from loa.app.publish import publish_bulletin, publish_message
from loa.channels.models import Publication
from loa.channels.website import WebsiteChannel, slugify
from loa.core.station import Station
from tests.channels.conftest import NOW, add_message, configure
from tests.channels.test_radio_playout import SLOT, make_bulletin


def web(station: Station) -> Path:
    return station.media_dir / "web"


def test_pages_index_and_feeds(station: Station) -> None:
    configure(station, "channels.website", base_url="https://xa.example.vn/loa")
    first = add_message(
        station,
        body="Đoạn một.\n\nĐoạn hai <b>không phải HTML</b>.",
        source_document="Kế hoạch 12/KH-UBND",
    )
    second = add_message(station, title="Một cửa liên thông", link="https://dichvucong.gov.vn")
    p1 = publish_message(station, first, "website", now=NOW)
    publish_message(station, second, "website", now=NOW + timedelta(hours=1))
    page = web(station) / p1.remote_id
    html = page.read_text(encoding="utf-8")
    assert p1.remote_id.startswith("tin/") and "khai-sinh" in p1.remote_id
    assert 'name="viewport"' in html and 'lang="vi"' in html
    assert "<p>Đoạn một.</p>" in html and "&lt;b&gt;" in html and "12/KH-UBND" in html
    index = (web(station) / "index.html").read_text(encoding="utf-8")
    assert "Đăng ký khai sinh trực tuyến" in index and "Một cửa liên thông" in index
    rss = feedparser.parse((web(station) / "feed.xml").read_bytes())
    assert not rss.bozo, rss.bozo_exception
    assert rss.feed.title == "Xã Thử Nghiệm" and rss.feed.language == "vi"
    assert [e.title for e in rss.entries] == ["Một cửa liên thông", "Đăng ký khai sinh trực tuyến"]
    assert rss.entries[1].link == f"https://xa.example.vn/loa/{p1.remote_id}"
    atom = feedparser.parse((web(station) / "atom.xml").read_bytes())
    assert not atom.bozo, atom.bozo_exception
    assert atom.version == "atom10" and len(atom.entries) == 2


def test_bulletins_are_podcast_episodes(station: Station) -> None:
    configure(station, "channels.website", base_url="https://xa.example.vn/loa")
    make_bulletin(station)
    pub = publish_bulletin(station, SLOT, "website", now=SLOT + timedelta(minutes=10))
    assert pub.key == "bulletin:2026-11-23 06:00:website"
    mp3 = web(station) / "audio" / "20261123-0600.mp3"
    assert mp3.is_file()
    rss = feedparser.parse((web(station) / "feed.xml").read_bytes())
    assert not rss.bozo, rss.bozo_exception
    [episode] = rss.entries
    [enclosure] = episode.enclosures
    assert enclosure.href == "https://xa.example.vn/loa/audio/20261123-0600.mp3"
    assert enclosure.type == "audio/mpeg" and int(enclosure.length) == mp3.stat().st_size
    assert episode.itunes_duration == "00:00:04"
    assert rss.feed.author == "Xã Thử Nghiệm" and "Khai sinh" in episode.summary
    atom = feedparser.parse((web(station) / "atom.xml").read_bytes())
    assert any(link.rel == "enclosure" for link in atom.entries[0].links)
    index = (web(station) / "index.html").read_text(encoding="utf-8")
    assert '<audio controls preload="none" src="audio/20261123-0600.mp3">' in index


def test_publishing_again_rewrites_not_doubles(station: Station) -> None:
    mid = add_message(station)
    publish_message(station, mid, "website", now=NOW)
    publish_message(station, mid, "website", now=NOW, key="another-key")
    channel = WebsiteChannel.from_station(station)
    assert len(channel.manifest()["posts"]) == 1
    assert len(list((web(station) / "tin").iterdir())) == 1
    with station.transaction() as s:
        assert len(s.scalars(select(Publication)).all()) == 2


def test_check_and_slug(station: Station) -> None:
    results = WebsiteChannel.from_station(station).check()
    assert results[0].ok and "media/web" in results[0].detail
    assert "base_url" in results[1].detail
    assert slugify("Đăng ký KHAI SINH: trực tuyến!") == "dang-ky-khai-sinh-truc-tuyen"


def test_no_feed_without_base_url_and_the_pages_do_not_link_one(station: Station) -> None:
    from loa.channels.website import WebsiteChannel as Web

    site = Web.from_station(station)
    site.folder.mkdir(parents=True, exist_ok=True)
    (site.folder / "feed.xml").write_text("<rss>old relative links</rss>", encoding="utf-8")
    site.render()
    assert not (site.folder / "feed.xml").exists() and not (site.folder / "atom.xml").exists()
    index = (site.folder / "index.html").read_text(encoding="utf-8")
    assert "feed.xml" not in index and "atom.xml" not in index
    [_, note] = site.check()
    assert "không tạo RSS" in note.detail and "base_url" in note.detail
