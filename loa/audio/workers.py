"""Worker processes for rendering: a process pool that starts safely from a daemon with threads,
keeps a Ctrl-C from landing half-way through a fork, and stops at once (workers, the ffmpeg
they started, queued jobs) when asked to; errors come back as the user's messages."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from loa.core.errors import LoaError, RuntimeFailure
from loa.core.i18n import Catalog

T = Catalog(
    {
        "crash": ("lỗi không mong đợi {error}", "unexpected error {error}"),
        "os_error": (
            "không ghi được vào thư mục của đài: {reason}",
            "cannot write to the station folder: {reason}",
        ),
        "cancelled": (
            "Dừng dựng bản tin giữa chừng (loa run đang dừng); lần chạy sau dựng tiếp.",
            "Rendering stopped part-way (loa run is stopping); the next run carries on.",
        ),
    }
)


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
class Job:
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


def run_jobs(
    jobs: list[Job],
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
