"""The message queue: create, edit, approve, archive, find and filter messages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from loa.content.fields import (
    check_validity,
    parse_channels,
    resolve_audiences,
    resolve_topic,
    validate,
)
from loa.content.models import Audience, Message, MessageStatus
from loa.core.errors import UserError
from loa.core.i18n import Catalog

T = Catalog(
    {
        "no_message": (
            "Không có tin số {id}. Xem danh sách bằng: loa msg list",
            "There is no message {id}. See the list with: loa msg list",
        ),
        "archived": (
            "Tin số {id} đã lưu trữ, không thể duyệt. Tạo tin mới hoặc sao chép nội dung.",
            "Message {id} is archived and cannot be approved. Create a new message instead.",
        ),
        "bad_status": (
            'Trạng thái "{value}" không hợp lệ. Dùng: nháp (draft), đã duyệt (approved), '
            "lưu trữ (archived).",
            'Unknown status "{value}". Use: draft, approved, archived.',
        ),
        "province_words": (
            "Tin số {id} là tin của tỉnh ({fields}): xã không sửa được nội dung, thời hạn hay "
            "mức độ của tin tỉnh gửi xuống. Nếu cần sửa, báo cán bộ của tỉnh; xã vẫn đổi được "
            "khu vực loa, đối tượng và số lần phát.",
            "Message {id} is the province's ({fields}): a commune cannot change the words, "
            "validity or class of a message the province sent down. Ask the province's staff "
            "to change it; the commune can still change its zones, audiences and airings.",
        ),
        "no_text": (
            'Tin "{title}" không có nội dung để đọc hay đăng. Thêm nội dung (--body) trước khi duyệt.',
            'Message "{title}" has no text to read or post. Add a body (--body) before approving.',
        ),
    }
)

STATUS_WORDS = {
    "draft": MessageStatus.DRAFT,
    "nháp": MessageStatus.DRAFT,
    "approved": MessageStatus.APPROVED,
    "đã duyệt": MessageStatus.APPROVED,
    "duyệt": MessageStatus.APPROVED,
    "archived": MessageStatus.ARCHIVED,
    "lưu trữ": MessageStatus.ARCHIVED,
}


def _apply(session: Session, message: Message, values: dict[str, Any]) -> None:
    audiences = values.pop("audiences", None)
    for key, value in values.items():
        setattr(message, key, value)
    if audiences is not None:
        message.audiences = [session.get_one(Audience, code) for code in audiences]


def create(
    session: Session, raw: dict[str, Any], where: str | None = None, now: datetime | None = None
) -> Message:
    """Validate `raw` fields and add a draft message (flushed, so it has an id)."""
    values = validate(session, raw, where)
    stamp = now or datetime.now()
    message = Message(status=MessageStatus.DRAFT, created_at=stamp, updated_at=stamp)
    _apply(session, message, values)
    session.add(message)
    session.flush()
    return message


def get_message(session: Session, message_id: int) -> Message:
    """The message with this id; a UserError ("there is no message N") when there is none."""
    message = session.get(Message, message_id)
    if message is None:
        raise UserError(T("no_message", id=message_id))
    return message


CONTENT_FIELDS = {
    "title",
    "body",
    "radio_script",
    "post_text",
    "topic_code",
    "source_document",
    "audio",
}


#: What a commune may not change on a message the province sent down (its words, validity,
#: class and channels are the province's).
PROVINCE_FIELDS = CONTENT_FIELDS | {"valid_from", "valid_until", "priority", "channels", "link"}


def _current(message: Message, field: str) -> Any:
    if field == "audiences":
        return sorted(a.code for a in message.audiences)
    return getattr(message, field)


def _comparable(field: str, value: Any) -> Any:
    return sorted(value) if field == "audiences" else value


def edit(
    session: Session,
    message_id: int,
    raw: dict[str, Any],
    now: datetime | None = None,
    keep_approval: bool = False,
) -> tuple[Message, bool]:
    """Change the given fields. Returns (message, reopened): editing the words of an approved
    message sends it back to draft for a new approval, unless `keep_approval`. Values equal to
    the message's own change nothing (not even `updated_at`). Raises UserError for a message
    the province sent down whose words, validity, class or channels would change."""
    message = get_message(session, message_id)
    values = validate(session, raw, partial=True)
    check_validity(
        values.get("valid_from", message.valid_from), values.get("valid_until", message.valid_until)
    )
    changed = {k for k, v in values.items() if _current(message, k) != _comparable(k, v)}
    if not changed:
        return message, False  # the same values again: nothing to save, updated_at untouched
    if message.province_message_id is not None and changed & PROVINCE_FIELDS:
        raise UserError(
            T("province_words", id=message_id, fields=", ".join(sorted(changed & PROVINCE_FIELDS)))
        )
    changed_words = bool(changed & CONTENT_FIELDS)
    _apply(session, message, values)
    message.updated_at = now or datetime.now()
    reopened = changed_words and message.status == MessageStatus.APPROVED and not keep_approval
    if reopened:
        message.status, message.approved_by, message.approved_at = MessageStatus.DRAFT, None, None
    session.flush()
    return message, reopened


def approve(
    session: Session, message_id: int, approved_by: str, now: datetime | None = None
) -> Message:
    """Approve a draft: only approved messages are ever planned or published."""
    message = get_message(session, message_id)
    if message.status == MessageStatus.ARCHIVED:
        raise UserError(T("archived", id=message_id))
    if not (
        message.audio
        or message.body.strip()
        or (message.radio_script or "").strip()
        or (message.post_text or "").strip()
    ):
        raise UserError(T("no_text", title=message.title))
    if message.status != MessageStatus.APPROVED:
        message.status = MessageStatus.APPROVED
        message.approved_by = approved_by
        message.approved_at = now or datetime.now()
    return message


def archive(session: Session, message_id: int, now: datetime | None = None) -> Message:
    message = get_message(session, message_id)
    message.status = MessageStatus.ARCHIVED
    message.updated_at = now or datetime.now()
    return message


def parse_status(value: str) -> MessageStatus:
    """A message status from its code or its Vietnamese word ("nháp", "đã duyệt", ...)."""
    status = STATUS_WORDS.get(value.strip().lower())
    if status is None:
        raise UserError(T("bad_status", value=value))
    return status


@dataclass
class Filters:
    status: str | None = None
    topic: str | None = None
    audience: str | None = None
    channel: str | None = None
    text: str | None = None


def _filtered(session: Session, f: Filters) -> Select[Message]:
    """The messages matching `f`'s status, topic and audience (the filters SQL can do)."""
    query = select(Message)
    if f.status:
        query = query.where(Message.status == parse_status(f.status))
    if f.topic:
        query = query.where(Message.topic_code == resolve_topic(session, f.topic))
    if f.audience:
        code = resolve_audiences(session, f.audience)[0]
        query = query.where(Message.audiences.any(Audience.code == code))
    return query


def find_page(
    session: Session, filters: Filters | None = None, *, offset: int = 0, limit: int = 50
) -> tuple[int, list[Message]]:
    """How many messages match, and `limit` of them from `offset` in `find`'s order. Counted
    and sliced by the database (a page of a long queue loads only its rows) unless a channel
    or text filter needs matching in Python."""
    from sqlalchemy import func

    f = filters or Filters()
    if f.channel or f.text:
        found = find(session, f)
        return len(found), list(found[offset : offset + limit])
    query = _filtered(session, f)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Message.id).offset(offset).limit(limit)).unique()
    return int(total), list(rows)


def find(session: Session, filters: Filters | None = None) -> Sequence[Message]:
    """Messages matching all given filters, oldest first. Topic/audience/channel are validated."""

    f = filters or Filters()
    messages = list(session.scalars(_filtered(session, f).order_by(Message.id)).unique())
    if f.channel:
        channel = parse_channels(f.channel)[0]
        messages = [m for m in messages if channel in m.channels]
    if f.text:
        # Matched in Python: SQLite's LIKE folds case for ASCII letters only.
        import unicodedata

        needle = unicodedata.normalize("NFC", f.text.strip()).lower()
        messages = [
            m
            for m in messages
            if needle in m.title.lower()
            or needle in m.body.lower()
            or needle in (m.source_document or "").lower()
        ]
    return messages
