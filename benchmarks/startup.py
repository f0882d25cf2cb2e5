"""How long `loa --help` takes (target: under 0.3 s), against a bare `python -c pass` baseline.

Run: .venv/bin/python benchmarks/startup.py
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

RUNS = 15


def timed(args: list[str]) -> float:
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    baseline = timed([sys.executable, "-c", "pass"])
    exe = shutil.which("loa", path=str(Path(sys.executable).parent))
    help_time = timed([exe, "--help"] if exe else [sys.executable, "-m", "loa", "--help"])
    print(f"python -c pass : {baseline * 1000:7.1f} ms (median of {RUNS})")
    print(f"loa --help     : {help_time * 1000:7.1f} ms (median of {RUNS}), target < 300 ms")
    print(f"ratio          : {help_time / baseline:7.2f}x the bare interpreter")
    if help_time >= 0.3:
        sys.exit(1)


if __name__ == "__main__":
    main()
