"""Import messages from Markdown (YAML front matter), YAML, CSV, DOCX and plain text.

One file is all-or-nothing: every record is validated and created inside the caller's
transaction, and the first problem raises UserError naming the file, the line or record and the
field, so the caller's rollback leaves the database exactly as it was.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from loa.content.fields import ALIASES, FIELD_LABELS, canonical_key, clean_text
from loa.content.models import Message, MessageStatus, Topic
from loa.content.queue import approve, create
from loa.content.taxonomy import guess_topic
from loa.content.vnencoding import detect_encoding, fix_text
from loa.core.errors import UserError
from loa.core.i18n import Catalog

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
        "yaml_shape": (
            'Tệp {path}: cần một danh sách tin (hoặc khóa "messages:" chứa danh sách), mỗi tin là '
            "các cặp khóa: giá trị.",
            'File {path}: expected a list of messages (or a "messages:" key holding one), each a '
            "mapping of key: value.",
        ),
        "yaml_item": ("Tệp {path}, tin thứ {n}", "File {path}, message {n}"),
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
        "empty": ("Tệp {path} không có tin nào.", "File {path} holds no message."),
        "no_title": (
            "Tệp {path}: không tìm thấy tiêu đề (dòng đầu tiên có chữ).",
            "File {path}: no title found (the first line with text).",
        ),
    }
)

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
    """Decode a text file (UTF-8, UTF-8 with BOM, or single-byte legacy), fixing TCVN3/VNI.
    Returns (text, encoding detected)."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")  # legacy font files are single-byte
    encoding = detect_encoding(text)
    return fix_text(text).replace("\r\n", "\n").replace("\r", "\n"), encoding


def _yaml_load(text: str, path: Path, *, first_line: int = 1) -> Any:
    """Parse YAML; an error names the line where the faulty construct begins (an unclosed
    bracket or quote is found lines later), counted in the file (`first_line`: where `text`
    starts in it)."""
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        line = mark.line + first_line if mark is not None else "?"
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise UserError(T("bad_yaml", path=path.name, line=line, problem=problem)) from None


def _records_yaml(path: Path, text: str) -> Iterator[tuple[str, dict[str, Any]]]:
    data = _yaml_load(text, path)
    if isinstance(data, dict) and "messages" in data:
        data = data["messages"]
    elif isinstance(data, dict):
        data = [data]
    if not isinstance(data, list) or not all(isinstance(d, dict) for d in data):
        raise UserError(T("yaml_shape", path=path.name))
    for n, item in enumerate(data, start=1):
        yield T("yaml_item", path=path.name, n=n), item


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
        raise UserError(T("csv_bad", path=path.name, line=1, error=exc)) from None
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
        raise UserError(T("csv_bad", path=path.name, line=reader.line_num, error=exc)) from None


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


def _docx_lines(path: Path) -> list[str]:
    try:
        import docx

        document = docx.Document(str(path))
    except Exception as exc:
        raise UserError(T("docx_bad", path=path.name, error=type(exc).__name__)) from None
    return [p.text for p in document.paragraphs]


def read_records(path: Path) -> tuple[list[tuple[str, dict[str, Any]]], str]:
    """Parse a file into (place, raw fields) records and the legacy encoding found, if any."""
    if not path.is_file():
        raise UserError(T("missing_file", path=path))
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise UserError(T("bad_ext", ext=suffix or path.name, path=path.name))
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


def import_file(
    session: Session,
    path: Path,
    default_topic: str | None = None,
    approve_as: str | None = None,
    now: datetime | None = None,
    allow_duplicates: bool = False,
) -> ImportReport:
    """Create every message in `path` inside the caller's transaction (all or nothing).

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
