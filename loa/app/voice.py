"""A message's own voice and speaking rate (`loa msg voice`), checked against the engines."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from loa.audio.clip import say
from loa.audio.voices import add_piper_voice, check_chain, list_voices
from loa.core.errors import UserError
from loa.core.i18n import Catalog

#: What `loa say` and `loa voices` do, for the doors: speak a text or message into a file;
#: the voices and the chain (checked); each engine of the chain checked now; add a Piper voice.
__all__ = ["add_piper_voice", "check_chain", "list_voices", "say", "set_message_voice"]

if TYPE_CHECKING:
    from loa.core.station import Station

T = Catalog(
    {
        "bad_rate": (
            "Tốc độ đọc {rate} không hợp lệ: cần từ 0,5 (chậm) đến 2,0 (nhanh), 1,0 là bình thường.",
            "The speaking rate {rate} is not valid: give 0.5 (slow) to 2.0 (fast), 1.0 is normal.",
        ),
    }
)


@dataclass(frozen=True)
class MessageVoice:
    message_id: int
    title: str
    voice: str | None
    rate: float | None


def set_message_voice(
    station: Station,
    message_id: int,
    voice: str | None,
    rate: float | None,
    *,
    clear: bool = False,
) -> MessageVoice:
    """Give message `message_id` its own voice ("engine:voice", or a voice of the station's
    engine) and/or rate; `clear` goes back to the station's. The words do not change, so an
    approved message stays approved; its bulletins are rendered again with the new voice.

    Raises UserError (Vietnamese) for an unknown message, engine or voice, a voice below the
    tone bar without the override, or a rate outside 0.5-2.0; nothing is saved then.
    """
    from loa.audio.clip import Speaker, split_voice
    from loa.content.queue import get_message

    if rate is not None and not 0.5 <= rate <= 2.0:
        raise UserError(T("bad_rate", rate=rate))
    if voice:
        speaker = Speaker.for_station(station)
        engine, name = split_voice(voice.strip())
        engine = engine or speaker.settings.engine
        canonical = speaker.engine(engine).resolve_voice(name)  # VoiceError is a UserError
        voice = f"{engine}:{canonical}"
    with station.transaction() as session:
        message = get_message(session, message_id)
        if clear:
            message.voice, message.voice_rate = None, None
        if voice:
            message.voice = voice
        if rate is not None:
            message.voice_rate = float(rate)
        return MessageVoice(message.id, message.title, message.voice, message.voice_rate)
