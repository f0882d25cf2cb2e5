"""Fixtures for report tests: a station holding a simulated week of as-run records."""

from __future__ import annotations

import pytest

from loa.core.station import Station
from tests.report.simulate import Expected, simulate_week


@pytest.fixture
def week(station: Station) -> tuple[Station, Expected]:
    """The empty station after a simulated week (28/10-03/11/2026) and what it must report."""
    return station, simulate_week(station)
