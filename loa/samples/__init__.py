"""The built-in sample station: realistic CCHC messages written from the seed directives."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from loa.station import Station

SAMPLES = Path(__file__).parent
SAMPLE_MESSAGES = SAMPLES / "messages.yaml"


def load_sample(station: Station) -> None:
    """Import the sample messages and approve them, in one transaction."""
    from loa.content.importer import import_file
    from loa.content.queue import approve
    from loa.scheduler.defaults import seed_default_slots

    with station.transaction() as session:
        report = import_file(session, SAMPLE_MESSAGES)
        for message in report.created:
            approve(session, message.id, approved_by="loa (mẫu)", now=station.now())
        seed_default_slots(session)
