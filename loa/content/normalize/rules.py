"""The rule engine: one compiled pattern, one left-to-right pass, one handler per rule.

Every rule is a named group in a single alternation; at each position the first rule that matches
wins, so the order of `_RULES` is the precedence (URLs and phone numbers before document numbers,
dates before ranges, ranges before times, times before plain numbers, numbers before words).
Text between matches is copied unchanged. A line never influences another line.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import ClassVar

from loa.content.normalize.dictionary import Dictionary, Entry, builtin_dictionary
from loa.content.normalize.numbers import (
    read_decimal,
    read_digits,
    read_int,
    read_month,
    read_ordinal,
    roman_to_int,
)


@dataclass(frozen=True)
class Span:
    """One piece of the input: the `source` text, what is `spoken` for it, and the `rule` used."""

    source: str
    spoken: str
    rule: str


# --- Unicode ---------------------------------------------------------------------------------

_TONES = "\u0300\u0301\u0303\u0309\u0323"
_MODIFIERS = "\u0302\u0306\u031b"
# A tone mark typed before the vowel's own modifier ("a" + acute + circumflex) does not compose
# under NFC because both marks have combining class 230; put the modifier first.
_MISORDERED = re.compile(f"([{_TONES}]+)([{_MODIFIERS}]+)")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u3000]+")


def to_nfc(text: str) -> str:
    """NFC with tone marks composed whatever order they were typed in."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFD", text)
    if _MISORDERED.search(decomposed):
        decomposed = _MISORDERED.sub(r"\2\1", decomposed)
    return unicodedata.normalize("NFC", decomposed)


# --- Letters and syllables -------------------------------------------------------------------

LETTER_NAMES = {
    "a": "a",
    "ă": "á",
    "â": "ớ",
    "b": "bê",
    "c": "xê",
    "d": "dê",
    "đ": "đê",
    "e": "e",
    "ê": "ê",
    "f": "ép",
    "g": "giê",
    "h": "hát",
    "i": "i",
    "j": "gi",
    "k": "ca",
    "l": "e lờ",
    "m": "em",
    "n": "en",
    "o": "o",
    "ô": "ô",
    "ơ": "ơ",
    "p": "pê",
    "q": "quy",
    "r": "e rờ",
    "s": "ét",
    "t": "tê",
    "u": "u",
    "ư": "ư",
    "v": "vê",
    "w": "vê kép",
    "x": "ích",
    "y": "i dài",
    "z": "dét",
}

_SYLLABLE = re.compile(
    r"^(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|b|c|d|đ|g|h|k|l|m|n|p|r|s|t|v|x)?"
    r"[aăâeêioôơuưy]{1,3}(?:ch|ng|nh|c|m|n|p|t)?$"
)


@lru_cache(maxsize=4096)
def is_syllable(word: str) -> bool:
    """Whether `word` is spelled like one Vietnamese syllable (so "HOẠCH" is a word, "UBND" not)."""
    bare = unicodedata.normalize("NFD", word.lower())
    bare = unicodedata.normalize("NFC", "".join(ch for ch in bare if ch not in _TONES))
    return bool(_SYLLABLE.match(bare))


def spell(word: str) -> str:
    """Letter by letter with Vietnamese letter names ("VUTT" -> "vê u tê tê")."""
    out = []
    for ch in word.lower():
        if "0" <= ch <= "9":
            out.append(read_digits(ch))
            continue
        base = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in base if c not in _TONES))
        name = LETTER_NAMES.get(base)
        if name:
            out.append(name)
    return " ".join(out)


# --- Units -----------------------------------------------------------------------------------

UNITS = {
    "%": "phần trăm",
    "đ": "đồng",
    "đồng": "đồng",
    "VNĐ": "đồng",
    "VND": "đồng",
    "vnđ": "đồng",
    "vnd": "đồng",
    "USD": "đô la Mỹ",
    "usd": "đô la Mỹ",
    "tr": "triệu",
    "km/h": "ki lô mét trên giờ",
    "km2": "ki lô mét vuông",
    "km²": "ki lô mét vuông",
    "km": "ki lô mét",
    "m2": "mét vuông",
    "m²": "mét vuông",
    "m3": "mét khối",
    "m³": "mét khối",
    "cm": "xen ti mét",
    "mm": "mi li mét",
    "m": "mét",
    "ha": "héc ta",
    "kg": "ki lô gam",
    "mg": "mi li gam",
    "g": "gam",
    "ml": "mi li lít",
    "l": "lít",
    "kWh": "ki lô oát giờ",
    "kW": "ki lô oát",
    "MW": "mê ga oát",
    "W": "oát",
    "°C": "độ C",
    "GB": "gi ga bai",
    "MB": "mê ga bai",
    # Third round: symbols the voice drops and units with SI prefixes.
    "‰": "phần nghìn",
    "₫": "đồng",
    "℃": "độ C",
    "°": "độ",
    "m/s": "mét trên giây",
    "km/giờ": "ki lô mét trên giờ",
    "cm2": "xen ti mét vuông",
    "cm²": "xen ti mét vuông",
    "cm3": "xen ti mét khối",
    "cm³": "xen ti mét khối",
    "mm2": "mi li mét vuông",
    "mm²": "mi li mét vuông",
    "dm": "đề xi mét",
    "µm": "mi crô mét",
    "μm": "mi crô mét",
    "nm": "na nô mét",
    "µg": "mi crô gam",
    "μg": "mi crô gam",
    "Hz": "héc",
    "kHz": "ki lô héc",
    "MHz": "mê ga héc",
    "GHz": "gi ga héc",
    "V": "vôn",
    "kV": "ki lô vôn",
    "kVA": "ki lô vôn am pe",
    "MVA": "mê ga vôn am pe",
    "mA": "mi li am pe",
    "Wh": "oát giờ",
    "MWh": "mê ga oát giờ",
    "GWh": "gi ga oát giờ",
    "kWp": "ki lô oát đỉnh",
    "MWp": "mê ga oát đỉnh",
    "GW": "gi ga oát",
    "kB": "ki lô bai",
    "KB": "ki lô bai",
    "Mbps": "mê ga bít trên giây",
    "Gbps": "gi ga bít trên giây",
    "dB": "đề xi ben",
    "ppm": "phần triệu",
    "mmHg": "mi li mét thủy ngân",
    "kcal": "ki lô ca lo",
    "ms": "mi li giây",
    "MPa": "mê ga pát xcan",
    "kPa": "ki lô pát xcan",
    "$": "đô la",
    "€": "ơ rô",
}
# After a rate's "/" ("m³/h", "l/s"): a time unit written as one letter.
PER_UNITS = {"h": "giờ", "s": "giây", "ph": "phút", "ng.đ": "ngày đêm", "ngđ": "ngày đêm"}
_UNIT_ALT = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))

# --- Patterns ----------------------------------------------------------------------------------

_L = r"[^\W\d_]"  # a letter
_SP = r"[ \t]"
_DASH = r"[-–—]"
# "12 500": a space as the thousands separator (groups of exactly three after the first).
_SPACED = r"[1-9][0-9]{0,2}(?: [0-9]{3})+(?:,[0-9]+)?(?![0-9]|[.,][0-9])"
_NUMBER = (
    _SPACED
    + r"|[0-9]{1,3}(?:\.[0-9]{3})+(?:,[0-9]+)?|[0-9]+(?:,[0-9]+)+|[0-9]+(?:\.[0-9]+)+|[0-9]+"
)
_ATOM = (
    rf"(?:[0-9]{{1,2}}[hg](?:[0-5][0-9])?(?!{_L})"
    r"|[0-9]{1,2}:[0-5][0-9]"
    r"|[0-9]{1,2}/[0-9]{1,2}(?:/[0-9]{4})?"
    r"|[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{4}"
    r"|[1-9][0-9]{0,2}(?: [0-9]{3})+|[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]+(?:,[0-9]+)?)"
    r"(?![/.,:]?[0-9])"
)
_CODE = r"[A-ZĐ][A-Za-zĐđ&]*[0-9]*"
# The word right before a Roman numeral that makes it one ("Quý I", "Đại hội XIII", "lần thứ IV").
_ROMAN_CONTEXT = (
    r"[Qq]uý|QUÝ|[Cc]hương|CHƯƠNG|[Pp]hần|PHẦN|[Kk]hóa|[Kk]hoá|KHÓA|KHOÁ|[Hh]ội|HỘI"
    r"|[Tt]hứ|THỨ|[Kk]ỷ|[Kk]ỉ|KỶ|[Mm]ục|MỤC|[Đđ]iều|ĐIỀU|[Ll]ục|LỤC|[Ll]ớp|LỚP|[Cc]ấp|CẤP|[Tt]ập|TẬP"
)
# Letters by case, as explicit classes: `re` has no Unicode case categories.
_LOWER = "".join(chr(c) for c in range(0x61, 0x2000) if chr(c).isalpha() and chr(c).islower())
_UPPER = "".join(chr(c) for c in range(0x41, 0x2000) if chr(c).isalpha() and chr(c).isupper())

# "≥ 95%": comparison signs before a number, read as words.
COMPARISONS = {
    "≥": "lớn hơn hoặc bằng",
    ">=": "lớn hơn hoặc bằng",
    "≤": "nhỏ hơn hoặc bằng",
    "<=": "nhỏ hơn hoặc bằng",
    ">": "lớn hơn",
    "<": "nhỏ hơn",
    "±": "cộng trừ",
    "≈": "xấp xỉ",
    "~": "khoảng",
    "≠": "khác",
    "№": "số",
}
# "P. Bến Thành, Q. 1": an address prefix before a name or number. Read as the word, and the
# full stop goes with it: left in, the voice would pause inside the place name.
PLACE_PREFIXES = {
    "Q": "quận",
    "P": "phường",
    "H": "huyện",
    "TT": "thị trấn",
    "TX": "thị xã",
    "Tx": "thị xã",
    "KP": "khu phố",
    "TDP": "tổ dân phố",
}
# Codes that mean a kind of document inside a document number, whatever they mean in running
# text: "Công điện số 05/CĐ-UBND" (CĐ is "cao đẳng" elsewhere), "12/PC-CAX" (phiếu chuyển).
DOCUMENT_TYPES = {
    "CĐ": "công điện",
    "PC": "phiếu chuyển",
    "SY": "sao y",
    "SL": "sao lục",
    "GUQ": "giấy ủy quyền",
    "GGT": "giấy giới thiệu",
    "GXN": "giấy xác nhận",
    "TBKL": "thông báo kết luận",
}
# "QL1A", "ĐT 549", "TL 8B": road codes, read as the kind of road and its number.
ROAD_CODES = {
    "QL": "quốc lộ",
    "ĐT": "đường tỉnh",
    "TL": "tỉnh lộ",
    "ĐH": "đường huyện",
    "HL": "hương lộ",
}
_MAGNITUDE = r"(?:triệu|tỷ|tỉ|nghìn|ngàn)"
# An amount: a number with its unit, % or magnitude word ("15%", "500.000đ", "2 triệu").
_AMOUNT = (
    rf"(?:{_NUMBER})(?:{_SP}?(?:{_UNIT_ALT})(?![\w])|{_SP}{_MAGNITUDE}(?:{_SP}(?:đồng|đ))?(?![\w]))"
)

# What follows "số 12/3" when it is a house number: a comma, a street word or a name.
_HOUSE_NUMBER_AFTER_RE = rf"[ \t]*,|[ \t]+(?:đường|phố|hẻm|ngõ|ngách|kiệt|[{_UPPER}])"

_RULES: list[tuple[str, str]] = [
    # Most of a text is plain words: take them first and cheaply, unless they could start
    # something longer (an address, a code, "tháng 4", "Quý I").
    (
        "plain",
        rf"[ \t,;]*(?P<plain_w>[{_UPPER}]?[{_LOWER}]+)"
        rf"(?![{_LOWER}{_UPPER}0-9@&/_]|[.\-:][\w/]|[ \t]+(?:[0-9]|[IVXLC]+\b))",
    ),
    # "+ Tuyên truyền", "• Niêm yết": other bullets read like "-" (not "cộng").
    ("bullet", r"^[ \t]*(?:[•●▪◦∙]|\+(?![0-9]))[ \t]*"),
    ("markup", r"\*+|(?<!\w)#+|\\(?=[.\-*_])"),
    ("email", r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    (
        "url",
        r"(?<![\w.-])(?i:(?:https?://)?(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*"
        r"\.(?:vn|com|net|org|gov|edu|info|io|me|ly|tv|app|link|site|online|asia|biz))\b"
        r"(?:/[^\s]*)?",
    ),
    # "@ubndxa" (a page or account on a social network): "a còng ...".
    ("handle", r"(?<![\w.@])@(?P<hd_name>[A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?)"),
    (
        "phone",
        r"\(0[0-9]{2,3}\)[ .-]?[0-9](?:[ .]?[0-9]){5,7}(?![0-9])|"
        r"(?<![0-9.,])(?:\+84[ .]?|0)[0-9]{2,3}(?:[ .-]?[0-9]){6,8}(?![0-9])|\b1[89]00[ .]?[0-9]{4}\b",
    ),
    # "51G-123.45", "59X1-234.56", "29A-12345": a vehicle plate (province, series, serial).
    (
        "plate",
        r"(?<![\w.,/-])(?P<pl_p>[0-9]{2})-?(?P<pl_s>[A-Z]{1,2}[0-9]?)"
        r"(?:(?: ?[-–] ?| )?(?P<pl_n>[0-9]{3}\.[0-9]{2})|[-–](?P<pl_n2>[0-9]{4,5}))(?![\w]|[.,][0-9])",
    ),
    # "1e308", "2,5E-3": a number in scientific notation.
    (
        "scientific",
        r"(?<![\w.,])(?P<sci_m>[0-9]+(?:[.,][0-9]+)?)[eE](?P<sci_e>[-+−]?[0-9]{1,4})(?![\w])",
    ),
    # "số nhà 131/1", "hẻm 45/12B", "số 12/3 đường ...": a house number, "a trên b" (any length;
    # after "số" only when a comma, a street or a name follows).
    (
        "house_number",
        rf"(?<![\w])(?:(?P<hn_kw>[Nn]hà|[Hh]ẻm|[Nn]gõ|[Nn]gách|[Kk]iệt)|(?P<hn_so>[Ss]ố)){_SP}+"
        r"(?P<hn_a>[0-9]{1,4})/(?(hn_so)(?!(?:19|20)[0-9]{2}(?![0-9])))(?P<hn_b>[0-9]{1,4})(?P<hn_l>[A-Z]?)(?![\w/]|[.,][0-9])"
        rf"(?(hn_so)(?={_HOUSE_NUMBER_AFTER_RE}))",
    ),
    (
        "document",
        rf"(?P<doc_no>[0-9]+[a-zđ]?)(?:/(?P<doc_year>[0-9]{{4}}))?"
        rf"(?:{_SP}?/{_SP}?|-|{_SP}(?={_CODE}-))"
        rf"(?P<doc_code>{_CODE}(?:[-/]{_CODE})*)(?![\w])",
    ),
    (
        "road",
        rf"(?<![\w])(?:(?P<road_kw>QL|ĐT|TL)\.?{_SP}*|(?P<road_kw2>ĐH|HL)\.?)"
        r"(?P<road_no>[0-9]{1,3})(?P<road_l>[A-Z]?)(?![\w]|[.,][0-9])",
    ),
    # "Km 12+500", "Km12+500 - Km13+200": road chainage, kilometres plus metres.
    (
        "chainage",
        rf"(?<![\w])(?:(?:Km|KM){_SP}*(?P<ch_km>[0-9]{{1,4}})|km{_SP}*(?P<ch_km2>[0-9]{{1,4}})(?={_SP}*\+))"
        rf"(?:{_SP}*\+{_SP}*(?P<ch_m>[0-9]{{1,3}}))?"
        rf"(?:{_SP}*{_DASH}{_SP}*(?:Km|KM|km){_SP}*(?P<ch_to_km>[0-9]{{1,4}})"
        rf"(?:{_SP}*\+{_SP}*(?P<ch_to_m>[0-9]{{1,3}}))?)?(?![\w]|[.,][0-9])",
    ),
    (
        "place",
        rf"(?<![\w.])(?:(?P<place_kw>Q|P|H|TT|TX|Tx|KP)\.{_SP}*(?=[0-9]|[{_UPPER}])"
        rf"|(?P<place_kw2>TDP|KP)(?={_SP}+[0-9]))",
    ),
    # "SN 1965" on a person's line: born in (sinh năm) that year.
    ("born", rf"(?<![\w])SN{_SP}*:?{_SP}*(?=(?:19|20)[0-9]{{2}}(?![0-9]))"),
    ("special", ""),  # dictionary keys with spaces or punctuation, built per dictionary
    (
        "amount_range",
        rf"(?P<ar_a>{_AMOUNT}){_SP}*{_DASH}{_SP}*(?P<ar_b>{_AMOUNT})",
    ),
    (
        "dimension",
        rf"(?P<dim_a>{_NUMBER}){_SP}*[xX×]{_SP}*(?P<dim_b>{_NUMBER})"
        rf"(?:{_SP}*[xX×]{_SP}*(?P<dim_c>{_NUMBER}))?"
        rf"(?:{_SP}?(?P<dim_unit>{_UNIT_ALT})(?![\w])|(?![\w.,/]))",
    ),
    # "45B", "2A": a number with a letter after it (house, room, road); W is a unit.
    ("lettered", r"(?<![0-9.,/])(?P<lt_n>[0-9]{1,4})(?P<lt_l>[A-VX-Z])(?![\w])"),
    ("comparison", r"(?P<cmp>[≥≤±≈~≠№]|[<>]=?)(?=[ \t]*[-−]?[0-9])"),
    # "-2°C", "−1 độ": a minus sign before a number (not a range: that has a number before).
    ("minus", r"(?:(?<=[ \t(])-|−)(?=[0-9])"),
    # "các ngày 10, 24/7", "ngày 5 và 6/9": several days of one month.
    (
        "day_list",
        rf"(?P<dl_kw>[Nn]gày|NGÀY|[Mm]ồng|[Mm]ùng|[Vv]ào|[Hh]ôm|[Ss]áng|[Cc]hiều|[Tt]ối|[Dd]ịp){_SP}+"
        rf"(?P<dl_days>[0-9]{{1,2}}(?:{_SP}*,{_SP}*[0-9]{{1,2}})*(?:{_SP}*,?{_SP}*(?:và|,){_SP}*[0-9]{{1,2}}))"
        r"/(?P<dl_m>[0-9]{1,2})(?:/(?P<dl_y>[0-9]{4}))?(?![0-9/])",
    ),
    (
        "date",
        rf"(?:(?P<date_kw>[Nn]gày|NGÀY){_SP}+)?(?P<date_d>[0-9]{{1,2}})(?P<date_sep>[/.-])"
        r"(?P<date_m>[0-9]{1,2})(?P=date_sep)(?P<date_y>[0-9]{4})(?![0-9])"
        rf"(?P<date_to>{_SP}*{_DASH}{_SP}*(?:[Nn]gày{_SP}+)?[0-9]{{1,2}}[/.-][0-9]{{1,2}}[/.-][0-9]{{4}}(?![0-9]))?",
    ),
    (
        "day_range",
        rf"(?:(?P<dr_kw>[Nn]gày|NGÀY){_SP}+)?(?P<dr_a>[0-9]{{1,2}}){_SP}*{_DASH}{_SP}*"
        r"(?P<dr_b>[0-9]{1,2})/(?P<dr_m>[0-9]{1,2})(?:/(?P<dr_y>[0-9]{4}))?(?![0-9/])",
    ),
    (
        "month_range",
        rf"(?:(?P<mr_kw>[Tt]háng|THÁNG){_SP}+)?(?P<mr_a>[0-9]{{1,2}}){_SP}*{_DASH}{_SP}*"
        rf"(?:[Tt]háng{_SP}+)?(?P<mr_b>[0-9]{{1,2}})"
        # without "tháng" before it, only "5-10/2023" (with a year) is a month range
        r"(?(mr_kw)(?:/(?P<mr_y>[0-9]{4}))?|/(?P<mr_y2>[0-9]{4}))(?![0-9/])",
    ),
    (
        "range",
        rf"(?P<range_a>(?:[Nn]gày{_SP}+)?{_ATOM}){_SP}*{_DASH}{_SP}*"
        rf"(?P<range_b>(?:[Nn]gày{_SP}+)?{_ATOM})"
        rf"(?:{_SP}?(?P<range_unit>{_UNIT_ALT})(?![\w]))?",
    ),
    (
        "time",
        rf"(?P<time_h>[0-9]{{1,2}})(?:[hg](?P<time_m>[0-9][0-9])?(?:'|p\b)?(?!{_L})"
        r"|:(?P<time_m2>[0-9][0-9])(?::(?P<time_s>[0-9][0-9]))?(?![0-9:]))",
    ),
    (
        "day_month",
        rf"(?:(?P<dm_kw>[Nn]gày|NGÀY|[Tt]háng|THÁNG){_SP}+)?(?P<dm_a>[0-9]{{1,2}})/"
        r"(?P<dm_b>[0-9]{4}|[0-9]{1,2})(?![0-9/])",
    ),
    # "100/100 điểm", "123/2026": longer numbers around a slash (not a date, not a document).
    ("ratio", r"(?<![\w/.,])(?P<ra_a>[0-9]{1,4})/(?P<ra_b>[0-9]{1,4})(?![\w/]|[.,][0-9])"),
    (
        "ordinal",
        rf"(?P<ord_kw>[Tt]hứ|THỨ){_SP}+(?P<ord_v>[0-9]{{1,3}})"
        r"(?:/(?P<ord_of>[0-9]{1,4})(?![0-9/]))?"
        rf"(?:{_SP}*{_DASH}{_SP}*(?:(?P<ord_kw2>[Tt]hứ|THỨ){_SP}+)?(?P<ord_to>[0-9]{{1,3}}))?(?![0-9]|[.,/][0-9])",
    ),
    (
        "roman",
        rf"(?P<roman_kw>{_ROMAN_CONTEXT}){_SP}+(?P<roman_v>[IVXLC]+|[0-9]{{1,2}})"
        rf"(?:{_SP}*/{_SP}*(?P<roman_y>[0-9]{{4}}))?(?![\w/]|[.,:][0-9])",
    ),
    ("heading", r"^[ \t#*]*(?P<heading_v>[IVX]+)(?=[.)](?:[ \t*]|$))"),
    ("weekday", r"\bT(?P<wd>[2-7])\b(?![/.,:-][0-9])"),
    (
        "month",
        rf"(?P<month_kw>[Tt]háng|THÁNG){_SP}+(?P<month_v>[0-9]{{1,2}})"
        r"(?:[-.](?P<month_y>[0-9]{4})(?![0-9]))?(?![0-9/]|[.,:][0-9])",
    ),
    (
        "number",
        rf"(?P<num>{_NUMBER})(?:{_SP}?(?P<num_unit>{_UNIT_ALT})(?![\w]))?",
    ),
    # "đồng/hồ sơ", "tạ/ha", "%/tháng": a slash after a unit is a rate (checked in _per).
    ("per", rf"/(?:(?P<per_n>[0-9]{{1,3}}){_SP}?(?=[{_LOWER}]))?(?P<per_w>{_L}+[23]?)(?![\w])"),
    # "CC/VC", "THCS/THPT": a slash between two abbreviations is "hoặc".
    ("either", r"(?P<either_a>[A-ZĐ][A-ZĐ&]*[A-ZĐ])/(?P<either_b>[A-ZĐ][A-ZĐ&]*[A-ZĐ])(?![\w/-])"),
    (
        "definition",
        r"[ \t]*\((?P<def_abbr>[A-ZĐ][A-Za-zĐđ&.\-]*(?: [A-ZĐ][A-ZĐ&\-]*)?(?:[0-9]+[A-Z]?)?)\)",
    ),
    ("vulgar", r"[½¼¾⅓⅔]"),
    ("ampersand", rf"(?<={_SP})&(?={_SP})"),
    ("word", rf"{_L}+(?:&{_L}+)*[0-9]*"),
]

_DATE_CONTEXT = re.compile(
    r"(?:ngày|từ|đến|tới|hôm|dịp|sáng|chiều|tối|trưa|đêm|vào|mồng|mùng|nay|trước|sau)\W*$",
    re.IGNORECASE,
)
_ADDRESS_CONTEXT = re.compile(r"(?:số nhà|nhà|hẻm|ngõ|ngách|kiệt|kiệt)\W*$", re.IGNORECASE)
_FRACTION_FOLLOWS = re.compile(
    r"[ \t]+(?:số|tổng|dân số|diện tích|thời gian|lượng|phần|trong số)\b", re.IGNORECASE
)
# A/B followed by what is counted is "A out of B" ("12/12 thôn", "5/7 xã"), not a date.
_COUNT_FOLLOWS = re.compile(
    r"[ \t]+(?:thôn|xóm|bản|làng|tổ|xã|phường|thị trấn|huyện|tỉnh|hộ|người|tiêu chí|chỉ tiêu|"
    r"đơn vị|cơ quan|trường|lớp|học sinh|đại biểu|thủ tục|hồ sơ|nội dung|nhiệm vụ|phiếu|câu|"
    r"ý kiến|điểm|bài|tin|lĩnh vực|dịch vụ|chỉ số|thành viên|cán bộ|công chức)\b",
    re.IGNORECASE,
)
# What a rate's "/" comes after: money, a unit or %, or a counted thing ("đồng/người/năm").
_RATE_BEFORE = re.compile(
    r"(?:(?<![^\W\d_])(?:đồng|đ|VNĐ|VND|USD|người|lượt|lần|hồ sơ|tấn|tạ|yến|kg|g|ha|km|m|m2|m3|lít"
    r"|giờ|buổi|tin|bài|suất|ngày|tháng|triệu|tỷ|nghìn|hộ|con|cây|bản|trang|chiếc"
    r"|ca|chuyến|khẩu|xe|bữa|liều|mũi|gói|bao|thùng|chai|hộp|cái|công|tiết|bệnh nhân)|%)$"
)
_UNIT_BEFORE = re.compile(
    r"(?<![^\W\d_])(?:"
    + "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True) if "/" not in u)
    + ")$"
)
_RATE_CHAIN = re.compile(r"[0-9][^/\n]{0,16}/[^\W\d_]+$")
_PERIODS = frozenset("giây phút giờ ngày đêm tuần tháng quý năm".split())
_COUNTED_BEFORE = re.compile(r"[0-9][ \t]?[^\W\d_]+(?:[ \t][^\W\d_]+){0,2}$")
# After a counted thing's "/", what makes it a rate: a period, a place or a group of people.
_PER_TARGETS = frozenset(
    "giây phút giờ ngày đêm tuần tháng quý năm ca vụ mùa đợt kỳ khóa lần buổi lượt người hộ"
    " xã thôn xóm ấp bản tổ lớp trường khẩu suất chuyến xe".split()
)
# A/B before people or votes ("2/3 đại biểu", "1/2 cử tri") is a share: "hai phần ba" when
# B is small; "12/15 đại biểu" is a head count, "mười hai trên mười lăm".
_PEOPLE_FOLLOWS = re.compile(
    r"[ \t]+(?:đại biểu|cử tri|phiếu|thành viên|hội viên|đảng viên|người)\b", re.IGNORECASE
)
# A day/month right after a street or square word names the street ("đường 3/2", "Quảng
# trường 26/3"): read the date without an added "ngày".
_STREET_BEFORE = re.compile(
    r"(?<![\w])(?:đường|(?<!thành )(?<!khu )phố|quảng trường|cầu|công viên)[ \t]*$", re.IGNORECASE
)
# "cổ phần", "xã hội": the same words as a Roman numeral's context, but never before one.
_NOT_ROMAN_BEFORE = {
    "phần": re.compile(r"(?<![\w])cổ[ \t]*$", re.IGNORECASE),
    "hội": re.compile(r"(?<![\w])xã[ \t]*$", re.IGNORECASE),
}
_NEVER = re.compile(r"(?!x)x")
_MAGNITUDE_BEFORE = re.compile(rf"(?<![\w]){_MAGNITUDE}[ \t]*$")
_XI_MANG = re.compile(r"[ \t]+m[aă]ng\b", re.IGNORECASE)
# "TT. Y tế": before these, TT. is a centre (trung tâm), not a township (thị trấn).
_CENTRE_AFTER = re.compile(r"[ \t]*(?:Y tế|Văn hóa|VH|Hành chính|GDNN|GDTX|Chính trị|Dịch vụ)\b")
# "TT. HĐND": before a council or committee, TT. is its standing body (thường trực).
_STANDING_AFTER = re.compile(r"[ \t]*(?:HĐND|UBND|UBMTTQ|MTTQ|HU|TU|ĐU|Huyện ủy|Tỉnh ủy|Đảng ủy)\b")
_DAY_WORD_BEFORE = re.compile(r"(?:ngày|mồng|mùng)[ \t]*$", re.IGNORECASE)
# "Tết Thiếu nhi 1-6", "dịp Quốc khánh 2-9": a day-month after a holiday's name is a date.
_HOLIDAY_BEFORE = re.compile(
    r"(?:Thiếu nhi|Quốc khánh|Lao động|Giải phóng(?: miền Nam)?|Phụ nữ|Nhà giáo|[Ll]iệt sĩ"
    r"|Thầy thuốc|Báo chí|Doanh nhân|Gia đình|Người cao tuổi|Thanh niên|Môi trường|Dân số"
    r"|Quân đội nhân dân|Biên phòng|Quốc phòng toàn dân|Thành lập Đảng|Chiến thắng"
    r"|Sinh nhật Bác|Độc lập|Việt Nam|thế giới|Pháp luật|Khuyến học|khuyết tật|[Tt]ruyền thống"
    r"|Tết|Lễ|[Kk]ỷ niệm|[Nn]hân dịp|[Dd]ịp)\W*$"
)
# "Ngày Pháp luật 9-11": the name of a day, capitalised ("Ngày làm việc từ 3-5 ngày" is not one).
_NAMED_DAY_BEFORE = re.compile(rf"Ngày[ \t]+[{_UPPER}][^\W\d_]*(?:[ \t]+[^\W\d_]+){{0,6}}[ \t]*$")
_MONTH_FOLLOWS = re.compile(r"[ \t]+(?:tháng|THÁNG)[ \t]+[0-9]")  # "ngày 2-3 tháng 4"
_DAY_MONTH_AND_BEFORE = re.compile(
    r"(?<![0-9])(?:[12][0-9]|3[01]|0?[1-9])-(?:1[0-2]|0?[1-9])[ \t]*(?:,|và)[ \t]*$"
)
# "sáng 1-6", "vào 2-9": a day-month after a word of when, unless a length follows ("vào 2-3
# ngày tới" is a range).
_WHEN_BEFORE = re.compile(r"(?:hôm|sáng|chiều|tối|trưa|đêm|vào|mồng|mùng)\W*$", re.IGNORECASE)
# What may follow such a day-month when it is a date ("vào 1-6.", "sáng 2-9 tới"), not "đầu tư
# vào 1-2 dự án".
_DATE_END_FOLLOWS = re.compile(
    r"[ \t]*(?:$|[,.;:)!?(\-–]|(?:hằng năm|hàng năm|năm nay|năm tới|tới|này|vừa qua|và|tại|ở|lúc"
    r"|sẽ|đã|diễn ra|tổ chức)\b|[" + _UPPER + "])"
)
_SPAN_FOLLOWS = re.compile(
    r"[ \t]*(?:ngày|tuần|tháng|năm|giờ|phút|lần|lượt|người|hộ|tuổi|buổi|ca|đợt|km|cm|m)\b",
    re.IGNORECASE,
)


_MONTH_DAYS = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def valid_day(day: int, month: int, year: int | None = None) -> bool:
    """Whether day/month (of `year`, if given) exists: 31/4 and 29/2/2025 do not."""
    if not (1 <= month <= 12 and 1 <= day <= _MONTH_DAYS[month]):
        return False
    if month == 2 and day == 29 and year is not None:
        return calendar.isleap(year)
    return True


def _bare(text: str) -> str:
    """Letters only, without marks or case, for comparing "Uỷ ban" with "Ủy ban"."""
    decomposed = unicodedata.normalize("NFD", text.casefold()).replace("đ", "d")
    return "".join(ch for ch in decomposed if ch.isalnum())


_WORDS = re.compile(r"[^\W\d_]+")
_SKIPPABLE = frozenset({"và", "của", "các", "với"})


def _initials_match(abbr: str, before: str) -> bool:
    """Whether the letters of `abbr` are the first letters of the words right before it
    ("Hệ thống thông tin (HTTT)" no, "Ban An toàn giao thông (BATGT)" yes); "và", "của" may be
    skipped ("Bộ Thông tin và Truyền thông (BTTTT)")."""
    letters = [_bare(ch) for ch in abbr if ch.isalpha() and ch.isupper()]
    if len(letters) < 2 or len(letters) != sum(1 for ch in abbr if ch.isalpha()):
        return False  # "(TTg)", "(ThS)": not plain initials
    words = _WORDS.findall(before)[-2 * len(letters) :]
    for candidate in (words, [w for w in words if w.lower() not in _SKIPPABLE]):
        tail = candidate[-len(letters) :]
        if len(tail) == len(letters) and [_bare(w[0]) for w in tail] == letters:
            return True
    return False


# Toneless syllables that a text in lower case may still write in capitals for emphasis or as a
# name ("anh NAM", "xã AN"); other short all-capital words on their own are spelled.
_CAPS_WORDS = frozenset(
    "A AN ANH BA BAN BAO CA CAM CHI CHO CO CON DA DAN EM GIA HA HAI HAN HOA KHI LA LAN LAO MA"
    " MAI NAM NGA NHA NAY SAU SON TAM TAN THI THU TIN TO TRA VA VAN VE VIA XA XIN".split()
)
_NEIGHBOUR_BEFORE = re.compile(r"([^\W\d_]+)[^\w\n]*$")
_NEIGHBOUR_AFTER = re.compile(r"[^\w\n]*([^\W\d_]+)")


# Party committees written as issuer codes that running text uses too ("BTV HU", "TT ĐU").
_PARTY_COMMITTEES = frozenset({"TU", "HU", "QU", "ĐU"})
# The command words of an SMS ("soạn tin DK HT gửi 8088", "cú pháp: TC <mã hồ sơ>").
_SMS_SYNTAX_BEFORE = re.compile(
    r"(?<![\w])(?i:soạn(?:[ \t]+tin(?:[ \t]+nhắn)?)?|cú pháp)[ \t:\"“]*"
    r"(?:[A-ZĐ0-9_\"“”' \t]|<[^>\n]*>)*$"
)


def _in_heading(m: re.Match[str]) -> bool:
    """Whether a word stands next to a capitalised Vietnamese word ("TU BỔ ĐÊ"): a heading."""
    string, start, end = m.string, m.start(), m.end()
    before = _NEIGHBOUR_BEFORE.search(string, max(0, start - 24), start)
    after = _NEIGHBOUR_AFTER.match(string, end, end + 24)
    for neighbour in (before, after):
        if neighbour and neighbour.group(1).isupper() and is_syllable(neighbour.group(1)):
            return True
    return False


def _isolated(string: str, start: int, end: int) -> bool:
    """Whether the word at start:end stands among words that are not all in capitals (so it is
    not a heading word like "BAN" in "BAN CHỈ ĐẠO"). A word alone (a fragment) is not."""
    before = _NEIGHBOUR_BEFORE.search(string, max(0, start - 24), start)
    after = _NEIGHBOUR_AFTER.match(string, end, end + 24)
    if before is None and after is None:
        return False
    for neighbour in (before, after):
        if neighbour and neighbour.group(1).isupper() and len(neighbour.group(1)) > 1:
            return False
    return True


def _day_prefix(keyword: str | None, before: str) -> str:
    """ "ngày " unless the text already says ngày (or mồng, mùng) right before the day, or the
    date names a street ("đường 30/4")."""
    if keyword:
        return keyword + " "
    if _DAY_WORD_BEFORE.search(before) or _STREET_BEFORE.search(before):
        return ""
    return "ngày "


# "thôn 3,4" (hamlets three and four) like "mức độ 3,4": a list, not a decimal.
_LIST_CONTEXT = re.compile(
    r"(?:mức độ|cấp độ|khoản|điều|điểm|chương|lớp|mục|thôn|ấp|tổ|xóm|khóm|bản|khu phố|phường)\W*$",
    re.IGNORECASE,
)
_ISSUER_FOLLOWS = re.compile(
    r"[ \t]*(?:,[ \t]*)?(?:ngày[ \t]+[0-9/.\-]+(?:[ \t]+tháng[ \t]+[0-9]+[ \t]+năm[ \t]+[0-9]+)?[ \t]*)?của(?:[ \t]|$)",
    re.IGNORECASE,
)
_TRAILING_PUNCT = re.compile(r"[.,;:!?)\]]+$")
# Short service numbers are dialled, so read digit by digit after a calling word.
_SERVICE_NUMBERS = frozenset(
    {"111", "112", "113", "114", "115", "116", "1022", "1080", "1088", "1039", "1055"}
)
# The word right before a short number that is dialled or texted to ("gọi 1022", "gửi 8085"
# after "soạn tin"); a known service number anywhere after a calling word in the clause.
_DIAL_BEFORE = re.compile(
    r"(?<![\w])(?:gọi(?:[ \t]+(?:ngay|điện))?(?:[ \t]+(?:đến|tới|vào))?(?:[ \t]+số)?|hotline|tổng đài"
    r"|đường dây nóng|đầu số|quay số|bấm số|số máy|nhắn tin(?:[ \t]+(?:đến|tới))?)"
    r"(?:[ \t]+số)?[ \t:]*$",
    re.IGNORECASE,
)
_TEXT_TO_BEFORE = re.compile(
    r"(?:soạn|nhắn|tin nhắn|SMS)(?:[^.;!?\n]|\.(?=[0-9])){0,32}(?<![\w])(?:gửi|đến|tới)"
    r"(?:[ \t]+(?:đến|tới))?(?:[ \t]+(?:số|tổng đài|đầu số))?[ \t:]*$",
    re.IGNORECASE,
)
_SERVICE_NEAR = re.compile(
    r"(?<![\w])(?:số|điện thoại|ĐT|SĐT|liên hệ|khẩn cấp|cấp cứu|cứu hỏa|cứu nạn|cứu hộ|báo cháy"
    r"|chữa cháy|công an|cảnh sát|nhắn tin|trẻ em)[ \t:()]*$",
    re.IGNORECASE,
)
_SERVICE_WINDOW = re.compile(
    r"(?<![\w])(?:gọi|hotline|tổng đài|đường dây nóng|khẩn cấp|cấp cứu|cứu hỏa|báo cháy)"
    r"[^.;!?\n]{0,32}$",
    re.IGNORECASE,
)
_COUNTED_AFTER = re.compile(
    r"[ \t]+(?:vụ|cuộc|trường hợp|ca|xe|căn|ngôi|con|em|cháu|chiến sĩ|lao động|thuê bao|khách hàng"
    r"|gia đình|đối tượng|tài khoản)\b",
    re.IGNORECASE,
)
_AMOUNT_FOLLOWS = re.compile(
    rf"[ \t]*(?:[.,][0-9]|{_MAGNITUDE}|đồng|đ\b|người|hộ|lượt|lần|tin nhắn|ngày|tháng|năm|%)",
    re.IGNORECASE,
)
_DAY_DASH_MONTH = re.compile(r"(?:(?P<kw>[Nn]gày|NGÀY)[ \t]+)?(?P<d>[0-9]{1,2})-(?P<m>[0-9]{1,2})")
_NUMBER_WORD_BEFORE = re.compile(r"số\W*$", re.IGNORECASE)
# Before a long number that is a code, read digit by digit ("mã số thuế", "số tài khoản").
_CODE_BEFORE = re.compile(
    r"(?:mã|mã số|mã số thuế|MST|tài khoản|TK|CCCD|CMND|định danh|mã hồ sơ|số hiệu|số seri)[ \t:]*$",
    re.IGNORECASE,
)
_SPACED_NOT_AFTER = re.compile(
    r"(?<![\w])(?:ngày|tháng|năm|lúc|thôn|tổ|xóm|ấp|bản|khu|khoản|điều|điểm|mục|chương|phần|lớp"
    r"|số|phòng|đội|thứ|quý|khóa|tuần|giờ|phút|km|QL|ĐT|TL|phường|khóm|đợt|vòng|cấp|hạng|nhóm"
    r"|tuyến|đường|hẻm|ngõ|ngách|kiệt|nhà|căn|lô|thửa|tờ|câu|bài|kỳ|lần|đoạn)[ \t]*$",
    re.IGNORECASE,
)
_RANK_BEFORE = re.compile(r"(?<![\w])(?:hạng|vị trí|vị thứ)[ \t]*$", re.IGNORECASE)


# "Ð" (U+00D0, Icelandic eth) looks like "Đ" and old TCVN3/VNI converters leave it in; the
# voice and the dictionary need the Vietnamese letter.
_LOOKALIKES = str.maketrans({"Ð": "Đ", "ð": "đ"})


def _fix_lookalikes(line: str) -> str:
    if line.isascii() or ("Ð" not in line and "ð" not in line):
        return line
    return line.translate(_LOOKALIKES)


def _kept(source: str, spoken: str) -> Span:
    return Span(source, spoken, "text" if source == spoken else "lookalike")


class Normalizer:
    """Written Vietnamese to spoken Vietnamese with one dictionary; reusable and thread-safe."""

    def __init__(self, dictionary: Dictionary) -> None:
        self.dictionary = dictionary
        special = sorted(
            (key for key in dictionary.entries if not key.replace("&", "").isalnum()),
            key=len,
            reverse=True,
        )
        alts = []
        for key in special:
            escaped = re.escape(key)
            if key == key.lower():
                escaped = f"(?i:{escaped})"
            # "TM.ỦY BAN": a key ending in a dot may run straight into the next word.
            alts.append(escaped if key.endswith(".") else escaped + r"(?![\w&])")
        special_re = rf"(?<![\w&])(?:{'|'.join(alts)})" if alts else r"(?!x)x"
        parts = []
        if dictionary.overrides:
            # A station's own entries come before every rule: "QL" of the station wins over the
            # road rule, "camnhuong" over the web-address reading (digits may follow a key:
            # "QL1A"; a key inside an address or e-mail is left to the address rule).
            keys = sorted(dictionary.overrides, key=len, reverse=True)
            alt = "|".join(
                f"(?i:{re.escape(key)})" if key == key.lower() else re.escape(key) for key in keys
            )
            parts.append(rf"(?P<override>(?<![\w&.@/])(?:{alt})(?![^\W\d_]|&|[.@][a-z0-9]))")
        for name, pattern in _RULES:
            parts.append(f"(?P<{name}>{special_re if name == 'special' else pattern})")
        self.pattern = re.compile("|".join(parts), re.MULTILINE)
        self.handlers: dict[str, Callable[[re.Match[str]], tuple[str, str]]] = {
            name: getattr(self, f"_{name}") for name, _ in _RULES
        }
        self.handlers["override"] = self._override

    # -- driving --------------------------------------------------------------------------------

    def spans(self, line: str) -> list[Span]:
        """The spans of one line (no newline inside), in order. A span whose text was changed
        without a rule of its own (a look-alike letter) is marked "lookalike"."""
        source = line
        line = _fix_lookalikes(line)  # one character for one: positions stay the same
        out: list[Span] = []
        pos = 0
        for match in self.pattern.finditer(line):
            start = match.start()
            if start > pos:
                out.append(_kept(source[pos:start], line[pos:start]))
            rule = match.lastgroup or "text"
            spoken, rule = self.handlers[rule](match)
            if rule == "text" and spoken != source[start : match.end()]:
                rule = "lookalike"  # the rule kept its text; only Ð became Đ
            out.append(Span(source[start : match.end()], spoken, rule))
            pos = match.end()
        if pos < len(line):
            out.append(_kept(source[pos:], line[pos:]))
        merged: list[Span] = []
        for span in out:
            if merged and span.rule == merged[-1].rule == "text":
                last = merged.pop()
                span = Span(last.source + span.source, last.spoken + span.spoken, "text")
            merged.append(span)
        return merged

    def line(self, line: str) -> str:
        line = _fix_lookalikes(line)
        parts: list[str] = []
        pos = 0
        handlers = self.handlers
        for match in self.pattern.finditer(line):
            start = match.start()
            if start > pos:
                parts.append(line[pos:start])
            parts.append(handlers[match.lastgroup or "text"](match)[0])
            pos = match.end()
        parts.append(line[pos:])
        out = _SPACES.sub(" ", "".join(parts)).strip()
        # a stray combining mark after a digit now sits on a letter: compose it
        return out if out.isascii() else unicodedata.normalize("NFC", out)

    def text(self, text: str) -> str:
        return self.line(text)

    # -- helpers --------------------------------------------------------------------------------

    def _speak_number(self, text: str, before: str = "", measured: bool = False) -> tuple[str, str]:
        """A number as written: thousands dots, decimal comma, lists, leading zeros.
        `measured`: a unit or % follows, so "2.5" is a decimal written the English way."""
        if " " in text:  # "12 500" (but "thôn 3 120 hộ" is hamlet three, 120 households)
            if _SPACED_NOT_AFTER.search(before):
                return " ".join(self._speak_number(p)[0] for p in text.split(" ")), "number"
            text = text.replace(" ", "")
        if "," in text and "." not in text:
            pieces = text.split(",")
            if len(pieces) > 2 or _LIST_CONTEXT.search(before[-16:]):
                return ", ".join(self._speak_int(p) for p in pieces), "list"
            return read_decimal(pieces[0], pieces[1]), "decimal"
        if "." in text:
            whole, _, fraction = text.partition(",")
            groups = whole.split(".")
            if all(len(g) == 3 for g in groups[1:]) and len(groups[0]) <= 3:
                value = int("".join(groups))
                if fraction:
                    return read_decimal(str(value), fraction), "decimal"
                return read_int(value), "number"
            if measured and len(groups) == 2:
                return read_decimal(groups[0], groups[1]), "decimal"
            return " chấm ".join(self._speak_int(g) for g in groups), "number"
        return self._speak_int(text), "number"

    @staticmethod
    def _speak_int(digits: str) -> str:
        if digits.startswith("0") and len(digits) >= 3:
            return read_digits(digits)
        if len(digits) > 15:
            return read_digits(digits)
        return read_int(int(digits))

    def _unit(self, unit: str) -> str:
        """A unit's spoken form; a station's own entry for it wins ("MHz" read its way)."""
        if unit in self.dictionary.overrides:
            entry = self.dictionary.get(unit)
            if entry is not None:
                return entry.spoken
        return UNITS[unit]

    def _sub(self, text: str) -> str:
        return self.line(text)

    # -- handlers (each returns spoken text and the rule name shown by explain) -----------------

    def _override(self, m: re.Match[str]) -> tuple[str, str]:
        entry = self.dictionary.get(m.group())
        spoken = entry.spoken if entry else m.group()
        if m.end() < len(m.string) and m.string[m.end()].isalnum():
            spoken += " "
        return spoken, "station"

    @staticmethod
    def _dong_after_magnitude(m: re.Match[str], start: int) -> bool:
        """ "2 triệu đ", "500 nghìn đ/người": the short đ after a magnitude word is "đồng".
        Checked by the word handlers when the word is "đ", so other words pay nothing."""
        return bool(_MAGNITUDE_BEFORE.search(m.string, max(0, start - 8), start))

    def _bullet(self, m: re.Match[str]) -> tuple[str, str]:
        return "- ", "bullet"

    def _house_number(self, m: re.Match[str]) -> tuple[str, str]:
        keyword = m.group("hn_kw") or m.group("hn_so")
        words = [
            keyword,
            self._speak_int(m.group("hn_a")),
            "trên",
            self._speak_int(m.group("hn_b")),
        ]
        if m.group("hn_l"):
            words.append(spell(m.group("hn_l")))
        return " ".join(words), "address"

    def _road(self, m: re.Match[str]) -> tuple[str, str]:
        kind = m.group("road_kw") or m.group("road_kw2")
        if kind == "ĐT" and m.group("road_no") in _SERVICE_NUMBERS:
            return f"điện thoại {read_digits(m.group('road_no'))}", "phone"  # "ĐT 113"
        words = [ROAD_CODES[kind], read_int(int(m.group("road_no")))]
        before = _bare(m.string[max(0, m.start() - 16) : m.start()])
        if before.endswith(_bare(ROAD_CODES[kind])):
            words.pop(0)  # "đường tỉnh ĐT.549": the kind of road is said once
        elif before.endswith("duong") and ROAD_CODES[kind].startswith("đường "):
            words[0] = ROAD_CODES[kind][len("đường ") :]  # "Đường ĐT.547": "Đường tỉnh 547"
        if m.group("road_l"):
            words.append(spell(m.group("road_l")))
        return " ".join(words), "road"

    def _chainage(self, m: re.Match[str]) -> tuple[str, str]:
        """ "Km 12+500": kilometre twelve plus five hundred metres."""

        def point(km: str, metres: str | None) -> str:
            spoken = f"{UNITS['km']} {read_int(int(km))}"
            return spoken + (f" cộng {read_int(int(metres))}" if metres else "")

        spoken = point(m.group("ch_km") or m.group("ch_km2"), m.group("ch_m"))
        if m.group("ch_to_km"):
            spoken += " đến " + point(m.group("ch_to_km"), m.group("ch_to_m"))
        return spoken, "chainage"

    def _plate(self, m: re.Match[str]) -> tuple[str, str]:
        """ "51G-123.45": the province as a number, the series by letter, the serial by digit."""
        serial = m.group("pl_n") or m.group("pl_n2")
        return (
            f"{read_int(int(m.group('pl_p')))} {spell(m.group('pl_s'))} {read_digits(serial)}",
            "plate",
        )

    def _scientific(self, m: re.Match[str]) -> tuple[str, str]:
        mantissa = self._speak_number(m.group("sci_m"), measured=True)[0]
        exponent = m.group("sci_e").lstrip("+")
        sign = ""
        if exponent[0] in "-−":
            sign, exponent = "âm ", exponent[1:]
        return f"{mantissa} nhân mười mũ {sign}{read_int(int(exponent))}", "scientific"

    def _handle(self, m: re.Match[str]) -> tuple[str, str]:
        return f"a còng {self._address(m.group('hd_name'))}", "handle"

    def _place(self, m: re.Match[str]) -> tuple[str, str]:
        keyword = m.group("place_kw") or m.group("place_kw2")
        if keyword == "TT" and _CENTRE_AFTER.match(m.string, m.end()):
            return "Trung tâm ", "place"
        if keyword == "TT" and _STANDING_AFTER.match(m.string, m.end()):
            return "Thường trực ", "abbreviation"
        return PLACE_PREFIXES[keyword] + " ", "place"

    def _born(self, m: re.Match[str]) -> tuple[str, str]:
        return "sinh năm ", "abbreviation"

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

    def _either(self, m: re.Match[str]) -> tuple[str, str]:
        a, b = self.dictionary.get(m.group("either_a")), self.dictionary.get(m.group("either_b"))
        if a is None or b is None or "code" in (a.kind, b.kind):
            spoken = f"{self._sub(m.group('either_a'))}/{self._sub(m.group('either_b'))}"
            return spoken, "text" if spoken == m.group() else "spelled"
        return f"{a.spoken} hoặc {b.spoken}", "abbreviation"

    def _plain(self, m: re.Match[str]) -> tuple[str, str]:
        word = m.group("plain_w")
        if word == "đ" and self._dong_after_magnitude(m, m.start("plain_w")):
            return m.group()[: m.start("plain_w") - m.start()] + "đồng", "unit"
        if word[0].isupper():
            entry = self.dictionary.get(word)
            if entry is not None and entry.kind != "code":
                return m.group()[: m.start("plain_w") - m.start()] + entry.spoken, "abbreviation"
        return m.group(), "text"

    def _markup(self, m: re.Match[str]) -> tuple[str, str]:
        return "", "markup"

    def _email(self, m: re.Match[str]) -> tuple[str, str]:
        local, _, domain = m.group().partition("@")
        return f"{self._address(local)} a còng {self._address(domain)}", "email"

    def _url(self, m: re.Match[str]) -> tuple[str, str]:
        text = m.group()
        tail = _TRAILING_PUNCT.search(text)
        trailing = tail.group() if tail else ""
        text = text[: len(text) - len(trailing)]
        text = re.sub(r"^https?://", "", text).rstrip("/")
        return self._address(text) + trailing, "url"

    _ADDRESS_WORDS: ClassVar[dict[str, str]] = {
        "vn": "vê en",
        "gov": "gốp",
        "com": "com",
        "net": "nét",
        "org": "o rờ gờ",
        "edu": "e đu",
        "www": "vê kép vê kép vê kép",
        "info": "in phô",
        "io": "i o",
        "me": "mi",
        "ly": "li",
        "tv": "ti vi",
        "app": "áp",
        "bit": "bít",
        "asia": "ê si a",
        "online": "o lai",
        # social networks a commune page is on
        "zalo": "da lô",
        "facebook": "phây búc",
        "fb": "ép bê",
        "youtube": "du túp",
        "tiktok": "tích tốc",
    }

    # Well-known toneless words of public-service addresses, read as the words they are
    # ("dichvucong" is the national portal, "dịch vụ công"); anything else is read as written.
    # A station adds its own (its commune's domain) in its dictionary with a lowercase key.
    DOMAIN_WORDS: ClassVar[dict[str, str]] = {
        "dichvucong": "dịch vụ công",
        "caicachhanhchinh": "cải cách hành chính",
        "chinhphu": "chính phủ",
        "baochinhphu": "báo chính phủ",
        "vanban": "văn bản",
        "congbao": "công báo",
        "baohiemxahoi": "bảo hiểm xã hội",
        "thuvienphapluat": "thư viện pháp luật",
        "quochoi": "quốc hội",
        "dangcongsan": "đảng cộng sản",
        "nhandan": "nhân dân",
        "toaan": "tòa án",
        "congan": "công an",
        "tiepcongdan": "tiếp công dân",
        "hoidap": "hỏi đáp",
        "thongtin": "thông tin",
    }

    def _address(self, text: str) -> str:
        out: list[str] = []
        for piece in re.split(r"([./\-_@])", text):
            if not piece:
                continue
            lower = piece.lower()
            if piece in "./-_@":
                out.append(
                    {
                        ".": "chấm",
                        "/": "gạch chéo",
                        "-": "gạch ngang",
                        "_": "gạch dưới",
                        "@": "a còng",
                    }[piece]
                )
            elif lower in self.dictionary.overrides:
                out.append(self.dictionary.entries[lower].spoken)
            elif lower in self.DOMAIN_WORDS:
                out.append(self.DOMAIN_WORDS[lower])
            elif lower in self._ADDRESS_WORDS:
                out.append(self._ADDRESS_WORDS[lower])
            elif piece.isascii() and piece.isdigit():
                out.append(read_digits(piece) if len(piece) > 4 else read_int(int(piece)))
            else:
                out.append(piece)
        return " ".join(out)

    def _phone(self, m: re.Match[str]) -> tuple[str, str]:
        text = m.group()
        words = []
        text = text.replace("(", "").replace(")", "")
        if text.startswith("+84"):
            words.append("cộng tám tư")
            text = text[3:]
        words.append(read_digits(text))
        return " ".join(words), "phone"

    def _document(self, m: re.Match[str]) -> tuple[str, str]:
        number = m.group("doc_no")
        digits = number.rstrip("abcdefghijklmnopqrstuvwxyzđ")
        words = [self._speak_int(digits)]
        if len(digits) < len(number):
            words.append(spell(number[len(digits) :]))
        if m.group("doc_year"):
            words += ["năm", read_int(int(m.group("doc_year")))]
        issuers: list[str] = []
        joint = False  # "TTLT-BTC-BNV": a joint document names all its issuers
        for part in re.split(r"[-/]", m.group("doc_code")):
            letters = part.rstrip("0123456789")
            entry = self.dictionary.get(part) or self.dictionary.get(letters)
            if part in DOCUMENT_TYPES and part not in self.dictionary.overrides:
                entry = Entry(part, DOCUMENT_TYPES[part], "type")  # "05/CĐ-UBND": công điện
            if entry is None:
                continue
            if entry.kind == "type":
                joint = joint or part.endswith("LT")
                continue
            if issuers and not joint:
                break  # what follows the issuer is its drafting unit ("UBND-VP")
            spoken = entry.spoken
            if letters == "QH" and len(letters) < len(part):
                spoken += " khóa " + read_int(int(part[len(letters) :]))
            elif len(letters) < len(part) and entry.key == letters:  # "BCĐ389"
                spoken += " " + read_int(int(part[len(letters) :]))
            if spoken not in issuers:
                issuers.append(spoken)
        # "Nghị quyết số 76/NQ-CP ngày 15/7/2021 của Chính phủ" names the issuer itself.
        if issuers and not _ISSUER_FOLLOWS.match(m.string, m.end()):
            words += ["của", " và ".join(issuers)]
        return " ".join(words), "document"

    def _special(self, m: re.Match[str]) -> tuple[str, str]:
        entry = self.dictionary.get(m.group())
        spoken = entry.spoken if entry else m.group()
        if m.end() < len(m.string) and m.string[m.end()].isalnum():
            spoken += " "
        return spoken, "abbreviation"

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
        prefix = _day_prefix(m.group("date_kw"), before)
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
        date = _DAY_DASH_MONTH.fullmatch(m.group())
        if date and not m.group("range_unit"):
            # "ngày 20-11", "Ngày Nhà giáo 20-11": press-style day-month, not a range; a range
            # goes up ("3-5 ngày"), so a falling pair is a date too.
            day, month = int(date.group("d")), int(date.group("m"))
            before = m.string[max(0, m.start() - 40) : m.start()]
            if (
                valid_day(day, month)
                and not _MONTH_FOLLOWS.match(m.string, m.end())
                and (
                    date.group("kw")
                    or day > month
                    or _HOLIDAY_BEFORE.search(before)  # "Tết Thiếu nhi 1-6", "Quốc khánh 2-9"
                    or (
                        # "sáng 1-6", "kỷ niệm 30-4 và 1-5", but "vào 2-3 ngày tới"
                        (
                            _WHEN_BEFORE.search(before)
                            or _DAY_MONTH_AND_BEFORE.search(before)
                            or _NAMED_DAY_BEFORE.search(before)
                        )
                        and _DATE_END_FOLLOWS.match(m.string, m.end())
                    )
                )
            ):
                prefix = _day_prefix(date.group("kw"), before)
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
            if not lower and _NUMBER_WORD_BEFORE.search(before):
                return f"{self._speak_int(a_text)} năm {read_int(b)}", "document"
            if 1 <= a <= 12 and lower in ("", "tháng"):
                return f"{keyword or 'tháng'} {read_month(a)} năm {read_int(b)}", "date"
            if lower == "tháng":  # "tháng 13/2026": no such month
                return f"{keyword} {read_int(a)} trên {read_int(b)}", "invalid"
        elif 1 <= a <= 31 and 1 <= b <= 12 and lower != "tháng":
            if not lower and _RANK_BEFORE.search(before):  # "xếp hạng 3/12": third of twelve
                return f"{self._speak_int(a_text)} trên {self._speak_int(b_text)}", "rank"
            if not valid_day(a, b):  # "31/4", "30/2": no such day, read as written
                prefix = f"{keyword} " if keyword else ""
                return f"{prefix}{read_int(a)} trên {read_int(b)}", "invalid"
            if not lower and _STREET_BEFORE.search(before):
                return f"{read_int(a)} tháng {read_month(b)}", "date"  # "đường 30/4"
            if not lower and a < b <= 10 and _PEOPLE_FOLLOWS.match(m.string, m.end()):
                return f"{read_int(a)} phần {read_int(b)}", "fraction"  # "2/3 đại biểu"
            if (a, b) == (24, 7) and not lower and not _DATE_CONTEXT.search(before):
                return "hai mươi tư trên bảy", "fraction"  # "phục vụ 24/7": around the clock
            if not lower and (
                _ADDRESS_CONTEXT.search(before) or _COUNT_FOLLOWS.match(m.string, m.end())
            ):
                pass  # "số nhà 12/3" (a house number), "12/12 thôn" (a count): "trên"
            elif lower or _DATE_CONTEXT.search(before) or not self._is_fraction(m, a, b):
                return f"{_day_prefix(keyword, before)}{read_int(a)} tháng {read_month(b)}", "date"
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
        return b <= 4 or bool(_FRACTION_FOLLOWS.match(m.string, m.end()))

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
            or _NOT_ROMAN_BEFORE.get(keyword.lower(), _NEVER).search(before)  # "CỔ PHẦN XI"
            or (value == "XI" and _XI_MANG.match(m.string, m.end()))
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
        spoken = f"{_day_prefix(m.group('dr_kw'), before)}{read_int(a)} đến {read_int(b)}"
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

    def _number(self, m: re.Match[str]) -> tuple[str, str]:
        before = m.string[max(0, m.start() - 16) : m.start()]
        unit = m.group("num_unit")
        digits = m.group("num")
        if not unit and digits.isdigit():
            if 3 <= len(digits) <= 6 and self._dialled(m):
                return read_digits(digits), "phone"
            if len(digits) >= 9 or (len(digits) >= 5 and _CODE_BEFORE.search(before)):
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
            _AMOUNT_FOLLOWS.match(string, end)
            or _COUNT_FOLLOWS.match(string, end)
            or _COUNTED_AFTER.match(string, end)
        ):
            return False
        before = string[max(0, start - 48) : start]
        if _DIAL_BEFORE.search(before):
            return True
        if len(m.group("num")) >= 4 and _TEXT_TO_BEFORE.search(before):
            return True
        return (
            m.group("num") in _SERVICE_NUMBERS
            and (_SERVICE_NEAR.search(before) or _SERVICE_WINDOW.search(before)) is not None
        )

    def _per(self, m: re.Match[str]) -> tuple[str, str]:
        # "50.000 đồng/người": a rate is read "một" ("năm mươi nghìn đồng một người")
        before = m.string[max(0, m.start() - 28) : m.start()]
        word = m.group("per_w")
        if m.group("per_n"):  # "200 mm/24h": in twenty-four hours
            if _UNIT_BEFORE.search(before, max(0, len(before) - 8)) or _RATE_BEFORE.search(
                before, max(0, len(before) - 12)
            ):
                unit = PER_UNITS.get(word) or (self._unit(word) if word in UNITS else word)
                count = int(m.group("per_n"))
                if count == 1:  # "đồng/1 tin": a plain rate
                    return f" một {unit}", "rate"
                link = "trong" if unit.split()[0] in _PERIODS else "trên"
                return f" {link} {read_int(count)} {unit}", "rate"
            return m.group(), "text"
        if (
            _RATE_BEFORE.search(before, max(0, len(before) - 12))
            or _UNIT_BEFORE.search(before, max(0, len(before) - 8))  # "m³/ngày", "mg/l"
            or (word in _PER_TARGETS and _RATE_CHAIN.search(before))  # "kg gạo/khẩu/tháng"
            or (  # "3 ca/tuần", "2 chuyến/ngày": what is counted, then a period or unit
                (word in _PER_TARGETS or word in UNITS or word in PER_UNITS)
                and _COUNTED_BEFORE.search(before)
            )
        ):
            return (
                f" một {self._unit(word) if word in UNITS else PER_UNITS.get(word, word)}",
                "rate",
            )
        return m.group(), "text"

    def _definition(self, m: re.Match[str]) -> tuple[str, str]:
        # "cải cách hành chính (CCHC)": the announcer does not read the abbreviation's
        # definition twice; any other bracketed abbreviation is read normally.
        abbr = m.group("def_abbr")
        entry = self.dictionary.get(abbr)
        if entry is not None and entry.kind != "code":
            spoken = _bare(entry.spoken)
            before = _bare(m.string[max(0, m.start() - len(entry.spoken) - 8) : m.start()])
            if before.endswith(spoken):
                return "", "definition"
        if _initials_match(abbr, m.string[max(0, m.start() - 160) : m.start()]):
            return "", "definition"  # "Ban An toàn giao thông (BATGT)": its own initials
        spoken = self._sub(abbr)
        if any(ch.isdigit() for ch in abbr):  # "Đường tỉnh 549 (ĐT.549)": the same road again
            before = self._sub(m.string[max(0, m.start() - 40) : m.start()])
            if _bare(spoken) and _bare(before).endswith(_bare(spoken)):
                return "", "definition"
        lead = m.group()[: m.group().index("(")]
        return f"{lead}({spoken})", "abbreviation"

    _VULGAR: ClassVar[dict[str, str]] = {
        "½": "một phần hai",
        "¼": "một phần tư",
        "¾": "ba phần tư",
        "⅓": "một phần ba",
        "⅔": "hai phần ba",
    }

    def _vulgar(self, m: re.Match[str]) -> tuple[str, str]:
        """ "½", "¾": a fraction written as one character; after a number, "và" joins them."""
        before = m.string[max(0, m.start() - 1) : m.start()]
        return (" và " if before.isdigit() else "") + self._VULGAR[m.group()], "fraction"

    def _ampersand(self, m: re.Match[str]) -> tuple[str, str]:
        return "và", "abbreviation"

    def _word(self, m: re.Match[str]) -> tuple[str, str]:
        word = m.group()
        if word == "đ" and self._dong_after_magnitude(m, m.start()):
            return "đồng", "unit"
        if word.isupper() and _SMS_SYNTAX_BEFORE.search(
            m.string, max(0, m.start() - 40), m.start()
        ):
            return spell(word), "spelled"  # "soạn TC gửi 8088": the letters to type
        entry = self.dictionary.get(word)
        if entry is not None and entry.kind != "code":
            return entry.spoken, "abbreviation"
        if entry is not None and word in _PARTY_COMMITTEES and not _in_heading(m):
            return entry.spoken, "abbreviation"  # "Ban Thường vụ HU": the district committee
        if word.islower() or (word.istitle() and word[-1] not in "0123456789"):
            return word, "text"
        letters = word.rstrip("0123456789")
        if len(letters) < len(word):
            coded = letters not in self.dictionary and (
                len(letters) == 1 or (len(letters) <= 3 and letters.isascii() and letters.isupper())
            )
            head = spell(letters) if coded else self._word_text(letters)[0]  # "F0", "CO2"
            return f"{head} {read_int(int(word[len(letters) :]))}", "abbreviation"
        if (
            len(word) <= 3
            and word.isascii()
            and word.isupper()
            and word not in _CAPS_WORDS
            and roman_to_int(word) is None  # "lớp VI" stays a Roman numeral
            and _isolated(m.string, m.start(), m.end())
        ):
            return spell(word), "spelled"  # "trạm BOT", "mã QR", "(CAP)": letters, not a word
        return self._word_text(word)

    def _word_text(self, word: str) -> tuple[str, str]:
        entry = self.dictionary.get(word)
        if entry is not None and entry.kind != "code":
            return entry.spoken, "abbreviation"
        if "&" in word:
            return " và ".join(self._word_text(part)[0] for part in word.split("&")), "abbreviation"
        uppers = sum(1 for ch in word if ch.isupper())
        lowers = sum(1 for ch in word if ch.islower())
        # "VUTT", "TrMN" are letters to spell; "VnExpress" is a name and "HOẠCH" a word.
        if uppers >= 2 and uppers >= lowers and not (word.isupper() and is_syllable(word)):
            return spell(word), "spelled"
        return word, "text"


def normalizer(dictionary: Dictionary | None = None) -> Normalizer:
    """The (cached) Normalizer for `dictionary` (the built-in one when None)."""
    dictionary = dictionary if dictionary is not None else builtin_dictionary()
    cached = dictionary.cache.get("normalizer")
    if cached is None:
        cached = Normalizer(dictionary)
        dictionary.cache["normalizer"] = cached
    return cached
