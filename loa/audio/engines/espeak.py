"""The embedded offline voice: the espeak-ng library and its Vietnamese data from espeakng-loader."""

from __future__ import annotations

import ctypes
import threading
from dataclasses import dataclass, replace
from functools import cache
from typing import Any, ClassVar

import numpy as np

from loa.audio import tones
from loa.audio.engines.base import Engine, EngineUnavailable, Speech, Voice
from loa.core.i18n import Catalog

T = Catalog(
    {
        "no_lib": (
            "Không nạp được thư viện espeak-ng ({error}). Cài lại bằng: pip install espeakng-loader",
            "Could not load the espeak-ng library ({error}). Reinstall it: pip install espeakng-loader",
        ),
        "synth": (
            "espeak-ng không đọc được đoạn văn bản (mã lỗi {code}).",
            "espeak-ng could not speak the text (error code {code}).",
        ),
    }
)


@dataclass(frozen=True)
class Tuning:
    """espeak-ng's pitch parameters for one voice (0-100; espeak-ng's own default is 50/50).

    Set on every call: espeak-ng keeps them across `espeak_SetVoiceByName`, so a voice would
    otherwise speak with whatever the previous one left.
    """

    pitch: int = 50  # base pitch
    range: int = 50  # how far the pitch moves: the tone contours scale with it
    wpm: int = 132  # espeak "words" per minute that give REFERENCE_PACE syllables per minute
    # each syllable's pitch reshaped to its tone's canonical contour (loa.audio.tones, PSOLA)
    reshape: bool = False


RAW = Tuning()  # espeak-ng's defaults (the baseline benchmarks/voice.py compares against)

# Measured with benchmarks/voice.py (six-tone set "ma mà má mả mã mạ", Praat pitch tracks,
# RMS distance between time-normalised contours in semitones; target: median >= 3.5 st and no
# pair under 1.0 st). Raw 50/50: northern median 2.2 st (hỏi-nặng 0.8), southern 1.8 (huyền-nặng
# 0.6). Tuned: northern 40/80 -> 4.6 st (hỏi-nặng 1.9), southern 45/100 -> 3.9 st (ngang-hỏi
# 1.2). A lower base pitch leaves room for the wider range. Net of pauses espeak-ng speaks
# about 1.55 Vietnamese syllables per "word" per minute (north; 1.5 south).
TUNING = {
    "vi": Tuning(pitch=40, range=80, wpm=132),
    "vi-vn-x-south": Tuning(pitch=45, range=100, wpm=139),
    # No pitch setting separates its own tones (best: 50/100, median 2.7 st, sắc-hỏi 0.45 st),
    # so its syllables are reshaped to their tones' contours (PSOLA): 70/100 reshaped gives
    # median 4.0 st, closest pair 1.6 st. Without reshaping (tone_reshape = false) it is not
    # offered (below).
    "vi-vn-x-central": Tuning(pitch=70, range=100, wpm=137, reshape=True),
}
#: Why the central voice is not offered when its tones are not reshaped (vi, en).
CENTRAL_WITHHELD = (
    "không dùng làm giọng vùng miền khi tắt chỉnh thanh điệu (tone_reshape = false): thanh "
    "điệu không phân biệt rõ (trung vị 2,7 nửa cung, sắc và hỏi cách 0,45; cần ≥ 3,5 và "
    "không cặp nào < 1,0)",
    "not offered as a dialect voice with tone reshaping off (tone_reshape = false): its tones "
    "are not told apart (median 2.7 semitones, sắc-hỏi 0.45; needs >= 3.5 and no pair < 1.0)",
)

VOICES = (
    Voice("vi", "Tiếng Việt giọng Bắc", "Vietnamese, northern", region="north", gender="male"),
    Voice(
        "vi-vn-x-south",
        "Tiếng Việt giọng Nam (Sài Gòn)",
        "Vietnamese, southern (Sài Gòn)",
        region="south",
        gender="male",
    ),
    Voice(
        "vi-vn-x-central",
        "Tiếng Việt giọng Trung (Huế)",
        "Vietnamese, central (Huế)",
        region="central",
        gender="male",
    ),
)
ALIASES = {
    "north": "vi",
    "bac": "vi",
    "bắc": "vi",
    "vi-vn": "vi",
    "central": "vi-vn-x-central",
    "trung": "vi-vn-x-central",
    "south": "vi-vn-x-south",
    "nam": "vi-vn-x-south",
}
# Rate 1.0 = REFERENCE_PACE syllables per minute net of pauses. Measured (benchmarks/voice.py):
# the old 165 "calm" words per minute gave about 250 syllables per minute net of pauses
# (229 counting espeak-ng's own pauses); 128 gives about 200, a pace that carries on outdoor horns.
BASE_WPM = TUNING["vi"].wpm

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_ESPEAK_INITIALIZE_DONT_EXIT = 0x8000
_ESPEAK_RATE = 1
_ESPEAK_PITCH = 3
_ESPEAK_RANGE = 4
_ESPEAK_CHARS_UTF8 = 1
_EVENT_LIST_TERMINATED = 0
_EVENT_WORD = 1


class _Event(ctypes.Structure):
    """espeak_EVENT (speak_lib.h): the callback's events end with type LIST_TERMINATED."""

    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),  # milliseconds from the start of the text
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", ctypes.c_char * 8),
    ]


_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event)
)


class _Library:
    """The process-wide espeak-ng instance (the C library keeps global state: one user at a time)."""

    _instance: ClassVar[_Library | None] = None
    _create_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self) -> None:
        self._chunks: list[np.ndarray] = []
        self._words: list[tuple[int, int, float]] = []
        self.words: list[tuple[int, int, float]] = []
        # Keep a reference: ctypes frees the trampoline when the Python object dies.
        self._callback = _CALLBACK(self._collect)
        self.lock = threading.Lock()
        self._used = False
        self.lib: Any = self._load()
        self.version = (self.lib.espeak_Info(None) or b"?").decode()

    def _load(self) -> Any:
        """Load espeak-ng afresh: a pristine copy of its static state (see `speak`)."""
        import espeakng_loader

        lib: Any = ctypes.CDLL(espeakng_loader.get_library_path())
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_Synth.argtypes = [
            ctypes.c_char_p,
            ctypes.c_size_t,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.c_void_p,
            ctypes.c_void_p,
        ]
        lib.espeak_Info.restype = ctypes.c_char_p
        lib.espeak_Info.argtypes = [ctypes.c_void_p]
        data = espeakng_loader.get_data_path().encode()
        self.sample_rate = int(
            lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, data, _ESPEAK_INITIALIZE_DONT_EXIT)
        )
        if self.sample_rate <= 0:
            raise OSError(f"espeak_Initialize returned {self.sample_rate}")
        lib.espeak_SetSynthCallback(self._callback)
        self._used = False
        return lib

    def _reload(self) -> None:
        """Unload and load the library again. espeak-ng keeps state across calls in static
        variables that espeak_Terminate/espeak_Initialize do not reset (the pitch flutter's
        phase, the wave generator's buffers): the same text came out a few samples longer or
        shorter depending on what the process had spoken before, so a clip depended on which
        worker made it. A library that is unloaded (dlclose) and loaded again starts pristine;
        it takes under a millisecond."""
        import _ctypes

        self.lib.espeak_Terminate()
        handle = self.lib._handle
        self.lib = None
        _ctypes.dlclose(handle)
        self.lib = self._load()

    def _collect(self, wav: Any, count: int, events: Any) -> int:
        if count > 0 and wav:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
        if events:
            index = 0
            while events[index].type != _EVENT_LIST_TERMINATED:
                event = events[index]
                if event.type == _EVENT_WORD:
                    self._words.append(
                        (event.text_position, event.length, event.audio_position / 1000)
                    )
                index += 1
        return 0

    @classmethod
    def get(cls) -> _Library:
        with cls._create_lock:
            if cls._instance is None:
                try:
                    cls._instance = cls()
                except (OSError, ImportError, AttributeError) as exc:
                    raise EngineUnavailable(T("no_lib", error=exc)) from None
            return cls._instance

    def speak(self, text: str, voice: str, wpm: int, tuning: Tuning = RAW) -> np.ndarray:
        """16-bit samples of `text`, spoken by a pristine library (the same text, voice and
        settings give the same samples whatever was spoken before, in any process)."""
        data = text.encode("utf-8")
        with self.lock:
            if self._used:
                self._reload()
            self._used = True
            self._chunks, self._words = [], []
            self.lib.espeak_SetVoiceByName(voice.encode())
            self.lib.espeak_SetParameter(_ESPEAK_RATE, wpm, 0)
            self.lib.espeak_SetParameter(_ESPEAK_PITCH, tuning.pitch, 0)
            self.lib.espeak_SetParameter(_ESPEAK_RANGE, tuning.range, 0)
            code = self.lib.espeak_Synth(
                data, len(data) + 1, 0, 0, 0, _ESPEAK_CHARS_UTF8, None, None
            )
            self.lib.espeak_Synchronize()
            chunks, self._chunks = self._chunks, []
            self.words = self._words  # (text position, length, start s) of the last text
        if code != 0:
            raise EngineUnavailable(T("synth", code=code))
        if not chunks:
            return np.zeros(0, dtype=np.int16)
        return np.concatenate(chunks)


@cache
def _build() -> str:
    """The espeakng-loader version: names the library and data build without loading them."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("espeakng-loader")
    except PackageNotFoundError:
        return "?"


class EspeakEngine(Engine):
    """espeak-ng through ctypes: offline, no download, ~600x faster than real time."""

    name = "espeak"
    online = False
    max_chars = 600
    description = (
        "espeak-ng, có sẵn, không cần mạng (giọng Bắc, Trung, Nam)",
        "espeak-ng, built in, offline (northern, central, southern voices)",
    )

    @property
    def reshaping(self) -> bool:
        """Whether voices tuned for it get their tones reshaped ([audio] tone_reshape, and
        praat-parselmouth installed)."""
        return bool(self.options.settings.get("tone_reshape", True)) and tones.available()

    def voices(self) -> list[Voice]:
        if self.reshaping:
            return list(VOICES)
        return [
            replace(v, withheld=CENTRAL_WITHHELD) if TUNING[v.id].reshape else v for v in VOICES
        ]

    def resolve_voice(self, voice: str | None) -> str:
        key = (voice or "").strip()
        return super().resolve_voice(ALIASES.get(key.lower(), key) or None)

    def _reshapes(self, voice: str) -> bool:
        return self.reshaping and TUNING.get(voice, RAW).reshape

    def identity(self, voice: str) -> str:
        t = TUNING.get(voice, RAW)
        shaped = f":{tones.VERSION}" if self._reshapes(voice) else ""
        return f"espeak:{_build()}:{voice}:p{t.pitch}r{t.range}w{t.wpm}{shaped}"

    def synthesize(self, text: str, voice: str, rate: float) -> Speech:
        library = _Library.get()
        tuning = TUNING.get(voice, RAW)
        wpm = round(min(max(tuning.wpm * rate, 80), 450))
        pcm = library.speak(text, voice, wpm, tuning)
        samples = pcm.astype(np.float32) / 32768.0
        if self._reshapes(voice):
            rate_hz = library.sample_rate
            spans = tones.syllable_spans(text, library.words, len(samples) / rate_hz)
            samples = tones.reshape(samples, rate_hz, spans)
        return Speech(samples, library.sample_rate)
