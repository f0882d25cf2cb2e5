"""Bulletins: intro (jingle, or a chime and the station's ident), the items with spacing, an outro,
exported as a tagged MP3 (or WAV) with a JSON sidecar of item timings."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from loa.audio.cache import Clip, content_key
from loa.audio.settings import AudioSettings, resolve_path
from loa.core.fileio import atomic_write_text
from loa.core.i18n import Catalog

T = Catalog(
    {
        "title": ("Bản tin {time} ngày {date}", "Bulletin {time} on {date}"),
        "fallback": (
            "Đọc bằng giọng dự phòng {used} vì giọng {wanted} không dùng được: {reason}.",
            "Spoken by the fallback voice {used} because {wanted} could not be used: {reason}.",
        ),
        "fallback_quota": (
            "Đọc bằng giọng dự phòng {used} vì giọng {wanted} đã hết hạn mức: {reason}.",
            "Spoken by the fallback voice {used} because {wanted}'s quota ran out: {reason}.",
        ),
    }
)

CALIBRATION_SECONDS = 12.0  # excerpt encoded to measure the MP3 codec's loudness change


@dataclass
class BulletinItem:
    """One message in a bulletin, in airing order."""

    message_id: int
    title: str
    text: str
    plan_entry_id: int | None = None
    voice: str | None = None  # the message's own voice ("engine:voice" or a voice), else None
    rate: float | None = None  # the message's own rate, else None (the station's)
    #: The commune's own recording ("<sha256>.<ext>", `loa.audio.recording`), aired in place
    #: of the synthetic reading of `text`.
    audio: str | None = None


@dataclass
class BulletinSpec:
    """What one slot instance airs: its start time and its items."""

    when: datetime
    items: list[BulletinItem]
    slot_name: str = ""

    @property
    def title(self) -> str:
        return T("title", time=self.when.strftime("%H:%M"), date=self.when.strftime("%d/%m/%Y"))


class ItemTiming(NamedTuple):
    """Where one message sits in a rendered bulletin."""

    message_id: int
    title: str
    duration_s: float
    offset_s: float


@dataclass
class RenderResult:
    """A rendered (or already up-to-date) bulletin."""

    path: Path
    when: datetime
    duration_s: float
    items: list[ItemTiming]
    cached: bool
    engines: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: Set when some clip was spoken by a fallback engine: {"wanted": engine, "used": [...],
    #: "reason": why, "quota": bool}; None when every clip came from the engine asked for.
    fallback: dict[str, Any] | None = None


@dataclass
class Part:
    """A piece of the bulletin timeline: a clip or silence (clip None)."""

    clip: Clip | None
    seconds: float
    message_id: int | None = None
    title: str = ""


def jingle_key(settings: AudioSettings, root: Path) -> str | None:
    if not settings.jingle:
        return None
    path = resolve_path(root, settings.jingle)
    digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "missing"
    return content_key("jingle", digest, settings.mastering.key())


def bulletin_key(when: datetime) -> str:
    """A bulletin's name everywhere (as-run log, outbox keys, run sheet): its slot time."""
    return when.strftime("%Y-%m-%d %H:%M")


def content_key_of(
    settings: AudioSettings, spec: BulletinSpec, parts: list[Part], station_name: str
) -> str:
    """The hash of everything that makes up a bulletin's audio: same key, same file."""
    timeline = [
        [p.clip.key if p.clip else None, round(p.seconds, 3), p.message_id, p.title] for p in parts
    ]
    return content_key(
        "bulletin",
        settings.layout_key(),
        timeline,
        station_name,
        spec.when.isoformat(),
        spec.slot_name,
    )


def layout(
    settings: AudioSettings,
    intro: list[Clip],
    items: list[tuple[BulletinItem, Clip]],
    outro: list[Clip],
) -> list[Part]:
    """The bulletin timeline: intro pieces, items separated by the item pause, outro pieces."""
    gap = settings.item_pause_ms / 1000
    parts: list[Part] = []
    for clip in intro:
        parts += [Part(clip, clip.duration_s), Part(None, 0.6)]
    if parts:
        parts[-1].seconds = gap
    for index, (item, clip) in enumerate(items):
        if index:
            parts.append(Part(None, gap))
        parts.append(Part(clip, clip.duration_s, item.message_id, item.title))
    for clip in outro:
        parts += [Part(None, gap if clip is outro[0] else 0.6), Part(clip, clip.duration_s)]
    return parts


def mix(parts: list[Part], rate: int) -> tuple[np.ndarray, list[ItemTiming]]:
    """Concatenate the timeline. Every clip is already mastered, so the whole stays at the
    loudness target and under the true-peak ceiling (silence adds no peaks and is gated out)."""
    from loa.audio.ffmpeg import read_wav
    from loa.audio.mastering import resample, silence

    pieces: list[np.ndarray] = []
    timings: list[ItemTiming] = []
    offset = 0
    for part in parts:
        if part.clip is None:
            piece = silence(part.seconds, rate)
        else:
            piece, clip_rate = read_wav(part.clip.path)
            piece = resample(piece, clip_rate, rate)
        if part.message_id is not None:
            timings.append(
                ItemTiming(
                    part.message_id,
                    part.title,
                    round(len(piece) / rate, 3),
                    round(offset / rate, 3),
                )
            )
        pieces.append(piece)
        offset += len(piece)
    audio = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)
    return audio, timings


def codec_gain_db(samples: np.ndarray, rate: int, bitrate_kbps: int, quality: int = 5) -> float:
    """How much louder the MP3 must be made so it decodes at the same loudness as `samples`.

    LAME at a constant bitrate lowers the level of speech by a few tenths of a dB (about 0.45 dB
    at 128 kbps): measured on a short excerpt of the loudest part, cheap and content-aware.
    """
    import tempfile

    from loa.audio.ffmpeg import decode, write_mp3
    from loa.audio.mastering import SILENCE_LUFS, loudness

    span = int(CALIBRATION_SECONDS * rate)
    if len(samples) > span:
        # The excerpt with the most energy (speech, not pauses): search 1 s steps.
        step = rate
        energy = np.add.reduceat(samples.astype(np.float64) ** 2, np.arange(0, len(samples), step))
        window = max(int(CALIBRATION_SECONDS), 1)
        sums = np.convolve(energy, np.ones(window), mode="valid")
        start = int(np.argmax(sums)) * step
        excerpt = samples[start : start + span]
    else:
        excerpt = samples
    before = loudness(excerpt, rate)
    if before <= SILENCE_LUFS:
        return 0.0
    with tempfile.TemporaryDirectory(prefix="loa-cal-") as tmp:
        path = Path(tmp) / "cal.mp3"
        write_mp3(path, excerpt, rate, bitrate_kbps=bitrate_kbps, quality=quality)
        after = loudness(decode(path, sample_rate=rate), rate)
    gain = before - after
    return float(min(max(gain, 0.0), 1.5))


def codec_ready_mp3(samples: np.ndarray, rate: int, settings: AudioSettings) -> bytes:
    """Bare MP3 frames of `samples` that decode at the same loudness and under the true-peak
    ceiling: a pure function of the samples and the settings.

    LAME at a constant bitrate lowers the loudness by a few tenths of a dB (compensated by
    `codec_gain_db`, measured on these samples) and its ringing can lift the true peak by as
    much again, depending on the voice; the frames are decoded and checked, and when the peak
    is over the ceiling the input is limited by the overshoot and encoded once more.
    """
    from loa.audio.ffmpeg import decode, encode_mp3_frames
    from loa.audio.mastering import LIMITER_MARGIN_DB, limit_true_peak, true_peak_db

    ceiling = settings.mastering.true_peak_dbtp

    def encode(x: np.ndarray) -> bytes:
        return encode_mp3_frames(
            x, rate, bitrate_kbps=settings.bitrate_kbps, quality=settings.mp3_quality
        )

    if not np.any(samples):
        return encode(samples)
    gain = codec_gain_db(samples, rate, settings.bitrate_kbps, settings.mp3_quality)
    if gain > 0.05:
        samples = samples * np.float32(10 ** (gain / 20))
        if gain > LIMITER_MARGIN_DB:
            samples = limit_true_peak(samples, rate, ceiling - 0.3)
    data = encode(samples)
    overshoot = true_peak_db(decode(data, sample_rate=rate, fmt="mp3")) - (ceiling - 0.05)
    if overshoot > 0:
        limited = limit_true_peak(samples, rate, true_peak_db(samples) - overshoot - 0.1)
        data = encode(limited)
    return data


def write_master_mp3(
    path: Path,
    samples: np.ndarray,
    rate: int,
    settings: AudioSettings,
    *,
    tags: dict[str, str],
) -> None:
    """A tagged MP3 file at the station's bitrate that decodes at the loudness of `samples` and
    under the true-peak ceiling (`codec_ready_mp3`), written atomically."""
    import os

    from loa.core.fileio import temp_path_for

    tmp = temp_path_for(path)
    try:
        tmp.write_bytes(codec_ready_mp3(samples, rate, settings))
        _tag(tmp, tags)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def segment_path(clip: Clip, settings: AudioSettings) -> Path:
    """Where a clip's MP3 segment lives: beside its WAV, named by its key and the encoding."""
    return clip.path.with_name(f"{clip.key}.{settings.bitrate_kbps}k-q{settings.mp3_quality}.mp3")


def clip_segment(clip: Clip, settings: AudioSettings) -> bytes:
    """The clip as bare MP3 frames (`codec_ready_mp3`), encoded once and cached. The segment
    depends only on the clip and the settings, never on which clip this process encoded first."""
    from loa.audio.ffmpeg import read_wav
    from loa.audio.mastering import resample
    from loa.core.fileio import atomic_write_bytes

    path = segment_path(clip, settings)
    if path.is_file():
        return path.read_bytes()
    rate = settings.mastering.sample_rate
    samples, clip_rate = read_wav(clip.path)
    data = codec_ready_mp3(resample(samples, clip_rate, rate), rate, settings)
    atomic_write_bytes(path, data)
    return data


def join_mp3(
    path: Path, parts: list[Part], settings: AudioSettings, tags: dict[str, str]
) -> tuple[float, list[ItemTiming]]:
    """Write the bulletin by joining the parts' cached MP3 segments (no re-encoding), with an
    ID3v2.3 tag, atomically. Returns the duration and the items' timings."""
    import os

    from loa.audio.ffmpeg import mp3_duration
    from loa.core.fileio import temp_path_for

    chunks: list[bytes] = []
    timings: list[ItemTiming] = []
    offset = 0.0
    for part in parts:
        assert part.clip is not None
        data = clip_segment(part.clip, settings)
        seconds = mp3_duration(data)
        if part.message_id is not None:
            timings.append(
                ItemTiming(part.message_id, part.title, round(seconds, 3), round(offset, 3))
            )
        chunks.append(data)
        offset += seconds
    tmp = temp_path_for(path)
    try:
        with open(tmp, "wb") as fh:
            fh.write(b"".join(chunks))
        _tag(tmp, tags)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return offset, timings


def _tag(path: Path, tags: dict[str, str]) -> None:
    from mutagen.id3 import COMM, ID3, TALB, TDRC, TIT2, TPE1

    frames: dict[str, Any] = {"title": TIT2, "artist": TPE1, "album": TALB, "date": TDRC}
    tag: Any = ID3()  # type: ignore[no-untyped-call]
    for name, frame in frames.items():
        if tags.get(name):
            tag.add(frame(encoding=3, text=[tags[name]]))
    if tags.get("comment"):
        tag.add(COMM(encoding=3, lang="vie", desc="", text=[tags["comment"]]))  # type: ignore[no-untyped-call]
    tag.save(str(path), v2_version=3)


def write_sidecar(
    path: Path,
    *,
    key: str,
    spec: BulletinSpec,
    duration_s: float,
    items: list[ItemTiming],
    clips: dict[str, Any],
    engines: list[str],
    notes: list[str],
    fallback: dict[str, Any] | None = None,
) -> None:
    """The JSON beside the bulletin (same stem): item timings for the radio and the run sheet,
    and the fallback voice when one spoke (`fallback_of`). Written last: a bulletin is up to
    date only when its sidecar's key matches."""
    data = {
        "key": key,
        "when": spec.when.isoformat(timespec="minutes"),
        "slot": spec.slot_name,
        "title": spec.title,
        "duration_s": round(duration_s, 3),
        "items": [
            {**i._asdict(), "plan_entry_id": p, "clip": c, "kind": k}
            for i, p, c, k in zip(
                items, clips["plan_entries"], clips["items"], clips["kinds"], strict=True
            )
        ],
        "clips": clips["all"],
        "engines": engines,
        "notes": notes,
        "fallback": fallback,
    }
    atomic_write_text(path.with_suffix(".json"), json.dumps(data, ensure_ascii=False, indent=1))


def sidecar_items(path: Path) -> list[dict[str, Any]]:
    """The items of the bulletin at `path` from its sidecar ([] when there is none): message_id,
    title, duration_s, offset_s, plan_entry_id and kind ("speech" or "recorded")."""
    data = read_sidecar(path) or {}
    items = data.get("items", [])
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def fallback_of(path: Path) -> dict[str, Any] | None:
    """The bulletin's fallback record from its sidecar (see RenderResult.fallback), or None."""
    found = (read_sidecar(path) or {}).get("fallback")
    return found if isinstance(found, dict) else None


def fallback_text(fallback: dict[str, Any] | None) -> str:
    """What the run sheet and the as-run log say about a fallback voice ("" when none)."""
    if not fallback:
        return ""
    key = "fallback_quota" if fallback.get("quota") else "fallback"
    return T(
        key,
        wanted=fallback.get("wanted", "?"),
        used=", ".join(fallback.get("used") or ["?"]),
        reason=str(fallback.get("reason", "")).rstrip("."),
    )


def read_sidecar(path: Path) -> dict[str, Any] | None:
    sidecar = path.with_suffix(".json")
    try:
        data = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
