"""Text as the radio reads it (`loa normalize`): the normaliser with the station's or a given
pronunciation dictionary."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from loa.core.station import Station


def dictionary_for(station: Station | None, path: Path | None = None) -> Any:
    """The words to read by: the built-in dictionary merged with the file at `path` when given,
    else the station's (built-in with its own words), else the built-in one."""
    from loa.content.normalize import builtin_dictionary, load_dictionary, station_dictionary

    if path is not None:
        return builtin_dictionary().merged(load_dictionary(path))
    if station is None:
        return builtin_dictionary()
    return station_dictionary(station)


def spoken(text: str, words: Any) -> str:
    """`text` as the radio reads it."""
    from loa.content.normalize import normalize

    return normalize(text, words)


def spoken_lines(lines: list[str], words: Any) -> list[str]:
    """Each line as the radio reads it (one line out for each line in)."""
    from loa.content.normalize import normalize_lines

    return normalize_lines(lines, words)


def spans(text: str, words: Any) -> list[Any]:
    """`text` in spans, each with its source, what is said and the rule that rewrote it."""
    from loa.content.normalize import explain

    return list(explain(text, words))
