"""Urgent latency from every door to the first sound of the alert at a connected IP receiver,
and the loudness/quality cost of the stream's 48 kbps mono encoding.

Starts a private icecast2 (as the tests do), a station streaming one mount to it and a listener
that decodes the mount's MP3 to PCM. The first byte of urgent audio is the first 0.1 s window in
which the listener hears the alert's 960 Hz.

- Baseline, in the same run: a cut-in made directly on a mount of this process (no command, no
  process, no database), i.e. what the audio chain alone costs.
- Then `loa run` in its own process holds the mount (as in production), beside `loa web`, and
  each door is timed: `loa urgent ID` (a new process), the dashboard's urgent button (an HTTP
  request to `loa web`, which hands it to `loa run` over its control socket) and approving an
  urgent message (`loa msg approve ID`, a new process).
- The province door: a commune of a province install (PostgreSQL), a real `loa scheduler`
  (0.5 s interval) and `loa worker`; an urgent message approved in the commune is found due by
  the scheduler and aired by the worker on the commune's mount (timed from the approval).

Goal: every door < 3 s.

Then: EBU R128 loudness (ffmpeg ebur128) of a rendered speech bulletin before and after the
stream encoding ([radio.stream] bitrate_kbps, default 48, mono, 22.05 kHz), and the error
power of the encoded signal against the original (signal-to-noise ratio, in dB).

Run: .venv/bin/python benchmarks/urgent.py [ROUNDS]   (needs icecast2; PostgreSQL for the
province door, as the tests use it)
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


def baseline_round(runtime: object, listener: object) -> float:
    """The same cut-in made directly on a mount of this process: the audio chain alone."""
    from loa.channels.stream import PcmBuffer, alert_tone

    stream = runtime.stream  # type: ignore[attr-defined]
    heard = listener.heard_seconds()  # type: ignore[attr-defined]
    started = time.monotonic()
    stream.preempt("baseline", PcmBuffer(alert_tone(RATE)), None)
    found = first_alert(listener, heard)
    time.sleep(2.5)
    if found is None:
        raise SystemExit("the baseline alert was never heard")
    return found - started


def door_round(listener: object, press: object, settle_s: float = 6.0) -> float:
    """Run one door (`press()` starts it, in its own process or as an HTTP request) and time it
    to the first alert sound the listener decodes."""
    heard = listener.heard_seconds()  # type: ignore[attr-defined]
    started = time.monotonic()
    threading.Thread(target=press, daemon=True).start()
    found = first_alert(listener, heard, timeout=30.0)
    time.sleep(settle_s)  # the alert and the message end; the programme comes back
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


def wait_mount(server: object, mount: str, timeout: float = 60.0) -> None:
    end = time.monotonic() + timeout
    while server.listeners(mount) is None:  # type: ignore[attr-defined]
        if time.monotonic() > end:
            raise SystemExit(f"mount {mount} never came up")
        time.sleep(0.1)


def run(cmd: list[str], env: dict[str, str]) -> None:
    subprocess.run(cmd, env=env, capture_output=True, check=False, timeout=120)


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    import httpx

    from loa.app import users
    from loa.app.setup import init_station
    from loa.app.urgent import start_outputs
    from tests.channels.conftest import add_message, configure
    from tests.stream.icecast import IcecastServer, Listener, free_port

    work = Path(tempfile.mkdtemp(prefix="loa-urgent-"))
    server = IcecastServer(work / "icecast").start()
    os.environ["LOA_ICECAST_PASSWORD"] = server.password
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
    configure(station, "scheduler", render_at="23:59", auto_plan_days=0, poll_seconds=300)
    configure(station, "channels.radio", sink="file")
    users.add_user(station, "hung", "operator", "mat-khau-thu", now=station.now())
    env = {**os.environ, "LOA_STATION": str(station.root), "LOA_LANG": "en"}
    loa = [sys.executable, "-m", "loa"]
    results: dict[str, list[float]] = {}
    procs: list[subprocess.Popen[bytes]] = []
    listener = None
    try:
        # 1. the baseline: a cut-in made directly on a mount of this process
        runtime = start_outputs(station)
        assert runtime is not None and runtime.stream is not None
        runtime.stream.wait_connected(10)
        listener = Listener(f"{server.url}/loa.mp3", RATE)
        time.sleep(1.0)
        results["baseline (direct cut-in)"] = [
            baseline_round(runtime, listener) for _ in range(rounds)
        ]
        listener.close()
        runtime.stop()
        time.sleep(1.0)
        # 2. `loa run` in its own process holds the mount, as in production; `loa web` too
        port = free_port()
        procs.append(subprocess.Popen([*loa, "run"], env=env, stderr=subprocess.DEVNULL))
        procs.append(
            subprocess.Popen([*loa, "web", "--port", str(port)], env=env, stderr=subprocess.DEVNULL)
        )
        wait_mount(server, "/loa.mp3")
        listener = Listener(f"{server.url}/loa.mp3", RATE)
        time.sleep(1.0)
        base_url = f"http://127.0.0.1:{port}"
        web = httpx.Client(base_url=base_url, timeout=30)
        end = time.monotonic() + 60
        while True:
            try:
                web.get("/login")
                break
            except httpx.HTTPError:
                if time.monotonic() > end:
                    raise SystemExit("loa web did not start") from None
                time.sleep(0.2)
        csrf = web.cookies.get("loa_csrf") or ""
        web.post(
            "/login",
            data={"username": "hung", "password": "mat-khau-thu", "csrf": csrf, "next": "/"},
        )

        def message(priority: str = "normal", draft: bool = False) -> int:
            mid = add_message(station, title="Bão số 9", body="Bão vào gần bờ.", channels=["radio"])
            with station.transaction() as session:
                from loa.content.models import Message

                row = session.get(Message, mid)
                assert row is not None
                row.priority = priority
                if draft:
                    row.status = "draft"
            return mid

        cli, button, approval = [], [], []
        for _ in range(rounds):
            mid = message()
            cli.append(door_round(listener, lambda m=mid: run([*loa, "urgent", str(m)], env)))
            mid = message()
            button.append(
                door_round(
                    listener,
                    lambda m=mid: web.post(
                        "/radio/urgent", data={"csrf": csrf, "message_id": str(m)}
                    ),
                )
            )
            mid = message("urgent", draft=True)
            approval.append(
                door_round(
                    listener,
                    lambda m=mid: run([*loa, "msg", "approve", str(m), "--by", "bench"], env),
                )
            )
        results["loa urgent (new process)"] = cli
        results["dashboard button (loa web -> loa run)"] = button
        results["approving an urgent message (loa msg approve)"] = approval
    finally:
        if listener is not None:
            listener.close()
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
    province = province_round(server, rounds)
    if province:
        results["province (loa scheduler + loa worker)"] = province
    server.stop()
    base = statistics.median(results["baseline (direct cut-in)"])
    print(f"rounds: {rounds} (1 mount, 48 kbps mono {RATE} Hz, listener decoding the stream)")
    print(f"{'door':50} {'median':>8} {'max':>8} {'ratio':>7}")
    worst = 0.0
    for name, values in results.items():
        med = statistics.median(values)
        if not name.startswith("baseline"):
            worst = max(worst, max(values))
        print(f"{name:50} {med:7.2f}s {max(values):7.2f}s {med / base:6.1f}x")
    print(f"goal: every door < 3 s to the first alert sound -> {'met' if worst < 3 else 'NOT met'}")
    settings_bitrate = 48
    cost = encoding_cost(station, settings_bitrate)
    print(
        f"encoding {settings_bitrate} kbps mono {RATE} Hz on {cost['seconds']:.1f} s of speech: "
        f"loudness {cost['lufs_source']:.1f} -> {cost['lufs_stream']:.1f} LUFS "
        f"({cost['lufs_stream'] - cost['lufs_source']:+.2f} LU), SNR {cost['snr_db']:.1f} dB, "
        f"{cost['kbytes_per_min']:.0f} KiB per minute"
    )


def province_round(server: object, rounds: int) -> list[float]:
    """The province door: an urgent message approved in a commune of a province install,
    found due by a real `loa scheduler`, aired by a real `loa worker` on the station's mount.
    Timed from the message's approval to the first alert sound. Skipped without PostgreSQL."""
    from sqlalchemy import select

    from loa.content.models import Message, Topic
    from loa.province.registry import init_province
    from loa.province.stations import add_station, open_station
    from tests.channels.conftest import configure
    from tests.pgserver import scratch_database
    from tests.stream.icecast import Listener

    out: list[float] = []
    try:
        database = scratch_database()
        url = database.__enter__()
    except BaseException as exc:  # no server here: say so, measure the rest
        print(f"province door skipped: {exc}")
        return out
    procs: list[subprocess.Popen[bytes]] = []
    try:
        root = Path(tempfile.mkdtemp(prefix="loa-province-"))
        province = init_province(root / "tinh", name="Tỉnh Đo", database=url)
        add_station(province, "xa_do", name="Xã Đo")
        station = open_station(province, "xa_do")
        mount = "/xa_do.mp3"
        configure(
            station,
            "radio.stream",
            enabled=True,
            url=server.url,  # type: ignore[attr-defined]
            mounts=[{"zone": "chung", "mount": mount}],
            local_playout=False,
            urgent_repeats=1,
        )
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        loa = [sys.executable, "-m", "loa"]
        for args in (["worker", "--concurrency", "2"], ["scheduler", "--interval", "0.5"]):
            procs.append(
                subprocess.Popen(
                    [*loa, *args, "--province", str(province.root)],
                    env=env,
                    stderr=subprocess.DEVNULL,
                )
            )
        time.sleep(5.0)  # workers and scheduler up
        for _ in range(rounds):
            with station.transaction() as session:
                topic = session.scalars(select(Topic.code)).first()
                session.add(
                    Message(
                        title="Bão số 9",
                        body="Bão vào gần bờ.",
                        topic_code=topic,
                        status="approved",
                        priority="urgent",
                        channels=["radio"],
                    )
                )
            started = time.monotonic()
            wait_mount(server, mount, timeout=60)
            listener = Listener(f"{server.url}{mount}", RATE)  # type: ignore[attr-defined]
            try:
                found = first_alert(listener, 0.0, timeout=30.0)
            finally:
                listener.close()
            if found is None:
                raise SystemExit("the province's alert was never heard")
            out.append(found - started)
            end = time.monotonic() + 60
            while server.listeners(mount) is not None and time.monotonic() < end:  # type: ignore[attr-defined]
                time.sleep(0.2)  # the worker's outputs close after the alert
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
        database.__exit__(None, None, None)
    return out


if __name__ == "__main__":
    main()
