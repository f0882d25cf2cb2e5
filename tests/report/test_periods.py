"""Report periods: parsing, labels, the previous period, and bad input."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loa.core.dates import parse_date
from loa.core.errors import UserError
from loa.core.i18n import set_language
from loa.report.periods import Period, parse_period

TODAY = date(2026, 11, 23)


def period(**kw: str) -> Period:
    return parse_period(today=TODAY, **kw)


@pytest.mark.parametrize(
    ("kw", "start", "end", "label", "slug"),
    [
        (
            {"quarter_text": "2026Q4"},
            date(2026, 10, 1),
            date(2026, 12, 31),
            "quý IV năm 2026",
            "2026Q4",
        ),
        (
            {"quarter_text": "q1/2026"},
            date(2026, 1, 1),
            date(2026, 3, 31),
            "quý I năm 2026",
            "2026Q1",
        ),
        (
            {"half_text": "2026H2"},
            date(2026, 7, 1),
            date(2026, 12, 31),
            "6 tháng cuối năm 2026",
            "2026H2",
        ),
        (
            {"half_text": "2026-h1"},
            date(2026, 1, 1),
            date(2026, 6, 30),
            "6 tháng đầu năm 2026",
            "2026H1",
        ),
        ({"year_text": "2025"}, date(2025, 1, 1), date(2025, 12, 31), "năm 2025", "2025"),
        (
            {"month_text": "2024-02"},
            date(2024, 2, 1),
            date(2024, 2, 29),
            "tháng 2 năm 2024",
            "2024-02",
        ),
        (
            {"from_text": "01/11/2026", "to_text": "2026-11-07"},
            date(2026, 11, 1),
            date(2026, 11, 7),
            "từ ngày 01/11/2026 đến ngày 07/11/2026",
            "2026-11-01_2026-11-07",
        ),
    ],
)
def test_parse_each_form(kw, start, end, label, slug) -> None:
    p = period(**kw)
    assert (p.start, p.end, p.label, p.slug) == (start, end, label, slug)


def test_english_labels() -> None:
    set_language("en")
    assert period(quarter_text="2026Q4").label == "Q4 2026"
    assert period(half_text="2026H1").label == "first half of 2026"
    assert period(month_text="2026-11").label == "November 2026"


@pytest.mark.parametrize(
    ("kw", "words"),
    [
        ({"quarter_text": "2026Q5"}, "--quarter 2026Q4"),
        ({"quarter_text": "Q4"}, "--quarter 2026Q4"),
        ({"half_text": "2026H3"}, "--half 2026H2"),
        ({"year_text": "26"}, "--year 2026"),
        ({"month_text": "2026-13"}, "--month 2026-11"),
        ({"from_text": "2026/11/01", "to_text": "2026-11-07"}, "NĂM-THÁNG-NGÀY"),
        ({"from_text": "31/02/2026", "to_text": "2026-03-07"}, "không tồn tại"),
        ({"from_text": "2026-11-01"}, "cả --from và --to"),
        ({}, "đúng một kỳ"),
        ({"quarter_text": "2026Q4", "year_text": "2026"}, "đúng một kỳ"),
    ],
)
def test_malformed_is_a_user_error(kw, words) -> None:
    with pytest.raises(UserError) as info:
        period(**kw)
    assert words in str(info.value)
    assert info.value.exit_code == 2


def test_empty_range() -> None:
    with pytest.raises(UserError, match="rỗng"):
        period(from_text="2026-11-07", to_text="2026-11-01")


def test_future_period_is_refused_but_a_running_one_is_allowed() -> None:
    with pytest.raises(UserError, match="sau hôm nay"):
        period(year_text="2027")
    with pytest.raises(UserError, match="sau hôm nay"):
        period(from_text="2026-11-24", to_text="2026-11-30")
    running = period(quarter_text="2026Q4")
    assert running.start <= TODAY <= running.end


def test_previous_of_named_periods() -> None:
    assert period(quarter_text="2026Q1").previous() == period(quarter_text="2025Q4")
    assert period(quarter_text="2026Q4").previous() == period(quarter_text="2026Q3")
    assert period(half_text="2026H1").previous() == period(half_text="2025H2")
    assert period(year_text="2026").previous() == period(year_text="2025")
    assert period(month_text="2026-01").previous() == period(month_text="2025-12")


def test_months_touched() -> None:
    assert Period(date(2026, 10, 28), date(2026, 11, 3)).months() == [(2026, 10), (2026, 11)]
    assert len(period(year_text="2025").months()) == 12


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 1, 1)),
    st.integers(min_value=0, max_value=800),
)
def test_previous_range_has_the_same_length_and_touches(start: date, extra: int) -> None:
    p = Period(start, start + timedelta(days=extra))
    prev = p.previous()
    assert prev.days == p.days
    assert prev.end + timedelta(days=1) == p.start


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2999, 12, 31)))
def test_parse_date_round_trip(day: date) -> None:
    assert parse_date(day.isoformat(), today=TODAY) == day
    assert parse_date(f"{day.day:02d}/{day.month:02d}/{day.year}", today=TODAY) == day


@pytest.mark.parametrize(
    ("kw", "slug"),
    [
        ({"quarter_text": "quý 4/2026"}, "2026Q4"),
        ({"quarter_text": "Quý IV năm 2026"}, "2026Q4"),
        ({"quarter_text": "Q4-2026"}, "2026Q4"),
        ({"half_text": "6 tháng đầu năm 2026"}, "2026H1"),
        ({"half_text": "H2/2026"}, "2026H2"),
        ({"year_text": "năm 2025"}, "2025"),
        ({"month_text": "tháng 11/2026"}, "2026-11"),
        ({"month_text": "tháng 11 năm 2026"}, "2026-11"),
        ({"from_text": "01.11.2026", "to_text": "hôm nay"}, "2026-11-01_2026-11-23"),
        ({"from_text": "01-11-2026", "to_text": "hôm qua"}, "2026-11-01_2026-11-22"),
    ],
)
def test_vietnamese_period_forms_and_relative_days(kw: dict[str, str], slug: str) -> None:
    assert period(**kw).slug == slug


@pytest.mark.parametrize(
    ("key", "text"),
    [
        ("quarter_text", "2025Q3"),
        ("half_text", "2025H1"),
        ("year_text", "2025"),
        ("month_text", "2025-07"),
    ],
)
def test_a_vietnamese_label_reads_back_as_its_period(key: str, text: str) -> None:
    p = period(**{key: text})
    assert period(**{key: p.label}) == p
