"""Radio playout: sinks that play an audio file (a player command, ffmpeg to the sound device,
a file copy, or nothing), chosen by name from `[channels.radio]`, and the radio channel.

Sinks return how many seconds they played; `loa.channels.playout` turns that into the as-run log.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import field_validator

from loa.channels.base import (
    Channel,
    CheckResult,
    Figure,
    InsightAnswer,
    Item,
    PermanentError,
    Published,
    Receipt,
)
from loa.channels.settings import channel_settings
from loa.core.errors import RuntimeFailure, UserError
from loa.core.i18n import Catalog
from loa.core.settings import SectionSettings

if TYPE_CHECKING:
    from loa.core.station import Station

T = Catalog(
    {
        "unknown_sink": (
            'Cách phát "{name}" trong [channels.radio] không có. Chọn một trong: {valid}.',
            'Playout sink "{name}" in [channels.radio] does not exist. Choose one of: {valid}.',
        ),
        "sinks": ("cần là một trong: {valid}", "it must be one of: {valid}"),
        "no_file": (
            "Không có tệp âm thanh {path} để phát.",
            "There is no audio file {path} to play.",
        ),
        "player_failed": (
            'Trình phát "{cmd}" lỗi (mã {code}): {error}. Kiểm tra player trong '
            "[channels.radio] và thiết bị âm thanh.",
            'The player "{cmd}" failed (code {code}): {error}. Check player in '
            "[channels.radio] and the sound device.",
        ),
        "player_missing": (
            'Không tìm thấy chương trình phát "{prog}". Cài nó hoặc sửa player trong '
            '[channels.radio] (ví dụ: player = "mpv --no-video {{file}}").',
            'The player program "{prog}" was not found. Install it or fix player in '
            '[channels.radio] (for example: player = "mpv --no-video {{file}}").',
        ),
        "player_timeout": (
            'Trình phát "{cmd}" chạy quá {limit:.0f} giây cho bản tin dài {length:.0f} giây: '
            "đã dừng nó. Kiểm tra player trong [channels.radio] và thiết bị âm thanh.",
            'The player "{cmd}" ran past {limit:.0f} s for a {length:.0f} s bulletin: it was '
            "stopped. Check player in [channels.radio] and the sound device.",
        ),
        "player_stopped": (
            'Trình phát "{cmd}" bị dừng vì loa đang tắt (sau {played:.0f} giây).',
            'The player "{cmd}" was stopped because loa is shutting down (after {played:.0f} s).',
        ),
        "bad_template": (
            'Mẫu lệnh player "{cmd}" phải chứa {{file}}.',
            'The player template "{cmd}" must contain {{file}}.',
        ),
        "sink_ok": ("Phát qua: {sink}.", "Plays through: {sink}."),
        "sink_none": (
            "Không thấy thiết bị âm thanh: bản tin sẽ được ghi vào {folder} thay vì phát ra loa. "
            "Đặt player trong [channels.radio] nếu máy có loa.",
            "No sound device found: bulletins are written to {folder} instead of being played. "
            "Set player in [channels.radio] if the machine has speakers.",
        ),
    }
)


class PlayoutError(RuntimeFailure):
    """The sink could not play (player missing or failed, device busy)."""


#: A player may run this much longer than its bulletin (3 s plus a tenth of the length)
#: before it is killed.
PLAYER_MARGIN_S = 3.0
PLAYER_MARGIN_SHARE = 0.1

_PLAYERS: set[subprocess.Popen[bytes]] = set()
_STOPPED: set[int] = set()
_PLAYERS_LOCK = threading.Lock()


def player_limit(duration_s: float) -> float:
    """Seconds a player may run for a bulletin of `duration_s` seconds."""
    return duration_s + PLAYER_MARGIN_S + PLAYER_MARGIN_SHARE * duration_s


def _kill_group(proc: subprocess.Popen[bytes], grace_s: float = 1.0) -> None:
    """Stop a player and everything it started (its own process group): TERM, then KILL."""
    import signal

    for sig, wait in ((signal.SIGTERM, grace_s), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            proc.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue


def stop_players() -> int:
    """Stop every player this process is running (the daemon shutting down). Returns how many."""
    with _PLAYERS_LOCK:
        running = list(_PLAYERS)
        _STOPPED.update(p.pid for p in running)
    for proc in running:
        _kill_group(proc, grace_s=0.5)
    return len(running)


class Sink(ABC):
    """Where a bulletin is played. `play` blocks until playback ends."""

    name: ClassVar[str]
    #: True when playback takes no real time (the as-run uses the nominal duration).
    simulated: ClassVar[bool] = False
    #: False when nothing reaches a listener or leaves evidence (the null sink): such a play is
    #: never logged as aired.
    airs: ClassVar[bool] = True

    @abstractmethod
    def play(self, path: Path, duration_s: float) -> float:
        """Play the file; return the seconds played. Raises PlayoutError."""

    def describe(self) -> str:
        return self.name


class NullSink(Sink):
    """Plays nothing and remembers what it was given (headless machines, tests)."""

    name = "null"
    simulated = True
    airs = False

    def __init__(self) -> None:
        self.played: list[Path] = []

    def play(self, path: Path, duration_s: float) -> float:
        if not path.is_file():
            raise PlayoutError(T("no_file", path=path))
        self.played.append(path)
        return duration_s


class FileSink(Sink):
    """Copies each played file into a folder (evidence of what would have aired)."""

    name = "file"
    simulated = True

    def __init__(self, folder: Path, clock: Any = None) -> None:
        self.folder = folder
        self.clock = clock or datetime.now
        self.written: list[Path] = []
        self.played: list[Path] = []

    def play(self, path: Path, duration_s: float) -> float:
        if not path.is_file():
            raise PlayoutError(T("no_file", path=path))
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.folder / f"{self.clock().strftime('%Y%m%d-%H%M%S')}_{path.name}"
        shutil.copyfile(path, target)
        self.written.append(target)
        self.played.append(path)
        return duration_s

    def describe(self) -> str:
        return f"file → {self.folder}"


class CommandSink(Sink):
    """Runs a player command line template, e.g. "mpv --no-video {file}"."""

    name = "command"

    def __init__(self, template: str) -> None:
        if "{file}" not in template:
            raise UserError(T("bad_template", cmd=template))
        self.template = template

    def command(self, path: Path) -> list[str]:
        return [part.replace("{file}", str(path)) for part in shlex.split(self.template)]

    def play(self, path: Path, duration_s: float) -> float:
        if not path.is_file():
            raise PlayoutError(T("no_file", path=path))
        cmd = self.command(path)
        limit = player_limit(duration_s)
        started = time.monotonic()
        try:
            proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                start_new_session=True,  # its own group: a kill reaches what it started
            )
        except FileNotFoundError:
            raise PlayoutError(T("player_missing", prog=cmd[0])) from None
        with _PLAYERS_LOCK:
            _PLAYERS.add(proc)
        try:
            try:
                _out, err = proc.communicate(timeout=limit)
            except subprocess.TimeoutExpired:
                _kill_group(proc)
                proc.communicate()
                raise PlayoutError(
                    T("player_timeout", cmd=self.template, limit=limit, length=duration_s)
                ) from None
        finally:
            with _PLAYERS_LOCK:
                _PLAYERS.discard(proc)
                stopped = proc.pid in _STOPPED
                _STOPPED.discard(proc.pid)
        played = time.monotonic() - started
        if stopped:
            raise PlayoutError(T("player_stopped", cmd=self.template, played=played))
        if proc.returncode != 0:
            raise PlayoutError(
                T(
                    "player_failed",
                    cmd=self.template,
                    code=proc.returncode,
                    error=(err or b"").decode("utf-8", "replace").strip()[-200:],
                )
            )
        return played

    def describe(self) -> str:
        return self.template


class FfmpegSink(CommandSink):
    """The built-in player: the bundled ffmpeg writing to the sound server or device."""

    name = "ffmpeg"

    def __init__(self, output: str = "pulse", device: str = "default") -> None:
        self.output = output
        self.device = device
        self.template = "ffmpeg {file}"

    def command(self, path: Path) -> list[str]:
        from loa.audio.ffmpeg import ffmpeg_exe

        return [
            ffmpeg_exe(),
            "-hide_banner",
            "-loglevel",
            "error",
            "-nostdin",
            "-i",
            str(path),
            "-f",
            self.output,
            self.device,
        ]

    def describe(self) -> str:
        return f"ffmpeg -f {self.output} {self.device}"


SINKS: dict[str, type[Sink]] = {s.name: s for s in (NullSink, FileSink, CommandSink, FfmpegSink)}


class RadioSettings(SectionSettings):
    """[channels.radio]: how bulletins reach the loudspeaker (see `make_sink`)."""

    sink: str = "auto"
    player: str = ""
    output: str | None = None
    device: str | None = None
    sink_folder: str = "aired"

    @field_validator("sink")
    @classmethod
    def _known_sink(cls, value: str) -> str:
        if value not in ("auto", *SINKS):
            raise ValueError(T("sinks", valid=", ".join(["auto", *SINKS])))
        return value

    @field_validator("player")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()


def sound_output(env: Mapping[str, str] | None = None) -> tuple[str, str] | None:
    """(ffmpeg output format, device) for this machine's sound, or None when there is none."""
    env = os.environ if env is None else env
    runtime_dir = env.get("XDG_RUNTIME_DIR", "")
    if env.get("PULSE_SERVER") or (runtime_dir and Path(runtime_dir, "pulse", "native").exists()):
        return ("pulse", "default")
    if Path("/dev/dsp").exists():
        return ("oss", "/dev/dsp")
    return None


def make_sink(
    station: Station, name: str | None = None, env: Mapping[str, str] | None = None
) -> Sink:
    """The sink from `[channels.radio]`: `sink` = auto | command | ffmpeg | file | null.

    auto (the default): the `player` command if set, else ffmpeg to the sound server or device,
    else a file sink into media/aired (a headless machine plays nothing, but keeps evidence).
    """
    settings = channel_settings(station, RadioChannel.name, RadioSettings)
    choice = name or settings.sink
    player = settings.player
    folder = station.media_dir / settings.sink_folder
    if choice == "auto":
        if player:
            return CommandSink(player)
        output = sound_output(env)
        if output is not None:
            return FfmpegSink(*output)
        return FileSink(folder, clock=station.now)
    if choice not in SINKS:
        raise UserError(T("unknown_sink", name=choice, valid=", ".join(["auto", *SINKS])))
    if choice == "command":
        return CommandSink(player or "ffplay -nodisp -autoexit {file}")
    if choice == "ffmpeg":
        output = sound_output(env) or ("pulse", "default")
        return FfmpegSink(settings.output or output[0], settings.device or output[1])
    if choice == "file":
        return FileSink(folder, clock=station.now)
    return NullSink()


class RadioChannel(Channel):
    """The loudspeaker: `publish` plays the item's audio file through the station's sink."""

    name = "radio"
    settings_model = RadioSettings
    insight_offer = (
        "số người nghe mỗi kênh phát Icecast, đếm trong lúc phát bản tin ([radio.stream])",
        "listeners of each Icecast mount, counted while a bulletin airs ([radio.stream])",
    )

    def __init__(self, sink: Sink, station: Station | None = None) -> None:
        self.sink = sink
        self.station = station

    @classmethod
    def is_configured(cls, station: Station) -> bool:
        channel_settings(station, cls.name, RadioSettings)  # a bad [channels.radio] is refused
        return True

    @classmethod
    def from_station(
        cls, station: Station, *, http: Any = None, env: Mapping[str, str] | None = None
    ) -> RadioChannel:
        return cls(make_sink(station, env=env), station)

    def insights(self, published: Published, *, now: datetime) -> InsightAnswer:
        """The listeners counted while the bulletin aired (the as-run row's
        `extra["listeners"]`, mount -> counts): the mean of each mount's counts, summed over
        the mounts. A bulletin aired only on the local loudspeaker has no count."""
        answer = InsightAnswer()
        counts = published.extra.get("listeners") if published.extra else None
        if not isinstance(counts, Mapping) or not counts:
            return answer
        total, samples = 0.0, 0
        for values in counts.values():
            numbers = [float(v) for v in values if isinstance(v, int | float)]
            if numbers:
                total += sum(numbers) / len(numbers)
                samples = max(samples, len(numbers))
        if samples:
            mounts = ",".join(sorted(str(m) for m in counts))
            answer.figures.append(Figure("listeners", total, f"icecast {mounts}", samples))
        return answer

    def publish(self, item: Item, *, now: datetime) -> Receipt:
        if item.media is None:
            raise PermanentError(T("no_file", path="-"))
        from loa.audio.ffmpeg import audio_duration

        played = self.sink.play(item.media, item.duration_s or audio_duration(item.media))
        return Receipt(remote_id=item.media.name, published_at=now, note=f"{played:.1f}s")

    def check(self) -> list[CheckResult]:
        if isinstance(self.sink, FileSink) and sound_output() is None:
            return [CheckResult(self.name, True, T("sink_none", folder=self.sink.folder))]
        if isinstance(self.sink, CommandSink) and not isinstance(self.sink, FfmpegSink):
            prog = shlex.split(self.sink.template)[0]
            if shutil.which(prog) is None and not Path(prog).is_file():
                return [CheckResult(self.name, False, T("player_missing", prog=prog))]
        return [CheckResult(self.name, True, T("sink_ok", sink=self.sink.describe()))]
