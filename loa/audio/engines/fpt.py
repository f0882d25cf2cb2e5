"""FPT.AI text-to-speech (v5): Vietnamese neural voices of the three regions.

Wire format (api.fpt.ai/hmi/tts/v5): POST the UTF-8 text as the body with the headers
`api-key`, `voice`, `speed` (-3 slowest .. 0 .. +3 fastest) and `format`; the answer is JSON
`{"async": <url>, "error": 0, "message": ..., "request_id": ...}` and the audio appears at the
`async` address a few seconds later (404 until then), so loa polls it. A non-zero `error` is a
refusal in FPT's own words.
"""

from __future__ import annotations

import time

from loa.audio.engines.base import EngineUnavailable, Speech, Voice
from loa.audio.engines.cloud import QUOTA_WORDS, Answer, CloudEngine, QuotaExhausted
from loa.core.i18n import Catalog, decimal

T = Catalog(
    {
        "not_ready": (
            "FPT.AI chưa trả âm thanh sau {seconds} giây chờ.",
            "FPT.AI had no audio ready after waiting {seconds} s.",
        ),
        "bad_answer": (
            "FPT.AI trả lời không đúng dạng (không có địa chỉ async): {detail}",
            "FPT.AI's answer is not in its format (no async address): {detail}",
        ),
    }
)

VOICES = (
    Voice("banmai", "Ban Mai", "Ban Mai", region="north", gender="female"),
    Voice("thuminh", "Thu Minh", "Thu Minh", region="north", gender="female"),
    Voice("leminh", "Lê Minh", "Le Minh", region="north", gender="male"),
    Voice("myan", "Mỹ An", "My An", region="central", gender="female"),
    Voice("giahuy", "Gia Huy", "Gia Huy", region="central", gender="male"),
    Voice("lannhi", "Lan Nhi", "Lan Nhi", region="south", gender="female"),
    Voice("linhsan", "Linh San", "Linh San", region="south", gender="female"),
)
DEFAULT_POLL_S = 1.0


def fpt_speed(rate: float) -> int:
    """FPT's speed step for a rate (1.0 = 0; 0.5 = -3; 2.0 = +3)."""
    steps = (rate - 1.0) / 0.5 * 3 if rate < 1.0 else (rate - 1.0) * 3
    return max(-3, min(3, round(steps)))


class FptEngine(CloudEngine):
    name = "fpt"
    label = "FPT.AI"
    default_url = "https://api.fpt.ai/hmi/tts/v5"
    max_chars = 1000
    voice_list = VOICES
    description = (
        "FPT.AI, giọng AI tiếng Việt ba miền, cần mạng và khoá API",
        "FPT.AI, Vietnamese AI voices of the three regions, needs the internet and an API key",
    )

    @property
    def poll_s(self) -> float:
        return float(self.options.settings.get("fpt_poll_s") or DEFAULT_POLL_S)

    def identity(self, voice: str) -> str:
        return f"fpt:v5:{voice}"

    def detail(self, answer: Answer) -> str:
        data = answer.json()
        if isinstance(data, dict) and data.get("message"):
            return self.clean(str(data["message"]))
        return super().detail(answer)

    def is_quota(self, answer: Answer) -> bool:
        return super().is_quota(answer) or (
            answer.status == 200 and any(w in self.detail(answer).lower() for w in QUOTA_WORDS)
        )

    def synthesize(self, text: str, voice: str, rate: float) -> Speech:
        deadline = time.monotonic() + self.timeout
        answer = self.call(
            "POST",
            self.url,
            headers={
                "api-key": self.key(),
                "voice": voice,
                "speed": str(fpt_speed(rate)),
                "format": "mp3",
                "Content-Type": "text/plain; charset=utf-8",
            },
            content=text.encode("utf-8"),
            deadline=deadline,
        )
        data = answer.json()
        if answer.status != 200 or not isinstance(data, dict) or data.get("error") not in (0, "0"):
            if answer.status == 200 and not self.is_quota(answer) and isinstance(data, dict):
                raise EngineUnavailable(T("bad_answer", detail=self.detail(answer)))
            raise self.fail(answer)
        link = data.get("async")
        if not isinstance(link, str) or not link.startswith(("http://", "https://")):
            raise EngineUnavailable(T("bad_answer", detail=self.detail(answer)))
        while True:
            audio = self.call("GET", link, deadline=deadline)
            if audio.status == 200 and audio.body:
                return self.decode(audio.body, "mp3")
            if audio.status not in (404, 202):
                raise self.fail(audio)
            if time.monotonic() + self.poll_s >= deadline:
                raise EngineUnavailable(T("not_ready", seconds=decimal(self.timeout)))
            time.sleep(self.poll_s)


__all__ = ["FptEngine", "QuotaExhausted", "fpt_speed"]
