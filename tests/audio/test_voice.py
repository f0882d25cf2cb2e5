"""Issue 14: a voice people understand from a loudspeaker pole (mastering, chime, pace, tones)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from loa.audio import mastering
from loa.audio.clip import Speaker
from loa.audio.engines import EngineOptions, engine_class
from loa.audio.settings import Mastering
from loa.core.errors import UserError
from tests.audio.helpers import set_audio


def espeak(tmp_path: Path):
    return engine_class("espeak")(EngineOptions(root=tmp_path, settings={}))


def clips(tmp_path: Path) -> list[tuple[np.ndarray, int]]:
    """Different material: two voices, a quiet and a spiky synthetic clip, the chime."""
    engine = espeak(tmp_path)
    north = engine.synthesize("Ủy ban nhân dân xã thông báo lịch tiếp công dân", "vi", 1.0)
    south = engine.synthesize("Bà con nộp hồ sơ trực tuyến", "vi-vn-x-south", 1.0)
    t = np.arange(3 * 22050) / 22050
    quiet = (0.01 * np.sin(2 * np.pi * 300 * t) * (np.sin(2 * np.pi * 2 * t) > 0)).astype(
        np.float32
    )
    spiky = (0.05 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    spiky[::2000] = 0.95
    return [
        (north.samples, north.sample_rate),
        (south.samples, south.sample_rate),
        (quiet, 22050),
        (spiky, 22050),
        (mastering.chime(44100), 44100),
    ]


@pytest.mark.parametrize("target", [-16.0, -14.0, -20.0])
def test_every_clip_lands_within_half_a_lu_whatever_the_order(
    tmp_path: Path, target: float
) -> None:
    m = Mastering(loudness_lufs=target)
    material = clips(tmp_path)
    forward = [mastering.mastered(x, rate, m) for x, rate in material]
    backward = [mastering.mastered(x, rate, m) for x, rate in reversed(material)][::-1]
    for done, again in zip(forward, backward, strict=True):
        assert done.converged
        level = mastering.loudness(done.samples, m.sample_rate)
        assert abs(level - target) <= 0.5
        assert mastering.true_peak_db(done.samples) <= m.true_peak_dbtp
        assert np.array_equal(done.samples, again.samples)  # no state left by the others


@pytest.mark.parametrize("rate", [22050, 44100, 48000])
def test_chime_has_no_click_and_fades_to_zero(rate: int) -> None:
    x = mastering.chime(rate).astype(np.float64)
    assert 1.2 < len(x) / rate < 1.6
    # a smooth signal moves at most amplitude x 2 pi f / rate per sample; a click jumps further
    top = max(f for f, _ in mastering.CHIME_NOTES)
    smooth = 0.5 * (2 * np.pi * top / rate + 0.3 * 2 * np.pi * 2 * top / rate)
    assert np.abs(np.diff(x)).max() <= smooth * 1.02
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x)))) ** 2
    freqs = np.fft.rfftfreq(len(x), 1 / rate)
    assert 10 * np.log10(spectrum[freqs > 10000].sum() / spectrum.sum()) < -80
    assert x[0] == 0.0 and x[-1] == 0.0
    assert np.abs(x[: int(0.002 * rate)]).max() < 0.1 * np.abs(x).max()  # fades in
    assert np.abs(x[-int(0.01 * rate) :]).max() < 0.01 * np.abs(x).max()  # and out


def test_mastered_chime_stays_clean() -> None:
    m = Mastering()
    x = mastering.master(mastering.chime(m.sample_rate), m.sample_rate, m).astype(np.float64)
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x)))) ** 2
    freqs = np.fft.rfftfreq(len(x), 1 / m.sample_rate)
    assert 10 * np.log10(spectrum[freqs > 10000].sum() / spectrum.sum()) < -80
    assert abs(x[-1]) < 1e-3


@pytest.mark.parametrize("value", ["119", "301", '"chậm"', "200.5"])
def test_pace_is_validated(station, value: str) -> None:
    from loa.audio.settings import audio_settings

    set_audio(station, f"pace = {value}")
    with pytest.raises(UserError, match="pace"):
        audio_settings(station)


def test_slower_pace_is_longer_speech_and_another_clip(station) -> None:
    text = "Bà con có thể nộp hồ sơ tại nhà, không phải đi lại nhiều lần."
    slow = Speaker.for_station(station, pace=160).speak(text).clip
    fast = Speaker.for_station(station, pace=240).speak(text).clip
    assert slow.key != fast.key
    assert slow.duration_s > fast.duration_s * 1.25


def test_default_pace_and_pauses_suit_horns(station) -> None:
    from loa.audio.settings import REFERENCE_PACE, audio_settings

    settings = audio_settings(station)
    assert settings.pace == REFERENCE_PACE and 190 <= REFERENCE_PACE <= 210
    assert settings.speaking_rate == 1.0
    assert settings.phrase_pause_ms >= 300 and settings.sentence_pause_ms >= 600


def test_tone_parameters_are_reset_for_every_call(tmp_path: Path) -> None:
    """espeak-ng keeps pitch and range across voices; loa sets them on every call, and speaks
    each call from a freshly loaded library, so the same call gives the same samples."""
    import ctypes

    from loa.audio.engines.espeak import TUNING, _Library

    engine = espeak(tmp_path)
    text = "Ma mà má mả mã mạ"
    first = engine.synthesize(text, "vi", 1.0).samples
    engine.synthesize(text, "vi-vn-x-south", 1.0)  # another pitch and range in between
    engine.synthesize(text, "vi-vn-x-central", 1.3)
    again = engine.synthesize(text, "vi", 1.0).samples
    lib = _Library.get().lib  # the library loaded now (each call reloads it)
    lib.espeak_GetParameter.argtypes = [ctypes.c_int, ctypes.c_int]
    lib.espeak_GetParameter.restype = ctypes.c_int
    assert (lib.espeak_GetParameter(3, 1), lib.espeak_GetParameter(4, 1)) == (
        TUNING["vi"].pitch,
        TUNING["vi"].range,
    )
    assert np.array_equal(first, again)


def test_tuning_is_part_of_the_voice_identity(tmp_path: Path) -> None:
    from loa.audio.engines.espeak import TUNING

    engine = espeak(tmp_path)
    for voice, tuning in TUNING.items():
        assert f"p{tuning.pitch}r{tuning.range}w{tuning.wpm}" in engine.identity(voice)


def test_a_voice_that_cannot_separate_tones_is_not_offered(station) -> None:
    """The central voice is offered because its tones are reshaped; with reshaping off its own
    tones are too alike, and it is not offered."""
    from loa.audio.voices import list_voices

    engine = espeak(station.root)
    assert engine.default_voice() == "vi"
    rows = {r["voice"]: r for r in list_voices(station, check=False)[0] if r["engine"] == "espeak"}
    assert all(rows[v]["offered"] for v in ("vi", "vi-vn-x-south", "vi-vn-x-central"))
    set_audio(station, "tone_reshape = false")
    rows = {r["voice"]: r for r in list_voices(station, check=False)[0] if r["engine"] == "espeak"}
    assert rows["vi"]["offered"] and rows["vi-vn-x-south"]["offered"]
    assert not rows["vi-vn-x-central"]["offered"]
    assert "thanh điệu" in rows["vi-vn-x-central"]["label"]


@pytest.mark.slow
def test_offered_voices_separate_the_six_tones(tmp_path: Path) -> None:
    """The issue's measure (benchmarks/voice.py); needs the bench extra (praat-parselmouth)."""
    pytest.importorskip("parselmouth")
    from benchmarks.voice import TONES, contour, tone_distances

    engine = espeak(tmp_path)
    for voice in engine.voices():
        speech = [engine.synthesize(t, voice.id, 1.0) for t in TONES]
        distances = tone_distances([contour(s.samples, s.sample_rate) for s in speech])
        good = np.median(list(distances.values())) >= 3.5 and min(distances.values()) >= 1.0
        assert good == voice.offered, (voice.id, distances)


def test_voices_add_installs_a_piper_voice(station, tmp_path: Path) -> None:
    pytest.importorskip("piper")
    from loa.audio.settings import audio_settings
    from tests.audio.test_cli_audio import loa
    from tests.audio.test_engines import build_piper_voice

    source = build_piper_voice(tmp_path / "download")
    result = loa(station, "voices", "add", str(source))
    assert result.exit_code == 0, result.output
    copy = station.root / "voices" / "tiny-vi.onnx"
    assert copy.is_file() and Path(f"{copy}.json").is_file()
    from loa.core.station import Station

    settings = audio_settings(Station.load(station.root))
    assert settings.engine == "piper" and settings.piper_voice == "voices/tiny-vi.onnx"
    assert "espeak" in settings.fallback


@pytest.mark.parametrize("case", ["text", "no_config", "english", "missing"])
def test_voices_add_refuses_a_wrong_file(station, tmp_path: Path, case: str) -> None:
    import json

    from tests.audio.test_cli_audio import loa
    from tests.audio.test_engines import build_piper_voice

    before = (station.root / "loa.toml").read_text(encoding="utf-8")
    if case == "text":
        source = tmp_path / "voice.onnx"
        source.write_text("<html>404</html>", encoding="utf-8")
        Path(f"{source}.json").write_text(json.dumps({"espeak": {"voice": "vi"}}))
        needle = "ONNX"
    elif case == "missing":
        source, needle = tmp_path / "none.onnx", "none.onnx"
    else:
        pytest.importorskip("onnx")
        source = build_piper_voice(tmp_path / "d", language="en-us" if case == "english" else "vi")
        if case == "no_config":
            Path(f"{source}.json").unlink()
        needle = "en-us" if case == "english" else ".onnx.json"
    result = loa(station, "voices", "add", str(source))
    assert result.exit_code == 2, result.output
    assert needle in "".join(result.output.split())  # the path may be wrapped anywhere
    assert "Traceback" not in result.output
    assert (station.root / "loa.toml").read_text(encoding="utf-8") == before
    assert not (station.root / "voices" / source.name).exists()


def test_voices_still_lists_without_a_subcommand(station) -> None:
    from tests.audio.test_cli_audio import loa

    result = loa(station, "voices", "--no-check")
    assert result.exit_code == 0, result.output
    assert "vi-vn-x-central" in result.output
