from __future__ import annotations

import base64
import json
import sys
from pathlib import Path

import numpy as np
import pytest
import requests
import responses

from loa.audio.engines import (
    EngineNotInstalled,
    EngineOptions,
    EngineUnavailable,
    VoiceError,
    engine_class,
    engines,
)
from loa.core.errors import UserError


def make(name: str, root: Path, **settings: object):
    return engine_class(name)(EngineOptions(root=root, settings=dict(settings)))


def test_registry_lists_every_engine_by_name() -> None:
    assert set(engines()) == {
        "espeak",
        "fpt",
        "google",
        "azure",
        "viettel",
        "gtts",
        "piper",
        "silent",
    }
    assert all(cls.name == name for name, cls in engines().items())


def test_unknown_engine_names_the_valid_ones() -> None:
    with pytest.raises(UserError, match="espeak, fpt, google, azure, viettel, gtts, piper, silent"):
        engine_class("festival")


@pytest.mark.parametrize("voice", ["vi", "vi-vn-x-central", "vi-vn-x-south"])
def test_espeak_speaks_vietnamese_in_three_regions(tmp_path: Path, voice: str) -> None:
    engine = make("espeak", tmp_path)
    speech = engine.synthesize("Ủy ban nhân dân xã thông báo", engine.resolve_voice(voice), 1.0)
    assert speech.sample_rate == 22050
    assert 1.0 < speech.duration_s < 5.0
    assert np.abs(speech.samples).max() > 0.1


def test_espeak_regions_sound_different(tmp_path: Path) -> None:
    engine = make("espeak", tmp_path)
    north = engine.synthesize("Người dân nộp hồ sơ", "vi", 1.0).samples
    south = engine.synthesize("Người dân nộp hồ sơ", "vi-vn-x-south", 1.0).samples
    assert len(north) != len(south) or not np.allclose(north, south)


def test_espeak_rate_changes_length(tmp_path: Path) -> None:
    engine = make("espeak", tmp_path)
    text = "Người dân có thể nộp hồ sơ trực tuyến qua cổng dịch vụ công quốc gia"
    slow = engine.synthesize(text, "vi", 0.7).duration_s
    fast = engine.synthesize(text, "vi", 1.5).duration_s
    assert slow > fast * 1.5


def test_espeak_region_aliases_and_bad_voice(tmp_path: Path) -> None:
    engine = make("espeak", tmp_path)
    assert engine.resolve_voice("south") == "vi-vn-x-south"
    assert engine.resolve_voice(None) == "vi"
    with pytest.raises(VoiceError, match="vi-vn-x-central"):
        engine.resolve_voice("en-us")


def test_silent_engine_is_timed_silence(tmp_path: Path) -> None:
    speech = make("silent", tmp_path).synthesize("x" * 100, "none", 1.0)
    assert speech.duration_s == pytest.approx(6.0, abs=0.01)
    assert not np.any(speech.samples)


# -- gTTS through a faked Google endpoint (the `responses` transport for requests) ---------------

GTTS_URL = "https://translate.google.com/_/TranslateWebserverUi/data/batchexecute"


def gtts_body(mp3: bytes) -> str:
    payload = base64.b64encode(mp3).decode()
    inner = json.dumps([payload])
    return (
        ")]}'\n\n" + json.dumps([["wrb.fr", "jQ1olc", inner, None]], separators=(",", ":")) + "\n"
    )


@pytest.fixture
def tone_mp3() -> bytes:
    from loa.audio.ffmpeg import encode_mp3_frames

    t = np.arange(24000) / 24000
    return encode_mp3_frames(
        (0.3 * np.sin(2 * np.pi * 300 * t)).astype(np.float32), 24000, bitrate_kbps=32
    )


@responses.activate
def test_gtts_one_post_with_a_timeout(tmp_path: Path, tone_mp3: bytes) -> None:
    responses.post(GTTS_URL, body=gtts_body(tone_mp3))
    engine = make("gtts", tmp_path, gtts_timeout=3.5)
    speech = engine.synthesize("Ủy ban nhân dân xã thông báo", "vi", 1.0)
    assert speech.sample_rate == 24000
    assert speech.duration_s == pytest.approx(1.0, abs=0.15)
    assert len(responses.calls) == 1
    assert responses.calls[0].request.req_kwargs["timeout"] == 3.5
    assert "vi" in requests.utils.unquote(responses.calls[0].request.body)


@responses.activate
def test_gtts_unreachable_is_engine_unavailable(tmp_path: Path) -> None:
    responses.post(GTTS_URL, body=requests.ConnectionError("no route to host"))
    with pytest.raises(EngineUnavailable, match="gTTS"):
        make("gtts", tmp_path).synthesize("xin chào", "vi", 1.0)


@responses.activate
def test_gtts_server_error_is_engine_unavailable(tmp_path: Path) -> None:
    responses.post(GTTS_URL, status=503)
    with pytest.raises(EngineUnavailable):
        make("gtts", tmp_path).synthesize("xin chào", "vi", 1.0)


@responses.activate
def test_gtts_garbage_audio_is_engine_unavailable(tmp_path: Path) -> None:
    responses.post(GTTS_URL, body=gtts_body(b"this is not an mp3 at all" * 20))
    with pytest.raises(EngineUnavailable):
        make("gtts", tmp_path).synthesize("xin chào", "vi", 1.0)


# -- Piper with a tiny ONNX voice built here (same inputs and outputs as a real voice) ----------


def build_piper_voice(folder: Path, *, language: str = "vi", sample_rate: int = 16000) -> Path:
    """A model with Piper's signature: input [1,N] int64, input_lengths [1] int64, scales [3]
    float32 -> output [1,1,T] float32 (T = 64 N), and its .onnx.json config.

    Skips the test when the packages it needs are missing (CI installs ".[test]", which has them).
    """
    missing = 'not installed; pip install -e ".[test]" (or "loa[piper]") to run the Piper tests'
    onnx = pytest.importorskip("onnx", reason=f"onnx {missing}")
    pytest.importorskip("piper", reason=f"piper-tts/onnxruntime {missing}", exc_type=ImportError)
    from onnx import TensorProto, helper
    from piper.phoneme_ids import DEFAULT_PHONEME_ID_MAP

    nodes = [
        helper.make_node("Cast", ["input"], ["ids"], to=TensorProto.FLOAT),
        helper.make_node("Mul", ["ids", "step"], ["angle"]),
        helper.make_node("Sin", ["angle"], ["wave"]),
        helper.make_node("Unsqueeze", ["wave", "axes"], ["wave3"]),
        helper.make_node("Tile", ["wave3", "repeats"], ["tiled"]),
        helper.make_node("ReduceSum", ["scales", "axes0"], ["scale_sum"], keepdims=0),
        helper.make_node("Mul", ["tiled", "scale_sum"], ["output"]),
    ]
    inits = [
        helper.make_tensor("step", TensorProto.FLOAT, [], [0.7]),
        helper.make_tensor("axes", TensorProto.INT64, [1], [1]),
        helper.make_tensor("repeats", TensorProto.INT64, [3], [1, 1, 64]),
        helper.make_tensor("axes0", TensorProto.INT64, [1], [0]),
    ]
    graph = helper.make_graph(
        nodes,
        "tiny-piper",
        [
            helper.make_tensor_value_info("input", TensorProto.INT64, [1, None]),
            helper.make_tensor_value_info("input_lengths", TensorProto.INT64, [1]),
            helper.make_tensor_value_info("scales", TensorProto.FLOAT, [3]),
        ],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 1, None])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    path = folder / "voices" / "tiny-vi.onnx"
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(path))
    config = {
        "audio": {"sample_rate": sample_rate},
        "espeak": {"voice": language},
        "inference": {"noise_scale": 0.667, "length_scale": 1.0, "noise_w": 0.8},
        "phoneme_type": "espeak",
        "phoneme_id_map": DEFAULT_PHONEME_ID_MAP,
        "num_symbols": 256,
        "num_speakers": 1,
    }
    Path(f"{path}.json").write_text(json.dumps(config), encoding="utf-8")
    return path


def test_piper_loads_a_station_voice_and_speaks(tmp_path: Path) -> None:
    build_piper_voice(tmp_path)
    engine = make("piper", tmp_path, piper_voice="voices/tiny-vi.onnx")
    voice = engine.resolve_voice(None)
    speech = engine.synthesize("Ủy ban nhân dân xã thông báo", voice, 1.0)
    assert speech.sample_rate == 16000
    assert speech.duration_s > 0.2
    assert np.abs(speech.samples).max() == pytest.approx(1.0, abs=1e-3)  # Piper normalises
    assert engine.identity(voice).startswith("piper:tiny-vi.onnx:")
    assert engine.check() is None


def test_piper_rate_reaches_the_model_as_length_scale(tmp_path: Path) -> None:
    build_piper_voice(tmp_path)
    engine = make("piper", tmp_path, piper_voice="voices/tiny-vi.onnx")
    # the tiny model multiplies its output by the sum of the scales, before normalising:
    # only check that the call goes through at another rate
    assert engine.synthesize("xin chào", "voices/tiny-vi.onnx", 1.5).duration_s > 0


def test_piper_missing_voice_file_says_where(tmp_path: Path) -> None:
    engine = make("piper", tmp_path, piper_voice="voices/none.onnx")
    with pytest.raises(EngineUnavailable, match=r"none\.onnx"):
        engine.synthesize("xin chào", engine.resolve_voice(None), 1.0)


def test_piper_without_configured_voice(tmp_path: Path) -> None:
    with pytest.raises(EngineUnavailable, match="piper_voice"):
        make("piper", tmp_path).resolve_voice(None)


def fake_piper_voice(folder: Path) -> str:
    """A Vietnamese voice file and config that pass loa's checks (they need no package)."""
    path = folder / "voices" / "vi.onnx"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not a real model")
    Path(f"{path}.json").write_text(json.dumps({"espeak": {"voice": "vi"}}), encoding="utf-8")
    return "voices/vi.onnx"


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("vi", 'Bộ đọc piper cần gói bổ sung: pip install "loa[piper]"'),
        ("en", 'The piper engine needs an optional package: pip install "loa[piper]"'),
    ],
)
def test_piper_without_its_extra_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str, expected: str
) -> None:
    from loa.core.i18n import set_language

    monkeypatch.setenv("LOA_LANG", lang)
    set_language(lang)
    monkeypatch.setitem(sys.modules, "piper", None)  # what `import piper` sees without the extra
    voice = fake_piper_voice(tmp_path)
    engine = make("piper", tmp_path, piper_voice=voice)
    with pytest.raises(EngineNotInstalled) as caught:
        engine.synthesize("xin chào", engine.resolve_voice(None), 1.0)
    assert isinstance(caught.value, UserError) and not isinstance(caught.value, ImportError)
    assert str(caught.value).startswith(expected) and "piper" in str(caught.value)
    assert caught.value.exit_code == 2
    assert engine.check() == str(caught.value)


def test_piper_voice_for_another_language_is_refused(tmp_path: Path) -> None:
    build_piper_voice(tmp_path, language="en-us")
    engine = make("piper", tmp_path, piper_voice="voices/tiny-vi.onnx")
    with pytest.raises(VoiceError, match="en-us"):
        engine.synthesize("xin chào", "voices/tiny-vi.onnx", 1.0)
