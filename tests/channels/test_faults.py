"""Publishing under network faults, against fake APIs on 127.0.0.1 that inject them.

Each fault class ends in bounded time with exactly one post per publication key, nothing left
"sending", and a message that says what happened. An outcome loa cannot know is "uncertain"
and is never posted again before a look-up made after the settle time shows it is absent.

Time: the station's clock is passed in (`now`), so most tests jump past the settle time
without sleeping; faults whose server acts in real time (a server that creates the post only
after the client gave up, a feed that shows posts late) run on the real clock.
"""

from __future__ import annotations

import logging
import os
import random
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from loa.app.publish import publish_message, reconcile
from loa.channels.base import PermanentError
from loa.channels.models import DONE_STATUSES, AsRunRecord, Publication
from loa.channels.outbox import Deferred, Uncertain
from loa.channels.runtime import Runtime
from loa.core.errors import LoaError
from loa.core.station import Station
from tests.channels.conftest import NOW, add_message, configure
from tests.channels.fake_graph import FakeGraph
from tests.channels.fake_wordpress import FakeWordPress

#: timeout 0.5 s per read, 1.0 s for a whole call, feed lag 1.0 s: settle 2.0 s.
SETTLE_S = 2.0

#: How long one call may take in these tests: its 1 s deadline and time for a loaded machine
#: (xdist workers beside other work). Still a real bound: without the deadline a dripped answer
#: takes over 10 s (faults.DRIP_S) and an endless one never ends.
CALL_BOUND_S = 6.0


@pytest.fixture
def fast(fb_station: Station, graph: FakeGraph) -> Station:
    configure(fb_station, "channels.facebook", timeout_s=0.5, deadline_s=1.0, feed_lag_s=1.0)
    graph.timeout_s = 0.8  # slower than the client, faster than the settle time
    return fb_station


def runtime() -> Runtime:
    return Runtime(sleep=lambda _s: None, rng=random.Random(3))


def rows(station: Station) -> list[Publication]:
    with station.transaction() as s:
        found = list(s.scalars(select(Publication)))
        s.expunge_all()
    return found


def as_run(station: Station) -> int:
    with station.transaction() as s:
        return len(list(s.scalars(select(AsRunRecord))))


def attempt(station: Station, mid: int, now: datetime, channel: str = "facebook") -> str:
    """One `publish` as the officer or the daemon makes it: the status, or the error's class
    and text."""
    try:
        return str(publish_message(station, mid, channel, now=now, runtime=runtime()).status)
    except LoaError as exc:
        return f"{type(exc).__name__}: {exc}"


def resolve(
    station: Station,
    mid: int,
    clock: Callable[[], datetime],
    *,
    channel: str = "facebook",
    steps: int = 8,
    pause: Callable[[], None] = lambda: None,
) -> list[str]:
    """Reconcile and publish again, as later runs would, until the post is recorded."""
    outcomes = []
    for _ in range(steps):
        pause()
        reconcile(station, now=clock(), runtime=runtime())
        outcome = attempt(station, mid, clock(), channel)
        outcomes.append(outcome)
        if outcome in DONE_STATUSES:
            break
    return outcomes


def jumping(start: datetime, step_s: float = 10.0) -> Callable[[], datetime]:
    """A station clock that moves `step_s` on at each reading (no real waiting)."""
    state = {"now": start}

    def clock() -> datetime:
        state["now"] += timedelta(seconds=step_s)
        return state["now"]

    return clock


def real_clock() -> Callable[[], datetime]:
    base, started = NOW, time.monotonic()
    return lambda: base + timedelta(seconds=time.monotonic() - started)


def exactly_one(station: Station, graph: FakeGraph) -> None:
    assert len(graph.posts) == 1, graph.posts
    [pub] = rows(station)
    assert pub.status in DONE_STATUSES and pub.remote_id == graph.posts[0]["id"]
    assert as_run(station) == 1


# (fault on POST /feed, was the post created, words the first outcome must say)
FAULTS = [
    ("lost_fin", True, "bị đóng"),
    ("lost_rst", True, "bị đóng"),
    ("drop", False, "bị đóng"),
    ("reset", False, "bị đóng"),
    ("slow", True, "không trả lời trong 0.5 giây"),
    ("timeout", False, "không trả lời trong 0.5 giây"),
    ("drip", True, "quá chậm"),
    ("endless", True, "quá chậm"),
    ("504", True, "HTTP 504"),
    ("502", False, "HTTP 502"),
]


@pytest.mark.parametrize(("fault", "created", "words"), FAULTS, ids=[f[0] for f in FAULTS])
def test_an_unknown_outcome_is_uncertain_then_posted_exactly_once(
    fast: Station, graph: FakeGraph, fault: str, created: bool, words: str
) -> None:
    graph.fail("feed", fault)
    mid = add_message(fast)
    started = time.monotonic()
    first = attempt(fast, mid, NOW)
    assert time.monotonic() - started < CALL_BOUND_S  # the call's total deadline is 1 s
    assert first.startswith("Uncertain") and words in first, first
    assert "sẽ thử lại sau" not in first
    if "bị đóng" in words:
        assert "không trả lời" not in first  # a dropped connection is no timeout
    [pub] = rows(fast)
    assert pub.status == "uncertain" and pub.next_at is not None
    assert len(graph.posts) == (1 if created else 0)
    # too early for a look-up to be trusted: nothing is posted, nothing is looked at
    gets = sum(1 for m, _p in graph.requests if m == "GET")
    assert attempt(fast, mid, NOW + timedelta(seconds=1)).startswith("Uncertain")
    assert sum(1 for m, _p in graph.requests if m == "GET") == gets
    assert len(graph.posts) == (1 if created else 0)
    outcomes = resolve(fast, mid, jumping(NOW))
    assert outcomes[-1] in DONE_STATUSES, outcomes
    exactly_one(fast, graph)


@pytest.mark.parametrize("fault", ["500", "503"])
def test_graph_json_errors_are_retried_at_once(fast: Station, graph: FakeGraph, fault: str) -> None:
    graph.fail("feed", fault, times=2)
    mid = add_message(fast)
    assert attempt(fast, mid, NOW) == "published"
    exactly_one(fast, graph)


@pytest.mark.parametrize("lookup_fault", ["500", "endless", "reset"])
def test_a_failing_look_up_never_turns_into_a_second_post(
    fast: Station, graph: FakeGraph, lookup_fault: str
) -> None:
    """Issue 18.1: the answer is lost after the post was made, and the feed check fails
    (again and again): it stays uncertain with growing waits, never "failed", never re-posted."""
    graph.fail("feed", "lost_fin")
    graph.fail("*", lookup_fault, times=3, method="GET")
    mid = add_message(fast)
    assert attempt(fast, mid, NOW).startswith("Uncertain")
    clock = jumping(NOW, step_s=30)
    waits = []
    for _ in range(3):
        at = clock()
        started = time.monotonic()
        reconcile(fast, now=at, runtime=runtime())
        assert time.monotonic() - started < CALL_BOUND_S
        [pub] = rows(fast)
        assert pub.status == "uncertain", pub.error
        assert pub.next_at is not None and "tra cứu" in (pub.error or "")
        waits.append((pub.next_at - at).total_seconds())
    assert waits == sorted(waits) and waits[-1] > waits[0]  # growing (0.5, 1, 2 s)
    assert len(graph.posts) == 1
    outcomes = resolve(fast, mid, clock)
    assert outcomes[-1] in DONE_STATUSES, outcomes
    exactly_one(fast, graph)


def test_a_server_slower_than_the_client_that_still_creates(
    fast: Station, graph: FakeGraph
) -> None:
    """Issue 18.2: the server answers after the client's timeout and creates the post anyway;
    loa waits out the settle time before looking, so it finds the post."""
    graph.fail("feed", "hang_create")
    graph.create_gate = threading.Event()  # the server acts once the client has given up
    mid = add_message(fast)
    clock = real_clock()
    assert attempt(fast, mid, clock()).startswith("Uncertain")
    assert graph.posts == []  # not there yet: a look-up now would be wrong
    graph.create_gate.set()
    deadline = time.monotonic() + 10
    while not graph.posts and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(graph.posts) == 1  # created after the client's timeout, within its settle time
    outcomes = resolve(fast, mid, clock, pause=lambda: time.sleep(SETTLE_S / 2))
    assert outcomes[-1] in DONE_STATUSES, outcomes
    exactly_one(fast, graph)


def test_a_feed_that_shows_posts_late(fast: Station, graph: FakeGraph) -> None:
    """A reconcile right after the crash cannot see the post yet: uncertain, not re-posted."""
    graph.feed_lag_s = 0.9
    graph.fail("feed", "lost_rst")
    mid = add_message(fast)
    clock = real_clock()
    assert attempt(fast, mid, clock()).startswith("Uncertain")
    assert [p.status for p in reconcile(fast, now=clock(), runtime=runtime())] == []
    outcomes = resolve(fast, mid, clock, pause=lambda: time.sleep(SETTLE_S / 2))
    assert outcomes[-1] in DONE_STATUSES, outcomes
    exactly_one(fast, graph)


def test_repeated_rate_limits_wait_longer_each_time(fast: Station, graph: FakeGraph) -> None:
    codes = [4, 17, 32, 613]
    for code in codes:
        graph.fail("feed", f"code:{code}")
    mid = add_message(fast)
    at = NOW
    waits = []
    for code in codes:
        outcome = attempt(fast, mid, at)
        assert outcome.startswith("TransientError") and f"mã lỗi {code}" in outcome, outcome
        assert "sẽ thử lại sau" not in outcome
        [pub] = rows(fast)
        assert pub.status == "failed" and pub.next_at is not None
        waits.append((pub.next_at - at).total_seconds())
        posts = sum(1 for m, _p in graph.requests if m == "POST")
        # before its time nothing is sent (a daemon poll would not even fire it)
        assert attempt(fast, mid, at + timedelta(seconds=0.1)).startswith("Deferred")
        assert sum(1 for m, _p in graph.requests if m == "POST") == posts
        at = pub.next_at
    # 0.5, 1, 2, 2 (capped at defer_max_s; each measured from its own attempt's clock)
    assert waits[0] < waits[1] < waits[2] and waits[3] >= waits[2] - 0.05
    assert attempt(fast, mid, at) == "published"
    assert sum(1 for m, _p in graph.requests if m == "POST") == 5
    exactly_one(fast, graph)


def test_the_usage_header_sets_the_wait() -> None:
    import json

    from loa.channels.facebook import usage_wait

    header = {
        "x-business-use-case-usage": json.dumps({"1": [{"estimated_time_to_regain_access": 7}]})
    }
    assert usage_wait(header) == 420
    assert usage_wait({"x-app-usage": json.dumps({"call_count": 100})}) == 60
    assert usage_wait({"x-app-usage": json.dumps({"call_count": 12})}) is None
    assert usage_wait({"x-business-use-case-usage": "not json"}) is None


def test_a_token_echoed_by_facebook_goes_nowhere(
    fast: Station, graph: FakeGraph, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    graph.fail("feed", "token_echo")
    mid = add_message(fast)
    outcome = attempt(fast, mid, NOW)
    assert outcome.startswith("PermanentError") and "190" in outcome
    assert graph.token not in outcome and "***" in outcome
    assert graph.token not in caplog.text
    [pub] = rows(fast)
    assert pub.status == "failed" and graph.token not in (pub.error or "")
    assert graph.token.encode() not in (fast.root / "loa.db").read_bytes()
    assert graph.posts == []


def test_permission_refusals_are_permanent(fast: Station, graph: FakeGraph) -> None:
    for code in (10, 200):
        graph.fail("feed", f"code:{code}")
        mid = add_message(fast, title=f"Tin {code}")
        with pytest.raises(PermanentError, match=f"mã lỗi {code}"):
            publish_message(fast, mid, "facebook", now=NOW, runtime=runtime())
    assert [p.status for p in rows(fast)] == ["failed", "failed"] and graph.posts == []


def test_an_uncertain_post_is_shown_in_the_outbox(fast: Station, graph: FakeGraph) -> None:
    from loa.app.outbox_view import outbox

    graph.fail("feed", "lost_fin")
    mid = add_message(fast)
    with pytest.raises(Uncertain) as info:
        publish_message(fast, mid, "facebook", now=NOW, runtime=runtime())
    assert info.value.next_at is not None
    [row] = outbox(fast, now=NOW)
    assert row.status == "uncertain" and "Đợi facebook" in (row.error or "")


def test_deferred_work_says_until_when(fast: Station, graph: FakeGraph) -> None:
    graph.fail("feed", "code:613")
    mid = add_message(fast)
    attempt(fast, mid, NOW)
    with pytest.raises(Deferred, match="hoãn tới"):
        publish_message(fast, mid, "facebook", now=NOW, runtime=runtime())


# --------------------------------------------------------------------------- WordPress


@pytest.fixture
def wp(station: Station, wordpress: FakeWordPress, monkeypatch: pytest.MonkeyPatch) -> Station:
    configure(
        station,
        "channels.wordpress",
        url=wordpress.url,
        user=wordpress.user,
        timeout_s=0.5,
        deadline_s=1.0,
        feed_lag_s=1.0,
    )
    configure(station, "channels", retries=2, backoff_s=0.01, backoff_max_s=0.01, defer_s=0.5)
    monkeypatch.setenv("LOA_WORDPRESS_PASSWORD", wordpress.password)
    return station


@pytest.mark.parametrize("fault", ["fin", "drip"])
def test_wordpress_lost_answers_post_once(
    wp: Station, wordpress: FakeWordPress, fault: str
) -> None:
    wordpress.after_create = [fault]
    wordpress.get_faults = ["rst"]  # and the first look-up fails too
    mid = add_message(wp)
    started = time.monotonic()
    first = attempt(wp, mid, NOW, "wordpress")
    assert time.monotonic() - started < CALL_BOUND_S
    assert first.startswith("Uncertain"), first
    outcomes = resolve(wp, mid, jumping(NOW), channel="wordpress")
    assert outcomes[-1] in DONE_STATUSES, outcomes
    assert len(wordpress.posts) == 1
    assert [p.status for p in rows(wp)] == ["published"]


# --------------------------------------------------------------------------- disk full


@pytest.fixture
def small_disk(tmp_path):
    """A 3 MB tmpfs (where the machine lets us mount one: root with CAP_SYS_ADMIN)."""
    import shutil
    import subprocess

    mount = tmp_path / "disk"
    mount.mkdir()
    done = (
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)],
            capture_output=True,
            check=False,
        )
        if shutil.which("mount")
        else None
    )
    if done is None or done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN)")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], capture_output=True, check=False)


def test_a_full_disk_while_the_post_is_in_flight_names_the_path(
    small_disk, graph: FakeGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from loa.app.setup import init_station

    station = init_station(small_disk / "station", name="Xã Đĩa Đầy")
    configure(
        station,
        "channels.facebook",
        page_id=graph.page_id,
        graph_url=graph.url,
        timeout_s=2.0,
        deadline_s=5.0,
        feed_lag_s=0.5,
    )
    configure(station, "channels", retries=2, backoff_s=0.01, backoff_max_s=0.01)
    monkeypatch.setenv("LOA_FACEBOOK_TOKEN", graph.token)
    mid = add_message(station)
    graph.hold.set()
    outcome: list[str] = []
    worker = threading.Thread(target=lambda: outcome.append(attempt(station, mid, NOW)))
    worker.start()
    filler = small_disk / "filler"
    try:
        assert graph.received.wait(30)
        fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)  # fill to the last byte
        for size in (65536, 4096, 512, 1):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError:
                continue
        os.close(fd)
    finally:
        graph.hold.clear()
        graph.release.set()
        worker.join(30)
    [text] = outcome
    assert text.startswith("RuntimeFailure") and "đã lên facebook" in text, text
    assert "Hết chỗ trên đĩa" in text and str(small_disk / "station") in text, text
    assert len(graph.posts) == 1
    filler.unlink()
    station.engine.dispose()
    changed = reconcile(station, now=NOW + timedelta(seconds=10), runtime=runtime())
    assert [p.status for p in changed] == ["published"]
    assert attempt(station, mid, NOW + timedelta(seconds=11)) == "published"
    assert len(graph.posts) == 1
