"""`loa province stream`: the province's IP-radio head-end for communes with no always-on PC.

It keeps the Icecast mounts of each hosted commune ([radio.stream] of its loa.toml) on the air,
airs their scheduled bulletins on them at their times, and answers the urgent path
(`loa.app.urgent.air_urgent`) on each commune's control socket, exactly as the commune's own
`loa run` would: a `loa worker` on the same machine hands an urgent message over in a few
milliseconds instead of opening the mounts itself.

Which communes: province.toml ``[stream] communes = ["xa_a", "xa_b"]`` or ``"all"`` (every
station whose [radio.stream] is on). Only the holder of a PostgreSQL advisory lock works (like
`loa scheduler`): a second `loa province stream` waits on standby and takes the mounts over
within one interval when the first one dies (its connection, lock and Icecast sources go with
it).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from loa.core.db import driver_reason
from loa.core.errors import LoaError, UserError
from loa.core.i18n import Catalog
from loa.province.locks import holds_lock, wait_for_lock
from loa.province.queue import on_shared_pool
from loa.province.registry import Province

if TYPE_CHECKING:
    from loa.app.stream import StreamRuntime
    from loa.core.station import Station

log = logging.getLogger(__name__)

#: pg_advisory_lock key of the province head-end ("loa" + "ST" in ASCII, arbitrary).
LOCK_KEY = 0x6C6F61_5354

T = Catalog(
    {
        "unknown": (
            "province.toml [stream] communes có đài không có trong tỉnh: {idents}. Xem danh "
            "sách: loa province list.",
            "province.toml [stream] communes names stations not in the province: {idents}. "
            "See them with: loa province list.",
        ),
        "bad_list": (
            'province.toml [stream] communes cần là "all" hoặc danh sách mã đài, ví dụ '
            '["xa_a", "xa_b"].',
            'province.toml [stream] communes must be "all" or a list of station idents, e.g. '
            '["xa_a", "xa_b"].',
        ),
        "nobody": (
            "Không có xã nào để phát luồng: đặt [stream] communes trong province.toml (và bật "
            "[radio.stream] trong loa.toml của xã).",
            "No commune to stream: set [stream] communes in province.toml (and turn on "
            "[radio.stream] in the commune's loa.toml).",
        ),
        "not_streaming": (
            "Đài {ident} không bật luồng IP ([radio.stream] enabled = false): bỏ qua.",
            "Station {ident} has no IP stream ([radio.stream] enabled = false): skipped.",
        ),
        "open_failed": (
            "Không mở được luồng của đài {ident}: {error}",
            "Could not open the stream of station {ident}: {error}",
        ),
    }
)


def hosted(province: Province) -> list[str]:
    """The communes whose mounts the province keeps (province.toml [stream] communes).
    Raises UserError for a bad list or an unknown ident."""
    from loa.channels.stream import stream_settings
    from loa.province.queue import _settings
    from loa.province.stations import open_station

    wanted = _settings(province).get("stream", {}).get("communes", [])
    known = [r.ident for r in province.stations()]
    if wanted == "all":
        out = []
        for ident in known:
            station = open_station(province, ident)
            try:
                if stream_settings(station).enabled:
                    out.append(ident)
            finally:
                station.engine.dispose()
        return out
    if not isinstance(wanted, list) or not all(isinstance(w, str) for w in wanted):
        raise UserError(T("bad_list"))
    unknown = [w for w in wanted if w not in known]
    if unknown:
        raise UserError(T("unknown", idents=", ".join(unknown)))
    return list(dict.fromkeys(wanted))


@dataclass
class Hosted:
    """One commune held by the head-end: its station, outputs and the bulletins started."""

    station: Station
    runtime: StreamRuntime
    started: set[datetime] = field(default_factory=set)


class HeadEnd:
    """The loop of `loa province stream`."""

    def __init__(
        self,
        province: Province,
        *,
        interval_s: float = 2.0,
        idents: list[str] | None = None,
        look_ahead_s: float = 20.0,
    ) -> None:
        self.province = province
        self.interval_s = interval_s
        #: How often (and how far ahead) each commune's plan is read for bulletins to start.
        self.look_ahead_s = look_ahead_s
        self._looked = 0.0
        self.idents = idents
        self.stop = threading.Event()
        self.hosted: dict[str, Hosted] = {}
        #: The connections every hosted commune shares (see `loa.province.queue.on_shared_pool`).
        self.pool: Any = None

    # -- the lock, as the scheduler holds its own

    def run(
        self,
        *,
        on_active: Callable[[list[str]], None] | None = None,
        on_standby: Callable[[], None] | None = None,
        on_lost: Callable[[], None] | None = None,
    ) -> None:
        """Hold the mounts while holding the head-end lock; wait for it otherwise (a standby).
        The lock is checked every interval: when the database went away the lock went with it,
        so the mounts are let go (a standby may hold them now) and the lock is waited for."""
        idents = self.idents if self.idents is not None else hosted(self.province)
        if not idents:
            raise UserError(T("nobody"))
        while not self.stop.is_set():
            engine = self.province.engine(pool_size=1)
            try:
                with engine.connect() as holder:
                    if wait_for_lock(holder, LOCK_KEY, self.stop, self.interval_s, on_standby):
                        self.open(idents)
                        if on_active is not None:
                            on_active(sorted(self.hosted))
                        self._work(holder)
                        if not self.stop.is_set():
                            log.warning("head-end lock lost; letting the mounts go")
                            if on_lost is not None:
                                on_lost()
            except Exception as exc:  # the database went away: let go, wait, connect again
                if self.stop.is_set():
                    break
                log.warning("head-end: database unavailable (%s); retrying", driver_reason(exc))
                self.stop.wait(self.interval_s)
            finally:
                self.close()
                engine.dispose()

    def _work(self, holder: Any) -> None:
        while not self.stop.is_set():
            if not holds_lock(holder, LOCK_KEY):
                return
            if time.monotonic() - self._looked >= self.look_ahead_s:
                self._looked = time.monotonic()
                self.tick()
            self.stop.wait(self.interval_s)

    # -- the mounts

    def open(self, idents: list[str]) -> list[str]:
        """Start the outputs of each commune (its mounts, its control socket answering the
        urgent path). A commune that cannot be opened is logged and left out. Returns those
        started."""
        from loa.app.stream import StreamRuntime
        from loa.app.urgent import install
        from loa.channels.stream import stream_settings
        from loa.province.stations import open_station

        if self.pool is None:
            from loa.core.db import make_engine

            self.pool = make_engine(self.province.database, pool_size=4).pool
        for ident in idents:
            if ident in self.hosted:
                continue
            station = on_shared_pool(open_station(self.province, ident, pool_size=1), self.pool)
            try:
                if not stream_settings(station).enabled:
                    log.warning(T("not_streaming", ident=ident))
                    continue
                runtime = StreamRuntime(station, with_local=False)
                install(runtime)
                runtime.start()
            except LoaError as exc:
                log.warning(T("open_failed", ident=ident, error=exc))
                continue
            self.hosted[ident] = Hosted(station, runtime)
        return sorted(self.hosted)

    def close(self) -> None:
        """Let every mount go."""
        for item in self.hosted.values():
            item.runtime.stop()
        self.hosted.clear()
        if self.pool is not None:
            self.pool.dispose()
            self.pool = None

    def tick(self) -> int:
        """Start the bulletins due within the next look-ahead on each commune's mounts, each in
        its own thread that waits for its time (`loa.app.play.play_slot`, as `loa run` does).
        Returns how many were started."""
        from loa.app.due import due

        n = 0
        for ident, item in list(self.hosted.items()):
            try:
                now = item.station.now()
                work = due(item.station, now + timedelta(seconds=2 * self.look_ahead_s), now=now)
            except Exception as exc:  # one commune's trouble never stops the others
                log.warning("head-end %s: %s", ident, driver_reason(exc))
                continue
            for when in work.bulletins:
                if when in item.started:
                    continue
                item.started.add(when)
                threading.Thread(
                    target=self._play, args=(ident, item, when), daemon=True, name=f"play:{ident}"
                ).start()
                n += 1
        return n

    def _play(self, ident: str, item: Hosted, when: datetime) -> None:
        from loa.app.play import play_slot
        from loa.app.urgent import slot_zones

        wait = (when - item.station.now()).total_seconds()
        if wait > 0 and self.stop.wait(wait):
            return
        try:
            sink = item.runtime.sink(slot_zones(item.station, when))
            play_slot(item.station, when, now=item.station.now(), sink=sink)
        except Exception as exc:  # logged; the as-run says what aired
            log.warning("head-end %s: bulletin %s: %s", ident, when.isoformat(), exc)


def wait_connected(head: HeadEnd, timeout: float) -> bool:
    """Whether every hosted mount is connected within `timeout` seconds."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        streams = [h.runtime.stream for h in head.hosted.values()]
        if all(s is not None and s.wait_connected(0) for s in streams):
            return True
        time.sleep(0.05)
    return False
