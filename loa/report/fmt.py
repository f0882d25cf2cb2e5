"""Numbers and times written the way the user's language writes them (1.234 and 12,5 in Vietnamese)."""

from __future__ import annotations

from datetime import datetime

from loa.core.i18n import decimal, language


def fmt_int(value: int) -> str:
    text = f"{value:,d}"
    return text if language() == "en" else text.replace(",", ".")


def fmt_num(value: float, digits: int = 1) -> str:
    return decimal(value, digits)


def fmt_change(current: float, previous: float, digits: int = 0) -> str:
    """ "+3 (+25,0%)", "-2 (-10,0%)", "+4 (—)" when the previous value was zero, "0" if equal."""
    delta = current - previous
    sign = "+" if delta > 0 else ("-" if delta < 0 else "")
    amount = fmt_int(int(abs(delta))) if digits == 0 else fmt_num(abs(delta), digits)
    if delta == 0:
        return "0"
    pct = f"{sign}{fmt_num(abs(delta) / previous * 100.0)}%" if previous else "—"
    return f"{sign}{amount} ({pct})"


def fmt_datetime(value: datetime) -> str:
    if language() == "en":
        return value.strftime("%Y-%m-%d %H:%M")
    return value.strftime("%H:%M %d/%m/%Y")
