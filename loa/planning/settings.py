"""The [scheduler] section of loa.toml, read once into typed settings with checked values."""

from __future__ import annotations

from datetime import time
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import Field, field_validator

from loa.core.dates import format_time, parse_time
from loa.core.errors import UserError
from loa.core.i18n import Catalog
from loa.core.settings import Flag, Integer, Number, SectionSettings

if TYPE_CHECKING:
    from loa.core.station import Station

T = Catalog(
    {
        "bad_time": (
            'cần một giờ dạng HH:MM, ví dụ "04:00"',
            'a time of day is needed as HH:MM, e.g. "04:00"',
        ),
    }
)


class SchedulerSettings(SectionSettings):
    """Every planner and daemon setting, with the defaults used when loa.toml says nothing."""

    section: ClassVar[str] = "scheduler"

    render_at: str = "04:00"
    radio_grace_minutes: Number = Field(default=10.0, ge=0, le=240)
    social_late_hours: Number = Field(default=6.0, ge=0, le=72)
    skip_holidays: Flag = True
    min_spacing_hours: Number = Field(default=0.0, ge=0, le=72)
    max_per_day: Integer = Field(default=1, ge=1, le=10)
    max_same_topic: Integer = Field(default=2, ge=1, le=50)
    repeat_factor: Number = Field(default=0.35, ge=0.0, le=1.0)
    social_posts_per_week: Integer = Field(default=1, ge=0, le=14)
    words_per_second: Number = Field(default=2.5, ge=0.5, le=6.0)
    bulletin_overhead_s: Number = Field(default=30.0, ge=0, le=600)
    item_gap_s: Number = Field(default=1.5, ge=0, le=30)
    auto_plan_days: Integer = Field(default=7, ge=0, le=60)
    horizon_hours: Number = Field(default=48.0, ge=1, le=24 * 14)
    poll_seconds: Number = Field(default=30.0, ge=1, le=3600)

    @field_validator("render_at", mode="before")
    @classmethod
    def _clock(cls, raw: Any) -> str:
        """A time setting as "HH:MM": a string parse_time accepts, or a TOML local time (05:30:00)."""
        if isinstance(raw, time) and not (raw.second or raw.microsecond or raw.tzinfo):
            return format_time(raw)
        if not isinstance(raw, str):
            raise ValueError(T("bad_time"))
        try:
            return format_time(parse_time(raw))
        except UserError:
            raise ValueError(T("bad_time")) from None

    @classmethod
    def from_mapping(cls, section: dict[str, Any]) -> SchedulerSettings:
        """Build from a [scheduler] dict. Raises UserError naming the bad key and value."""
        from loa.core.settings import validate_section

        return validate_section(cls, section, cls.section)

    @classmethod
    def from_station(cls, station: Station) -> SchedulerSettings:
        """The station's [scheduler] (validated once): the same as `station.settings(cls)`."""
        return station.settings(cls)

    @property
    def render_time(self) -> time:
        return parse_time(self.render_at)
