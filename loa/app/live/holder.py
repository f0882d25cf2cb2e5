"""Who holds the station's live source: `.loa-live.json` in the station folder, created
exclusively; a dead holder's file is taken over, and a second broadcast is refused with who
holds it."""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from loa.app.live.text import T
from loa.app.stream import process_alive
from loa.core.errors import UserError

if TYPE_CHECKING:
    from loa.core.station import Station


LOCK_NAME = ".loa-live.json"


@dataclass(frozen=True)
class Holder:
    """Who holds the station's live source."""

    pid: int
    by: str
    zones: list[str]
    since: str

    def message(self) -> str:
        zones = ", ".join(self.zones) or T("all_zones")
        return T("held", by=self.by, since=self.since, zones=zones)


def holder(station: Station) -> Holder | None:
    """Who is live on this station now (None when nobody, or the holder's process is gone)."""
    try:
        data = json.loads((station.root / LOCK_NAME).read_text(encoding="utf-8"))
        found = Holder(int(data["pid"]), str(data["by"]), list(data["zones"]), str(data["since"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return found if process_alive(found.pid) else None


def take(station: Station, by: str, zones: list[str], since: datetime) -> None:
    """Take the live source (exclusively). Raises UserError naming the holder."""
    path = station.root / LOCK_NAME
    data = json.dumps(
        {
            "pid": os.getpid(),
            "by": by,
            "zones": zones,
            "since": since.strftime("%H:%M:%S %d/%m/%Y"),
        },
        ensure_ascii=False,
    ).encode("utf-8")
    for _ in range(2):
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            current = holder(station)
            if current is not None:
                raise UserError(current.message()) from None
            path.unlink(missing_ok=True)  # its process is gone: take it over
            continue
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        return
    current = holder(station)
    raise UserError(current.message() if current else T("not_live"))


def give_back(station: Station) -> None:
    with contextlib.suppress(OSError):
        path = station.root / LOCK_NAME
        data = json.loads(path.read_text(encoding="utf-8"))
        if int(data.get("pid", -1)) == os.getpid():
            path.unlink()
