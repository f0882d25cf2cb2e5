"""What is on the air right now, on the stream mounts and the local player together, and how an
urgent message cuts into it.

`OnAir` is the one place that plays a bulletin on both outputs (`OnAirSink`, a radio `Sink`) and
that preempts them (`OnAir.urgent`): the local player is stopped and, after the alert, plays
the rest of the bulletin (a copy cut from where it stopped) or the whole of it again; the mounts
do the same in memory (`loa.channels.stream.MountStream.preempt`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from loa.channels.radio import CommandSink, PlayoutError, Sink
from loa.channels.stream import Interruption, PcmBuffer, Playback, StreamService

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

log = logging.getLogger("loa.stream")


def cut_from(path: Path, offset_s: float, folder: Path) -> Path:
    """A copy of `path` from `offset_s` on (WAV), for a player that cannot seek."""
    from loa.audio.ffmpeg import ffmpeg_exe

    folder.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(suffix=".wav", prefix="resume-", dir=folder)
    os.close(handle)
    done = subprocess.run(
        [
            ffmpeg_exe(),
            *("-hide_banner", "-loglevel", "error", "-nostdin", "-y"),
            *("-ss", f"{offset_s:.2f}", "-i", str(path), str(name)),
        ],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        raise PlayoutError(done.stderr.decode("utf-8", "replace").strip()[-200:])
    return Path(name)


class LocalPlayout:
    """The station's local sink, made interruptible: a command player runs as a child process
    that `interrupt` stops; other sinks (null, file) take no real time and are never cut."""

    def __init__(self, sink: Sink, folder: Path, clock: Callable[[], datetime]) -> None:
        self.sink = sink
        self.folder = folder
        self.clock = clock
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._started = 0.0
        self._offset = 0.0
        self._held: threading.Event | None = None
        self.interruptions: list[Interruption] = []

    def play(self, path: Path, duration_s: float) -> float:
        """Play `path`; returns wall seconds, interruptions and the urgent airing included."""
        if not isinstance(self.sink, CommandSink):
            return self.sink.play(path, duration_s)
        began = time.monotonic()
        source, offset = path, 0.0
        while True:
            cmd = self.sink.command(source)
            try:
                proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            except FileNotFoundError:
                raise PlayoutError(f"{cmd[0]}: not found") from None
            with self._lock:
                self._proc, self._started, self._offset = proc, time.monotonic(), offset
            _out, err = proc.communicate()
            if source != path:
                source.unlink(missing_ok=True)  # the resume copy has aired
            with self._lock:
                self._proc = None
                held = self._held
            if held is None:
                if proc.returncode != 0:
                    raise PlayoutError((err or b"").decode("utf-8", "replace").strip()[-200:])
                return time.monotonic() - began
            held.wait()
            last = self.interruptions[-1]
            offset = last.at_s if last.mode == "resume" else 0.0
            source = cut_from(path, offset, self.folder) if offset > 0 else path
            with self._lock:
                self._held = None

    def interrupt(self, by: str, mode: str) -> threading.Event | None:
        """Stop what the player plays now; returns the event that lets it go on (set it after
        the urgent audio), or None when nothing was playing."""
        with self._lock:
            proc = self._proc
            if proc is None or proc.poll() is not None:
                return None
            at = self._offset + time.monotonic() - self._started
            self._held = threading.Event()
            self.interruptions.append(Interruption(at, by, mode, self.clock()))
            held = self._held
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=2)
        if proc.poll() is None:
            proc.kill()
        return held

    def resume(self, held: threading.Event) -> None:
        if self.interruptions:
            self.interruptions[-1].resumed_at = self.clock()
        held.set()


@dataclass
class UrgentAiring:
    """One urgent message on the air: where, what it cut into, and when it ended."""

    name: str
    zones: list[str]
    interrupted: list[dict[str, Any]] = field(default_factory=list)
    local: bool = False
    playbacks: list[Playback] = field(default_factory=list)
    finished: threading.Event = field(default_factory=threading.Event)
    started_at: datetime | None = None
    ended_at: datetime | None = None


class OnAir:
    """The station's outputs during `loa run`: the stream service (may be None) and the local
    player (may be None). A second urgent message cuts into the first on the mounts (which then
    goes on); on the local player it waits for the first to end."""

    def __init__(
        self,
        stream: StreamService | None,
        local: LocalPlayout | None,
        clock: Callable[[], datetime],
        resume: str = "resume",
    ) -> None:
        self.stream = stream
        self.local = local
        self.clock = clock
        self.resume = resume
        self._local_lock = threading.Lock()

    def sink(self, zones: list[str] | None) -> OnAirSink:
        return OnAirSink(self, zones)

    def urgent(
        self,
        name: str,
        buffer: PcmBuffer,
        zones: list[str] | None,
        local_audio: Callable[[], Path | None] | None = None,
        *,
        live_rate: int | None = None,
    ) -> UrgentAiring:
        """Cut into the mounts of `zones` and the local player with `buffer` (it may still be
        growing) and return at once (the mounts switch before it returns); `finished` is set
        when every output is done with it and has gone back to what it interrupted.
        `local_audio` gives the file the local player airs (called in a worker thread, after
        the mounts have started). With `live_rate` (a live broadcast: the buffer grows as the
        microphone speaks), the local player is fed the buffer as it grows instead (16-bit PCM
        at that rate), when its sink can take a stream (the built-in ffmpeg player)."""
        airing = UrgentAiring(name, [], started_at=self.clock())
        if self.stream is not None:
            for stream, playback, cut in self.stream.preempt(name, buffer, zones, self.resume):
                airing.zones.append(stream.mount.zone)
                airing.playbacks.append(playback)
                if cut is not None:
                    airing.interrupted.append(
                        {"zone": stream.mount.zone, "bulletin": cut.name, "playback": cut}
                    )
        play: Callable[[LocalPlayout], bool] | None = None
        if live_rate is not None:
            play = self._live_player(buffer, live_rate)
        elif local_audio is not None:
            play = _file_player(local_audio)
        worker = threading.Thread(
            target=self._finish, args=(airing, play), name="urgent", daemon=True
        )
        worker.start()
        return airing

    def _finish(self, airing: UrgentAiring, play: Callable[[LocalPlayout], bool] | None) -> None:
        try:
            if self.local is not None and play is not None:
                with self._local_lock:  # one urgent message at a time on the one speaker
                    self._local_urgent(self.local, airing, play)
            for playback in airing.playbacks:
                playback.wait()
            airing.ended_at = self.clock()
        finally:
            airing.finished.set()

    def _local_urgent(
        self, local: LocalPlayout, airing: UrgentAiring, play: Callable[[LocalPlayout], bool]
    ) -> None:
        """Hold what the local player plays, `play` the urgent audio on it, then resume."""
        held = local.interrupt(airing.name, self.resume)
        try:
            airing.local = play(local)
        except Exception:  # the stream went on; the local failure is in the log
            log.exception("%s: local playout failed", airing.name)
        finally:
            if held is not None:
                cut = {"zone": None, "bulletin": "local", "interruption": local.interruptions[-1]}
                airing.interrupted.append(cut)
                local.resume(held)

    def _live_player(self, buffer: PcmBuffer, rate: int) -> Callable[[LocalPlayout], bool] | None:
        """Feed the growing buffer to the local speaker through the built-in player (a player
        command that takes only a file cannot air a live voice: the stream still does)."""
        from loa.channels.radio import FfmpegSink

        sink = self.local.sink if self.local is not None else None
        if sink is None:
            return None
        if not isinstance(sink, FfmpegSink):
            log.warning("live: the local player %s cannot air a live voice", sink.describe())
            return None
        return lambda _local: _pipe_live(buffer, rate, sink.output, sink.device)


def _file_player(local_audio: Callable[[], Path | None]) -> Callable[[LocalPlayout], bool]:
    """Play the file `local_audio` gives (None: nothing to play) on the local sink."""

    def play(local: LocalPlayout) -> bool:
        path = local_audio()
        if path is None:
            return False
        from loa.audio.ffmpeg import audio_duration

        local.sink.play(path, audio_duration(path))
        return True

    return play


def _pipe_live(buffer: PcmBuffer, rate: int, output: str, device: str) -> bool:
    """Play a growing PCM buffer on a sound device through the bundled ffmpeg until it ends."""
    from loa.audio.ffmpeg import ffmpeg_exe

    proc = subprocess.Popen(
        [
            ffmpeg_exe(),
            *("-hide_banner", "-loglevel", "error", "-nostdin"),
            *("-f", "s16le", "-ar", str(rate), "-ac", "1", "-i", "pipe:0"),
            *("-f", output, device),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    assert proc.stdin is not None
    pos = 0
    try:
        while True:
            chunk, ended = buffer.take(pos, 8192)
            if chunk:
                proc.stdin.write(chunk)
                proc.stdin.flush()
                pos += len(chunk)
            if ended:
                break
            if not chunk:
                time.sleep(0.02)
    except (BrokenPipeError, OSError):
        return False
    finally:
        with contextlib.suppress(OSError):
            proc.stdin.close()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode == 0


class OnAirSink(Sink):
    """A radio sink that plays a bulletin on the zone mounts and the local player at once and
    returns when both are done (urgent messages cutting in included)."""

    name = "stream"

    def __init__(self, onair: OnAir, zones: list[str] | None) -> None:
        self.onair = onair
        self.zones = zones
        self.aired_zones: list[str] = []
        self.interruptions: list[dict[str, Any]] = []
        self.listeners: dict[str, list[int]] = {}

    def play(self, path: Path, duration_s: float) -> float:
        if not path.is_file():
            raise PlayoutError(str(path))
        began = time.monotonic()
        playbacks: list[Playback] = []
        if self.onair.stream is not None:
            playbacks = self.onair.stream.play_file(path, self.zones, name=path.stem)
            self.aired_zones = [s.mount.zone for s in self.onair.stream.targets(self.zones)]
        error: PlayoutError | None = None
        if self.onair.local is not None:
            try:
                self.onair.local.play(path, duration_s)
            except PlayoutError as exc:
                error = exc
        self._sample_while(playbacks)
        for playback in playbacks:
            playback.wait()
            self.interruptions += [i.to_dict() for i in playback.interruptions]
        if self.onair.local is not None:
            self.interruptions += [
                {**i.to_dict(), "local": True} for i in self.onair.local.interruptions
            ]
            self.onair.local.interruptions.clear()
        if error is not None and not playbacks:
            raise error
        return time.monotonic() - began

    def _sample_while(self, playbacks: list[Playback]) -> None:
        """Count the listeners of each mount (Icecast's /status-json.xsl) every
        [radio.stream] listener_sample_s while the bulletin plays; a status that cannot be
        read is skipped (the airing is what matters)."""
        stream = self.onair.stream
        if stream is None or not playbacks:
            return
        every = float(stream.settings.listener_sample_s)
        if every <= 0:
            return
        from loa.channels.icecast import fetch_status
        from loa.core.errors import RuntimeFailure

        mounts = {s.mount.mount for s in stream.targets(self.zones)}
        first = min(2.0, every)
        wait = first
        while True:
            if all(p.wait(wait) for p in playbacks):
                return
            try:
                status = fetch_status(stream.settings.server, timeout=min(3.0, every))
            except RuntimeFailure:
                status = {}
            for mount in mounts:
                found = status.get(mount)
                if found is not None and found.listeners is not None:
                    self.listeners.setdefault(mount, []).append(found.listeners)
            wait = every

    def report(self) -> dict[str, Any]:
        """What the as-run row keeps of this playout: zones, interruptions and the listener
        counts sampled per mount while it aired."""
        extra: dict[str, Any] = {}
        if self.interruptions:
            extra["interrupted"] = self.interruptions
        if self.listeners:
            extra["listeners"] = {m: list(v) for m, v in sorted(self.listeners.items())}
        return extra

    def describe(self) -> str:
        return "stream + local"


def record_urgent(
    station: Any, airing: UrgentAiring, message: Any, *, repeats: int, duration_s: float
) -> Any:
    """Write the as-run row of an urgent airing: zones, repeats, what it interrupted and when
    that went on. Returns the row (detached)."""
    from loa.channels.models import AsRunRecord, AsRunStatus

    interrupted = _interrupted(airing)
    started = airing.started_at or station.now()
    record = AsRunRecord(
        channel="radio",
        status=AsRunStatus.DONE,
        started_at=started,
        ended_at=airing.ended_at or station.now(),
        duration_s=round(duration_s, 2),
        bulletin=f"{airing.name}:{started:%Y-%m-%dT%H:%M:%S}",
        message_id=message.id,
        title=message.title,
        topic_code=message.topic_code,
        audiences=list(message.audience_codes),
        note=None,
        extra={
            "urgent": True,
            "repeats": repeats,
            "local": airing.local,
            "interrupted": interrupted,
        },
        zones=list(airing.zones),
        kind="recorded" if getattr(message, "audio", None) else "speech",
    )
    with station.transaction() as session:
        session.add(record)
        session.flush()
        session.expunge(record)
    return record


def _interrupted(airing: UrgentAiring) -> list[dict[str, Any]]:
    """What an urgent airing (or a live broadcast) cut into, and when each went on."""
    interrupted: list[dict[str, Any]] = []
    for cut in airing.interrupted:
        found: Interruption | None = cut.get("interruption")
        playback = cut.get("playback")
        if found is None and isinstance(playback, Playback):
            found = next((i for i in playback.interruptions if i.by == airing.name), None)
        interrupted.append(
            {"zone": cut["zone"], "bulletin": cut["bulletin"], **(found.to_dict() if found else {})}
        )
    return interrupted


def record_live(
    station: Any,
    airing: UrgentAiring,
    *,
    by: str,
    title: str,
    duration_s: float,
    recording: str | None,
    device: str,
) -> Any:
    """Write the as-run row of a live broadcast (kind "live"): who, zones, start, end, what it
    interrupted and the recording kept for the archive. Returns the row (detached)."""
    from loa.channels.models import LIVE, AsRunRecord, AsRunStatus

    started = airing.started_at or station.now()
    record = AsRunRecord(
        channel="radio",
        status=AsRunStatus.DONE if duration_s > 0 else AsRunStatus.FAILED,
        started_at=started,
        ended_at=airing.ended_at or station.now(),
        duration_s=round(duration_s, 2),
        bulletin=f"{airing.name}:{started:%Y-%m-%dT%H:%M:%S}",
        title=title,
        note=None,
        extra={
            "live": True,
            "by": by,
            "device": device,
            "recording": recording,
            "local": airing.local,
            "interrupted": _interrupted(airing),
        },
        zones=list(airing.zones),
        kind=LIVE,
    )
    with station.transaction() as session:
        session.add(record)
        session.flush()
        session.expunge(record)
    return record
