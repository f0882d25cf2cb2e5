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
    """What to store for a photo a form or the API names: an address as given, or a photo file
    inside the station folder (relative to it). A file outside the station folder is refused
    (UserError): the dashboard must not be a way to read the machine's other files."""
    from loa.channels.media import is_address, photo_reference
    from loa.core.errors import UserError
    from loa.web.text import T

    if is_address(image):
        return image
    kept = photo_reference(image, cwd=station.root, root=station.root) or ""
    if Path(kept).is_absolute() or ".." in Path(kept).parts:
        raise UserError(T("photo_outside"))
    return kept


def served_photo(station: Station, image: str) -> Path | None:
    """The file of a message's photo when the dashboard may show it: inside the station's photo
    folder (anh/, where uploads go), reached without leaving it by ".." or a symlink."""
    from loa.channels.media import PHOTO_FOLDER, photo_path

    folder = (station.root / PHOTO_FOLDER).resolve()
    try:
        path = photo_path(station.root, image).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    return path if path.is_relative_to(folder) and path.is_file() else None
