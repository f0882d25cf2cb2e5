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
