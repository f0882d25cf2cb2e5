"""`loa run` with [radio.stream] on: the real daemon (APScheduler, job store, control socket)
airs a bulletin on the mounts at its time, and an urgent message approved while it plays cuts
in and the bulletin goes on."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from loa.app.daemon import Daemon
from loa.channels.models import AsRunRecord
from loa.content.models import Message
from loa.content.queue import approve
from loa.core.station import Station
from loa.planning.models import PlanEntry
from tests.channels.conftest import add_message, configure
from tests.stream.conftest import RATE, tone_bulletin
from tests.stream.icecast import IcecastServer, Listener
from tests.stream.test_icecast_stream import ALERT_HZ, BULLETIN_HZ, as_run, spans, wait_for

pytestmark = pytest.mark.slow

LEAD_S = 5.0


def test_loa_run_airs_the_bulletin_at_its_time_and_an_approved_urgent_message_cuts_in(
    stream_station: Station, icecast: IcecastServer
) -> None:
    configure(stream_station, "scheduler", auto_plan_days=0, poll_seconds=1)
    normal = add_message(stream_station, channels=["radio"])
    urgent = add_message(
        stream_station,
        title="Bão số 9",
        body="Bão vào gần bờ.",
        channels=["radio"],
        priority="urgent",
    )
    with stream_station.transaction() as session:
        found = session.get(Message, urgent)
        assert found is not None
        found.status = "draft"
    when = stream_station.now().replace(microsecond=0) + timedelta(seconds=LEAD_S)
    due = time.monotonic() + (when - stream_station.now()).total_seconds()
    tone_bulletin(stream_station, when, normal, BULLETIN_HZ, 6.0, zones=["thon1"])
    daemon = Daemon(stream_station)
    runner = threading.Thread(target=daemon.run, kwargs={"install_signals": False})
    runner.start()
    listener: Listener | None = None
    try:
        wait_for(lambda: (stream_station.root / ".loa-stream.json").exists(), timeout=10)
        listener = Listener(f"{icecast.url}/thon1.mp3", RATE)
        wait_for(lambda: listener is not None and listener.heard_seconds() > 0.3)
        heard_at = None
        end = time.monotonic() + LEAD_S + 10
        while heard_at is None and time.monotonic() < end:
            heard_at = listener.first_time(0.1, BULLETIN_HZ, 0.05)
            time.sleep(0.05)
        assert heard_at is not None, "the bulletin was never heard"
        assert abs(heard_at - due) < 2.0, f"heard {heard_at - due:+.1f} s from its time"
        time.sleep(1.0)
        with stream_station.transaction() as session:
            approve(session, urgent, "test")
        wait_for(lambda: spans(listener, ALERT_HZ), timeout=15)  # type: ignore[arg-type]
        wait_for(lambda: len(as_run(stream_station)) == 2, timeout=40)
        bulletin, alert = spans(listener, BULLETIN_HZ), spans(listener, ALERT_HZ)
    finally:
        daemon.request_stop()
        runner.join(20)
        if listener is not None:
            listener.close()
    assert not runner.is_alive()
    assert bulletin[0] < alert[0] < bulletin[-1]
    rows = {r.message_id: r for r in as_run(stream_station)}
    assert rows[normal].zones == ["thon1"] and rows[normal].extra["interrupted"]
    assert rows[urgent].extra["interrupted"][0]["bulletin"] == when.strftime("%H%M")
    with stream_station.transaction() as session:
        entries = {
            (e.channel, e.status)
            for e in session.scalars(select(PlanEntry).where(PlanEntry.message_id == urgent))
        }
        assert entries == {("urgent", "done")}  # aired by preemption, not as a late bulletin
        assert session.scalars(select(AsRunRecord)).all()
    state = (stream_station.root / ".loa-stream.json").read_text(encoding="utf-8")
    assert '"running": false' in state
