"""Reading numbers aloud in Vietnamese: cardinals, decimals, digit strings, ordinals, Roman numerals."""

from __future__ import annotations

import re

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")

MONTHS = (
    "",
    "một",
    "hai",
    "ba",
    "tư",
    "năm",
    "sáu",
    "bảy",
    "tám",
    "chín",
    "mười",
    "mười một",
    "mười hai",
)

_ROMAN_RE = re.compile(r"^M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})$")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}


def _below_thousand(n: int, full: bool) -> list[str]:
    """Words for 0 < n < 1000. `full` reads the hundreds even when zero ("không trăm linh năm"),
    as Vietnamese does for every group after the leading one."""
    hundreds, rest = divmod(n, 100)
    tens, units = divmod(rest, 10)
    words: list[str] = []
    if hundreds or full:
        words += [DIGITS[hundreds], "trăm"]
        if tens == 0 and units:
            words.append("linh")
    if tens == 0:
        if units:
            words.append(DIGITS[units])
        return words
    if tens == 1:
        words.append("mười")
    else:
        words += [DIGITS[tens], "mươi"]
    if units == 0:
        return words
    if units == 1 and tens >= 2:
        words.append("mốt")
    elif units == 4 and tens >= 2:
        words.append("tư")
    elif units == 5:
        words.append("lăm")
    else:
        words.append(DIGITS[units])
    return words


def _cardinal_words(n: int) -> list[str]:
    if n < 1000:
        return _below_thousand(n, full=False) if n else ["không"]
    billions, rest = divmod(n, 1_000_000_000)
    words: list[str] = []
    if billions:
        words += [*_cardinal_words(billions), "tỷ"]
    groups = [(rest // 1_000_000) % 1000, (rest // 1000) % 1000, rest % 1000]
    names = ("triệu", "nghìn", "")
    for value, name in zip(groups, names, strict=True):
        if not value:
            continue
        words += _below_thousand(value, full=bool(words))
        if name:
            words.append(name)
    return words


def read_int(n: int) -> str:
    """The Vietnamese cardinal reading of `n` (2021 -> "hai nghìn không trăm hai mươi mốt")."""
    if n < 0:
        return "âm " + read_int(-n)
    return " ".join(_cardinal_words(n))


def read_digits(digits: str) -> str:
    """Digit by digit: "0912" -> "không chín một hai"."""
    return " ".join(DIGITS[ord(d) - 48] for d in digits if "0" <= d <= "9")


def read_fraction_digits(digits: str) -> str:
    """The part after a decimal mark: leading zeros one by one, then a short rest as a number,
    a long rest digit by digit ("05" -> "không năm", "25" -> "hai mươi lăm")."""
    stripped = digits.lstrip("0")
    words = ["không"] * (len(digits) - len(stripped))
    if stripped:
        words.append(read_int(int(stripped)) if len(stripped) <= 2 else read_digits(stripped))
    return " ".join(words)


def read_decimal(integer: str, fraction: str, mark: str = "phẩy") -> str:
    """ "2", "5" -> "hai phẩy năm"."""
    return f"{read_int(int(integer))} {mark} {read_fraction_digits(fraction)}"


def read_ordinal(n: int) -> str:
    """The word after "thứ": 1 -> "nhất", 4 -> "tư", otherwise the cardinal."""
    if n == 1:
        return "nhất"
    if n == 4:
        return "tư"
    return read_int(n)


def read_month(n: int) -> str:
    """The word after "tháng": 4 -> "tư", otherwise the cardinal (1..12)."""
    return MONTHS[n] if 1 <= n <= 12 else read_int(n)


def roman_to_int(text: str) -> int | None:
    """The value of a well-formed Roman numeral ("XIII" -> 13), None if it is not one."""
    if not text or not _ROMAN_RE.match(text):
        return None
    total = 0
    for i, ch in enumerate(text):
        value = _ROMAN_VALUES[ch]
        if i + 1 < len(text) and _ROMAN_VALUES[text[i + 1]] > value:
            total -= value
        else:
            total += value
    return total
