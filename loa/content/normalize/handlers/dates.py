"""Dates, times, days and months, ranges of them, fractions a/b, ordinals, Roman numerals."""

from __future__ import annotations

import re

from loa.content.normalize.context import (
    ADDRESS_CONTEXT,
    COUNT_FOLLOWS,
    DATE_CONTEXT,
    DATE_END_FOLLOWS,
    DAY_DASH_MONTH,
    DAY_MONTH_AND_BEFORE,
    FRACTION_FOLLOWS,
    HOLIDAY_BEFORE,
    MONTH_FOLLOWS,
    NAMED_DAY_BEFORE,
    NEVER,
    NOT_ROMAN_BEFORE,
    NUMBER_WORD_BEFORE,
    PEOPLE_FOLLOWS,
    RANK_BEFORE,
    STREET_BEFORE,
    WHEN_BEFORE,
    XI_MANG,
    day_prefix,
    valid_day,
)
from loa.content.normalize.handlers.base import Reader
from loa.content.normalize.letters import spell
from loa.content.normalize.numbers import (
    read_int,
    read_month,
    read_ordinal,
    roman_to_int,
)


class DateRules(Reader):
    def _date(self, m: re.Match[str]) -> tuple[str, str]:
        day, month, year = int(m.group("date_d")), int(m.group("date_m")), int(m.group("date_y"))
        if not valid_day(day, month, year):
            # "30/02/2026", "32/13/2026": no such day; read the numbers as written, not a date
            sep = {".": " chấm ", "/": " trên "}.get(m.group("date_sep"), " ")
            spoken = sep.join(read_int(v) for v in (day, month, year))
            if m.group("date_kw"):
                spoken = f"{m.group('date_kw')} {spoken}"
            if m.group("date_to"):
                spoken += " đến " + self._sub(m.group("date_to").lstrip(" \t-–—"))
            return spoken, "invalid"
        before = m.string[max(0, m.start() - 16) : m.start()]
        prefix = day_prefix(m.group("date_kw"), before)
        spoken = f"{prefix}{read_int(day)} tháng {read_month(month)} năm {read_int(year)}"
        if m.group("date_to"):
            spoken += " đến " + self._sub(m.group("date_to").lstrip(" \t-–—"))
            return spoken, "range"
        return spoken, "date"

    def _day_list(self, m: re.Match[str]) -> tuple[str, str]:
        """ "các ngày 10, 24/7": days of one month, the month said once."""
        month = int(m.group("dl_m"))
        year = int(m.group("dl_y")) if m.group("dl_y") else None
        days = re.findall(r"[0-9]+", m.group("dl_days"))
        if not all(valid_day(int(day), month, year) for day in days):
            return f"{m.group('dl_kw')} {self._sub(m.group()[len(m.group('dl_kw')) :])}", "invalid"
        spoken = re.sub(r"[0-9]+", lambda d: read_int(int(d.group())), m.group("dl_days"))
        keyword = m.group("dl_kw")
        if keyword.lower() not in ("ngày", "mồng", "mùng"):
            keyword += " ngày"  # "vào 10, 24/7": "vào ngày mười, hai mươi tư tháng bảy"
        spoken = f"{keyword} {spoken} tháng {read_month(month)}"
        if year:
            spoken += f" năm {read_int(year)}"
        return spoken, "date"

    def _range(self, m: re.Match[str]) -> tuple[str, str]:
        date = DAY_DASH_MONTH.fullmatch(m.group())
        if date and not m.group("range_unit"):
            # "ngày 20-11", "Ngày Nhà giáo 20-11": press-style day-month, not a range; a range
            # goes up ("3-5 ngày"), so a falling pair is a date too.
            day, month = int(date.group("d")), int(date.group("m"))
            before = m.string[max(0, m.start() - 40) : m.start()]
            if (
                valid_day(day, month)
                and not MONTH_FOLLOWS.match(m.string, m.end())
                and (
                    date.group("kw")
                    or day > month
                    or HOLIDAY_BEFORE.search(before)  # "Tết Thiếu nhi 1-6", "Quốc khánh 2-9"
                    or (
                        # "sáng 1-6", "kỷ niệm 30-4 và 1-5", but "vào 2-3 ngày tới"
                        (
                            WHEN_BEFORE.search(before)
                            or DAY_MONTH_AND_BEFORE.search(before)
                            or NAMED_DAY_BEFORE.search(before)
                        )
                        and DATE_END_FOLLOWS.match(m.string, m.end())
                    )
                )
            ):
                prefix = day_prefix(date.group("kw"), before)
                return f"{prefix}{read_int(day)} tháng {read_month(month)}", "date"
        left = self._sub(m.group("range_a"))
        right = self._sub(m.group("range_b"))
        unit = m.group("range_unit")
        spoken = f"{left} đến {right}"
        if unit:
            spoken += " " + self._unit(unit)
        return spoken, "range"

    def _time(self, m: re.Match[str]) -> tuple[str, str]:
        hour = int(m.group("time_h"))
        minute = m.group("time_m") or m.group("time_m2")
        second = m.group("time_s")
        late = int(minute or 0) if hour >= 24 else 0
        if (hour > 24 and minute) or late or int(minute or 0) > 59 or int(second or 0) > 59:
            # "25:99", "25h30": not a time of day, read as written ("48h" is hours, below)
            if m.group("time_m2") is None:
                letter = spell(m.group()[len(m.group("time_h")) :][:1])
                return f"{read_int(hour)} {letter} {read_int(int(minute or 0))}", "invalid"
            parts = [m.group("time_h"), m.group("time_m2"), *([second] if second else [])]
            return " hai chấm ".join(read_int(int(p)) for p in parts), "invalid"
        words = [read_int(hour), "giờ"]
        if minute and int(minute):
            words += [read_int(int(minute)), "phút"]
        if second and int(second):
            words += [read_int(int(second)), "giây"]
        return " ".join(words), "time"

    def _day_month(self, m: re.Match[str]) -> tuple[str, str]:
        keyword = m.group("dm_kw")
        a_text, b_text = m.group("dm_a"), m.group("dm_b")
        a, b = int(a_text), int(b_text)
        before = m.string[max(0, m.start() - 16) : m.start()]
        lower = keyword.lower() if keyword else ""
        if len(b_text) == 4:
            if not lower and NUMBER_WORD_BEFORE.search(before):
                return f"{self._speak_int(a_text)} năm {read_int(b)}", "document"
            if 1 <= a <= 12 and lower in ("", "tháng"):
                return f"{keyword or 'tháng'} {read_month(a)} năm {read_int(b)}", "date"
            if lower == "tháng":  # "tháng 13/2026": no such month
                return f"{keyword} {read_int(a)} trên {read_int(b)}", "invalid"
        elif 1 <= a <= 31 and 1 <= b <= 12 and lower != "tháng":
            if not lower and RANK_BEFORE.search(before):  # "xếp hạng 3/12": third of twelve
                return f"{self._speak_int(a_text)} trên {self._speak_int(b_text)}", "rank"
            if not valid_day(a, b):  # "31/4", "30/2": no such day, read as written
                prefix = f"{keyword} " if keyword else ""
                return f"{prefix}{read_int(a)} trên {read_int(b)}", "invalid"
            if not lower and STREET_BEFORE.search(before):
                return f"{read_int(a)} tháng {read_month(b)}", "date"  # "đường 30/4"
            if not lower and a < b <= 10 and PEOPLE_FOLLOWS.match(m.string, m.end()):
                return f"{read_int(a)} phần {read_int(b)}", "fraction"  # "2/3 đại biểu"
            if (a, b) == (24, 7) and not lower and not DATE_CONTEXT.search(before):
                return "hai mươi tư trên bảy", "fraction"  # "phục vụ 24/7": around the clock
            if not lower and (
                ADDRESS_CONTEXT.search(before) or COUNT_FOLLOWS.match(m.string, m.end())
            ):
                pass  # "số nhà 12/3" (a house number), "12/12 thôn" (a count): "trên"
            elif lower or DATE_CONTEXT.search(before) or not self._is_fraction(m, a, b):
                return f"{day_prefix(keyword, before)}{read_int(a)} tháng {read_month(b)}", "date"
            else:
                return f"{read_int(a)} phần {read_int(b)}", "fraction"
        prefix = f"{keyword} " if keyword else ""
        return f"{prefix}{self._speak_int(a_text)} trên {self._speak_int(b_text)}", "fraction"

    @staticmethod
    def _is_fraction(m: re.Match[str], a: int, b: int) -> bool:
        """Without a date word before it, a/b with a < b is a fraction when b is 2, 3 or 4
        ("1/2", "2/3") or a share-of word follows ("1/5 số hộ"); otherwise a date ("2/9")."""
        if a >= b:
            return False
        return b <= 4 or bool(FRACTION_FOLLOWS.match(m.string, m.end()))

    def _ratio(self, m: re.Match[str]) -> tuple[str, str]:
        a, b = m.group("ra_a"), m.group("ra_b")
        if len(b) == 4 and b[:2] in ("19", "20"):
            if len(a) == 4 and int(b) == int(a) + 1:  # "năm học 2025/2026"
                return f"{read_int(int(a))} đến {read_int(int(b))}", "range"
            return f"{self._speak_int(a)} năm {read_int(int(b))}", "document"  # "số 123/2026"
        return f"{self._speak_int(a)} trên {self._speak_int(b)}", "fraction"

    def _roman(self, m: re.Match[str]) -> tuple[str, str]:
        keyword, value = m.group("roman_kw"), m.group("roman_v")
        before = m.string[max(0, m.start() - 8) : m.start()]
        if (
            value in ("C", "L", "D")  # "Phần C", "phụ lục C": a section letter
            or NOT_ROMAN_BEFORE.get(keyword.lower(), NEVER).search(before)  # "CỔ PHẦN XI"
            or (value == "XI" and XI_MANG.match(m.string, m.end()))
        ):
            spoken = f"{keyword} {self._sub(m.group()[len(keyword) :])}"
            return spoken, "text" if spoken == m.group() else "abbreviation"
        number = int(value) if value.isdigit() else roman_to_int(value)
        if number is None:
            return f"{keyword} {spell(value)}", "roman"
        if keyword.lower().endswith("thứ"):
            words = [keyword, read_ordinal(number)]
        else:
            words = [keyword, read_int(number)]
        if m.group("roman_y"):
            words += ["năm", read_int(int(m.group("roman_y")))]
        return " ".join(words), "roman"

    def _heading(self, m: re.Match[str]) -> tuple[str, str]:
        value = roman_to_int(m.group("heading_v"))
        if value is None:
            return m.group("heading_v"), "text"
        return read_int(value), "roman"

    def _day_range(self, m: re.Match[str]) -> tuple[str, str]:
        """ "25-26/12": two days of one month."""
        a, b, month = int(m.group("dr_a")), int(m.group("dr_b")), int(m.group("dr_m"))
        if not (1 <= a < b <= 31 and 1 <= month <= 12):
            head = m.group()[: m.start("dr_b") - m.start()]
            head = head.rstrip(" \t-–—")
            return (
                f"{self._sub(head)} đến {self._sub(m.group()[m.start('dr_b') - m.start() :])}",
                "range",
            )
        before = m.string[max(0, m.start() - 16) : m.start()]
        spoken = f"{day_prefix(m.group('dr_kw'), before)}{read_int(a)} đến {read_int(b)}"
        spoken += f" tháng {read_month(month)}"
        if m.group("dr_y"):
            spoken += f" năm {read_int(int(m.group('dr_y')))}"
        return spoken, "range"

    def _month_range(self, m: re.Match[str]) -> tuple[str, str]:
        keyword = m.group("mr_kw") or "tháng"
        year = m.group("mr_y") or m.group("mr_y2")
        a, b = int(m.group("mr_a")), int(m.group("mr_b"))
        if not (1 <= a <= 12 and 1 <= b <= 12):
            spoken = f"{keyword} {read_int(a)} đến {read_int(b)}"
        else:
            spoken = f"{keyword} {read_month(a)} đến tháng {read_month(b)}"
        if year:
            spoken += f" năm {read_int(int(year))}"
        return spoken, "range"

    def _weekday(self, m: re.Match[str]) -> tuple[str, str]:
        return f"thứ {read_ordinal(int(m.group('wd')))}", "ordinal"

    def _month(self, m: re.Match[str]) -> tuple[str, str]:
        value = int(m.group("month_v"))
        spoken = f"{m.group('month_kw')} {read_month(value)}"
        if m.group("month_y"):
            spoken += f" năm {read_int(int(m.group('month_y')))}"
        return spoken, "month"

    def _ordinal(self, m: re.Match[str]) -> tuple[str, str]:
        keyword = m.group("ord_kw")
        spoken = f"{keyword} {read_ordinal(int(m.group('ord_v')))}"
        if m.group("ord_of"):  # "đứng thứ 4/21 xã": fourth of twenty-one
            spoken += f" trên {self._speak_int(m.group('ord_of'))}"
            if not m.group("ord_to"):
                return spoken, "rank"
        if m.group("ord_to"):
            again = m.group("ord_kw2") or "thứ"
            spoken += f" đến {again} {read_ordinal(int(m.group('ord_to')))}"
            return spoken, "range"
        return spoken, "ordinal"
