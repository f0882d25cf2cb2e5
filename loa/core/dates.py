"""The one parser of dates, times and date-times that people type or write in files.

Every command option (`--day`, `--date`, `--from`, `--to`, `--until`, `--at` ...), every imported
message (valid_from, valid_until), every slot time and the `[scheduler] render_at` setting come
through here, so they all accept the same forms and refuse the rest with the same message:

- dates: 02/12/2026, 2/12/2026, 02-12-2026, 02.12.2026 (day first, as Vietnamese dates are
  written), 2026-12-02 (ISO), and, when the caller knows what day it is, the words "hôm nay",
  "mai" / "ngày mai", "hôm qua" (also written without accents) and "today", "tomorrow",
  "yesterday". A date without its year ("02/12") is refused: near New Year it would silently
  mean the wrong year. Years run from 1900 to 2999.
- times: 05:30, 5:30, 5h30, 5h, 17g30, "19 giờ 30", "19 giờ 30 phút", "19 giờ", from 00:00 to
  23:59 (minutes, when written, always have two digits).
- date-times: a date, then a time ("02/12/2026 06:30", "2026-12-02T06:30", "mai 6h"), or a time
  alone for that time today.

The clock is never read here: relative words need `today`, given by the caller (a command takes it
from `station.now()`); file formats pass `today=None` and so refuse relative words.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date, datetime, time, timedelta

from loa.core.errors import UserError
from loa.core.i18n import Catalog, language

MIN_YEAR = 1900
MAX_YEAR = 2999

T = Catalog(
    {
        "bad_date": (
            'Ngày "{value}" không hợp lệ{why}. Hãy viết NGÀY/THÁNG/NĂM (02/12/2026; cũng được '
            "2/12/2026, 02-12-2026, 02.12.2026) hoặc NĂM-THÁNG-NGÀY (2026-12-02){words}.",
            'Date "{value}" is not valid{why}. Write DAY/MONTH/YEAR (02/12/2026; also 2/12/2026, '
            "02-12-2026, 02.12.2026) or YEAR-MONTH-DAY (2026-12-02){words}.",
        ),
        "words": (
            ', hoặc "hôm nay", "mai", "hôm qua"',
            ', or "today", "tomorrow", "yesterday" ("hôm nay", "mai", "hôm qua")',
        ),
        "no_day": (
            ": ngày {value} không tồn tại (tháng {month}/{year} có {days} ngày)",
            ": {value} does not exist (month {month}/{year} has {days} days)",
        ),
        "no_month": (
            ": không có tháng {month} (tháng từ 1 đến 12)",
            ": there is no month {month} (months run from 1 to 12)",
        ),
        "no_year": (
            ": năm phải từ {low} đến {high}",
            ": the year must be from {low} to {high}",
        ),
        "bad_time": (
            'Giờ "{value}" không hợp lệ. Hãy viết GIỜ:PHÚT từ 00:00 đến 23:59, ví dụ 05:30, '
            '5:30, 17h30, 17h hoặc "17 giờ 30".',
            'Time "{value}" is not valid. Write HOUR:MINUTE from 00:00 to 23:59, e.g. 05:30, '
            '5:30, 17h30, 17h or "17 giờ 30".',
        ),
        "bad_datetime": (
            'Thời điểm "{value}" không hợp lệ. Hãy viết NGÀY rồi GIỜ, ví dụ "02/12/2026 06:30" '
            'hoặc "2026-12-02 06:30"{words}, hoặc chỉ GIỜ (06:30) cho hôm nay.',
            'Date and time "{value}" is not valid. Write a DATE then a TIME, e.g. '
            '"02/12/2026 06:30" or "2026-12-02 06:30"{words}, or a TIME alone (06:30) for today.',
        ),
        "dt_words": (', hoặc "mai 06:30"', ', or "mai 06:30" (tomorrow)'),
    }
)

# Relative day words -> offset from today. Keys are normalised (see _clean).
RELATIVE_DAYS: dict[str, int] = {
    "hôm nay": 0,
    "hom nay": 0,
    "today": 0,
    "mai": 1,
    "ngày mai": 1,
    "ngay mai": 1,
    "tomorrow": 1,
    "hôm qua": -1,
    "hom qua": -1,
    "yesterday": -1,
}

_SEP = r"\s*[/.\-]\s*"
_DMY = re.compile(r"(\d{1,2})" + _SEP + r"(\d{1,2})" + _SEP + r"(\d{4})")
_YMD = re.compile(r"(\d{4})\s*-\s*(\d{1,2})\s*-\s*(\d{1,2})")
_TIME = re.compile(
    r"(\d{1,2})\s*(?::\s*(\d{2})|(?:h|g|giờ|gio)(?:\s*(\d{2})(?:\s*(?:phút|phut|p))?)?)"
)


def _clean(text: object) -> str:
    """NFC, lower case, single spaces, no outer blanks."""
    s = unicodedata.normalize("NFC", str(text)).strip().lower()
    return re.sub(r"\s+", " ", s)


def _date_error(value: object, today: date | None, why: str = "") -> UserError:
    words = T("words") if today is not None else ""
    return UserError(T("bad_date", value=str(value).strip(), why=why, words=words))


def _try_date(s: str, today: date | None) -> tuple[date | None, str | None]:
    """(date, None) when `s` is a date; (None, reason) when it is shaped like one but impossible;
    (None, None) when it is not shaped like a date at all."""
    if today is not None and s in RELATIVE_DAYS:
        return today + timedelta(days=RELATIVE_DAYS[s]), None
    m = _YMD.fullmatch(s)
    if m:
        year, month, day = (int(g) for g in m.groups())
    else:
        m = _DMY.fullmatch(s)
        if not m:
            return None, None
        day, month, year = (int(g) for g in m.groups())
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None, T("no_year", low=MIN_YEAR, high=MAX_YEAR)
    if not 1 <= month <= 12:
        return None, T("no_month", month=month)
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        return None, T("no_day", value=s, month=month, year=year, days=days)
    return date(year, month, day), None


def _try_time(s: str) -> time | None:
    m = _TIME.fullmatch(s)
    if not m:
        return None
    hour = int(m.group(1))
    minute = int(m.group(2) or m.group(3) or 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def parse_date(text: object, *, today: date | None) -> date:
    """The date `text` names. Relative words ("hôm nay", "mai", "hôm qua" ...) count from
    `today`; with `today=None` (file formats) they are refused.

    Raises UserError quoting `text` and listing the accepted forms, also for a date that is
    well formed but does not exist (31/02/2026).
    """
    found, why = _try_date(_clean(text), today)
    if found is None:
        raise _date_error(text, today, why or "")
    return found


def relative_day(text: object, *, today: date) -> date | None:
    """The date a relative word ("hôm nay", "mai", "hôm qua" ...) names, else None."""
    offset = RELATIVE_DAYS.get(_clean(text))
    return None if offset is None else today + timedelta(days=offset)


def parse_time(text: object) -> time:
    """A wall-clock time (minutes 0): "05:30", "5:30", "5h30", "5h", "19 giờ 30"; raises
    UserError on anything else, including impossible times such as 25:00 or 12:60."""
    found = _try_time(_clean(text))
    if found is None:
        raise UserError(T("bad_time", value=str(text).strip()))
    return found


def parse_datetime(text: object, *, today: date | None) -> datetime:
    """A naive wall-clock date-time: a date then a time, separated by blanks or "T"
    ("02/12/2026 06:30", "2026-12-02T06:30", "mai 6h"), or a time alone meaning that time on
    `today` (refused when `today` is None). Raises UserError."""
    s = _clean(text)
    alone = _try_time(s)
    if alone is not None and today is not None:
        return datetime.combine(today, alone)
    iso = re.fullmatch(r"(\d{4}-\d{1,2}-\d{1,2})t(.+)", s)
    splits = [(iso.group(1), iso.group(2))] if iso else []
    words = s.split(" ")
    splits += [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]
    for day_text, time_text in splits:
        day, why = _try_date(day_text, today)
        at = _try_time(time_text)
        if day is not None and at is not None:
            return datetime.combine(day, at)
        if why is not None and at is not None:
            raise _date_error(day_text, today, why)
    words_hint = T("dt_words") if today is not None else ""
    raise UserError(T("bad_datetime", value=str(text).strip(), words=words_hint))


def format_date(day: date) -> str:
    """A date the way the user's language writes it: 02/12/2026, or 2026-12-02 in English.
    Both forms parse back with parse_date."""
    if language() == "en":
        return day.isoformat()
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def clock_text(seconds: float, *, estimate: bool = False) -> str:
    """A length as a clock shows it: "3:30", or "~3:24" for an estimate."""
    minutes, rest = divmod(round(seconds), 60)
    return f"{'~' if estimate else ''}{minutes}:{rest:02d}"


def format_time(value: time) -> str:
    """ "05:30": the form parse_time reads back and slots store."""
    return f"{value.hour:02d}:{value.minute:02d}"
