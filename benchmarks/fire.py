"""Daemon firing benchmark: lateness of APScheduler jobs with the SQLAlchemy job store.

Schedules N date jobs (default 100) spread over a few seconds in a fresh station's SQLite
database, exactly as `loa run` does (BackgroundScheduler, SQLAlchemyJobStore on the station
engine, thread pool executor), and records when each job really started. Lateness = actual
start - scheduled start. Baseline in the same run: the same jobs with APScheduler's
MemoryJobStore, so the ratio shows what the persistent store costs. Target: p99 < 100 ms.

Run: /work/venv/bin/python benchmarks/fire.py [N]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

STARTED: dict[str, float] = {}
LOCK = threading.Lock()


def record(key: str) -> None:
    """The job: note when it ran (a module-level function, as the daemon's jobs are)."""
    now = time.time()
    with LOCK:
        STARTED[key] = now


def run(store: str, n: int, spread_s: float = 5.0) -> list[float]:
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.jobstores.memory import MemoryJobStore
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler

    from loa.app.daemon import JOB_TABLE
    from loa.app.setup import init_station

    STARTED.clear()
    with tempfile.TemporaryDirectory() as tmp:
        if store == "sqlalchemy":
            station = init_station(Path(tmp) / "st", name="Xã Đo Thời Gian")
            jobstore = SQLAlchemyJobStore(engine=station.engine, tablename=JOB_TABLE)
        else:
            jobstore = MemoryJobStore()
        scheduler = BackgroundScheduler(
            jobstores={"default": jobstore},
            executors={"default": ThreadPoolExecutor(4)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
            timezone=UTC,
        )
        scheduler.start()
        base = datetime.now(UTC) + timedelta(seconds=1.5)
        due: dict[str, float] = {}
        for k in range(n):
            when = base + timedelta(seconds=spread_s * k / n)
            key = f"job-{k}"
            due[key] = when.timestamp()
            scheduler.add_job(record, "date", run_date=when, args=(key,), id=key)
        deadline = time.time() + spread_s + 10
        while len(STARTED) < n and time.time() < deadline:
            time.sleep(0.05)
        scheduler.shutdown(wait=True)
        return [1000 * (STARTED[k] - due[k]) for k in due if k in STARTED]


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    base = run("memory", n)
    real = run("sqlalchemy", n)
    print(f"{n} jobs over 5 s, lateness = actual start - scheduled start (ms)")
    print(f"{'job store':<22} {'fired':>5} {'median':>8} {'p99':>8} {'max':>8}")
    for name, values in (("memory (baseline)", base), ("sqlalchemy (SQLite)", real)):
        print(
            f"{name:<22} {len(values):>5} {statistics.median(values):>8.2f} "
            f"{p99(values):>8.2f} {max(values):>8.2f}"
        )
    ratio = statistics.median(real) / statistics.median(base) if statistics.median(base) else 0
    print(
        f"median ratio sqlite/memory: {ratio:.2f}x; p99 target < 100 ms: "
        f"{'met' if p99(real) < 100 and len(real) == n else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
