"""Importing an uploaded file: the same all-or-nothing import as `loa msg import`."""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path

from loa.channels.media import (
    MAX_PHOTO_BYTES,
    PHOTO_FOLDER,
    photo_filename,
    photo_reference,
    photo_type,
)
from loa.content.importer import import_file
from loa.core.errors import UserError
from loa.core.fileio import atomic_write_bytes
from loa.core.i18n import Catalog
from loa.core.station import Station

T = Catalog(
    {
        "bad_name": (
            "Tên tệp «{name}» không dùng được. Đổi tên tệp (vd: tin-thang-11.yaml) rồi tải lên lại.",
            "The file name “{name}” cannot be used. Rename it (e.g. news-november.yaml) and "
            "upload it again.",
        ),
        "too_big": (
            "Tệp «{name}» lớn hơn {limit} MB. Chia nhỏ tệp rồi nhập từng phần.",
            "“{name}” is larger than {limit} MB. Split it and import each part.",
        ),
        "photo_too_big": (
            "Ảnh «{name}» lớn hơn {limit} MB: thu nhỏ ảnh rồi tải lên lại.",
            "The photo “{name}” is larger than {limit} MB: make it smaller and upload it again.",
        ),
        "not_photo": (
            "Tệp «{name}» không phải ảnh JPG, PNG, GIF hoặc WebP: chọn một ảnh khác.",
            "“{name}” is not a JPG, PNG, GIF or WebP photo: choose another file.",
        ),
    }
)

MAX_UPLOAD = 10 * 1024 * 1024


@dataclass
class UploadReport:
    created: list[tuple[int, str]] = field(default_factory=list)
    duplicates: list[tuple[str, int]] = field(default_factory=list)
    guessed_topics: list[tuple[str, str]] = field(default_factory=list)
    encoding: str = "unicode"


def import_upload(station: Station, filename: str, data: bytes, *, now: datetime) -> UploadReport:
    """Import the uploaded `data` (named `filename`, whose suffix says its format) in one
    transaction: every message or none. Raises UserError naming the record at fault."""
    name = Path(filename.replace("\\", "/")).name
    if not name or name.startswith("."):
        raise UserError(T("bad_name", name=filename))
    if len(data) > MAX_UPLOAD:
        raise UserError(T("too_big", name=name, limit=MAX_UPLOAD // 2**20))
    with tempfile.TemporaryDirectory(prefix="loa-upload-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        with station.transaction() as session:
            report = import_file(session, path, now=now, photo=partial(_photo, station))
            return UploadReport(
                created=[(m.id, m.title) for m in report.created],
                duplicates=list(report.duplicates),
                guessed_topics=list(report.guessed_topics),
                encoding=report.encoding,
            )


def _photo(station: Station, image: str, _folder: Path) -> str:
    """A photo named in an uploaded file: only the station folder can hold it."""
    return photo_reference(image, cwd=station.root, root=station.root) or image


def save_photo(station: Station, filename: str, data: bytes) -> str:
    """Keep an uploaded photo in the station folder (anh/loa-<hash>.jpg, written atomically;
    the same photo twice is one file) and answer the path to store with the message. Raises
    UserError for a file that is no photo loa posts, or one too large."""
    name = Path(filename.replace("\\", "/")).name or "?"
    if len(data) > MAX_PHOTO_BYTES:
        raise UserError(T("photo_too_big", name=name, limit=MAX_PHOTO_BYTES // 2**20))
    mime = photo_type(data[:16])
    if mime is None:
        raise UserError(T("not_photo", name=name))
    relative = f"{PHOTO_FOLDER}/{photo_filename(hashlib.sha256(data).hexdigest(), mime)}"
    target = station.root / relative
    if not target.is_file():
        atomic_write_bytes(target, data)
    return relative
