"""The ffmpeg that imageio-ffmpeg installs: decoding to arrays and MP3/WAV export through pydub.

pydub looks for a system ffmpeg (and ffprobe) by default; loa never relies on either. Decoding
goes straight through the bundled ffmpeg with the format stated, and exports go through pydub
with its converter pointed at the bundled binary.
"""

from __future__ import annotations

import io
import os
import subprocess
import warnings
import wave
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from loa.core.errors import RuntimeFailure, UserError
from loa.core.fileio import atomic_write_bytes, temp_path_for
from loa.core.i18n import Catalog

T = Catalog(
    {
        "no_ffmpeg": (
            "Không tìm thấy ffmpeg đi kèm gói imageio-ffmpeg ({error}). "
            "Cài lại bằng: pip install --force-reinstall imageio-ffmpeg",
            "The ffmpeg bundled with imageio-ffmpeg was not found ({error}). "
            "Reinstall it with: pip install --force-reinstall imageio-ffmpeg",
        ),
        "decode": (
            "Không đọc được tệp âm thanh {path}: {error}. Kiểm tra tệp có phải MP3/WAV hợp lệ không.",
            "Could not read the audio file {path}: {error}. Check that it is a valid MP3/WAV file.",
        ),
        "missing": (
            "Không có tệp âm thanh {path}. Sửa đường dẫn trong loa.toml hoặc đặt tệp vào đó.",
            "The audio file {path} does not exist. Fix the path in loa.toml or put the file there.",
        ),
        "encode": (
            "ffmpeg không ghi được {path}: {error}. Kiểm tra dung lượng đĩa và quyền ghi.",
            "ffmpeg could not write {path}: {error}. Check the disk space and write permission.",
        ),
    }
)


@cache
def ffmpeg_exe() -> str:
    """Path of the bundled ffmpeg binary. Raises RuntimeFailure when it is missing."""
    try:
        import imageio_ffmpeg

        return str(imageio_ffmpeg.get_ffmpeg_exe())
    except Exception as exc:  # imageio raises RuntimeError or OSError variants
        raise RuntimeFailure(T("no_ffmpeg", error=exc)) from None


def audio_segment_class() -> Any:
    """pydub's AudioSegment with its converter set to the bundled ffmpeg (no system lookup)."""
    with warnings.catch_warnings():
        # pydub warns at import time that no system ffmpeg exists; we never use one.
        warnings.simplefilter("ignore", RuntimeWarning)
        from pydub import AudioSegment
    AudioSegment.converter = ffmpeg_exe()
    return AudioSegment


def decode(source: Path | bytes, *, sample_rate: int, fmt: str | None = None) -> np.ndarray:
    """Decode an audio file or MP3/WAV bytes to mono float32 samples at `sample_rate`.

    Raises UserError for a missing or unreadable file, RuntimeFailure when ffmpeg is missing.
    """
    cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin"]
    if fmt:
        cmd += ["-f", fmt]
    stdin: bytes | None
    if isinstance(source, Path):
        if not source.is_file():
            raise UserError(T("missing", path=source))
        cmd += ["-i", str(source)]
        stdin = None
        label: object = source
    else:
        cmd += ["-i", "pipe:0"]
        stdin = source
        label = "<bytes>"
    cmd += ["-ac", "1", "-ar", str(sample_rate), "-f", "f32le", "pipe:1"]
    proc = subprocess.run(cmd, input=stdin, capture_output=True, check=False)
    if proc.returncode != 0:
        error = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["?"]
        raise UserError(T("decode", path=label, error=error[0]))
    return np.frombuffer(proc.stdout, dtype="<f4").astype(np.float32)


def to_int16(samples: np.ndarray) -> np.ndarray:
    return np.asarray((np.clip(samples, -1.0, 1.0) * 32767.0).round(), dtype="<i2")


def wav_bytes(samples: np.ndarray, sample_rate: int) -> bytes:
    """16-bit mono PCM WAV bytes."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(to_int16(samples).tobytes())
    return buf.getvalue()


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """Read a 16-bit mono WAV written by `wav_bytes` (no ffmpeg needed)."""
    with wave.open(str(path), "rb") as w:
        rate = w.getframerate()
        channels = w.getnchannels()
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    if channels > 1:
        data = data.reshape(-1, channels).mean(axis=1)
    return (data.astype(np.float32) / 32767.0), rate


def write_wav(path: Path, samples: np.ndarray, sample_rate: int) -> None:
    """Write a WAV atomically."""
    atomic_write_bytes(path, wav_bytes(samples, sample_rate))


def write_mp3(
    path: Path,
    samples: np.ndarray,
    sample_rate: int,
    *,
    bitrate_kbps: int = 128,
    quality: int = 5,
    tags: Mapping[str, str] | None = None,
) -> None:
    """Encode mono samples to an MP3 with ID3v2.3 tags, atomically (temp file, then rename).

    `quality` is LAME's algorithm quality (0 best and slowest, 9 fastest); 5 is indistinguishable
    from the default for speech on horn loudspeakers and encodes about twice as fast.

    Raises RuntimeFailure when ffmpeg fails.
    """
    segment_cls = audio_segment_class()
    segment = segment_cls(
        data=to_int16(samples).tobytes(), sample_width=2, frame_rate=sample_rate, channels=1
    )
    tmp = temp_path_for(path)
    try:
        handle = segment.export(
            str(tmp),
            format="mp3",
            codec="libmp3lame",
            bitrate=f"{bitrate_kbps}k",
            tags=dict(tags or {}),
            id3v2_version="3",
            parameters=["-ac", "1", "-ar", str(sample_rate), "-compression_level", str(quality)],
        )
        handle.close()
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except Exception as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, RuntimeFailure):
            raise
        raise RuntimeFailure(T("encode", path=path, error=str(exc).strip()[-300:])) from None


def encode_mp3_frames(
    samples: np.ndarray, sample_rate: int, *, bitrate_kbps: int = 128, quality: int = 5
) -> bytes:
    """Bare MP3 frames (no ID3 tag, no Xing header) through pydub: segments that can be joined
    byte for byte, since every LAME stream starts with an empty bit reservoir."""
    segment_cls = audio_segment_class()
    segment = segment_cls(
        data=to_int16(samples).tobytes(), sample_width=2, frame_rate=sample_rate, channels=1
    )
    buf = io.BytesIO()
    try:
        segment.export(
            buf,
            format="mp3",
            codec="libmp3lame",
            bitrate=f"{bitrate_kbps}k",
            parameters=[
                "-ac",
                "1",
                "-ar",
                str(sample_rate),
                "-compression_level",
                str(quality),
                "-write_xing",
                "0",
                "-id3v2_version",
                "0",
                "-write_id3v1",
                "0",
            ],
        )
    except Exception as exc:
        raise RuntimeFailure(T("encode", path="<mp3>", error=str(exc).strip()[-300:])) from None
    return buf.getvalue()


_BITRATES = {
    1: [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 0],  # MPEG-1 layer III
    2: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 0],  # MPEG-2/2.5 layer III
}
_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def audio_duration(path: Path) -> float:
    """Length of an audio file (MP3 with its tags, WAV) in seconds; 0.0 when it cannot be read."""
    try:
        import mutagen

        info = mutagen.File(str(path))
        return float(info.info.length) if info is not None else 0.0
    except Exception:  # a truncated or foreign file: unknown length, never a crash
        return 0.0


def mp3_duration(data: bytes) -> float:
    """Playing time of bare MP3 frames in memory (no tags: the segments loa joins), from the
    frame headers (layer III only). For a file on disk use `audio_duration`."""
    pos, samples, rate = 0, 0, 0
    size = len(data)
    while pos + 4 <= size:
        b1, b2, b3 = data[pos + 1], data[pos + 2], data[pos + 3]
        if data[pos] != 0xFF or (b1 & 0xE0) != 0xE0:
            pos += 1
            continue
        version = (b1 >> 3) & 0x03  # 3 = MPEG-1, 2 = MPEG-2, 0 = MPEG-2.5
        layer = (b1 >> 1) & 0x03
        bitrate_index, rate_index = b2 >> 4, (b2 >> 2) & 0x03
        if version == 1 or layer != 1 or rate_index == 3 or bitrate_index in (0, 15):
            pos += 1
            continue
        del b3
        rate = _RATES[version][rate_index]
        per_frame = 1152 if version == 3 else 576
        kbps = _BITRATES[1 if version == 3 else 2][bitrate_index]
        padding = (b2 >> 1) & 0x01
        length = (144 if version == 3 else 72) * kbps * 1000 // rate + padding
        samples += per_frame
        pos += length
    return samples / rate if rate else 0.0
