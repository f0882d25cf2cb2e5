from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from loa.app.render import bulletin_specs, prune, render_period, render_slot
from loa.audio.render import bulletin_path
from loa.content.models import Message
from loa.planning.models import PlanEntry, Slot
from tests.audio.helpers import add_message, ebur128

MONDAY = date(2026, 11, 23)


def plan(station, entries: list[tuple[int, datetime, int]], status: str = "planned") -> None:
    with station.transaction() as session:
        slot = Slot(channel="radio", name="Sáng", start="06:00", capacity=600)
        session.add(slot)
        session.flush()
        for message_id, when, position in entries:
            session.add(
                PlanEntry(
                    message_id=message_id,
                    channel="radio",
                    slot_id=slot.id,
                    scheduled_at=when,
                    position=position,
                    status=status,
                )
            )


def test_bulletin_path_layout(station) -> None:
    path = bulletin_path(station, datetime(2026, 11, 24, 17, 30))
    assert path == station.media_dir / "bulletins" / "2026-11-24" / "1730.mp3"


def test_no_radio_plan_no_bulletin(station) -> None:
    """Audio renders what the plan holds; with no plan there is nothing to render (the old
    fallback of one bulletin at 06:00 planned behind the planner's back)."""
    add_message(station, "Tin A", "Nội dung A")
    add_message(station, "Tin B", "Nội dung B", priority="urgent")
    assert bulletin_specs(station, MONDAY, 3) == []
    assert render_period(station, MONDAY, 3, workers=1) == []


def test_plan_entries_grouped_by_slot_time_in_position_order(station) -> None:
    a = add_message(station, "Tin A", "Nội dung A")
    b = add_message(station, "Tin B", "Nội dung B")
    morning, evening = datetime(2026, 11, 23, 6, 0), datetime(2026, 11, 23, 17, 30)
    plan(station, [(a, morning, 2), (b, morning, 1), (a, evening, 1)])
    specs = bulletin_specs(station, MONDAY, 1)
    assert [s.when for s in specs] == [morning, evening]
    assert [i.message_id for i in specs[0].items] == [b, a]
    assert specs[0].slot_name == "Sáng"
    # days without entries have no bulletin
    assert bulletin_specs(station, MONDAY, 2)[-1].when == evening


def test_render_bulletin_meets_loudness_and_peak_in_the_mp3(station) -> None:
    a = add_message(
        station,
        "Lịch tiếp công dân",
        "UBND xã tiếp công dân vào sáng thứ Hai hằng tuần, từ 7h30 đến 11h00.",
    )
    b = add_message(
        station,
        "Dịch vụ công trực tuyến",
        "Bà con có thể nộp hồ sơ trực tuyến tại Cổng dịch vụ công quốc gia.",
    )
    when = datetime(2026, 11, 23, 6, 0)
    plan(station, [(a, when, 1), (b, when, 2)])
    result = render_slot(station, when)
    assert result is not None and not result.cached
    assert result.path == bulletin_path(station, when)
    integrated, peak = ebur128(result.path)
    assert abs(integrated - (-16.0)) <= 1.0
    assert peak <= -1.0
    # sidecar: items with durations and offsets, readable without decoding audio
    sidecar = json.loads(result.path.with_suffix(".json").read_text(encoding="utf-8"))
    assert [i["message_id"] for i in sidecar["items"]] == [a, b]
    first, second = sidecar["items"]
    assert first["offset_s"] > 1.0  # after the chime and the station ident
    assert second["offset_s"] >= first["offset_s"] + first["duration_s"]
    assert sidecar["duration_s"] == pytest.approx(result.duration_s)
    assert [tuple(i) for i in result.items] == [
        (i["message_id"], i["title"], i["duration_s"], i["offset_s"]) for i in sidecar["items"]
    ]
    from mutagen.id3 import ID3

    tags = ID3(str(result.path))
    assert str(tags["TIT2"]) == "Bản tin 06:00 ngày 23/11/2026"
    assert str(tags["TPE1"]) == station.name
    assert str(tags["TALB"]) == "Sáng"
    # nothing to do the second time
    assert render_slot(station, when).cached
    assert render_slot(station, datetime(2026, 11, 23, 7, 0)) is None


def test_changed_message_rerenders_only_its_clip_and_bulletins(silent_station) -> None:
    station = silent_station
    a = add_message(station, "Tin A", "Nội dung tin A.")
    b = add_message(station, "Tin B", "Nội dung tin B.")
    c = add_message(station, "Tin C", "Nội dung tin C.")
    t1, t2, t3 = (datetime(2026, 11, 23, h, 0) for h in (6, 11, 17))
    plan(station, [(a, t1, 1), (b, t1, 2), (b, t2, 1), (c, t3, 1)])
    first = render_period(station, MONDAY, 1, workers=1)
    assert [r.cached for r in first] == [False, False, False]
    mtimes = {r.when: r.path.stat().st_mtime_ns for r in first}
    clips = set((station.media_dir / "cache" / "clips").glob("*/*.json"))
    assert all(r.cached for r in render_period(station, MONDAY, 1, workers=1))

    with station.transaction() as session:
        session.get(Message, b).body = "Nội dung tin B đã sửa."
    again = render_period(station, MONDAY, 1, workers=1)
    assert {r.when: r.cached for r in again} == {t1: False, t2: False, t3: True}
    assert again[2].path.stat().st_mtime_ns == mtimes[t3]
    new_clips = set((station.media_dir / "cache" / "clips").glob("*/*.json")) - clips
    assert len(new_clips) == 1  # only message B was spoken again


def test_render_period_in_parallel(station) -> None:
    a = add_message(station, "Tin A", "Bà con chú ý.")
    b = add_message(station, "Tin B", "Nộp hồ sơ trực tuyến.")
    plan(
        station,
        [(m, datetime(2026, 11, d, 6, 0), n) for d in (23, 24) for n, m in ((1, a), (2, b))],
    )
    results = render_period(station, MONDAY, 2, workers=2)
    assert [r.when for r in results] == [datetime(2026, 11, d, 6, 0) for d in (23, 24)]
    assert all(r.path.is_file() and r.path.with_suffix(".json").is_file() for r in results)
    assert all(len(r.items) == 2 and r.engines == ["espeak"] for r in results)
    assert not list(station.media_dir.rglob(".*.part")) and not list(
        station.media_dir.rglob(".*.mp3")
    )


def test_unspeakable_item_is_skipped_with_a_note(silent_station) -> None:
    station = silent_station
    good = add_message(station, "Tin", "Nội dung.")
    bad = add_message(station, "...", "", radio_script="...")
    plan(station, [(good, datetime(2026, 11, 23, 6), 1), (bad, datetime(2026, 11, 23, 6), 2)])
    [result] = render_period(station, MONDAY, 1, workers=1)
    assert [i.message_id for i in result.items] == [good]
    assert any(f"số {bad}" in note for note in result.notes)


def test_missing_jingle_falls_back_to_the_chime(silent_station) -> None:
    from tests.audio.helpers import set_audio

    station = silent_station
    set_audio(station, 'jingle = "media/khong-co.mp3"')
    plan(station, [(add_message(station, "Tin", "Nội dung."), datetime(2026, 11, 23, 6, 0), 1)])
    [result] = render_period(station, MONDAY, 1, workers=1)
    assert result.path.is_file()
    assert any("khong-co.mp3" in note for note in result.notes)


def test_jingle_file_opens_the_bulletin(silent_station, tmp_path) -> None:
    from loa.audio.ffmpeg import write_mp3
    from loa.audio.mastering import chime
    from tests.audio.helpers import set_audio

    station = silent_station
    write_mp3(station.media_dir / "jingle.mp3", chime(44100), 44100)
    set_audio(station, 'jingle = "media/jingle.mp3"')
    plan(station, [(add_message(station, "Tin", "Nội dung."), datetime(2026, 11, 23, 6, 0), 1)])
    [result] = render_period(station, MONDAY, 1, workers=1)
    sidecar = json.loads(result.path.with_suffix(".json").read_text(encoding="utf-8"))
    assert not result.notes
    assert len(sidecar["clips"]) >= 3


def test_wav_bulletins_on_request(silent_station) -> None:
    from tests.audio.helpers import set_audio

    station = silent_station
    set_audio(station, 'format = "wav"')
    plan(station, [(add_message(station, "Tin", "Nội dung."), datetime(2026, 11, 23, 6, 0), 1)])
    [result] = render_period(station, MONDAY, 1, workers=1)
    assert result.path.suffix == ".wav" and result.path.read_bytes()[:4] == b"RIFF"


def test_prune_keeps_what_future_bulletins_use(silent_station) -> None:
    station = silent_station
    a = add_message(station, "Tin A", "Nội dung tin A.")
    old = add_message(station, "Tin cũ", "Tin đã hết hạn.", valid_until=date(2026, 11, 20))
    from loa.audio.clip import Speaker

    speaker = Speaker.for_station(station)
    with station.transaction() as session:
        stale = speaker.speak(session.get(Message, old).spoken_text).clip
    plan(station, [(a, datetime(2026, 11, 23, 6, 0), 1)])
    render_period(station, MONDAY, 1, workers=1)
    dry = prune(station, today=MONDAY, dry_run=True)
    assert dry.removed >= 2 and stale.path.is_file()
    result = prune(station, today=MONDAY)
    assert result.removed == dry.removed
    assert not stale.path.exists()
    # everything today's bulletin needs is still cached: re-rendering does nothing
    [again] = render_period(station, MONDAY, 1, workers=1)
    assert again.cached
    del a


@pytest.mark.slow
def test_render_from_a_threaded_process(station) -> None:
    """The daemon renders from a scheduler thread: workers come from a fork server there."""
    import threading

    a = add_message(station, "Tin A", "Bà con chú ý.")
    b = add_message(station, "Tin B", "Nộp hồ sơ trực tuyến.")
    plan(station, [(a, datetime(2026, 11, 23, 6, 0), 1), (b, datetime(2026, 11, 23, 6, 0), 2)])
    outcome: list[object] = []
    stop = threading.Event()
    busy = threading.Thread(target=stop.wait)  # another thread alive, like APScheduler's
    busy.start()
    try:
        worker = threading.Thread(
            target=lambda: outcome.append(render_period(station, MONDAY, 1, workers=2))
        )
        worker.start()
        worker.join(120)
    finally:
        stop.set()
        busy.join()
    [results] = outcome
    assert len(results) == 1 and results[0].path.is_file()
