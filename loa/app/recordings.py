"""A message's own recording, for every door (CLI, import, dashboard): the file is checked and
kept (`loa.audio.recording.keep`), and what the message stores is handed to the content layer.

A `Keeping` remembers the originals it wrote: when the message (or the whole import) cannot be
saved, they are removed again, so a refused request leaves nothing behind.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from loa.audio.recording import Recording, forget, keep, recording_clip, recording_path
from loa.audio.settings import audio_settings
from loa.core.errors import UserError
from loa.core.i18n import Catalog

if TYPE_CHECKING:
    from loa.core.station import Station

T = Catalog(
    {
        "not_found": (
            "Không tìm thấy tệp ghi âm {path} (tìm từ thư mục hiện tại, rồi từ thư mục đài "
            "{root}). Kiểm tra tên tệp và đường dẫn.",
            "The recording {path} was not found (looked for from the current folder, then from "
            "the station folder {root}). Check the file name and the path.",
        ),
        "bad_name": (
            "Tên tệp ghi âm «{name}» không dùng được. Đổi tên tệp rồi tải lên lại.",
            "The recording's file name “{name}” cannot be used. Rename it and upload it again.",
        ),
    }
)


@dataclass
class Keeping:
    """The recordings kept for one request; `attach` is the callback the importer takes."""

    station: Station
    kept: list[Recording] = field(default_factory=list)

    def attach(self, value: str, cwd: Path) -> dict[str, Any]:
        """Find the file named `value` (from `cwd`, else the station folder), check and keep it,
        and answer the message's `audio` field. Raises UserError."""
        typed = Path(value.strip()).expanduser()
        root = self.station.root
        candidates = [typed] if typed.is_absolute() else [cwd / typed, root / typed]
        found = next((p for p in candidates if p.is_file()), None)
        if found is None:
            raise UserError(T("not_found", path=typed, root=root))
        return self.keep_file(found, name=found.name)

    def keep_file(self, path: Path, *, name: str) -> dict[str, Any]:
        m = audio_settings(self.station).mastering
        recording, _clip = keep(self.station.media_dir, path, m, name=name)
        self.kept.append(recording)
        return {"ref": recording.ref, "name": name, "seconds": recording.duration_s}

    def keep_bytes(self, filename: str, data: bytes) -> dict[str, Any]:
        """An uploaded recording (the dashboard's form, the browser's microphone)."""
        name = Path(filename.replace("\\", "/")).name
        if not name or name.startswith("."):
            raise UserError(T("bad_name", name=filename))
        with tempfile.TemporaryDirectory(prefix="loa-rec-") as tmp:
            path = Path(tmp) / "upload"
            path.write_bytes(data)
            return self.keep_file(path, name=name)

    def undo(self) -> None:
        for recording in self.kept:
            forget(recording)
        self.kept.clear()


@contextmanager
def keeping(station: Station) -> Iterator[Keeping]:
    """Keep recordings for a request; if the block fails, remove the originals it wrote."""
    keeper = Keeping(station)
    try:
        yield keeper
    except BaseException:
        keeper.undo()
        raise


def mastered_mp3(station: Station, ref: str) -> Path:
    """The mastered recording as an MP3 (the station's bitrate), for listening in the dashboard."""
    from loa.audio.bulletin import clip_segment, segment_path
    from loa.audio.cache import ClipCache

    settings = audio_settings(station)
    clip = recording_clip(
        station.media_dir, ref, settings.mastering, ClipCache(station.media_dir / "cache")
    )
    clip_segment(clip, settings)
    return segment_path(clip, settings)


def original_path(station: Station, ref: str) -> Path:
    return recording_path(station.media_dir, ref)
