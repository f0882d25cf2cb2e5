"""Serving files from the station's media folder only: no path leaves it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from starlette.exceptions import HTTPException

from loa.core.station import Station

#: What the dashboard serves from media/: audio, reports, charts, run sheets.
SERVED = {".mp3", ".wav", ".ogg", ".opus", ".m4a", ".docx", ".xlsx", ".png", ".html", ".mp4"}


def media_file(station: Station, relative: str) -> Path:
    """The file at `relative` inside the media folder. A path that leaves the folder (by "..",
    an absolute path or a symlink), a hidden file or a type not served is a 404."""
    root = station.media_dir.resolve()
    if not relative or "\x00" in relative or relative.startswith(("/", "\\")):
        raise HTTPException(404)
    parts = Path(relative.replace("\\", "/")).parts
    if any(part in ("..", "") or part.startswith(".") for part in parts):
        raise HTTPException(404)
    try:
        path = (root / relative).resolve(strict=True)
    except (OSError, RuntimeError):
        raise HTTPException(404) from None
    if not path.is_relative_to(root) or not path.is_file() or path.suffix.lower() not in SERVED:
        raise HTTPException(404)
    return path


def media_url(station: Station) -> Callable[[Path | None], str]:
    """A function giving the /media/ address of a file under the media folder ("" otherwise)."""
    root = station.media_dir.resolve()

    def url(path: Path | None) -> str:
        if path is None:
            return ""
        try:
            relative = path.resolve().relative_to(root)
        except ValueError:
            return ""
        return "/media/" + quote(relative.as_posix())

    return url


def kept_photo(station: Station, image: str) -> str:
    """What to store for a photo a form or the API names (`loa.app.message_files.kept_photo`);
    a file outside the station folder is refused (UserError) in the dashboard's words."""
    from loa.app.message_files import kept_photo as kept
    from loa.core.errors import UserError
    from loa.web.text import T

    found = kept(station, image)
    if found is None:
        raise UserError(T("photo_outside"))
    return found
