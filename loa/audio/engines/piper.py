"""The offline neural voice: a Piper ONNX voice file the station supplies (path in loa.toml).

Needs the optional packages of the `loa[piper]` extra (piper-tts, onnxruntime).
"""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from loa.audio.engines.base import (
    Engine,
    EngineNotInstalled,
    EngineUnavailable,
    Speech,
    Voice,
    VoiceError,
)
from loa.core.i18n import Catalog

T = Catalog(
    {
        "no_voice": (
            'Chưa khai báo giọng Piper: đặt piper_voice = "voices/ten-giong.onnx" trong mục audio '
            "của loa.toml (kèm tệp .onnx.json cạnh nó).",
            'No Piper voice configured: set piper_voice = "voices/name.onnx" in the audio section '
            "of loa.toml (with its .onnx.json beside it).",
        ),
        "missing": (
            "Không có tệp giọng Piper {path}. Chép tệp .onnx và .onnx.json vào đó hoặc sửa piper_voice.",
            "The Piper voice file {path} does not exist. Copy the .onnx and .onnx.json there or fix "
            "piper_voice.",
        ),
        "no_config": (
            "Thiếu tệp cấu hình {path} của giọng Piper (tệp .onnx.json đi kèm giọng).",
            "The Piper voice's configuration {path} is missing (the .onnx.json that comes with it).",
        ),
        "bad_model": (
            "Không nạp được giọng Piper {path}: {error}. Tải lại tệp giọng.",
            "Could not load the Piper voice {path}: {error}. Download the voice again.",
        ),
        "not_vi": (
            'Giọng Piper {path} dành cho ngôn ngữ "{lang}", không đọc được tiếng Việt. '
            "Dùng một giọng vi_VN (ví dụ vi_VN-vais1000-medium).",
            'The Piper voice {path} is for "{lang}" and cannot speak Vietnamese. '
            "Use a vi_VN voice (for example vi_VN-vais1000-medium).",
        ),
        "no_piper": (
            'Bộ đọc piper cần gói bổ sung: pip install "loa[piper]" (chưa có {module}).',
            'The piper engine needs an optional package: pip install "loa[piper]" '
            "({module} is not installed).",
        ),
    }
)


def _piper() -> Any:
    """The piper module (piper-tts, which runs on onnxruntime): both come with the `loa[piper]`
    extra. Raises EngineNotInstalled, a UserError saying what to install, when either is missing."""
    try:
        import piper
    except ImportError as exc:
        raise EngineNotInstalled(T("no_piper", module=exc.name or "piper-tts")) from None
    return piper


class PiperEngine(Engine):
    """Piper (VITS) through onnxruntime; phonemes from Piper's own espeak-ng data."""

    name = "piper"
    online = False
    max_chars = 400
    description = (
        "Piper, giọng nơ-ron không cần mạng, tệp giọng do đài cung cấp",
        "Piper, offline neural voice from a voice file the station supplies",
    )

    _loaded: ClassVar[dict[tuple[str, int], Any]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def _path(self, voice: str | None) -> Path:
        raw = voice or self.options.settings.get("piper_voice")
        if not raw:
            _piper()  # a missing package first: a voice file alone would not make it speak
            raise EngineUnavailable(T("no_voice"))
        path = Path(str(raw)).expanduser()
        return path if path.is_absolute() else self.options.root / path

    def voices(self) -> list[Voice]:
        configured = self.options.settings.get("piper_voice")
        if not configured:
            return []
        return [Voice(str(configured), Path(str(configured)).stem, Path(str(configured)).stem)]

    def default_voice(self) -> str:
        configured = self.options.settings.get("piper_voice")
        if not configured:
            _piper()
            raise EngineUnavailable(T("no_voice"))
        return str(configured)

    def resolve_voice(self, voice: str | None) -> str:
        # Any existing .onnx file is a valid voice; its language is checked when it loads.
        return voice or self.default_voice()

    def _config(self, path: Path) -> dict[str, Any]:
        if not path.is_file():
            _piper()
            raise EngineUnavailable(T("missing", path=path))
        config_path = Path(f"{path}.json")
        if not config_path.is_file():
            raise EngineUnavailable(T("no_config", path=config_path))
        try:
            config: dict[str, Any] = json.loads(config_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise EngineUnavailable(T("bad_model", path=config_path, error=exc)) from None
        lang = str(config.get("espeak", {}).get("voice", "")) or str(
            config.get("language", {}).get("code", "")
        )
        if not lang.lower().startswith("vi"):
            raise VoiceError(T("not_vi", path=path, lang=lang or "?"))
        return config

    def identity(self, voice: str) -> str:
        path = self._path(voice)
        config = self._config(path)
        stat = path.stat()
        digest = hashlib.sha256(json.dumps(config, sort_keys=True).encode())
        digest.update(f"{stat.st_size}:{stat.st_mtime_ns}".encode())
        return f"piper:{path.name}:{digest.hexdigest()[:16]}"

    def _voice(self, path: Path) -> Any:
        self._config(path)
        piper = _piper()
        key = (str(path), path.stat().st_mtime_ns)
        with self._lock:
            if key not in self._loaded:
                try:
                    self._loaded[key] = piper.PiperVoice.load(path, config_path=f"{path}.json")
                except Exception as exc:  # onnxruntime raises its own exception types
                    raise EngineUnavailable(
                        T("bad_model", path=path, error=str(exc)[:200])
                    ) from None
            return self._loaded[key]

    def synthesize(self, text: str, voice: str, rate: float) -> Speech:
        piper_voice = self._voice(self._path(voice))
        speaker = self.options.settings.get("piper_speaker")
        config = _piper().SynthesisConfig(
            length_scale=piper_voice.config.length_scale / max(rate, 0.1),
            speaker_id=int(speaker) if speaker is not None else None,
            normalize_audio=True,
        )
        try:
            chunks = [c.audio_float_array for c in piper_voice.synthesize(text, syn_config=config)]
        except Exception as exc:  # onnxruntime errors: a broken or mismatched model
            raise EngineUnavailable(
                T("bad_model", path=self._path(voice), error=str(exc)[:200])
            ) from None
        samples = np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, np.float32)
        return Speech(samples, int(piper_voice.config.sample_rate))
