"""`loa run` starts by saying what comes next, in the station's time, without the scheduler's
own bookkeeping lines ("Added job ...")."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta

from loa.app.daemon import JOB_TABLE, JOBS_NAME
from loa.app.due import read_state
from loa.app.jobs import radio_key
from loa.core.station import Station
from loa.planning.models import PlanEntry
from tests.planning.conftest import add_message, configure


def _jobs(station: Station) -> set[str]:
    """The ids of the jobs in the daemon's own store (`.loa-jobs.db`); none while it is not
    made yet."""
    path = station.root / JOBS_NAME
    if not path.is_file():
        return set()
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            return {row[0] for row in db.execute(f"select id from {JOB_TABLE}")}
    except sqlite3.OperationalError:  # the table is not there yet, or the store is busy
        return set()


def test_run_shows_what_is_next_in_station_time_and_no_scheduler_noise(station: Station) -> None:
    # render_at 00:00: the daily render is always due at start, whatever the time of day, and
    # the test waits for it to finish before stopping the daemon (a stop during that catch-up
    # render is another test's).
    station = configure(
        station,
        audio={"engine": "silent"},
        channels__radio={"sink": "file"},
        scheduler={"auto_plan_days": 0, "poll_seconds": 1, "render_at": "00:00"},
    )
    mid = add_message(station, title="Khai sinh trực tuyến")
    soon = station.now().replace(second=0, microsecond=0) + timedelta(hours=3)
    with station.transaction() as session:
        session.add(PlanEntry(message_id=mid, channel="radio", scheduled_at=soon, duration_s=5.0))
    env = {**os.environ, "LOA_STATION": str(station.root), "LOA_LANG": "vi", "COLUMNS": "100"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "loa", "run"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        jobs: set[str] = set()
        render_done = False
        while time.monotonic() < deadline and proc.poll() is None:
            jobs = _jobs(station)
            render_done = bool(read_state(station).get("rendered_for"))
            if radio_key(soon) in jobs and render_done:
                break
            time.sleep(0.2)
        assert proc.poll() is None, "loa run ended by itself"
        os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    stdout, stderr = out.decode(), err.decode()
    # the daemon synced the plan into its own store: the bulletin in 3 hours has its job
    assert radio_key(soon) in jobs, (sorted(jobs), stderr[-2000:])
    assert render_done, stderr[-2000:]
    assert proc.returncode == 0 and "Đã dừng" in stderr, stderr[-2000:]
    assert "Việc sắp tới (giờ của đài, Asia/Ho_Chi_Minh)" in stdout
    assert f"{soon:%d/%m %H:%M}  Đài truyền thanh" in stdout and "(1 tin)" in stdout
    assert "Bắt đầu chạy tự động" in stderr
    assert "Added job" not in stderr and "apscheduler" not in stderr.lower()
    assert " INFO " not in stderr
