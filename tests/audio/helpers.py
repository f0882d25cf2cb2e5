"""Audio test helpers: ebur128 measurements, messages and [audio] settings for a station."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from loa.content.models import Message


def ebur128(path: Path) -> tuple[float, float]:
    """(integrated loudness LUFS, true peak dBTP) measured by ffmpeg's ebur128 filter."""
    from loa.audio.ffmpeg import ffmpeg_exe

    proc = subprocess.run(
        [
            ffmpeg_exe(),
            "-hide_banner",
            "-nostats",
            "-i",
            str(path),
            "-af",
            "ebur128=peak=true",
            "-f",
            "null",
            "-",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    summary = proc.stderr[proc.stderr.rindex("Summary:") :]
    integrated = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))
    peak = float(re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary).group(1))
    return integrated, peak


def add_message(station, title: str, body: str, **fields) -> int:
    """A message straight through the model (approved, on the radio unless told otherwise)."""
    from sqlalchemy import select

    from loa.content.models import Topic

    with station.transaction() as session:
        topic = session.scalars(select(Topic.code)).first()
        values = {"status": "approved", "channels": ["radio"], "topic_code": topic, **fields}
        message = Message(title=title, body=body, **values)
        session.add(message)
        session.flush()
        return message.id


def set_audio(station, text: str) -> None:
    """Replace the station's [audio] section (tests configure engines through loa.toml)."""
    import tomllib

    path = station.root / "loa.toml"
    config = path.read_text(encoding="utf-8")
    config = config.replace("[audio]\n", "[audio]\n" + text.strip() + "\n", 1)
    path.write_text(config, encoding="utf-8")
    station.config = tomllib.loads(config)
