"""`loa run` starts by saying what comes next, in the station's time, without the scheduler's
own bookkeeping lines ("Added job ...")."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

from loa.core.station import Station
from loa.planning.models import PlanEntry
from tests.planning.conftest import add_message, configure


def test_run_shows_what_is_next_in_station_time_and_no_scheduler_noise(station: Station) -> None:
    station = configure(
        station,
        audio={"engine": "silent"},
        channels__radio={"sink": "file"},
        scheduler={"auto_plan_days": 0, "poll_seconds": 1},
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
        while time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.5)
            with station.transaction() as session:  # the daemon synced its jobs at least once
                from sqlalchemy import text

                try:
                    jobs = session.execute(text("select count(*) from apscheduler_jobs")).scalar()
                except Exception:
                    jobs = 0
            if jobs:
                break
        os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    stdout, stderr = out.decode(), err.decode()
    assert "Việc sắp tới (giờ của đài, Asia/Ho_Chi_Minh)" in stdout
    assert f"{soon:%d/%m %H:%M}  Đài truyền thanh" in stdout and "(1 tin)" in stdout
    assert "Bắt đầu chạy tự động" in stderr
    assert "Added job" not in stderr and "apscheduler" not in stderr.lower()
    assert " INFO " not in stderr
