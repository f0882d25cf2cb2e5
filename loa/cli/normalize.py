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
        "no_file": (
            "Không đọc được tệp {path}: {error}. Kiểm tra đường dẫn.",
            "Cannot read {path}: {error}. Check the path.",
        ),
        "not_utf8": (
            "Tệp {path} không phải văn bản UTF-8. Lưu lại tệp với mã hóa UTF-8 rồi chạy lại.",
            "{path} is not UTF-8 text. Save it as UTF-8 and run again.",
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
    }
)


def _read(path: Path) -> str:
    from loa.core.errors import UserError

    try:
        data = sys.stdin.buffer.read() if str(path) == "-" else path.read_bytes()
    except OSError as exc:
        raise UserError(T("no_file", path=path, error=exc.strerror or exc)) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UserError(T("not_utf8", path=path)) from None


def _dictionary(path: Path | None) -> Any:
    from loa.content.normalize import builtin_dictionary, load_dictionary, station_dictionary
    from loa.core.errors import StationNotFound

    if path is not None:
        return builtin_dictionary().merged(load_dictionary(path))
    from loa.cli.common import _station_dir
    from loa.core.station import find_station

    try:
        station = find_station(_station_dir)
    except StationNotFound:
        return builtin_dictionary()
    return station_dictionary(station)


def split_lines(text: str) -> list[str]:
    """Lines as other tools count them: split on "\\n", a final newline ends the last line."""
    lines = text.split("\n")
    if lines and lines[-1] == "" and text:
        lines.pop()
    return [line.rstrip("\r") for line in lines] if text else []


def _explain_table(text: str, dictionary: Any) -> Any:
    from rich.table import Table

    from loa.content.normalize import explain

    table = Table(T("col_source"), T("col_spoken"), T("col_rule"), show_lines=False)
    for span in explain(text, dictionary):
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
    source = _read(file) if file is not None else str(text)
    words = _dictionary(dictionary)
    if explain:
        from loa.cli.common import console

        console().print(_explain_table(source, words))
        return
    from loa.content.normalize import normalize, normalize_lines

    if file is not None:
        output = "".join(line + "\n" for line in normalize_lines(split_lines(source), words))
    else:
        output = normalize(source, words) + "\n"
    sys.stdout.buffer.write(output.encode("utf-8"))
    sys.stdout.flush()


def register(app: typer.Typer) -> None:
    app.command("normalize", help=T("help"))(normalize_command)
