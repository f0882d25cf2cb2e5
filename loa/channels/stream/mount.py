"""One Icecast mount kept up: its feeder, sender and connector threads."""

from __future__ import annotations

import collections
import contextlib
import logging
import os
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from loa.channels.encoding import (
    ClipEncoding,
    FrameSplitter,
    encoder_args,
    samples_per_frame,
    silence_frames,
)
from loa.channels.icecast import connect_source, source_request
from loa.core.errors import RuntimeFailure

if TYPE_CHECKING:
    import socket


from loa.channels.stream.settings import CHUNK_S, MountSettings, StreamSettings, T
from loa.channels.stream.sources import Filler, Interruption, Playback

log = logging.getLogger("loa.stream")


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
