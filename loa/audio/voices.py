"""What `loa voices` shows: every engine's voices and whether each engine works right now."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from loa.audio.engines import EngineOptions, EngineUnavailable, VoiceError, engines
from loa.audio.settings import audio_settings
from loa.core.errors import UserError
from loa.core.i18n import Catalog

if TYPE_CHECKING:
    from loa.core.station import Station

CHECK_TIMEOUT_S = 5.0
VOICES_DIR = "voices"  # where `loa voices add` copies a voice, inside the station folder

T = Catalog(
    {
        "not_file": ("Không có tệp {path}.", "There is no file {path}."),
        "not_onnx": (
            "{path} không phải tệp giọng Piper: cần một tệp .onnx (mô hình ONNX) kèm tệp "
            ".onnx.json cạnh nó, ví dụ vi_VN-vais1000-medium.onnx.",
            "{path} is not a Piper voice: give an .onnx file (an ONNX model) with its .onnx.json "
            "beside it, e.g. vi_VN-vais1000-medium.onnx.",
        ),
        "unusable": (
            "Không dùng được giọng {path}: {reason}",
            "The voice {path} cannot be used: {reason}",
        ),
    }
)


@dataclass(frozen=True)
class AddedVoice:
    """A Piper voice copied into the station and set in loa.toml."""

    path: Path  # the copy inside the station
    setting: str  # the piper_voice value written to loa.toml
    checked: bool  # it spoke a test word (False: the loa[piper] extra is not installed)
    note: str = ""  # why it was not checked


def _looks_like_onnx(path: Path) -> bool:
    """An ONNX model is a protobuf ModelProto: it opens with field 1 (ir_version, a varint)."""
    with open(path, "rb") as fh:
        head = fh.read(2)
    return len(head) == 2 and head[0] == 0x08 and 0 < head[1] < 0x80


def add_piper_voice(station: Station, source: Path) -> AddedVoice:
    """Copy a Piper voice (`source` .onnx and its .onnx.json) into the station's voices folder,
    check that it is a Vietnamese voice that loads and speaks, and make it the station's engine
    (`engine = "piper"`, `piper_voice = ...` in [audio]; the fallback chain is kept).

    Nothing is downloaded. Raises UserError, naming the file and what is wrong, for a missing
    file, a file that is not an ONNX model, a missing or unreadable config, a voice for another
    language or a model that does not load; loa.toml is then left unchanged.
    """
    import shutil

    from loa.audio.engines import EngineNotInstalled, engine_class

    source = source.expanduser().resolve()
    if not source.is_file():
        raise UserError(T("not_file", path=source))
    if source.suffix.lower() != ".onnx" or not _looks_like_onnx(source):
        raise UserError(T("not_onnx", path=source))
    config = Path(f"{source}.json")
    if not config.is_file():
        raise UserError(T("not_onnx", path=source))
    folder = station.root / VOICES_DIR
    setting = f"{VOICES_DIR}/{source.name}"
    target = folder / source.name
    copied = target.resolve() != source
    engine = engine_class("piper")(
        EngineOptions(root=station.root, settings={"piper_voice": str(source)})
    )
    from loa.audio.engines.piper import _piper

    failure: str | None = None
    checked, note = False, ""
    try:
        engine.identity(str(source))  # reads the config: is it a Vietnamese voice?
        try:
            _piper()
        except EngineNotInstalled as exc:
            note = str(exc)
        else:
            failure, checked = engine.check(str(source)), True
    except (EngineUnavailable, VoiceError) as exc:
        failure = str(exc)
    if failure:
        raise UserError(T("unusable", path=source, reason=failure))
    if copied:
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        shutil.copyfile(config, Path(f"{target}.json"))
    _set_audio_keys(station, {"engine": "piper", "piper_voice": setting})
    return AddedVoice(target, setting, checked, note)


def _set_audio_keys(station: Station, values: dict[str, str]) -> None:
    """Set keys of [audio] in loa.toml, keeping its comments and layout (tomlkit)."""
    import tomllib

    import tomlkit

    from loa.core.fileio import atomic_write_text

    path = station.root / "loa.toml"
    document = tomlkit.parse(path.read_text(encoding="utf-8"))
    if "audio" not in document:
        document["audio"] = tomlkit.table()
    section: Any = document["audio"]
    for key, value in values.items():
        section[key] = value
    text = tomlkit.dumps(document)
    atomic_write_text(path, text)
    station.config = tomllib.loads(text)


def list_voices(station: Station, *, check: bool = True) -> tuple[list[dict[str, Any]], list[str]]:
    """Rows (engine, voice, label, online, works, reason, offered) and the station's engine chain.

    With `check`, each engine speaks a short word once (online engines with a short timeout).
    A voice that is not offered as a dialect voice (its tones measured too close together) has
    `offered` false and says why in its label.
    """
    settings = audio_settings(station)
    raw = _check_settings(station)
    rows: list[dict[str, Any]] = []
    for name, cls in engines().items():
        engine = cls(EngineOptions(root=station.root, settings=raw))
        works: bool | None = None
        reason = ""
        try:
            voice_list = engine.voices()
        except (EngineUnavailable, VoiceError) as exc:
            voice_list, reason, works = [], str(exc), False
        if check and works is None:
            try:
                failure = engine.check(settings.voice_for(name))
            except (EngineUnavailable, VoiceError) as exc:
                failure = str(exc)
            works, reason = failure is None, failure or ""
        if not voice_list:
            rows.append(
                {
                    "engine": name,
                    "voice": "-",
                    "label": engine.description_text(),
                    "online": cls.online,
                    "works": works,
                    "reason": reason,
                    "offered": True,
                    "region": "",
                    "gender": "",
                }
            )
        for index, voice in enumerate(voice_list):
            label = voice.label() if index else f"{voice.label()} ({engine.description_text()})"
            if not voice.offered:
                label = f"{label} — {voice.withheld_text()}"
            rows.append(
                {
                    "engine": name,
                    "voice": voice.id,
                    "label": label,
                    "online": cls.online,
                    "works": works,
                    "reason": reason,
                    "offered": voice.offered,
                    "region": voice.region_text(),
                    "gender": voice.gender_text(),
                }
            )
    return rows, settings.chain()


def _check_settings(station: Station) -> dict[str, Any]:
    """The station's engine settings with the online engines' timeouts cut for a check."""
    settings = audio_settings(station)
    raw = settings.engine_settings
    raw["gtts_timeout"] = min(settings.gtts_timeout or CHECK_TIMEOUT_S, CHECK_TIMEOUT_S)
    raw["cloud_timeout"] = min(settings.cloud_timeout or 3 * CHECK_TIMEOUT_S, 3 * CHECK_TIMEOUT_S)
    return raw


@dataclass(frozen=True)
class EngineCheck:
    """Whether one engine of the station's chain can speak right now."""

    engine: str
    voice: str
    online: bool
    works: bool
    reason: str = ""
    quota: bool = False


def check_chain(station: Station) -> tuple[list[EngineCheck], str | None]:
    """`loa voices check`: each engine of the station's chain speaks a short word now (the
    online ones with a short timeout). Returns the checks and the engine bulletins would be
    spoken by now (the first that works; None when none does)."""
    from loa.audio.engines import QuotaExhausted, engine_class

    settings = audio_settings(station)
    raw = _check_settings(station)
    checks: list[EngineCheck] = []
    for name in settings.chain():
        cls = engine_class(name)
        engine = cls(EngineOptions(root=station.root, settings=raw))
        voice = settings.voice_for(name) or ""
        try:
            voice = engine.resolve_voice(voice or None)
            speech = engine.synthesize("xin chào", voice, 1.0)
        except (EngineUnavailable, VoiceError) as exc:
            quota = isinstance(exc, QuotaExhausted)
            checks.append(EngineCheck(name, voice, cls.online, False, str(exc), quota))
            continue
        works = bool(len(speech.samples))
        checks.append(EngineCheck(name, voice, cls.online, works, "" if works else "0 s"))
    speaking = next((c.engine for c in checks if c.works), None)
    return checks, speaking
