"""loa.core.dates: every accepted form, relative words with a fixed today, one message for the
rest, and round trips (hypothesis)."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loa.core.dates import (
    MAX_YEAR,
    MIN_YEAR,
    format_date,
    format_time,
    parse_date,
    parse_datetime,
    parse_time,
    relative_day,
)
from loa.core.errors import UserError
from loa.core.i18n import set_language

TODAY = date(2026, 12, 2)
DATES = st.dates(min_value=date(MIN_YEAR, 1, 1), max_value=date(MAX_YEAR, 12, 31))
TIMES = st.times().map(lambda t: t.replace(second=0, microsecond=0))


def forms(day: date) -> list[str]:
    """Every written form of `day` that parse_date accepts."""
    d, m, y = day.day, day.month, day.year
    return [
        f"{d:02d}/{m:02d}/{y}",
        f"{d}/{m}/{y}",
        f"{d:02d}-{m:02d}-{y}",
        f"{d}-{m}-{y}",
        f"{d:02d}.{m:02d}.{y}",
        f"{d}.{m}.{y}",
        f"{y}-{m:02d}-{d:02d}",
        f"{y}-{m}-{d}",
        f" {d:02d} / {m:02d} / {y} ",
    ]


@given(DATES)
def test_every_form_of_a_date_parses_back_to_it(day: date) -> None:
    for text in forms(day):
        assert parse_date(text, today=TODAY) == day, text
        assert parse_date(text, today=None) == day, text


@given(DATES, st.sampled_from(["vi", "en"]))
def test_format_date_parses_back(day: date, lang: str) -> None:
    set_language(lang)
    assert parse_date(format_date(day), today=None) == day


def test_format_date_by_language() -> None:
    assert format_date(date(2026, 1, 5)) == "05/01/2026"
    set_language("en")
    assert format_date(date(2026, 1, 5)) == "2026-01-05"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("02/12/2026", date(2026, 12, 2)),
        ("2/12/2026", date(2026, 12, 2)),
        ("02-12-2026", date(2026, 12, 2)),
        ("02.12.2026", date(2026, 12, 2)),
        ("2026-12-02", date(2026, 12, 2)),
        ("29/02/2024", date(2024, 2, 29)),
        ("31.12.2026", date(2026, 12, 31)),
    ],
)
def test_examples_of_each_form(text: str, expected: date) -> None:
    assert parse_date(text, today=TODAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hôm nay", TODAY),
        ("Hôm nay", TODAY),
        ("  hôm   nay ", TODAY),
        ("hom nay", TODAY),
        ("today", TODAY),
        ("TODAY", TODAY),
        ("mai", date(2026, 12, 3)),
        ("ngày mai", date(2026, 12, 3)),
        ("Ngay mai", date(2026, 12, 3)),
        ("tomorrow", date(2026, 12, 3)),
        ("hôm qua", date(2026, 12, 1)),
        ("yesterday", date(2026, 12, 1)),
        # Decomposed (NFD) Vietnamese, as some keyboards and terminals send it.
        ("ho\u0302m nay", TODAY),
    ],
)
def test_relative_words_count_from_the_given_today(text: str, expected: date) -> None:
    assert parse_date(text, today=TODAY) == expected
    assert relative_day(text, today=TODAY) == expected


def test_relative_words_cross_month_and_year_ends() -> None:
    assert parse_date("mai", today=date(2026, 12, 31)) == date(2027, 1, 1)
    assert parse_date("hôm qua", today=date(2026, 3, 1)) == date(2026, 2, 28)


def test_relative_words_are_refused_without_a_clock() -> None:
    with pytest.raises(UserError) as info:
        parse_date("mai", today=None)
    assert '"mai"' in str(info.value) and "hôm nay" not in str(info.value)
    assert relative_day("02/12/2026", today=TODAY) is None


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "02/12",  # no year: refused rather than guessed
        "02/12/26",
        "2026/12/02",
        "2026.12.02",
        "12/2026",
        "hôm kia",
        "ngày 2 tháng 12",
        "2026-12-02T06:30",
        "02/12/2026 06:30",
        "abc",
    ],
)
def test_malformed_dates_get_the_one_message(text: str) -> None:
    with pytest.raises(UserError) as info:
        parse_date(text, today=TODAY)
    message = str(info.value)
    assert f'Ngày "{text.strip()}" không hợp lệ' in message
    assert "NGÀY/THÁNG/NĂM (02/12/2026" in message and "NĂM-THÁNG-NGÀY (2026-12-02)" in message
    assert "02-12-2026, 02.12.2026" in message and '"hôm nay", "mai"' in message
    assert info.value.exit_code == 2


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("31/02/2026", "31/02/2026 không tồn tại (tháng 2/2026 có 28 ngày)"),
        ("29.02.2025", "29.02.2025 không tồn tại (tháng 2/2025 có 28 ngày)"),
        ("2026-04-31", "2026-04-31 không tồn tại (tháng 4/2026 có 30 ngày)"),
        ("00/01/2026", "không tồn tại"),
        ("01/13/2026", "không có tháng 13"),
        ("01/00/2026", "không có tháng 0"),
        ("01/01/0226", "năm phải từ 1900 đến 2999"),
    ],
)
def test_impossible_dates_get_the_same_message_with_the_reason(text: str, why: str) -> None:
    with pytest.raises(UserError) as info:
        parse_date(text, today=TODAY)
    message = str(info.value)
    assert message.startswith(f'Ngày "{text}" không hợp lệ: ')
    assert why in message and "NGÀY/THÁNG/NĂM" in message


def test_english_message() -> None:
    set_language("en")
    with pytest.raises(UserError) as info:
        parse_date("31/02/2026", today=TODAY)
    assert str(info.value).startswith('Date "31/02/2026" is not valid: 31/02/2026 does not exist')
    assert '"today", "tomorrow", "yesterday"' in str(info.value)


@given(st.text(max_size=30))
def test_garbage_is_refused_with_a_user_error_only(text: str) -> None:
    try:
        day = parse_date(text, today=TODAY)
    except UserError:
        return
    assert MIN_YEAR <= day.year <= MAX_YEAR


@given(st.text(alphabet="0123456789/.-: hgiờmaynôqu", max_size=16))
def test_date_shaped_garbage_is_refused_with_a_user_error_only(text: str) -> None:
    for parse in (
        lambda: parse_date(text, today=TODAY),
        lambda: parse_time(text),
        lambda: parse_datetime(text, today=TODAY),
    ):
        try:
            parse()
        except UserError:
            pass


# --------------------------------------------------------------------------- times


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("05:30", time(5, 30)),
        ("5:30", time(5, 30)),
        ("00:00", time(0, 0)),
        ("23:59", time(23, 59)),
        ("17h30", time(17, 30)),
        ("17H30", time(17, 30)),
        ("7h", time(7, 0)),
        ("7g30", time(7, 30)),
        ("19 giờ 30", time(19, 30)),
        ("19 giờ 30 phút", time(19, 30)),
        ("19 giờ", time(19, 0)),
        ("19 gio 05", time(19, 5)),
        (" 06:00 ", time(6, 0)),
    ],
)
def test_time_forms(text: str, expected: time) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    "text", ["25:00", "24:00", "12:60", "7", "", "noon", "5:3", "17:", "7h5", "05:30:00", "-1:00"]
)
def test_impossible_or_malformed_times_are_refused(text: str) -> None:
    with pytest.raises(UserError) as info:
        parse_time(text)
    assert f'Giờ "{text.strip()}" không hợp lệ' in str(info.value)
    assert "00:00 đến 23:59" in str(info.value)


@given(TIMES)
def test_time_round_trip(at: time) -> None:
    assert parse_time(format_time(at)) == at
    assert parse_time(f"{at.hour}h{at.minute:02d}") == at
    assert parse_time(f"{at.hour} giờ {at.minute:02d}") == at


# --------------------------------------------------------------------------- date-times


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-02 06:30", datetime(2026, 12, 2, 6, 30)),
        ("2026-12-02T06:30", datetime(2026, 12, 2, 6, 30)),
        ("02/12/2026 06:30", datetime(2026, 12, 2, 6, 30)),
        ("02.12.2026 6h30", datetime(2026, 12, 2, 6, 30)),
        ("06:30", datetime(2026, 12, 2, 6, 30)),
        ("mai 6h", datetime(2026, 12, 3, 6, 0)),
        ("ngày mai 19 giờ 30", datetime(2026, 12, 3, 19, 30)),
    ],
)
def test_datetime_forms(text: str, expected: datetime) -> None:
    assert parse_datetime(text, today=TODAY) == expected


@given(DATES, TIMES)
def test_datetime_round_trip(day: date, at: time) -> None:
    for text in forms(day):
        assert parse_datetime(f"{text} {format_time(at)}", today=TODAY) == datetime.combine(day, at)


def test_bad_datetimes() -> None:
    with pytest.raises(UserError, match='Thời điểm "2026-12-02 25:00" không hợp lệ'):
        parse_datetime("2026-12-02 25:00", today=TODAY)
    with pytest.raises(UserError, match="31/02/2026 không tồn tại"):
        parse_datetime("31/02/2026 06:30", today=TODAY)
    with pytest.raises(UserError, match="chỉ GIỜ"):
        parse_datetime("06:30", today=None)
