"""The IP-radio head-end: one continuous MP3 stream per Icecast mount (zone), kept up by a
supervisor that reconnects with back-off, carrying bulletins at their times, the station's
choice between them (silence, an ident at an interval, a relay), and urgent preemption.

Per mount: a feeder thread steps through the programme in real time and queues its MP3 frames:
those of the clip's shared encoding and of shared silence (`loa.channels.encoding`: several
mounts airing the same audio use one encoder), or, for an ident or a relay between bulletins,
those of the mount's own ffmpeg encoder; a sender thread writes them to the Icecast source
socket when connected (and drops them while not, so the programme clock never stops), and a
connector thread opens the socket again after a drop, waiting 1, 2, 4 ... up to
`reconnect_max_s` seconds.
"""

from __future__ import annotations

from loa.channels.stream.mount import MountState, MountStream
from loa.channels.stream.service import StreamService
from loa.channels.stream.settings import (
    CHUNK_S,
    KEYRING_SERVICE,
    PASSWORD_ENV,
    MountSettings,
    StreamSettings,
    find_password,
    require_password,
    stream_settings,
)
from loa.channels.stream.sources import (
    Filler,
    Interruption,
    PcmBuffer,
    Playback,
    Relay,
    alert_tone,
    pcm_of_file,
    silence,
)

__all__ = [
    "CHUNK_S",
    "KEYRING_SERVICE",
    "PASSWORD_ENV",
    "Filler",
    "Interruption",
    "MountSettings",
    "MountState",
    "MountStream",
    "PcmBuffer",
    "Playback",
    "Relay",
    "StreamService",
    "StreamSettings",
    "alert_tone",
    "find_password",
    "pcm_of_file",
    "require_password",
    "silence",
    "stream_settings",
]
