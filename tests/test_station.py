"""Stations: creation, discovery, configuration errors, and migrations that keep data."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import func, select

from loa.app.setup import SAMPLE_DAY, init_station
from loa.content.models import Message, Topic
from loa.core.db import MIGRATIONS
from loa.core.errors import StationNotFound, UserError
from loa.core.station import Station, find_station


def test_init_creates_config_db_and_media(tmp_path: Path) -> None:
    station = init_station(tmp_path / "xa", name="Xã Cẩm Nhượng", province="Hà Tĩnh")
    text = (tmp_path / "xa" / "loa.toml").read_text(encoding="utf-8")
    assert 'name = "Xã Cẩm Nhượng"' in text and "Asia/Ho_Chi_Minh" in text
    assert "[channels.facebook]" in text and "[audio]" in text
    assert (tmp_path / "xa" / "media").is_dir()
    with station.transaction() as s:
        assert s.scalar(select(func.count(Topic.code))) == 14
    with pytest.raises(UserError, match="đã là một đài"):
        init_station(tmp_path / "xa", name="Khác")


def test_sample_is_approved(sample_station: Station) -> None:
    with sample_station.transaction() as s:
        messages = list(s.scalars(select(Message)))
    assert len(messages) >= 20
    assert {m.status for m in messages} == {"approved"}


def test_find_order(tmp_path: Path) -> None:
    a = init_station(tmp_path / "a", name="A")
    b = init_station(tmp_path / "b", name="B")
    deep = a.root / "media" / "x"
    deep.mkdir(parents=True)
    assert find_station(cwd=deep, env={}).name == "A"
    assert find_station(cwd=deep, env={"LOA_STATION": str(b.root)}).name == "B"
    assert find_station(b.root, env={"LOA_STATION": str(a.root)}).name == "B"
    with pytest.raises(StationNotFound, match="loa init"):
        find_station(cwd=tmp_path, env={})


def test_malformed_config_names_the_problem(station: Station) -> None:
    path = station.root / "loa.toml"
    path.write_text(path.read_text(encoding="utf-8") + "\n[broken\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"loa\.toml"):
        find_station(station.root, env={})


def test_an_old_database_is_upgraded_keeping_its_data(tmp_path: Path) -> None:
    """A station made by an older loa (schema at the first revision) is brought up to date."""
    from alembic import command
    from alembic.config import Config

    station = init_station(tmp_path / "old", name="Cũ", sample=True, today=SAMPLE_DAY)
    with station.transaction() as s:
        before = s.scalar(select(func.count(Message.id)))
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with station.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
    with sqlite3.connect(station.root / "loa.db") as raw:
        assert raw.execute("select version_num from alembic_version").fetchall() == [("0001",)]
    reopened = find_station(station.root, env={})
    with reopened.transaction() as s:
        assert s.scalar(select(func.count(Message.id))) == before
