"""End-to-end: the real `loa` program against the fake Graph API, including a SIGKILL mid-post."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from loa.channels.models import Publication
from loa.core.station import Station
from tests.channels.conftest import add_message, configure
from tests.channels.fake_graph import FakeGraph
from tests.clock import clock_env

# The settle time of the two kill tests below. Their `loa` processes each start their clock at the
# same instant (tests.clock), so only a process's own run time counts against it, not how long the
# machine took between two commands; "after the settle time" is a clock a minute on, not a sleep.
FEED_LAG_S = 6.0
SETTLED = timedelta(minutes=1)


def loa_cmd() -> list[str]:
    exe = shutil.which("loa", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-m", "loa"]


def env_for(station: Station, token: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOA_")}
    env.update(
        {
            "LOA_STATION": str(station.root),
            "LOA_FACEBOOK_TOKEN": token,
            "COLUMNS": "200",
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
            **extra,
        }
    )
    return env


def loa(
    station: Station, token: str, *args: str, clock: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*loa_cmd(), *args],
        env=env_for(station, token, **(clock or {})),
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_publish_once_then_nothing_then_expired_token(
    fb_station: Station, graph: FakeGraph
) -> None:
    mid = add_message(fb_station)
    first = loa(
        fb_station, graph.token, "publish", "--message", str(mid), "--channel", "facebook", "--now"
    )
    assert first.returncode == 0, first.stderr
    assert "Đã đăng lên facebook" in first.stdout
    assert len(graph.posts) == 1
    assert "Đăng ký khai sinh trực tuyến" in graph.posts[0]["message"]
    again = loa(
        fb_station, graph.token, "publish", "--message", str(mid), "--channel", "facebook", "--now"
    )
    assert again.returncode == 0, again.stderr
    assert "không đăng lại" in again.stdout
    assert len(graph.posts) == 1
    other = add_message(fb_station, title="Tin thứ hai")
    graph.expired = True
    expired = loa(
        fb_station,
        graph.token,
        "publish",
        "--message",
        str(other),
        "--channel",
        "facebook",
        "--now",
    )
    assert expired.returncode == 1
    assert "hết hạn" in expired.stderr and "190" in expired.stderr
    assert "Traceback" not in expired.stderr + expired.stdout
    assert graph.token not in expired.stderr + expired.stdout
    outbox = loa(fb_station, graph.token, "outbox")
    assert outbox.returncode == 0 and "lỗi" in outbox.stdout and "190" in outbox.stdout


@pytest.mark.slow
def test_channels_check_reports_token_problems(fb_station: Station, graph: FakeGraph) -> None:
    ok = loa(fb_station, graph.token, "channels", "check")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "Token hợp lệ" in ok.stdout and "pages_manage_posts" in ok.stdout
    graph.scopes = ["pages_show_list"]
    missing = loa(fb_station, graph.token, "channels", "check")
    assert missing.returncode == 1 and "thiếu quyền" in missing.stdout
    wrong = loa(fb_station, "not-the-token", "channels", "check")
    assert wrong.returncode == 1 and "190" in wrong.stdout


@pytest.mark.slow
def test_sigkill_between_the_remote_call_and_the_record(
    fb_station: Station, graph: FakeGraph, tmp_path: Path
) -> None:
    """The post reaches the page, the process dies before recording it; after a restart the
    outbox reconciles it and publishing again makes no second post."""
    configure(fb_station, "channels.facebook", feed_lag_s=FEED_LAG_S)
    mid = add_message(fb_station)
    start = datetime.now(UTC)
    early, settled = clock_env(tmp_path / "t0", start), clock_env(tmp_path / "t1", start + SETTLED)
    graph.hold.set()  # the fake stores the post, then holds its answer
    proc = subprocess.Popen(
        [*loa_cmd(), "publish", "--message", str(mid), "--channel", "facebook", "--now"],
        env=env_for(fb_station, graph.token, **early),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert graph.received.wait(60), "the publishing process never reached the fake page"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        graph.hold.clear()
        graph.release.set()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert len(graph.posts) == 1
    with fb_station.transaction() as s:
        assert s.scalars(select(Publication.status)).all() == ["sending"]
    outbox = loa(fb_station, graph.token, "outbox", clock=early)
    assert outbox.returncode == 0, outbox.stderr
    assert "chưa chắc chắn" in outbox.stdout  # too early for the feed to show it
    outbox = loa(fb_station, graph.token, "outbox", clock=settled)  # the settle time has passed
    assert outbox.returncode == 0, outbox.stderr
    assert "đã đăng" in outbox.stdout
    again = loa(
        fb_station, graph.token, "publish", "--message", str(mid), "--channel", "facebook", "--now"
    )
    assert again.returncode == 0, again.stderr
    assert len(graph.posts) == 1
    with fb_station.transaction() as s:
        pub = s.scalars(select(Publication)).one()
        assert (pub.status, pub.remote_id) == ("published", graph.posts[0]["id"])


@pytest.mark.parametrize("reconcile_first", [False])
def test_publish_itself_recovers_after_a_kill(
    fb_station: Station, graph: FakeGraph, reconcile_first: bool, tmp_path: Path
) -> None:
    configure(fb_station, "channels.facebook", feed_lag_s=FEED_LAG_S)
    mid = add_message(fb_station)
    start = datetime.now(UTC)
    early, settled = clock_env(tmp_path / "t0", start), clock_env(tmp_path / "t1", start + SETTLED)
    graph.hold.set()
    proc = subprocess.Popen(
        [*loa_cmd(), "publish", "-m", str(mid), "-c", "facebook", "--now"],
        env=env_for(fb_station, graph.token, **early),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    assert graph.received.wait(60)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    graph.hold.clear()
    graph.release.set()
    publish = ("publish", "-m", str(mid), "-c", "facebook", "--now")
    again = loa(fb_station, graph.token, *publish, clock=early)
    assert again.returncode == 1 and "chưa chắc" in again.stderr.lower()  # settling: no repost
    again = loa(fb_station, graph.token, *publish, clock=settled)
    assert again.returncode == 0, again.stderr
    assert len(graph.posts) == 1 and not reconcile_first
