"""Every mount of a station: the stream service the daemon and the head-end run."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from loa.core.errors import UserError

if TYPE_CHECKING:
    from loa.core.station import Station

from loa.channels.stream.mount import MountState, MountStream
from loa.channels.stream.settings import StreamSettings, T, require_password, stream_settings
from loa.channels.stream.sources import PcmBuffer, Playback, pcm_of_file

# --------------------------------------------------------------------------- all mounts


class StreamService:
    """Every mount of the station's [radio.stream], started and stopped together."""

    def __init__(
        self,
        settings: StreamSettings,
        password: str,
        *,
        station_name: str = "loa",
        clock: Callable[[], datetime] = datetime.now,
        zones: list[str] | None = None,
        on_change: Callable[[StreamService], None] | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock
        ident = b""
        if settings.between == "ident" and settings.ident_file:
            ident = pcm_of_file(Path(settings.ident_file), settings.sample_rate)
        self.mounts: dict[str, MountStream] = {}
        for mount in settings.mounts_for(zones):
            stream = MountStream(
                settings, mount, password, station_name=station_name, clock=clock, ident=ident
            )
            if on_change is not None:
                stream.on_change = lambda: on_change(self)
            self.mounts[mount.zone] = stream

    @classmethod
    def for_station(
        cls,
        station: Station,
        *,
        zones: list[str] | None = None,
        env: Mapping[str, str] | None = None,
        on_change: Callable[[StreamService], None] | None = None,
    ) -> StreamService:
        """The service of the station's [radio.stream]. Raises UserError when it is off or has
        no password."""
        settings = stream_settings(station)
        if not settings.enabled:
            raise UserError(T("disabled"))
        return cls(
            settings,
            require_password(settings, env),
            station_name=station.name,
            clock=station.now,
            zones=zones,
            on_change=on_change,
        )

    def start(self) -> StreamService:
        for stream in self.mounts.values():
            stream.start()
        return self

    def stop(self) -> None:
        for stream in self.mounts.values():
            stream.stop()

    def targets(self, zones: list[str] | None) -> list[MountStream]:
        """The running mounts of `zones` (all for None/[]); unknown zones raise UserError."""
        wanted = self.settings.mounts_for(zones)
        return [self.mounts[m.zone] for m in wanted if m.zone in self.mounts]

    def play_pcm(self, name: str, pcm: bytes, zones: list[str] | None) -> list[Playback]:
        """Queue `pcm` on the mounts of `zones`; returns one playback per mount."""
        buffer = PcmBuffer(pcm)
        return [
            stream.play(Playback(name, buffer, self.settings.sample_rate))
            for stream in self.targets(zones)
        ]

    def play_file(self, path: Path, zones: list[str] | None, name: str = "") -> list[Playback]:
        return self.play_pcm(name or path.stem, pcm_of_file(path, self.settings.sample_rate), zones)

    def preempt(
        self, name: str, buffer: PcmBuffer, zones: list[str] | None, mode: str | None = None
    ) -> list[tuple[MountStream, Playback, Playback | None]]:
        """Put `buffer` on the air now on the mounts of `zones`: (mount, its playback, what it
        interrupted) for each."""
        out = []
        for stream in self.targets(zones):
            playback = Playback(name, buffer, self.settings.sample_rate, kind="urgent")
            out.append((stream, playback, stream.preempt(playback, mode or self.settings.resume)))
        return out

    def states(self) -> list[MountState]:
        return [stream.state for stream in self.mounts.values()]

    def wait_connected(self, timeout: float) -> bool:
        """Wait until every mount is connected (True) or `timeout` seconds pass (False)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if all(s.state.connected for s in self.mounts.values()):
                return True
            time.sleep(0.05)
        return all(s.state.connected for s in self.mounts.values())
