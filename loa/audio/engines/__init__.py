"""Text-to-speech engines behind one contract, chosen by name from loa.toml."""

from __future__ import annotations

from loa.audio.engines.base import (
    Engine,
    EngineOptions,
    EngineUnavailable,
    Speech,
    Voice,
    VoiceError,
)
from loa.audio.engines.espeak import EspeakEngine
from loa.audio.engines.gtts import GttsEngine
from loa.audio.engines.piper import PiperEngine
from loa.audio.engines.silent import SilentEngine
from loa.core.errors import UserError
from loa.core.i18n import Catalog

T = Catalog(
    {
        "unknown": (
            'Không có bộ đọc "{name}". Các bộ đọc có: {choices} (khoá engine/fallback trong mục audio '
            "của loa.toml, hoặc --engine).",
            'There is no engine "{name}". Available engines: {choices} (keys engine/fallback in the audio '
            "section of loa.toml, or --engine).",
        ),
    }
)

ENGINES: dict[str, type[Engine]] = {
    cls.name: cls for cls in (EspeakEngine, GttsEngine, PiperEngine, SilentEngine)
}


def engine_class(name: str) -> type[Engine]:
    """The engine class registered under `name`. Raises UserError listing the valid names."""
    try:
        return ENGINES[name]
    except KeyError:
        raise UserError(T("unknown", name=name, choices=", ".join(ENGINES))) from None


__all__ = [
    "ENGINES",
    "Engine",
    "EngineOptions",
    "EngineUnavailable",
    "Speech",
    "Voice",
    "VoiceError",
    "engine_class",
]
