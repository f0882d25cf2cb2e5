"""Broadcast budgets: a channel that can also notify its followers (Zalo OA "gửi tới người quan
tâm") may do so only a few times per follower per calendar month. The planner is told the budget
by the application layer (`loa.app.planning`), which reads it from the channel's settings and the
outbox; planning never imports the channels.

Every planned (or being sent) entry of the channel whose message's priority broadcasts takes one
broadcast of its month, in time order, after the broadcasts already sent that month; an entry
over the budget is still posted (an article) but not broadcast, and its reason says so.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from loa.core.i18n import Catalog

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from loa.planning.models import PlanEntry

T = Catalog(
    {
        "b_yes": (
            "gửi tới người quan tâm (lần {n}/{limit} của tháng {month})",
            "broadcast to followers ({n} of {limit} in {month})",
        ),
        "b_no": (
            "chỉ đăng bài, không gửi tới người quan tâm: đã dùng hết {limit} lần gửi của "
            "tháng {month}",
            "posted as an article only, not broadcast: the {limit} broadcasts of {month} "
            "are used up",
        ),
        "x_budget": (
            "Kênh {channel}: {when} chỉ đăng bài, không gửi tới người quan tâm vì đã dùng hết "
            "{limit} lần gửi/tháng của tháng {month} ({sent} lần đã gửi trước đó); sửa "
            "broadcasts_per_month trong [channels.{channel}] của loa.toml nếu gói OA cho nhiều hơn.",
            "Channel {channel}: {when} is posted as an article only, not broadcast, because the "
            "{limit} broadcasts a month of {month} are used up ({sent} already sent); change "
            "broadcasts_per_month in [channels.{channel}] of loa.toml if the OA package allows "
            "more.",
        ),
    }
)

#: The two prefixes of a budget note in an entry's reason (any language), to replace it.
_PREFIXES = tuple(
    text.split("{", 1)[0].split(":", 1)[0] for key in ("b_yes", "b_no") for text in T.entries[key]
)


def month_key(day: date | datetime) -> tuple[int, int]:
    return (day.year, day.month)


@dataclass(frozen=True)
class BroadcastBudget:
    """At most `per_month` broadcasts per calendar month on `channel`, for messages whose
    priority is in `priorities`; `sent` counts those already sent, by (year, month)."""

    channel: str
    per_month: int
    priorities: frozenset[str]
    sent: Mapping[tuple[int, int], int] = field(default_factory=dict)

    def month_label(self, key: tuple[int, int]) -> str:
        return f"{key[1]:02d}/{key[0]}"


@dataclass(frozen=True)
class BudgetDecision:
    entry_id: int
    message_id: int
    channel: str
    scheduled_at: datetime
    broadcast: bool
    number: int  # the broadcast's number in its month (when broadcast)
    limit: int
    sent: int  # already sent in the month before the plan

    @property
    def month(self) -> str:
        return f"{self.scheduled_at.month:02d}/{self.scheduled_at.year}"

    def note(self) -> str:
        if self.broadcast:
            return T("b_yes", n=self.number, limit=self.limit, month=self.month)
        return T("b_no", limit=self.limit, month=self.month)

    def explain(self) -> str:
        return T(
            "x_budget",
            channel=self.channel,
            when=self.scheduled_at.strftime("%d/%m/%Y %H:%M"),
            limit=self.limit,
            month=self.month,
            sent=self.sent,
        )


def strip_note(reason: str | None) -> str:
    """`reason` without a budget note written by an earlier plan."""
    parts = [p for p in (reason or "").split("; ") if p and not p.startswith(_PREFIXES)]
    return "; ".join(parts)


def decide(
    session: Session,
    budgets: Collection[BroadcastBudget],
    months: Iterable[tuple[int, int]],
    *,
    now: datetime,
) -> list[BudgetDecision]:
    """Which planned entries of the budgeted channels broadcast in `months`, in time order."""
    from sqlalchemy import select

    from loa.content.models import Message
    from loa.planning.models import PlanEntry, PlanStatus

    wanted = sorted(set(months))
    if not budgets or not wanted:
        return []
    first, after = _window(wanted)
    out: list[BudgetDecision] = []
    for budget in budgets:
        rows: list[tuple[PlanEntry, str]] = [
            (entry, str(priority))
            for entry, priority in session.execute(
                select(PlanEntry, Message.priority)
                .join(Message, Message.id == PlanEntry.message_id)
                .where(
                    PlanEntry.channel == budget.channel,
                    PlanEntry.scheduled_at >= max(first, now),
                    PlanEntry.scheduled_at < after,
                    PlanEntry.status.in_((PlanStatus.PLANNED, PlanStatus.SENDING)),
                )
                .order_by(PlanEntry.scheduled_at, PlanEntry.id)
            )
        ]
        used: dict[tuple[int, int], int] = {}
        for entry, priority in rows:
            if priority not in budget.priorities:
                continue
            key = month_key(entry.scheduled_at)
            if key not in wanted:
                continue
            sent = int(budget.sent.get(key, 0))
            n = used.get(key, sent) + 1
            fits = n <= budget.per_month
            if fits:
                used[key] = n
            out.append(
                BudgetDecision(
                    entry.id,
                    entry.message_id,
                    budget.channel,
                    entry.scheduled_at,
                    fits,
                    n if fits else 0,
                    budget.per_month,
                    sent,
                )
            )
    return out


def _window(months: list[tuple[int, int]]) -> tuple[datetime, datetime]:
    """The first instant of the first of `months` (sorted) and the first after the last."""
    first = datetime(months[0][0], months[0][1], 1)
    y, m = months[-1]
    return first, datetime(y + (m == 12), m % 12 + 1, 1)


def apply(
    session: Session,
    budgets: Collection[BroadcastBudget],
    months: Iterable[tuple[int, int]],
    *,
    now: datetime,
) -> list[BudgetDecision]:
    """`decide`, then write each decision into its entry (`broadcast`, which the channel obeys
    when it sends) and its reason (replacing an older note)."""
    from sqlalchemy import update

    from loa.planning.models import PlanEntry, PlanStatus

    wanted = sorted(set(months))
    if budgets and wanted:  # a priority changed since the last plan: no stale decision stays
        first, after = _window(wanted)
        session.execute(
            update(PlanEntry)
            .where(
                PlanEntry.channel.in_([b.channel for b in budgets]),
                PlanEntry.scheduled_at >= max(first, now),
                PlanEntry.scheduled_at < after,
                PlanEntry.status == PlanStatus.PLANNED,
            )
            .values(broadcast=None)
            .execution_options(synchronize_session="fetch")
        )
    decisions = decide(session, budgets, wanted, now=now)
    for d in decisions:
        entry = session.get(PlanEntry, d.entry_id)
        if entry is None:
            continue
        if entry.status == PlanStatus.PLANNED:  # one being sent keeps what it was given
            entry.broadcast = d.broadcast
        base = strip_note(entry.reason)
        entry.reason = f"{base}; {d.note()}" if base else d.note()
    return decisions


def months_between(first: date, last: date) -> list[tuple[int, int]]:
    out = []
    y, m = first.year, first.month
    while (y, m) <= (last.year, last.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out
