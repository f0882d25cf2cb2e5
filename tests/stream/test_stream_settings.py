"""[radio.stream] settings, the password, zones, fillers, the local player's preemption and the
commands' messages: everything of the IP radio that needs no Icecast server."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from loa.app.stream import stream_status
from loa.app.urgent import start_outputs
from loa.app.zones import set_zones
from loa.channels.models import AsRunRecord
from loa.channels.onair import LocalPlayout
from loa.channels.radio import CommandSink
from loa.channels.stream import (
    Filler,
    PcmBuffer,
    Playback,
    StreamSettings,
    alert_tone,
    find_password,
    require_password,
    stream_settings,
)
from loa.cli.main import app
from loa.content.models import Message
from loa.core.errors import UserError
from loa.core.i18n import set_language
from loa.core.station import Station
from loa.planning.models import PlanEntry, Slot
from tests.channels.conftest import add_message, configure
from tests.stream.conftest import RATE, tone_file

runner = CliRunner()


def invoke(station: Station, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--station", str(station.root), *args])
    return result.exit_code, " ".join(result.output.split())  # rich wraps long lines


def test_defaults_are_one_mount_at_48_kbps_mono_22_khz(station: Station) -> None:
    settings = stream_settings(station)
    assert not settings.enabled
    assert (settings.bitrate_kbps, settings.sample_rate, settings.format) == (48, 22050, "mp3")
    assert [(m.zone, m.mount) for m in settings.mounts] == [("chung", "/loa.mp3")]
    assert settings.between == "silence" and settings.resume == "resume"


@pytest.mark.parametrize(
    ("values", "words"),
    [
        ({"mounts": [{"zone": "thon1", "mount": "thon1.mp3"}]}, ['bắt đầu bằng "/"']),
        ({"mounts": [{"zone": "Thôn 1", "mount": "/a.mp3"}]}, ["mã ngắn"]),
        (
            {"mounts": [{"zone": "a", "mount": "/a.mp3"}, {"zone": "a", "mount": "/b.mp3"}]},
            ["trùng zone: a"],
        ),
        ({"between": "relay"}, ["relay_url"]),
        ({"between": "ident"}, ["ident_file"]),
        ({"relay_hours": ["5h-6h"]}, ["HH:MM-HH:MM"]),
        ({"bitrate_kbps": 8}, ["bitrate_kbps", "16", "320"]),
        ({"sample_rate": 44100}, ["sample_rate", "22050 hoặc 24000"]),
        ({"password": "x"}, ["password", "không có"]),
        ({"url": "ftp://may"}, ["url", "http://máy:cổng"]),
    ],
)
def test_a_bad_stream_setting_is_refused_by_name(
    station: Station, values: dict[str, object], words: list[str]
) -> None:
    configure(station, "radio.stream", **values)
    with pytest.raises(UserError) as caught:
        stream_settings(station)
    assert "[radio.stream]" in str(caught.value)
    for word in words:
        assert word in str(caught.value)
    assert "Traceback" not in str(caught.value)


def test_the_password_comes_from_the_environment_and_is_never_in_messages() -> None:
    settings = StreamSettings()
    assert find_password("127.0.0.1", {"LOA_ICECAST_PASSWORD": " bi-mat "}) == "bi-mat"
    with pytest.raises(UserError) as caught:
        require_password(settings, {})
    assert "LOA_ICECAST_PASSWORD" in str(caught.value) and "keyring" in str(caught.value)


def test_loa_run_with_the_stream_on_and_no_password_says_where_to_put_it(
    station: Station, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LOA_ICECAST_PASSWORD", raising=False)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    configure(station, "radio.stream", enabled=True)
    with pytest.raises(UserError, match="LOA_ICECAST_PASSWORD"):
        start_outputs(station)


def test_zones_resolve_to_mounts_and_an_unknown_zone_lists_the_valid_ones() -> None:
    settings = StreamSettings.model_validate(
        {"mounts": [{"zone": "thon1", "mount": "/1.mp3"}, {"zone": "thon2", "mount": "/2.mp3"}]}
    )
    assert [m.mount for m in settings.mounts_for(None)] == ["/1.mp3", "/2.mp3"]
    assert [m.mount for m in settings.mounts_for(["thon2"])] == ["/2.mp3"]
    with pytest.raises(UserError, match="thon1, thon2"):
        settings.mounts_for(["thon3"])


def test_relay_hours_may_cross_midnight() -> None:
    settings = StreamSettings(relay_hours=["05:00-06:30", "22:00-01:00"])
    on = [datetime(2026, 12, 2, h, m) for h, m in ((5, 0), (6, 29), (23, 0), (0, 30))]
    off = [datetime(2026, 12, 2, h, m) for h, m in ((4, 59), (6, 30), (12, 0), (1, 0))]
    assert all(settings.relay_on(t) for t in on)
    assert not any(settings.relay_on(t) for t in off)


def test_the_ident_fills_the_air_at_its_interval(tmp_path: Path) -> None:
    ident = alert_tone(RATE, 0.2)
    settings = StreamSettings(between="ident", ident_file="x.wav", ident_every_minutes=0.005)
    filler = Filler(settings, datetime.now, ident)
    n = 2 * int(RATE * 0.05)
    assert filler.read(n) == bytes(n)  # not yet: silence
    time.sleep(0.35)
    heard = b"".join(filler.read(n) for _ in range(5))  # 0.25 s: the 0.2 s ident, then silence
    assert heard[: len(ident)] == ident and not any(heard[len(ident) :])
    assert filler.read(n) == bytes(n)  # the ident is over: silence until the next interval


def test_a_relay_is_decoded_in_real_time_and_stops_outside_its_hours(tmp_path: Path) -> None:
    source = tone_file(tmp_path / "vov.wav", 440.0, 3.0)
    clock = [datetime(2026, 12, 2, 5, 30)]
    settings = StreamSettings(between="relay", relay_url=str(source), relay_hours=["05:00-06:00"])
    filler = Filler(settings, lambda: clock[0])
    n = 2 * int(RATE * 0.05)
    end = time.monotonic() + 5
    heard = b""
    while time.monotonic() < end and not any(heard):
        heard = filler.read(n)
        time.sleep(0.05)
    assert any(heard), "the relayed stream was never heard"
    clock[0] = datetime(2026, 12, 2, 6, 0)
    assert filler.read(n) == bytes(n)
    filler.close()


def test_a_growing_buffer_holds_the_air_with_silence_until_it_is_finished() -> None:
    buffer = PcmBuffer(b"\x01\x00" * 10, complete=False)
    playback = Playback("x", buffer, RATE)
    chunk, ended = playback.read(40)
    assert chunk == b"\x01\x00" * 10 + bytes(20) and not ended
    buffer.append(b"\x02\x00")
    buffer.finish()
    assert playback.read(40) == (b"\x02\x00", True)


def test_the_local_player_is_cut_for_an_urgent_message_and_resumes_where_it_stopped(
    station: Station, tmp_path: Path
) -> None:
    from loa.audio.ffmpeg import ffmpeg_exe

    sink = CommandSink(f"{ffmpeg_exe()} -nostdin -loglevel error -re -i {{file}} -f null -")
    local = LocalPlayout(sink, tmp_path / "cut", station.now)
    bulletin = tone_file(tmp_path / "b.wav", 440.0, 3.0)
    alert = tone_file(tmp_path / "u.wav", 960.0, 1.0)
    took: list[float] = []
    playing = threading.Thread(target=lambda: took.append(local.play(bulletin, 3.0)))
    playing.start()
    time.sleep(1.2)
    held = local.interrupt("urgent:1", "resume")
    assert held is not None
    sink.play(alert, 1.0)
    local.resume(held)
    playing.join(20)
    [cut] = local.interruptions
    assert 0.8 < cut.at_s < 2.0 and cut.resumed_at is not None and cut.mode == "resume"
    # 1.2 s before, ~1 s of alert, then only the remaining ~1.8 s (not the whole 3 s again)
    # (a replay of the whole bulletin would take 1.2 + 1 + 3 s or more)
    assert 3.0 < took[0] < 4.9
    assert local.interrupt("urgent:2", "resume") is None  # nothing plays now


def test_loa_urgent_without_a_daemon_airs_on_the_local_sink_and_logs_it(
    station: Station,
) -> None:
    message = add_message(station, title="Lũ quét", body="Di dời ngay.", channels=["radio"])
    code, out = invoke(station, "urgent", str(message), "--repeats", "1")
    assert code == 0, out
    assert "Đã phát khẩn cấp tin" in out
    with station.transaction() as session:
        row = session.scalars(select(AsRunRecord)).one()
        assert row.message_id == message and row.extra["urgent"] and row.extra["local"]
        assert row.bulletin is not None and row.bulletin.startswith(f"urgent:{message}:")
        assert row.duration_s > 3.0  # the alert tone and the message
    assert list((station.media_dir / "aired").glob("*.wav"))  # the file sink kept the evidence


@pytest.mark.parametrize(
    ("fields", "args", "vi", "en"),
    [
        ({}, ["999"], "Không có tin số 999", "There is no message 999"),
        ({"draft": True}, [], "chỉ phát khẩn cấp tin đã duyệt", "Approve it first"),
        ({"channels": ["facebook"]}, [], "không phát trên đài", "does not go to the radio"),
        ({}, ["--zone", "thon9"], 'Không có vùng phát "thon9"', 'There is no zone "thon9"'),
    ],
)
def test_loa_urgent_refuses_what_it_cannot_air(
    station: Station,
    monkeypatch: pytest.MonkeyPatch,
    fields: dict[str, object],
    args: list[str],
    vi: str,
    en: str,
) -> None:
    draft = bool(fields.pop("draft", False))
    message = add_message(station, **({"channels": ["radio"]} | fields))
    if draft:
        with station.transaction() as session:
            found = session.get(Message, message)
            assert found is not None
            found.status = "draft"
    target = args if args and args[0] == "999" else [str(message), *args]
    code, out = invoke(station, "urgent", *target)
    assert code == 2 and vi in out and "Traceback" not in out
    monkeypatch.setenv("LOA_LANG", "en")
    set_language("en")
    code, out = invoke(station, "urgent", *target)
    assert code == 2 and en in out
    with station.transaction() as session:
        assert session.scalars(select(AsRunRecord)).first() is None


def test_stream_status_when_off_and_when_nothing_runs(station: Station) -> None:
    code, out = invoke(station, "stream", "status")
    assert code == 0 and "Luồng IP đang tắt" in out
    configure(station, "radio.stream", enabled=True, url="http://127.0.0.1:9")
    status = stream_status(station)
    assert not status.running and status.server_error and "127.0.0.1:9" in status.server_error
    assert [m.connected for m in status.mounts] == [False]
    code, out = invoke(station, "stream", "status")
    assert code == 0 and "không chạy" in out


def test_a_message_for_one_zone_is_planned_only_into_slots_of_that_zone(
    station: Station,
) -> None:
    from loa.app.planning import plan_station
    from loa.content.models import Audience

    configure(
        station,
        "radio.stream",
        mounts=[{"zone": "thon1", "mount": "/1.mp3"}, {"zone": "thon2", "mount": "/2.mp3"}],
    )
    with station.transaction() as session:
        reach = {code: 1.0 for code in session.scalars(select(Audience.code))}
        for slot in session.scalars(select(Slot)):
            session.delete(slot)
    from loa.planning.slots import SlotSpec, add_slot

    with station.transaction() as session:
        one = add_slot(session, SlotSpec("radio", "Thôn 1", "06:00", 600, reach=reach)).id
        two = add_slot(session, SlotSpec("radio", "Thôn 2", "17:00", 600, reach=reach)).id
    message = add_message(station, channels=["radio"], airings_per_week=7)
    set_zones(station, ["thon1"], slot_id=one)
    set_zones(station, ["thon2"], slot_id=two, message_id=message)
    code, out = invoke(station, "stream", "zones", "--slot", str(one), "--zone", "thon9")
    assert code == 2 and "thon1, thon2" in out
    plan_station(station, date(2026, 12, 7), 7, now=datetime(2026, 12, 6, 12, 0))
    with station.transaction() as session:
        slots = set(
            session.scalars(select(PlanEntry.slot_id).where(PlanEntry.message_id == message))
        )
    assert slots == {two}
    code, out = invoke(station, "today", "--day", "2026-12-07")
    assert code == 0 and "thon2" in out


def test_the_zones_migration_goes_down_and_up_keeping_rows(station: Station) -> None:
    from alembic import command
    from alembic.config import Config

    from loa.core.db import MIGRATIONS

    message = add_message(station, channels=["radio"], zones=["thon1"])
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with station.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0003")
    with sqlite3.connect(station.root / "loa.db") as raw:
        columns = [r[1] for r in raw.execute("pragma table_info(messages)")]
        assert "zones" not in columns and "repeats" not in columns
    with station.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "heads")
    with sqlite3.connect(station.root / "loa.db") as raw:
        assert raw.execute("select zones from messages where id = ?", (message,)).fetchone() == (
            "[]",
        )


@pytest.mark.parametrize(("mode", "chunks_in"), [("resume", 4), ("restart", 0)])
def test_an_interrupted_bulletin_resumes_or_restarts_as_the_station_sets(
    mode: str, chunks_in: int
) -> None:
    """The mount's programme logic on its own (no encoder, no server): 4 chunks of the
    bulletin, the urgent buffer to its end, then the bulletin from where it stopped or from 0."""
    from loa.channels.stream import MountSettings, MountStream

    settings = StreamSettings(mounts=[MountSettings(zone="a", mount="/a.mp3")])
    stream = MountStream(settings, settings.mounts[0], "pw")
    n = 2 * int(RATE * 0.05)
    bulletin_pcm = bytes(range(256)) * 100
    bulletin = stream.play(Playback("0900", PcmBuffer(bulletin_pcm), RATE))
    first = b"".join(stream._next_chunk(n) for _ in range(4))
    assert first == bulletin_pcm[: 4 * n]
    urgent = Playback("urgent:7", PcmBuffer(b"\x07" * n), RATE, kind="urgent")
    assert stream.preempt(urgent, mode) is bulletin
    assert stream._next_chunk(n) == b"\x07" * n and urgent.done.is_set()
    start = chunks_in * n
    assert stream._next_chunk(n) == bulletin_pcm[start : start + n]
    [cut] = bulletin.interruptions
    assert (
        cut.at_s == pytest.approx(0.2, abs=0.001)
        and cut.mode == mode
        and cut.resumed_at is not None
    )
    assert stream.state.playing == "0900" and not bulletin.done.is_set()
