"""Mouth-to-listener delay of `loa live`, against a private icecast2 (burst-on-connect 0).

A WAV file of a 1500 Hz tone stands in for the microphone; the "mouth" instant is when the live
voice starts (the end of the short tone, `LiveSession._voice_from`), the "ear" instant is the
first 0.1 s window in which a listener decoding the mount's MP3 hears 1500 Hz. Baseline in the
same run: a finished buffer of the same tone preempted directly on the mount (the stream chain
alone: encoder, Icecast, the listener's decoder). Goal: live < 2 s (plus Icecast's burst, 0 here).

With --browser, the dashboard's path instead of a capture device: a WebM/Opus stream (what a
browser's MediaRecorder sends) of silence then the tone from ONSET_S, passed to
`BrowserFeed.feed` in 250 ms chunks at real-time pace, each when its last sample would have
been spoken (so the MediaRecorder's chunking is in the figure; the HTTP hop on a LAN is not).
The "mouth" instant is when the tone's first sample would have been spoken.

Run: .venv/bin/python benchmarks/live.py [ROUNDS] [--browser]   (needs icecast2)
"""

from __future__ import annotations

import itertools
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
#: Where the tone starts in the browser's stream (after the cut-in tone has aired).
ONSET_S = 4.0


def browser_stream(folder: Path) -> list[bytes]:
    """The browser's stream in 250 ms chunks: silence, then the tone from ONSET_S."""
    import subprocess

    from loa.audio.ffmpeg import ffmpeg_exe

    path = folder / "micro.webm"
    graph = f"aevalsrc='if(gte(t,{ONSET_S}),0.4*sin(2*PI*{HZ}*t),0)':s=48000:d={ONSET_S + 3}"
    subprocess.run(
        [
            *(ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi"),
            *("-i", graph, "-ac", "1", "-c:a", "libopus", "-b:a", "32k"),
            *("-cluster_time_limit", "250", "-f", "webm", str(path)),
        ],
        check=True,
    )
    data = path.read_bytes()
    # one chunk per WebM cluster (250 ms each): a chunk holds the sound of its own 250 ms
    # (Opus spends few bytes on silence: equal byte counts would not be equal times)
    starts = [i for i in range(len(data)) if data.startswith(b"\x1f\x43\xb6\x75", i)]
    bounds = [*starts[1:], len(data)]
    return [data[: bounds[0]], *(data[lo:hi] for lo, hi in itertools.pairwise(bounds))]


def browser_round(station: object, listener: object, chunks: list[bytes]) -> float:
    """One broadcast from a browser's stream; the mouth-to-ear delay of its tone."""
    from loa.app.live import start_browser_live

    heard_from = listener.heard_seconds()  # type: ignore[attr-defined]
    feed = start_browser_live(station, by="bench", zones=None)  # type: ignore[arg-type]
    period = (ONSET_S + 3) / len(chunks)  # each cluster's length (whole Opus frames)
    began = time.monotonic()
    for n, chunk in enumerate(chunks):
        time.sleep(max(began + (n + 1) * period - time.monotonic(), 0.0))
        feed.feed(chunk)
    mouth = began + ONSET_S
    while (t := listener.first_time(0.1, HZ, 0.05, heard_from)) is None:  # type: ignore[attr-defined]
        time.sleep(0.02)
    feed.stop()
    feed.wait(30)
    return float(t) - mouth


def main(rounds: int, browser: bool = False) -> None:
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
            chunks = browser_stream(folder) if browser else []
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
                if browser:
                    live.append(browser_round(station, listener, chunks))
                    listener.close()
                    continue
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
    path = "browser (WebM chunks -> pipe)" if browser else "capture device"
    print(f"rounds: {rounds}   path: {path}")
    print(f"baseline (buffer on the mount -> ear): median {b:.3f} s  max {max(base):.3f} s")
    print(f"live (mouth -> ear):                   median {v:.3f} s  max {max(live):.3f} s")
    print(f"ratio live / baseline: {v / b:.2f}   goal: live < 2 s -> {'OK' if v < 2 else 'MISSED'}")


if __name__ == "__main__":
    numbers = [a for a in sys.argv[1:] if a.isdigit()]
    main(int(numbers[0]) if numbers else 3, browser="--browser" in sys.argv[1:])
