"""Every stored model, imported in one place so metadata and migrations see all tables."""

from __future__ import annotations

from loa.channels.models import AsRunRecord, Publication
from loa.content.models import Audience, Campaign, Message, Topic, message_audiences
from loa.scheduler.models import Blackout, PlanEntry, Slot

__all__ = [
    "AsRunRecord",
    "Audience",
    "Blackout",
    "Campaign",
    "Message",
    "PlanEntry",
    "Publication",
    "Slot",
    "Topic",
    "message_audiences",
]
