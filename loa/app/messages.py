"""The message queue as the doors read and add to it: plain data (each message's `to_dict`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from loa.core.errors import UserError
from loa.core.i18n import Catalog
from loa.core.station import Station


def find_messages(
    station: Station,
    *,
    status: str | None = None,
    topic: str | None = None,
    audience: str | None = None,
    channel: str | None = None,
    text: str | None = None,
) -> list[dict[str, Any]]:
    """The messages that match (`loa msg list`'s filters), as dicts."""
    views = find_views(
        station, status=status, topic=topic, audience=audience, channel=channel, text=text
    )
    return [v.data for v in views]


def message_dict(station: Station, message_id: int) -> dict[str, Any]:
    """One message as a dict. Raises UserError when there is none."""
    from loa.content.queue import get_message

    with station.transaction() as session:
        return get_message(session, message_id).to_dict()


def create_message(
    station: Station, fields: dict[str, Any], *, where: str, now: datetime
) -> dict[str, Any]:
    """A new draft from the fields an import file or `loa msg add` takes, as a dict. Raises
    UserError naming the field at fault (`where` says where the fields came from)."""
    from loa.content.queue import create

    with station.transaction() as session:
        return create(session, fields, where=where, now=now).to_dict()


def schedule_dicts(
    station: Station, start: date, days: int, *, channel: str | None = None
) -> list[dict[str, Any]]:
    """The plan's slots from `start` for `days` days (`loa schedule --json`)."""
    from loa.planning.views import schedule

    with station.transaction() as session:
        return [s.to_dict() for s in schedule(session, start, days, channel=channel)]


T = Catalog(
    {
        "in_use": (
            'Mã "{code}" đang được {n} tin dùng; đổi chủ đề/đối tượng của các tin đó trước.',
            '"{code}" is used by {n} messages; change them first.',
        ),
        "exists": ('Mã "{code}" đã có.', '"{code}" already exists.'),
        "unknown_code": ('Không có mã "{code}".', 'There is no "{code}".'),
        "need_name": ('Thêm mục mới cần --name "Tên tiếng Việt".', "Adding needs --name."),
    }
)


@dataclass(frozen=True)
class MessageView:
    """One message as the doors show it: its fields, the names and labels of its topic,
    audiences, priority and status (labels in the user's language), and `data` (`to_dict`)."""

    id: int
    title: str
    body: str
    topic_code: str
    topic_name: str
    topic_label: str
    audience_codes: tuple[str, ...]
    audience_names: tuple[str, ...]
    audience_labels: tuple[str, ...]
    source_document: str | None
    valid_from: date | None
    valid_until: date | None
    priority: str
    priority_label: str
    airings_per_week: int
    channels: tuple[str, ...]
    status: str
    status_label: str
    approved_by: str | None
    approved_at: datetime | None
    radio_script: str | None
    post_text: str | None
    image: str | None
    link: str | None
    audio: str | None
    audio_name: str | None
    audio_seconds: float | None
    spoken_text: str
    updated_at: datetime | None
    data: dict[str, Any]


def _view(m: Any) -> MessageView:
    from loa.content.models import MessageStatus, Priority

    return MessageView(
        id=m.id,
        title=m.title,
        body=m.body,
        topic_code=m.topic_code,
        topic_name=m.topic.name,
        topic_label=m.topic.label,
        audience_codes=tuple(a.code for a in m.audiences),
        audience_names=tuple(a.name for a in m.audiences),
        audience_labels=tuple(a.label for a in m.audiences),
        source_document=m.source_document,
        valid_from=m.valid_from,
        valid_until=m.valid_until,
        priority=str(m.priority),
        priority_label=Priority(m.priority).label,
        airings_per_week=m.airings_per_week,
        channels=tuple(m.channels),
        status=str(m.status),
        status_label=MessageStatus(m.status).label,
        approved_by=m.approved_by,
        approved_at=m.approved_at,
        radio_script=m.radio_script,
        post_text=m.post_text,
        image=m.image,
        link=m.link,
        audio=m.audio,
        audio_name=m.audio_name,
        audio_seconds=m.audio_seconds,
        spoken_text=m.spoken_text,
        updated_at=m.updated_at,
        data=m.to_dict(),
    )


def find_views(
    station: Station,
    *,
    status: str | None = None,
    topic: str | None = None,
    audience: str | None = None,
    channel: str | None = None,
    text: str | None = None,
) -> list[MessageView]:
    """The messages that match (`loa msg list`'s filters), oldest first."""
    from loa.content.queue import Filters, find

    with station.transaction() as session:
        return [_view(m) for m in find(session, Filters(status, topic, audience, channel, text))]


def find_view_page(
    station: Station,
    *,
    status: str | None = None,
    topic: str | None = None,
    audience: str | None = None,
    channel: str | None = None,
    text: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[int, list[MessageView]]:
    """How many messages match, and `limit` of them from `offset` (the dashboard's list)."""
    from loa.content.queue import Filters, find_page

    with station.transaction() as session:
        total, shown = find_page(
            session, Filters(status, topic, audience, channel, text), offset=offset, limit=limit
        )
        return total, [_view(m) for m in shown]


def message_view(station: Station, message_id: int) -> MessageView:
    """One message. Raises UserError when there is none."""
    from loa.content.queue import get_message

    with station.transaction() as session:
        return _view(get_message(session, message_id))


def approved_messages(station: Station) -> list[tuple[int, str, str]]:
    """(id, title, priority) of every approved message, urgent ones first."""
    from sqlalchemy import select

    from loa.content.models import Message, MessageStatus

    with station.transaction() as session:
        return [
            (m.id, m.title, m.priority)
            for m in session.scalars(
                select(Message)
                .where(Message.status == MessageStatus.APPROVED)
                .order_by(Message.priority.desc(), Message.id)
            )
        ]


@dataclass(frozen=True)
class Term:
    """A topic or an audience group: its code, Vietnamese name and label in the user's language."""

    code: str
    name: str
    label: str


@dataclass(frozen=True)
class Taxonomy:
    topics: list[Term]
    audiences: list[Term]
    channels: list[str]


def taxonomy(station: Station) -> Taxonomy:
    """The station's topics and audience groups in their order, and the channel names."""
    from sqlalchemy import select

    from loa.content.models import Audience, Topic
    from loa.core.registry import channel_names

    with station.transaction() as session:
        return Taxonomy(
            [
                Term(t.code, t.name, t.label)
                for t in session.scalars(select(Topic).order_by(Topic.position))
            ],
            [
                Term(a.code, a.name, a.label)
                for a in session.scalars(select(Audience).order_by(Audience.position))
            ],
            list(channel_names()),
        )


def edit_terms(
    station: Station,
    kind: str,
    *,
    add: str | None = None,
    name: str | None = None,
    remove: str | None = None,
) -> list[Term]:
    """Add the code `add` (named `name`) to `kind` ("topics" or "audiences") and/or remove the
    code `remove` (refused while a message uses it); the list after. Raises UserError."""
    from sqlalchemy import func, select

    from loa.content.fields import clean_text
    from loa.content.models import Audience, Message, Topic, message_audiences

    model: Any = Topic if kind == "topics" else Audience
    with station.transaction() as session:
        if add:
            if not name:
                raise UserError(T("need_name"))
            if session.get(model, add):
                raise UserError(T("exists", code=add))
            last = session.scalar(select(func.max(model.position))) or 0
            session.add(
                model(code=add, name=clean_text(name), name_en="", builtin=False, position=last + 1)
            )
        if remove:
            if session.get(model, remove) is None:
                raise UserError(T("unknown_code", code=remove))
            if kind == "topics":
                used = session.scalar(select(func.count()).where(Message.topic_code == remove))
            else:
                used = session.scalar(
                    select(func.count())
                    .select_from(message_audiences)
                    .where(message_audiences.c.audience_code == remove)
                )
            if used:
                raise UserError(T("in_use", code=remove, n=used))
            session.delete(session.get(model, remove))
        session.flush()
        return [
            Term(e.code, e.name, e.label)
            for e in session.scalars(select(model).order_by(model.position))
        ]


def add_message(station: Station, raw: dict[str, Any], *, now: datetime) -> MessageView:
    """A new draft from the fields `loa msg add` or the dashboard's form take. Raises UserError
    naming the field at fault."""
    from loa.content.queue import create

    with station.transaction() as session:
        return _view(create(session, raw, now=now))


@dataclass(frozen=True)
class Edited:
    id: int
    changed: bool
    reopened: bool


def edit_message(
    station: Station,
    message_id: int,
    raw: dict[str, Any],
    *,
    now: datetime,
    keep_approval: bool = False,
) -> Edited:
    """Change the fields given; whether anything changed and whether an approved message went
    back to draft. Raises UserError."""
    from loa.content.queue import edit

    with station.transaction() as session:
        message, reopened = edit(session, message_id, raw, now=now, keep_approval=keep_approval)
        return Edited(message.id, message.updated_at == now, reopened)


def approve_messages(
    station: Station, ids: list[int], *, by: str, now: datetime
) -> list[MessageView]:
    """Approve these messages (in one transaction). Raises UserError."""
    from loa.content.queue import approve

    with station.transaction() as session:
        return [_view(approve(session, i, by, now=now)) for i in ids]


def archive_messages(station: Station, ids: list[int], *, now: datetime) -> list[MessageView]:
    """Archive these messages (in one transaction). Raises UserError."""
    from loa.content.queue import archive

    with station.transaction() as session:
        return [_view(archive(session, i, now=now)) for i in ids]


def export_messages(
    station: Station, fmt: str, *, status: str | None = None, topic: str | None = None
) -> tuple[str, int]:
    """The matching messages as CSV (`fmt` "csv") or YAML text, and how many."""
    from loa.content.exporter import to_csv, to_yaml
    from loa.content.queue import Filters, find

    with station.transaction() as session:
        messages = find(session, Filters(status=status, topic=topic))
        return (to_csv(messages) if fmt == "csv" else to_yaml(messages)), len(messages)


@dataclass(frozen=True)
class Imported:
    """What one file import did: the new messages (id, title, topic label, status label),
    the encoding read, (title, existing id) skipped as duplicates, (title, topic label) guessed."""

    created: list[tuple[int, str, str, str]]
    encoding: str
    duplicates: list[tuple[str, int]]
    guessed: list[tuple[str, str]]


def import_messages(
    station: Station,
    path: Path,
    *,
    default_topic: str | None,
    approve_as: str | None,
    allow_duplicates: bool,
    now: datetime,
    photo: Callable[[str, Path], str],
    audio: Callable[[str, Path], dict[str, Any]],
) -> Imported:
    """Import every message in `path` (all or nothing; `loa.content.importer.import_file`)."""
    from loa.content.importer import import_file
    from loa.content.models import MessageStatus, Topic

    with station.transaction() as session:
        report = import_file(
            session,
            path,
            default_topic=default_topic,
            approve_as=approve_as,
            now=now,
            allow_duplicates=allow_duplicates,
            photo=photo,
            audio=audio,
        )
        session.flush()
        rows = [
            (m.id, m.title, m.topic.label, MessageStatus(m.status).label) for m in report.created
        ]
        labels = {t.code: t.label for t in session.query(Topic)}
    return Imported(
        rows,
        report.encoding,
        list(report.duplicates),
        [(title, labels.get(code, code)) for title, code in report.guessed_topics],
    )


def photo_reference(station: Station, image: str | None, *, cwd: Path) -> str | None:
    """What to store for a photo an officer names (an address, or a file found from `cwd` or
    the station folder). Raises UserError."""
    from loa.channels.media import photo_reference as reference

    return reference(image, cwd=cwd, root=station.root)


def spoken_spans(station: Station, text: str) -> list[dict[str, str]]:
    """`text` as the radio reads it: each span with what it says and the rule that rewrote it."""
    from loa.content.normalize import explain, station_dictionary

    return [
        {"source": s.source, "spoken": s.spoken, "rule": s.rule}
        for s in explain(text[:20_000], station_dictionary(station))
    ]


def message_count(station: Station) -> int:
    """How many messages the station holds."""
    from sqlalchemy import func, select

    from loa.content.models import Message

    with station.transaction() as session:
        return session.scalar(select(func.count(Message.id))) or 0
