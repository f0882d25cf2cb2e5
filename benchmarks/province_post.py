"""What one post costs a province worker, in process: `Tasks.publish` (the job's body) for N
posts of one station on PostgreSQL to the tests' fake Graph API (a real HTTP server), with the
SQL statements and transactions it makes, beside the same number of bare Graph calls (one
httpx POST of the same text to the same server: the part no publisher can avoid) and the
queue's own cost per trivial job is in benchmarks/province_queue.py.

Run: .venv/bin/python benchmarks/province_post.py [--posts 200]
     [--database postgresql://postgres@127.0.0.1:5432/postgres]
A scratch database is made and dropped.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import secrets
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TOKEN = "EAAB-bench-token"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--posts", type=int, default=200)
    ap.add_argument("--database", default="postgresql://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--profile", type=int, default=0, help="print the N costliest functions")
    args = ap.parse_args()

    import httpx
    import psycopg
    import tomlkit
    from sqlalchemy import event
    from sqlalchemy.engine import make_url

    from loa.province.queue import Tasks
    from loa.province.registry import init_province
    from loa.province.stations import add_station, open_station
    from tests.channels.fake_graph import FakeGraph
    from tests.province.posts import plan_posts

    os.environ["LOA_FACEBOOK_TOKEN"] = TOKEN
    admin = make_url(args.database)
    name = f"loa_bench_{secrets.token_hex(4)}"
    dsn = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    url = admin.set(drivername="postgresql+psycopg", database=name).render_as_string(
        hide_password=False
    )
    graph = FakeGraph(token=TOKEN).start()
    try:
        province = init_province(Path(tempfile.mkdtemp()) / "tinh", name="Tỉnh đo", database=url)
        toml = province.root / "province.toml"
        toml.write_text(
            toml.read_text(encoding="utf-8") + "\n[rate_limits]\nfacebook = 1000000\n",
            encoding="utf-8",
        )
        add_station(province, "xa", name="Xã đo")
        path = province.stations_dir / "xa" / "loa.toml"
        doc = tomlkit.parse(path.read_text(encoding="utf-8"))
        fb = tomlkit.table()
        fb["page_id"] = graph.page_id
        fb["graph_url"] = graph.url
        doc.setdefault("channels", tomlkit.table())["facebook"] = fb
        path.write_text(tomlkit.dumps(doc), encoding="utf-8")
        station = open_station(province, "xa")
        now = station.now().replace(microsecond=0)
        ids = plan_posts(station, [now - timedelta(seconds=5)] * (args.posts + 1))
        station.engine.dispose()

        tasks = Tasks(province)
        tasks.publish("xa", ids[0])  # warm: the station opened, its channel made
        opened, _ = tasks._kept("xa")
        counts = {"statements": 0, "transactions": 0}

        def statement(*_: object) -> None:
            counts["statements"] += 1

        def begin(*_: object) -> None:
            counts["transactions"] += 1

        for engine in (opened.engine, tasks.engine):
            event.listen(engine, "before_cursor_execute", statement)
            event.listen(engine, "begin", begin)
        profile = cProfile.Profile() if args.profile else None
        start = time.perf_counter()
        if profile:
            profile.enable()
        for entry in ids[1:]:
            tasks.publish("xa", entry)
        if profile:
            profile.disable()
        post_s = (time.perf_counter() - start) / args.posts
        tasks.close()

        with httpx.Client() as http:
            feed = f"{graph.url}/v23.0/{graph.page_id}/feed"
            start = time.perf_counter()
            for k in range(args.posts):
                http.post(feed, data={"message": f"Thông báo {k}", "access_token": TOKEN})
            bare_s = (time.perf_counter() - start) / args.posts

        n = args.posts
        print(f"{n} posts of one station, PostgreSQL, fake Graph API on 127.0.0.1")
        print(f"{'':24} {'ms/post':>8} {'SQL/post':>8} {'tx/post':>8}")
        print(
            f"{'Tasks.publish':24} {post_s * 1000:>8.1f} {counts['statements'] / n:>8.1f} "
            f"{counts['transactions'] / n:>8.1f}"
        )
        print(f"{'bare Graph POST':24} {bare_s * 1000:>8.1f} {0:>8.1f} {0:>8.1f}")
        print(f"ratio: {post_s / bare_s:.1f}x a bare call")
        if profile:
            pstats.Stats(profile).sort_stats("cumulative").print_stats(args.profile)
    finally:
        graph.stop()
        with psycopg.connect(dsn, autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
