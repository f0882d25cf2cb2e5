"""Throughput of the speech normaliser on the seed directives repeated to about 1 MB.

Target: at least 200 kB/s on one core. The baseline, measured in the same run over the same
text, is what any pass must pay anyway: unicodedata NFC plus str.split.

Run: /work/venv/bin/python benchmarks/normalize.py [--seeds DIR] [--size BYTES] [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_SEEDS = Path("/work/shared/seeds")
FALLBACK = HERE.parent / "tests" / "content" / "golden"
TARGET = 200_000  # bytes per second


def corpus(seeds: Path, size: int) -> str:
    files = sorted(seeds.glob("*.txt")) if seeds.is_dir() else []
    if files:
        text = "\n".join(f.read_text(encoding="utf-8") for f in files)
    else:  # the golden inputs are drawn from the seeds
        lines = []
        for f in sorted(FALLBACK.glob("*.tsv")):
            for line in f.read_text(encoding="utf-8").splitlines():
                if line and not line.startswith("#"):
                    lines.append(line.split("\t")[0])
        text = "\n".join(lines)
    reps = max(1, size // len(text.encode("utf-8")) + 1)
    return "\n".join([text] * reps)


def best_of(runs: int, func: Callable[[str], object], text: str) -> tuple[float, float]:
    """(best, median) seconds of `runs` calls."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        func(text)
        samples.append(time.perf_counter() - start)
    return min(samples), statistics.median(samples)


def baseline(text: str) -> int:
    return len(unicodedata.normalize("NFC", text).split())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS)
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    from loa.content.normalize import normalize

    text = corpus(args.seeds, args.size)
    size = len(text.encode("utf-8"))
    normalize(text[:10_000])  # compile the pattern and warm the caches
    base_best, _ = best_of(args.runs, baseline, text)
    best, median = best_of(args.runs, normalize, text)
    rate = size / best
    print(f"corpus          : {size / 1e6:.2f} MB ({text.count(chr(10)) + 1} lines)")
    print(f"baseline NFC+split: {size / base_best / 1e6:8.2f} MB/s (best of {args.runs})")
    print(
        f"normalize       : {rate / 1e3:8.0f} kB/s (best of {args.runs}; median {size / median / 1e3:.0f} kB/s)"
    )
    print(f"ratio           : {best / base_best:8.1f}x slower than the baseline")
    print(f"target          : {TARGET / 1e3:.0f} kB/s -> {'ok' if rate >= TARGET else 'TOO SLOW'}")
    if rate < TARGET:
        sys.exit(1)


if __name__ == "__main__":
    main()
