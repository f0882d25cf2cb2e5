"""Making a station: loa.toml, the database, the CCHC taxonomy and, on request, the sample data."""

from __future__ import annotations

from pathlib import Path

from loa.content.importer import import_file
from loa.content.queue import approve
from loa.content.taxonomy import seed_taxonomy
from loa.core.fileio import atomic_write_text
from loa.core.station import CONFIG_NAME, Station, create_station, station_toml
from loa.planning.defaults import seed_default_slots

SAMPLE_MESSAGES = Path(__file__).parent / "samples" / "messages.yaml"


def load_sample(station: Station) -> None:
    """Import the built-in sample messages, approve them and seed the sample slots, in one
    transaction."""
    with station.transaction() as session:
        report = import_file(session, SAMPLE_MESSAGES)
        for message in report.created:
            approve(session, message.id, approved_by="loa (mẫu)", now=station.now())
        seed_default_slots(session)


def init_station(
    root: Path,
    name: str,
    province: str = "",
    district: str = "",
    language: str = "vi",
    sample: bool = False,
) -> Station:
    """Create a station folder: loa.toml, the database (schema up to date), media/.

    With `sample`, fill it with the built-in sample messages, already approved.
    Raises UserError if the folder already holds a station.
    """
    text = station_toml(name, province=province, district=district, language=language)
    station = create_station(root, text)
    with station.transaction() as session:
        seed_taxonomy(session)
    if sample:
        load_sample(station)
    # loa.toml last: a folder only becomes a station once everything above succeeded.
    atomic_write_text(station.root / CONFIG_NAME, text)
    return station
