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


def _import(station: Station, tmp_path: Path, text: str) -> Any:
    path = tmp_path / "tin.yaml"
    path.write_text(text, encoding="utf-8")
    return _cli(station, "msg", "import", str(path))


GOOD = "- title: Tin một\n  topic: online_services\n  body: Nội dung một\n"


def test_yaml_import_names_the_file_and_line_of_an_impossible_date(
    station: Station, tmp_path: Path
) -> None:
    before = dump(station)
    bad = GOOD + "- title: Tin hai\n  topic: online_services\n  valid_until: 2026-02-30\n"
    result = _import(station, tmp_path, bad)
    assert result.exit_code == 2, result.output
    assert "Tệp tin.yaml, tin thứ 2 (dòng 4)" in result.output
    assert "2026-02-30" in result.output and "ValueError" not in result.output
    assert dump(station) == before


def test_yaml_import_keeps_yes_as_a_word_and_refuses_a_list_for_text(
    station: Station, tmp_path: Path
) -> None:
    from sqlalchemy import select

    from loa.content.models import Message

    before = dump(station)
    listed = _import(
        station, tmp_path, GOOD + "- title: Hai\n  topic: online_services\n  body: [a, b]\n"
    )
    assert listed.exit_code == 2, listed.output
    assert 'trường "body" (nội dung) cần một giá trị, không phải một danh sách' in listed.output
    assert dump(station) == before
    text = "- title: yes\n  topic: online_services\n  body: 1e3\n  airings_per_week: 3\n"
    done = _import(station, tmp_path, text)
    assert done.exit_code == 0, done.output
    with station.transaction() as session:
        message = session.scalars(select(Message)).one()
        assert (message.title, message.body, message.airings_per_week) == ("yes", "1e3", 3)


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed again when the block ends: nothing listens


def test_postgresql_down_says_the_server_cannot_be_reached(
    station: Station, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOA_DATABASE_URL", f"postgresql://loa@127.0.0.1:{_closed_port()}/loa")
    result = _cli(station, "msg", "list")
    assert result.exit_code == 1, result.output
    assert "Không kết nối được máy chủ PostgreSQL" in result.output
    assert "máy chủ từ chối kết nối" in result.output
    assert "sao lưu" not in result.output and "không phải cơ sở dữ liệu" not in result.output
    assert "connection failed" not in result.output and "Connection refused" not in result.output


def test_sqlite_driver_errors_are_said_in_vietnamese(station: Station) -> None:
    station.engine.dispose()
    for extra in ("loa.db-wal", "loa.db-shm"):
        (station.root / extra).unlink(missing_ok=True)
    (station.root / "loa.db").write_bytes(b"day khong phai co so du lieu\n" * 200)
    result = _cli(station, "msg", "list")
    assert result.exit_code == 2
    assert "tệp không phải cơ sở dữ liệu SQLite" in result.output
    assert "file is not a database" not in result.output


def test_province_init_refuses_a_station_folder_and_the_maintenance_database(
    station: Station, tmp_path: Path
) -> None:
    files = sorted(p.name for p in station.root.iterdir())
    into_station = runner.invoke(
        app,
        [
            "province",
            "init",
            str(station.root),
            "--name",
            "Tỉnh",
            "--database",
            "postgresql://loa@127.0.0.1/loa_tinh",
        ],
    )
    assert into_station.exit_code == 2, into_station.output
    assert "là thư mục của một đài (có loa.toml)" in into_station.output
    assert sorted(p.name for p in station.root.iterdir()) == files
    for name in ("postgres", "template1"):
        folder = tmp_path / f"tinh-{name}"
        maintenance = runner.invoke(
            app,
            [
                "province",
                "init",
                str(folder),
                "--name",
                "Tỉnh",
                "--database",
                f"postgresql://loa@127.0.0.1/{name}",
            ],
        )
        assert maintenance.exit_code == 2, maintenance.output
        assert f'Cơ sở dữ liệu "{name}" là cơ sở dữ liệu quản trị' in maintenance.output
        assert not folder.exists()


def test_system_packages_waits_for_the_dpkg_lock() -> None:
    script = Path(__file__).resolve().parents[2] / "scripts" / "system-packages"
    calls = [
        line for line in script.read_text().splitlines() if "apt-get " in line and "sudo" in line
    ]
    assert len(calls) == 2  # update and install
    assert all('"${wait_lock[@]}"' in line for line in calls), calls
    assert "wait_lock=(-o DPkg::Lock::Timeout=600)" in script.read_text()


def test_a_mistyped_option_with_a_suggestion_is_said_in_vietnamese(sample_station: Station) -> None:
    result = _cli(sample_station, "plan", "--dayz", "3")
    assert result.exit_code == 2
    assert "Không có tùy chọn --dayz. Có phải ý bạn là --days?" in result.output
    assert "Possible options" not in result.output and "No such option" not in result.output


def test_a_prompt_ended_by_ctrl_d_is_cancelled_in_vietnamese(station: Station) -> None:
    import pty
    import select

    before = dump(station)
    leader, follower = pty.openpty()
    env = {**os.environ, "LOA_STATION": str(station.root), "LOA_LANG": "vi", "COLUMNS": "200"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "loa", "msg", "add"],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=env,
        close_fds=True,
    )
    os.close(follower)
    seen = b""
    try:
        while b":" not in seen:  # the first question (the title)
            ready, _, _ = select.select([leader], [], [], 60)
            assert ready, seen
            seen += os.read(leader, 4096)
        os.write(leader, b"\x04")  # Ctrl-D: end of input at the prompt
        assert proc.wait(timeout=60) == 1
        while select.select([leader], [], [], 1)[0]:
            try:
                chunk = os.read(leader, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    finally:
        proc.kill()
        proc.wait()
        os.close(leader)
    text = seen.decode(errors="replace")
    assert "Đã hủy: không có gì được lưu." in text and "Aborted" not in text
    assert dump(station) == before


def test_normalize_names_a_missing_file_in_vietnamese(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from loa.cli.main import app

    result = CliRunner().invoke(app, ["normalize", "--file", str(tmp_path / "khong-co.txt")])
    assert result.exit_code == 2
    assert "không tìm thấy" in result.output and "No such file" not in result.output
