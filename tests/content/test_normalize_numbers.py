"""Number reading: fixed points and properties over every integer up to 10^12."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loa.content.normalize import normalize
from loa.content.normalize.numbers import read_decimal, read_int, read_ordinal, roman_to_int

UNITS = {
    "không": 0,
    "một": 1,
    "mốt": 1,
    "hai": 2,
    "ba": 3,
    "bốn": 4,
    "tư": 4,
    "năm": 5,
    "lăm": 5,
    "sáu": 6,
    "bảy": 7,
    "tám": 8,
    "chín": 9,
}
VOCABULARY = {*UNITS, "mười", "mươi", "trăm", "linh", "nghìn", "triệu", "tỷ"}


def parse_vietnamese(text: str) -> int:
    """An independent reader of Vietnamese cardinals, to check read_int round-trips."""
    total = 0  # finished part above the current tỷ
    group = 0  # value below 1000 being built
    above = 0  # finished nghìn / triệu groups below tỷ
    for word in text.split():
        if word in UNITS:
            group += UNITS[word]
        elif word == "mười":
            group += 10
        elif word == "mươi":
            last = group % 10
            group += last * 10 - last
        elif word == "trăm":
            last = group % 10
            group += last * 100 - last
        elif word == "linh":
            continue
        elif word == "nghìn":
            above += group * 1000
            group = 0
        elif word == "triệu":
            above += group * 1_000_000
            group = 0
        elif word == "tỷ":
            total = (total + above + group) * 1_000_000_000
            above = group = 0
        else:
            raise ValueError(word)
    return total + above + group


@given(st.integers(min_value=0, max_value=10**12))
@settings(max_examples=600, deadline=None)
def test_reading_round_trips_and_has_no_digits(n: int) -> None:
    spoken = read_int(n)
    assert not any(ch.isdigit() for ch in spoken)
    assert set(spoken.split()) <= VOCABULARY
    assert parse_vietnamese(spoken) == n


@given(st.integers(min_value=0, max_value=10**12))
@settings(max_examples=300, deadline=None)
def test_normalize_of_a_written_number_has_no_digits(n: int) -> None:
    written = f"{n:,}".replace(",", ".")  # Vietnamese thousands dots
    assert not any(ch.isdigit() for ch in normalize(f"có {written} người"))


@given(st.text(alphabet=st.sampled_from("aăâeêioôơuưyAĐđ UBND0123456789/.,-%:hạ̀́̀̉̃"), max_size=40))
@settings(max_examples=300, deadline=None)
def test_nfd_input_gives_the_same_output_as_nfc(text: str) -> None:
    nfc = unicodedata.normalize("NFC", text)
    nfd = unicodedata.normalize("NFD", text)
    assert normalize(nfd) == normalize(nfc)
    assert unicodedata.is_normalized("NFC", normalize(nfd))


@pytest.mark.slow
@given(st.text(max_size=80))
@settings(max_examples=300, deadline=None)
def test_line_count_is_kept_for_any_text(text: str) -> None:
    lines = text.replace("\r\n", "\n")
    for sep in "\r\v\f\x1c\x1d\x1e\x85\u2028\u2029":
        lines = lines.replace(sep, "\n")
    assert normalize(text).count("\n") == lines.count("\n")


def test_fixed_readings() -> None:
    assert read_int(2021) == "hai nghìn không trăm hai mươi mốt"
    assert read_int(1_000_000_000_000) == "một nghìn tỷ"
    assert read_int(1_000_001_000) == "một tỷ không trăm linh một nghìn"
    assert read_int(10**15) == "một triệu tỷ"
    assert read_decimal("2", "5") == "hai phẩy năm"
    assert read_ordinal(1) == "nhất"
    assert read_ordinal(4) == "tư"
    assert read_ordinal(14) == "mười bốn"


def test_roman_numerals() -> None:
    assert roman_to_int("XIII") == 13
    assert roman_to_int("IV") == 4
    assert roman_to_int("IIII") is None
    assert roman_to_int("ABC") is None
