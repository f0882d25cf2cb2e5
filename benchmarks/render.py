"""Benchmark: render a week of bulletins for the sample station, cold and warm, against a bare
espeak-ng -> ffmpeg MP3 baseline measured in the same run.

    /work/venv/bin/python benchmarks/render.py [--workers N] [--days 7] [--no-plan]

Prints audio-seconds produced per wall-second for each run, the ratios, and peak memory
(largest resident set of the main process and of any worker process). Targets (issue 4): cold at
least 0.5x the baseline's throughput, warm at least 50x faster than cold, peak memory < 300 MB.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path


def _plan_week(station, start: date, days: int) -> str:
    """Plan the days with the sample slots, as `loa plan` does."""
    from loa.app.planning import plan_station
    from loa.planning.defaults import seed_default_slots

    with station.transaction() as session:
        seed_default_slots(session)
    plan_station(
        station, start, days, now=datetime.combine(start, datetime.min.time()) - timedelta(hours=1)
    )
    return "planned with the sample slots"


def baseline(specs, folder: Path) -> tuple[float, float]:
    """The same text through the bare espeak-ng library straight to MP3 (ffmpeg defaults,
    same bitrate), no normalising or mastering: (audio seconds, wall seconds)."""
    from loa.audio.engines.espeak import BASE_WPM, _Library
    from loa.audio.ffmpeg import ffmpeg_exe

    library = _Library.get()
    ffmpeg = ffmpeg_exe()
    audio = 0.0
    began = time.perf_counter()
    for index, spec in enumerate(specs):
        text = "\n".join(item.text for item in spec.items)
        pcm = library.speak(text, "vi", BASE_WPM)
        audio += len(pcm) / library.sample_rate
        subprocess.run(
            [
                ffmpeg,
                "-y",
                "-loglevel",
                "error",
                "-f",
                "s16le",
                "-ar",
                str(library.sample_rate),
                "-ac",
                "1",
                "-i",
                "pipe:0",
                "-c:a",
                "libmp3lame",
                "-b:a",
                "128k",
                str(folder / f"{index}.mp3"),
            ],
            input=pcm.tobytes(),
            check=True,
        )
    return audio, time.perf_counter() - began


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--days", type=int, default=7)
    args = parser.parse_args()

    from loa.app.render import bulletin_specs, render_period
    from loa.app.setup import init_station

    with tempfile.TemporaryDirectory(prefix="loa-bench-") as tmp:
        station = init_station(Path(tmp) / "sample", name="Xã Cẩm Nhượng", sample=True)
        start = station.now().date() + timedelta(days=1)
        source = _plan_week(station, start, args.days)
        specs = bulletin_specs(station, start, args.days)
        items = sum(len(s.items) for s in specs)
        unique = len({i.message_id for s in specs for i in s.items})
        print(f"station: sample, {args.days} days from {start}, {source}")
        print(f"bulletins: {len(specs)}, items: {items} ({unique} distinct messages)")

        base_audio, base_wall = baseline(specs, Path(tmp))
        base_rate = base_audio / base_wall
        print(
            f"baseline  espeak-ng -> ffmpeg mp3: {base_audio:8.1f} audio-s in {base_wall:6.2f} s"
            f" = {base_rate:7.1f} audio-s/s"
        )

        began = time.perf_counter()
        cold = render_period(station, start, args.days, workers=args.workers)
        cold_wall = time.perf_counter() - began
        cold_audio = sum(r.duration_s for r in cold)
        cold_rate = cold_audio / cold_wall
        print(
            f"cold      loa render (empty cache):  {cold_audio:8.1f} audio-s in {cold_wall:6.2f} s"
            f" = {cold_rate:7.1f} audio-s/s"
        )

        began = time.perf_counter()
        warm = render_period(station, start, args.days, workers=args.workers)
        warm_wall = time.perf_counter() - began
        warm_audio = sum(r.duration_s for r in warm)
        warm_rate = warm_audio / warm_wall
        print(
            f"warm      loa render (all cached):   {warm_audio:8.1f} audio-s in {warm_wall:6.2f} s"
            f" = {warm_rate:7.1f} audio-s/s  ({sum(r.cached for r in warm)}/{len(warm)} cached)"
        )

        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        peak = max(own, children)
        print(f"peak memory: main process {own:.0f} MB, largest worker/ffmpeg {children:.0f} MB")
        ratio = cold_rate / base_rate
        speedup = cold_wall / warm_wall
        print(f"cold / baseline throughput: {ratio:.2f}x  (target >= 0.5x)")
        print(f"warm speed-up over cold:    {speedup:.0f}x  (target >= 50x)")
        print(f"peak memory:                {peak:.0f} MB  (target < 300 MB)")
        ok = ratio >= 0.5 and speedup >= 50 and peak < 300
        print("all targets met" if ok else "some targets missed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
