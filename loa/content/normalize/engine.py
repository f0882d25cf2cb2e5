"""The rule engine: one compiled pattern, one left-to-right pass, one handler per rule.

Every rule of `patterns.RULES` is a named group in a single alternation; at each position the
first rule that matches wins, so the order of `RULES` is the precedence. Each rule's handler is a
method of the same name from `handlers` (dates, addresses, amounts, words). Text between matches is
copied unchanged. A line never influences another line.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from loa.content.normalize.dictionary import Dictionary, builtin_dictionary
from loa.content.normalize.handlers.addresses import AddressRules
from loa.content.normalize.handlers.amounts import AmountRules
from loa.content.normalize.handlers.dates import DateRules
from loa.content.normalize.handlers.words import WordRules
from loa.content.normalize.letters import fix_lookalikes, to_nfc
from loa.content.normalize.patterns import RULES

__all__ = ["Normalizer", "Span", "normalizer", "to_nfc"]


@dataclass(frozen=True)
class Span:
    """One piece of the input: the `source` text, what is `spoken` for it, and the `rule` used."""

    source: str
    spoken: str
    rule: str


_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u3000]+")


def _kept(source: str, spoken: str) -> Span:
    return Span(source, spoken, "text" if source == spoken else "lookalike")


class Normalizer(WordRules, AddressRules, DateRules, AmountRules):
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
        for name, pattern in RULES:
            parts.append(f"(?P<{name}>{special_re if name == 'special' else pattern})")
        self.pattern = re.compile("|".join(parts), re.MULTILINE)
        self.handlers: dict[str, Callable[[re.Match[str]], tuple[str, str]]] = {
            name: getattr(self, f"_{name}") for name, _ in RULES
        }
        self.handlers["override"] = self._override

    def spans(self, line: str) -> list[Span]:
        """The spans of one line (no newline inside), in order. A span whose text was changed
        without a rule of its own (a look-alike letter) is marked "lookalike"."""
        source = line
        line = fix_lookalikes(line)  # one character for one: positions stay the same
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
        line = fix_lookalikes(line)
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


def normalizer(dictionary: Dictionary | None = None) -> Normalizer:
    """The (cached) Normalizer for `dictionary` (the built-in one when None)."""
    dictionary = dictionary if dictionary is not None else builtin_dictionary()
    cached = dictionary.cache.get("normalizer")
    if cached is None:
        cached = Normalizer(dictionary)
        dictionary.cache["normalizer"] = cached
    return cached
