"""The seam for the provincial "source information system" (hệ thống thông tin nguồn).

Circular 39/2020/TT-BTTTT has each province run a source information system that collects what
commune IP radios air and can send bulletins down to them. Its exchange format is not public, so
loa ships no adapter and guesses none: this module only fixes the interface one would implement
(for example, in a package registering it under the `loa.source_systems` entry point) once a
province publishes its API. Nothing in loa calls it yet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class AiredReport:
    """One thing the commune aired, as the as-run log records it."""

    started_at: datetime
    ended_at: datetime | None
    title: str
    priority: str  # "normal" | "high" | "urgent" (thông thường, ưu tiên, khẩn cấp)
    zones: tuple[str, ...]
    duration_s: float
    audio: Path | None = None
    message_id: int | None = None


@dataclass(frozen=True)
class IncomingBulletin:
    """A bulletin the province sends down for the commune to air."""

    remote_id: str
    title: str
    priority: str
    audio: Path
    zones: tuple[str, ...] = ()
    not_before: datetime | None = None
    not_after: datetime | None = None
    metadata: dict[str, str] = field(default_factory=dict)


@runtime_checkable
class SourceSystem(Protocol):
    """A province's source information system, as loa would use it.

    Every method raises `loa.core.errors.RuntimeFailure` when the remote side cannot be reached
    or refuses (with a message saying what to check) and `loa.core.errors.UserError` when the
    station's settings for it are wrong. Implementations are idempotent on `AiredReport`
    (same start time and title: sent once) and on `IncomingBulletin.remote_id`.
    """

    name: str

    def report_aired(self, reports: list[AiredReport]) -> int:
        """Send what was aired; returns how many the remote side accepted."""
        ...

    def fetch_bulletins(self, since: datetime) -> list[IncomingBulletin]:
        """Bulletins sent down since `since`, with their audio downloaded to local files."""
        ...

    def acknowledge(self, remote_id: str, aired_at: datetime | None) -> None:
        """Tell the remote side a bulletin was aired (or, with None, refused)."""
        ...
