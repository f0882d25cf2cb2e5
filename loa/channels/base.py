"""The channel contract: `publish(item) -> Receipt`, the errors it raises, and the registry by name.

A channel is one place a message goes (a Facebook Page, the website folder, a WordPress site,
the loudspeaker). Each implementation lives in its own module and carries a `name` and a
`label`; the list of channels is `loa.core.registry` (built-ins by name, others through the
`loa.channels` entry-point group). docs/architecture.md says how to add one.
"""

from __future__ import annotations

import logging
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from loa.channels.settings import NoSettings, channel_settings
from loa.core.errors import RuntimeFailure, UserError
from loa.core.i18n import Catalog
from loa.core.settings import SectionSettings

if TYPE_CHECKING:
    from loa.core.registry import ChannelInfo
    from loa.core.station import Station

T = Catalog(
    {
        "unknown": (
            'Kênh "{name}" không có. Các kênh hợp lệ: {valid}.',
            'There is no channel "{name}". Valid channels: {valid}.',
        ),
        "not_configured": (
            'Kênh "{name}" chưa được cấu hình: {why}',
            'Channel "{name}" is not configured: {why}',
        ),
    }
)


@dataclass
class Item:
    """What to publish: one message rendered for one channel, with its idempotency key.

    `kind` is "text", "link", "photo", "video", "bulletin" or "broadcast" (a notification of an
    item already posted, e.g. a Zalo article sent to followers: reports count it apart); `media` a local file (photo, video or audio);
    `due_at` the station wall-clock time it should appear (None: now).
    """

    key: str
    title: str
    text: str
    message_id: int | None = None
    kind: str = "text"
    link: str | None = None
    image: str | None = None
    media: Path | None = None
    due_at: datetime | None = None
    topic_code: str | None = None
    topic_name: str | None = None
    audiences: list[str] = field(default_factory=list)
    duration_s: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def to_record(self, root: Path | None = None) -> dict[str, Any]:
        """The item as stored with its publication (JSON): every field, plus the SHA-256 of
        its photo and media files as they are now (`root` resolves relative photo paths), so
        a later send can tell that a file changed under the same name."""
        record: dict[str, Any] = {
            "key": self.key,
            "title": self.title,
            "text": self.text,
            "message_id": self.message_id,
            "kind": self.kind,
            "link": self.link,
            "image": self.image,
            "media": str(self.media) if self.media is not None else None,
            "due_at": self.due_at.isoformat() if self.due_at is not None else None,
            "topic_code": self.topic_code,
            "topic_name": self.topic_name,
            "audiences": list(self.audiences),
            "duration_s": self.duration_s,
            "extra": _plain(self.extra),
        }
        hashes = {}
        for name, value in (("image", self.image), ("media", record["media"])):
            digest = _file_hash(value, root)
            if digest is not None:
                hashes[name] = digest
        record["sha256"] = hashes
        return record

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Item:
        """The item `to_record` stored (its hashes are in `extra["sha256"]`)."""
        due = record.get("due_at")
        media = record.get("media")
        extra = dict(record.get("extra") or {})
        if record.get("sha256"):
            extra["sha256"] = dict(record["sha256"])
        return cls(
            key=str(record["key"]),
            title=str(record.get("title") or ""),
            text=str(record.get("text") or ""),
            message_id=record.get("message_id"),
            kind=str(record.get("kind") or "text"),
            link=record.get("link"),
            image=record.get("image"),
            media=Path(media) if media else None,
            due_at=datetime.fromisoformat(due) if due else None,
            topic_code=record.get("topic_code"),
            topic_name=record.get("topic_name"),
            audiences=list(record.get("audiences") or []),
            duration_s=float(record.get("duration_s") or 0.0),
            extra=extra,
        )

    def differs_from(self, other: Item) -> bool:
        """Whether `other` (the message as it is now) would post something else than this
        frozen item: its words, link or photo."""
        return (self.title, self.text, self.link, self.image) != (
            other.title,
            other.text,
            other.link,
            other.image,
        )


def _plain(value: Any) -> Any:
    """`value` with dates as ISO text and paths as strings, so it can be stored as JSON."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    return value


def _file_hash(value: str | None, root: Path | None) -> str | None:
    """SHA-256 of a local file named by `value` (relative to `root`), None for an address or
    a file that is not there."""
    import hashlib

    if not value or "://" in value:
        return None
    path = Path(value)
    if not path.is_absolute() and root is not None:
        path = root / path
    try:
        with path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None


@dataclass(frozen=True)
class BroadcastAllowance:
    """A channel's broadcasts per calendar month (see `Channel.broadcast_budget`)."""

    per_month: int
    priorities: tuple[str, ...]
    sent: dict[tuple[int, int], int]


@dataclass
class Receipt:
    """What a channel answers after publishing: the remote id, where to see it, and when."""

    remote_id: str
    url: str | None = None
    published_at: datetime | None = None
    scheduled: bool = False
    note: str | None = None


@dataclass
class CheckResult:
    """One line of `loa channels check`: what was checked, whether it is fine, what to do."""

    channel: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class Published:
    """What a channel is asked about when its insights are pulled: one post (its publication)
    or one bulletin (its as-run rows). `extra` is the as-run row's extra (listener samples)."""

    ref: str
    remote_id: str | None
    at: datetime
    kind: str = "text"
    url: str | None = None
    ended_at: datetime | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Figure:
    """One figure: `metric` ("views", "unique_views", "shares", "listeners", "hits") and where
    it came from (`source`: the remote metric's name, a mount, a log file)."""

    metric: str
    value: float
    source: str
    samples: int = 1


@dataclass
class InsightAnswer:
    """What a channel could tell about one publication: its figures, the remote metrics that
    were not available (retired, renamed, not yet counted) and a note for people."""

    figures: list[Figure] = field(default_factory=list)
    unavailable: list[str] = field(default_factory=list)
    note: str | None = None


class ChannelError(RuntimeFailure):
    """A publish or lookup failed. `transient` errors are retried, permanent ones are not.

    `ambiguous` means the remote side may have acted anyway (a read timeout): look before
    trying again.
    """

    transient = False
    ambiguous = False

    def __init__(self, message: str, *, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


class TransientError(ChannelError):
    """Worth retrying later: timeouts, connection errors, HTTP 5xx, rate limits.

    `rate_limited`: the remote side asks us to slow down, so the outbox does not try again
    at once but defers the publication, by at least `retry_after_s` when the answer said.
    """

    transient = True

    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        ambiguous: bool = False,
        rate_limited: bool = False,
        retry_after_s: float | None = None,
    ) -> None:
        super().__init__(message, code=code)
        self.ambiguous = ambiguous
        self.rate_limited = rate_limited
        self.retry_after_s = retry_after_s


class PermanentError(ChannelError):
    """Retrying will not help until a person acts (a token, a permission, a bad request)."""


class Channel(ABC):
    """One publishing channel. Implementations set `name` and are built by `from_station`."""

    name: ClassVar[str]
    # What loa knows about a channel without importing it (label, aliases, colour, audio, hours,
    # rate limit, photo hosting, default, internal, commands) is its descriptor in
    # loa.core.registry (`info()`). A plug-in that names its class in the entry point may set
    # the same names here instead (`label`, `aliases`, `colour`, `hours`, `audio`, `internal`,
    # `rate_per_minute`, `photo_rank`, `default`, `commands`).
    #: True when `find` can look at the remote side for a post made under an item's key.
    can_lookup: ClassVar[bool] = False
    #: The model of this channel's `[channels.<name>]` table in loa.toml (unknown keys refused).
    settings_model: ClassVar[type[SectionSettings]] = NoSettings
    #: Seconds after a remote attempt began before a look-up can be trusted to show its post:
    #: longer than the call's total deadline plus the lag of the remote side's listings.
    settle_s: float = 0.0

    @classmethod
    @abstractmethod
    def from_station(
        cls, station: Station, *, http: Any = None, env: Mapping[str, str] | None = None
    ) -> Channel:
        """Build the channel from the station's `[channels.<name>]` section.

        Raises UserError when required settings are missing or wrong.
        """

    @classmethod
    def info(cls) -> ChannelInfo:
        """This channel's descriptor in the registry."""
        from loa.core.registry import describe

        return describe(cls.name)

    @classmethod
    def read_settings(cls, station: Station) -> SectionSettings:
        """This channel's `[channels.<name>]` table, validated into `settings_model`.

        Raises UserError naming the section, key and value of a bad setting.
        """
        return channel_settings(station, cls.name, cls.settings_model)

    @classmethod
    def is_configured(cls, station: Station) -> bool:
        """True when loa.toml enables this channel (so `channels check` and urgent use it):
        by default, when its table sets any key. Raises UserError for a bad setting."""
        return bool(cls.read_settings(station).model_fields_set)

    @classmethod
    def broadcast_budget(
        cls, station: Station, months: Collection[tuple[int, int]]
    ) -> BroadcastAllowance | None:
        """For a channel that can also notify its followers with a limit per calendar month
        (the Zalo OA broadcast): the limit, the priorities that broadcast and how many were
        already sent in each of `months` ((year, month)). None: no such limit (the default)."""
        return None

    @abstractmethod
    def publish(self, item: Item, *, now: datetime) -> Receipt:
        """Put the item on the channel and return its receipt.

        Raises TransientError (retry later) or PermanentError (a person must act).
        """

    def find(self, item: Item, *, since: datetime) -> Receipt | None:
        """Look for a post made for `item` at or after `since`; None when there is none.

        Only meaningful when `searchable(item)`; raises TransientError when the lookup failed.
        """
        raise NotImplementedError

    def searchable(self, item: Item) -> bool:
        """Whether `find` can look for this item on the remote side (by default the channel's
        `can_lookup`; a Zalo broadcast, say, cannot be searched though its article can)."""
        return self.can_lookup

    def follow_ups(self, item: Item, remote_id: str, *, now: datetime) -> list[Item]:
        """What must go out after `item` is on the channel as `remote_id` (a Zalo broadcast
        of its article), each under its own key. The caller sends them through the outbox,
        whether the item was confirmed by its answer or found by a look-up; a follow-up that
        must not go out now carries the reason in `extra["hold"]` (it is recorded as skipped).
        The channel never calls the outbox itself. None by default."""
        return []

    def follow_up_note(self, follow: Item, *, sent: bool, error: str | None) -> str | None:
        """What the as-run row of the item says about its follow-up `follow`: sent, held
        (`follow.extra["hold"]`) or failed with `error`. None: nothing."""
        return None

    #: What `insights` can tell (Vietnamese, English), or None when the channel offers nothing
    #: (`loa channels check` says so).
    insight_offer: ClassVar[tuple[str, str] | None] = None

    def insights(self, published: Published, *, now: datetime) -> InsightAnswer:
        """The figures the remote side (or the channel's own records) has for `published`.
        An empty answer is normal for a fresh post. Raises TransientError or PermanentError
        like `publish`. The default: nothing."""
        return InsightAnswer()

    def check(self) -> list[CheckResult]:
        """Validate settings and credentials without publishing anything."""
        return [CheckResult(self.name, True, "")]

    def credential_alerts(self) -> list[str]:
        """What a person must do about this channel's credentials soon (missing, expired, about
        to expire), for the dashboard's Today page and `loa today`. Never calls the remote
        service: only what the station already knows."""
        return []

    def close(self) -> None:  # noqa: B027  (most channels hold nothing to release)
        """Release network clients and the like."""


def channel_class(name: str) -> type[Channel]:
    """The class registered under `name`; UserError listing the valid names otherwise."""
    from loa.core.registry import channel_class as lookup

    cls: type[Channel] = lookup(name)
    return cls


def load_channels() -> dict[str, type[Channel]]:
    """Every registered channel class by name (imports them all)."""
    from loa.core.registry import channel_specs

    return {name: channel_class(name) for name in channel_specs()}


def get_channel(
    station: Station, name: str, *, http: Any = None, env: Mapping[str, str] | None = None
) -> Channel:
    """Build the named channel for a station (see `Channel.from_station`)."""
    return channel_class(name).from_station(station, http=http, env=env)


def not_configured(name: str, why: str) -> UserError:
    return UserError(T("not_configured", name=name, why=why))


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """`text` with every secret (and its URL-encoded form) replaced by "***"."""
    from urllib.parse import quote, quote_plus

    for secret in secrets:
        if not secret or len(secret) < 4:
            continue
        for form in {secret, quote(secret, safe=""), quote_plus(secret)}:
            text = text.replace(form, "***")
    return re.sub(r"(access_token|input_token)=[^&\s\"']+", r"\1=***", text)


class RedactFilter(logging.Filter):
    """Scrub a client's secrets out of the HTTP libraries' log lines (httpx logs each
    request's URL at INFO level): `attach()` when the client is made, `detach()` at close."""

    LOGGERS = ("httpx", "httpcore")

    def __init__(self, secrets_of: Callable[[], Iterable[str | None]]) -> None:
        super().__init__()
        self.secrets_of = secrets_of

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        clean = redact(text, self.secrets_of())
        if clean != text:
            record.msg, record.args = clean, ()
        return True

    def attach(self) -> RedactFilter:
        for name in self.LOGGERS:
            logging.getLogger(name).addFilter(self)
        return self

    def detach(self) -> None:
        for name in self.LOGGERS:
            logging.getLogger(name).removeFilter(self)


Sleep = Callable[[float], None]
Clock = Callable[[], datetime]


_ZERO, _ONE, _EDGE = "\u200b", "\u200c", "\u2060"


def marker(key: str) -> str:
    """An invisible tag for `key` (zero-width characters) appended to post text, so that
    reconciliation can recognise our own post on the remote side without showing anything."""
    import hashlib

    bits = bin(int(hashlib.sha1(key.encode("utf-8")).hexdigest()[:8], 16))[2:].zfill(32)
    return _EDGE + "".join(_ONE if b == "1" else _ZERO for b in bits) + _EDGE


def has_marker(text: str | None, key: str) -> bool:
    return bool(text) and marker(key) in str(text)


def has_any_marker(text: str | None) -> bool:
    """Whether `text` carries a loa marker (of any key): such a post is some item's own, and
    only that item may claim it."""
    return bool(text) and re.search(f"{_EDGE}[{_ZERO}{_ONE}]{{32}}{_EDGE}", str(text)) is not None


def strip_markers(text: str) -> str:
    return re.sub(f"{_EDGE}[{_ZERO}{_ONE}]*{_EDGE}", "", text)
