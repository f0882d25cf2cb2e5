"""The store on PostgreSQL: migrations both ways, a schema per station, the URL from loa.toml or
LOA_DATABASE_URL, and clear messages for a missing schema, a bad name or a server that is down."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text

from loa.app.setup import init_station
from loa.core.db import MIGRATIONS, open_database, redact
from loa.core.errors import RuntimeFailure, UserError
from loa.core.station import Station


def _alembic(engine, target: str, *, down: bool = False) -> None:  # type: ignore[no-untyped-def]
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(cfg, target)


@pytest.mark.parametrize("store", ["sqlite", "postgresql"], indirect=True)
def test_migrations_go_down_to_nothing_and_up_again(station: Station, store: str) -> None:
    engine = station.engine
    tables = set(inspect(engine).get_table_names())
    assert {"messages", "plan_entries", "publications", "as_run"} <= tables
    _alembic(engine, "base", down=True)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    _alembic(engine, "heads")
    assert set(inspect(engine).get_table_names()) == tables
    assert engine.dialect.name == store


@pytest.mark.parametrize("store", ["postgresql"], indirect=True)
def test_types_survive_a_round_trip_on_postgresql(station: Station, store: str) -> None:
    """Dates, naive datetimes, JSON lists, booleans and sequences, as the models declare them."""
    from loa.content.models import Message, Topic

    with station.transaction() as s:
        topic = s.scalars(select(Topic)).first()
        assert topic is not None and topic.builtin is True
        m = Message(
            title="Tiếng Việt có dấu: Ủy ban",
            body="…",
            topic_code=topic.code,
            valid_from=date(2026, 2, 29 - 1),
            channels=["radio", "facebook"],
            status="approved",
            approved_at=datetime(2026, 11, 1, 6, 30, 15),
        )
        s.add(m)
        s.flush()
        first = m.id
        s.add(Message(title="b", body="b", topic_code=topic.code))
        s.flush()
    with station.transaction() as s:
        back = s.get(Message, first)
        assert back is not None
        assert back.channels == ["radio", "facebook"]
        assert back.valid_from == date(2026, 2, 28)
        assert back.approved_at == datetime(2026, 11, 1, 6, 30, 15)
        assert back.approved_at.tzinfo is None
        assert back.title == "Tiếng Việt có dấu: Ủy ban"
        ids = sorted(s.scalars(select(Message.id)))
    assert ids == [first, first + 1]


@pytest.mark.parametrize("store", ["postgresql"], indirect=True)
def test_a_station_lives_in_its_own_schema(station: Station, pg_database: str) -> None:
    with station.engine.connect() as conn:
        schema = conn.scalar(text("SELECT current_schema()"))
    assert schema == station.db_schema
    from sqlalchemy import create_engine

    other = create_engine(pg_database)
    try:
        with other.connect() as conn:
            public = set(inspect(conn).get_table_names(schema="public"))
            mine = set(inspect(conn).get_table_names(schema=schema))
    finally:
        other.dispose()
    assert "messages" in mine and "messages" not in public


def test_the_url_comes_from_loa_toml_or_the_environment(
    tmp_path: Path, pg_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    station = init_station(tmp_path / "a", name="Xã A")
    assert station.db_url.startswith("sqlite:///")
    monkeypatch.setenv("LOA_DATABASE_URL", pg_database)
    monkeypatch.setenv("LOA_DATABASE_SCHEMA", "t_env_schema")
    assert Station.load(station.root).db_url == pg_database
    with pytest.raises(UserError, match="không có schema t_env_schema"):
        Station.load(station.root).engine  # noqa: B018
    monkeypatch.delenv("LOA_DATABASE_URL")
    monkeypatch.delenv("LOA_DATABASE_SCHEMA")
    toml = station.root / "loa.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace(
            'database = "loa.db"', f'database = "{pg_database}"\nschema = "t_toml_schema"'
        ),
        encoding="utf-8",
    )
    reopened = Station.load(station.root)
    assert reopened.db_url == pg_database and reopened.db_schema == "t_toml_schema"
    engine = open_database(reopened.db_url, create=True, schema=reopened.db_schema)
    try:
        assert "messages" in inspect(engine).get_table_names()
    finally:
        with engine.begin() as conn:
            conn.execute(text('DROP SCHEMA "t_toml_schema" CASCADE'))
        engine.dispose()


def test_a_server_that_is_down_is_named_without_the_password() -> None:
    url = "postgresql://loa:s3cret-pw@127.0.0.1:1/loa"
    with pytest.raises(RuntimeFailure) as info:
        open_database(url, schema="xa_a")
    assert "Không kết nối được máy chủ PostgreSQL" in str(info.value)
    assert "pg_isready" in str(info.value)
    assert "s3cret-pw" not in str(info.value)
    assert "s3cret-pw" not in redact(url)


@pytest.mark.parametrize("bad", ["Xa-A", "1xa", "xa a", "pg_xa", 'x"; drop'])
def test_a_bad_schema_name_is_refused(bad: str) -> None:
    with pytest.raises(UserError, match="không hợp lệ"):
        open_database("postgresql://postgres@127.0.0.1/x", schema=bad)


def test_a_bad_url_is_refused() -> None:
    with pytest.raises(UserError, match="không hợp lệ"):
        open_database("not a url://", schema=None)
