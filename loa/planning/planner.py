"""The station plan: reads the station into a planning problem, solves it and writes the plan
entries back, and explains where a message went.

Re-planning keeps every entry that already ran or is being sent (status sending), keeps future
planned entries that are still feasible, and only fills what is left: the same inputs give the
same plan, and a second run with no change changes nothing.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from loa.content.models import Message, MessageStatus, Priority
from loa.content.queue import get_message
from loa.core.i18n import Catalog, decimal
from loa.core.registry import audio_channels, channel_label, is_audio
from loa.planning import budget as broadcasts
from loa.planning.budget import BroadcastBudget
from loa.planning.calendar import blocked_days, campaign_windows
from loa.planning.durations import estimate_duration, message_duration
from loa.planning.learning import SlotReach
from loa.planning.models import PlanEntry, PlanStatus, Slot
from loa.planning.problem import Airing, Placement, PlanItem, PlanModel, Problem, reach_of
from loa.planning.search import solve
from loa.planning.settings import SchedulerSettings
from loa.planning.slots import SlotInstance, expand_slots, list_slots

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from loa.content.models import Message
    from loa.core.station import Station

T = Catalog(
    {
        "why_reach": ("độ phủ {reach} ({detail})", "reach {reach} ({detail})"),
        "why_boost": ('đợt "{name}" x{boost:g}', 'campaign "{name}" x{boost:g}'),
        "why_assumed": (
            "độ phủ giả định (mới đo {n}/{min} lần)",
            "assumed reach (measured {n} of {min} times)",
        ),
        "why_explore": (
            "đang thử khung này: độ phủ giả định x{factor} (mới đo {n}/{min} lần)",
            "trying this slot: assumed reach x{factor} (measured {n} of {min} times)",
        ),
        "why_learned": (
            "độ phủ học được x{factor} so với giả định (đo {n} lần, tin cậy {confidence}; {source})",
            "learned reach x{factor} of the assumption ({n} figures, confidence {confidence}; "
            "{source})",
        ),
        "why_cautious": (
            "độ phủ học được x{factor} so với giả định (số liệu cho x{learned}, chưa đủ rõ nên "
            "giữ gần giả định; đo {n} lần, tin cậy {confidence}; {source})",
            "learned reach x{factor} of the assumption (the figures say x{learned}, kept closer "
            "to the assumption until they are clearer; {n} figures, confidence {confidence}; "
            "{source})",
        ),
        "x_slot_reach": ("Khung {slot} ({start}): {text}", "Slot {slot} ({start}): {text}"),
        "why_high": ("ưu tiên: đầu bản tin kế tiếp", "high priority: first in the next bulletin"),
        "why_kept": ("giữ nguyên từ lần lập lịch trước", "kept from the previous plan"),
        "why_pinned": (
            "đã ghim: lập lịch lại không dời tin này",
            "pinned: a re-plan does not move it",
        ),
        "why_repeat": ("lặp lại khung này trong tuần", "a repeat of this slot in the week"),
        "x_status": (
            "Tin chưa được duyệt (trạng thái: {status}); chỉ tin đã duyệt mới được lên "
            "lịch. Duyệt bằng: loa msg approve {id}",
            "The message is not approved (status: {status}); only approved messages "
            "are planned. Approve it with: loa msg approve {id}",
        ),
        "x_urgent": (
            'Tin khẩn cấp: không xếp vào khung giờ; "loa run" phát ngay trên loa và '
            "đăng ngay trên mọi kênh.",
            'Urgent: outside the slot grid; "loa run" airs it and posts it on every '
            "channel at once.",
        ),
        "x_expired": ("Tin đã hết hiệu lực ngày {day}.", "The message expired on {day}."),
        "x_not_yet": (
            "Tin chỉ có hiệu lực từ ngày {day}, sau khoảng lập lịch.",
            "The message is only valid from {day}, after the planned period.",
        ),
        "x_unconfigured": (
            "Kênh {channel}: chưa cấu hình trong loa.toml nên không lên lịch "
            "(xem: loa channels check).",
            "Channel {channel}: not configured in loa.toml, so nothing is planned "
            "(see: loa channels check).",
        ),
        "x_no_slot": (
            "Kênh {channel}: đài chưa có khung giờ nào (thêm bằng: loa slots add).",
            "Channel {channel}: the station has no slot (add one: loa slots add).",
        ),
        "x_no_reach": (
            "Kênh {channel}: không khung giờ nào tới được nhóm đối tượng của tin "
            "({audiences}); sửa độ phủ bằng: loa slots edit ID --reach NHÓM=0.5",
            "Channel {channel}: no slot reaches the message's audiences "
            "({audiences}); set a reach with: loa slots edit ID --reach GROUP=0.5",
        ),
        "x_count": (
            "Kênh {channel}: {placed} lần trong khoảng này (mong muốn {wanted} lần/tuần).",
            "Channel {channel}: {placed} times in this period (wanted {wanted} a week).",
        ),
        "x_short": (
            "Kênh {channel}: còn thiếu vì {why}.",
            "Channel {channel}: short because {why}.",
        ),
        "b_capacity": ("{n} khung đã đầy", "{n} slots full"),
        "b_day": ("{n} khung trùng ngày đã có tin này", "{n} slots on a day it already airs"),
        "b_topic": ("{n} khung đã đủ tin cùng chủ đề", "{n} slots with enough items on its topic"),
        "b_spacing": ("{n} khung quá gần lần phát khác", "{n} slots too close to another airing"),
        "b_blocked": ("{n} ngày nghỉ/lễ ({days})", "{n} blackout or holiday days ({days})"),
        "b_ineligible": (
            "{n} khung ngoài hiệu lực hoặc không đủ chỗ cho thời lượng",
            "{n} slots outside validity or too short for its duration",
        ),
    }
)


#: Entries that hold their place in the plan: planned, being sent, or done.
_PLACED = (PlanStatus.PLANNED, PlanStatus.SENDING, PlanStatus.DONE)


@dataclass
class PlanReport:
    """What `plan()` did."""

    start: date
    days: int
    added: int = 0
    kept: int = 0
    removed: int = 0
    locked: int = 0
    pinned: int = 0
    objective: float = 0.0
    per_message: dict[int, dict[str, int]] = field(default_factory=dict)  # id -> channel -> count
    wanted: dict[int, dict[str, int]] = field(default_factory=dict)
    blocked: dict[date, str] = field(default_factory=dict)
    urgent: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "days": self.days,
            "added": self.added,
            "kept": self.kept,
            "removed": self.removed,
            "locked": self.locked,
            "pinned": self.pinned,
            "objective": round(self.objective, 4),
            "per_message": {str(k): v for k, v in self.per_message.items()},
            "wanted": {str(k): v for k, v in self.wanted.items()},
            "blocked": {d.isoformat(): r for d, r in self.blocked.items()},
            "urgent": self.urgent,
        }


def plannable_messages(session: Session, first: date, last: date) -> list[Message]:
    """Approved, non-urgent messages valid on at least one day of [first, last]."""
    from sqlalchemy import select

    out = []
    for message in session.scalars(
        select(Message).where(Message.status == MessageStatus.APPROVED).order_by(Message.id)
    ):
        if message.priority == Priority.URGENT:
            continue
        if message.valid_until and message.valid_until < first:
            continue
        if message.valid_from and message.valid_from > last:
            continue
        out.append(message)
    return out


def build_problem(
    station: Station,
    session: Session,
    start: date,
    days: int,
    *,
    now: datetime,
    channels: Collection[str],
    durations: Mapping[int, float] | None = None,
    learned: Mapping[int, SlotReach] | None = None,
) -> tuple[Problem, dict[str, Any]]:
    """Read the station into a Problem for [start, start + days). Also returns the lookup
    tables `plan()` needs to write the result back (entries by instance, ...).

    `channels` are the channels the station can publish on (only their slots are planned);
    `durations` the known clip length of rendered messages (message id -> seconds), the
    others are estimated from their text; `learned` the reach learned from the channels'
    figures (slot id -> factor on the slot's assumed reach, `loa.planning.learning`).
    """
    from sqlalchemy import select

    settings = SchedulerSettings.from_station(station)
    last = start + timedelta(days=days - 1)
    blocked = blocked_days(session, start, last, holidays=settings.skip_holidays)
    slots = list_slots(session)
    usable = set(channels) & {s.channel for s in slots}
    instances = expand_slots(
        [s for s in slots if s.channel in usable], start, days, blocked=blocked, after=now
    )
    if learned:
        instances = [_learned(inst, learned.get(inst.slot_id)) for inst in instances]
    index = {(inst.slot_id, inst.start): n for n, inst in enumerate(instances)}
    messages = plannable_messages(session, start, last)
    rendered = durations or {}

    def estimate(text: str) -> float:
        return estimate_duration(text, settings.words_per_second)

    items = [
        PlanItem(
            m.id,
            m.topic_code,
            tuple(m.audience_codes),
            frozenset(m.channels) & usable,
            m.priority,
            m.airings_per_week,
            message_duration(m, rendered, estimate),
            m.valid_from,
            m.valid_until,
            m.campaign_id,
            frozenset(m.zones or ()),
        )
        for m in messages
    ]
    week_start = start - timedelta(days=start.weekday())
    week_end = last + timedelta(days=6 - last.weekday())
    horizon = timedelta(hours=settings.min_spacing_hours)
    lo = datetime.combine(week_start, datetime.min.time()) - horizon
    hi = datetime.combine(week_end, datetime.max.time()) + horizon
    entries = list(
        session.scalars(
            select(PlanEntry)
            .where(PlanEntry.scheduled_at >= lo, PlanEntry.scheduled_at <= hi)
            .order_by(PlanEntry.scheduled_at, PlanEntry.id)
        )
    )
    plannable = {m.id for m in messages}
    history: list[Airing] = []
    kept: list[Placement] = []
    entry_at: dict[tuple[int, int], PlanEntry] = {}
    banned: set[tuple[int, int]] = set()
    for entry in entries:
        if entry.channel == "urgent":
            continue
        if entry.status in (PlanStatus.SKIPPED, PlanStatus.FAILED, PlanStatus.CANCELLED):
            # an entry row stays for its slot instance: the message never goes there again
            # (dropped by hand, or already tried); the row's key is unique
            n = index.get((entry.slot_id or 0, entry.scheduled_at))
            if n is not None:
                banned.add((entry.message_id, n))
            continue
        if entry.slot_id is None:  # outside the grid (urgent, added by hand): never moved
            history.append(Airing(entry.message_id, entry.channel, None, entry.scheduled_at))
            continue
        n = index.get((entry.slot_id or 0, entry.scheduled_at))
        future = entry.scheduled_at >= now and start <= entry.scheduled_at.date() <= last
        if (
            entry.status == PlanStatus.SENDING
            and future
            and n is not None
            and entry.message_id in plannable
        ):
            # being sent: locked, never moved or dropped (otherwise it only counts as history)
            kept.append(Placement(entry.message_id, n, "locked"))
            entry_at[(entry.message_id, n)] = entry
        elif entry.status == PlanStatus.PLANNED and future and n is not None:
            kept.append(Placement(entry.message_id, n, "pinned" if entry.pinned else "kept"))
            entry_at[(entry.message_id, n)] = entry
        elif entry.status == PlanStatus.PLANNED and future:
            entry_at[(entry.message_id, -entry.id)] = entry  # its slot or day is gone: dropped
        else:
            history.append(
                Airing(entry.message_id, entry.channel, entry.slot_id, entry.scheduled_at)
            )
    aired_radio = set(
        session.scalars(
            select(PlanEntry.message_id).where(
                PlanEntry.channel.in_(audio_channels()), PlanEntry.status == PlanStatus.DONE
            )
        )
    )
    force = frozenset(
        m.id for m in messages if m.priority == Priority.HIGH and m.id not in aired_radio
    )
    problem = Problem(
        instances,
        items,
        settings,
        campaign_windows(session),
        history,
        kept,
        force,
        (max(start, now.date()), last),
        banned=frozenset(banned),
    )
    return problem, {"entries": entry_at, "blocked": blocked, "messages": messages}


def _learned(inst: SlotInstance, reach: SlotReach | None) -> SlotInstance:
    """The instance with its assumed reach of every audience times the learned factor."""
    if reach is None or reach.factor == 1.0:
        return inst
    from dataclasses import replace

    return replace(
        inst, reach={a: min(1.0, float(v) * reach.factor) for a, v in inst.reach.items()}
    )


def learned_text(reach: SlotReach | None) -> str:
    """Which reach figure the planner used for a slot, and where it came from."""
    if reach is None:
        return T("why_assumed", n=0, min="-")
    if reach.explore and reach.confidence == "none":
        return T("why_explore", n=reach.n, min=reach.needed, factor=decimal(reach.factor, 2))
    if reach.confidence == "none":
        return T("why_assumed", n=reach.n, min=reach.needed)
    if reach.learned is not None and round(reach.learned, 2) != round(reach.factor, 2):
        return T(
            "why_cautious",
            factor=decimal(reach.factor, 2),
            learned=decimal(reach.learned, 2),
            n=reach.n,
            confidence=reach.confidence,
            source=reach.source or "-",
        )
    return T(
        "why_learned",
        factor=decimal(reach.factor, 2),
        n=reach.n,
        confidence=reach.confidence,
        source=reach.source or "-",
    )


def _reason(
    model: PlanModel,
    p: Placement,
    messages: Mapping[int, Message],
    learned: Mapping[int, SlotReach] | None = None,
) -> str:
    item = model.items[p.message_id]
    inst = model.inst[p.instance]
    names = (
        {a.code: a.label for a in messages[p.message_id].audiences}
        if p.message_id in messages
        else {}
    )
    detail = ", ".join(
        f"{names.get(a, a)} {decimal(float(inst.reach.get(a, 0.0)), 2)}" for a in item.audiences
    )
    parts = [T("why_reach", reach=decimal(reach_of(item, inst.reach), 2), detail=detail or "-")]
    reach = learned.get(inst.slot_id) if learned else None
    if reach is not None and (reach.n or reach.explore):
        parts.append(learned_text(reach))
    for c in model.p.campaigns:
        if c.applies(item.campaign_id, item.topic, inst.start.date()):
            parts.append(T("why_boost", name=c.name, boost=c.boost))
    if p.kind == "forced":
        parts.append(T("why_high"))
    if p.kind in ("kept", "locked"):
        parts.append(T("why_kept"))
    if p.kind == "pinned":
        parts.append(T("why_pinned"))
    return "; ".join(parts)


def plan(
    station: Station,
    start: date,
    days: int,
    *,
    now: datetime,
    channels: Collection[str],
    durations: Mapping[int, float] | None = None,
    budgets: Collection[BroadcastBudget] = (),
    learned: Mapping[int, SlotReach] | None = None,
) -> PlanReport:
    """Plan [start, start + days) for the station, in one transaction, and return what changed.

    Entries that already ran, or are being sent (status sending), are kept as they are; future
    planned entries stay where they are when they still fit; the rest is filled by `solve`.
    `channels` and `durations` are as for `build_problem` (loa.app.planning gives the station's
    configured channels and its rendered clips). `budgets` limit the broadcasts of a channel
    per calendar month (`loa.planning.budget`): an entry over its month's budget is still
    posted, not broadcast, and its reason says so.
    """
    from sqlalchemy import select

    report = PlanReport(start, days)
    with station.transaction() as session:
        problem, tables = build_problem(
            station,
            session,
            start,
            days,
            now=now,
            channels=channels,
            durations=durations,
            learned=learned,
        )
        solution = solve(problem)
        model = PlanModel(problem)
        entries: dict[tuple[int, int], PlanEntry] = tables["entries"]
        messages = {m.id: m for m in tables["messages"]}
        chosen = {(p.message_id, p.instance) for p in solution.placements}
        for key, entry in list(entries.items()):
            if key not in chosen:
                session.delete(entry)
                report.removed += 1
        session.flush()
        for p in solution.placements:
            inst = problem.instances[p.instance]
            item = model.items[p.message_id]
            found = entries.get((p.message_id, p.instance))
            if found is None:
                entry = PlanEntry(
                    message_id=p.message_id,
                    channel=inst.channel,
                    slot_id=inst.slot_id,
                    scheduled_at=inst.start,
                    status=PlanStatus.PLANNED,
                    created_at=now,
                )
                session.add(entry)
                report.added += 1
            else:
                entry = found
                if p.kind == "locked":
                    report.locked += 1
                elif p.kind == "pinned":
                    report.pinned += 1
                else:
                    report.kept += 1
            entry.position = solution.positions.get((p.instance, p.message_id), 0)
            entry.duration_s = item.duration_s if is_audio(inst.channel) else 0.0
            entry.score = round(model.base(item, p.instance), 4)
            entry.reason = _reason(model, p, messages, learned)
        if budgets:
            session.flush()
            last_day = start + timedelta(days=days - 1)
            broadcasts.apply(session, budgets, broadcasts.months_between(start, last_day), now=now)
        report.objective = solution.objective
        report.blocked = tables["blocked"]
        for item in problem.items:
            report.wanted[item.message_id] = {
                ch: model.wanted(item, ch) for ch in sorted(item.channels)
            }
            report.per_message[item.message_id] = {ch: 0 for ch in sorted(item.channels)}
        last = start + timedelta(days=days - 1)
        for entry in session.scalars(
            select(PlanEntry).where(
                PlanEntry.scheduled_at >= datetime.combine(start, datetime.min.time()),
                PlanEntry.scheduled_at <= datetime.combine(last, datetime.max.time()),
                PlanEntry.status.in_(_PLACED),
            )
        ):
            counts = report.per_message.setdefault(entry.message_id, {})
            counts[entry.channel] = counts.get(entry.channel, 0) + 1

        report.urgent = list(
            session.scalars(
                select(Message.id)
                .where(
                    Message.status == MessageStatus.APPROVED, Message.priority == Priority.URGENT
                )
                .order_by(Message.id)
            )
        )
    return report


# --------------------------------------------------------------------------- explain


@dataclass
class Explanation:
    message_id: int
    title: str
    lines: list[str]
    entries: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "message_id": self.message_id,
            "title": self.title,
            "lines": self.lines,
            "entries": self.entries,
        }


def explain(
    station: Station,
    message_id: int,
    start: date,
    days: int,
    *,
    now: datetime,
    channels: Collection[str],
    durations: Mapping[int, float] | None = None,
    budgets: Collection[BroadcastBudget] = (),
    learned: Mapping[int, SlotReach] | None = None,
) -> Explanation:
    """Why a message went where it went in [start, start + days), or why it was left out.
    `channels`, `durations` and `learned` are as for `build_problem`, `budgets` as for `plan`
    (an entry posted but not broadcast because of its month's budget is said). With `learned`,
    one line per slot of the message's channels says which reach figure the planner used for
    it and where it came from.

    Raises UserError for an unknown message id.
    """
    from sqlalchemy import select

    last = start + timedelta(days=days - 1)
    with station.transaction() as session:
        message = get_message(session, message_id)
        out = Explanation(message.id, message.title, [], [])
        slots = {s.id: s for s in session.scalars(select(Slot))}
        lo = datetime.combine(start, datetime.min.time())
        for entry in session.scalars(
            select(PlanEntry)
            .where(
                PlanEntry.message_id == message_id,
                PlanEntry.scheduled_at >= lo,
                PlanEntry.scheduled_at < lo + timedelta(days=days),
            )
            .order_by(PlanEntry.scheduled_at, PlanEntry.channel)
        ):
            slot = slots.get(entry.slot_id or -1)
            out.entries.append(
                {
                    "when": entry.scheduled_at.isoformat(timespec="minutes"),
                    "channel": entry.channel,
                    "slot": slot.name if slot else "",
                    "position": entry.position,
                    "status": entry.status,
                    "score": entry.score,
                    "reason": entry.reason or "",
                    "pinned": entry.pinned,
                    "broadcast": entry.broadcast,
                }
            )
        if message.status != MessageStatus.APPROVED:
            out.lines.append(
                T("x_status", status=MessageStatus(message.status).label, id=message.id)
            )
            return out
        if message.priority == Priority.URGENT:
            out.lines.append(T("x_urgent"))
            return out
        if message.valid_until and message.valid_until < start:
            out.lines.append(T("x_expired", day=message.valid_until.strftime("%d/%m/%Y")))
            return out
        if message.valid_from and message.valid_from > last:
            out.lines.append(T("x_not_yet", day=message.valid_from.strftime("%d/%m/%Y")))
            return out
        problem, _tables = build_problem(
            station,
            session,
            start,
            days,
            now=now,
            channels=channels,
            durations=durations,
            learned=learned,
        )
        item = next(it for it in problem.items if it.message_id == message_id)
        model = PlanModel(problem)
        for entry in session.scalars(
            select(PlanEntry).where(
                PlanEntry.scheduled_at >= lo,
                PlanEntry.scheduled_at < lo + timedelta(days=days),
                PlanEntry.status.in_((PlanStatus.PLANNED, PlanStatus.SENDING)),
            )
        ):
            n = next(
                (
                    k
                    for k, inst in enumerate(model.inst)
                    if inst.slot_id == entry.slot_id and inst.start == entry.scheduled_at
                ),
                None,
            )
            if (
                n is not None
                and entry.message_id in model.items
                and (entry.message_id, n) not in model.placed
            ):
                model.add(entry.message_id, n, "kept")
        blocked = _tables["blocked"]
        if budgets:
            for decision in broadcasts.decide(
                session, budgets, broadcasts.months_between(start, last), now=now
            ):
                if decision.message_id == message_id and not decision.broadcast:
                    out.lines.append(decision.explain())
        for channel in sorted(set(message.channels) - item.channels):
            # a channel the station publishes on but has no slot for: say so, not "unconfigured"
            key = "x_no_slot" if channel in channels else "x_unconfigured"
            out.lines.append(T(key, channel=channel_label(channel)))
        for channel in sorted(item.channels):
            own = [s for s in slots.values() if s.channel == channel]
            if not own:
                out.lines.append(T("x_no_slot", channel=channel_label(channel)))
                continue
            if all(reach_of(item, s.reach) <= 0 for s in own):
                names = {a.code: a.label for a in message.audiences}
                audiences = ", ".join(names.get(a, a) for a in item.audiences) or "-"
                out.lines.append(
                    T("x_no_reach", channel=channel_label(channel), audiences=audiences)
                )
                continue
            if learned is not None:
                for slot in sorted(own, key=lambda s: (s.start, s.id)):
                    said = learned.get(slot.id)
                    if said is None or not (said.n or said.explore):
                        continue  # no figure on this slot or its channel: the assumption
                    out.lines.append(
                        T(
                            "x_slot_reach",
                            slot=slot.name,
                            start=slot.start,
                            text=learned_text(learned.get(slot.id)),
                        )
                    )
            placed = sum(
                1 for e in out.entries if e["channel"] == channel and e["status"] in _PLACED
            )
            wanted = model.wanted(item, channel)
            out.lines.append(
                T("x_count", channel=channel_label(channel), placed=placed, wanted=wanted)
            )
            full_weeks = max(1, math.ceil(days / 7))
            if placed >= wanted * full_weeks or placed >= days * problem.settings.max_per_day:
                continue
            why: Counter[str] = Counter()
            for i, inst in enumerate(model.inst):
                if inst.channel != channel or (message_id, i) in model.placed:
                    continue
                reason = model.blocker(item, i, ignore_week=True)
                if reason and reason not in ("placed",):
                    why[reason] += 1
            parts = [T(f"b_{k}", n=n) for k, n in sorted(why.items())]
            if blocked:
                parts.append(
                    T(
                        "b_blocked",
                        n=len(blocked),
                        days=", ".join(d.strftime("%d/%m") for d in blocked),
                    )
                )
            if parts:
                out.lines.append(T("x_short", channel=channel_label(channel), why="; ".join(parts)))
    return out
