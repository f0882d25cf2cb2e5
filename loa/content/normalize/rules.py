"""The rule engine: one compiled pattern, one left-to-right pass, one handler per rule.

Every rule is a named group in a single alternation; at each position the first rule that matches
wins, so the order of `_RULES` is the precedence (URLs and phone numbers before document numbers,
dates before ranges, ranges before times, times before plain numbers, numbers before words).
Text between matches is copied unchanged. A line never influences another line.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import ClassVar

from loa.content.normalize.dictionary import Dictionary, builtin_dictionary
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
}
_UNIT_ALT = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))

# --- Patterns ----------------------------------------------------------------------------------

_L = r"[^\W\d_]"  # a letter
_SP = r"[ \t]"
_DASH = r"[-–—]"
_NUMBER = r"[0-9]{1,3}(?:\.[0-9]{3})+(?:,[0-9]+)?|[0-9]+(?:,[0-9]+)+|[0-9]+(?:\.[0-9]+)+|[0-9]+"
_ATOM = (
    rf"(?:[0-9]{{1,2}}[hg](?:[0-5][0-9])?(?!{_L})"
    r"|[0-9]{1,2}:[0-5][0-9]"
    r"|[0-9]{1,2}/[0-9]{1,2}(?:/[0-9]{4})?"
    r"|[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{4}"
    r"|[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]+(?:,[0-9]+)?)"
    r"(?![/.,:]?[0-9])"
)
_CODE = r"[A-ZĐ][A-Za-zĐđ&]*[0-9]*"
# The word right before a Roman numeral that makes it one ("Quý I", "Đại hội XIII", "lần thứ IV").
_ROMAN_CONTEXT = (
    r"[Qq]uý|QUÝ|[Cc]hương|CHƯƠNG|[Pp]hần|PHẦN|[Kk]hóa|[Kk]hoá|KHÓA|KHOÁ|[Hh]ội|HỘI"
    r"|[Tt]hứ|THỨ|[Kk]ỷ|[Kk]ỉ|KỶ|[Mm]ục|MỤC|[Đđ]iều|ĐIỀU|[Ll]ục|LỤC"
)
# Letters by case, as explicit classes: `re` has no Unicode case categories.
_LOWER = "".join(chr(c) for c in range(0x61, 0x2000) if chr(c).isalpha() and chr(c).islower())
_UPPER = "".join(chr(c) for c in range(0x41, 0x2000) if chr(c).isalpha() and chr(c).isupper())

_RULES: list[tuple[str, str]] = [
    # Most of a text is plain words: take them first and cheaply, unless they could start
    # something longer (an address, a code, "tháng 4", "Quý I").
    (
        "plain",
        rf"[ \t,;]*(?P<plain_w>[{_UPPER}]?[{_LOWER}]+)"
        rf"(?![{_LOWER}{_UPPER}0-9@&/_]|[.\-:][\w/]|[ \t]+(?:[0-9]|[IVXLC]+\b))",
    ),
    ("markup", r"\*+|(?<!\w)#+|\\(?=[.\-*_])"),
    ("email", r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    (
        "url",
        r"(?:https?://)?(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*"
        r"\.(?:vn|com|net|org|gov|edu|info|io)\b(?:/[^\s]*)?",
    ),
    (
        "phone",
        r"\(0[0-9]{2,3}\)[ .]?[0-9]{3,4}[ .]?[0-9]{3,4}(?![0-9])|"
        r"(?<![0-9.,])(?:\+84[ .]?|0)[0-9]{2,3}(?:[ .-]?[0-9]){6,8}(?![0-9])|\b1[89]00[ .]?[0-9]{4}\b",
    ),
    (
        "document",
        rf"(?P<doc_no>[0-9]+[a-zđ]?)(?:/(?P<doc_year>[0-9]{{4}}))?"
        rf"(?:{_SP}?/{_SP}?|-|{_SP}(?={_CODE}-))"
        rf"(?P<doc_code>{_CODE}(?:[-/]{_CODE})*)(?![\w])",
    ),
    ("special", ""),  # dictionary keys with spaces or punctuation, built per dictionary
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
        rf"(?P<time_h>[0-9]{{1,2}})(?:[hg](?P<time_m>[0-5][0-9])?(?:'|p\b)?(?!{_L})"
        r"|:(?P<time_m2>[0-5][0-9])(?::(?P<time_s>[0-5][0-9]))?(?![0-9:]))",
    ),
    (
        "day_month",
        rf"(?:(?P<dm_kw>[Nn]gày|NGÀY|[Tt]háng|THÁNG){_SP}+)?(?P<dm_a>[0-9]{{1,2}})/"
        r"(?P<dm_b>[0-9]{4}|[0-9]{1,2})(?![0-9/])",
    ),
    (
        "ordinal",
        rf"(?P<ord_kw>[Tt]hứ|THỨ){_SP}+(?P<ord_v>[0-9]{{1,3}})"
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
    (
        "per",
        r"/(?P<per_w>người|hộ|tháng|năm|ngày|tuần|giờ|lượt|lần|suất|khẩu|ha|sào|tấn|kg|m2|km)\b",
    ),
    ("definition", r"[ \t]*\((?P<def_abbr>[A-ZĐ][A-Za-zĐđ&.\-]*[0-9]*)\)"),
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
_RATE_BEFORE = re.compile(
    r"(?:đồng|đ|VNĐ|VND|USD|người|lượt|lần|hồ sơ|tấn|kg|ha|km|m2|giờ|buổi|tin|bài|suất)$"
)
_DAY_WORD_BEFORE = re.compile(r"(?:ngày|mồng|mùng)[ \t]*$", re.IGNORECASE)


def _bare(text: str) -> str:
    """Letters only, without marks or case, for comparing "Uỷ ban" with "Ủy ban"."""
    decomposed = unicodedata.normalize("NFD", text.casefold()).replace("đ", "d")
    return "".join(ch for ch in decomposed if ch.isalnum())


def _day_prefix(keyword: str | None, before: str) -> str:
    """ "ngày " unless the text already says ngày (or mồng, mùng) right before the day."""
    if keyword:
        return keyword + " "
    return "" if _DAY_WORD_BEFORE.search(before) else "ngày "


_LIST_CONTEXT = re.compile(r"(?:mức độ|cấp độ|khoản|điều|điểm|chương|lớp|mục)\W*$", re.IGNORECASE)
_ISSUER_FOLLOWS = re.compile(
    r"[ \t]*(?:,[ \t]*)?(?:ngày[ \t]+[0-9/.\-]+(?:[ \t]+tháng[ \t]+[0-9]+[ \t]+năm[ \t]+[0-9]+)?[ \t]*)?của(?:[ \t]|$)",
    re.IGNORECASE,
)
_TRAILING_PUNCT = re.compile(r"[.,;:!?)\]]+$")
# Short service numbers are dialled, so read digit by digit after a calling word.
_SERVICE_NUMBERS = frozenset({"111", "112", "113", "114", "115", "116", "1022", "1080"})
_DIAL_CONTEXT = re.compile(
    r"(?:gọi|số|hotline|tổng đài|đường dây nóng|đầu số|quay số|nhắn tin|liên hệ)\W*$", re.IGNORECASE
)
_DAY_DASH_MONTH = re.compile(r"(?:(?P<kw>[Nn]gày|NGÀY)[ \t]+)?(?P<d>[0-9]{1,2})-(?P<m>[0-9]{1,2})")
_NUMBER_WORD_BEFORE = re.compile(r"số\W*$", re.IGNORECASE)


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
        for name, pattern in _RULES:
            parts.append(f"(?P<{name}>{special_re if name == 'special' else pattern})")
        self.pattern = re.compile("|".join(parts), re.MULTILINE)
        self.handlers: dict[str, Callable[[re.Match[str]], tuple[str, str]]] = {
            name: getattr(self, f"_{name}") for name, _ in _RULES
        }

    # -- driving --------------------------------------------------------------------------------

    def spans(self, line: str) -> list[Span]:
        """The spans of one line (no newline inside), in order."""
        out: list[Span] = []
        pos = 0
        for match in self.pattern.finditer(line):
            start = match.start()
            if start > pos:
                out.append(Span(line[pos:start], line[pos:start], "text"))
            rule = match.lastgroup or "text"
            spoken, rule = self.handlers[rule](match)
            out.append(Span(match.group(), spoken, rule))
            pos = match.end()
        if pos < len(line):
            out.append(Span(line[pos:], line[pos:], "text"))
        merged: list[Span] = []
        for span in out:
            if merged and span.rule == merged[-1].rule == "text":
                last = merged.pop()
                span = Span(last.source + span.source, last.spoken + span.spoken, "text")
            merged.append(span)
        return merged

    def line(self, line: str) -> str:
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
        if text in _SERVICE_NUMBERS and _DIAL_CONTEXT.search(before):
            return read_digits(text), "phone"
        return self._speak_int(text), "number"

    @staticmethod
    def _speak_int(digits: str) -> str:
        if digits.startswith("0") and len(digits) >= 3:
            return read_digits(digits)
        if len(digits) > 15:
            return read_digits(digits)
        return read_int(int(digits))

    def _sub(self, text: str) -> str:
        return self.line(text)

    # -- handlers (each returns spoken text and the rule name shown by explain) -----------------

    def _plain(self, m: re.Match[str]) -> tuple[str, str]:
        word = m.group("plain_w")
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
    }

    def _address(self, text: str) -> str:
        out: list[str] = []
        for piece in re.split(r"([./\-_@])", text):
            if not piece:
                continue
            if piece in "./-_":
                out.append(
                    {".": "chấm", "/": "gạch chéo", "-": "gạch ngang", "_": "gạch dưới"}[piece]
                )
            elif piece.lower() in self._ADDRESS_WORDS:
                out.append(self._ADDRESS_WORDS[piece.lower()])
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
        if not (1 <= day <= 31 and 1 <= month <= 12):
            sep = " chấm " if m.group("date_sep") == "." else " "
            return sep.join(read_int(v) for v in (day, month, year)), "number"
        before = m.string[max(0, m.start() - 16) : m.start()]
        prefix = _day_prefix(m.group("date_kw"), before)
        spoken = f"{prefix}{read_int(day)} tháng {read_month(month)} năm {read_int(year)}"
        if m.group("date_to"):
            spoken += " đến " + self._sub(m.group("date_to").lstrip(" \t-–—"))
            return spoken, "range"
        return spoken, "date"

    def _range(self, m: re.Match[str]) -> tuple[str, str]:
        date = _DAY_DASH_MONTH.fullmatch(m.group())
        if date and not m.group("range_unit"):
            # "ngày 20-11", "Ngày Nhà giáo 20-11": press-style day-month, not a range; a range
            # goes up ("3-5 ngày"), so a falling pair is a date too.
            day, month = int(date.group("d")), int(date.group("m"))
            if 1 <= day <= 31 and 1 <= month <= 12 and (date.group("kw") or day > month):
                before = m.string[max(0, m.start() - 16) : m.start()]
                prefix = _day_prefix(date.group("kw"), before)
                return f"{prefix}{read_int(day)} tháng {read_month(month)}", "date"
        left = self._sub(m.group("range_a"))
        right = self._sub(m.group("range_b"))
        unit = m.group("range_unit")
        spoken = f"{left} đến {right}"
        if unit:
            spoken += " " + UNITS[unit]
        return spoken, "range"

    def _time(self, m: re.Match[str]) -> tuple[str, str]:
        hour = int(m.group("time_h"))
        minute = m.group("time_m") or m.group("time_m2")
        second = m.group("time_s")
        if hour > 24:
            return self._speak_number(m.group("time_h"))[0] + m.group()[
                len(m.group("time_h")) :
            ], "text"
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
        elif 1 <= a <= 31 and 1 <= b <= 12 and lower != "tháng":
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

    def _roman(self, m: re.Match[str]) -> tuple[str, str]:
        keyword, value = m.group("roman_kw"), m.group("roman_v")
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
        if m.group("ord_to"):
            again = m.group("ord_kw2") or "thứ"
            spoken += f" đến {again} {read_ordinal(int(m.group('ord_to')))}"
            return spoken, "range"
        return spoken, "ordinal"

    def _number(self, m: re.Match[str]) -> tuple[str, str]:
        before = m.string[max(0, m.start() - 16) : m.start()]
        unit = m.group("num_unit")
        spoken, rule = self._speak_number(m.group("num"), before, measured=bool(unit))
        if unit:
            spoken += " " + UNITS[unit]
            rule = "percent" if unit == "%" else "unit"
        return spoken, rule

    def _per(self, m: re.Match[str]) -> tuple[str, str]:
        # "50.000 đồng/người": a rate is read "một" ("năm mươi nghìn đồng một người")
        before = m.string[max(0, m.start() - 12) : m.start()]
        if _RATE_BEFORE.search(before):
            word = m.group("per_w")
            return f" một {UNITS.get(word, word)}", "unit"
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
        lead = m.group()[: m.group().index("(")]
        return f"{lead}({self._sub(abbr)})", "abbreviation"

    def _ampersand(self, m: re.Match[str]) -> tuple[str, str]:
        return "và", "abbreviation"

    def _word(self, m: re.Match[str]) -> tuple[str, str]:
        word = m.group()
        entry = self.dictionary.get(word)
        if entry is not None and entry.kind != "code":
            return entry.spoken, "abbreviation"
        if word.islower() or (word.istitle() and word[-1] not in "0123456789"):
            return word, "text"
        letters = word.rstrip("0123456789")
        if len(letters) < len(word):
            head, _ = self._word_text(letters)
            return f"{head} {read_int(int(word[len(letters) :]))}", "abbreviation"
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
