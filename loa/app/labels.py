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
