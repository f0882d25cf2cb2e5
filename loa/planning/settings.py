"""The [scheduler] section of loa.toml, read once into typed settings with checked values."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import time
from typing import TYPE_CHECKING, Any

from loa.core.errors import UserError
from loa.core.i18n import Catalog

if TYPE_CHECKING:
    from loa.core.station import Station

T = Catalog(
    {
        "bad_value": (
            "Giá trị [scheduler] {key} = {value!r} trong loa.toml không hợp lệ: {why}.",
            "[scheduler] {key} = {value!r} in loa.toml is not valid: {why}.",
        ),
        "number": ("cần một số", "a number is needed"),
        "range": ("cần nằm trong khoảng {lo} đến {hi}", "it must be between {lo} and {hi}"),
        "boolean": ("cần true hoặc false", "true or false is needed"),
    }
)

# key: (low, high) for numbers
_RANGES: dict[str, tuple[float, float]] = {
    "radio_grace_minutes": (0, 240),
    "social_late_hours": (0, 72),
    "min_spacing_hours": (0, 72),
    "max_per_day": (1, 10),
    "max_same_topic": (1, 50),
    "repeat_factor": (0.0, 1.0),
    "social_posts_per_week": (0, 14),
    "words_per_second": (0.5, 6.0),
    "bulletin_overhead_s": (0, 600),
    "item_gap_s": (0, 30),
    "auto_plan_days": (0, 60),
    "horizon_hours": (1, 24 * 14),
    "poll_seconds": (1, 3600),
}


@dataclass(frozen=True)
class SchedulerSettings:
    """Every planner and daemon setting, with the defaults used when loa.toml says nothing."""

    render_at: str = "04:00"
    radio_grace_minutes: float = 10
    social_late_hours: float = 6
    skip_holidays: bool = True
    min_spacing_hours: float = 0
    max_per_day: int = 1
    max_same_topic: int = 2
    repeat_factor: float = 0.35
    social_posts_per_week: int = 1
    words_per_second: float = 2.5
    bulletin_overhead_s: float = 30
    item_gap_s: float = 1.5
    auto_plan_days: int = 7
    horizon_hours: float = 48
    poll_seconds: float = 30

    @classmethod
    def from_mapping(cls, section: dict[str, Any]) -> SchedulerSettings:
        """Build from a [scheduler] dict. Raises UserError naming the bad key and value."""
        from loa.planning.slots import format_time, parse_time

        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name not in section:
                continue
            raw = section[f.name]
            if f.name == "render_at":
                values[f.name] = format_time(parse_time(str(raw)))
            elif f.name == "skip_holidays":
                if not isinstance(raw, bool):
                    raise UserError(T("bad_value", key=f.name, value=raw, why=T("boolean")))
                values[f.name] = raw
            else:
                if isinstance(raw, bool) or not isinstance(raw, int | float):
                    raise UserError(T("bad_value", key=f.name, value=raw, why=T("number")))
                lo, hi = _RANGES[f.name]
                if not lo <= raw <= hi:
                    raise UserError(
                        T("bad_value", key=f.name, value=raw, why=T("range", lo=lo, hi=hi))
                    )
                values[f.name] = int(raw) if f.type in ("int", int) else float(raw)
        return cls(**values)

    @classmethod
    def from_station(cls, station: Station) -> SchedulerSettings:
        return cls.from_mapping(station.section("scheduler"))

    @property
    def render_time(self) -> time:
        from loa.planning.slots import parse_time

        return parse_time(self.render_at)
