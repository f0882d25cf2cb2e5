"""The neural voices over the network (FPT.AI, Google Cloud TTS, Azure Speech) against a fake
of each service's wire format on 127.0.0.1 (tests/audio/fake_tts.py), and the offline voice
as their safety net (issue 29)."""

from __future__ import annotations

import json
import logging
from datetime import date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from loa.audio.engines import EngineOptions, EngineUnavailable, QuotaExhausted, engine_class
from loa.audio.engines.fpt import fpt_speed
from loa.core.errors import UserError
from tests.audio.fake_tts import KEYS, FakeTTS
from tests.audio.helpers import add_message, set_audio
from tests.audio.test_render import plan

MONDAY = date(2026, 11, 23)
SLOT = datetime(2026, 11, 23, 6, 0)
VOICE = {
    "fpt": "banmai",
    "google": "vi-VN-Wavenet-A",
    "azure": "vi-VN-HoaiMyNeural",
    "viettel": "hue-maingoc",
}
SERVICES = list(VOICE)
runner = CliRunner(env={"COLUMNS": "200"})


@pytest.fixture
def fake():
    server = FakeTTS(fpt_pending=2).start()
    yield server
    server.stop()


@pytest.fixture
def keys(monkeypatch):
    for name, key in KEYS.items():
        monkeypatch.setenv(f"LOA_{name.upper()}_KEY", key)
    return KEYS


def urls(fake: FakeTTS) -> dict[str, object]:
    return {
        "fpt_url": f"{fake.url}/hmi/tts/v5",
        "google_url": f"{fake.url}/v1/text:synthesize",
        "azure_url": f"{fake.url}/cognitiveservices/v1",
        "viettel_url": f"{fake.url}/tts/speech_synthesis",
        "fpt_poll_s": 0.02,
        "cloud_timeout": 5,
    }


def make(name: str, fake: FakeTTS, root: Path, **settings: object):
    return engine_class(name)(EngineOptions(root=root, settings={**urls(fake), **settings}))


def toml(fake: FakeTTS) -> str:
    return "\n".join(
        f'{k} = "{v}"' if isinstance(v, str) else f"{k} = {v}" for k, v in urls(fake).items()
    )


# -- each wire format ---------------------------------------------------------------------------


def test_fpt_posts_the_text_then_polls_the_async_address(fake, keys, tmp_path) -> None:
    speech = make("fpt", fake, tmp_path).synthesize("Xin chào bà con", "lannhi", 0.5)
    [post] = fake.calls("fpt")
    assert post["body"].decode("utf-8") == "Xin chào bà con"
    headers = {k.lower(): v for k, v in post["headers"].items()}
    assert headers["api-key"] == KEYS["fpt"] and headers["voice"] == "lannhi"
    assert headers["speed"] == "-3" and headers["format"] == "mp3"
    assert len(fake.calls("fpt-poll")) == 3  # 404, 404, then the audio
    assert speech.duration_s == pytest.approx(0.06 * 15 * 2, abs=0.1)  # speed -3: twice as long


def test_fpt_speed_steps() -> None:
    assert [fpt_speed(r) for r in (0.5, 0.75, 1.0, 1.34, 2.0, 3.0)] == [-3, -2, 0, 1, 3, 3]


def test_google_sends_json_and_decodes_base64_wav(fake, keys, tmp_path) -> None:
    speech = make("google", fake, tmp_path).synthesize("Xin chào", "vi-VN-Neural2-D", 1.5)
    [call] = fake.calls("google")
    body = json.loads(call["body"])
    assert body["input"] == {"text": "Xin chào"}
    assert body["voice"] == {"languageCode": "vi-VN", "name": "vi-VN-Neural2-D"}
    assert body["audioConfig"]["speakingRate"] == 1.5
    assert call["headers"]["X-Goog-Api-Key"] == KEYS["google"]
    assert speech.sample_rate == 24000
    assert speech.duration_s == pytest.approx(0.06 * 8 / 1.5, abs=0.02)


def test_azure_sends_ssml_and_reads_the_wav(fake, keys, tmp_path) -> None:
    speech = make("azure", fake, tmp_path).synthesize("Lịch <tiêm> & khám", VOICE["azure"], 0.8)
    [call] = fake.calls("azure")
    ssml = call["body"].decode("utf-8")
    assert 'name="vi-VN-HoaiMyNeural"' in ssml and "rate='-20%'" in ssml
    assert "&lt;tiêm&gt; &amp; khám" in ssml  # the text is escaped, the SSML stays valid
    assert call["headers"]["Ocp-Apim-Subscription-Key"] == KEYS["azure"]
    assert speech.duration_s == pytest.approx(0.06 * 18 / 0.8, abs=0.02)


def test_viettel_sends_json_with_the_token_and_reads_the_wav(fake, keys, tmp_path) -> None:
    speech = make("viettel", fake, tmp_path).synthesize("Xin chào", "hcm-diemmy", 1.5)
    [call] = fake.calls("viettel")
    body = json.loads(call["body"])
    assert body["token"] == KEYS["viettel"] and body["voice"] == "hcm-diemmy"
    assert body["speed"] == 1.2 and body["tts_return_option"] == 2  # clamped; WAV
    assert speech.duration_s == pytest.approx(0.06 * 8 / 1.2, abs=0.02)


# -- keys, errors, quotas -----------------------------------------------------------------------


@pytest.mark.parametrize("name", SERVICES)
def test_no_key_is_unavailable_and_says_where_to_put_it(fake, tmp_path, monkeypatch, name) -> None:
    import keyring
    from keyring.backends import fail

    monkeypatch.delenv(f"LOA_{name.upper()}_KEY", raising=False)
    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        with pytest.raises(EngineUnavailable, match=f"LOA_{name.upper()}_KEY"):
            make(name, fake, tmp_path).synthesize("xin chào", VOICE[name], 1.0)
    finally:
        keyring.set_keyring(before)
    assert fake.requests == []  # nothing sent without a key


def test_key_from_the_keyring(fake, tmp_path, monkeypatch) -> None:
    import keyring
    from keyring.backend import KeyringBackend

    class Memory(KeyringBackend):
        priority = 1  # type: ignore[assignment]

        def get_password(self, service: str, username: str) -> str | None:
            return KEYS["google"] if (service, username) == ("loa", "tts:google") else None

        def set_password(self, service: str, username: str, password: str) -> None:
            raise NotImplementedError

        def delete_password(self, service: str, username: str) -> None:
            raise NotImplementedError

    monkeypatch.delenv("LOA_GOOGLE_KEY", raising=False)
    before = keyring.get_keyring()
    keyring.set_keyring(Memory())
    try:
        speech = make("google", fake, tmp_path).synthesize("xin chào", VOICE["google"], 1.0)
    finally:
        keyring.set_keyring(before)
    assert speech.duration_s > 0.3


@pytest.mark.parametrize("name", SERVICES)
def test_a_refused_key_never_shows_the_key(fake, tmp_path, monkeypatch, caplog, name) -> None:
    monkeypatch.setenv(f"LOA_{name.upper()}_KEY", "wrong-" + KEYS[name])
    caplog.set_level(logging.DEBUG)
    with pytest.raises(EngineUnavailable) as caught:
        make(name, fake, tmp_path).synthesize("xin chào", VOICE[name], 1.0)
    assert not isinstance(caught.value, QuotaExhausted)
    assert "khoá API" in str(caught.value) and "HTTP 40" in str(caught.value)
    assert KEYS[name] not in str(caught.value)
    assert all(KEYS[name] not in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("name", SERVICES)
def test_a_spent_quota_is_quota_exhausted(fake, keys, tmp_path, name) -> None:
    fake.mode[name] = "quota"
    with pytest.raises(QuotaExhausted, match="hạn mức") as caught:
        make(name, fake, tmp_path).synthesize("xin chào", VOICE[name], 1.0)
    assert "429" in str(caught.value)


def test_fpt_refusal_in_its_own_words(fake, keys, tmp_path) -> None:
    with pytest.raises(EngineUnavailable, match="voice nobody not found"):
        make("fpt", fake, tmp_path).synthesize("xin chào", "nobody", 1.0)


def test_fpt_audio_never_ready_ends_within_the_deadline(keys, tmp_path) -> None:
    import time

    server = FakeTTS(fpt_pending=10**6).start()
    try:
        began = time.monotonic()
        with pytest.raises(EngineUnavailable, match=r"FPT\.AI (chưa trả âm thanh|không trả lời)"):
            make("fpt", server, tmp_path, cloud_timeout=0.6).synthesize("xin", "banmai", 1.0)
        assert time.monotonic() - began < 3
    finally:
        server.stop()


def test_service_down_is_unavailable(fake, keys, tmp_path) -> None:
    fake.mode["google"] = "down"
    with pytest.raises(EngineUnavailable, match="HTTP 503"):
        make("google", fake, tmp_path).synthesize("xin chào", VOICE["google"], 1.0)


def test_a_key_in_loa_toml_is_refused_and_not_echoed(station) -> None:
    from loa.audio.settings import audio_settings

    set_audio(station, 'fpt_key = "abc-very-secret"')
    with pytest.raises(UserError, match="LOA_FPT_KEY") as caught:
        audio_settings(station)
    assert "abc-very-secret" not in str(caught.value)


# -- the station: cache, fallback, per-message voice, run sheet, as-run -------------------------


def neural_station(station, fake: FakeTTS, engine: str = "fpt") -> None:
    set_audio(station, f'engine = "{engine}"\nfallback = ["espeak"]\n{toml(fake)}')


def test_clips_are_cached_by_engine_voice_settings_and_text(station, fake, keys) -> None:
    from loa.audio.clip import Speaker

    neural_station(station, fake)
    text = "Bà con chú ý lịch tiêm chủng."
    first = Speaker.for_station(station).speak(text).clip
    assert first.engine == "fpt" and first.created and len(fake.calls("fpt")) == 1
    again = Speaker.for_station(station).speak(text).clip
    assert again.key == first.key and not again.created and len(fake.calls("fpt")) == 1
    other = Speaker.for_station(station).speak(text, voice="lannhi").clip
    slower = Speaker.for_station(station).speak(text, rate=0.8).clip
    google = Speaker.for_station(station).speak(text, voice="google:vi-VN-Wavenet-B").clip
    assert len({first.key, other.key, slower.key, google.key}) == 4
    assert google.engine == "google" and len(fake.calls("fpt")) == 3


def test_quota_spent_bulletin_falls_back_to_the_offline_voice(station, fake, keys) -> None:
    from sqlalchemy import select

    from loa.app.play import play_slot
    from loa.app.render import render_period
    from loa.audio.bulletin import read_sidecar
    from loa.channels.models import AsRunRecord
    from loa.channels.radio import FileSink
    from loa.report.runsheet import runsheet_html

    neural_station(station, fake)
    set_audio(station, 'intro = ""\noutro = ""')
    a = add_message(station, "Tin A", "Bà con chú ý.")
    plan(station, [(a, SLOT, 1)])
    fake.mode["fpt"] = "quota"
    [result] = render_period(station, MONDAY, 1, workers=1)
    assert result.engines == ["espeak"]
    assert result.fallback and result.fallback["quota"] and result.fallback["wanted"] == "fpt"
    sidecar = read_sidecar(result.path) or {}
    assert sidecar["fallback"]["used"] == ["espeak"]
    sheet = runsheet_html(station, MONDAY)
    assert "giọng dự phòng espeak" in sheet and "hết hạn mức" in sheet

    play_slot(station, SLOT, now=SLOT, sink=FileSink(station.media_dir / "aired"))
    with station.transaction() as session:
        [row] = session.scalars(select(AsRunRecord)).all()
        assert "giọng dự phòng espeak" in (row.note or "")
        assert row.extra["fallback"]["quota"] is True

    # The quota is back: rendering ahead again speaks with the neural voice.
    fake.mode.clear()
    [again] = render_period(station, MONDAY, 1, workers=1)
    assert again.engines == ["fpt"] and again.fallback is None and not again.cached
    assert "dự phòng" not in runsheet_html(station, MONDAY)


def test_a_message_has_its_own_voice_and_rate(station, fake, keys) -> None:
    from loa.app.render import render_period
    from loa.app.voice import set_message_voice

    neural_station(station, fake)
    set_audio(station, 'intro = ""\noutro = ""')
    a = add_message(station, "Tin A", "Bà con chú ý.")
    plan(station, [(a, SLOT, 1)])
    done = set_message_voice(station, a, "lannhi", 0.75)
    assert (done.voice, done.rate) == ("fpt:lannhi", 0.75)
    render_period(station, MONDAY, 1, workers=1)
    calls = fake.calls("fpt")
    assert len(calls) == 2  # the title and the body, each a sentence
    for call in calls:
        headers = {k.lower(): v for k, v in call["headers"].items()}
        assert (headers["voice"], headers["speed"]) == ("lannhi", "-2")

    with pytest.raises(UserError, match="nobody"):
        set_message_voice(station, a, "fpt:nobody", None)
    with pytest.raises(UserError, match="0,5"):
        set_message_voice(station, a, None, 3.0)
    assert set_message_voice(station, a, None, None, clear=True).voice is None


def test_render_week_ahead_speaks_once_then_airs_without_network(station, fake, keys) -> None:
    from loa.app.render import render_period

    neural_station(station, fake, "google")
    set_audio(station, 'intro = ""\noutro = ""')
    a = add_message(station, "Tin A", "Bà con chú ý.")
    plan(station, [(a, datetime(2026, 11, d, 6, 0), 1) for d in range(23, 30)])
    results = render_period(station, MONDAY, 7, workers=2)
    assert len(results) == 7 and all(r.engines == ["google"] for r in results)
    assert len(fake.calls("google")) == 2  # one clip (two sentences), seven bulletins
    fake.stop()  # no network from here on: the week is already on disk
    assert all(r.cached for r in render_period(station, MONDAY, 7, workers=1))


def test_voices_lists_region_and_gender_and_check_tells_what_works(station, fake, keys) -> None:
    from loa.cli.main import app

    neural_station(station, fake, "azure")
    listed = runner.invoke(app, ["--station", str(station.root), "voices", "--json", "--no-check"])
    rows = {(r["engine"], r["voice"]): r for r in json.loads(listed.output)["voices"]}
    assert rows[("fpt", "myan")]["region"] == "Trung" and rows[("fpt", "myan")]["gender"] == "nữ"
    assert rows[("azure", "vi-VN-NamMinhNeural")]["gender"] == "nam"

    ok = runner.invoke(app, ["--station", str(station.root), "voices", "check"])
    assert ok.exit_code == 0 and "azure (vi-VN-HoaiMyNeural): đọc được" in ok.output
    assert "Bản tin đọc bằng: azure" in ok.output

    fake.mode["azure"] = "quota"
    spent = runner.invoke(app, ["--station", str(station.root), "voices", "check", "--json"])
    data = json.loads(spent.output)
    assert spent.exit_code == 0 and data["speaking"] == "espeak"
    assert data["checks"][0]["engine"] == "azure" and data["checks"][0]["quota"] is True
    human = runner.invoke(app, ["--station", str(station.root), "voices", "check"])
    assert "giọng dự phòng espeak" in human.output
