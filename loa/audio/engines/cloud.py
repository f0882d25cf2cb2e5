"""Neural voices over the network: what the FPT.AI, Google Cloud and Azure engines share.

- The key comes from an environment variable (`LOA_<ENGINE>_KEY`) or the system keyring
  (service "loa", user "tts:<engine>"), never from loa.toml; it travels in a request header
  (never in a URL, which httpx logs), and every message that quotes a server's answer has it
  scrubbed out.
- Every call has a total deadline (`cloud_timeout`, default 20 s) and a size cap on the answer.
- A failure is `EngineUnavailable` (the fallback chain speaks with the next engine, usually the
  offline espeak-ng voice); a spent quota or a rate limit is `QuotaExhausted`, its subclass,
  so the run sheet and the as-run log can say the neural voice's quota ran out.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from loa.audio.engines.base import Engine, EngineUnavailable, Speech, Voice
from loa.core.errors import UserError
from loa.core.i18n import Catalog, decimal

T = Catalog(
    {
        "no_key": (
            "Chưa có khoá API của {label}: đặt biến môi trường {env} hoặc lưu vào keyring của "
            'máy (dịch vụ "loa", tên "{user}"); không ghi khoá vào loa.toml.',
            "No {label} API key: set the {env} environment variable or store it in the system "
            'keyring (service "loa", user "{user}"); never put the key in loa.toml.',
        ),
        "unreachable": (
            "Không gọi được {label} ({error}).",
            "{label} could not be reached ({error}).",
        ),
        "deadline": (
            "{label} không trả lời trong {seconds} giây.",
            "{label} did not answer within {seconds} s.",
        ),
        "too_large": (
            "{label} trả về quá nhiều dữ liệu (hơn {mb} MB).",
            "{label} sent too much data (over {mb} MB).",
        ),
        "key_refused": (
            "{label} từ chối khoá API (HTTP {status}): {detail}. Kiểm tra {env} hoặc keyring.",
            "{label} refused the API key (HTTP {status}): {detail}. Check {env} or the keyring.",
        ),
        "quota": (
            "{label} đã hết hạn mức hoặc đang giới hạn số lần gọi (HTTP {status}): {detail}.",
            "{label}'s quota is used up or it is limiting calls (HTTP {status}): {detail}.",
        ),
        "refused": (
            "{label} từ chối yêu cầu (HTTP {status}): {detail}.",
            "{label} refused the request (HTTP {status}): {detail}.",
        ),
        "no_audio": (
            "{label} trả về dữ liệu không phải âm thanh: {error}",
            "{label} returned data that is not audio: {error}",
        ),
    }
)

KEYRING_SERVICE = "loa"
DEFAULT_TIMEOUT_S = 20.0
MAX_AUDIO = 32 * 1024 * 1024
#: Words in a service's error message that mean its quota or rate limit was hit.
QUOTA_WORDS = ("quota", "limit", "exceed", "hết", "hạn mức")


class QuotaExhausted(EngineUnavailable):
    """The service's quota is used up, or it limits the rate of calls (HTTP 429)."""


def find_key(env_name: str, user: str, env: Mapping[str, str] | None = None) -> str | None:
    """The API key from `env_name`, else from the system keyring; None if neither has one."""
    env = os.environ if env is None else env
    value = env.get(env_name, "").strip()
    if value:
        return value
    try:
        import keyring

        stored = keyring.get_password(KEYRING_SERVICE, user)
    except Exception:  # no keyring backend on a headless machine is normal
        return None
    return stored.strip() if stored else None


@dataclass
class Answer:
    status: int
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        import json

        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return None


class CloudEngine(Engine):
    """An engine that speaks through a web API with a key. Subclasses set the class variables
    and `synthesize`; `call` does the HTTP, `fail` turns an error answer into an exception."""

    online = True
    label: ClassVar[str] = ""
    default_url: ClassVar[str] = ""
    voice_list: ClassVar[tuple[Voice, ...]] = ()
    #: The key last sent (what `clean` scrubs from a server's words).
    _sent_key: str | None = None

    def voices(self) -> list[Voice]:
        return list(self.voice_list)

    @property
    def key_env(self) -> str:
        return f"LOA_{self.name.upper()}_KEY"

    @property
    def key_user(self) -> str:
        return f"tts:{self.name}"

    @property
    def url(self) -> str:
        return str(self.options.settings.get(f"{self.name}_url") or self.default_url).rstrip("/")

    @property
    def timeout(self) -> float:
        return float(self.options.settings.get("cloud_timeout") or DEFAULT_TIMEOUT_S)

    def key(self) -> str:
        key = find_key(self.key_env, self.key_user)
        if not key:
            raise EngineUnavailable(
                T("no_key", label=self.label, env=self.key_env, user=self.key_user)
            )
        self._sent_key = key
        return key

    def identity(self, voice: str) -> str:
        return f"{self.name}:{voice}"

    def clean(self, text: str) -> str:
        """`text` with the key sent scrubbed out, shortened for a message."""
        if self._sent_key:
            text = text.replace(self._sent_key, "***")
        return " ".join(text.split())[:200]

    def call(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        content: bytes | None = None,
        deadline: float | None = None,
    ) -> Answer:
        """One HTTP call within the total deadline, the body read in chunks up to MAX_AUDIO.
        Raises EngineUnavailable when no answer came."""
        import httpx

        deadline = deadline or time.monotonic() + self.timeout
        left = deadline - time.monotonic()
        if left <= 0:
            raise EngineUnavailable(T("deadline", label=self.label, seconds=decimal(self.timeout)))
        try:
            with (
                httpx.Client(timeout=httpx.Timeout(left), trust_env=False) as client,
                client.stream(method, url, headers=dict(headers or {}), content=content) as r,
            ):
                chunks: list[bytes] = []
                size = 0
                for chunk in r.iter_bytes():
                    size += len(chunk)
                    if size > MAX_AUDIO:
                        raise EngineUnavailable(
                            T("too_large", label=self.label, mb=MAX_AUDIO // 2**20)
                        )
                    if time.monotonic() > deadline:
                        raise EngineUnavailable(
                            T("deadline", label=self.label, seconds=decimal(self.timeout))
                        )
                    chunks.append(chunk)
                return Answer(r.status_code, dict(r.headers), b"".join(chunks))
        except httpx.TimeoutException:
            raise EngineUnavailable(
                T("deadline", label=self.label, seconds=decimal(self.timeout))
            ) from None
        except httpx.HTTPError as exc:
            raise EngineUnavailable(
                T("unreachable", label=self.label, error=self.clean(type(exc).__name__))
            ) from None

    def detail(self, answer: Answer) -> str:
        """The service's own words about an error answer (subclasses read their JSON)."""
        return self.clean(answer.body.decode("utf-8", "replace")) or "-"

    def is_quota(self, answer: Answer) -> bool:
        return answer.status in (402, 429)

    def fail(self, answer: Answer) -> EngineUnavailable:
        """The exception for an error answer: quota, key refused, or refused."""
        detail = self.detail(answer)
        if self.is_quota(answer):
            return QuotaExhausted(T("quota", label=self.label, status=answer.status, detail=detail))
        if answer.status in (401, 403):
            return EngineUnavailable(
                T(
                    "key_refused",
                    label=self.label,
                    status=answer.status,
                    detail=detail,
                    env=self.key_env,
                )
            )
        return EngineUnavailable(
            T("refused", label=self.label, status=answer.status, detail=detail)
        )

    def decode(self, data: bytes, fmt: str | None = None) -> Speech:
        """Audio bytes (WAV or MP3) as samples at their own rate."""
        import io
        import wave

        if data[:4] == b"RIFF" and fmt in (None, "wav"):
            try:
                with wave.open(io.BytesIO(data), "rb") as w:
                    rate, width, channels = w.getframerate(), w.getsampwidth(), w.getnchannels()
                    frames = w.readframes(w.getnframes())
            except (wave.Error, EOFError) as exc:
                raise EngineUnavailable(T("no_audio", label=self.label, error=exc)) from None
            if width == 2 and rate > 0:
                pcm = np.frombuffer(frames, dtype="<i2").astype(np.float32) / 32768.0
                if channels > 1:
                    pcm = pcm.reshape(-1, channels).mean(axis=1)
                return Speech(pcm, rate)
        from loa.audio.ffmpeg import decode

        rate = 24000
        try:
            samples = decode(data, sample_rate=rate, fmt=fmt if fmt != "wav" else None)
        except UserError as exc:
            raise EngineUnavailable(T("no_audio", label=self.label, error=exc)) from None
        if not len(samples):
            raise EngineUnavailable(T("no_audio", label=self.label, error="0 s"))
        return Speech(samples, rate)
