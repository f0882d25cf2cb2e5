"""What every command shares: finding the station, consoles, JSON output, error handling."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

from loa.errors import LoaError
from loa.i18n import Catalog

T = Catalog(
    {
        "error": ("Lỗi", "Error"),
        "unexpected": (
            "Lỗi không mong đợi: {error}. Dữ liệu đã lưu không bị thay đổi. "
            "Chạy lại với LOA_DEBUG=1 để xem chi tiết và báo cho người quản trị.",
            "Unexpected error: {error}. Nothing saved was changed. "
            "Run again with LOA_DEBUG=1 for details and tell the administrator.",
        ),
    }
)

_station_dir: Path | None = None


def set_station_dir(path: Path | None) -> None:
    global _station_dir
    _station_dir = path


def get_station() -> Any:
    """Open the station chosen by --station, LOA_STATION or the current folder (schema upgraded)."""
    from loa.i18n import set_language
    from loa.station import find_station

    station = find_station(_station_dir)
    if not os.environ.get("LOA_LANG") and station.language in ("vi", "en"):
        set_language(station.language)
    return station


def console() -> Any:
    from rich.console import Console

    return Console()


def err_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


def print_json(data: Any) -> None:
    """Machine-readable output: UTF-8 JSON on stdout, Vietnamese kept as is."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def fail(error: LoaError) -> typer.Exit:
    err_console().print(f"[bold red]{T('error')}:[/] {error}", highlight=False)
    return typer.Exit(code=error.exit_code)


def _is_cli_flow(error: BaseException) -> bool:
    """Exit, Abort and usage errors belong to Typer/Click (which Typer may vendor); let them pass."""
    return type(error).__module__.split(".")[0] in ("typer", "click")


class LoaGroup(TyperGroup):
    """Turns a LoaError anywhere below into a one-line message and its exit code (no traceback)."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except LoaError as error:
            raise fail(error) from None
        except Exception as error:  # never show a traceback to an officer
            if os.environ.get("LOA_DEBUG") or _is_cli_flow(error):
                raise
            err_console().print(f"[bold red]{T('error')}:[/] {T('unexpected', error=type(error).__name__)}",
                                highlight=False)
            raise typer.Exit(code=1) from None


def sub_app(help_text: str) -> typer.Typer:
    """A sub-command group (`loa msg ...`) with the shared error handling."""
    return typer.Typer(cls=LoaGroup, help=help_text, no_args_is_help=True,
                       rich_markup_mode=None, add_completion=False)
