"""The third round of edges (#31): a new user's bad input and a fault run, each refused with a
specific Vietnamese message, a non-zero exit and nothing changed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from loa.cli.main import app
from loa.core.station import Station

runner = CliRunner(env={"COLUMNS": "200"})

HUGE = "99999999999999999999"


def dump(station: Station) -> list[tuple[str, list[str]]]:
    """Every row of every table of the station, as text: to check a refusal changed nothing."""
    from sqlalchemy import inspect, text

    out: list[tuple[str, list[str]]] = []
    with station.engine.connect() as conn:
        for table in sorted(inspect(conn).get_table_names()):
            rows = conn.execute(text(f'SELECT * FROM "{table}"'))
            out.append((table, sorted(repr(tuple(row)) for row in rows)))
    return out


@pytest.mark.parametrize(
    "args",
    [
        ["msg", "show", HUGE],
        ["msg", "edit", HUGE, "--title", "Tiêu đề mới"],
        ["msg", "approve", "1", HUGE],
        ["msg", "archive", HUGE],
        ["slots", "edit", HUGE, "--capacity", "60"],
        ["slots", "rm", HUGE],
        ["plan", "--explain", HUGE],
        ["plan", "pin", HUGE],
        ["outbox", "--done", HUGE],
        ["outbox", "--retry", HUGE],
        ["urgent", HUGE],
        ["publish", "-m", HUGE, "--now"],
        ["say", "-m", HUGE],
        ["stream", "zones", "--message", HUGE],
    ],
)
def test_a_huge_id_is_refused_where_it_is_read(sample_station: Station, args: list[str]) -> None:
    before = dump(sample_station)
    result = runner.invoke(app, ["--station", str(sample_station.root), *args])
    assert result.exit_code == 2, result.output
    assert "quá lớn, không có số hiệu nào như vậy" in result.output
    assert "OverflowError" not in result.output and "không mong đợi" not in result.output
    assert dump(sample_station) == before


def test_an_id_that_is_not_a_number_is_refused_in_vietnamese(sample_station: Station) -> None:
    result = runner.invoke(app, ["--station", str(sample_station.root), "msg", "show", "mười"])
    assert result.exit_code == 2
    assert "'mười' không phải số hiệu" in result.output


def _loa(*args: str, stdin: object = None, cwd: Path | None = None, timeout: float = 60) -> Any:
    """Run the real `loa` in a subprocess (in Vietnamese, no station), with a time limit."""
    env = {**os.environ, "LOA_STATION": "", "LOA_LANG": "vi", "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "loa", *args],
        stdin=stdin,
        capture_output=True,
        cwd=cwd,
        env=env,
        timeout=timeout,
    )


def test_normalize_refuses_a_device_a_folder_and_a_pipe(tmp_path: Path) -> None:
    fifo = tmp_path / "ong"
    os.mkfifo(fifo)
    for path in ("/dev/zero", str(tmp_path), str(fifo)):
        result = _loa("normalize", "--file", path, cwd=tmp_path)
        assert result.returncode == 2, result.stderr
        assert "không phải một tệp văn bản thường" in result.stderr.decode()
        assert result.stdout == b""
    explain = _loa("normalize", "--explain", "--file", "/dev/zero", cwd=tmp_path)
    assert explain.returncode == 2 and "tệp văn bản thường" in explain.stderr.decode()


def test_normalize_refuses_a_file_over_the_size_limit(tmp_path: Path) -> None:
    from loa.cli.normalize import MAX_FILE_BYTES

    path = tmp_path / "lon.txt"
    with path.open("wb") as fh:
        fh.truncate(MAX_FILE_BYTES + 1)  # sparse: nothing written to the disk
    result = _loa("normalize", "--file", str(path), cwd=tmp_path)
    assert result.returncode == 2
    assert "quá lớn" in result.stderr.decode() and "100 MB" in result.stderr.decode()
    assert result.stdout == b""


def test_normalize_refuses_an_endless_line_on_standard_input(tmp_path: Path) -> None:
    with open("/dev/zero", "rb") as zero:
        result = _loa("normalize", "--file", "-", stdin=zero, cwd=tmp_path)
    assert result.returncode == 2
    assert "dòng 1: dài quá 1 MB mà không xuống dòng" in result.stderr.decode()


@pytest.mark.parametrize("content", [None, b"", b"\x00\xffrandom bytes\x13" * 500])
def test_play_file_refuses_what_is_not_audio(
    station: Station, tmp_path: Path, content: bytes | None
) -> None:
    if content is None:
        path = Path("/etc/passwd")
    else:
        path = tmp_path / "thong-bao.mp3"
        path.write_bytes(content)
    before = dump(station)
    result = runner.invoke(
        app, ["--station", str(station.root), "play", "--file", str(path), "--sink", "file"]
    )
    assert result.exit_code == 2, result.output
    assert "không phải tệp âm thanh" in result.output and "đã phát" not in result.output
    assert dump(station) == before  # nothing in the as-run log, so no report counts it


def _cli(station: Station, *args: str) -> Any:
    return runner.invoke(app, ["--station", str(station.root), *args])


@pytest.mark.parametrize(
    ("option", "value", "code"),
    [
        ("--title", "Thông báo \u202ekhẩn", "U+202E"),
        ("--title", "Giờ \u2066làm việc", "U+2066"),
        ("--body", "Nội dung\x07 có chuông", "U+0007"),
        ("--body", "Nội dung \x1b[31m đỏ", "U+001B"),
    ],
)
def test_msg_add_and_edit_refuse_control_characters(
    sample_station: Station, option: str, value: str, code: str
) -> None:
    before = dump(sample_station)
    base = {"--title": "Tin mới", "--body": "Nội dung", "--topic": "online_services"}
    base[option] = value
    added = _cli(sample_station, "msg", "add", *[x for kv in base.items() for x in kv])
    assert added.exit_code == 2, added.output
    assert f"ký tự điều khiển {code}" in added.output
    edited = _cli(sample_station, "msg", "edit", "1", option, value)
    assert edited.exit_code == 2 and code in edited.output
    assert dump(sample_station) == before


def test_a_no_op_edit_says_so_and_changes_nothing(sample_station: Station) -> None:
    from loa.content.models import Message

    with sample_station.transaction() as session:
        message = session.get_one(Message, 1)
        title, status = message.title, message.status
    before = dump(sample_station)
    result = _cli(sample_station, "msg", "edit", "1", "--title", title)
    assert result.exit_code == 0, result.output
    assert "không đổi" in result.output and "Đã sửa" not in result.output
    assert dump(sample_station) == before
    changed = _cli(sample_station, "msg", "edit", "1", "--title", title + " (sửa)")
    assert changed.exit_code == 0 and "Đã sửa tin số 1" in changed.output
    assert dump(sample_station) != before and status == "approved"


def test_an_expired_message_is_approved_with_a_warning_and_never_published(
    sample_station: Station,
) -> None:
    from loa.content.models import Message

    with sample_station.transaction() as session:
        message = session.get_one(Message, 1)
        message.status, message.valid_from = "draft", None
        message.valid_until = sample_station.now().date().replace(year=2001)
    approved = _cli(sample_station, "msg", "approve", "1")
    assert approved.exit_code == 0, approved.output
    assert "đã hết hiệu lực từ" in approved.output and "--until" in approved.output
    before = dump(sample_station)
    published = _cli(sample_station, "publish", "-m", "1", "-c", "website", "--now")
    assert published.exit_code == 2, published.output
    assert "đã hết hiệu lực từ" in published.output and "không đăng" in published.output
    assert dump(sample_station) == before


def test_outbox_remote_id_without_done_is_refused(sample_station: Station) -> None:
    before = dump(sample_station)
    result = _cli(sample_station, "outbox", "--remote-id", "123_456")
    assert result.exit_code == 2, result.output
    assert "--remote-id chỉ dùng cùng --done" in result.output
    assert dump(sample_station) == before


def test_a_blackout_day_added_again_names_no_empty_reason(sample_station: Station) -> None:
    assert _cli(sample_station, "calendar", "blackout", "2026-12-25").exit_code == 0
    again = _cli(sample_station, "calendar", "blackout", "2026-12-25")
    assert again.exit_code == 2
    assert "đã là ngày nghỉ phát." in again.output and "()" not in again.output
    assert (
        _cli(sample_station, "calendar", "blackout", "2026-12-26", "--reason", "Tết").exit_code == 0
    )
    named = _cli(sample_station, "calendar", "blackout", "2026-12-26", "--reason", "Tết")
    assert named.exit_code == 2 and "(lý do: Tết)" in named.output
