"""The sample station stays usable whatever the date: its windows move on by whole years."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select

from loa.app.setup import SAMPLE_DAY, init_station
from loa.content.models import Message


def _windows(station) -> list[tuple[date | None, date | None]]:
    with station.transaction() as session:
        return [(m.valid_from, m.valid_until) for m in session.scalars(select(Message))]


def test_sample_as_written_on_its_own_day(tmp_path: Path) -> None:
    station = init_station(tmp_path / "a", name="Xã A", sample=True, today=SAMPLE_DAY)
    windows = _windows(station)
    assert len(windows) == 20
    assert min(u for _f, u in windows if u) == date(2026, 12, 31)


def test_sample_loaded_years_later_is_valid_that_day(tmp_path: Path) -> None:
    later = date(2029, 3, 1)
    station = init_station(tmp_path / "b", name="Xã B", sample=True, today=later)
    original = _windows(init_station(tmp_path / "c", name="Xã C", sample=True, today=SAMPLE_DAY))
    windows = _windows(station)
    assert all(u is None or u >= later for _f, u in windows)
    # every window moved by the same whole number of years
    shifts = {(u.year - ou.year) for (_f, u), (_of, ou) in zip(windows, original, strict=True) if u}
    assert shifts == {3}
