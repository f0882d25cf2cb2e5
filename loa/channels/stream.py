"""The IP-radio head-end: one continuous MP3 stream per Icecast mount (zone), kept up by a
supervisor that reconnects with back-off, carrying bulletins at their times, the station's
choice between them (silence, an ident at an interval, a relay), and urgent preemption.

Per mount: a feeder thread steps through the programme in real time and queues its MP3 frames:
those of the clip's shared encoding and of shared silence (`loa.channels.encoding`: several
mounts airing the same audio use one encoder), or, for an ident or a relay between bulletins,
those of the mount's own ffmpeg encoder; a sender thread writes them to the Icecast source
socket when connected (and drops them while not, so the programme clock never stops), and a
connector thread opens the socket again after a drop, waiting 1, 2, 4 ... up to
`reconnect_max_s` seconds.
"""

from __future__ import annotations

import collections
import contextlib
import functools
import logging
import os
import re
import subprocess
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np
from pydantic import Field, field_validator, model_validator

from loa.channels.encoding import (
    ClipEncoding,
    FrameSplitter,
    encoder_args,
    samples_per_frame,
    silence_frames,
)
from loa.channels.icecast import Server, connect_source, source_request
from loa.core.errors import RuntimeFailure, UserError
from loa.core.i18n import Catalog
from loa.core.settings import Flag, Integer, Number, SectionSettings

if TYPE_CHECKING:
    import socket

    from loa.core.station import Station

log = logging.getLogger("loa.stream")

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


# --------------------------------------------------------------------------- audio sources


def pcm_of_file(path: Path, rate: int) -> bytes:
    """An audio file as 16-bit mono PCM at `rate`. Raises UserError when it cannot be read."""
    from loa.audio.ffmpeg import decode, to_int16

    return bytes(to_int16(decode(path, sample_rate=rate)).tobytes())


def silence(rate: int, seconds: float) -> bytes:
    return bytes(2 * int(rate * seconds))


@functools.lru_cache(maxsize=8)
def alert_tone(rate: int, seconds: float = 3.0) -> bytes:
    """The khẩn cấp alert: a two-tone hi-lo siren (960/770 Hz, 0.25 s each), distinct from the
    bulletin chime, faded in and out, at -6 dBFS."""
    n = int(rate * seconds)
    t = np.arange(n, dtype=np.float64) / rate
    high = (np.floor(t / 0.25) % 2) == 0
    freq = np.where(high, 960.0, 770.0)
    phase = 2 * np.pi * np.cumsum(freq) / rate
    wave = 0.5 * np.sin(phase)
    ramp = min(int(rate * 0.02), n // 2)
    if ramp:
        wave[:ramp] *= np.linspace(0, 1, ramp)
        wave[-ramp:] *= np.linspace(1, 0, ramp)
    return bytes(np.asarray((wave * 32767).round(), dtype="<i2").tobytes())


class PcmBuffer:
    """PCM that may still be growing (urgent speech is rendered while the tone plays)."""

    def __init__(self, data: bytes = b"", *, complete: bool = True) -> None:
        self._data = bytearray(data)
        self._complete = complete
        self._lock = threading.Lock()
        self._completed = threading.Event()
        if complete:
            self._completed.set()
        #: Its MP3 encodings by (rate, bitrate), shared by every mount airing it.
        self.encodings: dict[tuple[int, int], Any] = {}

    def append(self, data: bytes) -> None:
        with self._lock:
            self._data += data

    def finish(self) -> None:
        with self._lock:
            self._complete = True
        self._completed.set()

    def wait_complete(self, timeout: float | None = None) -> bool:
        """Wait until it has all its data (True) or `timeout` seconds pass (False)."""
        return self._completed.wait(timeout)

    def take(self, pos: int, n: int) -> tuple[bytes, bool]:
        """(bytes from pos, at most n; whether the buffer ends there for good)."""
        with self._lock:
            chunk = bytes(self._data[pos : pos + n])
            return chunk, self._complete and pos + len(chunk) >= len(self._data)

    def __len__(self) -> int:
        with self._lock:
            return len(self._data)


@dataclass
class Interruption:
    """One preemption of a playback: where it stopped, by what, and how it went on."""

    at_s: float
    by: str
    mode: str
    stopped_at: datetime
    resumed_at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "at_s": round(self.at_s, 2),
            "by": self.by,
            "mode": self.mode,
            "stopped_at": self.stopped_at.isoformat(timespec="seconds"),
            "resumed_at": self.resumed_at.isoformat(timespec="seconds")
            if self.resumed_at
            else None,
        }


@dataclass
class Playback:
    """One programme item on one mount (a bulletin or an urgent message)."""

    name: str
    buffer: PcmBuffer
    rate: int
    kind: Literal["bulletin", "urgent", "file"] = "bulletin"
    pos: int = 0
    started_at: datetime | None = None
    ended_at: datetime | None = None
    interruptions: list[Interruption] = field(default_factory=list)
    done: threading.Event = field(default_factory=threading.Event)
    first_byte: float | None = None  # time.monotonic() when its first PCM went to the encoder
    frame: int = 0  # the next MP3 frame of the buffer's shared encoding this mount sends

    @property
    def offset_s(self) -> float:
        return self.pos / 2 / self.rate

    def read(self, n_bytes: int) -> tuple[bytes, bool]:
        """Up to n_bytes of PCM (silence while a growing buffer waits), and whether it ended."""
        chunk, ended = self.buffer.take(self.pos, n_bytes)
        self.pos += len(chunk)
        if not ended and len(chunk) < n_bytes:
            chunk += bytes(n_bytes - len(chunk))  # still rendering: hold the air with silence
        return chunk, ended

    def wait(self, timeout: float | None = None) -> bool:
        return self.done.wait(timeout)


class Filler:
    """What a mount plays between bulletins: silence, the ident every N minutes, or a relay."""

    def __init__(
        self,
        settings: StreamSettings,
        clock: Callable[[], datetime],
        ident: bytes = b"",
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.ident = ident
        self.rate = settings.sample_rate
        self._ident_pos: int | None = None
        self._last_ident = time.monotonic()
        self.relay: Relay | None = (
            Relay(settings.relay_url, self.rate) if settings.between == "relay" else None
        )

    def read(self, n_bytes: int) -> bytes:
        if self.relay is not None:
            if self.settings.relay_on(self.clock()):
                return self.relay.read(n_bytes)
            self.relay.pause()
        if self.settings.between == "ident" and self.ident:
            every = self.settings.ident_every_minutes * 60
            if self._ident_pos is None and time.monotonic() - self._last_ident >= every:
                self._ident_pos = 0
            if self._ident_pos is not None:
                chunk = self.ident[self._ident_pos : self._ident_pos + n_bytes]
                self._ident_pos += len(chunk)
                if self._ident_pos >= len(self.ident):
                    self._ident_pos = None
                    self._last_ident = time.monotonic()
                return chunk + bytes(n_bytes - len(chunk))
        return bytes(n_bytes)

    def close(self) -> None:
        if self.relay is not None:
            self.relay.close()


class Relay:
    """A provincial/national stream decoded to PCM by ffmpeg, read in real time; silence while
    it is down (it is retried every 30 s)."""

    RETRY_S = 30.0

    def __init__(self, url: str, rate: int) -> None:
        self.url = url
        self.rate = rate
        self._buffer = bytearray()
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._thread: threading.Thread | None = None
        self._next_try = 0.0

    def _start(self) -> None:
        from loa.audio.ffmpeg import ffmpeg_exe

        self._next_try = time.monotonic() + self.RETRY_S
        try:
            self._proc = subprocess.Popen(
                [
                    ffmpeg_exe(),
                    *("-hide_banner", "-loglevel", "error", "-nostdin", "-re"),
                    *("-i", self.url, "-ac", "1", "-ar", str(self.rate), "-f", "s16le", "pipe:1"),
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except OSError as exc:
            log.warning(T("relay_lost", url=self.url, error=exc))
            return
        self._thread = threading.Thread(target=self._pump, args=(self._proc,), daemon=True)
        self._thread.start()

    def _pump(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdout is not None
        while True:
            data = os.read(proc.stdout.fileno(), 8192)
            if not data:
                break
            with self._lock:
                self._buffer += data
                if len(self._buffer) > self.rate * 2 * 5:  # keep at most 5 s behind
                    del self._buffer[: len(self._buffer) - self.rate * 2 * 5]
        code = proc.wait()
        if code:
            log.warning(T("relay_lost", url=self.url, error=f"ffmpeg {code}"))

    def read(self, n_bytes: int) -> bytes:
        alive = self._proc is not None and self._proc.poll() is None
        if not alive and time.monotonic() >= self._next_try:
            self._start()
        with self._lock:
            chunk = bytes(self._buffer[:n_bytes])
            del self._buffer[:n_bytes]
        return chunk + bytes(n_bytes - len(chunk))

    def pause(self) -> None:
        self.close()
        self._next_try = 0.0

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()
        with self._lock:
            self._buffer.clear()


# --------------------------------------------------------------------------- one mount


@dataclass
class _Chunk:
    """One tick of a mount's programme: its PCM, the playback it came from (None: the filler),
    how many bytes of that playback's buffer it holds, and whether the playback ended."""

    pcm: bytes
    playback: Playback | None
    got: int = 0
    ended: bool = False


@dataclass
class MountState:
    """What `loa stream status` shows for one mount."""

    zone: str
    mount: str
    connected: bool = False
    since: str | None = None
    last_error: str | None = None
    reconnects: int = 0
    playing: str | None = None
    listeners: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class MountStream:
    """Keeps one mount on the air (see the module docstring)."""

    def __init__(
        self,
        settings: StreamSettings,
        mount: MountSettings,
        password: str,
        *,
        station_name: str = "loa",
        clock: Callable[[], datetime] = datetime.now,
        ident: bytes = b"",
    ) -> None:
        self.settings = settings
        self.mount = mount
        self.server = settings.server
        self.rate = settings.sample_rate
        self.clock = clock
        self._head = source_request(
            self.server,
            mount.mount,
            settings.user,
            password,
            name=mount.name or station_name,
            sample_rate=self.rate,
            bitrate_kbps=settings.bitrate_kbps,
        )
        self.filler = Filler(settings, clock, ident)
        self.state = MountState(mount.zone, mount.mount)
        self._lock = threading.Lock()
        self._queue: list[Playback] = []
        self._current: Playback | None = None
        self._stack: list[Playback] = []  # interrupted playbacks, innermost last
        self._stop = threading.Event()
        self._lost = threading.Event()
        self._lost.set()
        self._sock: socket.socket | None = None
        self._encoder: subprocess.Popen[bytes] | None = None  # only for an ident or a relay
        self._own_live = False
        self._out: collections.deque[bytes] = collections.deque(maxlen=400)  # ≤ 10 s of MP3
        self._ready = threading.Condition()
        self._per_frame = samples_per_frame(self.rate)
        self._owed = 0  # samples of silence not yet sent as frames
        self._silent = 0  # the next of the shared silence frames
        self._threads: list[threading.Thread] = []
        self.on_change: Callable[[], None] | None = None

    # -- control

    def start(self) -> None:
        silence_frames(self.rate, self.settings.bitrate_kbps)  # encoded once per process
        for target in (self._feed, self._send, self._connect):
            thread = threading.Thread(
                target=target, name=f"stream{self.mount.mount}:{target.__name__}", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout: float = 3.0) -> None:
        self._stop.set()
        self._lost.set()
        self._drop(None)
        encoder = self._encoder
        if encoder is not None and encoder.poll() is None:
            with contextlib.suppress(OSError):
                if encoder.stdin is not None:
                    encoder.stdin.close()
            try:
                encoder.wait(timeout=1.0)
            except subprocess.TimeoutExpired:
                encoder.kill()
                encoder.wait()
        for thread in self._threads:
            thread.join(timeout)
        self.filler.close()
        with self._lock:
            for playback in [*self._queue, *self._stack, *([self._current] or [])]:
                if playback is not None:
                    playback.done.set()

    def play(self, playback: Playback) -> Playback:
        """Queue a playback after what is playing now; returns it (wait on it)."""
        with self._lock:
            self._queue.append(playback)
        return playback

    def preempt(self, playback: Playback, mode: str) -> Playback | None:
        """Put `playback` on the air at once. What it interrupts (a bulletin) goes on after it,
        from where it stopped (`mode` "resume") or from its start ("restart"). Returns the
        interrupted playback, if any."""
        with self._lock:
            interrupted = self._current
            if interrupted is not None:
                interrupted.interruptions.append(
                    Interruption(interrupted.offset_s, playback.name, mode, self.clock())
                )
                if mode == "restart":
                    interrupted.pos = interrupted.frame = 0
                self._stack.append(interrupted)
            self._current = playback
            self._begin(playback)
        self._changed()
        return interrupted

    @property
    def current(self) -> Playback | None:
        with self._lock:
            return self._current

    def _begin(self, playback: Playback) -> None:
        if playback.started_at is None:
            playback.started_at = self.clock()
        self.state.playing = playback.name

    def _changed(self) -> None:
        if self.on_change is not None:
            with contextlib.suppress(Exception):
                self.on_change()

    # -- the three threads

    def _next_chunk(self, n_bytes: int) -> bytes:
        """The next `n_bytes` of the mount's programme as PCM."""
        return self._take(n_bytes).pcm

    def _take(self, n_bytes: int) -> _Chunk:
        changed = False
        with self._lock:
            if self._current is None and self._queue:
                self._current = self._queue.pop(0)
                self._begin(self._current)
                changed = True
            playback = self._current
            if playback is None:
                out = _Chunk(b"", None)
                if self.settings.between != "silence":
                    out.pcm = self.filler.read(n_bytes)
            else:
                before = playback.pos
                chunk, ended = playback.read(n_bytes)
                out = _Chunk(chunk, playback, playback.pos - before, ended)
                if playback.first_byte is None:
                    playback.first_byte = time.monotonic()
                if ended:
                    playback.ended_at = self.clock()
                    playback.done.set()
                    self._current = self._stack.pop() if self._stack else None
                    if self._current is not None and self._current.interruptions:
                        self._current.interruptions[-1].resumed_at = self.clock()
                    self.state.playing = self._current.name if self._current else None
                    changed = True
                    rest = n_bytes - len(chunk)
                    if rest > 0:
                        out.pcm += bytes(rest)
        if changed:
            self._changed()
        if playback is None and not out.pcm:
            out.pcm = bytes(n_bytes)
        return out

    def _feed(self) -> None:
        """Every CHUNK_S: the programme's next chunk, as the shared frames of its clip (and of
        silence), or through the mount's own encoder for an ident or a relay."""
        n_bytes = 2 * int(self.rate * CHUNK_S)
        deadline = time.monotonic()
        while not self._stop.is_set():
            take = self._take(n_bytes)
            if take.playback is None and self.settings.between != "silence":
                self._own(take.pcm)
            else:
                self._own_live = False
                self._shared(take, n_bytes)
            deadline += CHUNK_S
            delay = deadline - time.monotonic()
            if delay > 0:
                self._stop.wait(delay)
            elif delay < -1.0:  # fell behind (a stalled machine): do not rush to catch up
                deadline = time.monotonic()

    def _shared(self, take: _Chunk, n_bytes: int) -> None:
        """Queue the frames this chunk of the programme stands for (see loa.channels.encoding)."""
        frames: list[bytes] = []
        playback = take.playback
        if playback is not None:
            clip = ClipEncoding.of(playback.buffer, self.rate, self.settings.bitrate_kbps)
            if take.ended:
                clip.finished.wait(1.0)  # its last frames, once ffmpeg has flushed them
                frames, playback.frame = clip.take(playback.frame, None)
            else:
                frames, playback.frame = clip.take(playback.frame, clip.due(playback.pos))
        # Silence for what was not the clip: the filler, a clip still being rendered, the rest
        # of the chunk after a clip ended.
        self._owed += (n_bytes - take.got) // 2
        if self._owed >= self._per_frame:
            silent = silence_frames(self.rate, self.settings.bitrate_kbps)
            while self._owed >= self._per_frame:
                frames.append(silent[self._silent % len(silent)])
                self._silent += 1
                self._owed -= self._per_frame
        self._push(frames)

    def _own(self, pcm: bytes) -> None:
        """Feed the mount's own encoder (an ident or a relay between bulletins)."""
        self._own_live = True
        encoder = self._encoder
        try:
            if encoder is None or encoder.stdin is None:
                raise BrokenPipeError
            encoder.stdin.write(pcm)
            encoder.stdin.flush()
        except (BrokenPipeError, ValueError, OSError):
            if self._stop.is_set():
                return
            if encoder is not None:
                log.warning(T("encoder", mount=self.mount.mount, code=encoder.poll()))
            self._encoder = self._start_encoder()

    def _start_encoder(self) -> subprocess.Popen[bytes]:
        from loa.audio.ffmpeg import ffmpeg_exe

        proc = subprocess.Popen(
            encoder_args(ffmpeg_exe(), self.rate, self.settings.bitrate_kbps),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            bufsize=0,
        )
        threading.Thread(
            target=self._read_own, args=(proc,), daemon=True, name=f"stream{self.mount.mount}:own"
        ).start()
        return proc

    def _read_own(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdout is not None
        splitter = FrameSplitter()
        while True:
            try:
                data = os.read(proc.stdout.fileno(), 4096)
            except (OSError, ValueError):
                data = b""
            if not data:
                return  # the feeder starts another one when it finds this one dead
            frames = splitter.feed(data)
            if self._own_live:  # its tail after a switch to shared frames is dropped
                self._push(frames)

    def _push(self, frames: list[bytes]) -> None:
        if not frames:
            return
        with self._ready:
            self._out.extend(frames)
            self._ready.notify()

    def _send(self) -> None:
        while not self._stop.is_set():
            with self._ready:
                if not self._out:
                    self._ready.wait(0.2)
                data = b"".join(self._out)
                self._out.clear()
            sock = self._sock
            if not data or sock is None:
                continue  # not connected: dropped, so the programme clock never stops
            try:
                sock.sendall(data)
            except OSError as exc:
                self._drop(exc.strerror or type(exc).__name__)

    def _drop(self, error: str | None) -> None:
        with self._lock:
            sock, self._sock = self._sock, None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.close()
        if error is not None and not self._stop.is_set():
            log.warning(T("dropped", mount=self.mount.mount, error=error))
            self.state.connected = False
            self.state.last_error = error
            self._lost.set()
            self._changed()

    def _connect(self) -> None:
        delay = self.settings.reconnect_min_s
        while not self._stop.is_set():
            self._lost.wait()
            if self._stop.is_set():
                break
            try:
                sock = connect_source(self.server, self.mount.mount, self._head)
            except RuntimeFailure as exc:
                self.state.connected = False
                self.state.last_error = str(exc)
                log.warning(T("lost", mount=self.mount.mount, error=exc, delay=delay))
                self._changed()
                self._stop.wait(delay)
                delay = min(delay * 2, self.settings.reconnect_max_s)
                continue
            with self._lock:
                self._sock = sock
                self._lost.clear()
            if self.state.since is not None:
                self.state.reconnects += 1
            self.state.connected = True
            self.state.since = self.clock().isoformat(timespec="seconds")
            delay = self.settings.reconnect_min_s
            log.info(T("connected", mount=self.mount.mount, server=self.server))
            self._changed()


# --------------------------------------------------------------------------- all mounts


class StreamService:
    """Every mount of the station's [radio.stream], started and stopped together."""

    def __init__(
        self,
        settings: StreamSettings,
        password: str,
        *,
        station_name: str = "loa",
        clock: Callable[[], datetime] = datetime.now,
        zones: list[str] | None = None,
        on_change: Callable[[StreamService], None] | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock
        ident = b""
        if settings.between == "ident" and settings.ident_file:
            ident = pcm_of_file(Path(settings.ident_file), settings.sample_rate)
        self.mounts: dict[str, MountStream] = {}
        for mount in settings.mounts_for(zones):
            stream = MountStream(
                settings, mount, password, station_name=station_name, clock=clock, ident=ident
            )
            if on_change is not None:
                stream.on_change = lambda: on_change(self)
            self.mounts[mount.zone] = stream

    @classmethod
    def for_station(
        cls,
        station: Station,
        *,
        zones: list[str] | None = None,
        env: Mapping[str, str] | None = None,
        on_change: Callable[[StreamService], None] | None = None,
    ) -> StreamService:
        """The service of the station's [radio.stream]. Raises UserError when it is off or has
        no password."""
        settings = stream_settings(station)
        if not settings.enabled:
            raise UserError(T("disabled"))
        return cls(
            settings,
            require_password(settings, env),
            station_name=station.name,
            clock=station.now,
            zones=zones,
            on_change=on_change,
        )

    def start(self) -> StreamService:
        for stream in self.mounts.values():
            stream.start()
        return self

    def stop(self) -> None:
        for stream in self.mounts.values():
            stream.stop()

    def targets(self, zones: list[str] | None) -> list[MountStream]:
        """The running mounts of `zones` (all for None/[]); unknown zones raise UserError."""
        wanted = self.settings.mounts_for(zones)
        return [self.mounts[m.zone] for m in wanted if m.zone in self.mounts]

    def play_pcm(self, name: str, pcm: bytes, zones: list[str] | None) -> list[Playback]:
        """Queue `pcm` on the mounts of `zones`; returns one playback per mount."""
        buffer = PcmBuffer(pcm)
        return [
            stream.play(Playback(name, buffer, self.settings.sample_rate))
            for stream in self.targets(zones)
        ]

    def play_file(self, path: Path, zones: list[str] | None, name: str = "") -> list[Playback]:
        return self.play_pcm(name or path.stem, pcm_of_file(path, self.settings.sample_rate), zones)

    def preempt(
        self, name: str, buffer: PcmBuffer, zones: list[str] | None, mode: str | None = None
    ) -> list[tuple[MountStream, Playback, Playback | None]]:
        """Put `buffer` on the air now on the mounts of `zones`: (mount, its playback, what it
        interrupted) for each."""
        out = []
        for stream in self.targets(zones):
            playback = Playback(name, buffer, self.settings.sample_rate, kind="urgent")
            out.append((stream, playback, stream.preempt(playback, mode or self.settings.resume)))
        return out

    def states(self) -> list[MountState]:
        return [stream.state for stream in self.mounts.values()]

    def wait_connected(self, timeout: float) -> bool:
        """Wait until every mount is connected (True) or `timeout` seconds pass (False)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if all(s.state.connected for s in self.mounts.values()):
                return True
            time.sleep(0.05)
        return all(s.state.connected for s in self.mounts.values())
