"""Third round of the normaliser (issue 30): what the regression rows in golden/round3.tsv do not
show on their own: the rule explain() names for each new kind, that every rule has a label in
`loa normalize --explain`, that a station's dictionary still wins, and the calendar check."""

from __future__ import annotations

from pathlib import Path

import pytest

from loa.cli.normalize import T as CLI_TEXT
from loa.content.normalize import explain, normalize, station_dictionary
from loa.content.normalize.context import valid_day
from loa.core.station import Station

GOLDEN = Path(__file__).with_name("golden")


@pytest.mark.parametrize(
    ("text", "source", "spoken", "rule"),
    [
        ("cấp cứu gọi 115", "115", "một một năm", "phone"),
        ("soạn tin DK gửi 8079", "8079", "tám không bảy chín", "phone"),
        ("xã đứng thứ 4/21 xã", "thứ 4/21", "thứ tư trên hai mươi mốt", "rank"),
        ("xếp hạng 3/12", "3/12", "ba trên mười hai", "rank"),
        ("trực 3 ca/tuần", "/tuần", "một tuần", "rate"),
        ("500 m³/ngày đêm", "/ngày", "một ngày", "rate"),
        ("xe 51G-123.45", "51G-123.45", "năm mươi mốt giê một hai ba bốn năm", "plate"),
        ("tại Km 12+500", "Km 12+500", "ki lô mét mười hai cộng năm trăm", "chainage"),
        ("đường tỉnh ĐT.549", "ĐT.549", "năm trăm bốn mươi chín", "road"),
        ("12 500 người", "12 500", "mười hai nghìn năm trăm", "number"),
        ("15‰", "15‰", "mười lăm phần nghìn", "unit"),
        ("98,5 MHz", "98,5 MHz", "chín mươi tám phẩy năm mê ga héc", "unit"),
        ("trạm BOT Bến Thủy", "BOT", "bê ô tê", "abbreviation"),
        ("mã CAP của xã", "CAP", "xê a pê", "spelled"),
        ("Ban An toàn giao thông (BATGT) xã", " (BATGT)", "", "definition"),
        ("trang @ubndxa", "@ubndxa", "a còng ubndxa", "handle"),
        ("zalo.me/ubndxa", "zalo.me/ubndxa", "da lô chấm mi gạch chéo ubndxa", "url"),
        ("Công điện 05/CĐ-UBND", "05/CĐ-UBND", "năm của Ủy ban nhân dân", "document"),
        ("Tết Thiếu nhi 1-6", "1-6", "ngày một tháng sáu", "date"),
        ("các ngày 10, 24/7", "ngày 10, 24/7", "ngày mười, hai mươi tư tháng bảy", "date"),
        (
            "hạn 30/02/2026",
            "30/02/2026",
            "ba mươi trên hai trên hai nghìn không trăm hai mươi sáu",
            "invalid",
        ),
        ("lúc 25:99", "25:99", "hai mươi lăm hai chấm chín mươi chín", "invalid"),
        ("ngày 31/4", "ngày 31/4", "ngày ba mươi mốt trên bốn", "invalid"),
        ("số 1e308", "1e308", "một nhân mười mũ ba trăm linh tám", "scientific"),
    ],
)
def test_explain_names_the_new_rules(text: str, source: str, spoken: str, rule: str) -> None:
    spans = {span.source: span for span in explain(text)}
    assert source in spans, [span.source for span in spans.values()]
    assert spans[source].spoken.strip() == spoken
    assert spans[source].rule == rule
    assert "".join(span.source for span in spans.values()) == text


def _golden_sources() -> list[str]:
    sources = []
    for path in sorted(GOLDEN.glob("**/*.tsv")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                sources.append(line.split("\t")[0])
    return sources


def test_every_rule_explain_names_has_a_label_in_the_cli() -> None:
    rules = {span.rule for text in _golden_sources() for span in explain(text)}
    assert {"plate", "chainage", "rank", "rate", "invalid", "scientific", "handle"} <= rules
    missing = sorted(rule for rule in rules if f"rule_{rule}" not in CLI_TEXT.entries)
    assert not missing


@pytest.mark.parametrize(
    ("entry", "text", "spoken"),
    [
        ("BOT\tbốt", "trạm BOT Bến Thủy", "trạm bốt Bến Thủy"),  # a lone capital word
        ("BKS\tbiển số", "BKS 51G-123.45", "biển số năm mươi mốt giê một hai ba bốn năm"),
        ("zalo\tza lô", "zalo.me/ubndxa", "za lô chấm mi gạch chéo ubndxa"),  # address word
        ("MHz\tmê ga hẹc", "98,5 MHz", "chín mươi tám phẩy năm mê ga hẹc"),  # a unit
        ("BATGT\tban an toàn", "BATGT xã", "ban an toàn xã"),  # a built-in acronym
        # a document-type code of the built-in rules read as the station's issuer
        (
            "CĐ\tTrường Cao đẳng Nghề",
            "Công văn 12/CĐ-ĐT",
            "Công văn mười hai của Trường Cao đẳng Nghề",
        ),
    ],
)
def test_station_dictionary_still_wins(
    station: Station, entry: str, text: str, spoken: str
) -> None:
    (station.root / "tu-dien.tsv").write_text(entry + "\n", encoding="utf-8")
    words = station_dictionary(station)
    assert normalize(text, words) == spoken
    assert normalize(text) != spoken  # the built-in reading differs


@pytest.mark.parametrize(
    ("day", "month", "year", "exists"),
    [
        (31, 1, None, True),
        (30, 2, None, False),
        (29, 2, None, True),
        (29, 2, 2024, True),
        (29, 2, 2025, False),
        (29, 2, 1900, False),
        (29, 2, 2000, True),
        (31, 4, 2026, False),
        (0, 5, None, False),
        (1, 13, None, False),
    ],
)
def test_valid_day(day: int, month: int, year: int | None, exists: bool) -> None:
    assert valid_day(day, month, year) is exists


def test_short_numbers_are_amounts_without_a_calling_word() -> None:
    assert normalize("Tổng số 115 hộ") == "Tổng số một trăm mười lăm hộ"
    assert normalize("gửi 500 nghìn đồng") == "gửi năm trăm nghìn đồng"
    assert normalize("Công an xã có 113 cán bộ") == "Công an xã có một trăm mười ba cán bộ"


def test_spaced_groups_after_a_label_are_two_numbers() -> None:
    assert normalize("thôn 3 120 hộ") == "thôn ba một trăm hai mươi hộ"
    assert normalize("có 3 120 hộ") == "có ba nghìn một trăm hai mươi hộ"


def test_heading_capitals_are_not_spelled() -> None:
    assert normalize("BAN CHỈ ĐẠO XÃ") == "BAN CHỈ ĐẠO XÃ"
    assert normalize("anh NAM") == "anh NAM"
