"""The province as its communes' source information system: communes tagged, province
messages written once and delivered into each target commune's queue, and what they became.

A province message is one row of ``province.messages``; delivering it writes an approved
message into each target commune's own schema (``messages.province_message_id`` names the
province row, so the commune cannot change its words) and a ``province.deliveries`` row; a
commune's copy and the job its class calls for are committed together (the first commune's with
the province row, the others `SEND_BATCH` at a time, so the first job starts while the rest are
delivered; `deliver_rest` resumes a send cut off midway). Its TT39 class decides what follows: thông thường (normal) is planned by the
commune like its own; ưu tiên (high) makes the commune re-plan now, so it goes first in its
next bulletins; khẩn cấp (urgent) queues one ``urgent`` job per commune in its delivery's
transaction, which a worker airs through the one urgent path (`loa.app.urgent.air_urgent`).
A commune added or tagged later receives the messages still valid that target it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    delete,
    func,
    insert,
    select,
)
from sqlalchemy.exc import DBAPIError

from loa.content.models import Message, MessageStatus, Priority
from loa.core.errors import RuntimeFailure, UserError
from loa.core.i18n import Catalog
from loa.core.registry import default_channels, is_audio
from loa.province.registry import REGISTER_SCHEMA, Province, metadata, stations_table

T = Catalog(
    {
        "no_station": (
            "Tỉnh không có đài {ident}. Xem danh sách: loa province list.",
            "The province has no station {ident}. See the list: loa province list.",
        ),
        "bad_tag": (
            'Nhãn "{tag}" không hợp lệ: dùng chữ thường, số, dấu - hoặc _ (tối đa 40 ký tự), '
            "ví dụ ven-bien, mien-nui, bien-gioi.",
            'The tag "{tag}" is not valid: use lower-case letters, digits, - or _ (at most 40 '
            "characters), e.g. coastal, mountain, border.",
        ),
        "no_tags": (
            "Cho ít nhất một nhãn, ví dụ: loa province tag {ident} ven-bien",
            "Give at least one tag, e.g.: loa province tag {ident} coastal",
        ),
        "bad_class": (
            'Mức độ "{value}" không hợp lệ. Dùng: thuong (thông thường), uu-tien (ưu tiên), '
            "khan-cap (khẩn cấp).",
            'Unknown class "{value}". Use: thuong (normal), uu-tien (priority), khan-cap (urgent).',
        ),
        "no_target": (
            "Không có xã hay nhãn nào tên {names}. Dùng all (mọi xã), mã xã (loa province "
            "list) hoặc nhãn đã gắn ({tags}).",
            "No commune or tag is called {names}. Use all (every commune), a commune id (loa "
            "province list) or a tag in use ({tags}).",
        ),
        "no_tags_yet": ("chưa có nhãn nào", "no tags yet"),
        "cut_off": (
            "Tin số {id} đã lưu và tới {n} xã, nhưng việc gửi tới các xã còn lại bị ngắt "
            "({error}). Khi cơ sở dữ liệu chạy lại, gửi tiếp (không xã nào nhận hai lần): "
            "loa province msg deliver {id}",
            "Message {id} is saved and reached {n} commune(s), but delivering it to the others "
            "was cut off ({error}). When the database is back, deliver the rest (no commune "
            "gets it twice): loa province msg deliver {id}",
        ),
        "nobody": (
            "Không xã nào nhận tin này (tỉnh chưa có đài, hoặc nhãn chưa gắn cho xã nào).",
            "No commune receives this message (the province has no stations, or the tag is on "
            "no commune).",
        ),
        "no_title": ("Tin cần có tiêu đề (--title).", "A message needs a title (--title)."),
        "no_body": (
            "Tin cần có nội dung để đọc và đăng (--body).",
            "A message needs text to read and post (--body).",
        ),
        "bad_validity": (
            "Hạn của tin ({until}) trước ngày bắt đầu ({start}).",
            "The message's end date ({until}) is before its start ({start}).",
        ),
        "expired": (
            "Hạn của tin ({until}) đã qua; không gửi tin hết hạn.",
            "The message's end date ({until}) has passed; an expired message is not sent.",
        ),
        "no_radio": (
            "Tin khẩn cấp phải phát trên loa: thêm radio vào --channels.",
            "An urgent message must air: add radio to --channels.",
        ),
        "no_topic": (
            "Đài {ident} không có chủ đề {topic} (chủ đề của đài: {topics}).",
            "Station {ident} has no topic {topic} (its topics: {topics}).",
        ),
        "old_schema": (
            "Lược đồ của đài {ident} cũ hơn bản loa này; không có gì được gửi. Chạy: loa "
            "province upgrade, rồi gửi lại.",
            "Station {ident}'s schema is older than this loa; nothing was sent. Run: loa "
            "province upgrade, then send again.",
        ),
        "no_message": (
            "Tỉnh không có tin số {id}. Xem: loa province msg list.",
            "The province has no message {id}. See: loa province msg list.",
        ),
        "approver": ("Tỉnh: {by}", "Province: {by}"),
    }
)

#: Tags given to communes (coastal, mountain, border, ...): they choose a message's targets.
tags_table = Table(
    "station_tags",
    metadata,
    Column(
        "ident",
        String(63),
        ForeignKey(f"{REGISTER_SCHEMA}.stations.ident", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("tag", String(40), primary_key=True),
)

#: Province messages, written once (TT39 class in `priority`: normal, high, urgent).
messages_table = Table(
    "messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("title", String(300), nullable=False),
    Column("body", Text, nullable=False),
    Column("priority", String(10), nullable=False),
    Column("topic", String(40), nullable=False),
    Column("channels", JSON, nullable=False),
    #: What the sender named: "all", commune idents, tags (resolved again for late communes).
    Column("targets", JSON, nullable=False),
    Column("valid_from", Date, nullable=True),
    Column("valid_until", Date, nullable=True),
    Column("created_at", DateTime, nullable=False),
    Column("created_by", String(100), nullable=False),
)

#: Which commune received which province message, as which of its own messages.
deliveries_table = Table(
    "deliveries",
    metadata,
    Column(
        "message_id",
        Integer,
        ForeignKey(f"{REGISTER_SCHEMA}.messages.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "ident",
        String(63),
        ForeignKey(f"{REGISTER_SCHEMA}.stations.ident", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("station_message_id", Integer, nullable=False),
    Column("delivered_at", DateTime, nullable=False),
    #: The urgent job queued for it (khẩn cấp), or the re-plan job (ưu tiên).
    Column("job_id", Integer, nullable=True),
)

TAG = re.compile(r"^[\w-]{1,40}$")

CLASS_WORDS = {
    "thuong": Priority.NORMAL,
    "thường": Priority.NORMAL,
    "thông thường": Priority.NORMAL,
    "thong thuong": Priority.NORMAL,
    "normal": Priority.NORMAL,
    "uu tien": Priority.HIGH,
    "ưu tiên": Priority.HIGH,
    "priority": Priority.HIGH,
    "high": Priority.HIGH,
    "khan cap": Priority.URGENT,
    "khẩn cấp": Priority.URGENT,
    "urgent": Priority.URGENT,
}

ALL = "all"


def parse_class(value: str) -> Priority:
    """The TT39 class of a message from its word: thuong, uu-tien, khan-cap (with or without
    diacritics) or normal, high, urgent. Raises UserError."""
    word = " ".join(value.strip().lower().replace("-", " ").replace("_", " ").split())
    found = CLASS_WORDS.get(word)
    if found is None:
        raise UserError(T("bad_class", value=value))
    return found


# --------------------------------------------------------------------------- tags


def _check_tag(tag: str) -> str:
    tag = tag.strip().lower()
    if not TAG.match(tag):
        raise UserError(T("bad_tag", tag=tag))
    return tag


def station_tags(conn: Connection) -> dict[str, list[str]]:
    """Every commune's tags, sorted (communes with none are left out)."""
    out: dict[str, list[str]] = {}
    for ident, tag in conn.execute(
        select(tags_table.c.ident, tags_table.c.tag).order_by(tags_table.c.ident, tags_table.c.tag)
    ):
        out.setdefault(str(ident), []).append(str(tag))
    return out


def tags_of(province: Province) -> dict[str, list[str]]:
    """Every commune's tags (`station_tags`), read from the province database."""
    engine = province.engine(pool_size=1)
    try:
        with engine.connect() as conn:
            return station_tags(conn)
    finally:
        engine.dispose()


@dataclass
class Tagged:
    """What `tag_station` did: the commune's tags now, and the province messages it received
    because of a new tag."""

    ident: str
    tags: list[str]
    delivered: list[int] = field(default_factory=list)


def tag_station(
    province: Province,
    ident: str,
    tags: Sequence[str],
    *,
    remove: bool = False,
    now: datetime | None = None,
) -> Tagged:
    """Add (or with `remove`, take away) `tags` on commune `ident`. A commune given a tag
    receives the province messages still valid that target the tag. Raises UserError."""
    if not tags:
        raise UserError(T("no_tags", ident=ident))
    wanted = list(dict.fromkeys(_check_tag(t) for t in tags))
    now = now or province.now()
    engine = province.engine()
    try:
        with engine.begin() as conn:
            _registered(conn, ident)
            if remove:
                conn.execute(
                    delete(tags_table).where(
                        tags_table.c.ident == ident, tags_table.c.tag.in_(wanted)
                    )
                )
                delivered: list[int] = []
            else:
                have = set(station_tags(conn).get(ident, []))
                new = [t for t in wanted if t not in have]
                if new:
                    conn.execute(insert(tags_table), [{"ident": ident, "tag": t} for t in new])
                delivered = catch_up(conn, province, ident, now=now)
            return Tagged(ident, station_tags(conn).get(ident, []), delivered)
    finally:
        engine.dispose()


def _registered(conn: Connection, ident: str) -> None:
    if conn.scalar(select(stations_table.c.ident).where(stations_table.c.ident == ident)) is None:
        raise UserError(T("no_station", ident=ident))


# --------------------------------------------------------------------------- targets


def resolve_targets(conn: Connection, targets: Sequence[str]) -> list[str]:
    """The communes (idents, sorted) that `targets` name: "all", commune idents, tags.
    Raises UserError naming what is neither a commune nor a tag in use."""
    idents = [str(i) for i in conn.scalars(select(stations_table.c.ident))]
    tags = station_tags(conn)
    by_tag: dict[str, set[str]] = {}
    for ident, its in tags.items():
        for tag in its:
            by_tag.setdefault(tag, set()).add(ident)
    out: set[str] = set()
    unknown: list[str] = []
    for target in targets:
        name = target.strip()
        low = name.lower()
        if low == ALL:
            out.update(idents)
        elif name in idents:
            out.add(name)
        elif low in by_tag:
            out.update(by_tag[low])
        else:
            unknown.append(name)
    if unknown:
        known = ", ".join(sorted(by_tag)) or T("no_tags_yet")
        raise UserError(T("no_target", names=", ".join(unknown), tags=known))
    return sorted(out)


def _targets_commune(targets: Iterable[str], ident: str, tags: Iterable[str]) -> bool:
    names = {t.strip().lower() for t in targets} | {t.strip() for t in targets}
    return ALL in names or ident in names or bool(names & set(tags))


# --------------------------------------------------------------------------- sending


@dataclass
class Sent:
    """What `send` did: the province message, and each commune's own message id."""

    message_id: int
    priority: str
    delivered: dict[str, int]
    #: Jobs queued: "urgent" (one per commune) or "refresh" (re-plan for ưu tiên).
    jobs: dict[str, int] = field(default_factory=dict)
    #: The communes this call delivered to (`delivered` also has those that had it before).
    fresh: list[str] = field(default_factory=list)


def send(
    province: Province,
    *,
    title: str,
    body: str,
    priority: Priority,
    targets: Sequence[str],
    by: str,
    channels: Sequence[str] | None = None,
    topic: str = "communication",
    valid_from: date | None = None,
    valid_until: date | None = None,
    now: datetime | None = None,
) -> Sent:
    """Write a province message once and deliver it to every commune `targets` names, each
    commune's copy in one transaction with the job its class calls for (see the module; the
    first commune with the province row). Raises UserError (nothing saved) for bad fields,
    unknown targets, or a commune whose schema needs `loa province upgrade` or has no topic."""
    from loa.content.fields import parse_channels

    now = now or province.now()
    title, body = title.strip(), body.strip()
    if not title:
        raise UserError(T("no_title"))
    if not body:
        raise UserError(T("no_body"))
    chosen = parse_channels(list(channels)) if channels else default_channels()
    if priority == Priority.URGENT and not any(is_audio(c) for c in chosen):
        raise UserError(T("no_radio"))
    if valid_from and valid_until and valid_until < valid_from:
        raise UserError(T("bad_validity", start=_day(valid_from), until=_day(valid_until)))
    if valid_until and valid_until < now.date():
        raise UserError(T("expired", until=_day(valid_until)))
    if priority == Priority.URGENT and valid_until is None:
        valid_until = now.date()  # an alert is for today, never aired by surprise later
    engine = province.engine()
    app = _jobs_app(province, priority)
    try:
        with app.open() if app is not None else nullcontext():
            with engine.begin() as conn:
                idents = resolve_targets(conn, targets)
                if not idents:
                    raise UserError(T("nobody"))
                _check_communes(conn, idents, topic)
                message_id = int(
                    conn.execute(
                        insert(messages_table)
                        .values(
                            title=title,
                            body=body,
                            priority=str(priority),
                            topic=topic,
                            channels=chosen,
                            targets=[t.strip() for t in targets],
                            valid_from=valid_from,
                            valid_until=valid_until,
                            created_at=now,
                            created_by=by,
                        )
                        .returning(messages_table.c.id)
                    ).scalar_one()
                )
                row = conn.execute(select(messages_table).where(messages_table.c.id == message_id))
                message = row.one()._mapping
                # The first commune in this same transaction: its job can start at once.
                delivered = {idents[0]: _deliver(conn, message, idents[0], now=now)}
                jobs = _queue_jobs(province, conn, message, delivered, app)
            # committed: the first commune's job can start while the rest are delivered
            try:
                rest = deliver_rest(
                    province, message_id, idents[1:], now=now, engine=engine, app=app
                )
            except DBAPIError as exc:  # the database went away, a commune's schema refused
                raise CutOff(
                    T(
                        "cut_off",
                        id=message_id,
                        n=_delivered_count(engine, message_id),
                        error=_first_line(exc),
                    ),
                    message_id=message_id,
                ) from exc
    finally:
        engine.dispose()
    for task, n in rest.jobs.items():
        jobs[task] = jobs.get(task, 0) + n
    return Sent(
        message_id, str(priority), {**delivered, **rest.delivered}, jobs, [*delivered, *rest.fresh]
    )


class CutOff(RuntimeFailure):
    """A send that saved the province message (and some communes' copies) and was cut off
    before every commune had its copy: `loa province msg deliver ID` finishes it."""

    def __init__(self, message: str, *, message_id: int) -> None:
        super().__init__(message)
        self.message_id = message_id


def _first_line(exc: BaseException) -> str:
    """The driver's own words for what failed, on one line (no SQL, no parameters)."""
    orig = getattr(exc, "orig", None) or exc
    return (str(orig).strip().splitlines() or [type(orig).__name__])[0][:200]


def _delivered_count(engine: Any, message_id: int) -> int | str:
    """How many communes have their copy of `message_id` ("?" when the database cannot say)."""
    try:
        with engine.connect() as conn:
            count = select(func.count()).where(deliveries_table.c.message_id == message_id)
            return int(conn.scalar(count) or 0)
    except Exception:
        return "?"


#: Communes delivered per transaction after the first one (see `send`).
SEND_BATCH = 10


def deliver_rest(
    province: Province,
    message_id: int,
    idents: Sequence[str] | None = None,
    *,
    now: datetime | None = None,
    engine: Any = None,
    app: Any = None,
) -> Sent:
    """Deliver province message `message_id` to each of `idents` (default: the communes its
    targets name now) that has not received it yet, SEND_BATCH communes per transaction: a
    commune's copy and its job are committed together or not at all, and the first
    communes' jobs run while the next are delivered. Idempotent: run again, it resumes a send
    cut off midway (the database went away) and delivers nothing twice (a commune already
    delivered is skipped; two runs at once collide on the delivery's primary key and one
    batch is rolled back whole)."""
    now = now or province.now()
    own = engine is None
    engine = engine or province.engine()
    delivered: dict[str, int] = {}
    jobs: dict[str, int] = {}
    fresh: list[str] = []
    try:
        with engine.connect() as conn:
            row = conn.execute(select(messages_table).where(messages_table.c.id == message_id))
            found = row.one_or_none()
            if found is None:
                raise UserError(T("no_message", id=message_id))
            message = found._mapping
            if idents is None:
                idents = resolve_targets(conn, message["targets"])
        wanted = list(idents)
        if wanted:
            opened = app is None
            app = app or _jobs_app(province, Priority(message["priority"]))
            with app.open() if opened and app is not None else nullcontext():
                for start in range(0, len(wanted), SEND_BATCH):
                    batch = wanted[start : start + SEND_BATCH]
                    with engine.begin() as conn:
                        have = dict(
                            conn.execute(
                                select(
                                    deliveries_table.c.ident, deliveries_table.c.station_message_id
                                )
                                .where(deliveries_table.c.message_id == message_id)
                                .where(deliveries_table.c.ident.in_(batch))
                            ).all()
                        )
                        new = {
                            i: _deliver(conn, message, i, now=now) for i in batch if i not in have
                        }
                        for task, n in _queue_jobs(province, conn, message, new, app).items():
                            jobs[task] = jobs.get(task, 0) + n
                    delivered.update({i: int(have[i]) if i in have else new[i] for i in batch})
                    fresh += list(new)
    finally:
        if own:
            engine.dispose()
    return Sent(message_id, str(message["priority"]), delivered, jobs, fresh)


def _jobs_app(province: Province, priority: Priority) -> Any:
    """The procrastinate App to queue the jobs of a message of class `priority` (not opened),
    or None when that class calls for no job."""
    from loa.province.queue import make_app

    if priority not in (Priority.URGENT, Priority.HIGH):
        return None
    return make_app(province, sync=True)


def _check_communes(conn: Connection, idents: Sequence[str], topic: str) -> None:
    """Refuse (UserError, before anything is saved) a send that some target commune could not
    take: its schema predates province messages, or it has no topic at all."""
    from sqlalchemy import text

    current = set(
        conn.scalars(
            text(
                "SELECT table_schema FROM information_schema.columns WHERE table_name = "
                "'messages' AND column_name = 'province_message_id' AND table_schema = ANY(:s)"
            ),
            {"s": list(idents)},
        )
    )
    for ident in idents:
        if ident not in current:
            raise UserError(T("old_schema", ident=ident))
    union = " UNION ALL ".join(
        f"SELECT '{i}' WHERE NOT EXISTS (SELECT 1 FROM \"{i}\".topics)" for i in idents
    )
    empty = list(conn.scalars(text(union)))
    if empty:
        raise UserError(T("no_topic", ident=empty[0], topic=topic, topics="—"))


def _day(d: date) -> str:
    from loa.core.dates import format_date

    return format_date(d)


def _deliver(conn: Connection, message: Any, ident: str, *, now: datetime) -> int:
    """Write province message `message` (a row mapping) into commune `ident`'s queue,
    approved by the province, and record the delivery. Returns the commune's message id."""
    from sqlalchemy.exc import DBAPIError
    from sqlalchemy.orm import Session

    from loa.content.models import Topic

    conn.execution_options(schema_translate_map={None: ident})
    # its own savepoint, released on commit: the caller's transaction holds everything
    session = Session(bind=conn, autoflush=False, join_transaction_mode="create_savepoint")
    try:
        topics = [str(c) for c in session.scalars(select(Topic.code))]
        topic = message["topic"] if message["topic"] in topics else None
        if topic is None:
            if not topics:
                raise UserError(T("no_topic", ident=ident, topic=message["topic"], topics="—"))
            topic = "communication" if "communication" in topics else topics[0]
        local = Message(
            title=message["title"],
            body=message["body"],
            topic_code=topic,
            priority=message["priority"],
            channels=list(message["channels"]),
            valid_from=message["valid_from"],
            valid_until=message["valid_until"],
            status=MessageStatus.APPROVED,
            approved_by=T("approver", by=message["created_by"])[:100],
            approved_at=now,
            created_at=now,
            updated_at=now,
            province_message_id=message["id"],
        )
        session.add(local)
        session.flush()
        local_id = int(local.id)
        session.commit()
    except DBAPIError as exc:
        undefined_column = getattr(exc.orig, "sqlstate", None) == "42703"
        if undefined_column and "province_message_id" in str(exc):
            raise UserError(T("old_schema", ident=ident)) from None
        raise
    finally:
        session.close()
        conn.execution_options(schema_translate_map=None)
    conn.execute(
        insert(deliveries_table).values(
            message_id=message["id"], ident=ident, station_message_id=local_id, delivered_at=now
        )
    )
    return local_id


def _queue_jobs(
    province: Province,
    conn: Connection,
    message: Any,
    delivered: dict[str, int],
    app: Any = None,
) -> dict[str, int]:
    """The jobs a delivered message's class calls for, on `conn` (in its transaction): one
    "urgent" per commune (the same queueing lock as the scheduler's, so it never queues a
    second one), one "refresh" per commune for ưu tiên. `app`: an open procrastinate App
    (default: one opened here)."""
    from loa.province.queue import defer, make_app

    task = {Priority.URGENT: "urgent", Priority.HIGH: "refresh"}.get(Priority(message["priority"]))
    if task is None or not delivered:
        return {}
    opened = app is None
    app = app or make_app(province, sync=True)
    n = 0
    with app.open() if opened else nullcontext():
        for ident, local_id in delivered.items():
            if task == "urgent":
                job = defer(
                    app,
                    conn,
                    "urgent",
                    queueing_lock=f"{ident}:urgent:{local_id}",
                    station=ident,
                    message=local_id,
                )
            else:
                job = defer(app, conn, "refresh", queueing_lock=f"{ident}:refresh:", station=ident)
            if job is not None:
                n += 1
                conn.execute(
                    deliveries_table.update()
                    .where(
                        deliveries_table.c.message_id == message["id"],
                        deliveries_table.c.ident == ident,
                    )
                    .values(job_id=job)
                )
    return {task: n}


def catch_up(conn: Connection, province: Province, ident: str, *, now: datetime) -> list[int]:
    """Deliver to commune `ident` (on `conn`, in its transaction) every province message still
    valid today that targets it ("all", its ident, one of its tags) and that it has not
    received yet, with the jobs their class calls for. Returns the province message ids."""
    tags = station_tags(conn).get(ident, [])
    have = set(
        conn.scalars(select(deliveries_table.c.message_id).where(deliveries_table.c.ident == ident))
    )
    today = now.date()
    rows = conn.execute(
        select(messages_table)
        .where((messages_table.c.valid_until.is_(None)) | (messages_table.c.valid_until >= today))
        .order_by(messages_table.c.id)
    ).all()
    out: list[int] = []
    for row in rows:
        message = row._mapping
        if message["id"] in have or not _targets_commune(message["targets"], ident, tags):
            continue
        local_id = _deliver(conn, message, ident, now=now)
        _queue_jobs(province, conn, message, {ident: local_id})
        out.append(int(message["id"]))
    return out
