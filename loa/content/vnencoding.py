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


# -- decoding a file's bytes ---------------------------------------------------------------------

_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"
_SYLLABLE = re.compile(
    "(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?"
    "[aăâeêioôơuưy]{1,3}"
    "(?:ch|ng|nh|[cmnpt])?"
)
_WORD = re.compile(r"[^\W\d_]+")
_SAMPLE = 256 * 1024  # bytes scored per candidate reading: enough to tell, cheap on 20 MB
# Bytes 0x80-0x9F as Windows-1252 where it defines them (curly quotes, dashes in Word files).
_CP1252_HIGH = {
    b: ch for b in range(0x80, 0xA0) if (ch := bytes([b]).decode("cp1252", errors="ignore"))
}


def _syllable(word: str) -> bool:
    """Whether `word` has the shape of one Vietnamese syllable (onset, vowels, coda, <= 1 tone)."""
    nfd = unicodedata.normalize("NFD", word.lower())
    if sum(nfd.count(mark) for mark in _TONE_MARKS) > 1:
        return False
    base = unicodedata.normalize("NFC", "".join(c for c in nfd if c not in _TONE_MARKS))
    return _SYLLABLE.fullmatch(base) is not None


def _junk(text: str) -> int:
    """Characters no text file holds: control codes (but tab, line and page breaks), U+FFFD."""
    return sum(
        1
        for ch in text
        if (ord(ch) < 32 and ch not in "\t\n\r\f\v") or 0x7F <= ord(ch) < 0xA0 or ch == "\ufffd"
    )


def vietnamese_score(text: str) -> int:
    """How much `text` reads as Vietnamese: words with marks that are real syllables, minus
    twice those that are not, Latin-1 look-alikes, stray combining marks, and control codes."""
    good = bad = 0
    for word in _WORD.findall(text):
        if not word.isascii():
            if _syllable(word):
                good += 1
            else:
                bad += 1
    strays = sum(1 for ch in text if ch in _FOREIGN or unicodedata.combining(ch))
    return good - 2 * bad - strays - 5 * _junk(text)


def _legacy(data: bytes) -> str:
    """Single-byte legacy text as the TCVN3/VNI tables expect it (Latin-1 letters)."""
    text = data.decode("latin-1")
    return text.translate(_CP1252_HIGH) if any(0x80 <= b < 0xA0 for b in data) else text


def _unicode(text: str, name: str) -> tuple[str, str] | None:
    if _junk(text[: _SAMPLE * 4]) * 100 > max(len(text[: _SAMPLE * 4]), 1):
        return None  # valid code points, but control codes: not a text file
    found = detect_encoding(text)
    return fix_text(text), (found if found != "unicode" else name)


def decode_bytes(data: bytes) -> tuple[str, str] | None:
    """The text in a file's bytes and how it was written, or None if it is not text.

    UTF-32/UTF-16 (by their byte-order mark) and UTF-8 (with or without one) are read as such
    (text typed with TCVN3/VNI fonts inside them is converted, and then named so). Bytes that
    are not UTF-8 are read as each single-byte Vietnamese encoding (CP1258, TCVN3, VNI) and the
    reading whose words are Vietnamese syllables wins. NUL bytes, control codes, or no reading
    that makes sense: not text. The name is one of "utf-8", "utf-16", "utf-32", "cp1258",
    "tcvn3", "vni".
    """
    boms = (
        (b"\xff\xfe\x00\x00", "utf-32"),
        (b"\x00\x00\xfe\xff", "utf-32"),
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    )
    for bom, codec in boms:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                return None
            return _unicode(text, codec.removesuffix("-sig"))
    if b"\x00" in data:
        return None  # binary (or UTF-16 without its byte-order mark, which no editor writes)
    try:
        return _unicode(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    sample = data[:_SAMPLE]
    readings: list[tuple[int, str]] = []
    try:
        cp1258 = unicodedata.normalize("NFC", sample.decode("cp1258"))  # tones are combining
        readings.append((vietnamese_score(cp1258), "cp1258"))
    except UnicodeDecodeError:
        pass
    legacy = _legacy(sample)
    readings.append((vietnamese_score(tcvn3_to_unicode(legacy)), "tcvn3"))
    readings.append((vietnamese_score(vni_to_unicode(legacy)), "vni"))
    score, name = max(readings, key=lambda r: r[0])
    if score <= 0:
        # Not Vietnamese in any reading: Western text in CP1258 (a superset of Latin-1 letters)
        # is still text; anything with control codes is not.
        try:
            text = data.decode("cp1258")
        except UnicodeDecodeError:
            return None
        return (unicodedata.normalize("NFC", text), "cp1258") if not _junk(text) else None
    if name == "cp1258":
        return unicodedata.normalize("NFC", data.decode("cp1258")), name
    convert = tcvn3_to_unicode if name == "tcvn3" else vni_to_unicode
    return convert(_legacy(data)), name
