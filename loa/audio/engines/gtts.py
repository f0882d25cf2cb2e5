"""The online Google voice through gTTS: always with a timeout; failures go to the fallback chain."""

from __future__ import annotations

import io

from loa.audio.engines.base import Engine, EngineUnavailable, Speech, Voice
from loa.core.errors import UserError
from loa.core.i18n import Catalog

T = Catalog(
    {
        "failed": (
            "Không gọi được giọng Google (gTTS): {error}",
            "The Google voice (gTTS) could not be reached: {error}",
        ),
        "no_audio": (
            "Giọng Google (gTTS) trả về dữ liệu không phải âm thanh: {error}",
            "The Google voice (gTTS) returned data that is not audio: {error}",
        ),
    }
)

SAMPLE_RATE = 24000  # what Google's TTS endpoint returns
DEFAULT_TIMEOUT_S = 10.0


class GttsEngine(Engine):
    """Google Translate's text-to-speech (needs the internet): one HTTP POST per 100 characters."""

    name = "gtts"
    online = True
    max_chars = 100
    description = (
        "Giọng Google (gTTS), cần mạng Internet",
        "Google voice (gTTS), needs the internet",
    )

    def voices(self) -> list[Voice]:
        return [Voice("vi", "Tiếng Việt (Google)", "Vietnamese (Google)")]

    @property
    def timeout(self) -> float:
        return float(self.options.settings.get("gtts_timeout", DEFAULT_TIMEOUT_S))

    @property
    def tld(self) -> str:
        return str(self.options.settings.get("gtts_tld", "com"))

    def identity(self, voice: str) -> str:
        return f"gtts:{self.tld}:{voice}"

    def synthesize(self, text: str, voice: str, rate: float) -> Speech:
        from gtts import gTTS
        from gtts.tts import gTTSError

        from loa.audio.ffmpeg import decode

        buf = io.BytesIO()
        try:
            tts = gTTS(
                text,
                lang=voice,
                tld=self.tld,
                slow=rate < 0.85,
                lang_check=False,
                timeout=self.timeout,
            )
            tts.write_to_fp(buf)
        except (gTTSError, AssertionError, ValueError) as exc:
            raise EngineUnavailable(T("failed", error=str(exc) or type(exc).__name__)) from None
        except Exception as exc:  # requests/urllib3 errors that escape gTTS's own wrapping
            raise EngineUnavailable(T("failed", error=type(exc).__name__)) from None
        try:
            samples = decode(buf.getvalue(), sample_rate=SAMPLE_RATE, fmt="mp3")
        except UserError as exc:
            raise EngineUnavailable(T("no_audio", error=exc)) from None
        return Speech(samples, SAMPLE_RATE)
