"""Splitting spoken text into sentences, then into phrases within an engine's character limit."""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\s*\n+\s*")
_PHRASE_END = re.compile(r"(?<=[,;:])\s+|\s+(?=[–—-]\s)")
_SPACE = re.compile(r"\s+")


def split_sentences(text: str) -> list[str]:
    """Sentences of `text`: split after . ! ? … and at line breaks; blank pieces dropped."""
    pieces = (_SPACE.sub(" ", p).strip() for p in _SENTENCE_END.split(text))
    return [p for p in pieces if p and any(ch.isalnum() for ch in p)]


def _pack(pieces: list[str], limit: int) -> list[str]:
    """Join neighbouring pieces with spaces while they fit in `limit` characters."""
    out: list[str] = []
    for piece in pieces:
        if out and len(out[-1]) + 1 + len(piece) <= limit:
            out[-1] = f"{out[-1]} {piece}"
        else:
            out.append(piece)
    return out


def split_phrases(sentence: str, limit: int) -> list[str]:
    """Pieces of at most `limit` characters: at punctuation first, then between words.

    A word is never cut: a single word longer than `limit` becomes a piece of its own.
    """
    sentence = _SPACE.sub(" ", sentence).strip()
    if len(sentence) <= limit:
        return [sentence] if sentence else []
    pieces: list[str] = []
    for phrase in (p.strip() for p in _PHRASE_END.split(sentence)):
        if not phrase:
            continue
        if len(phrase) <= limit:
            pieces.append(phrase)
        else:
            pieces.extend(_pack(phrase.split(" "), limit))
    return _pack(pieces, limit)


def chunk_text(text: str, limit: int) -> list[list[str]]:
    """Sentences, each as a list of phrases within `limit` characters."""
    return [split_phrases(s, limit) for s in split_sentences(text)]
