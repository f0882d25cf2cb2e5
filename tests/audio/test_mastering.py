from __future__ import annotations

import numpy as np
import pytest

from loa.audio import mastering
from loa.audio.settings import Mastering

RATE = 22050


def speechlike(seconds: float = 6.0, seed: int = 0) -> np.ndarray:
    """Bursts of harmonic tone with spiky peaks and pauses, plus some bass to remove."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    f0 = 140 + 30 * np.sin(2 * np.pi * 0.7 * t)
    phase = 2 * np.pi * np.cumsum(f0) / RATE
    voice = sum(np.sin(k * phase) / k for k in range(1, 12))
    envelope = (np.sin(2 * np.pi * 2.5 * t) > -0.2) * rng.uniform(0.2, 1.0, len(t)).cumsum() % 1
    bass = 0.3 * np.sin(2 * np.pi * 50 * t)
    return (0.2 * voice * envelope + bass).astype(np.float32)


def test_master_hits_loudness_and_true_peak() -> None:
    m = Mastering()
    out = mastering.master(speechlike(), RATE, m)
    assert out.dtype == np.float32
    assert abs(mastering.loudness(out, m.sample_rate) - m.loudness_lufs) <= 0.2
    assert mastering.true_peak_db(out) <= m.true_peak_dbtp


@pytest.mark.parametrize(("target", "ceiling"), [(-23.0, -2.0), (-14.0, -1.0)])
def test_master_follows_the_station_targets(target: float, ceiling: float) -> None:
    m = Mastering(loudness_lufs=target, true_peak_dbtp=ceiling)
    out = mastering.master(speechlike(seed=3), RATE, m)
    assert abs(mastering.loudness(out, m.sample_rate) - target) <= 0.3
    assert mastering.true_peak_db(out) <= ceiling


def test_highpass_removes_bass() -> None:
    t = np.arange(RATE * 2) / RATE
    bass = np.sin(2 * np.pi * 60 * t).astype(np.float32)
    voice = np.sin(2 * np.pi * 1000 * t).astype(np.float32)
    assert np.std(mastering.highpass(bass, RATE, 180)) < 0.05 * np.std(bass)
    assert np.std(mastering.highpass(voice, RATE, 180)) > 0.95 * np.std(voice)


def test_limiter_catches_intersample_peaks() -> None:
    # A tone at fs/4 with a 45 degree phase: samples at 0.707, true peak 1.0 (+3 dB).
    n = np.arange(RATE)
    tone = np.sin(2 * np.pi * n / 4 + np.pi / 4).astype(np.float32) * 0.9
    assert np.abs(tone).max() < 0.66
    assert mastering.true_peak_db(tone) > -1.0
    limited = mastering.limit_true_peak(tone, RATE, -3.0)
    assert mastering.true_peak_db(limited) <= -3.0 + 0.01


def test_trim_drops_leading_and_trailing_silence() -> None:
    tone = np.sin(np.arange(RATE) / RATE * 2 * np.pi * 440).astype(np.float32)
    padded = np.concatenate([np.zeros(RATE), tone, np.zeros(2 * RATE)]).astype(np.float32)
    trimmed = mastering.trim(padded, RATE)
    assert abs(len(trimmed) / RATE - 1.06) < 0.05


def test_silence_passes_through() -> None:
    quiet = np.zeros(RATE * 2, dtype=np.float32)
    out = mastering.master(quiet, RATE, Mastering())
    assert not np.any(out)
    assert mastering.loudness(out, 44100) == mastering.SILENCE_LUFS


def test_loudness_matches_pyloudnorm() -> None:
    import pyloudnorm

    x = speechlike(seconds=3.0, seed=5)
    assert mastering.loudness(x, RATE) == pytest.approx(
        pyloudnorm.Meter(RATE).integrated_loudness(x.astype(np.float64)), abs=1e-9
    )


def test_finish_depends_only_on_its_input() -> None:
    m = Mastering()
    clip = mastering.normalise(speechlike(seconds=3.0, seed=7), RATE, m.loudness_lufs)
    first = mastering.finish(clip, RATE, m)
    # other clips in between (the old search started from the loss of the previous clip) must
    # not change what this one becomes; the second once made the search overflow
    mastering.finish(speechlike(seconds=3.0, seed=1), RATE, Mastering(loudness_lufs=-12.0))
    mastering.finish(speechlike(seconds=3.0, seed=1) * 3.0, RATE, Mastering(loudness_lufs=-10.0))
    again = mastering.finish(clip, RATE, m)
    assert np.array_equal(first.samples, again.samples)
    assert first.converged and first.note is None
    assert abs(first.loudness_lufs - m.loudness_lufs) <= 0.15


def test_unreachable_target_is_reported() -> None:
    # a square wave already at the peak ceiling cannot get 20 LU louder without clipping
    square = np.sign(np.sin(2 * np.pi * 200 * np.arange(RATE * 2) / RATE)).astype(np.float32)
    m = Mastering(loudness_lufs=0.0, true_peak_dbtp=-1.0)
    done = mastering.finish(square * 0.5, RATE, m)
    assert not done.converged
    assert done.note is not None and "LUFS" in done.note
    assert mastering.true_peak_db(done.samples) <= m.true_peak_dbtp
    with pytest.warns(mastering.LoudnessWarning):
        mastering.master(square * 0.5, RATE, m)
