"""Playing bulletins and audio files into the station's sink, and keeping the radio as-run
log, the day's run sheet and M3U playlists.

A bulletin is named by its slot time "YYYY-MM-DD HH:MM" (`loa.audio.bulletin.bulletin_key`);
its file is `loa.audio.render.bulletin_path(station, when)`, with a JSON sidecar listing the
items (message_id, plan_entry_id, title, duration_s, offset_s). This module plays what it is
given and records what happened in the as-run log; it never renders and never moves a plan
entry (loa.app.play does both, from the records returned here).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from loa.audio.bulletin import bulletin_key, fallback_of, fallback_text, sidecar_items
from loa.audio.ffmpeg import audio_duration
from loa.audio.render import bulletin_path
from loa.channels.models import AsRunRecord, AsRunStatus
from loa.channels.radio import PlayoutError, Sink, make_sink
from loa.content.models import Message
from loa.core.errors import RuntimeFailure, UserError
from loa.core.fileio import atomic_write_text
from loa.core.i18n import Catalog
from loa.planning.models import PlanEntry, Slot

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from loa.content.models import Message
    from loa.core.station import Station

T = Catalog(
    {
        "no_bulletin": (
            "Không có bản tin cho {when}: không có tệp {path}. Kiểm tra lịch phát (loa today) "
            "rồi dựng bản tin (loa render).",
            "There is no bulletin for {when}: {path} does not exist. Check the plan (loa today) "
            "and render the bulletin (loa render).",
        ),
        "no_file": ("Không có tệp {path}.", "File {path} does not exist."),
        "not_audio": (
            "Tệp {path} không phải tệp âm thanh loa đọc được (MP3, WAV, OGG...) hoặc không có "
            "tiếng nào: không phát, không ghi vào nhật ký phát. Chọn một tệp âm thanh.",
            "{path} is not an audio file loa can read (MP3, WAV, OGG...) or holds no sound: "
            "not played, nothing logged. Choose an audio file.",
        ),
        "not_aired": (
            "Phát vào sink {sink}: không có gì ra loa, không tính là đã phát. Đặt sink khác "
            "trong [channels.radio] của loa.toml, hoặc dùng --sink file.",
            "Played into the {sink} sink: nothing reached a loudspeaker, not counted as aired. "
            "Set another sink in [channels.radio] of loa.toml, or use --sink file.",
        ),
        "partial": (
            "Phát bị dừng ở giây {played:.0f}.",
            "Playback stopped at second {played:.0f}.",
        ),
    }
)

Clock = Callable[[], datetime]


def bulletin_file(station: Station, when: datetime) -> Path:
    """The rendered bulletin file of the slot at `when`. Raises RuntimeFailure when there is
    none (render it first)."""
    path = bulletin_path(station, when)
    if not path.is_file():
        raise RuntimeFailure(T("no_bulletin", when=bulletin_key(when), path=path))
    return path


@dataclass
class Played:
    """What one playout did: one as-run row per item, and the sink's error if it failed."""

    records: list[AsRunRecord] = field(default_factory=list)
    error: PlayoutError | None = None


def _messages(session: Session, ids: list[int]) -> dict[int, Message]:
    from sqlalchemy import select

    if not ids:
        return {}
    return {m.id: m for m in session.scalars(select(Message).where(Message.id.in_(ids)))}


def _record(
    key: str,
    item: dict[str, Any],
    message: Message | None,
    status: AsRunStatus,
    start: datetime,
    end: datetime,
    note: str | None,
    extra: dict[str, Any],
) -> AsRunRecord:
    return AsRunRecord(
        channel="radio",
        status=status,
        started_at=start,
        ended_at=end,
        duration_s=float(item.get("duration_s", 0.0)),
        bulletin=key,
        message_id=item.get("message_id"),
        plan_entry_id=item.get("plan_entry_id"),
        title=str(item.get("title") or (message.title if message is not None else "")),
        topic_code=message.topic_code if message is not None else None,
        audiences=list(message.audience_codes) if message is not None else [],
        note=" ".join(p for p in (note, fallback_text(extra.get("fallback"))) if p) or None,
        extra=extra,
        kind=str(item.get("kind") or "speech"),
    )


def aired(station: Station, when: datetime) -> list[AsRunRecord]:
    """As-run rows already written for the bulletin at `when` (played, failed or skipped)."""
    from sqlalchemy import select

    with station.transaction() as session:
        rows = list(
            session.scalars(
                select(AsRunRecord)
                .where(AsRunRecord.channel == "radio", AsRunRecord.bulletin == bulletin_key(when))
                .order_by(AsRunRecord.id)
            )
        )
        session.expunge_all()
    return rows


def play_bulletin(
    station: Station,
    when: datetime,
    path: Path,
    *,
    sink: Sink | None = None,
    clock: Clock | None = None,
    entries: dict[int, int] | None = None,
    test: bool = False,
) -> Played:
    """Play the bulletin file of the slot at `when` and log one as-run row per item.

    A `test` play (the operator listening to it outside its time) logs every item as TEST, with
    what went wrong in the note: it never counts as aired. A sink that does not air (the null
    sink) logs the items as SKIPPED, saying so: nothing reached a listener.

    Items come from the file's sidecar; `entries` (message id -> plan entry id) names the plan
    entry of an item whose sidecar does not. A sink failure logs the items as failed and comes
    back in `Played.error` (the caller raises it once it has recorded the outcome). `clock`
    gives real start and end times (default station.now).
    """
    key = bulletin_key(when)
    items = sidecar_items(path)
    for item in items:
        if item.get("plan_entry_id") is None and entries:
            item["plan_entry_id"] = entries.get(item.get("message_id") or 0)
    total = audio_duration(path) or max(
        (float(i.get("offset_s", 0)) + float(i.get("duration_s", 0)) for i in items), default=0.0
    )
    sink = sink or make_sink(station)
    clock = clock or station.now
    started = clock()
    error: PlayoutError | None = None
    try:
        played = sink.play(path, total)
    except PlayoutError as exc:
        error, played = exc, 0.0
    ended = started + timedelta(seconds=played) if sink.simulated else clock()
    extra = {"sink": sink.name, "file": str(path), **_sink_report(sink)}
    fallback = fallback_of(path)  # a fallback voice spoke some of it: the as-run says so
    if fallback:
        extra["fallback"] = fallback
    zones = _sink_zones(sink)
    result = Played(error=error)
    with station.transaction() as session:
        messages = _messages(session, [i["message_id"] for i in items if i.get("message_id")])
        for item in items:
            if not item.get("message_id"):
                continue
            offset = float(item.get("offset_s", 0.0))
            duration = float(item.get("duration_s", 0.0))
            start = started + timedelta(seconds=offset)
            end = min(start + timedelta(seconds=duration), max(ended, start))
            if error is not None:
                status, note = AsRunStatus.FAILED, str(error)
            elif offset + duration <= played + 0.5:
                status, note = AsRunStatus.DONE, None
            else:
                status, note = AsRunStatus.FAILED, T("partial", played=played)
            if test:
                status = AsRunStatus.TEST
            elif not sink.airs and status == AsRunStatus.DONE:
                status, note = AsRunStatus.SKIPPED, T("not_aired", sink=sink.name)
            record = _record(
                key, item, messages.get(item["message_id"]), status, start, end, note, extra
            )
            record.zones = zones
            session.add(record)
            result.records.append(record)
        if not result.records:  # a bulletin with no sidecar: one row for the whole file
            status = AsRunStatus.FAILED if error is not None else AsRunStatus.DONE
            status = AsRunStatus.TEST if test else status
            note = str(error) if error else None
            if status == AsRunStatus.DONE and not sink.airs:
                status, note = AsRunStatus.SKIPPED, T("not_aired", sink=sink.name)
            record = _record(
                key,
                {"title": path.stem, "duration_s": played or total},
                None,
                status,
                started,
                ended,
                note,
                extra,
            )
            record.zones = zones
            session.add(record)
            result.records.append(record)
        session.flush()
        session.expunge_all()
    return result


def _sink_report(sink: Sink) -> dict[str, Any]:
    """What a stream sink adds to the as-run row (interruptions by urgent messages)."""
    report = getattr(sink, "report", None)
    return dict(report()) if callable(report) else {}


def _sink_zones(sink: Sink) -> list[str]:
    """The zones (Icecast mounts) a stream sink aired on; [] for local playout only."""
    return [str(z) for z in getattr(sink, "aired_zones", None) or []]


def log_without_playing(
    station: Station,
    when: datetime,
    items: list[dict[str, Any]],
    status: AsRunStatus,
    reason: str,
    now: datetime,
) -> list[AsRunRecord]:
    """Log the items of the bulletin at `when` as not played (`status`, usually skipped), each
    a dict with message_id, plan_entry_id, title and duration_s."""
    key = bulletin_key(when)
    records: list[AsRunRecord] = []
    with station.transaction() as session:
        messages = _messages(session, [i["message_id"] for i in items if i.get("message_id")])
        for item in items:
            if not item.get("message_id"):
                continue
            record = _record(
                key, item, messages.get(item["message_id"]), status, now, now, reason, {}
            )
            session.add(record)
            records.append(record)
        session.flush()
        session.expunge_all()
    return records


def play_file(
    station: Station,
    path: Path,
    *,
    now: datetime,
    sink: Sink | None = None,
    clock: Clock | None = None,
) -> AsRunRecord:
    """Play any audio file now (the operator's `loa play --file`) and log one as-run row.
    Raises UserError, before anything is played or logged, when `path` is not a file or its
    content is not audio with a length (a text file, random bytes, an empty file)."""
    if not path.is_file():
        raise UserError(T("no_file", path=path))
    total = audio_duration(path)
    if total <= 0:
        raise UserError(T("not_audio", path=path))
    clock = clock or station.now
    sink = sink or make_sink(station)
    started = clock()
    error: PlayoutError | None = None
    try:
        played = sink.play(path, total)
    except PlayoutError as exc:
        error, played = exc, 0.0
    ended = started + timedelta(seconds=played) if sink.simulated else clock()
    status = AsRunStatus.FAILED if error else AsRunStatus.DONE
    note = str(error) if error else None
    if status == AsRunStatus.DONE and not sink.airs:
        status, note = AsRunStatus.SKIPPED, T("not_aired", sink=sink.name)
    record = _record(
        f"file:{path.name}",
        {"title": path.stem, "duration_s": played, "kind": "recorded"},
        None,
        status,
        started,
        ended,
        note,
        {"sink": sink.name, "file": str(path)},
    )
    with station.transaction() as session:
        session.add(record)
        session.flush()
        session.expunge(record)
    if error is not None:
        raise error
    return record


# ------------------------------------------------------------------------ run sheet, playlists


@dataclass
class RunSheetRow:
    """One line of `loa today`: a planned item and what happened to it."""

    at: datetime
    channel: str
    slot: str
    position: int
    message_id: int
    title: str
    duration_s: float
    status: str
    aired_at: datetime | None
    #: Loudspeaker zones the item is for (the slot's, narrowed by the message's); [] = all.
    zones: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            k: (v.isoformat(timespec="minutes") if isinstance(v, datetime) else v)
            for k, v in self.__dict__.items()
        }


def target_zones(slot_zones: list[str], message_zones: list[str]) -> list[str]:
    """The zones an item airs on: the slot's narrowed by the message's ([] = every zone)."""
    if not slot_zones:
        return list(message_zones)
    if not message_zones:
        return list(slot_zones)
    return [z for z in slot_zones if z in message_zones] or list(slot_zones)


def run_sheet(station: Station, day: date) -> list[RunSheetRow]:
    """The day's plan for every channel, in time order, with the as-run time of each item."""
    from sqlalchemy import select

    start = datetime.combine(day, datetime.min.time())
    end = start + timedelta(days=1)
    rows: list[RunSheetRow] = []
    with station.transaction() as session:
        slots = dict(session.execute(select(Slot.id, Slot.name)).all())
        slot_zones = dict(session.execute(select(Slot.id, Slot.zones)).all())
        titles = dict(session.execute(select(Message.id, Message.title)).all())
        message_zones = dict(session.execute(select(Message.id, Message.zones)).all())
        aired_at: dict[int, datetime] = {}
        aired_s: dict[int, float] = {}
        for run in session.scalars(
            select(AsRunRecord).where(
                AsRunRecord.started_at >= start - timedelta(days=1),
                AsRunRecord.plan_entry_id.is_not(None),
                AsRunRecord.status == AsRunStatus.DONE,
            )
        ):
            if run.plan_entry_id is not None:
                aired_at[run.plan_entry_id] = run.started_at
                aired_s[run.plan_entry_id] = run.duration_s
        for e in session.scalars(
            select(PlanEntry)
            .where(PlanEntry.scheduled_at >= start, PlanEntry.scheduled_at < end)
            .order_by(PlanEntry.scheduled_at, PlanEntry.channel, PlanEntry.position)
        ):
            rows.append(
                RunSheetRow(
                    e.scheduled_at,
                    e.channel,
                    slots.get(e.slot_id or 0, ""),
                    e.position,
                    e.message_id,
                    titles.get(e.message_id, ""),
                    aired_s.get(e.id) or e.duration_s,
                    e.status,
                    aired_at.get(e.id),
                    target_zones(
                        slot_zones.get(e.slot_id or 0) or [], message_zones.get(e.message_id) or []
                    ),
                )
            )
    return rows


def write_playlists(station: Station, day: date) -> list[Path]:
    """Write one M3U per radio slot of `day` into media/playlists/YYYY-MM-DD/HHMM.m3u, listing
    the bulletin file (for operators who use their own player). Returns the files written."""
    times = sorted({r.at for r in run_sheet(station, day) if r.channel == "radio"})
    folder = station.media_dir / "playlists" / day.isoformat()
    written: list[Path] = []
    for when in times:
        path = bulletin_path(station, when)
        items = sidecar_items(path) if path.is_file() else []
        total = (audio_duration(path) if path.is_file() else 0.0) or (
            sum(float(i.get("duration_s", 0)) for i in items) or -1
        )
        lines = ["#EXTM3U", f"#PLAYLIST:{station.name} {bulletin_key(when)}"]
        lines += [f"# {i.get('title', '')}" for i in items if i.get("title")]
        lines += [
            f"#EXTINF:{round(total)},{station.name} – {when.strftime('%H:%M %d/%m/%Y')}",
            str(path),
        ]
        target = folder / f"{when.strftime('%H%M')}.m3u"
        atomic_write_text(target, "\n".join(lines) + "\n")
        written.append(target)
    return written
