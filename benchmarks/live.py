"""Mouth-to-listener delay of `loa live`, against a private icecast2 (burst-on-connect 0).

A WAV file of a 1500 Hz tone stands in for the microphone; the "mouth" instant is when the live
voice starts (the end of the short tone, `LiveSession._voice_from`), the "ear" instant is the
first 0.1 s window in which a listener decoding the mount's MP3 hears 1500 Hz. Baseline in the
same run: a finished buffer of the same tone preempted directly on the mount (the stream chain
alone: encoder, Icecast, the listener's decoder). Goal: live < 2 s (plus Icecast's burst, 0 here).

Run: .venv/bin/python benchmarks/live.py [ROUNDS]   (needs icecast2)
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HZ = 1500.0


def main(rounds: int) -> None:
    from loa.app.live import go_live, session_of
    from loa.app.setup import init_station
    from loa.app.urgent import start_outputs
    from loa.channels.stream import PcmBuffer
    from tests.channels.conftest import configure
    from tests.stream.conftest import RATE, tone_file
    from tests.stream.icecast import IcecastServer, Listener

    with tempfile.TemporaryDirectory(prefix="loa-bench-live-") as tmp:
        folder = Path(tmp)
        server = IcecastServer(folder / "icecast").start()
        try:
            station = init_station(folder / "station", name="Xã Đo Thử")
            configure(
                station,
                "radio.stream",
                enabled=True,
                url=server.url,
                mounts=[{"zone": "thon1", "mount": "/thon1.mp3", "name": "Thôn 1"}],
                local_playout=False,
            )
            os.environ["LOA_ICECAST_PASSWORD"] = server.password
            runtime = start_outputs(station)
            assert runtime is not None and runtime.stream is not None
            runtime.stream.wait_connected(10)
            mic = tone_file(folder / "micro.wav", HZ, 1.5)
            from loa.audio.ffmpeg import read_wav

            samples, _ = read_wav(mic)
            pcm = (samples * 32767).astype("<i2").tobytes()
            base: list[float] = []
            live: list[float] = []
            for _ in range(rounds):
                listener = Listener(f"{server.url}/thon1.mp3", RATE)
                time.sleep(1.5)
                start = time.monotonic()
                heard_from = listener.heard_seconds()
                runtime.stream.preempt("bench", PcmBuffer(pcm), None)
                while (t := listener.first_time(0.1, HZ, 0.05, heard_from)) is None:
                    time.sleep(0.02)
                base.append(t - start)
                time.sleep(2.0)
                heard_from = listener.heard_seconds()
                mouth: list[float] = []

                def on_air(_zones: list[str], mouth: list[float] = mouth) -> None:
                    session = session_of(station)
                    assert session is not None
                    mouth.append(session._voice_from)

                done = threading.Thread(
                    target=go_live,
                    args=(station,),
                    kwargs={"by": "bench", "zones": None, "device": str(mic), "on_air": on_air},
                )
                done.start()
                while not mouth or (t := listener.first_time(0.1, HZ, 0.05, heard_from)) is None:
                    time.sleep(0.02)
                live.append(t - mouth[0])
                done.join(30)
                listener.close()
            runtime.stop()
        finally:
            server.stop()
    b, v = statistics.median(base), statistics.median(live)
    print(f"rounds: {rounds}")
    print(f"baseline (buffer on the mount -> ear): median {b:.3f} s  max {max(base):.3f} s")
    print(f"live (mouth -> ear):                   median {v:.3f} s  max {max(live):.3f} s")
    print(f"ratio live / baseline: {v / b:.2f}   goal: live < 2 s -> {'OK' if v < 2 else 'MISSED'}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
