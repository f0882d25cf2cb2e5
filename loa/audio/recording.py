"""Recorded announcements: a file from a phone or Zalo, checked by its content, kept once in the
station folder under its content hash, and mastered for horn loudspeakers like synthetic speech.

A message's `audio` is the name of its original here (`media/recordings/<sha256>.<ext>`). The
mastered copy is a clip of the clip cache (`recording_clip`), so a bulletin joins it like any
spoken clip; a change of the station's mastering settings masters it again from the original.

The bundled ffmpeg has no ffprobe: a file's container and length are read from what `ffmpeg -i`
prints about its input.
"""

from __future__ import annotations

import hashlib
import logging
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from loa.audio.cache import Clip, ClipCache, content_key
from loa.core.errors import UserError
from loa.core.i18n import Catalog

if TYPE_CHECKING:
    from loa.audio.mastering import Finished
    from loa.audio.settings import Mastering

log = logging.getLogger("loa.recording")

T = Catalog(
    {
        "not_audio": (
            "Tệp «{name}» không phải tệp ghi âm loa nhận (chỉ nhận MP3, M4A/AAC, OGG/Opus, AMR, "
            "WAV, WebM). Ghi âm lại bằng điện thoại hoặc lưu tệp sang MP3 rồi thử lại.",
            "“{name}” is not a recording loa takes (only MP3, M4A/AAC, OGG/Opus, AMR, WAV, "
            "WebM). Record it again on a phone or save it as MP3 and try again.",
        ),
        "no_sound": (
            "Tệp «{name}» không có tiếng đọc được (tệp hỏng, hoặc ghi chưa xong). Ghi âm lại "
            "rồi thử lại.",
            "“{name}” holds no readable sound (the file is damaged, or was not finished). "
            "Record it again and try again.",
        ),
        "too_big": (
            "Tệp ghi âm «{name}» nặng {size} MB, quá {limit} MB. Ghi ngắn hơn hoặc lưu sang MP3 "
            "rồi thử lại.",
            "The recording “{name}” is {size} MB, over {limit} MB. Record a shorter one or save "
            "it as MP3 and try again.",
        ),
        "too_long": (
            "Tệp ghi âm «{name}» dài {minutes} phút, quá {limit} phút cho một tin. Chia thành "
            "nhiều tin ngắn hơn.",
            "The recording “{name}” is {minutes} minutes long, over {limit} minutes for one "
            "message. Split it into shorter messages.",
        ),
        "silent": (
            "Tệp ghi âm «{name}» chỉ có im lặng: không có gì để phát. Kiểm tra micrô rồi ghi lại.",
            "The recording “{name}” is only silence: nothing to air. Check the microphone and "
            "record it again.",
        ),
        "missing": (
            "Không tìm thấy tệp ghi âm {path}. Kiểm tra tên tệp và đường dẫn.",
            "The recording {path} was not found. Check the file name and the path.",
        ),
        "lost": (
            "Tin số {id} có tệp ghi âm {path} nhưng tệp không còn trong thư mục đài. Gắn lại "
            "tệp: loa msg edit {id} --audio TỆP (hoặc --no-audio để đọc bằng giọng máy).",
            "Message {id} has the recording {path}, but the file is no longer in the station "
            "folder. Attach it again: loa msg edit {id} --audio FILE (or --no-audio to read it "
            "with the synthetic voice).",
        ),
        "labels": ("Ghi âm", "Recording"),
    }
)

#: Where the originals live, under the station's media folder.
FOLDER = "recordings"
MAX_BYTES = 50 * 1024 * 1024
MAX_SECONDS = 30 * 60
#: Part of a mastered recording's cache key: bump when the chain below changes how it sounds.
RECORDING_VERSION = 1
#: Before the noise reduction, a gentle rumble filter (handling noise, wind, traffic); the
#: station's own high-pass for horns comes after, in `mastering.mastered`.
RUMBLE_HZ = 80
#: afftdn reduces the noise by this many dB at most, at the floor measured on the recording
#: (gentle: a phone's hiss and a fan's hum go down, the voice's breath and consonants stay).
DENOISE_DB = 10
#: A floor below this is a clean (studio, synthetic) recording: no noise reduction at all.
DENOISE_BELOW_DB = -75.0
#: A phone recording starts and ends with handling noise and room tone: frames this far below the
#: loudest are trimmed at both ends (after noise reduction), keeping a short breath of air.
TRIM_DB = -40.0
TRIM_PAD_MS = 150.0

#: The accepted kinds: suffix kept, and what ffmpeg's input line must say for that content.
KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "mp3": (".mp3", ("mp3",)),
    "m4a": (".m4a", ("mov", "mp4", "m4a", "3gp")),
    "aac": (".aac", ("aac",)),
    "ogg": (".ogg", ("ogg",)),
    "amr": (".amr", ("amr", "amrnb", "amrwb")),
    "wav": (".wav", ("wav",)),
    "webm": (".webm", ("matroska", "webm")),
}
_DURATION = re.compile(r"Duration:\s*(\d+):(\d\d):(\d\d(?:\.\d+)?)")
_INPUT = re.compile(r"^Input #0, ([^ ]+), from", re.MULTILINE)
_AUDIO = re.compile(r"Stream #0:\d+.*?: Audio: (\w+)")


def sniff(head: bytes) -> str | None:
    """The kind of recording the first bytes say (one of KINDS), or None for anything else."""
    if head.startswith(b"#!AMR"):
        return "amr"
    if head.startswith(b"OggS"):
        return "ogg"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "wav"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "webm"
    if head[4:8] == b"ftyp":
        return "m4a"
    if head.startswith(b"ID3"):
        return "mp3"
    if len(head) >= 2 and head[0] == 0xFF:
        if head[1] & 0xF6 == 0xF0:  # ADTS: sync, layer 00
            return "aac"
        if head[1] & 0xE0 == 0xE0 and (head[1] >> 1) & 0x03 == 0x01:  # MPEG layer III
            return "mp3"
    return None


@dataclass(frozen=True)
class Probe:
    """What `ffmpeg -i` says of a file: its container, audio codec and length (None when the
    container does not say, as a browser's WebM recording)."""

    container: str
    codec: str | None
    duration_s: float | None


def probe(path: Path) -> Probe:
    """Read the container, the first audio stream's codec and the length from ffmpeg's banner."""
    from loa.audio.ffmpeg import ffmpeg_exe

    done = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path)],
        capture_output=True,
        check=False,
        timeout=60,
    )
    text = done.stderr.decode("utf-8", "replace")
    container = _INPUT.search(text)
    codec = _AUDIO.search(text)
    duration = _DURATION.search(text)
    seconds = None
    if duration:
        h, m, s = duration.groups()
        seconds = int(h) * 3600 + int(m) * 60 + float(s)
    return Probe(
        container.group(1) if container else "",
        codec.group(1) if codec else None,
        seconds,
    )


def _last_error(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:200] if lines else "?"


@dataclass(frozen=True)
class Recording:
    """An original recording kept in the station folder."""

    ref: str  # "<sha256>.<ext>": what a message stores
    path: Path
    kind: str
    duration_s: float
    size: int
    created: bool  # this call wrote the file (it was not kept before)


def folder(media_dir: Path) -> Path:
    return media_dir / FOLDER


def is_ref(text: str | None) -> bool:
    """Whether `text` names a kept recording ("<sha256>.<ext>"), never a path."""
    from loa.content.fields import AUDIO_REF

    return bool(text) and AUDIO_REF.match(str(text)) is not None


def recording_path(media_dir: Path, ref: str) -> Path:
    """Where the original of `ref` is kept. Raises UserError for a value that is no ref."""
    if not is_ref(ref):
        raise UserError(T("missing", path=ref))
    return folder(media_dir) / ref


def _megabytes(size: int) -> str:
    return f"{size / 2**20:.1f}".replace(".", ",")


def check(path: Path, *, name: str | None = None) -> tuple[str, Probe]:
    """Check a file before anything is kept: its size, its content (not its name) and its length.
    Returns its kind and what ffmpeg says of it. Raises UserError in Vietnamese."""
    label = name or path.name
    if not path.is_file():
        raise UserError(T("missing", path=path))
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise UserError(T("too_big", name=label, size=_megabytes(size), limit=MAX_BYTES // 2**20))
    with open(path, "rb") as fh:
        head = fh.read(16)
    kind = sniff(head)
    if kind is None:
        raise UserError(T("not_audio", name=label))
    found = probe(path)
    expected = KINDS[kind][1]
    if not any(word in found.container.split(",") for word in expected):
        raise UserError(T("not_audio", name=label))
    if found.codec is None:
        raise UserError(T("no_sound", name=label))
    if found.duration_s is not None and found.duration_s > MAX_SECONDS:
        raise UserError(_too_long(label, found.duration_s))
    return kind, found


def _too_long(label: str, seconds: float) -> str:
    return T("too_long", name=label, minutes=round(seconds / 60), limit=MAX_SECONDS // 60)


def _ffmpeg_pcm(args: list[str], stdin: bytes | None, label: str) -> np.ndarray:
    from loa.audio.ffmpeg import ffmpeg_exe

    cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin", *args]
    done = subprocess.run(cmd, input=stdin, capture_output=True, check=False)
    if done.returncode != 0 or not done.stdout:
        error = _last_error(done.stderr.decode("utf-8", "replace"))
        log.info("ffmpeg could not decode %s: %s", label, error)
        raise UserError(T("no_sound", name=label))
    return np.frombuffer(done.stdout, dtype="<f4").astype(np.float32)


def noise_floor_db(samples: np.ndarray, rate: int) -> float:
    """The recording's noise floor in dBFS: the level of its quietest 20 ms frames (the 10th
    percentile: room tone in the pauses between words)."""
    frame = max(int(rate * 0.02), 1)
    count = len(samples) // frame
    if count == 0:
        return -120.0
    rms = np.sqrt(np.mean(samples[: count * frame].reshape(count, frame) ** 2, axis=1))
    return float(20 * np.log10(max(float(np.percentile(rms, 10)), 1e-6)))


def decode_recording(path: Path, rate: int, *, name: str | None = None) -> np.ndarray:
    """The recording as mono float32 at `rate`, rumble filtered and gently denoised (afftdn
    with the noise floor measured on the recording itself), at most MAX_SECONDS and a second (a
    longer one is refused by the caller). Raises UserError."""
    label = name or path.name
    raw = _ffmpeg_pcm(
        [
            *("-i", str(path), "-t", str(MAX_SECONDS + 1), "-vn", "-ac", "1", "-ar", str(rate)),
            *("-af", f"highpass=f={RUMBLE_HZ}", "-f", "f32le", "pipe:1"),
        ],
        None,
        label,
    )
    floor = noise_floor_db(raw, rate)
    if floor < DENOISE_BELOW_DB:
        return raw  # a clean recording: nothing to take away
    nf = round(min(max(floor, -80.0), -20.0))
    return _ffmpeg_pcm(
        [
            *("-f", "f32le", "-ar", str(rate), "-ac", "1", "-i", "pipe:0"),
            *("-af", f"afftdn=nr={DENOISE_DB}:nf={nf}", "-f", "f32le", "pipe:1"),
        ],
        raw.tobytes(),
        label,
    )


def master_recording(samples: np.ndarray, rate: int, m: Mastering) -> Finished:
    """The horn master of decoded samples: silence trimmed at both ends, then the chain of
    synthetic speech (`loa.audio.mastering.mastered`: high-pass, loudness, compression, true
    peak), at `m.sample_rate`."""
    from loa.audio.mastering import mastered, trim

    return mastered(trim(samples, rate, TRIM_DB, TRIM_PAD_MS), rate, m)


def clip_key(ref: str, m: Mastering) -> str:
    return content_key("recording", ref.split(".")[0], RECORDING_VERSION, m.key())


def _put(cache: ClipCache, ref: str, done: Finished, m: Mastering) -> Clip:
    return cache.put(
        clip_key(ref, m),
        done.samples,
        m.sample_rate,
        engine="recording",
        voice="",
        text=ref,
        missed=None if done.converged else (done.loudness_lufs, done.target_lufs),
    )


def keep(
    media_dir: Path,
    source: Path,
    m: Mastering,
    *,
    name: str | None = None,
    cache: ClipCache | None = None,
) -> tuple[Recording, Clip]:
    """Check `source`, master it, and keep the original once in the station folder (written
    atomically; the same content twice is one file) with its mastered clip in the cache.

    Nothing is written when the file is refused (UserError in Vietnamese: not a recording,
    over MAX_BYTES or MAX_SECONDS, only silence)."""
    from loa.audio.mastering import SILENCE_LUFS, loudness
    from loa.core.fileio import atomic_write_bytes

    label = name or source.name
    kind, _found = check(source, name=label)
    rate = m.sample_rate
    samples = decode_recording(source, rate, name=label)
    seconds = len(samples) / rate
    if seconds > MAX_SECONDS:
        raise UserError(_too_long(label, seconds))
    if loudness(samples, rate) <= SILENCE_LUFS or not np.any(np.abs(samples) > 1e-4):
        raise UserError(T("silent", name=label))
    done = master_recording(samples, rate, m)
    data = source.read_bytes()
    ref = f"{hashlib.sha256(data).hexdigest()}{KINDS[kind][0]}"
    target = folder(media_dir) / ref
    created = not target.is_file()
    if created:
        atomic_write_bytes(target, data)
    cache = cache or ClipCache(media_dir / "cache")
    clip = _put(cache, ref, done, m)
    return Recording(ref, target, kind, round(seconds, 3), len(data), created), clip


def recording_clip(media_dir: Path, ref: str, m: Mastering, cache: ClipCache) -> Clip:
    """The mastered clip of a kept recording: from the cache, else mastered again from the
    original (after a change of the mastering settings). Raises UserError when the original
    is gone."""
    cached = cache.get(clip_key(ref, m))
    if cached is not None:
        return cached
    path = recording_path(media_dir, ref)
    if not path.is_file():
        raise UserError(T("missing", path=path))
    samples = decode_recording(path, m.sample_rate)
    return _put(cache, ref, master_recording(samples, m.sample_rate, m), m)


def forget(recording: Recording) -> None:
    """Remove an original this process has just kept (its message could not be saved)."""
    if recording.created:
        recording.path.unlink(missing_ok=True)
