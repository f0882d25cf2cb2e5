"""Recorded announcements: real files of every accepted format, checked by content, kept once,
mastered for horns, and aired in a bulletin in place of the synthetic reading."""

from __future__ import annotations

import json
import subprocess
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from loa.app.recordings import keeping, mastered_mp3
from loa.app.render import render_period
from loa.audio.ffmpeg import decode, ffmpeg_exe, read_wav
from loa.audio.mastering import loudness, true_peak_db
from loa.audio.recording import MAX_BYTES, check, keep, recording_clip, sniff
from loa.audio.settings import Mastering
from loa.channels.playout import play_bulletin
from loa.channels.radio import FileSink
from loa.core.errors import UserError
from tests.audio.helpers import add_message
from tests.audio.recordings import make
from tests.audio.test_render import MONDAY, plan

ACCEPTED = ["mp3", "m4a", "aac", "opus", "vorbis", "amr", "wav", "webm"]
M = Mastering()


def _tone_level(samples: np.ndarray, rate: int, hz: float) -> float:
    """Share of the energy within 30 Hz of `hz` (0..1)."""
    spectrum = np.abs(np.fft.rfft(samples)) ** 2
    freqs = np.fft.rfftfreq(len(samples), 1 / rate)
    return float(spectrum[np.abs(freqs - hz) < 30].sum() / max(spectrum.sum(), 1e-12))


@pytest.mark.parametrize("fmt", ACCEPTED)
def test_each_phone_format_is_kept_and_mastered_for_horns(tmp_path: Path, fmt: str) -> None:
    source = make(tmp_path, fmt, seconds=1.5)
    media = tmp_path / "media"
    recording, clip = keep(media, source, M)
    assert recording.created and recording.path.is_file()
    assert recording.path.read_bytes() == source.read_bytes()
    assert recording.path.parent == media / "recordings"
    assert recording.ref.endswith(recording.path.suffix) and len(recording.ref.split(".")[0]) == 64
    assert 1.3 < recording.duration_s < 1.7
    samples, rate = read_wav(clip.path)
    assert rate == M.sample_rate
    assert abs(loudness(samples, rate) - M.loudness_lufs) < 0.5
    assert true_peak_db(samples) <= M.true_peak_dbtp + 0.05
    assert _tone_level(samples, rate, 440) > 0.8  # it is still the recording's tone
    again, _ = keep(media, source, M)
    assert again.ref == recording.ref and not again.created
    assert len(list((media / "recordings").iterdir())) == 1


def test_refused_by_content_whatever_the_name(tmp_path: Path) -> None:
    flac = make(tmp_path, "flac", name="that-la-mp3.mp3")
    text = tmp_path / "thong-bao.m4a"
    text.write_text("Đây không phải tệp âm thanh", encoding="utf-8")
    fake_mp4 = tmp_path / "video.m4a"
    fake_mp4.write_bytes(b"\x00\x00\x00\x18ftypisom" + b"\x00" * 200)
    for bad in (flac, text, fake_mp4):
        with pytest.raises(UserError) as caught:
            keep(tmp_path / "media", bad, M)
        assert bad.name in str(caught.value)
        assert "MP3, M4A/AAC, OGG/Opus, AMR, WAV, WebM" in str(
            caught.value
        ) or "không có tiếng" in str(caught.value)
    assert not (tmp_path / "media").exists()


def test_too_big_and_too_long_are_refused_before_any_work(tmp_path: Path) -> None:
    big = tmp_path / "dai.wav"
    with open(big, "wb") as fh:
        fh.truncate(MAX_BYTES + 1)
    with pytest.raises(UserError, match="quá 50 MB"):
        check(big)
    long = tmp_path / "hop-dai.wav"
    subprocess.run(
        [
            ffmpeg_exe(),
            *("-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi"),
            *("-i", "anullsrc=r=8000:cl=mono", "-t", "1860", "-c:a", "pcm_u8", str(long)),
        ],
        check=True,
    )
    with pytest.raises(UserError, match=r"31 phút, quá 30 phút"):
        keep(tmp_path / "media", long, M)
    assert not (tmp_path / "media").exists()


def test_silence_only_is_refused(tmp_path: Path) -> None:
    quiet = tmp_path / "im-lang.wav"
    subprocess.run(
        [
            ffmpeg_exe(),
            *("-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi"),
            *("-i", "anullsrc=r=16000:cl=mono", "-t", "1", str(quiet)),
        ],
        check=True,
    )
    with pytest.raises(UserError, match="chỉ có im lặng"):
        keep(tmp_path / "media", quiet, M)


def test_silence_is_trimmed_at_both_ends(tmp_path: Path) -> None:
    source = make(tmp_path, "m4a", seconds=1.0, lead_s=1.2, tail_s=1.0)
    recording, clip = keep(tmp_path / "media", source, M)
    assert recording.duration_s > 3.0
    assert 1.0 <= clip.duration_s < 1.5


def test_noise_is_gently_reduced(tmp_path: Path) -> None:
    source = make(tmp_path, "wav", seconds=1.5, lead_s=0.6, noise=0.02)
    original = decode(source, sample_rate=M.sample_rate)
    _, clip = keep(tmp_path / "media", source, M)
    mastered, rate = read_wav(clip.path)

    def noise_to_tone_db(x: np.ndarray) -> float:
        noise = x[int(0.1 * rate) : int(0.5 * rate)]
        tone = x[int(1.0 * rate) : int(1.8 * rate)]
        return float(20 * np.log10(np.std(noise) / np.std(tone)))

    before, after = noise_to_tone_db(original), noise_to_tone_db(mastered)
    assert after < before - 4.0  # quieter noise under the same voice
    assert after > before - 20.0  # gently: the noise floor is lowered, not gated away


def test_sniff_tells_the_kinds_apart() -> None:
    assert sniff(b"#!AMR\n") == "amr"
    assert sniff(b"ID3\x04") == "mp3"
    assert sniff(b"\xff\xfb\x90\x00") == "mp3"
    assert sniff(b"\xff\xf1\x50\x80") == "aac"
    assert sniff(b"fLaC\x00\x00") is None
    assert sniff(b"%PDF-1.4") is None


def test_a_bulletin_mixes_a_recording_and_a_synthetic_reading(
    silent_station, tmp_path: Path
) -> None:
    station = silent_station
    source = make(tmp_path, "m4a", seconds=2.0, hz=1000)
    with keeping(station) as keeper:
        audio = keeper.attach(str(source), tmp_path)
    recorded = add_message(
        station,
        "Thông báo của Chủ tịch xã",
        "Nội dung viết.",
        radio_script="Kịch bản đọc của tin ghi âm.",
        audio=audio["ref"],
        audio_name=audio["name"],
        audio_seconds=audio["seconds"],
    )
    spoken = add_message(station, "Tin đọc máy", "Nội dung đọc bằng giọng máy.")
    when = datetime(2026, 11, 23, 6, 0)
    plan(station, [(recorded, when, 1), (spoken, when, 2)])
    [result] = render_period(station, MONDAY, 1, workers=1)
    sidecar = json.loads(result.path.with_suffix(".json").read_text(encoding="utf-8"))
    kinds = {i["message_id"]: i["kind"] for i in sidecar["items"]}
    assert kinds == {recorded: "recorded", spoken: "speech"}
    item = next(i for i in sidecar["items"] if i["message_id"] == recorded)
    assert 1.8 < item["duration_s"] < 2.3
    rate = 44100
    audio_out = decode(result.path, sample_rate=rate)
    start = int((item["offset_s"] + 0.3) * rate)
    segment = audio_out[start : start + rate]
    assert _tone_level(segment, rate, 1000) > 0.8  # the recording's marker tone airs there

    played = play_bulletin(station, when, result.path, sink=FileSink(tmp_path / "aired"))
    assert {r.message_id: r.kind for r in played.records} == {
        recorded: "recorded",
        spoken: "speech",
    }
    mp3 = mastered_mp3(station, audio["ref"])
    assert mp3.is_file() and mp3.stat().st_size > 1000


def test_a_lost_original_is_mastered_again_or_said(silent_station, tmp_path: Path) -> None:
    station = silent_station
    source = make(tmp_path, "opus", seconds=1.0)
    with keeping(station) as keeper:
        audio = keeper.attach(str(source), tmp_path)
    from loa.audio.cache import ClipCache

    cache = ClipCache(station.media_dir / "cache")
    louder = Mastering(loudness_lufs=-14.0)
    clip = recording_clip(station.media_dir, audio["ref"], louder, cache)
    samples, rate = read_wav(clip.path)
    assert abs(loudness(samples, rate) + 14.0) < 0.5
    (station.media_dir / "recordings" / audio["ref"]).unlink()
    with pytest.raises(UserError, match="Không tìm thấy tệp ghi âm"):
        recording_clip(station.media_dir, audio["ref"], Mastering(loudness_lufs=-18.0), cache)


def test_keeping_removes_what_it_wrote_when_the_request_fails(station, tmp_path: Path) -> None:
    source = make(tmp_path, "mp3", seconds=1.0)
    with pytest.raises(RuntimeError), keeping(station) as keeper:
        keeper.attach(str(source), tmp_path)
        assert len(list((station.media_dir / "recordings").iterdir())) == 1
        raise RuntimeError("the message could not be saved")
    assert list((station.media_dir / "recordings").iterdir()) == []
