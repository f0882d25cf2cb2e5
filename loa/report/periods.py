"""Report periods: parse --quarter 2026Q4, --half 2026H2, --year 2026, --month 2026-11, --from/--to.

The days of --from/--to are read by loa.core.dates (every date form the commands accept, and
"hôm nay", "mai", "hôm qua" counted from the `today` the caller gives).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from loa.core.dates import MAX_YEAR, MIN_YEAR, parse_date
from loa.core.dates import format_date as fmt_date
from loa.core.errors import UserError
from loa.core.i18n import Catalog

T = Catalog(
    {
        "bad_quarter": (
            'Quý "{text}" không đúng dạng. Viết NĂMQ1..NĂMQ4, ví dụ --quarter 2026Q4 '
            '(cũng được Q4/2026 hoặc "quý 4/2026").',
            'Quarter "{text}" is malformed. Write YEARQ1..YEARQ4, for example --quarter 2026Q4 '
            '(also Q4/2026 or "quý 4/2026").',
        ),
        "bad_half": (
            'Nửa năm "{text}" không đúng dạng. Viết NĂMH1 hoặc NĂMH2, ví dụ --half 2026H2 '
            '(cũng được H2/2026 hoặc "6 tháng cuối năm 2026").',
            'Half-year "{text}" is malformed. Write YEARH1 or YEARH2, for example --half 2026H2 '
            "(also H2/2026).",
        ),
        "bad_year": (
            'Năm "{text}" không đúng dạng. Viết 4 chữ số từ 1900 đến 2999, ví dụ --year 2026.',
            'Year "{text}" is malformed. Write four digits from 1900 to 2999, for example --year 2026.',
        ),
        "bad_month": (
            'Tháng "{text}" không đúng dạng. Viết NĂM-THÁNG, ví dụ --month 2026-11 '
            '(cũng được 11/2026 hoặc "tháng 11/2026").',
            'Month "{text}" is malformed. Write YEAR-MONTH, for example --month 2026-11 '
            "(also 11/2026).",
        ),
        "need_one": (
            "Hãy chọn đúng một kỳ báo cáo: --quarter 2026Q4, --half 2026H2, --year 2026, "
            "--month 2026-11, hoặc --from NGÀY --to NGÀY.",
            "Choose exactly one report period: --quarter 2026Q4, --half 2026H2, --year 2026, "
            "--month 2026-11, or --from DATE --to DATE.",
        ),
        "need_both": (
            "Khoảng ngày cần cả --from và --to, ví dụ --from 2026-11-01 --to 2026-11-07.",
            "A date range needs both --from and --to, for example --from 2026-11-01 --to 2026-11-07.",
        ),
        "empty": (
            "Kỳ báo cáo rỗng: ngày bắt đầu {start} sau ngày kết thúc {end}. "
            "Hãy đổi lại --from và --to.",
            "Empty report period: the start {start} is after the end {end}. Swap --from and --to.",
        ),
        "future": (
            "Kỳ báo cáo {label} bắt đầu ngày {start}, sau hôm nay ({today}): chưa có gì để báo cáo. "
            "Chọn một kỳ đã bắt đầu.",
            "The report period {label} starts on {start}, after today ({today}): nothing to report "
            "yet. Choose a period that has begun.",
        ),
        "q": ("quý {roman} năm {year}", "Q{n} {year}"),
        "h1": ("6 tháng đầu năm {year}", "first half of {year}"),
        "h2": ("6 tháng cuối năm {year}", "second half of {year}"),
        "y": ("năm {year}", "year {year}"),
        "m": ("tháng {month} năm {year}", "{month_name} {year}"),
        "range": ("từ ngày {start} đến ngày {end}", "from {start} to {end}"),
    }
)

ROMAN = ("I", "II", "III", "IV")
MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True)
class Period:
    """A closed range of calendar days [start, end], with its kind ("quarter", "half", "year",
    "month", "range") and its index inside the year (quarter 1-4, half 1-2, month 1-12)."""

    start: date
    end: date
    kind: str = "range"
    index: int = 0

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        """Human label in the user's language: "quý IV năm 2026", "từ ngày 01/11/2026 đến ..."."""
        year = self.start.year
        if self.kind == "quarter":
            return T("q", roman=ROMAN[self.index - 1], n=self.index, year=year)
        if self.kind == "half":
            return T("h1" if self.index == 1 else "h2", year=year)
        if self.kind == "year":
            return T("y", year=year)
        if self.kind == "month":
            return T("m", month=self.index, month_name=MONTHS_EN[self.index - 1], year=year)
        return T("range", start=fmt_date(self.start), end=fmt_date(self.end))

    @property
    def slug(self) -> str:
        """A file-name-safe key: 2026Q4, 2026H2, 2026, 2026-11, 2026-11-01_2026-11-07."""
        year = self.start.year
        if self.kind == "quarter":
            return f"{year}Q{self.index}"
        if self.kind == "half":
            return f"{year}H{self.index}"
        if self.kind == "year":
            return f"{year}"
        if self.kind == "month":
            return f"{year}-{self.index:02d}"
        return f"{self.start.isoformat()}_{self.end.isoformat()}"

    def bounds(self) -> tuple[datetime, datetime]:
        """The half-open wall-clock interval [start 00:00, day after end 00:00)."""
        return (
            datetime.combine(self.start, datetime.min.time()),
            datetime.combine(self.end + timedelta(days=1), datetime.min.time()),
        )

    def previous(self) -> Period:
        """The period of the same length just before: the previous quarter, half, year or month
        for named periods, else the same number of days ending the day before `start`."""
        year = self.start.year
        if self.kind == "quarter":
            return quarter(year - 1, 4) if self.index == 1 else quarter(year, self.index - 1)
        if self.kind == "half":
            return half(year - 1, 2) if self.index == 1 else half(year, 1)
        if self.kind == "year":
            return year_period(year - 1)
        if self.kind == "month":
            return month(year - 1, 12) if self.index == 1 else month(year, self.index - 1)
        end = self.start - timedelta(days=1)
        return Period(end - timedelta(days=self.days - 1), end)

    def months(self) -> list[tuple[int, int]]:
        """(year, month) of every calendar month the period touches, in order."""
        out: list[tuple[int, int]] = []
        y, m = self.start.year, self.start.month
        while (y, m) <= (self.end.year, self.end.month):
            out.append((y, m))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out


def _month_end(year: int, month_no: int) -> date:
    nxt = date(year + 1, 1, 1) if month_no == 12 else date(year, month_no + 1, 1)
    return nxt - timedelta(days=1)


def quarter(year: int, index: int) -> Period:
    first = 3 * (index - 1) + 1
    return Period(date(year, first, 1), _month_end(year, first + 2), "quarter", index)


def half(year: int, index: int) -> Period:
    first = 6 * (index - 1) + 1
    return Period(date(year, first, 1), _month_end(year, first + 5), "half", index)


def year_period(year: int) -> Period:
    return Period(date(year, 1, 1), date(year, 12, 31), "year", 0)


def month(year: int, index: int) -> Period:
    return Period(date(year, index, 1), _month_end(year, index), "month", index)


_YEAR = r"(\d{4})"
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}


def _compact(text: str, *words: str) -> str:
    """Lower case, NFC, "năm" (year) as "/", the given leading words and all blanks removed:
    "quý IV năm 2026" -> "qiv/2026" (with words=("quý",) mapped to "q" by the caller)."""
    s = unicodedata.normalize("NFC", text).strip().lower()
    for word in words:
        s = s.removeprefix(word)
    s = re.sub(r"\s*\bnăm\b\s*", "/", s).strip("/ ")
    return re.sub(r"\s+", "", s)


def _checked_year(text: str) -> int:
    return int(text) if MIN_YEAR <= int(text) <= MAX_YEAR else 0


def parse_quarter(text: str) -> Period:
    """ "2026Q4", "2026-Q4", "Q4/2026", "Q4-2026", "quý 4/2026", "quý IV năm 2026" -> the fourth
    quarter of 2026; raises UserError."""
    s = _compact(text).replace("quý", "q")
    index = r"(iv|iii|ii|i|[1-4])"
    m = re.fullmatch(_YEAR + r"-?q" + index, s)
    if m:
        y, q = m.group(1), m.group(2)
    else:
        m = re.fullmatch(r"q" + index + r"[-/]?" + _YEAR, s)
        if not m:
            raise UserError(T("bad_quarter", text=text))
        q, y = m.group(1), m.group(2)
    year = _checked_year(y)
    if not year:
        raise UserError(T("bad_quarter", text=text))
    return quarter(year, _ROMAN.get(q) or int(q))


def parse_half(text: str) -> Period:
    """ "2026H2", "2026-H2", "H2/2026", "6 tháng cuối năm 2026" -> the second half of 2026;
    raises UserError."""
    s = _compact(text, "6 tháng", "sáu tháng")
    m = re.fullmatch(_YEAR + r"-?h([12])", s) or re.fullmatch(r"h([12])[-/]?" + _YEAR, s)
    if m:
        a, b = m.groups()
        y, h = (a, int(b)) if len(a) == 4 else (b, int(a))
    else:
        m = re.fullmatch(r"(đầu|cuối)/" + _YEAR, s)
        if not m:
            raise UserError(T("bad_half", text=text))
        y, h = m.group(2), 1 if m.group(1) == "đầu" else 2
    year = _checked_year(y)
    if not year:
        raise UserError(T("bad_half", text=text))
    return half(year, h)


def parse_year(text: str) -> Period:
    """ "2026", "năm 2026" -> the year 2026; raises UserError."""
    s = _compact(text, "năm")
    if not re.fullmatch(r"\d{4}", s) or not _checked_year(s):
        raise UserError(T("bad_year", text=text))
    return year_period(int(s))


def parse_month(text: str) -> Period:
    """ "2026-11", "11/2026", "tháng 11/2026", "tháng 11 năm 2026" -> November 2026;
    raises UserError."""
    s = _compact(text, "tháng")
    m = re.fullmatch(_YEAR + r"-(\d{1,2})", s)
    if m:
        y, mo = m.group(1), int(m.group(2))
    else:
        m = re.fullmatch(r"(\d{1,2})[/-]" + _YEAR, s)
        if not m:
            raise UserError(T("bad_month", text=text))
        y, mo = m.group(2), int(m.group(1))
    year = _checked_year(y)
    if not year or not 1 <= mo <= 12:
        raise UserError(T("bad_month", text=text))
    return month(year, mo)


def parse_period(
    *,
    today: date,
    quarter_text: str | None = None,
    half_text: str | None = None,
    year_text: str | None = None,
    month_text: str | None = None,
    from_text: str | None = None,
    to_text: str | None = None,
) -> Period:
    """The one period the options name, checked against `today`.

    Raises UserError when no period or more than one is given, a string is malformed, the range
    is empty (start after end) or the period starts after `today`. A period that is still running
    (it ends after today) is allowed: its figures run up to now.
    """
    chosen = [x for x in (quarter_text, half_text, year_text, month_text) if x is not None]
    ranged = from_text is not None or to_text is not None
    if len(chosen) + int(ranged) != 1:
        raise UserError(T("need_one"))
    if ranged:
        if from_text is None or to_text is None:
            raise UserError(T("need_both"))
        start, end = parse_date(from_text, today=today), parse_date(to_text, today=today)
        if start > end:
            raise UserError(T("empty", start=fmt_date(start), end=fmt_date(end)))
        period = Period(start, end)
    elif quarter_text is not None:
        period = parse_quarter(quarter_text)
    elif half_text is not None:
        period = parse_half(half_text)
    elif year_text is not None:
        period = parse_year(year_text)
    else:
        assert month_text is not None
        period = parse_month(month_text)
    check_not_future(period, today)
    return period


def check_not_future(period: Period, today: date) -> None:
    """Raise UserError if the period has not begun by `today`."""
    if period.start > today:
        raise UserError(
            T("future", label=period.label, start=fmt_date(period.start), today=fmt_date(today))
        )
