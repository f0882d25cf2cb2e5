"""What every handler shares: the dictionary, numbers as written, units, a nested reading."""

from __future__ import annotations

from loa.content.normalize.context import (
    LIST_CONTEXT,
    SPACED_NOT_AFTER,
)
from loa.content.normalize.dictionary import Dictionary
from loa.content.normalize.numbers import (
    read_decimal,
    read_digits,
    read_int,
)
from loa.content.normalize.tables import (
    UNITS,
)


class Reader:
    """The state and helpers of a normaliser that the rule handlers use."""

    dictionary: Dictionary

    def line(self, line: str) -> str:
        raise NotImplementedError

    def _speak_number(self, text: str, before: str = "", measured: bool = False) -> tuple[str, str]:
        """A number as written: thousands dots, decimal comma, lists, leading zeros.
        `measured`: a unit or % follows, so "2.5" is a decimal written the English way."""
        if " " in text:  # "12 500" (but "thôn 3 120 hộ" is hamlet three, 120 households)
            if SPACED_NOT_AFTER.search(before):
                return " ".join(self._speak_number(p)[0] for p in text.split(" ")), "number"
            text = text.replace(" ", "")
        if "," in text and "." not in text:
            pieces = text.split(",")
            if len(pieces) > 2 or LIST_CONTEXT.search(before[-16:]):
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
