"""Parsing and validating message fields from any source (flags, YAML, CSV, DOCX, prompts).

Every parser raises UserError with a Vietnamese message naming the field (and the place, when the
caller gives one) and saying how to fix it.

Size limits of one message (a commune notice is a few hundred words; the longest decrees read
on air run to some 20 000 characters): a title of at most `MAX_TITLE_CHARS` (300) characters,
a body, radio script or post text of at most `MAX_TEXT_CHARS` (100 000) characters each, and
the short fields (source document, image, link) of at most `MAX_SHORT_CHARS` (2 000). Longer
values are refused before any other work on them, naming the field and the limit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from loa.content.models import Audience, Priority, Topic
from loa.content.vnencoding import fix_text
from loa.core import dates as core_dates
from loa.core.errors import UserError
from loa.core.i18n import Catalog

T = Catalog(
    {
        "at": ("{where}: ", "{where}: "),
        "bad_date": ('{at}trường "{field}": {reason}', '{at}field "{field}": {reason}'),
        "bad_range": (
            "{at}ngày hết hiệu lực {until} trước ngày bắt đầu hiệu lực {start}. Hãy sửa một trong hai.",
            "{at}valid_until {until} is before valid_from {start}. Fix one of them.",
        ),
        "unknown_topic": (
            '{at}chủ đề "{value}" không có trong danh mục. Các chủ đề hợp lệ: {valid}.',
            '{at}unknown topic "{value}". Valid topics: {valid}.',
        ),
        "unknown_audience": (
            '{at}đối tượng "{value}" không có trong danh mục. Các đối tượng hợp lệ: {valid}.',
            '{at}unknown audience "{value}". Valid audiences: {valid}.',
        ),
        "unknown_channel": (
            '{at}kênh "{value}" không hợp lệ. Các kênh: {valid}.',
            '{at}unknown channel "{value}". Channels: {valid}.',
        ),
        "unknown_priority": (
            '{at}mức ưu tiên "{value}" không hợp lệ. Dùng: thông thường (normal), ưu tiên (high), '
            "khẩn cấp (urgent).",
            '{at}unknown priority "{value}". Use: normal, high, urgent.',
        ),
        "bad_int": (
            '{at}trường "{field}" phải là số nguyên từ {low} đến {high}, không phải "{value}".',
            '{at}field "{field}" must be a whole number from {low} to {high}, not "{value}".',
        ),
        "missing": (
            '{at}thiếu trường bắt buộc "{field}" ({label}).',
            '{at}the required field "{field}" ({label}) is missing.',
        ),
        "unknown_field": (
            '{at}trường "{field}" không được hỗ trợ. Các trường: {valid}.',
            '{at}unsupported field "{field}". Fields: {valid}.',
        ),
        "bad_address": (
            "{at}«{value}» (trường {label}) không phải địa chỉ http:// hoặc https://. Ghi đầy "
            "đủ, ví dụ https://dichvucong.gov.vn.",
            "{at}“{value}” (field {field}) is not an http:// or https:// address. Write it in "
            "full, for example https://dichvucong.gov.vn.",
        ),
        "too_long": (
            "{at}tiêu đề dài {n} ký tự, tối đa {limit}. Hãy rút gọn tiêu đề.",
            "{at}the title is {n} characters long, at most {limit}. Shorten it.",
        ),
        "control_char": (
            '{at}trường "{field}" ({label}) có ký tự điều khiển {code}{name} ở vị trí {pos}: ký '
            "tự này không hiện ra mà làm sai hoặc đảo chữ khi đọc, đăng. Xóa nó rồi nhập lại.",
            '{at}the field "{field}" ({label}) holds the control character {code}{name} at '
            "position {pos}: it does not show, and garbles or reverses the text where it is read "
            "or posted. Remove it and enter the text again.",
        ),
        "not_scalar": (
            '{at}trường "{field}" ({label}) cần một giá trị, không phải {what}. Viết nó trên '
            "một dòng (văn bản nhiều dòng thì dùng | rồi xuống dòng).",
            '{at}the field "{field}" ({label}) needs one value, not {what}. Write it on one '
            "line (for text over several lines, use | and a line break).",
        ),
        "a_list": ("một danh sách", "a list"),
        "a_table": ("một bảng khóa: giá trị", "a key: value table"),
        "bidi_name": (" (đảo chiều chữ)", " (text direction override)"),
        "audio_unchecked": (
            "{at}tệp ghi âm «{value}» chưa được kiểm tra: gắn tệp bằng loa msg add/edit --audio "
            "TỆP, trong biểu mẫu tin của trang quản lý, hoặc ghi tên tệp ở cột ghi âm của tệp nhập.",
            "{at}the recording “{value}” was not checked: attach it with loa msg add/edit --audio "
            "FILE, in the dashboard's message form, or name it in the recording column of an "
            "import file.",
        ),
        "text_too_long": (
            '{at}trường "{field}" ({label}) dài {n} ký tự, tối đa {limit} ký tự cho một tin. '
            "Hãy rút gọn hoặc tách thành nhiều tin.",
            '{at}the field "{field}" ({label}) is {n} characters long, at most {limit} for one '
            "message. Shorten it or split it into several messages.",
        ),
    }
)

MAX_TITLE_CHARS = 300
MAX_TEXT_CHARS = 100_000  # body, radio_script, post_text
MAX_SHORT_CHARS = 2_000  # source_document, image, link
_LONG_FIELDS = ("body", "radio_script", "post_text")
_LIST_FIELDS = ("audiences", "channels")  # the fields that may hold a list


#: A URL scheme ("https:", "javascript:"); one letter is a Windows drive ("C:\\anh.jpg").
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]+):")


def check_address(field: str, text: str, where: str | None = None) -> None:
    """A link must be an http(s) address; a photo may be a file path or an http(s) address.
    Anything else ("javascript:", "data:", "ftp:", "dichvucong.gov.vn") would be shown on the
    commune's pages as a link nobody can follow, or worse."""
    from urllib.parse import urlsplit

    scheme = _SCHEME.match(text)
    if field == "image" and scheme is None:
        return  # a file in the station folder
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        label = FIELD_LABELS[field]
        raise UserError(T("bad_address", at=_at(where), label=label, field=field, value=text[:80]))


#: Direction overrides and isolates (U+202A-U+202E, U+2066-U+2069): they make text read in an
#: order other than it is written ("Trojan source"); no message needs them.
_BIDI_CONTROLS = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))


def check_characters(field: str, value: Any, where: str | None = None) -> None:
    """Refuse a text field holding a control code (but tab and line breaks), a C1 control or a
    text-direction override: what an import file may not hold, typed or edited either."""
    if not isinstance(value, str):
        return
    for pos, ch in enumerate(value, start=1):
        code = ord(ch)
        bidi = ch in _BIDI_CONTROLS
        if bidi or (code < 32 and ch not in "\t\n\r\f\v") or 0x7F <= code < 0xA0:
            raise UserError(
                T(
                    "control_char",
                    at=_at(where),
                    field=field,
                    label=FIELD_LABELS.get(field, field),
                    code=f"U+{code:04X}",
                    name=T("bidi_name") if bidi else "",
                    pos=pos,
                )
            )


def check_length(field: str, value: Any, where: str | None = None) -> None:
    """Refuse a text field longer than its limit (counted on the raw value, before cleaning)."""
    if field == "title" or not isinstance(value, str):
        return
    limit = MAX_TEXT_CHARS if field in _LONG_FIELDS else MAX_SHORT_CHARS
    if len(value) > limit:
        raise UserError(
            T(
                "text_too_long",
                at=_at(where),
                field=field,
                label=FIELD_LABELS.get(field, field),
                n=f"{len(value):,}".replace(",", "."),
                limit=f"{limit:,}".replace(",", "."),
            )
        )


FIELD_LABELS = {
    "title": "tiêu đề",
    "body": "nội dung",
    "topic": "chủ đề",
    "audiences": "đối tượng",
    "source_document": "văn bản nguồn",
    "valid_from": "hiệu lực từ",
    "valid_until": "hiệu lực đến",
    "priority": "mức ưu tiên",
    "airings_per_week": "số lượt phát mỗi tuần",
    "channels": "kênh",
    "radio_script": "kịch bản đọc trên đài",
    "post_text": "bài đăng",
    "image": "ảnh",
    "link": "liên kết",
    "audio": "ghi âm",
}

# Column or key names officers write, mapped to field names (lowercase, accents kept).
ALIASES = {
    **{k: k for k in FIELD_LABELS},
    **{v: k for k, v in FIELD_LABELS.items()},
    "tieu de": "title",
    "tiêu đề tin": "title",
    "nội dung tin": "body",
    "noi dung": "body",
    "chu de": "topic",
    "lĩnh vực": "topic",
    "doi tuong": "audiences",
    "đối tượng tuyên truyền": "audiences",
    "nguồn": "source_document",
    "văn bản": "source_document",
    "căn cứ": "source_document",
    "source": "source_document",
    "từ ngày": "valid_from",
    "đến ngày": "valid_until",
    "ưu tiên": "priority",
    "lượt phát/tuần": "airings_per_week",
    "số lượt phát": "airings_per_week",
    "airings": "airings_per_week",
    "kênh phát": "channels",
    "kịch bản": "radio_script",
    "kịch bản đài": "radio_script",
    "bài viết": "post_text",
    "hình ảnh": "image",
    "tệp ghi âm": "audio",
    "file ghi âm": "audio",
    "ghi am": "audio",
    "âm thanh": "audio",
    "recording": "audio",
    "audio file": "audio",
    "id": "id",
    "status": "status",
    "trạng thái": "status",
    "approved_by": "approved_by",
    "approved_at": "approved_at",
    "campaign_id": "campaign_id",
}
IGNORED_KEYS = {"id", "status", "approved_by", "approved_at", "campaign_id"}

PRIORITY_WORDS = {
    "normal": Priority.NORMAL,
    "thông thường": Priority.NORMAL,
    "thuong": Priority.NORMAL,
    "thường": Priority.NORMAL,
    "high": Priority.HIGH,
    "ưu tiên": Priority.HIGH,
    "uu tien": Priority.HIGH,
    "cao": Priority.HIGH,
    "urgent": Priority.URGENT,
    "khẩn cấp": Priority.URGENT,
    "khẩn": Priority.URGENT,
    "khan cap": Priority.URGENT,
}


def _at(where: str | None) -> str:
    return T("at", where=where) if where else ""


def clean_text(value: Any) -> str:
    """Stored text is NFC Unicode, legacy TCVN3/VNI converted, outer whitespace trimmed."""
    if value is None:
        return ""
    return fix_text(str(value)).strip()


def canonical_key(key: str) -> str | None:
    k = clean_text(key).lower().strip().replace("_", " ")
    return ALIASES.get(k) or ALIASES.get(k.replace(" ", "_"))


def parse_date(
    value: Any, field: str, where: str | None = None, *, today: date | None = None
) -> date | None:
    """A date field (valid_from, valid_until) from a file or an option: a date object (YAML,
    DOCX tables) or any form loa.core.dates.parse_date reads; empty means None. Relative words
    ("hôm nay", "mai") only count when the caller gives `today`. Raises UserError naming the
    field and place."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return core_dates.parse_date(value, today=today)
    except UserError as error:
        raise UserError(T("bad_date", at=_at(where), field=field, reason=error)) from None


def check_validity(start: date | None, until: date | None, where: str | None = None) -> None:
    """Raise UserError when a validity window ends before it starts."""
    if start and until and until < start:
        raise UserError(
            T(
                "bad_range",
                at=_at(where),
                start=start.strftime("%d/%m/%Y"),
                until=until.strftime("%d/%m/%Y"),
            )
        )


def split_list(value: Any) -> list[str]:
    if value is None:
        return []
    items: Iterable[Any] = (
        value if isinstance(value, list | tuple) else re.split(r"[;,\n]", str(value))
    )
    return [clean_text(v) for v in items if clean_text(v)]


def _norm(s: str) -> str:
    return clean_text(s).lower()


def _choices(entries: Sequence[Topic] | Sequence[Audience]) -> str:
    """Valid taxonomy entries for people: each name (in the user's language) and its code, which
    is accepted too: "Cải cách thể chế (institutional); Thủ tục hành chính (procedures)"."""
    return "; ".join(f"{e.label} ({e.code})" for e in entries)


def resolve_topic(session: Session, value: Any, where: str | None = None) -> str:
    wanted = _norm(value)
    topics = list(session.scalars(select(Topic).order_by(Topic.position, Topic.code)))
    for t in topics:
        if wanted in (t.code.lower(), _norm(t.name), _norm(t.name_en)):
            return t.code
    raise UserError(
        T(
            "unknown_topic",
            at=_at(where),
            value=clean_text(value),
            valid=_choices(topics),
        )
    )


def resolve_audiences(session: Session, value: Any, where: str | None = None) -> list[str]:
    audiences = list(session.scalars(select(Audience).order_by(Audience.position)))
    out: list[str] = []
    for item in split_list(value):
        wanted = _norm(item)
        for a in audiences:
            if wanted in (a.code.lower(), _norm(a.name), _norm(a.name_en)):
                if a.code not in out:
                    out.append(a.code)
                break
        else:
            raise UserError(
                T(
                    "unknown_audience",
                    at=_at(where),
                    value=item,
                    valid=_choices(audiences),
                )
            )
    return out


def parse_channels(value: Any, where: str | None = None) -> list[str]:
    from loa.core.registry import channel_label, channel_names, channel_words

    words = channel_words()
    out: list[str] = []
    for item in split_list(value):
        code = words.get(_norm(item))
        if code is None:
            valid = ", ".join(f"{n} ({channel_label(n)})" for n in channel_names())
            raise UserError(T("unknown_channel", at=_at(where), value=item, valid=valid))
        if code not in out:
            out.append(code)
    return out


def parse_priority(value: Any, where: str | None = None) -> Priority:
    if value is None or not str(value).strip():
        return Priority.NORMAL
    priority = PRIORITY_WORDS.get(_norm(value))
    if priority is None:
        raise UserError(T("unknown_priority", at=_at(where), value=clean_text(value)))
    return priority


def parse_int(value: Any, field: str, low: int, high: int, where: str | None = None) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise UserError(
            T("bad_int", at=_at(where), field=field, low=low, high=high, value=value)
        ) from None
    if not low <= number <= high:
        raise UserError(T("bad_int", at=_at(where), field=field, low=low, high=high, value=value))
    return number


#: A kept recording's name ("<sha256>.<ext>"), as `loa.audio.recording` names it.
AUDIO_REF = re.compile(r"^[0-9a-f]{64}\.(mp3|m4a|aac|ogg|amr|wav|webm)$")


def parse_audio(value: Any, where: str | None = None) -> dict[str, Any]:
    """A message's recording: empty clears it; a mapping {ref, name, seconds} is a recording
    already checked and kept (`loa.audio.recording.keep`, through the door's callback). Anything
    else (a path nobody checked) raises UserError saying how to attach it."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return {"audio": None, "audio_name": None, "audio_seconds": None}
    if isinstance(value, dict) and AUDIO_REF.match(str(value.get("ref", ""))):
        seconds = value.get("seconds")
        return {
            "audio": str(value["ref"]),
            "audio_name": clean_text(value.get("name"))[:300] or None,
            "audio_seconds": float(seconds) if isinstance(seconds, int | float) else None,
        }
    raise UserError(T("audio_unchecked", at=_at(where), value=clean_text(value)[:80]))


def validate(
    session: Session, raw: dict[str, Any], where: str | None = None, partial: bool = False
) -> dict[str, Any]:
    """Turn raw field values (any known key or Vietnamese alias) into clean model values.

    With `partial`, only the given fields are returned (for edits); otherwise title and topic are
    required and defaults fill the rest. Raises UserError naming the field and place.
    """
    data: dict[str, Any] = {}
    for key, value in raw.items():
        field = canonical_key(str(key))
        if field is None:
            raise UserError(
                T("unknown_field", at=_at(where), field=key, valid=", ".join(FIELD_LABELS))
            )
        if field in IGNORED_KEYS:
            continue
        data[field] = value
    for field, value in data.items():
        checked_audio = field == "audio" and isinstance(value, dict)  # a kept recording's record
        if (
            field not in _LIST_FIELDS
            and not checked_audio
            and isinstance(value, (list, tuple, dict))
        ):
            what = T("a_table") if isinstance(value, dict) else T("a_list")
            label = FIELD_LABELS.get(field, field)
            raise UserError(T("not_scalar", at=_at(where), field=field, label=label, what=what))
    out: dict[str, Any] = {}
    if not partial:
        for field in ("title", "topic"):
            if not clean_text(data.get(field)):
                raise UserError(T("missing", at=_at(where), field=field, label=FIELD_LABELS[field]))
    for field in ("title", "body", "source_document", "radio_script", "post_text", "image", "link"):
        if field in data:
            value = data[field]
            if field == "title" and isinstance(value, str) and len(value) > 10 * MAX_TITLE_CHARS:
                raise UserError(T("too_long", at=_at(where), n=len(value), limit=MAX_TITLE_CHARS))
            check_length(field, value, where)
            check_characters(field, value, where)
            text = clean_text(value)
            if text and field in ("link", "image"):
                check_address(field, text, where)
            out[field] = text if text or field in ("title", "body") else None
    if "audio" in data:
        out.update(parse_audio(data["audio"], where))
    if "title" in out:
        if not out["title"]:
            raise UserError(T("missing", at=_at(where), field="title", label=FIELD_LABELS["title"]))
        if len(out["title"]) > MAX_TITLE_CHARS:
            raise UserError(
                T("too_long", at=_at(where), n=len(out["title"]), limit=MAX_TITLE_CHARS)
            )
    if "topic" in data:
        out["topic_code"] = resolve_topic(session, data["topic"], where)
    if "audiences" in data:
        out["audiences"] = resolve_audiences(session, data["audiences"], where)
    for field in ("valid_from", "valid_until"):
        if field in data:
            out[field] = parse_date(data[field], field, where)
    check_validity(out.get("valid_from"), out.get("valid_until"), where)
    if "priority" in data:
        out["priority"] = parse_priority(data["priority"], where)
    if "airings_per_week" in data and str(data["airings_per_week"]).strip():
        out["airings_per_week"] = parse_int(
            data["airings_per_week"], "airings_per_week", 0, 50, where
        )
    if "channels" in data:
        channels = parse_channels(data["channels"], where)
        if channels:
            out["channels"] = channels
    if not partial:
        out.setdefault("body", "")
        out.setdefault("audiences", ["residents"])
        out.setdefault("priority", Priority.NORMAL)
        out.setdefault("airings_per_week", 2)
        from loa.core.registry import default_channels

        out.setdefault("channels", default_channels())
    return out
