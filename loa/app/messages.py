"""The message queue as the doors read and add to it: plain data (each message's `to_dict`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from loa.core.station import Station


def find_messages(
    station: Station,
    *,
    status: str | None = None,
    topic: str | None = None,
    audience: str | None = None,
    channel: str | None = None,
    text: str | None = None,
) -> list[dict[str, Any]]:
    """The messages that match (`loa msg list`'s filters), as dicts."""
    from loa.content.queue import Filters, find

    with station.transaction() as session:
        found = find(session, Filters(status, topic, audience, channel, text))
        return [m.to_dict() for m in found]


def message_dict(station: Station, message_id: int) -> dict[str, Any]:
    """One message as a dict. Raises UserError when there is none."""
    from loa.content.queue import get_message

    with station.transaction() as session:
        return get_message(session, message_id).to_dict()


def create_message(
    station: Station, fields: dict[str, Any], *, where: str, now: datetime
) -> dict[str, Any]:
    """A new draft from the fields an import file or `loa msg add` takes, as a dict. Raises
    UserError naming the field at fault (`where` says where the fields came from)."""
    from loa.content.queue import create

    with station.transaction() as session:
        return create(session, fields, where=where, now=now).to_dict()


def schedule_dicts(
    station: Station, start: date, days: int, *, channel: str | None = None
) -> list[dict[str, Any]]:
    """The plan's slots from `start` for `days` days (`loa schedule --json`)."""
    from loa.planning.views import schedule

    with station.transaction() as session:
        return [s.to_dict() for s in schedule(session, start, days, channel=channel)]
