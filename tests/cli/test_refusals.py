"""Wrong input that used to succeed silently is refused with a specific message and exit 2."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from loa.cli.main import app
from loa.core.station import Station

runner = CliRunner(env={"COLUMNS": "200"})


def test_schedule_of_an_unknown_channel_is_refused(sample_station: Station) -> None:
    result = runner.invoke(app, ["--station", str(sample_station.root), "schedule", "-c", "radioo"])
    assert result.exit_code == 2
    assert 'Kênh "radioo" không có' in result.output and "radio, facebook" in result.output
    known = runner.invoke(app, ["--station", str(sample_station.root), "schedule", "-c", "radio"])
    assert known.exit_code == 0, known.output


def test_init_without_a_name_makes_nothing(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", str(tmp_path / "xa"), "--name", "  "])
    assert result.exit_code == 2 and "Tên đài không được để trống" in result.output
    assert not (tmp_path / "xa").exists()
