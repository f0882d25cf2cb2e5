"""'Nghe thử': a text spoken in the station's voice, for the dashboard's player."""

from __future__ import annotations

import hashlib
from pathlib import Path

from loa.audio.clip import say
from loa.core.station import Station

#: Where previews go, under the station's media folder (safe to delete at any time).
PREVIEWS = "previews"


def speak_preview(station: Station, text: str) -> Path:
    """An MP3 of `text` in the station's voice under media/previews/ (one file per text, made
    once). Raises UserError for empty text, RuntimeFailure when no engine works."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]
    path = station.media_dir / PREVIEWS / f"{digest}.mp3"
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        say(station, text, output=path)
    return path
