"""Tone reshaping: each syllable's pitch contour moved towards its tone's canonical shape after
synthesis (PSOLA, Praat's overlap-add resynthesis through praat-parselmouth).

loa knows every syllable's tone from the written text (its diacritic) and where each syllable
starts from espeak-ng's word events, so a voice whose own contours are too alike (the central
espeak-ng voice: median 2.7 st, sắc-hỏi 0.45 st) can be given distinct ones. Measured with
benchmarks/voice.py (Praat pitch tracks of "ma mà má mả mã mạ"): central 70/100 reshaped,
median 4.0 st, closest pair 1.6 st (target >= 3.5 and no pair < 1.0).

The shapes are semitones relative to the phrase's median pitch at five evenly spaced points of
the syllable's voiced part. Central Vietnamese (Huế) merges hỏi and ngã in speech; they are
kept apart here as in the written standard that listeners read (ngã the broken rise, hỏi the
low dip), so no two tones of a notice sound alike.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import numpy as np

VERSION = "psola-1"  # part of a reshaped voice's identity: bump when the shapes change
NGANG, HUYEN, SAC, HOI, NGA, NANG = range(6)
_MARKS = {"\u0300": HUYEN, "\u0301": SAC, "\u0309": HOI, "\u0303": NGA, "\u0323": NANG}

#: Canonical contours (semitones re the phrase's median pitch) at 0, 1/4, 1/2, 3/4, 1 of the
#: syllable's voiced part.
SHAPES: dict[int, tuple[float, ...]] = {
    NGANG: (0.0, 0.0, -0.2, -0.4, -0.5),  # mid level
    HUYEN: (-1.0, -2.0, -3.0, -4.0, -5.0),  # low falling
    SAC: (0.0, 0.5, 2.0, 4.0, 6.0),  # high rising
    HOI: (-1.5, -3.5, -5.0, -4.0, -2.5),  # low dipping
    NGA: (0.5, -1.0, -2.5, 1.5, 5.0),  # broken rising
    NANG: (-2.0, -4.0, -6.0, -8.0, -9.0),  # low, sharply falling
}
PITCH_FLOOR, PITCH_CEILING = 50.0, 500.0


def available() -> bool:
    """Whether praat-parselmouth (Praat's PSOLA) can be imported here."""
    from importlib.util import find_spec

    return find_spec("parselmouth") is not None


def tone_of(syllable: str) -> int:
    """The tone of one written syllable, from its diacritic (ngang when it has none)."""
    for ch in unicodedata.normalize("NFD", syllable):
        if ch in _MARKS:
            return _MARKS[ch]
    return NGANG


def syllable_spans(
    text: str, words: Sequence[tuple[int, int, float]], duration_s: float
) -> list[tuple[float, float, int]]:
    """(start s, end s, tone) of each syllable, from espeak-ng's word events (1-based character
    position, length in characters, start time); a syllable ends where the next one starts."""
    spans = []
    for index, (position, length, start) in enumerate(words):
        word = text[max(position - 1, 0) : max(position - 1, 0) + max(length, 0)]
        end = words[index + 1][2] if index + 1 < len(words) else duration_s
        if end > start and any(ch.isalpha() for ch in word):
            spans.append((start, end, tone_of(word)))
    return spans


def reshape(
    samples: np.ndarray, rate: int, spans: Sequence[tuple[float, float, int]]
) -> np.ndarray:
    """`samples` with each syllable's pitch (the voiced frames within its span) replaced by its
    tone's canonical contour, resynthesised by PSOLA. Needs praat-parselmouth; deterministic."""
    import parselmouth
    from parselmouth.praat import call

    if not len(samples) or not spans:
        return samples
    sound = parselmouth.Sound(samples.astype(np.float64), sampling_frequency=rate)
    pitch = sound.to_pitch_ac(time_step=0.005, pitch_floor=PITCH_FLOOR, pitch_ceiling=PITCH_CEILING)
    hz = pitch.selected_array["frequency"]
    times = np.asarray(pitch.xs())
    if np.count_nonzero(hz) < 4:
        return samples
    base = float(np.median(hz[hz > 0]))
    manipulation = call(sound, "To Manipulation", 0.005, PITCH_FLOOR, PITCH_CEILING)
    tier = call(manipulation, "Extract pitch tier")
    for start, end, tone in spans:
        voiced = times[(times >= start) & (times < end) & (hz > 0)]
        if len(voiced) < 4:
            continue
        first, last = float(voiced[0]), float(voiced[-1])
        call(tier, "Remove points between", first, last)
        shape = SHAPES[tone]
        for index, semitones in enumerate(shape):
            at = first + (last - first) * index / (len(shape) - 1)
            call(tier, "Add point", at, base * 2 ** (semitones / 12))
    call([tier, manipulation], "Replace pitch tier")
    out = call(manipulation, "Get resynthesis (overlap-add)")
    result = np.asarray(out.values[0], dtype=np.float32)
    peak = float(np.max(np.abs(result))) if len(result) else 0.0
    return result / peak * 0.99 if peak > 0.99 else result
