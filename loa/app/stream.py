"""The stream head-end inside `loa run`: starts the mounts with the daemon, gives the radio job
its sink, answers `loa urgent` from other processes on a local control socket, and leaves the
mounts' state in .loa-stream.json for `loa stream status` and `loa today`.

The control socket lives in Linux's abstract namespace (no file, no path-length limit), named
after the station folder; only processes of this machine can reach it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from loa.channels.icecast import fetch_status
from loa.channels.onair import LocalPlayout, OnAir, OnAirSink
from loa.channels.radio import make_sink
from loa.channels.stream import MountState, StreamService, stream_settings
from loa.core.errors import LoaError, RuntimeFailure
from loa.core.fileio import atomic_write_text
from loa.core.i18n import Catalog

if TYPE_CHECKING:
    from loa.core.station import Station

log = logging.getLogger("loa.stream")

STATE_NAME = ".loa-stream.json"

T = Catalog(
    {
        "no_daemon": ("loa run không chạy", "loa run is not running"),
        "bad_request": ("Yêu cầu không hợp lệ.", "Bad request."),
        "no_answer": (
            "loa run không trả lời trong {seconds} giây. Xem nhật ký của nó, hoặc khởi động lại.",
            "loa run did not answer within {seconds} s. Check its log, or restart it.",
        ),
    }
)

_RUNTIMES: dict[str, StreamRuntime] = {}
_RUNTIMES_LOCK = threading.Lock()


def control_address(station: Station) -> str:
    """The abstract Unix socket name of the station's running daemon."""
    digest = hashlib.sha256(str(station.root.resolve()).encode()).hexdigest()[:24]
    return f"\0loa-stream-{digest}"


class ControlServer:
    """The daemon's control socket: answers requests of other processes on this machine (one
    JSON line in, one out) with its `handlers` by "op"."""

    def __init__(self, station: Station) -> None:
        self.station = station
        self.handlers: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {}
        self._server: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def start(self) -> ControlServer:
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            server.bind(control_address(self.station))
        except OSError as exc:
            server.close()
            raise RuntimeFailure(str(exc)) from None
        server.listen(8)
        server.settimeout(0.2)  # a closed socket does not wake accept(): look up regularly
        self._server = server
        self._thread = threading.Thread(target=self._serve, name="loa-control", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        server, self._server = self._server, None
        if server is not None:
            with contextlib.suppress(OSError):
                server.close()
        if self._thread is not None:
            self._thread.join(2)

    def _serve(self) -> None:
        while not self._stop.is_set():
            server = self._server
            if server is None:
                return
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.setblocking(True)
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(10)
            try:
                raw = b""
                while not raw.endswith(b"\n") and len(raw) < 65536:
                    data = conn.recv(4096)
                    if not data:
                        break
                    raw += data
                request = json.loads(raw.decode("utf-8"))
                handler = self.handlers.get(str(request.get("op")))
                if handler is None:
                    answer: dict[str, Any] = {"ok": False, "error": T("bad_request")}
                else:
                    answer = {"ok": True, **handler(request)}
            except LoaError as exc:
                answer = {"ok": False, "error": str(exc), "code": exc.exit_code}
            except (OSError, ValueError, AttributeError):
                answer = {"ok": False, "error": T("bad_request")}
            except Exception as exc:  # the daemon keeps serving; the caller hears why
                log.exception("control request failed")
                answer = {"ok": False, "error": type(exc).__name__}
            with contextlib.suppress(OSError):
                conn.sendall(json.dumps(answer, ensure_ascii=False).encode() + b"\n")


class StreamRuntime:
    """The daemon's outputs: the stream service (when [radio.stream] is on) and the local
    player, behind one `OnAir`; plus the control socket and the state file."""

    def __init__(self, station: Station, *, with_local: bool = True) -> None:
        self.station = station
        settings = stream_settings(station)
        service = (
            StreamService.for_station(station, on_change=lambda _s: self.write_state())
            if settings.enabled
            else None
        )
        local = (
            LocalPlayout(make_sink(station), station.media_dir / "urgent", station.now)
            if with_local
            else None
        )
        self.onair = OnAir(service, local, station.now, settings.resume)
        self.control = ControlServer(station)
        self.handlers = self.control.handlers
        self._state_lock = threading.Lock()

    @property
    def stream(self) -> StreamService | None:
        return self.onair.stream

    def start(self) -> StreamRuntime:
        if self.stream is not None:
            self.stream.start()
        self.control.start()
        with _RUNTIMES_LOCK:
            _RUNTIMES[str(self.station.root.resolve())] = self
        self.write_state()
        return self

    def stop(self) -> None:
        with _RUNTIMES_LOCK:
            _RUNTIMES.pop(str(self.station.root.resolve()), None)
        self.control.stop()
        if self.stream is not None:
            self.stream.stop()
        self.write_state(running=False)

    def sink(self, zones: list[str] | None) -> OnAirSink:
        return self.onair.sink(zones)

    def write_state(self, *, running: bool = True) -> None:
        """The mounts' state for other processes (atomic; no secret in it)."""
        with self._state_lock, contextlib.suppress(OSError):
            states = self.stream.states() if self.stream is not None else []
            data = {
                "pid": os.getpid(),
                "running": running,
                "updated": self.station.now().isoformat(timespec="seconds"),
                "mounts": [s.to_dict() for s in states],
            }
            atomic_write_text(self.station.root / STATE_NAME, json.dumps(data, ensure_ascii=False))


def runtime_of(station: Station) -> StreamRuntime | None:
    """The runtime started in this process for `station`, if any."""
    with _RUNTIMES_LOCK:
        return _RUNTIMES.get(str(station.root.resolve()))


def daemon_listening(station: Station) -> bool:
    """Whether the station's `loa run` is up: its control socket takes a connection (nothing
    is asked of it)."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(1.0)
    try:
        sock.connect(control_address(station))
    except OSError:
        return False
    finally:
        sock.close()
    return True


def ask_daemon(
    station: Station, request: dict[str, Any], timeout: float = 10.0
) -> dict[str, Any] | None:
    """Send a request to the station's running `loa run`; None when none is listening.
    Raises RuntimeFailure when it listens but does not answer within `timeout` seconds."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(control_address(station))
    except OSError:
        sock.close()
        return None
    raw = b""
    with sock:
        try:
            sock.sendall(json.dumps(request).encode() + b"\n")
            while not raw.endswith(b"\n"):
                data = sock.recv(4096)
                if not data:
                    break
                raw += data
        except OSError:
            raise RuntimeFailure(T("no_answer", seconds=f"{timeout:g}")) from None
    try:
        answer = json.loads(raw.decode("utf-8"))
    except ValueError:
        raise RuntimeFailure(T("no_answer", seconds=f"{timeout:g}")) from None
    return answer if isinstance(answer, dict) else None


# --------------------------------------------------------------------------- status


@dataclass
class StreamStatus:
    """`loa stream status`: the daemon's view of each mount joined with the server's."""

    enabled: bool
    server: str
    running: bool
    mounts: list[MountState]
    server_error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "enabled": self.enabled,
            "server": self.server,
            "running": self.running,
            "server_error": self.server_error,
            "mounts": [m.to_dict() for m in self.mounts],
        }


def process_alive(pid: Any) -> bool:
    """Whether `pid` (as read from a state or lock file) names a running process; never for
    0 or a negative number, which `os.kill` would take for a process group."""
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stream_status(station: Station, *, http: Any = None, live: bool = True) -> StreamStatus:
    """Each mount's state: connected, since, last error (from the daemon's state file, when it
    runs) and listeners (from the server's /status-json.xsl; not asked when `live` is False)."""
    settings = stream_settings(station)
    try:
        saved = json.loads((station.root / STATE_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        saved = {}
    running = bool(saved.get("running")) and process_alive(saved.get("pid"))
    known = {m.get("mount"): m for m in saved.get("mounts", []) if isinstance(m, dict)}
    mounts: list[MountState] = []
    for mount in settings.mounts:
        state = MountState(mount.zone, mount.mount)
        row = known.get(mount.mount) if running else None
        if row:
            for key in ("connected", "since", "last_error", "reconnects", "playing"):
                if key in row:
                    setattr(state, key, row[key])
        elif not running:
            state.last_error = T("no_daemon")
        mounts.append(state)
    status = StreamStatus(settings.enabled, str(settings.server), running, mounts)
    if settings.enabled and live:
        try:
            found_live = fetch_status(settings.server, http=http)
        except RuntimeFailure as exc:
            status.server_error = str(exc)
        else:
            for state in mounts:
                found = found_live.get(state.mount)
                state.listeners = found.listeners if found is not None else None
    return status
