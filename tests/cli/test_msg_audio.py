"""`loa msg add/edit --audio`, `--no-audio` and the import column, through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from loa.cli.main import app
from loa.content.models import Message
from loa.core.station import Station
from tests.audio.recordings import make

runner = CliRunner(env={"COLUMNS": "200"})


def loa(station: Station, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["--station", str(station.root), *args])


def _kept(station: Station) -> list[Path]:
    folder = station.media_dir / "recordings"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def _messages(station: Station) -> list[Message]:
    from sqlalchemy import select

    with station.transaction() as session:
        rows = list(session.scalars(select(Message).order_by(Message.id)))
        session.expunge_all()
    return rows


def test_add_with_a_recording_then_replace_and_remove_it(station: Station, tmp_path: Path) -> None:
    first = make(tmp_path, "amr", seconds=1.2, name="chu-tich-doc.amr")
    result = loa(
        station, "msg", "add", "-t", "Thông báo lịch tiêm", "--topic", "procedures",
        "--audio", str(first),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    [message] = _messages(station)
    assert message.audio is not None and message.audio.endswith(".amr")
    assert message.audio_name == "chu-tich-doc.amr"
    assert 1.0 < (message.audio_seconds or 0) < 1.5
    assert [p.name for p in _kept(station)] == [message.audio]
    shown = loa(station, "msg", "show", str(message.id))
    assert "chu-tich-doc.amr" in shown.output and "Ghi âm" in shown.output
    data = json.loads(loa(station, "msg", "show", str(message.id), "--json").output)
    assert data[0]["audio"] == message.audio

    loa(station, "msg", "approve", str(message.id), "--by", "Lan")
    second = make(tmp_path, "webm", seconds=1.0, name="ban-moi.webm")
    edited = loa(station, "msg", "edit", str(message.id), "--audio", str(second))
    assert edited.exit_code == 0, edited.output
    assert "nháp" in edited.output  # a new recording is new words: approve again
    [message] = _messages(station)
    assert message.audio is not None and message.audio.endswith(".webm")
    assert message.status == "draft"

    removed = loa(station, "msg", "edit", str(message.id), "--no-audio")
    assert removed.exit_code == 0, removed.output
    [message] = _messages(station)
    assert message.audio is None and message.audio_name is None


def test_a_refused_file_saves_nothing(station: Station, tmp_path: Path) -> None:
    pdf = tmp_path / "cong-van.mp3"
    pdf.write_bytes(b"%PDF-1.4 not a recording")
    result = loa(station, "msg", "add", "-t", "Tin", "--topic", "procedures", "--audio", str(pdf))
    assert result.exit_code != 0
    assert "không phải tệp ghi âm" in result.output
    assert "Traceback" not in result.output
    assert _messages(station) == [] and _kept(station) == []


def test_a_bad_field_after_the_recording_leaves_no_file_behind(
    station: Station, tmp_path: Path
) -> None:
    good = make(tmp_path, "mp3", seconds=1.0)
    result = loa(
        station, "msg", "add", "-t", "Tin", "--topic", "khong-co-chu-de", "--audio", str(good)
    )
    assert result.exit_code != 0 and "chủ đề" in result.output
    assert _messages(station) == [] and _kept(station) == []


def test_both_audio_options_are_refused(station: Station, tmp_path: Path) -> None:
    good = make(tmp_path, "mp3", seconds=1.0)
    loa(station, "msg", "add", "-t", "Tin", "--topic", "procedures")
    result = loa(station, "msg", "edit", "1", "--audio", str(good), "--no-audio")
    assert result.exit_code != 0 and "--no-audio" in result.output


def test_import_names_recordings_in_a_column(station: Station, tmp_path: Path) -> None:
    make(tmp_path, "m4a", seconds=1.0, name="tin-1.m4a")
    make(tmp_path, "opus", seconds=1.0, name="tin-2.ogg")
    sheet = tmp_path / "tin.csv"
    sheet.write_text(
        "tiêu đề,chủ đề,nội dung,tệp ghi âm\n"
        "Tin một,procedures,Nội dung một,tin-1.m4a\n"
        "Tin hai,procedures,Nội dung hai,tin-2.ogg\n"
        "Tin ba,procedures,Đọc bằng giọng máy,\n",
        encoding="utf-8",
    )
    result = loa(station, "msg", "import", str(sheet))
    assert result.exit_code == 0, result.output
    messages = _messages(station)
    assert [m.audio_name for m in messages] == ["tin-1.m4a", "tin-2.ogg", None]
    assert len(_kept(station)) == 2


def test_an_import_with_a_bad_recording_imports_nothing(station: Station, tmp_path: Path) -> None:
    make(tmp_path, "m4a", seconds=1.0, name="tot.m4a")
    (tmp_path / "hong.amr").write_bytes(b"#!AMR\n" + b"\x00" * 3)
    sheet = tmp_path / "tin.yaml"
    sheet.write_text(
        "messages:\n"
        "  - {title: Tin tốt, topic: procedures, ghi âm: tot.m4a}\n"
        "  - {title: Tin hỏng, topic: procedures, ghi âm: hong.amr}\n",
        encoding="utf-8",
    )
    result = loa(station, "msg", "import", str(sheet))
    assert result.exit_code != 0
    assert "hong.amr" in result.output and "Traceback" not in result.output
    assert _messages(station) == [] and _kept(station) == []
