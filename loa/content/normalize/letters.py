"""Letters: NFC with tone marks in order, Vietnamese letter names, syllables, look-alikes."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from loa.content.normalize.numbers import read_digits
from loa.content.normalize.tables import LETTER_NAMES

_TONES = "\u0300\u0301\u0303\u0309\u0323"
_MODIFIERS = "\u0302\u0306\u031b"
# A tone mark typed before the vowel's own modifier ("a" + acute + circumflex) does not compose
# under NFC because both marks have combining class 230; put the modifier first.
_MISORDERED = re.compile(f"([{_TONES}]+)([{_MODIFIERS}]+)")


def to_nfc(text: str) -> str:
    """NFC with tone marks composed whatever order they were typed in."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFD", text)
    if _MISORDERED.search(decomposed):
        decomposed = _MISORDERED.sub(r"\2\1", decomposed)
    return unicodedata.normalize("NFC", decomposed)


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


# "Ð" (U+00D0, Icelandic eth) looks like "Đ" and old TCVN3/VNI converters leave it in; the
# voice and the dictionary need the Vietnamese letter.
_LOOKALIKES = str.maketrans({"Ð": "Đ", "ð": "đ"})


def fix_lookalikes(line: str) -> str:
    if line.isascii() or ("Ð" not in line and "ð" not in line):
        return line
    return line.translate(_LOOKALIKES)
