"""Opening a station's database: a lost or foreign database is named, never replaced, and files
loa writes follow the umask."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from loa.cli.main import app
from loa.core.errors import LoaError, UserError
from loa.core.fileio import atomic_write_text
from loa.core.station import Station


def _reopen(station: Station) -> Station:
    return Station.load(station.root)


def _cli(station: Station, *args: str):
    return CliRunner().invoke(app, ["--station", str(station.root), *args])


def test_a_missing_database_is_named_and_not_recreated(station: Station) -> None:
    db = station.root / "loa.db"
    for extra in ("-wal", "-shm"):
        Path(f"{db}{extra}").unlink(missing_ok=True)
    db.unlink()
    with pytest.raises(UserError, match="Không có cơ sở dữ liệu của đài"):
        _reopen(station).engine  # noqa: B018
    result = _cli(station, "msg", "list")
    # (a long temporary path is folded at the terminal's width: read it unfolded)
    assert result.exit_code == 2 and "/station/loa.db" in "".join(result.output.split())
    assert "không mong đợi" not in result.output
    assert not db.exists()


def test_an_empty_database_file_is_refused(station: Station) -> None:
    db = station.root / "loa.db"
    station.engine.dispose()
    for extra in ("-wal", "-shm"):
        Path(f"{db}{extra}").unlink(missing_ok=True)
    db.write_bytes(b"")
    with pytest.raises(UserError, match="tệp rỗng"):
        _reopen(station).engine  # noqa: B018
    assert db.stat().st_size == 0


def test_a_garbage_file_is_not_a_database(station: Station) -> None:
    db = station.root / "loa.db"
    station.engine.dispose()
    for extra in ("-wal", "-shm"):
        Path(f"{db}{extra}").unlink(missing_ok=True)
    db.write_bytes(b"this is not sqlite at all\n" * 200)
    with pytest.raises(UserError, match="không phải cơ sở dữ liệu của loa"):
        _reopen(station).engine  # noqa: B018
    result = _cli(station, "msg", "list")
    assert result.exit_code == 2 and "không mong đợi" not in result.output


def test_a_database_from_a_newer_loa_is_refused_untouched(station: Station) -> None:
    db = station.root / "loa.db"
    station.engine.dispose()
    with sqlite3.connect(db) as raw:
        raw.execute("UPDATE alembic_version SET version_num = '9999_future'")
    with pytest.raises(UserError, match=r"phiên bản loa mới hơn.*9999_future"):
        _reopen(station).engine  # noqa: B018
    with sqlite3.connect(db) as raw:
        assert raw.execute("SELECT version_num FROM alembic_version").fetchall() == [
            ("9999_future",)
        ]


def test_database_pointing_at_a_folder(station: Station) -> None:
    (station.root / "data").mkdir()
    toml = station.root / "loa.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace('database = "loa.db"', 'database = "data"'),
        encoding="utf-8",
    )
    with pytest.raises(UserError, match="thư mục"):
        _reopen(station).engine  # noqa: B018


def test_a_database_locked_by_another_process_is_named(station: Station) -> None:
    """An upgrade that must wait for another process's write lock says so and changes nothing."""
    import subprocess
    import sys

    from alembic import command
    from alembic.config import Config

    from loa.core import db as store

    cfg = Config()
    cfg.set_main_option("script_location", str(store.MIGRATIONS))
    with station.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")  # an older station: opening it upgrades (writes)
    station.engine.dispose()
    db = station.root / "loa.db"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, time\n"
            f"c = sqlite3.connect({str(db)!r}, isolation_level=None)\n"
            "c.execute('BEGIN IMMEDIATE'); print('locked', flush=True); time.sleep(60)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(LoaError, match="đang bị tiến trình khác khoá"):
            store.open_database(f"sqlite:///{db}", busy_timeout_ms=200)
    finally:
        holder.kill()
        holder.wait(10)
    with sqlite3.connect(db) as raw:
        assert raw.execute("SELECT version_num FROM alembic_version").fetchall() == [("0001",)]


def test_written_files_follow_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        target = tmp_path / "site" / "index.html"
        atomic_write_text(target, "<p>xin chào</p>")
        assert stat.S_IMODE(target.stat().st_mode) == 0o644
    finally:
        os.umask(old)
