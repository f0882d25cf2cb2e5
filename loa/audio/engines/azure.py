"""Azure AI Speech neural voices (vi-VN-HoaiMyNeural, vi-VN-NamMinhNeural).

Wire format: POST SSML to https://<region>.tts.speech.microsoft.com/cognitiveservices/v1 with
the key in `Ocp-Apim-Subscription-Key`, `Content-Type: application/ssml+xml` and
`X-Microsoft-OutputFormat: riff-24khz-16bit-mono-pcm`; the answer is the WAV itself. 401 is a
bad key or region, 429 a spent free quota or too many requests.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from loa.audio.engines.base import Speech, Voice
from loa.audio.engines.cloud import CloudEngine

VOICES = (
    Voice("vi-VN-HoaiMyNeural", "Hoài My", "Hoai My", region="north", gender="female"),
    Voice("vi-VN-NamMinhNeural", "Nam Minh", "Nam Minh", region="north", gender="male"),
)
OUTPUT_FORMAT = "riff-24khz-16bit-mono-pcm"
DEFAULT_REGION = "southeastasia"


def ssml(text: str, voice: str, rate: float) -> str:
    percent = round((min(max(rate, 0.5), 2.0) - 1.0) * 100)
    return (
        "<speak version='1.0' xml:lang='vi-VN'>"
        f"<voice xml:lang='vi-VN' name={quoteattr(voice)}>"
        f"<prosody rate='{percent:+d}%'>{escape(text)}</prosody></voice></speak>"
    )


class AzureEngine(CloudEngine):
    name = "azure"
    label = "Azure Speech"
    max_chars = 1000
    voice_list = VOICES
    description = (
        "Azure Speech, giọng neural vi-VN, cần mạng và khoá API (khoá azure_region)",
        "Azure Speech, vi-VN neural voices, needs the internet and an API key (key azure_region)",
    )

    @property
    def url(self) -> str:
        given = self.options.settings.get("azure_url")
        if given:
            return str(given).rstrip("/")
        region = str(self.options.settings.get("azure_region") or DEFAULT_REGION)
        return f"https://{region}.tts.speech.microsoft.com/cognitiveservices/v1"

    def identity(self, voice: str) -> str:
        return f"azure:{OUTPUT_FORMAT}:{voice}"

    def synthesize(self, text: str, voice: str, rate: float) -> Speech:
        answer = self.call(
            "POST",
            self.url,
            headers={
                "Ocp-Apim-Subscription-Key": self.key(),
                "Content-Type": "application/ssml+xml",
                "X-Microsoft-OutputFormat": OUTPUT_FORMAT,
                "User-Agent": "loa",
            },
            content=ssml(text, voice, rate).encode("utf-8"),
        )
        if answer.status != 200:
            raise self.fail(answer)
        return self.decode(answer.body, "wav")
