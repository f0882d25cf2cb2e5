"""Viettel AI text-to-speech: Vietnamese neural voices of the three regions (Hà Nội, Huế, Sài Gòn).

Wire format (viettelai.vn/tts/speech_synthesis): POST JSON `{"text", "voice", "speed"
(0.8 - 1.2 in steps of 0.1), "tts_return_option" (2 = WAV, 3 = MP3), "token", "without_filter"}`;
a 200 answer is the audio itself, an error is JSON in Viettel's words. The token travels in the
body, as the service asks (never in the address, which httpx logs).
"""

from __future__ import annotations

import json

from loa.audio.engines.base import Speech, Voice
from loa.audio.engines.cloud import QUOTA_WORDS, Answer, CloudEngine

VOICES = (
    Voice("hn-quynhanh", "Quỳnh Anh", "Quynh Anh", region="north", gender="female"),
    Voice("hn-thanhtung", "Thanh Tùng", "Thanh Tung", region="north", gender="male"),
    Voice("hue-maingoc", "Mai Ngọc", "Mai Ngoc", region="central", gender="female"),
    Voice("hue-baoquoc", "Bảo Quốc", "Bao Quoc", region="central", gender="male"),
    Voice("hcm-diemmy", "Diễm My", "Diem My", region="south", gender="female"),
    Voice("hcm-minhquan", "Minh Quân", "Minh Quan", region="south", gender="male"),
)
WAV = 2


def viettel_speed(rate: float) -> float:
    """Viettel's speed for a rate: 0.8 - 1.2 in steps of 0.1."""
    return round(min(max(rate, 0.8), 1.2), 1)


class ViettelEngine(CloudEngine):
    name = "viettel"
    label = "Viettel AI"
    default_url = "https://viettelai.vn/tts/speech_synthesis"
    max_chars = 1000
    voice_list = VOICES
    description = (
        "Viettel AI, giọng AI tiếng Việt ba miền, cần mạng và khoá API",
        "Viettel AI, Vietnamese AI voices of the three regions, needs the internet and an API key",
    )

    def identity(self, voice: str) -> str:
        return f"viettel:wav:{voice}"

    def detail(self, answer: Answer) -> str:
        data = answer.json()
        if isinstance(data, dict):
            words = [str(data[k]) for k in ("vi_message", "message", "msg", "error") if data.get(k)]
            if words:
                return self.clean(" ".join(words[:1]))
        return super().detail(answer)

    def is_quota(self, answer: Answer) -> bool:
        return super().is_quota(answer) or any(
            w in self.detail(answer).lower() for w in QUOTA_WORDS
        )

    def synthesize(self, text: str, voice: str, rate: float) -> Speech:
        body = {
            "text": text,
            "voice": voice,
            "speed": viettel_speed(rate),
            "tts_return_option": WAV,
            "token": self.key(),
            "without_filter": False,
        }
        answer = self.call(
            "POST",
            self.url,
            headers={"Content-Type": "application/json", "Accept": "*/*"},
            content=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        )
        if answer.status != 200 or answer.body[:1] in (b"{", b"["):
            raise self.fail(answer)
        return self.decode(answer.body)
