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
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from loa.channels.base import (
    Channel,
    CheckResult,
    Figure,
    InsightAnswer,
    Item,
    PermanentError,
    Published,
    Receipt,
)
from loa.channels.media import PHOTO_FOLDER, Photo, is_address, local_photo
from loa.channels.settings import channel_settings
from loa.core.fileio import atomic_write_bytes, atomic_write_text, temp_path_for
from loa.core.i18n import Catalog
from loa.core.settings import SectionSettings
from loa.core.templates import render, static

if TYPE_CHECKING:
    from loa.core.station import Station

MANIFEST = ".loa-site.json"
FEED_ITEMS = 50

T = Catalog(
    {
        "no_log": (
            "Chưa khai báo nhật ký truy cập: ghi [channels.website] access_log = "
            '"/var/log/nginx/access.log" để đếm lượt xem.',
            'No access log named: write [channels.website] access_log = "/var/log/nginx/'
            'access.log" to count hits.',
        ),
        "log_unreadable": (
            "Không đọc được nhật ký truy cập {path}: {error}.",
            "The access log {path} cannot be read: {error}.",
        ),
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
            "Chưa đặt base_url: không tạo RSS, Atom và podcast, vì liên kết trong đó phải là "
            'địa chỉ đầy đủ. Đặt [channels.website] base_url = "https://..." (địa chỉ của '
            "trang) trong loa.toml để có.",
            "No base_url set: no RSS, Atom or podcast feed is written, as their links must be "
            'full addresses. Set [channels.website] base_url = "https://..." (the site\'s '
            "address) in loa.toml to get them.",
        ),
    }
)

#: Characters XML 1.0 cannot hold (control characters a pasted or imported text may carry).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def slugify(text: str, limit: int = 60) -> str:
    """ASCII slug of Vietnamese text ("Đăng ký khai sinh" -> "dang-ky-khai-sinh")."""
    text = text.replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-zA-Z0-9]+", "-", text).strip("-").lower()
    return slug[:limit].rstrip("-") or "tin"


def _paragraphs(text: str) -> list[list[str]]:
    """The blank-line separated paragraphs of `text`, each as its lines."""
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text.strip()) if b.strip()]
    return [block.split("\n") for block in blocks]


def _xml(text: str) -> str:
    """`text` without the characters an XML feed cannot carry."""
    return _NOT_XML.sub("", text)


class _AtomLinks:
    """A feedgen extension (feed and entry) that writes an Atom entry's links again with their
    rel, type and length, which feedgen 1.0 leaves out (lkiesow/python-feedgen#135): without it
    a bulletin's MP3 would not be an enclosure in atom.xml. A no-op where nothing is set."""

    def __init__(self) -> None:
        self.links: list[dict[str, str]] = []

    def extend_ns(self) -> dict[str, str]:
        return {}

    def extend_rss(self, element: Any) -> Any:
        return element

    def extend_atom(self, element: Any) -> Any:
        if self.links:
            for old in element.findall("link"):
                element.remove(old)
            for link in self.links:
                element.append(element.makeelement("link", link))
        return element


class WebsiteSettings(SectionSettings):
    """[channels.website]: where the static site is written and the address it is served at.

    `folder` is relative to the station (default media/web); `author` defaults to the station.
    """

    folder: str = ""
    base_url: str = ""
    author: str = ""
    #: The web server's access log (combined format) for hits per page; "" = none.
    access_log: str = ""


class WebsiteChannel(Channel):
    """Writes the static site and feeds; publishing the same key again rewrites, never doubles."""

    name = "website"
    can_lookup = True
    photo_calls = False  # see loa.channels.media.PhotoHost
    settings_model = WebsiteSettings
    insight_offer = (
        "lượt tải và số người xem mỗi trang, mỗi tập podcast (nhật ký truy cập access_log)",
        "hits and visitors of each page and podcast episode (the access_log)",
    )

    def __init__(
        self,
        folder: Path,
        *,
        station_name: str,
        base_url: str = "",
        timezone: str = "Asia/Ho_Chi_Minh",
        author: str = "",
        language: str = "vi",
        root: Path | None = None,
        access_log: Path | None = None,
    ) -> None:
        self.access_log = access_log
        self._hits: dict[str, list[Any]] | None = None
        self.folder = folder
        self.root = root
        self.station_name = station_name
        self.base_url = base_url.rstrip("/")
        self.timezone = timezone
        self.author = author or station_name
        self.language = language

    @classmethod
    def is_configured(cls, station: Station) -> bool:
        channel_settings(station, cls.name, WebsiteSettings)  # a bad [channels.website] is refused
        return True

    @classmethod
    def from_station(
        cls, station: Station, *, http: Any = None, env: Mapping[str, str] | None = None
    ) -> WebsiteChannel:
        settings = channel_settings(station, cls.name, WebsiteSettings)
        folder = Path(settings.folder)
        if not settings.folder:
            folder = station.media_dir / "web"
        elif not folder.is_absolute():
            folder = station.root / folder
        return cls(
            folder,
            station_name=station.name,
            base_url=settings.base_url,
            timezone=station.timezone,
            author=settings.author,
            root=station.root,
            access_log=(station.root / settings.access_log) if settings.access_log else None,
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

    # ---------------------------------------------------------------------------- insights

    def insights(self, published: Published, *, now: datetime) -> InsightAnswer:
        """Hits and distinct visitors of the post's page (or episode's file) since it went
        out, from `[channels.website] access_log`; nothing when no log is named."""
        from zoneinfo import ZoneInfo

        from loa.channels.accesslog import read_log

        answer = InsightAnswer()
        if self.access_log is None:
            answer.note = T("no_log")
            return answer
        if not published.remote_id:
            return answer
        if self._hits is None:
            try:
                self._hits, _bad = read_log(self.access_log)
            except OSError as exc:
                raise PermanentError(
                    T("log_unreadable", path=self.access_log, error=exc.strerror or exc)
                ) from None
        prefix = urlsplit(self.base_url).path.rstrip("/") if self.base_url else ""
        page = f"{prefix}/{published.remote_id.lstrip('/')}"
        since = published.at.replace(tzinfo=ZoneInfo(self.timezone))
        hits = [h for h in self._hits.get(page, []) if h.at >= since]
        source = f"access_log {self.access_log.name} {page}"
        answer.figures.append(Figure("hits", float(len(hits)), source))
        answer.figures.append(Figure("unique_views", float(len({h.host for h in hits})), source))
        return answer

    # ------------------------------------------------------------------------------ photos

    def host_identity(self) -> str | None:
        """The site's public address: photos copied into it can be fetched from there."""
        return self.base_url or None

    def host_photo(self, photo: Photo) -> str:
        """Copy the photo into the site (anh/<hash>.jpg, once) and answer its address."""
        return self.url(self._store_photo(photo))

    def _store_photo(self, photo: Photo) -> str:
        relative = f"{PHOTO_FOLDER}/{photo.filename}"
        target = self.folder / relative
        if not target.is_file():  # named by content: a file there already is this photo
            atomic_write_bytes(target, photo.read())
        return relative

    def _add_post(self, data: dict[str, Any], item: Item, at: datetime) -> str:
        photo = None
        if item.image and not is_address(item.image):
            photo = self._store_photo(local_photo(self.root, item.image))
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
            "photo": photo,
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
        """(Re)write every page, the index and both feeds from the manifest.

        Pages come from the templates in loa/channels/templates, the feeds from feedgen. The
        feeds (RSS with the podcast, Atom) are written only when `base_url` is set: their links
        must be absolute, and the pages then link to them.
        """
        data = self.manifest() if data is None else data
        for post in data["posts"].values():
            atomic_write_text(self.folder / post["path"], self._page(post))
        atomic_write_text(self.folder / "index.html", self._index(data))
        if self.base_url:
            atomic_write_bytes(self.folder / "feed.xml", self._rss(data))
            atomic_write_bytes(self.folder / "atom.xml", self._atom(data))
        else:  # a feed needs absolute links: none rather than one podcast apps cannot follow
            for name in ("feed.xml", "atom.xml"):
                (self.folder / name).unlink(missing_ok=True)
        atomic_write_text(self.folder / "style.css", static("loa.channels", "style.css"))

    def _aware(self, text: str) -> datetime:
        from zoneinfo import ZoneInfo

        return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(self.timezone))

    def _html(self, template: str, *, title: str, depth: int, **context: Any) -> str:
        return render(
            "loa.channels",
            template,
            t=T,
            language=self.language,
            station_name=self.station_name,
            title=title,
            up="../" * depth,
            feeds=bool(self.base_url),
            **context,
        )

    def _page(self, post: dict[str, Any]) -> str:
        image = post.get("image")
        depth = post["path"].count("/")
        if not is_address(image):
            image = "../" * depth + post["photo"] if post.get("photo") else None
        return self._html(
            "page.html.j2",
            title=post["title"],
            depth=depth,
            post={
                "title": post["title"],
                "topic_name": post.get("topic_name"),
                "source_document": post.get("source_document"),
                "link": post.get("link"),
            },
            posted=datetime.fromisoformat(post["published_at"]).strftime("%d/%m/%Y"),
            image=image,
            paragraphs=_paragraphs(post.get("body") or ""),
        )

    def _index(self, data: dict[str, Any]) -> str:
        groups: dict[str, list[dict[str, Any]]] = {}
        for post in sorted(data["posts"].values(), key=lambda p: p["published_at"], reverse=True):
            groups.setdefault(post.get("topic_name") or T("other"), []).append(
                {
                    "title": post["title"],
                    "path": post["path"],
                    "day": datetime.fromisoformat(post["published_at"]).strftime("%d/%m/%Y"),
                }
            )
        episodes = sorted(data["episodes"].values(), key=lambda e: e["aired_at"], reverse=True)
        return self._html(
            "index.html.j2",
            title=self.station_name,
            depth=0,
            episodes=[{"title": ep["title"], "path": ep["path"]} for ep in episodes[:10]],
            topics=[
                {"name": topic, "slug": slugify(topic), "posts": groups[topic]}
                for topic in sorted(groups)
            ],
        )

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

    def _feed(self, data: dict[str, Any], *, atom: bool) -> Any:
        """A feedgen FeedGenerator of the newest posts and bulletins: for RSS 2.0 with the
        iTunes podcast tags (bulletins are episodes with an MP3 enclosure), or for Atom."""
        from feedgen.feed import FeedGenerator

        entries = self._entries(data)
        updated = max((e["updated"] for e in entries), default="2000-01-01T00:00:00")
        description = _xml(T("description", station=self.station_name))
        feed_id = self.url("atom.xml") if self.base_url else f"urn:loa:{slugify(self.station_name)}"
        fg = FeedGenerator()
        fg.generator("loa")
        fg.id(feed_id)
        fg.title(_xml(self.station_name))
        fg.subtitle(description)
        fg.language(self.language)
        fg.updated(self._aware(updated))
        fg.author(name=_xml(self.author))
        fg.link(
            href=self.url("atom.xml" if atom else "feed.xml"),
            rel="self",
            type="application/atom+xml" if atom else "application/rss+xml",
        )
        fg.link(href=self.url("index.html"), rel="alternate")  # the last link is RSS's <link>
        if atom:
            fg.register_extension("loa_links", _AtomLinks, _AtomLinks, atom=True, rss=False)
        else:
            fg.load_extension("podcast")
            fg.podcast.itunes_author(_xml(self.author))
            fg.podcast.itunes_summary(description)
            fg.podcast.itunes_category("Government")
            fg.podcast.itunes_explicit("no")
            fg.podcast.itunes_type("episodic")
        for entry in entries:
            fe = fg.add_entry(order="append")
            if atom:
                fe.id(f"{feed_id}#{entry['id']}")
            else:
                fe.guid(entry["id"], permalink=False)
            fe.title(_xml(entry["title"]))
            fe.link(href=self.url(entry["path"]), rel="alternate")
            fe.published(self._aware(entry["at"]))
            fe.updated(self._aware(entry["updated"]))
            text = _xml(entry["text"])
            if text and atom:
                fe.summary(text)
            elif text:
                fe.description(text)
            if entry.get("topic") and not atom:
                fe.category(term=_xml(entry["topic"]))
            episode = entry.get("episode")
            if episode:
                fe.enclosure(self.url(episode["path"]), str(episode["length"]), "audio/mpeg")
            if atom:
                fe.loa_links.links = [{k: v for k, v in link.items() if v} for link in fe.link()]
            elif episode:
                seconds = int(episode.get("duration_s") or 0)
                fe.podcast.itunes_duration(
                    f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
                )
                fe.podcast.itunes_summary(text)
                fe.podcast.itunes_explicit("no")
                fe.podcast.itunes_episode_type("full")
        return fg

    def _rss(self, data: dict[str, Any]) -> bytes:
        rss: bytes = self._feed(data, atom=False).rss_str(pretty=True, encoding="UTF-8")
        return rss

    def _atom(self, data: dict[str, Any]) -> bytes:
        atom: bytes = self._feed(data, atom=True).atom_str(pretty=True, encoding="UTF-8")
        return atom
