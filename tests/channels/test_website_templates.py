"""The website's pages come from escaping templates and its feeds from feedgen: hostile text
stays text, Vietnamese survives, bulletins are podcast episodes in both feeds."""

from __future__ import annotations

from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path

import feedparser

from loa.channels.base import Item
from loa.channels.website import WebsiteChannel

NOW = datetime(2026, 11, 23, 9, 0)
HOSTILE = '<script>alert("x")</script> Tom & Jerry\'s "tin"'
LINK = 'https://dichvucong.gov.vn/?a=1&b="2"'


class Page(HTMLParser):
    """Tag names, the text of each tag, and the attributes of links and images of a page."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: dict[str, list[str]] = {}
        self.attrs: list[dict[str, str | None]] = []
        self._open: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag in ("a", "img", "audio"):
            self.attrs.append(dict(attrs))
        if tag not in ("br", "img", "meta", "link"):
            self._open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1] == tag:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        if self._open:
            self.text.setdefault(self._open[-1], []).append(data)


def channel(folder: Path, **kwargs: str) -> WebsiteChannel:
    return WebsiteChannel(
        folder, station_name="Xã Thử & <Nghiệm>", base_url="https://xa.example.vn/loa", **kwargs
    )


def post(
    message_id: int,
    title: str,
    *,
    topic_name: str | None = None,
    link: str | None = None,
    image: str | None = None,
    **extra: object,
) -> Item:
    return Item(
        key=f"message:{message_id}:website",
        title=title,
        text="Tóm tắt",
        message_id=message_id,
        topic_name=topic_name,
        link=link,
        image=image,
        extra=extra,
    )


def bulletin(tmp_path: Path, title: str, when: str, size: int) -> Item:
    mp3 = tmp_path / f"{when.replace(':', '')}.mp3"
    mp3.write_bytes(b"\xff\xfb\x90\x00" + bytes(size - 4))
    return Item(
        key=f"bulletin:{when}:website",
        title=title,
        text="Bản tin gồm:\n- Đăng ký khai sinh trực tuyến\n- Một cửa liên thông",
        kind="bulletin",
        media=mp3,
        duration_s=3725.4,
        extra={"when": when},
    )


def test_pages_and_index_escape_hostile_text(tmp_path: Path) -> None:
    web = channel(tmp_path / "web")
    receipt = web.publish(
        post(
            7,
            HOSTILE,
            body='Đoạn <b>một</b> & "hai".\nDòng hai.\n\nĐoạn <i>ba</i>.',
            source_document="Kế hoạch 12/KH-UBND <u>&</u>",
            topic_name="Hộ tịch & <em>",
            link=LINK,
            image="https://xa.example.vn/anh.png?a=1&b=<2>",
        ),
        now=NOW,
    )
    html = (tmp_path / "web" / receipt.remote_id).read_text(encoding="utf-8")
    page = Page(html)
    assert {"script", "b", "i", "u", "em"}.isdisjoint(page.tags)
    assert page.text["h1"] == [HOSTILE] and page.text["title"] == [HOSTILE]
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Tom &amp; Jerry&#x27;s" in html
    assert "<p>Đoạn &lt;b&gt;một&lt;/b&gt; &amp; &quot;hai&quot;.<br>Dòng hai.</p>" in html
    assert {"href": LINK} in page.attrs  # the quote in the link cannot end the attribute
    assert {"src": "https://xa.example.vn/anh.png?a=1&b=<2>", "alt": ""} in page.attrs
    assert "Kế hoạch 12/KH-UBND <u>&</u>" in " ".join(page.text["p"])
    assert "Xã Thử & <Nghiệm>" in page.text["a"]  # the header's link home
    index = Page((tmp_path / "web" / "index.html").read_text(encoding="utf-8"))
    assert "script" not in index.tags and HOSTILE in index.text["a"]
    assert "Hộ tịch & <em>" in index.text["h2"]
    assert not list((tmp_path / "web").rglob("*.part"))  # written atomically, nothing left over


def test_feeds_with_vietnamese_titles_parse_with_enclosures(tmp_path: Path) -> None:
    web = channel(tmp_path / "web")
    title = "Bản tin sáng: “Cải cách hành chính” & <một cửa>"
    web.publish(post(1, "Đăng ký khai sinh trực tuyến – Ủy ban nhân dân xã"), now=NOW)
    web.publish(bulletin(tmp_path, title, "2026-11-23T06:00", 32_643), now=NOW)
    mp3 = tmp_path / "web" / "audio" / "20261123-0600.mp3"
    rss = feedparser.parse((tmp_path / "web" / "feed.xml").read_bytes())
    assert not rss.bozo, rss.bozo_exception
    assert rss.version == "rss20" and rss.feed.language == "vi"
    assert rss.feed.title == "Xã Thử & <Nghiệm>" and rss.feed.link == web.url("index.html")
    assert [e.title for e in rss.entries] == [
        "Đăng ký khai sinh trực tuyến – Ủy ban nhân dân xã",
        title,
    ]
    episode = rss.entries[1]
    [enclosure] = episode.enclosures
    assert enclosure.href == "https://xa.example.vn/loa/audio/20261123-0600.mp3"
    assert enclosure.type == "audio/mpeg" and int(enclosure.length) == mp3.stat().st_size == 32_643
    assert episode.id == "bulletin-2026-11-23 06:00" and not episode.guidislink
    assert episode.itunes_duration == "01:02:05" and episode.itunes_episodetype == "full"
    assert episode.published_parsed[:5] == (2026, 11, 22, 23, 0)  # 06:00 in Asia/Ho_Chi_Minh
    assert "Đăng ký khai sinh" in episode.summary
    atom = feedparser.parse((tmp_path / "web" / "atom.xml").read_bytes())
    assert not atom.bozo, atom.bozo_exception
    assert atom.version == "atom10" and atom.entries[1].title == title
    [link] = [link for link in atom.entries[1].links if link.rel == "enclosure"]
    assert link.href == enclosure.href and link.type == "audio/mpeg"
    assert int(link.length) == 32_643
    assert atom.entries[0].id == "https://xa.example.vn/loa/atom.xml#m1"


def test_feeds_drop_characters_xml_cannot_hold_and_are_reproducible(tmp_path: Path) -> None:
    web = channel(tmp_path / "web")
    web.publish(post(3, "Thông báo\x0bkhẩn\x00", body="Dòng\x0cmột"), now=NOW)
    rss_bytes = (tmp_path / "web" / "feed.xml").read_bytes()
    atom_bytes = (tmp_path / "web" / "atom.xml").read_bytes()
    for data in (rss_bytes, atom_bytes):
        parsed = feedparser.parse(data)
        assert not parsed.bozo, parsed.bozo_exception
        assert parsed.entries[0].title == "Thông báokhẩn"
    web.render()
    assert (tmp_path / "web" / "feed.xml").read_bytes() == rss_bytes
    assert (tmp_path / "web" / "atom.xml").read_bytes() == atom_bytes
