"""The province's job queue with a real channel: S stations post to one Facebook stand-in (the
tests' fake Graph API, a real HTTP server) through the token buckets (province.toml
[rate_limits]), queued by a real `loa scheduler` process and sent by 1, 2 and 4 `loa worker`
processes at their default concurrency. For each post: how late (or early) its publish job ran
against its due time. Beside it, in the same run, the same workers run trivial procrastinate
jobs ("ping"): the queue's own cost per job, the baseline of the ratio.

Goals (issue #32): cost per post within 2x of the trivial job's; no post early; p95 lateness
under 5 s at the rate asked for (default 600 posts a minute).

Run: .venv/bin/python benchmarks/province_queue.py [--stations 20] [--per-minute 600]
     [--seconds 60] [--workers 1,2,4] [--database postgresql://postgres@127.0.0.1/postgres]
(or: benchmarks/province.py --queue ...). A scratch database is made and dropped.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _spawn(province, what: list[str]) -> subprocess.Popen[bytes]:  # type: ignore[no-untyped-def]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LOA_FACEBOOK_TOKEN": TOKEN}
    return subprocess.Popen(
        [sys.executable, "-m", "loa", *what, "--province", str(province.root)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for p in procs:
        p.terminate()
    for p in procs:
        try:
            p.wait(30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


TOKEN = "EAAB-bench-token"


def _facebook(province, ident: str, graph) -> None:  # type: ignore[no-untyped-def]
    import tomlkit

    path = province.stations_dir / ident / "loa.toml"
    doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    channels = doc.setdefault("channels", tomlkit.table())
    fb = tomlkit.table()
    fb["page_id"] = graph.page_id
    fb["graph_url"] = graph.url
    channels["facebook"] = fb
    path.write_text(tomlkit.dumps(doc), encoding="utf-8")


def _plan(stations, per_station: int, start_in_s: float, seconds: float) -> None:  # type: ignore[no-untyped-def]
    """`per_station` posts per station, due evenly over `seconds` from `start_in_s` ahead."""
    from tests.province.posts import plan_posts

    for n, station in enumerate(stations):
        first = station.now().replace(microsecond=0) + timedelta(seconds=start_in_s)
        times = [
            first + timedelta(seconds=seconds * (k + n / len(stations)) / per_station)
            for k in range(per_station)
        ]
        plan_posts(station, times, label=f"{n}-")


def _lateness(stations) -> tuple[list[float], int]:  # type: ignore[no-untyped-def]
    """Seconds between each post's due time and its first attempt; and how many are done."""
    from sqlalchemy import select

    from loa.channels.models import Publication

    out: list[float] = []
    done = 0
    for station in stations:
        with station.transaction() as s:
            for due, tried, status in s.execute(
                select(Publication.due_at, Publication.attempted_at, Publication.status)
            ):
                if due is not None and tried is not None:
                    out.append((tried - due).total_seconds())
                done += status == "published"
    return out, done


def _clear(stations) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import delete

    from loa.channels.models import AsRunRecord, Publication
    from loa.content.models import Message
    from loa.planning.models import PlanEntry

    for station in stations:
        with station.transaction() as s:
            for model in (AsRunRecord, Publication, PlanEntry, Message):
                s.execute(delete(model))


def _ping_round(province, workers: int, jobs: int) -> float:  # type: ignore[no-untyped-def]
    """Seconds per trivial job with `workers` warm workers: one job each first (so process
    start and connections are not counted), then `jobs` queued at once and drained."""
    from sqlalchemy import text

    from loa.province.queue import defer, make_app

    app = make_app(province, sync=True)
    engine = province.engine()

    def left() -> int:
        with engine.connect() as conn:
            return int(
                conn.scalar(
                    text(
                        "SELECT count(*) FROM procrastinate.procrastinate_jobs "
                        "WHERE task_name = 'ping' AND status IN ('todo', 'doing')"
                    )
                )
                or 0
            )

    procs = [_spawn(province, ["worker"]) for _ in range(workers)]
    try:
        with app.open(), engine.begin() as conn:
            for _ in range(workers):
                defer(app, conn, "ping")
        while left():
            time.sleep(0.05)
        with app.open(), engine.begin() as conn:
            for _ in range(jobs):
                defer(app, conn, "ping")
        start = time.perf_counter()
        while left():
            time.sleep(0.02)
        return (time.perf_counter() - start) / jobs
    finally:
        _stop(procs)
        engine.dispose()


def _wait_published(stations, total: int, limit_s: float, poll_s: float) -> bool:  # type: ignore[no-untyped-def]
    end = time.perf_counter() + limit_s
    while time.perf_counter() < end:
        if _lateness(stations)[1] >= total:
            return True
        time.sleep(poll_s)
    return False


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--stations", type=int, default=20)
    ap.add_argument("--per-minute", type=float, default=600.0, help="posts a minute, province")
    ap.add_argument("--seconds", type=float, default=60.0, help="how long posts fall due")
    ap.add_argument("--workers", default="1,2,4")
    ap.add_argument("--database", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = ap.parse_args()

    import psycopg
    from sqlalchemy.engine import make_url

    from loa.province.registry import init_province
    from loa.province.stations import add_station, open_station
    from tests.channels.fake_graph import FakeGraph

    admin = make_url(args.database)
    name = f"loa_bench_{secrets.token_hex(4)}"
    dsn = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    url = admin.set(drivername="postgresql+psycopg", database=name).render_as_string(
        hide_password=False
    )
    graph = FakeGraph(token=TOKEN).start()
    work = Path(tempfile.mkdtemp(prefix="loa-bench-queue-"))
    per_station = max(1, round(args.per_minute * args.seconds / 60 / args.stations))
    total = per_station * args.stations
    rows = []
    try:
        province = init_province(work / "tinh", name="Tỉnh đo", database=url)
        rate = args.per_minute / args.stations * 1.5  # each commune's own bucket, some headroom
        (province.root / "province.toml").write_text(
            (province.root / "province.toml").read_text(encoding="utf-8")
            + f"\n[rate_limits]\nfacebook = {rate:g}\n",
            encoding="utf-8",
        )
        idents = [f"xa_{k:03d}" for k in range(args.stations)]
        for ident in idents:
            add_station(province, ident, name=f"Xã {ident}")
            _facebook(province, ident, graph)
        stations = [open_station(province, i) for i in idents]
        print(
            f"{args.stations} stations, {per_station} posts each ({total} posts due over "
            f"{args.seconds:g} s: {total / args.seconds * 60:.0f} a minute), one fake Graph API; "
            f"bucket {rate:g}/min per commune"
        )
        print(
            f"{'workers':>7} {'ping ms/job':>11} {'posts/s':>8} {'ms/post':>8} {'ratio':>6} "
            f"{'early':>5} {'p50 late s':>10} {'p95 late s':>10} {'max s':>6}"
        )
        for n in [int(w) for w in args.workers.split(",")]:
            ping = _ping_round(province, n, 300)
            _clear(stations)
            _plan(stations, per_station, start_in_s=15.0, seconds=args.seconds)
            procs = [_spawn(province, ["scheduler", "--interval", "1"])]
            procs += [_spawn(province, ["worker"]) for _ in range(n)]
            begin = time.perf_counter()
            try:
                deadline = begin + args.seconds + 240
                while time.perf_counter() < deadline:
                    late, done = _lateness(stations)
                    if done >= total:
                        break
                    time.sleep(1.0)
            finally:
                _stop(procs)
            late, done = _lateness(stations)
            late.sort()
            busy = args.seconds + 15 + (max(late) if late else 0)  # first due .. last attempt
            per_post = busy / max(done, 1)
            p95 = late[int(0.95 * (len(late) - 1))] if late else float("nan")
            rows.append((n, ping, done, per_post, late, p95))
            print(
                f"{n:>7} {ping * 1000:>11.1f} {done / busy:>8.2f} {per_post * 1000:>8.1f} "
                f"{'':>6} {sum(1 for x in late if x < 0):>5} "
                f"{statistics.median(late) if late else float('nan'):>10.2f} {p95:>10.2f} "
                f"{(max(late) if late else float('nan')):>6.2f}"
                + ("" if done >= total else f"   ({done}/{total} published)")
            )
        # Cost per post at saturation is bounded by the due rate here; the ratio that says
        # what loa adds is the worker time a post takes against a trivial job's, measured
        # with all posts already due (a drain).
        print("drain (every post due at once), cost per post against the trivial job:")
        for n in [int(w) for w in args.workers.split(",")]:
            ping = next(r[1] for r in rows if r[0] == n)
            _clear(stations)
            (province.root / "province.toml").write_text(
                (province.root / "province.toml")
                .read_text(encoding="utf-8")
                .replace(f"facebook = {rate:g}", "facebook = 100000"),
                encoding="utf-8",
            )
            procs = [_spawn(province, ["scheduler", "--interval", "1"])]
            procs += [_spawn(province, ["worker"]) for _ in range(n)]
            try:
                # Warm: one post per station first (processes started, stations opened).
                _plan(stations, 1, start_in_s=-60.0, seconds=1.0)
                _wait_published(stations, len(stations), 120, 0.2)
                _plan(stations, per_station, start_in_s=-60.0, seconds=1.0)
                start = time.perf_counter()
                _wait_published(stations, total + len(stations), 600, 0.2)
                spent = time.perf_counter() - start
            finally:
                _stop(procs)
            (province.root / "province.toml").write_text(
                (province.root / "province.toml")
                .read_text(encoding="utf-8")
                .replace("facebook = 100000", f"facebook = {rate:g}"),
                encoding="utf-8",
            )
            print(
                f"  {n} workers: {total / spent:.1f} posts/s, {spent / total * 1000:.1f} ms/post, "
                f"trivial job {ping * 1000:.1f} ms -> ratio {spent / total / ping:.1f}x"
            )
        goal_early = all(not any(x < 0 for x in r[4]) for r in rows)
        goal_p95 = all(r[5] < 5.0 for r in rows)
        print(
            f"goal: no post early -> {'met' if goal_early else 'NOT met'}; p95 lateness < 5 s "
            f"-> {'met' if goal_p95 else 'NOT met'}"
        )
        for station in stations:
            station.engine.dispose()
    finally:
        graph.stop()
        with psycopg.connect(dsn, autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
