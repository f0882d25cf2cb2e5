from __future__ import annotations

import sys

import numpy as np
import pytest
import requests
import responses

from loa.audio.clip import Speaker, message_clip
from loa.audio.ffmpeg import read_wav
from loa.audio.mastering import loudness, true_peak_db
from loa.content.models import Message
from loa.core.errors import RuntimeFailure, UserError
from tests.audio.helpers import add_message, set_audio
from tests.audio.test_engines import GTTS_URL, build_piper_voice, fake_piper_voice


def test_clip_is_normalised_mastered_and_cached(station) -> None:
    speaker = Speaker.for_station(station)
    first = speaker.speak("UBND xã thông báo lịch tiếp dân ngày 5/12/2025.")
    assert first.clip.created and first.clip.engine == "espeak"
    # the normaliser ran: abbreviations and dates are read out
    assert "ủy ban nhân dân" in first.clip.text.lower()
    assert "tháng mười hai" in first.clip.text
    samples, rate = read_wav(first.clip.path)
    assert rate == 44100
    assert abs(loudness(samples, rate) + 16.0) <= 0.2
    assert true_peak_db(samples) <= -1.0
    again = Speaker.for_station(station).speak("UBND xã thông báo lịch tiếp dân ngày 5/12/2025.")
    assert not again.clip.created and again.clip.key == first.clip.key


def test_key_changes_with_text_voice_rate_and_mastering(station) -> None:
    speaker = Speaker.for_station(station)
    base = speaker.keys("Xin chào bà con")[0]
    assert speaker.keys("Xin chào bà con.")[0] != base  # normalised text differs
    set_audio(station, 'voice = "vi-vn-x-south"')
    assert Speaker.for_station(station).keys("Xin chào bà con")[0] != base
    set_audio(station, "rate = 1.2")
    rate_key = Speaker.for_station(station).keys("Xin chào bà con")[0]
    set_audio(station, "loudness_lufs = -20.0")
    assert Speaker.for_station(station).keys("Xin chào bà con")[0] not in (base, rate_key)


def test_half_written_clip_never_counts_as_cached(station) -> None:
    speaker = Speaker.for_station(station)
    clip = speaker.speak("Bà con chú ý").clip
    # a crash between the WAV and its record: the record is missing, so it is made again
    speaker.cache.record_path(clip.key).unlink()
    clip.path.write_bytes(clip.path.read_bytes()[:100])
    redone = Speaker.for_station(station).speak("Bà con chú ý").clip
    assert redone.created
    assert read_wav(redone.path)[0].size > 10000


def test_empty_text_is_refused(station) -> None:
    with pytest.raises(UserError, match="Không có gì để đọc"):
        Speaker.for_station(station).speak("  ... \n ")


def test_message_without_spoken_text(station) -> None:
    message = Message(id=7, title=" ", body="")
    with pytest.raises(UserError, match="số 7"):
        message_clip(station, message)


def test_message_clip_uses_the_radio_script(station) -> None:
    mid = add_message(station, "Tiêu đề", "Nội dung dài", radio_script="Kính thưa bà con.")
    with station.transaction() as session:
        message = session.get(Message, mid)
    clip = message_clip(station, message)
    assert clip.text.startswith("Kính thưa bà con")
    assert clip.duration_s > 0.5


@responses.activate
def test_unreachable_gtts_falls_back_to_espeak_and_says_why(station) -> None:
    responses.post(GTTS_URL, body=requests.ConnectionError("offline"))
    set_audio(station, 'engine = "gtts"\nfallback = ["espeak"]\ngtts_timeout = 2.0')
    speaker = Speaker.for_station(station)
    speech = speaker.speak("Ủy ban nhân dân xã thông báo")
    assert speech.clip.engine == "espeak"
    assert any("gtts" in note and "espeak" in note for note in speech.notes)
    # the second clip of the run does not wait on the network again
    calls = len(responses.calls)
    speaker.speak("Người dân chú ý")
    assert len(responses.calls) == calls


def test_missing_piper_voice_falls_back(station) -> None:
    set_audio(station, 'engine = "piper"\npiper_voice = "voices/missing.onnx"')
    speech = Speaker.for_station(station).speak("Xin chào")
    assert speech.clip.engine == "espeak"
    assert "missing.onnx" in " ".join(speech.notes)


def test_piper_voice_speaks_through_the_pipeline(station) -> None:
    build_piper_voice(station.root)
    set_audio(station, 'engine = "piper"\npiper_voice = "voices/tiny-vi.onnx"')
    speech = Speaker.for_station(station).speak("Ủy ban nhân dân xã thông báo")
    assert speech.clip.engine == "piper" and not speech.notes


def test_piper_without_its_extra_falls_back_with_a_note(station, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "piper", None)  # the loa[piper] extra is not installed
    set_audio(station, f'engine = "piper"\npiper_voice = "{fake_piper_voice(station.root)}"')
    speech = Speaker.for_station(station).speak("Xin chào")
    assert speech.clip.engine == "espeak"
    assert 'pip install "loa[piper]"' in " ".join(speech.notes)


def test_piper_without_its_extra_and_no_fallback_is_a_user_error(station, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "piper", None)
    voice = fake_piper_voice(station.root)
    set_audio(station, f'engine = "piper"\npiper_voice = "{voice}"\nfallback = []')
    with pytest.raises(UserError, match=r"loa\[piper\]"):
        Speaker.for_station(station).speak("Xin chào")


def test_non_vietnamese_voice_with_no_fallback_is_a_user_error(station) -> None:
    set_audio(station, 'voice = "en"\nfallback = []')
    with pytest.raises(UserError, match="en"):
        Speaker.for_station(station).speak("Xin chào")


def test_every_engine_failing_is_a_runtime_failure(station) -> None:
    set_audio(station, 'engine = "piper"\nfallback = []')
    with pytest.raises(RuntimeFailure, match="piper"):
        Speaker.for_station(station).speak("Xin chào")


def test_bad_setting_names_the_key(station) -> None:
    from loa.audio.settings import audio_settings

    set_audio(station, 'rate = "nhanh"')
    with pytest.raises(UserError, match="rate"):
        audio_settings(station)
    set_audio(station, 'fallback = ["festival"]')
    with pytest.raises(UserError, match="festival"):
        audio_settings(station)


def test_silent_engine_clip(silent_station) -> None:
    clip = Speaker.for_station(silent_station).speak("Bản tin thử").clip
    assert clip.engine == "silent"
    assert not np.any(read_wav(clip.path)[0])


def test_message_mp3_for_other_channels(station) -> None:
    from tests.audio.helpers import ebur128

    mid = add_message(station, "Tin", "Bà con chú ý nghe thông báo về dịch vụ công trực tuyến.")
    with station.transaction() as session:
        message = session.get(Message, mid)
    from loa.audio.clip import message_mp3

    path = message_mp3(station, message)
    assert path.suffix == ".mp3"
    integrated, peak = ebur128(path)
    assert abs(integrated + 16.0) <= 1.0 and peak <= -1.0


def test_a_missed_loudness_target_is_said_again_when_the_clip_comes_from_the_cache(
    station,
) -> None:
    # -6 LUFS under a -12 dBTP ceiling: no speech gets that loud without clipping
    set_audio(station, "loudness_lufs = -6.0\ntrue_peak_dbtp = -12.0")
    first = Speaker.for_station(station).speak("Người dân chú ý")
    assert first.clip.created and first.clip.missed is not None
    assert any("LUFS" in note for note in first.notes)
    again = Speaker.for_station(station).speak("Người dân chú ý")  # a new run: from the cache
    assert not again.clip.created
    assert again.clip.missed == pytest.approx(first.clip.missed)
    assert [n for n in again.notes if "LUFS" in n] == [n for n in first.notes if "LUFS" in n]


def test_piper_without_its_extra_says_so_before_asking_for_a_voice_file(
    station, monkeypatch
) -> None:
    """Both missing: the package is named first (a voice file alone would not make it speak)."""
    monkeypatch.setitem(sys.modules, "piper", None)
    set_audio(station, 'engine = "piper"\npiper_voice = "voices/chua-co.onnx"')
    speech = Speaker.for_station(station).speak("Xin chào")
    assert speech.clip.engine == "espeak"
    said = " ".join(speech.notes)
    assert 'pip install "loa[piper]"' in said and "chua-co.onnx" not in said
