"""A station's [audio] settings: engine, voice, rate, fallback chain, mastering and bulletin layout."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from loa.core.errors import UserError
from loa.core.i18n import Catalog

T = Catalog(
    {
        "bad_value": (
            "Giá trị {key} = {value!r} trong mục audio của loa.toml không hợp lệ: {why}.",
            "The value {key} = {value!r} in the audio section of loa.toml is not valid: {why}.",
        ),
        "number": ("phải là một số", "it must be a number"),
        "range": ("phải nằm trong khoảng {low} đến {high}", "it must be between {low} and {high}"),
        "list": (
            'phải là danh sách tên bộ đọc, ví dụ ["gtts", "espeak"]',
            'it must be a list of engine names, e.g. ["gtts", "espeak"]',
        ),
        "format": ("phải là mp3 hoặc wav", "it must be mp3 or wav"),
    }
)

DEFAULT_OUTRO = "Bản tin đến đây là kết thúc. Cảm ơn bà con đã lắng nghe."


@dataclass(frozen=True)
class Mastering:
    """How every clip is mastered for outdoor horn loudspeakers."""

    sample_rate: int = 44100
    loudness_lufs: float = -16.0
    true_peak_dbtp: float = -1.0
    highpass_hz: float = 180.0
    compress_threshold_db: float = -3.0  # relative to the loudness target
    compress_ratio: float = 2.5
    trim_db: float = -45.0

    def key(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


@dataclass(frozen=True)
class AudioSettings:
    """Everything in [audio], validated, with defaults (see station_template.toml)."""

    engine: str = "espeak"
    voice: str | None = None
    rate: float = 1.0
    fallback: tuple[str, ...] = ("espeak",)
    voices: dict[str, str] = field(default_factory=dict)
    mastering: Mastering = field(default_factory=Mastering)
    sentence_pause_ms: int = 450
    phrase_pause_ms: int = 200
    item_pause_ms: int = 1500
    bitrate_kbps: int = 128
    mp3_quality: int = 5
    format: str = "mp3"
    jingle: str | None = None
    intro: str = ""
    outro: str = DEFAULT_OUTRO
    raw: dict[str, Any] = field(default_factory=dict)

    def chain(self, engine: str | None = None) -> list[str]:
        """Engines to try in order: the chosen one, then the fallback chain (no repeats)."""
        names = [engine or self.engine, *self.fallback]
        return list(dict.fromkeys(names))

    def voice_for(self, engine: str) -> str | None:
        """The voice for `engine`: `voice` for the main engine, `[audio.voices]` for the others."""
        if engine in self.voices:
            return self.voices[engine]
        return self.voice if engine == self.engine else None

    def layout_key(self) -> str:
        """What shapes a bulletin besides its clips (pauses, format, bitrate)."""
        payload = [
            self.sentence_pause_ms,
            self.phrase_pause_ms,
            self.item_pause_ms,
            self.bitrate_kbps,
            self.mp3_quality,
            self.format,
            self.mastering.key(),
        ]
        return hashlib.sha256(json.dumps(payload).encode()).hexdigest()[:16]


def _number(raw: dict[str, Any], key: str, default: float, low: float, high: float) -> float:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise UserError(T("bad_value", key=key, value=value, why=T("number")))
    if not low <= float(value) <= high:
        raise UserError(T("bad_value", key=key, value=value, why=T("range", low=low, high=high)))
    return float(value)


def audio_settings(station: Any, **overrides: Any) -> AudioSettings:
    """Read and validate the station's [audio] section. Raises UserError for a bad value.

    `overrides` (engine, voice, rate) replace the file's values, e.g. from command options.
    """
    from loa.audio.engines import engine_class

    raw = dict(station.section("audio"))
    raw.update({k: v for k, v in overrides.items() if v is not None})
    engine = str(raw.get("engine", "espeak"))
    engine_class(engine)
    fallback = raw.get("fallback", ["espeak"])
    if isinstance(fallback, str):
        fallback = [fallback]
    if not isinstance(fallback, list) or not all(isinstance(x, str) for x in fallback):
        raise UserError(T("bad_value", key="fallback", value=fallback, why=T("list")))
    for name in fallback:
        engine_class(name)
    voices = raw.get("voices", {})
    fmt = str(raw.get("format", "mp3")).lower()
    if fmt not in ("mp3", "wav"):
        raise UserError(T("bad_value", key="format", value=fmt, why=T("format")))
    mastering = Mastering(
        sample_rate=int(_number(raw, "sample_rate", 44100, 8000, 96000)),
        loudness_lufs=_number(raw, "loudness_lufs", -16.0, -40.0, -6.0),
        true_peak_dbtp=_number(raw, "true_peak_dbtp", -1.0, -12.0, 0.0),
        highpass_hz=_number(raw, "highpass_hz", 180.0, 0.0, 1000.0),
        compress_threshold_db=_number(raw, "compress_threshold_db", -3.0, -30.0, 10.0),
        compress_ratio=_number(raw, "compress_ratio", 2.5, 1.0, 20.0),
    )
    ident = str(station.section("station").get("ident", "")).strip()
    return AudioSettings(
        engine=engine,
        voice=str(raw["voice"]) if raw.get("voice") else None,
        rate=_number(raw, "rate", 1.0, 0.5, 2.0),
        fallback=tuple(fallback),
        voices={str(k): str(v) for k, v in voices.items()} if isinstance(voices, dict) else {},
        mastering=mastering,
        sentence_pause_ms=int(_number(raw, "sentence_pause_ms", 450, 0, 5000)),
        phrase_pause_ms=int(_number(raw, "phrase_pause_ms", 200, 0, 5000)),
        item_pause_ms=int(_number(raw, "item_pause_ms", 1500, 0, 10000)),
        bitrate_kbps=int(_number(raw, "bitrate_kbps", 128, 32, 320)),
        mp3_quality=int(_number(raw, "mp3_quality", 5, 0, 9)),
        format=fmt,
        jingle=str(raw["jingle"]) if raw.get("jingle") else None,
        intro=str(raw.get("intro", ident)).strip(),
        outro=str(raw.get("outro", DEFAULT_OUTRO)).strip(),
        raw=raw,
    )


def resolve_path(station_root: Path, value: str) -> Path:
    """A path from loa.toml: absolute, or relative to the station folder."""
    path = Path(value).expanduser()
    return path if path.is_absolute() else station_root / path
