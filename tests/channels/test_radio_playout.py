"""Radio playout into null, file and command sinks; the as-run log, run sheet and M3U."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from loa.app.play import play_slot as play_bulletin
from loa.channels.models import AsRunRecord
from loa.channels.playout import play_file, run_sheet, write_playlists
from loa.channels.radio import CommandSink, FileSink, NullSink, PlayoutError, make_sink
from loa.core.errors import UserError
from loa.core.station import Station
from tests.channels.conftest import add_message, configure

SLOT = datetime(2026, 11, 23, 6, 0)


def tone(path: Path, seconds: float) -> Path:
    from loa.audio.ffmpeg import ffmpeg_exe

    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            ffmpeg_exe(),
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency=440:duration={seconds}",
            "-ac",
            "1",
            "-b:a",
            "64k",
            str(path),
        ],
        check=True,
    )
    return path


def make_bulletin(station: Station, when: datetime = SLOT) -> tuple[Path, list[int], list[int]]:
    """A bulletin of two messages at `when`: plan entries, the MP3 and its sidecar."""
    from loa.audio.render import bulletin_path
    from loa.planning.models import PlanEntry

    ids = [
        add_message(station, title="Khai sinh trực tuyến"),
        add_message(station, title="Một cửa liên thông"),
    ]
    with station.transaction() as s:
        entries = [
            PlanEntry(message_id=m, channel="radio", scheduled_at=when, position=i, duration_s=1.5)
            for i, m in enumerate(ids)
        ]
        s.add_all(entries)
        s.flush()
        entry_ids = [e.id for e in entries]
    path = tone(bulletin_path(station, when), 4.0)
    items = [
        {
            "message_id": ids[0],
            "title": "Khai sinh trực tuyến",
            "duration_s": 1.5,
            "offset_s": 0.5,
            "plan_entry_id": entry_ids[0],
        },
        {
            "message_id": ids[1],
            "title": "Một cửa liên thông",
            "duration_s": 1.5,
            "offset_s": 2.2,
            "plan_entry_id": entry_ids[1],
        },
    ]
    path.with_suffix(".json").write_text(
        json.dumps({"duration_s": 4.0, "items": items}), encoding="utf-8"
    )
    return path, ids, entry_ids


class Clock:
    def __init__(self, start: datetime, step: float) -> None:
        self.now, self.step = start, timedelta(seconds=step)

    def __call__(self) -> datetime:
        value = self.now
        self.now += self.step
        return value


def test_play_into_a_file_sink_logs_one_row_per_item(station: Station) -> None:
    path, ids, entry_ids = make_bulletin(station)
    sink = FileSink(station.media_dir / "aired")
    records = play_bulletin(station, SLOT, now=SLOT, sink=sink, clock=Clock(SLOT, 1))
    assert sink.played == [path]
    assert [(r.message_id, r.status, r.bulletin, r.channel) for r in records] == [
        (ids[0], "done", "2026-11-23 06:00", "radio"),
        (ids[1], "done", "2026-11-23 06:00", "radio"),
    ]
    assert records[0].started_at == SLOT + timedelta(seconds=0.5)
    assert records[1].ended_at == SLOT + timedelta(seconds=3.7)
    assert records[0].title == "Khai sinh trực tuyến" and records[0].topic_code
    assert records[0].audiences and records[0].duration_s == 1.5
    from loa.planning.models import PlanEntry

    with station.transaction() as s:
        assert [s.get(PlanEntry, e).status for e in entry_ids] == ["done", "done"]
    again = play_bulletin(station, SLOT, now=SLOT, sink=sink)
    assert sink.played == [path] and [r.id for r in again] == [r.id for r in records]


def test_a_late_bulletin_is_skipped_not_played(station: Station) -> None:
    make_bulletin(station)
    sink = NullSink()
    records = play_bulletin(station, SLOT, now=SLOT + timedelta(minutes=30), sink=sink)
    assert sink.played == [] and {r.status for r in records} == {"skipped"}
    assert "trễ" in (records[0].note or "")


def test_command_sink_measures_real_time_and_reports_failures(station: Station) -> None:
    path, _, _ = make_bulletin(station)
    player = f'{sys.executable} -c "import sys, time; time.sleep(0.2)" {{file}}'
    records = play_bulletin(station, SLOT, now=SLOT, sink=CommandSink(player), force=True)
    assert all(r.status == "failed" for r in records)  # 0.2 s played of a 4 s bulletin
    broken = CommandSink(f'{sys.executable} -c "raise SystemExit(3)" {{file}}')
    with pytest.raises(PlayoutError, match="mã 3"):
        play_file(station, path, now=SLOT, sink=broken)
    with pytest.raises(PlayoutError, match="Không tìm thấy chương trình"):
        CommandSink("no-such-player-xyz {file}").play(path, 1)
    with pytest.raises(UserError):
        CommandSink("mpv --no-video")


def test_file_sink_and_play_file(station: Station, tmp_path: Path) -> None:
    clip = tone(tmp_path / "thong-bao.mp3", 1.0)
    sink = FileSink(tmp_path / "aired", clock=lambda: SLOT)
    record = play_file(station, clip, now=SLOT, sink=sink, clock=Clock(SLOT, 0))
    assert sink.written[0].read_bytes() == clip.read_bytes()
    assert record.status == "done" and record.bulletin == "file:thong-bao.mp3"
    assert 0.9 < record.duration_s < 1.2
    with station.transaction() as s:
        assert s.scalars(select(AsRunRecord.title)).all() == ["thong-bao"]


def test_sink_choice(station: Station) -> None:
    assert isinstance(make_sink(station, "null"), NullSink)
    headless = make_sink(station, env={})
    assert isinstance(headless, (FileSink, CommandSink))
    configure(station, "channels.radio", player="mpv --no-video {file}")
    assert isinstance(make_sink(station), CommandSink)
    with pytest.raises(UserError, match="auto, null, file, command, ffmpeg"):
        make_sink(station, "speaker")


def test_run_sheet_and_playlists(station: Station) -> None:
    path, ids, _ = make_bulletin(station)
    play_bulletin(station, SLOT, now=SLOT, sink=FileSink(station.media_dir), clock=Clock(SLOT, 0))
    rows = run_sheet(station, SLOT.date())
    assert [(r.message_id, r.status) for r in rows] == [(ids[0], "done"), (ids[1], "done")]
    assert rows[0].aired_at == SLOT + timedelta(seconds=0.5)
    [playlist] = write_playlists(station, SLOT.date())
    text = playlist.read_text(encoding="utf-8")
    assert playlist.name == "0600.m3u" and text.startswith("#EXTM3U")
    assert str(path) in text and "#EXTINF:4," in text and "Khai sinh" in text


def test_loa_play_and_today_cli(station: Station) -> None:
    from typer.testing import CliRunner

    from loa.cli.main import app

    make_bulletin(station)
    runner = CliRunner()
    played = runner.invoke(
        app,
        [
            "--station",
            str(station.root),
            "play",
            "--slot",
            "2026-11-23 06:00",
            "--sink",
            "file",
            "--force",
        ],
    )
    assert played.exit_code == 0, played.output
    assert "đã phát/đăng: Khai sinh trực tuyến" in played.output
    today = runner.invoke(
        app, ["--station", str(station.root), "today", "--day", "2026-11-23", "--json"]
    )
    assert today.exit_code == 0, today.output
    rows = json.loads(today.output)["rows"]
    assert [r["status"] for r in rows] == ["done", "done"] and rows[0]["aired_at"]
    bad = runner.invoke(app, ["--station", str(station.root), "play"])
    assert bad.exit_code == 2


def test_an_early_bulletin_is_refused_and_a_test_play_never_counts(station: Station) -> None:
    """Playing the evening bulletin in the morning would be reported as aired: refused. A test
    play is logged as such, moves no plan entry, and the bulletin still airs at its time."""
    from loa.planning.models import PlanEntry

    path, _ids, entry_ids = make_bulletin(station)
    sink = FileSink(station.media_dir / "aired")
    early = SLOT - timedelta(minutes=42)  # the same morning, before the bulletin's time
    with pytest.raises(UserError, match=r"chưa đến giờ \(còn 0 giờ 42 phút\).*--test"):
        play_bulletin(station, SLOT, now=early, sink=sink)
    assert sink.played == []
    tried = play_bulletin(station, SLOT, now=early, sink=sink, test=True, clock=Clock(early, 1))
    assert sink.played == [path] and {r.status for r in tried} == {"test"}
    with station.transaction() as s:
        assert [s.get(PlanEntry, e).status for e in entry_ids] == ["planned", "planned"]
    aired = play_bulletin(station, SLOT, now=SLOT, sink=sink, clock=Clock(SLOT, 1))
    assert sink.played == [path, path] and {r.status for r in aired} == {"done"}
    with station.transaction() as s:
        assert [s.get(PlanEntry, e).status for e in entry_ids] == ["done", "done"]
    from loa.report.figures import build_report

    # the report counts the airing once: the test play's rows are not "aired"
    report = build_report(station, SLOT.date(), SLOT.date(), now=SLOT + timedelta(hours=1))
    assert report.totals.radio_items == 2 and report.totals.bulletins == 1


def test_a_time_with_no_bulletin_is_named(station: Station) -> None:
    make_bulletin(station)
    with pytest.raises(UserError, match="Không có bản tin lúc 2026-11-23 03:17"):
        play_bulletin(station, SLOT.replace(hour=3, minute=17), now=SLOT, sink=NullSink())
