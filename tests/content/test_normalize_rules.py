"""Behaviour of the normaliser beyond the golden set: Unicode, lines, pauses, explain."""

from __future__ import annotations

import unicodedata

from loa.content.normalize import Dictionary, Entry, explain, normalize, parse_dictionary


def test_nfd_and_misordered_marks_give_nfc() -> None:
    nfc = "Hội đồng nhân dân xã Cẩm Nhượng"
    nfd = unicodedata.normalize("NFD", nfc)
    # tone mark typed before the circumflex: NFC alone cannot compose this
    misordered = "Ho\u0323\u0302i đồng nhân dân xã Cẩm Nhượng"
    assert normalize(nfd) == nfc
    assert normalize(misordered) == nfc
    assert unicodedata.is_normalized("NFC", normalize(misordered))


def test_one_line_out_per_line_in() -> None:
    text = "UBND xã\n\n2021-2030\r\nngày 15/7/2021\n"
    out = normalize(text)
    assert out.split("\n") == [
        "Ủy ban nhân dân xã",
        "",
        "hai nghìn không trăm hai mươi mốt đến hai nghìn không trăm ba mươi",
        "ngày mười lăm tháng bảy năm hai nghìn không trăm hai mươi mốt",
        "",
    ]


def test_ranges_never_join_lines() -> None:
    assert (
        normalize("2021 -\n2030")
        == "hai nghìn không trăm hai mươi mốt -\nhai nghìn không trăm ba mươi"
    )


def test_pause_punctuation_kept() -> None:
    out = normalize("Ngày 18/11, UBND xã; lúc 7h30: họp. Xong")
    for mark in ",;:.":
        assert mark in out
    assert (
        out
        == "Ngày mười tám tháng mười một, Ủy ban nhân dân xã; lúc bảy giờ ba mươi phút: họp. Xong"
    )


def test_explain_names_the_rule_for_each_span() -> None:
    spans = explain("Nghị quyết 76/NQ-CP ngày 15/7/2021, XYZ đạt 80%")
    by_source = {span.source: span for span in spans}
    assert by_source["76/NQ-CP"].rule == "document"
    assert by_source["76/NQ-CP"].spoken == "bảy mươi sáu của Chính phủ"
    assert by_source["ngày 15/7/2021"].rule == "date"
    assert by_source["XYZ"].rule == "spelled"
    assert by_source["80%"].rule == "percent"
    assert (
        "".join(span.source for span in spans) == "Nghị quyết 76/NQ-CP ngày 15/7/2021, XYZ đạt 80%"
    )


def test_explain_marks_line_breaks() -> None:
    spans = explain("UBND\nHĐND")
    assert [span.rule for span in spans] == ["abbreviation", "newline", "abbreviation"]


def test_station_dictionary_overrides_and_extends() -> None:
    base = Dictionary([Entry("UBND", "Ủy ban nhân dân")])
    own = parse_dictionary("UBND\tỦy ban\nHTX NN\thợp tác xã nông nghiệp\nv/v\tvề việc\n", "own")
    merged = base.merged(own)
    assert normalize("UBND xã", merged) == "Ủy ban xã"
    assert normalize("HTX NN Cẩm Nhượng", merged) == "hợp tác xã nông nghiệp Cẩm Nhượng"
    assert normalize("V/V họp", merged) == "về việc họp"


def test_unknown_code_in_document_number_is_left_out_not_spelled() -> None:
    out = normalize("Công văn 55/XYZQ-ABCD")
    assert out == "Công văn năm mươi lăm"


def test_issuer_not_repeated_when_text_names_it() -> None:
    out = normalize("Quyết định 468/QĐ-TTg của Thủ tướng Chính phủ")
    assert out.count("Thủ tướng Chính phủ") == 1


def test_fraction_versus_date() -> None:
    assert normalize("1/2 dân số") == "một phần hai dân số"
    assert normalize("ngày 1/2") == "ngày một tháng hai"
    assert normalize("từ 3/4") == "từ ngày ba tháng tư"


def test_spelling_uses_vietnamese_letter_names() -> None:
    assert normalize("mã XKLD") == "mã ích ca e lờ dê"


def test_heading_words_in_capitals_are_not_spelled() -> None:
    assert normalize("TỔ CHỨC THỰC HIỆN") == "TỔ CHỨC THỰC HIỆN"
    assert normalize("QUYẾT ĐỊNH") == "QUYẾT ĐỊNH"


def test_empty_and_blank_input() -> None:
    assert normalize("") == ""
    assert normalize("   ") == ""
    assert normalize("\n\n") == "\n\n"
