"""Phát trực tiếp: the commune's live voice on the air. A microphone (an ffmpeg capture device,
or a recording fed in its place) goes on the chosen zones of the IP stream and the local player,
cutting in like an urgent message (`OnAir.urgent`: a short tone first, the programme resumes
after), until it is stopped or its source ends.

One live source at a time per station, whatever process holds it: `.loa-live.json` in the
station folder names the holder (created exclusively; a dead holder's file is taken over), and
a second one is refused with who holds it. When `loa run` runs, the broadcast runs inside it
(asked over its control socket, kept alive by the caller's pings: a caller that goes away ends
it within `PING_TIMEOUT_S`); otherwise `loa live` opens the outputs itself.

The as-run log gets one row of kind "live" (who, zones, start, end, what it interrupted) and
the broadcast is kept as an MP3 under media/live/ for the report and the archive.
"""

from __future__ import annotations

from loa.app.live.browser import (
    FEED_TIMEOUT_S,
    BrowserFeed,
    browser_feed,
    live_zones,
    start_browser_live,
)
from loa.app.live.capture import capture_command
from loa.app.live.daemon_side import PING_TIMEOUT_S, handle_request, install
from loa.app.live.door import go_live
from loa.app.live.holder import LOCK_NAME, Holder, holder
from loa.app.live.session import LiveResult, LiveSession, session_of, start_live

__all__ = [
    "FEED_TIMEOUT_S",
    "LOCK_NAME",
    "PING_TIMEOUT_S",
    "BrowserFeed",
    "Holder",
    "LiveResult",
    "LiveSession",
    "browser_feed",
    "capture_command",
    "go_live",
    "handle_request",
    "holder",
    "install",
    "live_zones",
    "session_of",
    "start_browser_live",
    "start_live",
]
