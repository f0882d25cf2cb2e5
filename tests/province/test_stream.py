"""`loa province stream`: the province's head-end keeps two communes' mounts on a real Icecast;
a second head-end on standby takes them over when the first is killed, and a province khẩn
cấp message sent through a real `loa worker` is heard by both communes' listeners."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import tomlkit

from loa.core.errors import UserError
from loa.province.registry import PROVINCE_FILE, Province
from loa.province.stations import add_station
from loa.province.stream import hosted
from tests.stream.icecast import IcecastServer, Listener, icecast_binary
from tests.stream.test_icecast_stream import ALERT_HZ, spans

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def icecast(tmp_path: Path) -> Iterator[IcecastServer]:
    if icecast_binary() is None:
        pytest.skip("icecast2 is not installed (apt-get install icecast2)")
    server = IcecastServer(tmp_path / "icecast").start()
    yield server
    server.stop()


def _streamed(province: Province, ident: str, url: str) -> None:
    add_station(province, ident, name=f"Xã {ident}")
    path = province.stations_dir / ident / "loa.toml"
    doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    doc.setdefault("audio", tomlkit.table())["engine"] = "silent"
    stream = tomlkit.table()
    stream["enabled"] = True
    stream["url"] = url
    stream["mounts"] = [{"zone": "thon1", "mount": f"/{ident}.mp3", "name": "Thôn 1"}]
    stream["local_playout"] = False
    stream["urgent_repeats"] = 1
    stream["reconnect_min_s"] = 0.2
    stream["reconnect_max_s"] = 1.0
    doc.setdefault("radio", tomlkit.table())["stream"] = stream
    path.write_text(tomlkit.dumps(doc), encoding="utf-8")


def _host(province: Province, communes: object) -> None:
    path = province.root / PROVINCE_FILE
    doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    table = tomlkit.table()
    table["communes"] = communes
    doc["stream"] = table
    path.write_text(tomlkit.dumps(doc), encoding="utf-8")


def test_the_hosted_communes_come_from_province_toml(province: Province) -> None:
    add_station(province, "xa_a", name="Xã A")
    add_station(province, "xa_b", name="Xã B")
    _host(province, ["xa_b"])
    assert hosted(province) == ["xa_b"]
    _host(province, "all")
    assert hosted(province) == []  # neither has its [radio.stream] on
    _host(province, ["xa_b", "xa_khong"])
    with pytest.raises(UserError, match="xa_khong"):
        hosted(province)


def _start(province: Province, env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "loa", *args, "--province", str(province.root)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait(check, what: str, timeout: float = 30.0) -> float:  # type: ignore[no-untyped-def]
    start = time.monotonic()
    while not check():
        assert time.monotonic() - start < timeout, what
        time.sleep(0.1)
    return time.monotonic() - start


@pytest.mark.slow
def test_a_standby_head_end_takes_the_mounts_over_and_airs_the_province_alert(
    province: Province, icecast: IcecastServer
) -> None:
    from loa.province.messages import Priority, send

    for ident in ("xa_mot", "xa_hai"):
        _streamed(province, ident, icecast.url)
    _host(province, "all")
    env = {**os.environ, "LOA_ICECAST_PASSWORD": icecast.password, "PYTHONPATH": str(ROOT)}
    first = _start(province, env, "province", "stream", "--interval", "0.3")
    procs = [first]
    listeners: list[Listener] = []
    try:
        _wait(
            lambda: all(icecast.listeners(f"/{i}.mp3") is not None for i in ("xa_mot", "xa_hai")),
            "the first head-end never put the mounts up",
        )
        second = _start(province, env, "province", "stream", "--interval", "0.3")
        procs.append(second)
        time.sleep(1.5)  # on standby: it must not fight the first for the mounts
        assert second.poll() is None
        mounts = [f"/{i}.mp3" for i in ("xa_mot", "xa_hai")]
        before = {m: icecast.source_started(m) for m in mounts}
        first.send_signal(signal.SIGKILL)
        first.wait()
        # Taken over: each mount has a new source (Icecast may keep the dead one's mount for a
        # moment, and a listener on it would hear nothing from the standby).
        taken = _wait(
            lambda: all(icecast.source_started(m) not in (None, before[m]) for m in mounts),
            "the standby head-end did not take the mounts over",
            timeout=15.0,
        )
        assert taken < 8.0
        listeners = [Listener(f"{icecast.url}/{i}.mp3") for i in ("xa_mot", "xa_hai")]
        procs.append(_start(province, env, "worker", "--heartbeat", "0.5"))
        time.sleep(1.0)
        send(
            province,
            title="Cảnh báo bão",
            body="Bà con vào nơi trú ẩn an toàn.",
            priority=Priority.URGENT,
            targets=["all"],
            by="kiểm thử",
            channels=["radio"],
        )
        for listener in listeners:
            _wait(lambda lis=listener: spans(lis, ALERT_HZ), "no alert tone was heard", 60.0)
    finally:
        for listener in listeners:
            listener.close()
        _stop(procs)
        stderr = b"".join(p.stderr.read() for p in procs if p.stderr is not None)
        print(stderr.decode(errors="replace")[-6000:])  # shown when the test fails
    assert icecast.password.encode() not in stderr


@pytest.mark.slow
def test_the_head_end_airs_a_hosted_communes_planned_bulletin_on_its_mount(
    province: Province, icecast: IcecastServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import timedelta

    from sqlalchemy import select

    from loa.channels.models import AsRunRecord
    from loa.content.models import Message, Topic
    from loa.planning.models import PlanEntry
    from loa.province.stations import open_station
    from loa.province.stream import HeadEnd, wait_connected

    monkeypatch.setenv("LOA_ICECAST_PASSWORD", icecast.password)
    _streamed(province, "xa_mot", icecast.url)
    station = open_station(province, "xa_mot")
    at = (station.now() + timedelta(seconds=4)).replace(microsecond=0)
    with station.transaction() as s:
        message = Message(
            title="Lịch tiếp công dân",
            body="Chủ tịch xã tiếp công dân sáng thứ năm.",
            topic_code=s.scalars(select(Topic.code)).first(),
            status="approved",
            channels=["radio"],
        )
        s.add(message)
        s.flush()
        s.add(PlanEntry(message_id=message.id, channel="radio", scheduled_at=at, position=0))
    head = HeadEnd(province, idents=["xa_mot"], look_ahead_s=5.0)
    try:
        assert head.open(["xa_mot"]) == ["xa_mot"]
        assert wait_connected(head, 15.0)
        assert head.tick() == 1
        assert head.tick() == 0  # started once, not again at the next look

        def aired() -> list[AsRunRecord]:
            with station.transaction() as s:
                rows = list(s.scalars(select(AsRunRecord).where(AsRunRecord.channel == "radio")))
                s.expunge_all()
            return rows

        _wait(lambda: aired(), "the planned bulletin never aired", 60.0)
    finally:
        head.stop.set()
        head.close()
    rows = aired()
    assert [r.status for r in rows] == ["done"] and rows[0].message_id == message.id
    assert rows[0].started_at >= at
    station.engine.dispose()


def test_one_province_alert_is_spoken_once_for_communes_with_the_same_voice(
    province: Province, icecast: IcecastServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The head-end airs a khẩn cấp province message on three communes: the two with the same
    voice settings share one rendering of its speech (one clip in their caches, not two); the
    third, whose [audio] rate differs, gets its own."""
    from sqlalchemy import select

    from loa.channels.models import AsRunRecord
    from loa.content.models import Priority
    from loa.province.messages import send
    from loa.province.queue import Tasks
    from loa.province.stream import HeadEnd, wait_connected

    monkeypatch.setenv("LOA_ICECAST_PASSWORD", icecast.password)
    idents = ["xa_a", "xa_b", "xa_c"]
    for ident in idents:
        _streamed(province, ident, icecast.url)
    path = province.stations_dir / "xa_c" / "loa.toml"
    doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    doc["audio"]["rate"] = 0.9  # type: ignore[index]
    path.write_text(tomlkit.dumps(doc), encoding="utf-8")

    def clips(ident: str) -> set[str]:
        folder = province.stations_dir / ident / "media" / "cache" / "clips"
        return {p.stem for p in folder.glob("*/*.json")}

    before = {i: clips(i) for i in idents}
    head = HeadEnd(province, idents=idents)
    tasks = Tasks(province)
    try:
        assert head.open(idents) == idents
        assert wait_connected(head, 15.0)
        sent = send(
            province,
            title=f"Cảnh báo sạt lở {province.root.parent.name}",  # a text no other test speaks
            body="Bà con tránh xa sườn đồi ngay.",
            priority=Priority.URGENT,
            targets=idents,
            by="test",
            channels=["radio"],
        )
        for ident in idents:
            assert tasks.urgent(ident, sent.delivered[ident]) == "daemon"
        # On the air now: the two with the same voice air one buffer (one MP3 encoding for
        # both mounts, loa.channels.encoding); the third its own.
        buffers = {}
        for ident in idents:
            stream = head.hosted[ident].runtime.stream
            assert stream is not None
            playback = next(iter(stream.mounts.values())).current
            assert playback is not None and playback.kind == "urgent", ident
            buffers[ident] = playback.buffer
        assert buffers["xa_a"] is buffers["xa_b"] and buffers["xa_c"] is not buffers["xa_a"]
        assert len(buffers["xa_a"].encodings) == 1

        def aired() -> bool:
            for ident, item in head.hosted.items():
                with item.station.transaction() as s:
                    row = s.scalar(
                        select(AsRunRecord.id).where(
                            AsRunRecord.message_id == sent.delivered[ident]
                        )
                    )
                if row is None:
                    return False
            return True

        _wait(aired, "the alert did not air on every commune", 60.0)
    finally:
        tasks.close()
        head.stop.set()
        head.close()
    new = {i: clips(i) - before[i] for i in idents}
    assert len(new["xa_a"]) + len(new["xa_b"]) == 1, new  # spoken once for both
    assert len(new["xa_c"]) == 1 and not new["xa_c"] & (new["xa_a"] | new["xa_b"]), new
