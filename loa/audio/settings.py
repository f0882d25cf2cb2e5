"""A station's [audio] settings: engine, voice, rate, fallback chain, mastering and bulletin layout."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from loa.core.i18n import Catalog
from loa.core.settings import Integer, Number, SectionSettings, StationSettings

if TYPE_CHECKING:
    from loa.core.station import Station

T = Catalog(
    {
        "key_in_toml": (
            "Không ghi khoá API vào loa.toml (khoá {key} trong mục audio): xoá dòng đó, đặt "
            'biến môi trường {env} hoặc lưu vào keyring của máy (dịch vụ "loa").',
            "Never put an API key in loa.toml (key {key} in the audio section): remove that "
            'line and set the {env} environment variable or the system keyring (service "loa").',
        ),
    }
)

DEFAULT_OUTRO = "Bản tin đến đây là kết thúc. Cảm ơn bà con đã lắng nghe."
# Syllables per minute net of pauses that an engine speaks at rate 1.0 (espeak-ng is tuned to it;
# other engines are taken to speak about this pace by nature). Horns echo between houses: about
# 200 with long pauses carries; the measured espeak-ng default before was about 250.
REFERENCE_PACE = 200


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


class AudioSettings(SectionSettings):
    """Everything in [audio], validated, with defaults (see station_template.toml).

    `intro` left unset in loa.toml is the station's `[station] ident`.
    """

    section: ClassVar[str] = "audio"

    engine: str = "espeak"
    fallback: tuple[str, ...] = ("espeak",)
    voice: str | None = None
    rate: Number = Field(default=1.0, ge=0.5, le=2.0)
    pace: Integer = Field(default=REFERENCE_PACE, ge=120, le=300)  # syllables/min net of pauses
    voices: dict[str, str] = Field(default_factory=dict)
    gtts_timeout: Number | None = Field(default=None, gt=0, le=120)
    gtts_tld: str | None = None
    # the engines over the network (fpt, google, azure, viettel); their keys never live here
    cloud_timeout: Number | None = Field(default=None, gt=0, le=300)
    fpt_url: str | None = None
    fpt_poll_s: Number | None = Field(default=None, gt=0, le=30)
    google_url: str | None = None
    azure_region: str | None = None
    azure_url: str | None = None
    viettel_url: str | None = None
    # a voice measured below the tone bar (not offered) may be chosen only with this set
    allow_unoffered_voice: bool = False
    # reshape each syllable's pitch to its tone (PSOLA) for voices tuned for it (central)
    tone_reshape: bool = True
    piper_voice: str | None = None
    piper_speaker: Integer | None = Field(default=None, ge=0)
    sample_rate: Integer = Field(default=44100, ge=8000, le=96000)
    loudness_lufs: Number = Field(default=-16.0, ge=-40.0, le=-6.0)
    true_peak_dbtp: Number = Field(default=-1.0, ge=-12.0, le=0.0)
    highpass_hz: Number = Field(default=180.0, ge=0.0, le=1000.0)
    compress_threshold_db: Number = Field(default=-3.0, ge=-30.0, le=10.0)
    compress_ratio: Number = Field(default=2.5, ge=1.0, le=20.0)
    # Long enough for the echo of the last syllable to die away between houses.
    sentence_pause_ms: Integer = Field(default=700, ge=0, le=5000)
    phrase_pause_ms: Integer = Field(default=350, ge=0, le=5000)
    item_pause_ms: Integer = Field(default=1500, ge=0, le=10000)
    bitrate_kbps: Integer = Field(default=128, ge=32, le=320)
    mp3_quality: Integer = Field(default=5, ge=0, le=9)
    format: Literal["mp3", "wav"] = "mp3"
    jingle: str | None = None
    intro: str = ""
    outro: str = DEFAULT_OUTRO

    @model_validator(mode="before")
    @classmethod
    def _intro_from_ident(cls, data: Any, info: ValidationInfo) -> Any:
        station = (info.context or {}).get("station")
        if isinstance(data, dict) and "intro" not in data and station is not None:
            data = {**data, "intro": station.settings(StationSettings).ident}
        return data

    @model_validator(mode="before")
    @classmethod
    def _no_keys_here(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for name in data:
                if re.search(r"(^|_)(key|api_key|apikey|token|secret)$", str(name)):
                    from loa.core.errors import UserError

                    engine = str(name).split("_")[0].upper()
                    raise UserError(T("key_in_toml", key=name, env=f"LOA_{engine}_KEY"))
        return data

    @field_validator("engine")
    @classmethod
    def _known_engine(cls, value: str) -> str:
        from loa.audio.engines import engine_class

        engine_class(value)  # UserError listing the engines there are
        return value

    @model_validator(mode="after")
    def _no_withheld_voice(self) -> AudioSettings:
        """A voice below the tone bar is refused here, when loa.toml is read, unless
        allow_unoffered_voice is set (other voice mistakes show when the engine speaks)."""
        from loa.audio.engines import EngineOptions, VoiceWithheld, engine_class

        pairs = [(self.engine, self.voice), *self.voices.items()]
        for name, voice in pairs:
            if not voice:
                continue
            try:
                cls = engine_class(name)
                cls(EngineOptions(root=Path("."), settings=self.engine_settings)).resolve_voice(
                    voice
                )
            except VoiceWithheld:
                raise
            except Exception:  # an unknown voice or engine: reported when it is used
                continue
        return self

    @field_validator("fallback", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("fallback")
    @classmethod
    def _known_engines(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        from loa.audio.engines import engine_class

        for name in value:
            engine_class(name)
        return value

    @field_validator("format", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator(
        "voice",
        "jingle",
        "gtts_tld",
        "piper_voice",
        "fpt_url",
        "google_url",
        "azure_region",
        "azure_url",
        "viettel_url",
        mode="after",
    )
    @classmethod
    def _blank_is_unset(cls, value: str | None) -> str | None:
        return value or None

    @field_validator("intro", "outro")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()

    @property
    def mastering(self) -> Mastering:
        """How clips are mastered, from the loudness, peak, high-pass and compression keys."""
        return Mastering(
            sample_rate=self.sample_rate,
            loudness_lufs=self.loudness_lufs,
            true_peak_dbtp=self.true_peak_dbtp,
            highpass_hz=self.highpass_hz,
            compress_threshold_db=self.compress_threshold_db,
            compress_ratio=self.compress_ratio,
        )

    @property
    def speaking_rate(self) -> float:
        """The rate engines are given: `rate` times `pace` relative to REFERENCE_PACE."""
        return float(self.rate) * self.pace / REFERENCE_PACE

    @property
    def engine_settings(self) -> dict[str, Any]:
        """The [audio] values as the dict engines read (`EngineOptions.settings`); keys left
        unset in loa.toml are absent, so each engine applies its own default."""
        return self.model_dump(exclude_none=True)

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


def audio_settings(station: Station, **overrides: Any) -> AudioSettings:
    """The station's [audio] section, validated (once: `station.settings(AudioSettings)`).

    `overrides` (engine, voice, rate) replace the file's values, e.g. from command options, and
    are validated the same way. Raises UserError naming the key and value of a bad setting.
    """
    from loa.core.settings import validate_section

    given = {k: v for k, v in overrides.items() if v is not None}
    if not given:
        return station.settings(AudioSettings)
    data = {**station.section("audio"), **given}
    return validate_section(AudioSettings, data, AudioSettings.section, station=station)


def resolve_path(station_root: Path, value: str) -> Path:
    """A path from loa.toml: absolute, or relative to the station folder."""
    path = Path(value).expanduser()
    return path if path.is_absolute() else station_root / path
