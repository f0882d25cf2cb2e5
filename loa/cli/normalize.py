"""`loa normalize`: show what the loudspeaker voice will say for a text."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from loa.core.i18n import Catalog

T = Catalog(
    {
        "help": (
            "Chuyển văn bản sang dạng đọc (số, ngày, giờ, số hiệu văn bản, chữ viết tắt...) "
            "đúng như phát thanh viên đọc.",
            "Turn text into its spoken form (numbers, dates, times, document numbers, "
            "abbreviations...) as an announcer would read it.",
        ),
        "text": ("Văn bản cần chuyển.", "The text to convert."),
        "file": (
            "Đọc văn bản UTF-8 từ tệp (- là đầu vào chuẩn); in đúng một dòng kết quả cho mỗi dòng vào.",
            "Read UTF-8 text from a file (- for standard input); prints exactly one line per input line.",
        ),
        "explain": (
            "Hiện bảng từng đoạn: văn bản gốc, cách đọc và quy tắc đã dùng.",
            "Show a table span by span: the source, its spoken form and the rule used.",
        ),
        "dictionary": (
            "Dùng thêm tệp từ điển này (thay cho tệp của đài) để thử trước khi lưu.",
            "Use this dictionary file (instead of the station's) to try it before saving.",
        ),
        "need_input": (
            'Hãy đưa văn bản: loa normalize "VĂN BẢN" hoặc loa normalize --file TỆP.',
            'Give some text: loa normalize "TEXT" or loa normalize --file FILE.',
        ),
        "both": (
            "Chỉ dùng một trong hai: VĂN BẢN hoặc --file.",
            "Use only one of TEXT or --file.",
        ),
        "no_file": ("Không đọc được tệp: {error}.", "Cannot read the file: {error}."),
        "not_utf8": (
            "Tệp {path} không phải văn bản UTF-8. Lưu lại tệp với mã hóa UTF-8 rồi chạy lại.",
            "{path} is not UTF-8 text. Save it as UTF-8 and run again.",
        ),
        "not_utf8_line": (
            "Tệp {path}, dòng {line}: không phải văn bản UTF-8 (các dòng trước đã được in). "
            "Lưu lại tệp với mã hóa UTF-8 rồi chạy lại.",
            "{path}, line {line}: not UTF-8 text (the lines before it were printed). Save it as "
            "UTF-8 and run again.",
        ),
        "explain_too_big": (
            "Tệp {path} quá lớn để hiện bảng --explain (tối đa {limit}). Dùng một đoạn ngắn hơn, "
            "hoặc bỏ --explain để đọc cả tệp.",
            "{path} is too large for the --explain table (at most {limit}). Use a shorter "
            "excerpt, or drop --explain to convert the whole file.",
        ),
        "not_regular": (
            "{path} không phải một tệp văn bản thường (mà là thư mục, thiết bị hoặc ống dẫn). "
            "Đưa đường dẫn tới một tệp .txt, hoặc dùng --file - để đọc từ đầu vào chuẩn.",
            "{path} is not a plain file (it is a folder, a device or a pipe). Give the path of "
            "a .txt file, or use --file - to read standard input.",
        ),
        "file_too_big": (
            "Tệp {path} quá lớn ({size}); loa normalize đọc tệp tối đa {limit}. Chia tệp thành "
            "nhiều phần nhỏ hơn rồi chạy lại.",
            "{path} is too large ({size}); loa normalize reads files of at most {limit}. Split "
            "it into smaller parts and run again.",
        ),
        "line_too_long": (
            "{path}, dòng {line}: dài quá {limit} mà không xuống dòng (các dòng trước đã được "
            "in). Đây có phải tệp văn bản không? Chia dòng này ra rồi chạy lại.",
            "{path}, line {line}: longer than {limit} without a line break (the lines before "
            "it were printed). Is this a text file? Break the line up and run again.",
        ),
        "col_source": ("Văn bản gốc", "Source"),
        "col_spoken": ("Đọc là", "Spoken"),
        "col_rule": ("Quy tắc", "Rule"),
        "rule_text": ("giữ nguyên", "kept as is"),
        "rule_abbreviation": ("từ viết tắt (từ điển)", "abbreviation (dictionary)"),
        "rule_spelled": ("đánh vần (không có trong từ điển)", "spelled (not in the dictionary)"),
        "rule_document": ("số hiệu văn bản", "document number"),
        "rule_date": ("ngày tháng", "date"),
        "rule_time": ("giờ", "time"),
        "rule_range": ('khoảng (đọc "đến")', 'range (read "đến")'),
        "rule_month": ("tháng", "month"),
        "rule_ordinal": ("số thứ tự", "ordinal"),
        "rule_roman": ("số La Mã", "Roman numeral"),
        "rule_number": ("số", "number"),
        "rule_decimal": ("số thập phân", "decimal"),
        "rule_list": ("liệt kê số", "list of numbers"),
        "rule_fraction": ("phân số", "fraction"),
        "rule_percent": ("phần trăm", "percentage"),
        "rule_unit": ("đơn vị đo, tiền", "unit or money"),
        "rule_phone": ("số điện thoại", "phone number"),
        "rule_code": ("mã số (đọc từng chữ số)", "code (read digit by digit)"),
        "rule_url": ("địa chỉ web", "web address"),
        "rule_email": ("thư điện tử", "e-mail address"),
        "rule_markup": ("ký hiệu định dạng (bỏ)", "formatting mark (dropped)"),
        "rule_definition": (
            "bỏ phần giải thích viết tắt lặp lại",
            "repeated abbreviation definition dropped",
        ),
        "rule_newline": ("xuống dòng", "line break"),
        "rule_bullet": ("dấu đầu dòng (đọc như gạch đầu dòng)", "bullet (read like a dash)"),
        "rule_address": ('số nhà (đọc "trên")', 'house number (read "trên")'),
        "rule_road": ("số hiệu đường (quốc lộ, tỉnh lộ)", "road code"),
        "rule_place": ("địa danh viết tắt (P., Q., TDP...)", "place abbreviation (P., Q., TDP...)"),
        "rule_dimension": ('kích thước (đọc "nhân")', 'dimensions (read "nhân")'),
        "rule_lettered": ("số kèm chữ (45B)", "number with a letter (45B)"),
        "rule_comparison": ("dấu so sánh (≥, ≤, >, <, ±)", "comparison sign (≥, ≤, >, <, ±)"),
        "rule_minus": ('dấu trừ (đọc "âm")', 'minus sign (read "âm")'),
        "rule_lookalike": ("chữ Ð sửa thành Đ", "look-alike Ð read as Đ"),
        "rule_station": ("từ điển của đài", "station dictionary"),
        "rule_rate": ('tỷ lệ, định mức (dấu "/" đọc "một")', 'rate ("/" read "một")'),
        "rule_plate": ("biển số xe", "vehicle plate"),
        "rule_chainage": (
            'lý trình (Km 12+500, đọc "cộng")',
            'road chainage (Km 12+500, read "cộng")',
        ),
        "rule_scientific": (
            'số dạng khoa học (1e6, đọc "nhân mười mũ")',
            'scientific notation (1e6, read "nhân mười mũ")',
        ),
        "rule_handle": ("tên tài khoản mạng xã hội (@...)", "social network handle (@...)"),
        "rule_rank": ('thứ hạng (4/21, đọc "trên")', 'rank (4/21, read "trên")'),
        "rule_invalid": (
            "giá trị không có thật (ngày, giờ sai), đọc như viết",
            "impossible value (no such date or time), read as written",
        ),
    }
)


# --explain prints a table row per span: beyond this a file is better read without it.
MAX_EXPLAIN_BYTES = 1024 * 1024
# A file larger than this is refused before reading (a mistaken path, a disk image).
MAX_FILE_BYTES = 100 * 1024 * 1024
# A line longer than this is refused where it is read: no text has such lines, and it bounds
# the memory and time one line takes (standard input from /dev/zero never ends a line).
MAX_LINE_BYTES = 1024 * 1024


def _megabytes(size: int) -> str:
    from loa.core.i18n import decimal

    mib = 1024 * 1024
    return f"{size // mib} MB" if size % mib == 0 else f"{decimal(size / mib)} MB"


def _open(path: Path) -> Any:
    """The file at `path` opened for reading bytes, refused (UserError) when it is not a
    regular file (a folder, /dev/zero, a pipe) or is larger than MAX_FILE_BYTES. Checked on
    the opened file itself, so the file read is the file checked."""
    import os
    import stat

    from loa.core.errors import UserError

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise UserError(T("no_file", error=_reason(exc, path))) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UserError(T("not_regular", path=path))
        if info.st_size > MAX_FILE_BYTES:
            raise UserError(
                T(
                    "file_too_big",
                    path=path,
                    size=_megabytes(info.st_size),
                    limit=_megabytes(MAX_FILE_BYTES),
                )
            )
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _read(path: Path) -> str:
    """The whole file (for --explain), refused past MAX_EXPLAIN_BYTES."""
    from loa.core.errors import UserError

    try:
        if str(path) == "-":
            data = sys.stdin.buffer.read(MAX_EXPLAIN_BYTES + 1)
        else:
            with _open(path) as fh:
                data = fh.read(MAX_EXPLAIN_BYTES + 1)
    except OSError as exc:
        raise UserError(T("no_file", error=_reason(exc, path))) from None
    if len(data) > MAX_EXPLAIN_BYTES:
        raise UserError(T("explain_too_big", path=path, limit="1 MB"))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UserError(T("not_utf8", path=path)) from None


def _stream(path: Path, dictionary: Any) -> None:
    """Normalise a file (or standard input, "-") line by line: one line read, one line written,
    so memory stays that of the longest line whatever the file's size. Lines are counted as
    `split_lines` counts them."""
    from contextlib import nullcontext

    from loa.app.spoken_text import spoken_lines
    from loa.core.errors import UserError

    source: Any = nullcontext(sys.stdin.buffer) if str(path) == "-" else _open(path)
    out = sys.stdout.buffer
    interactive = str(path) == "-"  # a pipe may wait for each answer: flush every line
    with source as fh:
        try:
            for number, raw in enumerate(iter(lambda: fh.readline(MAX_LINE_BYTES + 1), b""), 1):
                if len(raw) > MAX_LINE_BYTES:
                    out.flush()
                    limit = _megabytes(MAX_LINE_BYTES)
                    raise UserError(T("line_too_long", path=path, line=number, limit=limit))
                try:
                    line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
                except UnicodeDecodeError:
                    out.flush()
                    if number == 1:
                        raise UserError(T("not_utf8", path=path)) from None
                    raise UserError(T("not_utf8_line", path=path, line=number)) from None
                if line.endswith("\n"):
                    line = line[:-1]
                spoken = spoken_lines([line.rstrip("\r")], dictionary)[0]
                out.write(spoken.encode("utf-8") + b"\n")
                if interactive:
                    out.flush()
        except OSError as exc:
            raise UserError(T("no_file", error=_reason(exc, path))) from None
    out.flush()


def _dictionary(path: Path | None) -> Any:
    from loa.app.spoken_text import dictionary_for
    from loa.core.errors import StationNotFound

    if path is not None:
        return dictionary_for(None, path)
    from loa.cli.common import _station_dir
    from loa.core.station import find_station

    try:
        station = find_station(_station_dir)
    except StationNotFound:
        return dictionary_for(None)
    return dictionary_for(station)


def split_lines(text: str) -> list[str]:
    """Lines as other tools count them: split on "\\n", a final newline ends the last line."""
    lines = text.split("\n")
    if lines and lines[-1] == "" and text:
        lines.pop()
    return [line.rstrip("\r") for line in lines] if text else []


def _explain_table(text: str, dictionary: Any) -> Any:
    from rich.table import Table

    from loa.app.spoken_text import spans

    table = Table(T("col_source"), T("col_spoken"), T("col_rule"), show_lines=False)
    for span in spans(text, dictionary):
        if span.rule == "text" and not span.source.strip():
            continue
        rule = T(f"rule_{span.rule}") if f"rule_{span.rule}" in T.entries else span.rule
        source = "⏎" if span.rule == "newline" else span.source.strip()
        table.add_row(source, span.spoken.strip() if span.rule != "newline" else "", rule)
    return table


def normalize_command(
    text: Annotated[str | None, typer.Argument(help=T("text"), show_default=False)] = None,
    file: Annotated[Path | None, typer.Option("--file", "-f", help=T("file"))] = None,
    explain: Annotated[bool, typer.Option("--explain", "-e", help=T("explain"))] = False,
    dictionary: Annotated[
        Path | None, typer.Option("--dictionary", "-d", help=T("dictionary"))
    ] = None,
) -> None:
    from loa.core.errors import UserError

    if text is None and file is None:
        raise UserError(T("need_input"))
    if text is not None and file is not None:
        raise UserError(T("both"))
    words = _dictionary(dictionary)
    if explain:
        from loa.cli.common import console

        source = _read(file) if file is not None else str(text)
        console().print(_explain_table(source, words))
        return
    if file is not None:
        _stream(file, words)
        return
    from loa.app.spoken_text import spoken

    sys.stdout.buffer.write((spoken(str(text), words) + "\n").encode("utf-8"))
    sys.stdout.flush()


def register(app: typer.Typer) -> None:
    app.command("normalize", help=T("help"))(normalize_command)


def _reason(error: OSError, path: Path | str) -> str:
    from loa.core.fileio import os_error_reason

    return os_error_reason(error, path)
