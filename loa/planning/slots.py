"""Audience time slots: the weekly template per channel, its validation, and its instances."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from loa.content.models import Audience
from loa.core.dates import format_time, parse_time
from loa.core.errors import UserError
from loa.core.i18n import Catalog
from loa.core.registry import channel_hours, channel_names, channel_rank, is_audio
from loa.planning.models import PlanEntry, PlanStatus, Slot

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from loa.planning.models import Slot

WEEKDAY_NAMES = ("T2", "T3", "T4", "T5", "T6", "T7", "CN")

T = Catalog(
    {
        "bad_channel": (
            'Kênh "{value}" không có. Các kênh hợp lệ: {valid}.',
            'Unknown channel "{value}". Valid channels: {valid}.',
        ),
        "bad_hours": (
            "Khung giờ {channel} lúc {start} nằm ngoài giờ kênh này chuyển tin ({lo:02d}:00 đến "
            "{hi:02d}:00; Zalo chỉ gửi tới người quan tâm trong khoảng đó). Chọn giờ trong khoảng.",
            "A {channel} slot at {start} is outside the hours this channel delivers ({lo:02d}:00 "
            "to {hi:02d}:00; Zalo sends to followers only then). Choose a time inside them.",
        ),
        "bad_capacity": (
            "Sức chứa phải lớn hơn 0 (giây phát sóng cho đài, số bài cho kênh khác); đã nhập {value}.",
            "Capacity must be above 0 (airtime seconds for the radio, posts for other channels); "
            "got {value}.",
        ),
        "big_capacity": (
            "Sức chứa {value} quá lớn: một khung đài tối đa 3600 giây, một khung kênh khác tối đa "
            "50 bài.",
            "Capacity {value} is too large: a radio slot holds at most 3600 s, another channel's "
            "slot at most 50 posts.",
        ),
        "bad_weekdays": (
            'Ngày trong tuần "{value}" không hợp lệ. Dùng số 2-7 và CN (ví dụ "2,4,6" hoặc '
            '"2-6" hoặc "hằng ngày"), hay 0-6 với 0 là thứ Hai.',
            'Weekdays "{value}" are not valid. Use mon..sun or 0-6 with 0 = Monday '
            '(e.g. "mon,wed,fri", "0-4", "daily"), or Vietnamese 2-7 and CN.',
        ),
        "bad_audience": (
            'Nhóm đối tượng "{value}" không có. Các nhóm hợp lệ: {valid}.',
            'Unknown audience "{value}". Valid audiences: {valid}.',
        ),
        "bad_reach": (
            'Độ phủ "{value}" không hợp lệ. Viết NHÓM=SỐ với số từ 0 đến 1, ví dụ residents=0.6.',
            'Reach "{value}" is not valid. Write GROUP=NUMBER with a number from 0 to 1, '
            "e.g. residents=0.6.",
        ),
        "overlap": (
            'Khung đài "{name}" ({start}, {capacity} giây) trùng giờ với khung "{other}" '
            "({other_start}, {other_capacity} giây) vào {day}. Đổi giờ bắt đầu hoặc giảm sức chứa.",
            'Radio slot "{name}" ({start}, {capacity} s) overlaps slot "{other}" '
            "({other_start}, {other_capacity} s) on {day}. Change the start or lower the capacity.",
        ),
        "midnight": (
            'Khung đài "{name}" bắt đầu {start} và kéo dài {capacity} giây, vượt quá nửa đêm. '
            "Chọn giờ sớm hơn hoặc giảm sức chứa.",
            'Radio slot "{name}" starts at {start} and lasts {capacity} s, past midnight. '
            "Start earlier or lower the capacity.",
        ),
        "no_slot": (
            "Không có khung giờ số {id}. Xem danh sách bằng: loa slots list",
            "No slot with id {id}. See the list with: loa slots list",
        ),
        "empty_name": ("Tên khung giờ không được để trống.", "The slot name must not be empty."),
    }
)

_WEEKDAY_WORDS = {
    "mon": 0,
    "tue": 1,
    "wed": 2,
    "thu": 3,
    "fri": 4,
    "sat": 5,
    "sun": 6,
    "t2": 0,
    "t3": 1,
    "t4": 2,
    "t5": 3,
    "t6": 4,
    "t7": 5,
    "cn": 6,
}
_DAILY = {"daily", "all", "hằng ngày", "hàng ngày", "*"}


def parse_weekdays(value: str) -> list[int]:
    """ "mon,wed", "0-4", "2-6" (Vietnamese thứ 2-6), "CN", "daily" -> sorted weekday numbers.

    Plain digits 0/1 or any digit list containing 0 mean Python weekdays (0 = Monday);
    digit lists of 2-7 (and CN) mean Vietnamese day names (thứ Hai = 2). Raises UserError.
    """
    text = value.strip().lower()
    if text in _DAILY:
        return list(range(7))
    tokens = [t.strip() for t in text.replace(";", ",").split(",") if t.strip()]
    if not tokens:
        raise UserError(T("bad_weekdays", value=value))
    numbers: list[int] = []
    words: list[int] = []
    for token in tokens:
        if "-" in token:
            lo, _, hi = (part.strip() for part in token.partition("-"))
            if lo in _WEEKDAY_WORDS and hi in _WEEKDAY_WORDS:  # "T2-CN", as `slots list` shows
                first, last = _WEEKDAY_WORDS[lo], _WEEKDAY_WORDS[hi]
                if first > last:
                    raise UserError(T("bad_weekdays", value=value))
                words.extend(range(first, last + 1))
                continue
            if not (lo.isdigit() and hi.isdigit()) or int(lo) > int(hi):
                raise UserError(T("bad_weekdays", value=value))
            numbers.extend(range(int(lo), int(hi) + 1))
        elif token.isdigit():
            numbers.append(int(token))
        elif token in _WEEKDAY_WORDS:
            words.append(_WEEKDAY_WORDS[token])
        else:
            raise UserError(T("bad_weekdays", value=value))
    if numbers and (min(numbers) <= 1 or max(numbers) > 7):
        if max(numbers) > 6:
            raise UserError(T("bad_weekdays", value=value))
        days = numbers
    else:
        days = [n - 2 for n in numbers]  # Vietnamese: thứ 2 .. thứ 7
    return sorted(set(days + words))


def format_weekdays(days: Sequence[int]) -> str:
    if sorted(days) == list(range(7)):
        return "T2-CN"
    return ",".join(WEEKDAY_NAMES[d] for d in sorted(days))


def parse_reach(items: Iterable[str]) -> dict[str, float]:
    """["residents=0.6", "workers=0.4"] -> {"residents": 0.6, "workers": 0.4}. Raises UserError."""
    reach: dict[str, float] = {}
    for item in items:
        for part in item.split(","):
            if not part.strip():
                continue
            code, sep, number = part.partition("=")
            try:
                share = float(number)
            except ValueError:
                raise UserError(T("bad_reach", value=part)) from None
            if not sep or not code.strip() or not 0.0 <= share <= 1.0:
                raise UserError(T("bad_reach", value=part))
            reach[code.strip()] = share
    return reach


@dataclass
class SlotSpec:
    """A slot as the officer writes it, before it is stored."""

    channel: str
    name: str
    start: str
    capacity: int
    weekdays: list[int] = field(default_factory=lambda: list(range(7)))
    reach: dict[str, float] = field(default_factory=dict)
    note: str | None = None


def _minutes(start: str) -> int:
    t = parse_time(start)
    return t.hour * 60 + t.minute


def validate_slot(spec: SlotSpec, audiences: Iterable[str], others: Iterable[Slot]) -> SlotSpec:
    """Check one slot against the known audiences and the station's other slots.

    Returns the spec with its start normalised ("5:30" -> "05:30"). Raises UserError on a bad
    time, channel, capacity, weekday, audience or reach, and on a radio slot that overlaps
    another radio slot on a shared weekday (a radio slot lasts `capacity` seconds).
    """
    if not spec.name.strip():
        raise UserError(T("empty_name"))
    if spec.channel not in channel_names():
        raise UserError(T("bad_channel", value=spec.channel, valid=", ".join(channel_names())))
    spec.start = format_time(parse_time(spec.start))
    hours = channel_hours(spec.channel)
    if hours is not None and not hours[0] <= parse_time(spec.start).hour < hours[1]:
        raise UserError(
            T("bad_hours", channel=spec.channel, start=spec.start, lo=hours[0], hi=hours[1])
        )
    if spec.capacity <= 0:
        raise UserError(T("bad_capacity", value=spec.capacity))
    if spec.capacity > (3600 if is_audio(spec.channel) else 50):  # seconds of airtime, or posts
        raise UserError(T("big_capacity", value=spec.capacity))
    if not spec.weekdays or any(d not in range(7) for d in spec.weekdays):
        raise UserError(T("bad_weekdays", value=spec.weekdays))
    spec.weekdays = sorted(set(spec.weekdays))
    known = list(audiences)
    names = audiences if isinstance(audiences, Mapping) else {}
    for code, share in spec.reach.items():
        if code not in known:
            valid = "; ".join(f"{c} ({names[c]})" if c in names else c for c in known)
            raise UserError(T("bad_audience", value=code, valid=valid))
        if not 0.0 <= float(share) <= 1.0:
            raise UserError(T("bad_reach", value=f"{code}={share}"))
    if is_audio(spec.channel):
        begin = _minutes(spec.start) * 60
        end = begin + spec.capacity
        if end > 24 * 3600:
            raise UserError(T("midnight", name=spec.name, start=spec.start, capacity=spec.capacity))
        for other in others:
            if not is_audio(other.channel):
                continue
            shared = sorted(set(other.weekdays) & set(spec.weekdays))
            o_begin = _minutes(other.start) * 60
            o_end = o_begin + other.capacity
            if shared and begin < o_end and o_begin < end:
                raise UserError(
                    T(
                        "overlap",
                        name=spec.name,
                        start=spec.start,
                        capacity=spec.capacity,
                        other=other.name,
                        other_start=other.start,
                        other_capacity=other.capacity,
                        day=WEEKDAY_NAMES[shared[0]],
                    )
                )
    return spec


def _audience_codes(session: Session) -> dict[str, str]:
    """Audience code -> its name in the user's language, in the taxonomy's order."""
    from sqlalchemy import select

    return {a.code: a.label for a in session.scalars(select(Audience).order_by(Audience.position))}


def list_slots(session: Session, channel: str | None = None) -> list[Slot]:
    """The station's slots ordered by channel, start time and id."""
    from sqlalchemy import select

    query = select(Slot)
    if channel:
        query = query.where(Slot.channel == channel)
    slots = list(session.scalars(query))
    return sorted(
        slots,
        key=lambda s: (channel_rank(s.channel), s.start, s.id),
    )


def add_slot(session: Session, spec: SlotSpec) -> Slot:
    """Validate and store a new slot. Raises UserError (see validate_slot)."""

    spec = validate_slot(spec, _audience_codes(session), list_slots(session))
    slot = Slot(
        channel=spec.channel,
        name=spec.name.strip(),
        weekdays=spec.weekdays,
        start=spec.start,
        capacity=spec.capacity,
        reach=dict(spec.reach),
        note=spec.note,
    )
    session.add(slot)
    session.flush()
    return slot


def get_slot(session: Session, slot_id: int) -> Slot:

    slot = session.get(Slot, slot_id)
    if slot is None:
        raise UserError(T("no_slot", id=slot_id))
    return slot


def edit_slot(session: Session, slot_id: int, **changes: Any) -> Slot:
    """Change some fields of a slot (None values are left alone); `reach` entries are merged.

    Raises UserError for an unknown id or a change that fails validation.
    """
    slot = get_slot(session, slot_id)
    reach = dict(slot.reach)
    reach.update(changes.pop("reach", None) or {})
    values = {k: v for k, v in changes.items() if v is not None}
    spec = SlotSpec(
        channel=values.get("channel", slot.channel),
        name=values.get("name", slot.name),
        start=values.get("start", slot.start),
        capacity=values.get("capacity", slot.capacity),
        weekdays=list(values.get("weekdays", slot.weekdays)),
        reach=reach,
        note=values.get("note", slot.note),
    )
    spec = validate_slot(
        spec, _audience_codes(session), [s for s in list_slots(session) if s.id != slot.id]
    )
    slot.channel, slot.name, slot.start = spec.channel, spec.name.strip(), spec.start
    slot.capacity, slot.weekdays, slot.reach, slot.note = (
        spec.capacity,
        spec.weekdays,
        spec.reach,
        spec.note,
    )
    return slot


def remove_slot(session: Session, slot_id: int) -> int:
    """Delete a slot and its planned entries; entries that ran or are being sent keep their
    history (their slot link is cleared). Returns the number of planned entries removed."""
    from sqlalchemy import select

    slot = get_slot(session, slot_id)
    removed = 0
    for entry in session.scalars(select(PlanEntry).where(PlanEntry.slot_id == slot.id)):
        if entry.status == PlanStatus.PLANNED:
            session.delete(entry)
            removed += 1
        else:
            entry.slot_id = None
    session.flush()
    session.delete(slot)
    session.flush()
    return removed


@dataclass(frozen=True)
class SlotInstance:
    """One occurrence of a weekly slot on one day: what the planner fills."""

    slot_id: int
    channel: str
    name: str
    start: datetime
    capacity: float
    reach: Mapping[str, float]
    zones: frozenset[str] = frozenset()  # loudspeaker zones it airs on; empty = all


def expand_slots(
    slots: Iterable[Slot | SlotSpec],
    start: date,
    days: int,
    *,
    blocked: Mapping[date, str] | None = None,
    after: datetime | None = None,
) -> list[SlotInstance]:
    """Slot instances on each of `days` days from `start`, skipping blocked days and (with
    `after`) instances that start before that moment. Sorted by start time then slot id."""
    blocked = blocked or {}
    out: list[SlotInstance] = []
    for slot in slots:
        at = parse_time(slot.start)
        slot_id = int(getattr(slot, "id", 0) or 0)
        for offset in range(days):
            day = start + timedelta(days=offset)
            if day.weekday() not in slot.weekdays or day in blocked:
                continue
            when = datetime.combine(day, at)
            if after is not None and when < after:
                continue
            out.append(
                SlotInstance(
                    slot_id,
                    slot.channel,
                    slot.name,
                    when,
                    float(slot.capacity),
                    dict(slot.reach),
                    frozenset(getattr(slot, "zones", None) or ()),
                )
            )
    out.sort(
        key=lambda i: (
            i.start,
            channel_rank(i.channel),
            i.slot_id,
        )
    )
    return out
