"""Fixtures for channel tests: fake Graph API and WordPress servers, configured stations."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from loa.core.station import CONFIG_NAME, Station
from tests.channels.fake_graph import FakeGraph
from tests.channels.fake_wordpress import FakeWordPress

NOW = datetime(2026, 11, 23, 9, 0)


def configure(station: Station, section: str, **values: object) -> Station:
    """Set keys under an existing or new [section] of the station's loa.toml, and reload it."""
    import tomlkit

    path = station.root / CONFIG_NAME
    doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    node = doc
    for part in section.split("."):
        if part not in node:
            node[part] = tomlkit.table()
        node = node[part]
    for key, value in values.items():
        node[key] = value
    path.write_text(tomlkit.dumps(doc), encoding="utf-8")
    station.config = tomllib.loads(path.read_text(encoding="utf-8"))
    return station


def add_message(
    station: Station,
    title: str = "Đăng ký khai sinh trực tuyến",
    body: str = "Người dân có thể đăng ký khai sinh qua Cổng dịch vụ công quốc gia.",
    **fields: object,
) -> int:
    from sqlalchemy import select

    from loa.content.models import Audience, Message, Topic

    with station.transaction() as session:
        topic = fields.pop("topic_code", None) or session.scalars(select(Topic.code)).first()
        message = Message(title=title, body=body, topic_code=topic, status="approved", **fields)
        audience = session.scalars(select(Audience)).first()
        if audience is not None:
            message.audiences = [audience]
        session.add(message)
        session.flush()
        return message.id


@pytest.fixture
def graph() -> Iterator[FakeGraph]:
    server = FakeGraph().start()
    yield server
    server.stop()


@pytest.fixture
def wordpress() -> Iterator[FakeWordPress]:
    server = FakeWordPress().start()
    yield server
    server.stop()


@pytest.fixture
def fb_station(station: Station, graph: FakeGraph, monkeypatch: pytest.MonkeyPatch) -> Station:
    """A station whose [channels.facebook] points at the fake Graph API, token in the env."""
    configure(
        station,
        "channels.facebook",
        page_id=graph.page_id,
        graph_url=graph.url,
        timeout_s=1.0,
        deadline_s=1.5,
        feed_lag_s=0.5,
    )
    configure(
        station,
        "channels",
        retries=3,
        backoff_s=0.01,
        backoff_max_s=0.02,
        defer_s=0.5,
        defer_max_s=2.0,
    )
    monkeypatch.setenv("LOA_FACEBOOK_TOKEN", graph.token)
    return station


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def media(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    return folder
