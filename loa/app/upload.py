"""Importing an uploaded file: the same all-or-nothing import as `loa msg import`."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from loa.content.importer import import_file
from loa.core.errors import UserError
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
            report = import_file(session, path, now=now)
            return UploadReport(
                created=[(m.id, m.title) for m in report.created],
                duplicates=list(report.duplicates),
                guessed_topics=list(report.guessed_topics),
                encoding=report.encoding,
            )
