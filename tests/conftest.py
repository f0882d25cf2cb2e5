"""Shared fixtures: a real temporary station with its own SQLite file per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from loa.app.setup import SAMPLE_DAY, init_station
from loa.core.i18n import set_language
from loa.core.station import Station


@pytest.fixture(autouse=True)
def _vietnamese(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests run in Vietnamese (the default) unless they set LOA_LANG themselves."""
    monkeypatch.delenv("LOA_LANG", raising=False)
    monkeypatch.delenv("LOA_STATION", raising=False)
    monkeypatch.delenv("LOA_FACEBOOK_TOKEN", raising=False)
    set_language("vi")


@pytest.fixture
def station(tmp_path: Path) -> Station:
    """An empty station (taxonomy seeded, no messages)."""
    return init_station(tmp_path / "station", name="Xã Thử Nghiệm")


@pytest.fixture
def sample_station(tmp_path: Path) -> Station:
    """A station filled with the built-in sample messages, all approved."""
    return init_station(tmp_path / "sample", name="Xã Cẩm Nhượng", sample=True, today=SAMPLE_DAY)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Stop the multiprocessing fork server and resource tracker that rendering tests started,
    so the test run leaves no process behind (both are private, stable since Python 3.8)."""
    import multiprocessing.forkserver as forkserver
    import multiprocessing.resource_tracker as resource_tracker

    for helper in (
        getattr(forkserver, "_forkserver", None),
        getattr(resource_tracker, "_resource_tracker", None),
    ):
        stop = getattr(helper, "_stop", None)
        if stop is not None:
            try:
                stop()
            except Exception:  # best effort: never fail a finished run
                pass
