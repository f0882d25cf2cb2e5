"""Real recordings for tests, made by the bundled ffmpeg from lavfi sources: one per format
phones and Zalo produce, 1-2 s each."""

from __future__ import annotations

import subprocess
from pathlib import Path

#: Format name -> (suffix, ffmpeg output options).
FORMATS: dict[str, tuple[str, tuple[str, ...]]] = {
    "mp3": (".mp3", ("-c:a", "libmp3lame")),
    "m4a": (".m4a", ("-c:a", "aac")),
    "aac": (".aac", ("-c:a", "aac", "-f", "adts")),
    "opus": (".ogg", ("-c:a", "libopus")),
    "vorbis": (".oga", ("-c:a", "libvorbis", "-f", "ogg")),
    "amr": (".amr", ("-ar", "8000", "-c:a", "libopencore_amrnb", "-b:a", "12.2k")),
    "wav": (".wav", ("-c:a", "pcm_s16le")),
    "webm": (".webm", ("-c:a", "libopus")),
    "flac": (".flac", ("-c:a", "flac", "-f", "flac")),
}


def make(
    folder: Path,
    fmt: str,
    *,
    seconds: float = 1.5,
    hz: int = 440,
    lead_s: float = 0.0,
    tail_s: float = 0.0,
    noise: float = 0.0,
    name: str | None = None,
) -> Path:
    """A tone of `seconds` (with `lead_s`/`tail_s` of silence around it, and white noise of
    amplitude `noise` under all of it) in `fmt`."""
    from loa.audio.ffmpeg import ffmpeg_exe

    suffix, options = FORMATS[fmt]
    path = folder / (name or f"rec-{fmt}-{hz}{suffix}")
    total = lead_s + seconds + tail_s
    tone = (
        f"sine=frequency={hz}:duration={seconds},adelay={int(lead_s * 1000)},apad=whole_dur={total}"
    )
    if noise:
        graph = (
            f"{tone}[t];anoisesrc=color=white:amplitude={noise}:duration={total}[n];"
            "[t][n]amix=inputs=2:normalize=0"
        )
    else:
        graph = tone
    subprocess.run(
        [
            ffmpeg_exe(),
            *("-hide_banner", "-loglevel", "error", "-nostdin", "-y"),
            *("-f", "lavfi", "-i", graph, "-ac", "1", *options, str(path)),
        ],
        check=True,
        capture_output=True,
    )
    return path
