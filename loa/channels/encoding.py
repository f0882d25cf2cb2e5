"""Shared MP3 encoding for the IP-radio mounts (issue #33 point 2): where several mounts air the
same audio, it is encoded once and the same MP3 frames go to each mount.

- Silence (the filler between bulletins on most mounts) is encoded once per process and sample
  rate/bitrate: a few seconds of it, whose frames each mount sends in a loop, in real time.
- A programme item (a `PcmBuffer`: a bulletin, an urgent message with its alert tone) is encoded
  once by one ffmpeg, faster than real time and as it grows; every mount airing that buffer
  (the zones of a commune, the communes of a province urgent message on the head-end) sends
  its frames at the pace of its own position in it, so resuming, restarting and starting later
  all work as with PCM.

Every encoder runs without the MP3 bit reservoir (`-reservoir 0`): each frame decodes on its
own, so a mount can switch between these frames and its own encoder's (an ident, a relay) at
any frame boundary without a glitch.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from loa.channels.stream import PcmBuffer

_BITRATES = {
    3: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),  # MPEG-1
    2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),  # MPEG-2
    0: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),  # MPEG-2.5
}
_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def samples_per_frame(rate: int) -> int:
    """Samples in one MPEG Layer III frame at `rate` (1152 for MPEG-1 rates, else 576)."""
    return 1152 if rate >= 32000 else 576


def frame_length(header: bytes) -> int:
    """Bytes of the Layer III frame starting with `header` (4 bytes); 0 if it is not one."""
    if len(header) < 4 or header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
        return 0
    version = (header[1] >> 3) & 3
    layer = (header[1] >> 1) & 3
    index = header[2] >> 4
    rate_index = (header[2] >> 2) & 3
    if version == 1 or layer != 1 or index in (0, 15) or rate_index == 3:
        return 0
    bitrate = _BITRATES[version][index] * 1000
    rate = _RATES[version][rate_index]
    padding = (header[2] >> 1) & 1
    return (144 if version == 3 else 72) * bitrate // rate + padding


class FrameSplitter:
    """MP3 bytes in (as a pipe gives them), whole frames out."""

    def __init__(self) -> None:
        self._data = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        self._data += data
        out: list[bytes] = []
        pos = 0
        while len(self._data) - pos >= 4:
            size = frame_length(bytes(self._data[pos : pos + 4]))
            if size == 0:  # not a frame start (a tag, or garbage): look for the next sync
                pos += 1
                continue
            if len(self._data) - pos < size:
                break
            out.append(bytes(self._data[pos : pos + size]))
            pos += size
        del self._data[:pos]
        return out


def encoder_args(ffmpeg: str, rate: int, bitrate_kbps: int) -> list[str]:
    """The ffmpeg command of every mount encoder: 16-bit mono PCM on stdin, MP3 on stdout."""
    r = str(rate)
    return [
        ffmpeg,
        *("-hide_banner", "-loglevel", "error", "-nostdin"),
        *("-f", "s16le", "-ar", r, "-ac", "1", "-i", "pipe:0"),
        *("-c:a", "libmp3lame", "-b:a", f"{bitrate_kbps}k", "-reservoir", "0"),
        *("-ar", r, "-ac", "1", "-id3v2_version", "0", "-write_xing", "0"),
        *("-flush_packets", "1", "-f", "mp3", "pipe:1"),
    ]


def encode_all(pcm: bytes, rate: int, bitrate_kbps: int) -> list[bytes]:
    """`pcm` encoded at once, as frames."""
    from loa.audio.ffmpeg import ffmpeg_exe

    done = subprocess.run(
        encoder_args(ffmpeg_exe(), rate, bitrate_kbps),
        input=pcm,
        capture_output=True,
        check=False,
    )
    return FrameSplitter().feed(done.stdout)


_SILENCE: dict[tuple[int, int], list[bytes]] = {}
_SILENCE_LOCK = threading.Lock()


def silence_frames(rate: int, bitrate_kbps: int) -> list[bytes]:
    """MP3 frames of silence at `rate`/`bitrate_kbps`, encoded once per process: a mount airs
    silence by sending them in a loop."""
    key = (rate, bitrate_kbps)
    with _SILENCE_LOCK:
        if key not in _SILENCE:
            frames = encode_all(bytes(2 * rate * 4), rate, bitrate_kbps)
            _SILENCE[key] = frames[4:-4] or frames  # not the encoder's first and last ones
        return _SILENCE[key]


@dataclass
class _Feed:
    """How far the clip's ffmpeg has been fed."""

    pos: int = 0


class ClipEncoding:
    """One `PcmBuffer` encoded once (faster than real time, as it grows) for every mount that
    airs it. Frame k holds the buffer's samples from k × `samples_per_frame` on."""

    def __init__(self, buffer: PcmBuffer, rate: int, bitrate_kbps: int) -> None:
        from loa.audio.ffmpeg import ffmpeg_exe

        self.buffer = buffer
        self.per_frame = samples_per_frame(rate)
        self.frames: list[bytes] = []
        self.finished = threading.Event()
        self._lock = threading.Lock()
        self._proc = subprocess.Popen(
            encoder_args(ffmpeg_exe(), rate, bitrate_kbps),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            bufsize=0,
        )
        for target in (self._write, self._read):
            threading.Thread(target=target, daemon=True, name=f"clip:{target.__name__}").start()

    @classmethod
    def of(cls, buffer: PcmBuffer, rate: int, bitrate_kbps: int) -> ClipEncoding:
        """The encoding of `buffer` at this rate and bitrate, started by its first mount."""
        key = (rate, bitrate_kbps)
        with buffer._lock:
            found = buffer.encodings.get(key)
            if found is None:
                found = buffer.encodings[key] = cls(buffer, rate, bitrate_kbps)
            return found

    def _write(self) -> None:
        feed = _Feed()
        stdin = self._proc.stdin
        assert stdin is not None
        try:
            while True:
                chunk, ended = self.buffer.take(feed.pos, 1 << 16)
                if chunk:
                    stdin.write(chunk)
                    feed.pos += len(chunk)
                if ended:
                    break
                if not chunk:
                    time.sleep(0.02)  # still being rendered
        except (BrokenPipeError, OSError, ValueError):
            pass
        finally:
            with contextlib.suppress(OSError):
                stdin.close()

    def _read(self) -> None:
        stdout = self._proc.stdout
        assert stdout is not None
        splitter = FrameSplitter()
        try:
            while True:
                data = os.read(stdout.fileno(), 1 << 16)
                if not data:
                    break
                frames = splitter.feed(data)
                with self._lock:
                    self.frames.extend(frames)
        finally:
            self._proc.wait()
            self.finished.set()

    def due(self, pos_bytes: int) -> int:
        """Frames due once a mount's position in the buffer is `pos_bytes`."""
        return pos_bytes // 2 // self.per_frame

    def take(self, start: int, end: int | None) -> tuple[list[bytes], int]:
        """Frames [start, end) (to the last one for None) as far as encoded: (frames, the
        index after the last one given)."""
        with self._lock:
            stop = len(self.frames) if end is None else min(end, len(self.frames))
            return self.frames[start:stop], max(start, stop)

    def close(self) -> None:
        if self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()
