"""The abbreviation dictionary: built-in contents, station files, errors naming the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from loa.content.normalize import (
    builtin_dictionary,
    explain,
    load_dictionary,
    normalize,
    station_dictionary,
)
from loa.core.errors import UserError
from loa.core.station import Station


def test_builtin_dictionary_has_at_least_150_entries() -> None:
    words = builtin_dictionary()
    assert len(words) >= 150
    for key in (
        "UBND",
        "HĐND",
        "CCHC",
        "TTHC",
        "CNTT",
        "MTTQ",
        "THCS",
        "THPT",
        "BHYT",
        "BHXH",
        "GD&ĐT",
        "KT-XH",
        "CBCC",
        "CBCCVC",
        "TP",
    ):
        assert key in words, key


def test_builtin_spoken_forms_have_no_digits_and_no_unknown_kinds() -> None:
    for entry in builtin_dictionary().entries.values():
        assert entry.spoken and not any(ch.isdigit() for ch in entry.spoken), entry
        assert entry.kind in ("", "type", "code")


def test_load_dictionary_tab_and_equals(tmp_path: Path) -> None:
    path = tmp_path / "tu-dien.tsv"
    path.write_text(
        "# ghi chú\n\nHTX\thợp tác xã\nCLB = câu lạc bộ\nBQL\tBan quản lý\tcode\n", encoding="utf-8"
    )
    words = load_dictionary(path)
    assert len(words) == 3
    assert words.get("CLB").spoken == "câu lạc bộ"  # type: ignore[union-attr]
    assert words.get("BQL").kind == "code"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("content", "line", "words"),
    [
        ("HTX\thợp tác xã\nCLB câu lạc bộ\n", 2, "TAB"),
        ("\n\nHTX\t\n", 3, "thiếu cách đọc"),
        ("HTX\thợp tác xã\tloai-la\n", 1, "loai-la"),
        ("A\tb\tcode\tthừa\n", 1, "quá ba cột"),
        ("# x\nK5\tkhóa 5\n", 2, "chữ số"),
        ("\thợp tác xã\n", 1, "thiếu từ viết tắt"),
    ],
)
def test_bad_line_names_file_and_line(tmp_path: Path, content: str, line: int, words: str) -> None:
    path = tmp_path / "tu-dien.tsv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(UserError) as info:
        load_dictionary(path)
    message = str(info.value)
    assert str(path) in message
    assert f"dòng {line}" in message
    assert words in message


def test_not_utf8_is_a_user_error(tmp_path: Path) -> None:
    path = tmp_path / "tu-dien.tsv"
    path.write_bytes(b"HTX\th\xe1\xbb\n\xff\xfe\n")
    with pytest.raises(UserError, match="UTF-8"):
        load_dictionary(path)


def test_station_without_a_file_uses_the_builtin(station: Station) -> None:
    assert station_dictionary(station) is builtin_dictionary()


def test_station_default_file_is_merged(station: Station) -> None:
    (station.root / "tu-dien.tsv").write_text("HTX\thợp tác xã\nUBND\tỦy ban\n", encoding="utf-8")
    words = station_dictionary(station)
    assert normalize("HTX Cẩm Nhượng và UBND xã, CCHC", words) == (
        "hợp tác xã Cẩm Nhượng và Ủy ban xã, cải cách hành chính"
    )


def test_station_configured_file(station: Station) -> None:
    (station.root / "rieng.tsv").write_text("CLB\tcâu lạc bộ\n", encoding="utf-8")
    station.config = {**station.config, "speech": {"dictionary": "rieng.tsv"}}
    assert normalize("CLB dưỡng sinh", station_dictionary(station)) == "câu lạc bộ dưỡng sinh"


def test_station_configured_but_missing_file_is_a_user_error(station: Station) -> None:
    station.config = {**station.config, "speech": {"dictionary": "khong-co.tsv"}}
    with pytest.raises(UserError, match=r"khong-co\.tsv"):
        station_dictionary(station)


def test_station_bad_file_is_a_user_error(station: Station) -> None:
    (station.root / "tu-dien.tsv").write_text("HTX hợp tác xã\n", encoding="utf-8")
    with pytest.raises(UserError, match="dòng 1"):
        station_dictionary(station)


def test_station_dictionary_is_reused_until_the_file_changes(station: Station) -> None:
    path = station.root / "tu-dien.tsv"
    path.write_text("HTX\thợp tác xã\n", encoding="utf-8")
    first = station_dictionary(station)
    assert station_dictionary(station) is first
    path.write_text("HTX\thợp tác xã nông nghiệp\n", encoding="utf-8")
    again = station_dictionary(station)
    assert again is not first
    assert normalize("HTX", again) == "hợp tác xã nông nghiệp"


@pytest.mark.parametrize(
    ("entry", "text", "spoken"),
    [
        ("QL\tđường quốc lộ", "mở rộng QL1A", "mở rộng đường quốc lộ một a"),  # road code
        ("P.\tphố", "P. Hàng Bạc", "phố Hàng Bạc"),  # place prefix
        ("30/4\tba mươi tháng tư lịch sử", "đường 30/4", "đường ba mươi tháng tư lịch sử"),
        ("camnhuong\tCẩm Nhượng", "xem camnhuong.gov.vn", "xem Cẩm Nhượng chấm gốp chấm vê en"),
        ("dichvucong\tdi vê xê", "tại dichvucong.gov.vn", "tại di vê xê chấm gốp chấm vê en"),
        ("±\tkhoảng", "sai số ± 5%", "sai số khoảng năm phần trăm"),  # comparison sign
        ("SN\tsố nhà", "SN 1965 Lê Lợi", "số nhà một nghìn chín trăm sáu mươi lăm Lê Lợi"),
        ("CC/VC\tcông chức và viên chức", "CC/VC xã", "công chức và viên chức xã"),
        ("45B\tbốn lăm bê", "số nhà 45B", "số nhà bốn lăm bê"),  # number with a letter
        ("UBND\tỦy ban", "76/NQ-CP, UBND xã", "bảy mươi sáu của Chính phủ, Ủy ban xã"),
    ],
)
def test_station_dictionary_overrides_any_rule(
    station: Station, entry: str, text: str, spoken: str
) -> None:
    (station.root / "tu-dien.tsv").write_text(entry + "\n", encoding="utf-8")
    words = station_dictionary(station)
    assert normalize(text, words) == spoken
    assert normalize(text) != spoken  # the built-in rules alone read it otherwise
    # explain names the station's dictionary; inside a web address the span stays one "url"
    rule = "url" if ".gov.vn" in text else "station"
    assert rule in {span.rule for span in explain(text, words)}
