"""Phát trực tiếp from the dashboard, the library side: a browser's WebM/Opus chunks (made here
with the bundled ffmpeg, sent at the pace a MediaRecorder sends them) go on the air of a real
icecast2 through the same path as `loa live`, a listener hears their marker tone, and a browser
that stops sending (a closed page, a dropped connection) is off the air within 5 s."""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from loa.app.live import FEED_TIMEOUT_S, browser_feed, holder, start_browser_live
from loa.app.stream import StreamRuntime
from loa.app.urgent import start_outputs
from loa.audio.ffmpeg import ffmpeg_exe
from loa.core.errors import UserError
from loa.core.station import Station
from tests.stream.icecast import IcecastServer
from tests.stream.test_icecast_stream import ALERT_HZ, as_run, listen, spans, wait_for

pytestmark = pytest.mark.slow

VOICE_HZ = 1500.0


@pytest.fixture
def outputs(stream_station: Station) -> Iterator[StreamRuntime]:
    runtime = start_outputs(stream_station)
    assert runtime is not None and runtime.stream is not None
    assert runtime.stream.wait_connected(10)
    yield runtime
    runtime.stop()


def webm_tone(path: Path, seconds: float) -> bytes:
    """What a browser's MediaRecorder sends: Opus in WebM, here of a marker tone."""
    subprocess.run(
        [
            *(ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi"),
            *("-i", f"sine=frequency={VOICE_HZ:g}:duration={seconds:g}", "-ac", "1"),
            *("-ar", "48000", "-c:a", "libopus", "-b:a", "32k", "-f", "webm", str(path)),
        ],
        check=True,
    )
    return path.read_bytes()


def send(feed: object, data: bytes, seconds: float, stop: threading.Event) -> None:
    """Send `data` in 250 ms chunks at real-time pace (as MediaRecorder.start(250) does)."""
    parts = max(int(seconds / 0.25), 1)
    size = len(data) // parts + 1
    for lo in range(0, len(data), size):
        if stop.is_set():
            return
        feed.feed(data[lo : lo + size])  # type: ignore[attr-defined]
        time.sleep(0.25)


def test_the_browsers_stream_goes_on_air_and_ends_when_stopped(
    stream_station: Station, icecast: IcecastServer, outputs: StreamRuntime, tmp_path: Path
) -> None:
    data = webm_tone(tmp_path / "micro.webm", 6.0)
    listener = listen(icecast, "/thon1.mp3")
    other = listen(icecast, "/thon2.mp3")
    stop = threading.Event()
    try:
        feed = start_browser_live(stream_station, by="lan", zones=["thon1"], address="127.0.0.1")
        sender = threading.Thread(target=send, args=(feed, data, 6.0, stop))
        sender.start()
        wait_for(lambda: feed.state == "on_air", timeout=15)
        assert feed.on_air_zones == ["thon1"]
        with pytest.raises(UserError, match="Đang có người phát trực tiếp: lan"):
            start_browser_live(stream_station, by="hung", zones=None)
        assert browser_feed(stream_station, feed.id, "lan") is feed
        with pytest.raises(UserError):
            browser_feed(stream_station, feed.id, "hung")  # not theirs
        wait_for(lambda: spans(listener, VOICE_HZ), timeout=15)
        time.sleep(1.0)
        feed.stop()
        assert feed.wait(10)
        stop.set()
        sender.join(10)
        voice, alert = spans(listener, VOICE_HZ), spans(listener, ALERT_HZ)
        elsewhere = spans(other, VOICE_HZ)
    finally:
        stop.set()
        listener.close()
        other.close()
    assert feed.state == "ended", feed.error
    assert alert and voice and alert[0] < voice[0], "the tone did not come before the voice"
    assert not elsewhere, "the live voice aired on a zone it was not for"
    [row] = [r for r in as_run(stream_station) if r.kind == "live"]
    assert row.extra["by"] == "lan" and row.zones == ["thon1"]
    assert row.ended_at is not None and row.ended_at > row.started_at
    assert (stream_station.media_dir / row.extra["recording"]).is_file()
    assert holder(stream_station) is None
    assert feed.result is not None and feed.result.seconds >= 1.0
    assert not list(stream_station.root.glob(".loa-live-*")), "the pipe's folder was left"


def test_a_browser_that_stops_sending_is_off_the_air_within_5_s(
    stream_station: Station, icecast: IcecastServer, outputs: StreamRuntime, tmp_path: Path
) -> None:
    data = webm_tone(tmp_path / "micro.webm", 20.0)
    stop = threading.Event()
    feed = start_browser_live(stream_station, by="hung", zones=None)
    sender = threading.Thread(target=send, args=(feed, data, 20.0, stop))
    sender.start()
    try:
        wait_for(lambda: feed.state == "on_air", timeout=15)
        time.sleep(1.0)
        stop.set()  # the connection drops: nothing more comes
        dropped = time.monotonic()
        assert feed.wait(10)
        gone = time.monotonic() - dropped
    finally:
        stop.set()
        sender.join(10)
    assert gone < 5.0, f"still on the air {gone:.1f} s after the browser went away"
    assert gone >= FEED_TIMEOUT_S - 0.3  # it waited for a late chunk first
    [row] = [r for r in as_run(stream_station) if r.kind == "live"]
    assert row.ended_at is not None and row.extra["by"] == "hung"
    assert holder(stream_station) is None


def test_a_browser_that_sends_no_sound_is_told_to_allow_the_microphone(
    stream_station: Station, outputs: StreamRuntime
) -> None:
    feed = start_browser_live(stream_station, by="lan", zones=None)
    assert feed.wait(15)
    assert feed.state == "error"
    assert feed.error is not None and "Cho phép trang dùng micrô" in feed.error
    assert holder(stream_station) is None
    assert not [r for r in as_run(stream_station) if r.kind == "live"]


def test_an_unknown_zone_is_refused_before_anything_airs(stream_station: Station) -> None:
    with pytest.raises(UserError, match="thon9"):
        start_browser_live(stream_station, by="lan", zones=["thon9"])
    assert holder(stream_station) is None


def test_through_a_running_loa_run_the_daemon_reads_the_browsers_pipe(
    stream_station: Station, icecast: IcecastServer, tmp_path: Path
) -> None:
    """`loa web` beside `loa run`: the daemon holds the outputs and opens the pipe itself; the
    dashboard's process only passes the chunks on (and pings)."""
    import os
    import signal
    import sys

    from loa.app.stream import ask_daemon

    data = webm_tone(tmp_path / "micro.webm", 20.0)
    daemon = subprocess.Popen(
        [sys.executable, "-m", "loa", "run"],
        env={**os.environ, "LOA_STATION": str(stream_station.root), "LOA_LANG": "vi"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    stop = threading.Event()
    listener = None
    try:
        deadline = time.monotonic() + 60
        while ask_daemon(stream_station, {"op": "hello"}) is None:
            assert daemon.poll() is None and time.monotonic() < deadline, daemon.stderr
            time.sleep(0.1)
        listener = listen(icecast, "/thon2.mp3")
        feed = start_browser_live(stream_station, by="lan", zones=["thon2"])
        sender = threading.Thread(target=send, args=(feed, data, 20.0, stop))
        sender.start()
        wait_for(lambda: feed.state == "on_air", timeout=20)
        lock = holder(stream_station)
        assert lock is not None and lock.pid == daemon.pid and lock.by == "lan"
        wait_for(lambda: spans(listener, VOICE_HZ), timeout=15)
        stop.set()  # the browser goes away
        dropped = time.monotonic()
        assert feed.wait(15)
        gone = time.monotonic() - dropped
        sender.join(10)
    finally:
        stop.set()
        if listener is not None:
            listener.close()
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(30)
    assert feed.state == "ended", feed.error
    assert gone < 5.0, f"still on the air {gone:.1f} s after the browser went away"
    [row] = [r for r in as_run(stream_station) if r.kind == "live"]
    assert row.extra["by"] == "lan" and row.zones == ["thon2"] and row.ended_at is not None
    assert feed.result is not None and feed.result.via == "daemon"
    assert holder(stream_station) is None
