"""'Nghe thử': a text spoken in the station's voice, for the dashboard's player."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

from loa.audio.clip import say
from loa.core.errors import UserError
from loa.core.i18n import Catalog
from loa.core.station import Station

T = Catalog(
    {
        "too_long": (
            "Đoạn nghe thử dài {n} ký tự; chỉ nghe thử được tối đa {limit} ký tự (khoảng một "
            "phút rưỡi). Nghe thử từng đoạn ngắn hơn.",
            "The text to listen to has {n} characters; a preview takes {limit} at most (about "
            "a minute and a half). Listen to a shorter part.",
        ),
    }
)

#: Where previews go, under the station's media folder (safe to delete at any time).
PREVIEWS = "previews"
#: The longest text spoken as a preview (speaking costs about 4 ms of CPU a character).
MAX_PREVIEW_CHARS = 1500
#: Previews kept: the newest, none older than a day.
KEEP_PREVIEWS = 30
KEEP_SECONDS = 24 * 3600


def preview_part(text: str) -> tuple[str, bool]:
    """What of `text` a preview speaks: all of it, or its first MAX_PREVIEW_CHARS cut at a
    word (True: cut)."""
    text = text.strip()
    if len(text) <= MAX_PREVIEW_CHARS:
        return text, False
    part = text[: MAX_PREVIEW_CHARS + 1]
    cut = part.rfind(" ")
    return (part[:cut] if cut > MAX_PREVIEW_CHARS // 2 else part[:-1]).rstrip(), True


def speak_preview(station: Station, text: str) -> Path:
    """An MP3 of `text` in the station's voice under media/previews/ (one file per text, made
    once); older previews are removed. Raises UserError for empty or too long text,
    RuntimeFailure when no engine works."""
    if len(text) > MAX_PREVIEW_CHARS:
        raise UserError(T("too_long", n=len(text), limit=MAX_PREVIEW_CHARS))
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]
    path = station.media_dir / PREVIEWS / f"{digest}.mp3"
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        say(station, text, output=path)
    prune_previews(station, keep=path)
    return path


def prune_previews(station: Station, *, keep: Path | None = None) -> int:
    """Remove previews older than a day and all but the newest KEEP_PREVIEWS (never `keep`,
    the one just made). Answers how many were removed."""
    folder = station.media_dir / PREVIEWS
    try:
        found = sorted(
            ((p.stat().st_mtime, p) for p in folder.iterdir() if p.suffix in (".mp3", ".wav")),
            reverse=True,
        )
    except OSError:
        return 0
    oldest = time.time() - KEEP_SECONDS
    removed = 0
    for n, (mtime, path) in enumerate(found):
        if path != keep and (n >= KEEP_PREVIEWS or mtime < oldest):
            path.unlink(missing_ok=True)
            removed += 1
    return removed
