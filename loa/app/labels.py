"""Codes the doors show people, in the user's language."""

from __future__ import annotations

from typing import Any


def status_label(kind: str, value: str) -> str | None:
    """The label of a status: kind is "message", "plan", "publication" or "asrun"; None for a
    kind or value loa does not know."""
    from loa.channels.models import AsRunStatus, PublicationStatus
    from loa.content.models import MessageStatus
    from loa.planning.models import PlanStatus

    enums: dict[str, Any] = {
        "message": MessageStatus,
        "plan": PlanStatus,
        "publication": PublicationStatus,
        "asrun": AsRunStatus,
    }
    try:
        return str(enums[kind](value).label)
    except (KeyError, ValueError):
        return None


def audiences(station: Any) -> list[tuple[str, str, str]]:
    """The station's audiences in their order: (code, Vietnamese name, English name)."""
    from sqlalchemy import select

    from loa.content.models import Audience

    with station.transaction() as session:
        found = session.scalars(select(Audience).order_by(Audience.position))
        return [(a.code, a.name, a.name_en) for a in found]


def priority_label(priority: str) -> str:
    """A message priority ("high") in the user's language ("ưu tiên")."""
    from loa.content.models import Priority

    return Priority(priority).label
