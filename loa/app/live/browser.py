"""Live from the dashboard: a browser's microphone (WebM/Opus chunks) fed into a named pipe that
the capture reads, on the air through `go_live` like `loa live`."""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from loa.app.live.capture import PIPE_KIND
from loa.app.live.door import go_live
from loa.app.live.holder import Holder, holder
from loa.app.live.session import SESSIONS_LOCK, LiveResult, station_key
from loa.app.live.text import T
from loa.channels.stream import stream_settings
from loa.core.errors import LoaError, UserError

if TYPE_CHECKING:
    from loa.core.station import Station

log = logging.getLogger("loa.live")

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
    with SESSIONS_LOCK:
        if _FEEDS.get(station_key(feed.station)) is feed:
            _FEEDS.pop(station_key(feed.station))
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
    with SESSIONS_LOCK:
        running = _FEEDS.get(station_key(station))
        if current is None and running is not None and running.state in ("starting", "on_air"):
            since = station.now().strftime("%H:%M:%S %d/%m/%Y")
            current = Holder(os.getpid(), running.by, running.zones, since)
        if current is not None:
            raise UserError(current.message())
        feed = BrowserFeed(station, by=by, zones=zones, address=address)
        _FEEDS[station_key(station)] = feed
    while len(_LAST_FEEDS) > 20:
        _LAST_FEEDS.pop(next(iter(_LAST_FEEDS)))
    return feed.start()


def browser_feed(station: Station, feed_id: str, by: str) -> BrowserFeed:
    """The browser broadcast `feed_id` of user `by` (running or just ended). Raises UserError
    when there is none of theirs."""
    with SESSIONS_LOCK:
        feed = _FEEDS.get(station_key(station))
    if feed is None or feed.id != feed_id:
        feed = _LAST_FEEDS.get(feed_id)
    if feed is None or feed.by != by or feed.station.root != station.root:
        raise UserError(T("not_fed", by=by))
    return feed
