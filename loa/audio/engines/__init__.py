"""Text-to-speech engines behind one contract, chosen by name from loa.toml."""

from __future__ import annotations

from functools import cache

from loa.audio.engines.azure import AzureEngine
from loa.audio.engines.base import (
    Engine,
    EngineNotInstalled,
    EngineOptions,
    EngineUnavailable,
    Speech,
    Voice,
    VoiceError,
    VoiceWithheld,
)
from loa.audio.engines.cloud import QuotaExhausted
from loa.audio.engines.espeak import EspeakEngine
from loa.audio.engines.fpt import FptEngine
from loa.audio.engines.google import GoogleEngine
from loa.audio.engines.gtts import GttsEngine
from loa.audio.engines.piper import PiperEngine
from loa.audio.engines.silent import SilentEngine
from loa.audio.engines.viettel import ViettelEngine
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

#: The engines loa ships; other packages add theirs through the `loa.engines` entry-point group
#: (name = "module:EngineClass").
BUILTIN_ENGINES: dict[str, type[Engine]] = {
    cls.name: cls
    for cls in (
        EspeakEngine,
        FptEngine,
        GoogleEngine,
        AzureEngine,
        ViettelEngine,
        GttsEngine,
        PiperEngine,
        SilentEngine,
    )
}


@cache
def engines() -> dict[str, type[Engine]]:
    """Every engine by name: the built-ins, then those installed packages add (a plugin whose
    package is broken is left out, and `loa voices` does not list it)."""
    from loa.core.registry import ENGINE_GROUP, load_spec, plugin_specs

    found: dict[str, type[Engine]] = dict(BUILTIN_ENGINES)
    for name, spec in plugin_specs(ENGINE_GROUP, {}).items():
        if name in found:
            continue
        try:
            found[name] = load_spec(spec)
        except (ImportError, AttributeError):
            continue
    return found


def engine_class(name: str) -> type[Engine]:
    """The engine class registered under `name`. Raises UserError listing the valid names."""
    registry = engines()
    try:
        return registry[name]
    except KeyError:
        raise UserError(T("unknown", name=name, choices=", ".join(registry))) from None


__all__ = [
    "BUILTIN_ENGINES",
    "Engine",
    "EngineNotInstalled",
    "EngineOptions",
    "EngineUnavailable",
    "QuotaExhausted",
    "Speech",
    "Voice",
    "VoiceError",
    "VoiceWithheld",
    "engine_class",
    "engines",
]
