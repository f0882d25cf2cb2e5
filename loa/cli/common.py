"""What every command shares: finding the station, consoles, JSON output, error handling."""

from __future__ import annotations

import json
import os
import re
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from typer.core import TyperCommand, TyperGroup

from loa.core.errors import LoaError
from loa.core.i18n import Catalog, explicit_language, language, unsupported_language

if TYPE_CHECKING:
    from loa.core.station import Station

T = Catalog(
    {
        "error": ("Lỗi", "Error"),
        "warning": ("Chú ý", "Warning"),
        "bad_lang": (
            'LOA_LANG="{value}" không phải ngôn ngữ loa hỗ trợ (vi hoặc en); dùng "{used}" '
            "(theo loa.toml hoặc máy). Đặt LOA_LANG=vi hoặc LOA_LANG=en, hoặc bỏ biến này.",
            'LOA_LANG="{value}" is not a language loa speaks (vi or en); using "{used}" '
            "(from loa.toml or the system). Set LOA_LANG=vi or LOA_LANG=en, or unset it.",
        ),
        "usage_hint": (
            "Xem hướng dẫn: {command} {option}\n",
            "Try '{command} {option}' for help.\n",
        ),
        "help_option": ("Xem hướng dẫn này rồi thoát.", "Show this message and exit."),
        "interrupted": (
            "Đã dừng theo yêu cầu (Ctrl-C). Những bản tin đã dựng xong vẫn giữ nguyên.",
            "Stopped on request (Ctrl-C). Bulletins already finished are kept as they are.",
        ),
        "id_not_number": (
            "'{value}' không phải số hiệu: cần một số nguyên dương (ví dụ 12).",
            "'{value}' is not an id: a positive whole number is needed (e.g. 12).",
        ),
        "id_too_big": (
            "{value} quá lớn, không có số hiệu nào như vậy (lớn nhất {largest}).",
            "{value} is too large, no id is that big (at most {largest}).",
        ),
        "aborted": (
            "Đã hủy: không có gì được lưu.",
            "Cancelled: nothing was saved.",
        ),
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


def get_station() -> Station:
    """Open the station chosen by --station, LOA_STATION or the current folder (schema upgraded)."""
    from loa.core.i18n import set_language
    from loa.core.station import find_station

    station = find_station(_station_dir)
    if explicit_language() is None and station.language in ("vi", "en"):
        set_language(station.language)
    for warning in station.warnings:
        warn(warning)
    return station


def warn(text: str) -> None:
    """A warning on standard error (yellow), the command goes on."""
    err_console().print(f"[yellow]{T('warning')}:[/] {escape_markup(text)}", highlight=False)


def warn_unsupported_language() -> None:
    """LOA_LANG names a language loa does not speak: say so once, in the language used instead."""
    value = unsupported_language()
    if value is not None:
        warn(T("bad_lang", value=value, used=language()))


#: Longest word a table column is widened to hold whole; longer ones (paths, URLs) may fold.
LONGEST_WORD = 24


def _plain(cell: Any) -> str | None:
    from rich.text import Text

    if isinstance(cell, Text):
        return cell.plain
    return cell if isinstance(cell, str) else None


def unbroken_words(table: Any, width: int) -> Any:
    """Fix the column widths of a rich Table that would not fit in `width` so that it wraps
    between words: each column keeps at least its longest word (capped at LONGEST_WORD, less
    when even that does not fit), and the widest columns give way first. Rich left alone cuts
    "phát/đăng" or "tuổi" in two in 80 columns (a pipe). Returns the table."""
    from rich.cells import cell_len

    naturals: list[int] = []
    longest: list[int] = []
    for column in table.columns:
        texts = [t for t in (_plain(c) for c in [column.header, *column._cells]) if t is not None]
        if len(texts) <= len(column._cells):  # a cell that is not text: leave the table to rich
            return table
        lines = [line for text in texts for line in text.splitlines()] or [""]
        natural = max(cell_len(line) for line in lines)
        words = [cell_len(w) for line in lines for w in line.split()]
        naturals.append(natural)
        longest.append(natural if column.no_wrap else max(words, default=1))
    overhead = sum(table._get_padding_width(i) for i in range(len(naturals)))
    overhead += len(naturals) + 1 if table.box else 0
    room = width - overhead
    if sum(naturals) <= room:
        return table
    cap = LONGEST_WORD
    while cap > 4 and sum(min(n, cap) for n in longest) > room:
        cap -= 1
    floors = [n if c.no_wrap else min(n, cap) for n, c in zip(longest, table.columns, strict=True)]
    widths = list(naturals)
    while sum(widths) > room:
        give = [i for i, w in enumerate(widths) if w > floors[i]]
        if not give:
            break
        widest = max(give, key=lambda i: widths[i])
        widths[widest] -= 1
    for column, w in zip(table.columns, widths, strict=True):
        column.width, column.ratio = max(w, 1), None  # ratios would share the width out again
    return table


def console() -> Any:
    from rich.console import Console
    from rich.table import Table

    class WordWrappingConsole(Console):
        """A console whose tables wrap at word boundaries (see unbroken_words)."""

        def print(self, *objects: Any, **kwargs: Any) -> None:
            for item in objects:
                if isinstance(item, Table):
                    unbroken_words(item, self.width)
            super().print(*objects, **kwargs)

    return WordWrappingConsole()


def err_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


def shorten(text: str, width: int = 50) -> str:
    """`text` cut to `width` characters at a word boundary, ending with "…" when cut."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    if " " in cut and not text[width - 1].isspace():
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,.;:-") + "…"


def print_json(data: Any) -> None:
    """Machine-readable output: UTF-8 JSON on stdout, Vietnamese kept as is."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def day_option(value: str | None, station: Station) -> date:
    """A --day/--date/--from value read by loa.core.dates (relative words count from the
    station's today); the station's today when the option is not given. Raises UserError."""
    from loa.core.dates import parse_date

    today: date = station.now().date()
    return today if value is None else parse_date(value, today=today)


#: The largest id a row can have (SQLite's and PostgreSQL's 64-bit integers); a larger number
#: given as an id would overflow the database driver instead of finding nothing.
ID_MAX = 2**63 - 1


def row_id(value: Any) -> int:
    """Parse a command-line id (message, slot, plan entry, publication): a whole number from 0
    to ID_MAX. Used as `typer.Argument(parser=row_id)` / `typer.Option(parser=row_id)` so that
    every id is checked once, where it is read. Raises typer.BadParameter with the reason."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        text = str(value).strip()
        if not text.lstrip("+").isdigit() or not text.isascii():
            raise typer.BadParameter(T("id_not_number", value=value))
        number = int(text)
    if number < 0:
        raise typer.BadParameter(T("id_not_number", value=value))
    if number > ID_MAX:
        raise typer.BadParameter(T("id_too_big", value=value, largest=ID_MAX))
    return number


def escape_markup(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def fail(error: LoaError) -> typer.Exit:
    err_console().print(f"[bold red]{T('error')}:[/] {escape_markup(str(error))}", highlight=False)
    return typer.Exit(code=error.exit_code)


def _is_cli_flow(error: BaseException) -> bool:
    """Exit, Abort and usage errors belong to Typer/Click (which Typer may vendor); let them pass."""
    return type(error).__module__.split(".")[0] in ("typer", "click")


_VI_HEADINGS = (
    ("Usage: ", "Cách dùng: "),
    ("\nArguments:\n", "\nTham số:\n"),
    ("\nOptions:\n", "\nTùy chọn:\n"),
    ("\nCommands:\n", "\nLệnh:\n"),
    ("[default: ", "[mặc định: "),
    ("[required]", "[bắt buộc]"),
)


#: Typer's names for an option's value (its Python type) and what a Vietnamese help page says.
_VI_METAVARS = {
    "str": "chữ",
    "list[str]": "chữ",
    "int": "số",
    "int range": "số",
    "list[int]": "số",
    "float": "số",
    "float range": "số",
    "path": "đường dẫn",
    "Path": "đường dẫn",
    "list[Path]": "đường dẫn",
    "file": "tệp",
    "directory": "thư mục",
    "datetime": "ngày giờ",
    "bool": "có|không",
}


# Typer's own usage errors (its vendored Click writes them with f-strings, so gettext cannot
# reach them): each English form and its Vietnamese, tried in order on the formatted message.
_VI_USAGE_ERRORS: tuple[tuple[str, str], ...] = (
    (
        r"^No such command '(?P<name>[^']*)'\.(?: Did you mean (?P<hint>.+)\?)?$",
        "Không có lệnh '{name}'.{hint}",
    ),
    (
        r"^No such option: (?P<name>\S+) \(Possible options: (?P<hint>.+)\)$",
        "Không có tùy chọn {name}.{hint}",
    ),
    (
        r"^No such option: (?P<name>\S+)(?: Did you mean (?P<hint>.+)\?)?$",
        "Không có tùy chọn {name}.{hint}",
    ),
    (
        r"^No such option '(?P<name>[^']*)'\.(?: Did you mean (?P<hint>.+)\?)?$",
        "Không có tùy chọn {name}.{hint}",
    ),
    (r"^Missing option (?P<name>.+)\.$", "Thiếu tùy chọn {name}."),
    (r"^Missing argument (?P<name>.+)\.$", "Thiếu tham số {name}."),
    (r"^Missing parameter: (?P<name>.+)$", "Thiếu tham số {name}."),
    (r"^Missing command\.$", "Thiếu lệnh: chọn một lệnh trong danh sách dưới đây (--help)."),
    (r"^Got unexpected extra argument(?:s|\(s\))? \((?P<name>.*)\)$", "Thừa tham số: {name}."),
    (r"^Option '(?P<name>[^']*)' requires (?P<what>.+)\.$", "Tùy chọn '{name}' cần một giá trị."),
    (
        r"^Invalid value for (?P<name>[^:]+): '(?P<value>.*)' is not a valid integer\.?$",
        "Giá trị không hợp lệ cho {name}: '{value}' không phải số nguyên.",
    ),
    (
        r"^Invalid value for (?P<name>[^:]+): '(?P<value>.*)' is not a valid float\.?$",
        "Giá trị không hợp lệ cho {name}: '{value}' không phải số.",
    ),
    (
        r"^Invalid value for (?P<name>[^:]+): (?P<value>\S+) is not in the range (?P<range>.+)\.$",
        "Giá trị không hợp lệ cho {name}: {value} nằm ngoài khoảng {range}.",
    ),
    (
        r"^Invalid value for (?P<name>[^:]+): (?P<rest>.+)$",
        "Giá trị không hợp lệ cho {name}: {rest}",
    ),
)

# What Typer says about a value (after "Invalid value for ...: ").
_VI_VALUE_ERRORS: tuple[tuple[str, str], ...] = (
    (r"^Input should be a valid integer.*$", "cần một số nguyên."),
    (r"^Input should be a valid number.*$", "cần một số."),
    (r"^Input should be a valid boolean.*$", "cần true hoặc false."),
    (r"^Input should be less than or equal to (?P<n>\S+)$", "cần nhỏ hơn hoặc bằng {n}."),
    (r"^Input should be greater than or equal to (?P<n>\S+)$", "cần lớn hơn hoặc bằng {n}."),
    (r"^Input should be less than (?P<n>\S+)$", "cần nhỏ hơn {n}."),
    (r"^Input should be greater than (?P<n>\S+)$", "cần lớn hơn {n}."),
    (r"^Input should be (?P<choices>.+)$", "cần là {choices}."),
)


def vietnamese_usage_error(message: str) -> str:
    """A Typer/Click usage-error message in Vietnamese (unchanged when no form matches); the
    "did you mean" suggestion is kept."""
    import re

    for pattern, template in _VI_USAGE_ERRORS:
        found = re.match(pattern, message.strip())
        if found:
            values = {k: v or "" for k, v in found.groupdict().items()}
            if values.get("hint"):
                values["hint"] = f" Có phải ý bạn là {values['hint']}?"
            if "rest" in values:
                values["rest"] = _vietnamese_value_error(values["rest"])
            return template.format_map(values)
    return message


def _vietnamese_value_error(text: str) -> str:
    import re

    for pattern, template in _VI_VALUE_ERRORS:
        found = re.match(pattern, text.strip())
        if found:
            return template.format_map(found.groupdict())
    return text


def _localized_usage_error(error: Any) -> Any:
    """The same usage error, shown in Vietnamese: "Cách dùng", the help hint, "Lỗi"."""
    base = type(error)

    class VietnameseUsageError(base):  # type: ignore[misc, valid-type]
        def show(self, file: Any = None) -> None:
            from typer._click.utils import echo

            hint = ""
            if self.ctx is not None and self.ctx.command.get_help_option(self.ctx) is not None:
                hint = T(
                    "usage_hint",
                    command=self.ctx.command_path,
                    option=self.ctx.help_option_names[0],
                )
            out = file or sys.stderr
            if self.ctx is not None:
                usage = self.ctx.get_usage().replace("Usage:", "Cách dùng:", 1)
                echo(f"{usage}\n{hint}", file=out, color=self.ctx.color)
            echo(f"{T('error')}: {vietnamese_usage_error(self.format_message())}", file=out)

    translated = VietnameseUsageError.__new__(VietnameseUsageError)
    translated.__dict__.update(error.__dict__)
    translated.args = error.args
    return translated


def _usage_errors_in_vietnamese(error: Exception) -> Exception:
    from typer._click.exceptions import UsageError

    if language() == "vi" and isinstance(error, UsageError):
        return _localized_usage_error(error)  # type: ignore[no-any-return]
    return error


class VietnameseHelp:
    """Help pages in the user's language (Typer/Click write their headings in English)."""

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = T("help_option")
        return option

    def get_help(self, ctx: Any) -> str:
        if language() != "vi":
            return str(super().get_help(ctx))  # type: ignore[misc]
        # Typer names an option's value by its Python type (<str>, <int range>): say it in
        # Vietnamese for this page only (the params are shared by every later page).
        named = []
        for param in getattr(self, "params", []):
            display = getattr(param, "display_type", None)
            if display is None or getattr(param, "is_flag", False):
                continue
            try:
                label = display(ctx)
            except Exception:  # a type Typer cannot name: leave it as it is
                continue
            word = _VI_METAVARS.get(str(label).strip("<>"))
            if word is not None:
                param.display_type = lambda _ctx, shown=f"<{word}>": shown
                named.append(param)
        try:
            text: str = super().get_help(ctx)  # type: ignore[misc]
        finally:
            for param in named:
                del param.display_type  # back to the class's own
        for english, vietnamese in _VI_HEADINGS:
            text = text.replace(english, vietnamese)
        # a bracket the help wrapper broke across lines ("[default:" then the value below)
        text = re.sub(r"\[default:(\s)", r"[mặc định:\1", text)
        return re.sub(r"\[required\]", "[bắt buộc]", text)


class LoaCommand(VietnameseHelp, TyperCommand):
    """A command whose help speaks Vietnamese."""


class LoaGroup(VietnameseHelp, TyperGroup):
    """Turns a LoaError anywhere below into a one-line message and its exit code (no traceback)."""

    #: set once a Ctrl-C has been handled: the entry point then leaves at once (`leave_now`)
    interrupted = False

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().make_context(*args, **kwargs)
        except Exception as error:
            translated = _usage_errors_in_vietnamese(error)
            if translated is error:
                raise
            raise translated from None

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except LoaError as error:
            raise fail(error) from None
        except typer.Abort:  # a prompt ended by Ctrl-C or Ctrl-D (Typer would say "Aborted!")
            err_console().print(f"[yellow]{T('aborted')}[/]", highlight=False)
            raise typer.Exit(code=1) from None
        except KeyboardInterrupt:
            LoaGroup.interrupted = True
            err_console().print(f"[yellow]{T('interrupted')}[/]", highlight=False)
            raise typer.Exit(code=130) from None
        except Exception as error:  # never show a traceback to an officer
            translated = _usage_errors_in_vietnamese(error)
            if translated is not error:
                raise translated from None
            if os.environ.get("LOA_DEBUG") or _is_cli_flow(error):
                raise
            if isinstance(error, OSError) and error.filename:
                from loa.core.fileio import os_error_message

                err_console().print(
                    f"[bold red]{T('error')}:[/] {escape_markup(os_error_message(error))}",
                    highlight=False,
                )
                raise typer.Exit(code=1) from None
            err_console().print(
                f"[bold red]{T('error')}:[/] {T('unexpected', error=type(error).__name__)}",
                highlight=False,
            )
            raise typer.Exit(code=1) from None


def localize(app: typer.Typer) -> None:
    """Give every command registered under `app` (recursively) the localized command class."""
    for command in app.registered_commands:
        if command.cls in (None, TyperCommand):
            command.cls = LoaCommand
    for group in app.registered_groups:
        if group.typer_instance is not None:
            localize(group.typer_instance)


def sub_app(help_text: str) -> typer.Typer:
    """A sub-command group (`loa msg ...`) with the shared error handling."""
    return typer.Typer(
        cls=LoaGroup,
        help=help_text,
        no_args_is_help=True,
        rich_markup_mode=None,
        add_completion=False,
    )
