"""Moving plan entries through their states (PLAN_STATES) from what the channels report."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from loa.channels.models import AsRunStatus, PublicationStatus
from loa.planning.models import PLAN_STATES, PlanEntry, PlanStatus

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from loa.channels.models import AsRunRecord, Publication
    from loa.core.station import Station

P = PublicationStatus

#: The plan entry's status once its publication has reached a status (a failure that a person
#: must fix is FAILED; other failures go back to PLANNED and are sent again at the next run).
AFTER_PUBLICATION = {
    P.PUBLISHED: PlanStatus.DONE,
    P.SCHEDULED: PlanStatus.DONE,
    P.LATE: PlanStatus.DONE,
    P.SKIPPED: PlanStatus.SKIPPED,
    P.FAILED: PlanStatus.PLANNED,
    P.UNCERTAIN: PlanStatus.SENDING,
    P.SENDING: PlanStatus.SENDING,
}

#: (A TEST play moves nothing: the entry still airs at its time.)
AFTER_AIRING = {
    AsRunStatus.DONE: PlanStatus.DONE,
    AsRunStatus.SKIPPED: PlanStatus.SKIPPED,
    AsRunStatus.FAILED: PlanStatus.FAILED,
}


def move(session: Session, entry_id: int | None, status: PlanStatus, reason: str | None) -> None:
    """Move one entry to `status` (checked against PLAN_STATES); a missing entry is ignored
    (deleted by a re-plan after it was handed over)."""
    if entry_id is None:
        return
    entry = session.get(PlanEntry, entry_id)
    if entry is None or entry.status == status:
        if entry is not None:
            entry.reason = reason
        return
    PLAN_STATES.check(entry.status, status)
    entry.status = status
    entry.reason = reason


def hand_over(entry: PlanEntry) -> None:
    """Lock an entry (read in the caller's transaction) before it goes to a channel: the
    planner never moves a SENDING entry. An entry already finished stays as it is (the outbox
    then sends nothing twice)."""
    if PLAN_STATES.allowed(entry.status, PlanStatus.SENDING):
        entry.status = PlanStatus.SENDING


def after_publication(
    station: Station, publication: Publication | None, *, permanent: bool = False
) -> None:
    """Move the publication's plan entry to match it. `permanent`: the failure needs a person
    (a token, a permission), so the entry is FAILED rather than sent again."""
    if publication is None or publication.plan_entry_id is None:
        return
    with station.transaction() as session:
        follow_publication(session, publication, permanent=permanent)


def follow_publication(
    session: Session, publication: Publication, *, permanent: bool = False
) -> None:
    """`after_publication` in the caller's transaction (the outbox's `on_done`)."""
    if publication.plan_entry_id is None:
        return
    status = AFTER_PUBLICATION[PublicationStatus(publication.status)]
    if permanent and publication.status == P.FAILED:
        status = PlanStatus.FAILED
    move(session, publication.plan_entry_id, status, publication.error)


def after_airing(station: Station, records: Iterable[AsRunRecord]) -> None:
    """Move the plan entries of aired (or skipped, or failed) bulletin items to match."""
    with station.transaction() as session:
        for record in records:
            if record.status == AsRunStatus.TEST:
                continue
            move(
                session, record.plan_entry_id, AFTER_AIRING[AsRunStatus(record.status)], record.note
            )
