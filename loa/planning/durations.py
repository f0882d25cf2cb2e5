"""How long a message takes on the radio: its rendered clip's length when known, else an
estimate from its text."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from loa.content.models import Message


def estimate_duration(text: str, words_per_second: float = 2.5) -> float:
    """Seconds a Vietnamese announcer needs for `text`: words at the speaking rate (Vietnamese
    syllables are written as words; ~2.5 per second on commune radio) plus a short pause at
    each sentence end. A seam: the planner calls it only for messages with no rendered clip."""
    words = len(text.split())
    pauses = sum(text.count(ch) for ch in ".!?;\n")
    return round(words / words_per_second + 0.4 * pauses, 1)


def message_duration(
    message: Message, rendered: Mapping[int, float], estimate: Callable[[str], float]
) -> float:
    """Seconds of `message` on air: `rendered[message.id]` (its clip) when known and non-zero,
    else the length of its own recording, else `estimate(message.spoken_text)`."""
    return rendered.get(message.id) or message.audio_seconds or estimate(message.spoken_text)
