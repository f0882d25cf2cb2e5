"""Zalo in the outbox (#31 item 12 b-e): an uncertain publication's text stays one reason and
its latest state, `loa publish` says when a broadcast is uncertain, two racing publishes of
one message post once, and `loa urgent` lists an interrupted bulletin once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from loa.app.publish import reconcile
from loa.channels.models import Publication
from loa.core.station import Station
from tests.channels.conftest import NOW, add_message
from tests.channels.fake_zalo import FakeZalo
from tests.channels.test_zalo import _crash_after_article

pytestmark = pytest.mark.usefixtures("no_keyring")


def test_an_uncertain_publications_text_keeps_only_its_latest_state(
    zalo_station: Station, zalo: FakeZalo
) -> None:
    mid = add_message(zalo_station)
    publication, _key = _crash_after_article(zalo_station, mid)
    zalo.fail("article/getslice", "500", times=200)  # every look-up fails
    texts: list[str] = []
    when = NOW + timedelta(minutes=10)
    for _ in range(6):
        reconcile(zalo_station, now=when)
        with zalo_station.transaction() as s:
            row = s.get(Publication, publication.id)
            assert row is not None and row.status == "uncertain"
            texts.append(row.error or "")
            assert row.next_at is not None
            when = max(when, row.next_at) + timedelta(seconds=1)
    lengths = [len(t) for t in texts]
    assert max(lengths) - min(lengths) <= 5, texts  # the look-up count's digits at most
    last = " ".join(texts[-1].split())
    assert last.count("Tiến trình gửi lúc") == 1, last  # the reason, once
    assert last.count("Chưa tra cứu được") == 1 and "lần tra thứ 6" in last, last
    assert "Đợi zalo hiện bài mới" not in last, last  # no stale wait


def test_loa_publish_says_when_the_broadcast_is_uncertain(
    zalo_station: Station, zalo: FakeZalo
) -> None:
    from typer.testing import CliRunner

    from loa.cli.main import app
    from tests.channels.test_zalo import _midday_somewhere

    _midday_somewhere(zalo_station)
    mid = add_message(zalo_station, priority="high")
    zalo.fail("oa/message", "lost")  # the broadcast goes out, its answer is lost
    result = CliRunner(env={"COLUMNS": "200"}).invoke(
        app,
        ["--station", str(zalo_station.root), "publish", "-m", str(mid), "-c", "zalo", "--now"],
    )
    out = " ".join(result.output.split())
    assert result.exit_code == 0, result.output
    assert len(zalo.articles) == 1 and len(zalo.broadcasts) == 1
    assert "Đã đăng" in out or "đã lên" in out.lower(), out
    with zalo_station.transaction() as s:
        broadcast = s.scalars(
            select(Publication).where(Publication.key == f"manual:{mid}:zalo:broadcast")
        ).one()
    assert broadcast.status == "uncertain"
    assert f"Chưa chắc manual:{mid}:zalo:broadcast trên zalo đã gửi hay chưa" in out, out
    assert f"loa outbox --done {broadcast.id}" in out and "loa không tự gửi lại" in out, out


def test_a_second_publish_of_a_finished_message_knows_it_sent_nothing(
    zalo_station: Station, zalo: FakeZalo
) -> None:
    from loa.app.publish import publish_message, sent_before

    mid = add_message(zalo_station)
    first = publish_message(zalo_station, mid, "zalo", now=NOW)
    again = publish_message(zalo_station, mid, "zalo", now=NOW)
    assert first.status == again.status == "published" and len(zalo.articles) == 1
    assert not sent_before(first) and sent_before(again)


@pytest.mark.slow
def test_two_racing_publishes_post_once_and_the_second_says_it_is_being_sent(
    zalo_station: Station, zalo: FakeZalo
) -> None:
    import subprocess

    from tests.channels.conftest import configure
    from tests.channels.test_channels_cli import loa_cmd
    from tests.channels.test_zalo import _loa_env

    configure(zalo_station, "channels.zalo", timeout_s=60.0, deadline_s=90.0)  # A waits for B
    env = _loa_env(zalo_station, zalo, zalo.refresh_token)
    mid = add_message(zalo_station)
    publish = [*loa_cmd(), "publish", "--message", str(mid), "--channel", "zalo", "--now"]
    zalo.hold = {"article/create"}
    first = subprocess.Popen(
        publish, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert zalo.received.wait(60), "the first publish never reached the fake Zalo"
        second = subprocess.run(publish, env=env, capture_output=True, text=True, timeout=120)
    finally:
        zalo.hold = set()
        zalo.release.set()
        out, err = first.communicate(timeout=60)
    assert first.returncode == 0 and "Đã đăng lên zalo" in " ".join(out.split()), out + err
    said = " ".join((second.stdout + second.stderr).split())
    assert second.returncode != 0 and "đang được tiến trình khác" in said, said
    assert "Đã đăng lên" not in said
    assert len(zalo.articles) == 1
