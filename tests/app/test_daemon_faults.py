"""The daemon under faults: a player that hangs (killed after its time limit, the as-run row
says so, the next bulletin plays), SIGTERM while a player hangs (ends within 5 s), a scheduler
whose thread dies (restarted, then exit non-zero), and posts the outbox put off."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from loa.channels.models import AsRunRecord, Publication
from loa.channels.radio import PlayoutError, player_limit
from loa.core.errors import RuntimeFailure
from loa.core.station import Station
from tests.channels.conftest import add_message, configure
from tests.channels.test_radio_playout import tone

#: A player that records its pid, then hangs on the calls listed in $HANG ("1 3": the first
#: and third), and "plays" the others for one second.
PLAYER = """\
n=$(cat "{dir}/count" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "{dir}/count"
echo $$ > "{dir}/pid.$n"
case " {hang} " in *" $n "*) exec sleep 600;; esac
exec sleep 1
"""


def player(station: Station, tmp_path: Path, hang: str) -> Path:
    script = tmp_path / "player.sh"
    script.write_text(PLAYER.format(dir=tmp_path, hang=hang), encoding="utf-8")
    configure(station, "channels.radio", sink="command", player=f"sh {script} {{file}}")
    configure(station, "audio", engine="silent")
    return tmp_path


def bulletin(station: Station, when: datetime, seconds: float = 1.0) -> list[int]:
    """A rendered bulletin of one message at `when` (a tone and its sidecar)."""
    from loa.audio.render import bulletin_path
    from loa.planning.models import PlanEntry

    mid = add_message(station, title=f"Tin {when:%H%M%S}")
    with station.transaction() as s:
        entry = PlanEntry(
            message_id=mid, channel="radio", scheduled_at=when, position=0, duration_s=seconds
        )
        s.add(entry)
        s.flush()
        entry_id = entry.id
    path = tone(bulletin_path(station, when), seconds)
    items = [
        {
            "message_id": mid,
            "title": f"Tin {when:%H%M%S}",
            "duration_s": seconds,
            "offset_s": 0.0,
            "plan_entry_id": entry_id,
        }
    ]
    path.with_suffix(".json").write_text(
        json.dumps({"duration_s": seconds, "items": items}), encoding="utf-8"
    )
    return [entry_id]


def as_run(station: Station) -> list[tuple[int | None, str, str | None]]:
    with station.transaction() as s:
        return [
            (r.plan_entry_id, r.status, r.note)
            for r in s.scalars(select(AsRunRecord).order_by(AsRunRecord.id))
        ]


def gone(pid_file: Path) -> bool:
    pid = int(pid_file.read_text().strip())
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"


def test_a_hanging_player_is_killed_after_its_limit_and_the_next_bulletin_plays(
    station: Station, tmp_path: Path
) -> None:
    from loa.app.play import play_slot

    folder = player(station, tmp_path, hang="1")
    first, second = datetime(2026, 11, 23, 6, 0), datetime(2026, 11, 23, 6, 30)
    [hung] = bulletin(station, first)
    [played] = bulletin(station, second)
    started = time.monotonic()
    with pytest.raises(PlayoutError, match="chạy quá"):
        play_slot(station, first, now=first)
    took = time.monotonic() - started
    assert player_limit(1.0) - 0.5 < took < player_limit(1.0) + 3
    assert gone(folder / "pid.1")  # the whole group: the shell's `sleep` too
    rows = play_slot(station, second, now=second)
    assert [r.status for r in rows] == ["done"]
    [(e1, s1, n1), (e2, s2, _)] = as_run(station)
    assert (e1, s1) == (hung, "failed") and "chạy quá" in (n1 or "")
    assert (e2, s2) == (played, "done")


@pytest.mark.slow
def test_sigterm_ends_the_daemon_within_5_s_while_a_player_hangs(
    station: Station, tmp_path: Path
) -> None:
    folder = player(station, tmp_path, hang="1 2 3")
    configure(station, "scheduler", auto_plan_days=0, poll_seconds=1)
    when = station.now().replace(microsecond=0) + timedelta(seconds=3)
    [entry] = bulletin(station, when, seconds=30.0)
    env = {**os.environ, "LOA_STATION": str(station.root), "LOA_LANG": "vi"}
    log = tmp_path / "daemon.log"
    # Output to a file: render workers the daemon forked may outlive it holding a pipe.
    with log.open("wb") as out:
        daemon = subprocess.Popen(
            [sys.executable, "-m", "loa", "run"],
            env=env,
            stdout=out,
            stderr=out,
            start_new_session=True,
        )
    try:
        end = time.monotonic() + 40
        while not (folder / "pid.1").is_file() and time.monotonic() < end:
            time.sleep(0.1)
        assert (folder / "pid.1").is_file(), log.read_text()
        time.sleep(0.3)
        asked = time.monotonic()
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(20)
        took = time.monotonic() - asked
    finally:
        if daemon.poll() is None:
            os.killpg(daemon.pid, signal.SIGKILL)
            daemon.wait()
    err = log.read_text(encoding="utf-8")
    assert took < 5.0, err[-2000:]
    assert daemon.returncode == 0 and "Đã dừng" in err, err[-2000:]
    assert gone(folder / "pid.1")
    [(e, status, note)] = as_run(station)
    assert (e, status) == (entry, "failed") and "bị dừng" in (note or "")


def test_the_daemon_restarts_a_dead_scheduler_then_gives_up(station: Station) -> None:
    from loa.app.daemon import MAX_RESTARTS, Daemon
    from loa.planning.settings import SchedulerSettings

    configure(station, "scheduler", auto_plan_days=0, poll_seconds=1)
    configure(station, "channels.radio", sink="null")
    daemon = Daemon(station, settings=SchedulerSettings.from_station(station))
    failure: list[BaseException] = []

    def run() -> None:
        try:
            daemon.run(install_signals=False)
        except RuntimeFailure as exc:
            failure.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()

    def wait_for(predicate, seconds: float = 10.0) -> bool:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if predicate():
                return True
            time.sleep(0.05)
        return False

    assert wait_for(daemon.scheduler_alive)
    for n in range(1, MAX_RESTARTS + 1):
        dead = daemon.scheduler
        dead.shutdown(wait=False)  # its thread ends: no job would ever run again
        assert wait_for(lambda dead=dead: daemon.scheduler is not dead and daemon.scheduler_alive())
        assert daemon.restarts == n
    daemon.scheduler.shutdown(wait=False)
    thread.join(10)
    assert not thread.is_alive()
    assert failure and "systemd" in str(failure[0])
    assert (station.root / ".loa-jobs.db").is_file()  # its own file, not the station database


def test_a_post_the_outbox_put_off_waits_for_its_time(station: Station) -> None:
    """A rate-limited post is not fired again at each poll: the daemon schedules it at the
    time the outbox gave (`next_at`), and `loa run --once` before then sends nothing."""
    from loa.app.daemon import run_once
    from loa.app.due import Post, due
    from loa.planning.models import PlanEntry

    configure(station, "scheduler", auto_plan_days=0)
    configure(station, "channels.website", folder="site")
    mid = add_message(station, channels=("website",))
    due_at = datetime(2026, 11, 23, 8, 0)
    later = due_at + timedelta(minutes=4)
    with station.transaction() as s:
        entry = PlanEntry(message_id=mid, channel="website", scheduled_at=due_at)
        s.add(entry)
        s.flush()
        s.add(
            Publication(
                key=f"plan:{entry.id}:website",
                channel="website",
                plan_entry_id=entry.id,
                message_id=mid,
                status="failed",
                created_at=due_at,
                attempts=1,
                next_at=later,
                error="rate limited",
            )
        )
        entry_id = entry.id
    until = due_at + timedelta(hours=1)
    assert due(station, until, now=due_at).posts == [Post(entry_id, later, "website")]
    report = run_once(station, now=due_at + timedelta(minutes=1))
    assert report.posts == {}
    report = run_once(station, now=later)
    assert report.posts == {entry_id: "published"}
