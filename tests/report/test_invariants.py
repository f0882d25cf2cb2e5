"""Invariants of the figures over random as-run logs (no database: the pure functions)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from loa.report.figures import (
    AsRunRow,
    breakdown,
    compute_totals,
    mark_bulletin_openers,
    monthly,
)
from loa.report.periods import Period

START = date(2026, 9, 20)
PERIOD = Period(START, START + timedelta(days=70))

rows_strategy = st.lists(
    st.builds(
        lambda minute, channel, status, dur, topic, auds, slot: AsRunRow(
            id=0,
            channel=channel,
            status=status,
            started_at=datetime(2026, 9, 20) + timedelta(minutes=minute),
            duration_s=dur,
            bulletin=f"b{slot}" if channel == "radio" else None,
            message_id=slot % 7,
            plan_entry_id=None,
            title="t",
            topic_code=topic,
            audiences=auds,
        ),
        st.integers(0, 71 * 24 * 60 - 1),
        st.sampled_from(["radio", "radio", "facebook", "website", "zalo"]),
        st.sampled_from(["done", "done", "done", "skipped", "failed"]),
        st.floats(0, 600, allow_nan=False),
        st.sampled_from([None, "one_stop", "sipas", "x_custom"]),
        st.lists(st.sampled_from(["residents", "officials", "workers"]), max_size=3),
        st.integers(0, 40),
    ),
    max_size=120,
)


@settings(max_examples=150, deadline=None)
@given(rows_strategy)
def test_months_and_topics_add_up_to_the_totals(rows: list[AsRunRow]) -> None:
    rows.sort(key=lambda r: r.started_at)
    mark_bulletin_openers(rows)
    total = compute_totals(rows)
    months = monthly(PERIOD, rows)
    assert [(m.year, m.month) for m in months] == [(2026, 9), (2026, 10), (2026, 11)]
    assert sum(m.totals.bulletins for m in months) == total.bulletins
    assert sum(m.totals.radio_items for m in months) == total.radio_items
    assert sum(m.totals.items for m in months) == total.items
    assert abs(sum(m.totals.airtime_s for m in months) - total.airtime_s) < 1e-6
    done = [r for r in rows if r.status == "done"]
    assert total.items == len(done)
    assert total.bulletins == len({r.bulletin for r in done if r.channel == "radio"})
    topics = breakdown(
        rows,
        lambda r: [r.topic_code] if r.topic_code else [],
        {"one_stop": "Một cửa"},
        ["sipas", "one_stop"],
        "?",
    )
    assert sum(t.total for t in topics) == total.items
    assert [t.code for t in topics if t.code in ("sipas", "one_stop")] == [
        c for c in ("sipas", "one_stop") if any(r.topic_code == c for r in done)
    ]
    if topics and topics[-1].code is None:
        assert topics[-1].name == "?"
    audiences = breakdown(rows, lambda r: list(dict.fromkeys(r.audiences)), {}, [], "?")
    assert sum(a.total for a in audiences) == sum(max(1, len(set(r.audiences))) for r in done)
