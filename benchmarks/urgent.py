"""Urgent preemption latency: from `loa urgent MESSAGE_ID` to the first sound of the alert at a
connected IP receiver, and the loudness/quality cost of the stream's 48 kbps mono encoding.

Starts a private icecast2 (as the tests do), a station streaming one mount to it with the
stream head-end of `loa run` running in this process, and a listener that decodes the mount's
MP3 to PCM. Each round plays a bulletin (a 440 Hz tone) and, while it plays, runs the operator's
command `loa urgent ID` in a new process (so Python start-up, the control socket, the daemon's
preemption, the encoder, Icecast and the receiver's decoder are all counted). The first byte of
urgent audio is the first 0.1 s window in which the listener hears the alert's 960 Hz.

Baseline in the same run: the same cut-in made directly on the mount (no command, no process,
no database), i.e. what the audio chain alone costs. Goal: urgent < 3 s.

Then: EBU R128 loudness (ffmpeg ebur128) of a rendered speech bulletin before and after the
stream encoding ([radio.stream] bitrate_kbps, default 48, mono, 22.05 kHz), and the error
power of the encoded signal against the original (signal-to-noise ratio, in dB).

Run: .venv/bin/python benchmarks/urgent.py [ROUNDS]   (needs icecast2: apt-get install icecast2)
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RATE = 22050


def first_alert(listener: object, after_s: float, timeout: float = 15.0) -> float | None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        found = listener.first_time(0.1, 960.0, 0.05, after_s=after_s)  # type: ignore[attr-defined]
        if found is not None:
            return float(found)
        time.sleep(0.02)
    return None


def latency_round(
    station: object, runtime: object, listener: object, message_id: int, direct: bool
) -> float:
    from loa.channels.stream import PcmBuffer, alert_tone

    stream = runtime.stream  # type: ignore[attr-defined]
    bulletin = stream.play_pcm("bulletin", tone(440.0, 4.0), None)[0]
    time.sleep(1.0)
    heard = listener.heard_seconds()  # type: ignore[attr-defined]
    started = time.monotonic()
    if direct:
        stream.preempt("baseline", PcmBuffer(alert_tone(RATE)), None)
    else:
        env = {**os.environ, "LOA_STATION": str(station.root), "LOA_LANG": "en"}  # type: ignore[attr-defined]
        threading.Thread(
            target=subprocess.run,
            args=([sys.executable, "-m", "loa", "urgent", str(message_id), "--repeats", "1"],),
            kwargs={"env": env, "capture_output": True, "check": False},
            daemon=True,
        ).start()
    found = first_alert(listener, heard)
    bulletin.wait(60)
    time.sleep(0.5)
    if found is None:
        raise SystemExit("the alert was never heard")
    return found - started


def tone(freq: float, seconds: float) -> bytes:
    import numpy as np

    t = np.arange(int(RATE * seconds)) / RATE
    return bytes(np.asarray(0.4 * np.sin(2 * np.pi * freq * t) * 32767, dtype="<i2").tobytes())


def loudness(path: Path) -> float:
    from loa.audio.ffmpeg import ffmpeg_exe

    done = subprocess.run(
        [ffmpeg_exe(), "-nostats", "-i", str(path), "-af", "ebur128", "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=False,
    )
    values = re.findall(r"I:\s+(-?[\d.]+) LUFS", done.stderr)
    return float(values[-1]) if values else float("nan")


def encoding_cost(station: object, bitrate: int) -> dict[str, float]:
    import numpy as np

    from loa.audio.clip import Speaker
    from loa.audio.ffmpeg import decode, ffmpeg_exe, write_wav

    speaker = Speaker.for_station(station)  # type: ignore[arg-type]
    text = (
        "Ủy ban nhân dân xã thông báo: từ ngày 1 tháng 12 năm 2026, người dân có thể nộp hồ sơ "
        "đăng ký khai sinh, kết hôn và cấp phiếu lý lịch tư pháp trực tuyến trên Cổng dịch vụ "
        "công quốc gia, không phải đến trụ sở. Mọi thắc mắc xin liên hệ bộ phận một cửa."
    )
    clip = speaker.speak(text).clip
    folder = Path(tempfile.mkdtemp(prefix="loa-bench-"))
    original = decode(clip.path, sample_rate=RATE)
    source = folder / "source.wav"
    write_wav(source, original, RATE)
    encoded = folder / "stream.mp3"
    subprocess.run(
        [
            ffmpeg_exe(),
            *("-loglevel", "error", "-y", "-i", str(source), "-ac", "1", "-ar", str(RATE)),
            *("-c:a", "libmp3lame", "-b:a", f"{bitrate}k", str(encoded)),
        ],
        check=True,
    )
    back = decode(encoded, sample_rate=RATE)
    # align (the MP3 encoder adds a delay) by cross-correlating the first seconds
    n = min(len(original), len(back), RATE * 4)
    corr = np.correlate(back[: n + 4000], original[:n], mode="valid")
    lag = int(np.argmax(corr))
    m = min(len(original), len(back) - lag)
    x, y = original[:m], back[lag : lag + m]
    noise = float(np.mean((x - y) ** 2)) or 1e-12
    snr = 10 * np.log10(float(np.mean(x**2)) / noise)
    return {
        "seconds": len(original) / RATE,
        "lufs_source": loudness(source),
        "lufs_stream": loudness(encoded),
        "snr_db": float(snr),
        "kbytes_per_min": encoded.stat().st_size / 1024 / (len(original) / RATE) * 60,
    }


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    from loa.app.setup import init_station
    from loa.app.urgent import start_outputs
    from tests.channels.conftest import add_message, configure
    from tests.stream.icecast import IcecastServer, Listener

    work = Path(tempfile.mkdtemp(prefix="loa-urgent-"))
    server = IcecastServer(work / "icecast").start()
    station = init_station(work / "station", name="Xã Đo Thử")
    configure(
        station,
        "radio.stream",
        enabled=True,
        url=server.url,
        mounts=[{"zone": "chung", "mount": "/loa.mp3"}],
        local_playout=False,
        urgent_repeats=1,
    )
    os.environ["LOA_ICECAST_PASSWORD"] = server.password
    message = add_message(station, title="Bão số 9", body="Bão vào gần bờ.", channels=["radio"])
    runtime = start_outputs(station)
    assert runtime is not None and runtime.stream is not None
    runtime.stream.wait_connected(10)
    listener = Listener(f"{server.url}/loa.mp3", RATE)
    try:
        time.sleep(1.0)
        base = [latency_round(station, runtime, listener, message, True) for _ in range(rounds)]
        urgent = [latency_round(station, runtime, listener, message, False) for _ in range(rounds)]
    finally:
        listener.close()
        runtime.stop()
        server.stop()
    b, u = statistics.median(base), statistics.median(urgent)
    print(f"rounds: {rounds} (1 mount, 48 kbps mono {RATE} Hz, listener decoding the stream)")
    print(f"baseline (cut-in on the mount, no command): median {b:.2f} s  max {max(base):.2f} s")
    print(
        f"loa urgent (new process -> first alert sound): median {u:.2f} s  max {max(urgent):.2f} s"
    )
    print(
        f"ratio urgent / baseline: {u / b:.1f}x   goal: urgent < 3 s -> {'met' if max(urgent) < 3 else 'NOT met'}"
    )
    settings_bitrate = 48
    cost = encoding_cost(station, settings_bitrate)
    print(
        f"encoding {settings_bitrate} kbps mono {RATE} Hz on {cost['seconds']:.1f} s of speech: "
        f"loudness {cost['lufs_source']:.1f} -> {cost['lufs_stream']:.1f} LUFS "
        f"({cost['lufs_stream'] - cost['lufs_source']:+.2f} LU), SNR {cost['snr_db']:.1f} dB, "
        f"{cost['kbytes_per_min']:.0f} KiB per minute"
    )


if __name__ == "__main__":
    main()
