"""Making a station: loa.toml, the database, the CCHC taxonomy and, on request, the sample data."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from loa.content.importer import import_file
from loa.content.queue import approve
from loa.content.taxonomy import seed_taxonomy
from loa.core.errors import UserError
from loa.core.fileio import atomic_write_text
from loa.core.i18n import Catalog
from loa.core.registry import audio_channels
from loa.core.station import CONFIG_NAME, Station, create_station, station_toml
from loa.planning.defaults import seed_default_slots

SAMPLE_MESSAGES = Path(__file__).parent / "samples" / "messages.yaml"
#: The text of the Word file a sample station ships for the README's tour (`loa msg import
#: ke-hoach.docx`): a title line, `Khóa: giá trị` lines, then the body, one paragraph each.
SAMPLE_IMPORT = Path(__file__).parent / "samples" / "ke-hoach.txt"
SAMPLE_IMPORT_NAME = "ke-hoach.docx"

T = Catalog(
    {
        "no_name": (
            'Tên đài không được để trống. Ví dụ: loa init xa-cam-nhuong --name "Xã Cẩm Nhượng".',
            'The station needs a name. For example: loa init xa-cam-nhuong --name "Xã Cẩm Nhượng".',
        ),
    }
)


#: The day the sample's validity windows were written for; tests load the sample as of it.
SAMPLE_DAY = date(2026, 11, 22)


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def load_sample(station: Station, *, today: date | None = None) -> None:
    """Import the built-in sample messages, approve them and seed the sample slots, in one
    transaction. The messages' validity windows move on by whole years until every message is
    still valid on `today` (default: the station's today), so the sample keeps working."""
    today = today or station.now().date()
    with station.transaction() as session:
        report = import_file(session, SAMPLE_MESSAGES)
        ends = [m.valid_until for m in report.created if m.valid_until is not None]
        shift = 0
        while ends and min(_years_later(d, shift) for d in ends) < today:
            shift += 1
        for message in report.created:
            if shift and message.valid_from is not None:
                message.valid_from = _years_later(message.valid_from, shift)
            if shift and message.valid_until is not None:
                message.valid_until = _years_later(message.valid_until, shift)
            approve(session, message.id, approved_by="loa (mẫu)", now=station.now())
        seed_default_slots(session)
    write_sample_import(station.root / SAMPLE_IMPORT_NAME, today=today)


def write_sample_import(path: Path, *, today: date) -> Path:
    """The sample Word file to import (one draft message, valid for a year from `today`),
    written atomically. Returns `path`."""
    import io

    import docx

    from loa.core.fileio import atomic_write_bytes

    text = SAMPLE_IMPORT.read_text(encoding="utf-8").format(
        valid_from=today.strftime("%d/%m/%Y"),
        valid_until=(_years_later(today, 1)).strftime("%d/%m/%Y"),
    )
    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    atomic_write_bytes(path, buffer.getvalue())
    return path


def init_station(
    root: Path,
    name: str,
    province: str = "",
    district: str = "",
    language: str = "vi",
    sample: bool = False,
    today: date | None = None,
) -> Station:
    """Create a station folder: loa.toml, the database (schema up to date), media/.

    With `sample`, fill it with the built-in sample messages, already approved (valid on
    `today`, see `load_sample`).
    Raises UserError if the folder already holds a station.
    """
    if not name.strip():
        raise UserError(T("no_name"))
    text = station_toml(name, province=province, district=district, language=language)
    station = create_station(root, text)
    with station.transaction() as session:
        seed_taxonomy(session)
    if sample:
        load_sample(station, today=today)
    # loa.toml last: a folder only becomes a station once everything above succeeded.
    atomic_write_text(station.root / CONFIG_NAME, text)
    return station


def first_radio_bulletin(station: Station) -> datetime | None:
    """When the next radio bulletin of the plan airs (what `loa demo` renders and plays)."""
    from sqlalchemy import select

    from loa.planning.models import PlanEntry

    with station.transaction() as session:
        return session.scalar(
            select(PlanEntry.scheduled_at)
            .where(PlanEntry.channel.in_(audio_channels()), PlanEntry.scheduled_at >= station.now())
            .order_by(PlanEntry.scheduled_at)
            .limit(1)
        )


def first_website_message(station: Station) -> int | None:
    """The first approved message that goes to the website (what `loa demo` posts)."""
    from sqlalchemy import select

    from loa.content.models import Message, MessageStatus

    with station.transaction() as session:
        for message in session.scalars(
            select(Message).where(Message.status == MessageStatus.APPROVED).order_by(Message.id)
        ):
            if "website" in message.channels:
                return int(message.id)
    return None
