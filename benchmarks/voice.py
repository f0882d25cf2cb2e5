"""Benchmark: can people understand the offline voice from a loudspeaker pole?

    .venv/bin/python benchmarks/voice.py          (needs the bench extra: pip install "loa[bench]")

Per espeak-ng voice, loa's tuned voice beside raw espeak-ng defaults (pitch 50, range 50,
175 words/min) measured in the same run:
- tones: the six-tone set "ma mà má mả mã mạ", each syllable spoken alone, its pitch track (Praat
  autocorrelation via parselmouth) in semitones re 100 Hz resampled to 20 points; the distance of
  two tones is the RMS difference of their contours. Printed: the median of the 15 pairs and the
  closest pair (targets, issue 14: median >= 3.5 st, no pair < 1.0 st), and in brackets the
  same through Praat's cross-correlation tracker as a cross-check ("+psola": the voice's
  syllables are reshaped to their tones, loa.audio.tones);
- pace: syllables per minute of a standard bulletin text, net of pauses (silences >= 100 ms);
- loudness (LUFS, BS.1770) and true peak (dBTP) of the standard bulletin (chime, text, chime) as
  the MP3 the radio plays, decoded.
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TONES = ("ma", "mà", "má", "mả", "mã", "mạ")
TONE_NAMES = ("ngang", "huyền", "sắc", "hỏi", "ngã", "nặng")
STANDARD_BULLETIN = (
    "Ủy ban nhân dân xã thông báo: từ ngày mười lăm tháng ba, bộ phận một cửa tiếp nhận hồ sơ "
    "đăng ký khai sinh, kết hôn và chứng thực trực tuyến trên cổng dịch vụ công quốc gia. "
    "Bà con có thể nộp hồ sơ tại nhà, không phải đi lại nhiều lần. "
    "Mọi thắc mắc xin liên hệ cán bộ tư pháp hộ tịch vào giờ hành chính các ngày trong tuần."
)
RAW_WPM = 175  # espeak-ng's default rate
POINTS = 20


def contour(samples: np.ndarray, rate: int, method: str = "ac") -> np.ndarray:
    """The voiced pitch track in semitones re 100 Hz at POINTS evenly spaced times (Praat's
    autocorrelation tracker, or "cc" its cross-correlation one for the cross-check)."""
    import parselmouth

    sound = parselmouth.Sound(samples.astype(np.float64), sampling_frequency=rate)
    track = sound.to_pitch_cc if method == "cc" else sound.to_pitch_ac
    pitch = track(time_step=0.005, pitch_floor=50.0, pitch_ceiling=500.0)
    hz = pitch.selected_array["frequency"]
    hz = hz[hz > 0]
    if len(hz) < 4:
        return np.full(POINTS, np.nan)
    st = 12.0 * np.log2(hz / 100.0)
    return np.interp(np.linspace(0, len(st) - 1, POINTS), np.arange(len(st)), st)


def tone_distances(contours: list[np.ndarray]) -> dict[tuple[str, str], float]:
    out = {}
    for i in range(len(contours)):
        for j in range(i + 1, len(contours)):
            diff = contours[i] - contours[j]
            out[(TONE_NAMES[i], TONE_NAMES[j])] = (
                float(np.sqrt(np.nanmean(diff**2))) if np.isfinite(diff).any() else 0.0
            )
    return out


def syllables(text: str) -> int:
    return len(re.findall(r"\w+", text))


def net_seconds(samples: np.ndarray, rate: int, min_pause_s: float = 0.1) -> float:
    """Duration without the pauses: 10 ms frames 40 dB under the loudest, in runs >= min_pause_s."""
    frame = int(rate * 0.01)
    count = len(samples) // frame
    rms = np.sqrt(
        np.mean(samples[: count * frame].reshape(count, frame).astype(np.float64) ** 2, 1)
    )
    db = 20 * np.log10(rms + 1e-9)
    quiet = db < db.max() - 40
    paused, run = 0, 0
    for q in [*quiet, False]:
        if q:
            run += 1
        else:
            paused += run if run * 0.01 >= min_pause_s else 0
            run = 0
    return (count - paused) * 0.01


def mp3_level(samples: np.ndarray, rate: int, settings, folder: Path) -> tuple[float, float]:
    """(LUFS, dBTP) of `samples` written as the station's MP3 and decoded."""
    from loa.audio.bulletin import write_master_mp3
    from loa.audio.ffmpeg import decode
    from loa.audio.mastering import loudness, true_peak_db

    path = folder / "b.mp3"
    write_master_mp3(path, samples, rate, settings, tags={})
    decoded = decode(path, sample_rate=rate)
    return loudness(decoded, rate), true_peak_db(decoded)


def measure(voice: str, folder: Path) -> dict[str, dict[str, object]]:
    from loa.audio.cache import ClipCache
    from loa.audio.clip import Speaker
    from loa.audio.engines import EngineOptions
    from loa.audio.engines.espeak import RAW, EspeakEngine, _Library
    from loa.audio.ffmpeg import read_wav
    from loa.audio.mastering import chime, master, resample
    from loa.audio.settings import AudioSettings

    library = _Library.get()
    sr = library.sample_rate
    settings = AudioSettings(voice=voice, allow_unoffered_voice=True)  # measure every voice
    engine = EspeakEngine(EngineOptions(root=folder, settings={}))
    speaker = Speaker(folder, settings, ClipCache(folder / f"cache-{voice}"))
    m = settings.mastering
    gap = np.zeros(int(m.sample_rate * settings.item_pause_ms / 1000), dtype=np.float32)
    bell = master(chime(m.sample_rate), m.sample_rate, m)
    rows: dict[str, dict[str, object]] = {}

    # raw espeak-ng: defaults, the whole text in one call, straight to MP3
    raw_tones = [
        contour(library.speak(t, voice, RAW_WPM, RAW).astype(np.float32) / 32768, sr) for t in TONES
    ]
    raw_pcm = library.speak(STANDARD_BULLETIN, voice, RAW_WPM, RAW).astype(np.float32) / 32768
    raw_44k = resample(raw_pcm, sr, m.sample_rate)
    rows["raw"] = {
        "tones": tone_distances(raw_tones),
        "spm": syllables(STANDARD_BULLETIN) / net_seconds(raw_pcm, sr) * 60,
        "level": mp3_level(raw_44k, m.sample_rate, settings, folder),
    }

    # loa: the tuned voice through the whole pipeline (chunking, pauses, mastering, MP3)
    spoken_tones = [engine.synthesize(t, voice, 1.0) for t in TONES]
    tones = [contour(t.samples, t.sample_rate) for t in spoken_tones]
    cross = tone_distances([contour(t.samples, t.sample_rate, "cc") for t in spoken_tones])
    clip = speaker.speak(STANDARD_BULLETIN).clip
    spoken, rate = read_wav(clip.path)
    bulletin = np.concatenate([bell, gap, resample(spoken, rate, m.sample_rate), gap, bell])
    rows["loa"] = {
        "tones": tone_distances(tones),
        "cross": cross,
        "spm": syllables(speaker.spoken(STANDARD_BULLETIN)) / net_seconds(spoken, rate) * 60,
        "level": mp3_level(bulletin, m.sample_rate, settings, folder),
    }
    return rows


def main() -> None:
    from loa.audio.engines.espeak import RAW, TUNING, VOICES

    print(
        f"{'voice':18} {'run':4} {'tones median':>12} {'closest pair':>24} "
        f"{'syl/min':>8} {'LUFS':>6} {'dBTP':>6}  pitch/range/wpm"
    )
    with tempfile.TemporaryDirectory(prefix="loa-voice-") as tmp:
        for voice in VOICES:
            rows = measure(voice.id, Path(tmp))
            for run, row in rows.items():
                tones = row["tones"]
                assert isinstance(tones, dict)
                median = float(np.median(list(tones.values())))
                pair = min(tones, key=tones.__getitem__)
                lufs, peak = row["level"]  # type: ignore[misc]
                t = TUNING.get(voice.id, RAW) if run == "loa" else RAW
                wpm = t.wpm if run == "loa" else RAW_WPM
                ok = (
                    ""
                    if run == "raw"
                    else ("  ok" if median >= 3.5 and tones[pair] >= 1.0 else "  below target")
                )
                offered = "" if voice.offered or run == "raw" else ", not offered"
                cross = row.get("cross")
                check = ""
                if isinstance(cross, dict):  # the same tones through Praat's cc tracker
                    closest = min(cross.values())
                    check = f"  (cc: {float(np.median(list(cross.values()))):.2f} / {closest:.2f})"
                shaped = "+psola" if getattr(t, "reshape", False) and run == "loa" else ""
                print(
                    f"{voice.id:18} {run:4} {median:9.2f} st {'-'.join(pair):>15} "
                    f"{tones[pair]:5.2f} st {row['spm']:8.0f} {lufs:6.1f} {peak:6.1f}  "
                    f"{t.pitch}/{t.range}/{wpm}{shaped}{ok}{offered}{check}"
                )


if __name__ == "__main__":
    main()
