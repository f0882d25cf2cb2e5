"""`loa publish --key K` names one post: reusing K for another message or channel is refused (#31)."""

from __future__ import annotations

from sqlalchemy import select
from typer.testing import CliRunner

from loa.channels.models import Publication
from loa.cli.main import app
from loa.core.station import Station
from tests.channels.conftest import add_message
from tests.channels.fake_graph import FakeGraph

runner = CliRunner(env={"COLUMNS": "200"})


def _publish(station: Station, mid: int, *more: str) -> object:
    args = ["--station", str(station.root), "publish", "-m", str(mid), "--now", *more]
    return runner.invoke(app, args)


def test_a_key_reused_for_another_message_is_refused(fb_station: Station, graph: FakeGraph) -> None:
    first = add_message(fb_station)
    second = add_message(fb_station, title="Tin thứ hai khác hẳn")
    done = _publish(fb_station, first, "-c", "facebook", "--key", "K")
    assert done.exit_code == 0, done.output
    assert len(graph.posts) == 1
    again = _publish(fb_station, first, "-c", "facebook", "--key", "K")
    assert again.exit_code == 0 and "không đăng lại" in again.output  # same post: fine
    reused = _publish(fb_station, second, "-c", "facebook", "--key", "K")
    assert reused.exit_code == 2, reused.output
    assert (
        'Khóa "K" đã dùng cho tin số' in reused.output and "Đã đăng từ trước" not in reused.output
    )
    assert len(graph.posts) == 1
    with fb_station.transaction() as session:
        rows = session.scalars(select(Publication)).all()
        assert [(p.key, p.message_id) for p in rows] == [("K", first)]


def test_a_key_reused_for_another_channel_is_refused(fb_station: Station, graph: FakeGraph) -> None:
    mid = add_message(fb_station)
    assert _publish(fb_station, mid, "-c", "facebook", "--key", "K2").exit_code == 0
    other = _publish(fb_station, mid, "-c", "website", "--key", "K2")
    assert other.exit_code == 2, other.output
    assert "trên kênh facebook" in other.output
