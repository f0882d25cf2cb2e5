"""The scheduler is safe to run twice (the second waits on standby and takes over), and the
per-channel token bucket is shared by every worker."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from loa.province.queue import take_token
from loa.province.registry import Province
from loa.province.scheduler import Scheduler, Tick


def test_a_second_scheduler_waits_and_takes_over(province: Province) -> None:
    first, second = (
        Scheduler(province, interval_s=0.2, stalled_after_s=60),
        Scheduler(province, interval_s=0.2, stalled_after_s=60),
    )
    working = {"first": threading.Event(), "second": threading.Event()}
    standby = threading.Event()
    a = threading.Thread(target=first.run, kwargs={"on_tick": lambda _t: working["first"].set()})
    a.start()
    assert working["first"].wait(20)
    b = threading.Thread(
        target=second.run,
        kwargs={"on_tick": lambda _t: working["second"].set(), "on_standby": standby.set},
    )
    b.start()
    try:
        assert standby.wait(20)
        assert not working["second"].wait(1.0)  # never both at once
        first.stop.set()
        a.join(20)
        assert working["second"].wait(20)  # fail-over
    finally:
        first.stop.set()
        second.stop.set()
        a.join(20)
        b.join(20)
    assert not a.is_alive() and not b.is_alive()
    assert Tick(enqueued={"x": 2}).total == 2


def test_the_token_bucket_is_shared_across_workers(province: Province) -> None:
    clock = [1_000_000.0]
    engines = [province.engine(pool_size=1) for _ in range(4)]  # four workers' own pools
    try:
        with ThreadPoolExecutor(max_workers=4) as pool:
            waits = list(
                pool.map(
                    lambda i: take_token(engines[i % 4], "xa:facebook", 10, now=lambda: clock[0]),
                    range(14),
                )
            )
        assert sum(1 for w in waits if w == 0) == 10  # one minute's worth, whoever asks
        assert all(w > 0 for w in waits if w != 0)
        clock[0] += 12.0  # 12 s at 10 per minute: two tokens back
        later = [take_token(engines[0], "xa:facebook", 10, now=lambda: clock[0]) for _ in range(3)]
        assert later[:2] == [0.0, 0.0] and later[2] > 0
        assert take_token(engines[1], "xa:zalo", 10, now=lambda: clock[0]) == 0.0  # its own
    finally:
        for engine in engines:
            engine.dispose()


def test_a_tick_queues_the_day_ahead_once_a_day_and_reconcile_once(province: Province) -> None:
    """Each station's day ahead is queued once per station day (past its render_at, by its
    own clock); a reconcile only when its outbox has something to settle."""
    from datetime import datetime

    from sqlalchemy import text

    from loa.province.queue import make_app
    from loa.province.stations import add_station

    add_station(province, "xa_a", name="Xã A")
    add_station(province, "xa_b", name="Xã B")
    day = [datetime(2026, 12, 1, 10, 0)]
    scheduler = Scheduler(province, stalled_after_s=60, clock=lambda _station: day[0])
    app = make_app(province, sync=True)
    with app.open():
        first = scheduler.tick(app)
        again = scheduler.tick(app)
        day[0] = datetime(2026, 12, 2, 10, 0)
        next_day = scheduler.tick(app)
        twin = Scheduler(province, stalled_after_s=60, clock=lambda _station: day[0]).tick(app)
    assert (first.daily, first.reconcile) == (2, 0)
    assert (again.daily, again.reconcile) == (0, 0)
    assert next_day.daily == 2
    assert (twin.daily, twin.reconcile) == (0, 0)  # a second scheduler queues no duplicates
    engine = province.engine()
    with engine.connect() as conn:
        jobs = conn.execute(
            text(
                "SELECT task_name, args->>'station', args->>'day' "
                "FROM procrastinate.procrastinate_jobs ORDER BY id"
            )
        ).all()
    engine.dispose()
    assert sorted(j for j in jobs if j[0] == "daily") == [
        ("daily", "xa_a", "2026-12-01"),
        ("daily", "xa_a", "2026-12-02"),
        ("daily", "xa_b", "2026-12-01"),
        ("daily", "xa_b", "2026-12-02"),
    ]


def test_a_tick_queues_each_stations_insights_pull_until_a_worker_pulls(
    province: Province,
) -> None:
    """The periodic insights pull is one `insights` task per station ([planning]
    pull_every_hours); a second tick while it waits queues no copy; once a worker has pulled,
    the station is not due again."""
    from datetime import datetime

    from sqlalchemy import text

    from loa.app.due import due
    from loa.province.queue import Tasks, make_app
    from loa.province.stations import add_station, open_station

    add_station(province, "xa_a", name="Xã A")
    add_station(province, "xa_b", name="Xã B")
    day = datetime(2026, 12, 1, 10, 0)
    scheduler = Scheduler(province, stalled_after_s=60, clock=lambda _station: day)
    app = make_app(province, sync=True)
    with app.open():
        first = scheduler.tick(app)
        again = scheduler.tick(app)
    assert (first.insights, again.insights) == (2, 0)
    engine = province.engine()
    with engine.connect() as conn:
        jobs = conn.execute(
            text(
                "SELECT args->>'station' FROM procrastinate.procrastinate_jobs "
                "WHERE task_name = 'insights' ORDER BY id"
            )
        ).all()
    engine.dispose()
    assert sorted(j[0] for j in jobs) == ["xa_a", "xa_b"]
    assert Tasks(province).insights("xa_a") == 0  # nothing published yet: no figures
    station = open_station(province, "xa_a")
    now = station.now()
    assert not due(station, now, now=now).insights
    assert due(open_station(province, "xa_b"), now, now=now).insights
