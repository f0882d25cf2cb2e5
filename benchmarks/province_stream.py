"""CPU of the province head-end (`loa province stream`) per Icecast mount: N communes with one
mount each on a real local icecast2, the head-end holding them all (the filler between
bulletins: silence), CPU time of the head-end process and its encoders (ffmpeg children) over
a measured window, per mount and as mounts one core carries.

Baseline in the same run: one bare ffmpeg MP3 encoder fed the same PCM in real time by this
process (what one mount's encoding alone costs), so the ratio says how much loa adds.

Run: .venv/bin/python benchmarks/province_stream.py [--mounts 10,50,100] [--seconds 20]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.province_urgent import (  # noqa: E402
    big_icecast,
    mounts_up,
    set_hosted,
    setup_province,
    spawn,
    stop,
)

TICK = os.sysconf("SC_CLK_TCK")


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of `pid` and of its live children (the encoders)."""
    total = 0.0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    pids += [int(c) for c in children]
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / TICK
    return total


def bare_encoder(seconds: float) -> float:
    """CPU seconds per second of one ffmpeg encoder fed silence in real time."""
    from loa.audio.ffmpeg import ffmpeg_exe

    proc = subprocess.Popen(
        [
            ffmpeg_exe(),
            *("-hide_banner", "-loglevel", "error", "-nostdin"),
            *("-f", "s16le", "-ar", "22050", "-ac", "1", "-i", "pipe:0"),
            *("-c:a", "libmp3lame", "-b:a", "48k", "-f", "mp3", "pipe:1"),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert proc.stdin is not None and proc.stdout is not None
    out = proc.stdout
    threading.Thread(
        target=lambda: [None for _ in iter(lambda: out.read(4096), b"")], daemon=True
    ).start()
    chunk = bytes(2 * 1102)
    time.sleep(0.5)
    before = cpu_s(proc.pid)
    end = time.monotonic() + seconds
    deadline = time.monotonic()
    while time.monotonic() < end:
        proc.stdin.write(chunk)
        proc.stdin.flush()
        deadline += 0.05
        time.sleep(max(0.0, deadline - time.monotonic()))
    used = cpu_s(proc.pid) - before
    proc.stdin.close()
    proc.wait()
    return used / seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mounts", default="10,50,100")
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    from tests.pgserver import scratch_database

    sizes = [int(n) for n in args.mounts.split(",")]
    base = bare_encoder(args.seconds)
    print(f"baseline: one bare ffmpeg encoder, {base * 100:.2f} % of a core")
    rows = []
    with tempfile.TemporaryDirectory(prefix="loa-bench-") as tmp, scratch_database() as url:
        icecast = big_icecast(Path(tmp) / "icecast")
        try:
            province = setup_province(Path(tmp), url, max(sizes), icecast)
            idents = [r.ident for r in province.stations()]  # type: ignore[attr-defined]
            for n in sizes:
                set_hosted(province, idents[:n])
                head = spawn(province, "province", "stream", "--interval", "1")
                try:
                    mounts_up(icecast, idents[:n], timeout=120)
                    time.sleep(3.0)
                    before, t = cpu_s(head.pid), time.monotonic()
                    time.sleep(args.seconds)
                    used = (cpu_s(head.pid) - before) / (time.monotonic() - t)
                finally:
                    stop([head])
                rows.append((n, used))
        finally:
            icecast.stop()
    print(f"{'mounts':>6} {'cores':>6} {'% core/mount':>13} {'mounts/core':>11} {'x bare':>7}")
    for n, used in rows:
        per = used / n
        print(f"{n:>6} {used:>6.2f} {per * 100:>13.2f} {1 / per:>11.0f} {per / base:>7.1f}")


if __name__ == "__main__":
    main()
