"""Playing bulletins at their slot and keeping the radio as-run log, run sheet and M3U playlists.

A bulletin's key is its slot time "YYYY-MM-DD HH:MM". Its MP3 comes from
`loa.audio.render.bulletin_path(station, when)` (rendered on demand by `render_bulletin`), with
a JSON sidecar of the same stem listing the items (message_id, title, duration_s, offset_s).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from loa.channels.radio import PlayoutError, Sink, audio_duration, make_sink
from loa.core.errors import RuntimeFailure, UserError
from loa.core.i18n import Catalog

if TYPE_CHECKING:
    from loa.channels.models import AsRunRecord

T = Catalog(
    {
        "no_audio": (
            "Chưa có phần làm bản tin âm thanh (loa.audio.render): {error}. Tạo bản tin trước "
            "hoặc phát một tệp bằng loa play --file TỆP.",
            "The bulletin audio module (loa.audio.render) is not available: {error}. Render the "
            "bulletin first or play a file with loa play --file FILE.",
        ),
        "no_bulletin": (
            "Không có bản tin cho {when}: không có tệp {path} và không tạo được. Kiểm tra lịch "
            "phát (loa today) rồi tạo bản tin.",
            "There is no bulletin for {when}: {path} does not exist and could not be rendered. "
            "Check the plan (loa today) and render the bulletin.",
        ),
        "late": (
            "Bản tin {when} đã trễ quá {minutes} phút; bỏ qua, không phát muộn.",
            "Bulletin {when} is more than {minutes} minutes late; skipped, not played late.",
        ),
        "no_file": ("Không có tệp {path}.", "File {path} does not exist."),
        "partial": (
            "Phát bị dừng ở giây {played:.0f}.",
            "Playback stopped at second {played:.0f}.",
        ),
    }
)

Clock = Callable[[], datetime]


def bulletin_key(when: datetime) -> str:
    return when.strftime("%Y-%m-%d %H:%M")


def _audio_render() -> Any:
    try:
        from loa.audio import render
    except ImportError as exc:
        raise RuntimeFailure(T("no_audio", error=exc)) from None
    return render


def bulletin_file(station: Any, when: datetime, *, render: bool = True) -> Path:
    """The bulletin MP3 for a slot time, rendering it when missing (and `render`)."""
    module = _audio_render()
    path = Path(module.bulletin_path(station, when))
    if not path.is_file() and render:
        result = module.render_bulletin(station, when)
        if result is not None and not isinstance(result, (str, Path)):
            result = getattr(result, "path", None)
        if result is not None:
            path = Path(result)
    if not path.is_file():
        raise RuntimeFailure(T("no_bulletin", when=bulletin_key(when), path=path))
    return path


def read_sidecar(path: Path) -> list[dict[str, Any]]:
    """The items of a bulletin from its JSON sidecar ([] when there is none or it is unreadable):
    message_id, title, duration_s, offset_s and, when known, plan_entry_id."""
    sidecar = path.with_suffix(".json")
    try:
        data = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    items = data.get("items", []) if isinstance(data, dict) else data
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def _entry_for(entries: dict[int, Any], by_id: dict[int, Any], item: dict[str, Any]) -> Any:
    entry_id = item.get("plan_entry_id")
    if entry_id is not None and entry_id in by_id:
        return by_id[entry_id]
    return entries.get(item.get("message_id"))  # type: ignore[arg-type]


def _messages(session: Any, ids: list[int]) -> dict[int, Any]:
    from sqlalchemy import select

    from loa.content.models import Message

    if not ids:
        return {}
    return {m.id: m for m in session.scalars(select(Message).where(Message.id.in_(ids)))}


def _record(
    key: str,
    item: dict[str, Any],
    message: Any,
    status: str,
    start: datetime,
    end: datetime,
    entry_id: int | None,
    note: str | None,
    extra: dict[str, Any],
) -> AsRunRecord:
    from loa.channels.models import AsRunRecord

    return AsRunRecord(
        channel="radio",
        status=status,
        started_at=start,
        ended_at=end,
        duration_s=float(item.get("duration_s", 0.0)),
        bulletin=key,
        message_id=item.get("message_id"),
        plan_entry_id=entry_id,
        title=str(item.get("title") or (message.title if message is not None else "")),
        topic_code=message.topic_code if message is not None else None,
        audiences=list(message.audience_codes) if message is not None else [],
        note=note,
        extra=extra,
    )


def _entries(session: Any, when: datetime) -> tuple[dict[int, Any], dict[int, Any]]:
    """The radio plan entries of the slot at `when`, by message id and by entry id."""
    from sqlalchemy import select

    from loa.planning.models import PlanEntry

    rows = list(
        session.scalars(
            select(PlanEntry).where(PlanEntry.channel == "radio", PlanEntry.scheduled_at == when)
        )
    )
    return {e.message_id: e for e in rows}, {e.id: e for e in rows}


def aired(station: Any, when: datetime) -> list[AsRunRecord]:
    """As-run rows already written for the bulletin at `when` (played, failed or skipped)."""
    from sqlalchemy import select

    from loa.channels.models import AsRunRecord

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
    station: Any,
    when: datetime,
    *,
    now: datetime,
    sink: Sink | None = None,
    clock: Clock | None = None,
    force: bool = False,
) -> list[AsRunRecord]:
    """Play the bulletin of the slot at `when` and log one as-run row per item.

    Already played (as-run rows exist): returns them, plays nothing. Later than
    [scheduler] radio_grace_minutes (default 10) and not `force`: logs the items as skipped.
    A sink failure logs them as failed and raises PlayoutError. The plan entries of the slot
    become done / skipped / failed. `clock` gives real start and end times (default station.now).
    """
    key = bulletin_key(when)
    previous = aired(station, when)
    if previous and any(r.status == "done" for r in previous):
        return previous
    clock = clock or station.now
    grace = float(station.section("scheduler").get("radio_grace_minutes", 10))
    late = not force and now - when > timedelta(minutes=grace)
    path: Path | None = None
    items: list[dict[str, Any]] = []
    if late:
        try:
            path = bulletin_file(station, when, render=False)
            items = read_sidecar(path)
        except RuntimeFailure:
            items = []
        return _log_without_playing(
            station, when, items, "skipped", T("late", when=key, minutes=f"{grace:g}"), now
        )
    path = bulletin_file(station, when)
    items = read_sidecar(path)
    total = audio_duration(path) or max(
        (float(i.get("offset_s", 0)) + float(i.get("duration_s", 0)) for i in items), default=0.0
    )
    sink = sink or make_sink(station)
    started = clock()
    error: PlayoutError | None = None
    try:
        played = sink.play(path, total)
    except PlayoutError as exc:
        error, played = exc, 0.0
    ended = started + timedelta(seconds=played) if sink.simulated else clock()
    extra = {"sink": sink.name, "file": str(path)}
    records: list[AsRunRecord] = []
    with station.transaction() as session:
        messages = _messages(session, [i["message_id"] for i in items if i.get("message_id")])
        entries, by_id = _entries(session, when)
        for item in items:
            if not item.get("message_id"):
                continue
            offset = float(item.get("offset_s", 0.0))
            duration = float(item.get("duration_s", 0.0))
            start = started + timedelta(seconds=offset)
            end = min(start + timedelta(seconds=duration), max(ended, start))
            if error is not None:
                status, note = "failed", str(error)
            elif offset + duration <= played + 0.5:
                status, note = "done", None
            else:
                status, note = "failed", T("partial", played=played)
            entry = _entry_for(entries, by_id, item)
            record = _record(
                key,
                item,
                messages.get(item["message_id"]),
                status,
                start,
                end,
                entry.id if entry is not None else None,
                note,
                extra,
            )
            session.add(record)
            records.append(record)
            if entry is not None:
                entry.status, entry.reason = status, note
        if not records:  # a bulletin with no sidecar: one row for the whole file
            status = "failed" if error is not None else "done"
            record = _record(
                key,
                {"title": path.stem, "duration_s": played or total},
                None,
                status,
                started,
                ended,
                None,
                str(error) if error else None,
                extra,
            )
            session.add(record)
            records.append(record)
        session.flush()
        session.expunge_all()
    if error is not None:
        raise error
    return records


def _log_without_playing(
    station: Any,
    when: datetime,
    items: list[dict[str, Any]],
    status: str,
    reason: str,
    now: datetime,
) -> list[AsRunRecord]:
    key = bulletin_key(when)
    records: list[AsRunRecord] = []
    with station.transaction() as session:
        entries, by_id = _entries(session, when)
        if not items:
            items = [
                {"message_id": mid, "title": "", "duration_s": e.duration_s}
                for mid, e in entries.items()
            ]
        messages = _messages(session, [i["message_id"] for i in items if i.get("message_id")])
        for item in items:
            if not item.get("message_id"):
                continue
            entry = _entry_for(entries, by_id, item)
            record = _record(
                key,
                item,
                messages.get(item["message_id"]),
                status,
                now,
                now,
                entry.id if entry is not None else None,
                reason,
                {},
            )
            session.add(record)
            records.append(record)
            if entry is not None:
                entry.status, entry.reason = status, reason
        session.flush()
        session.expunge_all()
    return records


def play_file(
    station: Any, path: Path, *, now: datetime, sink: Sink | None = None, clock: Clock | None = None
) -> AsRunRecord:
    """Play any audio file now (the operator's `loa play --file`) and log one as-run row."""
    if not path.is_file():
        raise UserError(T("no_file", path=path))
    clock = clock or station.now
    sink = sink or make_sink(station)
    total = audio_duration(path)
    started = clock()
    error: PlayoutError | None = None
    try:
        played = sink.play(path, total)
    except PlayoutError as exc:
        error, played = exc, 0.0
    ended = started + timedelta(seconds=played) if sink.simulated else clock()
    record = _record(
        f"file:{path.name}",
        {"title": path.stem, "duration_s": played},
        None,
        "failed" if error else "done",
        started,
        ended,
        None,
        str(error) if error else None,
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

    def to_dict(self) -> dict[str, Any]:
        return {
            k: (v.isoformat(timespec="minutes") if isinstance(v, datetime) else v)
            for k, v in self.__dict__.items()
        }


def run_sheet(station: Any, day: date) -> list[RunSheetRow]:
    """The day's plan for every channel, in time order, with the as-run time of each item."""
    from sqlalchemy import select

    from loa.channels.models import AsRunRecord
    from loa.content.models import Message
    from loa.planning.models import PlanEntry, Slot

    start = datetime.combine(day, datetime.min.time())
    end = start + timedelta(days=1)
    rows: list[RunSheetRow] = []
    with station.transaction() as session:
        slots = dict(session.execute(select(Slot.id, Slot.name)).all())
        titles = dict(session.execute(select(Message.id, Message.title)).all())
        aired_at: dict[int, datetime] = {}
        aired_s: dict[int, float] = {}
        for run in session.scalars(
            select(AsRunRecord).where(
                AsRunRecord.started_at >= start - timedelta(days=1),
                AsRunRecord.plan_entry_id.is_not(None),
                AsRunRecord.status == "done",
            )
        ):
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
                    slots.get(e.slot_id, ""),
                    e.position,
                    e.message_id,
                    titles.get(e.message_id, ""),
                    aired_s.get(e.id) or e.duration_s,
                    e.status,
                    aired_at.get(e.id),
                )
            )
    return rows


def write_playlists(station: Any, day: date) -> list[Path]:
    """Write one M3U per radio slot of `day` into media/playlists/YYYY-MM-DD/HHMM.m3u, listing
    the bulletin file (for operators who use their own player). Returns the files written."""
    from loa.core.fileio import atomic_write_text

    times = sorted({r.at for r in run_sheet(station, day) if r.channel == "radio"})
    render = _audio_render()
    folder = station.media_dir / "playlists" / day.isoformat()
    written: list[Path] = []
    for when in times:
        path = Path(render.bulletin_path(station, when))
        items = read_sidecar(path) if path.is_file() else []
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
