"""Tone reshaping (loa.audio.tones): tones from the text, syllables from espeak-ng's word
events, and Praat's PSOLA moving each syllable's pitch to its tone's contour."""

from __future__ import annotations

import numpy as np
import pytest

from loa.audio import tones
from loa.audio.engines import EngineOptions, engine_class

pytest.importorskip("parselmouth")


def test_tone_of_reads_the_diacritic() -> None:
    words = ["ma", "mà", "má", "mả", "mã", "mạ", "Người", "QUỐC", "được", "Ủy"]
    assert [tones.tone_of(w) for w in words] == [0, 1, 2, 3, 4, 5, 1, 2, 5, 3]


def test_syllables_come_from_the_word_events(tmp_path) -> None:
    from loa.audio.engines.espeak import TUNING, _Library

    text = "Bà con chú ý, lịch tiêm chủng."
    library = _Library.get()
    pcm = library.speak(text, "vi-vn-x-central", 137, TUNING["vi-vn-x-central"])
    spans = tones.syllable_spans(text, library.words, len(pcm) / library.sample_rate)
    assert [t for _, _, t in spans] == [1, 0, 2, 2, 5, 0, 3]
    assert all(a < b for a, b, _ in spans)
    assert all(spans[i][1] == spans[i + 1][0] for i in range(len(spans) - 1))


def contour(samples: np.ndarray, rate: int) -> np.ndarray:
    import parselmouth

    pitch = parselmouth.Sound(samples.astype(np.float64), sampling_frequency=rate).to_pitch_ac(
        time_step=0.005, pitch_floor=50.0, pitch_ceiling=500.0
    )
    hz = pitch.selected_array["frequency"]
    return 12 * np.log2(hz[hz > 0] / 100)


def test_reshaping_gives_sac_its_rise_and_is_deterministic(tmp_path) -> None:
    engine = engine_class("espeak")(EngineOptions(root=tmp_path, settings={}))
    plain = engine_class("espeak")(EngineOptions(root=tmp_path, settings={"tone_reshape": False}))
    shaped = engine.synthesize("má", "vi-vn-x-central", 1.0)
    again = engine.synthesize("má", "vi-vn-x-central", 1.0)
    raw = plain.synthesize("má", "vi-vn-x-central", 1.0)
    assert np.array_equal(shaped.samples, again.samples)
    rise = contour(shaped.samples, shaped.sample_rate)
    flat = contour(raw.samples, raw.sample_rate)
    third = len(rise) // 3
    assert rise[-third:].mean() - rise[:third].mean() > 3.0  # sắc rises about 6 st
    assert abs(flat[-third:].mean() - flat[:third].mean()) < 3.0
    assert abs(shaped.duration_s - raw.duration_s) < 0.01  # pitch only, the timing is kept
