"""The Facebook Page channel, built on the Graph API client in `loa.channels.graph_api`.

The page access token comes only from the environment (LOA_FACEBOOK_TOKEN) or the system
keyring (service "loa", user "facebook:<page_id>" or "facebook"); it is sent in the
Authorization header and scrubbed from every error text and log line.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import Field, field_validator

from loa.channels.base import (
    Channel,
    ChannelError,
    CheckResult,
    Figure,
    InsightAnswer,
    Item,
    PermanentError,
    Published,
    Receipt,
    has_any_marker,
    has_marker,
    marker,
    not_configured,
    strip_markers,
)
from loa.channels.graph_api import (
    DEFAULT_GRAPH_URL,
    DEFAULT_VERSION,
    KEYRING_SERVICE,
    SCHEDULE_MAX,
    SCHEDULE_MIN,
    TOKEN_ENV,
    GraphClient,
    find_token,
    usage_wait,
)
from loa.channels.media import local_photo
from loa.channels.settings import channel_settings
from loa.core.i18n import Catalog
from loa.core.settings import Flag, Number, SectionSettings

if TYPE_CHECKING:
    from loa.core.station import Station

__all__ = [
    "KEYRING_SERVICE",
    "TOKEN_ENV",
    "FacebookChannel",
    "FacebookSettings",
    "GraphClient",
    "find_token",
    "usage_wait",
]

T = Catalog(
    {
        "no_page": (
            "thiếu page_id trong mục [channels.facebook] của loa.toml. Lấy mã Trang ở phần "
            'Giới thiệu của Trang Facebook rồi ghi: page_id = "123456789012345".',
            "page_id is missing from [channels.facebook] in loa.toml. Find the Page ID in the "
            'Page\'s About section and write: page_id = "123456789012345".',
        ),
        "no_token": (
            "Chưa có mã truy cập (token) của Trang Facebook. Đặt biến môi trường "
            'LOA_FACEBOOK_TOKEN hoặc lưu vào keyring của máy (dịch vụ "loa", tên '
            '"facebook:{page}"); không ghi token vào loa.toml.',
            "No Facebook Page access token. Set the LOA_FACEBOOK_TOKEN environment variable or "
            'store it in the system keyring (service "loa", user "facebook:{page}"); never '
            "put the token in loa.toml.",
        ),
        "bad_answer": (
            "Facebook trả lời không đúng định dạng (HTTP {status}).",
            "Facebook answered in an unexpected format (HTTP {status}).",
        ),
        "no_media": (
            "Không tìm thấy tệp {path} để đăng lên Facebook.",
            "File {path} to post to Facebook was not found.",
        ),
        "check_token_ok": (
            "Token hợp lệ cho Trang {name} ({page}).",
            "Token is valid for Page {name} ({page}).",
        ),
        "check_wrong_page": (
            "Token thuộc về {got}, không phải Trang {page}. Dùng token của đúng Trang.",
            "The token belongs to {got}, not Page {page}. Use that Page's token.",
        ),
        "check_scopes": (
            "Token thiếu quyền: {missing}. Cấp thêm quyền rồi tạo lại token.",
            "The token lacks permissions: {missing}. Grant them and create the token again.",
        ),
        "insights_new": (
            "Facebook chưa có số liệu cho bài này (bài mới đăng).",
            "Facebook has no figures for this post yet (a fresh post).",
        ),
        "insights_none": (
            "Không có mã bài trên Facebook: không hỏi được số liệu.",
            "No Facebook post id: no figures can be asked for.",
        ),
        "check_scopes_ok": (
            "Token có quyền đăng bài ({scopes}).",
            "The token may post ({scopes}).",
        ),
    }
)

NEEDED_SCOPES = ("pages_manage_posts",)

#: Post insights asked for, per figure, under the names of the Graph versions in use, newest
#: first. Meta retired post_impressions / post_impressions_unique (2025) for post_media_view /
#: post_total_media_view_unique; an invalid name fails the whole request (#100), so the
#: current set is asked first, then each name alone, then the older name.
POST_METRICS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("views", ("post_media_view", "post_impressions")),
    ("unique_views", ("post_total_media_view_unique", "post_impressions_unique")),
)
INVALID_METRIC = 100


def _replace(item: Item, **changes: Any) -> Item:
    from dataclasses import replace

    return replace(item, **changes)


def _parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            return None


class FacebookSettings(SectionSettings):
    """[channels.facebook]: the Page and how to reach the Graph API. The page token is never
    here: it comes from LOA_FACEBOOK_TOKEN or the system keyring."""

    page_id: str = ""
    graph_url: str = DEFAULT_GRAPH_URL
    api_version: str = DEFAULT_VERSION
    scheduled_publishing: Flag = False
    timeout_s: Number = Field(default=30.0, gt=0, le=600)
    #: The most one call may take, connect and every read together.
    deadline_s: Number = Field(default=120.0, gt=0, le=3600)
    #: How late the Page's feed may show a fresh post.
    feed_lag_s: Number = Field(default=120.0, ge=0, le=86400)

    @field_validator("page_id")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()


class FacebookChannel(Channel):
    """Posts to a Facebook Page: text, link, photo with caption, video (a bulletin card)."""

    name = "facebook"
    can_lookup = True
    settings_model = FacebookSettings
    insight_offer = (
        "lượt xem và người xem của từng bài (Graph insights)",
        "views and unique viewers of each post (Graph insights)",
    )

    def __init__(
        self,
        page_id: str,
        token: str | None,
        *,
        graph_url: str = DEFAULT_GRAPH_URL,
        api_version: str = DEFAULT_VERSION,
        scheduled_publishing: bool = False,
        timezone: str = "Asia/Ho_Chi_Minh",
        http: Any = None,
        timeout: float = 30.0,
        deadline: float = 120.0,
        feed_lag: float = 120.0,
        root: Path | None = None,
    ) -> None:
        self.page_id = page_id
        self.root = root
        self.token = token
        self.graph_url = graph_url
        self.api_version = api_version
        self.scheduled_publishing = scheduled_publishing
        self.timezone = timezone
        self._http = http
        self._timeout = timeout
        self._deadline = max(deadline, timeout)
        self.settle_s = self._deadline + feed_lag
        self._client: GraphClient | None = None

    @classmethod
    def is_configured(cls, station: Station) -> bool:
        return bool(channel_settings(station, cls.name, FacebookSettings).page_id)

    @classmethod
    def from_station(
        cls, station: Station, *, http: Any = None, env: Mapping[str, str] | None = None
    ) -> FacebookChannel:
        settings = channel_settings(station, cls.name, FacebookSettings)
        if not settings.page_id:
            raise not_configured(cls.name, T("no_page"))
        return cls(
            settings.page_id,
            find_token(settings.page_id, env),
            graph_url=settings.graph_url,
            api_version=settings.api_version,
            scheduled_publishing=settings.scheduled_publishing,
            timezone=station.timezone,
            http=http,
            timeout=settings.timeout_s,
            deadline=settings.deadline_s,
            feed_lag=settings.feed_lag_s,
            root=station.root,
        )

    @property
    def client(self) -> GraphClient:
        if self._client is None:
            if not self.token:
                raise PermanentError(T("no_token", page=self.page_id))
            self._client = GraphClient(
                self.graph_url,
                self.api_version,
                self.token,
                http=self._http,
                timeout=self._timeout,
                deadline=self._deadline,
            )
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def schedule_time(self, item: Item, now: datetime) -> int | None:
        """Unix time for Facebook's own scheduled publishing, or None to post at once."""
        from zoneinfo import ZoneInfo

        if not self.scheduled_publishing or item.due_at is None:
            return None
        ahead = item.due_at - now
        if not (SCHEDULE_MIN < ahead < SCHEDULE_MAX):
            return None
        return int(item.due_at.replace(tzinfo=ZoneInfo(self.timezone)).timestamp())

    def publish(self, item: Item, *, now: datetime) -> Receipt:
        text = f"{item.text}{marker(item.key)}"
        when = self.schedule_time(item, now)
        data: dict[str, Any] = {}
        if when is not None:
            data.update(published="false", scheduled_publish_time=str(when))
        page = self.page_id
        if item.kind == "bulletin" and item.media is not None:
            import tempfile

            from loa.channels.bulletin import make_video

            with tempfile.TemporaryDirectory(prefix="loa-video-") as folder:
                video = make_video(
                    item.media,
                    Path(folder) / "bulletin.mp4",
                    station=str(item.extra.get("station", "")),
                    title=item.title,
                )
                return self.publish(_replace(item, kind="video", media=video), now=now)
        if item.kind == "video" and item.media is not None:
            data.update(description=text, title=item.title)
            with _open(item.media) as fh:
                answer = self.client.call(
                    "POST",
                    f"{page}/videos",
                    data=data,
                    files={"source": (item.media.name, fh, "video/mp4")},
                )
        elif item.kind == "photo" and item.image:
            data["caption"] = text
            if item.image.startswith(("http://", "https://")):
                data["url"] = item.image
                answer = self.client.call("POST", f"{page}/photos", data=data)
            else:  # a file in the station folder (or an absolute path)
                photo = local_photo(self.root, item.image)
                answer = self.client.call(
                    "POST",
                    f"{page}/photos",
                    data=data,
                    files={"source": (photo.path.name, photo.read(), photo.mime)},
                )
        else:
            data["message"] = text
            if item.link:
                data["link"] = item.link
            answer = self.client.call("POST", f"{page}/feed", data=data)
        remote_id = str(answer.get("post_id") or answer.get("id") or "")
        if not remote_id:
            raise PermanentError(T("bad_answer", status=200))
        return Receipt(
            remote_id=remote_id,
            url=f"https://www.facebook.com/{remote_id}",
            published_at=item.due_at if when is not None else now,
            scheduled=when is not None,
        )

    def find(self, item: Item, *, since: datetime) -> Receipt | None:
        """Look through the page's recent, scheduled and video posts for this item's key
        (the invisible marker), else for the same text posted since `since`."""
        from zoneinfo import ZoneInfo

        tz = ZoneInfo(self.timezone)
        edges = [("feed", "message"), ("scheduled_posts", "message")]
        if item.kind in ("video", "bulletin"):
            edges = [("videos", "description")]
        text = strip_markers(item.text).strip()
        for edge, field in edges:
            try:
                answer = self.client.call(
                    "GET",
                    f"{self.page_id}/{edge}",
                    params={
                        "fields": f"id,{field},created_time,scheduled_publish_time",
                        "limit": "50",
                    },
                )
            except PermanentError:
                if edge == "scheduled_posts":
                    continue
                raise
            for post in answer.get("data", []):
                body = post.get(field) or ""
                created = _parse_time(post.get("created_time"))
                local = created.astimezone(tz).replace(tzinfo=None) if created else None
                # the same text is ours only when the post carries no marker: a post with
                # another key's marker is another plan entry's (the same message, posted twice)
                mine = has_marker(body, item.key) or (
                    not has_any_marker(body)
                    and strip_markers(body).strip() == text
                    and local is not None
                    and local >= since - timedelta(minutes=2)
                )
                if mine:
                    remote_id = str(post["id"])
                    return Receipt(
                        remote_id=remote_id,
                        url=f"https://www.facebook.com/{remote_id}",
                        published_at=local,
                        scheduled=edge == "scheduled_posts",
                    )
        return None

    def insights(self, published: Published, *, now: datetime) -> InsightAnswer:
        """Views and unique views of the post from GET /{post-id}/insights, asked per metric
        set (POST_METRICS) with a fallback to the older names; the names Graph refused are in
        `unavailable`. A fresh post answers no data: no figures, and a note saying so."""
        answer = InsightAnswer()
        if not published.remote_id:
            answer.note = T("insights_none")
            return answer
        post = published.remote_id
        got = self._insights(post, [names[0] for _, names in POST_METRICS])
        if got is None:  # one retired name fails the whole set: ask each alone, then older
            got = {}
            for _, names in POST_METRICS:
                for name in names:
                    one = self._insights(post, [name])
                    if one is None:
                        answer.unavailable.append(name)
                        continue
                    got.update(one)
                    break
        for figure, names in POST_METRICS:
            for name in names:
                if name in got:
                    answer.figures.append(
                        Figure(figure, got[name], f"graph {self.api_version} {name}")
                    )
                    break
        if not answer.figures and not answer.unavailable:
            answer.note = T("insights_new")
        return answer

    def _insights(self, post: str, metrics: list[str]) -> dict[str, float] | None:
        """name -> lifetime value of `metrics` for `post`; None when Graph says one of them
        is not a valid insights metric (#100)."""
        try:
            body = self.client.call(
                "GET",
                f"{post}/insights",
                params={"metric": ",".join(metrics), "period": "lifetime"},
            )
        except PermanentError as exc:
            if exc.code == INVALID_METRIC:
                return None
            raise
        out: dict[str, float] = {}
        for row in body.get("data") or []:
            if not isinstance(row, dict) or row.get("name") not in metrics:
                continue
            values = row.get("values") or []
            value = values[-1].get("value") if values and isinstance(values[-1], dict) else None
            if isinstance(value, dict):  # a breakdown (paid / organic...): its total
                value = sum(v for v in value.values() if isinstance(v, int | float))
            if isinstance(value, int | float):
                out[str(row["name"])] = float(value)
        return out

    def credential_alerts(self) -> list[str]:
        """No Page token (a token Facebook refused shows as a failed post in the outbox)."""
        return [] if self.token else [T("no_token", page=self.page_id)]

    def check(self) -> list[CheckResult]:
        if not self.token:
            return [CheckResult(self.name, False, T("no_token", page=self.page_id))]
        results: list[CheckResult] = []
        try:
            me = self.client.call("GET", "me", params={"fields": "id,name"})
            if str(me.get("id")) != self.page_id:
                results.append(
                    CheckResult(
                        self.name,
                        False,
                        T(
                            "check_wrong_page",
                            got=f"{me.get('name', '')} ({me.get('id')})",
                            page=self.page_id,
                        ),
                    )
                )
                return results
            results.append(
                CheckResult(
                    self.name, True, T("check_token_ok", name=me.get("name", ""), page=self.page_id)
                )
            )
            info = self.client.call("GET", "debug_token", params={"input_token": self.token})
            scopes = list((info.get("data") or {}).get("scopes") or [])
            missing = [s for s in NEEDED_SCOPES if s not in scopes]
            if missing:
                results.append(
                    CheckResult(self.name, False, T("check_scopes", missing=", ".join(missing)))
                )
            else:
                results.append(
                    CheckResult(self.name, True, T("check_scopes_ok", scopes=", ".join(scopes)))
                )
        except ChannelError as exc:
            results.append(CheckResult(self.name, False, str(exc)))
        return results


class _open:
    """Open a media file for upload, with a clear error when it is missing."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fh: Any = None

    def __enter__(self) -> Any:
        try:
            self.fh = self.path.open("rb")
        except OSError:
            raise PermanentError(T("no_media", path=self.path)) from None
        return self.fh

    def __exit__(self, *exc: object) -> None:
        self.fh.close()
