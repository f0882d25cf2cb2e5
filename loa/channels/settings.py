"""The [channels] section of loa.toml (retries and back-off), and reading a [channels.<name>] table.

Each channel class declares the model of its own table (`Channel.settings_model`); the tables
under [channels] must name a registered channel (`loa.core.registry`), so a typo or a channel
no package provides is refused with the list of valid ones.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from pydantic import Field, model_validator

from loa.core.errors import UserError
from loa.core.i18n import Catalog
from loa.core.settings import Integer, Number, SectionSettings

if TYPE_CHECKING:
    from loa.core.station import Station

T = Catalog(
    {
        "unknown_channel": (
            "Mục [channels.{name}] trong loa.toml không ứng với kênh nào. Các kênh hợp lệ: {valid}. "
            "Xoá mục đó, sửa tên kênh, hoặc cài gói cung cấp kênh này.",
            "The section [channels.{name}] in loa.toml names no channel. Valid channels: {valid}. "
            "Remove that section, fix the name, or install the package that provides it.",
        ),
    }
)

S = TypeVar("S", bound=SectionSettings)


class ChannelsSettings(SectionSettings):
    """[channels]: how transient failures (timeouts, 5xx, rate limits) are retried.

    The wait after the n-th failure is `backoff_s * 2**(n-1)`, at most `backoff_max_s`, with
    jitter; work put off to a later run waits `defer_s * 2**(n-1)`, at most `defer_max_s`. The channel tables under it ([channels.radio], ...) are read by `channel_settings`.
    """

    section: ClassVar[str] = "channels"

    retries: Integer = Field(default=4, ge=1, le=20)
    backoff_s: Number = Field(default=2.0, ge=0.0, le=3600.0)
    backoff_max_s: Number = Field(default=60.0, ge=0.0, le=86400.0)
    #: The first wait before a publication put off (rate-limited, given up for now, or
    #: uncertain after a failed look-up) is tried again; it doubles each time, up to
    #: `defer_max_s`.
    defer_s: Number = Field(default=60.0, ge=0.0, le=86400.0)
    defer_max_s: Number = Field(default=3600.0, ge=0.0, le=7 * 86400.0)

    @model_validator(mode="before")
    @classmethod
    def _channel_tables(cls, data: Any) -> Any:
        """Set the [channels.<name>] tables aside (each channel validates its own), refusing
        a table that names no registered channel. An empty one configures nothing and passes
        (stations made from the first template carry an empty [channels.zalo])."""
        if not isinstance(data, dict):
            return data
        from loa.core.registry import channel_names, channel_specs

        known = channel_specs()
        for name, value in data.items():
            if isinstance(value, dict) and value and name not in known:
                raise UserError(T("unknown_channel", name=name, valid=", ".join(channel_names())))
        return {
            k: v for k, v in data.items() if not (isinstance(v, dict) and (k in known or not v))
        }


class NoSettings(SectionSettings):
    """The table of a channel that has no settings: any key in it is refused."""


def channel_settings(station: Station, name: str, model: type[S]) -> S:
    """The [channels.<name>] table validated into `model` (cached on the station).

    [channels] itself is validated first, so an unknown channel table or a bad retry setting
    is reported whichever channel is used. Raises UserError naming the section, key and value.
    """
    station.settings(ChannelsSettings)
    return station.settings(model, f"channels.{name}")
