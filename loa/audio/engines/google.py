"""Google Cloud Text-to-Speech (v1) with its vi-VN voices.

Wire format: POST texttospeech.googleapis.com/v1/text:synthesize with the key in the
`X-Goog-Api-Key` header and JSON `{"input": {"text"}, "voice": {"languageCode": "vi-VN",
"name"}, "audioConfig": {"audioEncoding": "LINEAR16", "speakingRate", "sampleRateHertz"}}`;
the answer is `{"audioContent": <base64 WAV>}`. Errors are `{"error": {"code", "message",
"status"}}`; a spent quota is 429 RESOURCE_EXHAUSTED.
"""

from __future__ import annotations

import base64
import binascii
import json

from loa.audio.engines.base import EngineUnavailable, Speech, Voice
from loa.audio.engines.cloud import Answer, CloudEngine
from loa.core.i18n import Catalog

T = Catalog(
    {
        "no_content": (
            "Google Cloud TTS trả lời không có audioContent: {detail}",
            "Google Cloud TTS answered without audioContent: {detail}",
        ),
    }
)

VOICES = (
    Voice("vi-VN-Neural2-A", "Neural2-A", "Neural2-A", region="north", gender="female"),
    Voice("vi-VN-Neural2-D", "Neural2-D", "Neural2-D", region="north", gender="male"),
    Voice("vi-VN-Wavenet-A", "Wavenet-A", "Wavenet-A", region="north", gender="female"),
    Voice("vi-VN-Wavenet-B", "Wavenet-B", "Wavenet-B", region="north", gender="male"),
    Voice("vi-VN-Wavenet-C", "Wavenet-C", "Wavenet-C", region="north", gender="female"),
    Voice("vi-VN-Wavenet-D", "Wavenet-D", "Wavenet-D", region="north", gender="male"),
    Voice("vi-VN-Standard-A", "Standard-A", "Standard-A", region="north", gender="female"),
    Voice("vi-VN-Standard-B", "Standard-B", "Standard-B", region="north", gender="male"),
)
SAMPLE_RATE = 24000


class GoogleEngine(CloudEngine):
    name = "google"
    label = "Google Cloud TTS"
    default_url = "https://texttospeech.googleapis.com/v1/text:synthesize"
    max_chars = 1000  # the API takes 5000 bytes; Vietnamese letters are 1-3 bytes each
    voice_list = VOICES
    description = (
        "Google Cloud Text-to-Speech (vi-VN), cần mạng và khoá API",
        "Google Cloud Text-to-Speech (vi-VN), needs the internet and an API key",
    )

    def identity(self, voice: str) -> str:
        return f"google:v1:{voice}:{SAMPLE_RATE}"

    def detail(self, answer: Answer) -> str:
        data = answer.json()
        error = data.get("error") if isinstance(data, dict) else None
        if isinstance(error, dict):
            words = " ".join(str(error.get(k, "")) for k in ("status", "message"))
            return self.clean(words) or "-"
        return super().detail(answer)

    def is_quota(self, answer: Answer) -> bool:
        return super().is_quota(answer) or "RESOURCE_EXHAUSTED" in self.detail(answer)

    def synthesize(self, text: str, voice: str, rate: float) -> Speech:
        body = {
            "input": {"text": text},
            "voice": {"languageCode": "vi-VN", "name": voice},
            "audioConfig": {
                "audioEncoding": "LINEAR16",
                "speakingRate": round(min(max(rate, 0.25), 4.0), 3),
                "sampleRateHertz": SAMPLE_RATE,
            },
        }
        answer = self.call(
            "POST",
            self.url,
            headers={"X-Goog-Api-Key": self.key(), "Content-Type": "application/json"},
            content=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        )
        if answer.status != 200:
            raise self.fail(answer)
        data = answer.json()
        content = data.get("audioContent") if isinstance(data, dict) else None
        if not isinstance(content, str) or not content:
            raise EngineUnavailable(T("no_content", detail=self.detail(answer)))
        try:
            audio = base64.b64decode(content, validate=True)
        except (binascii.Error, ValueError):
            raise EngineUnavailable(T("no_content", detail="base64")) from None
        return self.decode(audio)
