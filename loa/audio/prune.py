"""Pruning the clip cache: the clips current and future bulletins use stay, the rest go."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from loa.audio.bulletin import (
    BulletinSpec,
    jingle_key,
    read_sidecar,
)
from loa.audio.cache import PruneResult
from loa.audio.clip import Speaker, _speakable
from loa.audio.mastering import CHIME_VERSION
from loa.audio.render import BulletinRenderer
from loa.core.errors import LoaError

if TYPE_CHECKING:
    from loa.core.station import Station


def referenced_keys(station: Station, specs: list[BulletinSpec], today: date) -> set[str]:
    """Clip keys that the bulletins of `specs` (current and future ones) use, and those the
    rendered sidecars from `today` on name."""
    speaker = Speaker.for_station(station)
    renderer = BulletinRenderer(station, speaker)
    keep: set[str] = set()
    from loa.audio.recording import clip_key

    texts: list[tuple[str, str | None, float | None]] = [
        (speaker.settings.intro, None, None),
        (speaker.settings.outro, None, None),
    ]
    for spec in specs:
        texts += [(item.text, item.voice, item.rate) for item in spec.items]
        keep.update(clip_key(i.audio, speaker.settings.mastering) for i in spec.items if i.audio)
    for text, voice, rate in dict.fromkeys(t for t in texts if _speakable(t[0])):
        try:
            keep.update(speaker.keys(text, voice=voice, rate=rate))
        except LoaError:
            continue
    from loa.audio.cache import content_key

    keep.add(content_key("chime", CHIME_VERSION, speaker.settings.mastering.key()))
    jingle = jingle_key(renderer.settings, station.root)
    if jingle:
        keep.add(jingle)
    folder = station.media_dir / "bulletins"
    if folder.is_dir():
        for day in folder.iterdir():
            if day.is_dir() and day.name >= today.isoformat():
                for sidecar in day.glob("*.json"):
                    data = read_sidecar(sidecar) or {}
                    keep.update(str(k) for k in data.get("clips", []))
    return keep


def prune_cache(
    station: Station, specs: list[BulletinSpec], *, today: date, dry_run: bool = False
) -> PruneResult:
    """Remove cached clips that neither `specs` nor a rendered bulletin from `today` on uses."""
    from loa.audio.cache import ClipCache

    keep = referenced_keys(station, specs, today)
    return ClipCache(station.media_dir / "cache").prune(keep, dry_run=dry_run)
