"""Kept page parts: after a commit one request builds a part and the others asking at the same
time wait for that build (a login flood commits an audit row per guess: twenty requests each
rebuilding the week grid made the week page take seconds)."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from loa.core.db import ChangeWatch
from loa.web.fragments import FragmentCache


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "loa.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE t (n INTEGER)")
    return path


def _commit(path: Path) -> None:
    with sqlite3.connect(path) as db:  # another connection: the stamp changes
        db.execute("INSERT INTO t VALUES (1)")


def _together(count: int, call: object) -> list[object]:
    start = threading.Barrier(count)
    out: list[object] = []

    def run() -> None:
        start.wait()
        try:
            out.append(call())  # type: ignore[operator]
        except RuntimeError as error:
            out.append(error)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return out


def test_requests_at_the_same_time_share_one_build(database: Path) -> None:
    cache = FragmentCache(ChangeWatch(f"sqlite:///{database}"))
    builds: list[int] = []

    def build() -> str:
        builds.append(1)
        time.sleep(0.5)  # the others ask while this one builds
        return f"grid {len(builds)}"

    got = _together(8, lambda: cache.value("week", build))
    assert got == ["grid 1"] * 8 and len(builds) == 1
    assert cache.value("week", build) == "grid 1" and len(builds) == 1  # kept
    _commit(database)
    assert cache.value("week", build) == "grid 2"  # a commit: built again, once


def test_a_failed_build_is_not_kept_and_does_not_hold_the_others(database: Path) -> None:
    cache = FragmentCache(ChangeWatch(f"sqlite:///{database}"))
    calls: list[int] = []

    def failing() -> str:
        calls.append(1)
        time.sleep(0.3)
        raise RuntimeError("database gone")

    got = _together(4, lambda: cache.value("week", failing))
    assert len(got) == 4 and all(isinstance(g, RuntimeError) for g in got)
    assert cache.value("week", lambda: "grid") == "grid"  # nothing kept, nothing waiting
