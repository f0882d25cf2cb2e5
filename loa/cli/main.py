"""The `loa` entry point: composes each area's commands; heavy imports stay inside commands."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Annotated

import typer

from loa.cli.common import LoaGroup, localize, set_station_dir
from loa.i18n import Catalog

T = Catalog(
    {
        "app": (
            "loa: tuyên truyền cải cách hành chính cho xã: hàng đợi tin, đọc tin, lập lịch, "
            "phát thanh, đăng bài và báo cáo.",
            "loa: administrative-reform communication for communes: message queue, speech, "
            "planning, radio, posting and reports.",
        ),
        "station": (
            "Thư mục của đài (mặc định: LOA_STATION, rồi tìm từ thư mục hiện tại trở lên).",
            "The station folder (default: LOA_STATION, then searching up from the current folder).",
        ),
        "version": ("In phiên bản rồi thoát.", "Print the version and exit."),
    }
)

app = typer.Typer(
    cls=LoaGroup,
    help=T("app"),
    no_args_is_help=True,
    rich_markup_mode=None,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Each module in loa/cli/ exposes `register(app)`; add yours here.
MODULES = (
    "station",
    "msg",
    "demo",
    "normalize",
    "report",
    "channels",
    "audio",
    "scheduler",
)


def _version(value: bool) -> None:
    if value:
        from loa import __version__

        typer.echo(f"loa {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    station: Annotated[Path | None, typer.Option("--station", "-s", help=T("station"))] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help=T("version"))
    ] = False,
) -> None:
    set_station_dir(station)


for _name in MODULES:
    importlib.import_module(f"loa.cli.{_name}").register(app)
localize(app)


def run() -> None:
    """Console-script entry point."""
    app()
