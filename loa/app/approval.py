"""Approving a message from the dashboard: the approver's name and time recorded, and audited."""

from __future__ import annotations

from datetime import datetime

from loa.app import users
from loa.content import queue
from loa.core.station import Station


def approve_message(
    station: Station, message_id: int, *, by: str, address: str, now: datetime
) -> None:
    """Approve `message_id` as `by` (`loa msg approve`) and write it to the audit log.
    Raises UserError for an unknown, archived or empty message."""
    with station.transaction() as session:
        message = queue.approve(session, message_id, approved_by=by, now=now)
        title = message.title
    users.audit(station, by, "approve", f"#{message_id} {title}", address=address, now=now)
