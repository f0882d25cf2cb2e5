"""Report figures against the as-run records of a simulated week."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from loa.channels.models import AsRunRecord
from loa.core.errors import UserError
from loa.planning.models import PlanEntry
from loa.report import build_report, report_for_period
from loa.report.periods import parse_period
from tests.report.simulate import NOW, WEEK_END, WEEK_START, make_messages


def test_headline_figures_match_what_was_recorded(week) -> None:
    station, exp = week
    r = build_report(station, WEEK_START, WEEK_END, now=NOW)
    assert r.totals.bulletins == exp.bulletins == 12
    assert r.totals.radio_items == exp.radio_items
    assert r.totals.airtime_s == pytest.approx(exp.airtime_s)
    assert r.totals.posts == dict(exp.posts)
    assert r.totals.items == exp.items
    assert r.totals.messages == len(exp.messages)
    assert not r.empty


def test_figures_match_the_as_run_table_itself(week) -> None:
    """The same figures straight from SQL over the as-run table."""
    station, _ = week
    r = build_report(station, WEEK_START, WEEK_END, now=NOW)
    lo, hi = datetime(2026, 10, 28), datetime(2026, 11, 4)
    done = (AsRunRecord.status == "done", AsRunRecord.started_at >= lo, AsRunRecord.started_at < hi)
    with station.transaction() as s:
        radio = (*done, AsRunRecord.channel == "radio")
        assert r.totals.bulletins == s.scalar(
            select(func.count(func.distinct(AsRunRecord.bulletin))).where(*radio)
        )
        assert r.totals.radio_items == s.scalar(select(func.count()).where(*radio))
        assert r.totals.airtime_s == pytest.approx(
            s.scalar(select(func.sum(AsRunRecord.duration_s)).where(*radio))
        )
        for channel, n in s.execute(
            select(AsRunRecord.channel, func.count())
            .where(*done, AsRunRecord.channel != "radio")
            .group_by(AsRunRecord.channel)
        ):
            assert r.totals.posts[channel] == n
    assert len([x for x in r.rows if x.status == "done"]) == r.totals.items


def test_month_by_month_adds_up(week) -> None:
    station, exp = week
    r = build_report(station, WEEK_START, WEEK_END, now=NOW)
    assert [m.label for m in r.months] == ["10/2026", "11/2026"]
    for m in r.months:
        for channel in r.channels:
            assert m.totals.channel_items(channel) == exp.months[m.label][channel]
        assert m.totals.bulletins == exp.month_bulletins[m.label]
    assert sum(m.totals.bulletins for m in r.months) == r.totals.bulletins
    assert sum(m.totals.items for m in r.months) == r.totals.items
    assert sum(m.totals.airtime_s for m in r.months) == pytest.approx(r.totals.airtime_s)


def test_topics_and_audiences(week) -> None:
    station, exp = week
    r = build_report(station, WEEK_START, WEEK_END, now=NOW)
    assert {t.code: t.total for t in r.topics} == dict(exp.topics)
    assert sum(t.total for t in r.topics) == r.totals.items
    assert {a.code: a.total for a in r.audiences} == dict(exp.audiences)
    names = {t.code: t.name for t in r.topics}
    assert names["online_services"] == "Dịch vụ công trực tuyến mức độ 3, 4"


def test_what_did_not_go_out_and_why(week) -> None:
    station, exp = week
    r = build_report(station, WEEK_START, WEEK_END, now=NOW)
    assert r.undelivered_counts == {
        k: exp.undelivered[k] for k in ("skipped", "failed", "uncertain", "missing")
    }
    reasons = {u.status: u.reason for u in r.undelivered}
    assert "Mất điện" in reasons["skipped"]
    assert reasons["uncertain"] == "Mất kết nối khi đang đăng"
    assert any(u.reason == "Token trang Facebook đã hết hạn" for u in r.undelivered)
    # One row per plan entry, even when the plan, the outbox and the as-run log all say so.
    ids = [u.plan_entry_id for u in r.undelivered if u.plan_entry_id]
    assert len(ids) == len(set(ids)) == len(r.undelivered)


def test_missing_waits_for_the_grace_and_for_now(week) -> None:
    station, _ = week
    bulletin = datetime(2026, 11, 3, 17, 30)
    early = build_report(station, WEEK_START, WEEK_END, now=bulletin + timedelta(minutes=10))
    assert "missing" not in early.undelivered_counts
    later = build_report(station, WEEK_START, WEEK_END, now=bulletin + timedelta(hours=2))
    assert later.undelivered_counts["missing"] == 2


def test_done_plan_matched_by_message_and_day_without_a_plan_link(station) -> None:
    with station.transaction() as s:
        msg = make_messages(s, 1)[0]
        at = datetime(2026, 11, 2, 9, 0)
        s.add(PlanEntry(message_id=msg.id, channel="website", scheduled_at=at))
        s.add(
            AsRunRecord(
                channel="website",
                started_at=at + timedelta(minutes=3),
                message_id=msg.id,
                title=msg.title,
                topic_code=msg.topic_code,
            )
        )
    r = build_report(station, date(2026, 11, 2), date(2026, 11, 2), now=NOW)
    assert r.undelivered == []
    assert r.totals.posts == {"website": 1}


def test_comparison_with_the_previous_period(week) -> None:
    station, _ = week
    r = build_report(station, WEEK_START, WEEK_END, now=NOW)
    assert (r.previous_period.start, r.previous_period.end) == (
        date(2026, 10, 21),
        date(2026, 10, 27),
    )
    assert (r.previous.bulletins, r.previous.radio_items, r.previous.posts) == (
        3,
        6,
        {"facebook": 2},
    )
    assert r.previous.airtime_s == pytest.approx(360.0)


def test_bulletin_across_midnight_at_month_end_counts_once(station) -> None:
    with station.transaction() as s:
        msg = make_messages(s, 1)[0]
        for i, at in enumerate((datetime(2026, 10, 31, 23, 59), datetime(2026, 11, 1, 0, 0, 30))):
            s.add(
                AsRunRecord(
                    channel="radio",
                    started_at=at,
                    duration_s=30.0 + i,
                    bulletin="2026-10-31 23:59",
                    message_id=msg.id,
                    title=msg.title,
                )
            )
    r = build_report(station, date(2026, 10, 1), date(2026, 11, 30), now=NOW)
    assert r.totals.bulletins == 1
    assert [m.totals.bulletins for m in r.months] == [1, 0]
    assert [m.totals.radio_items for m in r.months] == [1, 1]


def test_empty_period_gives_an_empty_report(station) -> None:
    r = build_report(station, date(2026, 1, 1), date(2026, 3, 31), now=NOW)
    assert r.empty
    assert r.totals.items == 0 and r.topics == [] and r.undelivered == []
    assert len(r.months) == 3


def test_inverted_range_is_a_user_error(station) -> None:
    with pytest.raises(UserError, match="rỗng"):
        build_report(station, date(2026, 11, 7), date(2026, 11, 1), now=NOW)


def test_named_period_and_data_until(week) -> None:
    station, exp = week
    p = parse_period(today=NOW.date(), quarter_text="2026Q4")
    r = report_for_period(station, p, now=NOW)
    assert r.period.label == "quý IV năm 2026"
    assert r.data_until == NOW
    assert [m.label for m in r.months] == ["10/2026", "11/2026", "12/2026"]
    # The quarter holds the week, the 6 items of the week before and one record after.
    assert r.totals.radio_items == exp.radio_items + 6 + 1
    assert r.to_dict()["totals"]["items"] == r.totals.items
