"""A province on one machine: N stations (default 200) with the sample messages in one
PostgreSQL database, one week planned, bulletins rendered and posts published through the job
queue by 1 and then 2 `loa worker` processes; the single-station SQLite path measured in the
same run as the baseline; memory (peak RSS) per worker.

Posts go to the built-in "null" channel (a real channel writing JSON lines, with lookup), and
bulletins use the "silent" voice, so the figures are loa's own cost (database, queue, outbox,
mastering, MP3), not a TTS engine's or Facebook's.

Run: .venv/bin/python benchmarks/province.py [--stations 200] [--render-stations 20]
     [--posts 5] [--database postgresql://postgres@127.0.0.1/postgres]
(a scratch database is created on that server and dropped at the end).
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _next_monday() -> date:
    today = date.today()
    return today + timedelta(days=7 - today.weekday())


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _configure(root: Path) -> None:
    import tomlkit

    path = root / "loa.toml"
    doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    doc.setdefault("audio", tomlkit.table())["engine"] = "silent"
    null = tomlkit.table()
    null["file"] = "null_channel.jsonl"
    doc.setdefault("channels", tomlkit.table())["null"] = null
    path.write_text(tomlkit.dumps(doc), encoding="utf-8")


def _null_posts(station, n: int) -> list[int]:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from loa.content.models import Message
    from loa.planning.models import PlanEntry

    now = station.now().replace(microsecond=0)
    ids = []
    with station.transaction() as s:
        messages = list(s.scalars(select(Message.id).order_by(Message.id)))
        for k in range(n):
            e = PlanEntry(
                message_id=messages[k % len(messages)],
                channel="null",
                scheduled_at=now - timedelta(seconds=10 + k),
            )
            s.add(e)
            s.flush()
            ids.append(e.id)
    return ids


def _left(url: str, task: str) -> int:
    """Jobs of `task` still queued or running (one cheap query, so polling costs nothing)."""
    import psycopg

    from loa.province.queue import conninfo

    with psycopg.connect(conninfo(url)) as c:
        row = c.execute(
            "SELECT count(*) FROM procrastinate.procrastinate_jobs "
            "WHERE task_name = %s AND status IN ('todo', 'doing')",
            (task,),
        ).fetchone()
    return int(row[0]) if row else 0


def _run_workers(province, n: int, until, timeout: float = 1800) -> tuple[float, list[int]]:  # type: ignore[no-untyped-def]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "loa",
                "worker",
                "--province",
                str(province.root),
                "--concurrency",
                "1",
                "--heartbeat",
                "2",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(n)
    ]
    peaks = [0] * n
    start = time.perf_counter()
    try:
        while not until() and time.perf_counter() - start < timeout:
            for i, p in enumerate(procs):
                peaks[i] = max(peaks[i], _rss_kib(p.pid))
            time.sleep(0.5)
        elapsed = time.perf_counter() - start
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(30)
    return elapsed, peaks


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--stations", type=int, default=200)
    ap.add_argument("--render-stations", type=int, default=20)
    ap.add_argument("--posts", type=int, default=5, help="posts per station per worker round")
    ap.add_argument("--database", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = ap.parse_args()

    import psycopg
    from sqlalchemy.engine import make_url

    from loa.app.planning import plan_station
    from loa.app.publish import publish_entry
    from loa.app.render import render_period
    from loa.app.setup import init_station, load_sample
    from loa.province.queue import make_app
    from loa.province.registry import init_province
    from loa.province.scheduler import enqueue_due
    from loa.province.stations import add_station, open_station

    admin = make_url(args.database)
    name = f"loa_bench_{secrets.token_hex(4)}"
    dsn = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    url = admin.set(drivername="postgresql+psycopg", database=name).render_as_string(
        hide_password=False
    )
    try:
        with tempfile.TemporaryDirectory() as tmp:
            tmpdir = Path(tmp)
            # --- the single-station SQLite baseline -------------------------------------
            week, eve = _next_monday(), datetime.now().replace(microsecond=0)
            single = init_station(tmpdir / "single", name="Xã Một", sample=True)
            _configure(single.root)
            from loa.core.station import Station

            single = Station.load(single.root)
            t = time.perf_counter()
            plan_station(single, week, 7, now=eve)
            sqlite_plan = time.perf_counter() - t
            t = time.perf_counter()
            rendered = len(render_period(single, week, 1, workers=1))
            sqlite_render = rendered / (time.perf_counter() - t)
            ids = _null_posts(single, args.posts * 4)
            t = time.perf_counter()
            for i in ids:
                publish_entry(single, i, now=single.now())
            sqlite_publish = len(ids) / (time.perf_counter() - t)

            # --- the province ----------------------------------------------------------
            province = init_province(tmpdir / "tinh", name="Tỉnh Đo", database=url)
            t = time.perf_counter()
            for k in range(args.stations):
                ident = f"xa_{k:03d}"
                add_station(province, ident, name=f"Xã {k}")
                _configure(province.stations_dir / ident)
                opened = open_station(province, ident)
                load_sample(opened)
                opened.engine.dispose()
            setup_s = time.perf_counter() - t
            stations = [open_station(province, r.ident) for r in province.stations()]
            t = time.perf_counter()
            for s in stations:
                plan_station(s, week, 7, now=eve)
                s.engine.dispose()  # one pool per station: keep the server's connections free
            plan_s = time.perf_counter() - t

            app = make_app(province, sync=True)
            results: dict[int, tuple[float, float, list[int], float]] = {}
            for n in (1, 2):
                for s in stations:
                    _null_posts(s, args.posts)
                    s.engine.dispose()
                with app.open():
                    queued = enqueue_due(province, app, lead=timedelta(minutes=1)).total
                pub_s, peaks = _run_workers(province, n, lambda: _left(url, "publish") == 0)
                assert queued == args.posts * len(stations), queued
                posts_per_s = args.posts * len(stations) / pub_s
                # rendering: one day for the first --render-stations stations
                subset = province.stations()[: args.render_stations]
                day = week + timedelta(days=n)
                media = [province.stations_dir / r.ident / "media" / "bulletins" for r in subset]
                before = sum(len(list(m.rglob("*.mp3"))) for m in media if m.exists())
                engine = province.engine()
                with engine.begin() as conn, app.open():
                    from loa.province.queue import defer

                    for r in subset:
                        defer(app, conn, "render", station=r.ident, start=day.isoformat(), days=1)
                engine.dispose()

                def rendered_all() -> bool:
                    return _left(url, "render") == 0

                ren_s, rpeaks = _run_workers(province, n, rendered_all)
                after = sum(len(list(m.rglob("*.mp3"))) for m in media if m.exists())
                results[n] = (
                    posts_per_s,
                    (after - before) / ren_s,
                    [max(a, b) for a, b in zip(peaks, rpeaks, strict=True)],
                    ren_s,
                )

            print(
                f"stations: {args.stations} (setup {setup_s:.1f} s, "
                f"{setup_s / args.stations * 1000:.0f} ms each: schema, migrations, sample)"
            )
            print(
                f"plan one week, all stations: {plan_s:.2f} s "
                f"({plan_s / args.stations * 1000:.0f} ms per station)"
            )
            print(
                f"plan one week, single SQLite station: {sqlite_plan * 1000:.0f} ms "
                f"(ratio province-per-station / SQLite: "
                f"{plan_s / args.stations / sqlite_plan:.2f})"
            )
            print(f"publish, SQLite in-process: {sqlite_publish:.1f} posts/s")
            for n, (pps, bps, peaks, _) in results.items():
                print(
                    f"publish, {n} worker(s): {pps:.1f} posts/s "
                    f"(ratio to SQLite in-process: {pps / sqlite_publish:.2f})"
                )
                print(
                    f"render, {n} worker(s): {bps:.2f} bulletins/s "
                    f"(SQLite in-process: {sqlite_render:.2f}; ratio {bps / sqlite_render:.2f})"
                )
                print(
                    f"peak RSS per worker ({n}): " + ", ".join(f"{p / 1024:.0f} MiB" for p in peaks)
                )
            print(f"publish scaling 2 workers / 1 worker: {results[2][0] / results[1][0]:.2f}")
            print(f"render scaling 2 workers / 1 worker: {results[2][1] / results[1][1]:.2f}")
    finally:
        with psycopg.connect(dsn, autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
