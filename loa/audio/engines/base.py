"""The text-to-speech engine contract: one small interface every voice backend implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from loa.core.errors import RuntimeFailure, UserError
from loa.core.i18n import Catalog

T = Catalog(
    {
        "bad_voice": (
            'Bộ đọc {engine} không có giọng "{voice}" đọc được tiếng Việt. '
            "Chọn một trong: {choices} (khoá voice trong mục audio của loa.toml, hoặc --voice).",
            'Engine {engine} has no voice "{voice}" that speaks Vietnamese. '
            "Choose one of: {choices} (key voice in the audio section of loa.toml, or --voice).",
        ),
        "withheld": (
            'Không chọn được giọng "{voice}" của bộ đọc {engine}: {why}. Người nghe khó phân '
            "biệt các thanh, dễ hiểu sai tin. Chọn giọng khác (loa voices), hoặc nếu vẫn muốn "
            "dùng giọng này, ghi allow_unoffered_voice = true trong mục audio của loa.toml.",
            'The voice "{voice}" of engine {engine} cannot be chosen: {why}. Listeners would '
            "hardly tell its tones apart and could mishear a notice. Choose another voice "
            "(loa voices), or to use it anyway set allow_unoffered_voice = true in the audio "
            "section of loa.toml.",
        ),
        "north": ("Bắc", "north"),
        "central": ("Trung", "central"),
        "south": ("Nam", "south"),
        "female": ("nữ", "female"),
        "male": ("nam", "male"),
    }
)


class EngineUnavailable(RuntimeFailure):
    """The engine cannot speak right now (no network, missing library or voice file).

    The fallback chain catches this and tries the next engine.
    """


class VoiceError(UserError):
    """The voice does not exist or cannot speak Vietnamese (a configuration mistake)."""


class VoiceWithheld(VoiceError):
    """The voice exists but is measured below the tone bar (not offered): it speaks only with
    `allow_unoffered_voice = true` in [audio]."""


class EngineNotInstalled(VoiceError):
    """The engine needs an optional package that is not installed (e.g. `loa[piper]`).

    A setup mistake the user fixes with pip, so a UserError whose text names the extra to
    install; like VoiceError, the fallback chain notes it and tries the next engine.
    """


@dataclass(frozen=True)
class Voice:
    """One selectable voice of an engine."""

    id: str
    label_vi: str
    label_en: str
    language: str = "vi"
    # (vi, en) why this voice is not offered as a dialect voice (it speaks only when asked for
    # by id, never as a default); empty when it is offered.
    withheld: tuple[str, str] = ("", "")
    region: str = ""  # north, central, south ("" unknown)
    gender: str = ""  # female, male ("" unknown)

    def region_text(self) -> str:
        return T(self.region) if self.region in ("north", "central", "south") else ""

    def gender_text(self) -> str:
        return T(self.gender) if self.gender in ("female", "male") else ""

    @property
    def offered(self) -> bool:
        return not self.withheld[0]

    def label(self) -> str:
        from loa.core.i18n import language

        return self.label_en if language() == "en" else self.label_vi

    def withheld_text(self) -> str:
        from loa.core.i18n import language

        return self.withheld[1] if language() == "en" else self.withheld[0]


@dataclass
class Speech:
    """Synthesised audio: mono float32 samples in [-1, 1] at `sample_rate`."""

    samples: np.ndarray
    sample_rate: int

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.sample_rate if self.sample_rate else 0.0


@dataclass
class EngineOptions:
    """What an engine may need from the station: its folder and its [audio] settings."""

    root: Path
    settings: dict[str, Any]


class Engine(ABC):
    """A text-to-speech backend. Implementations set `name`, `online` and `max_chars`.

    `synthesize` speaks one chunk of at most `max_chars` characters (the caller splits text).
    """

    name: ClassVar[str]
    online: ClassVar[bool] = False
    max_chars: ClassVar[int] = 400
    description: ClassVar[tuple[str, str]] = ("", "")

    def __init__(self, options: EngineOptions) -> None:
        self.options = options

    @abstractmethod
    def voices(self) -> list[Voice]:
        """The voices this engine offers (all Vietnamese)."""

    def default_voice(self) -> str:
        voices = self.voices()
        return next((v.id for v in voices if v.offered), voices[0].id)

    def resolve_voice(self, voice: str | None) -> str:
        """The canonical voice id for `voice` (None = default). Raises VoiceError."""
        if not voice:
            return self.default_voice()
        voices = {v.id: v for v in self.voices()}
        ids = set(voices)
        if voice in ids:
            found = voices[voice]
            if not found.offered and not self.options.settings.get("allow_unoffered_voice"):
                raise VoiceWithheld(
                    T("withheld", voice=voice, engine=self.name, why=found.withheld_text())
                )
            return voice
        raise VoiceError(
            T("bad_voice", engine=self.name, voice=voice, choices=", ".join(sorted(ids)))
        )

    def identity(self, voice: str) -> str:
        """A string that changes whenever this engine would sound different (part of cache keys)."""
        return f"{self.name}:{voice}"

    @abstractmethod
    def synthesize(self, text: str, voice: str, rate: float) -> Speech:
        """Speak `text` (at most `max_chars` characters) with `voice` at `rate` (1.0 = normal).

        Raises EngineUnavailable when the engine cannot run now, VoiceError for a bad voice.
        """

    def check(self, voice: str | None = None) -> str | None:
        """None when the engine can speak right now, else the reason it cannot (user text)."""
        try:
            speech = self.synthesize("xin chào", self.resolve_voice(voice), 1.0)
        except (EngineUnavailable, VoiceError) as exc:
            return str(exc)
        return None if len(speech.samples) else "0 s"

    def description_text(self) -> str:
        from loa.core.i18n import language

        return self.description[1] if language() == "en" else self.description[0]
