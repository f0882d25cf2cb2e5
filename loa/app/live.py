"""Phát trực tiếp: the commune's live voice on the air. A microphone (an ffmpeg capture device,
or a recording fed in its place) goes on the chosen zones of the IP stream and the local player,
cutting in like an urgent message (`OnAir.urgent`: a short tone first, the programme resumes
after), until it is stopped or its source ends.

One live source at a time per station, whatever process holds it: `.loa-live.json` in the
station folder names the holder (created exclusively; a dead holder's file is taken over), and
a second one is refused with who holds it. When `loa run` runs, the broadcast runs inside it
(asked over its control socket, kept alive by the caller's pings: a caller that goes away ends
it within `PING_TIMEOUT_S`); otherwise `loa live` opens the outputs itself.

The as-run log gets one row of kind "live" (who, zones, start, end, what it interrupted) and
the broadcast is kept as an MP3 under media/live/ for the report and the archive.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import subprocess
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from loa.app.stream import StreamRuntime, ask_daemon, process_alive, runtime_of
from loa.channels.onair import UrgentAiring, record_live
from loa.channels.stream import PcmBuffer, alert_tone, silence, stream_settings
from loa.core.errors import LoaError, RuntimeFailure, UserError
from loa.core.i18n import Catalog

if TYPE_CHECKING:
    from loa.core.station import Station

log = logging.getLogger("loa.live")

LOCK_NAME = ".loa-live.json"
#: The tone before the voice: shorter than an urgent message's alert (the speaker waits for it).
TONE_S = 1.5
#: A broadcast run by `loa run` for another process ends when that process stops pinging.
PING_TIMEOUT_S = 5.0
#: What the capture does to the voice on its way: rumble out, a gentle compressor, a peak
#: limiter at -1 dBFS; nothing that adds more than a few milliseconds of delay.
VOICE_FILTER = (
    "highpass=f=100,acompressor=threshold=0.1:ratio=3:attack=5:release=150:makeup=2,"
    "alimiter=limit=0.89:attack=2:release=50"
)
#: Bytes read from the capture at a time: 20 ms of 22.05 kHz mono 16-bit.
READ_BYTES = 882

T = Catalog(
    {
        "held": (
            "Đang có người phát trực tiếp: {by} (từ {since}, vùng {zones}). Đợi người đó dừng "
            "rồi thử lại.",
            "Someone is already live: {by} (since {since}, zones {zones}). Wait until they stop "
            "and try again.",
        ),
        "all_zones": ("tất cả", "all"),
        "no_outputs": (
            "Không phát trực tiếp được: đài không bật luồng phát IP ([radio.stream]) và không "
            "có loa run nào đang chạy với đầu phát. Bật [radio.stream] hoặc chạy loa run.",
            "Cannot go live: the station has no IP stream ([radio.stream]) and no loa run with "
            "outputs is running. Turn on [radio.stream] or start loa run.",
        ),
        "device": (
            "Không mở được micrô {device}: {error}. Kiểm tra tên thiết bị (ví dụ "
            "--device pulse:default, alsa:hw:0) hoặc cắm micrô.",
            "Could not open the microphone {device}: {error}. Check the device name (e.g. "
            "--device pulse:default, alsa:hw:0) or plug the microphone in.",
        ),
        "bad_device": (
            "Thiết bị «{device}» không đúng: ghi KIỂU:TÊN (pulse:default, alsa:hw:0) hoặc đường "
            "dẫn một tệp âm thanh.",
            "The device “{device}” is not valid: write KIND:NAME (pulse:default, alsa:hw:0) or "
            "the path of an audio file.",
        ),
        "title": ("Phát trực tiếp ({by})", "Live broadcast ({by})"),
        "not_live": ("Không có buổi phát trực tiếp nào đang diễn ra.", "Nothing is live."),
        "daemon_said": ("loa run trả lời: {error}", "loa run answered: {error}"),
        "no_sound": (
            "Trình duyệt không gửi âm thanh nào từ micrô. Cho phép trang dùng micrô (biểu "
            "tượng ổ khóa cạnh địa chỉ) rồi bấm Phát trực tiếp lại.",
            "The browser sent no sound from the microphone. Allow the page to use the "
            "microphone (the padlock beside the address) and press Go live again.",
        ),
        "not_fed": (
            "Buổi phát này không phải của {by} hoặc đã kết thúc.",
            "This broadcast is not {by}'s, or it has ended.",
        ),
    }
)

#: Capture kinds a --device may name (ffmpeg input devices of the bundled build and Linux).
CAPTURE_KINDS = ("pulse", "alsa", "oss", "openal", "lavfi")
#: The device kind of a browser's microphone: "webm:PATH", its WebM/Opus (or Ogg) stream
#: written by the dashboard into the named pipe PATH (see `BrowserFeed`).
PIPE_KIND = "webm"


@dataclass(frozen=True)
class Holder:
    """Who holds the station's live source."""

    pid: int
    by: str
    zones: list[str]
    since: str

    def message(self) -> str:
        zones = ", ".join(self.zones) or T("all_zones")
        return T("held", by=self.by, since=self.since, zones=zones)


def holder(station: Station) -> Holder | None:
    """Who is live on this station now (None when nobody, or the holder's process is gone)."""
    try:
        data = json.loads((station.root / LOCK_NAME).read_text(encoding="utf-8"))
        found = Holder(int(data["pid"]), str(data["by"]), list(data["zones"]), str(data["since"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return found if process_alive(found.pid) else None


def _take(station: Station, by: str, zones: list[str], since: datetime) -> None:
    """Take the live source (exclusively). Raises UserError naming the holder."""
    path = station.root / LOCK_NAME
    data = json.dumps(
        {
            "pid": os.getpid(),
            "by": by,
            "zones": zones,
            "since": since.strftime("%H:%M:%S %d/%m/%Y"),
        },
        ensure_ascii=False,
    ).encode("utf-8")
    for _ in range(2):
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            current = holder(station)
            if current is not None:
                raise UserError(current.message()) from None
            path.unlink(missing_ok=True)  # its process is gone: take it over
            continue
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        return
    current = holder(station)
    raise UserError(current.message() if current else T("not_live"))


def _give_back(station: Station) -> None:
    with contextlib.suppress(OSError):
        path = station.root / LOCK_NAME
        data = json.loads(path.read_text(encoding="utf-8"))
        if int(data.get("pid", -1)) == os.getpid():
            path.unlink()


def capture_command(device: str, rate: int) -> list[str]:
    """The ffmpeg command that captures `device` as 16-bit mono PCM at `rate` on stdout: a
    device "KIND:NAME" (pulse:default, alsa:hw:0), or an audio file played in real time (a
    microphone stand-in). Raises UserError for a device it cannot name."""
    from loa.audio.ffmpeg import ffmpeg_exe

    head = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin"]
    kind, _, name = device.partition(":")
    if kind == "lavfi" and name:  # a generated source (tests, a check): at real-time pace
        source = ["-re", "-f", kind, "-i", name]
    elif kind == PIPE_KIND and _is_pipe(name):  # a browser's stream: probed from its header
        source = ["-fflags", "nobuffer", "-probesize", "4096", "-analyzeduration", "0"]
        source += ["-i", name]
    elif kind in CAPTURE_KINDS and name:
        source = ["-fflags", "nobuffer", "-f", kind, "-i", name]
    elif Path(device).is_file():
        source = ["-re", "-i", device]
    else:
        raise UserError(T("bad_device", device=device))
    return [
        *head,
        *source,
        *("-af", VOICE_FILTER, "-ac", "1", "-ar", str(rate)),
        *("-flush_packets", "1", "-f", "s16le", "pipe:1"),
    ]


def _is_pipe(name: str) -> bool:
    import stat

    try:
        return bool(name) and stat.S_ISFIFO(os.stat(name).st_mode)
    except OSError:
        return False


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
                _LAST[_key(self.station)] = self.result
            _unregister(self.station, self)
            _give_back(self.station)
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
_LAST: dict[str, LiveResult] = {}  # the last broadcast's result, for a caller that stops late
_SESSIONS_LOCK = threading.Lock()


def _key(station: Station) -> str:
    return str(station.root.resolve())


def _unregister(station: Station, session: LiveSession) -> None:
    with _SESSIONS_LOCK:
        if _SESSIONS.get(_key(station)) is session:
            _SESSIONS.pop(_key(station))


def session_of(station: Station) -> LiveSession | None:
    with _SESSIONS_LOCK:
        return _SESSIONS.get(_key(station))


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
    _take(station, by, list(zones or []), station.now())
    try:
        session = LiveSession(
            station, onair, by=by, zones=zones, device=device, rate=settings.sample_rate
        )
        with _SESSIONS_LOCK:
            _SESSIONS[_key(station)] = session
        session.start()
    except BaseException:
        with _SESSIONS_LOCK:
            _SESSIONS.pop(_key(station), None)
        _give_back(station)
        raise
    return session


# --------------------------------------------------------------------------- the daemon side


def handle_request(station: Station, request: dict[str, Any]) -> dict[str, Any]:
    """The daemon's answer to a "live" control request: start (capture here), ping (the caller
    is still there; answers whether it is on the air), stop."""
    action = str(request.get("action"))
    if action == "start":
        runtime = runtime_of(station)
        if runtime is None:
            raise RuntimeFailure(T("no_outputs"))
        zones = [str(z) for z in request.get("zones") or []] or None
        started = start_live(
            station,
            runtime.onair,
            by=str(request.get("by") or "?"),
            zones=zones,
            device=str(request.get("device")),
        )
        _watch(started)
        assert started.airing is not None
        return {"on_air": True, "zones": list(started.airing.zones)}
    session = session_of(station)
    if session is None:
        last = _LAST.get(_key(station))
        return {"on_air": False, **(last.to_dict() if last and action == "stop" else {})}
    if action == "ping":
        session.last_ping = time.monotonic()
        return {"on_air": not session.ended.is_set()}
    if action == "stop":
        session.stop()
        session.wait(30)
        return {"on_air": False, **(session.result.to_dict() if session.result else {})}
    raise RuntimeFailure(T("not_live"))


def _watch(session: LiveSession) -> None:
    """End a broadcast whose caller stopped pinging (a closed terminal, a dropped browser)."""

    def watch() -> None:
        while not session.ended.wait(0.5):
            if time.monotonic() - session.last_ping > PING_TIMEOUT_S:
                log.warning("live: the caller went away; ending the broadcast")
                session.stop()
                return

    threading.Thread(target=watch, name="live-watch", daemon=True).start()


def install(runtime: StreamRuntime) -> None:
    """Let the runtime answer `loa live` from other processes."""
    runtime.handlers["live"] = lambda request: handle_request(runtime.station, request)


# --------------------------------------------------------------------------- the door's side


def go_live(
    station: Station,
    *,
    by: str,
    zones: list[str] | None,
    device: str,
    until: threading.Event | None = None,
    connect_timeout: float = 10.0,
    on_air: Any = None,
    address: str = "",
) -> LiveResult:
    """`loa live`: the whole broadcast, from this process. Through the running `loa run` when
    there is one (pinging it until `until` is set or the source ends), else on outputs opened
    here. `on_air(zones)` is called once it is on the air. Raises UserError (someone holds the
    live source, unknown zone, bad device, nothing to air on)."""
    from loa.app import users

    until = until or threading.Event()
    current = holder(station)
    if current is not None:
        raise UserError(current.message())
    started = station.now()
    running = runtime_of(station)
    if running is not None:
        session = start_live(station, running.onair, by=by, zones=zones, device=device)
        result = _run_here(session, until, on_air)
    else:
        answer = ask_daemon(
            station, {"op": "live", "action": "start", "by": by, "zones": zones, "device": device}
        )
        if answer is not None:
            if not answer.get("ok"):
                raise UserError(str(answer.get("error") or T("no_outputs")))
            result = _run_through_daemon(station, answer, until, on_air, by=by, zones=zones)
        else:
            settings = stream_settings(station)
            if not settings.enabled:
                raise UserError(T("no_outputs"))
            runtime = StreamRuntime(station, with_local=settings.local_playout)
            install(runtime)  # a second `loa live` meanwhile hears who holds the air
            runtime.start()
            try:
                if runtime.stream is not None:
                    runtime.stream.wait_connected(connect_timeout)
                session = start_live(station, runtime.onair, by=by, zones=zones, device=device)
                result = _run_here(session, until, on_air)
            finally:
                runtime.stop()
    users.audit(station, by, "live", ", ".join(result.zones), address=address, now=started)
    return result


def _run_here(session: LiveSession, until: threading.Event, on_air: Any) -> LiveResult:
    if on_air is not None:
        assert session.airing is not None
        on_air(list(session.airing.zones))
    try:
        while not session.ended.is_set() and not until.is_set():
            session.ended.wait(0.2)
    finally:
        session.stop()
        session.wait(60)
    if session.result is None:
        raise RuntimeFailure(T("not_live"))
    return session.result


def _run_through_daemon(
    station: Station,
    answer: dict[str, Any],
    until: threading.Event,
    on_air: Any,
    *,
    by: str,
    zones: list[str] | None,
) -> LiveResult:
    if on_air is not None:
        on_air(list(answer.get("zones") or zones or []))
    try:
        while not until.wait(1.0):
            ping = ask_daemon(station, {"op": "live", "action": "ping"})
            if not ping or not ping.get("ok") or not ping.get("on_air"):
                break
    finally:
        final = ask_daemon(station, {"op": "live", "action": "stop"}, timeout=40) or {}
    started = final.get("started_at")
    ended = final.get("ended_at")
    return LiveResult(
        by,
        list(final.get("zones") or answer.get("zones") or []),
        datetime.fromisoformat(started) if started else None,
        datetime.fromisoformat(ended) if ended else None,
        float(final.get("seconds") or 0.0),
        list(final.get("interrupted") or []),
        final.get("recording"),
        via="daemon",
        record_id=final.get("record_id"),
        error=final.get("error"),
    )


# --------------------------------------------------------------------------- the browser's side

#: A browser that has sent nothing for this long has gone away (it sends every 250 ms): the
#: broadcast ends, so a dropped connection is off the air within 5 s.
FEED_TIMEOUT_S = 2.5
#: The room in the pipe for the browser's stream (Opus at 32 kbit/s: about a minute).
PIPE_BYTES = 256 * 1024


class BrowserFeed:
    """A live broadcast whose microphone is a browser's: the dashboard passes on the chunks of
    its MediaRecorder (WebM/Opus) with `feed()`, and they go into a named pipe that the capture
    decodes ("webm:PATH"), in this process or in the running `loa run`, through `go_live`
    like `loa live`. The broadcast ends on `stop()`, or when no chunk came for
    `FEED_TIMEOUT_S` (a closed page, a dropped connection)."""

    def __init__(
        self, station: Station, *, by: str, zones: list[str] | None, address: str = ""
    ) -> None:
        import secrets
        import tempfile

        self.station = station
        self.by = by
        self.zones = list(zones or [])
        self.address = address
        self.id = secrets.token_urlsafe(16)
        self.state = "starting"  # then "on_air", and "ended" or "error"
        self.error: str | None = None
        self.result: LiveResult | None = None
        self.on_air_zones: list[str] = []
        self.received = 0
        self.last_fed = time.monotonic()
        self._on_air_at: float | None = None
        self._ended_at: float | None = None
        self._until = threading.Event()
        self._done = threading.Event()
        self._chunks: list[bytes] = []
        self._chunks_ready = threading.Condition()
        self._closed = False
        self.folder = Path(tempfile.mkdtemp(prefix=".loa-live-", dir=station.root))
        self.path = self.folder / "micro.webm"
        os.mkfifo(self.path, 0o600)
        # Read-write: opening does not wait for the reader, and the pipe stays open when the
        # capture has not opened it yet (or reopens it).
        self._fd = os.open(self.path, os.O_RDWR | os.O_NONBLOCK)
        with contextlib.suppress(OSError):
            import fcntl

            fcntl.fcntl(self._fd, 1031, PIPE_BYTES)  # F_SETPIPE_SZ

    @property
    def device(self) -> str:
        return f"{PIPE_KIND}:{self.path}"

    def start(self) -> BrowserFeed:
        """Start the broadcast's thread; the state says how it goes."""
        for target, name in ((self._run, "live-browser"), (self._write, "live-pipe")):
            threading.Thread(target=target, name=name, daemon=True).start()
        threading.Thread(target=self._watch, name="live-browser-watch", daemon=True).start()
        return self

    def feed(self, data: bytes) -> None:
        """One chunk of the browser's stream (in the order it was recorded)."""
        self.last_fed = time.monotonic()
        if not data or self._until.is_set():
            return
        self.received += len(data)
        with self._chunks_ready:
            self._chunks.append(data)
            self._chunks_ready.notify()

    def stop(self) -> None:
        """End the broadcast: what was received airs, then the programme resumes."""
        self._until.set()
        with self._chunks_ready:
            self._closed = True
            self._chunks_ready.notify()

    def wait(self, timeout: float | None = None) -> bool:
        return self._done.wait(timeout)

    @property
    def on_air_s(self) -> float:
        """Seconds on the air so far (to the end, once ended)."""
        if self._on_air_at is None:
            return 0.0
        return (self._ended_at or time.monotonic()) - self._on_air_at

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "state": self.state,
            "by": self.by,
            "zones": self.on_air_zones or self.zones,
            "on_air_s": round(self.on_air_s, 1),
            "error": self.error,
            "result": self.result.to_dict() if self.result else None,
        }

    def _on_air(self, zones: list[str]) -> None:
        self.on_air_zones = list(zones)
        self._on_air_at = time.monotonic()
        self.state = "on_air"

    def _run(self) -> None:
        try:
            self.result = go_live(
                self.station,
                by=self.by,
                zones=self.zones or None,
                device=self.device,
                until=self._until,
                on_air=self._on_air,
                address=self.address,
            )
            self.state = "ended"
        except LoaError as exc:
            # the capture found no sound in the pipe: the browser sent none (no microphone)
            silent = not self.received and str(self.path) in str(exc)
            self.error = T("no_sound") if silent else str(exc)
            self.state = "error"
        except Exception as exc:  # the page hears why; the log keeps the trace
            log.exception("live broadcast from the browser failed")
            self.error = type(exc).__name__
            self.state = "error"
        finally:
            self._ended_at = time.monotonic()
            self.stop()
            _forget_feed(self)
            self._done.set()

    def _write(self) -> None:
        """Pass the chunks on into the pipe; closes it (the capture's end of stream) once
        stopped."""
        try:
            while True:
                with self._chunks_ready:
                    while not self._chunks and not self._closed:
                        self._chunks_ready.wait(0.5)
                    if self._closed:
                        return
                    data = b"".join(self._chunks)
                    self._chunks.clear()
                view = memoryview(data)
                while view and not self._until.is_set():
                    try:
                        view = view[os.write(self._fd, view) :]
                    except BlockingIOError:  # the capture is behind: wait for it
                        time.sleep(0.02)
        except OSError as exc:
            log.warning("live: the browser's stream could not be passed on: %s", exc)
        finally:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            import shutil

            shutil.rmtree(self.folder, ignore_errors=True)

    def _watch(self) -> None:
        while not self._done.wait(0.25):
            if time.monotonic() - self.last_fed > FEED_TIMEOUT_S and not self._until.is_set():
                log.warning("live: the browser went away; ending the broadcast")
                self.stop()


_FEEDS: dict[str, BrowserFeed] = {}


def _forget_feed(feed: BrowserFeed) -> None:
    with _SESSIONS_LOCK:
        if _FEEDS.get(_key(feed.station)) is feed:
            _FEEDS.pop(_key(feed.station))
    _LAST_FEEDS[feed.id] = feed


#: Ended feeds, by id, for the page that asks how its broadcast ended (the last few).
_LAST_FEEDS: dict[str, BrowserFeed] = {}


def live_zones(station: Station) -> list[tuple[str, str]]:
    """(zone, name) of each zone a live broadcast may go to ([] without an IP stream)."""
    settings = stream_settings(station)
    return [(m.zone, m.name or m.zone) for m in settings.mounts] if settings.enabled else []


def start_browser_live(
    station: Station, *, by: str, zones: list[str] | None, address: str = ""
) -> BrowserFeed:
    """Start a live broadcast fed by a browser (the dashboard's "Phát trực tiếp"). Raises
    UserError when someone holds the live source (naming them) or for an unknown zone."""
    if zones:
        stream_settings(station).mounts_for(zones)
    current = holder(station)
    with _SESSIONS_LOCK:
        running = _FEEDS.get(_key(station))
        if current is None and running is not None and running.state in ("starting", "on_air"):
            since = station.now().strftime("%H:%M:%S %d/%m/%Y")
            current = Holder(os.getpid(), running.by, running.zones, since)
        if current is not None:
            raise UserError(current.message())
        feed = BrowserFeed(station, by=by, zones=zones, address=address)
        _FEEDS[_key(station)] = feed
    while len(_LAST_FEEDS) > 20:
        _LAST_FEEDS.pop(next(iter(_LAST_FEEDS)))
    return feed.start()


def browser_feed(station: Station, feed_id: str, by: str) -> BrowserFeed:
    """The browser broadcast `feed_id` of user `by` (running or just ended). Raises UserError
    when there is none of theirs."""
    with _SESSIONS_LOCK:
        feed = _FEEDS.get(_key(station))
    if feed is None or feed.id != feed_id:
        feed = _LAST_FEEDS.get(feed_id)
    if feed is None or feed.by != by or feed.station.root != station.root:
        raise UserError(T("not_fed", by=by))
    return feed
