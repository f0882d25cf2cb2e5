"""A voice measured below the tone bar (the central espeak-ng voice without tone reshaping:
median 2.7 st, sắc-hỏi 0.45 st; needs >= 3.5 and no pair < 1.0) cannot be chosen without an
explicit override."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from loa.audio.engines import EngineOptions, VoiceWithheld, engine_class
from loa.cli.main import app
from loa.core.errors import UserError
from tests.audio.helpers import add_message, set_audio

runner = CliRunner(env={"COLUMNS": "200"})


def test_the_engine_refuses_a_withheld_voice_and_says_why(tmp_path) -> None:
    engine = engine_class("espeak")(EngineOptions(root=tmp_path, settings={"tone_reshape": False}))
    for name in ("vi-vn-x-central", "trung", "central"):
        with pytest.raises(VoiceWithheld, match="thanh điệu") as caught:
            engine.resolve_voice(name)
        assert "allow_unoffered_voice = true" in str(caught.value)
    assert engine.resolve_voice("nam") == "vi-vn-x-south"  # offered voices are untouched


def test_a_withheld_voice_in_loa_toml_is_refused_when_read(station) -> None:
    from loa.audio.settings import audio_settings

    set_audio(station, 'voice = "vi-vn-x-central"\ntone_reshape = false')
    with pytest.raises(UserError, match="allow_unoffered_voice"):
        audio_settings(station)
    set_audio(station, "allow_unoffered_voice = true")
    assert audio_settings(station).voice == "vi-vn-x-central"


def test_the_override_lets_it_speak(station) -> None:
    from loa.audio.clip import Speaker

    set_audio(
        station, 'voice = "vi-vn-x-central"\ntone_reshape = false\nallow_unoffered_voice = true'
    )
    clip = Speaker.for_station(station).speak("Bà con chú ý").clip
    assert clip.voice == "vi-vn-x-central" and clip.duration_s > 0.5


def test_say_and_msg_voice_refuse_it_in_vietnamese(station, tmp_path) -> None:
    set_audio(station, "tone_reshape = false")
    root = ["--station", str(station.root)]
    said = runner.invoke(
        app, [*root, "say", "xin chào", "--voice", "trung", "-o", str(tmp_path / "x.mp3")]
    )
    assert said.exit_code == 2 and "thanh điệu" in said.output
    assert not (tmp_path / "x.mp3").exists()
    a = add_message(station, "Tin A", "Bà con chú ý.")
    refused = runner.invoke(app, [*root, "msg", "voice", str(a), "espeak:vi-vn-x-central"])
    assert refused.exit_code == 2 and "allow_unoffered_voice" in refused.output
    ok = runner.invoke(app, [*root, "msg", "voice", str(a), "espeak:nam", "--rate", "0.9"])
    assert ok.exit_code == 0 and "espeak:vi-vn-x-south" in ok.output and "0.9" in ok.output


def test_with_reshaping_the_central_voice_is_offered_and_reshaped(station) -> None:
    from loa.audio.clip import Speaker

    set_audio(station, 'voice = "trung"')
    clip = Speaker.for_station(station).speak("Bà con chú ý").clip
    assert clip.voice == "vi-vn-x-central" and clip.duration_s > 0.5
    engine = engine_class("espeak")(EngineOptions(root=station.root, settings={}))
    assert engine.identity("vi-vn-x-central").endswith(":psola-1")
    assert not engine.identity("vi").endswith(":psola-1")  # north and south are left as they are
