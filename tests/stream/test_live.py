"""Phát trực tiếp against a real icecast2: a microphone stand-in (a WAV file fed as the capture
device, or an endless generated tone) cuts into the programme after a short tone, a listener
that decodes the stream hears its marker, the bulletin resumes, the as-run log keeps who, zones,
start, end and the recording; a second live source is refused with who holds it; a caller that
goes away ends the broadcast."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from loa.app.jobs import play_due
from loa.app.live import PING_TIMEOUT_S, go_live, handle_request, holder
from loa.app.stream import StreamRuntime
from loa.app.urgent import start_outputs
from loa.audio.ffmpeg import decode
from loa.core.errors import UserError
from loa.core.station import Station
from tests.channels.conftest import add_message
from tests.stream.conftest import RATE, tone_file
from tests.stream.icecast import IcecastServer
from tests.stream.test_icecast_stream import (
    ALERT_HZ,
    BULLETIN_HZ,
    WHEN,
    as_run,
    listen,
    spans,
    tone_bulletin_in,
    wait_for,
)

pytestmark = pytest.mark.slow

VOICE_HZ = 1500.0


@pytest.fixture
def outputs(stream_station: Station) -> Iterator[StreamRuntime]:
    runtime = start_outputs(stream_station)
    assert runtime is not None and runtime.stream is not None
    assert runtime.stream.wait_connected(10)
    yield runtime
    runtime.stop()


def microphone(tmp_path: Path, seconds: float) -> Path:
    return tone_file(tmp_path / "micro.wav", VOICE_HZ, seconds)


def test_live_cuts_in_after_a_tone_and_the_bulletin_resumes(
    stream_station: Station, icecast: IcecastServer, outputs: StreamRuntime, tmp_path: Path
) -> None:
    normal = add_message(stream_station, channels=["radio"])
    tone_bulletin_in(stream_station, normal, seconds=5.0)
    mic = microphone(tmp_path, 2.5)
    listener = listen(icecast, "/thon1.mp3")
    other = listen(icecast, "/thon2.mp3")
    try:
        playing = threading.Thread(
            target=play_due, args=(stream_station, WHEN), kwargs={"now": WHEN}
        )
        playing.start()
        wait_for(lambda: spans(listener, BULLETIN_HZ))
        time.sleep(1.0)
        heard: list[list[str]] = []
        result = go_live(
            stream_station, by="lan", zones=["thon1"], device=str(mic), on_air=heard.append
        )
        playing.join(60)
        assert not playing.is_alive()
        time.sleep(0.8)
        bulletin, alert = spans(listener, BULLETIN_HZ), spans(listener, ALERT_HZ)
        voice = spans(listener, VOICE_HZ)
        elsewhere = spans(other, VOICE_HZ)
    finally:
        listener.close()
        other.close()
    assert heard == [["thon1"]] and result.zones == ["thon1"]
    assert alert and voice, "the tone and the live voice were not heard"
    assert bulletin[0] < alert[0] < voice[0] < bulletin[-1]
    assert 2.0 <= len(voice) * 0.25 <= 3.25  # the whole voice, once
    assert not elsewhere, "the live voice aired on a zone it was not for"
    assert 2.0 <= result.seconds <= 6.0 and result.interrupted
    rows = [r for r in as_run(stream_station) if r.kind == "live"]
    assert len(rows) == 1
    row = rows[0]
    assert row.status == "done" and row.zones == ["thon1"] and row.extra["by"] == "lan"
    assert row.ended_at is not None and row.ended_at > row.started_at
    assert row.extra["interrupted"][0]["zone"] == "thon1"
    kept = stream_station.media_dir / row.extra["recording"]
    assert kept.is_file()
    samples = decode(kept, sample_rate=RATE)
    spectrum = np.abs(np.fft.rfft(samples))
    freqs = np.fft.rfftfreq(len(samples), 1 / RATE)
    assert abs(freqs[int(np.argmax(spectrum))] - VOICE_HZ) < 20
    assert holder(stream_station) is None  # the live source is free again


def test_a_second_live_source_is_refused_with_who_holds_it(
    stream_station: Station, outputs: StreamRuntime, tmp_path: Path
) -> None:
    until = threading.Event()
    first = threading.Thread(
        target=go_live,
        args=(stream_station,),
        kwargs={"by": "lan", "zones": None, "device": "lavfi:sine=frequency=1500", "until": until},
    )
    first.start()
    try:
        wait_for(lambda: holder(stream_station) is not None)
        with pytest.raises(UserError, match="Đang có người phát trực tiếp: lan"):
            go_live(stream_station, by="hùng", zones=None, device=str(microphone(tmp_path, 1)))
    finally:
        until.set()
        first.join(30)
    assert not first.is_alive() and holder(stream_station) is None


def test_a_caller_that_stops_pinging_ends_the_broadcast(
    stream_station: Station, outputs: StreamRuntime
) -> None:
    began = time.monotonic()
    answer = handle_request(
        stream_station,
        {"action": "start", "by": "lan", "device": "lavfi:sine=frequency=1500"},
    )
    assert answer["on_air"] is True
    wait_for(lambda: holder(stream_station) is None, timeout=PING_TIMEOUT_S + 5)
    assert time.monotonic() - began < PING_TIMEOUT_S + 3
    [row] = [r for r in as_run(stream_station) if r.kind == "live"]
    assert row.extra["by"] == "lan" and row.zones == ["thon1", "thon2"]


def test_a_device_that_cannot_be_opened_airs_nothing(
    stream_station: Station, outputs: StreamRuntime
) -> None:
    with pytest.raises(UserError, match="Thiết bị «khong-co-micro»"):
        go_live(stream_station, by="lan", zones=None, device="khong-co-micro")
    with pytest.raises(UserError, match="Không mở được micrô"):
        go_live(stream_station, by="lan", zones=None, device="alsa:khong-co-the-nay")
    with pytest.raises(UserError, match="thon9"):
        go_live(stream_station, by="lan", zones=["thon9"], device="lavfi:sine")
    assert holder(stream_station) is None
    assert not [r for r in as_run(stream_station) if r.kind == "live"]


def test_loa_live_from_the_command_line(
    stream_station: Station, outputs: StreamRuntime, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from loa.cli.main import app

    runner = CliRunner(env={"COLUMNS": "200"})
    mic = microphone(tmp_path, 1.0)
    result = runner.invoke(
        app,
        ["--station", str(stream_station.root), "live", "--zone", "thon2", "--device", str(mic)],
    )
    assert result.exit_code == 0, result.output
    assert "ĐANG PHÁT TRỰC TIẾP trên vùng: thon2" in result.output
    assert "Đã dừng phát trực tiếp" in result.output and "live/" in result.output


def test_loa_live_without_any_output_says_what_to_turn_on(station: Station, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from loa.cli.main import app

    mic = microphone(tmp_path, 1.0)
    result = CliRunner().invoke(app, ["--station", str(station.root), "live", "--device", str(mic)])
    assert result.exit_code != 0
    assert "[radio.stream]" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("pid", [0, -1])
def test_a_lock_naming_no_process_does_not_hold_the_air(station: Station, pid: int) -> None:
    # os.kill(0 or -1, 0) signals a whole group and succeeds: it must not read as a live holder
    lock = station.root / ".loa-live.json"
    lock.write_text(
        f'{{"pid": {pid}, "by": "x", "zones": [], "since": "08:00:00 07/12/2026"}}',
        encoding="utf-8",
    )
    assert holder(station) is None
