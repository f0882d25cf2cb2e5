from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from loa.app.daemon import Daemon, run_lock, run_once
from loa.app.due import due
from loa.app.planning import plan_station
from loa.core.errors import RuntimeFailure
from tests.planning.conftest import add_message, configure

MONDAY = date(2026, 11, 23)


def _quiet(station, **scheduler):
    return configure(
        station,
        audio={"engine": "silent"},
        channels__radio={"sink": "file"},
        scheduler={"auto_plan_days": 0, **scheduler},
    )


def _radio_and_web(station):
    from loa.planning.slots import SlotSpec, add_slot

    with station.transaction() as session:
        add_slot(
            session, SlotSpec("radio", "Sáng", "05:30", 600, list(range(7)), {"residents": 0.6})
        )
        add_slot(
            session, SlotSpec("radio", "Chiều", "17:30", 600, list(range(7)), {"residents": 0.9})
        )
        add_slot(session, SlotSpec("website", "Web", "08:00", 3, [1], {"residents": 0.1}))


def _counts(station):
    from loa.channels.models import AsRunRecord, Publication
    from loa.planning.models import PlanEntry

    with station.transaction() as session:
        statuses = dict(
            session.execute(select(PlanEntry.status, func.count()).group_by(PlanEntry.status)).all()
        )
        asrun = list(
            session.execute(
                select(AsRunRecord.channel, AsRunRecord.status, AsRunRecord.plan_entry_id)
            ).all()
        )
        pubs = list(session.execute(select(Publication.plan_entry_id, Publication.status)).all())
    return statuses, asrun, pubs


def test_run_once_plays_posts_and_skips_late(station) -> None:
    from loa.planning.models import PlanEntry

    station = _quiet(station)
    _radio_and_web(station)
    for n in range(3):
        add_message(
            station,
            f"Tin {n}",
            channels=("radio", "website"),
            airings=7,
            topic=("procedures", "one_stop", "e_government")[n],
        )
    plan_station(station, MONDAY, 2, now=datetime(2026, 11, 22, 20, 0))

    def entries_at(when):
        with station.transaction() as session:
            return list(session.scalars(select(PlanEntry).where(PlanEntry.scheduled_at == when)))

    monday_evening = datetime(2026, 11, 23, 17, 30)
    tuesday_morning = datetime(2026, 11, 24, 5, 30)
    assert entries_at(monday_evening) and entries_at(tuesday_morning)
    report = run_once(station, now=monday_evening + timedelta(minutes=1))
    assert report.bulletins[-1] == "2026-11-23T17:30"
    assert {e.status for e in entries_at(monday_evening)} == {"done"}
    _statuses, asrun, _ = _counts(station)
    played = [r for r in asrun if r.status == "done"]
    assert len(played) == len(entries_at(monday_evening))
    again = run_once(station, now=monday_evening + timedelta(minutes=2))
    assert again.bulletins == [] and len(_counts(station)[1]) == len(asrun)  # nothing repeated
    # 30 minutes late (grace 10): skipped and logged, never played at the wrong hour
    run_once(station, now=tuesday_morning + timedelta(minutes=30))
    assert {e.status for e in entries_at(tuesday_morning)} == {"skipped"}
    tuesday = {e.id for e in entries_at(tuesday_morning)}
    skipped = [r for r in _counts(station)[1] if r.plan_entry_id in tuesday]
    assert len(skipped) == len(tuesday) and {r.status for r in skipped} == {"skipped"}
    # the 08:00 posts at 13:00 (inside 6 h) still go out, marked late
    run_once(station, now=datetime(2026, 11, 24, 13, 0))
    web = entries_at(datetime(2026, 11, 24, 8, 0))
    assert web and {e.status for e in web} == {"done"}
    assert {p.status for p in _counts(station)[2]} == {"late"}


def test_urgent_is_aired_and_posted_once(station) -> None:
    station = _quiet(station)
    mid = add_message(
        station,
        "Cảnh báo bão số 5",
        priority="urgent",
        channels=("radio", "website"),
        topic="communication",
    )
    now = datetime(2026, 11, 23, 10, 0, 20)
    assert due(station, now, now=now).urgent == [mid]
    report = run_once(station, now=now)
    assert report.urgent == [mid] and report.bulletins == ["2026-11-23T10:00"]
    assert due(station, now, now=now).urgent == []
    _statuses, asrun, pubs = _counts(station)
    assert [r.status for r in asrun if r.channel == "radio"] == ["done"]
    assert len([p for p in pubs if p.status == "published"]) == 1
    run_once(station, now=now + timedelta(minutes=2))
    assert len(_counts(station)[1]) == len(asrun)


def test_job_bodies_play_post_render_and_air_urgent(station) -> None:
    """The functions APScheduler fires, called as it calls them: plain arguments only."""
    from loa.app.jobs import job_play, job_publish, job_render, job_urgent
    from loa.audio.render import bulletin_path
    from loa.planning.models import PlanEntry

    station = _quiet(station)
    _radio_and_web(station)
    add_message(station, "Tin thủ tục", channels=("radio", "website"), airings=7)
    plan_station(station, MONDAY, 2, now=datetime(2026, 11, 22, 20, 0))
    root = str(station.root)
    evening = datetime(2026, 11, 23, 17, 30)
    job_play(root, evening.isoformat(), now=(evening + timedelta(minutes=1)).isoformat())
    with station.transaction() as session:
        entries = list(session.scalars(select(PlanEntry)))
    aired = [e for e in entries if e.scheduled_at == evening]
    assert aired and {e.status for e in aired} == {"done"}
    post = next(e for e in entries if e.channel == "website")
    job_publish(root, post.id, now=post.scheduled_at.isoformat())
    job_publish(root, post.id, now=post.scheduled_at.isoformat())  # a second firing: nothing
    statuses, _asrun, pubs = _counts(station)
    assert statuses.get("sending", 0) == 0
    assert [p.status for p in pubs] == ["published"]
    job_render(root, now=datetime(2026, 11, 23, 4, 0).isoformat())
    assert bulletin_path(station, datetime(2026, 11, 24, 5, 30)).is_file()
    mid = add_message(station, "Cảnh báo lũ", priority="urgent", channels=("radio", "website"))
    job_urgent(root, mid, now=datetime(2026, 11, 23, 10, 0).isoformat())
    job_urgent(root, mid, now=datetime(2026, 11, 23, 10, 1).isoformat())
    pubs = _counts(station)[2]
    assert len(pubs) == 2 and {p.status for p in pubs} == {"published"}


def test_a_daemon_that_stopped_leaves_later_renders_in_its_process_alone(station) -> None:
    """A stopping daemon cancels the render under way; once it has stopped, a render in the
    same process (the next daemon's, a job body, the dashboard's) runs to the end."""
    import threading

    from loa.app.jobs import job_render
    from loa.audio.render import bulletin_path

    station = _quiet(station, poll_seconds=1)
    daemon = Daemon(station)
    thread = threading.Thread(target=lambda: daemon.run(install_signals=False), daemon=True)
    thread.start()
    end = time.monotonic() + 20
    while not daemon.scheduler_alive() and time.monotonic() < end:
        time.sleep(0.05)
    daemon.request_stop()
    thread.join(20)
    assert not thread.is_alive()
    _radio_and_web(station)
    add_message(station, "Tin thủ tục", channels=("radio",), airings=7)
    plan_station(station, MONDAY, 2, now=datetime(2026, 11, 22, 20, 0))
    job_render(str(station.root), now=datetime(2026, 11, 23, 4, 0).isoformat())
    assert bulletin_path(station, datetime(2026, 11, 24, 5, 30)).is_file()


def test_one_runner_per_station(station) -> None:
    with (
        run_lock(station),
        pytest.raises(RuntimeFailure, match="đang có một tiến trình"),
        run_lock(station),
    ):
        pass


def test_sync_keeps_jobs_in_step_with_the_plan(station) -> None:
    station = _quiet(station)
    _radio_and_web(station)
    add_message(station, "Tin", channels=("radio", "website"))
    # a week ahead of the real clock, which APScheduler reads: the paused scheduler has nothing
    # due to run. A Monday and Tuesday with no public holiday, so the radio and web slots open.
    from loa.planning.calendar import holidays_between

    today = station.now().date()
    monday = today + timedelta(days=7 + (7 - today.weekday()) % 7)
    while holidays_between(monday, monday + timedelta(days=1)):
        monday += timedelta(days=7)
    now = datetime.combine(monday, datetime.min.time()) - timedelta(hours=4)  # Sunday 20:00
    plan_station(station, monday, 2, now=now)
    daemon = Daemon(station)
    daemon.scheduler = daemon.build_scheduler()
    daemon.scheduler.start(paused=True)
    try:
        first = daemon.sync(now)
        ids = {j.id for j in daemon.scheduler.get_jobs()}
        assert any(i.startswith("render:") for i in ids)
        assert any(i.startswith(f"radio:{monday.isoformat()}T") for i in ids)
        assert any(i.startswith("post:") for i in ids) and first["added"] == len(ids)
        # never pulled yet: the periodic insights pull is one job of its own, with a stable id
        assert "insights" in ids
        assert daemon.sync(now)["added"] == 0  # idempotent
        from loa.app.due import insights_pulled

        insights_pulled(station, now)  # the job ran: not wanted again for pull_every_hours
        again = daemon.sync(now)
        assert again["jobs"] == first["jobs"] - 1 and again["removed"] == 0  # kept, not dropped
        from loa.app.due import due

        assert not due(station, now, now=now + timedelta(hours=5)).insights
        assert due(station, now, now=now + timedelta(hours=6)).insights  # [planning] default
        from loa.planning.models import PlanEntry

        with station.transaction() as session:
            for e in session.scalars(select(PlanEntry).where(PlanEntry.channel == "website")):
                session.delete(e)
        assert daemon.sync(now)["removed"] >= 1
        assert not [j for j in daemon.scheduler.get_jobs() if j.id.startswith("post:")]
    finally:
        daemon.scheduler.shutdown(wait=False)


def test_sync_adds_no_render_while_a_render_runs(station) -> None:
    """The render job is named for its day but claims "render" while it runs: a poll meanwhile
    must not queue another render of the same day (it fired and did nothing, each poll)."""
    from loa.app.jobs import _claim

    station = _quiet(station)
    _radio_and_web(station)
    add_message(station, "Tin", channels=("radio", "website"))
    today = station.now().date()
    monday = today + timedelta(days=7 + (7 - today.weekday()) % 7)
    now = datetime.combine(monday, datetime.min.time()) - timedelta(hours=4)
    plan_station(station, monday, 2, now=now)
    daemon = Daemon(station)
    daemon.scheduler = daemon.build_scheduler()
    daemon.scheduler.start(paused=True)
    try:
        with _claim("render") as ok:
            assert ok
            daemon.sync(now)
            running = {j.id for j in daemon.scheduler.get_jobs()}
        assert not any(i.startswith("render:") for i in running)
        assert any(i.startswith("post:") for i in running)  # the rest is synced as usual
        daemon.sync(now)  # the render is over: the next poll adds it
        assert any(j.id.startswith("render:") for j in daemon.scheduler.get_jobs())
    finally:
        daemon.scheduler.shutdown(wait=False)


def _wait(predicate, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.slow
def test_sigkill_and_restart_loses_and_repeats_nothing(station) -> None:
    """A real `loa run` in a subprocess, killed with SIGKILL mid-plan and started again."""
    from loa.planning.models import PlanEntry

    station = _quiet(station, poll_seconds=1)
    ids = [
        add_message(
            station,
            f"Tin {n}",
            channels=("radio", "website"),
            topic=("procedures", "one_stop", "e_government", "papi")[n % 4],
        )
        for n in range(6)
    ]
    start = station.now().replace(microsecond=0) + timedelta(seconds=4)
    with station.transaction() as session:
        # posts every 2 s, and a radio bulletin of three items in the middle of them
        for n, mid in enumerate(ids):
            session.add(
                PlanEntry(
                    message_id=mid, channel="website", scheduled_at=start + timedelta(seconds=2 * n)
                )
            )
        for n, mid in enumerate(ids[:3]):
            session.add(
                PlanEntry(
                    message_id=mid,
                    channel="radio",
                    position=n,
                    duration_s=5.0,
                    scheduled_at=start + timedelta(seconds=7),
                )
            )
    env = {**os.environ, "LOA_STATION": str(station.root), "LOA_LANG": "vi"}
    cmd = [sys.executable, "-m", "loa", "run"]

    def planned() -> int:
        """Entries not yet finished: planned, or handed to a channel (sending)."""
        statuses = _counts(station)[0]
        return statuses.get("planned", 0) + statuses.get("sending", 0)

    total = planned()
    # Each daemon in a session of its own: the kill takes its render workers (fork server,
    # resource tracker) with it, as a machine losing power would, and leaves no process behind.
    first = subprocess.Popen(
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )
    try:
        assert _wait(lambda: 0 < planned() < total, 40), first.stderr.read1().decode()
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(10)
    second = subprocess.Popen(
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )
    try:
        finished = _wait(lambda: planned() == 0, 120)
        if finished:
            time.sleep(2)  # a repeat, if any, would show up now
        second.send_signal(signal.SIGTERM)
        _out, err = second.communicate(timeout=60)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(second.pid, signal.SIGKILL)
    assert finished, (
        f"restarted daemon did not finish the plan: {_counts(station)}\n{err.decode()[-3000:]}"
    )
    assert second.returncode == 0, err.decode()
    assert "Đã dừng" in err.decode()
    statuses, asrun, pubs = _counts(station)
    assert statuses == {"done": total}
    with station.transaction() as session:
        entries = {e.id: e.channel for e in session.scalars(select(PlanEntry))}
    per_entry = {}
    for row in asrun:
        per_entry[row.plan_entry_id] = per_entry.get(row.plan_entry_id, 0) + 1
    assert set(per_entry) == set(entries) and set(per_entry.values()) == {1}
    assert all(r.status == "done" for r in asrun)
    assert sorted(p.plan_entry_id for p in pubs) == sorted(
        i for i, c in entries.items() if c == "website"
    )
