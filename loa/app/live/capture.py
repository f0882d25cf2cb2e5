"""Capturing the voice: the ffmpeg command for a microphone (KIND:NAME), a browser's stream in
a named pipe, or an audio file in real time, with the voice filter on the way."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from loa.core.errors import UserError

if TYPE_CHECKING:
    pass
from loa.app.live.text import T

#: What the capture does to the voice on its way: rumble out, a gentle compressor, a peak
#: limiter at -1 dBFS; nothing that adds more than a few milliseconds of delay.
VOICE_FILTER = (
    "highpass=f=100,acompressor=threshold=0.1:ratio=3:attack=5:release=150:makeup=2,"
    "alimiter=limit=0.89:attack=2:release=50"
)
#: Bytes read from the capture at a time: 20 ms of 22.05 kHz mono 16-bit.
READ_BYTES = 882

#: Capture kinds a --device may name (ffmpeg input devices of the bundled build and Linux).
CAPTURE_KINDS = ("pulse", "alsa", "oss", "openal", "lavfi")
#: The device kind of a browser's microphone: "webm:PATH", its WebM/Opus (or Ogg) stream
#: written by the dashboard into the named pipe PATH (see `BrowserFeed`).
PIPE_KIND = "webm"


def capture_command(device: str, rate: int) -> list[str]:
    """The ffmpeg command that captures `device` as 16-bit mono PCM at `rate` on stdout: a
    device "KIND:NAME" (pulse:default, alsa:hw:0), or an audio file played in real time (a
    microphone stand-in). Raises UserError for a device it cannot name."""
    from loa.audio.ffmpeg import ffmpeg_exe

    head = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin"]
    kind, _, name = device.partition(":")
    if kind == "lavfi" and name:  # a generated source (tests, a check): at real-time pace
        source = ["-re", "-f", kind, "-i", name]
    elif kind == PIPE_KIND and _is_pipe(name):  # a browser's stream: probed from its header
        source = ["-fflags", "nobuffer", "-probesize", "4096", "-analyzeduration", "0"]
        source += ["-i", name]
    elif kind in CAPTURE_KINDS and name:
        source = ["-fflags", "nobuffer", "-f", kind, "-i", name]
    elif Path(device).is_file():
        source = ["-re", "-i", device]
    else:
        raise UserError(T("bad_device", device=device))
    return [
        *head,
        *source,
        *("-af", VOICE_FILTER, "-ac", "1", "-ar", str(rate)),
        *("-flush_packets", "1", "-f", "s16le", "pipe:1"),
    ]


def _is_pipe(name: str) -> bool:
    import stat

    try:
        return bool(name) and stat.S_ISFIFO(os.stat(name).st_mode)
    except OSError:
        return False
