"""Fixtures for the IP-radio tests: a private icecast2 server and a station streaming to it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from loa.core.station import Station
from tests.channels.conftest import configure
from tests.stream.icecast import IcecastServer, icecast_binary

RATE = 22050


@pytest.fixture
def icecast(tmp_path: Path) -> Iterator[IcecastServer]:
    if icecast_binary() is None:  # CI installs it (.ci/run); a bare laptop may not have it
        pytest.skip("icecast2 is not installed (apt-get install icecast2)")
    server = IcecastServer(tmp_path / "icecast").start()
    yield server
    server.stop()


@pytest.fixture
def stream_station(
    station: Station, icecast: IcecastServer, monkeypatch: pytest.MonkeyPatch
) -> Station:
    """A station with two zones streaming to the private server, password in the env."""
    configure(
        station,
        "radio.stream",
        enabled=True,
        url=icecast.url,
        mounts=[
            {"zone": "thon1", "mount": "/thon1.mp3", "name": "Thôn 1"},
            {"zone": "thon2", "mount": "/thon2.mp3", "name": "Thôn 2"},
        ],
        reconnect_min_s=0.2,
        reconnect_max_s=1.0,
        local_playout=False,
        urgent_repeats=1,
    )
    monkeypatch.setenv("LOA_ICECAST_PASSWORD", icecast.password)
    return station


def tone_file(path: Path, freq: float, seconds: float) -> Path:
    """A WAV of a pure tone (a bulletin whose sound a listener can recognise)."""
    from loa.audio.ffmpeg import write_wav

    t = np.arange(int(RATE * seconds)) / RATE
    path.parent.mkdir(parents=True, exist_ok=True)
    write_wav(path, (0.4 * np.sin(2 * np.pi * freq * t)).astype(np.float32), RATE)
    return path


def tone_bulletin(
    station: Station,
    when: datetime,
    message_id: int,
    freq: float,
    seconds: float,
    zones: list[str] | None = None,
) -> int:
    """Plan `message_id` on the radio at `when` and put a tone bulletin (with its sidecar) in
    place of the rendered one. Returns the plan entry id."""
    import json

    from loa.audio.render import bulletin_path
    from loa.planning.models import PlanEntry, Slot

    with station.transaction() as session:
        slot = Slot(
            channel="radio",
            name="Sáng",
            start=when.strftime("%H:%M"),
            capacity=600,
            zones=zones or [],
        )
        session.add(slot)
        session.flush()
        entry = PlanEntry(
            message_id=message_id,
            channel="radio",
            slot_id=slot.id,
            scheduled_at=when,
            duration_s=seconds,
        )
        session.add(entry)
        session.flush()
        entry_id = entry.id
    path = bulletin_path(station, when)
    # the bulletin keeps the station's extension; its audio is the tone
    wav = tone_file(path.with_suffix(".tone.wav"), freq, seconds)
    import subprocess

    from loa.audio.ffmpeg import ffmpeg_exe

    subprocess.run(
        [ffmpeg_exe(), "-loglevel", "error", "-y", "-i", str(wav), str(path)], check=True
    )
    item = {
        "message_id": message_id,
        "title": "tone",
        "duration_s": seconds,
        "offset_s": 0.0,
        "plan_entry_id": entry_id,
    }
    path.with_suffix(".json").write_text(
        json.dumps({"key": "test", "duration_s": seconds, "items": [item]}), encoding="utf-8"
    )
    return entry_id
