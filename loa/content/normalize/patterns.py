"""The rule table: one named regular expression per rule, in order of precedence.

Every rule is a named group in a single alternation (built by `engine.Normalizer`); at each
position the first rule that matches wins, so the order of `RULES` is the precedence (URLs and
phone numbers before document numbers, dates before ranges, ranges before times, times before
plain numbers, numbers before words). Each rule has a handler of the same name (`handlers`)."""

from __future__ import annotations

import re

from loa.content.normalize.tables import UNITS

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
UPPER = "".join(chr(c) for c in range(0x41, 0x2000) if chr(c).isalpha() and chr(c).isupper())


MAGNITUDE = r"(?:triệu|tỷ|tỉ|nghìn|ngàn)"
# An amount: a number with its unit, % or magnitude word ("15%", "500.000đ", "2 triệu").
_AMOUNT = (
    rf"(?:{_NUMBER})(?:{_SP}?(?:{_UNIT_ALT})(?![\w])|{_SP}{MAGNITUDE}(?:{_SP}(?:đồng|đ))?(?![\w]))"
)

# What follows "số 12/3" when it is a house number: a comma, a street word or a name.
_HOUSE_NUMBER_AFTER_RE = rf"[ \t]*,|[ \t]+(?:đường|phố|hẻm|ngõ|ngách|kiệt|[{UPPER}])"

RULES: list[tuple[str, str]] = [
    # Most of a text is plain words: take them first and cheaply, unless they could start
    # something longer (an address, a code, "tháng 4", "Quý I").
    (
        "plain",
        rf"[ \t,;]*(?P<plain_w>[{UPPER}]?[{_LOWER}]+)"
        rf"(?![{_LOWER}{UPPER}0-9@&/_]|[.\-:][\w/]|[ \t]+(?:[0-9]|[IVXLC]+\b))",
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
        rf"(?<![\w.])(?:(?P<place_kw>Q|P|H|TT|TX|Tx|KP)\.{_SP}*(?=[0-9]|[{UPPER}])"
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
