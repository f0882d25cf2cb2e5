"""Planner benchmark: greedy + local search against the exact MILP optimum, and speed.

1. Small generated instances (one commune, one week, 10-40 messages, tight radio capacity):
   the planner's objective against the optimum of the same model from scipy.optimize.milp
   (HiGHS). Target: at least 98% of optimal on every instance.
2. Time against instance size (messages x weeks, one station), to show near-linear growth.
3. A province: 100 stations x 300 messages x 4 weeks, planned one station after another on one
   core. Target: under 10 s.

Run from the repository root: .venv/bin/python -m benchmarks.plan [--quick]
"""

from __future__ import annotations

import contextlib
import os
import statistics
import sys
import time
from collections.abc import Iterator

from benchmarks.planlab import solve_exact, synthetic_problem
from loa.planning.search import LOCAL_SEARCH_PAIRS, solve


@contextlib.contextmanager
def quiet_stdout() -> Iterator[None]:
    """HiGHS prints solver chatter straight to file descriptor 1: hide it during the MILP."""
    sys.stdout.flush()
    saved = os.dup(1)
    with open(os.devnull, "w") as null:
        os.dup2(null.fileno(), 1)
        try:
            yield
        finally:
            os.dup2(saved, 1)
            os.close(saved)


def optimality(seeds: range, sizes: tuple[tuple[int, int], ...], limit: float) -> list[float]:
    print("== greedy vs exact MILP (HiGHS), one station, one week ==")
    print(
        f"{'seed':>4} {'msgs':>4} {'radio s':>7} {'greedy':>9} {'optimum':>9} {'ratio':>7}"
        f" {'t greedy':>9} {'t milp':>8}"
    )
    ratios = []
    for seed in seeds:
        for messages, capacity in sizes:
            problem = synthetic_problem(seed, messages, 1, radio_capacity=capacity)
            t0 = time.perf_counter()
            greedy = solve(problem)
            t1 = time.perf_counter()
            with quiet_stdout():
                exact = solve_exact(problem, time_limit=limit)
            t2 = time.perf_counter()
            ratio = greedy.objective / exact.objective if exact.objective else 1.0
            ratios.append(ratio)
            print(
                f"{seed:>4} {messages:>4} {capacity:>7} {greedy.objective:>9.3f} "
                f"{exact.objective:>9.3f} {ratio:>7.4f} {t1 - t0:>8.3f}s {t2 - t1:>7.2f}s"
                f"{'' if exact.optimal else '  (MILP time limit: best found, not proven)'}"
            )
    print(
        f"ratio to optimum: min {min(ratios):.4f}, mean {statistics.mean(ratios):.4f} "
        f"(target >= 0.98)"
    )
    return ratios


def scaling() -> None:
    print("\n== time against size, one station (median of 3) ==")
    print(
        "greedy: the fill alone (what a province batch uses); full: with the local search "
        "that `loa plan` runs on a commune-size problem"
    )
    print(f"{'msgs':>5} {'weeks':>5} {'pairs':>9} {'greedy s':>9} {'us/pair':>8} {'full s':>8}")
    for messages, weeks in ((25, 1), (50, 1), (100, 2), (200, 2), (300, 4), (600, 4), (1200, 4)):
        problem = synthetic_problem(7, messages, weeks)
        pairs = messages * len(problem.instances)
        row = []
        for search in (False, True):
            if search and pairs > LOCAL_SEARCH_PAIRS:
                row.append(float("nan"))
                continue
            times = []
            for _ in range(3):
                problem.cache.clear()
                t0 = time.perf_counter()
                solve(problem, local_search=search)
                times.append(time.perf_counter() - t0)
            row.append(statistics.median(times))
        print(
            f"{messages:>5} {weeks:>5} {pairs:>9} {row[0]:>9.3f} {1e6 * row[0] / pairs:>8.2f} "
            f"{row[1]:>8.3f}"
        )


def province(stations: int = 100, messages: int = 300, weeks: int = 4) -> float:
    print(f"\n== province: {stations} stations x {messages} messages x {weeks} weeks ==")
    problems = [synthetic_problem(1000 + n, messages, weeks) for n in range(stations)]
    t0 = time.perf_counter()
    placed = sum(len(solve(p).placements) for p in problems)
    elapsed = time.perf_counter() - t0
    print(
        f"planned {placed} placements in {elapsed:.2f} s "
        f"({1000 * elapsed / stations:.0f} ms per station; target < 10 s)"
    )
    return elapsed


def main() -> None:
    quick = "--quick" in sys.argv
    seeds = range(4) if quick else range(10)
    sizes = ((10, 300), (20, 400), (30, 600), (40, 900))
    ratios = optimality(seeds, sizes, 10.0 if quick else 30.0)
    scaling()
    elapsed = province(20 if quick else 100)
    print(f"\nsummary: min ratio {min(ratios):.4f}, province {elapsed:.2f} s")


if __name__ == "__main__":
    main()
