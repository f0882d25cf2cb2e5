"""Amounts: numbers with their units, rates, signs, dimensions, dialled numbers, fractions."""

from __future__ import annotations

import re

from loa.content.normalize.context import (
    AMOUNT_FOLLOWS,
    CODE_BEFORE,
    COUNT_FOLLOWS,
    COUNTED_AFTER,
    COUNTED_BEFORE,
    DIAL_BEFORE,
    PER_TARGETS,
    PERIODS,
    RATE_BEFORE,
    RATE_CHAIN,
    SERVICE_NEAR,
    SERVICE_NUMBERS,
    SERVICE_WINDOW,
    TEXT_TO_BEFORE,
    UNIT_BEFORE,
)
from loa.content.normalize.handlers.base import Reader
from loa.content.normalize.letters import spell
from loa.content.normalize.numbers import (
    read_digits,
    read_int,
)
from loa.content.normalize.tables import (
    COMPARISONS,
    PER_UNITS,
    UNITS,
    VULGAR_FRACTIONS,
)


class AmountRules(Reader):
    def _scientific(self, m: re.Match[str]) -> tuple[str, str]:
        mantissa = self._speak_number(m.group("sci_m"), measured=True)[0]
        exponent = m.group("sci_e").lstrip("+")
        sign = ""
        if exponent[0] in "-−":
            sign, exponent = "âm ", exponent[1:]
        return f"{mantissa} nhân mười mũ {sign}{read_int(int(exponent))}", "scientific"

    def _amount_range(self, m: re.Match[str]) -> tuple[str, str]:
        return f"{self._sub(m.group('ar_a'))} đến {self._sub(m.group('ar_b'))}", "range"

    def _dimension(self, m: re.Match[str]) -> tuple[str, str]:
        sides = [m.group("dim_a"), m.group("dim_b"), m.group("dim_c")]
        words = [self._speak_number(side, measured=True)[0] for side in sides if side]
        spoken = " nhân ".join(words)
        if m.group("dim_unit"):
            spoken += " " + self._unit(m.group("dim_unit"))
        return spoken, "dimension"

    def _lettered(self, m: re.Match[str]) -> tuple[str, str]:
        if m.group("lt_l") == "V" and len(m.group("lt_n")) >= 2:  # "220V": volts
            return f"{self._speak_int(m.group('lt_n'))} {UNITS['V']}", "unit"
        return f"{self._speak_int(m.group('lt_n'))} {spell(m.group('lt_l'))}", "lettered"

    def _comparison(self, m: re.Match[str]) -> tuple[str, str]:
        return COMPARISONS[m.group("cmp")] + " ", "comparison"

    def _minus(self, m: re.Match[str]) -> tuple[str, str]:
        return "âm ", "minus"

    def _number(self, m: re.Match[str]) -> tuple[str, str]:
        before = m.string[max(0, m.start() - 16) : m.start()]
        unit = m.group("num_unit")
        digits = m.group("num")
        if not unit and digits.isdigit():
            if 3 <= len(digits) <= 6 and self._dialled(m):
                return read_digits(digits), "phone"
            if len(digits) >= 9 or (len(digits) >= 5 and CODE_BEFORE.search(before)):
                return read_digits(digits), "code"  # "mã số thuế 3000123456": a code
        spoken, rule = self._speak_number(m.group("num"), before, measured=bool(unit))
        if unit:
            spoken += " " + self._unit(unit)
            rule = "percent" if unit == "%" else "unit"
        return spoken, rule

    @staticmethod
    def _dialled(m: re.Match[str]) -> bool:
        """ "cấp cứu gọi 115", "soạn tin DK gửi 8085", "tổng đài 1022": a short number dialled
        or texted is read digit by digit; "có 115 hộ" and "gửi 500 nghìn" are amounts."""
        string, start, end = m.string, m.start(), m.end()
        if (
            AMOUNT_FOLLOWS.match(string, end)
            or COUNT_FOLLOWS.match(string, end)
            or COUNTED_AFTER.match(string, end)
        ):
            return False
        before = string[max(0, start - 48) : start]
        if DIAL_BEFORE.search(before):
            return True
        if len(m.group("num")) >= 4 and TEXT_TO_BEFORE.search(before):
            return True
        return (
            m.group("num") in SERVICE_NUMBERS
            and (SERVICE_NEAR.search(before) or SERVICE_WINDOW.search(before)) is not None
        )

    def _per(self, m: re.Match[str]) -> tuple[str, str]:
        # "50.000 đồng/người": a rate is read "một" ("năm mươi nghìn đồng một người")
        before = m.string[max(0, m.start() - 28) : m.start()]
        word = m.group("per_w")
        if m.group("per_n"):  # "200 mm/24h": in twenty-four hours
            if UNIT_BEFORE.search(before, max(0, len(before) - 8)) or RATE_BEFORE.search(
                before, max(0, len(before) - 12)
            ):
                unit = PER_UNITS.get(word) or (self._unit(word) if word in UNITS else word)
                count = int(m.group("per_n"))
                if count == 1:  # "đồng/1 tin": a plain rate
                    return f" một {unit}", "rate"
                link = "trong" if unit.split()[0] in PERIODS else "trên"
                return f" {link} {read_int(count)} {unit}", "rate"
            return m.group(), "text"
        if (
            RATE_BEFORE.search(before, max(0, len(before) - 12))
            or UNIT_BEFORE.search(before, max(0, len(before) - 8))  # "m³/ngày", "mg/l"
            or (word in PER_TARGETS and RATE_CHAIN.search(before))  # "kg gạo/khẩu/tháng"
            or (  # "3 ca/tuần", "2 chuyến/ngày": what is counted, then a period or unit
                (word in PER_TARGETS or word in UNITS or word in PER_UNITS)
                and COUNTED_BEFORE.search(before)
            )
        ):
            return (
                f" một {self._unit(word) if word in UNITS else PER_UNITS.get(word, word)}",
                "rate",
            )
        return m.group(), "text"

    def _vulgar(self, m: re.Match[str]) -> tuple[str, str]:
        """ "½", "¾": a fraction written as one character; after a number, "và" joins them."""
        before = m.string[max(0, m.start() - 1) : m.start()]
        return (" và " if before.isdigit() else "") + VULGAR_FRACTIONS[m.group()], "fraction"
