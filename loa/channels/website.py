"""The commune website channel: static Vietnamese HTML pages, an index by topic, and RSS 2.0 +
Atom feeds with the bulletin MP3s as podcast episodes (iTunes tags).

Everything is written atomically into `[channels.website] folder` (default media/web), which the
commune's web server serves or an officer copies to the portal. The folder's own manifest
(`.loa-site.json`) is the channel's memory: it lets `find` answer whether a key was published.
"""

from __future__ import annotations

import json
import re
import shutil
import unicodedata
from collections.abc import Mapping
from datetime import datetime
from email.utils import format_datetime
from html import escape
from pathlib import Path
from typing import Any

from loa.channels.base import Channel, CheckResult, Item, Receipt
from loa.core.fileio import atomic_write_text, temp_path_for
from loa.core.i18n import Catalog

MANIFEST = ".loa-site.json"
FEED_ITEMS = 50

T = Catalog(
    {
        "home": ("Trang chủ", "Home"),
        "topics": ("Tin theo chủ đề", "News by topic"),
        "bulletins": ("Nghe lại bản tin phát thanh", "Listen again to radio bulletins"),
        "subscribe": ("Theo dõi: RSS / podcast, Atom", "Subscribe: RSS / podcast, Atom"),
        "source": ("Văn bản:", "Document:"),
        "topic": ("Chủ đề:", "Topic:"),
        "posted": ("Đăng ngày", "Posted on"),
        "more": ("Xem thêm", "Read more"),
        "other": ("Khác", "Other"),
        "description": (
            "Tin tuyên truyền cải cách hành chính và bản tin phát thanh của {station}.",
            "Administrative-reform news and radio bulletins of {station}.",
        ),
        "not_writable": (
            "Không ghi được vào thư mục website {folder}: {error}. Kiểm tra [channels.website] "
            "folder và quyền ghi.",
            "Cannot write to the website folder {folder}: {error}. Check [channels.website] "
            "folder and the write permission.",
        ),
        "folder_ok": (
            "Thư mục website: {folder} ({count} tin, {episodes} bản tin).",
            "Website folder: {folder} ({count} posts, {episodes} bulletins).",
        ),
        "no_base_url": (
            "Chưa đặt base_url: liên kết trong RSS là tương đối; ứng dụng podcast cần địa chỉ "
            "đầy đủ (https://...).",
            "No base_url set: feed links are relative; podcast apps need full addresses "
            "(https://...).",
        ),
    }
)

CSS = """body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:0;
background:#f6f7f9;color:#1d2430;line-height:1.6;font-size:18px}
header{background:#0c4a6e;color:#fff;padding:1rem}header a{color:#fff;text-decoration:none}
main{max-width:44rem;margin:0 auto;padding:1rem}article,section{background:#fff;border-radius:8px;
padding:1rem;margin-bottom:1rem;box-shadow:0 1px 2px rgba(0,0,0,.08)}h1{font-size:1.4rem}
h2{font-size:1.2rem}img{max-width:100%;height:auto}audio{width:100%}.meta{color:#5b6472;
font-size:.9rem}a{color:#0b5cad}li{margin:.4rem 0}footer{text-align:center;font-size:.85rem;
color:#5b6472;padding:1rem}"""


def slugify(text: str, limit: int = 60) -> str:
    """ASCII slug of Vietnamese text ("Đăng ký khai sinh" -> "dang-ky-khai-sinh")."""
    text = text.replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-zA-Z0-9]+", "-", text).strip("-").lower()
    return slug[:limit].rstrip("-") or "tin"


def _paragraphs(text: str) -> str:
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text.strip()) if b.strip()]
    return "\n".join(f"<p>{escape(b).replace(chr(10), '<br>')}</p>" for b in blocks)


class WebsiteChannel(Channel):
    """Writes the static site and feeds; publishing the same key again rewrites, never doubles."""

    name = "website"
    label = ("Trang thông tin điện tử", "Website")
    colour = "#2e8b57"
    aliases = ("web", "trang web")
    can_lookup = True

    def __init__(
        self,
        folder: Path,
        *,
        station_name: str,
        base_url: str = "",
        timezone: str = "Asia/Ho_Chi_Minh",
        author: str = "",
        language: str = "vi",
    ) -> None:
        self.folder = folder
        self.station_name = station_name
        self.base_url = base_url.rstrip("/")
        self.timezone = timezone
        self.author = author or station_name
        self.language = language

    @classmethod
    def is_configured(cls, station: Any) -> bool:
        return True

    @classmethod
    def from_station(
        cls, station: Any, *, http: Any = None, env: Mapping[str, str] | None = None
    ) -> WebsiteChannel:
        section = station.section("channels.website")
        folder = Path(str(section.get("folder", "")))
        if not str(section.get("folder", "")):
            folder = station.media_dir / "web"
        elif not folder.is_absolute():
            folder = station.root / folder
        return cls(
            folder,
            station_name=station.name,
            base_url=str(section.get("base_url", "")),
            timezone=station.timezone,
            author=str(section.get("author", "")),
        )

    # ---------------------------------------------------------------------------- manifest

    def manifest(self) -> dict[str, Any]:
        path = self.folder / MANIFEST
        if not path.is_file():
            return {"posts": {}, "episodes": {}}
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        data.setdefault("posts", {})
        data.setdefault("episodes", {})
        return data

    def _save(self, data: dict[str, Any]) -> None:
        atomic_write_text(self.folder / MANIFEST, json.dumps(data, ensure_ascii=False, indent=1))

    def url(self, relative: str) -> str:
        return f"{self.base_url}/{relative}" if self.base_url else relative

    # ------------------------------------------------------------------------------ publish

    def publish(self, item: Item, *, now: datetime) -> Receipt:
        data = self.manifest()
        at = item.due_at if item.due_at and item.due_at <= now else now
        if item.kind == "bulletin" and item.media is not None:
            relative = self._add_episode(data, item, at)
        else:
            relative = self._add_post(data, item, at)
        self._save(data)
        self.render(data)
        return Receipt(remote_id=relative, url=self.url(relative), published_at=at)

    def _add_post(self, data: dict[str, Any], item: Item, at: datetime) -> str:
        ident = f"m{item.message_id}" if item.message_id is not None else slugify(item.key)
        old = data["posts"].get(ident, {})
        relative = old.get("path") or f"tin/{item.message_id or 0}-{slugify(item.title)}.html"
        data["posts"][ident] = {
            "path": relative,
            "title": item.title,
            "body": item.extra.get("body") or item.text,
            "topic_code": item.topic_code,
            "topic_name": item.topic_name,
            "link": item.link,
            "image": item.image,
            "source_document": item.extra.get("source_document"),
            "published_at": old.get("published_at") or at.isoformat(timespec="seconds"),
            "updated_at": at.isoformat(timespec="seconds"),
            "keys": sorted({*old.get("keys", []), item.key}),
        }
        return relative

    def _add_episode(self, data: dict[str, Any], item: Item, at: datetime) -> str:
        assert item.media is not None
        when = datetime.fromisoformat(str(item.extra.get("when", at.isoformat())))
        relative = f"audio/{when.strftime('%Y%m%d-%H%M')}.mp3"
        target = self.folder / relative
        tmp = temp_path_for(target)
        shutil.copyfile(item.media, tmp)
        tmp.replace(target)
        ident = when.strftime("%Y-%m-%d %H:%M")
        old = data["episodes"].get(ident, {})
        data["episodes"][ident] = {
            "path": relative,
            "title": item.title,
            "text": item.text,
            "length": target.stat().st_size,
            "duration_s": round(item.duration_s, 1),
            "aired_at": when.isoformat(timespec="minutes"),
            "keys": sorted({*old.get("keys", []), item.key}),
        }
        return relative

    def find(self, item: Item, *, since: datetime) -> Receipt | None:
        data = self.manifest()
        for kind in ("posts", "episodes"):
            for entry in data[kind].values():
                if item.key in entry.get("keys", []):
                    return Receipt(remote_id=entry["path"], url=self.url(entry["path"]))
        return None

    def check(self) -> list[CheckResult]:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            probe = self.folder / ".loa-write-test"
            probe.write_text("ok", encoding="utf-8")
            probe.unlink()
        except OSError as exc:
            return [CheckResult(self.name, False, T("not_writable", folder=self.folder, error=exc))]
        data = self.manifest()
        results = [
            CheckResult(
                self.name,
                True,
                T(
                    "folder_ok",
                    folder=self.folder,
                    count=len(data["posts"]),
                    episodes=len(data["episodes"]),
                ),
            )
        ]
        if not self.base_url:
            results.append(CheckResult(self.name, True, T("no_base_url")))
        return results

    # ------------------------------------------------------------------------------- render

    def render(self, data: dict[str, Any] | None = None) -> None:
        """(Re)write every page, the index and both feeds from the manifest."""
        data = self.manifest() if data is None else data
        for post in data["posts"].values():
            atomic_write_text(self.folder / post["path"], self._page(post))
        atomic_write_text(self.folder / "index.html", self._index(data))
        atomic_write_text(self.folder / "feed.xml", self._rss(data))
        atomic_write_text(self.folder / "atom.xml", self._atom(data))
        atomic_write_text(self.folder / "style.css", CSS)

    def _aware(self, text: str) -> datetime:
        from zoneinfo import ZoneInfo

        return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(self.timezone))

    def _shell(self, title: str, body: str, depth: int) -> str:
        up = "../" * depth
        return (
            f'<!DOCTYPE html>\n<html lang="{self.language}">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{escape(title)}</title>\n"
            f'<link rel="stylesheet" href="{up}style.css">\n'
            f'<link rel="alternate" type="application/rss+xml" title="RSS" href="{up}feed.xml">\n'
            f'<link rel="alternate" type="application/atom+xml" title="Atom" '
            f'href="{up}atom.xml">\n</head>\n<body>\n'
            f'<header><a href="{up}index.html">{escape(self.station_name)}</a></header>\n'
            f"<main>\n{body}\n</main>\n"
            f'<footer><a href="{up}feed.xml">{T("subscribe")}</a></footer>\n</body>\n</html>\n'
        )

    def _page(self, post: dict[str, Any]) -> str:
        when = datetime.fromisoformat(post["published_at"]).strftime("%d/%m/%Y")
        parts = [
            f"<article>\n<h1>{escape(post['title'])}</h1>",
            f'<p class="meta">{T("posted")} {when}'
            + (f" · {T('topic')} {escape(post['topic_name'])}" if post.get("topic_name") else "")
            + "</p>",
        ]
        image = post.get("image")
        if image and str(image).startswith(("http://", "https://")):
            parts.append(f'<img src="{escape(image)}" alt="">')
        parts.append(_paragraphs(post.get("body") or ""))
        if post.get("source_document"):
            parts.append(f'<p class="meta">{T("source")} {escape(post["source_document"])}</p>')
        if post.get("link"):
            parts.append(f'<p><a href="{escape(post["link"])}">{T("more")}</a></p>')
        parts.append("</article>")
        return self._shell(post["title"], "\n".join(parts), post["path"].count("/"))

    def _index(self, data: dict[str, Any]) -> str:
        groups: dict[str, list[dict[str, Any]]] = {}
        for post in sorted(data["posts"].values(), key=lambda p: p["published_at"], reverse=True):
            groups.setdefault(post.get("topic_name") or T("other"), []).append(post)
        parts = [f"<h1>{escape(self.station_name)}</h1>"]
        episodes = sorted(data["episodes"].values(), key=lambda e: e["aired_at"], reverse=True)
        if episodes:
            parts.append(f"<section>\n<h2>{T('bulletins')}</h2>\n<ul>")
            for ep in episodes[:10]:
                parts.append(
                    f"<li>{escape(ep['title'])}<br>"
                    f'<audio controls preload="none" src="{escape(ep["path"])}">'
                    "</audio></li>"
                )
            parts.append("</ul>\n</section>")
        parts.append(f"<h2>{T('topics')}</h2>")
        for topic in sorted(groups):
            slug = slugify(topic)
            parts.append(f'<section id="{slug}">\n<h2>{escape(topic)}</h2>\n<ul>')
            for post in groups[topic]:
                day = datetime.fromisoformat(post["published_at"]).strftime("%d/%m/%Y")
                parts.append(
                    f'<li><a href="{escape(post["path"])}">{escape(post["title"])}</a>'
                    f' <span class="meta">{day}</span></li>'
                )
            parts.append("</ul>\n</section>")
        return self._shell(self.station_name, "\n".join(parts), 0)

    def _entries(self, data: dict[str, Any]) -> list[dict[str, Any]]:
        """Posts and episodes, newest first, as one list for the feeds."""
        entries = []
        for ident, post in data["posts"].items():
            entries.append(
                {
                    "id": f"{ident}",
                    "title": post["title"],
                    "path": post["path"],
                    "at": post["published_at"],
                    "updated": post["updated_at"],
                    "text": post.get("body") or "",
                    "topic": post.get("topic_name"),
                }
            )
        for ident, ep in data["episodes"].items():
            entries.append(
                {
                    "id": f"bulletin-{ident}",
                    "title": ep["title"],
                    "path": ep["path"],
                    "at": ep["aired_at"],
                    "updated": ep["aired_at"],
                    "text": ep["text"],
                    "episode": ep,
                    "topic": None,
                }
            )
        entries.sort(key=lambda e: e["at"], reverse=True)
        return entries[:FEED_ITEMS]

    def _rss(self, data: dict[str, Any]) -> str:
        home = self.url("index.html")
        description = T("description", station=self.station_name)
        out = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" '
            'xmlns:atom="http://www.w3.org/2005/Atom">',
            "<channel>",
            f"<title>{escape(self.station_name)}</title>",
            f"<link>{escape(home)}</link>",
            f"<description>{escape(description)}</description>",
            f"<language>{self.language}</language>",
            f'<atom:link href="{escape(self.url("feed.xml"))}" rel="self" '
            'type="application/rss+xml"/>',
            f"<itunes:author>{escape(self.author)}</itunes:author>",
            f"<itunes:summary>{escape(description)}</itunes:summary>",
            '<itunes:category text="Government"/>',
            "<itunes:explicit>false</itunes:explicit>",
            "<itunes:type>episodic</itunes:type>",
        ]
        for entry in self._entries(data):
            out += [
                "<item>",
                f"<title>{escape(entry['title'])}</title>",
                f"<link>{escape(self.url(entry['path']))}</link>",
                f'<guid isPermaLink="false">{escape(entry["id"])}</guid>',
                f"<pubDate>{format_datetime(self._aware(entry['at']))}</pubDate>",
                f"<description>{escape(entry['text'])}</description>",
            ]
            if entry.get("topic"):
                out.append(f"<category>{escape(entry['topic'])}</category>")
            episode = entry.get("episode")
            if episode:
                seconds = int(episode.get("duration_s") or 0)
                out += [
                    f'<enclosure url="{escape(self.url(episode["path"]))}" '
                    f'length="{episode["length"]}" type="audio/mpeg"/>',
                    f"<itunes:duration>{seconds // 3600:02d}:{seconds // 60 % 60:02d}:"
                    f"{seconds % 60:02d}</itunes:duration>",
                    f"<itunes:summary>{escape(entry['text'])}</itunes:summary>",
                    "<itunes:explicit>false</itunes:explicit>",
                    "<itunes:episodeType>full</itunes:episodeType>",
                ]
            out.append("</item>")
        out += ["</channel>", "</rss>"]
        return "\n".join(out) + "\n"

    def _atom(self, data: dict[str, Any]) -> str:
        entries = self._entries(data)
        updated = max((e["updated"] for e in entries), default="2000-01-01T00:00:00")
        feed_id = self.url("atom.xml") if self.base_url else f"urn:loa:{slugify(self.station_name)}"
        out = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{self.language}">',
            f"<id>{escape(feed_id)}</id>",
            f"<title>{escape(self.station_name)}</title>",
            f"<subtitle>{escape(T('description', station=self.station_name))}</subtitle>",
            f"<updated>{self._aware(updated).isoformat()}</updated>",
            f'<link rel="alternate" href="{escape(self.url("index.html"))}"/>',
            f'<link rel="self" href="{escape(self.url("atom.xml"))}"/>',
            f"<author><name>{escape(self.author)}</name></author>",
        ]
        for entry in entries:
            out += [
                "<entry>",
                f"<id>{escape(feed_id)}#{escape(entry['id'])}</id>",
                f"<title>{escape(entry['title'])}</title>",
                f'<link rel="alternate" href="{escape(self.url(entry["path"]))}"/>',
                f"<published>{self._aware(entry['at']).isoformat()}</published>",
                f"<updated>{self._aware(entry['updated']).isoformat()}</updated>",
                f"<summary>{escape(entry['text'])}</summary>",
            ]
            episode = entry.get("episode")
            if episode:
                out.append(
                    f'<link rel="enclosure" href="{escape(self.url(episode["path"]))}" '
                    f'type="audio/mpeg" length="{episode["length"]}"/>'
                )
            out.append("</entry>")
        out.append("</feed>")
        return "\n".join(out) + "\n"
