from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from loa.cli.main import app
from tests.audio.helpers import add_message, ebur128, set_audio

runner = CliRunner()


def loa(station, *args: str):
    return runner.invoke(app, ["--station", str(station.root), *args])


@pytest.mark.slow
def test_say_offline_meets_loudness_and_peak(station, tmp_path: Path) -> None:
    """The done-when check: a fresh process with no network access and no system audio tools."""
    out = tmp_path / "x.mp3"
    env = {
        **os.environ,
        "LOA_STATION": str(station.root),
        "PATH": "/nonexistent",
        "http_proxy": "http://127.0.0.1:9",
        "https_proxy": "http://127.0.0.1:9",
    }
    proc = subprocess.run(
        [sys.executable, "-m", "loa", "say", "Ủy ban nhân dân xã thông báo", "-o", str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "espeak" in proc.stdout
    integrated, peak = ebur128(out)
    assert abs(integrated - (-16.0)) <= 1.0
    assert peak <= -1.0


def test_say_a_message_to_wav_with_a_southern_voice(station, tmp_path: Path) -> None:
    mid = add_message(station, "Tin", "Bà con chú ý nghe thông báo.")
    out = tmp_path / "m.wav"
    result = loa(station, "say", "--message", str(mid), "-o", str(out), "--voice", "south")
    assert result.exit_code == 0, result.output
    assert "vi-vn-x-south" in result.output
    assert out.read_bytes()[:4] == b"RIFF"


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["say", "", "-o", "x.mp3"], "Không có gì để đọc"),
        (["say", "-o", "x.mp3"], "--message"),
        (["say", "xin chào", "-o", "x.ogg"], ".mp3"),
        (["say", "--message", "999", "-o", "x.mp3"], "999"),
        (["say", "xin chào", "-o", "x.mp3", "--engine", "festival"], "festival"),
        (["render", "--date", "32/13/2026"], "32/13/2026"),
    ],
)
def test_bad_input_exits_2_with_a_message(
    station, tmp_path: Path, monkeypatch, args, needle
) -> None:
    monkeypatch.chdir(tmp_path)
    result = loa(station, *args)
    assert result.exit_code == 2
    assert needle in result.output
    assert "Traceback" not in result.output
    assert not list(tmp_path.glob("x.*"))


def test_render_week_json(silent_station) -> None:
    from tests.audio.test_render import plan

    station = silent_station
    mid = add_message(station, "Tin", "Nội dung.")
    plan(station, [(mid, datetime(2026, 11, 23 + d, 6, 0), 1) for d in range(7)])
    result = loa(station, "render", "--date", "23/11/2026", "--week", "--json", "-j", "1")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert len(data) == 7 and data[0]["when"] == "2026-11-23T06:00"
    assert data[0]["items"][0]["title"] == "Tin"
    table = loa(station, "render", "--date", "2026-11-23", "--days", "2")
    assert table.exit_code == 0 and "có sẵn" in table.output


def test_render_nothing_to_do(station) -> None:
    result = loa(station, "render", "--date", "2026-11-23")
    assert result.exit_code == 0 and "Không có bản tin" in result.output


def test_voices_lists_engines_and_checks_them(station) -> None:
    set_audio(station, "gtts_timeout = 0.5")
    result = loa(station, "voices", "--json", "--no-check")
    data = json.loads(result.output)
    assert {r["engine"] for r in data["voices"]} == {
        "espeak",
        "fpt",
        "google",
        "azure",
        "viettel",
        "gtts",
        "piper",
        "silent",
    }
    assert data["chain"] == ["espeak"]
    checked = loa(station, "voices")
    assert checked.exit_code == 0 and "vi-vn-x-south" in checked.output


def test_cache_prune(silent_station) -> None:
    station = silent_station
    add_message(station, "Tin", "Nội dung.")
    loa(station, "say", "Một câu không còn dùng", "-o", str(station.root / "t.mp3"))
    result = loa(station, "cache", "prune", "--dry-run")
    assert result.exit_code == 0 and "Sẽ xoá" in result.output
    assert loa(station, "cache", "prune").exit_code == 0


def test_every_audio_command_has_vietnamese_and_english_help() -> None:
    from loa.cli import audio

    for key in ("say", "render", "voices", "cache", "prune"):
        vi, en = audio.T.entries[key]
        assert vi and en and vi != en
    result = runner.invoke(app, ["render", "--help"])
    assert "Tạo các bản tin" in result.output
