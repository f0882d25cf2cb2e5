"""A fake of three cloud text-to-speech services on 127.0.0.1, each on its own wire format:

- FPT.AI v5: POST /hmi/tts/v5, text body, headers api-key / voice / speed / format; answers
  JSON {"async": url, "error": 0, ...}; the audio at the async address is 404 for the first
  `fpt_pending` polls, then MP3;
- Google Cloud TTS v1: POST /v1/text:synthesize, X-Goog-Api-Key, JSON in, {"audioContent":
  base64 WAV} out, errors as {"error": {"code", "message", "status"}};
- Azure Speech: POST /cognitiveservices/v1, Ocp-Apim-Subscription-Key, SSML in, WAV out;
- Viettel AI: POST /tts/speech_synthesis, JSON with the token in it, the audio out (WAV for
  tts_return_option 2), errors as JSON.

The audio is a tone lasting 60 ms per character at normal speed, shortened or lengthened by the
rate each service was asked for, so a test can tell the rate arrived. `mode[service]` switches
a service to "quota" (its spent-quota answer), "bad_key" or "down" (HTTP 503).
"""

from __future__ import annotations

import base64
import io
import itertools
import json
import re
import threading
import wave
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler
from typing import Any

import numpy as np

from tests.channels.fake_http import FakeServer

KEYS = {
    "fpt": "fpt-secret-key-123",
    "google": "google-secret-key-456",
    "azure": "azure-key-789",
    "viettel": "viettel-token-012",
}
RATE = 24000


def tone(seconds: float) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return (0.3 * np.sin(2 * np.pi * 220 * t) * (1 + 0.3 * np.sin(2 * np.pi * 3 * t))).astype(
        np.float32
    )


def wav(samples: np.ndarray) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes((samples * 32767).astype("<i2").tobytes())
    return buf.getvalue()


def mp3(samples: np.ndarray) -> bytes:
    from loa.audio.ffmpeg import encode_mp3_frames

    return encode_mp3_frames(samples, RATE, bitrate_kbps=64)


class FakeTTS(FakeServer):
    methods = ("GET", "POST")

    def __init__(self, fpt_pending: int = 2) -> None:
        super().__init__()
        self.fpt_pending = fpt_pending
        self.mode: dict[str, str] = {}
        self.requests: list[dict[str, Any]] = []
        self._audio: dict[str, list[Any]] = {}  # async id -> [polls left, mp3]
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def calls(self, service: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["service"] == service]

    def _serve(self, h: BaseHTTPRequestHandler, method: str) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        path = h.path.split("?")[0]
        if method == "GET" and path.startswith("/fpt-audio/"):
            return self._fpt_audio(h, path.rsplit("/", 1)[1])
        service = {
            "/hmi/tts/v5": "fpt",
            "/v1/text:synthesize": "google",
            "/cognitiveservices/v1": "azure",
            "/tts/speech_synthesis": "viettel",
        }.get(path)
        if method != "POST" or service is None:
            return self._send(h, 404, {"error": "not found"})
        with self._lock:
            self.requests.append(
                {"service": service, "headers": dict(h.headers.items()), "body": body}
            )
        mode = self.mode.get(service, "")
        if mode == "down":
            return self._send(h, 503, {"error": "unavailable"})
        getattr(self, f"_{service}")(h, body, mode)

    # -- FPT.AI ----------------------------------------------------------------------------

    def _fpt(self, h: BaseHTTPRequestHandler, body: bytes, mode: str) -> None:
        if mode == "bad_key" or h.headers.get("api-key") != KEYS["fpt"]:
            return self._send(h, 401, {"error": 401, "message": "Invalid API key"})
        if mode == "quota":
            return self._send(
                h, 429, {"error": 429, "message": "Quota exceeded: no characters left"}
            )
        voice = h.headers.get("voice", "")
        if voice not in ("banmai", "thuminh", "leminh", "myan", "giahuy", "lannhi", "linhsan"):
            return self._send(h, 200, {"error": 1, "message": f"voice {voice} not found"})
        speed = int(h.headers.get("speed") or 0)
        text = body.decode("utf-8")
        factor = 1.0 + speed / 3 if speed > 0 else 1.0 + speed / 6
        audio = mp3(tone(0.06 * len(text) / factor))
        ident = str(next(self._ids))
        with self._lock:
            self._audio[ident] = [self.fpt_pending, audio]
        self._send(
            h,
            200,
            {
                "async": f"{self.url}/fpt-audio/{ident}.mp3",
                "error": 0,
                "message": "The content will be returned after a few seconds under the async link.",
                "request_id": f"req-{ident}",
            },
        )

    def _fpt_audio(self, h: BaseHTTPRequestHandler, name: str) -> None:
        with self._lock:
            self.requests.append({"service": "fpt-poll", "headers": {}, "body": b""})
            entry = self._audio.get(name.removesuffix(".mp3"))
            if entry is not None and entry[0] > 0:
                entry[0] -= 1
                entry = ["pending"]
        if entry is None or entry == ["pending"]:
            return self._send(h, 404, {"error": "Not Found"})
        self._raw(h, 200, entry[1], "audio/mpeg")

    # -- Google Cloud TTS ------------------------------------------------------------------

    def _google(self, h: BaseHTTPRequestHandler, body: bytes, mode: str) -> None:
        def error(code: int, status: str, message: str) -> None:
            self._send(h, code, {"error": {"code": code, "message": message, "status": status}})

        if mode == "bad_key" or h.headers.get("X-Goog-Api-Key") != KEYS["google"]:
            return error(403, "PERMISSION_DENIED", "API key not valid. Please pass a valid key.")
        if mode == "quota":
            return error(429, "RESOURCE_EXHAUSTED", "Quota exceeded for quota metric characters.")
        try:
            request = json.loads(body)
            text = request["input"]["text"]
            voice = request["voice"]
            config = request["audioConfig"]
        except (ValueError, KeyError, TypeError):
            return error(400, "INVALID_ARGUMENT", "Invalid JSON payload received.")
        if voice.get("languageCode") != "vi-VN" or not str(voice.get("name", "")).startswith(
            "vi-VN-"
        ):
            return error(400, "INVALID_ARGUMENT", "Voice does not exist.")
        if config.get("audioEncoding") != "LINEAR16":
            return error(400, "INVALID_ARGUMENT", "Unsupported encoding.")
        rate = float(config.get("speakingRate") or 1.0)
        content = base64.b64encode(wav(tone(0.06 * len(text) / rate))).decode()
        self._send(h, 200, {"audioContent": content})

    # -- Azure Speech ----------------------------------------------------------------------

    def _azure(self, h: BaseHTTPRequestHandler, body: bytes, mode: str) -> None:
        if mode == "bad_key" or h.headers.get("Ocp-Apim-Subscription-Key") != KEYS["azure"]:
            return self._raw(h, 401, b"", "text/plain")
        if mode == "quota":
            return self._raw(h, 429, b"Quota exceeded", "text/plain")
        if not h.headers.get("Content-Type", "").startswith("application/ssml+xml"):
            return self._raw(h, 415, b"", "text/plain")
        if h.headers.get("X-Microsoft-OutputFormat") != "riff-24khz-16bit-mono-pcm":
            return self._raw(h, 400, b"Unsupported output format", "text/plain")
        try:
            root = ET.fromstring(body.decode("utf-8"))
        except ET.ParseError:
            return self._raw(h, 400, b"SSML parse error", "text/plain")
        voice = root.find("voice")
        prosody = voice.find("prosody") if voice is not None else None
        if voice is None or not str(voice.get("name", "")).startswith("vi-VN-"):
            return self._raw(h, 400, b"Unsupported voice", "text/plain")
        text = "".join((prosody if prosody is not None else voice).itertext())
        percent = re.match(
            r"([+-]\d+)%", (prosody.get("rate") if prosody is not None else "") or "+0%"
        )
        rate = 1.0 + (int(percent.group(1)) / 100 if percent else 0.0)
        self._raw(h, 200, wav(tone(0.06 * len(text) / rate)), "audio/wav")

    # -- Viettel AI ------------------------------------------------------------------------

    def _viettel(self, h: BaseHTTPRequestHandler, body: bytes, mode: str) -> None:
        try:
            request = json.loads(body)
        except ValueError:
            return self._send(h, 400, {"code": 400, "vi_message": "Dữ liệu không hợp lệ"})
        if mode == "bad_key" or request.get("token") != KEYS["viettel"]:
            return self._send(h, 401, {"code": 401, "vi_message": "Token không hợp lệ"})
        if mode == "quota":
            return self._send(
                h, 429, {"code": 429, "vi_message": "Tài khoản đã hết hạn mức ký tự (quota)"}
            )
        speed = float(request.get("speed") or 1.0)
        if not 0.8 <= speed <= 1.2 or request.get("tts_return_option") not in (2, 3):
            return self._send(h, 400, {"code": 400, "vi_message": "Tham số không hợp lệ"})
        if not str(request.get("voice", "")).startswith(("hn-", "hue-", "hcm-")):
            return self._send(h, 400, {"code": 400, "vi_message": "Giọng không tồn tại"})
        audio = tone(0.06 * len(request.get("text", "")) / speed)
        if request["tts_return_option"] == 2:
            return self._raw(h, 200, wav(audio), "audio/wav")
        self._raw(h, 200, mp3(audio), "audio/mpeg")

    def _raw(self, h: BaseHTTPRequestHandler, status: int, data: bytes, kind: str) -> None:
        try:
            h.send_response(status)
            h.send_header("Content-Type", kind)
            h.send_header("Content-Length", str(len(data)))
            h.end_headers()
            h.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
