"""Ctrl-C during `loa run`'s catch-up render: the daemon ends within seconds and leaves no
process behind (no fork server, pool worker, resource tracker or ffmpeg reparented to PID 1)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import psutil
import pytest

from loa.app.due import read_state
from loa.core.station import Station
from tests.planning.conftest import configure


def _descendants(proc: psutil.Process) -> dict[int, float]:
    """pid -> start time of every process under `proc` now (the start time tells a pid reused
    later from the one seen)."""
    found: dict[int, float] = {}
    try:
        children = proc.children(recursive=True)
    except psutil.NoSuchProcess:
        return found
    for child in children:
        try:
            found[child.pid] = child.create_time()
        except psutil.NoSuchProcess:
            continue
    return found


def _alive(pid: int, started: float) -> bool:
    try:
        process = psutil.Process(pid)
        return process.create_time() == started and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _pool_workers(proc: psutil.Process) -> int:
    """How many render pool workers run under `proc` (children of its fork server)."""
    count = 0
    try:
        children = proc.children(recursive=True)
    except psutil.NoSuchProcess:
        return 0
    for child in children:
        try:
            if "forkserver" in " ".join(child.cmdline()) and child.ppid() != proc.pid:
                count += 1
        except psutil.NoSuchProcess:
            continue
    return count


@pytest.mark.slow
def test_ctrl_c_during_the_catch_up_render_ends_loa_run_and_all_its_processes(
    sample_station: Station,
) -> None:
    # render_at 00:00: the daily render (of tomorrow, planned at start) is due at once.
    station = configure(
        sample_station,
        audio={"engine": "espeak"},
        channels__radio={"sink": "file"},
        scheduler={"auto_plan_days": 2, "poll_seconds": 1, "render_at": "00:00"},
    )
    env = {**os.environ, "LOA_STATION": str(station.root), "LOA_LANG": "vi"}
    log = station.root / "run.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "loa", "run"],
            env=env,
            stdout=out,
            stderr=out,
            start_new_session=True,
        )
    daemon = psutil.Process(proc.pid)
    seen: dict[int, float] = {}
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            seen |= _descendants(daemon)
            if _pool_workers(daemon) >= 2:
                break
            time.sleep(0.02)
        assert _pool_workers(daemon) >= 2, log.read_text(encoding="utf-8")[-2000:]
        time.sleep(0.5)
        seen |= _descendants(daemon)
        assert not read_state(station).get("rendered_for"), "the render ended before Ctrl-C"
        asked = time.monotonic()
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        proc.wait(timeout=70)
        took = time.monotonic() - asked
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    err = log.read_text(encoding="utf-8")
    # the processes a stopped daemon leaves end with it, not a while later
    end = time.monotonic() + 3
    while time.monotonic() < end and any(_alive(p, t) for p, t in seen.items()):
        time.sleep(0.1)
    left = {pid for pid, started in seen.items() if _alive(pid, started)}
    for pid in left:
        psutil.Process(pid).kill()
    assert len(seen) >= 3, err[-2000:]  # fork server, workers and resource tracker were seen
    assert not left, (left, err[-2000:])
    assert took < 5.0, err[-2000:]
    assert proc.returncode == 0 and "Đã dừng" in err, err[-2000:]
    assert "Traceback" not in err and "EOFError" not in err, err[-3000:]
