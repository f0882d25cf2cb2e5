"""A station database another process holds (#31 item 7): the commands that write wait a few
seconds, then say so in Vietnamese, exit non-zero and save nothing; a station folder loa
cannot write makes `loa render` name the folder and what to do, not a raw OSError."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from loa.cli.main import app
from loa.core.db import BUSY_TIMEOUT_MS
from loa.core.station import Station
from tests.cli.test_edges_third import dump
from tests.planning.conftest import add_message

runner = CliRunner(env={"COLUMNS": "200"})


@contextlib.contextmanager
def held(station: Station) -> Iterator[None]:
    """Another connection holding the station database (BEGIN EXCLUSIVE) meanwhile."""
    path = station.root / "loa.db"
    assert path.is_file()
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN EXCLUSIVE")
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


@pytest.mark.slow
@pytest.mark.parametrize(
    "args",
    [
        ["msg", "add", "--title", "Tin mới", "--body", "Nội dung tin.", "--topic", "procedures"],
        ["plan", "--days", "7", "--from", "01/06/2099"],
        ["msg", "approve", "{draft}"],
        ["msg", "import", "{csv}"],
    ],
    ids=["msg-add", "plan", "approve", "import"],
)
def test_a_held_database_is_said_in_vietnamese_after_a_few_seconds(
    sample_station: Station, tmp_path: Path, args: list[str]
) -> None:
    from sqlalchemy import select

    from loa.content.models import Message

    with sample_station.transaction() as session:
        draft = Message(title="Tin nháp", body="Nội dung.", topic_code="procedures")
        session.add(draft)
        session.flush()
        draft_id = draft.id
        assert session.scalar(select(Message.id).where(Message.id == draft_id))
    # a message valid for ever: `plan` of a week far ahead has entries to write
    add_message(sample_station, "Tin dài hạn", airings=3)
    csv = tmp_path / "tin.csv"
    csv.write_text("title,body,topic\nTin nhập,Nội dung nhập.,procedures\n", encoding="utf-8")
    args = [a.format(draft=draft_id, csv=csv) for a in args]
    sample_station.engine.dispose()
    before = dump(sample_station)
    with held(sample_station):
        started = time.monotonic()
        result = runner.invoke(app, ["--station", str(sample_station.root), *args])
        took = time.monotonic() - started
    out = " ".join(result.output.split())
    assert result.exit_code == 1, result.output
    assert "Cơ sở dữ liệu của đài đang bị một tiến trình khác giữ" in out, out
    assert str(sample_station.root / "loa.db") in out and "rồi thử lại" in out, out
    assert "OperationalError" not in out and "không mong đợi" not in out, out
    assert BUSY_TIMEOUT_MS / 1000 - 0.5 < took < BUSY_TIMEOUT_MS / 1000 + 5, took
    assert dump(sample_station) == before


def test_the_busy_timeout_is_a_few_seconds() -> None:
    assert 2_000 <= BUSY_TIMEOUT_MS <= 5_000


def test_render_into_a_folder_that_is_a_file_names_it_in_vietnamese(
    sample_station: Station,
) -> None:
    # Works as root too (chmod does not stop root): the bulletins' folder is a plain file.
    folder = sample_station.media_dir / "bulletins"
    if folder.is_dir():
        import shutil

        shutil.rmtree(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.write_text("not a folder", encoding="utf-8")
    configure_silent(sample_station)
    result = runner.invoke(
        app, ["--station", str(sample_station.root), "render", "--from", "01/06/2099"]
    )
    out = " ".join(result.output.split())
    assert result.exit_code == 1, result.output
    assert "không ghi được vào thư mục của đài" in out, out
    assert f"một phần của đường dẫn {folder}" in out and "là tệp chứ không phải thư mục" in out
    assert "NotADirectoryError" not in out and "Errno" not in out and "không mong đợi" not in out
    assert out.count("không ghi được vào thư mục của đài") == 1, out  # once, not per bulletin


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write a read-only folder")
def test_render_into_a_read_only_station_folder_says_to_fix_its_permissions(
    sample_station: Station,
) -> None:
    configure_silent(sample_station)
    media = sample_station.media_dir
    media.mkdir(parents=True, exist_ok=True)
    media.chmod(0o555)
    try:
        result = runner.invoke(
            app, ["--station", str(sample_station.root), "render", "--from", "01/06/2099"]
        )
    finally:
        media.chmod(0o755)
    out = " ".join(result.output.split())
    assert result.exit_code == 1, result.output
    assert "không có quyền truy cập" in out and "ls -l" in out, out
    assert "PermissionError" not in out and "Errno" not in out, out


def configure_silent(station: Station) -> None:
    """The silent voice, and two radio bulletins planned on 01/06/2099."""
    from datetime import datetime

    from loa.planning.models import PlanEntry
    from tests.planning.conftest import configure

    configure(station, audio={"engine": "silent"})
    mid = add_message(station, "Tin phát thanh")
    with station.transaction() as session:
        for hour in (6, 17):
            session.add(
                PlanEntry(
                    message_id=mid,
                    channel="radio",
                    scheduled_at=datetime(2099, 6, 1, hour, 0),
                    duration_s=5.0,
                )
            )
