"""The I/O a publish uses, injectable (HTTP client, environment, sleep, randomness), the retry
policy, and which process is sending a publication."""

from __future__ import annotations

import os
import random
import socket
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from loa.channels.base import Channel, get_channel
from loa.channels.settings import ChannelsSettings

if TYPE_CHECKING:
    from loa.core.station import Station


@dataclass
class Runtime:
    """The I/O a publish uses, injectable: HTTP client, environment, sleep and randomness."""

    http: Any = None
    env: Mapping[str, str] | None = None
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)
    channels: dict[str, Channel] = field(default_factory=dict)

    def channel(self, station: Station, name: str) -> Channel:
        if name not in self.channels:
            self.channels[name] = get_channel(station, name, http=self.http, env=self.env)
        return self.channels[name]

    def close(self) -> None:
        for channel in self.channels.values():
            channel.close()
        self.channels.clear()


@dataclass(frozen=True)
class RetryPolicy:
    """How many attempts and how long to wait: base * 2**n, capped, with jitter."""

    attempts: int = 4
    base_s: float = 2.0
    cap_s: float = 60.0

    @classmethod
    def from_station(cls, station: Station) -> RetryPolicy:

        settings = station.settings(ChannelsSettings)
        return cls(
            attempts=settings.retries, base_s=settings.backoff_s, cap_s=settings.backoff_max_s
        )

    def delay(self, failures: int, rng: random.Random) -> float:
        """Seconds to wait after `failures` failed attempts ("equal jitter")."""
        ceiling = min(self.cap_s, self.base_s * (2 ** (failures - 1)))
        return float(ceiling / 2 + rng.uniform(0, ceiling / 2))


def process_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def owner_alive(owner: str | None) -> bool:
    """True when `owner` ("host:pid") is another live process on this machine."""
    if not owner or ":" not in owner:
        return False
    host, _, pid_text = owner.rpartition(":")
    if host != socket.gethostname() or not pid_text.isdigit() or int(pid_text) == os.getpid():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return _not_zombie(int(pid_text))


def _not_zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True
