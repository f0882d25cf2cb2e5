"""What `loa voices` shows: every engine's voices and whether each engine works right now."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loa.audio.engines import EngineOptions, EngineUnavailable, VoiceError, engines
from loa.audio.settings import audio_settings

if TYPE_CHECKING:
    from loa.core.station import Station

CHECK_TIMEOUT_S = 5.0


def list_voices(station: Station, *, check: bool = True) -> tuple[list[dict[str, Any]], list[str]]:
    """Rows (engine, voice, label, online, works, reason) and the station's engine chain.

    With `check`, each engine speaks a short word once (online engines with a short timeout).
    """
    settings = audio_settings(station)
    raw = settings.engine_settings
    raw["gtts_timeout"] = min(settings.gtts_timeout or CHECK_TIMEOUT_S, CHECK_TIMEOUT_S)
    rows: list[dict[str, Any]] = []
    for name, cls in engines().items():
        engine = cls(EngineOptions(root=station.root, settings=raw))
        works: bool | None = None
        reason = ""
        try:
            voice_list = engine.voices()
        except (EngineUnavailable, VoiceError) as exc:
            voice_list, reason, works = [], str(exc), False
        if check and works is None:
            try:
                failure = engine.check(settings.voice_for(name))
            except (EngineUnavailable, VoiceError) as exc:
                failure = str(exc)
            works, reason = failure is None, failure or ""
        if not voice_list:
            rows.append(
                {
                    "engine": name,
                    "voice": "-",
                    "label": engine.description_text(),
                    "online": cls.online,
                    "works": works,
                    "reason": reason,
                }
            )
        for index, voice in enumerate(voice_list):
            label = voice.label() if index else f"{voice.label()} ({engine.description_text()})"
            rows.append(
                {
                    "engine": name,
                    "voice": voice.id,
                    "label": label,
                    "online": cls.online,
                    "works": works,
                    "reason": reason,
                }
            )
    return rows, settings.chain()
