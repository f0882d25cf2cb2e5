"""A channel that publishes nowhere: it appends each item to a JSON-lines file in the media folder.

Useful on a machine with no accounts yet, for demos, and in tests; it supports lookup, so it
exercises the same outbox and reconciliation path as the real channels.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from loa.channels.base import Channel, Item, Receipt
from loa.channels.settings import channel_settings
from loa.core.settings import SectionSettings

if TYPE_CHECKING:
    from loa.core.station import Station


class NullSettings(SectionSettings):
    """[channels.null]: the JSON-lines file (under the media folder) items are appended to."""

    file: str = "null_channel.jsonl"


class NullChannel(Channel):
    name = "null"
    can_lookup = True
    settings_model = NullSettings

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def from_station(
        cls, station: Station, *, http: Any = None, env: Mapping[str, str] | None = None
    ) -> NullChannel:
        settings = channel_settings(station, cls.name, NullSettings)
        return cls(station.media_dir / settings.file)

    def entries(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        lines = self.path.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    def publish(self, item: Item, *, now: datetime) -> Receipt:
        remote_id = f"null-{len(self.entries()) + 1}"
        record = {
            "id": remote_id,
            "key": item.key,
            "title": item.title,
            "text": item.text,
            "at": now.isoformat(timespec="seconds"),
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        return Receipt(remote_id=remote_id, published_at=now)

    def find(self, item: Item, *, since: datetime) -> Receipt | None:
        for entry in self.entries():
            if entry["key"] == item.key:
                return Receipt(
                    remote_id=entry["id"], published_at=datetime.fromisoformat(entry["at"])
                )
        return None
