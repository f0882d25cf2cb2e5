"""The Zalo Official Account channel: posts a message as an article and broadcasts it to
followers, with `[channels.zalo]` (ZaloSettings) and `loa channels zalo login`.

Wire format (the official PHP/Java SDKs are the reference): an article is
`POST /v2.0/article/create` (answers a token) then `POST /v2.0/article/verify` with that token
(answers the article id); `GET /v2.0/article/getslice` and `/getdetail` look one up. A broadcast
is `POST /v2.0/oa/message` with `recipient.target` and a media template holding the article;
`POST /v2.0/oa/quota/message` is checked first. The HTTP client and its error mapping are in
`loa.channels.zalo_api`, the tokens (OAuth v4 rotation, PKCE, the secret store) in
`loa.channels.zalo_tokens`, the settings in `loa.channels.zalo_settings`, logging in in
`loa.channels.zalo_login` and its commands in `loa.channels.zalo_commands`.
"""

from __future__ import annotations

import html
import math
import os
from collections.abc import Collection, Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from loa.channels.base import (
    BroadcastAllowance,
    Channel,
    ChannelError,
    CheckResult,
    Figure,
    InsightAnswer,
    Item,
    PermanentError,
    Published,
    Receipt,
    TransientError,
    has_marker,
    marker,
    not_configured,
    strip_markers,
)
from loa.channels.media import hosted_url, is_address, local_photo, photo_host
from loa.channels.settings import channel_settings
from loa.channels.zalo_api import T as API
from loa.channels.zalo_api import ZaloClient, as_int
from loa.channels.zalo_settings import ZaloSettings, ZaloTarget
from loa.channels.zalo_tokens import (
    PKCE_FILE,
    REFRESH_ENV,
    REFRESH_WARN,
    SECRETS_FILE,
    FileStore,
    KeyringStore,
    SecretStore,
    TokenPair,
    Tokens,
    code_challenge,
    find_app_secret,
    parse_code,
    rotation_store,
    secret_store,
)
from loa.core.i18n import Catalog

if TYPE_CHECKING:
    from loa.core.station import Station

__all__ = [
    "PKCE_FILE",
    "SECRETS_FILE",
    "FileStore",
    "KeyringStore",
    "SecretStore",
    "TokenPair",
    "Tokens",
    "ZaloChannel",
    "ZaloClient",
    "ZaloSettings",
    "ZaloTarget",
    "code_challenge",
    "parse_code",
]

#: The suffix of a broadcast's outbox key: "<article key>:broadcast".
BROADCAST_SUFFIX = ":broadcast"

T = Catalog(
    {
        "insights_broadcast": (
            "Lượt gửi Zalo (broadcast) không có số liệu riêng: xem số liệu của bài viết.",
            "A Zalo broadcast has no figures of its own: see its article's.",
        ),
        "insights_none": (
            "Không có mã bài viết Zalo: không hỏi được số liệu.",
            "No Zalo article id: no figures can be asked for.",
        ),
        "insights_new": (
            "Zalo chưa có số liệu cho bài viết này (bài mới đăng).",
            "Zalo has no figures for this article yet (a fresh article).",
        ),
        "no_oa": (
            "thiếu oa_id hoặc app_id trong mục [channels.zalo] của loa.toml. Lấy mã OA và mã ứng "
            'dụng ở developers.zalo.me rồi ghi: oa_id = "..." và app_id = "...".',
            "oa_id or app_id is missing from [channels.zalo] in loa.toml. Find the OA id and the "
            'app id at developers.zalo.me and write: oa_id = "..." and app_id = "...".',
        ),
        "no_cover": (
            'Bài viết Zalo cần ảnh bìa. Ghi cover_url = "https://..." trong [channels.zalo] '
            "hoặc gắn ảnh (địa chỉ https) cho tin.",
            'A Zalo article needs a cover image. Write cover_url = "https://..." in '
            "[channels.zalo] or give the message an (https) image.",
        ),
        "after_create": (
            "Đã tạo bài viết nhưng chưa lấy được mã bài ({error}); sẽ tra lại trước khi đăng tiếp.",
            "The article was created but its id could not be read ({error}); it is looked up "
            "before anything is posted again.",
        ),
        "no_broadcast_lookup": (
            "Zalo không cho tra cứu tin đã gửi tới người quan tâm; không biết tin đã đi chưa.",
            "Zalo cannot be searched for broadcasts; whether it went out is unknown.",
        ),
        "no_article": (
            "Không tìm thấy bài viết Zalo để gửi tới người quan tâm; đăng bài trước.",
            "The Zalo article to broadcast was not found; publish the article first.",
        ),
        "quota_empty": (
            "Đã hết lượt gửi tin tới người quan tâm (còn {remain}/{total}). Tin chỉ đăng thành bài "
            "viết; đợi kỳ hạn mức mới hoặc nâng gói OA.",
            "No broadcasts left (remaining {remain}/{total}). The message is posted as an "
            "article only; wait for the next quota period or upgrade the OA package.",
        ),
        "out_of_hours": (
            "Không gửi tới người quan tâm lúc {time}: Zalo chỉ cho gửi từ {start:02d}:00 đến {end:02d}:00.",
            "Not broadcast at {time}: Zalo allows broadcasts only from {start:02d}:00 to {end:02d}:00.",
        ),
        "over_budget": (
            "Không gửi tới người quan tâm: đã gửi {sent}/{limit} lần trong tháng {month} "
            "(broadcasts_per_month trong [channels.zalo]); tin chỉ đăng thành bài viết.",
            "Not broadcast: {sent} of {limit} broadcasts already sent in {month} "
            "(broadcasts_per_month in [channels.zalo]); the message is posted as an article only.",
        ),
        "broadcast_sent": ("Đã gửi tới người quan tâm.", "Broadcast to followers."),
        "broadcast_failed": (
            "Bài đã đăng; chưa gửi tới người quan tâm: {error}",
            "The article is posted; not broadcast: {error}",
        ),
        "check_oa": (
            "OA {name} ({oa}), {followers} người quan tâm.",
            "OA {name} ({oa}), {followers} followers.",
        ),
        "check_wrong_oa": (
            "Token thuộc OA {got}, không phải {oa}. Đăng nhập bằng refresh token của đúng OA.",
            "The token belongs to OA {got}, not {oa}. Log in with that OA's refresh token.",
        ),
        "check_expiry": (
            "Mã truy cập còn hạn đến {when} (tự làm mới trước khi hết).",
            "The access token is valid until {when} (refreshed before it runs out).",
        ),
        "refresh_lapsed": (
            "Mã làm mới (refresh token) đã hết hạn ngày {day}: loa không đăng lên "
            "Zalo được nữa. Đăng nhập lại: loa channels zalo login --url",
            "The refresh token lapsed on {day}: loa can no longer post to Zalo. Log in "
            "again: loa channels zalo login --url",
        ),
        "refresh_lapsing": (
            "Mã làm mới (refresh token) hết hạn ngày {day} (còn {days} ngày). Mỗi lần "
            "loa gọi Zalo nó được gia hạn: chạy loa channels check, hoặc đăng nhập lại.",
            "The refresh token lapses on {day} ({days} days left). Each call loa makes "
            "to Zalo renews it: run loa channels check, or log in again.",
        ),
        "check_quota": (
            "Hạn mức gửi tới người quan tâm: còn {remain}/{total}.",
            "Broadcast quota: {remain} of {total} left.",
        ),
        "check_no_cover": (
            "Chưa có ảnh bìa mặc định (cover_url); tin không có ảnh sẽ không đăng được.",
            "No default cover image (cover_url); messages without a photo cannot be posted.",
        ),
        "no_photo_host": (
            "Ảnh {path} của tin là tệp trên máy, mà Zalo chỉ nhận ảnh bìa qua một địa chỉ trên "
            "mạng, và đài chưa có nơi đưa ảnh lên. Cấu hình [channels.wordpress], hoặc đặt "
            '[channels.website] base_url, hoặc ghi cover_url = "https://..." trong '
            "[channels.zalo], rồi gửi lại.",
            "The message's photo {path} is a file on this machine; Zalo takes a cover only as "
            "an address on the web, and the station has nowhere to put the photo. Set up "
            "[channels.wordpress], or [channels.website] base_url, or write "
            'cover_url = "https://..." in [channels.zalo], then send again.',
        ),
        "check_photo_host": (
            "Ảnh trên máy của tin được đưa lên {host} ({where}) để làm ảnh bìa.",
            "Photo files of messages are put on {host} ({where}) for the cover.",
        ),
        "check_no_photo_host": (
            "Không có nơi đưa ảnh trên máy lên mạng (WordPress, hoặc website có base_url): "
            "tin có ảnh trên máy dùng ảnh bìa mặc định.",
            "Nowhere to put photo files on the web (WordPress, or a website with a base_url): "
            "messages with a photo file take the default cover.",
        ),
    }
)


# ----------------------------------------------------------------------------------- channel


def article_body(text: str, key: str) -> list[dict[str, str]]:
    """The article's body blocks: one text block per paragraph (HTML-escaped), the last one
    carrying the key's invisible marker."""
    paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    if not paragraphs:
        paragraphs = [""]
    blocks = [{"type": "text", "content": html.escape(p).replace("\n", "<br>")} for p in paragraphs]
    blocks[-1]["content"] += marker(key)
    return blocks


def _article_text(item: Item) -> str:
    body = item.extra.get("body")
    return str(body) if body else strip_markers(item.text)


def _description(text: str) -> str:
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return first[:300]


def _from_millis(value: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value) / 1000, UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def broadcasts_sent(
    station: Station, months: Collection[tuple[int, int]]
) -> dict[tuple[int, int], int]:
    """How many Zalo broadcasts were published in each (year, month) of `months`."""
    from sqlalchemy import select

    from loa.channels.models import Publication, PublicationStatus

    wanted = set(months)
    out = dict.fromkeys(sorted(wanted), 0)
    if not wanted:
        return out
    with station.transaction() as session:
        for done, due in session.execute(
            select(Publication.completed_at, Publication.due_at).where(
                Publication.channel == ZaloChannel.name,
                Publication.key.like(f"%{BROADCAST_SUFFIX}"),
                Publication.status == PublicationStatus.PUBLISHED,
            )
        ):
            when = done or due
            if when is not None and (when.year, when.month) in wanted:
                out[(when.year, when.month)] += 1
    return out


class ZaloChannel(Channel):
    """Posts a message to the commune's Zalo OA as an article, and broadcasts the article to
    followers when the message's priority says so (at most once, inside Zalo's hours)."""

    name = "zalo"
    can_lookup = True
    settings_model = ZaloSettings
    insight_offer = (
        "lượt xem và lượt chia sẻ của từng bài viết (article/getdetail)",
        "views and shares of each article (article/getdetail)",
    )

    def __init__(
        self,
        settings: ZaloSettings,
        tokens: Tokens,
        *,
        station: Station | None = None,
        timezone: str = "Asia/Ho_Chi_Minh",
        http: Any = None,
    ) -> None:
        self.settings = settings
        self.tokens = tokens
        self.station = station
        self.timezone = timezone
        self._http = http
        self.settle_s = max(settings.deadline_s, settings.timeout_s) + settings.feed_lag_s
        self._client: ZaloClient | None = None

    @classmethod
    def is_configured(cls, station: Station) -> bool:
        settings = channel_settings(station, cls.name, ZaloSettings)
        return settings.enabled and bool(settings.oa_id)

    @classmethod
    def broadcast_budget(
        cls, station: Station, months: Collection[tuple[int, int]]
    ) -> BroadcastAllowance | None:
        """[channels.zalo] broadcasts_per_month, the priorities that broadcast, and the
        broadcasts already sent in each month (published ":broadcast" publications)."""
        settings = channel_settings(station, cls.name, ZaloSettings)
        if not settings.broadcast:
            return None
        sent = broadcasts_sent(station, months)
        return BroadcastAllowance(settings.broadcasts_per_month, tuple(settings.broadcast), sent)

    @classmethod
    def from_station(
        cls, station: Station, *, http: Any = None, env: Mapping[str, str] | None = None
    ) -> ZaloChannel:
        settings = channel_settings(station, cls.name, ZaloSettings)
        if not settings.oa_id or not settings.app_id:
            raise not_configured(cls.name, T("no_oa"))
        env = os.environ if env is None else env
        secret = find_app_secret(settings.app_id, env)
        store = secret_store(station.root, settings.oa_id, secret) if secret else None
        tokens = Tokens(
            app_id=settings.app_id,
            app_secret=secret,
            store=store,
            oauth_url=settings.oauth_url,
            http=http,
            first_refresh=env.get(REFRESH_ENV, "").strip() or None,
            marker=rotation_store(station.root, settings.oa_id, secret) if secret else None,
        )
        return cls(settings, tokens, station=station, timezone=station.timezone, http=http)

    @property
    def client(self) -> ZaloClient:
        if self._client is None:
            self._client = ZaloClient(
                self.settings.api_url,
                self.tokens,
                http=self._http,
                timeout=self.settings.timeout_s,
                deadline=self.settings.deadline_s,
            )
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    # ---------------------------------------------------------------------------- articles

    def photo_url(self, item: Item) -> str | None:
        """The address of the message's photo: as written when it is one; a photo file on this
        machine put on the station's photo host first (once per photo, see loa.channels.media);
        None when the message has none, or has a file and no host can take it."""
        image = item.image or ""
        if not image:
            return None
        if is_address(image):
            return image
        if self.station is None:  # built without a station: nowhere to put a file
            return None
        photo = local_photo(self.station.root, image)
        host = photo_host(self.station, self.settings.photo_host, http=self._http)
        if host is None:
            return None
        try:
            return hosted_url(self.station, host, photo)
        finally:
            host.close()

    def cover_for(self, item: Item, photo: str | None = None) -> str:
        """The article cover: the message's photo, else the station's `cover_url`."""
        if photo:
            return photo
        if self.settings.cover_url:
            return self.settings.cover_url
        if item.image and not is_address(item.image):
            raise PermanentError(T("no_photo_host", path=item.image))
        raise PermanentError(T("no_cover"))

    def publish(self, item: Item, *, now: datetime) -> Receipt:
        if item.key.endswith(BROADCAST_SUFFIX):
            return self.broadcast(item, now=now)
        return self.create_article(item, now=now)

    def searchable(self, item: Item) -> bool:
        """Articles can be looked up; a broadcast cannot (an answer lost on the way leaves it
        "uncertain" for the officer instead of sending it to every follower again)."""
        return not item.key.endswith(BROADCAST_SUFFIX)

    def create_article(self, item: Item, *, now: datetime) -> Receipt:
        """create, then verify: the article id. A failure after create is ambiguous, so the
        outbox looks the article up (by its marker) instead of creating a second one."""
        text = _article_text(item)
        photo = self.photo_url(item)
        body = article_body(text, item.key)
        if photo:
            body.insert(0, {"type": "image", "url": photo})
        article = {
            "type": "normal",
            "title": strip_markers(item.title).strip()[:150],
            "author": self.settings.author or (str(item.extra.get("station") or "") or "UBND"),
            "cover": {
                "cover_type": "photo",
                "photo_url": self.cover_for(item, photo),
                "status": "show",
            },
            "description": _description(text),
            "body": body,
            "status": "show",
            "comment": "show",
        }
        created = self.client.call("POST", "/v2.0/article/create", body=article)
        token = str((created or {}).get("token") or "")
        try:
            if not token:
                raise TransientError(API("bad_answer", status=200))
            verified = self.client.call("POST", "/v2.0/article/verify", body={"token": token})
            article_id = str((verified or {}).get("id") or "")
            if not article_id:
                raise TransientError(API("bad_answer", status=200))
        except ChannelError as exc:
            raise TransientError(
                T("after_create", error=exc), code=exc.code, ambiguous=True
            ) from None
        return Receipt(remote_id=article_id, published_at=now)

    def find(self, item: Item, *, since: datetime) -> Receipt | None:
        """The article made for `item`: recent articles (getslice) read in detail (getdetail)
        for the key's invisible marker. A broadcast cannot be looked up (TransientError)."""
        if item.key.endswith(BROADCAST_SUFFIX):
            raise TransientError(T("no_broadcast_lookup"))
        from zoneinfo import ZoneInfo

        tz = ZoneInfo(self.timezone)
        answer = self.client.call(
            "GET",
            "/v2.0/article/getslice",
            params={"offset": 0, "limit": self.settings.lookup_depth, "type": "normal"},
        )
        medias = list((answer or {}).get("medias") or [])
        title = strip_markers(item.title).strip()
        # Read the likeliest first: same title, then newest.
        medias.sort(key=lambda m: (str(m.get("title", "")).strip() != title,))
        for media in medias[: self.settings.lookup_depth]:
            detail = self.client.call(
                "GET", "/v2.0/article/getdetail", params={"id": str(media.get("id"))}
            )
            blocks = (detail or {}).get("body") or []
            text = " ".join(str(b.get("content", "")) for b in blocks if isinstance(b, dict))
            if has_marker(text, item.key):
                created = _from_millis(
                    (detail or {}).get("create_date") or media.get("create_date")
                )
                local = created.astimezone(tz).replace(tzinfo=None) if created else None
                return Receipt(
                    remote_id=str(media.get("id")),
                    url=(detail or {}).get("link") or media.get("link"),
                    published_at=local,
                )
        return None

    # -------------------------------------------------------------------------- broadcasts

    def wants_broadcast(self, item: Item) -> bool:
        """The planner's decision for a plan entry (`item.extra["broadcast"]`, made within the
        monthly budget), else whether the message has a priority [channels.zalo] broadcast
        names."""
        if item.message_id is None or self.station is None or not self.settings.broadcast:
            return False
        decided = item.extra.get("broadcast")
        if decided is not None:
            return bool(decided)
        from loa.content import queue
        from loa.core.errors import UserError

        try:
            with self.station.transaction() as session:
                message = queue.get_message(session, item.message_id)
                return str(message.priority) in self.settings.broadcast
        except UserError:  # the message is gone: post the article, broadcast nothing
            return False

    def follow_ups(self, item: Item, remote_id: str, *, now: datetime) -> list[Item]:
        """After an article: its broadcast to followers, under "<article key>:broadcast", when
        the planner (or the message's priority) asks for one. Outside Zalo's delivery hours or
        over the month's budget it is held (`extra["hold"]`: recorded as skipped, with why)."""
        if item.key.endswith(BROADCAST_SUFFIX) or self.station is None:
            return []
        if not self.wants_broadcast(item):
            return []
        start, end = self.info().hours or (0, 24)  # Zalo delivers only in these hours
        month = (now.year, now.month)
        sent = broadcasts_sent(self.station, [month])[month]
        limit = self.settings.broadcasts_per_month
        hold = None
        if not (start <= now.hour < end):
            hold = T("out_of_hours", time=now.strftime("%H:%M"), start=start, end=end)
        elif sent >= limit:
            hold = T("over_budget", sent=sent, limit=limit, month=now.strftime("%m/%Y"))
        extra = {**item.extra, "article_id": remote_id}
        if hold is not None:
            extra["hold"] = hold
        return [
            replace(
                item,
                key=f"{item.key}{BROADCAST_SUFFIX}",
                kind="broadcast",
                extra=extra,
            )
        ]

    def follow_up_note(self, follow: Item, *, sent: bool, error: str | None) -> str | None:
        if sent:
            return str(T("broadcast_sent"))
        hold = follow.extra.get("hold")
        if hold:
            return str(hold)
        return str(T("broadcast_failed", error=error or "?"))

    def quota(self) -> tuple[int, int]:
        """(remaining, total) broadcasts from POST /v2.0/oa/quota/message."""
        data = self.client.call("POST", "/v2.0/oa/quota/message", body={})
        data = data or {}
        remain = as_int(data.get("remain", data.get("remaining_quota")))
        total = as_int(data.get("total", data.get("daily_quota")))
        return (remain if remain is not None else 0, total if total is not None else 0)

    def broadcast(self, item: Item, *, now: datetime) -> Receipt:
        """Broadcast the item's article to followers (quota checked first)."""
        article_id = item.extra.get("article_id")
        if not article_id:
            base = replace(item, key=item.key[: -len(BROADCAST_SUFFIX)])
            found = self.find(base, since=now - timedelta(days=90))
            if found is None:
                raise PermanentError(T("no_article"))
            article_id = found.remote_id
        remain, total = self.quota()
        if remain <= 0:
            raise PermanentError(T("quota_empty", remain=remain, total=total))
        target = {k: v for k, v in self.settings.target.model_dump().items() if v}
        data = self.client.call(
            "POST",
            "/v2.0/oa/message",
            body={
                "recipient": {"target": target},
                "message": {
                    "attachment": {
                        "type": "template",
                        "payload": {
                            "template_type": "media",
                            "elements": [{"media_type": "article", "attachment_id": article_id}],
                        },
                    }
                },
            },
        )
        message_id = str((data or {}).get("message_id") or article_id)
        return Receipt(remote_id=message_id, published_at=now, note=T("broadcast_sent"))

    # ---------------------------------------------------------------------------- insights

    def insights(self, published: Published, *, now: datetime) -> InsightAnswer:
        """Views and shares of the article (GET /v2.0/article/getdetail: total_view,
        total_share). A broadcast has none of its own; a field Zalo leaves out is listed in
        `unavailable`."""
        answer = InsightAnswer()
        if published.kind == "broadcast" or published.ref.endswith(BROADCAST_SUFFIX):
            answer.note = T("insights_broadcast")
            return answer
        if not published.remote_id:
            answer.note = T("insights_none")
            return answer
        detail = (
            self.client.call(
                "GET", "/v2.0/article/getdetail", params={"id": str(published.remote_id)}
            )
            or {}
        )
        for figure, name in (("views", "total_view"), ("shares", "total_share")):
            value = as_int(detail.get(name))
            if value is None:
                answer.unavailable.append(name)
            else:
                answer.figures.append(Figure(figure, float(value), f"zalo {name}"))
        if not answer.figures:
            answer.note = T("insights_new")
        return answer

    # ------------------------------------------------------------------------------- check

    def check(self) -> list[CheckResult]:
        results: list[CheckResult] = []
        try:
            oa = self.client.call("GET", "/v2.0/oa/getoa") or {}
            got = str(oa.get("oa_id") or "")
            if got and got != self.settings.oa_id:
                return [
                    CheckResult(
                        self.name,
                        False,
                        T(
                            "check_wrong_oa",
                            got=f"{oa.get('name', '')} ({got})",
                            oa=self.settings.oa_id,
                        ),
                    )
                ]
            results.append(
                CheckResult(
                    self.name,
                    True,
                    T(
                        "check_oa",
                        name=oa.get("name", ""),
                        oa=self.settings.oa_id,
                        followers=oa.get("num_follower", "?"),
                    ),
                )
            )
            expires = self.tokens.expires_at()
            if expires is not None:
                from zoneinfo import ZoneInfo

                local = expires.astimezone(ZoneInfo(self.timezone))
                results.append(
                    CheckResult(
                        self.name, True, T("check_expiry", when=local.strftime("%d/%m/%Y %H:%M"))
                    )
                )
            remain, total = self.quota()
            results.append(
                CheckResult(self.name, remain > 0, T("check_quota", remain=remain, total=total))
            )
        except ChannelError as exc:
            results.append(CheckResult(self.name, False, str(exc)))
        if not self.settings.cover_url:
            results.append(CheckResult(self.name, False, T("check_no_cover")))
        results.append(self._check_photo_host())
        return results

    def _check_photo_host(self) -> CheckResult:
        host = None
        try:
            if self.station is not None:
                host = photo_host(self.station, self.settings.photo_host, http=self._http)
        except ChannelError as exc:  # a named host that is not set up
            return CheckResult(self.name, False, str(exc))
        if host is None:
            return CheckResult(self.name, bool(self.settings.cover_url), T("check_no_photo_host"))
        try:
            where = host.host_identity()
            return CheckResult(self.name, True, T("check_photo_host", host=host.name, where=where))
        finally:
            host.close()

    def credential_alerts(self) -> list[str]:
        """No app secret, no refresh token, or a refresh token that lapses within two weeks
        (it is renewed by every rotation, so a station that stops calling Zalo loses the OA
        about three months later)."""
        try:
            pair = self.tokens.pair or self.tokens.load()
        except PermanentError as exc:
            return [str(exc)]
        lapses = pair.refresh_expires_at()
        if lapses is None:
            return []
        from zoneinfo import ZoneInfo

        left = lapses - self.tokens.clock()
        day = lapses.astimezone(ZoneInfo(self.timezone)).strftime("%d/%m/%Y")
        if left.total_seconds() <= 0:
            return [T("refresh_lapsed", day=day)]
        if left <= REFRESH_WARN:
            return [T("refresh_lapsing", day=day, days=math.ceil(left / timedelta(days=1)))]
        return []
