"""A province that survives operations (#32): what `loa province init` makes is all the workers
need, `loa province upgrade` brings the province-wide schemas to the code's version, stalled
jobs never leave an entry locked, a scheduler that lost its lock stops working, and `loa
province status` shows workers, the scheduler and stuck jobs."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from loa.core.errors import UserError
from loa.province.queue import make_app, queue_migrations, take_token, upgrade_queue
from loa.province.registry import Province, init_province
from loa.province.scheduler import LOCK_KEY, retry_stalled
from loa.province.stations import add_station
from loa.province.status import province_report, queue_health

ROOT = Path(__file__).resolve().parents[2]


def _loa(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LOA_LANG": "vi", "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "loa", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )


def _tables(url: str, schema: str) -> set[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return set(inspect(conn).get_table_names(schema=schema))
    finally:
        engine.dispose()


def _sql(url: str, statement: str, **params: object) -> list[tuple[object, ...]]:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("SET LOCAL search_path TO procrastinate, public"))
            result = conn.execute(text(statement), params)
            return [tuple(r) for r in result] if result.returns_rows else []
    finally:
        engine.dispose()


def test_a_province_made_with_the_cli_has_what_its_workers_need(
    tmp_path: Path, pg_url: str
) -> None:
    # A real `loa province init` process: nothing of loa's queue module is imported before.
    done = _loa("province", "init", str(tmp_path / "tinh"), "--database", pg_url)
    assert done.returncode == 0, done.stderr
    assert {"stations", "rate_buckets", "schema_versions"} <= _tables(pg_url, "province")
    latest = queue_migrations()[-1][0]
    assert _sql(pg_url, "SELECT version FROM province.schema_versions") == [(latest,)]
    engine = create_engine(pg_url)
    try:
        assert take_token(engine, "xa:facebook", 30) == 0.0  # the bucket table is there
    finally:
        engine.dispose()


def test_upgrade_makes_missing_tables_and_applies_newer_queue_migrations_once(
    tmp_path: Path, province: Province, pg_url: str
) -> None:
    _sql(pg_url, "DROP TABLE province.rate_buckets")  # a province from before the table
    done = _loa("province", "upgrade", "--province", str(province.root))
    assert done.returncode == 0, done.stderr
    assert "rate_buckets" in done.stdout
    assert "rate_buckets" in _tables(pg_url, "province")
    again = _loa("province", "upgrade", "--province", str(province.root))
    assert again.returncode == 0 and "phiên bản mới nhất" in again.stdout

    real = queue_migrations()
    newer = (
        "99.0.0",
        "99.00.00_01_pre_loa_test.sql",
        "CREATE FUNCTION procrastinate_loa_test_v1() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;",
    )
    before, after, applied = upgrade_queue(pg_url, [*real, newer])
    assert (before, after, applied) == (real[-1][0], "99.0.0", [newer[1]])
    assert upgrade_queue(pg_url, [*real, newer])[2] == []  # once only
    # A queue schema nobody recorded (made before loa kept versions): its version is read
    # from the functions it has.
    _sql(pg_url, "DELETE FROM province.schema_versions")
    assert upgrade_queue(pg_url, [*real, newer])[:2] == ("99.0.0", "99.0.0")


def test_a_failing_queue_migration_changes_nothing(province: Province, pg_url: str) -> None:
    real = queue_migrations()
    good = (
        "99.0.0",
        "99.00.00_01_pre_good.sql",
        "CREATE FUNCTION procrastinate_loa_good_v1() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;",
    )
    bad = ("99.1.0", "99.01.00_01_pre_bad.sql", "ALTER TABLE procrastinate_nothing ADD x int;")
    with pytest.raises(Exception, match="procrastinate_nothing"):
        upgrade_queue(pg_url, [*real, good, bad])
    assert _sql(pg_url, "SELECT version FROM province.schema_versions") == [(real[-1][0],)]
    found = _sql(pg_url, "SELECT count(*) FROM pg_proc WHERE proname = 'procrastinate_loa_good_v1'")
    assert found == [(0,)]


def test_init_refuses_a_database_whose_register_table_is_not_loas(
    tmp_path: Path, pg_url: str
) -> None:
    _sql(pg_url, "CREATE SCHEMA province")
    _sql(pg_url, "CREATE TABLE province.stations (id int PRIMARY KEY)")
    with pytest.raises(UserError, match=r"province\.stations.*không phải của loa"):
        init_province(tmp_path / "tinh", name="Tỉnh", database=pg_url)
    assert not (tmp_path / "tinh" / "province.toml").exists()


def test_a_port_typo_gets_a_message_not_a_traceback(tmp_path: Path) -> None:
    done = _loa(
        "province", "init", str(tmp_path / "tinh"), "--database", "postgresql://u@127.0.0.1:54x2/db"
    )
    assert done.returncode == 2
    assert "Cổng" in done.stderr + done.stdout and "Traceback" not in done.stderr
    assert "Lỗi không mong đợi" not in done.stderr + done.stdout


def _stale_worker_with_jobs(province: Province, pg_url: str) -> tuple[int, int, int]:
    """Two publish jobs taken by a worker that then went silent: A (whose entry the scheduler
    has queued again meanwhile, as B) and C (nothing queued again). Returns the ids."""

    async def run() -> tuple[int, int]:
        app = make_app(province)
        async with app.open_async():
            manager = app.job_manager
            worker = await manager.register_worker()
            a = (
                await app.tasks["publish"]
                .configure(lock="xa:entry:1", queueing_lock="xa:publish:1")
                .defer_async(station="xa", entry=1)
            )
            c = (
                await app.tasks["publish"]
                .configure(lock="xa:entry:2", queueing_lock="xa:publish:2")
                .defer_async(station="xa", entry=2)
            )
            for _ in range(2):
                assert await manager.fetch_job(queues=["loa"], worker_id=worker) is not None
            return worker, a, c

    _worker, a, c = asyncio.run(run())
    _sql(
        pg_url,
        "UPDATE procrastinate.procrastinate_workers SET last_heartbeat = now() - interval '1 hour'",
    )
    # the scheduler found entry 1 due again: a new copy waits (allowed: A is "doing")
    b = _sql(
        pg_url,
        "INSERT INTO procrastinate.procrastinate_jobs (queue_name, task_name, lock, "
        "queueing_lock, args) VALUES ('loa', 'publish', 'xa:entry:1', 'xa:publish:1', "
        """'{"station": "xa", "entry": 1}') RETURNING id""",
    )[0][0]
    return a, int(str(b)), c


def test_a_stalled_job_whose_work_is_queued_again_frees_its_entry(
    province: Province, pg_url: str
) -> None:
    a, b, c = _stale_worker_with_jobs(province, pg_url)
    health = queue_health(province)
    assert health.stuck == {"xa": 2} and health.alive_workers == 0

    assert retry_stalled(province, after_s=5) == 1  # C back in the queue; A ended, not fatal
    status = dict(
        _sql(pg_url, "SELECT id, status::text FROM procrastinate.procrastinate_jobs ORDER BY id")
    )
    assert status == {a: "failed", b: "todo", c: "todo"}
    # A no longer holds entry 1's lock: B can be taken
    assert queue_health(province).stuck == {}


def test_status_shows_workers_the_scheduler_and_problems_only(
    province: Province, pg_url: str
) -> None:
    add_station(province, "xa", name="Xã Một")
    add_station(province, "xb", name="Xã Hai")
    _stale_worker_with_jobs(province, pg_url)
    done = _loa("province", "status", "--province", str(province.root), "--problems")
    assert done.returncode == 0, done.stderr
    assert "0 đang chạy / 1 đã đăng ký" in done.stdout
    assert "KHÔNG CHẠY" in done.stdout  # no scheduler holds the lock
    assert "2 bị kẹt" in done.stdout
    assert "xa" in done.stdout and "xb" not in done.stdout  # problems only
    data = json.loads(_loa("province", "status", "--province", str(province.root), "--json").stdout)
    assert data["scheduler"] is None
    assert {s["ident"]: s["jobs_stuck"] for s in data["stations"]} == {"xa": 2, "xb": 0}


def test_one_unreadable_commune_does_not_stop_the_province_report(province: Province) -> None:
    from datetime import date

    add_station(province, "xa", name="Xã Một")
    add_station(province, "xb", name="Xã Hai")
    (province.stations_dir / "xb" / "loa.toml").unlink()
    report = province_report(province, date(2026, 10, 1), date(2026, 12, 31))
    assert [c.ident for c in report.communes] == ["xa"]
    assert [(i, n) for i, n, _ in report.problems] == [("xb", "Xã Hai")]
    with pytest.raises(UserError):
        province_report(province, date(2026, 12, 31), date(2026, 10, 1))


def _lock_holder(pg_url: str) -> int | None:
    rows = _sql(
        pg_url,
        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted "
        "AND ((classid::bigint << 32) | objid::bigint) = :k",
        k=LOCK_KEY,
    )
    return int(str(rows[0][0])) if rows else None


def _wait(predicate, timeout: float, what: str):  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.slow
def test_a_scheduler_whose_lock_went_with_its_connection_stops_and_takes_it_again(
    province: Province, pg_url: str
) -> None:
    env = {**os.environ, "LOA_LANG": "vi", "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "loa", "scheduler", "--province", str(province.root)]
    proc = subprocess.Popen(
        [*command, "--interval", "0.3"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    rival = create_engine(pg_url).connect()
    try:
        first = _wait(lambda: _lock_holder(pg_url), 60, "the scheduler to take its lock")
        # The database drops the scheduler's connection (as a restart does); another
        # scheduler takes the lock at once.
        _sql(pg_url, "SELECT pg_terminate_backend(:pid)", pid=first)
        assert rival.scalar(text("SELECT pg_advisory_lock(:k)"), {"k": LOCK_KEY}) is not None
        rival.commit()
        time.sleep(2.0)  # several intervals: the first must not work beside the rival
        assert _lock_holder(pg_url) == rival.scalar(text("SELECT pg_backend_pid()"))
        assert proc.poll() is None  # waiting, not crashed
        rival.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": LOCK_KEY})
        rival.commit()
        again = _wait(lambda: _lock_holder(pg_url), 30, "the scheduler to take the lock again")
        assert again != first
    finally:
        rival.close()
        proc.send_signal(signal.SIGTERM)
        try:
            _, err = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
    assert "Traceback" not in err
    # one line with a timestamp for the loss, never a traceback
    stamped = re.compile(r"^\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2} WARNING .*unavailable")
    assert any(stamped.match(line) for line in err.splitlines()), err
