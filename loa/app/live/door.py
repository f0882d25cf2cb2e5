"""`loa live`: the whole broadcast from the caller's process, through the running `loa run` when
there is one, else on outputs opened here."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import TYPE_CHECKING, Any

from loa.app.live.daemon_side import install
from loa.app.live.holder import holder
from loa.app.live.session import LiveResult, LiveSession, start_live
from loa.app.live.text import T
from loa.app.stream import StreamRuntime, ask_daemon, runtime_of
from loa.channels.stream import stream_settings
from loa.core.errors import RuntimeFailure, UserError

if TYPE_CHECKING:
    from loa.core.station import Station


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
