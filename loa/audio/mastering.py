"""Mastering for outdoor horn loudspeakers: high-pass, gentle compression, BS.1770 loudness
normalisation and a true-peak limiter, plus silence trimming and joining with pauses.

All functions take and return mono float32 numpy arrays.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace
from functools import cache
from math import gcd
from typing import Any

import numpy as np

from loa.audio.settings import Mastering
from loa.core.i18n import Catalog

T = Catalog(
    {
        "missed": (
            "Không đạt độ to mục tiêu: đo được {level:.1f} LUFS, mục tiêu {target:.1f} LUFS "
            "(trần đỉnh không cho phép to hơn).",
            "Loudness target missed: measured {level:.1f} LUFS, target {target:.1f} LUFS "
            "(the peak ceiling allows no louder).",
        ),
    }
)

SILENCE_LUFS = -70.0  # BS.1770 absolute gate: anything quieter is silence
LIMITER_MARGIN_DB = 0.7  # headroom for the MP3 encoder, which moves levels by a few tenths of a dB
OVERSAMPLE = 4


class LoudnessWarning(UserWarning):
    """A clip could not be brought within CONVERGED_LU of the loudness target."""


def resample(samples: np.ndarray, from_rate: int, to_rate: int) -> np.ndarray:
    """Polyphase resampling (exact for the usual 16/22.05/24/44.1/48 kHz rates)."""
    if from_rate == to_rate or len(samples) == 0:
        return samples.astype(np.float32, copy=False)
    from scipy.signal import resample_poly

    g = gcd(from_rate, to_rate)
    return np.asarray(resample_poly(samples, to_rate // g, from_rate // g), dtype=np.float32)


def silence(seconds: float, rate: int) -> np.ndarray:
    return np.zeros(max(round(seconds * rate), 0), dtype=np.float32)


def highpass(samples: np.ndarray, rate: int, hz: float) -> np.ndarray:
    """4th-order Butterworth high-pass: horns cannot reproduce bass, it only wastes amplifier power."""
    if hz <= 0 or len(samples) == 0:
        return samples
    from scipy.signal import butter, sosfilt

    sos = butter(4, hz, btype="highpass", fs=rate, output="sos")
    return np.asarray(sosfilt(sos, samples), dtype=np.float32)


def _db(x: np.ndarray) -> np.ndarray:
    return np.asarray(20.0 * np.log10(np.maximum(x, 1e-9)))


def _frame_power(samples: np.ndarray, hop: int) -> np.ndarray:
    count = -(-len(samples) // hop)
    padded = np.zeros(count * hop, dtype=np.float64)
    padded[: len(samples)] = samples
    return np.asarray(np.mean(padded.reshape(count, hop) ** 2, axis=1))


def compress(
    samples: np.ndarray, rate: int, threshold_db: float, ratio: float, smooth_ms: float = 30.0
) -> np.ndarray:
    """A gentle feed-forward RMS compressor: 10 ms detector on 1 ms hops, smoothed gain."""
    if ratio <= 1.0 or len(samples) == 0:
        return samples
    from scipy.ndimage import uniform_filter1d
    from scipy.signal import lfilter

    hop = max(rate // 1000, 1)
    power = np.maximum(uniform_filter1d(_frame_power(samples, hop), 10), 0.0)
    level = _db(np.sqrt(power))
    gain_db = np.minimum(0.0, (threshold_db - level) * (1.0 - 1.0 / ratio))
    alpha = np.exp(-1.0 / smooth_ms)  # one pole per 1 ms hop
    gain_db = lfilter([1 - alpha], [1, -alpha], gain_db)
    centres = np.arange(len(gain_db)) * hop + hop / 2
    gain = 10.0 ** (np.interp(np.arange(len(samples)), centres, gain_db) / 20.0)
    return np.asarray(samples * gain, dtype=np.float32)


@cache
def _meter(rate: int) -> Any:
    import pyloudnorm

    return pyloudnorm.Meter(rate)


def loudness(samples: np.ndarray, rate: int) -> float:
    """Integrated loudness in LUFS (ITU-R BS.1770-4 via pyloudnorm); SILENCE_LUFS for silence."""
    if len(samples) == 0 or not np.any(samples):
        return SILENCE_LUFS
    block = int(0.4 * rate)
    if len(samples) < block:  # BS.1770 needs one 400 ms block: measure the clip repeated
        samples = np.tile(samples, block // len(samples) + 1)
    value = float(_meter(rate).integrated_loudness(samples.astype(np.float64)))
    return value if np.isfinite(value) else SILENCE_LUFS


@cache
def _interpolator(taps: int = 8) -> np.ndarray:
    """Kaiser-windowed sinc weights for the 3 points between two samples (4x oversampling)."""
    offsets = np.arange(-taps + 1, taps + 1)  # neighbours x[n-taps+1] ... x[n+taps]
    rows = []
    for phase in range(1, OVERSAMPLE):
        t = phase / OVERSAMPLE - offsets
        window = np.kaiser(2 * taps, 8.0)
        rows.append(np.sinc(t) * window)
    return np.array(rows)  # (3, 2*taps)


def _oversampled_peaks(samples: np.ndarray, floor: float = 0.0) -> np.ndarray:
    """Per-sample true-peak estimate: the largest 4x-oversampled magnitude in [n, n+1).

    Only samples louder than `floor` (and their neighbours) are interpolated: an inter-sample
    peak is never far above the samples around it, and this keeps long clips cheap.
    """
    x = np.asarray(samples, dtype=np.float64)
    peaks = np.abs(x)
    if len(x) < 2:
        return peaks
    loud = peaks >= floor
    touching = loud[:-1] | loud[1:]  # interval [n, n+1) touches a loud sample
    candidates = np.flatnonzero(touching)
    if len(candidates) == 0:
        return peaks
    weights = _interpolator()
    taps = weights.shape[1] // 2
    offsets = np.arange(-taps + 1, taps + 1)
    for start in range(0, len(candidates), 65536):
        cand = candidates[start : start + 65536]
        index = np.clip(cand[:, None] + offsets[None, :], 0, len(x) - 1)
        between = np.abs(x[index] @ weights.T).max(axis=1)
        peaks[cand] = np.maximum(peaks[cand], between)
    return peaks


def true_peak_db(samples: np.ndarray) -> float:
    """True peak in dBTP (4x oversampling, as BS.1770-4 annex 2)."""
    if len(samples) == 0:
        return -120.0
    return float(_db(np.array([_oversampled_peaks(samples, np.abs(samples).max() * 0.5).max()]))[0])


def limit_true_peak(
    samples: np.ndarray, rate: int, ceiling_db: float, window_ms: float = 8.0
) -> np.ndarray:
    """A look-ahead true-peak limiter: gain ramps down before each over and back up after.

    Around each over, the gain is a moving minimum of the needed reduction smoothed by a moving
    average of the same width, so it never exceeds the needed reduction at a peak and has no
    clicks. Only the stretches around overs are computed.
    """
    if len(samples) == 0:
        return samples
    from scipy.ndimage import minimum_filter1d, uniform_filter1d

    ceiling = 10.0 ** (ceiling_db / 20.0)
    out = samples.astype(np.float64)
    half = max(int(rate * window_ms / 1000.0), 1)
    size = 2 * half + 1
    for _ in range(4):
        peaks = _oversampled_peaks(out, ceiling * 0.5)
        over = peaks > ceiling * 1.0012  # 0.01 dB: no endless passes over rounding
        if not over.any():
            break
        need = np.minimum(1.0, ceiling / np.maximum(peaks, 1e-12))
        # Work only on the stretches within two windows of an over.
        idx = np.flatnonzero(over)
        breaks = np.flatnonzero(np.diff(idx) > 2 * size)
        firsts = np.concatenate([idx[:1], idx[breaks + 1]])
        lasts = np.concatenate([idx[breaks], idx[-1:]])
        for first, last in zip(firsts, lasts, strict=True):
            begin, end = max(int(first) - 2 * size, 0), min(int(last) + 2 * size + 1, len(out))
            part = need[begin:end]
            gain = uniform_filter1d(
                minimum_filter1d(part, size, mode="nearest"), size, mode="nearest"
            )
            out[begin:end] *= gain
    return out.astype(np.float32)


def trim(
    samples: np.ndarray, rate: int, relative_db: float = -45.0, pad_ms: float = 30.0
) -> np.ndarray:
    """Drop leading and trailing silence: 10 ms frames quieter than the loudest frame + relative_db."""
    frame = max(int(rate * 0.010), 1)
    count = len(samples) // frame
    if count == 0:
        return samples
    rms = np.sqrt(
        np.mean(samples[: count * frame].reshape(count, frame).astype(np.float64) ** 2, axis=1)
    )
    if not np.any(rms > 0):
        return samples
    levels = _db(rms)
    loud = np.flatnonzero(levels > levels.max() + relative_db)
    pad = int(rate * pad_ms / 1000.0)
    start = max(int(loud[0]) * frame - pad, 0)
    end = min((int(loud[-1]) + 1) * frame + pad, len(samples))
    return samples[start:end]


def normalise(samples: np.ndarray, rate: int, target_lufs: float) -> np.ndarray:
    level = loudness(samples, rate)
    if level <= SILENCE_LUFS:
        return samples
    return np.asarray(samples * 10.0 ** ((target_lufs - level) / 20.0), dtype=np.float32)


INITIAL_LOSS_LU = 0.3  # first guess at what the limiter takes from speech at the usual targets
CONVERGED_LU = 0.5  # a clip this close to the target counts as on target


@dataclass(frozen=True, eq=False)
class Finished:
    """A mastered clip and how close its loudness came to the target."""

    samples: np.ndarray
    loudness_lufs: float  # measured on `samples` (SILENCE_LUFS for silence)
    target_lufs: float
    converged: bool  # within CONVERGED_LU of the target (or silence, which has no target)

    @property
    def note(self) -> str | None:
        """What to tell the user when the target was missed; None when it was met."""
        if self.converged:
            return None
        return T("missed", level=self.loudness_lufs, target=self.target_lufs)


def finish(
    samples: np.ndarray, rate: int, m: Mastering, tolerance_lu: float = 0.15, passes: int = 6
) -> Finished:
    """Loudness to the target with the true peak under the ceiling.

    Limiting a spiky voice lowers its loudness, so the gain before the limiter is found by the
    secant method on "loudness after limiting", starting from a fixed guess of the loss (one or
    two passes for speech). A pure function of its arguments: the best of at most `passes`
    attempts is returned, with `converged` false when even that one is more than CONVERGED_LU
    from the target (e.g. a target so loud that the peak ceiling cannot allow it).
    """
    target = m.loudness_lufs
    ceiling = m.true_peak_dbtp - LIMITER_MARGIN_DB
    level = loudness(samples, rate)
    if level <= SILENCE_LUFS:
        return Finished(samples, SILENCE_LUFS, target, converged=True)

    def attempt(gain_db: float) -> tuple[np.ndarray, float]:
        out = limit_true_peak(
            (samples * 10.0 ** (gain_db / 20.0)).astype(np.float32), rate, ceiling
        )
        return out, loudness(out, rate) - target

    g0 = target - level + INITIAL_LOSS_LU
    out, e0 = attempt(g0)
    best_out, best_error = out, e0
    g1 = g0 - e0
    for _ in range(passes - 1):
        if abs(e0) <= tolerance_lu:
            break
        out, e1 = attempt(g1)
        if abs(e1) < abs(best_error):
            best_out, best_error = out, e1
        if e1 == e0:  # the limiter holds the level: more gain changes nothing
            break
        step = -e1 * (g1 - g0) / (e1 - e0)
        g0, e0, g1 = g1, e1, g1 + min(max(step, -12.0), 12.0)
    return Finished(
        best_out, target + best_error, target, converged=abs(best_error) <= CONVERGED_LU
    )


def mastered(samples: np.ndarray, rate: int, m: Mastering) -> Finished:
    """The full chain for one clip, returned at `m.sample_rate`: trim, high-pass, compress,
    normalise loudness, limit true peak; then resample. `note` says if the target was missed.

    The work happens at the engine's own rate when it is lower (22.05 kHz for espeak-ng): half
    the samples, and resampling a band-limited signal keeps its loudness and true peak.
    """
    out = samples.astype(np.float32)
    if rate > m.sample_rate:
        out, rate = resample(out, rate, m.sample_rate), m.sample_rate
    out = trim(out, rate, m.trim_db)
    out = highpass(out, rate, m.highpass_hz)
    out = normalise(out, rate, m.loudness_lufs)
    out = compress(out, rate, m.loudness_lufs + m.compress_threshold_db, m.compress_ratio)
    done = finish(out, rate, m)
    return replace(done, samples=resample(done.samples, rate, m.sample_rate))


def master(samples: np.ndarray, rate: int, m: Mastering) -> np.ndarray:
    """`mastered(...).samples`; a missed loudness target is reported as a LoudnessWarning."""
    done = mastered(samples, rate, m)
    if done.note:
        warnings.warn(done.note, LoudnessWarning, stacklevel=2)
    return done.samples


def join(parts: list[np.ndarray], pause_s: float, rate: int) -> np.ndarray:
    """Concatenate parts with `pause_s` of silence between them."""
    gap = silence(pause_s, rate)
    pieces: list[np.ndarray] = []
    for i, part in enumerate(parts):
        if i:
            pieces.append(gap)
        pieces.append(part.astype(np.float32, copy=False))
    return np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)


CHIME_VERSION = 2  # part of the chime's cache key: bump when the generated sound changes
CHIME_NOTES = ((784.0, 0.55), (1046.5, 0.85))  # G5 then C6, seconds each
CHIME_GLIDE_S = 0.012  # the pitch moves to the next note over this time (no phase jump)
CHIME_FADE_IN_S = 0.010
CHIME_FADE_OUT_S = 0.150


def _raised_cosine(count: int) -> np.ndarray:
    """0 -> 1 over `count` samples (half a cosine period): no corner at either end."""
    if count <= 0:
        return np.zeros(0)
    return np.asarray(0.5 - 0.5 * np.cos(np.pi * np.arange(count) / count))


def chime(rate: int) -> np.ndarray:
    """A short generated two-note chime (for a bulletin with no jingle file): ~1.4 s.

    One oscillator whose frequency glides between the notes, so the phase never jumps (a jump
    is a click: a broadband line up to 20 kHz on a horn); each note's bell-like decay restarts
    through a raised-cosine swell, and the whole starts and ends at zero through raised-cosine
    fades.
    """
    lengths = [round(seconds * rate) for _, seconds in CHIME_NOTES]
    total = sum(lengths)
    freq = np.empty(total)
    envelope = np.empty(total)
    start = 0
    glide = max(round(CHIME_GLIDE_S * rate), 1)
    for index, ((hz, _), count) in enumerate(zip(CHIME_NOTES, lengths, strict=True)):
        freq[start : start + count] = hz
        t = np.arange(count) / rate
        decay = np.exp(-t * 4.0)
        if index:  # swell from the last level of the previous note: no step in amplitude
            swell = _raised_cosine(min(glide, count))
            before = envelope[start - 1]
            decay[: len(swell)] = before + (decay[: len(swell)] - before) * swell
            previous = freq[start - 1]
            freq[start : start + len(swell)] = previous + (hz - previous) * swell
        envelope[start : start + count] = decay
        start += count
    fade_in = _raised_cosine(max(round(CHIME_FADE_IN_S * rate), 1))
    fade_out = _raised_cosine(max(round(CHIME_FADE_OUT_S * rate), 1))[::-1]
    envelope[: len(fade_in)] *= fade_in
    envelope[-len(fade_out) :] *= fade_out
    envelope[-1] = 0.0
    phase = 2 * np.pi * np.cumsum(freq) / rate
    phase -= phase[0]  # sin(0) = 0: the first sample is silence
    tone = np.sin(phase) + 0.3 * np.sin(2 * phase)
    return (0.5 * envelope * tone).astype(np.float32)
