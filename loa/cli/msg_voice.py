"""`loa msg voice`: a message's own voice and speaking rate."""

from __future__ import annotations

from typing import Annotated

import typer

from loa.cli.common import console, get_station
from loa.core.i18n import Catalog

VOICE_TEXT = Catalog(
    {
        "voice": (
            "Đặt giọng và tốc độ đọc riêng cho một tin (ví dụ: loa msg voice 12 fpt:lannhi "
            "--rate 0.9); không có giọng: xem giọng đang dùng.",
            "Give a message its own voice and speaking rate (e.g. loa msg voice 12 fpt:lannhi "
            "--rate 0.9); without a voice: show the one it uses.",
        ),
        "o_voice": (
            "Giọng: bộ đọc:giọng (xem loa voices), hoặc một giọng của bộ đọc chính.",
            "Voice: engine:voice (see loa voices), or a voice of the main engine.",
        ),
        "o_rate": ("Tốc độ đọc, 0,5 đến 2,0 (1,0 bình thường).", "Rate, 0.5 to 2.0 (1.0 normal)."),
        "o_clear": (
            "Dùng lại giọng và tốc độ của đài.",
            "Go back to the station's voice and rate.",
        ),
        "voice_set": (
            "Tin số {id} ({title}): giọng {voice}, tốc độ {rate}.",
            "Message {id} ({title}): voice {voice}, rate {rate}.",
        ),
        "station_default": ("theo đài", "the station's"),
        "o_id": ("Số hiệu tin.", "Message id."),
    }
)


def voice(
    message_id: Annotated[int, typer.Argument(help=VOICE_TEXT("o_id"))],
    name: Annotated[str | None, typer.Argument(help=VOICE_TEXT("o_voice"))] = None,
    rate: Annotated[float | None, typer.Option("--rate", help=VOICE_TEXT("o_rate"))] = None,
    clear: Annotated[bool, typer.Option("--clear", help=VOICE_TEXT("o_clear"))] = False,
) -> None:
    from loa.app.voice import set_message_voice

    done = set_message_voice(get_station(), message_id, name, rate, clear=clear)
    default = VOICE_TEXT("station_default")
    console().print(
        VOICE_TEXT(
            "voice_set",
            id=done.message_id,
            title=done.title,
            voice=done.voice or default,
            rate=default if done.rate is None else f"{done.rate:g}",
        ),
        highlight=False,
    )
