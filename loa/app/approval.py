"""Approving messages (`loa msg approve`, the dashboard): the approver's name and time recorded
and audited, and an urgent message sent out at once through the one urgent path."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from loa.app import users
from loa.content import queue
from loa.content.models import Priority
from loa.core.station import Station

if TYPE_CHECKING:
    from loa.app.urgent import UrgentResult


def approve_message(
    station: Station, message_id: int, *, by: str, address: str, now: datetime
) -> UrgentResult | None:
    """Approve `message_id` as `by` (`loa msg approve`) and write it to the audit log; an
    urgent message then goes out at once (`air_urgent`, its result returned).
    Raises UserError for an unknown, archived or empty message."""
    with station.transaction() as session:
        message = queue.approve(session, message_id, approved_by=by, now=now)
        title, urgent = message.title, message.priority == Priority.URGENT
    users.audit(station, by, "approve", f"#{message_id} {title}", address=address, now=now)
    return send_urgent(station, [message_id], by=by, now=now).get(message_id) if urgent else None


def send_urgent(
    station: Station, message_ids: Iterable[int], *, by: str, now: datetime
) -> dict[int, UrgentResult]:
    """Send out at once those of `message_ids` that are urgent and approved, through
    `loa.app.urgent.air_urgent` (never opening outputs here: with no `loa run` the result
    says so, and the daemon airs it when it starts). Returns each one's result."""
    from loa.app.urgent import air_urgent
    from loa.content.models import Message, MessageStatus

    with station.transaction() as session:
        chosen = [
            m.id
            for m in (session.get(Message, i) for i in message_ids)
            if m is not None
            and m.priority == Priority.URGENT
            and m.status == MessageStatus.APPROVED
            and m.is_valid_on(now.date())
        ]
    return {i: air_urgent(station, i, by=by, now=now, here="none") for i in chosen}
