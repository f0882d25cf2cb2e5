"""Which loudspeaker zones (Icecast mounts of [radio.stream]) a slot or a message targets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from loa.channels.stream import stream_settings
from loa.content.models import Message
from loa.core.errors import UserError
from loa.core.i18n import Catalog
from loa.planning.models import Slot

if TYPE_CHECKING:
    from loa.core.station import Station

T = Catalog(
    {
        "no_slot": (
            "Không có khung giờ số {id}. Xem danh sách: loa slots list",
            "There is no slot {id}. See them with: loa slots list",
        ),
        "no_message": (
            "Không có tin số {id}. Xem danh sách: loa msg list",
            "There is no message {id}. See them with: loa msg list",
        ),
        "not_radio": (
            "Khung giờ {id} thuộc kênh {channel}, không phải đài: chỉ khung giờ phát thanh có "
            "vùng loa.",
            "Slot {id} belongs to {channel}, not the radio: only radio slots have zones.",
        ),
        "need_target": (
            "Chọn --slot SỐ hoặc --message SỐ (hoặc cả hai).",
            "Choose --slot ID or --message ID (or both).",
        ),
    }
)


@dataclass
class Targets:
    """What `set_zones` changed: slot and message ids with their zones now."""

    slot: tuple[int, list[str]] | None
    message: tuple[int, list[str]] | None


def set_zones(
    station: Station, zones: list[str], *, slot_id: int | None = None, message_id: int | None = None
) -> Targets:
    """Make a radio slot and/or a message target `zones` ([] = every zone). Raises UserError for
    an unknown zone (listing the valid ones), slot or message; nothing changes then."""
    from loa.core.registry import is_audio

    if slot_id is None and message_id is None:
        raise UserError(T("need_target"))
    zones = [m.zone for m in stream_settings(station).mounts_for(zones)] if zones else []
    out = Targets(None, None)
    with station.transaction() as session:
        if slot_id is not None:
            slot = session.get(Slot, slot_id)
            if slot is None:
                raise UserError(T("no_slot", id=slot_id))
            if not is_audio(slot.channel):
                raise UserError(T("not_radio", id=slot_id, channel=slot.channel))
            slot.zones = list(zones)
            out.slot = (slot_id, list(zones))
        if message_id is not None:
            message = session.get(Message, message_id)
            if message is None:
                raise UserError(T("no_message", id=message_id))
            message.zones = list(zones)
            out.message = (message_id, list(zones))
    return out


@dataclass(frozen=True)
class Zone:
    """One loudspeaker zone of [radio.stream]: its code, its Icecast mount, its name."""

    zone: str
    mount: str
    name: str


def stream_zones(station: Station) -> list[Zone]:
    """The station's zones, in [radio.stream] order (none when it has no mounts)."""
    return [Zone(m.zone, m.mount, m.name) for m in stream_settings(station).mounts]


def streaming(station: Station) -> bool:
    """Whether the station's [radio.stream] is on."""
    return bool(stream_settings(station).enabled)
