"""The running `loa run`'s side: it answers another process's `loa live` (start, ping, stop)
and ends a broadcast whose caller stopped pinging."""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING, Any

from loa.app.live.session import LAST_RESULTS, LiveSession, session_of, start_live, station_key
from loa.app.live.text import T
from loa.app.stream import StreamRuntime, runtime_of
from loa.core.errors import RuntimeFailure

if TYPE_CHECKING:
    from loa.core.station import Station

log = logging.getLogger("loa.live")

#: A broadcast run by `loa run` for another process ends when that process stops pinging.
PING_TIMEOUT_S = 5.0


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
        last = LAST_RESULTS.get(station_key(station))
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
