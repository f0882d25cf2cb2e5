"""One live broadcast on the outputs of this process (capture → buffer → on air, the as-run row
and the MP3 kept), and the registry of the broadcast running in this process."""

from __future__ import annotations

import logging
import os
import subprocess
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from loa.app.live.capture import READ_BYTES, capture_command
from loa.app.live.holder import give_back, take
from loa.app.live.text import T
from loa.channels.onair import UrgentAiring, record_live
from loa.channels.stream import PcmBuffer, alert_tone, silence, stream_settings
from loa.core.errors import LoaError, UserError

if TYPE_CHECKING:
    from loa.core.station import Station

log = logging.getLogger("loa.live")

#: The tone before the voice: shorter than an urgent message's alert (the speaker waits for it).
TONE_S = 1.5


@dataclass
class LiveResult:
    """What a door reports about a live broadcast."""

    by: str
    zones: list[str]
    started_at: datetime | None
    ended_at: datetime | None = None
    seconds: float = 0.0
    interrupted: list[str] = field(default_factory=list)
    recording: str | None = None
    via: str = "here"  # "here" (outputs of this process) or "daemon" (the running loa run)
    record_id: int | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "by": self.by,
            "zones": self.zones,
            "started_at": self.started_at.isoformat(timespec="seconds")
            if self.started_at
            else None,
            "ended_at": self.ended_at.isoformat(timespec="seconds") if self.ended_at else None,
            "seconds": round(self.seconds, 2),
            "interrupted": self.interrupted,
            "recording": self.recording,
            "via": self.via,
            "record_id": self.record_id,
            "error": self.error,
        }


class LiveSession:
    """One live broadcast on the outputs of this process: capture → buffer → on air."""

    def __init__(
        self,
        station: Station,
        onair: Any,
        *,
        by: str,
        zones: list[str] | None,
        device: str,
        rate: int,
    ) -> None:
        self.station = station
        self.onair = onair
        self.by = by
        self.zones = zones
        self.device = device
        self.rate = rate
        self.buffer = PcmBuffer(alert_tone(rate, TONE_S) + silence(rate, 0.2), complete=False)
        self.voice = bytearray()
        self.airing: UrgentAiring | None = None
        self.proc: subprocess.Popen[bytes] | None = None
        self.error: str | None = None
        self.ended = threading.Event()  # the capture is over (stopped, or its source ended)
        self.done = threading.Event()  # the airing is over and logged
        self.result: LiveResult | None = None
        self.last_ping = time.monotonic()
        self._stopping = threading.Event()
        self._voice_from = time.monotonic() + TONE_S
        self._reader: threading.Thread | None = None
        self._closer: threading.Thread | None = None

    @property
    def name(self) -> str:
        return "live"

    def start(self) -> LiveSession:
        """Open the capture, cut in (tone first) and return; raises UserError when the device
        cannot be opened (nothing went on air)."""
        cmd = capture_command(self.device, self.rate)
        # A file in place of the microphone already speaks from its first second: it starts
        # when the tone ends. A real microphone is opened now (a device that cannot be opened
        # is refused before anything is cut) and what it hears during the tone is dropped: the
        # speaker waits for the tone, and the delay from mouth to air stays the capture's and
        # the stream's, not the tone's.
        recorded = cmd[cmd.index("-i") - 1] == "-re" and Path(self.device).is_file()
        if not recorded:
            self._open(cmd)
            self._read_first()
        self.airing = self.onair.urgent(self.name, self.buffer, self.zones, live_rate=self.rate)
        self._voice_from = time.monotonic() + TONE_S
        self._reader = threading.Thread(
            target=self._read, args=(cmd if recorded else None,), name="live-capture", daemon=True
        )
        self._reader.start()
        self._closer = threading.Thread(target=self._close, name="live-log", daemon=True)
        self._closer.start()
        return self

    def _open(self, cmd: list[str]) -> None:
        try:
            self.proc = subprocess.Popen(
                cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
        except OSError as exc:
            raise UserError(T("device", device=self.device, error=exc.strerror)) from None

    def _read_first(self) -> None:
        """Wait until the capture gives sound (or fails)."""
        assert self.proc is not None and self.proc.stdout is not None
        data = os.read(self.proc.stdout.fileno(), READ_BYTES)
        if not data:
            self.proc.wait()
            error = (self.proc.stderr.read() if self.proc.stderr else b"").decode(
                "utf-8", "replace"
            )
            lines = [line for line in error.strip().splitlines() if line.strip()]
            raise UserError(T("device", device=self.device, error=lines[-1] if lines else "?"))

    def _read(self, later: list[str] | None) -> None:
        try:
            if later is not None:
                if self._stopping.wait(max(self._voice_from - time.monotonic(), 0.0)):
                    return
                self._open(later)
            assert self.proc is not None and self.proc.stdout is not None
            fd = self.proc.stdout.fileno()
            while True:
                data = os.read(fd, READ_BYTES)
                if not data:
                    break
                if time.monotonic() < self._voice_from:
                    continue
                self.buffer.append(data)
                self.voice += data
        except (OSError, LoaError) as exc:
            self.error = str(exc)
        finally:
            self.buffer.append(silence(self.rate, 0.3))
            self.buffer.finish()
            self.ended.set()

    def stop(self) -> None:
        """End the capture (the broadcast ends once what was captured has aired)."""
        self._stopping.set()
        proc = self.proc
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def _close(self) -> None:
        """When the airing is over: keep the recording, write the as-run row, free the source."""
        try:
            self.ended.wait()
            assert self.airing is not None
            self.airing.finished.wait()
            recording = self._keep_recording()
            seconds = len(self.buffer) / 2 / self.rate
            record = record_live(
                self.station,
                self.airing,
                by=self.by,
                title=T("title", by=self.by),
                duration_s=seconds,
                recording=recording,
                device=self.device,
            )
            self.result = LiveResult(
                self.by,
                list(self.airing.zones),
                self.airing.started_at,
                self.airing.ended_at,
                seconds,
                [str(i["bulletin"]) for i in self.airing.interrupted],
                recording,
                record_id=record.id,
                error=self.error,
            )
        except Exception:
            log.exception("live broadcast could not be logged")
        finally:
            if self.result is not None:
                LAST_RESULTS[station_key(self.station)] = self.result
            _unregister(self.station, self)
            give_back(self.station)
            self.done.set()

    def _keep_recording(self) -> str | None:
        """The voice as an MP3 under media/live/ (relative to the media folder)."""
        if not self.voice:
            return None
        import numpy as np

        from loa.audio.ffmpeg import write_mp3

        assert self.airing is not None
        started = self.airing.started_at or self.station.now()
        relative = f"live/{started:%Y-%m-%d}/{started:%H%M%S}.mp3"
        path = self.station.media_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        samples = np.frombuffer(bytes(self.voice), dtype="<i2").astype(np.float32) / 32768.0
        try:
            write_mp3(path, samples, self.rate, tags={"title": T("title", by=self.by)})
        except LoaError as exc:
            log.error("live recording not kept: %s", exc)
            return None
        return relative

    def wait(self, timeout: float | None = None) -> bool:
        return self.done.wait(timeout)


_SESSIONS: dict[str, LiveSession] = {}
LAST_RESULTS: dict[
    str, LiveResult
] = {}  # the last broadcast's result, for a caller that stops late
SESSIONS_LOCK = threading.Lock()


def station_key(station: Station) -> str:
    return str(station.root.resolve())


def _unregister(station: Station, session: LiveSession) -> None:
    with SESSIONS_LOCK:
        if _SESSIONS.get(station_key(station)) is session:
            _SESSIONS.pop(station_key(station))


def session_of(station: Station) -> LiveSession | None:
    with SESSIONS_LOCK:
        return _SESSIONS.get(station_key(station))


def start_live(
    station: Station,
    onair: Any,
    *,
    by: str,
    zones: list[str] | None,
    device: str,
) -> LiveSession:
    """Go live on `onair` (this process's outputs). Raises UserError when someone holds the
    live source (naming them), for an unknown zone, or a device that cannot be opened."""
    settings = stream_settings(station)
    if zones:
        settings.mounts_for(zones)  # an unknown zone is refused before anything is cut
    take(station, by, list(zones or []), station.now())
    try:
        session = LiveSession(
            station, onair, by=by, zones=zones, device=device, rate=settings.sample_rate
        )
        with SESSIONS_LOCK:
            _SESSIONS[station_key(station)] = session
        session.start()
    except BaseException:
        with SESSIONS_LOCK:
            _SESSIONS.pop(station_key(station), None)
        give_back(station)
        raise
    return session
