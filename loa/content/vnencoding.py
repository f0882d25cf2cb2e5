"""Text hygiene for Vietnamese input: NFC, and text typed with legacy TCVN3 (ABC) or VNI fonts.

Government files still carry text typed in TCVN3 (.VnTime) or VNI-Windows fonts. Read as Unicode,
TCVN3 shows as Latin-1 look-alikes ("Céng hoµ x· héi") and VNI as a base letter followed by a
Latin-1 mark ("Coäng hoøa xaõ hoäi"). `fix_text` detects either and converts to NFC Unicode; text
that is already Unicode passes through unchanged apart from NFC.
"""

from __future__ import annotations

import re
import unicodedata

# Vietnamese letters in the order: base, acute, grave, hook, tilde, dot.
_TONED = {
    "a": "aáàảãạ",
    "ă": "ăắằẳẵặ",
    "â": "âấầẩẫậ",
    "e": "eéèẻẽẹ",
    "ê": "êếềểễệ",
    "i": "iíìỉĩị",
    "o": "oóòỏõọ",
    "ô": "ôốồổỗộ",
    "ơ": "ơớờởỡợ",
    "u": "uúùủũụ",
    "ư": "ưứừửữự",
    "y": "yýỳỷỹỵ",
}

# TCVN3 (ABC): one byte per lowercase letter; a separate "H" font reuses the codes for capitals,
# so only the base capitals below have codes of their own.
_TCVN3_LOWER = {
    "a": "a¸µ¶·¹",
    "ă": "¨¾»¼½Æ",
    "â": "©ÊÇÈÉË",
    "e": "eÐÌÎÏÑ",
    "ê": "ªÕÒÓÔÖ",
    "i": "iÝ×ØÜÞ",
    "o": "oãßáâä",
    "ô": "«èåæçé",
    "ơ": "¬íêëìî",
    "u": "uóïñòô",
    "ư": "\u00adøõö÷ù",
    "y": "yýúûüþ",
}
_TCVN3_EXTRA = {"®": "đ", "¡": "Ă", "¢": "Â", "§": "Đ", "£": "Ê", "¤": "Ô", "¥": "Ơ", "¦": "Ư"}

# VNI-Windows: base letter plus a mark character, per tone (acute, grave, hook, tilde, dot).
_VNI_MARKS = "ùøûõï"
_VNI_BASES = {
    "a": "a",
    "ă": "aê",
    "â": "aâ",
    "e": "e",
    "ê": "eâ",
    "o": "o",
    "ô": "oâ",
    "ơ": "ô",
    "u": "u",
    "ư": "ö",
    "y": "y",
}
_VNI_BREVE_MARKS = "éèúüë"  # ă takes its own tone marks
_VNI_CIRC_MARKS = "áàåãä"  # â, ê, ô
_VNI_I = "iíìæóò"


def _build_tcvn3() -> dict[str, str]:
    table: dict[str, str] = {}
    for base, codes in _TCVN3_LOWER.items():
        for code, uni in zip(codes, _TONED[base], strict=True):
            if code != uni:
                table[code] = uni
    table.update(_TCVN3_EXTRA)
    return table


def _build_vni() -> dict[str, str]:
    table: dict[str, str] = {"ñ": "đ", "Ñ": "Đ"}
    for base, seq in _VNI_BASES.items():
        toned = _TONED[base]
        if base == "ă":
            marks = _VNI_BREVE_MARKS
        elif base in "âêô":
            marks = _VNI_CIRC_MARKS
        else:
            marks = _VNI_MARKS
        if len(seq) > 1:
            table[seq] = toned[0]
            table[seq.upper()] = toned[0].upper()
        for mark, uni in zip(marks, toned[1:], strict=True):
            if base == "y" and uni == "ỵ":
                table["î"], table["Î"] = "ỵ", "Ỵ"
                continue
            table[seq[0] + mark] = uni
            table[seq[0].upper() + mark.upper()] = uni.upper()
    table["ô"], table["Ô"] = "ơ", "Ơ"
    table["ö"], table["Ö"] = "ư", "Ư"
    for code, uni in zip(_VNI_I[1:], _TONED["i"][1:], strict=True):
        table[code] = uni
        table[code.upper()] = uni.upper()
    return table


TCVN3_TO_UNICODE = _build_tcvn3()
VNI_TO_UNICODE = _build_vni()
UNICODE_TO_TCVN3 = {v: k for k, v in TCVN3_TO_UNICODE.items()}
UNICODE_TO_VNI = {v: k for k, v in VNI_TO_UNICODE.items()}

_TCVN3_TRANS = str.maketrans(TCVN3_TO_UNICODE)
_VNI_RE = re.compile("|".join(sorted(map(re.escape, VNI_TO_UNICODE), key=len, reverse=True)))
_UNI_TO_VNI_RE = re.compile("|".join(map(re.escape, UNICODE_TO_VNI)))

# Characters that never occur in Vietnamese written in Unicode (Latin-1 look-alikes).
_FOREIGN = set("µ¸¶·¹¨»¾¼½Æ©ÇË®ÎÏÑªÖ×ØÜÞß«åæç¬ëîïñö÷øûüþ¡¢§£¤¥¦\u00adäÄÅæø")
_VIETNAMESE = re.compile("[\u1ea0-\u1ef9ăđơưĩũĂĐƠƯĨŨ]")


def tcvn3_to_unicode(text: str) -> str:
    return unicodedata.normalize("NFC", text.translate(_TCVN3_TRANS))


def vni_to_unicode(text: str) -> str:
    return unicodedata.normalize("NFC", _VNI_RE.sub(lambda m: VNI_TO_UNICODE[m.group()], text))


def unicode_to_tcvn3(text: str) -> str:
    """Lowercase-faithful TCVN3 encoding (capitals with tones have no code and stay as they are)."""
    return "".join(UNICODE_TO_TCVN3.get(ch, ch) for ch in unicodedata.normalize("NFC", text))


def unicode_to_vni(text: str) -> str:
    nfc = unicodedata.normalize("NFC", text)
    return _UNI_TO_VNI_RE.sub(lambda m: UNICODE_TO_VNI[m.group()], nfc)


def _foreign(text: str) -> int:
    return sum(1 for ch in text if ch in _FOREIGN)


_VNI_PAIR = re.compile("[aeouyAEOUY][ùøûõïâáàåãäêéèúüëÙØÛÕÏÂÁÀÅÃÄÊÉÈÚÜË]")
_TCVN3_SIGNAL = re.compile("(?<![aeouyAEOUY])[" + re.escape("".join(TCVN3_TO_UNICODE)) + "]")


def detect_encoding(text: str) -> str:
    """Return "unicode", "tcvn3" or "vni": which reading of `text` is Vietnamese.

    VNI puts its marks after a vowel letter ("hoäi"); TCVN3 replaces the vowel itself, so its
    codes follow consonants ("héi"). The reading must also remove nearly all foreign characters.
    """
    foreign = _foreign(text)
    # Neither legacy encoding can produce the letters below, so real Unicode text is full of them.
    if foreign < 2 or len(_VIETNAMESE.findall(text)) * 10 > foreign:
        return "unicode"
    vni_pairs = len(_VNI_PAIR.findall(text))
    tcvn_signals = len(_TCVN3_SIGNAL.findall(text))
    name, convert = (
        ("vni", vni_to_unicode) if vni_pairs > tcvn_signals else ("tcvn3", tcvn3_to_unicode)
    )
    candidate = convert(text)
    if _foreign(candidate) * 4 < foreign and len(_VIETNAMESE.findall(candidate)) > len(
        _VIETNAMESE.findall(text)
    ):
        return name
    return "unicode"


def fix_text(text: str) -> str:
    """NFC Unicode from any of: Unicode (NFC or NFD), TCVN3 (ABC) or VNI-Windows text."""
    text = unicodedata.normalize("NFC", text)
    encoding = detect_encoding(text)
    if encoding == "tcvn3":
        return tcvn3_to_unicode(text)
    if encoding == "vni":
        return vni_to_unicode(text)
    return text
