"""TCVN3 / VNI detection and conversion, and NFC everywhere."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from loa.content.vnencoding import (
    detect_encoding,
    fix_text,
    tcvn3_to_unicode,
    unicode_to_tcvn3,
    unicode_to_vni,
    vni_to_unicode,
)

SENTENCE = (
    "Ủy ban nhân dân xã Cẩm Nhượng thông báo về dịch vụ công trực tuyến mức độ 3, 4; "
    "đăng ký khai sinh, kết hôn tại Bộ phận Một cửa. Người lao động ít có thời gian."
)
LETTERS = (
    "aáàảãạăắằẳẵặâấầẩẫậbcdđeéèẻẽẹêếềểễệghiíìỉĩịklmnoóòỏõọôốồổỗộơớờởỡợpqrstuúùủũụưứừửữựvxyýỳỷỹỵ"
)


def test_known_tcvn3_phrase() -> None:
    assert fix_text("Céng hoµ x· héi chñ nghÜa ViÖt Nam") == "Cộng hoà xã hội chủ nghĩa Việt Nam"
    assert detect_encoding("Céng hoµ x· héi chñ nghÜa ViÖt Nam") == "tcvn3"


def test_known_vni_phrase() -> None:
    assert (
        fix_text("Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam") == "Cộng hòa xã hội chủ nghĩa Việt Nam"
    )
    assert detect_encoding("Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam") == "vni"


def test_unicode_text_is_left_alone() -> None:
    assert fix_text(SENTENCE) == SENTENCE
    assert detect_encoding(SENTENCE) == "unicode"


def test_nfd_becomes_nfc() -> None:
    nfd = unicodedata.normalize("NFD", SENTENCE)
    assert nfd != SENTENCE
    assert fix_text(nfd) == SENTENCE


def test_sentence_round_trips_through_both_encodings() -> None:
    assert fix_text(unicode_to_vni(SENTENCE)) == SENTENCE
    lower = SENTENCE.lower()
    assert fix_text(unicode_to_tcvn3(lower)) == lower


words = st.lists(st.text(alphabet=LETTERS, min_size=1, max_size=7), min_size=1, max_size=12)


@given(words)
def test_vni_round_trip(ws: list[str]) -> None:
    text = " ".join(ws)
    assert vni_to_unicode(unicode_to_vni(text)) == text


@given(words)
def test_tcvn3_round_trip(ws: list[str]) -> None:
    text = " ".join(ws)
    assert tcvn3_to_unicode(unicode_to_tcvn3(text)) == text


@given(words)
def test_fix_text_is_idempotent_on_unicode(ws: list[str]) -> None:
    text = " ".join(ws)
    assert fix_text(fix_text(text)) == fix_text(text)
