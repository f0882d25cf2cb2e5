"""What a mount airs: PCM of a file, silence, the alert tone, a clip's buffer, and the
programme between bulletins (an interruption, a playback, the filler, a relay)."""

from __future__ import annotations

import functools
import logging
import os
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

if TYPE_CHECKING:
    pass

from loa.channels.stream.settings import StreamSettings, T

log = logging.getLogger("loa.stream")


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
