"""`loa demo`, the README's first command, run as a user runs it: a real process, no network."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import feedparser
import pytest
from mutagen.mp3 import MP3

# Loaded by the demo's interpreter (via PYTHONPATH): any connection to a non-loopback address
# fails, so the demo proves it needs no network.
NO_NETWORK = textwrap.dedent(
    """
    import socket

    _connect = socket.socket.connect

    def _local_only(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if self.family in (socket.AF_INET, socket.AF_INET6) and host not in (
            "127.0.0.1", "::1", "localhost"
        ):
            raise OSError(f"network disabled in this test: {address!r}")
        return _connect(self, address)

    socket.socket.connect = _local_only
    """
)


def _duration(path: Path) -> float:
    return float(MP3(path).info.length)


@pytest.mark.slow
def test_demo_runs_the_whole_pipeline_offline(tmp_path: Path) -> None:
    guard = tmp_path / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(NO_NETWORK, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOA_")}
    env.update({"LOA_LANG": "en", "COLUMNS": "200", "PYTHONPATH": str(guard)})
    root = tmp_path / "demo"

    result = subprocess.run(
        [sys.executable, "-m", "loa", "demo", str(root)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert f"Done. The sample station is at {root}" in " ".join(result.stdout.split())
    # the sample's Zalo slots wait for a Zalo OA: the demo says so instead of dropping them
    assert "zalo: not configured" in result.stdout, result.stdout[-3000:]

    # the plan: a week of approved sample messages placed into slots, radio among them
    with sqlite3.connect(root / "loa.db") as db:
        channels = dict(
            db.execute("SELECT channel, count(*) FROM plan_entries GROUP BY channel").fetchall()
        )
    assert channels.get("radio", 0) > 0, channels

    # bulletins rendered as MP3s that play for as long as their sidecars say
    bulletins = sorted((root / "media" / "bulletins").glob("*/*.mp3"))
    assert bulletins
    for mp3 in bulletins:
        sidecar = json.loads(mp3.with_suffix(".json").read_text(encoding="utf-8"))
        assert sidecar["items"]
        assert _duration(mp3) > 10
        assert abs(_duration(mp3) - sidecar["duration_s"]) < 1.0

    # played into a file (never the loudspeaker)
    aired = list((root / "media" / "aired").glob("*.mp3"))
    assert aired and all(_duration(path) > 10 for path in aired)

    # the operator's run sheet
    runsheets = list((root / "media" / "runsheets").glob("*.html"))
    assert runsheets
    sheet = runsheets[0].read_text(encoding="utf-8")
    assert "<html" in sheet.lower()
    assert sidecar["when"][11:16] in sheet  # the bulletin's time, e.g. 17:30

    # the website post with its feeds
    web = root / "media" / "web"
    assert (web / "index.html").is_file()
    assert list((web / "tin").glob("*.html"))
    for name in ("feed.xml", "atom.xml"):
        feed = feedparser.parse((web / name).read_bytes())
        assert not feed.bozo, (name, feed.bozo_exception)
        assert feed.entries, name

    # the report files
    reports = root / "media" / "reports"
    for suffix in (".docx", ".xlsx", ".png"):
        made = list(reports.glob(f"*{suffix}"))
        assert made and all(path.stat().st_size > 0 for path in made), suffix


# Loaded by the demo's interpreter: the clock stands at LOA_TEST_CLOCK (and ticks on from there),
# so what the demo shows does not depend on the hour the suite runs at.
FIXED_CLOCK = textwrap.dedent(
    """
    import os

    import time_machine

    time_machine.travel(os.environ["LOA_TEST_CLOCK"], tick=True).start()
    """
)


@pytest.mark.slow
@pytest.mark.parametrize(
    "clock",
    [
        "2026-12-07T00:30:00+07:00",  # the whole day ahead: the longest "today"
        "2026-12-09T06:40:00+07:00",  # between the morning bulletins, midweek
        "2026-12-12T19:30:00+07:00",  # after the last bulletin, a Saturday
    ],
)
def test_demo_fits_a_screen_per_step_in_80_columns(tmp_path: Path, clock: str) -> None:
    guard = tmp_path / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(FIXED_CLOCK, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOA_")}
    env.update(
        {"LOA_LANG": "vi", "COLUMNS": "80", "PYTHONPATH": str(guard), "LOA_TEST_CLOCK": clock}
    )
    result = subprocess.run(
        [sys.executable, "-m", "loa", "demo", str(tmp_path / "demo")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    # the clock really stood where the test put it (the report says when its figures were taken)
    day = clock[8:10] + "/" + clock[5:7] + "/" + clock[:4]
    assert any(day in line for line in lines), result.stdout
    assert max(len(line) for line in lines) <= 80
    starts = [n for n, line in enumerate(lines) if line.startswith("Bước ")]
    assert len(starts) >= 8
    steps = [lines[a:b] for a, b in zip(starts, [*starts[1:], len(lines)], strict=True)]
    too_long = {step[0]: len(step) for step in steps if len(step) > 40}
    assert not too_long, too_long
