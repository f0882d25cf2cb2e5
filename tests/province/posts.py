"""Planned Facebook posts for province tests and benchmarks/province_queue.py."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select

from loa.core.station import Station


def plan_posts(station: Station, times: Sequence[datetime], *, label: str = "") -> list[int]:
    """One approved Facebook message per time in `times`, each planned to post then (titles
    "Thông báo {label}1", ...). Returns the plan entries' ids, in the order of `times`."""
    from loa.content.models import Message, Topic
    from loa.planning.models import PlanEntry

    ids = []
    with station.transaction() as s:
        topic = s.scalars(select(Topic.code)).first()
        for k, at in enumerate(times, start=1):
            m = Message(
                title=f"Thông báo {label}{k}",
                body=f"Nội dung thông báo {label}{k} của Ủy ban nhân dân xã.",
                topic_code=topic,
                status="approved",
                channels=["facebook"],
            )
            s.add(m)
            s.flush()
            entry = PlanEntry(message_id=m.id, channel="facebook", scheduled_at=at)
            s.add(entry)
            s.flush()
            ids.append(entry.id)
    return ids
