"""Vietnamese speech normaliser: written administrative Vietnamese in, what an announcer says out.

`normalize(text)` returns NFC text with numbers, dates, times, ranges, money, units, document
numbers and abbreviations written out as words; pause punctuation (, . ; : and line ends) is kept
and every input line gives exactly one output line. `explain(text)` shows which rule produced
each piece. The abbreviation dictionary is built in and a station can extend it (`tu-dien.tsv`).

Readings and decisions (applied consistently, tested by the golden set in tests/content/golden/):
- Cardinals: mười/mươi, "mốt" for 1 and "tư" for 4 after a tens digit of two or more (21 "hai
  mươi mốt", 24 "hai mươi tư", but 14 "mười bốn", 104 "một trăm linh bốn"), "lăm" for 5 after
  any tens digit (15, 25), "linh" (not "lẻ") for a zero tens digit, "nghìn" (not "ngàn"), "tỷ";
  every group after the first reads its hundreds ("không trăm"): 2021 "hai nghìn không trăm hai
  mươi mốt", 1.000.005 "một triệu không trăm linh năm". Leading zeros are dropped ("06" -> "sáu");
  a number of three or more digits starting with 0 is a code, read digit by digit ("007").
- '.' between groups of exactly three digits is a thousands separator ("1.500" = 1500, never
  1,5, even "2.021"); ',' is the decimal mark ("2,5" -> "hai phẩy năm": decimals read as a
  number, leading zeros as "không"; "1,500" is therefore 1,5). Any other '.' between digits is
  read "chấm" ("4.0", "1.1.", "1.2.3"), except "2.5" right before a unit or % (an English-style
  decimal: "hai phẩy năm phần trăm"). "3,4" is a list ("ba, bốn") after mức độ, cấp độ, khoản,
  điều, điểm, chương, lớp, mục; three or more comma-joined numbers are always a list.
- Dates: d/m/yyyy, d-m-yyyy, d.m.yyyy and d/m become "ngày D tháng M [năm Y]", "ngày" added
  unless ngày (or mồng/mùng) is written just before; m/yyyy and "tháng m-yyyy" become "tháng M
  năm Y"; "số 01/2024" is a number and year. "tháng 4" -> "tháng tư" (1 is "một", not "giêng").
  Days are read plainly ("ngày bốn", no "mồng" added). Without a date word before it (ngày, từ,
  đến, hôm, dịp, vào...), a/b with a < b is a fraction when b <= 4 or a share word follows ("1/2",
  "2/3 số hộ", "1/5 số hộ" -> "một phần năm"), otherwise a date ("2/9", "1/5"); "24/7" is "hai
  mươi tư trên bảy"; after số nhà, hẻm, ngõ a/b is read "a trên b".
- Times: 17h30, 17g30, 17:30 -> "mười bảy giờ ba mươi phút"; zero minutes are not read ("7h00"
  -> "bảy giờ").
- Ranges between numbers, times, dates and months ("tháng 10 - 12/2023") with - – — are read
  with "đến"; a unit or % after the second end belongs to both.
- "thứ N" reads N as an ordinal (nhất, hai, ba, tư, ...); T2..T7 are weekdays, CN Chủ nhật.
  Roman numerals are read as cardinals after quý, chương, phần, khóa, (đại) hội, (thế) kỷ, mục,
  điều, (phụ) lục, as ordinals after thứ, and as line headings ("I.", "IV.").
- Document numbers ("76/NQ-CP", "61/2018/NĐ-CP", "425-HD/TG"): the number (and year, "năm ...")
  is read; the document-type code (kind "type" in the dictionary) is left out; the issuer is read
  "của ..." (all issuers of a joint TTLT/NQLT document, otherwise only the first: "UBND-VP" is
  the committee's office drafting it); unknown codes are left out, never spelled. When the text
  itself goes on with "[ngày ...] của ...", the issuer is not read twice.
- Abbreviations come from the dictionary; "cải cách hành chính (CCHC)" drops the bracketed
  definition rather than read the same words twice. An unknown all-caps token that is not a
  Vietnamese syllable (so not a heading word like "KẾ HOẠCH") is spelled with Vietnamese letter
  names ("VNPT" -> "vê en pê tê"). Words not needing a change keep their case.
- Money and units after a number are written out ("500.000đ" -> "năm trăm nghìn đồng", "m2" ->
  "mét vuông"); a rate "đồng/người" is read "đồng một người".
- Rates: a "/" after money, a unit, % or a counted thing is "một" ("150.000 đồng/hồ sơ", "62
  tạ/ha", "0,55%/tháng", "đồng/người/năm"); "đ" after triệu, tỷ, nghìn is "đồng"; "CC/VC"
  between two known abbreviations is "công chức hoặc viên chức".
- Amount ranges "15% - 20%", "2 triệu - 3 triệu", "500.000đ - 1.000.000đ" are read with "đến";
  ≥ ≤ > < ± before a number are "lớn hơn hoặc bằng", "nhỏ hơn hoặc bằng", "lớn hơn", "nhỏ hơn",
  "cộng trừ"; a minus before a number ("-2°C", "−1") is "âm". Dimensions "3 x 4 m" read "nhân".
- Not Roman numerals: a section letter ("Phần C", "phụ lục C"), "CỔ PHẦN XI MĂNG", "xã hội".
- Places: Q., P., H., TT., TX., KP. before a name or number and TDP, KP before a number are
  read as the word without the full stop ("P. Bến Thành" -> "phường Bến Thành"; "TT. Y tế" is
  "Trung tâm"); "thôn 3,4" is a list. "số 12/3 đường ..." and "số nhà 131/1" are house numbers
  ("mười hai trên ba"); a date after đường, phố, quảng trường, cầu, công viên names a street and gets no "ngày"
  ("đường 30/4" -> "đường ba mươi tháng tư"). Road codes QL, ĐT, TL: "QL1A" -> "quốc lộ một a"
  ("ĐT 113" stays a phone number). A number with a capital letter is read with the letter's
  name ("45B" -> "bốn mươi lăm bê"). "SN 1965" -> "sinh năm ...".
- "a/b" with a < b <= 10 before đại biểu, cử tri, phiếu, thành viên... is a share ("2/3 đại
  biểu" -> "hai phần ba"); "12/15 đại biểu" is a count ("trên").
- Line-start bullets "+" and "•" become "-" like the dash bullet; the look-alike "Ð" (U+00D0)
  is read as "Đ". Well-known toneless words of web addresses are read as words
  ("dichvucong.gov.vn" -> "dịch vụ công chấm gốp chấm vê en").
- A station's own dictionary entries (tu-dien.tsv) are matched before every rule, so a station
  can correct any reading; explain() names them "station".
- Phone numbers (and 113, 1022... after gọi, số, đường dây nóng) are read digit by digit; e-mail
  and web addresses with "chấm", "gạch chéo", "a còng".
- Markdown emphasis (*, #) and link targets are dropped; "./." ends a sentence with "."; runs of
  spaces become one space. Tone marks are composed whatever order they were typed in (NFC).
Third round (tests/content/golden/round3.tsv):
- A short number (3 to 6 digits) right after gọi, hotline, tổng đài, đường dây nóng, đầu số, or
  after "gửi"/"đến" in an SMS instruction ("soạn tin DK gửi 8079"), is read digit by digit; a
  known service number (111-116, 1022...) also anywhere after a calling or emergency word in the
  clause, unless what is counted follows ("115 hộ"). A bare number of nine or more digits, or of
  five or more after mã, tài khoản, CCCD..., is a code read digit by digit.
- "thứ 4/21" is a rank, "thứ tư trên hai mươi mốt"; after hạng, vị trí: "ba trên mười hai".
- A "/" after a unit ("m³/ngày đêm", "mg/l") or after a number's counted thing ("3 ca/tuần",
  "25.000 lượt truy cập/tháng") is "một"; "/24h" after a unit is "trong hai mươi tư giờ".
- "12 500" (space between groups of three) is one number, except after a label (thôn, tổ, khoản,
  ngày...): "thôn 3 120 hộ" is hamlet three, 120 households.
- Plates "51G-123.45": province as a number, series by letter names, serial digit by digit.
  "Km 12+500" is "ki lô mét mười hai cộng năm trăm". A road code after its own kind ("đường tỉnh
  ĐT.549", "Đường ĐT.547") does not repeat it; "(ĐT.549)" after "đường tỉnh 549" is left out.
- ‰ "phần nghìn", ₫ "đồng", ℃ "độ C", ° "độ", ½ "một phần hai", ~ "khoảng", ≈ "xấp xỉ", № "số";
  SI-prefixed units (MHz, kV, kVA, kWp, MWh, µg, dB, MPa...). "1e308" is "một nhân mười mũ ba
  trăm linh tám".
- "(BATGT)" after "Ban An toàn giao thông" is its initials and is left out; an all-capital word
  of at most three letters among words not in capitals is spelled even when it looks like a
  syllable ("BOT", but "BAN CHỈ ĐẠO" and common names like "NAM" are kept); letters with digits
  are spelled ("CO2", "F0").
- Social addresses (zalo.me, facebook.com, youtube.com, bit.ly...) and handles ("@ubndxa",
  "a còng ...") are read like web addresses.
- Inside a document number, CĐ is công điện (a type, left out), not cao đẳng.
- A day-month "1-6" after a holiday's name ("Tết Thiếu nhi 1-6"), after sáng, vào, hôm... (unless
  a length follows: "vào 2-3 ngày tới") or after another day-month and "và" is a date; "các
  ngày 10, 24/7" and "ngày 5 và 20/8" say the month once.
- A date or time that does not exist is read as written, not as a date: "30/02/2026" "ba mươi
  trên hai trên hai nghìn không trăm hai mươi sáu", "31/4" "ba mươi mốt trên bốn", "25:99"
  "hai mươi lăm hai chấm chín mươi chín" (explain() names them "invalid").
"""

from __future__ import annotations

import re

from loa.content.normalize.dictionary import (
    Dictionary,
    Entry,
    builtin_dictionary,
    load_dictionary,
    parse_dictionary,
    station_dictionary,
)
from loa.content.normalize.engine import Span, normalizer, to_nfc

__all__ = [
    "Dictionary",
    "Entry",
    "Span",
    "builtin_dictionary",
    "explain",
    "load_dictionary",
    "normalize",
    "normalize_lines",
    "parse_dictionary",
    "station_dictionary",
]


_BREAKS = re.compile("\r\n?|[\v\f\x1c\x1d\x1e\x85\u2028\u2029]")


_INVISIBLE = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff]")
_WIDE_SPACES = re.compile("[\u00a0\u2000-\u200a\u202f\u3000]")
_LINK = re.compile(r"\[([^\]\n]*)\]\([^)\n]*\)")


def _prepare(text: str) -> list[str]:
    text = _BREAKS.sub("\n", to_nfc(text)).replace("./.", ".")
    if not text.isascii():
        text = _INVISIBLE.sub("", text)  # zero-width spaces, soft hyphens, BOMs
        text = _WIDE_SPACES.sub(" ", text)
    if "](" in text:
        text = _LINK.sub(r"\1", text)  # a Markdown link is read as its text
    return text.split("\n")


def normalize(text: str, dictionary: Dictionary | None = None) -> str:
    """The spoken form of `text` (NFC). Keeps pause punctuation and one output line per line.

    `dictionary` defaults to the built-in one; pass `station_dictionary(station)` for a station.
    """
    engine = normalizer(dictionary)
    return "\n".join(engine.line(line) for line in _prepare(text))


def normalize_lines(lines: list[str], dictionary: Dictionary | None = None) -> list[str]:
    """One spoken line per input line, in order (each line must not contain a newline)."""
    engine = normalizer(dictionary)
    return [engine.line(" ".join(_prepare(line))) for line in lines]


def explain(text: str, dictionary: Dictionary | None = None) -> list[Span]:
    """The spans of `text` in order with the rule that produced each spoken form.

    Line breaks appear as spans with rule "newline".
    """
    engine = normalizer(dictionary)
    spans: list[Span] = []
    for index, line in enumerate(_prepare(text)):
        if index:
            spans.append(Span("\n", "\n", "newline"))
        spans.extend(engine.spans(line))
    return spans
