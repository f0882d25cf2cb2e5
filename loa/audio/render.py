"""Rendering bulletins: one, or many in parallel across CPU cores (the pool is `workers`).

The caller says what to render (a list of `BulletinSpec`: slot time and items); this module
never reads the plan. Interfaces other layers call: `bulletin_path`, `render_bulletin`,
`render_bulletins` (`loa.audio.prune` prunes the clip cache).
"""

from __future__ import annotations

import os
import threading
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from loa.audio.bulletin import (
    BulletinItem,
    BulletinSpec,
    ItemTiming,
    Part,
    RenderResult,
    clip_segment,
    content_key_of,
    jingle_key,
    join_mp3,
    layout,
    mix,
    read_sidecar,
    write_sidecar,
)
from loa.audio.cache import Clip
from loa.audio.clip import Speaker, _speakable
from loa.audio.mastering import CHIME_VERSION
from loa.audio.workers import Job, run_jobs
from loa.core.errors import LoaError, RuntimeFailure, UserError
from loa.core.i18n import Catalog

if TYPE_CHECKING:
    from loa.core.station import Station

T = Catalog(
    {
        "skipped_item": (
            "Bỏ qua tin số {id} trong bản tin {when}: {error}",
            "Skipped message {id} in the {when} bulletin: {error}",
        ),
        "jingle_missing": (
            "Không dùng được nhạc hiệu {path}: {error} → dùng tiếng chuông tự tạo.",
            "The jingle {path} could not be used: {error} → using the generated chime.",
        ),
        "failed": (
            "{count} bản tin không tạo được: {errors}",
            "{count} bulletins could not be rendered: {errors}",
        ),
        "clips": ("Đọc tin", "Speaking"),
        "album": ("Bản tin phát thanh", "Radio bulletins"),
        "no_recording": (
            "Tin số {id} trong bản tin {when}: không dùng được tệp ghi âm ({error}) → đọc bằng "
            "giọng máy.",
            "Message {id} in the {when} bulletin: its recording could not be used ({error}) → "
            "read by the synthetic voice.",
        ),
        "bulletins": ("Ghép bản tin", "Bulletins"),
    }
)


def _extension(station: Station) -> str:
    from loa.audio.settings import AudioSettings

    return station.settings(AudioSettings).format


def bulletin_path(station: Station, when: datetime) -> Path:
    """media/bulletins/YYYY-MM-DD/HHMM.mp3 for the slot instance starting at `when` (local)."""
    return (
        Path(station.media_dir)
        / "bulletins"
        / when.strftime("%Y-%m-%d")
        / f"{when.strftime('%H%M')}.{_extension(station)}"
    )


class BulletinRenderer:
    """Renders bulletins of one station; reuses one Speaker (engines, cache, fallback state)."""

    def __init__(self, station: Station, speaker: Speaker | None = None) -> None:
        self.station = station
        self.speaker = speaker or Speaker.for_station(station)
        self.settings = self.speaker.settings
        self.fallback: dict[str, Any] | None = None  # of the bulletin resolved last

    def _chime(self) -> Clip:
        from loa.audio.cache import content_key
        from loa.audio.mastering import chime, master

        m = self.settings.mastering
        key = content_key("chime", CHIME_VERSION, m.key())
        cached = self.speaker.cache.get(key)
        if cached is not None:
            return cached
        samples = master(chime(m.sample_rate), m.sample_rate, m)
        return self.speaker.cache.put(
            key, samples, m.sample_rate, engine="chime", voice="", text=""
        )

    def _jingle(self, notes: list[str]) -> Clip | None:
        from loa.audio.ffmpeg import decode
        from loa.audio.mastering import master
        from loa.audio.settings import resolve_path

        if not self.settings.jingle:
            return None
        path = resolve_path(self.station.root, self.settings.jingle)
        key = jingle_key(self.settings, self.station.root)
        cached = self.speaker.cache.get(key) if key else None
        if cached is not None:
            return cached
        m = self.settings.mastering
        try:
            samples = master(decode(path, sample_rate=m.sample_rate), m.sample_rate, m)
        except LoaError as exc:
            notes.append(T("jingle_missing", path=path, error=exc))
            return None
        assert key is not None
        return self.speaker.cache.put(
            key, samples, m.sample_rate, engine="jingle", voice="", text=str(path)
        )

    def resolve(self, spec: BulletinSpec) -> tuple[list[Part], list[str], list[str]]:
        """Clips for every part (synthesising what is not cached): timeline, notes, engines.
        A fallback voice is noted in `self.fallback` (see RenderResult.fallback)."""
        notes: list[str] = []
        engines: list[str] = []
        self.fallback = None

        def spoken(text: str, voice: str | None = None, rate: float | None = None) -> Clip:
            speech = self.speaker.speak(text, voice=voice, rate=rate)
            notes.extend(n for n in speech.notes if n not in notes)
            if speech.clip.engine and speech.clip.engine not in engines:
                engines.append(speech.clip.engine)
            if speech.clip.engine != speech.wanted and speech.clip.engine:
                self._note_fallback(speech)
            return speech.clip

        jingle = self._jingle(notes)
        intro = [jingle] if jingle else [self._chime()]
        if self.settings.intro and _speakable(self.settings.intro):
            intro.append(spoken(self.settings.intro))
        items: list[tuple[BulletinItem, Clip]] = []
        for item in spec.items:
            if item.audio:
                clip = self._recorded(item, spec, notes)
                if clip is not None:
                    items.append((item, clip))
                    continue
            try:
                items.append((item, spoken(item.text, item.voice, item.rate)))
            except UserError as exc:
                notes.append(
                    T(
                        "skipped_item",
                        id=item.message_id,
                        when=spec.when.strftime("%H:%M %d/%m"),
                        error=exc,
                    )
                )
        outro = [spoken(self.settings.outro)] if _speakable(self.settings.outro) else []
        outro.append(jingle or self._chime())
        parts = layout(self.settings, intro, items, outro)
        for part in parts:
            if part.clip is None:
                part.clip = self._silence(part.seconds)
        return parts, notes, engines

    def _note_fallback(self, speech: Any) -> None:
        """Record that a fallback engine spoke a clip (the first reason is kept). A clip from
        the cache says no reason: it was spoken by the fallback when the engine first failed."""
        if self.fallback is None:
            self.fallback = {"wanted": speech.wanted, "used": [], "reason": "", "quota": False}
        if speech.clip.engine not in self.fallback["used"]:
            self.fallback["used"].append(speech.clip.engine)
        if speech.fallback and not self.fallback["reason"]:
            self.fallback["reason"] = speech.fallback
        self.fallback["quota"] = bool(self.fallback["quota"] or speech.quota)

    def _recorded(self, item: BulletinItem, spec: BulletinSpec, notes: list[str]) -> Clip | None:
        """The mastered clip of the item's recording; None (with a note) when it cannot be used,
        so the item is read by the synthetic voice instead."""
        from loa.audio.recording import recording_clip

        assert item.audio is not None
        try:
            return recording_clip(
                self.station.media_dir, item.audio, self.settings.mastering, self.speaker.cache
            )
        except UserError as exc:
            when = spec.when.strftime("%H:%M %d/%m")
            notes.append(T("no_recording", id=item.message_id, when=when, error=exc))
            return None

    def _silence(self, seconds: float) -> Clip:
        from loa.audio.cache import content_key
        from loa.audio.mastering import silence

        rate = self.settings.mastering.sample_rate
        key = content_key("silence", round(seconds, 3), rate)
        cached = self.speaker.cache.get(key)
        if cached is not None:
            return cached
        return self.speaker.cache.put(
            key, silence(seconds, rate), rate, engine="silence", voice="", text=""
        )

    def render(self, spec: BulletinSpec, *, force: bool = False) -> RenderResult:
        """Render one bulletin unless its file is already up to date (same key in its sidecar)."""
        parts, notes, engines = self.resolve(spec)
        key = content_key_of(self.settings, spec, parts, self.station.name)
        path = bulletin_path(self.station, spec.when)
        sidecar = read_sidecar(path)
        if not force and sidecar and sidecar.get("key") == key and path.is_file():
            items = [
                ItemTiming(
                    int(i["message_id"]),
                    str(i["title"]),
                    float(i["duration_s"]),
                    float(i["offset_s"]),
                )
                for i in sidecar.get("items", [])
            ]
            return RenderResult(
                path,
                spec.when,
                float(sidecar.get("duration_s", 0.0)),
                items,
                cached=True,
                engines=list(sidecar.get("engines", engines)),
                notes=notes,
                fallback=sidecar.get("fallback") or self.fallback,
            )
        tags = {
            "title": spec.title,
            "artist": self.station.name,
            "album": spec.slot_name or T("album"),
            "date": spec.when.strftime("%Y-%m-%d"),
            "comment": spec.when.strftime("%Y-%m-%d %H:%M"),
        }
        if path.suffix.lower() == ".wav":
            from loa.audio.ffmpeg import write_wav

            rate = self.settings.mastering.sample_rate
            audio, items = mix(parts, rate)
            duration = len(audio) / rate
            write_wav(path, audio, rate)
        else:
            duration, items = join_mp3(path, parts, self.settings, tags)
        duration = round(duration, 3)
        item_parts = [p for p in parts if p.message_id is not None]
        by_id = {i.message_id: i.plan_entry_id for i in spec.items}
        clips = {
            "items": [p.clip.key if p.clip else None for p in item_parts],
            "kinds": [
                "recorded" if p.clip and p.clip.engine == "recording" else "speech"
                for p in item_parts
            ],
            "plan_entries": [by_id.get(p.message_id or 0) for p in item_parts],
            "all": sorted({p.clip.key for p in parts if p.clip is not None}),
        }
        write_sidecar(
            path,
            key=key,
            spec=spec,
            duration_s=duration,
            items=items,
            clips=clips,
            engines=engines,
            notes=notes,
            fallback=self.fallback,
        )
        return RenderResult(
            path,
            spec.when,
            duration,
            items,
            cached=False,
            engines=engines,
            notes=notes,
            fallback=self.fallback,
        )


def render_bulletin(station: Station, spec: BulletinSpec, *, force: bool = False) -> RenderResult:
    """Render (or find up to date) one bulletin."""
    return BulletinRenderer(station).render(spec, force=force)


# -- parallel rendering -------------------------------------------------------------------------

_worker: dict[str, BulletinRenderer] = {}


def _renderer_in_worker(root: str) -> BulletinRenderer:
    from loa.core.station import Station

    if root not in _worker:
        _worker[root] = BulletinRenderer(Station.load(Path(root)))
    return _worker[root]


def _speak_job(
    root: str, text: str, voice: str | None = None, rate: float | None = None
) -> list[str]:
    """Speak one text into the cache, and encode its MP3 segment there too (once, in parallel)."""
    renderer = _renderer_in_worker(root)
    speech = renderer.speaker.speak(text, voice=voice, rate=rate)
    if renderer.settings.format == "mp3":
        clip_segment(speech.clip, renderer.settings)
    return speech.notes


def _bulletin_job(root: str, spec: BulletinSpec, force: bool) -> RenderResult:
    return _renderer_in_worker(root).render(spec, force=force)


class RenderFailed(RuntimeFailure):
    """Some bulletins of a period failed; `results` holds the ones that succeeded."""

    def __init__(self, message: str, results: list[RenderResult]) -> None:
        super().__init__(message)
        self.results = results


def render_bulletins(
    station: Station,
    specs: list[BulletinSpec],
    *,
    progress: bool = False,
    workers: int | None = None,
    force: bool = False,
    cancel: threading.Event | None = None,
) -> list[RenderResult]:
    """Render every bulletin of `specs`, in parallel across CPU cores.

    First the clips not yet cached are spoken (each once, however many bulletins hold it), then
    the bulletins whose content changed are mixed and encoded. An unchanged period does no audio
    work at all. Raises RenderFailed (a RuntimeFailure) if some bulletins could not be rendered,
    after rendering all the others; RenderCancelled when `cancel` is set meanwhile (a stopping
    daemon), once the worker processes are gone.
    """
    # Each render starts afresh: an engine that failed in the last one (a spent quota, no
    # network) is tried again, so the neural voice comes back once it works.
    _worker.clear()
    renderer = BulletinRenderer(station)
    speaker = renderer.speaker
    workers = workers or os.cpu_count() or 1
    root = str(station.root)

    texts: list[tuple[str, str | None, float | None]] = [
        (speaker.settings.intro, None, None),
        (speaker.settings.outro, None, None),
    ]
    texts += [
        (item.text, item.voice, item.rate)
        for spec in specs
        for item in spec.items
        if not item.audio
    ]
    missing = []
    for text, voice, rate in dict.fromkeys(t for t in texts if _speakable(t[0])):
        try:
            keys = speaker.keys(text, voice=voice, rate=rate)
        except LoaError:
            keys = []
        # Spoken again when the engine asked for has no clip of it (a clip its fallback made
        # while it was down is replaced by the neural voice once it works again).
        if not keys or speaker.cache.get(keys[0]) is None:
            missing.append((text, voice, rate))

    from contextlib import nullcontext

    bar: Any = nullcontext()
    if progress:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        bar = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            transient=False,
        )
    with bar:
        clip_task = bulletin_task = None
        if progress:
            clip_task = bar.add_task(T("clips"), total=len(missing))
            bulletin_task = bar.add_task(T("bulletins"), total=len(specs))

        def advance_clip() -> None:
            if progress:
                bar.advance(clip_task)

        def advance_bulletin() -> None:
            if progress:
                bar.advance(bulletin_task)

        # Speaking in workers fills the shared on-disk cache; errors surface per bulletin below.
        own = 1 if progress else 0  # rich's refresh thread
        run_jobs(
            [Job("clip", _speak_job, (root, *text)) for text in missing],
            workers,
            advance_clip,
            own,
            cancel,
        )
        jobs = [Job(spec.when.isoformat(), _bulletin_job, (root, spec, force)) for spec in specs]
        # Up-to-date bulletins are only checked: keep them in this process (no pool start-up).
        outcomes = run_jobs(
            jobs,
            workers if (missing or force or _stale(renderer, specs)) else 1,
            advance_bulletin,
            own,
            cancel,
        )

    results = [o for o in outcomes if isinstance(o, RenderResult)]
    # One cause (a read-only folder) fails every bulletin alike: say it once, after their times.
    by_error: dict[str, list[str]] = {}
    for job, outcome in zip(jobs, outcomes, strict=True):
        if not isinstance(outcome, RenderResult):
            by_error.setdefault(str(outcome), []).append(job.label)
    if by_error:
        count = sum(len(labels) for labels in by_error.values())
        errors = "; ".join(f"{', '.join(labels)}: {error}" for error, labels in by_error.items())
        raise RenderFailed(T("failed", count=count, errors=errors), results)
    return results


def _stale(renderer: BulletinRenderer, specs: list[BulletinSpec]) -> bool:
    """Whether any bulletin file is missing (cheap check before starting worker processes)."""
    return any(not bulletin_path(renderer.station, spec.when).is_file() for spec in specs)
