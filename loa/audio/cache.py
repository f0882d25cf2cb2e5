"""The content-addressed clip cache under media/cache/: a mastered WAV plus a JSON record per key.

A clip counts as cached only when its JSON record exists, and the record is written after the
WAV (both atomically), so a crash never leaves a half clip that later passes for a cached one.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from loa.core.fileio import atomic_write_text

KEY_VERSION = "loa-clip-4"  # bump when the synthesis or mastering code changes how clips sound


def content_key(*parts: object) -> str:
    """A stable SHA-256 key of JSON-serialisable parts."""
    payload = json.dumps([KEY_VERSION, *parts], ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass
class Clip:
    """A mastered clip in the cache: `path` is a WAV at the station's sample rate."""

    key: str
    path: Path
    duration_s: float
    engine: str = ""
    voice: str = ""
    text: str = ""
    notes: list[str] = field(default_factory=list)
    created: bool = False  # True when this call synthesised it (not served from the cache)
    #: The loudness mastering reached and aimed at, when it missed its target (kept in the
    #: record, so a clip served from the cache still says so).
    missed: tuple[float, float] | None = None

    def record(self) -> dict[str, Any]:
        record: dict[str, Any] = {
            "key": self.key,
            "duration_s": round(self.duration_s, 3),
            "engine": self.engine,
            "voice": self.voice,
            "text": self.text,
        }
        if self.missed is not None:
            record["missed_lufs"] = list(self.missed)
        return record

    @property
    def mastering_note(self) -> str | None:
        """ "Loudness target missed", in the user's language, or None."""
        if self.missed is None:
            return None
        from loa.audio.mastering import T as MASTERING

        return MASTERING("missed", level=self.missed[0], target=self.missed[1])


@dataclass
class PruneResult:
    removed: int
    freed_bytes: int
    kept: int


class ClipCache:
    """Clips stored as `clips/<k[:2]>/<key>.wav` with `<key>.json` beside them."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def wav_path(self, key: str) -> Path:
        return self.root / "clips" / key[:2] / f"{key}.wav"

    def record_path(self, key: str) -> Path:
        return self.wav_path(key).with_suffix(".json")

    def get(self, key: str) -> Clip | None:
        record = self.record_path(key)
        wav = self.wav_path(key)
        if not (record.is_file() and wav.is_file()):
            return None
        try:
            data = json.loads(record.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        missed = data.get("missed_lufs")
        return Clip(
            key=key,
            path=wav,
            duration_s=float(data.get("duration_s", 0.0)),
            engine=str(data.get("engine", "")),
            voice=str(data.get("voice", "")),
            text=str(data.get("text", "")),
            missed=(float(missed[0]), float(missed[1])) if isinstance(missed, list) else None,
        )

    def put(
        self,
        key: str,
        samples: np.ndarray,
        rate: int,
        *,
        engine: str,
        voice: str,
        text: str,
        notes: list[str] | None = None,
        missed: tuple[float, float] | None = None,
    ) -> Clip:
        from loa.audio.ffmpeg import write_wav

        wav = self.wav_path(key)
        write_wav(wav, samples, rate)
        clip = Clip(
            key=key,
            path=wav,
            duration_s=len(samples) / rate,
            engine=engine,
            voice=voice,
            text=text,
            notes=list(notes or []),
            created=True,
            missed=missed,
        )
        atomic_write_text(self.record_path(key), json.dumps(clip.record(), ensure_ascii=False))
        return clip

    def keys(self) -> Iterator[str]:
        folder = self.root / "clips"
        if folder.is_dir():
            for record in folder.glob("*/*.json"):
                yield record.stem

    def prune(
        self, keep: Iterable[str], *, dry_run: bool = False, stale_after_s: float = 3600.0
    ) -> PruneResult:
        """Remove every cached clip whose key is not in `keep`, and stale temporary files."""
        keep = set(keep)
        removed = freed = kept = 0
        folder = self.root / "clips"
        if not folder.is_dir():
            return PruneResult(0, 0, 0)
        now = time.time()
        for path in sorted(folder.glob("*/*")):
            if not path.is_file():
                continue
            key = path.name.split(".")[0]
            temporary = path.name.startswith(".")
            if temporary and now - path.stat().st_mtime < stale_after_s:
                continue  # maybe being written right now by another process
            if not temporary and key in keep:
                kept += path.suffix == ".json"
                continue
            freed += path.stat().st_size
            removed += 1
            if not dry_run:
                path.unlink(missing_ok=True)
        return PruneResult(removed, freed, kept)
