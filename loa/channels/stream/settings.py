"""The IP-radio head-end's settings: [stream] and its mounts in loa.toml, the Icecast
password, and the words the stream module says."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar, Literal

from pydantic import Field, field_validator, model_validator

from loa.channels.icecast import Server
from loa.core.errors import UserError
from loa.core.i18n import Catalog
from loa.core.settings import Flag, Integer, Number, SectionSettings

if TYPE_CHECKING:
    from loa.core.station import Station


PASSWORD_ENV = "LOA_ICECAST_PASSWORD"
KEYRING_SERVICE = "loa"
CHUNK_S = 0.05

T = Catalog(
    {
        "no_password": (
            "Chưa có mật khẩu nguồn Icecast. Đặt biến môi trường LOA_ICECAST_PASSWORD hoặc lưu "
            'vào keyring (dịch vụ "loa", tên "icecast:{host}"); không ghi mật khẩu vào loa.toml.',
            "No Icecast source password. Set LOA_ICECAST_PASSWORD or store it in the keyring "
            '(service "loa", user "icecast:{host}"); never put it in loa.toml.',
        ),
        "mount_path": (
            'cần bắt đầu bằng "/" và chỉ gồm chữ, số, "-", "_", ".", ví dụ "/thon1.mp3"',
            'it must start with "/" and hold only letters, digits, "-", "_", ".", e.g. '
            '"/thon1.mp3"',
        ),
        "zone_code": (
            'cần là mã ngắn gồm chữ thường, số, "-", "_", ví dụ "thon1"',
            'it must be a short code of lower-case letters, digits, "-", "_", e.g. "thon1"',
        ),
        "rates": (
            "cần 22050 hoặc 24000 (Hz, tiếng nói đơn kênh cho đường 3G)",
            "it must be 22050 or 24000 (Hz, mono speech for a 3G link)",
        ),
        "url": (
            'cần dạng http://máy:cổng, ví dụ "http://127.0.0.1:8000"',
            'it must look like http://host:port, e.g. "http://127.0.0.1:8000"',
        ),
        "duplicate": ("trùng {what}: {value}", "duplicate {what}: {value}"),
        "relay_needed": (
            'between = "relay" cần relay_url (địa chỉ luồng tiếp sóng)',
            'between = "relay" needs relay_url (the stream to relay)',
        ),
        "ident_needed": (
            'between = "ident" cần ident_file (tệp âm thanh nhận diện đài)',
            'between = "ident" needs ident_file (the station ident audio file)',
        ),
        "hours": (
            'cần dạng "HH:MM-HH:MM", ví dụ ["05:00-06:00", "18:00-19:00"]',
            'it must look like "HH:MM-HH:MM", e.g. ["05:00-06:00", "18:00-19:00"]',
        ),
        "unknown_zone": (
            'Không có vùng phát "{zone}" trong [radio.stream] mounts. Các vùng: {valid}.',
            'There is no zone "{zone}" in [radio.stream] mounts. Zones: {valid}.',
        ),
        "disabled": (
            "Luồng IP chưa bật: đặt enabled = true trong [radio.stream] của loa.toml.",
            "The IP stream is off: set enabled = true in [radio.stream] of loa.toml.",
        ),
        "connected": (
            "Điểm phát {mount}: đã kết nối {server}.",
            "Mount {mount}: connected to {server}.",
        ),
        "lost": (
            "Điểm phát {mount}: mất kết nối ({error}); thử lại sau {delay:g} giây.",
            "Mount {mount}: connection lost ({error}); retrying in {delay:g} s.",
        ),
        "dropped": (
            "Điểm phát {mount}: đường truyền tới máy chủ bị ngắt ({error}); đang nối lại.",
            "Mount {mount}: the link to the server dropped ({error}); reconnecting.",
        ),
        "encoder": (
            "Bộ mã hóa MP3 của {mount} dừng (mã {code}); khởi động lại.",
            "The MP3 encoder of {mount} stopped (code {code}); restarting it.",
        ),
        "relay_lost": (
            "Tiếp sóng {url} không nhận được ({error}); phát khoảng lặng.",
            "Relay {url} could not be received ({error}); playing silence.",
        ),
    }
)

_MOUNT = re.compile(r"^/[A-Za-z0-9._-]+$")
_ZONE = re.compile(r"^[a-z0-9_-]{1,40}$")
_HOURS = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


class MountSettings(SectionSettings):
    """One loudspeaker cluster (zone) and the Icecast mount its receivers play."""

    zone: str
    mount: str
    name: str = ""

    @field_validator("mount")
    @classmethod
    def _mount(cls, value: str) -> str:
        if not _MOUNT.match(value):
            raise ValueError(T("mount_path"))
        return value

    @field_validator("zone")
    @classmethod
    def _zone(cls, value: str) -> str:
        if not _ZONE.match(value):
            raise ValueError(T("zone_code"))
        return value


def _default_mounts() -> list[MountSettings]:
    return [MountSettings(zone="chung", mount="/loa.mp3", name="")]


class StreamSettings(SectionSettings):
    """[radio.stream]: the Icecast head-end (see docs/ip-radio.md)."""

    section: ClassVar[str] = "radio.stream"

    enabled: Flag = False
    url: str = "http://127.0.0.1:8000"
    user: str = "source"
    mounts: list[MountSettings] = Field(default_factory=_default_mounts, min_length=1)
    sample_rate: Integer = 22050
    bitrate_kbps: Integer = Field(48, ge=16, le=320)
    format: Literal["mp3"] = "mp3"
    between: Literal["silence", "ident", "relay"] = "silence"
    ident_file: str = ""
    ident_every_minutes: Number = Field(30.0, gt=0, le=24 * 60)
    relay_url: str = ""
    relay_hours: list[str] = Field(default_factory=list)
    resume: Literal["resume", "restart"] = "resume"
    local_playout: Flag = True
    urgent_repeats: Integer = Field(2, ge=1, le=10)
    reconnect_min_s: Number = Field(1.0, gt=0, le=60)
    reconnect_max_s: Number = Field(60.0, gt=0, le=3600)
    #: Seconds between listener counts (Icecast's status) while a bulletin airs; 0 = never.
    listener_sample_s: Number = Field(15.0, ge=0, le=3600)

    @field_validator("sample_rate")
    @classmethod
    def _rate(cls, value: int) -> int:
        if value not in (22050, 24000):
            raise ValueError(T("rates"))
        return value

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        try:
            Server.parse(value)
        except UserError:
            raise ValueError(T("url")) from None
        return value.strip()

    @field_validator("relay_hours")
    @classmethod
    def _hours(cls, value: list[str]) -> list[str]:
        for span in value:
            match = _HOURS.match(span.strip())
            if not match or int(match[1]) > 24 or int(match[3]) > 24:
                raise ValueError(T("hours"))
        return [v.strip() for v in value]

    @model_validator(mode="after")
    def _consistent(self) -> StreamSettings:
        for what, values in (
            ("zone", [m.zone for m in self.mounts]),
            ("mount", [m.mount for m in self.mounts]),
        ):
            seen: set[str] = set()
            for value in values:
                if value in seen:
                    raise ValueError(T("duplicate", what=what, value=value))
                seen.add(value)
        if self.between == "relay" and not self.relay_url:
            raise ValueError(T("relay_needed"))
        if self.between == "ident" and not self.ident_file:
            raise ValueError(T("ident_needed"))
        return self

    @property
    def server(self) -> Server:
        return Server.parse(self.url)

    @property
    def zones(self) -> list[str]:
        return [m.zone for m in self.mounts]

    def mounts_for(self, zones: list[str] | None) -> list[MountSettings]:
        """The mounts of `zones` (all mounts for None or []). Raises UserError for an unknown
        zone, listing the valid ones."""
        if not zones:
            return list(self.mounts)
        by_zone = {m.zone: m for m in self.mounts}
        for zone in zones:
            if zone not in by_zone:
                raise UserError(T("unknown_zone", zone=zone, valid=", ".join(by_zone)))
        return [by_zone[z] for z in dict.fromkeys(zones)]

    def relay_on(self, now: datetime) -> bool:
        """Whether `now` (station-local) is inside relay_hours (always, when none are given)."""
        if not self.relay_hours:
            return True
        minute = now.hour * 60 + now.minute
        for span in self.relay_hours:
            match = _HOURS.match(span)
            if match is None:
                continue
            lo = int(match[1]) * 60 + int(match[2])
            hi = int(match[3]) * 60 + int(match[4])
            if (lo <= minute < hi) if lo <= hi else (minute >= lo or minute < hi):
                return True
        return False


def stream_settings(station: Station) -> StreamSettings:
    """The station's [radio.stream], validated. Raises UserError on a bad value."""
    return station.settings(StreamSettings)


def find_password(host: str, env: Mapping[str, str] | None = None) -> str | None:
    """The source password from LOA_ICECAST_PASSWORD, else the keyring; None if neither."""
    env = os.environ if env is None else env
    value = env.get(PASSWORD_ENV, "").strip()
    if value:
        return value
    try:
        import keyring

        for user in (f"icecast:{host}", "icecast"):
            found = keyring.get_password(KEYRING_SERVICE, user)
            if found:
                return str(found).strip()
    except Exception:  # no keyring backend on a headless machine is normal
        return None
    return None


def require_password(settings: StreamSettings, env: Mapping[str, str] | None = None) -> str:
    """The source password, or UserError saying where to put it."""
    password = find_password(settings.server.host, env)
    if not password:
        raise UserError(T("no_password", host=settings.server.host))
    return password
