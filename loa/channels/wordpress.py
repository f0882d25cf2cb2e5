"""Optional: publish to a WordPress site through its REST API with an application password.

`[channels.wordpress] url, user`; the application password comes from LOA_WORDPRESS_PASSWORD or
the keyring (service "loa", user "wordpress:<user>"). Each post's slug is derived from its
idempotency key, so a lookup by slug finds a post made before a crash.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from html import unescape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import Field, field_validator

from loa.channels.base import (
    Channel,
    ChannelError,
    CheckResult,
    Item,
    PermanentError,
    Receipt,
    TransientError,
    not_configured,
    redact,
)
from loa.channels.media import Photo, is_address, local_photo
from loa.channels.settings import channel_settings
from loa.core.i18n import Catalog
from loa.core.settings import Integer, Number, SectionSettings
from loa.core.templates import render

if TYPE_CHECKING:
    from loa.core.station import Station

PASSWORD_ENV = "LOA_WORDPRESS_PASSWORD"

T = Catalog(
    {
        "no_url": (
            'thiếu url và user trong [channels.wordpress] (ví dụ url = "https://xa.gov.vn", '
            'user = "bientap").',
            "url and user are missing from [channels.wordpress] (for example "
            'url = "https://xa.gov.vn", user = "editor").',
        ),
        "no_password": (
            "Chưa có mật khẩu ứng dụng WordPress: đặt biến môi trường LOA_WORDPRESS_PASSWORD "
            'hoặc lưu vào keyring (dịch vụ "loa", tên "wordpress:{user}").',
            "No WordPress application password: set LOA_WORDPRESS_PASSWORD or store it in the "
            'keyring (service "loa", user "wordpress:{user}").',
        ),
        "auth": (
            "WordPress từ chối đăng nhập (HTTP {status}): kiểm tra user và mật khẩu ứng dụng "
            "(Hồ sơ > Mật khẩu ứng dụng) và quyền đăng bài của tài khoản.",
            "WordPress refused the login (HTTP {status}): check the user and application "
            "password (Profile > Application Passwords) and the account's right to publish.",
        ),
        "bad": (
            "WordPress từ chối bài (HTTP {status}): {detail}",
            "WordPress refused the post (HTTP {status}): {detail}",
        ),
        "server": (
            "Máy chủ WordPress lỗi tạm thời (HTTP {status}).",
            "The WordPress server failed temporarily (HTTP {status}).",
        ),
        "rate": (
            "WordPress đang giới hạn số lần gọi (HTTP 429).",
            "WordPress is rate-limiting calls (HTTP 429).",
        ),
        "network": (
            "Không kết nối được tới WordPress {url}: {error}",
            "Cannot reach WordPress at {url}: {error}",
        ),
        "timeout": (
            "WordPress {url} không trả lời trong {seconds} giây.",
            "WordPress at {url} did not answer within {seconds} s.",
        ),
        "deadline": (
            "WordPress {url} trả lời quá chậm: chưa xong sau {seconds} giây; đã ngắt.",
            "WordPress at {url} did not finish answering within {seconds} s; the call was cut off.",
        ),
        "dropped": (
            "Kết nối tới WordPress {url} bị đóng trước khi có câu trả lời ({error}).",
            "The connection to WordPress at {url} was closed before the answer came ({error}).",
        ),
        "too_large": (
            "Câu trả lời của WordPress {url} dài bất thường ({error}); đã ngắt.",
            "The answer of WordPress at {url} is unusually long ({error}); the call was cut off.",
        ),
        "bad_answer": (
            "WordPress trả lời không đúng định dạng (HTTP {status}).",
            "WordPress answered in an unexpected format (HTTP {status}).",
        ),
        "ok": (
            "Đăng nhập WordPress được với tài khoản {name}.",
            "Logged in to WordPress as {name}.",
        ),
    }
)


#: How far the site's clock may be behind ours when a post made since an attempt is looked for.
SINCE_SLACK = timedelta(minutes=5)
#: What WordPress's wptexturize turns quotes and dashes into, back to what was sent.
_TEXTURIZED = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"}
)


def _comparable(title: str) -> str:
    """A title with WordPress's typographic quotes and dashes undone and spaces collapsed."""
    return " ".join(title.translate(_TEXTURIZED).split())


def _gmt(value: Any) -> datetime | None:
    from datetime import UTC

    try:
        return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)
    except (TypeError, ValueError):
        return None


def slug_for(key: str) -> str:
    return "loa-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


class WordPressSettings(SectionSettings):
    """[channels.wordpress]: the site, the editor account and the category posts go in. The
    application password is never here: it comes from LOA_WORDPRESS_PASSWORD or the keyring."""

    url: str = ""
    user: str = ""
    category: Integer | None = Field(default=None, ge=1)
    timeout_s: Number = Field(default=30.0, gt=0, le=600)
    #: The most one call may take, connect and every read together.
    deadline_s: Number = Field(default=120.0, gt=0, le=3600)
    #: How late the site's post list may show a fresh post (caching plugins).
    feed_lag_s: Number = Field(default=60.0, ge=0, le=86400)

    @field_validator("url", "user")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()


class WordPressChannel(Channel):
    name = "wordpress"
    can_lookup = True
    photo_calls = True  # see loa.channels.media.PhotoHost
    settings_model = WordPressSettings

    def __init__(
        self,
        url: str,
        user: str,
        password: str | None,
        *,
        http: Any = None,
        timeout: float = 30.0,
        category: int | None = None,
        deadline: float = 120.0,
        feed_lag: float = 60.0,
        root: Path | None = None,
        timezone: str = "Asia/Ho_Chi_Minh",
    ) -> None:
        self.url = url.rstrip("/")
        self.root = root
        self.timezone = timezone
        self.user = user
        self.password = password
        self.category = category
        self._own = http is None
        self._http = http
        self._timeout = timeout
        self._deadline = max(deadline, timeout)
        self.settle_s = self._deadline + feed_lag

    @classmethod
    def is_configured(cls, station: Station) -> bool:
        return bool(channel_settings(station, cls.name, WordPressSettings).url)

    @classmethod
    def from_station(
        cls, station: Station, *, http: Any = None, env: Mapping[str, str] | None = None
    ) -> WordPressChannel:
        settings = channel_settings(station, cls.name, WordPressSettings)
        url, user = settings.url, settings.user
        if not url or not user:
            raise not_configured(cls.name, T("no_url"))
        env = os.environ if env is None else env
        password = env.get(PASSWORD_ENV) or None
        if password is None:
            try:
                import keyring

                password = keyring.get_password("loa", f"wordpress:{user}")
            except Exception:
                password = None
        return cls(
            url,
            user,
            password,
            http=http,
            timeout=settings.timeout_s,
            category=settings.category,
            deadline=settings.deadline_s,
            feed_lag=settings.feed_lag_s,
            root=station.root,
            timezone=station.timezone,
        )

    @property
    def http(self) -> Any:
        from loa.channels.http import new_client

        if self._http is None:
            self._http = new_client(self._timeout)
        return self._http

    def close(self) -> None:
        if self._own and self._http is not None:
            self._http.close()
            self._http = None

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        from loa.channels.http import CallFailed, request

        if not self.password:
            raise PermanentError(T("no_password", user=self.user))
        url = f"{self.url}/wp-json/wp/v2/{path}"
        writes = method != "GET"
        try:
            response = request(
                self.http,
                method,
                url,
                deadline_s=self._deadline,
                auth=(self.user, self.password),
                **kwargs,
            )
        except CallFailed as exc:
            if exc.kind == "connect":
                text = T("network", url=self.url, error=exc.detail)
            elif exc.kind in ("timeout", "deadline"):
                seconds = self._timeout if exc.kind == "timeout" else self._deadline
                text = T(exc.kind, url=self.url, seconds=f"{seconds:g}")
            else:
                text = T(exc.kind, url=self.url, error=exc.detail)
            raise TransientError(self._clean(text), ambiguous=writes and exc.ambiguous) from None
        status = response.status_code
        if status in (401, 403):
            raise PermanentError(T("auth", status=status))
        if status == 429:
            retry_after = response.headers.get("retry-after", "")
            raise TransientError(
                T("rate"),
                rate_limited=True,
                retry_after_s=float(retry_after) if retry_after.isdigit() else None,
            )
        if status >= 500:
            # WordPress's own JSON error says the post was not saved; an HTML page from a
            # proxy or a crash after the insert leaves a write in doubt.
            try:
                reported = isinstance(response.json(), dict) and "code" in response.json()
            except ValueError:
                reported = False
            raise TransientError(T("server", status=status), ambiguous=writes and not reported)
        if status >= 400:
            try:
                detail = str(response.json().get("message", ""))
            except (ValueError, AttributeError):
                detail = response.text[:200]
            raise PermanentError(self._clean(T("bad", status=status, detail=detail)))
        try:
            return response.json()
        except ValueError:
            raise TransientError(T("bad_answer", status=status), ambiguous=writes) from None

    def _clean(self, text: str) -> str:
        return redact(text, [self.password])

    def publish(self, item: Item, *, now: datetime) -> Receipt:
        body = render(
            "loa.channels",
            "wordpress_post.html.j2",
            lines=(item.extra.get("body") or item.text).split("\n"),
            link=item.link,
        )
        post: dict[str, Any] = {
            "title": item.title,
            "content": body,
            "status": "publish",
            "slug": slug_for(item.key),
        }
        if item.due_at is not None and item.due_at > now + timedelta(minutes=1):
            post.update(status="future", date=item.due_at.isoformat(timespec="seconds"))
        if self.category:
            post["categories"] = [self.category]
        if item.image and not is_address(item.image):
            post["featured_media"] = self._media(local_photo(self.root, item.image))["id"]
        answer = self._call("POST", "posts", json=post)
        return Receipt(
            remote_id=str(answer["id"]),
            url=answer.get("link"),
            published_at=item.due_at if post["status"] == "future" else now,
            scheduled=post["status"] == "future",
        )

    # ------------------------------------------------------------------------------ photos

    def host_identity(self) -> str | None:
        """The site: its media library gives every uploaded photo a public address."""
        return self.url

    def host_photo(self, photo: Photo) -> str:
        return str(self._media(photo)["source_url"])

    def _media(self, photo: Photo) -> dict[str, Any]:
        """The media-library entry of `photo`: found by its slug (the content hash, so a photo
        uploaded before a crash or by another machine is found), else uploaded once."""
        for media in self._call("GET", "media", params={"slug": photo.stem}):
            if media.get("slug") == photo.stem and media.get("source_url"):
                return dict(media)
        answer = self._call(
            "POST",
            "media",
            content=photo.read(),
            headers={
                "Content-Type": photo.mime,
                "Content-Disposition": f'attachment; filename="{photo.filename}"',
            },
        )
        if not isinstance(answer, dict) or not answer.get("id") or not answer.get("source_url"):
            raise TransientError(T("bad_answer", status=201))
        return answer

    def find(self, item: Item, *, since: datetime) -> Receipt | None:
        """Our post for `item`: by its slug (WordPress adds "-2" when a slug is taken, e.g. by
        a trashed post), else by its title among posts made since the attempt that carry no
        other message's slug. A post with the same title from another message is never ours."""
        for params in (
            {"slug": slug_for(item.key), "status": "publish,future,draft,pending"},
            {"search": item.title, "status": "publish,future,draft,pending", "per_page": 20},
        ):
            for post in self._call("GET", "posts", params=params):
                if self._ours(post, item, since):
                    return Receipt(
                        remote_id=str(post["id"]),
                        url=post.get("link"),
                        scheduled=post.get("status") == "future",
                    )
        return None

    def _ours(self, post: dict[str, Any], item: Item, since: datetime) -> bool:
        slug, mine = str(post.get("slug") or ""), slug_for(item.key)
        if slug == mine or re.fullmatch(re.escape(mine) + r"-\d+", slug):
            return True
        if slug.startswith("loa-"):  # made by loa for another message
            return False
        title = (post.get("title") or {}).get("rendered", "")
        if _comparable(unescape(title)) != _comparable(item.title):
            return False
        made = _gmt(post.get("date_gmt"))
        if made is None:
            return True
        from zoneinfo import ZoneInfo

        start = since.replace(tzinfo=ZoneInfo(self.timezone)) if since.tzinfo is None else since
        return made >= start - SINCE_SLACK

    def credential_alerts(self) -> list[str]:
        """No application password (one WordPress refused shows as a failed post)."""
        return [] if self.password else [T("no_password", user=self.user)]

    def check(self) -> list[CheckResult]:
        try:
            me = self._call("GET", "users/me")
        except ChannelError as exc:
            return [CheckResult(self.name, False, str(exc))]
        return [CheckResult(self.name, True, T("ok", name=me.get("name", self.user)))]
