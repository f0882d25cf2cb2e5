"""The province as its communes' source system: tags, province messages delivered into each
target commune's queue, a commune added later, a commune refused editing, and an urgent
province message aired in two communes by a real `loa worker` on a real Icecast."""

from __future__ import annotations

import os
import signal
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from loa.content.models import Message, Priority
from loa.core.errors import UserError
from loa.province.deliveries import list_messages, province_figures
from loa.province.messages import Sent, send, tag_station
from loa.province.registry import Province
from loa.province.stations import add_station, open_station
from tests.channels.fake_graph import FakeGraph
from tests.province.test_urgent import (  # noqa: F401  (fixtures)
    _start,
    _stream_station,
    graph,
    icecast,
)
from tests.stream.icecast import IcecastServer, Listener
from tests.stream.test_icecast_stream import ALERT_HZ, spans

ROOT = Path(__file__).resolve().parents[2]
MORNING = datetime(2026, 12, 1, 8, 0)


def _messages(province: Province, ident: str) -> list[Message]:
    station = open_station(province, ident)
    try:
        with station.transaction() as s:
            found = list(s.scalars(select(Message).order_by(Message.id)))
            s.expunge_all()
            return found
    finally:
        station.engine.dispose()


def _send(province: Province, title: str, body: str, **fields: Any) -> Sent:
    """`send` with this file's usual fields: a normal message to every commune, by the
    province, in the morning of 1/12/2026."""
    defaults: dict[str, Any] = {
        "priority": Priority.NORMAL,
        "targets": ["all"],
        "by": "tỉnh",
        "now": MORNING,
    }
    return send(province, title=title, body=body, **{**defaults, **fields})


def test_a_tag_targeted_message_reaches_only_the_tagged_communes(province: Province) -> None:
    for ident in ("xa_bien", "xa_nui", "xa_dong"):
        add_station(province, ident, name=ident, now=MORNING)
    tag_station(province, "xa_bien", ["ven-bien"], now=MORNING)
    tag_station(province, "xa_nui", ["mien-nui", "Ven-Bien"], now=MORNING)
    tag_station(province, "xa_nui", ["ven-bien"], remove=True, now=MORNING)
    sent = _send(
        province,
        "Bão số 5 vào bờ",
        "Bà con ven biển chằng chống nhà cửa, tàu thuyền vào nơi tránh trú.",
        targets=["ven-bien"],
        by="cán bộ tỉnh",
    )
    assert list(sent.delivered) == ["xa_bien"]
    (copy,) = _messages(province, "xa_bien")
    assert copy.province_message_id == sent.message_id
    assert copy.status == "approved" and copy.approved_by == "Tỉnh: cán bộ tỉnh"
    assert _messages(province, "xa_nui") == [] and _messages(province, "xa_dong") == []
    with pytest.raises(UserError, match="khong-co"):
        _send(province, "x", "y", targets=["khong-co"], by="t")
    (listed,) = list_messages(province)
    assert [d.ident for d in listed.deliveries] == ["xa_bien"]
    assert province_figures(province, date(2026, 12, 1), date(2026, 12, 1)).sent["normal"] == 1


def test_a_commune_added_later_receives_the_messages_still_valid(province: Province) -> None:
    add_station(province, "xa_cu", name="Xã Cũ", now=MORNING)
    lasting = _send(
        province,
        "Nộp hồ sơ trực tuyến",
        "Cổng dịch vụ công nhận hồ sơ cả ngày thứ Bảy.",
        priority=Priority.HIGH,
        valid_until=date(2026, 12, 31),
    )
    short = _send(
        province,
        "Lịch cắt điện",
        "Ngày 2/12 cắt điện từ 7 giờ đến 11 giờ.",
        valid_until=date(2026, 12, 2),
    )
    add_station(province, "xa_moi", name="Xã Mới", now=datetime(2026, 12, 3, 9, 0))
    copies = _messages(province, "xa_moi")
    assert [(m.province_message_id, m.priority) for m in copies] == [(lasting.message_id, "high")]
    assert short.message_id not in {m.province_message_id for m in copies}
    (shown,) = list_messages(province, message_id=lasting.message_id)
    assert [d.ident for d in shown.deliveries] == ["xa_cu", "xa_moi"]


def test_a_commune_cannot_edit_a_province_message(province: Province) -> None:
    from loa.cli.main import app

    add_station(province, "xa_a", name="Xã A", now=MORNING)
    sent = _send(province, "Tin của tỉnh", "Nội dung do tỉnh viết.", targets=["xa_a"])
    local = sent.delivered["xa_a"]
    runner = CliRunner(env={"COLUMNS": "200", "LOA_LANG": "vi"})
    folder = str(province.stations_dir / "xa_a")
    refused = runner.invoke(app, ["-s", folder, "msg", "edit", str(local), "--body", "Xã sửa."])
    assert refused.exit_code == 2, refused.output
    assert "là tin của tỉnh" in refused.output and "Traceback" not in refused.output
    (copy,) = _messages(province, "xa_a")
    assert copy.body == "Nội dung do tỉnh viết." and copy.status == "approved"
    # what is the commune's to decide still changes
    kept = runner.invoke(app, ["-s", folder, "msg", "edit", str(local), "--airings", "5"])
    assert kept.exit_code == 0, kept.output
    assert _messages(province, "xa_a")[0].airings_per_week == 5


@pytest.mark.slow
def test_an_urgent_province_message_airs_in_two_communes(
    province: Province,
    icecast: IcecastServer,  # noqa: F811
    graph: FakeGraph,  # noqa: F811
) -> None:
    from loa.planning.models import PlanEntry

    stations = {i: _stream_station(province, i, icecast, graph) for i in ("xa_mot", "xa_hai")}
    for ident in stations:
        tag_station(province, ident, ["ven-song"])
    env = {
        **os.environ,
        "LOA_FACEBOOK_TOKEN": graph.token,
        "LOA_ICECAST_PASSWORD": icecast.password,
        "PYTHONPATH": str(ROOT),
    }
    worker = _start(province, env, "worker", "--concurrency", "2", "--heartbeat", "0.5")
    listeners: dict[str, Listener] = {}
    try:
        sent = send(
            province,
            title="Cảnh báo lũ",
            body="Nước sông lên nhanh, bà con ven sông di chuyển lên chỗ cao.",
            priority=Priority.URGENT,
            targets=["ven-song"],
            by="tỉnh",
            channels=["radio", "facebook"],
        )
        assert sent.jobs == {"urgent": 2} and sorted(sent.delivered) == sorted(stations)
        deadline = time.monotonic() + 90
        while len(listeners) < 2:
            assert worker.poll() is None, worker.stderr.read().decode() if worker.stderr else ""
            for ident in stations:
                mount = f"/{ident}-thon1.mp3"
                if ident not in listeners and icecast.listeners(mount) is not None:
                    listeners[ident] = Listener(f"{icecast.url}{mount}")
            assert time.monotonic() < deadline, "the worker never opened both mounts"
            time.sleep(0.05)
        for ident, listener in listeners.items():
            while not spans(listener, ALERT_HZ):
                assert time.monotonic() < deadline, f"no alert tone heard in {ident}"
                time.sleep(0.2)

        def done(ident: str) -> bool:
            with stations[ident].transaction() as s:
                entries = s.scalars(
                    select(PlanEntry.status).where(
                        PlanEntry.message_id == sent.delivered[ident], PlanEntry.channel == "urgent"
                    )
                ).all()
            return list(entries) == ["done"]

        while not all(done(i) for i in stations) or len(graph.published()) < 2:
            assert time.monotonic() < deadline, "the urgent entries were not settled"
            time.sleep(0.2)
    finally:
        for listener in listeners.values():
            listener.close()
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=15)
        except Exception:
            worker.kill()
            worker.wait()
    assert len(graph.published()) == 2  # posted once per commune
    (shown,) = list_messages(province, message_id=sent.message_id)
    assert {d.ident for d in shown.deliveries if d.aired and d.zones == ["thon1"]} == set(stations)
    assert shown.aired_in == 2 and shown.posted_in == 2
    from datetime import timedelta

    today = province.now().date()  # a window around now: a run across midnight still counts
    figures = province_figures(province, today - timedelta(days=1), today + timedelta(days=1))
    assert figures.sent["urgent"] == 1 and figures.communes_aired == 2
    assert figures.zones_aired == 2 and figures.airtime_min > 0


def _urgent_jobs(province: Province) -> dict[str, int]:
    from sqlalchemy import text

    engine = province.engine(pool_size=1)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT args->>'station', count(*) FROM procrastinate.procrastinate_jobs "
                    "WHERE task_name = 'urgent' GROUP BY 1"
                )
            ).all()
    finally:
        engine.dispose()
    return {str(r[0]): int(r[1]) for r in rows}


def test_a_send_cut_off_midway_leaves_whole_deliveries_and_resumes_without_doubles(
    province: Province,
) -> None:
    """The first commune's copy and its urgent job are committed before the others are
    delivered (its job can start at once); a commune whose delivery fails (here a PostgreSQL
    trigger refusing the insert) gets neither copy nor job; `deliver_rest` then delivers the
    rest, nothing twice."""
    from sqlalchemy import text

    from loa.province.deliveries import list_messages
    from loa.province.messages import CutOff, deliver_rest

    for ident in ("xa_a", "xa_b", "xa_c"):
        add_station(province, ident, name=ident)
    engine = province.engine(pool_size=1)
    with engine.begin() as conn:
        conn.execute(
            text(
                "CREATE FUNCTION xa_c.refuse() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'disk full'; END $$"
            )
        )
        conn.execute(
            text(
                "CREATE TRIGGER refuse BEFORE INSERT ON xa_c.messages "
                "FOR EACH ROW EXECUTE FUNCTION xa_c.refuse()"
            )
        )
    with pytest.raises(CutOff) as caught:
        _send(province, "Bão số 3", "Bà con neo đậu tàu thuyền ngay.", priority=Priority.URGENT)
    assert "disk full" in str(caught.value) and "tới 1 xã" in str(caught.value)
    assert f"loa province msg deliver {caught.value.message_id}" in str(caught.value)
    assert [len(_messages(province, i)) for i in ("xa_a", "xa_b", "xa_c")] == [1, 0, 0]
    assert _urgent_jobs(province) == {"xa_a": 1}
    with engine.begin() as conn:
        conn.execute(text("DROP TRIGGER refuse ON xa_c.messages"))
    engine.dispose()
    (message,) = list_messages(province)
    rest = deliver_rest(province, message.id, now=MORNING)
    again = deliver_rest(province, message.id, now=MORNING)
    assert sorted(rest.delivered) == ["xa_a", "xa_b", "xa_c"] and rest.jobs == {"urgent": 2}
    assert again.delivered == rest.delivered and again.jobs == {}
    assert [len(_messages(province, i)) for i in ("xa_a", "xa_b", "xa_c")] == [1, 1, 1]
    assert _urgent_jobs(province) == {"xa_a": 1, "xa_b": 1, "xa_c": 1}


def test_a_commune_with_no_topic_refuses_the_send_before_anything_is_saved(
    province: Province,
) -> None:
    from sqlalchemy import text

    from loa.province.deliveries import list_messages

    for ident in ("xa_a", "xa_b"):
        add_station(province, ident, name=ident)
    engine = province.engine(pool_size=1)
    with engine.begin() as conn:
        conn.execute(text("UPDATE xa_b.messages SET topic_code = NULL"))
        conn.execute(text("DELETE FROM xa_b.topics"))
    engine.dispose()
    with pytest.raises(UserError, match="xa_b"):
        _send(province, "Lịch cắt điện", "Thứ bảy cắt điện cả ngày.", priority=Priority.URGENT)
    assert list_messages(province) == [] and _messages(province, "xa_a") == []
    assert _urgent_jobs(province) == {}


def test_loa_province_msg_deliver_finishes_a_send_that_was_cut_off(province: Province) -> None:
    """The door: `msg add` cut off after the first commune says so in Vietnamese (exit 1, no
    traceback) and names the command that finishes it; `msg deliver` delivers the rest once."""
    from sqlalchemy import text

    from loa.cli.main import app

    for ident in ("xa_a", "xa_b", "xa_c"):
        add_station(province, ident, name=ident)
    engine = province.engine(pool_size=1)
    with engine.begin() as conn:
        conn.execute(
            text(
                "CREATE FUNCTION xa_b.refuse() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'disk full'; END $$"
            )
        )
        conn.execute(
            text(
                "CREATE TRIGGER refuse BEFORE INSERT ON xa_b.messages "
                "FOR EACH ROW EXECUTE FUNCTION xa_b.refuse()"
            )
        )
    runner = CliRunner()
    p = ["--province", str(province.root)]
    add = ["province", "msg", "add", "--title", "Lịch tiếp dân", "--body", "Thứ năm hằng tuần."]
    cut = runner.invoke(app, [*add, "--to", "all", *p])
    assert cut.exit_code == 1, cut.output
    assert "Traceback" not in cut.output and "disk full" in cut.output
    (message,) = list_messages(province)
    assert f"loa province msg deliver {message.id}" in " ".join(cut.output.split())
    assert [len(_messages(province, i)) for i in ("xa_a", "xa_b", "xa_c")] == [1, 0, 0]
    with engine.begin() as conn:
        conn.execute(text("DROP TRIGGER refuse ON xa_b.messages"))
    engine.dispose()
    rest = runner.invoke(app, ["province", "msg", "deliver", str(message.id), *p])
    assert rest.exit_code == 0, rest.output
    assert "gửi thêm tới 2 xã (xa_b, xa_c)" in rest.output
    again = runner.invoke(app, ["province", "msg", "deliver", str(message.id), "--json", *p])
    assert again.exit_code == 0, again.output
    assert '"delivered": []' in again.output and '"total": 3' in again.output
    assert [len(_messages(province, i)) for i in ("xa_a", "xa_b", "xa_c")] == [1, 1, 1]
    unknown = runner.invoke(app, ["province", "msg", "deliver", "999", *p])
    assert unknown.exit_code == 2 and "Traceback" not in unknown.output
