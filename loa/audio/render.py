"""Rendering bulletins: one or many (in parallel across CPU cores), and pruning the clip cache.

The caller says what to render (a list of `BulletinSpec`: slot time and items); this module
never reads the plan. Interfaces other layers call: `bulletin_path`, `render_bulletin`,
`render_bulletins`, `prune_cache`.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
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
from loa.audio.cache import Clip, PruneResult
from loa.audio.clip import Speaker, _speakable
from loa.audio.mastering import CHIME_VERSION
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
        "crash": ("lỗi không mong đợi {error}", "unexpected error {error}"),
        "os_error": (
            "không ghi được vào thư mục của đài: {reason}",
            "cannot write to the station folder: {reason}",
        ),
        "cancelled": (
            "Dừng dựng bản tin giữa chừng (loa run đang dừng); lần chạy sau dựng tiếp.",
            "Rendering stopped part-way (loa run is stopping); the next run carries on.",
        ),
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


def _preload() -> None:
    """Import the heavy audio modules once before forking, so workers share them (scipy.signal
    alone takes a second or more to import)."""
    import pyloudnorm  # noqa: F401
    import scipy.ndimage
    import scipy.signal  # noqa: F401

    from loa.audio.engines.espeak import _Library
    from loa.audio.ffmpeg import audio_segment_class

    audio_segment_class()
    _Library.get()
    from loa.audio import tones

    if tones.available():  # the central voice's tone reshaping (Praat)
        import parselmouth  # noqa: F401


def _leave_interrupts_to_parent() -> None:
    """Worker initializer: Ctrl-C reaches the whole process group, but only the parent acts on
    it (a worker hit mid-hand-off would hang the pool); the parent ends workers with SIGTERM."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _end_worker)


def _end_worker(signum: int, frame: object) -> None:
    """SIGTERM in a worker: kill and reap what it started (ffmpeg), then leave at once (a
    SystemExit would be caught by the pool and the worker would take the next job)."""
    import signal

    mine = _descendants([os.getpid()])
    for pid in mine:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    for pid in mine:
        try:
            os.waitpid(pid, 0)
        except OSError:  # not our own child (a grandchild): init reaps it
            pass
    os._exit(128 + signum)


def _descendants(pids: list[int]) -> list[int]:
    """Every process below `pids` (children, grandchildren: ffmpeg under a worker), from /proc;
    none where /proc is missing."""
    children: dict[int, list[int]] = {}
    try:
        entries = [e for e in os.listdir("/proc") if e.isdigit()]
    except OSError:
        return []
    for entry in entries:
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    found: list[int] = []
    todo = list(pids)
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.append(child)
                todo.append(child)
    return found


def _stop_pool(pool: Any) -> None:
    """Stop a process pool at once: drop the queued jobs, end the workers (each kills what it
    started), and kill any still there after a second. Finished bulletins stay as they are
    (each file is written under a temporary name and renamed when complete)."""
    import signal
    import threading
    import time

    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None  # 2nd Ctrl-C
    try:
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.terminate()
        deadline = time.monotonic() + 1.0
        for process in processes:
            process.join(timeout=max(deadline - time.monotonic(), 0.01))
        stuck = [p.pid for p in processes if p.is_alive() and p.pid]
        for pid in stuck + _descendants(stuck):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        for process in processes:
            process.join(timeout=0.5)
    finally:
        if main:
            signal.signal(signal.SIGINT, previous)


@contextmanager
def _interrupts_deferred() -> Iterator[None]:
    """Keep a Ctrl-C back while the pool forks its workers and takes the jobs (a few tens of
    milliseconds) and deliver it as soon as the pool runs: an interrupt raised half-way through
    a fork leaves a worker the pool does not know of, and the exit waits on it forever. Python runs signal handlers in the main thread whichever
    thread the signal hits, so masking the signal there is not enough: the handler is swapped
    for one that only notes the interrupt. Forked workers inherit it until their initializer
    ignores SIGINT."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, _frame: caught.append(signum))
    try:
        yield
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
        if caught:  # now to whatever handled it before (KeyboardInterrupt, a daemon's stop)
            signal.raise_signal(signal.SIGINT)


@dataclass
class _Job:
    label: str
    fn: Callable[..., Any]
    args: tuple[Any, ...]


def _failure(exc: Exception) -> LoaError:
    """A job's error as the user's message: loa's own as it is, a file system error naming the
    file and what to do (a read-only or misplaced station folder), anything else as a crash."""
    if isinstance(exc, LoaError):
        return exc
    if isinstance(exc, OSError):
        from loa.core.fileio import os_error_reason

        return RuntimeFailure(T("os_error", reason=os_error_reason(exc)))
    return RuntimeFailure(T("crash", error=f"{type(exc).__name__}: {exc}"))


class RenderCancelled(RuntimeFailure):
    """The render was asked to stop (its `cancel` event was set): the workers are gone."""


def _check(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise RenderCancelled(T("cancelled"))


def _run(
    jobs: list[_Job],
    workers: int,
    advance: Callable[[], None],
    own_threads: int = 0,
    cancel: threading.Event | None = None,
) -> list[Any]:
    """Run jobs in a process pool (or inline for one worker); results in job order, errors as
    exceptions in place of results. Raises RenderCancelled as soon as `cancel` is set (the
    pool's workers and what they started are ended first).

    Workers are forked (fast: they share the loaded modules) only when no other thread runs in
    this process besides `own_threads` of ours; a daemon with scheduler threads gets a fork
    server instead, since forking a multi-threaded process can copy a held lock.
    """
    results: list[Any] = [None] * len(jobs)
    _check(cancel)
    if workers <= 1 or len(jobs) <= 1:
        for index, job in enumerate(jobs):
            _check(cancel)
            try:
                results[index] = job.fn(*job.args)
            except Exception as exc:  # one broken bulletin must not stop the others
                results[index] = _failure(exc)
            advance()
        return results
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() <= 1 + own_threads:
        method = "fork"
        _preload()
    else:
        method = "forkserver" if "forkserver" in methods else "spawn"
    pool: ProcessPoolExecutor | None = None
    try:
        with _interrupts_deferred():
            pool = ProcessPoolExecutor(
                max_workers=min(workers, len(jobs)),
                mp_context=multiprocessing.get_context(method),
                initializer=_leave_interrupts_to_parent,
            )
            futures = {pool.submit(job.fn, *job.args): i for i, job in enumerate(jobs)}
        pending = set(futures)
        while pending:
            _check(cancel)
            done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            for future in done:
                try:
                    results[futures[future]] = future.result()
                except Exception as exc:  # one broken bulletin must not stop the others
                    results[futures[future]] = _failure(exc)
                advance()
        pool.shutdown(wait=True)
    except BaseException as exc:  # Ctrl-C (or any escape): stop the workers now, never wait
        if pool is not None:
            _stop_pool(pool)
        if cancel is not None and cancel.is_set() and not isinstance(exc, RenderCancelled):
            # A Ctrl-C to the whole group also reaches a fork server still starting (it ignores
            # SIGINT only once it runs): the pool then fails with EOFError. That is the stop.
            raise RenderCancelled(T("cancelled")) from exc
        raise
    return results


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
        _run(
            [_Job("clip", _speak_job, (root, *text)) for text in missing],
            workers,
            advance_clip,
            own,
            cancel,
        )
        jobs = [_Job(spec.when.isoformat(), _bulletin_job, (root, spec, force)) for spec in specs]
        # Up-to-date bulletins are only checked: keep them in this process (no pool start-up).
        outcomes = _run(
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


# -- cache pruning ------------------------------------------------------------------------------


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
