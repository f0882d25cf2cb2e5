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
    defer_s: float = 60.0
    defer_max_s: float = 3600.0

    @classmethod
    def from_station(cls, station: Station) -> RetryPolicy:

        settings = station.settings(ChannelsSettings)
        return cls(
            attempts=settings.retries,
            base_s=settings.backoff_s,
            cap_s=settings.backoff_max_s,
            defer_s=settings.defer_s,
            defer_max_s=settings.defer_max_s,
        )

    def later(self, waits: int, at_least: float | None = None) -> float:
        """Seconds to put work off after it was put off `waits` times in a row (1 = first)."""
        wait = min(self.defer_max_s, self.defer_s * (2 ** max(0, waits - 1)))
        return float(max(wait, at_least or 0.0))

    def delay(self, failures: int, rng: random.Random) -> float:
        """Seconds to wait after `failures` failed attempts ("equal jitter")."""
        ceiling = min(self.cap_s, self.base_s * (2 ** (failures - 1)))
        return float(ceiling / 2 + rng.uniform(0, ceiling / 2))


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name (state first), if readable."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            return fh.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def _start_ticks(pid: int) -> str:
    fields = _stat(pid)
    return fields[19] if fields is not None and len(fields) > 19 else "0"


def process_id() -> str:
    """This process as an owner: "host:pid:start" (the start time tells a reused pid apart,
    e.g. a daemon that is always pid 1 in its container)."""
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{_start_ticks(pid)}"


def owner_alive(owner: str | None) -> bool:
    """True when `owner` ("host:pid:start", or an older "host:pid") is another live process
    on this machine."""
    if not owner or ":" not in owner:
        return False
    if owner == process_id():
        return False
    host, _, pid_text = owner.rpartition(":")
    start = None
    if host.count(":") >= 1 and host.rpartition(":")[2].isdigit():
        host, _, first = host.rpartition(":")
        pid_text, start = first, pid_text
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid() and start is None:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    fields = _stat(pid)
    if fields is None:
        return True
    if fields[0] == "Z":
        return False
    return start is None or len(fields) <= 19 or fields[19] == start
