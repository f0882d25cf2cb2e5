"""Shared encoding (issue #33 point 2): mounts airing the same audio use one encoder, and the
listeners of each still hear it (a real icecast2, listeners decoding what they hear)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from loa.app.stream import StreamRuntime
from loa.app.urgent import start_outputs
from loa.channels.encoding import (
    FrameSplitter,
    encode_all,
    frame_length,
    samples_per_frame,
    silence_frames,
)
from loa.core.station import Station
from tests.stream.conftest import RATE
from tests.stream.icecast import IcecastServer
from tests.stream.test_icecast_stream import listen, loud, wait_for

pytestmark = pytest.mark.slow


def encoders() -> list[int]:
    """The pids of the MP3 encoders (ffmpeg children with libmp3lame) of this process."""
    out = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if int(stat[1]) == os.getpid() and b"libmp3lame" in cmd:
            out.append(int(pid))
    return out


def tone(freq: float, seconds: float) -> bytes:
    t = np.arange(int(RATE * seconds)) / RATE
    return bytes((0.4 * 32767 * np.sin(2 * np.pi * freq * t)).astype("<i2").tobytes())


def test_frames_are_split_whole_and_silence_is_encoded_once() -> None:
    pcm = tone(440.0, 2.0)
    data = b"".join(encode_all(pcm, RATE, 48))
    frames: list[bytes] = []
    splitter = FrameSplitter()
    for k in range(0, len(data), 100):  # as a pipe gives them: in pieces
        frames += splitter.feed(data[k : k + 100])
    assert b"".join(frames) == data
    assert all(frame_length(f[:4]) == len(f) for f in frames)
    # 2 s at 576 samples a frame, plus the encoder's delay
    assert 2 * RATE // samples_per_frame(RATE) <= len(frames) <= 2 * RATE // 576 + 4
    assert silence_frames(RATE, 48) is silence_frames(RATE, 48)


@pytest.fixture
def outputs(stream_station: Station) -> Iterator[StreamRuntime]:
    runtime = start_outputs(stream_station)
    assert runtime is not None and runtime.stream is not None
    assert runtime.stream.wait_connected(10)
    yield runtime
    runtime.stop()


def test_two_mounts_airing_one_clip_use_one_encoder_and_both_are_heard(
    icecast: IcecastServer, outputs: StreamRuntime
) -> None:
    assert outputs.stream is not None
    one = listen(icecast, "/thon1.mp3")
    two = listen(icecast, "/thon2.mp3")
    try:
        assert encoders() == []  # silence on both: no encoder at all
        heard = one.heard_seconds(), two.heard_seconds()
        playbacks = outputs.stream.play_pcm("tone", tone(440.0, 2.0), None)
        assert len(playbacks) == 2 and playbacks[0].buffer is playbacks[1].buffer
        wait_for(lambda: len(encoders()) == 1 or playbacks[0].done.is_set(), 5)
        assert len(playbacks[0].buffer.encodings) == 1
        assert all(m._encoder is None for m in outputs.stream.mounts.values())
        assert all(p.wait(10) for p in playbacks)
        wait_for(lambda: one.heard_seconds() > heard[0] + 4 and two.heard_seconds() > heard[1] + 4)
        for listener, start in ((one, heard[0]), (two, heard[1])):
            end = listener.heard_seconds()
            assert loud(listener, 440.0, start, end)
            assert not loud(listener, 440.0, end - 0.5, end)  # back to silence after it
        wait_for(lambda: encoders() == [], 5)  # the clip's encoder is gone when it is done
    finally:
        one.close()
        two.close()
