"""Scheduler test helpers: station settings written into loa.toml, and plain message builders."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
import tomlkit

from loa.core.station import Station


def configure(station: Station, **sections: dict[str, Any]) -> Station:
    """Set values in loa.toml (e.g. scheduler={"poll_seconds": 1}) and reload the station."""
    path = station.root / "loa.toml"
    doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    for dotted, values in sections.items():
        node: Any = doc
        for part in dotted.split("__"):
            if part not in node:
                node[part] = tomlkit.table()
            node = node[part]
        for key, value in values.items():
            node[key] = value
    path.write_text(tomlkit.dumps(doc), encoding="utf-8")
    return Station.load(station.root)


def add_message(
    station: Station,
    title: str,
    *,
    topic: str = "procedures",
    audiences: tuple[str, ...] = ("residents",),
    priority: str = "normal",
    airings: int = 2,
    channels: tuple[str, ...] = ("radio",),
    body: str = "Nội dung thông báo của Ủy ban nhân dân xã.",
    **extra: Any,
) -> int:
    from sqlalchemy import select

    from loa.content.models import Audience, Message

    with station.transaction() as session:
        message = Message(
            title=title,
            body=body,
            topic_code=topic,
            priority=priority,
            airings_per_week=airings,
            channels=list(channels),
            status="approved",
            approved_at=datetime(2026, 11, 1),
            **extra,
        )
        message.audiences = list(
            session.scalars(select(Audience).where(Audience.code.in_(audiences)))
        )
        session.add(message)
        session.flush()
        return message.id


@pytest.fixture
def slotted(station: Station) -> Station:
    """An empty station with the default slots."""
    from loa.planning.defaults import seed_default_slots

    with station.transaction() as session:
        seed_default_slots(session)
    return station
