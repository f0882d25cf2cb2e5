"""The `loa` entry point: composes each area's commands; heavy imports stay inside commands."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.models import DefaultPlaceholder

from loa.cli.common import LoaGroup, localize, set_station_dir, warn_unsupported_language
from loa.core.i18n import Catalog

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
        "commands": ("Commands", "Commands"),
    }
)

# Command name -> the Typer of the module that defines it. Building Typer commands costs a few
# milliseconds each, so a module's commands are built only when one of them is used.
_LAZY: dict[str, typer.Typer] = {}
_HELP: dict[str, str] = {}


def _text(value: Any) -> str:
    value = value.value if isinstance(value, DefaultPlaceholder) else value
    return str(value or "")


class RootGroup(LoaGroup):
    """The top-level `loa` group: lists every command, builds a module's commands on first use."""

    def list_commands(self, ctx: Any) -> list[str]:
        return [*self.commands, *(name for name in _LAZY if name not in self.commands)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self.commands and cmd_name in _LAZY:
            built = typer.main.get_command(_LAZY[cmd_name])
            for name, command in getattr(built, "commands", {}).items():
                self.commands.setdefault(name, command)
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(n) for n in names)
        rows = []
        for name in names:
            text = _HELP.get(name) or _text(getattr(self.commands.get(name), "help", ""))
            first = text.strip().split("\n")[0]
            rows.append(
                (
                    name,
                    first
                    if len(first) <= limit
                    else first[: max(limit - 3, 10)].rsplit(" ", 1)[0] + "...",
                )
            )
        with formatter.section(T("commands")):
            formatter.write_dl(rows)


app = typer.Typer(
    cls=RootGroup,
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
    "slots",
    "plan",
    "run",
    "province",
    "user",
    "web",
    "stream",
    "insights",
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
    warn_unsupported_language()


def _noop() -> None:
    """A callback makes Typer build a module's commands as a group we can take them from."""


for _name in MODULES:
    _holder = typer.Typer(cls=LoaGroup, add_completion=False, rich_markup_mode=None)
    _holder.callback()(_noop)
    importlib.import_module(f"loa.cli.{_name}").register(_holder)
    localize(_holder)
    for _info in _holder.registered_commands:
        _LAZY[str(_info.name)] = _holder
        _HELP[str(_info.name)] = _text(_info.help)
    for _group in _holder.registered_groups:
        _LAZY[str(_group.name)] = _holder
        _HELP[str(_group.name)] = _text(_group.help) or (
            _text(_group.typer_instance.info.help) if _group.typer_instance else ""
        )


def run() -> None:
    """Console-script entry point."""
    try:
        app()
    except SystemExit:
        if LoaGroup.interrupted:
            _leave_now(130)
        raise


def _leave_now(code: int) -> None:
    """End a command stopped by Ctrl-C with `code`, skipping the interpreter's own exit. The
    command has already cleaned up (workers stopped, transactions rolled back, files written
    whole or not at all); what is left could still go wrong: Python 3.11 ends a process by
    SIGINT instead of with its exit code when the interrupt passed through code an import ran
    with `exec` (scipy does), and the exit joins the threads of a stopped pool."""
    import logging
    import os
    import sys

    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)
