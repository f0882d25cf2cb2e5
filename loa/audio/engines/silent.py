"""The null voice: silence as long as the text would take to read; for dry runs and tests."""

from __future__ import annotations

import numpy as np

from loa.audio.engines.base import Engine, Speech, Voice

SAMPLE_RATE = 16000
SECONDS_PER_CHAR = 0.06


class SilentEngine(Engine):
    """Speaks nothing, instantly: a real backend for trying the pipeline without a voice."""

    name = "silent"
    online = False
    max_chars = 1000
    description = ("Im lặng (để thử, không đọc gì)", "Silence (for trials, speaks nothing)")

    def voices(self) -> list[Voice]:
        return [Voice("none", "Không có giọng", "No voice")]

    def synthesize(self, text: str, voice: str, rate: float) -> Speech:
        seconds = len(text) * SECONDS_PER_CHAR / max(rate, 0.1)
        return Speech(np.zeros(int(seconds * SAMPLE_RATE), dtype=np.float32), SAMPLE_RATE)
