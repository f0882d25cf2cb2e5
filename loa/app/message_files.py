"""The files a message carries, as the doors take and serve them: its photo (an address, or a
file inside the station folder) and its recording."""

from __future__ import annotations

from pathlib import Path

from loa.audio.recording import MAX_BYTES as RECORDING_MAX_BYTES
from loa.channels.media import (
    MAX_PHOTO_BYTES,
    PHOTO_FOLDER,
    is_address,
    photo_path,
    photo_reference,
)
from loa.core.station import Station

__all__ = [
    "MAX_PHOTO_BYTES",
    "RECORDING_MAX_BYTES",
    "is_address",
    "kept_photo",
    "message_photo",
    "message_recording",
    "served_photo",
]


def kept_photo(station: Station, image: str) -> str | None:
    """What to store for a photo a form or the API names: an address as given, or a photo file
    inside the station folder (relative to it). None for a file outside the station folder:
    the dashboard must not be a way to read the machine's other files."""
    if is_address(image):
        return image
    kept = photo_reference(image, cwd=station.root, root=station.root) or ""
    if Path(kept).is_absolute() or ".." in Path(kept).parts:
        return None
    return kept


def served_photo(station: Station, image: str) -> Path | None:
    """The file of a photo when the dashboard may show it: inside the station's photo folder
    (anh/, where uploads go), reached without leaving it by ".." or a symlink."""
    folder = (station.root / PHOTO_FOLDER).resolve()
    try:
        path = photo_path(station.root, image).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    return path if path.is_relative_to(folder) and path.is_file() else None


def message_photo(station: Station, message_id: int) -> tuple[Path, str] | None:
    """A message's own photo file and its type, when it is a file the dashboard may serve.
    Raises UserError when there is no such message."""
    from loa.channels.base import PermanentError
    from loa.channels.media import local_photo
    from loa.content.queue import get_message

    with station.transaction() as session:
        image = get_message(session, message_id).image
    found = served_photo(station, image) if image and not is_address(image) else None
    if found is None:
        return None
    try:
        photo = local_photo(None, str(found))
    except PermanentError:
        return None
    return photo.path, photo.mime


def message_recording(station: Station, message_id: int) -> str | None:
    """The reference of a message's recording (`loa.audio.recording`), None without one.
    Raises UserError when there is no such message."""
    from loa.content.queue import get_message

    with station.transaction() as session:
        return get_message(session, message_id).audio
