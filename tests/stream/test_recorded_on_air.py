"""A recorded announcement on the IP stream: the commune's recording of a marker tone, kept and
mastered, airs in its bulletin on a real icecast2 in place of the synthetic reading, a listener
that decodes the mount hears the marker, and the as-run row says it was a recording."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from loa.app.jobs import play_due
from loa.app.recordings import keeping
from loa.app.render import render_period
from loa.app.stream import StreamRuntime
from loa.app.urgent import start_outputs
from loa.core.station import Station
from tests.audio.helpers import add_message, set_audio
from tests.audio.recordings import make
from tests.audio.test_render import MONDAY, plan
from tests.stream.icecast import IcecastServer
from tests.stream.test_icecast_stream import as_run, listen, spans, wait_for

pytestmark = pytest.mark.slow

MARKER_HZ = 1000.0
WHEN = datetime(2026, 11, 23, 6, 0)


@pytest.fixture
def outputs(stream_station: Station) -> Iterator[StreamRuntime]:
    runtime = start_outputs(stream_station)
    assert runtime is not None and runtime.stream is not None
    assert runtime.stream.wait_connected(10)
    yield runtime
    runtime.stop()


def test_a_recorded_announcement_airs_on_the_stream_and_a_listener_hears_its_marker(
    stream_station: Station, icecast: IcecastServer, outputs: StreamRuntime, tmp_path: Path
) -> None:
    station = stream_station
    set_audio(station, 'engine = "silent"\nfallback = []')
    source = make(tmp_path, "amr", seconds=3.0, hz=MARKER_HZ)  # as a phone records it
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
    plan(station, [(recorded, WHEN, 1)])
    assert len(render_period(station, MONDAY, 1, workers=1)) == 1
    listener = listen(icecast, "/thon1.mp3")
    try:
        playing = threading.Thread(target=play_due, args=(station, WHEN), kwargs={"now": WHEN})
        playing.start()
        wait_for(lambda: len(spans(listener, MARKER_HZ)) >= 8, timeout=30)  # 2 s of it
        playing.join(60)
        assert not playing.is_alive()
    finally:
        listener.close()
    [row] = [r for r in as_run(station) if r.message_id == recorded]
    assert row.status == "done" and row.kind == "recorded"
    assert 2.5 < float(row.duration_s or 0) < 3.6
