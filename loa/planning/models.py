"""Stored scheduling state: weekly slot templates, blackout days and the plan."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

import loa.content.models  # noqa: F401  (plan entries point at messages)
from loa.core.db import Base
from loa.core.i18n import Catalog
from loa.core.states import StateMachine

#: What people read for a plan entry's status (`PlanStatus.DONE.label`).
T = Catalog(
    {
        "plan_planned": ("đã lên lịch", "planned"),
        "plan_sending": ("đang gửi", "sending"),
        "plan_done": ("đã phát/đăng", "done"),
        "plan_skipped": ("bỏ qua", "skipped"),
        "plan_failed": ("lỗi", "failed"),
        "plan_cancelled": ("đã hủy", "cancelled"),
    }
)


class PlanStatus(StrEnum):
    """Where a plan entry stands. Only the application layer (loa.app) moves an entry on, from
    what the audio and channel layers return."""

    PLANNED = "planned"  # placed by the planner; may still be moved or dropped by a re-plan
    SENDING = "sending"  # handed to a channel: locked, the planner never moves it
    DONE = "done"  # aired or published
    SKIPPED = "skipped"  # too late to air or post; logged, never sent late
    FAILED = "failed"  # a person must act (a token, a device)
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        """The status in the user's language ("đã lên lịch", or "planned" when LOA_LANG=en)."""
        return T(f"plan_{self.value}")


_RETRYABLE = frozenset({PlanStatus.PLANNED, PlanStatus.SENDING})
#: planned -> sending -> done | skipped | failed, or back to planned (a transient failure, retried
#: at the next run); an entry can be played or skipped straight from planned (the radio), and a
#: failed one sent again by the officer.
PLAN_STATES = StateMachine(
    "plan entry",
    {
        PlanStatus.PLANNED: frozenset(
            {
                PlanStatus.SENDING,
                PlanStatus.DONE,
                PlanStatus.SKIPPED,
                PlanStatus.FAILED,
                PlanStatus.CANCELLED,
            }
        ),
        PlanStatus.SENDING: frozenset(
            {PlanStatus.PLANNED, PlanStatus.DONE, PlanStatus.SKIPPED, PlanStatus.FAILED}
        ),
        PlanStatus.FAILED: _RETRYABLE | {PlanStatus.DONE, PlanStatus.SKIPPED},
        PlanStatus.SKIPPED: frozenset({PlanStatus.DONE}),
        PlanStatus.DONE: frozenset(),
        PlanStatus.CANCELLED: frozenset(),
    },
)

PLAN_STATUSES = tuple(s.value for s in PlanStatus)


class Slot(Base):
    """A weekly slot of one channel: weekdays (0=Monday), a start time, a capacity, and reach.

    Capacity is airtime seconds for the radio and a number of posts for the other channels;
    `reach` maps an audience code to the share of that group the slot reaches (0-1).
    """

    __tablename__ = "slots"
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20), index=True)
    name: Mapped[str] = mapped_column(String(100))
    weekdays: Mapped[list[int]] = mapped_column(default=lambda: [0, 1, 2, 3, 4, 5, 6])
    start: Mapped[str] = mapped_column(String(5))  # "HH:MM"
    capacity: Mapped[int] = mapped_column(Integer)
    reach: Mapped[dict[str, float]] = mapped_column(default=dict)
    note: Mapped[str | None] = mapped_column(Text, default=None)
    #: Loudspeaker zones (Icecast mounts, [radio.stream] mounts) this slot airs on; [] = all.
    zones: Mapped[list[str]] = mapped_column(default=list)


class Blackout(Base):
    """A day on which nothing is planned (besides the built-in public holidays)."""

    __tablename__ = "blackouts"
    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    reason: Mapped[str] = mapped_column(String(200), default="")


class PlanEntry(Base):
    """One message placed into one slot instance (or, for urgent items, outside the grid)."""

    __tablename__ = "plan_entries"
    __table_args__ = (UniqueConstraint("message_id", "channel", "scheduled_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    slot_id: Mapped[int | None] = mapped_column(ForeignKey("slots.id"), default=None)
    scheduled_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    duration_s: Mapped[float] = mapped_column(Float, default=0.0)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    status: Mapped[str] = mapped_column(String(12), default=PlanStatus.PLANNED)
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.now)
    # Added by migration 0007_entry_flags. Pinned by hand (or moved by hand): a re-plan keeps
    # it where it is while its slot instance exists and the message may air there.
    pinned: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The planner's broadcast decision for a channel with a broadcast budget (Zalo): True
    # broadcast, False article only, None not decided (the channel's own rule applies).
    broadcast: Mapped[bool | None] = mapped_column(Boolean, default=None)
