"""Import messages from Markdown (YAML front matter), YAML, CSV, DOCX and plain text.

One file is all-or-nothing: every record is validated and created inside the caller's
transaction, and the first problem raises UserError naming the file, the line or record and the
field, so the caller's rollback leaves the database exactly as it was.

Limits (commune notices are small; these leave room for years of them in one file): a file of
at most `MAX_IMPORT_BYTES` (20 MB) is read, checked before reading it; a YAML file or front
matter may not grow by more than `MAX_YAML_ALIAS_NODES` (10 000) values through aliases
(`&name` ... `*name`), so an "alias bomb" is refused in milliseconds; and each message's fields
keep the limits of loa.content.fields (`MAX_TEXT_CHARS` for a body).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from loa.content.fields import ALIASES, FIELD_LABELS, canonical_key, check_length, clean_text
from loa.content.models import Message, MessageStatus, Topic
from loa.content.queue import approve, create
from loa.content.taxonomy import guess_topic
from loa.content.vnencoding import decode_bytes, detect_encoding, fix_text
from loa.core.errors import UserError
from loa.core.i18n import Catalog, language

T = Catalog(
    {
        "missing_file": (
            "Không tìm thấy tệp {path}. Kiểm tra lại đường dẫn.",
            "File {path} not found. Check the path.",
        ),
        "bad_ext": (
            'Không đọc được loại tệp "{ext}" ({path}). Loa đọc: .md, .yaml, .yml, .csv, .docx, .txt.',
            'Cannot read "{ext}" files ({path}). loa reads: .md, .yaml, .yml, .csv, .docx, .txt.',
        ),
        "bad_yaml": (
            "Tệp {path}, dòng {line}: YAML không hợp lệ ({problem}). Kiểm tra dấu hai chấm, thụt lề "
            "và dấu ngoặc kép ở dòng đó.",
            "File {path}, line {line}: invalid YAML ({problem}). Check colons, indentation and "
            "quotes on that line.",
        ),
        "y_colon": ("dấu hai chấm đặt sai chỗ", "a colon in the wrong place"),
        "y_no_colon": ("thiếu dấu hai chấm sau tên trường", "a missing colon after a field"),
        "y_tab": ("có ký tự Tab: chỉ thụt lề bằng dấu cách", "a Tab: indent with spaces only"),
        "y_char": ("ký tự không được phép ở đầu giá trị", "a character that cannot start a value"),
        "y_indent": ("thụt lề không đều", "uneven indentation"),
        "y_unclosed": (
            "dấu ngoặc kép hoặc ngoặc chưa đóng",
            "a quote or bracket that is never closed",
        ),
        "y_escape": ("ký tự thoát \\ không hợp lệ trong ngoặc kép", "an invalid \\ escape"),
        "y_alias": ("tham chiếu (&, *) không hợp lệ", "an invalid anchor or alias (&, *)"),
        "y_bracket": ("danh sách [ ] thiếu dấu phẩy hoặc dấu ]", "a list [ ] missing , or ]"),
        "y_brace": ("bảng { } thiếu dấu phẩy hoặc dấu }", "a table { } missing , or }"),
        "y_syntax": ("sai cú pháp YAML", "invalid YAML syntax"),
        "yaml_shape": (
            'Tệp {path}: cần một danh sách tin (hoặc khóa "messages:" chứa danh sách), mỗi tin là '
            "các cặp khóa: giá trị.",
            'File {path}: expected a list of messages (or a "messages:" key holding one), each a '
            "mapping of key: value.",
        ),
        "yaml_item": ("Tệp {path}, tin thứ {n}", "File {path}, message {n}"),
        "yaml_item_line": (
            "Tệp {path}, tin thứ {n} (dòng {line})",
            "File {path}, message {n} (line {line})",
        ),
        "csv_row": ("Tệp {path}, dòng {line}", "File {path}, line {line}"),
        "csv_missing": (
            'Tệp {path}: thiếu cột "{column}" ({label}) ở dòng tiêu đề. Các cột đang có: {have}. '
            'Thêm cột đó (có thể dùng tên tiếng Việt, ví dụ "tiêu đề", "chủ đề").',
            'File {path}: the header row lacks the column "{column}" ({label}). Columns present: '
            '{have}. Add it (Vietnamese names such as "tiêu đề" also work).',
        ),
        "csv_unknown": (
            'Tệp {path}: cột "{column}" không được hỗ trợ. Các cột hợp lệ: {valid}.',
            'File {path}: unsupported column "{column}". Valid columns: {valid}.',
        ),
        "csv_empty": (
            "Tệp {path} rỗng: không có dòng tiêu đề.",
            "File {path} is empty: no header row.",
        ),
        "csv_extra": (
            'Tệp {path}, dòng {line}: có {n} ô nhưng dòng tiêu đề chỉ có {m} cột (ô thừa: "{cell}"). '
            'Thường là do dấu "{sep}" trong nội dung: đặt ô đó trong ngoặc kép "...".',
            'File {path}, line {line}: {n} cells but the header has {m} columns (extra: "{cell}"). '
            'Usually a "{sep}" inside a text: put that cell in double quotes "...".',
        ),
        "csv_bad": (
            "Tệp {path}, dòng {line}: CSV không hợp lệ ({error}).",
            "File {path}, line {line}: invalid CSV ({error}).",
        ),
        "md_front": (
            'Tệp {path}: phần đầu (front matter) mở bằng "---" nhưng không có dòng "---" đóng lại.',
            'File {path}: the front matter opens with "---" but is never closed by "---".',
        ),
        "md_item": ("Tệp {path}", "File {path}"),
        "docx_bad": (
            "Tệp {path} không phải tệp Word .docx hợp lệ ({error}). Mở bằng Word và lưu lại dạng .docx.",
            "File {path} is not a valid Word .docx ({error}). Open it in Word and save as .docx.",
        ),
        "docx_not_zip": (
            "tệp bị hỏng hoặc không phải tệp .docx (có thể là tệp .doc cũ bị đổi tên)",
            "the file is damaged or not a .docx (perhaps an old .doc renamed)",
        ),
        "docx_no_part": (
            "thiếu phần nội dung văn bản bên trong tệp",
            "the document part inside the file is missing",
        ),
        "docx_bad_xml": (
            "nội dung bên trong tệp bị hỏng",
            "the content inside the file is damaged",
        ),
        "docx_unreadable": ("không đọc được nội dung tệp", "its content cannot be read"),
        "csv_eof": (
            'tệp kết thúc khi một ô trong ngoặc kép chưa đóng; thêm dấu " còn thiếu',
            'the file ends inside a quoted cell; add the missing "',
        ),
        "csv_nul": (
            "dòng có ký tự rỗng (NUL); lưu lại tệp dạng CSV UTF-8",
            "the line holds a NUL character; save the file again as CSV UTF-8",
        ),
        "csv_quote": (
            'sau dấu " đóng ô phải là dấu phân cách {sep}; một ô có dấu " bên trong thì viết '
            'nó hai lần ("")',
            'a closing " must be followed by the separator {sep}; write a " inside a cell twice '
            '("")',
        ),
        "csv_newline": (
            "có ký tự xuống dòng lạ giữa một ô không trong ngoặc kép; lưu lại tệp dạng CSV UTF-8",
            "a stray line break inside an unquoted cell; save the file again as CSV UTF-8",
        ),
        "csv_too_long": (
            'một ô dài quá giới hạn (131072 ký tự); có thể thiếu dấu " đóng ô',
            'a cell is longer than the limit (131072 characters); a closing " may be missing',
        ),
        "csv_other": ("cấu trúc dòng không đọc được", "the line's structure cannot be read"),
        "too_big": (
            "Tệp {path} nặng {size}, quá giới hạn {limit} cho một lần nhập. Hãy tách thành nhiều "
            "tệp nhỏ hơn.",
            "File {path} is {size}, over the {limit} limit for one import. Split it into smaller "
            "files.",
        ),
        "yaml_aliases": (
            "Tệp {path}: các bí danh YAML (&tên ... *tên) làm dữ liệu nở ra quá giới hạn {limit} "
            "giá trị. Hãy viết các giá trị ra đầy đủ thay vì dùng bí danh.",
            "File {path}: YAML aliases (&name ... *name) expand the data past the limit of "
            "{limit} values. Write the values out instead of using aliases.",
        ),
        "yaml_deep": (
            "Tệp {path}: YAML lồng nhau quá sâu.",
            "File {path}: YAML nested too deeply.",
        ),
        "not_text": (
            "Tệp {path} không phải tệp văn bản (có byte nhị phân hoặc không đọc được bằng bảng mã "
            "nào: UTF-8, UTF-16, CP1258, TCVN3, VNI). Mở tệp bằng Word hoặc Notepad rồi lưu lại "
            "dạng văn bản UTF-8 (.txt) hoặc .docx.",
            "File {path} is not a text file (binary bytes, or unreadable in every encoding: "
            "UTF-8, UTF-16, CP1258, TCVN3, VNI). Open it in Word or Notepad and save it as UTF-8 "
            "text (.txt) or .docx.",
        ),
        "empty": ("Tệp {path} không có tin nào.", "File {path} holds no message."),
        "no_title": (
            "Tệp {path}: không tìm thấy tiêu đề (dòng đầu tiên có chữ).",
            "File {path}: no title found (the first line with text).",
        ),
    }
)

MAX_IMPORT_BYTES = 20 * 1024 * 1024
MAX_YAML_ALIAS_NODES = 10_000

SUFFIXES = (".md", ".markdown", ".yaml", ".yml", ".csv", ".docx", ".txt")


@dataclass
class ImportReport:
    """What one file import did."""

    path: Path
    created: list[Message] = field(default_factory=list)
    guessed_topics: list[tuple[str, str]] = field(default_factory=list)  # (title, topic code)
    duplicates: list[tuple[str, int]] = field(default_factory=list)  # (title, existing id)
    encoding: str = "unicode"


def read_text(path: Path) -> tuple[str, str]:
    """Decode a text file: UTF-8 (with or without BOM), UTF-16/UTF-32 with BOM, or single-byte
    CP1258, TCVN3 or VNI (see `decode_bytes`). Returns (NFC text with "\\n" line ends, the
    legacy encoding converted from: "tcvn3", "vni", "cp1258", or "unicode" when none was).
    Raises UserError for what is not text (NUL bytes, control codes, no sensible reading)."""
    decoded = decode_bytes(path.read_bytes())
    if decoded is None:
        raise UserError(T("not_text", path=path.name))
    text, name = decoded
    encoding = name if name in ("tcvn3", "vni", "cp1258") else "unicode"
    return text.replace("\r\n", "\n").replace("\r", "\n"), encoding


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".replace(".", ",") + " MB"


class _AliasBomb(Exception):
    """YAML whose aliases expand past MAX_YAML_ALIAS_NODES (or refer to themselves)."""


def _expanded_extra(root: Any) -> int:
    """How many nodes aliases add when the composed YAML graph is expanded as a tree: counted
    once per distinct node (memoised, iterative), so a billion-laughs graph costs microseconds.
    Raises _AliasBomb on a cycle or past the limit."""
    import yaml

    sizes: dict[int, int] = {}
    unique: set[int] = set()
    active: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            active.discard(key)
            if isinstance(node, yaml.MappingNode):
                children = [n for pair in node.value for n in pair]
            else:
                children = list(node.value)
            sizes[key] = 1 + sum(sizes[id(c)] for c in children)
            if sizes[key] - len(unique) > MAX_YAML_ALIAS_NODES:
                raise _AliasBomb()
            continue
        if key in sizes:
            continue
        if key in active:
            raise _AliasBomb()  # a node that contains itself never ends
        unique.add(key)
        if isinstance(node, yaml.ScalarNode):
            sizes[key] = 1
            continue
        active.add(key)
        stack.append((node, True))
        if isinstance(node, yaml.MappingNode):
            stack.extend((n, False) for pair in node.value for n in pair)
        else:
            stack.extend((n, False) for n in node.value)
    return sizes[id(root)] - len(unique)


#: The implicit types a message file's plain scalars keep: null (an empty value) and the merge
#: key `<<` (shared fields, `<<: *common`); everything else is text. A title
#: `yes` stays the word "yes" (not True), `2026-02-30` stays text for the date parser to refuse
#: with the file and line (PyYAML raised a bare ValueError), `1e3` stays "1e3".
_KEPT_IMPLICIT = {"tag:yaml.org,2002:null", "tag:yaml.org,2002:merge"}


class _Located(dict):  # type: ignore[type-arg]
    """A YAML mapping that knows the line it starts on (1-based, in the text parsed)."""

    line: int = 0


def _loader() -> Any:
    import yaml

    class LimitedLoader(yaml.SafeLoader):
        """safe_load that checks how far aliases expand before building any value, reads
        plain scalars as text (but null), and records where each mapping starts."""

        yaml_implicit_resolvers = {  # noqa: RUF012 (PyYAML reads it from the class)
            first: [(tag, regexp) for tag, regexp in resolvers if tag in _KEPT_IMPLICIT]
            for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
        }

        def construct_located_map(self, node: Any) -> Any:
            data = _Located()
            data.line = node.start_mark.line + 1
            yield data
            data.update(self.construct_mapping(node))

        def get_single_data(self) -> Any:
            node = self.get_single_node()
            if node is None:
                return None
            _expanded_extra(node)
            return self.construct_document(node)

    LimitedLoader.add_constructor("tag:yaml.org,2002:map", LimitedLoader.construct_located_map)
    return LimitedLoader


def _yaml_load(text: str, path: Path, *, first_line: int = 1) -> Any:
    """Parse YAML; an error names the line where the faulty construct begins (an unclosed
    bracket or quote is found lines later), counted in the file (`first_line`: where `text`
    starts in it)."""
    import yaml

    try:
        return yaml.load(text, Loader=_loader())  # a SafeLoader
    except _AliasBomb:
        raise UserError(
            T("yaml_aliases", path=path.name, limit=f"{MAX_YAML_ALIAS_NODES:,}".replace(",", "."))
        ) from None
    except RecursionError:
        raise UserError(T("yaml_deep", path=path.name)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        line = mark.line + first_line if mark is not None else "?"
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        problem = yaml_problem(problem)
        raise UserError(T("bad_yaml", path=path.name, line=line, problem=problem)) from None


#: PyYAML's problem sentences (their start) and what they mean, for Vietnamese output.
_YAML_PROBLEMS = (
    ("mapping values are not allowed", "y_colon"),
    ("could not find expected ':'", "y_no_colon"),
    ("found character '\\t'", "y_tab"),
    ("found character", "y_char"),
    ("did not find expected key", "y_indent"),
    ("did not find expected", "y_indent"),
    ("expected <block end>", "y_indent"),
    ("found unexpected end of stream", "y_unclosed"),
    ("found unknown escape character", "y_escape"),
    ("found undefined alias", "y_alias"),
    ("found duplicate anchor", "y_alias"),
    ("expected ',' or ']'", "y_bracket"),
    ("expected ',' or '}'", "y_brace"),
)


def yaml_problem(problem: str) -> str:
    """PyYAML's English problem said in the user's language (kept as is in English)."""
    if language() == "en":
        return problem
    for start, key in _YAML_PROBLEMS:
        if problem.startswith(start):
            return T(key)
    return T("y_syntax")


def _records_yaml(path: Path, text: str) -> Iterator[tuple[str, dict[str, Any]]]:
    data = _yaml_load(text, path)
    if isinstance(data, dict) and "messages" in data:
        data = data["messages"]
    elif isinstance(data, dict):
        data = [data]
    if not isinstance(data, list) or not all(isinstance(d, dict) for d in data):
        raise UserError(T("yaml_shape", path=path.name))
    for n, item in enumerate(data, start=1):
        line = getattr(item, "line", 0)
        where = (
            T("yaml_item_line", path=path.name, n=n, line=line)
            if line
            else T("yaml_item", path=path.name, n=n)
        )
        yield where, item


def _records_md(path: Path, text: str) -> Iterator[tuple[str, dict[str, Any]]]:
    meta: dict[str, Any] = {}
    body = text
    if text.lstrip().startswith("---"):
        skipped = text[: len(text) - len(text.lstrip())].count("\n")
        lines = text.lstrip().split("\n")
        try:
            end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
        except StopIteration:
            raise UserError(T("md_front", path=path.name)) from None
        loaded = _yaml_load("\n".join(lines[1:end]), path, first_line=skipped + 2) or {}
        if not isinstance(loaded, dict):
            raise UserError(T("yaml_shape", path=path.name))
        meta = loaded
        body = "\n".join(lines[end + 1 :])
    body = body.strip()
    if not clean_text(meta.get("title") or meta.get("tiêu đề")):
        m = re.match(r"^#\s+(.+)$", body, re.MULTILINE)
        if m:
            meta["title"] = m.group(1).strip()
            body = (body[: m.start()] + body[m.end() :]).strip()
    if body and "body" not in meta and "nội dung" not in meta:
        meta["body"] = body
    yield T("md_item", path=path.name), meta


def _csv_reason(error: csv.Error, delimiter: str) -> str:
    """What the csv module's English error means, in the user's language."""
    text = str(error).lower()
    if "unexpected end of data" in text or "eof" in text:
        return T("csv_eof")
    if "nul" in text:
        return T("csv_nul")
    if "expected after" in text:
        return T("csv_quote", sep="tab" if delimiter == "\t" else delimiter)
    if "new-line" in text or "newline" in text:
        return T("csv_newline")
    if "field larger" in text:
        return T("csv_too_long")
    return T("csv_other")


def _sniff_delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def _records_csv(path: Path, text: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if not text.strip():
        raise UserError(T("csv_empty", path=path.name))
    delimiter = _sniff_delimiter(text.split("\n", 1)[0])
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise UserError(
            T("csv_bad", path=path.name, line=1, error=_csv_reason(exc, delimiter))
        ) from None
    fields: list[str | None] = []
    for column in header:
        key = canonical_key(column) if column.strip() else None
        if column.strip() and key is None:
            raise UserError(
                T(
                    "csv_unknown",
                    path=path.name,
                    column=column,
                    valid=", ".join(sorted({v for v in ALIASES.values()})),
                )
            )
        fields.append(key)

    for required in ("title", "topic"):
        if required not in fields:
            raise UserError(
                T(
                    "csv_missing",
                    path=path.name,
                    column=required,
                    label=FIELD_LABELS[required],
                    have=", ".join(h for h in header if h.strip()) or "-",
                )
            )
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            extra = [cell for cell in row[len(fields) :] if cell.strip()]
            if extra:
                # usually a comma inside a cell that was not quoted: the text would be cut short
                raise UserError(
                    T(
                        "csv_extra",
                        path=path.name,
                        line=line,
                        n=len(row),
                        m=len(fields),
                        cell=extra[0][:60],
                        sep=delimiter,
                    )
                )
            record = {f: v for f, v in zip(fields, row, strict=False) if f is not None}
            yield T("csv_row", path=path.name, line=line), record
    except csv.Error as exc:
        raise UserError(
            T("csv_bad", path=path.name, line=reader.line_num, error=_csv_reason(exc, delimiter))
        ) from None


_META_LINE = re.compile(r"^\s*([^:]{2,40}):\s*(.+)$")


def _records_plain(path: Path, lines: list[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Plain text or DOCX paragraphs: first line the title, then optional `Khóa: giá trị` lines,
    then the body."""
    lines = [clean_text(line) for line in lines]
    while lines and not lines[0]:
        lines.pop(0)
    if not lines:
        raise UserError(T("no_title", path=path.name))
    record: dict[str, Any] = {}
    first = _META_LINE.match(lines[0])
    if not (first and canonical_key(first.group(1)) == "title"):
        record["title"] = lines.pop(0)
    while lines:
        m = _META_LINE.match(lines[0])
        key = canonical_key(m.group(1)) if m else None
        if not key or key in ("body",):
            break
        record[key] = m.group(2).strip() if m else ""
        lines.pop(0)
    record["body"] = "\n".join(lines).strip()
    yield T("md_item", path=path.name), record


def _docx_reason(error: Exception) -> str:
    """Why python-docx could not open a file, in the user's language (never its class name)."""
    import zipfile

    name = type(error).__name__
    if isinstance(error, zipfile.BadZipFile) or name == "PackageNotFoundError":
        return T("docx_not_zip")
    if isinstance(error, KeyError):
        return T("docx_no_part")
    if "XMLSyntaxError" in name or "ParseError" in name:
        return T("docx_bad_xml")
    return T("docx_unreadable")


def _docx_lines(path: Path) -> list[str]:
    try:
        import docx

        document = docx.Document(str(path))
    except Exception as exc:
        raise UserError(T("docx_bad", path=path.name, error=_docx_reason(exc))) from None
    return [p.text for p in document.paragraphs]


def read_records(path: Path) -> tuple[list[tuple[str, dict[str, Any]]], str]:
    """Parse a file into (place, raw fields) records and the legacy encoding found, if any."""
    if not path.is_file():
        raise UserError(T("missing_file", path=path))
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise UserError(T("bad_ext", ext=suffix or path.name, path=path.name))
    size = path.stat().st_size
    if size > MAX_IMPORT_BYTES:
        raise UserError(
            T("too_big", path=path.name, size=_megabytes(size), limit=_megabytes(MAX_IMPORT_BYTES))
        )
    if suffix == ".docx":
        raw_lines = _docx_lines(path)
        encoding = detect_encoding("\n".join(raw_lines))
        return list(_records_plain(path, raw_lines)), encoding
    text, encoding = read_text(path)
    if suffix in (".yaml", ".yml"):
        records = list(_records_yaml(path, text))
    elif suffix in (".md", ".markdown"):
        records = list(_records_md(path, text))
    elif suffix == ".csv":
        records = list(_records_csv(path, text))
    else:
        records = list(_records_plain(path, text.split("\n")))
    return records, encoding


def _checked_file(
    raw: dict[str, Any],
    check: Callable[[str, Path], Any],
    folder: Path,
    where: str,
    field: str,
) -> dict[str, Any]:
    """`raw` with its `field` (a file it names: "image", "audio") replaced by what `check` says
    to store; a UserError of `check` names the record."""
    out = dict(raw)
    for name, value in raw.items():
        if canonical_key(str(name)) == field and clean_text(value):
            try:
                out[name] = check(clean_text(value), folder)
            except UserError as exc:
                raise UserError(f"{where}: {exc}") from None
    return out


def import_file(
    session: Session,
    path: Path,
    default_topic: str | None = None,
    approve_as: str | None = None,
    now: datetime | None = None,
    allow_duplicates: bool = False,
    photo: Callable[[str, Path], str] | None = None,
    audio: Callable[[str, Path], dict[str, Any]] | None = None,
) -> ImportReport:
    """Create every message in `path` inside the caller's transaction (all or nothing).

    `photo(value, folder)` checks a record's image and says what to store (the CLI passes the
    channels' check, which finds a file from the import file's folder or the station folder);
    a UserError it raises names the record. `audio(value, folder)` does the same for a
    record's recording (the door checks and keeps the file: `loa.app.recordings`); without it,
    a record naming a recording is refused.

    A record without a topic takes `default_topic`, else a topic guessed from its words (listed in
    the report). With `approve_as`, the new messages are approved by that person. A record whose
    title and body equal a message already in the queue (not archived) is skipped and listed,
    unless `allow_duplicates`.
    """
    records, encoding = read_records(path)
    if not records:
        raise UserError(T("empty", path=path.name))
    report = ImportReport(path=path, encoding=encoding)
    known = set(session.scalars(select(Topic.code)))
    existing = {
        (m.title, m.body): m.id
        for m in session.scalars(select(Message).where(Message.status != MessageStatus.ARCHIVED))
    }
    for where, raw in records:
        for name, value in raw.items():  # before any work on a huge value (topic guess...)
            field_name = canonical_key(str(name))
            if field_name is not None:
                check_length(field_name, value, where)
        if photo is not None:
            raw = _checked_file(raw, photo, path.parent, where, "image")
        if audio is not None:
            raw = _checked_file(raw, audio, path.parent, where, "audio")
        key = (
            clean_text(raw.get("title") or raw.get("tiêu đề")),
            clean_text(raw.get("body") or raw.get("nội dung")),
        )
        if not allow_duplicates and key in existing:
            report.duplicates.append((key[0], existing[key]))
            continue
        if not clean_text(raw.get("topic") or raw.get("chủ đề")):
            raw = {k: v for k, v in raw.items() if canonical_key(str(k)) != "topic"}
            if default_topic:
                raw["topic"] = default_topic
            else:
                text = f"{raw.get('title', '')} {raw.get('body', '')}"
                raw["topic"] = guess_topic(fix_text(str(text)), known)
                report.guessed_topics.append((clean_text(raw.get("title")), raw["topic"]))
        message = create(session, raw, where, now=now)
        if approve_as:
            approve(session, message.id, approve_as, now=now)
        report.created.append(message)
        existing[(message.title, message.body)] = message.id
    return report
