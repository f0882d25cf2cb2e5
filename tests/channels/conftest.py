"""Fixtures for channel tests: fake Graph API, WordPress and Zalo servers, configured stations."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from loa.core.station import CONFIG_NAME, Station
from tests.channels.fake_graph import FakeGraph
from tests.channels.fake_wordpress import FakeWordPress
from tests.channels.fake_zalo import FakeZalo

NOW = datetime(2026, 11, 23, 9, 0)
#: [channels] retry timings that keep a test's back-offs and put-offs short.
FAST_RETRIES = {
    "retries": 3,
    "backoff_s": 0.01,
    "backoff_max_s": 0.02,
    "defer_s": 0.5,
    "defer_max_s": 2.0,
}


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
    configure(station, "channels", **FAST_RETRIES)
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


@pytest.fixture
def no_keyring() -> Iterator[None]:
    """Never touch the machine's keyring: the encrypted secrets file is used instead."""
    import keyring
    from keyring.backends import fail

    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(before)


@pytest.fixture
def zalo() -> Iterator[FakeZalo]:
    server = FakeZalo().start()
    yield server
    server.stop()


@pytest.fixture
def zalo_station(
    station: Station, zalo: FakeZalo, monkeypatch: pytest.MonkeyPatch, no_keyring: None
) -> Station:
    configure(
        station,
        "channels.zalo",
        oa_id=zalo.oa_id,
        app_id=zalo.app_id,
        api_url=zalo.url,
        oauth_url=zalo.url,
        cover_url="https://example.org/cover.jpg",
        timeout_s=1.0,
        deadline_s=1.5,
        feed_lag_s=0.5,
    )
    configure(station, "channels", **FAST_RETRIES)
    monkeypatch.setenv("LOA_ZALO_APP_SECRET", zalo.app_secret)
    monkeypatch.setenv("LOA_ZALO_REFRESH_TOKEN", zalo.refresh_token)
    return station
