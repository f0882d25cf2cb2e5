"""Spoken clips: normalise, chunk, synthesise through the engine chain, master, cache.

`Speaker` is the reusable part (one per station and process); `message_clip` and `say` are the
entry points other areas call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from loa.audio.cache import Clip, ClipCache, content_key
from loa.audio.engines import (
    Engine,
    EngineOptions,
    EngineUnavailable,
    QuotaExhausted,
    VoiceError,
    engine_class,
    engines,
)
from loa.audio.settings import REFERENCE_PACE, AudioSettings, audio_settings
from loa.core.errors import RuntimeFailure, UserError
from loa.core.i18n import Catalog

if TYPE_CHECKING:
    from loa.audio.mastering import Finished
    from loa.core.station import Station

T = Catalog(
    {
        "empty": (
            "Không có gì để đọc: văn bản trống (hoặc chỉ có dấu câu) sau khi chuẩn hoá.",
            "Nothing to speak: the text is empty (or only punctuation) after normalising.",
        ),
        "no_speech": (
            'Tin số {id} ("{title}") không có nội dung để đọc. Thêm nội dung hoặc kịch bản phát '
            "thanh (radio_script) cho tin.",
            'Message {id} ("{title}") has no text to speak. Add a body or a radio script.',
        ),
        "fell_back": (
            "Không dùng được bộ đọc {engine}: {reason} → chuyển sang {next}.",
            "Engine {engine} could not be used: {reason} → falling back to {next}.",
        ),
        "all_failed": (
            "Không bộ đọc nào đọc được: {reasons}. Kiểm tra mục audio trong loa.toml "
            "(engine, fallback) hoặc chạy: loa voices",
            "No engine could speak: {reasons}. Check the audio section of loa.toml (engine, fallback) "
            "or run: loa voices",
        ),
        "silent_output": (
            'Bộ đọc {engine} không tạo ra âm thanh cho đoạn: "{text}".',
            'Engine {engine} produced no audio for: "{text}".',
        ),
    }
)


@dataclass
class Speech:
    """The result of speaking one text: the clip and how it was made.

    `fallback` says why the engine asked for first (`wanted`) did not speak it ("" when it did);
    `quota` is true when that was a spent quota or a rate limit.
    """

    clip: Clip
    notes: list[str] = field(default_factory=list)
    wanted: str = ""
    fallback: str = ""
    quota: bool = False


def split_voice(voice: str | None, engine: str | None = None) -> tuple[str | None, str | None]:
    """(engine, voice) of a voice given as "engine:voice" (e.g. "fpt:lannhi") or as a plain
    voice of `engine` (None: the station's engine)."""
    if voice and ":" in voice:
        head, rest = voice.split(":", 1)
        if head.strip() in engines():
            return head.strip(), rest.strip() or None
    return engine, voice or None


def normalise_text(text: str, dictionary: Any = None) -> str:
    """The spoken form of `text` through the content area's Vietnamese speech normaliser."""
    from loa.content.normalize import normalize

    return normalize(text, dictionary).strip()


def _speakable(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


class Speaker:
    """Speaks text for one station: engine chain with fallback, mastering and the clip cache.

    An engine that fails once is skipped for the rest of this speaker's life, so an offline
    morning costs one timeout, not one per clip.
    """

    def __init__(
        self, root: Path, settings: AudioSettings, cache: ClipCache, dictionary: Any = None
    ) -> None:
        self.root = root
        self.settings = settings
        self.cache = cache
        self.dictionary = dictionary
        self._engines: dict[str, Engine] = {}
        self._spoken: dict[str, str] = {}
        self.down: dict[str, str] = {}  # engine name -> why it failed in this run
        self.quota: set[str] = set()  # engines whose quota ran out in this run

    @classmethod
    def for_station(cls, station: Station, **overrides: Any) -> Speaker:
        from loa.content.normalize import station_dictionary

        settings = audio_settings(station, **overrides)
        return cls(
            station.root,
            settings,
            ClipCache(station.media_dir / "cache"),
            station_dictionary(station),
        )

    def engine(self, name: str) -> Engine:
        if name not in self._engines:
            options = EngineOptions(root=self.root, settings=self.settings.engine_settings)
            self._engines[name] = engine_class(name)(options)
        return self._engines[name]

    def rate(self, rate: float | None = None) -> float:
        """The rate an engine is given: `rate` (a message's own; default the station's
        [audio] rate) times the station's pace relative to REFERENCE_PACE."""
        if rate is None:
            return self.settings.speaking_rate
        return float(rate) * self.settings.pace / REFERENCE_PACE

    def _key(self, spoken: str, engine: Engine, voice: str, rate: float | None = None) -> str:
        s, m = self.settings, self.settings.mastering
        return content_key(
            "clip",
            spoken,
            engine.identity(voice),
            self.rate(rate),
            m.key(),
            s.sentence_pause_ms,
            s.phrase_pause_ms,
        )

    def spoken(self, text: str) -> str:
        """The normalised spoken form of `text` (remembered: bulletins repeat messages)."""
        if text not in self._spoken:
            self._spoken[text] = normalise_text(text, self.dictionary)
        return self._spoken[text]

    def keys(
        self,
        text: str,
        engine: str | None = None,
        *,
        voice: str | None = None,
        rate: float | None = None,
    ) -> list[str]:
        """Cache keys this text could have, one per usable engine of the chain, the engine
        asked for first (no synthesis)."""
        engine, voice = split_voice(voice, engine)
        spoken = self.spoken(text)
        chain = self.settings.chain(engine)
        out = []
        for name in chain:
            try:
                eng = self.engine(name)
                wanted = voice if (voice and name == chain[0]) else self.settings.voice_for(name)
                out.append(self._key(spoken, eng, eng.resolve_voice(wanted), rate))
            except (EngineUnavailable, VoiceError):
                continue
        return out

    def speak(
        self,
        text: str,
        *,
        engine: str | None = None,
        voice: str | None = None,
        rate: float | None = None,
    ) -> Speech:
        """A mastered, cached clip of `text`, from the first engine of the chain that works.

        `voice` may name its engine ("fpt:lannhi"); `rate` replaces the station's [audio] rate
        (a message's own voice and rate). Raises UserError for text with nothing to speak,
        RuntimeFailure when every engine fails (UserError when every failure was a
        configuration mistake such as a non-Vietnamese voice).
        """
        engine, voice = split_voice(voice, engine)
        spoken = self.spoken(text)
        if not _speakable(spoken):
            raise UserError(T("empty"))
        chain = self.settings.chain(engine)
        notes: list[str] = []
        failures: list[tuple[str, Exception]] = []

        def result(clip: Clip) -> Speech:
            first = failures[0] if failures and failures[0][0] == chain[0] else None
            return Speech(
                clip,
                notes,
                wanted=chain[0],
                fallback=str(first[1]) if first else "",
                quota=chain[0] in self.quota,
            )

        for index, name in enumerate(chain):
            nxt = chain[index + 1] if index + 1 < len(chain) else "-"
            if name in self.down:
                notes.append(T("fell_back", engine=name, reason=self.down[name], next=nxt))
                failures.append((name, EngineUnavailable(self.down[name])))
                continue
            try:
                eng = self.engine(name)
                wanted = voice if (voice and name == chain[0]) else self.settings.voice_for(name)
                chosen = eng.resolve_voice(wanted)
                key = self._key(spoken, eng, chosen, rate)
                cached = self.cache.get(key)
                if cached is not None:
                    if cached.mastering_note:
                        notes.append(cached.mastering_note)
                    cached.notes = notes
                    return result(cached)
                done = self._synthesise(eng, chosen, spoken, self.rate(rate))
            except (EngineUnavailable, VoiceError) as exc:
                self.down[name] = str(exc)
                if isinstance(exc, QuotaExhausted):
                    self.quota.add(name)
                failures.append((name, exc))
                notes.append(T("fell_back", engine=name, reason=exc, next=nxt))
                continue
            if done.note:
                notes.append(done.note)
            clip = self.cache.put(
                key,
                done.samples,
                self.settings.mastering.sample_rate,
                engine=name,
                voice=chosen,
                text=spoken,
                notes=notes,
                missed=None if done.converged else (done.loudness_lufs, done.target_lufs),
            )
            return result(clip)
        reasons = "; ".join(f"{name}: {str(exc).rstrip('.')}" for name, exc in failures)
        if failures and all(isinstance(exc, VoiceError) for _, exc in failures):
            raise UserError(T("all_failed", reasons=reasons))
        raise RuntimeFailure(T("all_failed", reasons=reasons))

    def _synthesise(self, engine: Engine, voice: str, spoken: str, speed: float) -> Finished:
        """Chunk, speak, trim, join with pauses and master one text (with how close its
        loudness came to the target)."""
        from loa.audio import mastering
        from loa.audio.chunking import chunk_text

        s = self.settings
        sentences: list[np.ndarray] = []
        rate = 0
        for phrases in chunk_text(spoken, engine.max_chars):
            parts = []
            for phrase in phrases:
                speech = engine.synthesize(phrase, voice, speed)
                if rate and speech.sample_rate != rate:
                    speech.samples = mastering.resample(speech.samples, speech.sample_rate, rate)
                rate = rate or speech.sample_rate
                if len(speech.samples):
                    parts.append(mastering.trim(speech.samples, rate))
            if parts:
                sentences.append(mastering.join(parts, s.phrase_pause_ms / 1000, rate))
        if not sentences or not any(len(p) for p in sentences):
            raise EngineUnavailable(T("silent_output", engine=engine.name, text=spoken[:60]))
        joined = mastering.join(sentences, s.sentence_pause_ms / 1000, rate)
        return mastering.mastered(joined, rate, s.mastering)


def message_clip(station: Station, message: Any, *, speaker: Speaker | None = None) -> Clip:
    """The cached, mastered clip of one message: its own recording when it has one, else its
    spoken text (radio script, else title + body).

    Raises UserError when the message has nothing to speak (or its recording is gone).
    """
    if getattr(message, "audio", None):
        from loa.audio.recording import T as RECORDING
        from loa.audio.recording import recording_clip

        speaker = speaker or Speaker.for_station(station)
        try:
            return recording_clip(
                station.media_dir, message.audio, speaker.settings.mastering, speaker.cache
            )
        except UserError:
            raise UserError(RECORDING("lost", id=message.id, path=message.audio)) from None
    text = message.spoken_text
    if not _speakable(text):
        raise UserError(T("no_speech", id=message.id, title=message.title))
    speaker = speaker or Speaker.for_station(station)
    return speaker.speak(text).clip


def message_mp3(station: Station, message: Any) -> Path:
    """The message's clip as a cached MP3 (station bitrate, no tags), e.g. for a podcast feed."""
    from loa.audio.bulletin import clip_segment, segment_path

    speaker = Speaker.for_station(station)
    clip = message_clip(station, message, speaker=speaker)
    clip_segment(clip, speaker.settings)
    return segment_path(clip, speaker.settings)


def export_clip(
    clip: Clip, dest: Path, settings: AudioSettings, *, tags: dict[str, str] | None = None
) -> Path:
    """Write a cached clip as MP3 (tagged) or WAV, by `dest`'s suffix, atomically."""
    from loa.audio.ffmpeg import read_wav, write_wav

    samples, rate = read_wav(clip.path)
    if dest.suffix.lower() == ".wav":
        write_wav(dest, samples, rate)
    else:
        from loa.audio.bulletin import write_master_mp3

        write_master_mp3(dest, samples, rate, settings, tags=tags or {})
    return dest


def say(
    station: Station,
    text: str | None = None,
    *,
    message_id: int | None = None,
    output: Path,
    engine: str | None = None,
    voice: str | None = None,
) -> Speech:
    """Speak `text` (or message `message_id`) into `output` (.mp3 or .wav). Library form of `loa say`.

    Raises UserError for empty text or an unknown message, RuntimeFailure when no engine works.
    """
    from loa.content.queue import get_message

    if message_id is not None:
        with station.transaction() as session:
            message = get_message(session, message_id)
            text = message.spoken_text
            if not _speakable(text):
                raise UserError(T("no_speech", id=message.id, title=message.title))
    speaker = Speaker.for_station(station, engine=engine)
    speech = speaker.speak(text or "", engine=engine, voice=voice)
    export_clip(
        speech.clip,
        output,
        speaker.settings,
        tags={"title": (text or "")[:80], "artist": station.name},
    )
    return speech
