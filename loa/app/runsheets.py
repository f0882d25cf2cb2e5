"""The run sheet of a day's bulletins: its rows and playlists (`loa today`), and the printable
page (`loa schedule runsheet`, the dashboard's Radio page)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from loa.channels.playout import run_sheet as run_sheet
from loa.channels.playout import write_playlists as write_playlists
from loa.core.station import Station


def runsheet_page(station: Station, day: date, *, how_to_render: str) -> str:
    """The day's run sheet as one HTML page (its stylesheet inline)."""
    from loa.report.runsheet import runsheet_html

    return runsheet_html(station, day, how_to_render=how_to_render)


def save_runsheet(station: Station, day: date, out: Path | None) -> Path:
    """Write the day's run sheet (to `out`, else media/runsheets/YYYY-MM-DD.html); its path."""
    from loa.report.runsheet import write_runsheet

    return write_runsheet(station, day, out)
