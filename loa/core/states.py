"""A small state-machine helper: the allowed moves of one status enum, written down once."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Generic, TypeVar

S = TypeVar("S", bound=StrEnum)


class IllegalTransition(ValueError):
    """A status change the state machine does not allow (a bug in the caller, not bad input)."""


class StateMachine(Generic[S]):
    """The moves allowed between the members of a status enum.

    `moves` maps each status to the statuses it may become; a status absent from it is final.
    """

    def __init__(self, name: str, moves: Mapping[S, frozenset[S]]) -> None:
        self.name = name
        self.moves = dict(moves)

    def allowed(self, old: S | str, new: S | str) -> bool:
        """Whether `old` may become `new` (staying put is always allowed). Plain strings from
        the database work: a StrEnum member hashes and compares as its value."""
        return old == new or new in self.moves.get(old, frozenset())  # type: ignore[arg-type]

    def check(self, old: S | str, new: S | str) -> None:
        """Raise IllegalTransition unless `old` may become `new`."""
        if not self.allowed(old, new):
            raise IllegalTransition(f"{self.name}: {old} -> {new} is not allowed")
