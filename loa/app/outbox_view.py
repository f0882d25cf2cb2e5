"""What needs the officer's attention in the outbox: pending, failed, uncertain, late or
scheduled publications, and posts past their time with no publication yet (`loa outbox`,
the dashboard's outbox page)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from loa.channels.models import Publication, PublicationStatus
from loa.channels.outbox import LATE_GRACE
from loa.content.models import Message
from loa.core.registry import audio_channels
from loa.planning.models import PlanEntry, PlanStatus

if TYPE_CHECKING:
    from loa.core.station import Station

P = PublicationStatus


@dataclass
class OutboxRow:
    """One line of `loa outbox`: a publication needing attention, or an overdue plan entry."""

    publication_id: int | None
    plan_entry_id: int | None
    message_id: int | None
    channel: str
    status: str
    due_at: datetime | None
    attempts: int
    title: str
    error: str | None
    #: When loa looks again (uncertain) or may try again (failed after a rate limit).
    next_at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            k: (v.isoformat(timespec="minutes") if isinstance(v, datetime) else v)
            for k, v in self.__dict__.items()
        }


#: The outbox row of a non-radio plan entry past due with no publication yet.
OVERDUE = "overdue"

#: Publications `loa outbox` lists without --all.
OUTBOX_STATUSES = (P.SENDING, P.FAILED, P.UNCERTAIN, P.LATE, P.SCHEDULED)


def outbox(station: Station, *, now: datetime, include_done: bool = False) -> list[OutboxRow]:
    """What needs attention: pending, failed, uncertain, late or scheduled publications, and
    non-radio plan entries past due with no publication yet (status "overdue")."""
    from sqlalchemy import select

    rows: list[OutboxRow] = []
    with station.transaction() as session:
        titles = dict(session.execute(select(Message.id, Message.title)).all())
        query = select(Publication).order_by(Publication.id)
        if not include_done:
            query = query.where(Publication.status.in_(OUTBOX_STATUSES))
        for p in session.scalars(query):
            title = titles.get(p.message_id or 0) or (p.item or {}).get("title") or p.key
            rows.append(
                OutboxRow(
                    p.id,
                    p.plan_entry_id,
                    p.message_id,
                    p.channel,
                    p.status,
                    p.due_at,
                    p.attempts,
                    title,
                    p.error,
                    p.next_at,
                )
            )
        published = select(Publication.id).where(Publication.plan_entry_id == PlanEntry.id)
        overdue = session.scalars(
            select(PlanEntry)
            .where(
                PlanEntry.status == PlanStatus.PLANNED,
                PlanEntry.channel.not_in(audio_channels()),
                PlanEntry.channel != "urgent",
                PlanEntry.scheduled_at < now - LATE_GRACE,
                ~published.exists(),
            )
            .order_by(PlanEntry.scheduled_at)
        )
        for e in overdue:
            rows.append(
                OutboxRow(
                    None,
                    e.id,
                    e.message_id,
                    e.channel,
                    OVERDUE,
                    e.scheduled_at,
                    0,
                    titles.get(e.message_id, ""),
                    None,
                )
            )
    return rows
